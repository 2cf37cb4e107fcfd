"""QA: my evaluations to do (the evaluator's open sampled calls) and the evaluation form.

A qa user sees their own work list (the calls a sampling plan assigned to their user
id); an admin may look at any evaluator's. The form lists the shipped QA form's sections
and questions; submitting it scores and stores the evaluation through
``qa.service.evaluate``, as ``callcenter qa score`` does, under the logged-in user's id,
so it is offered on the user's own list only.
"""

import duckdb
import pandas as pd
import streamlit as st

from dashboards import auth, queries
from dashboards.views._common import paths, require, table, translator
from qa.form import SCALES, FormError, load_form
from qa.scoring import AnswerError
from qa.service import AnswerSheet, QAError, evaluate, unanswered
from qa.store import StoreError
from warehouse.connect import is_lock_error

RESULT_KEY = "qa_evaluate_result"  # the last submission's summary, shown after the rerun

user = require("qa_evaluate")
t = translator()
st.header(t("page.qa_evaluate"))
where = paths()
ops = where.operational


def _when(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def _show_result(summary: dict) -> None:
    """The evaluation just stored: its score, verdict and section scores."""
    message = t(
        "qa_eval.saved",
        evaluation_id=summary["evaluation_id"],
        call_id=summary["call_id"],
        agent=summary["agent_id"],
        score=summary["score"],
    )
    verdict = t("qa_eval.passed") if summary["passed"] else t("qa_eval.failed")
    if summary["critical_failed"]:
        critical = ", ".join(summary["critical_failures"])
        verdict += " " + t("qa_eval.critical_failed", items=critical)
    st.success(f"{message} {verdict}")
    titles = {s.id: s.title for s in load_form().sections}
    sections = pd.DataFrame(
        [
            {"section": t.data_text("qa_section", sid, titles.get(sid, sid)), "section_score": v}
            for sid, v in summary["sections"].items()
        ]
    )
    table(sections, key="saved_sections")


def _evaluation_form(calls: pd.DataFrame) -> None:
    """The form for one of ``calls`` (the user's own open calls); a complete submission
    is stored and the page reruns (the call leaves the list)."""
    form = load_form()
    rows = calls.set_index("call_id", drop=False)

    def option(call: str) -> str:
        row = rows.loc[call]
        return " · ".join(
            [call, str(row["agent_id"]), str(row["queue"] or ""), _when(row["call_time_local"])]
        )

    call_id = st.selectbox(t("qa_eval.call"), rows.index.tolist(), format_func=option, key="call")
    agent = rows.at[call_id, "agent_id"]
    st.markdown(f"**{t('qa_eval.form_header', call_id=call_id, agent=agent, form=form.label)}**")
    answers: dict[str, object] = {}
    comments: dict[str, str] = {}
    with st.form("evaluation"):
        st.caption(t("qa_eval.form_caption", pass_score=form.pass_score))
        for section in form.sections:
            title = t.data_text("qa_section", section.id, section.title)
            st.markdown(f"##### {t('qa_eval.section', title=title, weight=section.weight)}")
            for item in section.items:
                label = t.data_text("qa_item", item.id, item.text)
                if item.critical:
                    label += f" :red[**{t('qa_eval.critical')}**]"
                    hint = t("qa_eval.critical_help")
                else:
                    hint = t("qa_eval.scale_help") if item.scale.startswith("1_5") else None
                left, right = st.columns([3, 1])
                answers[item.id] = left.radio(
                    label,
                    SCALES[item.scale],
                    index=None,
                    horizontal=True,
                    format_func=lambda v: t.term("answer", v),
                    help=hint,
                    key=f"answer:{call_id}:{item.id}",
                )
                comments[item.id] = right.text_input(
                    t("qa_eval.item_comment"), key=f"comment:{call_id}:{item.id}"
                )
        overall = st.text_area(t("qa_eval.comment"), key=f"comment:{call_id}")
        submitted = st.form_submit_button(
            t("qa_eval.submit"), type="primary", key="submit_evaluation"
        )
    if not submitted:
        return
    given = {item_id: value for item_id, value in answers.items() if value is not None}
    missing = unanswered(form, given)
    if missing:
        items = form.items()
        texts = [t.data_text("qa_item", i, items[i][1].text) for i in missing]
        listed = "\n".join(f"- {text}" for text in texts)
        st.error(t("qa_eval.missing", count=len(missing)) + "\n\n" + listed)
        return
    sheet = AnswerSheet(
        given,
        {item_id: text.strip() for item_id, text in comments.items() if text and text.strip()},
        (overall or "").strip() or None,
    )
    try:
        summary = evaluate(where.warehouse, ops, call_id, user.user_id, form, sheet)
    except (QAError, AnswerError, StoreError, FormError) as exc:
        st.error(t("qa_eval.refused", error=exc))
        return
    except duckdb.Error as exc:
        if not is_lock_error(exc):
            raise
        st.error(t("qa_eval.busy"))
        return
    st.session_state[RESULT_KEY] = summary
    st.rerun()


last = st.session_state.pop(RESULT_KEY, None)
if last is not None:
    _show_result(last)

waiting = queries.qa_open_evaluators(ops)
if auth.can(user.role, "view_all_worklists"):
    choices = list(dict.fromkeys([user.user_id, *waiting]))
    first = user.user_id if user.user_id in waiting or not waiting else waiting[0]
    evaluator = st.selectbox(
        t("qa_eval.evaluator"), choices, index=choices.index(first), key="evaluator"
    )
else:
    evaluator = user.user_id
open_calls = queries.qa_open_calls(where.warehouse, ops, evaluator)
st.metric(t("qa_eval.open_calls"), f"{len(open_calls):,}")

st.subheader(t("qa_eval.worklist", evaluator=evaluator))
if open_calls.empty:
    st.info(t("qa_eval.none_open", evaluator=evaluator))
    others = [e for e in waiting if e != evaluator]
    if others:
        st.caption(t("qa_eval.assigned_by_id", evaluators=", ".join(others)))
    else:
        st.caption(t("qa_eval.no_plans"))
else:
    reasons = (
        open_calls["reasons"]
        .fillna("")
        .map(lambda text: ", ".join(t.term("reason", r) for r in str(text).split(",") if r))
    )
    table(open_calls.drop(columns=["evaluator"]).assign(reasons=reasons), key="worklist")
    if not auth.can(user.role, "evaluate"):
        st.info(t("qa_eval.read_only"))
    elif evaluator != user.user_id:
        st.info(t("qa_eval.others_list", evaluator=evaluator, user=user.user_id))
    else:
        _evaluation_form(open_calls)

st.subheader(t("qa_eval.recent", evaluator=evaluator))
recent = queries.qa_recent_evaluations(ops, evaluator)
if recent.empty:
    st.caption(t("qa_eval.no_recent", evaluator=evaluator))
else:
    st.caption(t("qa_eval.recent_caption"))
    table(recent, key="recent")
