"""WFM: the newest volume forecast against actual calls, and the backtest accuracy."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require, table, translator

forecast_queues = cached(queries.forecast_queues)
forecast_vs_actual = cached(queries.forecast_vs_actual)
backtest_accuracy = cached(queries.backtest_accuracy)

require("forecast")
t = translator()
st.header(t("page.forecast"))
where = paths()
queues = forecast_queues(where.planning)["queue"].tolist()
if not queues:
    st.info(t("forecast.none"))
    st.stop()
queue = st.selectbox(t("filter.queue"), queues, key="queue")
frame = forecast_vs_actual(where.planning, where.warehouse, queue)

both = frame.dropna(subset=["actual", "y_hat"])
columns = st.columns(3)
columns[0].metric(t("forecast.horizon_calls"), f"{frame['y_hat'].sum():,.0f}")
columns[1].metric(t("forecast.actual_calls"), f"{frame['actual'].sum():,.0f}")
columns[2].metric(t("forecast.both"), f"{len(both):,}")
st.plotly_chart(charts.forecast_figure(frame, tr=t), key="forecast")
csv_download(frame, f"forecast_{queue}")

st.subheader(t("forecast.backtest"))
accuracy = backtest_accuracy(where.planning)
if accuracy.empty:
    st.caption(t("forecast.no_backtest"))
else:
    table(accuracy[accuracy["unique_id"] == queue], key="accuracy")
