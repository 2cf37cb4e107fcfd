"""Blended rosters: voice and deferred-channel requirements covered together.

A deferred channel (requirement method ``workload``) is a skill like any other: only
agents with the skill cover it, and an agent counts once per minute whichever skill the
minute goes to. Voice first: when a multi-skilled agent could cover either, the voice
requirement gets them (``Weights.deferred_under < Weights.under``; coverage allocates
voice before deferred channels).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from acd.scenario import load_scenario
from wfm.roster.coverage import allocate
from wfm.roster.domain import Agent, Rules, ShiftTemplate
from wfm.roster.inputs import agents_from_scenario, requirements_from_staffing
from wfm.roster.solver import solve_roster

WEEK = date(2026, 11, 23)  # a Monday
DAY = ShiftTemplate("day", length_min=480, start_earliest_min=8 * 60, start_latest_min=8 * 60)
RULES = Rules(min_days_per_week=0, max_days_per_week=5, min_weekend_days_off=0)


def monday(hours: range) -> list[datetime]:
    return [datetime(2026, 11, 23, h, m) for h in hours for m in (0, 30)]


def requirement(email: float = 1.0) -> pd.DataFrame:
    """Monday 08:00-16:00: one agent on booking (voice) and ``email`` on e-mail."""
    ds = monday(range(8, 16))
    return pd.concat(
        [
            pd.DataFrame({"skill": "booking", "ds": ds, "required": 1.0, "method": "erlang_a"}),
            pd.DataFrame({"skill": "email", "ds": ds, "required": email, "method": "workload"}),
        ],
        ignore_index=True,
    )


def agent(agent_id: str, *skills: str) -> Agent:
    return Agent(agent_id, dict.fromkeys(skills, 5), contract_min=480)


def covered(result, skill: str) -> pd.Series:
    frame = result.coverage[result.coverage["skill"] == skill]
    return frame.set_index("ds")["scheduled"]


def solve(agents: list[Agent], req: pd.DataFrame):
    return solve_roster(agents, [DAY], req, WEEK, rules=RULES, time_limit_s=10, num_workers=1)


def test_voice_and_email_are_covered_together():
    # A1 only takes calls, A2 is blended (booking and e-mail): A1 on booking, A2 on e-mail.
    result = solve([agent("A1", "booking"), agent("A2", "booking", "email")], requirement())
    assert result.status == "OPTIMAL"
    assert result.summary["coverage_pct"] == 100.0
    assert (covered(result, "booking") == 1).all() and (covered(result, "email") == 1).all()
    assert len(covered(result, "email")) == 16


def test_without_email_skilled_agents_email_stays_uncovered():
    result = solve([agent("A1", "booking"), agent("A3", "booking")], requirement())
    assert (covered(result, "booking") >= 1).all()
    email = result.coverage[result.coverage["skill"] == "email"]
    assert len(email) == 16 and (email["required"] == 1).all() and (email["scheduled"] == 0).all()
    assert result.summary["under_coverage_h"] == pytest.approx(8.0)
    assert any("'email' is required" in w and "no agent has it" in w for w in result.warnings)


def test_voice_keeps_priority_over_email():
    # One blended agent for one voice and one e-mail requirement: the agent covers the
    # voice queue; e-mail is what stays short (voice costs 100 per slot-agent short,
    # e-mail 50). The voice queue is named "sales" so that it does not come first by name:
    # with both at the same weight (no method column) this agent goes to e-mail.
    req = requirement()
    req["skill"] = req["skill"].replace({"booking": "sales"})
    result = solve([agent("A2", "sales", "email")], req)
    assert (covered(result, "sales") == 1).all()
    assert (covered(result, "email") == 0).all()
    assert result.parameters["deferred_skills"] == ["email"]
    assert result.objective == 16 * 50 * 2  # 16 half hours x 2 slots x 50 (e-mail short)
    plain = solve([agent("A2", "sales", "email")], req.drop(columns="method"))
    assert plain.summary["under_coverage_h"] == pytest.approx(8.0)
    assert plain.objective == 16 * 100 * 2


def test_fractional_email_shares_a_blended_agent():
    # 0.5 agent of e-mail and 0.5 of booking: one blended agent covers both halves.
    req = requirement(email=0.5)
    req.loc[req["skill"] == "booking", "required"] = 0.5
    result = solve([agent("A2", "booking", "email")], req)
    assert result.summary["coverage_pct"] == 100.0
    assert covered(result, "email").to_numpy() == pytest.approx(0.5)


def test_allocate_serves_voice_before_deferred_channels():
    supply = {("booking", "email"): 30.0}
    demand = {"booking": 30.0, "email": 30.0}
    flow = allocate(supply, demand, last=frozenset({"email"}))
    assert flow.get((("booking", "email"), "booking")) == pytest.approx(30.0)
    assert flow.get((("booking", "email"), "email"), 0.0) == 0.0
    # a voice-only agent is rerouted so that the blended one is free for e-mail
    supply = {("booking",): 30.0, ("booking", "email"): 30.0}
    flow = allocate(supply, demand, last=frozenset({"email"}))
    assert flow[(("booking",), "booking")] == pytest.approx(30.0)
    assert flow[(("booking", "email"), "email")] == pytest.approx(30.0)


def test_scenario_agents_get_their_groups_deferred_channels():
    agents, _ = agents_from_scenario(load_scenario("airline"))
    by_team = {a.team: a for a in agents}
    # booking: skills booking 8, general 5; deferred web_callback, email, voicemail
    assert by_team["booking"].skills == {
        "booking": 8,
        "general": 5,
        "web_callback": 1,
        "email": 1,
        "voicemail": 1,
    }
    assert by_team["booking"].primary_skill == "booking"
    assert set(by_team["english"].skills) == {"english", "booking", "email", "sms"}
    assert set(by_team["senior"].skills) == {"complaints", "change_refund", "general"}


def test_staffing_rows_of_deferred_channels_use_unrounded_agents():
    ds = pd.Timestamp("2026-11-23 08:00")
    frame = pd.DataFrame(
        {
            "queue": ["booking", "email"],
            "ds": [ds, ds],
            "model": ["erlang_a", "workload"],
            "agents_raw": [3, 1],
            "agents_fte": [3.0, 0.4],
        }
    )
    req = requirements_from_staffing(frame)
    assert list(req["required"]) == [3.0, 0.4]
    assert list(req["method"]) == ["erlang_a", "workload"]
    # a store written before deferred channels has no agents_fte: agents_raw as before
    old = requirements_from_staffing(frame.drop(columns="agents_fte"))
    assert list(old["required"]) == [3.0, 1.0]


def test_week_with_deferred_requirement_on_other_days_only_counts_its_skill():
    # e-mail required on Tuesday only; the voice-only agent can never cover it
    req = requirement()
    tuesday = req["skill"] == "email"
    req.loc[tuesday, "ds"] = req.loc[tuesday, "ds"] + timedelta(days=1)
    result = solve([agent("A1", "booking"), agent("A2", "booking", "email")], req)
    assert result.summary["coverage_pct"] == 100.0
    shifts = {(a.agent_id, a.day) for a in result.activities if a.activity == "shift"}
    assert ("A2", WEEK + timedelta(days=1)) in shifts and ("A1", WEEK) in shifts
