"""Orders: the sales funnel from answered calls to delivered tickets."""

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

order_funnel = cached(queries.order_funnel)
order_channels = cached(queries.order_channels)

require("orders")
t = translator()
st.header(t("page.orders"))
where = paths()
left, right = st.columns([1, 1])
with left:
    start, end = range_filter(where)
with right:
    channels = order_channels(where.warehouse)["channel"].tolist()
    chosen = st.multiselect(t("filter.channels"), channels, default=channels, key="channels")
funnel = order_funnel(where.warehouse, start, end, chosen or channels)

counts = dict(zip(funnel["stage"], funnel["count"], strict=True))
columns = st.columns(3)
for column, stage in zip(
    columns, ("calls_answered", "orders_booked", "orders_ticketed"), strict=True
):
    column.metric(t.term("stage", stage), f"{counts[stage]:,}")
st.plotly_chart(charts.funnel_figure(funnel, tr=t), key="funnel")
table(funnel, key="funnel_table", terms={"stage": "stage"})
csv_download(funnel, f"orders_{start}_{end}")
