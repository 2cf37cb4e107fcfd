"""Erlang B, C and A: blocking, waiting and abandonment in a pool of agents.

Pure steady-state formulas, no I/O. Units are in the names: ``arrival_rate_per_s`` is
calls per second, ``aht_s`` the mean handle time in seconds, ``target_s`` the
service-level threshold in seconds, ``patience_s`` the mean time a caller is willing
to wait. The offered load is ``A = arrival_rate_per_s * aht_s`` Erlangs.

All three models assume Poisson arrivals, exponential handle times and first-come
first-served queueing:

- Erlang B (M/M/n/n): a call finding all lines busy is lost (Erlang 1917).
- Erlang C (M/M/n): it waits as long as needed (Erlang 1917).
- Erlang A (M/M/n+M): it waits, but abandons after an exponential patience
  (Garnett, Mandelbaum & Reiman 2002).

Impossible inputs (negative rates, no agents, a goal outside (0, 1), ...) raise
``ValueError``; nothing is clamped.

References:
  A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of
  significance in automatic telephone exchanges", Elektroteknikeren 13.
  D. Gross, J. Shortle, J. Thompson, C. Harris (2008), Fundamentals of Queueing Theory,
  4th ed., Wiley, ch. 2 (birth-death queues: M/M/c, M/M/c/c, impatience).
  G. Koole (2013), Call Center Optimization, MG books (Erlang B, C and A in staffing).
  O. Garnett, A. Mandelbaum, M. Reiman (2002), "Designing a call center with impatient
  customers", Manufacturing & Service Operations Management 4(3):208-227.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np

# Truncation of the Erlang A chain: the neglected tail holds less than exp(_LOG_TAIL_MASS)
# of the mass, and the chain may not need more states than this (4M, ~32 MB an array).
_LOG_TAIL_MASS = math.log(1e-16)
_MAX_STATES = 2**22


# --- validation ---------------------------------------------------------------------


def _check_nonnegative(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def _check_count(name: str, value: int) -> None:
    if not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")


def _check_fraction(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")


def _occupancy_cap(max_occupancy: float | None) -> float:
    if max_occupancy is None:
        return 1.0
    if not 0 < max_occupancy <= 1:
        raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
    return max_occupancy


def _check_load(arrival_rate_per_s: float, aht_s: float) -> None:
    _check_nonnegative("arrival_rate_per_s", arrival_rate_per_s)
    _check_positive("aht_s", aht_s)


# --- Erlang B -------------------------------------------------------------------------


def _erlang_b_by_lines(offered_erlangs: float) -> Iterator[tuple[int, float]]:
    """Yield (n, B(A, n)) for n = 1, 2, ... by B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)).

    Every step maps [0, 1] into [0, 1]: no factorials, no overflow, and for large n the
    value underflows gracefully to 0.
    """
    blocking = 1.0
    lines = 0
    while True:
        lines += 1
        blocking = offered_erlangs * blocking / (lines + offered_erlangs * blocking)
        yield lines, blocking


def erlang_b(offered_erlangs: float, lines: int) -> float:
    """Erlang B: the fraction of calls lost when ``offered_erlangs`` is offered to ``lines``.

    B(A, n) = (A^n / n!) / sum_{k=0..n} A^k / k!  (Erlang 1917; Gross et al., M/M/c/c),
    evaluated with the recurrence B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)).
    """
    _check_nonnegative("offered_erlangs", offered_erlangs)
    _check_count("lines", lines)
    _, blocking = next(islice(_erlang_b_by_lines(offered_erlangs), lines - 1, None))
    return blocking


def lines_for_blocking(offered_erlangs: float, target_blocking: float) -> int:
    """The smallest number of lines n >= 1 with B(A, n) <= ``target_blocking``."""
    _check_nonnegative("offered_erlangs", offered_erlangs)
    _check_fraction("target_blocking", target_blocking)
    return next(n for n, b in _erlang_b_by_lines(offered_erlangs) if b <= target_blocking)


# --- Erlang C -------------------------------------------------------------------------


def _erlang_c_from_b(offered_erlangs: float, agents: int, blocking: float) -> float:
    if agents <= offered_erlangs:
        return 1.0
    return agents * blocking / (agents - offered_erlangs * (1 - blocking))


def _erlang_c_service_level(
    offered_erlangs: float, agents: int, p_wait: float, aht_s: float, target_s: float
) -> float:
    if agents <= offered_erlangs:
        return 0.0
    return 1 - p_wait * math.exp(-(agents - offered_erlangs) * target_s / aht_s)


def erlang_c(offered_erlangs: float, agents: int) -> float:
    """Erlang C: P(an arriving call has to wait) in M/M/n with offered load A.

    C(A, n) = n·B(A, n) / (n - A·(1 - B(A, n))) for n > A, the standard identity between
    Erlang C and Erlang B (Gross et al., ch. 2; Koole). For n <= A the queue grows without
    bound and every call waits: 1.0.
    """
    _check_count("agents", agents)
    blocking = erlang_b(offered_erlangs, agents)
    return _erlang_c_from_b(offered_erlangs, agents, blocking)


def service_level(agents: int, arrival_rate_per_s: float, aht_s: float, target_s: float) -> float:
    """Erlang C: P(wait <= target_s) over all calls.

    The wait of a call that queues is exponential with rate (n - A) / aht_s, so
    SL = 1 - C(A, n)·exp(-(n - A)·target_s / aht_s). With n <= A no steady state exists
    and the long-run fraction answered within any target is 0.
    """
    _check_load(arrival_rate_per_s, aht_s)
    _check_nonnegative("target_s", target_s)
    offered = arrival_rate_per_s * aht_s
    p_wait = erlang_c(offered, agents)
    return _erlang_c_service_level(offered, agents, p_wait, aht_s, target_s)


def asa_s(agents: int, arrival_rate_per_s: float, aht_s: float) -> float:
    """Erlang C: the average speed of answer, the mean wait over all calls, in seconds.

    ASA = C(A, n)·aht_s / (n - A); ``math.inf`` when n <= A.
    """
    _check_load(arrival_rate_per_s, aht_s)
    offered = arrival_rate_per_s * aht_s
    p_wait = erlang_c(offered, agents)
    if agents <= offered:
        return math.inf
    return p_wait * aht_s / (agents - offered)


def occupancy(agents: int, arrival_rate_per_s: float, aht_s: float) -> float:
    """Erlang C: the offered load per agent, A / n (above 1 means the queue is unstable)."""
    _check_load(arrival_rate_per_s, aht_s)
    _check_count("agents", agents)
    return arrival_rate_per_s * aht_s / agents


def agents_for_service_level(
    arrival_rate_per_s: float,
    aht_s: float,
    target_s: float,
    sl_goal: float,
    max_occupancy: float | None = None,
) -> int:
    """Erlang C: the smallest n >= 1 with service_level >= sl_goal and A / n <= max_occupancy.

    Walks n upward with the Erlang B recurrence, so the cost is linear in the answer.
    """
    _check_load(arrival_rate_per_s, aht_s)
    _check_nonnegative("target_s", target_s)
    _check_fraction("sl_goal", sl_goal)
    cap = _occupancy_cap(max_occupancy)
    offered = arrival_rate_per_s * aht_s

    def feasible(agents: int, blocking: float) -> bool:
        if agents <= offered or offered / agents > cap:
            return False
        p_wait = _erlang_c_from_b(offered, agents, blocking)
        return _erlang_c_service_level(offered, agents, p_wait, aht_s, target_s) >= sl_goal

    return next(n for n, blocking in _erlang_b_by_lines(offered) if feasible(n, blocking))


@dataclass(frozen=True, slots=True)
class ErlangCResult:
    """Erlang C measures for one staffing level (see the functions of the same names)."""

    agents: int
    p_wait: float
    service_level: float
    asa_s: float
    occupancy: float


def erlang_c_metrics(
    agents: int, arrival_rate_per_s: float, aht_s: float, target_s: float
) -> ErlangCResult:
    """All Erlang C measures for ``agents`` agents (the functions of the same names).

    C(A, n) is evaluated once and shared: same values, a third of the work.
    """
    _check_load(arrival_rate_per_s, aht_s)
    _check_nonnegative("target_s", target_s)
    offered = arrival_rate_per_s * aht_s
    p_wait = erlang_c(offered, agents)
    return ErlangCResult(
        agents=agents,
        p_wait=p_wait,
        service_level=_erlang_c_service_level(offered, agents, p_wait, aht_s, target_s),
        asa_s=math.inf if agents <= offered else p_wait * aht_s / (agents - offered),
        occupancy=offered / agents,
    )


# --- Erlang A -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Erlang A (M/M/n+M) measures for one staffing level.

    - ``p_wait``: P(an arrival finds all agents busy) and so has to wait.
    - ``p_abandon``: the fraction of arrivals who hang up before reaching an agent.
    - ``service_level``: the fraction of ALL arrivals answered within ``target_s``
      (an abandon is a miss, even one before ``target_s``).
    - ``service_level_answered``: the same over answered calls only.
    - ``asa_s``: the mean wait of answered calls, in seconds.
    - ``occupancy``: the fraction of time an agent is busy, E[min(k, n)] / n, which equals
      the carried load per agent A·(1 - p_abandon) / n.
    """

    agents: int
    p_wait: float
    p_abandon: float
    service_level: float
    service_level_answered: float
    asa_s: float
    occupancy: float


