"""Sampling plans: which recorded calls QA evaluates in a period, and who evaluates them.

``draw_sample(candidates, per_agent, evaluators, seed, ...)`` on a frame of candidate
calls (``qa.calls.CANDIDATE_COLUMNS``):

1. **Excluded**: calls already sampled by an earlier plan (``exclude``) never come back.
2. **Weight** of a call, towards calls worth a look: ``base`` plus a boost per signal
   (``SamplingWeights``): long handle time (above the ``long_handle_quantile`` of its
   queue among the candidates), a repeat call within 7 days (the caller called again),
   the complaints queue, a transfer, long silence (above the ``long_silence_quantile``
   of all candidates) and many holds (``hold_count >= many_holds_count``).
3. **Quota**: ``per_agent`` calls per agent (all of an agent's calls when fewer).
4. **Stratified by queue**: an agent's quota is split over the queues the agent answered
   in proportion to the agent's calls there (largest-remainder / Hamilton rounding);
   a queue with too few calls passes its shortfall to the others.
5. **Weighted draw without replacement** inside a stratum: Efraimidis & Spirakis (2006),
   "Weighted random sampling with a reservoir", Inf. Proc. Letters 97(5): key
   u^(1/w) with u ~ U(0, 1), take the largest keys; P(drawn first) = w / sum(w).
6. **Assignment**: sampled calls, ordered by agent, are dealt to the evaluators in a
   seeded order, round-robin, so workloads differ by at most one call and an agent's
   calls are spread across evaluators.

The same candidates, settings and seed always give the same sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

REASONS = ("long_handle", "repeat_call", "complaints", "transfer", "long_silence", "many_holds")


@dataclass(frozen=True)
class SamplingWeights:
    """How much each signal raises a call's weight (the base is every call's weight)."""

    base: float = 1.0
    long_handle: float = 2.0
    repeat_call: float = 2.0
    complaints: float = 2.0
    transfer: float = 1.0
    long_silence: float = 1.0
    many_holds: float = 1.0
    long_handle_quantile: float = 0.9
    long_silence_quantile: float = 0.9
    many_holds_count: int = 2
    complaint_queues: tuple[str, ...] = field(default=("complaints",))

    def __post_init__(self) -> None:
        for name in REASONS:
            if getattr(self, name) < 0:
                raise ValueError(f"sampling weight {name} must be >= 0")
        if self.base <= 0:
            raise ValueError("sampling weight base must be greater than 0")
        for name in ("long_handle_quantile", "long_silence_quantile"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be between 0 and 1")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class SampledCall:
    call_id: str
    agent_id: str
    queue: str | None
    evaluator: str
    weight: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    calls: tuple[SampledCall, ...]
    candidates: int  # candidate calls after exclusion
    agents: int
    shortfall: dict[str, int]  # agent -> calls missing to reach the quota

    def workload(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for call in self.calls:
            counts[call.evaluator] = counts.get(call.evaluator, 0) + 1
        return counts


def _flags(candidates: pd.DataFrame, weights: SamplingWeights) -> pd.DataFrame:
    """One boolean column per reason."""
    handle = pd.to_numeric(candidates["handle_s"], errors="coerce")
    per_queue_cut = handle.groupby(candidates["queue"].fillna("")).transform(
        lambda s: s.quantile(weights.long_handle_quantile) if s.notna().any() else np.inf
    )
    silence = pd.to_numeric(candidates["silence_s"], errors="coerce")
    silence_cut = silence.quantile(weights.long_silence_quantile) if silence.notna().any() else 0
    holds = pd.to_numeric(candidates["hold_count"], errors="coerce").fillna(0)
    return pd.DataFrame(
        {
            "long_handle": (handle > per_queue_cut).fillna(False).astype(bool),
            "repeat_call": candidates["repeat_call"].fillna(False).astype(bool),
            "complaints": candidates["queue"].isin(weights.complaint_queues),
            "transfer": candidates["transferred"].fillna(False).astype(bool),
            "long_silence": (silence > silence_cut).fillna(False).astype(bool),
            "many_holds": holds >= weights.many_holds_count,
        },
        index=candidates.index,
    )


def call_weights(candidates: pd.DataFrame, weights: SamplingWeights) -> pd.DataFrame:
    """``weight`` and ``reasons`` (comma-separated signals) per candidate call."""
    flags = _flags(candidates, weights)
    weight = pd.Series(weights.base, index=candidates.index, dtype=float)
    for reason in REASONS:
        weight += flags[reason].astype(float) * float(getattr(weights, reason))
    tagged = pd.DataFrame({r: flags[r].map({True: r + ",", False: ""}) for r in REASONS})
    reasons = tagged.sum(axis=1).astype(str).str.rstrip(",")
    return pd.DataFrame({"weight": weight, "reasons": reasons}, index=candidates.index)


def hamilton(quota: int, sizes: Sequence[int]) -> list[int]:
    """Split ``quota`` over strata in proportion to ``sizes`` (largest remainder), capped.

    A stratum never gets more than its size; what a capped stratum cannot take goes to
    the others, again by largest remainder. The result sums to min(quota, sum(sizes)).
    """
    sizes = list(sizes)
    allocation = [0] * len(sizes)
    remaining = min(quota, sum(sizes))
    while remaining > 0:
        open_strata = [i for i, size in enumerate(sizes) if allocation[i] < size]
        total = sum(sizes[i] for i in open_strata)
        shares = {i: remaining * sizes[i] / total for i in open_strata}
        given = 0
        for i in open_strata:
            take = min(int(shares[i]), sizes[i] - allocation[i])
            allocation[i] += take
            given += take
        left = remaining - given
        by_remainder = sorted(open_strata, key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in by_remainder:
            if left == 0:
                break
            if allocation[i] < sizes[i]:
                allocation[i] += 1
                left -= 1
        remaining = min(quota, sum(sizes)) - sum(allocation)
    return allocation


def draw_sample(
    candidates: pd.DataFrame,
    per_agent: int,
    evaluators: Sequence[str],
    seed: int,
    *,
    exclude: Iterable[str] = (),
    weights: SamplingWeights | None = None,
) -> Sample:
    """Draw ``per_agent`` calls per agent and assign them to ``evaluators`` (module docstring)."""
    if per_agent < 1:
        raise ValueError(f"calls per agent must be at least 1, got {per_agent}")
    evaluators = list(dict.fromkeys(e.strip() for e in evaluators if e.strip()))
    if not evaluators:
        raise ValueError("give at least one evaluator")
    weights = weights or SamplingWeights()
    excluded = set(exclude)
    pool = (
        candidates.loc[~candidates["call_id"].isin(excluded)]
        .drop_duplicates("call_id")
        .sort_values(["agent_id", "call_id"])
        .reset_index(drop=True)
    )
    rng = np.random.default_rng(seed)
    if pool.empty:
        return Sample((), 0, 0, {})
    scored = pool.join(call_weights(pool, weights))
    # Efraimidis-Spirakis key, drawn once per call in a fixed order (reproducible).
    uniform = 1.0 - rng.random(len(scored))  # in (0, 1]
    scored["key"] = np.log(uniform) / scored["weight"].to_numpy()  # log of u^(1/w)
    scored["stratum"] = scored["queue"].fillna("")
    sizes = scored.groupby(["agent_id", "stratum"], sort=True).size()
    allocation: dict[tuple[str, str], int] = {}
    shortfall: dict[str, int] = {}
    for agent_id, strata in sizes.groupby(level="agent_id", sort=True):
        takes = hamilton(per_agent, strata.tolist())
        allocation.update(zip(strata.index, takes, strict=True))
        if per_agent > sum(takes):
            shortfall[str(agent_id)] = per_agent - sum(takes)
    scored = scored.sort_values(["agent_id", "stratum", "key"], ascending=[True, True, False])
    rank = scored.groupby(["agent_id", "stratum"], sort=False).cumcount()
    quota = pd.Series(
        [allocation[key] for key in zip(scored["agent_id"], scored["stratum"], strict=True)],
        index=scored.index,
    )
    chosen = scored.loc[rank < quota]
    picked = chosen.sort_values(["agent_id", "key"], ascending=[True, False])
    order = [evaluators[i] for i in rng.permutation(len(evaluators))]
    calls = tuple(
        SampledCall(
            call_id=str(row.call_id),
            agent_id=str(row.agent_id),
            queue=None if pd.isna(row.queue) else str(row.queue),
            evaluator=order[position % len(order)],
            weight=float(row.weight),
            reasons=tuple(r for r in str(row.reasons).split(",") if r),
        )
        for position, row in enumerate(picked.itertuples(index=False))
    )
    return Sample(calls, len(pool), int(pool["agent_id"].nunique()), shortfall)
