"""Deferred channels (e-mail, SMS, web callback, voicemail): agents from the workload that
must be done inside each item's response window, and a check of a plan against the target.

Deferred work does not need an agent the moment it arrives, only before its response is
due, so Erlang formulas (which size for a wait of seconds) do not apply. The requirement
is the workload-in-the-response-window method of the WFM literature (Cleveland, *Call
Center Management on Fast Forward*, 3rd ed. 2012, staffing for contacts that can be
deferred; Koole, *Call Center Optimization* 2013, e-mail and other non-real-time
channels): the work arriving must be done within the target, so it is spread over the
time available to answer it.

Requirement (``spread_workload``, ``required_agents``), per interval ``j`` of a regular
grid of length ``interval_s``:

1. Workload ``W_j = arrivals_j x aht_j`` agent-seconds, arriving uniformly over the
   interval (wall-clock time).
2. Each item arriving at ``u`` has its work spread evenly over the **business time** of
   its response window ``[u, due(u)]``, ``due(u) = u + target`` on the business-hours
   clock (``acd.business_hours.BusinessHours``; ``clock=None`` is the wall clock). On the
   business-time axis ``b = B(t)`` (business seconds since the first interval start) the
   window is ``[B(u), B(u) + target]``; closed hours have no business time, so work that
   arrives at night lands in the next opening hours.
3. The spread work of one interval's arrivals is the distribution of ``B(U) + V`` with
   ``U`` uniform over the interval and ``V`` uniform on ``[0, target]``: a trapezoid, in
   closed form (``_spread_cdf``). The work each interval ``j`` must do is its mass on
   ``[B(start_j), B(end_j)]``; work whose window ends after the last interval is reported
   as ``spill_s``.
4. Agents on the work in interval ``j``: ``workload_j / (interval_s x productive_share)``
   (``productive_share``: the share of an agent's time in the interval spent working
   items), at least ``min_agents`` in every interval with open business time.

Why it meets the target: processing every item at rate ``work / target`` over its own
window finishes each item exactly when it is due, and needs exactly the spread capacity.
With that capacity, earliest-due-date order meets every due date whenever any order does
(Horn 1974, preemptive EDF with release dates on one machine; a pool of agents working a
fluid backlog is one machine of time-varying speed), and for one channel with one target
EDF is first come, first served. Averaging the capacity over each interval is the only
approximation (``check_plan`` measures it: it is exact at interval ends, and a target
shorter than half an interval can leave capacity idle while work has not arrived yet).

Check (``check_plan``): the channel's backlog as a deterministic fluid FIFO queue (the
cumulative-curves view of Newell, *Applications of Queueing Theory*, 2nd ed. 1982, ch. 2):
work arrives at rate ``W_j / interval_s`` during interval ``j``, the plan serves at most
``agents_j x productive_share`` agent-seconds per second, first come, first served. The
quantum of work at cumulative position ``x`` arrives at ``a(x) = A^-1(x)`` and is done at
``d(x) = D^-1(x)``; it is in target when ``B(d(x)) <= B(a(x)) + target``. Both curves are
piecewise linear, so the share of work in target is computed exactly (up to floating
point), per arrival interval and in total. Work still open at the end of the plan counts
as late when it was due inside the plan, else as ``open_s`` (not yet due; left out of the
share).

Conventions: ``start`` is the local wall-clock start of the first interval (naive
``datetime``, in the clock's time zone), intervals follow every ``interval_s`` seconds of
real time. Everything here is pure: arrays in, arrays out.

References:
  B. Cleveland (2012), Call Center Management on Fast Forward, 3rd ed., ICMI Press
  (base staff for deferred contacts: workload over the response time).
  G. Koole (2013), Call Center Optimization, MG books (non-real-time channels, e-mail).
  W. A. Horn (1974), "Some simple scheduling algorithms", Naval Research Logistics
  Quarterly 21(1):177-185 (earliest due date with release dates and preemption).
  G. F. Newell (1982), Applications of Queueing Theory, 2nd ed., Chapman and Hall
  (deterministic fluid queues, cumulative arrival and departure curves).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from acd.business_hours import BusinessHours

__all__ = [
    "PlanCheck",
    "business_axis",
    "business_clock",
    "check_plan",
    "required_agents",
    "spread_workload",
]

_EPS = 1e-9
_TOLERANCE_S = 1e-6  # a response this close to its due time is in target (rounding)
_CHUNK = 256  # spread pieces evaluated at once (memory: chunk x intervals floats)


def business_clock(tz: str, open_s: float, close_s: float, days: str = "all") -> BusinessHours:
    """The business-hours clock of a scenario's ``[business_hours]`` (``days``: ``all`` or
    ``working``, China's working days with make-up days, as the engine counts them)."""
    from acd.business_hours import every_day
    from acd.calendar import is_working_day

    return BusinessHours(tz, open_s, close_s, is_working_day if days == "working" else every_day)


