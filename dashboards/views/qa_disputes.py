"""QA: the agents' disputes of evaluations, and coaching sessions on findings.

What ``callcenter qa dispute ...`` and ``callcenter qa coach ...`` do, in the browser.
Reads come from the operational store (``dashboards.queries.qa_disputes``,
``qa_coaching``, ``qa_coachable_evaluations``: shown at once, before the next warehouse
build); writes go through the store functions the CLI uses: ``qa.store.resolve_dispute``
(under the logged-in user's id, for roles that may ``resolve_disputes``),
``qa.store.add_coaching`` and ``qa.store.complete_coaching`` (roles that may
``evaluate``). The page needs only the operational store, not the warehouse.
"""

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from dashboards import auth, queries
from dashboards.settings import data_paths
from dashboards.views._common import csv_download, require, table, translator
from qa.form import load_form
from qa.store import DISPUTE_STATUSES, StoreError, add_coaching, complete_coaching
from qa.store import resolve_dispute as store_resolve_dispute
from warehouse.connect import is_lock_error

RESULT_KEY = "qa_disputes_result"  # the last write's message, shown after the rerun
WRITTEN: list[object] = []  # the last successful write's result

user = require("qa_disputes")
t = translator()
st.header(t("page.qa_disputes"))
ops = data_paths().operational
if not ops.is_file():
    st.info(t("qa_disputes.no_store", path=ops))
    st.stop()
today = date.today()
questions = {item_id: item.text for item_id, (_, item) in load_form().items().items()}


def _question(item_id: object) -> str | None:
    if item_id is None or pd.isna(item_id):
        return None
    return t.data_text("qa_item", item_id, questions.get(str(item_id), str(item_id)))


def _write(action: Callable[[], object]) -> bool:
    """Run ``action`` (one store write, ``WRITTEN[0]`` its result); a refusal or a busy
    store is a message on the page and False."""
    try:
        WRITTEN[:] = [action()]
    except StoreError as exc:
        st.error(t("qa_disputes.refused", error=exc))
    except duckdb.Error as exc:
        if not is_lock_error(exc):
            raise
        st.error(t("qa_disputes.busy"))
    else:
        return True
    return False


def _done(message: str, *clear: str) -> None:
    """Keep ``message`` for the next run, forget the ``clear``ed inputs, rerun."""
    st.session_state[RESULT_KEY] = message
    for key in clear:
        st.session_state.pop(key, None)
    st.rerun()


last = st.session_state.pop(RESULT_KEY, None)
if last is not None:
    st.success(last)

every_dispute = queries.qa_disputes(ops)
every_session = queries.qa_coaching(ops, today)
agents_known = sorted(set(every_dispute["agent_id"]) | set(every_session["agent_id"]))
chosen_agents = st.multiselect(t("filter.agents_all"), agents_known, default=[], key="agents")
agents = chosen_agents or None

# ---------------------------------------------------------------- disputes

st.subheader(t("qa_disputes.disputes"))
# The store is read once per run; the filters only narrow what was read (order kept).
disputes = every_dispute.loc[every_dispute["agent_id"].isin(agents or agents_known)]
counts = disputes["status"].value_counts()
tiles = st.columns(4)
labels = {
    "open": t("qa_disputes.open"),
    "upheld": t("qa_disputes.upheld"),
    "overturned": t("qa_disputes.overturned"),
    "acknowledged": t("qa_disputes.acknowledged"),
}
for column, (status, label) in zip(tiles, labels.items(), strict=True):
    column.metric(label, f"{int(counts.get(status, 0)):,}")
st.caption(t("qa_disputes.caption"))
if every_dispute.empty:
    st.info(t("qa_disputes.none"))
else:
    statuses = st.multiselect(
        t("qa_disputes.statuses"),
        list(DISPUTE_STATUSES),
        default=[],
        format_func=lambda s: t.term("dispute_status", s),
        key="statuses",
    )
    shown = disputes.loc[disputes["status"].isin(statuses or DISPUTE_STATUSES)]
    if shown.empty:
        st.info(t("qa_disputes.none_match"))
    else:
        table(shown, key="disputes", terms={"status": "dispute_status"})
        csv_download(shown, "qa_disputes")

st.markdown(f"##### {t('qa_disputes.resolve')}")
open_disputes = disputes.loc[disputes["status"] == "open"].set_index("evaluation_id", drop=False)
if not auth.can(user.role, "resolve_disputes"):
    st.info(t("qa_disputes.read_only"))
elif open_disputes.empty:
    st.caption(t("qa_disputes.no_open"))
else:
    evaluation_id = st.selectbox(
        t("qa_disputes.dispute"),
        open_disputes.index.tolist(),
        format_func=lambda e: f"{e} · {open_disputes.at[e, 'agent_id']}",
        key="dispute",
    )
    row = open_disputes.loc[evaluation_id]
    st.markdown(
        t(
            "qa_disputes.dispute_detail",
            agent=row["agent_id"],
            evaluation_id=evaluation_id,
            call_id=row["call_id"],
            score=float(row["qa_score"]),
            evaluator=row["evaluator"],
            reason=row["reason"],
        )
    )
    if row["evaluator"] == user.user_id:
        st.warning(t("qa_disputes.own_evaluation"))
    note_key = f"resolution_note:{evaluation_id}"
    with st.form("resolve"):
        resolution = st.radio(
            t("qa_disputes.resolution"),
            ["upheld", "overturned"],
            format_func=lambda s: t.term("dispute_status", s),
            horizontal=True,
            key=f"resolution:{evaluation_id}",
        )
        note = st.text_area(t("qa_disputes.note"), key=note_key)
        submitted = st.form_submit_button(t("qa_disputes.submit"), type="primary", key="resolve")
    if submitted:
        if not (note or "").strip():
            st.error(t("qa_disputes.note_missing"))
        elif _write(
            lambda: store_resolve_dispute(
                ops, evaluation_id, resolution, user.user_id, note.strip()
            )
        ):
            # the result as the store now has it
            stored = queries.qa_disputes(ops).set_index("evaluation_id").loc[evaluation_id]
            message = t(
                "qa_disputes.resolved",
                evaluation_id=evaluation_id,
                agent=stored["agent_id"],
                status=t.term("dispute_status", stored["status"]),
                by=stored["resolved_by"],
            )
            if stored["status"] == "overturned":
                message += " " + t("qa_disputes.resolved_overturned")
            _done(message, note_key)

