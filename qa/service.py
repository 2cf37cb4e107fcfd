"""QA's units of work over the warehouse (read-only) and the operational store.

Each function reads what it needs from the published warehouse through
``warehouse.connect.read_only``, runs the pure core (``qa.sampling``, ``qa.scoring``,
``qa.calibration``) and writes one transaction to the store (``qa.store``).

Calibration in detail (``calibration_results``; the whole-score agreement and bias are
``qa.calibration.calibrate``'s). Only calls scored by at least two evaluators of the
session count, as in ``calibrate``:

- **deviation** of an evaluator, overall or in one section: the mean, over the calls
  they scored, of (their score - the session mean of that call, i.e. the mean score of
  every evaluator of the call); positive = more lenient than the session. A section all
  NA for an evaluator drops out of that section.
- **spread** of a section: the mean, over calls, of (highest - lowest) section score the
  evaluators gave the call, in points; **alpha**: Krippendorff's alpha (interval) of the
  section scores (calls x evaluators), None where undefined (fewer than two pairable
  scores, or all equal).
- **agreement** of an item (question): the share of calls on which every evaluator
  gave the same answer (``na`` counts as an answer); **alpha**: Krippendorff's alpha of
  the answers, nominal for yes/no items (``na`` a value of its own), interval for 1-5
  ratings (``na`` missing); None where undefined (e.g. every answer the same).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qa import calls, store
from qa.calibration import CalibrationReport, calibrate, evaluator_bias, krippendorff_alpha
from qa.form import Form
from qa.sampling import SamplingWeights, draw_sample
from qa.scoring import Evaluation, score


class QAError(ValueError):
    """A request QA refuses (unknown call, bad answers file, ...), meant for a person."""


def plan_period(
    db: str | os.PathLike[str],
    ops_db: str | os.PathLike[str],
    period_start: date,
    per_agent: int,
    evaluators: list[str],
    seed: int,
    *,
    days: int = 7,
    weights: SamplingWeights | None = None,
) -> dict[str, Any]:
    """Draw and store the sampling plan for ``days`` local days from ``period_start``."""
    if days < 1:
        raise QAError(f"a plan covers at least one day, got {days}")
    weights = weights or SamplingWeights()
    period_end = period_start + timedelta(days=days)
    candidates = calls.candidate_calls(db, period_start, period_end)
    if candidates.empty:
        raise QAError(
            f"no answered, recorded calls in the warehouse {db} from {period_start} "
            f"to {period_end} (local time)"
        )
    already = store.sampled_call_ids(ops_db)
    sample = draw_sample(candidates, per_agent, evaluators, seed, exclude=already, weights=weights)
    if not sample.calls:
        raise QAError(
            f"every candidate call from {period_start} to {period_end} was sampled by an "
            "earlier plan"
        )
    plan = store.PlanInfo(
        plan_id=f"QP-{period_start:%Y%m%d}-{days}d",
        period_start=period_start,
        period_end=period_end,
        per_agent=per_agent,
        seed=seed,
        evaluators=tuple(dict.fromkeys(evaluators)),
        settings=weights.to_dict(),
    )
    store.save_plan(ops_db, plan, sample, candidates)
    reasons: dict[str, int] = {}
    for call in sample.calls:
        for reason in call.reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
    queues: dict[str, int] = {}
    for call in sample.calls:
        queues[call.queue or ""] = queues.get(call.queue or "", 0) + 1
    return {
        "plan_id": plan.plan_id,
        "period_start": str(period_start),
        "period_end": str(period_end),
        "per_agent": per_agent,
        "seed": seed,
        "candidates": sample.candidates,
        "excluded_earlier": int(candidates["call_id"].isin(already).sum()),
        "agents": sample.agents,
        "sampled": len(sample.calls),
        "agents_short": len(sample.shortfall),
        "calls_short": sum(sample.shortfall.values()),
        "workload": sample.workload(),
        "by_queue": dict(sorted(queues.items())),
        "by_reason": dict(sorted(reasons.items())),
    }


def call_context(db: str | os.PathLike[str], call_id: str) -> store.CallContext:
    """The call as the warehouse knows it; ``QAError`` when it is not there."""
    found = calls.calls_by_id(db, [call_id])
    if found.empty:
        raise QAError(
            f"call {call_id} is not an answered, recorded call in the warehouse {db}; "
            "only calls the warehouse knows can be evaluated"
        )
    return call_context_from_row(found.iloc[0])


def call_context_from_row(row: pd.Series) -> store.CallContext:
    """A ``CallContext`` from a row of ``qa.calls.calls_by_id``."""
    return store.CallContext(
        call_id=str(row["call_id"]),
        agent_id=str(row["agent_id"]),
        queue=None if pd.isna(row["queue"]) else str(row["queue"]),
        call_time_local=None
        if pd.isna(row["call_time_local"])
        else pd.Timestamp(row["call_time_local"]).to_pydatetime(),
        recording_id=None if pd.isna(row["recording_id"]) else str(row["recording_id"]),
    )


@dataclass(frozen=True)
class AnswerSheet:
    """An evaluator's answers file: item answers, per-item comments, an overall comment."""

    answers: dict[str, object]
    comments: dict[str, str]
    comment: str | None


