"""Agents: the performance table, occupancy and aux time per agent over a day range, for
some teams (agent directory) or agents."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    agent_ids,
    both,
    cached,
    csv_download,
    paths,
    range_filter,
    require,
    table,
    team_filter,
    translator,
)

agent_period = cached(queries.agent_period)

require("agents")
t = translator()
st.header(t("page.agents"))
where = paths()
left, middle, right = st.columns([1, 1, 2])
with left:
    start, end = range_filter(where)
with middle:
    team_agents = team_filter(where)
with right:
    everyone = agent_ids(where.warehouse)["agent_id"].tolist()
    chosen = st.multiselect(t("filter.agents_all"), everyone, default=[], key="agents")
agents = agent_period(where.warehouse, start, end, both(chosen or None, team_agents))

handled = int(agents["handled_calls"].sum()) if not agents.empty else 0
columns = st.columns(3)
columns[0].metric(t("agents.count"), f"{len(agents):,}")
columns[1].metric(t("agents.handled"), f"{handled:,}")
columns[2].metric(t("agents.login_hours"), f"{agents['login_h'].sum():,.0f}")
table(agents, key="agent_table")
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.agent_occupancy_figure(agents, tr=t), key="occupancy")
with right:
    st.plotly_chart(charts.aux_time_figure(agents, tr=t), key="aux")
csv_download(agents, f"agents_{start}_{end}")
