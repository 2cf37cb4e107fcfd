"""IVR: containment and drop-off by menu path over a day range."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, range_filter, require

ivr_paths = cached(queries.ivr_paths)

require("ivr")
st.header("IVR")
where = paths()
left, right = st.columns([1, 1])
with left:
    start, end = range_filter(where)
with right:
    hours = st.selectbox("Hours", ["all", "open", "closed"], key="hours")
paths_frame = ivr_paths(where.warehouse, start, end, None if hours == "all" else hours)

calls = paths_frame["calls"].sum()
columns = st.columns(3)
columns[0].metric("Calls in the IVR", f"{calls:,.0f}")
if calls:
    columns[1].metric("Containment", f"{paths_frame['self_served'].sum() / calls:.1%}")
    columns[2].metric("Drop-off", f"{paths_frame['dropped'].sum() / calls:.1%}")
st.caption(
    "Containment = self-served / calls (hang-ups are not contained); drop-off = hung up "
    "inside a menu / calls (mart_ivr)."
)
st.plotly_chart(charts.ivr_figure(paths_frame), key="ivr")
st.dataframe(paths_frame, hide_index=True, key="ivr_table")
csv_download(paths_frame, f"ivr_{start}_{end}")
