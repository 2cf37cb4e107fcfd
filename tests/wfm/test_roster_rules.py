"""A small week solved by CP-SAT: every hard rule holds in the exported CSV, and the
coverage recomputed from that CSV alone equals the reported coverage."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from acd.agents import read_roster
from wfm.roster.domain import Agent, Rules, ShiftTemplate
from wfm.roster.exports import write_roster_csv
from wfm.roster.solver import solve_roster

WEEK = date(2026, 11, 23)  # Monday
DAY = ShiftTemplate(
    "day",
    length_min=480,
    start_earliest_min=7 * 60,
    start_latest_min=13 * 60,
    start_step_min=60,
    lunch_min=30,
    lunch_window_min=(180, 240),
    break_min=15,
    break_windows_min=((60, 120), (300, 420)),
)
NIGHT = ShiftTemplate(
    "night",
    length_min=480,
    start_earliest_min=22 * 60,
    start_latest_min=22 * 60,
    lunch_min=0,
    break_min=15,
    break_windows_min=((180, 300),),
)
TEMPLATES = {"day": DAY, "night": NIGHT}
RULES = Rules(
    min_days_per_week=3,
    max_days_per_week=5,
    min_rest_min=11 * 60,
    max_consecutive_days=4,
    min_weekend_days_off=1,
)
WEEKDAYS_ONLY = {d: ((6 * 60, 21 * 60),) for d in range(5)}
MON_TO_SAT = {d: ((6 * 60, 21 * 60),) for d in range(6)}
AGENTS = [
    Agent("A1001", {"sales": 7}, 5 * 450, availability=MON_TO_SAT),
    Agent("A1002", {"sales": 7}, 5 * 450, days_off=frozenset({WEEK + timedelta(days=2)})),
    Agent("A1003", {"sales": 5}, 4 * 450, preferred_start=(7 * 60, 9 * 60)),
    Agent("A1004", {"support": 8}, 5 * 450, templates=("day", "night")),
    Agent(
        "A1005",
        {"support": 6},
        4 * 450,
        availability={**WEEKDAYS_ONLY, 5: ((8 * 60, 20 * 60),), 6: ((8 * 60, 20 * 60),)},
    ),
    Agent("A1006", {"support": 6}, 3 * 450, templates=("day", "night")),
    Agent("A1007", {"sales": 4}, 3 * 450, days_off=frozenset({WEEK, WEEK + timedelta(days=6)})),
]


def requirements() -> pd.DataFrame:
    rows = []
    for day in range(7):
        midnight = datetime.combine(WEEK + timedelta(days=day), datetime.min.time())
        for half_hour in range(14, 42):  # 07:00 - 21:00
            ds = midnight + timedelta(minutes=30 * half_hour)
            rows.append(("sales", ds, 3 if 18 <= half_hour < 30 else 1))
            rows.append(("support", ds, 2 if half_hour < 34 else 1))
        if day in (3, 4):  # Thursday and Friday nights
            for half_hour in range(44, 48):
                rows.append(("support", midnight + timedelta(minutes=30 * half_hour), 1))
    return pd.DataFrame(rows, columns=["skill", "ds", "required"])


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    result = solve_roster(
        AGENTS, [DAY, NIGHT], requirements(), WEEK, rules=RULES, time_limit_s=4, num_workers=2
    )
    path = write_roster_csv(result.activities, tmp_path_factory.mktemp("roster") / "roster.csv")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return result, path, rows


def parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def plans(rows: list[dict]) -> dict[str, dict[date, dict]]:
    """agent -> day -> {shift: (start, end), pauses: [(kind, start, end)]}."""
    result: dict[str, dict[date, dict]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        day = date.fromisoformat(row["date"])
        span = (parse(row["start"]), parse(row["end"]))
        plan = result[row["agent_id"]][day]
        if row["activity"] == "shift":
            plan["shift"] = span
        else:
            plan.setdefault("pauses", []).append((row["activity"], *span))
    return result


def test_header_and_activities(solved):
    _, path, rows = solved
    assert path.read_text().splitlines()[0] == "agent_id,date,activity,start,end"
    assert {row["activity"] for row in rows} <= {"shift", "break", "lunch"}


def test_engine_reads_the_roster(solved):
    result, path, _ = solved
    read = read_roster(path, "Asia/Shanghai", {a.agent_id for a in AGENTS})
    assert len(read) == sum(1 for a in result.activities if a.activity == "shift")


def test_days_hours_and_requested_days_off(solved):
    _, _, rows = solved
    by_agent = plans(rows)
    for agent in AGENTS:
        days = by_agent[agent.agent_id]
        assert RULES.min_days_per_week <= len(days) <= RULES.max_days_per_week
        paid = 0.0
        for plan in days.values():
            start, end = plan["shift"]
            paid += (end - start).total_seconds() / 60
            paid -= sum(
                (b - a).total_seconds() / 60 for k, a, b in plan.get("pauses", []) if k == "lunch"
            )
        assert paid == agent.contract_min, agent.agent_id
        assert not set(days) & agent.days_off


def test_rest_consecutive_days_and_weekends(solved):
    _, _, rows = solved
    for agent_id, days in plans(rows).items():
        shifts = sorted(plan["shift"] for plan in days.values())
        for (_, first_end), (second_start, _) in itertools.pairwise(shifts):
            assert second_start - first_end >= timedelta(minutes=RULES.min_rest_min), agent_id
        worked = sorted(days)
        run = longest = 1
        for a, b in itertools.pairwise(worked):
            run = run + 1 if (b - a).days == 1 else 1
            longest = max(longest, run)
        assert longest <= RULES.max_consecutive_days, agent_id
        assert sum(d.weekday() >= 5 for d in worked) <= 2 - RULES.min_weekend_days_off


def test_availability_and_templates(solved):
    _, _, rows = solved
    for agent in AGENTS:
        for day, plan in plans(rows)[agent.agent_id].items():
            start, end = plan["shift"]
            start_min = start.hour * 60 + start.minute
            end_min = start_min + int((end - start).total_seconds() // 60)
            if agent.availability is not None:
                windows = agent.availability.get(day.weekday(), ())
                assert any(lo <= start_min and end_min <= hi for lo, hi in windows)
            template = NIGHT if start_min >= 22 * 60 else DAY
            assert template.name in (agent.templates or TEMPLATES)
            assert template.start_earliest_min <= start_min <= template.start_latest_min
            assert end - start == timedelta(minutes=template.length_min)


def test_breaks_and_lunch_inside_their_windows(solved):
    _, _, rows = solved
    for days in plans(rows).values():
        for plan in days.values():
            start, end = plan["shift"]
            template = NIGHT if start.hour >= 22 else DAY
            pauses = sorted(plan.get("pauses", []), key=lambda p: p[1])
            breaks = [p for p in pauses if p[0] == "break"]
            lunches = [p for p in pauses if p[0] == "lunch"]
            assert len(breaks) == len(template.break_windows_min)
            assert len(lunches) == (1 if template.lunch_min else 0)
            for (_, a, b), (lo, hi) in zip(breaks, template.break_windows_min, strict=True):
                assert lo <= (a - start).total_seconds() / 60 <= hi
                assert b - a == timedelta(minutes=template.break_min)
            for _, a, b in lunches:
                lo, hi = template.lunch_window_min
                assert lo <= (a - start).total_seconds() / 60 <= hi
                assert b - a == timedelta(minutes=template.lunch_min)
            for (_, _, b), (_, c, _) in itertools.pairwise(pauses):
                assert b <= c  # no overlap
            assert all(start <= a and b <= end for _, a, b in pauses)


def test_coverage_recomputed_from_the_csv(solved):
    result, _, rows = solved
    skill_of = {a.agent_id: next(iter(a.skills)) for a in AGENTS}  # single-skill agents
    minutes: dict[tuple[str, datetime], int] = defaultdict(int)
    for agent_id, days in plans(rows).items():
        for plan in days.values():
            start, end = plan["shift"]
            off = [(a, b) for _, a, b in plan.get("pauses", [])]
            moment = start
            while moment < end:
                if not any(a <= moment < b for a, b in off):
                    slot = moment.replace(minute=moment.minute // 30 * 30)
                    minutes[(skill_of[agent_id], slot)] += 1
                moment += timedelta(minutes=1)
    week_end = datetime.combine(WEEK + timedelta(days=7), datetime.min.time())
    expected = {key: value / 30 for key, value in minutes.items() if key[1] < week_end}
    reported = {
        (row.skill, row.ds.to_pydatetime()): row.scheduled
        for row in result.coverage.itertuples()
        if row.scheduled > 0
    }
    assert reported.keys() == expected.keys()
    for key, value in expected.items():
        assert reported[key] == pytest.approx(value)
    need = requirements()
    got = need.apply(lambda r: expected.get((r.skill, r.ds.to_pydatetime()), 0.0), axis=1)
    coverage_pct = 100 * (got.clip(upper=need.required)).sum() / need.required.sum()
    assert result.summary["coverage_pct"] == pytest.approx(coverage_pct, abs=0.01)
    assert result.summary["understaffed_intervals"] == int((got < need.required - 1e-9).sum())


def test_the_run_reports_status_and_gap(solved):
    result, _, _ = solved
    assert result.status in ("OPTIMAL", "FEASIBLE", "GREEDY")
    assert result.objective >= result.best_bound - 1e-6
    assert 0 <= result.gap <= 1 or result.gap != result.gap
