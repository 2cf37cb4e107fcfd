"""The roster counts the end of the week before: rest after last week's last shift and
the days already worked in a row (``Agent.previous``, filled from the planning store)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from wfm.roster.domain import Agent, PreviousWeek, RosterInputError, Rules, ShiftTemplate
from wfm.roster.inputs import previous_weeks
from wfm.roster.service import RosterRequest, run_roster
from wfm.roster.solver import solve_roster
from wfm.roster.store import latest_roster

WEEK = date(2026, 11, 23)  # Monday
DAY = ShiftTemplate(
    "day",
    length_min=480,
    start_earliest_min=7 * 60,
    start_latest_min=13 * 60,
    start_step_min=60,
    lunch_min=0,
    break_min=0,
)
FREE = Rules(
    min_days_per_week=0,
    max_days_per_week=7,
    min_rest_min=11 * 60,
    max_consecutive_days=4,
    min_weekend_days_off=0,
    hours_tolerance_min=480 * 5,
)


def requirement(days: range, first_hour: int = 7, last_hour: int = 15) -> pd.DataFrame:
    """One agent needed from ``first_hour`` to ``last_hour`` on ``days`` of the week."""
    rows = []
    for day in days:
        midnight = datetime.combine(WEEK + timedelta(days=day), datetime.min.time())
        for minute in range(first_hour * 60, last_hour * 60, 30):
            rows.append(("sales", midnight + timedelta(minutes=minute), 1))
    return pd.DataFrame(rows, columns=["skill", "ds", "required"])


def shifts(result) -> dict[date, tuple[datetime, datetime]]:
    return {a.day: (a.start, a.end) for a in result.activities if a.activity == "shift"}


def solve(agent: Agent, rules: Rules = FREE, days: range = range(7)):
    return solve_roster(
        [agent], [DAY], requirement(days), WEEK, rules=rules, time_limit_s=5, num_workers=1
    )


def test_previous_weeks_from_stored_shifts() -> None:
    def row(agent: str, day: date, start: str, end: str, activity: str = "shift") -> tuple:
        return (agent, day, activity, datetime.fromisoformat(start), datetime.fromisoformat(end))

    sunday, saturday = WEEK - timedelta(days=1), WEEK - timedelta(days=2)
    frame = pd.DataFrame(
        [
            # A: Wednesday to Sunday, the last a night shift ending Monday 06:00
            *(
                row(
                    "A",
                    WEEK - timedelta(days=k),
                    f"{WEEK - timedelta(days=k)} 09:00",
                    f"{WEEK - timedelta(days=k)} 17:00",
                )
                for k in (5, 4, 3, 2)
            ),
            row("A", sunday, f"{sunday} 22:00", f"{WEEK} 06:00"),
            row("A", sunday, f"{sunday} 23:00", f"{sunday} 23:15", "break"),
            # B: last worked Friday until 17:00; Saturday and Sunday off
            row(
                "B",
                WEEK - timedelta(days=3),
                f"{WEEK - timedelta(days=3)} 09:00",
                f"{WEEK - timedelta(days=3)} 17:00",
            ),
            # C: only a shift of the new week itself, which does not count
            row("C", WEEK, f"{WEEK} 09:00", f"{WEEK} 17:00"),
            # D: Saturday only, so no day in a row up to the week
            row("D", saturday, f"{saturday} 08:00", f"{saturday} 16:00"),
        ],
        columns=["agent_id", "date", "activity", "start_local", "end_local"],
    )
    got = previous_weeks(frame, WEEK)
    assert got == {
        "A": PreviousWeek(last_end_min=6 * 60, worked_days=5),
        "B": PreviousWeek(last_end_min=-(2 * 1440 + 7 * 60), worked_days=0),
        "D": PreviousWeek(last_end_min=-(1440 + 8 * 60), worked_days=0),
    }
    assert previous_weeks(frame.iloc[0:0], WEEK) == {}


def test_rest_after_last_weeks_late_shift_moves_mondays_start() -> None:
    agent = Agent("A1", {"sales": 5}, 480 * 3)
    fresh = shifts(solve(agent))
    assert fresh[WEEK][0].hour == 7  # the requirement starts at 07:00
    # last week's shift ended Sunday 23:00: 11 h of rest allow Monday from 10:00 only
    late = Agent("A1", {"sales": 5}, 480 * 3, previous=PreviousWeek(last_end_min=-60))
    carried = shifts(solve(late))
    if WEEK in carried:
        assert carried[WEEK][0] >= datetime.combine(WEEK, datetime.min.time()).replace(hour=10)
    assert any(day > WEEK for day in carried)


def test_days_worked_before_the_week_count_towards_consecutive_days() -> None:
    # max 4 in a row; needed Monday to Thursday only, and the contract asks for all four
    agent = Agent("A1", {"sales": 5}, 480 * 4)
    monday_to_thursday = [WEEK + timedelta(days=d) for d in range(4)]
    assert sorted(shifts(solve(agent, days=range(4)))) == monday_to_thursday
    for worked in (4, 2):
        before = PreviousWeek(last_end_min=-7 * 60, worked_days=worked)
        got = shifts(solve(Agent("A1", {"sales": 5}, 480 * 4, previous=before), days=range(4)))
        run = worked  # days in a row, counted on from the week before
        for day in range(7):
            run = run + 1 if WEEK + timedelta(days=day) in got else 0
            assert run <= FREE.max_consecutive_days, (worked, sorted(got))
        if worked == 4:
            assert WEEK not in got  # four days already: Monday off
        else:
            assert not set(monday_to_thursday[:3]) <= set(got)  # one of Mon-Wed off


def test_an_agent_whose_week_cannot_follow_the_last_is_diagnosed() -> None:
    rules = Rules(
        min_days_per_week=1,
        max_days_per_week=5,
        max_consecutive_days=5,
        min_weekend_days_off=0,
        hours_tolerance_min=0,
    )
    monday_only = {0: ((6 * 60, 22 * 60),)}
    agent = Agent(
        "A9",
        {"sales": 5},
        480,
        availability=monday_only,
        previous=PreviousWeek(last_end_min=-60, worked_days=5),
    )
    with pytest.raises(RosterInputError, match="5 day\\(s\\) worked in a row before the week"):
        solve(agent, rules=rules, days=range(1))


def test_a_stored_week_carries_into_the_next(tmp_path) -> None:
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "agent_id,skills,contract_hours,team,availability,days_off,preferred_start,shifts\n"
        "A1001,sales:8,40,blue,,,,full\n"
        "A1002,sales:6,40,blue,,,late,full\n"
        "A1003,sales:7,30,red,,,early,part\n"
    )
    frames = []
    for week in (WEEK, WEEK + timedelta(days=7)):
        rows = []
        for day in range(7):
            midnight = datetime.combine(week + timedelta(days=day), datetime.min.time())
            for minute in range(6 * 60, 23 * 60, 30):
                rows.append(("sales", midnight + timedelta(minutes=minute), 2))
        frames.append(pd.DataFrame(rows, columns=["skill", "ds", "required"]))
    rules = Rules(max_consecutive_days=5, min_weekend_days_off=0, max_days_per_week=6)
    planning = tmp_path / "planning.duckdb"
    outcomes = []
    for week, frame in zip((WEEK, WEEK + timedelta(days=7)), frames, strict=True):
        request = RosterRequest(
            planning_db=planning,
            week_start=week,
            time_limit_s=5,
            agents_csv=agents,
            requirements=frame,
            out=None,
            rules=rules,
        )
        outcomes.append(run_roster(request))
    assert outcomes[0]["carried_over_agents"] == 0
    assert outcomes[1]["carried_over_agents"] == 3
    stored = pd.concat(
        [latest_roster(planning, WEEK), latest_roster(planning, WEEK + timedelta(days=7))]
    )
    stored = stored[stored["activity"] == "shift"].sort_values("start_local")
    for agent_id, own in stored.groupby("agent_id"):
        starts = own["start_local"].tolist()
        ends = own["end_local"].tolist()
        for end, start in zip(ends, starts[1:], strict=False):
            assert start - end >= timedelta(minutes=rules.min_rest_min), agent_id
        days = sorted(set(pd.to_datetime(own["date"]).dt.date))
        run = longest = 1
        for before, after in itertools.pairwise(days):
            run = run + 1 if after - before == timedelta(days=1) else 1
            longest = max(longest, run)
        assert longest <= rules.max_consecutive_days, agent_id
