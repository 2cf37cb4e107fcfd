"""QA: evaluation scores, the weekly agent scorecards, and one agent's trend and section
scores; for some queues and teams (agent directory)."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    day_bounds,
    paths,
    range_queue_team_filters,
    require,
    table,
    translator,
)
from qa.scorecards import weekly_scorecards

qa_evaluations = cached(queries.qa_evaluations)
qa_section_scores = cached(queries.qa_section_scores)

require("qa_scores")
t = translator()
st.header(t("page.qa_scores"))
where = paths()
start, end, queues, team_agents = range_queue_team_filters(where)
evaluations = qa_evaluations(where.warehouse, start, end, queues, team_agents)
if evaluations.empty:
    st.info(t("qa.none"))
    st.stop()
for column, tile in zip(st.columns(4), charts.qa_tiles(evaluations, tr=t), strict=True):
    column.metric(tile.label, tile.value)
st.caption(t("qa.caption"))
st.plotly_chart(charts.qa_score_figure(evaluations, tr=t), key="scores")
st.subheader(t("qa.scorecards"))
scorecards = weekly_scorecards(evaluations)
table(scorecards, key="scorecards")
csv_download(scorecards, f"qa_scorecards_{start}_{end}")

st.subheader(t("qa.agent"))
agents = sorted(scorecards["agent_id"].unique())
if not agents:
    st.stop()
agent = st.selectbox(t("filter.agent"), agents, key="agent")
st.caption(t("qa.agent_caption"))
first, last = day_bounds(where)
history = qa_evaluations(where.warehouse, first, last, queues)
weeks = weekly_scorecards(history[history["agent_id"] == agent])
sections = qa_section_scores(where.warehouse, start, end, queues, agent)
trend, by_section = st.columns(2)
with trend:
    st.plotly_chart(charts.qa_trend_figure(weeks, agent, tr=t), key="agent_trend")
with by_section:
    st.plotly_chart(charts.qa_section_figure(sections, agent, tr=t), key="agent_sections")
table(weeks, key="agent_weeks")
