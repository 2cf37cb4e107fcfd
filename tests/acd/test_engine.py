"""Structural checks on every output of a real airline run, plus determinism and input errors."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from landing_files import master_csv_rows, own_csv, queue_log_lines

from acd.errors import ScenarioError
from acd.scenario import load_scenario, parse_scenario
from acd.simulate import simulate
from callcenter_cli import main

VISIT_ENDS = {"ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY"}
TALK_ENDS = {"COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ATTENDEDTRANSFER"}


def queue_visits(lines: list[list[str]]) -> list[list[str]]:
    """Per queue visit (call id, queue, in order of entry), the events that followed it."""
    open_visit: dict[tuple[str, str], list[str]] = {}
    visits: list[list[str]] = []
    for fields in lines:
        call_id, queue, event = fields[1], fields[2], fields[4]
        key = (call_id, queue)
        if event == "ENTERQUEUE":
            assert key not in open_visit or _closed(open_visit[key]), f"re-entered open visit {key}"
            open_visit[key] = ["ENTERQUEUE"]
            visits.append(open_visit[key])
        elif event in VISIT_ENDS | TALK_ENDS | {"CONNECT"}:
            assert key in open_visit, f"{event} for {key} without ENTERQUEUE"
            open_visit[key].append(event)
    return visits


def _closed(events: list[str]) -> bool:
    return events[-1] in VISIT_ENDS | TALK_ENDS


def test_every_enterqueue_ends_exactly_once(airline_run):
    out, _summary = airline_run
    visits = queue_visits(queue_log_lines(out))
    assert len(visits) > 10_000
    shapes = Counter(tuple(v) for v in visits)
    allowed = {("ENTERQUEUE", end) for end in VISIT_ENDS} | {
        ("ENTERQUEUE", "CONNECT", end) for end in TALK_ENDS
    }
    assert set(shapes) <= allowed, set(shapes) - allowed
    # Every kind of ending this scenario can produce does occur.
    seen = {shape[-1] for shape in shapes}
    assert {
        "ABANDON",
        "EXITWITHTIMEOUT",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "BLINDTRANSFER",
    } <= seen


def test_no_agent_is_in_two_calls_at_once(airline_run):
    out, _summary = airline_run
    talking: dict[str, str] = {}
    for fields in queue_log_lines(out):
        event, agent, call_id = fields[4], fields[3], fields[1]
        if event == "CONNECT":
            assert agent not in talking, f"{agent} connected to {call_id} while on {talking[agent]}"
            talking[agent] = call_id
        elif event in TALK_ENDS:
            assert talking.pop(agent) == call_id
    # The agent-state log agrees: an agent talks to, or holds, only the call that rang
    # them (or that they dialled) last; a ring the caller cancelled may be followed at
    # once by the next ring.
    rang: dict[str, str] = {}
    for row in own_csv(out, "agent_states", "agent_states"):
        agent, state, call_id = row["agent_id"], row["state"], row["call_id"]
        if state in ("ringing", "dialing"):  # dialing: the agent places a callback
            rang[agent] = call_id
        elif state in ("talking", "hold") and row["queue"]:
            assert rang.get(agent) == call_id, (agent, call_id)


def test_connect_fields_match_the_ground_truth(airline_run):
    out, _summary = airline_run
    truth = {
        (row["call_id"], row["queue"], row["outcome"]): row
        for row in own_csv(out, "truth", "call_truth")
    }
    connects = [f for f in queue_log_lines(out) if f[4] == "CONNECT"]
    assert connects
    for fields in connects:
        row = truth[(fields[1], fields[2], "answered")]
        assert int(fields[5]) == int(row["holdtime_s"])  # CONNECT data1 = holdtime
        assert fields[3] == row["agent_id"]


def test_cdr_and_queue_log_reconcile(airline_run):
    out, _summary = airline_run
    rows = master_csv_rows(out)
    assert all(len(r) == 18 for r in rows)  # the standard layout
    by_uniqueid = defaultdict(list)
    for r in rows:
        by_uniqueid[r[16]].append(r)
    queued_calls = {f[1] for f in queue_log_lines(out) if f[4] == "ENTERQUEUE"}
    assert queued_calls <= set(by_uniqueid)
    queue_rows = {r[16] for r in rows if r[7] == "Queue" and r[3] == "from-pstn"}
    assert queue_rows <= queued_calls
    for r in rows:
        duration, billsec = int(r[12]), int(r[13])
        assert 0 <= billsec <= duration
        if r[10] == "":
            assert billsec == 0 and r[14] != "ANSWERED"


def test_orders_only_come_from_booking_calls(airline_run):
    out, _summary = airline_run
    truth = own_csv(out, "truth", "call_truth")
    answered_by = {
        row["call_id"]: row["call_type"] for row in truth if row["outcome"] == "answered"
    }
    orders = own_csv(out, "orders", "orders")
    call_orders = [o for o in orders if o["call_id"]]
    assert call_orders and any(not o["call_id"] for o in orders)
    sellable = {name for name, ct in load_scenario("airline").call_types.items() if ct.p_sale}
    for order in call_orders:
        assert order["channel"] == "call_center"
        assert answered_by[order["call_id"]] in sellable
    order_ids = {o["order_id"] for o in orders}
    for event in own_csv(out, "orders", "order_events"):
        assert event["order_id"] in order_ids


def test_summary_counts_match_the_files(airline_run):
    out, summary = airline_run
    lines = queue_log_lines(out)
    for queue, counts in summary.queues.items():
        events = Counter(f[4] for f in lines if f[2] == queue)
        assert counts["offered"] == events["ENTERQUEUE"]
        assert counts["answered"] == events["CONNECT"]
        assert counts["abandoned"] == events["ABANDON"]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_scenario_and_seed_give_byte_identical_files(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    simulate("airline", date(2026, 10, 8), 1, 3, first)
    simulate("airline", date(2026, 10, 8), 1, 3, second)
    simulate("airline", date(2026, 10, 8), 1, 4, other)
    assert _digest(first) == _digest(second)
    assert _digest(first) != _digest(other)


def test_a_roster_file_decides_who_works(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agent_id,date,activity,start,end\n"
        "A1001,2026-09-01,shift,2026-09-01 07:00,2026-09-01 15:00\n"
        "A1001,2026-09-01,lunch,2026-09-01 11:00,2026-09-01 11:30\n"
        "A1130,2026-09-01,shift,2026-09-01 12:00,2026-09-01 20:00\n"
    )
    out = tmp_path / "landing"
    airline = load_scenario("airline")
    no_absence = dataclasses.replace(
        airline,
        agent_groups=tuple(dataclasses.replace(g, p_absent=0.0) for g in airline.agent_groups),
    )
    simulate(no_absence, date(2026, 9, 1), 1, 1, out, roster=roster)
    states = own_csv(out, "agent_states", "agent_states")
    assert {row["agent_id"] for row in states} == {"A1001", "A1130"}
    lunch = [r for r in states if r["agent_id"] == "A1001" and r["reason"] == "lunch"]
    assert lunch and lunch[0]["time"] >= "2026-09-01T11:00"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["queues"]["booking"].__setitem__("timeout_s", -5), "queues.booking.timeout_s"),
        (lambda d: d["center"].__setitem__("timezone", "Mars/Olympus"), "center.timezone"),
        (
            lambda d: d["call_types"]["booking"].__setitem__("p_sale", 1.5),
            "call_types.booking.p_sale",
        ),
        (lambda d: d["queues"]["booking"].__setitem__("skil", "x"), "unknown key(s) skil"),
        (lambda d: d["agent_groups"][0]["skills"].__setitem__("booking", "high"), "skills.booking"),
        (lambda d: d["ivr"]["nodes"]["main"]["choices"].__setitem__("5", "nowhere"), "nowhere"),
        (
            lambda d: d["call_types"]["booking"]["arrivals"].__setitem__("weekly", [1, 2]),
            "call_types.booking.arrivals.weekly",
        ),
    ],
)
def test_bad_scenarios_name_the_field(mutate, message):
    import tomllib
    from importlib import resources

    data = tomllib.loads((resources.files("acd") / "scenarios" / "airline.toml").read_text())
    mutate(data)
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_scenario(data)


def test_cli_reports_a_bad_scenario_in_one_line(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('name = "x"\n[center]\nname = 3\n')
    result = CliRunner().invoke(
        main, ["simulate", "--scenario", str(scenario), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "center.name" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["simulate", "--scenario", "nope", "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "unknown scenario 'nope'" in missing.output


def test_cli_json_summary(tmp_path):
    import json

    result = CliRunner().invoke(
        main,
        ["simulate", "--scenario", "mmn", "--days", "1", "--out", str(tmp_path), "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    queue = summary["queues"]["q"]
    assert queue["offered"] == queue["answered"] > 3000
    assert 0 < queue["service_level"] <= 1