def _epoch(start: datetime, clock: BusinessHours | None) -> float:
    """The instant of the local wall-clock ``start`` (naive) in the clock's zone (UTC
    without a clock: only differences matter then)."""
    if start.tzinfo is not None:
        return start.timestamp()
    zone = clock.zone if clock is not None else ZoneInfo("UTC")
    return start.replace(tzinfo=zone).timestamp()


def business_axis(
    clock: BusinessHours | None, t0: float, t1: float, extra: Sequence[float] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints of the business-time function ``B(t)`` on ``[t0, t1]``.

    Returns ``(times, business)``: increasing instants (``t0``, ``t1``, every opening and
    closing instant between them and the ``extra`` instants inside) and ``B`` at each,
    business seconds since ``t0``. ``B`` is linear between consecutive points (slope 1
    while open, 0 while closed), so ``np.interp(t, times, business)`` is ``B(t)``
    exactly. Without a clock ``B(t) = t - t0``.
    """
    points = {t0, t1, *(t for t in extra if t0 < t < t1)}
    if clock is not None:
        day = clock.local_date(t0) - timedelta(days=1)
        last = clock.local_date(t1)
        while day <= last:
            window = clock.window(day)
            if window is not None:
                points.update(t for t in window if t0 < t < t1)
            day += timedelta(days=1)
    times = np.array(sorted(points))
    if clock is None:
        return times, times - t0
    steps = [clock.elapsed(a, b) for a, b in itertools.pairwise(times)]
    return times, np.concatenate([[0.0], np.cumsum(steps)])


def _grid(
    n: int, start: datetime, interval_s: float, clock: BusinessHours | None
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """(first instant, interval boundaries, axis times, axis business seconds)."""
    if interval_s <= 0:
        raise ValueError(f"interval_s must be > 0, got {interval_s}")
    t0 = _epoch(start, clock)
    bounds = t0 + interval_s * np.arange(n + 1)
    times, business = business_axis(clock, t0, float(bounds[-1]), bounds[1:-1].tolist())
    return t0, bounds, times, business


def _workload(arrivals: Sequence[float], aht_s: float | Sequence[float]) -> np.ndarray:
    items = np.asarray(arrivals, dtype=float)
    handle = np.broadcast_to(np.asarray(aht_s, dtype=float), items.shape)
    if items.ndim != 1:
        raise ValueError("arrivals must be one number per interval")
    if not (np.isfinite(items).all() and (items >= 0).all()):
        raise ValueError("arrivals must be finite numbers >= 0")
    if not (np.isfinite(handle).all() and (handle >= 0).all()):
        raise ValueError("aht_s must be finite numbers >= 0")
    return items * handle


def _ramp_integral(y: np.ndarray, target_s: float) -> np.ndarray:
    """H(y) = integral from 0 to y of clip(z, 0, target) dz."""
    t = target_s
    return np.where(y <= 0, 0.0, np.where(y <= t, 0.5 * y * y, 0.5 * t * t + t * (y - t)))


def _spread_cdf(x: np.ndarray, p: np.ndarray, q: np.ndarray, target_s: float) -> np.ndarray:
    """P(P + V <= x) for P uniform on [p, q] (a point when p == q), V uniform on [0, T].

    Rows: pieces (p, q as column vectors); columns: the points x.
    """
    width = q - p
    point = width <= _EPS
    safe = np.where(point, 1.0, width)
    spread = (_ramp_integral(x - p, target_s) - _ramp_integral(x - q, target_s)) / (safe * target_s)
    jump = np.clip((x - p) / target_s, 0.0, 1.0)
    return np.clip(np.where(point, jump, spread), 0.0, 1.0)


def spread_workload(
    arrivals: Sequence[float],
    aht_s: float | Sequence[float],
    *,
    start: datetime,
    interval_s: float,
    target_s: float,
    clock: BusinessHours | None = None,
) -> tuple[np.ndarray, float]:
    """Work (agent-seconds) each interval must do so that every item is answered within
    ``target_s`` (business seconds on ``clock``; wall-clock seconds without one).

    ``arrivals`` and ``aht_s`` (a number or one per interval) are per interval of the
    regular grid starting at ``start``. Returns ``(workload per interval, spill_s)``:
    ``spill_s`` is the work whose window reaches past the last interval (not in the
    array). ``workload.sum() + spill_s == (arrivals x aht).sum()``.
    """
    if not target_s > 0:
        raise ValueError(f"target_s must be > 0, got {target_s}")
    work = _workload(arrivals, aht_s)
    n = len(work)
    out = np.zeros(n)
    if n == 0 or work.sum() <= 0:
        return out, 0.0
    t0, bounds, times, business = _grid(n, start, interval_s, clock)
    b_bounds = np.interp(bounds, times, business)
    # pieces: consecutive axis segments; each lies inside one interval
    seg = np.minimum(((times[:-1] - t0) // interval_s).astype(np.int64), n - 1)
    weight = work[seg] * (times[1:] - times[:-1]) / interval_s
    keep = weight > 0
    p, q, weight = business[:-1][keep], business[1:][keep], weight[keep]
    for lo in range(0, len(weight), _CHUNK):
        hi = lo + _CHUNK
        cdf = _spread_cdf(b_bounds[None, :], p[lo:hi, None], q[lo:hi, None], target_s)
        out += weight[lo:hi] @ np.diff(cdf, axis=1)
    out = np.maximum(out, 0.0)
    return out, float(max(work.sum() - out.sum(), 0.0))


def required_agents(
    arrivals: Sequence[float],
    aht_s: float | Sequence[float],
    *,
    start: datetime,
    interval_s: float,
    target_s: float,
    clock: BusinessHours | None = None,
    productive_share: float = 1.0,
    min_agents: float = 0.0,
) -> np.ndarray:
    """Agents (fractional) needed per interval: ``spread_workload / (interval_s x
    productive_share)``, at least ``min_agents`` where the clock has open business time
    in the interval (every interval without a clock)."""
    if not 0 < productive_share <= 1:
        raise ValueError(f"productive_share must be in (0, 1], got {productive_share}")
    if min_agents < 0:
        raise ValueError(f"min_agents must be >= 0, got {min_agents}")
    workload, _ = spread_workload(
        arrivals, aht_s, start=start, interval_s=interval_s, target_s=target_s, clock=clock
    )
    agents = workload / (interval_s * productive_share)
    if min_agents > 0 and len(agents):
        opened = open_intervals(len(agents), start, interval_s, clock)
        agents = np.maximum(agents, min_agents * opened)
    return agents


def open_intervals(
    n: int, start: datetime, interval_s: float, clock: BusinessHours | None
) -> np.ndarray:
    """1.0 for the intervals with open business time (all of them without a clock), else 0."""
    if clock is None:
        return np.ones(n)
    _, bounds, times, business = _grid(n, start, interval_s, clock)
    return (np.diff(np.interp(bounds, times, business)) > _EPS).astype(float)


@dataclass(frozen=True)
class PlanCheck:
    """What a plan achieves for one channel (agent-seconds of work; shares of work).

    ``share_in_target = in_target_s / (in_target_s + late_s)`` (NaN when no work was
    due); ``open_s``: work not done when the plan ends and not yet due then;
    ``by_interval``: the share in target of the work arriving in each interval (NaN
    where none arrived or none of it was due).
    """

    work_s: float
    in_target_s: float
    late_s: float
    open_s: float
    share_in_target: float
    backlog_end_s: float
    by_interval: np.ndarray


def _fluid_fifo(
    times: np.ndarray, arrival_rate: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative arrivals and departures of a fluid FIFO queue at its breakpoints.

    ``arrival_rate`` and ``capacity`` hold on each segment [times[k], times[k + 1]).
    Returns ``(t, A, D)`` with the instants where the backlog empties added.
    """
    t_out, a_out, d_out = [times[0]], [0.0], [0.0]
    a = d = 0.0
    for k in range(len(times) - 1):
        span = times[k + 1] - times[k]
        r, c = arrival_rate[k], capacity[k]
        backlog = a - d
        if backlog > _EPS and r < c and backlog / (c - r) < span:
            empty_after = backlog / (c - r)  # the backlog empties inside the segment
            a += r * empty_after
            t_out.append(times[k] + empty_after)
            a_out.append(a)
            d_out.append(a)
            a += r * (span - empty_after)
            d = a
        elif backlog > _EPS or r > c:
            a += r * span
            d += c * span
        else:  # no backlog and enough capacity: work is done as it arrives
            a += r * span
            d = a
        t_out.append(times[k + 1])
        a_out.append(a)
        d_out.append(min(d, a))
    return np.array(t_out), np.array(a_out), np.maximum.accumulate(np.array(d_out))


def _inverse(times: np.ndarray, values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The first instant a non-decreasing piecewise-linear curve reaches each ``x``, for
    ``x`` strictly inside the curve's range."""
    idx = np.clip(np.searchsorted(values, x, side="left"), 1, len(values) - 1)
    v0, v1 = values[idx - 1], values[idx]
    rise = np.where(v1 > v0, v1 - v0, 1.0)
    return times[idx - 1] + (x - v0) / rise * (times[idx] - times[idx - 1])


def _nonnegative_share(v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
    """The share of a segment on which a linear function going from ``v0`` to ``v1`` is >= 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        crossing = np.where(v0 >= 0, v0, v1) / np.abs(v0 - v1)
    return np.where(
        (v0 >= 0) & (v1 >= 0), 1.0, np.where((v0 < 0) & (v1 < 0), 0.0, np.clip(crossing, 0, 1))
    )


def check_plan(
    arrivals: Sequence[float],
    aht_s: float | Sequence[float],
    agents: Sequence[float],
    *,
    start: datetime,
    interval_s: float,
    target_s: float,
    clock: BusinessHours | None = None,
    productive_share: float = 1.0,
) -> PlanCheck:
    """Simulate the channel's backlog under a plan of ``agents`` per interval as a fluid
    FIFO queue and measure the work answered within ``target_s`` (see the module
    docstring). Same grid and conventions as ``required_agents``."""
    work = _workload(arrivals, aht_s)
    plan = np.asarray(agents, dtype=float)
    n = len(work)
    if plan.shape != work.shape:
        raise ValueError(f"agents must have one value per interval ({n}), got {plan.shape}")
    if not (np.isfinite(plan).all() and (plan >= 0).all()):
        raise ValueError("agents must be finite numbers >= 0")
    total = float(work.sum())
    if n == 0 or total <= 0:
        return PlanCheck(0.0, 0.0, 0.0, 0.0, float("nan"), 0.0, np.full(n, np.nan))
    t0, _, times, business = _grid(n, start, interval_s, clock)
    seg = np.minimum(((times[:-1] - t0) // interval_s).astype(np.int64), n - 1)
    rate = work[seg] / interval_s
    capacity = plan[seg] * productive_share
    t, cum_a, cum_d = _fluid_fifo(times, rate, capacity)
    done = float(cum_d[-1])
    end_business = float(business[-1])
    # x-breakpoints: every value of A or D at a breakpoint; between two of them both
    # inverses and B along them are linear, so lateness is linear in x.
    xs = np.unique(np.concatenate([cum_a, cum_d, [done, total]]))
    xs = xs[(xs >= 0) & (xs <= total)]
    lo, hi = xs[:-1], xs[1:]
    width = hi - lo
    keep = width > _EPS * max(1.0, total)
    lo, hi, width = lo[keep], hi[keep], width[keep]
    delta = 1e-9 * width
    left, right = lo + delta, hi - delta

    def b_of(instants: np.ndarray) -> np.ndarray:
        return np.interp(instants, times, business)

    def slack(x: np.ndarray) -> np.ndarray:
        """Business seconds to spare (>= 0: in target) of the work at position x."""
        due = b_of(_inverse(t, cum_a, x)) + target_s
        finished = b_of(_inverse(t, cum_d, np.minimum(x, done)))
        return np.where(x <= done, due - finished + _TOLERANCE_S, np.nan)

    completed = hi <= done + _EPS * max(1.0, total)
    with np.errstate(invalid="ignore"):
        ok_share = np.where(completed, _nonnegative_share(slack(left), slack(right)), 0.0)
    in_target = ok_share * width
    late = np.where(completed, width - in_target, 0.0)
    # work still open at the end: late if it was due inside the plan
    overdue_share = _nonnegative_share(
        end_business - (b_of(_inverse(t, cum_a, left)) + target_s),
        end_business - (b_of(_inverse(t, cum_a, right)) + target_s),
    )
    late = late + np.where(completed, 0.0, overdue_share * width)
    still_open = np.where(completed, 0.0, (1 - overdue_share) * width)
    # by arrival interval: a segment's work arrived inside one interval (interval
    # boundaries are breakpoints of A)
    arrived_at = _inverse(t, cum_a, 0.5 * (lo + hi))
    interval = np.clip(((arrived_at - t0) // interval_s).astype(np.int64), 0, n - 1)
    ok_by = np.bincount(interval, weights=in_target, minlength=n)
    due_by = ok_by + np.bincount(interval, weights=late, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_interval = np.where(due_by > _EPS, ok_by / due_by, np.nan)
    ok, bad = float(in_target.sum()), float(late.sum())
    return PlanCheck(
        work_s=total,
        in_target_s=ok,
        late_s=bad,
        open_s=float(still_open.sum()),
        share_in_target=ok / (ok + bad) if ok + bad > 0 else float("nan"),
        backlog_end_s=float(total - done),
        by_interval=by_interval,
    )
