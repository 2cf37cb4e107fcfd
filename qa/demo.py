"""Demo evaluations: plausible answers generated from what a QA analyst could observe.

For the demo only (``callcenter qa score --simulate N``); every such evaluation is stored
with ``origin = 'demo_simulated'`` and a comment saying so. Nothing here reads the
engine's truth files: answers follow the recording signals and handle-time outliers the
warehouse holds for any site (silence, holds, overtalk, transfers, handle time against
its queue's median), an agent effect and an evaluator leniency, all drawn from the seed.

Model (a latent call quality q in [0, 1]):
q = 0.86 - 0.12 [long silence] - 0.08 [2+ holds] - 0.10 [handle > 1.5 x queue median]
    - 0.05 [transferred] - 0.08 [overtalk above the 90th percentile] + agent effect
    (N(0, 0.05), fixed per agent) + call noise (N(0, 0.05));
per call, a yes/no item is "yes" with probability q, a 1-5 item's base is
1 + 4 (q + N(0, 0.1)), an NA-able item did not arise with probability 0.15 and a critical
item is "no" with probability 0.01 + 0.05 (1 - q); each evaluator then flips a
non-critical yes/no with probability 0.06 and rates round(base + 4 leniency + N(0, 0.3)),
leniency ~ N(0, 0.04) fixed per evaluator.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from qa import calls, store
from qa.form import Form
from qa.service import AnswerSheet, QAError, call_context_from_row, evaluate

DEMO_COMMENT = "DEMO: simulated evaluation, answers generated from recording signals"


def _stable_seed(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def call_quality(signals: pd.DataFrame, seed: int) -> pd.Series:
    """The latent quality q of each call (module docstring), indexed like ``signals``."""
    handle = pd.to_numeric(signals["handle_s"], errors="coerce")
    median = handle.groupby(signals["queue"].fillna("")).transform("median")
    silence = pd.to_numeric(signals["silence_s"], errors="coerce")
    overtalk = pd.to_numeric(signals["overtalk_s"], errors="coerce")
    holds = pd.to_numeric(signals["hold_count"], errors="coerce").fillna(0)
    quality = (
        0.86
        - 0.12 * (silence > silence.quantile(0.9)).astype(float)
        - 0.08 * (holds >= 2).astype(float)
        - 0.10 * (handle > 1.5 * median).astype(float)
        - 0.05 * signals["transferred"].fillna(False).astype(bool).astype(float)
        - 0.08 * (overtalk > overtalk.quantile(0.9)).astype(float)
    )
    agent_effect = signals["agent_id"].map(
        lambda agent: np.random.default_rng(_stable_seed(seed, "agent", agent)).normal(0, 0.05)
    )
    call_noise = signals["call_id"].map(
        lambda call: np.random.default_rng(_stable_seed(seed, "call", call)).normal(0, 0.05)
    )
    return (quality + agent_effect + call_noise).clip(0.0, 1.0)


def simulated_answers(
    form: Form, call_id: str, quality: float, evaluator: str, seed: int
) -> dict[str, str]:
    """One evaluator's answers for a call of latent quality ``quality``.

    What happened on the call (NA or not, the yes/no facts, the rating's base) is drawn
    once per call; each evaluator then flips a yes/no answer with probability 0.06 and
    shifts ratings by a leniency of their own, as evaluators of one call disagree.
    """
    call_rng = np.random.default_rng(_stable_seed(seed, "call-facts", call_id))
    leniency = np.random.default_rng(_stable_seed(seed, "evaluator", evaluator)).normal(0, 0.04)
    rng = np.random.default_rng(_stable_seed(seed, "answers", call_id, evaluator))
    answers: dict[str, str] = {}
    for _, item in form.items().values():
        arises = not (item.allows_na and call_rng.random() < 0.15)
        if item.critical:
            fact = "no" if call_rng.random() < 0.01 + 0.05 * (1 - quality) else "yes"
        elif item.scale.startswith("yes_no"):
            fact = "yes" if call_rng.random() < quality else "no"
        else:
            fact = str(1 + 4 * (quality + call_rng.normal(0, 0.1)))
        if not arises:
            answers[item.id] = "na"
        elif item.scale.startswith("yes_no"):
            flip = not item.critical and rng.random() < 0.06
            answers[item.id] = {"yes": "no", "no": "yes"}[fact] if flip else fact
        else:
            rating = float(fact) + 4 * leniency + rng.normal(0, 0.3)
            answers[item.id] = str(int(np.clip(round(rating), 1, 5)))
    return answers


def simulate_evaluations(
    db: str | os.PathLike[str],
    ops_db: str | os.PathLike[str],
    count: int,
    seed: int,
    form: Form,
    *,
    calibration_session: str | None = None,
    evaluators: list[str] | None = None,
) -> dict[str, Any]:
    """Evaluate ``count`` open sampled calls with simulated answers (demo only).

    Without ``calibration_session``: each call by its assigned evaluator. With it: each
    call by every one of ``evaluators`` (default: every evaluator with open calls).
    """
    if count < 1:
        raise QAError(f"--simulate needs a count of at least 1, got {count}")
    open_calls = store.open_assignments(ops_db)
    if open_calls.empty:
        raise QAError("no sampled call is waiting for an evaluation; run `qa sample` first")
    panel = list(evaluators or sorted(set(open_calls["evaluator"])))
    open_calls = open_calls.drop_duplicates("call_id").head(count)
    signals = calls.calls_by_id(db, open_calls["call_id"].tolist())
    if signals.empty:
        raise QAError(f"none of the sampled calls is in the warehouse {db}")
    quality = call_quality(signals.reset_index(drop=True), seed)
    by_call = dict(zip(signals["call_id"], quality, strict=True))
    contexts = {
        context.call_id: context
        for context in (call_context_from_row(row) for _, row in signals.iterrows())
    }
    results = []
    with store.connection(ops_db) as con:
        for row in open_calls.itertuples(index=False):
            if row.call_id not in by_call:
                continue
            who = [row.evaluator] if calibration_session is None else panel
            for evaluator in who:
                answers = simulated_answers(
                    form, row.call_id, by_call[row.call_id], evaluator, seed
                )
                results.append(
                    evaluate(
                        db,
                        con,
                        row.call_id,
                        evaluator,
                        form,
                        AnswerSheet(answers, {}, DEMO_COMMENT),
                        calibration_session=calibration_session,
                        origin="demo_simulated",
                        call=contexts[row.call_id],
                    )
                )
    scores = [r["score"] for r in results]
    return {
        "evaluations": len(results),
        "calls": len({r["call_id"] for r in results}),
        "calibration_session": calibration_session,
        "mean_score": round(float(np.mean(scores)), 2) if scores else None,
        "critical_fails": sum(r["critical_failed"] for r in results),
        "passed": sum(r["passed"] for r in results),
        "origin": "demo_simulated",
        "evaluation_ids": [r["evaluation_id"] for r in results],
    }


#: What agents write when they dispute a demo evaluation (one drawn per dispute).
DISPUTE_REASONS = (
    "The hold was needed: the fare rules had to be checked with the ticketing desk.",
    "Identity was verified before the recording started (see the IVR log).",
    "The caller asked to be transferred; the transfer was not my choice.",
    "The long silence was the caller looking up their booking reference.",
    "The refund policy was explained; it is in the second half of the recording.",
)
COACHING_NOTE = "DEMO: coaching planned on a failed evaluation (simulated)"


def simulate_follow_up(
    ops_db: str | os.PathLike[str],
    evaluation_ids: list[str],
    seed: int,
    today: date,
    reviewers: list[str],
) -> dict[str, int]:
    """What happens after the demo's evaluations (demo only): agents acknowledge or dispute
    them, a reviewer resolves some disputes, and failed evaluations get coaching.

    For each of ``evaluation_ids`` that is demo-simulated, outside calibration and without
    a response yet (stable draws per evaluation id): an evaluation that failed is disputed
    with probability 0.35, one that passed with 0.04; otherwise it is acknowledged with
    probability 0.6 (the rest wait for the agent). Half the disputes are resolved by the
    first of ``reviewers`` who did not score the call: overturned with probability 0.3,
    else upheld. A failed evaluation that is not overturned gets a coaching session by its
    evaluator, 1-5 days after ``today``, follow-up 14 days after the session. Everything
    goes through the store functions the CLI and the dashboard use; returns the counts.
    """
    frame = store.evaluations(ops_db)
    frame = frame[
        frame["evaluation_id"].isin(evaluation_ids)
        & (frame["origin"] == "demo_simulated")
        & frame["calibration_session"].isna()
        & (frame["dispute_status"] == "none")
    ]
    counts = dict.fromkeys(
        ("acknowledged", "disputed", "upheld", "overturned", "coaching_sessions"), 0
    )
    with store.connection(ops_db) as con:  # one connection for all the writes
        for row in frame.itertuples(index=False):
            rng = np.random.default_rng(_stable_seed(seed, "follow-up", row.evaluation_id))
            failed = not bool(row.passed)
            outcome = "none"
            if rng.random() < (0.35 if failed else 0.04):
                reason = DISPUTE_REASONS[int(rng.integers(len(DISPUTE_REASONS)))]
                store.respond(con, row.evaluation_id, row.agent_id, "disputed", reason)
                counts["disputed"] += 1
                reviewer = next((r for r in reviewers if r != row.evaluator), None)
                if reviewer is not None and rng.random() < 0.5:
                    outcome = "overturned" if rng.random() < 0.3 else "upheld"
                    note = f"DEMO: reviewed against the recording ({outcome})"
                    store.resolve_dispute(con, row.evaluation_id, outcome, reviewer, note)
                    counts[outcome] += 1
            elif rng.random() < 0.6:
                store.respond(con, row.evaluation_id, row.agent_id, "acknowledged")
                counts["acknowledged"] += 1
            if failed and outcome != "overturned":
                session = today + timedelta(days=int(rng.integers(1, 6)))
                store.add_coaching(
                    con,
                    row.evaluation_id,
                    row.evaluator,
                    session,
                    notes=COACHING_NOTE,
                    follow_up_date=session + timedelta(days=14),
                )
                counts["coaching_sessions"] += 1
    return counts
