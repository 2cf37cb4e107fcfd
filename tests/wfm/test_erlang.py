"""Erlang B, C and A against published values, closed forms and independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm
from scipy.stats import poisson

from wfm.erlang import (
    agents_for_service_level,
    asa_s,
    erlang_a_agents_for_service_level,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    lines_for_blocking,
    occupancy,
    service_level,
)

# --- Erlang B -------------------------------------------------------------------------


def test_erlang_b_table_value():
    # Any Erlang B table (e.g. ITU-T E.520-style traffic tables): 10 Erl on 15 lines -> 0.0365.
    assert erlang_b(10, 15) == pytest.approx(0.0365, abs=5e-5)


def test_erlang_b_small_case_is_exact():
    # Erlang's formula by hand: B(2, 3) = (8/6) / (1 + 2 + 4/2 + 8/6) = 4/19 = 0.2105.
    assert erlang_b(2, 3) == pytest.approx(4 / 19, rel=1e-14)


def test_lines_for_blocking_matches_erlang_com_manual():
    # erlang.com calculator manual, "How much traffic can a trunk group handle?": 15 lines at
    # 1% blocking carry at most 8.108 Erlangs.
    assert erlang_b(8.108, 15) == pytest.approx(0.01, abs=1e-5)
    assert lines_for_blocking(8.108, 0.01) == 15
    assert erlang_b(8.108, 14) > 0.01


def test_erlang_b_matches_poisson_ratio_for_large_loads():
    # Independent form: B(A, n) = P(X = n) / P(X <= n) for X ~ Poisson(A).
    for offered, lines in [(500.0, 480), (2000.0, 2050), (5000.0, 5100)]:
        expected = poisson.pmf(lines, offered) / poisson.cdf(lines, offered)
        assert erlang_b(offered, lines) == pytest.approx(expected, rel=1e-9)


def test_zero_load_needs_one_line():
    assert erlang_b(0, 1) == 0
    assert lines_for_blocking(0, 0.01) == 1


# --- Erlang C -------------------------------------------------------------------------

CCH_RATE = 100 / 1800  # Call Centre Helper example: 100 calls per 30 min, AHT 180 s -> 10 Erl


def test_call_centre_helper_worked_example():
    # callcentrehelper.com, "Erlang C Formula - Made Simple With an Easy Worked Example":
    # 100 calls / 30 min, AHT 180 s, 80% in 20 s, max occupancy 85%. With 11 agents
    # P(wait) = 68.21% and service level 39.0%; 14 agents are the first to reach 80%.
    assert erlang_c(10, 11) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(11, CCH_RATE, 180, 20) == pytest.approx(0.390, abs=5e-4)
    assert agents_for_service_level(CCH_RATE, 180, 20, 0.8, max_occupancy=0.85) == 14
    assert service_level(13, CCH_RATE, 180, 20) < 0.8 <= service_level(14, CCH_RATE, 180, 20)


def test_asa_matches_abstract_micro_erlcwait4():
    # Abstract Micro Systems, Erlang Library for Excel, ErlcWait4 help page: 20 agents,
    # 100 calls per 1800 s, AHT 240 s -> 2.243505841 s; AHT 300 s -> 30.4312286 s.
    assert asa_s(20, CCH_RATE, 240) == pytest.approx(2.243505841, rel=1e-8)
    assert asa_s(20, CCH_RATE, 300) == pytest.approx(30.4312286, rel=1e-7)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9])
def test_erlang_c_single_and_two_agent_closed_forms(rho):
    # Gross et al., Fundamentals of Queueing Theory, ch. 2: M/M/1 has P(wait) = rho,
    # Wq = rho / (mu - lambda) and P(Wq <= t) = 1 - rho e^{-(mu - lambda) t};
    # M/M/2 has P(wait) = 2 rho^2 / (1 + rho) with rho = A / 2.
    aht = 120.0
    rate = rho / aht
    assert erlang_c(rho, 1) == pytest.approx(rho, rel=1e-14)
    assert asa_s(1, rate, aht) == pytest.approx(rho / (1 / aht - rate), rel=1e-12)
    expected_sl = 1 - rho * math.exp(-(1 / aht - rate) * 30)
    assert service_level(1, rate, aht, 30) == pytest.approx(expected_sl, rel=1e-12)
    assert erlang_c(2 * rho, 2) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-12)


def test_erlang_c_matches_poisson_form_for_large_loads():
    # Independent form: with p = P(X = n), F = P(X <= n - 1), X ~ Poisson(A),
    # C = p·n/(n - A) / (F + p·n/(n - A)).
    for offered, agents in [(480.0, 500), (1950.0, 2000), (5000.0, 5001), (5000.0, 5200)]:
        tail = poisson.pmf(agents, offered) * agents / (agents - offered)
        expected = tail / (poisson.cdf(agents - 1, offered) + tail)
        assert erlang_c(offered, agents) == pytest.approx(expected, rel=1e-9)


def test_erlang_c_when_agents_cannot_carry_the_load():
    assert erlang_c(10, 10) == 1.0
    assert service_level(9, CCH_RATE, 180, 20) == 0.0
    assert asa_s(10, CCH_RATE, 180) == math.inf
    assert occupancy(8, CCH_RATE, 180) == pytest.approx(1.25)


def test_max_occupancy_can_bind():
    # 10 Erl: 10/16 = 0.625 > 0.6 >= 10/17, although 14 agents already meet 80/20.
    assert agents_for_service_level(CCH_RATE, 180, 20, 0.8, max_occupancy=0.6) == 17


def test_zero_calls_needs_one_agent():
    assert agents_for_service_level(0, 180, 20, 0.8) == 1
    assert erlang_a_agents_for_service_level(0, 180, 60, 20, 0.8) == 1
    m = erlang_a_metrics(3, 0, 180, 60, 20)
    assert (m.p_wait, m.p_abandon, m.service_level, m.asa_s, m.occupancy) == (0, 0, 1, 0, 0)


def test_erlang_c_metrics_bundle():
    m = erlang_c_metrics(14, CCH_RATE, 180, 20)
    assert m.agents == 14
    assert m.p_wait == erlang_c(10, 14)
    assert m.service_level == service_level(14, CCH_RATE, 180, 20)
    assert m.asa_s == asa_s(14, CCH_RATE, 180)
    assert m.occupancy == pytest.approx(10 / 14)


# --- Erlang A: independent brute force ------------------------------------------------


def brute_force_erlang_a(
    agents: int, arrival_rate_per_s: float, aht_s: float, patience_s: float, target_s: float
) -> dict[str, float]:
    """Erlang A without the closed forms: a linear solve for the stationary law of the
    truncated chain, then the tagged arrival's own CTMC (calls ahead, answered, abandoned)
    solved with a matrix exponential and the fundamental matrix."""
    mu, theta = 1 / aht_s, 1 / patience_s
    states = agents + 200
    k = np.arange(1, states + 1)
    deaths = np.minimum(k, agents) * mu + np.maximum(k - agents, 0) * theta
    generator = np.diag(np.full(states, arrival_rate_per_s), 1) + np.diag(deaths, -1)
    generator -= np.diag(generator.sum(axis=1))
    balance = np.vstack([generator.T, np.ones(states + 1)])
    rhs = np.zeros(states + 2)
    rhs[-1] = 1
    pi = np.linalg.lstsq(balance, rhs, rcond=None)[0]
    assert pi[-1] < 1e-15  # the truncation is harmless

    ahead = states + 1 - agents  # transient states j = calls ahead; then answered, abandoned
    answered_state, abandoned_state = ahead, ahead + 1
    tagged = np.zeros((ahead + 2, ahead + 2))
    for j in range(ahead):
        move = agents * mu + j * theta
        tagged[j, j - 1 if j else answered_state] = move
        tagged[j, abandoned_state] = theta
        tagged[j, j] = -(move + theta)
    answered_by_target = expm(tagged * target_s)[:ahead, answered_state]
    waiting = -tagged[:ahead, :ahead]
    p_answered = np.linalg.solve(waiting, tagged[:ahead, answered_state])
    wait_and_answered = np.linalg.solve(waiting, p_answered)  # E[W; answered | j]

    free, queued = pi[:agents].sum(), pi[agents:]
    answered = free + queued @ p_answered
    within = free + queued @ answered_by_target
    return {
        "p_wait": queued.sum(),
        "p_abandon": queued @ (1 - p_answered),
        "service_level": within,
        "service_level_answered": within / answered,
        "asa_s": queued @ wait_and_answered / answered,
        # Throughput form (carried load / n), not the E[min(k, n)] / n the code uses.
        "occupancy": arrival_rate_per_s * answered * aht_s / agents,
    }


@pytest.mark.parametrize(
    ("agents", "arrival_rate_per_s", "aht_s", "patience_s", "target_s"),
    [
        (5, 4 / 60, 60, 30, 20),  # 4 Erl, impatient callers
        (10, 0.06, 180, 120, 20),  # 10.8 Erl on 10 agents: overloaded, abandons keep it stable
        (3, 0.05, 100, 20, 15),  # heavily overloaded
        (12, CCH_RATE, 180, 600, 20),  # patient callers
        (8, 0.1, 100, 50, 0),  # target 0: answered at once
        (1, 0.01, 60, 300, 30),  # a single agent
    ],
)
def test_erlang_a_matches_brute_force(agents, arrival_rate_per_s, aht_s, patience_s, target_s):
    got = erlang_a_metrics(agents, arrival_rate_per_s, aht_s, patience_s, target_s)
    expected = brute_force_erlang_a(agents, arrival_rate_per_s, aht_s, patience_s, target_s)
    for name, value in expected.items():
        assert getattr(got, name) == pytest.approx(value, rel=1e-9, abs=1e-12), name


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    a = erlang_a_metrics(14, CCH_RATE, 180, 1e9, 20)
    c = erlang_c_metrics(14, CCH_RATE, 180, 20)
    assert a.p_abandon < 1e-7
    for name in ("p_wait", "service_level", "occupancy"):
        assert getattr(a, name) == pytest.approx(getattr(c, name), abs=1e-6), name
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-5)


def test_erlang_a_tends_to_erlang_b_as_patience_vanishes():
    # Callers who will not wait at all make M/M/n+M an M/M/n/n loss system.
    a = erlang_a_metrics(14, CCH_RATE, 180, 1e-6, 20)
    assert a.p_wait == pytest.approx(erlang_b(10, 14), abs=1e-7)
    assert a.p_abandon == pytest.approx(a.p_wait, abs=1e-7)
    assert a.service_level == pytest.approx(1 - a.p_wait, abs=1e-7)


def test_erlang_a_staffing_is_minimal():
    rate, aht, patience, target = CCH_RATE, 180, 120, 20
    agents = erlang_a_agents_for_service_level(rate, aht, patience, target, 0.8)
    assert erlang_a_metrics(agents, rate, aht, patience, target).service_level >= 0.8
    assert erlang_a_metrics(agents - 1, rate, aht, patience, target).service_level < 0.8
    # Abandons shed load: never more agents than Erlang C asks for here.
    assert agents <= agents_for_service_level(rate, aht, target, 0.8)


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(-1, 5), "offered_erlangs"),
        (lambda: erlang_b(10, 0), "lines"),
        (lambda: erlang_b(10, 2.5), "lines"),
        (lambda: lines_for_blocking(10, 0), "target_blocking"),
        (lambda: lines_for_blocking(10, 1), "target_blocking"),
        (lambda: erlang_c(math.nan, 3), "offered_erlangs"),
        (lambda: service_level(0, 0.1, 180, 20), "agents"),
        (lambda: service_level(3, -0.1, 180, 20), "arrival_rate_per_s"),
        (lambda: service_level(3, 0.1, 0, 20), "aht_s"),
        (lambda: service_level(3, 0.1, 180, -1), "target_s"),
        (lambda: asa_s(3, 0.1, math.inf), "aht_s"),
        (lambda: agents_for_service_level(0.1, 180, 20, 1.5), "sl_goal"),
        (lambda: agents_for_service_level(0.1, 180, 20, 0.8, max_occupancy=0), "max_occupancy"),
        (lambda: erlang_a_metrics(0, 0.1, 180, 60, 20), "agents"),
        (lambda: erlang_a_metrics(3, 0.1, 180, 0, 20), "patience_s"),
        (lambda: erlang_a_agents_for_service_level(0.1, 180, 60, 20, 0), "sl_goal"),
    ],
)
def test_impossible_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- properties -----------------------------------------------------------------------

loads = st.floats(min_value=0.01, max_value=200, allow_nan=False)
ahts = st.floats(min_value=5, max_value=900)
patiences = st.floats(min_value=1, max_value=3600)
targets = st.floats(min_value=0, max_value=120)
goals = st.floats(min_value=0.05, max_value=0.99)


@given(offered=loads, lines=st.integers(1, 300))
def test_erlang_b_is_a_probability_decreasing_in_lines(offered, lines):
    b = erlang_b(offered, lines)
    assert 0 <= b <= 1
    assert erlang_b(offered, lines + 1) <= b


@given(offered=loads, aht=ahts, target=targets, extra=st.integers(0, 50))
def test_erlang_c_improves_with_agents(offered, aht, target, extra):
    rate = offered / aht
    agents = math.floor(offered) + 1 + extra
    assert service_level(agents + 1, rate, aht, target) >= service_level(agents, rate, aht, target)
    assert asa_s(agents + 1, rate, aht) <= asa_s(agents, rate, aht)
    assert 0 <= erlang_c(offered, agents) <= 1


@given(offered=loads, aht=ahts, target=targets, goal=goals)
def test_erlang_c_staffing_is_minimal(offered, aht, target, goal):
    rate = offered / aht
    agents = agents_for_service_level(rate, aht, target, goal)
    assert service_level(agents, rate, aht, target) >= goal
    assert agents == 1 or service_level(agents - 1, rate, aht, target) < goal


@settings(deadline=None)
@given(
    offered=st.floats(0.01, 60),
    aht=ahts,
    patience=patiences,
    target=targets,
    agents=st.integers(1, 80),
)
def test_erlang_a_measures_are_consistent_and_monotone(offered, aht, patience, target, agents):
    rate = offered / aht
    m = erlang_a_metrics(agents, rate, aht, patience, target)
    more = erlang_a_metrics(agents + 1, rate, aht, patience, target)
    for value in (m.p_wait, m.p_abandon, m.service_level, m.service_level_answered, m.occupancy):
        assert 0 <= value <= 1
    assert m.p_abandon <= m.p_wait
    assert m.service_level <= 1 - m.p_abandon + 1e-12
    assert m.service_level <= m.service_level_answered + 1e-12
    # What the staffing bisection relies on.
    assert more.service_level >= m.service_level - 1e-12
    assert more.occupancy <= m.occupancy + 1e-12


@settings(deadline=None)
@given(agents=st.integers(1, 60), load_per_agent=st.floats(0.05, 0.95), aht=ahts, target=targets)
def test_erlang_a_with_huge_patience_is_erlang_c(agents, load_per_agent, aht, target):
    rate = agents * load_per_agent / aht
    a = erlang_a_metrics(agents, rate, aht, 1e9 * aht, target)
    c = erlang_c_metrics(agents, rate, aht, target)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-6)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
    assert a.occupancy == pytest.approx(c.occupancy, abs=1e-6)


@settings(deadline=None, max_examples=30)
@given(offered=st.floats(0.5, 40), aht=ahts, patience=patiences, target=targets, goal=goals)
def test_erlang_a_staffing_is_minimal_property(offered, aht, patience, target, goal):
    rate = offered / aht
    agents = erlang_a_agents_for_service_level(rate, aht, patience, target, goal)
    assert erlang_a_metrics(agents, rate, aht, patience, target).service_level >= goal
    if agents > 1:
        assert erlang_a_metrics(agents - 1, rate, aht, patience, target).service_level < goal


@settings(deadline=None, max_examples=40)
@given(
    agents=st.integers(500, 2000),
    load_per_agent=st.floats(0.5, 1.2),
    aht=ahts,
    patience=patiences,
    target=targets,
)
def test_stable_for_hundreds_to_thousands_of_agents(agents, load_per_agent, aht, patience, target):
    rate = agents * load_per_agent / aht
    c = erlang_c_metrics(agents, rate, aht, target)
    a = erlang_a_metrics(agents, rate, aht, patience, target)
    for value in (c.p_wait, c.service_level, a.p_wait, a.p_abandon, a.service_level, a.occupancy):
        assert math.isfinite(value) and 0 <= value <= 1
    assert math.isfinite(a.asa_s) and a.asa_s >= 0
    assert 0 <= erlang_b(agents * load_per_agent, agents) <= 1
