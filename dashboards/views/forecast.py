"""WFM: the newest volume forecast against actual calls, and the backtest accuracy."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, require

forecast_queues = cached(queries.forecast_queues)
forecast_vs_actual = cached(queries.forecast_vs_actual)
backtest_accuracy = cached(queries.backtest_accuracy)

require("forecast")
st.header("Forecast vs actual")
where = paths()
queues = forecast_queues(where.planning)["queue"].tolist()
if not queues:
    st.info("No forecast yet: run 'callcenter forecast' first.")
    st.stop()
queue = st.selectbox("Queue", queues, key="queue")
frame = forecast_vs_actual(where.planning, where.warehouse, queue)

both = frame.dropna(subset=["actual", "y_hat"])
columns = st.columns(3)
columns[0].metric("Forecast calls (horizon)", f"{frame['y_hat'].sum():,.0f}")
columns[1].metric("Actual calls shown", f"{frame['actual'].sum():,.0f}")
columns[2].metric("Intervals with both", f"{len(both):,}")
st.plotly_chart(charts.forecast_figure(frame), key="forecast")
csv_download(frame, f"forecast_{queue}")

st.subheader("Backtest accuracy")
accuracy = backtest_accuracy(where.planning)
if accuracy.empty:
    st.caption("The newest run has no backtest (too little history).")
else:
    st.dataframe(accuracy[accuracy["unique_id"] == queue], hide_index=True, key="accuracy")
