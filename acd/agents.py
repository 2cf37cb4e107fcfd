"""Agents: who they are, what they are scheduled to do each day, and the roster file.

A day plan is a list of ``Activity`` (shift, break, lunch, training, meeting, coaching)
in epoch seconds. It comes either from the scenario's shift templates (rotating days
off, breaks spread through the shift, lunch inside its window) or from a roster CSV,
so a roster produced by ``wfm/`` can be simulated to see what service it achieves.

Roster CSV (header required; times in the center's local time)::

    agent_id,date,activity,start,end
    A1001,2026-09-01,shift,2026-09-01 07:00,2026-09-01 15:30
    A1001,2026-09-01,break,2026-09-01 09:30,2026-09-01 09:45
    A1001,2026-09-01,lunch,2026-09-01 11:30,2026-09-01 12:00

``date`` is the day the shift belongs to (a night shift may end the next day).
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from acd.errors import ScenarioError
from acd.scenario import AUX_REASONS, AgentGroup, Scenario

ROSTER_COLUMNS = ("agent_id", "date", "activity", "start", "end")
ACTIVITIES = ("shift", *AUX_REASONS)


@dataclass(frozen=True, slots=True)
class Activity:
    start_s: float
    end_s: float
    kind: str  # shift | break | lunch | training | meeting | coaching


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """An agent's fixed attributes."""

    agent_id: str  # also the member name written in queue_log
    extension: str  # phone extension; channel PJSIP/<extension>
    group: AgentGroup
    index_in_group: int
    template_index: int  # which of the group's shift templates the agent works
    handle_factor: float  # multiplies the agent's talk times; mean 1 over agents
    quality: float  # hidden quality z-score (mean 0, sd 1) behind the recording signals


FIRST_EXTENSION = 1001


def agent_ids(scenario: Scenario) -> list[str]:
    """Agent ids in scenario order: A1001, A1002, ... (extension = the digits)."""
    return [f"A{FIRST_EXTENSION + i}" for i in range(scenario.agent_count)]


def build_agents(scenario: Scenario, rng: random.Random) -> list[AgentProfile]:
    """Agents A1001, A1002, ... by group, each assigned a shift template by the weights."""
    agents: list[AgentProfile] = []
    ids = iter(agent_ids(scenario))
    for group in scenario.agent_groups:
        weights = [t.weight for t in group.shifts]
        total = sum(weights)
        # Deterministic largest-remainder split of the group's headcount over templates.
        quotas = [group.count * w / total for w in weights]
        counts = [int(q) for q in quotas]
        order = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
        for i in order[: group.count - sum(counts)]:
            counts[i] += 1
        assignments = [i for i, n in enumerate(counts) for _ in range(n)]
        for index, template_index in enumerate(assignments):
            agent_id = next(ids)
            agents.append(
                AgentProfile(
                    agent_id=agent_id,
                    extension=agent_id[1:],
                    group=group,
                    index_in_group=index,
                    template_index=template_index,
                    handle_factor=_mean_one_lognormal(group.handle_time_spread, rng),
                    quality=rng.gauss(0.0, 1.0),
                )
            )
    return agents


def _mean_one_lognormal(cv: float, rng: random.Random) -> float:
    """A log-normal draw with mean 1 and coefficient of variation ``cv`` (1.0 when cv = 0)."""
    if cv == 0:
        return 1.0
    sigma2 = math.log1p(cv * cv)
    return math.exp(rng.gauss(-sigma2 / 2, math.sqrt(sigma2)))