def _birth_death_weights(
    agents: int, arrival_rate_per_s: float, service_rate_per_s: float, abandon_rate_per_s: float
) -> np.ndarray:
    """Unnormalised stationary weights w_k ∝ P(k calls in system), k = 0..K, largest 1.

    The M/M/n+M chain has birth rate λ and death rate d_k = min(k, n)·μ + max(k - n, 0)·θ,
    so π_k ∝ prod_{i<=k} λ / d_i (Gross et al., ch. 2). Computed in log space (stable for
    thousands of agents) and truncated at the first K past the mode where the tail bound
    w_K·r / (1 - r), r = λ / d_K >= every later ratio, is below 1e-16 of the largest weight.
    """
    if arrival_rate_per_s == 0:
        return np.concatenate(([1.0], np.zeros(agents)))
    size = agents + 64
    while True:
        if size > _MAX_STATES:
            raise ValueError(
                "the Erlang A queue is too long to evaluate: patience_s is very long for "
                "this load and staffing; use Erlang C"
            )
        k = np.arange(1, size + 1)
        death = np.minimum(k, agents) * service_rate_per_s
        death += np.maximum(k - agents, 0) * abandon_rate_per_s
        log_w = np.concatenate(([0.0], np.cumsum(np.log(arrival_rate_per_s / death))))
        ratio = arrival_rate_per_s / death[-1]
        peak = log_w.max()
        if ratio < 1 and log_w[-1] + math.log(ratio / (1 - ratio)) < peak + _LOG_TAIL_MASS:
            return np.exp(log_w - peak)
        size *= 2


