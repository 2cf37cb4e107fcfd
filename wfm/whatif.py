"""What-if: simulate a staffing plan with the ``acd/`` engine and compare with Erlang.

A plan is either a roster CSV (``acd.agents.ROSTER_COLUMNS``: agent_id, date, activity,
start, end in local time) or a requirement (``wfm.staffing.requirements``), which is
turned into a simple roster: in every interval ``agents_raw`` agents of the queue's
agent group are on duty (``roster_from_requirements``). The scenario's arrivals are
simulated against that plan, and per queue and interval the achieved service level is
set beside the Erlang prediction.

Definitions (the same on both sides):

- achieved ``sl_simulated``: visits answered within the queue's ``target_s`` (from the
  staffing configuration) / (answered + abandoned + timed out), by the interval the call
  entered the queue; visits that left with a key (callback) or because the queue emptied
  are left out, as in the engine's summary and the warehouse.
- ``sl_predicted``: the requirement's predicted ``service_level`` (Erlang A: answered
  within target over all arrivals; Erlang C: P(wait <= target)) for the agents planned.

An interval is flagged when the two differ by more than ``tolerance`` AND by more than
three binomial standard errors of a share p = ``sl_predicted`` over the n simulated
calls, 3·sqrt(p (1 - p) / n), so that a quiet interval is not flagged for sampling noise
alone. Waits within an interval are correlated (one long queue delays many calls), so
the binomial error understates the noise: even the exact model (``mmn``) sees about one
interval in ten flagged at a 5% tolerance; compare the pooled figures per queue first.

Deferred channels (requirement rows with ``model = "workload"``, or a roster of blended
agents): the engine's own contacts say whether each channel keeps its response target.
``share_in_target`` = items answered (first response) by their due time / items whose
due time fell inside the simulated period (due times from the engine: the scenario's
``target_minutes`` on its business-hours clock); items due after the period are left
out, since their outcome is not known. The target is ``kept`` when the share is at least
``[deferred] in_target_goal`` of the staffing configuration (default 90%). A voice queue
keeps its target when the pooled simulated measure meets the queue's target (service
level, ASA of answered calls, or abandon rate). In a plan made from a requirement, a
deferred channel's ``agents_raw`` are agents of the group that works the channel with the
most agents (``deferred_groups``); they are blended (voice first), as in the scenario.

What the comparison tests depends on the scenario: with ``mmn`` (Poisson arrivals,
exponential handle times and patience, one skill) the engine is the model Erlang C / A
describe, so they must agree within noise; with ``airline`` multi-skill routing,
priorities, IVR, overflow and non-exponential times make the difference the point of
the what-if.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from acd.agents import ROSTER_COLUMNS, agent_ids, read_roster
from acd.engine import Simulation
from acd.scenario import Scenario, load_scenario
from wfm.staffing import WORKLOAD, StaffingConfig, StaffingError

COMPARISON_COLUMNS = (
    "queue",
    "ds",
    "calls_forecast",
    "agents_planned",
    "sl_predicted",
    "offered_simulated",
    "answered_simulated",
    "abandoned_simulated",
    "sl_simulated",
    "asa_s_simulated",
    "difference",
    "flagged",
)


def primary_groups(scenario: Scenario) -> dict[str, str]:
    """Queue -> the agent group with the highest skill level for the queue's skill.

    Ties go to the group listed first in the scenario. A queue no group serves is left out.
    """
    groups: dict[str, str] = {}
    for name, queue in scenario.queues.items():
        best = -1
        for group in scenario.agent_groups:
            level = group.skills.get(queue.skill, -1)
            if level > best:
                best, groups[name] = level, group.name
    return groups


def deferred_groups(scenario: Scenario) -> dict[str, str]:
    """Deferred channel -> the agent group with the most agents among those that list it
    in ``deferred`` (ties: the group listed first). A channel no group works is left out."""
    groups: dict[str, str] = {}
    for name in scenario.active_deferred:
        best = -1
        for group in scenario.agent_groups:
            if name in group.deferred and group.count > best:
                best, groups[name] = group.count, group.name
    return groups


def _agents_per_group(
    requirements: pd.DataFrame, groups: Mapping[str, str], column: str
) -> pd.DataFrame:
    unknown = sorted(set(requirements["queue"]) - set(groups))
    if unknown:
        raise StaffingError(
            f"queue(s) {', '.join(unknown)} not in the scenario (or served by no agent group)"
        )
    frame = requirements[["queue", "ds", column]].copy()
    frame["group"] = frame["queue"].map(groups)
    return frame.groupby(["group", "ds"], as_index=False)[column].sum()


def _runs(on_duty: list[bool]) -> list[tuple[int, int]]:
    """[start, end) index ranges of the True runs."""
    runs, start = [], None
    for i, flag in enumerate([*on_duty, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs


def roster_from_requirements(
    requirements: pd.DataFrame,
    scenario: Scenario,
    interval_minutes: int,
    column: str = "agents_raw",
) -> tuple[pd.DataFrame, Scenario]:
    """A roster putting ``column`` agents of each queue's primary group on duty per interval.

    A deferred channel's agents come from its group in ``deferred_groups``. Queues
    sharing a group add up. Agent k of a group (k = 0, 1, ...) is on duty
    in the intervals of a local day that need more than k agents; on a day, his shift runs
    from his first to his last such interval and the intervals between are a ``break``
    (the roster format has one shift per agent and day). Returns the roster rows
    (``ROSTER_COLUMNS``) and the scenario with each group's headcount raised to its peak
    and its unplanned absence and lateness switched off, so that exactly the planned
    agents log in.
    """
    groups = {**deferred_groups(scenario), **primary_groups(scenario)}
    per_group = _agents_per_group(requirements, groups, column)
    step = timedelta(minutes=interval_minutes)
    peak = per_group.groupby("group")[column].max().to_dict()
    new_groups = tuple(
        dataclasses.replace(
            g, count=max(g.count, int(peak.get(g.name, 0))), p_absent=0.0, p_late=0.0
        )
        for g in scenario.agent_groups
    )
    scenario = dataclasses.replace(scenario, agent_groups=new_groups)
    ids = iter(agent_ids(scenario))
    ids_by_group = {g.name: [next(ids) for _ in range(g.count)] for g in scenario.agent_groups}
    rows = []
    for (group, day), part in per_group.groupby(["group", per_group["ds"].dt.date]):
        slots = pd.date_range(pd.Timestamp(day), periods=int(timedelta(days=1) / step), freq=step)
        needed = part.set_index("ds")[column].reindex(slots, fill_value=0).to_numpy()
        for k, agent in enumerate(ids_by_group[group][: int(needed.max())]):
            runs = _runs(list(needed > k))
            first, last = runs[0][0], runs[-1][1]
            rows.append((agent, day, "shift", slots[first], slots[first] + (last - first) * step))
            rows.extend(
                (agent, day, "break", slots[end], slots[start])
                for (_, end), (start, _) in itertools.pairwise(runs)
            )
    roster = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    return roster, scenario


def write_roster(roster: pd.DataFrame, path: Path) -> None:
    """Write roster rows in the CSV format ``acd.agents.read_roster`` reads."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_COLUMNS)
        for agent, day, activity, start, end in roster.itertuples(index=False):
            writer.writerow(
                [agent, f"{day}", activity, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}"]
            )


