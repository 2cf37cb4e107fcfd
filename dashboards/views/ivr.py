"""IVR: containment and drop-off by menu path over a day range."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    paths,
    range_filter,
    require,
    table,
    translator,
)

ivr_paths = cached(queries.ivr_paths)

require("ivr")
t = translator()
st.header(t("page.ivr"))
where = paths()
left, right = st.columns([1, 1])
with left:
    start, end = range_filter(where)
with right:
    hours = st.selectbox(
        t("filter.hours"),
        ["all", "open", "closed"],
        format_func=lambda value: t.term("hours", value),
        key="hours",
    )
paths_frame = ivr_paths(where.warehouse, start, end, None if hours == "all" else hours)

calls = paths_frame["calls"].sum()
columns = st.columns(3)
columns[0].metric(t("ivr.calls"), f"{calls:,.0f}")
if calls:
    columns[1].metric(t("ivr.containment"), f"{paths_frame['self_served'].sum() / calls:.1%}")
    columns[2].metric(t("ivr.drop_off"), f"{paths_frame['dropped'].sum() / calls:.1%}")
st.caption(t("ivr.caption"))
st.plotly_chart(charts.ivr_figure(paths_frame, tr=t), key="ivr")
table(paths_frame, key="ivr_table")
csv_download(paths_frame, f"ivr_{start}_{end}")
