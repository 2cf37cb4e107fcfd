"""Satisfaction: post-call survey results (CSAT, DSAT, response rate) by queue and wait,
what drives the score (an ordered-logit model with its intervals, ``qa.csat``), and each
agent's effect against their QA scores; for some queues and teams (agent directory)."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    paths,
    range_queue_team_filters,
    require,
    table,
    translator,
)
from qa import csat

csat_rows = cached(queries.csat_rows)
survey_answers = cached(queries.survey_answers)
agent_qa_means = cached(queries.agent_qa_means)
fit = cached(csat.fit)

require("satisfaction")
t = translator()
st.header(t("page.satisfaction"))
where = paths()
start, end, queues, team_agents = range_queue_team_filters(where)
rows = csat_rows(where.warehouse, start, end, queues, team_agents)
if rows.empty or not rows["offered"].sum():
    st.info(t("satisfaction.none"))
    st.stop()
for column, tile in zip(st.columns(5), charts.csat_tiles(rows, tr=t), strict=True):
    column.metric(tile.label, tile.value)
st.caption(t("satisfaction.caption"))
answers = survey_answers(where.warehouse, start, end, queues)
team_answers = (
    answers
    if team_agents is None
    else survey_answers(where.warehouse, start, end, queues, team_agents)
)
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.csat_by_wait_figure(team_answers, tr=t), key="by_wait")
with right:
    st.subheader(t("satisfaction.by_queue"))
    table(queries.csat_by(rows, "queue"), key="by_queue")

st.subheader(t("satisfaction.drivers"))
scale = int(answers["scale"].mode().iloc[0]) if len(answers) else 3
try:
    model = fit(answers[answers["scale"] == scale], scale)
except csat.CsatError as exc:
    st.info(t("satisfaction.model_failed", reason=str(exc)))
    st.stop()
st.caption(t("satisfaction.model", answers=model.answers, spread=model.between_agent_sd))
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(charts.driver_figure(model, tr=t), key="drivers")
with right:
    table(charts.driver_table(model, tr=t), key="driver_table")

st.subheader(t("satisfaction.agents"))
agents = model.agents.merge(agent_qa_means(where.warehouse, start, end), on="agent_id", how="left")
if team_agents is not None:
    # Effects come from the model of every agent's answers, so they compare across teams.
    st.caption(t("satisfaction.team_agents"))
    agents = agents[agents["agent_id"].isin(team_agents)]
st.plotly_chart(charts.agent_effect_figure(agents, tr=t), key="agent_effects")
shown = agents[
    ["agent_id", "answers", "csat", "effect", "low", "high", "qa_evaluations", "qa_mean_score"]
]
table(shown, key="agent_table")
csv_download(shown, f"satisfaction_agents_{start}_{end}")
