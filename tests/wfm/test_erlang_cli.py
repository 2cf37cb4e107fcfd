"""``callcenter erlang b|c|a``: the JSON contract, human output and one-line user errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from callcenter_cli import main
from wfm.erlang import (
    agents_for_service_level,
    erlang_a_agents_for_service_level,
    erlang_a_metrics,
    erlang_b,
    erlang_c_metrics,
    lines_for_blocking,
)

# 100 calls per 30 minutes, AHT 180 s: 10 Erlangs.
TRAFFIC_ARGS = "--calls 100 --interval-s 1800 --aht-s 180 --target-s 20"
TRAFFIC = TRAFFIC_ARGS.split()
RATE = 100 / 1800


def run(*args: str) -> dict:
    result = CliRunner().invoke(main, ["erlang", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_b_with_lines():
    out = run("b", "--offered-erlangs", "10", "--lines", "15")
    assert out["lines"] == 15
    assert out["blocking"] == erlang_b(10, 15)
    assert out["offered_erlangs"] == 10


def test_b_with_target_blocking():
    out = run("b", "--offered-erlangs", "8.108", "--target-blocking", "0.01")
    assert out["lines"] == lines_for_blocking(8.108, 0.01) == 15
    assert out["blocking"] == erlang_b(8.108, 15)


def test_c_with_agents():
    out = run("c", *TRAFFIC, "--agents", "14")
    expected = erlang_c_metrics(14, RATE, 180, 20)
    assert {"agents", "p_wait", "service_level", "asa_s", "occupancy"} <= out.keys()
    assert out["agents"] == 14
    assert out["p_wait"] == expected.p_wait
    assert out["service_level"] == expected.service_level
    assert out["asa_s"] == expected.asa_s
    assert out["occupancy"] == expected.occupancy
    assert out["offered_erlangs"] == pytest.approx(10)
    assert (out["calls"], out["interval_s"], out["aht_s"], out["target_s"]) == (100, 1800, 180, 20)


def test_c_with_sl_goal_and_max_occupancy():
    out = run("c", *TRAFFIC, "--sl-goal", "0.8", "--max-occupancy", "0.6")
    assert out["agents"] == agents_for_service_level(RATE, 180, 20, 0.8, 0.6) == 17
    assert out["service_level"] >= 0.8
    assert out["occupancy"] <= 0.6
    assert (out["sl_goal"], out["max_occupancy"]) == (0.8, 0.6)


def test_c_unstable_staffing_reports_unbounded_asa():
    out = run("c", *TRAFFIC, "--agents", "9")
    assert (out["p_wait"], out["service_level"], out["asa_s"]) == (1.0, 0.0, None)


def test_a_with_agents():
    out = run("a", *TRAFFIC, "--patience-s", "120", "--agents", "12")
    expected = erlang_a_metrics(12, RATE, 180, 120, 20)
    for key in (
        "agents",
        "p_wait",
        "p_abandon",
        "service_level",
        "service_level_answered",
        "asa_s",
        "occupancy",
    ):
        assert out[key] == getattr(expected, key), key
    assert out["patience_s"] == 120


def test_a_with_sl_goal():
    out = run("a", *TRAFFIC, "--patience-s", "120", "--sl-goal", "0.8")
    assert out["agents"] == erlang_a_agents_for_service_level(RATE, 180, 120, 20, 0.8)
    assert out["service_level"] >= 0.8


def test_human_output_is_aligned_lines():
    args = f"erlang a {TRAFFIC_ARGS} --patience-s 120 --agents 12".split()
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == [
        "offered_erlangs",
        "agents",
        "p_wait",
        "p_abandon",
        "service_level",
        "service_level_answered",
        "asa_s",
        "occupancy",
    ]
    assert len({line.index(line.split()[1]) for line in lines}) == 1  # values in one column


@pytest.mark.parametrize(
    ("command", "keys"),
    [
        ("b", ["lines", "blocking", "offered_erlangs"]),
        ("c", ["agents", "p_wait", "service_level", "asa_s", "occupancy"]),
        (
            "a",
            [
                "agents",
                "p_wait",
                "p_abandon",
                "service_level",
                "service_level_answered",
                "asa_s",
                "occupancy",
            ],
        ),
    ],
)
def test_help_defines_every_key(command, keys):
    result = CliRunner().invoke(main, ["erlang", command, "--help"])
    assert result.exit_code == 0
    defined = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")}
    assert set(keys) <= defined


@pytest.mark.parametrize(
    "args",
    [
        f"c {TRAFFIC_ARGS} --agents 14 --sl-goal 0.8",
        f"c {TRAFFIC_ARGS}",
        "c --calls -10 --interval-s 1800 --aht-s 180 --target-s 20 --agents 3",
        "c --calls 10 --interval-s 0 --aht-s 180 --target-s 20 --agents 3",
        f"c {TRAFFIC_ARGS} --sl-goal 1.5",
        f"c {TRAFFIC_ARGS} --sl-goal 0.8 --max-occupancy 0",
        f"c {TRAFFIC_ARGS} --agents 14 --max-occupancy 0.8",
        f"c {TRAFFIC_ARGS} --agents 0",
        f"a {TRAFFIC_ARGS} --patience-s 0 --agents 12",
        f"a {TRAFFIC_ARGS} --patience-s 60 --agents 12 --sl-goal 0.8",
        "b --offered-erlangs 10 --lines 15 --target-blocking 0.01",
        "b --offered-erlangs -1 --lines 15",
    ],
)
def test_user_errors_are_one_line_exit_2(args):
    result = CliRunner().invoke(main, ["erlang", *args.split()])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
