"""Bad input gives one clear message: infeasible agents, unknown skills, empty weeks,
malformed agents and requirements files; the scenario's agents match the engine's."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from acd.agents import agent_ids
from acd.scenario import load_scenario
from wfm.roster.domain import Agent, RosterInputError, Rules, ShiftTemplate
from wfm.roster.inputs import (
    agents_from_scenario,
    parse_availability,
    read_agents_csv,
    read_requirements_csv,
    standard_template,
)
from wfm.roster.solver import solve_roster

WEEK = date(2026, 11, 23)
SHIFT = ShiftTemplate(
    "eight", 480, 8 * 60, 12 * 60, start_step_min=60, break_min=15, break_windows_min=((120, 240),)
)


def demand(skills=("calls",), per_interval=2, week=WEEK) -> pd.DataFrame:
    rows = [
        (
            skill,
            datetime.combine(week + timedelta(days=d), datetime.min.time()) + timedelta(minutes=m),
            per_interval,
        )
        for skill in skills
        for d in range(7)
        for m in range(8 * 60, 20 * 60, 30)
    ]
    return pd.DataFrame(rows, columns=["skill", "ds", "required"])


def solve(agents, requirements, **kwargs):
    return solve_roster(
        agents, [SHIFT], requirements, WEEK, time_limit_s=2, num_workers=1, **kwargs
    )


def test_too_few_available_days_names_the_agent_and_the_rule():
    agent = Agent(
        "A1007",
        {"calls": 5},
        0,
        availability={0: ((0, 1440),), 1: ((0, 1440),), 2: ((0, 1440),)},
    )
    with pytest.raises(RosterInputError) as error:
        solve([agent], demand(), rules=Rules(min_days_per_week=5))
    assert str(error.value).startswith(
        "agent A1007: 5 working days a week needed but only 3 available day(s) (mon, tue, wed)"
    )


def test_contract_that_does_not_fit_is_explained_and_can_be_skipped():
    short_week = Agent(
        "A1002", {"calls": 5}, 5 * 480, days_off=frozenset({WEEK, WEEK + timedelta(1)})
    )
    fine = Agent("A1001", {"calls": 5}, 5 * 480)
    with pytest.raises(
        RosterInputError, match=r"agent A1002: 40 h contracted but at most 32 h fit"
    ):
        solve([fine, short_week], demand())
    result = solve([fine, short_week], demand(), on_infeasible="skip")
    assert {a.agent_id for a in result.activities} == {"A1001"}
    assert any(w.startswith("agent A1002") and "left out" in w for w in result.warnings)


def test_skill_nobody_has_is_named_and_the_rest_still_rostered():
    agents = [Agent(f"A{1001 + i}", {"calls": 5}, 5 * 480) for i in range(2)]
    result = solve(agents, demand(skills=("calls", "french")))
    assert any("'french'" in w and "no agent has it" in w for w in result.warnings)
    french = result.coverage[result.coverage.skill == "french"]
    assert len(french) == 7 * 24 and (french.scheduled == 0).all()
    calls = result.coverage[result.coverage.skill == "calls"]
    assert calls.scheduled.sum() > 0


def test_too_few_agents_is_under_coverage_not_an_error():
    result = solve([Agent("A1001", {"calls": 5}, 5 * 480)], demand(per_interval=6))
    assert result.summary["coverage_pct"] < 50
    assert result.summary["understaffed_intervals"] == 7 * 24


def test_week_without_requirements():
    with pytest.raises(RosterInputError, match="no requirements for the week starting 2026-11-23"):
        solve([Agent("A1001", {"calls": 5}, 480)], demand(week=WEEK + timedelta(days=14)))


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_agents_csv_round_trip(tmp_path):
    path = write(
        tmp_path / "agents.csv",
        "agent_id,skills,contract_hours,team,availability,days_off,preferred_start,shifts\n"
        "A1001,booking:8;general:5,40,blue,mon-fri 07:00-23:00;sat 09:00-18:00,2026-11-25,early,\n"
        "A1002,english,30,red,sun 22:00-07:00,,10:00-12:30,full;part\n",
    )
    first, second = read_agents_csv(path)
    assert first.skills == {"booking": 8, "general": 5}
    assert first.contract_min == 2400
    assert first.availability[0] == ((420, 1380),) and first.availability[5] == ((540, 1080),)
    assert 6 not in first.availability
    assert first.days_off == frozenset({date(2026, 11, 25)})
    assert first.preferred_start == (0, 719)
    assert second.skills == {"english": 5}
    assert second.availability == {6: ((1320, 1860),)}  # overnight: ends 07:00 next day
    assert second.preferred_start == (600, 750)
    assert second.templates == ("full", "part")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agent_id,skills\nA1,calls\n", "missing column(s) contract_hours"),
        (
            "agent_id,skills,contract_hours\nA1,calls:11,40\n",
            ":2: skills: level of 'calls' must be 1..10",
        ),
        ("agent_id,skills,contract_hours\nA1,calls,forty\n", ":2: contract_hours must be a number"),
        ("agent_id,skills,contract_hours\nA1,,40\n", ":2: skills: at least one skill needed"),
        (
            "agent_id,skills,contract_hours\nA1,calls,40\nA1,calls,40\n",
            ":3: agent_id A1 appears twice",
        ),
        (
            "agent_id,skills,contract_hours,availability\nA1,calls,40,weekdays 07:00-19:00\n",
            ":2: availability: unknown day 'weekdays'",
        ),
        (
            "agent_id,skills,contract_hours,days_off\nA1,calls,40,25/11/2026\n",
            ":2: days_off: expected YYYY-MM-DD",
        ),
        ("agent_id,skills,contract_hours\n", "no agents (the file has a header only)"),
    ],
)
def test_malformed_agents_csv(tmp_path, text, message):
    with pytest.raises(RosterInputError) as error:
        read_agents_csv(write(tmp_path / "agents.csv", text))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skill,ds\ncalls,2026-11-23 08:00\n", "missing column(s) required"),
        ("skill,ds,required\ncalls,2026-11-23 08:00,2\ncalls,monday,3\n", ":3: bad ds"),
        ("skill,ds,required\ncalls,2026-11-23 08:00,-1\n", ":2: bad required"),
        ("", "empty file"),
    ],
)
def test_malformed_requirements_csv(tmp_path, text, message):
    with pytest.raises(RosterInputError) as error:
        read_requirements_csv(write(tmp_path / "req.csv", text))
    assert message in str(error.value)


def test_requirements_csv_reads(tmp_path):
    frame = read_requirements_csv(
        write(tmp_path / "req.csv", "skill,ds,required\ncalls,2026-11-23 08:30,2.5\n")
    )
    assert frame.to_dict("records") == [
        {"skill": "calls", "ds": pd.Timestamp("2026-11-23 08:30"), "required": 2.5}
    ]


def test_availability_and_template_validation():
    assert parse_availability("", "x") is None
    with pytest.raises(RosterInputError, match="expected 'DAYS HH:MM-HH:MM'"):
        parse_availability("07:00-19:00", "x")
    with pytest.raises(RosterInputError, match="windows must be in order"):
        ShiftTemplate(
            "bad",
            480,
            480,
            600,
            lunch_min=30,
            lunch_window_min=(60, 120),
            break_windows_min=((100, 200),),
        ).validate()
    template = standard_template("full", 510, 420, 870)
    assert template.lunch_window_min == (180, 300)  # 3 to 5 hours after the start
    assert template.paid_min == 480 and template.net_min == 450


def test_scenario_agents_match_the_engine():
    scenario = load_scenario("airline")
    agents, templates = agents_from_scenario(scenario)
    assert [a.agent_id for a in agents] == agent_ids(scenario)
    assert {t.name for t in templates} == {g.name for g in scenario.agent_groups}
    assert all(a.contract_min == 5 * 480 for a in agents if a.team == "booking")
