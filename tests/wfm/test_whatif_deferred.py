"""What-if with deferred channels: the engine says whether a plan keeps both the voice
target and each deferred channel's response target.

The scenario is the shipped M/M/n queue (one day, 0.02 calls/s, AHT 180 s) with an
e-mail channel added: 480 e-mails a day, 300 s each, answered within 120 minutes of wall
clock, worked by the same agents when no call waits and two colleagues stay idle
(``deferred_reserve = 2``).
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pandas as pd
import pytest

from acd.scenario import parse_scenario
from wfm.staffing import (
    QueuePolicy,
    StaffingConfig,
    deferred_requirements,
    deferred_targets,
    requirements,
)
from wfm.whatif import (
    comparison_summary,
    deferred_groups,
    format_comparison_summary,
    roster_from_requirements,
    simulate_plan,
    write_roster,
)

CALLS_PER_DAY = 1728  # 0.02 calls per second
EMAILS_PER_HALF_HOUR = 10.0
CONFIG = StaffingConfig(defaults=QueuePolicy(model="erlang_c", max_occupancy=1.0))
DS = pd.date_range("2026-09-01", periods=48, freq="30min")


def blended_mmn():
    text = (resources.files("acd") / "scenarios" / "mmn.toml").read_text()
    text = text.replace(
        "skills = { q = 1 }\n", 'skills = { q = 1 }\ndeferred = ["email"]\ndeferred_reserve = 2\n'
    )
    text = text.replace("daily_volume = 4320 ", f"daily_volume = {CALLS_PER_DAY} ")
    text += f"""
[[deferred_channels]]
name = "email"
channel = "email"
handle = 300
target_minutes = 120
business_hours = false
[deferred_channels.arrivals]
daily_volume = {EMAILS_PER_HALF_HOUR * 48}
weekly = [1, 1, 1, 1, 1, 1, 1]
intraday = "flat"
"""
    return parse_scenario(tomllib.loads(text))


def plans(scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(voice requirement, e-mail requirement) for the day."""
    rate = CALLS_PER_DAY / 86_400
    voice = requirements(
        pd.DataFrame({"queue": "q", "ds": DS, "calls": rate * 1800, "aht_s": 180.0}), CONFIG
    )
    targets, _ = deferred_targets(CONFIG, scenario)
    email, _ = deferred_requirements(
        pd.DataFrame({"queue": "email", "ds": DS, "calls": EMAILS_PER_HALF_HOUR, "aht_s": 300.0}),
        CONFIG,
        targets,
    )
    return voice, email


def test_a_plan_for_both_keeps_both_targets_and_voice_alone_does_not():
    scenario = blended_mmn()
    assert deferred_groups(scenario) == {"email": "agents"}
    voice, email = plans(scenario)
    # e-mail: 10 x 300 s every half hour = 1.67 agents once the 2-hour windows fill
    assert email["agents_fte"].max() == pytest.approx(10 * 300 / 1800)
    both = simulate_plan(pd.concat([voice, email]), scenario, config=CONFIG, seed=3)
    summary = comparison_summary(both.comparison, 0.05, config=CONFIG, deferred=both.deferred)
    q, mail = summary["queues"]["q"], summary["deferred"]["email"]
    assert q["measure"] == "service_level" and q["kept"] is True
    assert mail["kept"] is True and mail["share_in_target"] >= 0.9
    # items due after the simulated day are left out of the share
    assert 0 < mail["due"] < mail["arrived"]
    assert mail["responded_in_target"] >= mail["in_target"]
    assert mail["target_minutes"] == 120 and mail["goal"] == 0.9
    text = format_comparison_summary(summary)
    assert "90% within 120 min" in text and "service level 80% within 20 s" in text

    alone = simulate_plan(voice, scenario, config=CONFIG, seed=3)
    summary = comparison_summary(alone.comparison, 0.05, config=CONFIG, deferred=alone.deferred)
    assert summary["deferred"]["email"]["kept"] is False
    assert summary["deferred"]["email"]["share_in_target"] < mail["share_in_target"]
    assert "NO" in format_comparison_summary(summary)


def test_simulating_a_roster_reports_the_deferred_channels(tmp_path):
    scenario = blended_mmn()
    voice, email = plans(scenario)
    rows, staffed = roster_from_requirements(pd.concat([voice, email]), scenario, 30)
    path = tmp_path / "roster.csv"
    write_roster(rows, path)
    outcome = simulate_plan(voice, staffed, config=CONFIG, roster=path, seed=3)
    assert set(outcome.deferred) == {"email"}
    assert outcome.deferred["email"]["kept"] is True
    assert set(outcome.comparison["queue"]) == {"q"}  # the comparison stays voice only
