"""The weekly roster (``wfm.roster``): 150 agents, 7 days, 30-minute intervals, 4 skills.

The requirement is Erlang C (``wfm.erlang``, 80 % of calls answered within 20 s, AHT
300 s) over a call-center day: a morning and an afternoon peak from 07:00 to 23:00,
Monday busiest, Sunday quietest, one volume per skill. 150 agents with overlapping
skill sets (120 full-time 40 h on 8.5-h shifts, 30 part-time 30 h on 6-h shifts), some
with restricted availability, requested days off and start preferences; starts every
30 minutes, lunch and breaks on a 15-minute grid.

Reported: the roster as ``callcenter roster`` makes it (greedy start, LP bound of the
weighted objective, then CP-SAT steps until the time limit, all inside the limit), its
under-coverage (agent-hours short, net of breaks) next to a lower
bound for ANY roster meeting the same hard rules: the LP relaxation (GLOP) of the same
model with under-coverage as its only objective. The headline is the roster's
under-coverage minus that bound, as a share of the required agent-hours.
"""

from __future__ import annotations

import math
import random
import time
from datetime import date, datetime, timedelta
from typing import Any

WEEK = date(2026, 11, 23)  # a Monday
SKILLS = {  # skill -> calls per week
    "booking": 20_000,
    "change_refund": 10_000,
    "english": 3_800,
    "general": 7_600,
}
DAY_SHARE = (1.18, 1.08, 1.02, 1.0, 1.04, 0.88, 0.80)  # Monday .. Sunday, relative
GROUPS = (  # skills, full-time, part-time
    ({"booking": 8, "general": 5}, 45, 10),
    ({"change_refund": 8, "general": 6}, 30, 8),
    ({"booking": 4, "change_refund": 6, "general": 7}, 15, 4),
    ({"english": 9, "booking": 5}, 15, 4),
    ({"general": 8}, 15, 4),
)


def intraday_shape(interval: int) -> float:
    """Relative call volume of the ``interval``-th half hour after 07:00 (32 intervals)."""
    hour = 7 + interval / 2
    morning = math.exp(-((hour - 10.5) ** 2) / 4.5)
    afternoon = 0.85 * math.exp(-((hour - 15.5) ** 2) / 6)
    evening = 0.35 * math.exp(-((hour - 20) ** 2) / 3)
    return 0.08 + morning + afternoon + evening


def requirements(seed: int = 7) -> Any:
    """``skill, ds, required``: Erlang C agents per skill and half hour, 07:00-23:00."""
    import pandas as pd

    from wfm.erlang import agents_for_service_level

    rng = random.Random(seed)
    shapes = [intraday_shape(i) for i in range(32)]
    total_shape = sum(shapes) * sum(DAY_SHARE)
    rows = []
    for skill, weekly_calls in SKILLS.items():
        for day, share in enumerate(DAY_SHARE):
            for i, shape in enumerate(shapes):
                calls = weekly_calls * share * shape / total_shape * rng.uniform(0.95, 1.05)
                agents = agents_for_service_level(calls / 1800, 300, 20, 0.8) if calls > 0 else 0
                ds = datetime.combine(WEEK + timedelta(days=day), datetime.min.time())
                rows.append((skill, ds + timedelta(minutes=420 + 30 * i), agents))
    return pd.DataFrame(rows, columns=["skill", "ds", "required"])


def agents(seed: int = 7) -> list[Any]:
    """The 150 agents (see the module docstring)."""
    from wfm.roster.domain import Agent

    rng = random.Random(seed)
    result = []
    number = 1001
    for skills, full_time, part_time in GROUPS:
        for k in range(full_time + part_time):
            part = k >= full_time
            availability, days_off = None, frozenset()
            draw = rng.random()
            if draw < 0.15:  # not available one day of the week, and not before 09:00
                days = sorted(rng.sample(range(7), 6))
                availability = {d: ((9 * 60, 23 * 60),) for d in days}
            elif draw < 0.35:  # one requested day off
                days_off = frozenset({WEEK + timedelta(days=rng.randrange(7))})
            band = rng.choice([None, None, (0, 719), (720, 1439)])
            result.append(
                Agent(
                    agent_id=f"A{number}",
                    skills=dict(skills),
                    contract_min=(30 if part else 40) * 60,
                    team=f"team{len(result) // 15 + 1}",
                    availability=availability,
                    days_off=days_off,
                    preferred_start=band,
                    templates=("part",) if part else ("full",),
                )
            )
            number += 1
    return result


def run(quick: bool, time_limit_s: float | None = None) -> dict[str, Any]:
    """Solve the benchmark week (``quick``: 15 s instead of 60 s) and bound it."""
    from wfm.roster.domain import Rules, Weights
    from wfm.roster.inputs import default_templates
    from wfm.roster.solver import lp_under_bound, prepare, solve_roster

    limit = time_limit_s or (15.0 if quick else 60.0)
    demand = requirements()
    staff = agents()
    templates = default_templates(demand)
    started = time.monotonic()
    result = solve_roster(staff, templates, demand, WEEK, time_limit_s=limit, num_workers=2)
    wall_s = time.monotonic() - started
    problem = prepare(staff, templates, demand, WEEK, Rules(), Weights())
    started = time.monotonic()
    bound_h = lp_under_bound(problem)
    lp_s = time.monotonic() - started
    required_h = result.summary["required_agent_hours"]
    under_h = result.summary["under_coverage_h"]
    return {
        "agents": len(staff),
        "skills": len(SKILLS),
        "time_limit_s": limit,
        "wall_s": round(wall_s, 1),
        "status": result.status,
        "objective": result.objective,
        "lp_bound_objective": result.best_bound,
        "gap": round(result.gap, 4),
        "search_steps": result.parameters["search_iterations"],
        "required_h": required_h,
        "contracted_h": sum(a.contract_min for a in staff) / 60,
        "under_h": under_h,
        "lp_bound_under_h": round(bound_h, 2),
        "lp_s": round(lp_s, 1),
        "excess_over_bound_pct_of_required": round(100 * (under_h - bound_h) / required_h, 2),
        "coverage_pct": result.summary["coverage_pct"],
        "understaffed_intervals": result.summary["understaffed_intervals"],
        "variables": result.parameters["variables"],
        "constraints": result.parameters["constraints"],
    }


def rows(result: dict[str, Any]) -> str:
    """A one-line table of the run."""
    from benchmarks._util import table

    headers = [
        "agents",
        "limit s",
        "wall s",
        "status",
        "required h",
        "under h",
        "LP bound h",
        "excess % of req",
        "coverage %",
    ]
    r = result
    values = [
        str(r["agents"]),
        f"{r['time_limit_s']:.0f}",
        f"{r['wall_s']:.1f}",
        r["status"],
        f"{r['required_h']:,.1f}",
        f"{r['under_h']:,.1f}",
        f"{r['lp_bound_under_h']:,.1f}",
        f"{r['excess_over_bound_pct_of_required']:.2f}",
        f"{r['coverage_pct']:.2f}",
    ]
    return table(headers, [values])


if __name__ == "__main__":
    import json
    import logging
    import sys

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    outcome = run(quick="--quick" in sys.argv)
    print(json.dumps(outcome, indent=2))
    print(rows(outcome))
