"""Agents: the performance table, occupancy and aux time per agent over a day range."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import agent_ids, cached, csv_download, paths, range_filter, require

agent_period = cached(queries.agent_period)

require("agents")
st.header("Agents")
where = paths()
left, right = st.columns([1, 3])
with left:
    start, end = range_filter(where)
with right:
    everyone = agent_ids(where.warehouse)["agent_id"].tolist()
    chosen = st.multiselect("Agents (all when empty)", everyone, default=[], key="agents")
agents = agent_period(where.warehouse, start, end, chosen or None)

handled = int(agents["handled_calls"].sum()) if not agents.empty else 0
columns = st.columns(3)
columns[0].metric("Agents", f"{len(agents):,}")
columns[1].metric("Handled calls", f"{handled:,}")
columns[2].metric("Login hours", f"{agents['login_h'].sum():,.0f}")
st.dataframe(agents, hide_index=True, key="agent_table")
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.agent_occupancy_figure(agents), key="occupancy")
with right:
    st.plotly_chart(charts.aux_time_figure(agents), key="aux")
csv_download(agents, f"agents_{start}_{end}")
