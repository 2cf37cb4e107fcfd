"""What-if: a requirement turned into a roster, simulated by the engine, beside Erlang."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from acd.agents import agent_ids, read_roster
from acd.distributions import Duration
from acd.scenario import load_scenario
from callcenter_cli import main
from wfm.staffing import QueuePolicy, StaffingConfig, StaffingError, requirements
from wfm.whatif import (
    compare,
    comparison_summary,
    format_comparison_summary,
    primary_groups,
    roster_from_requirements,
    write_roster,
)


def mmn(rate_per_s: float, aht_s: float, patience_s: float):
    """The shipped M/M/n scenario with Poisson rate, exponential AHT and patience set."""
    base = load_scenario("mmn")
    call_type = base.call_types["calls"]
    call_type = dataclasses.replace(
        call_type,
        arrivals=dataclasses.replace(call_type.arrivals, daily_volume=rate_per_s * 86_400),
        talk=Duration("exponential", aht_s),
        patience=Duration("exponential", patience_s),
    )
    return dataclasses.replace(base, call_types={"calls": call_type})


def test_primary_groups_of_the_airline_scenario():
    # general is served by booking (5), service (6) and senior (7): senior is primary.
    assert primary_groups(load_scenario("airline")) == {
        "booking": "booking",
        "change_refund": "service",
        "complaints": "senior",
        "english": "english",
        "general": "senior",
    }


def test_roster_from_a_requirement_by_hand(tmp_path):
    ds = pd.date_range("2026-09-01 08:00", periods=4, freq="30min")
    requirement = pd.DataFrame({"queue": "q", "ds": ds, "agents_raw": [2, 0, 3, 1]})
    roster, scenario = roster_from_requirements(requirement, load_scenario("mmn"), 30)
    # mmn has 10 agents; absence and lateness are switched off so all planned agents work.
    assert scenario.agent_groups[0].count == 10
    assert scenario.agent_groups[0].p_absent == 0 and scenario.agent_groups[0].p_late == 0
    shown = [(a, k, f"{s:%H:%M}", f"{e:%H:%M}") for a, _, k, s, e in roster.itertuples(index=False)]
    assert shown == [
        ("A1001", "shift", "08:00", "10:00"),  # on duty 08:00, 09:00, 09:30
        ("A1001", "break", "08:30", "09:00"),
        ("A1002", "shift", "08:00", "09:30"),  # on duty 08:00 and 09:00
        ("A1002", "break", "08:30", "09:00"),
        ("A1003", "shift", "09:00", "09:30"),
    ]
    path = tmp_path / "roster.csv"
    write_roster(roster, path)
    plans = read_roster(path, scenario.center.timezone, set(agent_ids(scenario)))
    assert sorted(agent for agent, _ in plans) == ["A1001", "A1002", "A1003"]


def test_group_headcount_grows_to_the_peak():
    requirement = pd.DataFrame(
        {"queue": "q", "ds": [pd.Timestamp("2026-09-01 08:00")], "agents_raw": [25]}
    )
    roster, scenario = roster_from_requirements(requirement, load_scenario("mmn"), 30)
    assert scenario.agent_groups[0].count == 25
    assert len(roster) == 25


def test_unknown_queue_is_a_clear_error():
    requirement = pd.DataFrame(
        {"queue": "nope", "ds": [pd.Timestamp("2026-09-01 08:00")], "agents_raw": [2]}
    )
    with pytest.raises(StaffingError, match="queue\\(s\\) nope not in the scenario"):
        roster_from_requirements(requirement, load_scenario("mmn"), 30)


def test_mmn_simulation_agrees_with_erlang_a():
    # M/M/n+M: the engine's queue is exactly the model Erlang A describes. Two days of
    # 0.02 calls/s (36 per interval), AHT 180 s, patience 300 s, staffed for 80% in 20 s.
    rate, aht_s, patience_s = 0.02, 180.0, 300.0
    config = StaffingConfig(
        defaults=QueuePolicy(model="erlang_a", patience_s=patience_s, max_occupancy=1.0)
    )
    ds = pd.date_range("2026-09-01", periods=96, freq="30min")
    forecast = pd.DataFrame({"queue": "q", "ds": ds, "calls": rate * 1800, "aht_s": aht_s})
    requirement = requirements(forecast, config)
    comparison = compare(requirement, mmn(rate, aht_s, patience_s), config=config, seed=3)
    assert len(comparison) == 96
    summary = comparison_summary(comparison, 0.05)["queues"]["q"]
    # ~3,456 Poisson calls: the simulated volume is the forecast within 4 standard errors
    assert abs(summary["offered_simulated"] - 3456) < 4 * 3456**0.5
    assert summary["sl_simulated"] == pytest.approx(summary["sl_predicted"], abs=0.04)
    assert summary["intervals_flagged"] < 96 // 4
    text = format_comparison_summary(comparison_summary(comparison, 0.05))
    assert "what-if simulation" in text


def test_understaffed_roster_is_flagged(tmp_path):
    # Plan for 6 agents per interval but let the roster put only 4 on the phones.
    rate, aht_s, patience_s = 0.02, 180.0, 300.0
    config = StaffingConfig(defaults=QueuePolicy(patience_s=patience_s, max_occupancy=1.0))
    ds = pd.date_range("2026-09-01 08:00", periods=8, freq="30min")
    forecast = pd.DataFrame({"queue": "q", "ds": ds, "calls": rate * 1800, "aht_s": aht_s})
    requirement = requirements(forecast, config)
    scenario = mmn(rate, aht_s, patience_s)
    few = requirement.assign(agents_raw=4)
    rows, _ = roster_from_requirements(few, scenario, 30)
    path = tmp_path / "roster.csv"
    write_roster(rows, path)
    comparison = compare(requirement, scenario, config=config, roster=path, seed=5)
    summary = comparison_summary(comparison, 0.05)["queues"]["q"]
    assert summary["sl_simulated"] < summary["sl_predicted"] - 0.2
    assert summary["intervals_flagged"] >= 4


def test_staff_simulate_from_the_command_line(tmp_path):
    forecast = tmp_path / "forecast.csv"
    lines = ["unique_id,ds,calls,aht_s"]
    lines += [f"q,2026-09-01 {8 + i // 2:02d}:{30 * (i % 2):02d},30,180" for i in range(6)]
    forecast.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        main,
        [
            "staff",
            "--planning",
            str(tmp_path / "p.duckdb"),
            "--forecast",
            str(forecast),
            "--simulate",
            "mmn",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    whatif = json.loads(result.stdout)["whatif"]
    assert whatif["queues"]["q"]["intervals"] == 6
    assert whatif["queues"]["q"]["offered_simulated"] > 0
    result = CliRunner().invoke(
        main,
        [
            "staff",
            "--planning",
            str(tmp_path / "p.duckdb"),
            "--forecast",
            str(forecast),
            "--simulate",
            "mmn",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "what-if simulation" in result.stdout
