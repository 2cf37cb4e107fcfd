"""Sampling plans: quotas, no call twice, reproducible, balanced workloads, weighting."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.calls import CANDIDATE_COLUMNS
from qa.sampling import SamplingWeights, call_weights, draw_sample, hamilton

QUEUES = ["booking", "change_refund", "complaints", "general"]


def candidates_frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "queue": "booking",
        "call_time_local": pd.Timestamp("2026-10-05 10:00"),
        "recording_id": "R",
        "transferred": False,
        "handle_s": 300.0,
        "talk_s": 250,
        "hold_s": 0.0,
        "silence_s": 10.0,
        "hold_count": 0,
        "overtalk_s": 1.0,
        "talk_ratio": 0.5,
        "repeat_call": False,
    }
    return pd.DataFrame([base | row for row in rows], columns=list(CANDIDATE_COLUMNS))


@st.composite
def candidate_sets(draw):
    agents = draw(st.integers(1, 6))
    rows = []
    for agent in range(agents):
        for call in range(draw(st.integers(0, 12))):
            rows.append(
                {
                    "call_id": f"{agent}.{call}",
                    "agent_id": f"A{agent}",
                    "queue": draw(st.sampled_from(QUEUES)),
                    "transferred": draw(st.booleans()),
                    "handle_s": float(draw(st.integers(30, 2000))),
                    "silence_s": float(draw(st.integers(0, 120))),
                    "hold_count": draw(st.integers(0, 4)),
                    "repeat_call": draw(st.booleans()),
                }
            )
    return candidates_frame(rows)


@settings(max_examples=40, deadline=None)
@given(
    candidate_sets(),
    st.integers(1, 5),
    st.lists(st.sampled_from(["e1", "e2", "e3", "e4"]), min_size=1, max_size=4, unique=True),
    st.integers(0, 2**32 - 1),
    st.sets(st.integers(0, 80)),
)
def test_sampling_properties(candidates, per_agent, evaluators, seed, excluded_numbers):
    if candidates.empty:
        return
    exclude = {candidates["call_id"].iloc[n % len(candidates)] for n in excluded_numbers}
    sample = draw_sample(candidates, per_agent, evaluators, seed, exclude=exclude)
    ids = [call.call_id for call in sample.calls]
    # Never the same call twice, never one sampled by an earlier plan.
    assert len(ids) == len(set(ids))
    assert not set(ids) & exclude
    # The quota is met whenever the agent has enough calls, else every call is taken.
    available = candidates.loc[~candidates["call_id"].isin(exclude)].groupby("agent_id").size()
    taken = pd.Series([c.agent_id for c in sample.calls]).value_counts()
    for agent, count in available.items():
        assert taken.get(agent, 0) == min(per_agent, count)
        assert sample.shortfall.get(agent, 0) == max(0, per_agent - count)
    # Each call is the agent's own.
    owner = dict(zip(candidates["call_id"], candidates["agent_id"], strict=True))
    assert all(owner[c.call_id] == c.agent_id for c in sample.calls)
    # Workloads differ by at most one call.
    if sample.calls:
        load = [sample.workload().get(e, 0) for e in evaluators]
        assert max(load) - min(load) <= 1
    # Reproducible with the seed, whatever the row order.
    shuffled = candidates.sample(frac=1.0, random_state=1)
    again = draw_sample(shuffled, per_agent, evaluators, seed, exclude=exclude)
    assert again == sample


@pytest.mark.parametrize(
    ("quota", "sizes", "expected"),
    [
        # shares 3, 1.5, 0.5: floors 3, 1, 0; one left for the tied remainders (lower index)
        (5, [6, 3, 1], [3, 2, 0]),
        (4, [1, 10], [0, 4]),  # shares 0.36, 3.64
        (5, [1, 100], [0, 5]),
        (10, [2, 2], [2, 2]),  # capped: everything
        (3, [1, 1, 10], [0, 0, 3]),  # shares 0.25, 0.25, 2.5
        (6, [1, 5, 5], [0, 3, 3]),  # 0.545, 2.727, 2.727 -> 0, 2, 2; two left: .727 and .727
    ],
)
def test_hamilton_allocation(quota, sizes, expected):
    assert hamilton(quota, sizes) == expected


def test_an_agents_quota_is_split_over_queues_in_proportion():
    rows = [{"call_id": f"b{i}", "agent_id": "A", "queue": "booking"} for i in range(10)]
    rows += [{"call_id": f"c{i}", "agent_id": "A", "queue": "change_refund"} for i in range(10)]
    sample = draw_sample(candidates_frame(rows), 4, ["e1"], seed=3)
    queues = pd.Series([c.queue for c in sample.calls]).value_counts().to_dict()
    assert queues == {"booking": 2, "change_refund": 2}


def test_weights_follow_the_signals():
    rows = [
        {"call_id": "plain", "agent_id": "A"},
        {"call_id": "transfer", "agent_id": "A", "transferred": True},
        {"call_id": "repeat", "agent_id": "A", "repeat_call": True},
        {"call_id": "complaint", "agent_id": "A", "queue": "complaints"},
        {"call_id": "holds", "agent_id": "A", "hold_count": 3},
    ]
    weights = call_weights(candidates_frame(rows), SamplingWeights())
    by_call = dict(zip([r["call_id"] for r in rows], weights["weight"], strict=True))
    assert by_call == {"plain": 1, "transfer": 2, "repeat": 3, "complaint": 3, "holds": 2}
    assert list(weights["reasons"])[1:] == ["transfer", "repeat_call", "complaints", "many_holds"]


def test_flagged_calls_are_drawn_in_proportion_to_their_weight():
    # 400 agents with two transferred (weight 4) and two plain calls (weight 1), one call
    # each: Efraimidis-Spirakis draws a transferred one with P = 2*4 / (2*4 + 2*1) = 0.8.
    rows = [
        {"call_id": f"{a}.{i}", "agent_id": f"A{a:03d}", "transferred": i < 2}
        for a in range(400)
        for i in range(4)
    ]
    weights = SamplingWeights(transfer=3.0)
    sample = draw_sample(candidates_frame(rows), 1, ["e1", "e2"], seed=11, weights=weights)
    share = sum(c.reasons == ("transfer",) for c in sample.calls) / len(sample.calls)
    assert share == pytest.approx(0.8, abs=0.06)  # 3 standard deviations: sqrt(.16/400) = .02


def test_bad_settings_are_refused():
    frame = candidates_frame([{"call_id": "x", "agent_id": "A"}])
    with pytest.raises(ValueError, match="at least 1"):
        draw_sample(frame, 0, ["e1"], 1)
    with pytest.raises(ValueError, match="at least one evaluator"):
        draw_sample(frame, 1, [" "], 1)
    with pytest.raises(ValueError, match="base"):
        SamplingWeights(base=0)
