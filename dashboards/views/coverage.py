"""WFM: the requirement against the scheduled coverage of the newest roster."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require

coverage = cached(queries.coverage)

require("coverage")
st.header("Requirement vs scheduled coverage")
where = paths()
frame = coverage(where.planning)
if frame.empty:
    st.info("No roster yet: run 'callcenter roster' first.")
    st.stop()
skills = sorted(frame["skill"].unique())
skill = st.selectbox("Skill", ["all", *skills], key="skill")
shown = frame if skill == "all" else frame[frame["skill"] == skill]

short = shown[shown["gap"] < 0]
columns = st.columns(3)
columns[0].metric("Required agent-intervals", f"{shown['required'].sum():,.0f}")
columns[1].metric("Scheduled agent-intervals", f"{shown['scheduled'].sum():,.0f}")
columns[2].metric("Intervals short", f"{len(short):,}")
st.plotly_chart(charts.coverage_figure(shown), key="coverage")
st.dataframe(shown, hide_index=True, key="coverage_table")
csv_download(shown, f"coverage_{skill}")
