"""Coverage of a roster: agents on the phone per skill and interval, and the summary.

Computed from the roster's rows alone (shift minus break, lunch and any other activity),
so it is the same whether the roster came from the solver, a file or a person.

Multi-skill split: in each interval, every agent's minutes on the phone are shared out
among the skills they have so that as much of the requirement as possible is covered
(a max-flow from skill sets to skills, capacities in agent-minutes; this is what skill
routing does when calls of every skill are waiting). Voice first: deferred channels
(requirements with method ``workload``) get what is left once as much voice requirement
as possible is covered (the flow is augmented for voice, then for the rest; augmenting
never takes back covered demand), as blended agents take deferred items only when no
call waits. An agent counts once per minute, whichever skill the minute goes to, and
only agents with a skill can cover it. Minutes left over once every
requirement that can be met is met go to the skill set's primary skill (the highest
summed level of its agents; ties: the first skill by name).

Definitions (``summarise``), with ``required`` and ``scheduled`` in agents per interval:
- coverage_pct = 100 x sum(min(scheduled, required)) / sum(required)
- understaffed_intervals = count of (skill, interval) with scheduled < required
- under_coverage_h = sum(max(0, required - scheduled)) x interval hours (agent-hours short)
- over_coverage_h = sum(max(0, scheduled - required)) x interval hours
- agent_hours = paid hours rostered (shift length less lunch)
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from wfm.roster.domain import Agent, RosterActivity

_EPS = 1e-9
COVERAGE_COLUMNS = ["skill", "ds", "required", "scheduled"]


def net_minutes_by_interval(
    activities: Iterable[RosterActivity], week_start: date, interval_min: int, days: int = 8
) -> dict[str, dict[int, float]]:
    """Per agent: interval index (from ``week_start`` 00:00) -> minutes on the phone.

    On the phone = inside the shift and outside every other activity of that agent.
    """
    origin = datetime.combine(week_start, datetime.min.time())
    per_agent: dict[str, list[RosterActivity]] = defaultdict(list)
    for activity in activities:
        per_agent[activity.agent_id].append(activity)
    horizon = days * 1440
    result: dict[str, dict[int, float]] = {}
    for agent_id, rows in per_agent.items():
        on_phone = np.zeros(horizon, dtype=np.int32)
        for row in rows:
            lo, hi = _minutes(row.start, origin), _minutes(row.end, origin)
            on_phone[max(lo, 0) : max(min(hi, horizon), 0)] += 1 if row.activity == "shift" else -1
        per_interval = (on_phone > 0).reshape(-1, interval_min).sum(axis=1)
        result[agent_id] = {int(t): float(per_interval[t]) for t in np.flatnonzero(per_interval)}
    return result


def _minutes(moment: datetime, origin: datetime) -> int:
    return int((moment - origin) / timedelta(minutes=1))


def allocate(
    supply: dict[tuple[str, ...], float],
    demand: dict[str, float],
    last: frozenset[str] | set[str] = frozenset(),
) -> dict[tuple[tuple[str, ...], str], float]:
    """Share each skill set's supply among its skills to cover as much demand as possible.

    A max-flow (shortest augmenting paths) from skill sets to skills; returns the flow on
    each (skill set, skill) edge. Total flow = the most demand any split can cover. Skills
    in ``last`` (deferred channels) are served after the others: the flow first covers
    as much of the other skills as possible, then augments for ``last`` without taking
    any of it back.
    """
    groups = [g for g in supply if supply[g] > _EPS]
    flow: dict[tuple[tuple[str, ...], str], float] = defaultdict(float)
    used = {g: 0.0 for g in groups}
    first = {s: v for s, v in demand.items() if s not in last}
    for phase in (first, demand) if last and len(first) < len(demand) else (demand,):
        skills = [s for s in phase if phase[s] > _EPS]
        met = {s: sum(flow.get((g, s), 0.0) for g in groups) for s in skills}
        _augment(groups, skills, supply, phase, flow, used, met)
    return dict(flow)


def _augment(
    groups: list[tuple[str, ...]],
    skills: list[str],
    supply: dict[tuple[str, ...], float],
    demand: dict[str, float],
    flow: dict[tuple[tuple[str, ...], str], float],
    used: dict[tuple[str, ...], float],
    met: dict[str, float],
) -> None:
    """Augment ``flow`` (in place) along shortest paths until no demand can be added."""
    while True:
        # BFS over the residual graph: source -> group -> skill (-> group via back edges) -> sink
        parent: dict[object, object] = {}
        frontier: list[object] = [g for g in groups if supply[g] - used[g] > _EPS]
        for g in frontier:
            parent[("g", g)] = None
        queue = [("g", g) for g in frontier]
        end = None
        while queue and end is None:
            next_queue = []
            for node in queue:
                kind, name = node
                if kind == "g":
                    for s in skills:
                        if s in name and ("s", s) not in parent:
                            parent[("s", s)] = node
                            if demand[s] - met[s] > _EPS:
                                end = ("s", s)
                                break
                            next_queue.append(("s", s))
                else:
                    for g in groups:
                        if flow[(g, name)] > _EPS and ("g", g) not in parent:
                            parent[("g", g)] = node
                            next_queue.append(("g", g))
                if end is not None:
                    break
            queue = next_queue
        if end is None:
            return
        path = [end]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path.reverse()  # group, skill, group, skill, ...
        amount = min(supply[path[0][1]] - used[path[0][1]], demand[end[1]] - met[end[1]])
        for a, b in itertools.pairwise(path):
            if a[0] == "g":
                continue
            amount = min(amount, flow[(b[1], a[1])])
        for a, b in itertools.pairwise(path):
            if a[0] == "g":
                flow[(a[1], b[1])] += amount
            else:
                flow[(b[1], a[1])] -= amount
        used[path[0][1]] += amount
        met[end[1]] += amount


def coverage_frame(
    activities: Sequence[RosterActivity],
    agents: Sequence[Agent],
    requirements: pd.DataFrame,
    week_start: date,
    interval_min: int,
    deferred: frozenset[str] | set[str] | None = None,
) -> pd.DataFrame:
    """``skill, ds, required, scheduled`` for the week, one row per skill and interval
    where either is above zero (agents; scheduled net of breaks and lunch).

    ``deferred``: the deferred channels, covered after voice (default: the skills of the
    rows whose ``method`` column is ``workload``, if the frame has one)."""
    if deferred is None:
        deferred = frozenset()
        if "method" in requirements.columns:
            marked = requirements["method"].astype(str) == "workload"
            deferred = frozenset(requirements.loc[marked, "skill"].astype(str))
    origin = datetime.combine(week_start, datetime.min.time())
    intervals = 7 * 1440 // interval_min
    by_id = {agent.agent_id: agent for agent in agents}
    per_agent = net_minutes_by_interval(activities, week_start, interval_min)
    supply: dict[int, dict[tuple[str, ...], float]] = defaultdict(lambda: defaultdict(float))
    levels: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for agent_id, minutes in per_agent.items():
        agent = by_id[agent_id]
        for skill, level in agent.skills.items():
            levels[agent.skill_set][skill] += level
        for t, value in minutes.items():
            if t < intervals:
                supply[t][agent.skill_set] += value
    primary = {g: min(lv, key=lambda s: (-lv[s], s)) for g, lv in levels.items()}
    demand: dict[int, dict[str, float]] = defaultdict(dict)
    for skill, ds, required in requirements[["skill", "ds", "required"]].itertuples(index=False):
        t = _minutes(pd.Timestamp(ds).to_pydatetime(), origin) // interval_min
        if 0 <= t < intervals:
            demand[t][skill] = demand[t].get(skill, 0.0) + float(required) * interval_min
    skills = sorted({s for d in demand.values() for s in d} | {s for a in agents for s in a.skills})
    rows = []
    for t in range(intervals):
        need = demand.get(t, {})
        have = supply.get(t, {})
        if not need and not have:
            continue
        scheduled = defaultdict(float)
        flow = allocate(dict(have), dict(need), last=deferred)
        for (_group, skill), minutes in flow.items():
            scheduled[skill] += minutes
        for group, minutes in have.items():
            left = minutes - sum(flow.get((group, s), 0.0) for s in group)
            if left > _EPS:
                scheduled[primary[group]] += left
        ds = origin + timedelta(minutes=t * interval_min)
        for skill in skills:
            required = need.get(skill, 0.0) / interval_min
            value = scheduled.get(skill, 0.0) / interval_min
            if required > _EPS or value > _EPS:
                rows.append((skill, ds, required, round(value, 6)))
    frame = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame.sort_values(["skill", "ds"], ignore_index=True)


def summarise(
    coverage: pd.DataFrame, activities: Sequence[RosterActivity], interval_min: int
) -> dict[str, float | int]:
    """The headline numbers; definitions in the module docstring."""
    hours = interval_min / 60
    required = coverage["required"].to_numpy(dtype=float)
    scheduled = coverage["scheduled"].to_numpy(dtype=float)
    total_required = float(required.sum())
    covered = float(pd.Series(scheduled).clip(upper=pd.Series(required)).sum())
    shifts = [a for a in activities if a.activity == "shift"]
    lunches = [a for a in activities if a.activity == "lunch"]
    paid = sum((a.end - a.start) / timedelta(hours=1) for a in shifts) - sum(
        (a.end - a.start) / timedelta(hours=1) for a in lunches
    )
    return {
        "coverage_pct": round(100 * covered / total_required, 2) if total_required else 100.0,
        "required_agent_hours": round(total_required * hours, 2),
        "under_coverage_h": round(float((required - scheduled).clip(min=0).sum()) * hours, 2),
        "over_coverage_h": round(float((scheduled - required).clip(min=0).sum()) * hours, 2),
        "understaffed_intervals": int((scheduled < required - 1e-6).sum()),
        "shifts": len(shifts),
        "agents_rostered": len({a.agent_id for a in shifts}),
        "agent_hours": round(paid, 2),
    }
