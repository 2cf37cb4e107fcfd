"""What the QA dashboard pages need from qa/: an evaluator's work list, the unanswered
items of a form, and a calibration session in detail (per evaluator, section, item)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from qa import service, store
from qa.form import form_from_dict, load_form
from qa.sampling import Sample, SampledCall
from qa.scoring import score
from qa.store import CallContext

FORM = load_form()
PERFECT = {
    item.id: "5" if item.scale.startswith("1_5") else "yes" for _, item in FORM.items().values()
}


def _call(n: int) -> CallContext:
    return CallContext(f"1790000000.{n}", f"A100{n}", "booking", datetime(2026, 10, 5, 9, n), None)


def _plan(ops, assignments: dict[int, str]) -> None:
    calls = tuple(
        SampledCall(_call(n).call_id, _call(n).agent_id, "booking", who, 1.0, ("transfer",))
        for n, who in assignments.items()
    )
    evaluators = tuple(dict.fromkeys(assignments.values()))
    plan = store.PlanInfo("QP-1", date(2026, 10, 5), date(2026, 10, 12), 1, 7, evaluators, {})
    details = pd.DataFrame(
        {
            "call_id": [c.call_id for c in calls],
            "call_time_local": [_call(n).call_time_local for n in assignments],
            "recording_id": [None] * len(calls),
        }
    )
    store.save_plan(ops, plan, Sample(calls, len(calls), len(calls), {}), details)


def _submit(ops, call: CallContext, evaluator: str, answers=PERFECT, session=None) -> str:
    return store.submit_evaluation(
        ops, FORM, score(FORM, answers), call, evaluator, calibration_session=session
    )


def test_an_evaluators_work_list_holds_their_open_calls_only(tmp_path):
    ops = tmp_path / "ops.duckdb"
    assert store.open_assignments(ops, evaluator="e1").empty  # no store yet
    _plan(ops, {1: "e1", 2: "e2", 3: "e1"})
    mine = store.open_assignments(ops, evaluator="e1")
    assert mine["call_id"].tolist() == [_call(1).call_id, _call(3).call_id]
    assert list(mine.columns) == store.OPEN_ASSIGNMENT_FIELDS
    assert set(mine["reasons"]) == {"transfer"}
    _submit(ops, _call(1), "e2")  # someone else's evaluation does not close e1's call
    assert len(store.open_assignments(ops, evaluator="e1")) == 2
    _submit(ops, _call(1), "e1")
    assert store.open_assignments(ops, evaluator="e1")["call_id"].tolist() == [_call(3).call_id]
    assert len(store.open_assignments(ops)) == 2  # e1's call 3, e2's call 2
    assert store.open_assignments(ops, evaluator="nobody").empty


def test_unanswered_names_the_items_without_an_answer_in_form_order():
    assert service.unanswered(FORM, PERFECT) == []
    partial = PERFECT | {"courtesy": None, "notes_recorded": " "}
    del partial["standard_opening"]
    assert service.unanswered(FORM, partial) == ["standard_opening", "courtesy", "notes_recorded"]


# A two-section form, so every number below is worked out by hand.
TINY = form_from_dict(
    {
        "form_id": "tiny",
        "version": 1,
        "pass_score": 50,
        "sections": [
            {
                "id": "a",
                "title": "A",
                "weight": 50,
                "items": [{"id": "x", "scale": "yes_no"}, {"id": "y", "scale": "1_5_na"}],
            },
            {"id": "b", "title": "B", "weight": 50, "items": [{"id": "z", "scale": "yes_no"}]},
        ],
    }
)


def _session(ops) -> None:
    """Calls 1 and 2 scored by e1, e2, e3 in session "s"; call 3 by e1 alone."""
    panel = {
        # call: evaluator -> answers x, y, z
        1: {"e1": ("yes", "5", "yes"), "e2": ("yes", "3", "yes"), "e3": ("no", "5", "yes")},
        2: {"e1": ("yes", "1", "no"), "e2": ("yes", "na", "no"), "e3": ("yes", "1", "yes")},
        3: {"e1": ("yes", "5", "yes")},
    }
    for n, sheets in panel.items():
        for evaluator, (x, y, z) in sheets.items():
            evaluation = score(TINY, {"x": x, "y": y, "z": z})
            store.submit_evaluation(
                ops, TINY, evaluation, _call(n), evaluator, calibration_session="s"
            )


def test_the_store_lists_sessions_and_reads_their_sections_and_answers(tmp_path):
    ops = tmp_path / "ops.duckdb"
    assert store.calibration_sessions(ops) == []
    _session(ops)
    _submit(ops, _call(4), "e1", session="other")
    assert store.calibration_sessions(ops) == ["other", "s"]
    sections = store.calibration_sections(ops, "s")
    assert list(sections.columns) == store.CALIBRATION_SECTION_FIELDS
    assert len(sections) == 7 * 2  # seven evaluations, two sections each
    answers = store.calibration_answers(ops, "s")
    assert list(answers.columns) == store.CALIBRATION_ANSWER_FIELDS
    assert len(answers) == 7 * 3
    assert store.calibration_answers(ops, "nothing").empty


def test_calibration_results_by_evaluator_section_and_item(tmp_path):
    ops = tmp_path / "ops.duckdb"
    _session(ops)
    results = service.calibration_results(ops, "s", TINY)
    # Scores (section a: x weight 1, y weight 1; b: z; overall = (a + b) / 2):
    #   call 1: e1 a 100 b 100 -> 100; e2 a (1 + .5) / 2 = 75 -> 87.5; e3 a 50 -> 75
    #   call 2: e1 a 50 b 0 -> 25; e2 a 100 (y na) b 0 -> 50; e3 a 50 b 100 -> 75
    # session means: call 1 87.5, call 2 50 (call 3 has one evaluator: left out)
    assert results.report.calls == 2 and results.report.evaluators == 3
    evaluators = results.evaluators.set_index("evaluator")
    assert evaluators.loc["e1", "deviation"] == pytest.approx(((100 - 87.5) + (25 - 50)) / 2)
    assert evaluators.loc["e2", "deviation"] == pytest.approx(0.0)
    assert evaluators.loc["e3", "deviation"] == pytest.approx(((75 - 87.5) + (75 - 50)) / 2)
    # the module's bias is against the mean of the *other* evaluators
    assert evaluators.loc["e1", "bias"] == pytest.approx(((100 - 81.25) + (25 - 62.5)) / 2)

    sections = results.sections.set_index("section_id")
    assert sections.index.tolist() == ["a", "b"]
    # section a: call 1 scores 100, 75, 50 (range 50); call 2 50, 100, 50 (range 50)
    assert sections.loc["a", "spread"] == pytest.approx(50.0)
    assert sections.loc["a", "mean_score"] == pytest.approx((100 + 75 + 50 + 50 + 100 + 50) / 6)
    # section b: call 1 all 100 (range 0), call 2 0, 0, 100 (range 100)
    assert sections.loc["b", "spread"] == pytest.approx(50.0)
    assert sections.loc["a", "calls"] == 2 and sections.loc["a", "evaluators"] == 3
    deviations = results.section_deviations.set_index(["evaluator", "section_id"])
    assert deviations.loc[("e3", "b"), "deviation"] == pytest.approx(
        ((100 - 100) + (100 - 100 / 3)) / 2
    )
    assert deviations.loc[("e1", "a"), "deviation"] == pytest.approx(
        ((100 - 75) + (50 - 200 / 3)) / 2
    )

    items = results.items.set_index("item_id")
    assert items.index.tolist() == ["x", "y", "z"]
    # x: call 1 yes, yes, no (differ), call 2 all yes -> agreement 1/2
    assert items.loc["x", "agreement"] == pytest.approx(0.5)
    # y: call 1 5, 3, 5; call 2 1, na, 1 -> both differ (na is an answer)
    assert items.loc["y", "agreement"] == pytest.approx(0.0)
    assert items.loc["z", "agreement"] == pytest.approx(0.5)
    for item_id in ("x", "y", "z"):
        alpha = items.loc[item_id, "alpha"]
        assert pd.isna(alpha) or -1.0 <= alpha <= 1.0


def test_item_alpha_is_one_on_full_agreement_and_undefined_without_variation(tmp_path):
    scores = pd.DataFrame(
        {"call_id": ["c1", "c1", "c2", "c2"], "evaluator": ["e1", "e2"] * 2, "score": [1.0] * 4}
    )
    sections = pd.DataFrame(columns=store.CALIBRATION_SECTION_FIELDS)
    answers = pd.DataFrame(
        {
            "evaluation_id": ["1", "2", "3", "4"] * 2,
            "call_id": ["c1", "c1", "c2", "c2"] * 2,
            "evaluator": ["e1", "e2"] * 4,
            "section_id": ["a"] * 8,
            "item_id": ["same"] * 4 + ["agreed"] * 4,
            "answer": ["yes"] * 4 + ["yes", "yes", "no", "no"],
            "item_value": [1.0] * 4 + [1.0, 1.0, 0.0, 0.0],
        }
    )
    items = service.calibration_detail("t", scores, sections, answers).items.set_index("item_id")
    assert items.loc["same", "agreement"] == 1.0 and pd.isna(items.loc["same", "alpha"])
    assert items.loc["agreed", "agreement"] == 1.0
    assert items.loc["agreed", "alpha"] == pytest.approx(1.0)


def test_an_unknown_session_is_refused(tmp_path):
    ops = tmp_path / "ops.duckdb"
    _session(ops)
    with pytest.raises(service.QAError, match="no evaluations in calibration session 'x'"):
        service.calibration_results(ops, "x")
