"""WFM: the newest roster as a timeline per agent, with breaks and lunches."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require

roster = cached(queries.roster)

require("roster")
st.header("Roster")
where = paths()
frame = roster(where.planning)
if frame.empty:
    st.info("No roster yet: run 'callcenter roster' first.")
    st.stop()
days = sorted(frame["date"].astype(str).unique())
day = st.selectbox("Day", days, key="day")
agents = sorted(frame["agent_id"].unique())
chosen = st.multiselect("Agents (all when empty)", agents, default=[], key="agents")
shown = frame[frame["date"].astype(str) == day]
if chosen:
    shown = shown[shown["agent_id"].isin(chosen)]

shifts = shown[shown["activity"] == "shift"]
columns = st.columns(2)
columns[0].metric("Agents on shift", f"{shifts['agent_id'].nunique():,}")
hours = (shifts["end_local"] - shifts["start_local"]).dt.total_seconds().sum() / 3600
columns[1].metric("Shift hours", f"{hours:,.1f}")
st.plotly_chart(charts.roster_timeline(shown), key="roster")
st.dataframe(shown, hide_index=True, key="roster_table")
csv_download(shown, f"roster_{day}")
