"""The operational store: round trip, refusals, one transaction per submission."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pandas as pd
import pytest

from qa import store
from qa.form import form_from_dict, load_form
from qa.sampling import Sample, SampledCall
from qa.scoring import score
from qa.store import CallContext, StoreError

FORM = load_form()
PERFECT = {
    item.id: "5" if item.scale.startswith("1_5") else "yes" for _, item in FORM.items().values()
}
CALL = CallContext("1790000000.1", "A1001", "booking", datetime(2026, 10, 5, 9, 30), "R1")
OTHER_CALL = CallContext("1790000000.2", "A1002", "general", datetime(2026, 10, 6, 11, 0), "R2")


def counts(ops_db) -> dict[str, int]:
    with duckdb.connect(str(ops_db), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
            for table in ("qa_evaluations", "qa_evaluation_sections", "qa_evaluation_answers")
        }


def submit(ops_db, answers=PERFECT, call=CALL, evaluator="e1", **options):
    return store.submit_evaluation(
        ops_db, FORM, score(FORM, answers), call, evaluator, **({"off_sample": True} | options)
    )


def test_an_evaluation_round_trips_with_its_sections_and_answers(tmp_path):
    ops = tmp_path / "ops.duckdb"
    answers = PERFECT | {"ancillaries_offered": "no", "contact_confirmed": "na"}
    when = datetime(2026, 10, 7, 8, 15, tzinfo=UTC)
    evaluation_id = submit(ops, answers, comment="good call", evaluated_at=when)
    row = store.evaluation_row(ops, evaluation_id)
    # offer: (0 * 1 + 1 * 1) / 2 = 50 -> overall 100 - 10 * 0.5 = 95
    assert row["score"] == pytest.approx(95.0) and row["passed"]
    assert row["agent_id"] == "A1001" and row["evaluator"] == "e1"
    assert (row["form_id"], row["form_version"]) == ("airline", 1)
    assert row["evaluated_epoch_s"] == when.timestamp()
    assert row["in_sample"] is False or not row["in_sample"]
    assert row["comment"] == "good call" and row["origin"] == "manual"
    assert row["dispute_status"] == "none"
    stored = store.answers(ops, evaluation_id).set_index("item_id")
    assert len(stored) == len(FORM.items())
    assert stored.loc["ancillaries_offered", "answer"] == "no"
    assert pd.isna(stored.loc["contact_confirmed", "item_value"])
    assert counts(ops) == {
        "qa_evaluations": 1,
        "qa_evaluation_sections": 7,
        "qa_evaluation_answers": 19,
    }
    assert store.stored_form(ops, "airline", 1) == FORM


def test_a_duplicate_submission_is_refused_and_changes_nothing(tmp_path):
    ops = tmp_path / "ops.duckdb"
    first = submit(ops)
    before = counts(ops)
    with pytest.raises(StoreError, match=f"e1 already evaluated call {CALL.call_id}.*{first}"):
        submit(ops, PERFECT | {"courtesy": 1})
    assert counts(ops) == before
    # Another evaluator may score the same call (calibration).
    submit(ops, evaluator="e2")
    assert counts(ops)["qa_evaluations"] == 2


def test_a_failure_midway_leaves_nothing_half_written(tmp_path):
    ops = tmp_path / "ops.duckdb"
    store.ensure_store(ops)
    doomed = store.evaluation_id("e1", CALL.call_id, FORM.form_id, FORM.version)
    with duckdb.connect(str(ops)) as con:  # a stray answer row: the last insert will clash
        con.execute(
            "insert into qa_evaluation_answers values (?, 'greeting', 'courtesy', 'yes', 1, 1, "
            "false, null)",
            [doomed],
        )
    with pytest.raises(duckdb.ConstraintException):
        submit(ops)
    assert counts(ops) == {
        "qa_evaluations": 0,
        "qa_evaluation_sections": 0,
        "qa_evaluation_answers": 1,
    }
    with duckdb.connect(str(ops), read_only=True) as con:
        assert con.execute("select count(*) from qa_forms").fetchall()[0][0] == 0


def test_off_sample_needs_the_flag_and_is_flagged(tmp_path):
    ops = tmp_path / "ops.duckdb"
    with pytest.raises(StoreError, match="not in any sample plan; pass --off-sample"):
        submit(ops, off_sample=False)
    assert counts(ops)["qa_evaluations"] == 0
    plan = store.PlanInfo("QP-1", date(2026, 10, 5), date(2026, 10, 12), 1, 7, ("e1",), {})
    sample = Sample(
        (SampledCall(CALL.call_id, "A1001", "booking", "e1", 2.0, ("transfer",)),), 5, 1, {}
    )
    details = pd.DataFrame(
        {
            "call_id": [CALL.call_id],
            "call_time_local": [CALL.call_time_local],
            "recording_id": ["R1"],
        }
    )
    store.save_plan(ops, plan, sample, details)
    assert store.sampled_call_ids(ops) == {CALL.call_id}
    assert store.sample_assignment(ops, CALL.call_id) == {"plan_id": "QP-1", "evaluator": "e1"}
    assert len(store.open_assignments(ops)) == 1
    in_sample = submit(ops, off_sample=False)
    assert store.evaluation_row(ops, in_sample)["in_sample"]
    assert store.evaluation_row(ops, in_sample)["plan_id"] == "QP-1"
    assert store.open_assignments(ops).empty
    off = submit(ops, call=OTHER_CALL, off_sample=True)
    assert not store.evaluation_row(ops, off)["in_sample"]
    with pytest.raises(StoreError, match="already exists \\(QP-1\\); one plan per period"):
        store.save_plan(ops, plan, sample, details)


def test_a_changed_form_under_the_same_version_is_refused(tmp_path):
    ops = tmp_path / "ops.duckdb"
    submit(ops)
    changed = FORM.to_dict() | {"pass_score": 90}
    with pytest.raises(StoreError, match="already registered with a different definition"):
        store.register_form(ops, form_from_dict(changed))


def test_acknowledge_dispute_and_resolution(tmp_path):
    ops = tmp_path / "ops.duckdb"
    first, second = submit(ops), submit(ops, call=OTHER_CALL)
    with pytest.raises(StoreError, match="is of agent A1001, not A9"):
        store.respond(ops, first, "A9", "acknowledged")
    with pytest.raises(StoreError, match="needs a reason"):
        store.respond(ops, first, "A1001", "disputed", " ")
    assert store.respond(ops, first, "A1001", "disputed", "the caller was verified") == "open"
    with pytest.raises(StoreError, match="already disputed"):
        store.respond(ops, first, "A1001", "acknowledged")
    assert store.respond(ops, second, "A1002", "acknowledged") == "acknowledged"
    with pytest.raises(StoreError, match="no open dispute \\(acknowledged\\)"):
        store.resolve_dispute(ops, second, "upheld", "lead")
    assert store.resolve_dispute(ops, first, "overturned", "lead", "recording cut") == "overturned"
    assert store.evaluation_row(ops, first)["dispute_status"] == "overturned"
    table = store.disputes(ops).set_index("evaluation_id")
    assert table.loc[first, "resolved_by"] == "lead"
    with pytest.raises(StoreError, match="no evaluation EV-nope"):
        store.respond(ops, "EV-nope", "A1", "acknowledged")


def test_coaching_on_a_finding(tmp_path):
    ops = tmp_path / "ops.duckdb"
    evaluation_id = submit(ops, PERFECT | {"summary_given": "no"})
    with pytest.raises(StoreError, match="has no item 'nope'"):
        store.add_coaching(ops, evaluation_id, "lead", date(2026, 10, 8), item_id="nope")
    with pytest.raises(StoreError, match="before the session"):
        store.add_coaching(
            ops, evaluation_id, "lead", date(2026, 10, 8), follow_up_date=date(2026, 10, 1)
        )
    coaching_id = store.add_coaching(
        ops,
        evaluation_id,
        "lead",
        date(2026, 10, 8),
        item_id="summary_given",
        notes="close with a summary",
        follow_up_date=date(2026, 10, 22),
    )
    store.complete_coaching(ops, coaching_id)
    row = store.coaching(ops).iloc[0]
    assert (row["agent_id"], row["item_id"], row["status"]) == ("A1001", "summary_given", "done")
    assert str(row["follow_up_date"])[:10] == "2026-10-22"
    with pytest.raises(StoreError, match="no coaching session"):
        store.complete_coaching(ops, "CO-nope")
