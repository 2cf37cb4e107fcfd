"""WFM: the requirement against the scheduled coverage of the newest roster."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require, table, translator

coverage = cached(queries.coverage)

require("coverage")
t = translator()
st.header(t("coverage.header"))
where = paths()
frame = coverage(where.planning)
if frame.empty:
    st.info(t("coverage.none"))
    st.stop()
skills = sorted(frame["skill"].unique())
skill = st.selectbox(
    t("filter.skill"),
    ["all", *skills],
    format_func=lambda value: t("common.all") if value == "all" else value,
    key="skill",
)
shown = frame if skill == "all" else frame[frame["skill"] == skill]

short = shown[shown["gap"] < 0]
columns = st.columns(3)
columns[0].metric(t("coverage.required"), f"{shown['required'].sum():,.0f}")
columns[1].metric(t("coverage.scheduled"), f"{shown['scheduled'].sum():,.0f}")
columns[2].metric(t("coverage.short"), f"{len(short):,}")
st.plotly_chart(charts.coverage_figure(shown, tr=t), key="coverage")
table(shown, key="coverage_table")
csv_download(shown, f"coverage_{skill}")
