"""Channels: deferred contacts (e-mail, SMS, web callback, voicemail) next to voice: the
backlog per hour, the oldest open item, first responses within target, per channel."""

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

backlog_hours = cached(queries.backlog_hours)
channel_names = cached(queries.channel_names)
kpis_by = cached(queries.kpis_by)

require("channels")
t = translator()
st.header(t("page.channels"))
where = paths()
left, right = st.columns([1, 3])
with left:
    start, end = range_filter(where)
with right:
    names = channel_names(where.warehouse)
    chosen = st.multiselect(
        t("filter.channels"),
        names,
        default=names,
        format_func=lambda name: t.term("channel", name),
        key="channels",
    )
hours = backlog_hours(where.warehouse, start, end, chosen)
if hours.empty:
    st.info(t("channels.none"))
    st.stop()
days = queries.backlog_days(hours)
for column, tile in zip(st.columns(5), charts.backlog_tiles(days, tr=t), strict=True):
    column.metric(tile.label, tile.value)
st.caption(t("channels.caption"))
st.plotly_chart(charts.backlog_figure(hours, tr=t), key="backlog")
voice = kpis_by(where.warehouse, start, end, None, by="day")
st.plotly_chart(charts.within_target_figure(days, voice, tr=t), key="within_target")
st.subheader(t("channels.by_day"))
table(days, key="channel_days")
csv_download(hours, f"backlog_{start}_{end}")
