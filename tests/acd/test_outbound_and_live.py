"""Outbound dialing modes, callbacks, and live mode (files growing while the run goes on)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from datetime import date

import pytest
from landing_files import own_csv

from acd.scenario import load_scenario
from acd.simulate import simulate

WEEKDAY = date(2026, 9, 8)  # a Tuesday, no holiday


@pytest.mark.parametrize("mode", ["preview", "progressive", "predictive"])
def test_campaign_modes(mode, tmp_path):
    airline = load_scenario("airline")
    campaign = dataclasses.replace(airline.campaigns["ffp_upgrade"], mode=mode)
    scenario = dataclasses.replace(airline, campaigns={"ffp_upgrade": campaign})
    simulate(scenario, WEEKDAY, 1, 5, tmp_path)
    attempts = own_csv(tmp_path, "outbound", "outbound_attempts")
    outcomes = Counter(a["outcome"] for a in attempts)
    assert 0 < len(attempts) <= campaign.list_per_day
    assert {"answered", "no_answer", "busy"} <= set(outcomes)
    outbound_agents = {f"A{1001 + i}" for i in range(276, 300)}  # the last group, 24 agents
    for attempt in attempts:
        assert attempt["mode"] == mode
        assert (
            attempt["dial_time"] >= "2026-09-08T10:00" and attempt["dial_time"] < "2026-09-08T18:00"
        )
        if attempt["outcome"] == "answered":
            assert attempt["agent_id"] in outbound_agents
        else:
            assert attempt["agent_id"] == ""
    if mode == "predictive":
        # More lines than idle agents: some answered calls find nobody (silent calls).
        assert outcomes["abandoned"] > 0
        assert outcomes["abandoned"] / len(attempts) < 0.15
    else:
        assert outcomes["abandoned"] == 0  # an agent is reserved before the dial
    states = own_csv(tmp_path, "agent_states", "agent_states")
    dialing = [s for s in states if s["state"] == "dialing" and s["reason"] == "ffp_upgrade"]
    assert bool(dialing) == (mode != "predictive")


def test_callbacks_are_requested_and_called_back(airline_run):
    out, summary = airline_run
    requested = sum(q["exited_with_key"] for q in summary.queues.values())
    assert requested > 0
    assert 0 < summary.callbacks_completed <= requested
    states = own_csv(out, "agent_states", "agent_states")
    assert any(s["state"] == "talking" and s["reason"] == "callback" for s in states)


def test_live_mode_grows_the_files_while_it_runs(tmp_path):
    queue_log = tmp_path / "asterisk" / "queue_log"
    sizes: list[int] = []
    done = threading.Event()

    def run() -> None:
        try:
            # 86,400 simulated seconds in about 4 wall-clock seconds.
            simulate("mmn", date(2026, 3, 2), 1, 1, tmp_path, live_speed=21_600)
        finally:
            done.set()

    worker = threading.Thread(target=run)
    worker.start()
    while not done.is_set():
        if queue_log.exists():
            sizes.append(queue_log.stat().st_size)
        time.sleep(0.2)
    worker.join()
    growing = sorted(set(sizes))
    assert len(growing) >= 5, growing  # a tail reader saw the file grow step by step
    assert growing == sorted(growing) and sizes == sorted(sizes)