def read_answer_sheet(path: str | os.PathLike[str]) -> AnswerSheet:
    """Read answers from TOML or JSON: ``[answers]`` item = answer, ``[comments]``, ``comment``.

    A file with only item = answer pairs at the top level is accepted too.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QAError(f"answers file {path}: cannot parse it: {exc}") from None
    if not isinstance(data, dict):
        raise QAError(f"answers file {path}: expected a table of item = answer")
    if "answers" in data:
        answers = data["answers"]
        comments = data.get("comments", {})
        comment = data.get("comment")
        unknown = set(data) - {"answers", "comments", "comment"}
        if unknown:
            raise QAError(f"answers file {path}: unknown key(s) {', '.join(sorted(unknown))}")
    else:
        answers, comments, comment = data, {}, None
    if not isinstance(answers, dict) or not isinstance(comments, dict):
        raise QAError(f"answers file {path}: answers and comments must be tables")
    if comment is not None and not isinstance(comment, str):
        raise QAError(f"answers file {path}: comment must be text")
    return AnswerSheet(dict(answers), {k: str(v) for k, v in comments.items()}, comment)


def evaluate(
    db: str | os.PathLike[str],
    ops_db: store.Store,
    call_id: str,
    evaluator: str,
    form: Form,
    sheet: AnswerSheet,
    *,
    off_sample: bool = False,
    calibration_session: str | None = None,
    origin: str = "manual",
    evaluated_at: datetime | None = None,
    call: store.CallContext | None = None,
) -> dict[str, Any]:
    """Score ``sheet`` on ``form`` for a warehouse call and store it (one transaction).

    ``call``: the call as already read from the warehouse ``db`` (saves a lookup).
    """
    if call is None or call.call_id != call_id:
        call = call_context(db, call_id)
    evaluation = score(form, sheet.answers, sheet.comments)
    new_id = store.submit_evaluation(
        ops_db,
        form,
        evaluation,
        call,
        evaluator,
        comment=sheet.comment,
        off_sample=off_sample,
        calibration_session=calibration_session,
        origin=origin,
        evaluated_at=evaluated_at,
    )
    return evaluation_summary(new_id, call, evaluator, evaluation, origin)


def evaluation_summary(
    evaluation_id: str,
    call: store.CallContext,
    evaluator: str,
    evaluation: Evaluation,
    origin: str,
) -> dict[str, Any]:
    return {
        "evaluation_id": evaluation_id,
        "call_id": call.call_id,
        "agent_id": call.agent_id,
        "queue": call.queue,
        "evaluator": evaluator,
        "form": f"{evaluation.form_id} v{evaluation.form_version}",
        "score": round(evaluation.score, 2),
        "raw_score": round(evaluation.raw_score, 2),
        "critical_failed": evaluation.critical_failed,
        "critical_failures": list(evaluation.critical_failures),
        "passed": evaluation.passed,
        "origin": origin,
        "sections": {
            s.section_id: None if s.score is None else round(s.score, 2)
            for s in evaluation.sections
        },
    }


def unanswered(form: Form, answers: dict[str, object]) -> list[str]:
    """The items of ``form`` without an answer in ``answers`` (None or blank counts as
    none), in form order: what ``qa.scoring.score`` would refuse as missing."""
    return [
        item_id
        for item_id in form.items()
        if answers.get(item_id) is None or str(answers.get(item_id)).strip() == ""
    ]


# ---------------------------------------------------------------------------- calibration

SECTION_AGREEMENT_FIELDS = [
    "section_id", "section_title", "section_weight", "calls", "evaluators", "mean_score",
    "spread", "alpha",
]  # fmt: skip
ITEM_AGREEMENT_FIELDS = ["section_id", "item_id", "calls", "evaluators", "agreement", "alpha"]
EVALUATOR_FIELDS = [
    "evaluator", "calls", "mean_score", "bias", "mean_abs_difference", "deviation",
]  # fmt: skip
SECTION_DEVIATION_FIELDS = ["evaluator", "section_id", "section_title", "calls", "deviation"]


@dataclass(frozen=True)
class CalibrationResults:
    """A calibration session in detail (module docstring): the whole-score report of
    ``qa.calibration.calibrate``, then per evaluator, section and item."""

    session: str
    report: CalibrationReport
    evaluators: pd.DataFrame  # EVALUATOR_FIELDS: calibrate's bias, and the deviation
    sections: pd.DataFrame  # SECTION_AGREEMENT_FIELDS, in form order
    items: pd.DataFrame  # ITEM_AGREEMENT_FIELDS, in form order
    section_deviations: pd.DataFrame  # SECTION_DEVIATION_FIELDS


def _shared(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Rows of calls that at least two evaluators gave a (non-missing) ``value``."""
    rated = frame.dropna(subset=[value])
    keep = rated.groupby("call_id")["evaluator"].transform("nunique") >= 2
    return rated.loc[keep]


