"""Orders: the sales funnel from answered calls to delivered tickets."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, range_filter, require

order_funnel = cached(queries.order_funnel)
order_channels = cached(queries.order_channels)

require("orders")
st.header("Orders")
where = paths()
left, right = st.columns([1, 1])
with left:
    start, end = range_filter(where)
with right:
    channels = order_channels(where.warehouse)["channel"].tolist()
    chosen = st.multiselect("Channels", channels, default=channels, key="channels")
funnel = order_funnel(where.warehouse, start, end, chosen or channels)

counts = dict(zip(funnel["stage"], funnel["count"], strict=True))
columns = st.columns(3)
columns[0].metric("Calls answered", f"{counts['calls_answered']:,}")
columns[1].metric("Orders booked", f"{counts['orders_booked']:,}")
columns[2].metric("Orders ticketed", f"{counts['orders_ticketed']:,}")
st.plotly_chart(charts.funnel_figure(funnel), key="funnel")
st.dataframe(funnel, hide_index=True, key="funnel_table")
csv_download(funnel, f"orders_{start}_{end}")
