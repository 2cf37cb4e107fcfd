"""Manager wallboard: one day against targets, agents by state, the last week's service."""

from datetime import datetime, time, timedelta

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    day_filter,
    paths,
    queue_filter,
    require,
    service_targets,
)

kpis_by = cached(queries.kpis_by)
interval_kpis = cached(queries.interval_kpis)
agents_by_state = cached(queries.agents_by_state)

require("overview")
st.header("Overview")
where = paths()
left, right = st.columns([1, 3])
with left:
    day = day_filter(where)
with right:
    queues = queue_filter(where)
targets = service_targets()

total = kpis_by(where.warehouse, day, day, queues, by="total")
row = total.iloc[0].to_dict() if not total.empty else {}
for column, tile in zip(st.columns(6), charts.kpi_tiles(row, targets), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color)
st.caption(
    f"Targets: service level {targets['service_level']:.0%} answered within "
    f"{targets['target_s']:.0f} s, ASA {targets['asa_s']:.0f} s, abandon rate "
    f"{targets['abandon_rate']:.0%}, occupancy at most {targets['max_occupancy']:.0%}."
)

by_interval = kpis_by(where.warehouse, day, day, queues, by="interval")
st.plotly_chart(charts.interval_figure(by_interval, targets["service_level"]), key="intervals")

busiest = (
    by_interval.loc[by_interval["offered"].idxmax(), "interval_start_local"].time()
    if not by_interval.empty
    else time(11, 0)
)
at_time = st.time_input("Agents by state at", value=busiest, key="state_time")
states = agents_by_state(where.warehouse, datetime.combine(day, at_time))
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.agent_state_figure(states), key="states")
with right:
    week = interval_kpis(where.warehouse, day - timedelta(days=6), day, queues)
    st.plotly_chart(
        charts.daily_service_level_figure(week, targets["service_level"]), key="daily_sl"
    )
csv_download(by_interval, f"overview_{day}")