def _p_reach_agent_within(
    target_s: float, steps: int, advance_rate_per_s: float, abandon_rate_per_s: float
) -> np.ndarray:
    """P(N_t >= m) for m = 1..steps, N_t ~ NegBin(b, q), b = 1 + nμ/θ, q = exp(-θ·t).

    N_t is the number of moves of a pure birth process with rate θ·(b + i) in state i;
    its law at time t is negative binomial: P(N_t = a) = Γ(a + b) / (a! Γ(b)) q^b (1 - q)^a
    (linear birth with immigration). The pmf is built in log space by
    log p_a = log p_(a-1) + log(1 - q) + log1p(nμ / (θ·a)).
    """
    one_minus_q = -math.expm1(-abandon_rate_per_s * target_s)
    if one_minus_q == 0:  # target_s is 0 (or too short to register): no call gets through
        return np.zeros(steps)
    a = np.arange(1, steps)
    log_increments = math.log(one_minus_q) + np.log1p(advance_rate_per_s / (abandon_rate_per_s * a))
    log_pmf = -(advance_rate_per_s + abandon_rate_per_s) * target_s + np.concatenate(
        ([0.0], np.cumsum(log_increments))
    )
    cdf = np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)  # rounding can overshoot 1
    return 1 - cdf


def erlang_a_metrics(
    agents: int, arrival_rate_per_s: float, aht_s: float, patience_s: float, target_s: float
) -> ErlangAResult:
    """Erlang A (M/M/n+M): exact measures from the birth-death chain (see ``ErlangAResult``).

    Notation: λ = arrival_rate_per_s, μ = 1/aht_s, θ = 1/patience_s, n = agents.

    State at arrival. By PASTA an arrival sees k calls in system with the stationary
    probability π_k of the chain with birth λ and death min(k, n)·μ + max(k - n, 0)·θ
    (Garnett, Mandelbaum & Reiman 2002). It waits iff k >= n: p_wait = sum_{k>=n} π_k.

    Wait of an arrival that finds j = k - n calls queued ahead. Under FCFS only the
    calls ahead matter. With i calls ahead it moves up at rate nμ + iθ (an agent frees up
    or a call ahead abandons; with i = 0 it reaches an agent at rate nμ), and it abandons
    at rate θ. The holding time in each position is exponential with rate
    nμ + (i + 1)θ whatever happens next, and the outcome (move up or abandon) is
    independent of it. So it is answered iff it moves up j + 1 times in a row,

        P(answered | j) = prod_{i=0..j} (nμ + iθ) / (nμ + (i + 1)θ) = nμ / (nμ + (j + 1)θ),

    and, given that, its wait is a sum of independent exponentials with rates
    nμ + θ, nμ + 2θ, ..., nμ + (j + 1)θ: the time of the (j + 1)-th move of a pure birth
    process with rate θ·(b + i) in state i, b = 1 + nμ/θ. That count at time t is
    negative binomial, so P(wait <= t | answered, j) = P(N_t >= j + 1) with
    P(N_t = a) = Γ(a + b) / (a! Γ(b)) q^b (1 - q)^a, q = exp(-θ·t) (equivalently the
    regularised incomplete beta I_{1-q}(j + 1, b)). Hence

        service_level = sum_{k<n} π_k + sum_{j>=0} π_{n+j}·nμ/(nμ + (j+1)θ)·P(N_t >= j + 1),
        p_abandon     = sum_{j>=0} π_{n+j}·(j+1)θ/(nμ + (j+1)θ),
        asa_s         = sum_{j>=0} π_{n+j}·nμ/(nμ + (j+1)θ)·sum_{i=1..j+1} 1/(nμ + iθ)
                        / (1 - p_abandon).

    As θ -> 0 these tend to Erlang C; as θ -> ∞ the queue empties and
    p_abandon = p_wait -> Erlang B.
    """
    _check_count("agents", agents)
    _check_load(arrival_rate_per_s, aht_s)
    _check_nonnegative("target_s", target_s)
    _check_positive("patience_s", patience_s)
    service_rate, abandon_rate = 1 / aht_s, 1 / patience_s
    advance_rate = agents * service_rate
    # Every measure is a ratio of sums of non-negative weights whose numerator sums terms
    # no larger than the denominator's, so rounding cannot push it outside [0, 1].
    weights = _birth_death_weights(agents, arrival_rate_per_s, service_rate, abandon_rate)
    free = weights[:agents]  # k < n: an agent is free at arrival
    queued = weights[agents:]  # queued[j]: j calls ahead in queue at arrival
    w_free, w_queued = free.sum(), queued.sum()
    total = w_free + w_queued
    moves = np.arange(1, queued.size + 1)  # j + 1 moves to reach an agent
    p_answered_given = advance_rate / (advance_rate + moves * abandon_rate)
    p_abandon_given = moves * abandon_rate / (advance_rate + moves * abandon_rate)
    reach = _p_reach_agent_within(target_s, queued.size, advance_rate, abandon_rate)
    mean_wait_given = np.cumsum(1 / (advance_rate + moves * abandon_rate))
    answered = w_free + (queued * p_answered_given).sum()
    answered_within = w_free + (queued * p_answered_given * reach).sum()
    answered_wait = (queued * p_answered_given * mean_wait_given).sum()
    busy = (free * np.arange(agents) / agents).sum() + w_queued
    return ErlangAResult(
        agents=agents,
        p_wait=float(w_queued / total),
        p_abandon=float((queued * p_abandon_given).sum() / total),
        service_level=float(answered_within / total),
        service_level_answered=float(answered_within / answered),
        asa_s=float(answered_wait / answered),
        occupancy=float(busy / total),
    )


