"""QA: evaluation scores and the weekly agent scorecards."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    paths,
    queue_filter,
    range_filter,
    require,
)
from qa.scorecards import weekly_scorecards

qa_evaluations = cached(queries.qa_evaluations)

require("qa_scores")
st.header("QA scores")
where = paths()
left, right = st.columns([1, 3])
with left:
    start, end = range_filter(where)
with right:
    queues = queue_filter(where)
evaluations = qa_evaluations(where.warehouse, start, end, queues)
if evaluations.empty:
    st.info("No evaluations of calls in these days: run 'callcenter qa score' first.")
    st.stop()
for column, tile in zip(st.columns(4), charts.qa_tiles(evaluations), strict=True):
    column.metric(tile.label, tile.value)
st.caption("Overturned disputes and calibration sessions do not count (qa.scorecards).")
st.plotly_chart(charts.qa_score_figure(evaluations), key="scores")
st.subheader("Weekly scorecards")
scorecards = weekly_scorecards(evaluations)
st.dataframe(scorecards, hide_index=True, key="scorecards")
csv_download(scorecards, f"qa_scorecards_{start}_{end}")
