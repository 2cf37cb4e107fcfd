"""Manager wallboard: one day against targets, agents by state, the last week's service."""

from datetime import datetime, time, timedelta

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    day_bounds,
    day_filter,
    paths,
    queue_filter,
    require,
    service_targets,
    table,
    translator,
)

LIVE_REFRESH_S = 30  # the wallboard's refresh in live mode (the scheduler's build cadence
# is minutes, so 30 s shows a new publish soon after it lands without loading the server)
kpis_by = cached(queries.kpis_by)
interval_kpis = cached(queries.interval_kpis)
agents_by_state = cached(queries.agents_by_state)

require("overview")
t = translator()
st.header(t("page.overview"))
where = paths()
left, right = st.columns([1, 3])
with left:
    day = day_filter(where)
with right:
    queues = queue_filter(where)
targets = service_targets()
live = st.toggle(t("overview.live"), key="live", help=t("overview.live_help"))


@st.fragment(run_every=LIVE_REFRESH_S if live else None)
def board() -> None:
    """Tiles, charts and agents by state; in live mode re-run every LIVE_REFRESH_S
    seconds on the newest published day (cached reads follow each new publish)."""
    shown = day_bounds(where)[1] if live else day
    total = kpis_by(where.warehouse, shown, shown, queues, by="total")
    row = total.iloc[0].to_dict() if not total.empty else {}
    for column, tile in zip(st.columns(6), charts.kpi_tiles(row, targets, tr=t), strict=True):
        column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color)
    st.caption(t("overview.targets", **targets))

    st.subheader(t("overview.by_queue"))
    table(kpis_by(where.warehouse, shown, shown, queues, by="queue"), key="by_queue")

    by_interval = kpis_by(where.warehouse, shown, shown, queues, by="interval")
    st.plotly_chart(
        charts.interval_figure(by_interval, targets["service_level"], tr=t), key="intervals"
    )
    if live:
        # now: the start of the newest interval with data
        at = (
            by_interval["interval_start_local"].max().to_pydatetime()
            if not by_interval.empty
            else datetime.combine(shown, time(11, 0))
        )
        st.caption(t("overview.live_caption", seconds=LIVE_REFRESH_S, at=f"{at:%Y-%m-%d %H:%M}"))
    else:
        busiest = (
            by_interval.loc[by_interval["offered"].idxmax(), "interval_start_local"].time()
            if not by_interval.empty
            else time(11, 0)
        )
        at_time = st.time_input(t("overview.state_time"), value=busiest, key="state_time")
        at = datetime.combine(shown, at_time)
    states = agents_by_state(where.warehouse, at)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.agent_state_figure(states, tr=t), key="states")
    with right:
        week = interval_kpis(where.warehouse, shown - timedelta(days=6), shown, queues)
        st.plotly_chart(
            charts.daily_service_level_figure(week, targets["service_level"], tr=t),
            key="daily_sl",
        )
    csv_download(by_interval, f"overview_{shown}")


board()