class _VisitCollector:
    """An engine writer that keeps the ground-truth queue visits and the deferred contacts
    and drops everything else."""

    def __init__(self) -> None:
        self.visits: list[Any] = []
        self.contacts: list[Any] = []

    def truth(self, visit: Any) -> None:
        self.visits.append(visit)

    def contact(self, record: Any) -> None:
        self.contacts.append(record)

    def file_counts(self) -> dict[str, int]:
        return {}

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


@dataclass
class SimulationRun:
    """One engine run of a plan: queue visits, deferred contacts, the engine's summary."""

    visits: pd.DataFrame  # queue, enter_s, outcome, wait_s
    contacts: pd.DataFrame  # queue, created_s, due_s, first_response_s, outcome
    summary: Any  # acd.engine.Summary
    end_s: float  # the end of the simulated period (epoch seconds)


def run_simulation(
    scenario: Scenario,
    roster_csv: Path,
    start: date,
    days: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> SimulationRun:
    """Run the engine with the roster; keep visits (``acd.records.CallTruth``) and
    contacts (``acd.records.Contact``). ``progress(n)`` is called as each day ends."""
    plans = read_roster(roster_csv, scenario.center.timezone, set(agent_ids(scenario)))
    collector = _VisitCollector()
    simulation = Simulation(scenario, start, days, seed, collector, roster=plans)
    summary = simulation.run(progress=progress)
    visits = pd.DataFrame(
        [(v.queue, v.enter_s, v.outcome, v.wait_s) for v in collector.visits],
        columns=["queue", "enter_s", "outcome", "wait_s"],
    )
    contacts = pd.DataFrame(
        [
            (c.queue, c.created_s, c.due_s, c.first_response_s, c.outcome)
            for c in collector.contacts
        ],
        columns=["queue", "created_s", "due_s", "first_response_s", "outcome"],
    )
    return SimulationRun(visits, contacts, summary, float(simulation.end_s))


def simulate_visits(
    scenario: Scenario,
    roster_csv: Path,
    start: date,
    days: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Run the engine with the roster; one row per queue visit (``acd.records.CallTruth``).

    ``progress(n)`` is called as each simulated day ends.
    """
    return run_simulation(scenario, roster_csv, start, days, seed, progress).visits


def deferred_service(run: SimulationRun, scenario: Scenario, goal: float) -> dict[str, Any]:
    """Per deferred channel of ``scenario``: whether the simulated plan keeps its target.

    ``due`` = items whose due time fell inside the period, ``in_target`` = those answered
    (first response) by then, ``share_in_target`` = in_target / due (None without any),
    ``kept`` = share >= ``goal`` (None without any). The engine's own counts are added:
    ``arrived``, ``responded`` (first response inside the period) and
    ``responded_in_target``.
    """
    contacts = run.contacts
    result: dict[str, Any] = {}
    for name, channel in scenario.active_deferred.items():
        mine = contacts[contacts["queue"] == name]
        due = mine[mine["due_s"] < run.end_s]
        answered = due["first_response_s"].notna() & (
            due["first_response_s"].fillna(math.inf) <= due["due_s"]
        )
        counts = run.summary.deferred.get(name, {}) if run.summary is not None else {}
        share = float(answered.mean()) if len(due) else None
        result[name] = {
            "target_minutes": channel.target_s / 60,
            "business_hours": channel.business_hours,
            "arrived": int(counts.get("arrived", len(mine))),
            "responded": int(counts.get("responded", 0)),
            "responded_in_target": int(counts.get("responded_in_target", 0)),
            "due": len(due),
            "in_target": int(answered.sum()),
            "share_in_target": share,
            "goal": goal,
            "kept": None if share is None else share >= goal,
        }
    return result


def achieved_service(
    visits: pd.DataFrame, tz: str, interval_minutes: int, target_s: Mapping[str, float]
) -> pd.DataFrame:
    """Per queue and local interval: offered, answered, abandoned, sl_simulated, asa_s.

    ``sl_simulated`` = answered within ``target_s[queue]`` / (answered + abandoned + timed
    out); ``asa_s`` = mean wait of answered visits.
    """
    frame = visits[visits["outcome"].isin(["answered", "abandoned", "timeout"])].copy()
    local = pd.to_datetime(frame["enter_s"], unit="s", utc=True).dt.tz_convert(tz)
    frame["ds"] = local.dt.tz_localize(None).dt.floor(f"{interval_minutes}min")
    frame["answered"] = frame["outcome"] == "answered"
    frame["abandoned"] = frame["outcome"] == "abandoned"
    threshold = frame["queue"].map(target_s).astype(float)
    frame["within"] = frame["answered"] & (frame["wait_s"] <= threshold)
    frame["answered_wait"] = frame["wait_s"].where(frame["answered"], 0.0)
    grouped = frame.groupby(["queue", "ds"], as_index=False).agg(
        offered_simulated=("outcome", "size"),
        answered_simulated=("answered", "sum"),
        abandoned_simulated=("abandoned", "sum"),
        within=("within", "sum"),
        answered_wait=("answered_wait", "sum"),
    )
    grouped["sl_simulated"] = grouped["within"] / grouped["offered_simulated"]
    grouped["asa_s_simulated"] = grouped["answered_wait"] / grouped["answered_simulated"].where(
        grouped["answered_simulated"] > 0
    )
    return grouped.drop(columns=["within", "answered_wait"])


def compare_frames(
    requirements: pd.DataFrame, achieved: pd.DataFrame, tolerance: float
) -> pd.DataFrame:
    """Requirement rows beside the simulated ones (``COMPARISON_COLUMNS``), with the flags."""
    planned = requirements[["queue", "ds", "calls", "agents_raw", "service_level"]].rename(
        columns={
            "calls": "calls_forecast",
            "agents_raw": "agents_planned",
            "service_level": "sl_predicted",
        }
    )
    frame = planned.merge(achieved, on=["queue", "ds"], how="left")
    for column in ("offered_simulated", "answered_simulated", "abandoned_simulated"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["difference"] = frame["sl_simulated"] - frame["sl_predicted"]
    p = frame["sl_predicted"]
    noise = 3 * np.sqrt(
        p * (1 - p) / frame["offered_simulated"].where(frame["offered_simulated"] > 0)
    )
    frame["flagged"] = (frame["difference"].abs() > tolerance) & (
        frame["difference"].abs() > noise.fillna(0)
    )
    return frame[list(COMPARISON_COLUMNS)]


def simulated_days(requirements: pd.DataFrame) -> tuple[date, int]:
    """(first local day, number of days) the requirement's intervals cover."""
    days = sorted(set(pd.to_datetime(requirements["ds"]).dt.date))
    return days[0], (days[-1] - days[0]).days + 1


@dataclass
class WhatIf:
    """A simulated plan: voice per queue and interval (``COMPARISON_COLUMNS``) and the
    deferred channels' response targets (``deferred_service``)."""

    comparison: pd.DataFrame
    deferred: dict[str, Any]


def _voice(requirements: pd.DataFrame) -> pd.DataFrame:
    if "model" not in requirements:
        return requirements
    return requirements[requirements["model"] != WORKLOAD]


def compare(
    requirements: pd.DataFrame,
    scenario: str | Path | Scenario,
    *,
    config: StaffingConfig,
    roster: Path | None = None,
    seed: int = 7,
    tolerance: float = 0.05,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Simulate the requirement (or ``roster``) and compare, per queue and interval.

    The simulated days are the local days the requirement covers (``simulated_days``).
    Without ``roster`` the plan is ``roster_from_requirements``. With ``roster`` the
    scenario is used as it is (its absence and lateness apply), and ``agents_planned``
    and ``sl_predicted`` stay the requirement's: the comparison says whether the roster
    achieves what the requirement predicts. Raises ``StaffingError`` for unusable input.
    Deferred channels: ``simulate_plan``.
    """
    return simulate_plan(
        requirements,
        scenario,
        config=config,
        roster=roster,
        seed=seed,
        tolerance=tolerance,
        progress=progress,
    ).comparison


def simulate_plan(
    requirements: pd.DataFrame,
    scenario: str | Path | Scenario,
    *,
    config: StaffingConfig,
    roster: Path | None = None,
    seed: int = 7,
    tolerance: float = 0.05,
    progress: Callable[[int], None] | None = None,
) -> WhatIf:
    """``compare`` for the voice queues, and for every deferred channel of the scenario
    whether the plan keeps its response target (``deferred_service``, goal
    ``config.deferred.in_target_goal``). Requirement rows of deferred channels (``model =
    "workload"``) are planned with their channel's group (``roster_from_requirements``)."""
    if not 0 < tolerance < 1:
        raise StaffingError(f"tolerance must be between 0 and 1, got {tolerance}")
    if requirements.empty:
        raise StaffingError("nothing to simulate: the requirement has no intervals")
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    start, count = simulated_days(requirements)
    voice = _voice(requirements)
    target_s = {q: config.policy(q).target_s for q in voice["queue"].unique()}
    with tempfile.TemporaryDirectory(prefix="whatif-") as tmp:
        roster_csv = roster
        if roster_csv is None:
            rows, spec = roster_from_requirements(requirements, spec, config.interval_minutes)
            roster_csv = Path(tmp) / "roster.csv"
            write_roster(rows, roster_csv)
        run = run_simulation(spec, roster_csv, start, count, seed, progress)
    achieved = achieved_service(run.visits, spec.center.timezone, config.interval_minutes, target_s)
    comparison = compare_frames(voice, achieved, tolerance)
    deferred = deferred_service(run, spec, config.deferred.in_target_goal)
    return WhatIf(comparison, deferred)


def _voice_target(part: pd.DataFrame, policy: Any) -> tuple[str, float | None, bool | None]:
    """(measure, achieved, kept) of a queue's target over the pooled simulated calls."""
    offered = int(part["offered_simulated"].sum())
    answered = int(part["answered_simulated"].sum())
    if policy.target == "asa":
        waited = float((part["asa_s_simulated"].fillna(0) * part["answered_simulated"]).sum())
        asa = waited / answered if answered else None
        return "asa_s", asa, None if asa is None else asa <= policy.asa_s
    if policy.target == "abandon_rate":
        rate = int(part["abandoned_simulated"].sum()) / offered if offered else None
        return "abandon_rate", rate, None if rate is None else rate <= policy.abandon_rate
    within = float((part["sl_simulated"].fillna(0) * part["offered_simulated"]).sum())
    sl = within / offered if offered else None
    return "service_level", sl, None if sl is None else sl >= policy.service_level


def comparison_summary(
    comparison: pd.DataFrame,
    tolerance: float,
    *,
    config: StaffingConfig | None = None,
    deferred: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Per queue: simulated and forecast calls, pooled simulated SL, call-weighted predicted
    SL, intervals flagged (and the worst ones); with ``config``, the queue's target and
    whether the simulation keeps it (``target``, ``achieved``, ``kept``). ``deferred``
    (``deferred_service``) is passed through under ``deferred``."""
    queues = {}
    for queue, part in comparison.groupby("queue", sort=True):
        offered = int(part["offered_simulated"].sum())
        within = float((part["sl_simulated"].fillna(0) * part["offered_simulated"]).sum())
        weights = part["calls_forecast"].where(part["sl_predicted"].notna(), 0)
        predicted = (
            float((part["sl_predicted"].fillna(0) * weights).sum() / weights.sum())
            if weights.sum() > 0
            else math.nan
        )
        flagged = part[part["flagged"]]
        worst = flagged.reindex(flagged["difference"].abs().sort_values(ascending=False).index)
        queues[str(queue)] = {
            "calls_forecast": float(part["calls_forecast"].sum()),
            "offered_simulated": offered,
            "sl_simulated": within / offered if offered else None,
            "sl_predicted": None if math.isnan(predicted) else predicted,
            "intervals": len(part),
            "intervals_flagged": len(flagged),
            "worst": [
                {
                    "ds": f"{row.ds:%Y-%m-%d %H:%M}",
                    "sl_predicted": float(row.sl_predicted),
                    "sl_simulated": float(row.sl_simulated),
                    "offered_simulated": int(row.offered_simulated),
                }
                for row in worst.head(3).itertuples()
            ],
        }
        if config is not None:
            policy = config.policy(str(queue))
            measure, achieved, kept = _voice_target(part, policy)
            queues[str(queue)].update(
                {
                    "target": policy.describe_target(),
                    "measure": measure,
                    "achieved": achieved,
                    "kept": kept,
                }
            )
    summary: dict[str, Any] = {"tolerance": tolerance, "queues": queues}
    if deferred:
        summary["deferred"] = dict(deferred)
    return summary


def format_comparison_summary(summary: dict[str, Any]) -> str:
    """The what-if summary for people."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    lines = [
        f"what-if simulation (flag: |simulated - predicted SL| > {summary['tolerance']:.0%} "
        "and beyond sampling noise)",
        f"{'queue':<15}{'calls fc':>10}{'sim offered':>12}{'SL pred':>9}{'SL sim':>8}"
        f"{'flagged':>12}",
    ]
    for name, q in summary["queues"].items():
        lines.append(
            f"{name:<15}{q['calls_forecast']:>10,.0f}{q['offered_simulated']:>12,}"
            f"{pct(q['sl_predicted']):>9}{pct(q['sl_simulated']):>8}"
            f"{q['intervals_flagged']:>6}/{q['intervals']:<5}"
        )
        for w in q["worst"]:
            lines.append(
                f"  {w['ds']}: predicted {w['sl_predicted']:.1%}, simulated "
                f"{w['sl_simulated']:.1%} of {w['offered_simulated']} calls"
            )
    kept = {n: q for n, q in summary["queues"].items() if "kept" in q}
    deferred = summary.get("deferred") or {}
    if kept or deferred:
        lines += ["", f"{'targets':<15}{'target':<34}{'achieved':>10}  kept"]

    def verdict(value: bool | None) -> str:
        return "-" if value is None else "yes" if value else "NO"

    for name, q in kept.items():
        achieved = q["achieved"]
        shown = (
            "-"
            if achieved is None
            else f"{achieved:.0f} s"
            if q["measure"] == "asa_s"
            else f"{achieved:.1%}"
        )
        lines.append(f"{name:<15}{q['target']:<34}{shown:>10}  {verdict(q['kept'])}")
    for name, d in deferred.items():
        clock = "business " if d["business_hours"] else ""
        target = f"{d['goal']:.0%} within {d['target_minutes']:g} {clock}min"
        lines.append(
            f"{name:<15}{target:<34}{pct(d['share_in_target']):>10}  {verdict(d['kept'])}"
            f"  ({d['in_target']:,} of {d['due']:,} due, {d['arrived']:,} arrived)"
        )
    return "\n".join(lines)
