"""Risk: the probability x impact matrix, the register and the incidents."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require, table, translator

risk_register = cached(queries.risk_register)
incidents = cached(queries.incidents)

require("risk")
t = translator()
st.header(t("page.risk"))
where = paths()
register = risk_register(where.operational)
if register.empty:
    st.info(t("risk.none"))
    st.stop()
categories = sorted(register["category"].unique())
chosen = st.multiselect(t("filter.categories"), categories, default=categories, key="categories")
shown = register[register["category"].isin(chosen or categories)]
columns = st.columns(2)
columns[0].metric(t("risk.count"), f"{len(shown):,}")
columns[1].metric(t("risk.highest"), f"{shown['score'].max():.0f}" if len(shown) else "–")
st.plotly_chart(charts.risk_matrix_figure(shown.to_dict("records"), tr=t), key="matrix")
table(shown, key="register_table")
csv_download(shown, "risk_register")

st.subheader(t("risk.incidents"))
logged = incidents(where.operational)
if logged.empty:
    st.caption(t("risk.no_incidents"))
else:
    table(logged, key="incidents_table")
    csv_download(logged, "incidents")
