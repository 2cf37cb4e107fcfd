"""Run a scenario into a landing folder: the library entry point behind ``callcenter simulate``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from acd.agents import agent_ids, read_roster
from acd.engine import Simulation, Summary
from acd.scenario import Scenario, load_scenario
from acd.writers import LandingWriter
from acd.writers.landing import read_open_contacts

log = logging.getLogger(__name__)


def simulate(
    scenario: str | Path | Scenario,
    start: date,
    days: int,
    seed: int,
    out: Path,
    *,
    roster: Path | None = None,
    live_speed: float | None = None,
    progress: Callable[[int], None] | None = None,
    append: bool = False,
) -> Summary:
    """Simulate ``days`` days from ``start`` and write every output file under ``out``.

    ``live_speed``: when set, the run appends to its files in accelerated real time
    (``live_speed`` simulated seconds per wall-clock second) and flushes as it goes,
    so ingest can tail the growing files.

    ``append``: continue an earlier run's landing folder (its last day must be the day
    before ``start``), as a PBX that kept running would: the current queue_log and
    Master.csv are rotated at the first midnight instead of being overwritten. The
    deferred contacts the folder's export still lists as open are queued again at the
    start with their ids and history (``Simulation._carry_over``); without ``append``
    nothing is read.
    """
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    plans = None
    if roster is not None:
        plans = read_roster(roster, spec.center.timezone, set(agent_ids(spec)))
    carried = read_open_contacts(out) if append else []
    out.mkdir(parents=True, exist_ok=True)
    writer = LandingWriter(
        out,
        tz=spec.center.timezone,
        cdr_layout=spec.center.cdr_layout,
        live=live_speed is not None,
        append=append,
    )
    try:
        simulation = Simulation(spec, start, days, seed, writer, roster=plans, carried=carried)
        writer.agent_quality(simulation.agent_quality())
        writer.agent_directory(start, simulation.agent_directory())
        if live_speed is not None:
            simulation.pace(_Pacer(live_speed, writer))
        summary = simulation.run(progress=progress)
    finally:
        writer.close()
    summary.files = writer.file_counts()
    return summary


class _Pacer:
    """Holds the simulation back to ``speed`` x real time and flushes the files."""

    def __init__(self, speed: float, writer: Any) -> None:
        if speed <= 0:
            raise ValueError("--live speed must be a positive number")
        self.speed = speed
        self.writer = writer
        self.wall_start: float | None = None
        self.sim_start = 0.0

    def __call__(self, sim_t: float) -> None:
        if self.wall_start is None:
            self.wall_start, self.sim_start = time.monotonic(), sim_t
        self.writer.flush()
        due = self.wall_start + (sim_t - self.sim_start) / self.speed
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The run summary as plain data (what ``--json`` prints)."""
    return asdict(summary)


def format_summary(summary: Summary) -> str:
    """The run summary for people."""
    lines = [
        f"scenario {summary.scenario}: {summary.days} days from {summary.start}, "
        f"seed {summary.seed}, {summary.agents} agents",
        f"inbound calls {summary.calls:,} (congestion {summary.congestion:,}, closed hours "
        f"{summary.closed:,}, IVR self-served {summary.ivr_selfserved:,}, IVR hang-ups "
        f"{summary.ivr_dropped:,}, voicemails {summary.voicemails:,}, "
        f"retrials {summary.retrials:,})",
        "",
        f"{'queue':<16}{'offered':>9}{'answered':>10}{'abandoned':>10}{'timeout':>9}"
        f"{'callback':>9}{'SL':>8}{'ASA s':>8}",
    ]
    for name, q in summary.queues.items():
        sl = f"{q['service_level']:.1%}" if q["service_level"] is not None else "-"
        asa = f"{q['asa_s']:.0f}" if q["asa_s"] is not None else "-"
        lines.append(
            f"{name:<16}{q['offered']:>9,}{q['answered']:>10,}{q['abandoned']:>10,}"
            f"{q['timed_out']:>9,}{q['exited_with_key']:>9,}{sl:>8}{asa:>8}"
        )
    lines.append("")
    outbound = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.outbound_attempts.items()))
    lines.append(
        f"outbound attempts: {outbound or 'none'}; callbacks completed "
        f"{summary.callbacks_completed:,}"
    )
    lines.append(f"orders {summary.orders:,}, order events {summary.order_events:,}")
    if summary.deferred:
        lines.append("")
        lines.append(
            f"{'deferred':<16}{'arrived':>9}{'resolved':>10}{'failed':>8}{'abandoned':>10}"
            f"{'open':>7}{'in target':>11}"
        )
        for name, d in summary.deferred.items():
            target = f"{d['responded_in_target'] / d['responded']:.1%}" if d["responded"] else "-"
            lines.append(
                f"{name:<16}{d['arrived']:>9,}{d['resolved']:>10,}{d['failed']:>8,}"
                f"{d['abandoned']:>10,}{d['open']:>7,}{target:>11}"
            )
        lines.append("in target = first responses within the response target / first responses")
        lines.append("")
    if summary.surveys:
        lines.append(
            f"surveys offered {summary.surveys['offered']:,}, answered "
            f"{summary.surveys['answered']:,}"
        )
    lines.append("files: " + ", ".join(f"{k} {v:,} lines" for k, v in summary.files.items()))
    lines.extend(f"note: {note}" for note in summary.calendar_notes)
    lines.append("SL = answered within the queue's target / (answered + abandoned + timed out)")
    return "\n".join(lines)
