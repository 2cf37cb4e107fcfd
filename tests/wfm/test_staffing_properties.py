"""Properties of the staffing requirement (hypothesis): monotone where it must be.

Erlang A against Erlang C, with comparable definitions. At the same staffing Erlang A's
mean wait of ANSWERED calls is at most Erlang C's mean wait over ALL calls: abandons can
only move a caller up the queue sooner (a sample-path coupling with the same arrivals and
handle times), and conditioning on being answered before one's patience runs out only
removes long waits. Its occupancy A·(1 - P(abandon)) / n is at most A / n. So for an ASA
target and an occupancy cap, Erlang A never needs more agents than Erlang C.

That is NOT true for the service-level target as defined here: Erlang A counts an
abandon as a miss, so with impatient callers and a long target_s its service level is
capped near 1 - P(all agents busy), while Erlang C's tends to 1 (e.g. 10 Erlangs,
12 agents, patience 5 s, target 600 s: Erlang A 0.88, Erlang C 1.00). The test below
checks that counter-example instead of asserting a false ordering.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.erlang import erlang_a_metrics, erlang_c_metrics
from wfm.staffing import QueuePolicy, Shrinkage, StaffingConfig, requirements, staff_interval

INTERVAL_S = 1800.0
calls = st.floats(min_value=0.5, max_value=400)
aht = st.floats(min_value=30, max_value=900)
patience = st.floats(min_value=10, max_value=1000)
models = st.sampled_from(["erlang_a", "erlang_c"])
occupancy = st.floats(min_value=0.6, max_value=1.0)


def agents(calls: float, aht_s: float, policy: QueuePolicy, patience_s: float = 180) -> int:
    result = staff_interval(calls, aht_s, INTERVAL_S, policy, patience_s)
    assert not isinstance(result, str), result
    return result.agents


@settings(deadline=None, max_examples=40)
@given(calls, calls, aht, patience, models, occupancy)
def test_monotone_in_volume(calls_a, calls_b, aht_s, patience_s, model, cap):
    low, high = sorted((calls_a, calls_b))
    policy = QueuePolicy(model=model, max_occupancy=cap)
    assert agents(low, aht_s, policy, patience_s) <= agents(high, aht_s, policy, patience_s)


@settings(deadline=None, max_examples=40)
@given(
    calls,
    aht,
    patience,
    models,
    st.floats(min_value=0.05, max_value=0.99),
    st.floats(min_value=0.05, max_value=0.99),
    st.floats(min_value=0, max_value=120),
    st.floats(min_value=0, max_value=120),
)
def test_monotone_in_the_service_level_target(c, aht_s, patience_s, model, g1, g2, t1, t2):
    # A stricter target (higher goal, shorter threshold) never needs fewer agents.
    loose = QueuePolicy(model=model, service_level=min(g1, g2), target_s=max(t1, t2))
    strict = QueuePolicy(model=model, service_level=max(g1, g2), target_s=min(t1, t2))
    assert agents(c, aht_s, loose, patience_s) <= agents(c, aht_s, strict, patience_s)


@settings(deadline=None, max_examples=30)
@given(
    calls,
    aht,
    patience,
    st.floats(min_value=0.001, max_value=0.3),
    st.floats(min_value=0.001, max_value=0.3),
    st.floats(min_value=1, max_value=300),
    st.floats(min_value=1, max_value=300),
)
def test_monotone_in_abandon_and_asa_targets(c, aht_s, patience_s, r1, r2, a1, a2):
    for key, values in (("abandon_rate", (r1, r2)), ("asa_s", (a1, a2))):
        target = "abandon_rate" if key == "abandon_rate" else "asa"
        loose = QueuePolicy(target=target, **{key: max(values)})
        strict = QueuePolicy(target=target, **{key: min(values)})
        assert agents(c, aht_s, loose, patience_s) <= agents(c, aht_s, strict, patience_s)


@settings(deadline=None, max_examples=40)
@given(
    st.lists(calls, min_size=1, max_size=4),
    st.floats(min_value=0, max_value=0.6),
    st.floats(min_value=0, max_value=0.35),
    st.floats(min_value=0, max_value=0.6),
    st.floats(min_value=0, max_value=0.35),
)
def test_more_shrinkage_never_fewer_agents(volumes, p1, u1, p2, u2):
    ds = pd.date_range("2026-09-01 08:00", periods=len(volumes), freq="30min")
    forecast = pd.DataFrame({"queue": "q", "ds": ds, "calls": volumes, "aht_s": 200.0})
    low, high = sorted((p1 + u1, p2 + u2))
    frames = [
        requirements(
            forecast,
            StaffingConfig(defaults=QueuePolicy(shrinkage=Shrinkage(planned=s, unplanned=0))),
        )
        for s in (low, high)
    ]
    assert (frames[0]["agents_raw"] == frames[1]["agents_raw"]).all()
    assert (frames[0]["agents_required"] <= frames[1]["agents_required"]).all()
    assert (frames[1]["agents_required"] >= frames[1]["agents_raw"]).all()


@settings(deadline=None, max_examples=40)
@given(calls, aht, patience, st.floats(min_value=1, max_value=120), occupancy)
def test_erlang_a_needs_no_more_than_erlang_c_for_asa_targets(c, aht_s, patience_s, asa, cap):
    policy_a = QueuePolicy(model="erlang_a", target="asa", asa_s=asa, max_occupancy=cap)
    policy_c = dataclasses.replace(policy_a, model="erlang_c")
    n_a = agents(c, aht_s, policy_a, patience_s)
    n_c = agents(c, aht_s, policy_c)
    assert n_a <= n_c
    # and the definitions compared: at Erlang C's staffing, Erlang A is at least as good.
    rate = c / INTERVAL_S
    a = erlang_a_metrics(n_c, rate, aht_s, patience_s, 20)
    cm = erlang_c_metrics(n_c, rate, aht_s, 20)
    assert a.asa_s <= cm.asa_s * (1 + 1e-9)
    assert a.occupancy <= cm.occupancy * (1 + 1e-9)


def test_service_level_targets_are_not_comparable_between_a_and_c():
    rate = 10 / 180  # 10 Erlangs with AHT 180 s
    a = erlang_a_metrics(12, rate, 180, 5, 600)
    c = erlang_c_metrics(12, rate, 180, 600)
    assert c.service_level > 0.99
    assert a.service_level < 0.9
    policy_a = QueuePolicy(model="erlang_a", service_level=0.95, target_s=600, max_occupancy=1)
    policy_c = dataclasses.replace(policy_a, model="erlang_c")
    assert agents(10 * 10, 180, policy_a, 5) > agents(10 * 10, 180, policy_c)