# ---------------------------------------------------------------- coaching

st.subheader(t("qa_disputes.coaching"))
sessions = every_session.loc[every_session["agent_id"].isin(agents or agents_known)]
planned = sessions.loc[sessions["status"] != "done"]
overdue = int(sessions["overdue"].sum())
tiles = st.columns(3)
tiles[0].metric(t("qa_disputes.planned"), f"{len(planned):,}")
tiles[1].metric(t("qa_disputes.overdue"), f"{overdue:,}")
tiles[2].metric(t("qa_disputes.done"), f"{len(sessions) - len(planned):,}")
st.caption(t("qa_disputes.coaching_caption"))
if overdue:
    st.warning(t("qa_disputes.overdue_warning", count=overdue, today=today))
if sessions.empty:
    st.info(t("qa_disputes.no_coaching"))
else:
    listed = sessions.assign(finding=sessions["item_id"].map(_question)).drop(columns="item_id")
    table(
        listed[
            ["coaching_id", "agent_id", "coach", "evaluation_id", "finding", "session_date",
             "follow_up_date", "status", "overdue", "notes"]
        ],
        key="coaching",
        terms={"status": "coaching_status"},
    )  # fmt: skip
    csv_download(sessions, "qa_coaching")

may_coach = auth.can(user.role, "evaluate")
if not planned.empty and may_coach:
    st.markdown(f"##### {t('qa_disputes.mark_done')}")
    held = planned.set_index("coaching_id", drop=False)
    coaching_id = st.selectbox(
        t("qa_disputes.session"),
        held.index.tolist(),
        format_func=lambda c: (
            f"{c} · {held.at[c, 'agent_id']} · {held.at[c, 'session_date']}"
            + (" · ⚠" if held.at[c, "overdue"] else "")
        ),
        key="coaching_pick",
    )
    done = st.button(t("qa_disputes.done_submit"), key="coaching_done")
    if done and _write(lambda: complete_coaching(ops, coaching_id)):
        _done(t("qa_disputes.marked_done", coaching_id=coaching_id))

st.markdown(f"##### {t('qa_disputes.new_session')}")
evaluations = queries.qa_coachable_evaluations(ops)
if not may_coach:
    st.info(t("qa_disputes.coach_read_only"))
elif evaluations.empty:
    st.caption(t("qa_disputes.no_evaluations"))
else:
    left, middle, right = st.columns(3)
    coachable = sorted(evaluations["agent_id"].unique())
    agent = left.selectbox(t("qa_disputes.agent"), coachable, key="coach_agent")
    own = evaluations.loc[evaluations["agent_id"] == agent].set_index("evaluation_id", drop=False)
    evaluation_id = middle.selectbox(
        t("qa_disputes.evaluation"),
        own.index.tolist(),
        format_func=lambda e: (
            f"{e} · {own.at[e, 'qa_score']:.1f} · {own.at[e, 'evaluated_at']:%Y-%m-%d}"
        ),
        key="coach_evaluation",
    )
    findings = queries.qa_evaluation_findings(ops, evaluation_id).set_index("item_id")
    item_id = right.selectbox(
        t("qa_disputes.finding"),
        [None, *findings.index.tolist()],
        format_func=lambda i: (
            t("qa_disputes.whole_evaluation")
            if i is None
            else f"{_question(i)} · {t.term('answer', findings.at[i, 'answer'])}"
        ),
        key=f"coach_item:{evaluation_id}",
    )
    with st.form("coaching_form"):
        coach = st.text_input(t("qa_disputes.coach"), value=user.user_id, key="coach_name")
        first, second = st.columns(2)
        session_date = first.date_input(
            t("qa_disputes.session_date"), value=today, key="coach_date"
        )
        follow_up = second.date_input(t("qa_disputes.follow_up"), value=None, key="coach_follow_up")
        notes = st.text_area(t("qa_disputes.notes"), key="coach_notes")
        submitted = st.form_submit_button(
            t("qa_disputes.coach_submit"), type="primary", key="coach_submit"
        )
    if submitted:
        if not (coach or "").strip():
            st.error(t("qa_disputes.coach_missing"))
        elif _write(
            lambda: add_coaching(
                ops,
                evaluation_id,
                coach.strip(),
                session_date,
                item_id=item_id,
                notes=(notes or "").strip() or None,
                follow_up_date=follow_up,
            )
        ):
            message = t(
                "qa_disputes.coaching_saved",
                coaching_id=WRITTEN[0],
                agent=agent,
                evaluation_id=evaluation_id,
            )
            _done(message, "coach_notes", "coach_follow_up")
