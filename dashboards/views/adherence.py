"""WFM: schedule adherence of the roster against the agents' actual states, per team and
day against the 92 % target, the worst agents and the out-of-adherence exceptions."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require, table, translator
from wfm.adherence import ScheduleError

adherence_days = cached(queries.adherence_days)
adherence = cached(queries.adherence)

require("adherence")
t = translator()
st.header(t("page.adherence"))
where = paths()
known = adherence_days(where.warehouse, where.planning)
if not known["days"]:
    st.info(t("adherence.no_overlap"))
    roster = known["roster"]
    states = known["states"]
    none = t("adherence.none")
    st.caption(
        t(
            "adherence.known_days",
            roster=t("adherence.range", first=roster[0], last=roster[-1]) if roster else none,
            states=t("adherence.range", first=states[0], last=states[1]) if states else none,
        )
    )
    st.stop()

days = [str(d) for d in known["days"]]
day_text = st.selectbox(t("filter.day"), days, index=len(days) - 1, key="day")
day = known["days"][days.index(day_text)]
try:
    frames = adherence(where.warehouse, where.planning, day)
except ScheduleError as exc:  # a roster that cannot be scored (overlapping shifts, ...)
    st.error(t("adherence.unscorable", day=day, error=exc))
    st.stop()
teams, agents, exceptions = frames["teams"], frames["agents"], frames["exceptions"]
if teams.empty:
    st.info(t("adherence.no_overlap"))
    st.stop()

for column, tile in zip(st.columns(4), charts.adherence_tiles(teams, tr=t), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color)
st.plotly_chart(charts.adherence_figure(teams, tr=t), key="adherence_teams")
table(teams, key="teams_table")

st.subheader(t("adherence.worst"))
table(agents.head(10), key="agents_table")

st.subheader(t("adherence.exceptions"))
st.caption(t("adherence.exceptions_caption"))
table(
    exceptions,
    key="exceptions_table",
    terms={"scheduled_activity": "activity", "actual_state": "state"},
)
csv_download(exceptions, f"adherence_exceptions_{day}")
