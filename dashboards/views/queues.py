"""Queues: per-queue KPIs over a day range and the interval drill-down of one queue."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    paths,
    queue_names,
    range_filter,
    require,
    service_targets,
    table,
    translator,
)

kpis_by = cached(queries.kpis_by)
interval_kpis = cached(queries.interval_kpis)

require("queues")
t = translator()
st.header(t("page.queues"))
where = paths()
left, right = st.columns([1, 1])
with left:
    start, end = range_filter(where)
with right:
    names = queue_names(where.warehouse)["queue"].tolist()
    queue = st.selectbox(t("filter.queue"), names, key="queue")
targets = service_targets()

st.subheader(t("queues.all"))
per_queue = kpis_by(where.warehouse, start, end, None, by="queue")
table(per_queue, key="per_queue")

st.subheader(t("queues.one", queue=queue))
total = kpis_by(where.warehouse, start, end, [queue], by="total")
row = total.iloc[0].to_dict() if not total.empty else {}
for column, tile in zip(st.columns(6), charts.kpi_tiles(row, targets, tr=t), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color)
intervals = interval_kpis(where.warehouse, start, end, [queue])
st.plotly_chart(charts.interval_figure(intervals, targets["service_level"], tr=t), key="intervals")
table(intervals, key="interval_table")
csv_download(intervals, f"queue_{queue}_{start}_{end}")
