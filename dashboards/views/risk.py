"""Risk: the probability x impact matrix, the register and the incidents."""

import streamlit as st

from dashboards import queries
from dashboards.views._common import cached, csv_download, paths, require
from qa.risk.charts import matrix_figure

risk_register = cached(queries.risk_register)
incidents = cached(queries.incidents)

require("risk")
st.header("Risk")
where = paths()
register = risk_register(where.operational)
if register.empty:
    st.info("No risk register yet: run 'callcenter risk add' first.")
    st.stop()
categories = sorted(register["category"].unique())
chosen = st.multiselect("Categories", categories, default=categories, key="categories")
shown = register[register["category"].isin(chosen or categories)]
columns = st.columns(2)
columns[0].metric("Risks", f"{len(shown):,}")
columns[1].metric("Highest score", f"{shown['score'].max():.0f}" if len(shown) else "–")
st.plotly_chart(matrix_figure(shown.to_dict("records")), key="matrix")
st.dataframe(shown, hide_index=True, key="register_table")
csv_download(shown, "risk_register")

st.subheader("Incidents")
logged = incidents(where.operational)
if logged.empty:
    st.caption("No incidents logged.")
else:
    st.dataframe(logged, hide_index=True, key="incidents_table")
    csv_download(logged, "incidents")
