"""WFM: schedule adherence of the roster against the agents' actual states, per team and
day against the 92 % target, the worst agents and the out-of-adherence exceptions."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require
from wfm.adherence import ScheduleError

adherence_days = cached(queries.adherence_days)
adherence = cached(queries.adherence)

NO_OVERLAP = (
    "No roster covers the days with agent states; roster a past week, or simulate a roster."
)

require("adherence")
st.header("Adherence")
where = paths()
known = adherence_days(where.warehouse, where.planning)
if not known["days"]:
    st.info(NO_OVERLAP)
    roster = known["roster"]
    states = known["states"]
    st.caption(
        ("Roster: " + (f"{roster[0]} to {roster[-1]}" if roster else "none"))
        + (" · agent states: " + (f"{states[0]} to {states[1]}" if states else "none"))
    )
    st.stop()

days = [str(d) for d in known["days"]]
day_text = st.selectbox("Day", days, index=len(days) - 1, key="day")
day = known["days"][days.index(day_text)]
try:
    frames = adherence(where.warehouse, where.planning, day)
except ScheduleError as exc:  # a roster that cannot be scored (overlapping shifts, ...)
    st.error(f"The roster of {day} cannot be scored: {exc}")
    st.stop()
teams, agents, exceptions = frames["teams"], frames["agents"], frames["exceptions"]
if teams.empty:
    st.info(NO_OVERLAP)
    st.stop()

for column, tile in zip(st.columns(4), charts.adherence_tiles(teams), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color)
st.plotly_chart(charts.adherence_figure(teams), key="adherence_teams")
st.dataframe(teams, hide_index=True, key="teams_table")

st.subheader("Worst agents")
st.dataframe(agents.head(10), hide_index=True, key="agents_table")

st.subheader("Exceptions")
st.caption("Out of adherence for more than 5 minutes within one scheduled activity.")
st.dataframe(exceptions, hide_index=True, key="exceptions_table")
csv_download(exceptions, f"adherence_exceptions_{day}")