def _alpha(frame: pd.DataFrame, value: str, metric: str) -> float | None:
    if frame.empty:
        return None
    wide = frame.pivot_table(index="evaluator", columns="call_id", values=value, aggfunc="first")
    alpha = krippendorff_alpha(wide.to_numpy(dtype=float), metric)
    return None if np.isnan(alpha) else alpha


def _deviation(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean of (score - the call's mean score) per ``keys`` (evaluator[, section])."""
    group = ["call_id", *[k for k in keys if k != "evaluator"]]
    centred = frame.assign(
        deviation=frame["score"] - frame.groupby(group)["score"].transform("mean")
    )
    return (
        centred.groupby(keys, sort=True)
        .agg(calls=("call_id", "nunique"), deviation=("deviation", "mean"))
        .reset_index()
    )


def calibration_detail(
    session: str, scores: pd.DataFrame, sections: pd.DataFrame, answers: pd.DataFrame
) -> CalibrationResults:
    """The session's results (module docstring) from its evaluations (``call_id``,
    ``evaluator``, ``score``), section scores (``qa.store.calibration_sections``) and
    answers (``qa.store.calibration_answers``)."""
    report = calibrate(scores)
    shared_scores = _shared(scores, "score")
    bias = evaluator_bias(scores)
    overall = _deviation(shared_scores, ["evaluator"])[["evaluator", "deviation"]]
    evaluators = bias.merge(overall, on="evaluator", how="left").loc[:, EVALUATOR_FIELDS]

    order = {sid: i for i, sid in enumerate(dict.fromkeys(sections["section_id"]))}
    section_rows = []
    deviations = []
    for section_id, rows in sections.groupby("section_id", sort=False):
        shared = _shared(rows, "score")
        per_call = shared.groupby("call_id")["score"]
        section_rows.append(
            {
                "section_id": section_id,
                "section_title": rows["section_title"].iloc[0],
                "section_weight": float(rows["section_weight"].iloc[0]),
                "calls": int(shared["call_id"].nunique()),
                "evaluators": int(shared["evaluator"].nunique()),
                "mean_score": float(shared["score"].mean()) if len(shared) else None,
                "spread": float((per_call.max() - per_call.min()).mean()) if len(shared) else None,
                "alpha": _alpha(shared, "score", "interval"),
            }
        )
        if len(shared):
            deviations.append(_deviation(shared, ["evaluator", "section_id"]))
    section_frame = pd.DataFrame(section_rows, columns=SECTION_AGREEMENT_FIELDS)
    section_frame = section_frame.sort_values(
        "section_id", key=lambda s: s.map(order), kind="stable"
    ).reset_index(drop=True)
    titles = dict(zip(section_frame["section_id"], section_frame["section_title"], strict=True))
    section_deviations = (
        pd.concat(deviations, ignore_index=True)
        if deviations
        else pd.DataFrame(columns=["evaluator", "section_id", "calls", "deviation"])
    )
    section_deviations["section_title"] = section_deviations["section_id"].map(titles)
    section_deviations = section_deviations.sort_values(
        ["evaluator", "section_id"],
        key=lambda s: s.map(order) if s.name == "section_id" else s,
        kind="stable",
    ).reset_index(drop=True)[SECTION_DEVIATION_FIELDS]

    item_rows = []
    for item_id, rows in answers.groupby("item_id", sort=False):
        shared = _shared(rows, "answer")
        rating = rows["answer"].str.fullmatch(r"[1-5]").any()
        if rating:
            values, metric = shared.assign(v=pd.to_numeric(shared["item_value"])), "interval"
        else:
            codes = {"yes": 1.0, "no": 0.0, "na": 2.0}
            values, metric = shared.assign(v=shared["answer"].map(codes)), "nominal"
        same = shared.groupby("call_id")["answer"].nunique() == 1
        item_rows.append(
            {
                "section_id": rows["section_id"].iloc[0],
                "item_id": item_id,
                "calls": int(shared["call_id"].nunique()),
                "evaluators": int(shared["evaluator"].nunique()),
                "agreement": float(same.mean()) if len(same) else None,
                "alpha": _alpha(values.dropna(subset=["v"]), "v", metric),
            }
        )
    items = pd.DataFrame(item_rows, columns=ITEM_AGREEMENT_FIELDS)
    return CalibrationResults(session, report, evaluators, section_frame, items, section_deviations)


def calibration_results(
    ops_db: str | os.PathLike[str], session: str, form: Form | None = None
) -> CalibrationResults:
    """A calibration session's results from the store (``QAError`` when it has none).

    ``form``: the form whose order the sections and items follow (default: the order
    they are stored in).
    """
    scores = store.evaluations(ops_db)
    scores = scores.loc[scores["calibration_session"] == session]
    if scores.empty:
        raise QAError(f"no evaluations in calibration session {session!r}")
    sections = store.calibration_sections(ops_db, session)
    answers = store.calibration_answers(ops_db, session)
    if form is not None:
        section_rank = {s.id: i for i, s in enumerate(form.sections)}
        item_rank = {item_id: i for i, item_id in enumerate(form.items())}
        sections = sections.sort_values(
            "section_id", key=lambda s: s.map(section_rank), kind="stable"
        )
        answers = answers.sort_values("item_id", key=lambda s: s.map(item_rank), kind="stable")
    return calibration_detail(session, scores, sections, answers)
