"""WFM: the newest roster as a timeline per agent, with breaks and lunches."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require, table, translator

roster = cached(queries.roster)

require("roster")
t = translator()
st.header(t("page.roster"))
where = paths()
frame = roster(where.planning)
if frame.empty:
    st.info(t("coverage.none"))
    st.stop()
days = sorted(frame["date"].astype(str).unique())
day = st.selectbox(t("filter.day"), days, key="day")
agents = sorted(frame["agent_id"].unique())
chosen = st.multiselect(t("filter.agents_all"), agents, default=[], key="agents")
shown = frame[frame["date"].astype(str) == day]
if chosen:
    shown = shown[shown["agent_id"].isin(chosen)]

shifts = shown[shown["activity"] == "shift"]
columns = st.columns(2)
columns[0].metric(t("roster.on_shift"), f"{shifts['agent_id'].nunique():,}")
hours = (shifts["end_local"] - shifts["start_local"]).dt.total_seconds().sum() / 3600
columns[1].metric(t("roster.shift_hours"), f"{hours:,.1f}")
st.plotly_chart(charts.roster_timeline(shown, tr=t), key="roster")
table(shown, key="roster_table", terms={"activity": "activity"})
csv_download(shown, f"roster_{day}")
