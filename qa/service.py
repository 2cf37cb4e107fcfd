"""QA's units of work over the warehouse (read-only) and the operational store.

Each function reads what it needs from the published warehouse through
``warehouse.connect.read_only``, runs the pure core (``qa.sampling``, ``qa.scoring``)
and writes one transaction to the store (``qa.store``).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from qa import calls, store
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