def erlang_a_agents_for_service_level(
    arrival_rate_per_s: float,
    aht_s: float,
    patience_s: float,
    target_s: float,
    sl_goal: float,
    max_occupancy: float | None = None,
) -> int:
    """Erlang A: the smallest n >= 1 meeting ``sl_goal`` (over all arrivals) and ``max_occupancy``.

    The service level rises and the occupancy falls with n, so this bisects. Fewer than
    sl_goal·A agents never suffice: the answered fraction is at most n / A (an agent
    carries at most 1 Erlang). The search starts at ceil(A) and doubles until feasible.
    """
    _check_load(arrival_rate_per_s, aht_s)
    _check_positive("patience_s", patience_s)
    _check_nonnegative("target_s", target_s)
    _check_fraction("sl_goal", sl_goal)
    cap = _occupancy_cap(max_occupancy)
    offered = arrival_rate_per_s * aht_s

    def feasible(agents: int) -> bool:
        m = erlang_a_metrics(agents, arrival_rate_per_s, aht_s, patience_s, target_s)
        return m.service_level >= sl_goal and m.occupancy <= cap

    infeasible = max(0, math.ceil(sl_goal * offered) - 1)
    enough = max(infeasible + 1, math.ceil(offered))
    while not feasible(enough):
        infeasible, enough = enough, 2 * enough
    while enough - infeasible > 1:
        middle = (infeasible + enough) // 2
        if feasible(middle):
            enough = middle
        else:
            infeasible = middle
    return enough
