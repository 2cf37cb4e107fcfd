"""Routing rules on tiny centers with calls injected at known times.

Each test builds a scenario with no random arrivals, fixed handle times and agents on a
24-hour shift, injects calls, and reads what happened from the queue_log the engine
wrote, the same file a real Asterisk box would give us.
"""

from __future__ import annotations

from datetime import date

from landing_files import queue_log_lines

from acd.arrivals import day_start_epoch
from acd.engine import Simulation
from acd.scenario import parse_scenario
from acd.writers import LandingWriter

DAY = date(2026, 3, 2)


def tiny_center(
    agents: list[dict], queues: dict | None = None, talk_s: float = 100, **call_type
) -> dict:
    """A scenario document: one call type straight into queue ``q``, no IVR time."""
    return {
        "name": "tiny",
        "center": {"name": "tiny", "timezone": "UTC", "did": "100"},
        "customers": {
            "population": 10,
            "p_known": 1.0,
            "tiers": [
                {"name": "none", "share": 0.5, "priority": 0},
                {"name": "gold", "share": 0.5, "priority": 2},
            ],
        },
        "ivr": {"root": "in", "nodes": {"in": {"kind": "queue", "queue": "q"}}},
        "queues": queues or {"q": {"skill": "q", "ring": 0}},
        "call_types": {
            "calls": {
                "talk": talk_s,
                "patience": 1e9,
                "p_caller_hangup": 1.0,
                "arrivals": {"daily_volume": 0, "weekly": [1] * 7, "intraday": "flat"},
                **call_type,
            }
        },
        "agent_groups": [
            {
                "days_per_week": 7,
                "handle_time_spread": 0,
                "shifts": [{"start": "00:00", "hours": 24}],
                **agent,
            }
            for agent in agents
        ],
    }


def run(document: dict, calls: list[tuple[float, str, int, int]], tmp_path) -> list[list[str]]:
    """Inject (seconds after midnight, number, customer index, priority) and run one day."""
    scenario = parse_scenario(document)
    writer = LandingWriter(tmp_path, tz="UTC")
    simulation = Simulation(scenario, DAY, 1, 1, writer)
    midnight = day_start_epoch(DAY, "UTC")
    for offset, number, customer, priority in calls:
        simulation.inject_call(midnight + offset, "calls", number, customer, priority)
    simulation.run()
    writer.close()
    return queue_log_lines(tmp_path)


def connects(lines: list[list[str]]) -> list[tuple[str, str]]:
    """(caller number, agent) in the order calls were connected."""
    number_of = {f[1]: f[6] for f in lines if f[4] == "ENTERQUEUE"}
    return [(number_of[f[1]], f[3]) for f in lines if f[4] == "CONNECT"]


def test_higher_priority_is_served_first_and_fifo_within_a_class(tmp_path):
    document = tiny_center([{"name": "a", "count": 1, "skills": {"q": 5}}])
    calls = [
        (10, "first", -1, 0),
        (20, "plain1", -1, 0),
        (30, "plain2", -1, 0),
        (40, "gold", -1, 2),
    ]
    order = [number for number, _agent in connects(run(document, calls, tmp_path))]
    assert order == ["first", "gold", "plain1", "plain2"]


def test_best_skill_level_first_then_longest_idle(tmp_path):
    document = tiny_center(
        [
            {"name": "junior", "count": 1, "skills": {"q": 3}},
            {"name": "expert", "count": 2, "skills": {"q": 8}},
        ]
    )
    # Agents are numbered by group: A1001 junior, A1002 and A1003 experts.
    calls = [(10, "c1", -1, 0), (20, "c2", -1, 0), (30, "c3", -1, 0), (200, "c4", -1, 0)]
    agents = [agent for _number, agent in connects(run(document, calls, tmp_path))]
    # c1 and c2 go to the experts (longest idle first: both idle since login, in login
    # order), c3 to the junior as no expert is free; at 200 s A1002 has been idle since
    # 110 s and A1003 since 120 s, so the longest idle expert takes c4.
    assert agents == ["A1002", "A1003", "A1001", "A1002"]