def template_plan(
    profile: AgentProfile, day: date, day_start_s: float, rng: random.Random
) -> list[Activity]:
    """The scenario's plan for one agent on one day; empty on a day off.

    Days off rotate: agent ``i`` of a group works the days where
    ``(weekday + i) mod 7 < days_per_week``, so days off are staggered across the week.
    Breaks are spread evenly through the shift; lunch starts at a random point of its
    window that fits inside the shift; a training/meeting/coaching session is added with
    the group's ``p_aux_session``.
    """
    group = profile.group
    if (day.weekday() + profile.index_in_group) % 7 >= group.days_per_week:
        return []
    template = group.shifts[profile.template_index]
    start = day_start_s + template.start_s
    end = start + template.length_s
    plan = [Activity(start, end, "shift")]
    busy: list[tuple[float, float]] = []
    if template.lunch_s > 0:
        lo = max(day_start_s + template.lunch_window[0], start + 3600)
        hi = min(day_start_s + template.lunch_window[1], end - 3600 - template.lunch_s)
        if hi >= lo:
            lunch_start = _round_to_minutes(rng.uniform(lo, hi), 5)
            plan.append(Activity(lunch_start, lunch_start + template.lunch_s, "lunch"))
            busy.append((lunch_start, lunch_start + template.lunch_s))
    for k in range(template.breaks):
        target = start + template.length_s * (k + 1) / (template.breaks + 1)
        break_start = _round_to_minutes(_avoid(target, template.break_s, busy), 5)
        plan.append(Activity(break_start, break_start + template.break_s, "break"))
        busy.append((break_start, break_start + template.break_s))
    if group.p_aux_session and rng.random() < group.p_aux_session:
        length = max(600.0, group.aux_session.sample(rng))
        reason = rng.choice(("training", "meeting", "coaching"))
        session_start = _round_to_minutes(
            rng.uniform(start + 1800, max(start + 1800, end - length - 1800)), 15
        )
        if not any(a < session_start + length and session_start < b for a, b in busy):
            plan.append(Activity(session_start, session_start + length, reason))
    plan.sort(key=lambda a: (a.start_s, a.kind != "shift"))
    return plan


def _avoid(target: float, length: float, busy: list[tuple[float, float]]) -> float:
    """Move a break that would overlap lunch to just after it."""
    for a, b in busy:
        if a < target + length and target < b:
            return b + 1800
    return target


def _round_to_minutes(t: float, minutes: int) -> float:
    step = minutes * 60
    return round(t / step) * step


def read_roster(
    path: Path, tz: str, known_agents: set[str]
) -> dict[tuple[str, date], list[Activity]]:
    """Read a roster CSV into plans keyed by (agent_id, date); errors name line and column."""
    zone = ZoneInfo(tz)
    plans: dict[tuple[str, date], list[Activity]] = {}
    try:
        handle = path.open(newline="", encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"roster file not found: {path}") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScenarioError(f"{path}: missing column(s) {', '.join(missing)}")
        for line_number, row in enumerate(reader, start=2):
            where = f"{path}:{line_number}"
            agent_id = (row["agent_id"] or "").strip()
            if agent_id not in known_agents:
                raise ScenarioError(
                    f"{where}: agent_id {agent_id!r} is not an agent of the scenario"
                )
            activity = (row["activity"] or "").strip()
            if activity not in ACTIVITIES:
                raise ScenarioError(
                    f"{where}: activity {activity!r} is not one of {', '.join(ACTIVITIES)}"
                )
            day = _parse_date(row["date"], f"{where}: date")
            start = _parse_local(row["start"], zone, f"{where}: start")
            end = _parse_local(row["end"], zone, f"{where}: end")
            if end <= start:
                raise ScenarioError(f"{where}: end must be after start")
            plans.setdefault((agent_id, day), []).append(Activity(start, end, activity))
    for (agent_id, day), plan in plans.items():
        shifts = [a for a in plan if a.kind == "shift"]
        if len(shifts) != 1:
            raise ScenarioError(
                f"{path}: agent {agent_id} on {day} has {len(shifts)} shift rows, expected 1"
            )
        shift = shifts[0]
        for activity in plan:
            if activity.kind != "shift" and not (
                shift.start_s <= activity.start_s and activity.end_s <= shift.end_s
            ):
                raise ScenarioError(
                    f"{path}: agent {agent_id} on {day}: {activity.kind} lies outside the shift"
                )
        plan.sort(key=lambda a: (a.start_s, a.kind != "shift"))
    return plans


def _parse_date(text: str | None, where: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ScenarioError(f"{where}: expected YYYY-MM-DD, got {text!r}") from None


def _parse_local(text: str | None, zone: ZoneInfo, where: str) -> float:
    try:
        moment = datetime.strptime((text or "").strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ScenarioError(f"{where}: expected 'YYYY-MM-DD HH:MM', got {text!r}") from None
    return moment.replace(tzinfo=zone).timestamp()
