"""Tiny weeks whose optimum is found by brute force: CP-SAT must find it and prove it."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from wfm.roster.domain import Agent, Rules, ShiftTemplate
from wfm.roster.solver import solve_roster

WEEK = date(2026, 11, 23)
FOUR_HOURS = ShiftTemplate(
    "four",
    length_min=240,
    start_earliest_min=8 * 60,
    start_latest_min=16 * 60,
    start_step_min=60,
    break_min=60,
)
RULES = Rules(min_days_per_week=0, max_days_per_week=5, min_weekend_days_off=0)


def instance(seed: int) -> tuple[list[Agent], np.ndarray]:
    """Two agents with one 4-hour shift each; a random hourly requirement (0-2 agents,
    08:00-20:00) on Monday and Tuesday."""
    rng = random.Random(seed)
    required = np.zeros((7, 24), dtype=int)
    for day in (0, 1):
        for hour in range(8, 20):
            required[day, hour] = rng.choice((0, 1, 1, 2))
    agents = [Agent(f"A{1001 + i}", {"calls": 5}, 240) for i in range(2)]
    return agents, required


def brute_force_under_hours(required: np.ndarray, agents: int) -> int:
    """Fewest agent-hours short over every choice of (day, start) for each agent."""
    options = [(day, start) for day in range(7) for start in range(8, 17)]
    best = None
    for choice in itertools.product(options, repeat=agents):
        scheduled = np.zeros_like(required)
        for day, start in choice:
            scheduled[day, start : start + 4] += 1
        short = int(np.clip(required - scheduled, 0, None).sum())
        best = short if best is None else min(best, short)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimum_found_and_proven(seed):
    agents, required = instance(seed)
    rows = [
        (
            "calls",
            datetime.combine(WEEK + timedelta(days=d), datetime.min.time()) + timedelta(hours=h),
            required[d, h],
        )
        for d in range(7)
        for h in range(24)
        if required[d, h]
    ]
    frame = pd.DataFrame(rows, columns=["skill", "ds", "required"])
    result = solve_roster(
        agents, [FOUR_HOURS], frame, WEEK, rules=RULES, time_limit_s=10, num_workers=2
    )
    assert result.status == "OPTIMAL"
    assert result.gap == 0
    assert result.summary["under_coverage_h"] == brute_force_under_hours(required, len(agents))