def test_overflow_after_the_queue_timeout(tmp_path):
    queues = {
        "q": {"skill": "q", "ring": 0, "timeout_s": 15, "on_timeout": "queue:overflow"},
        "overflow": {"skill": "overflow", "ring": 0},
    }
    document = tiny_center(
        [
            {"name": "primary", "count": 1, "skills": {"q": 5}},
            {"name": "backup", "count": 1, "skills": {"overflow": 5}},
        ],
        queues=queues,
    )
    lines = run(document, [(10, "busy", -1, 0), (20, "spill", -1, 0)], tmp_path)
    spill = next(f[1] for f in lines if f[4] == "ENTERQUEUE" and f[6] == "spill")
    events = [(f[2], f[4]) for f in lines if f[1] == spill and f[4] != "DID"]
    assert events[:4] == [
        ("q", "ENTERQUEUE"),
        ("q", "EXITWITHTIMEOUT"),
        ("overflow", "ENTERQUEUE"),
        ("overflow", "CONNECT"),
    ]
    timeout = next(f for f in lines if f[1] == spill and f[4] == "EXITWITHTIMEOUT")
    assert timeout[5:] == ["1", "1", "15"]  # position, original position, wait


def test_ring_no_answer_moves_on_to_the_next_agent(tmp_path):
    queues = {"q": {"skill": "q", "ring": 0, "p_ring_no_answer": 1.0, "ring_timeout_s": 12}}
    document = tiny_center(
        [{"name": "a", "count": 2, "skills": {"q": 5}}], queues=queues, patience=60
    )
    lines = run(document, [(10, "caller", -1, 0)], tmp_path)
    events = [(f[3], f[4], f[5:]) for f in lines if f[4] in ("RINGNOANSWER", "ABANDON")]
    # Both agents rung in turn (12 s each, logged in ms), again and again, until the
    # caller's 60 s patience runs out.
    assert events[0] == ("A1001", "RINGNOANSWER", ["12000"])
    assert events[1] == ("A1002", "RINGNOANSWER", ["12000"])
    assert events[-1][1] == "ABANDON"
    assert not [f for f in lines if f[4] == "CONNECT"]


def test_a_returning_customer_gets_their_last_agent(tmp_path):
    queues = {"q": {"skill": "q", "ring": 0, "last_agent_routing": True}}
    document = tiny_center([{"name": "a", "count": 3, "skills": {"q": 5}}], queues=queues)
    # Customer 4 is first served by A1001; when they call back, A1002 and A1003 have been
    # idle longer, but A1001 is free and was their last agent.
    calls = [(10, "c4", 4, 0), (500, "c4", 4, 0)]
    agents = [agent for _number, agent in connects(run(document, calls, tmp_path))]
    assert agents == ["A1001", "A1001"]
    without = tiny_center([{"name": "a", "count": 3, "skills": {"q": 5}}])
    agents = [agent for _n, agent in connects(run(without, calls, tmp_path / "plain"))]
    assert agents == ["A1001", "A1002"]


def test_abandon_is_logged_with_position_and_wait(tmp_path):
    document = tiny_center(
        [{"name": "a", "count": 1, "skills": {"q": 5}}], talk_s=1000, patience=45
    )
    lines = run(
        document, [(10, "busy", -1, 0), (20, "second", -1, 0), (21, "third", -1, 0)], tmp_path
    )
    abandons = {f[1]: f[5:] for f in lines if f[4] == "ABANDON"}
    entered = {f[6]: f[1] for f in lines if f[4] == "ENTERQUEUE"}
    # ABANDON data: position at exit, position on entry, seconds waited.
    assert abandons[entered["second"]] == ["1", "1", "45"]
    assert abandons[entered["third"]] == ["1", "2", "45"]


def test_callers_leave_when_the_last_agent_logs_out(tmp_path):
    document = tiny_center(
        [{"name": "a", "count": 1, "skills": {"q": 5}, "shifts": [{"start": "00:00", "hours": 1}]}],
        talk_s=4000,
    )
    lines = run(
        document, [(10, "long", -1, 0), (20, "waiting", -1, 0), (5000, "late", -1, 0)], tmp_path
    )
    entered = {f[6]: f[1] for f in lines if f[4] == "ENTERQUEUE"}
    # The agent finishes the long call at 4010 s, after the shift's end (3600 s), and
    # logs out; the waiting caller is then alone in an empty queue (leavewhenempty).
    exit_empty = [f for f in lines if f[4] == "EXITEMPTY"]
    assert [f[1] for f in exit_empty] == [entered["waiting"]]
    assert int(exit_empty[0][0]) - int(lines[0][0]) == 4010
    assert exit_empty[0][5:] == ["1", "1", "3990"]
    removed = next(f for f in lines if f[4] == "REMOVEMEMBER")
    assert int(removed[0]) == int(exit_empty[0][0])
    # A caller arriving when nobody is logged in is not let into the queue (joinempty).
    assert "late" not in entered
