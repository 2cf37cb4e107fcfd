"""QA: calibration sessions: how far the evaluators agree, per session, section and
question, and each evaluator's deviation from the session mean (``qa.service.
calibration_results``, on ``qa.calibration``)."""

import streamlit as st

from dashboards import charts
from dashboards.views._common import cached, paths, require, table, translator
from qa.form import load_form
from qa.service import QAError, calibration_results
from qa.store import calibration_sessions

sessions = cached(calibration_sessions)
results = cached(calibration_results)

require("qa_calibration")
t = translator()
st.header(t("page.qa_calibration"))
where = paths()
names = sessions(where.operational)
if not names:
    st.info(t("calibration.none"))
    st.stop()
session = st.selectbox(t("calibration.session"), names, key="session")
form = load_form()
try:
    found = results(where.operational, session, form)
except QAError:
    st.info(t("calibration.none"))
    st.stop()
report = found.report


def _number(value: float | None, fmt: str = "{:.3f}") -> str:
    return "–" if value is None else fmt.format(value)


tiles = st.columns(4)
tiles[0].metric(t("calibration.calls"), f"{report.calls:,}")
tiles[1].metric(t("calibration.evaluators"), f"{report.evaluators:,}")
tiles[2].metric(t("calibration.alpha"), _number(report.alpha_interval))
tiles[3].metric(t("calibration.icc"), _number(report.icc.icc2_1 if report.icc else None))
st.caption(t("calibration.caption"))
st.plotly_chart(
    charts.calibration_figure(found.evaluators, found.section_deviations, tr=t), key="deviation"
)

st.subheader(t("calibration.by_evaluator"))
table(found.evaluators, key="evaluators")

st.subheader(t("calibration.by_section"))
st.caption(t("calibration.sections_caption"))
sections = found.sections.assign(
    section=[
        t.data_text("qa_section", sid, title)
        for sid, title in zip(
            found.sections["section_id"], found.sections["section_title"], strict=True
        )
    ]
)
table(
    sections[["section", "section_weight", "calls", "evaluators", "mean_score", "spread", "alpha"]],
    key="sections",
)

st.subheader(t("calibration.by_item"))
st.caption(t("calibration.items_caption"))
titles = {s.id: t.data_text("qa_section", s.id, s.title) for s in form.sections}
texts = {item_id: item.text for item_id, (_, item) in form.items().items()}
items = found.items.assign(
    section=found.items["section_id"].map(lambda sid: titles.get(sid, sid)),
    question=found.items["item_id"].map(
        lambda iid: t.data_text("qa_item", iid, texts.get(iid, iid))
    ),
)
table(items[["section", "question", "calls", "evaluators", "agreement", "alpha"]], key="items")
