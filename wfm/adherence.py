"""Schedule adherence and conformance per agent and day, with out-of-adherence exceptions.

Pure core: ``compute_adherence`` takes the schedule (roster rows) and the agent-state
timeline as plain dataclasses with instants in epoch seconds (UTC) and returns one row per
scheduled agent-day plus the exceptions; ``team_adherence`` rolls the rows up per team and
day. The readers at the bottom (roster CSV, planning store, warehouse states) are the I/O
edge; ``wfm.adherence_cli`` is the command line.

Definitions (as NICE IEX WFM, Verint and Calabrio use them; exact on time spans, to the
millisecond the state export has, not sampled per minute):

- **Scheduled time** of an agent-day: the length of its shift (breaks, lunch and
  training/meeting/coaching sessions inside it included). Shift time not covered by
  another activity is scheduled **open** (on-phone) time.
- **Adherence** = time in the state the schedule asks for / scheduled time. Scheduled open
  time is matched by an on-phone state (``AdherenceRules.open_states``, default
  available, ringing, talking, hold, acw, dialing); a scheduled break, lunch, training,
  meeting or coaching by the matching aux reason (``aux:break`` ...), or by any aux state
  with ``AdherenceRules.any_aux()``. Time with no state row (before the first log-in the
  export knows of, say) counts as ``logged_out``. Scheduled-off time is outside both the
  numerator and the denominator: working while off is neither in nor out of adherence (IEX
  can count it against adherence; here it is reported apart as ``unscheduled_worked_s``).
  Adherence lies in [0, 1].
- **Conformance** = worked time / scheduled open time, regardless of when the work was
  done. Worked time is time in an on-phone state (``AdherenceRules.worked_states``, default
  the open states) in the agent-day's window: the shift and up to 4 hours either side
  (``window_margin_s``), split halfway when a neighbouring shift of the agent is closer.
  It can exceed 1 (an agent who stays late or skips a break).
- **Exception**: a stretch of out-of-adherence time within one scheduled activity lasting
  longer than ``threshold_s`` (IEX's "out of adherence" exception); it names the
  scheduled activity and the actual state held longest in it (``state`` or
  ``state:reason``).
- **Team adherence** = the team's in-adherence seconds / its scheduled seconds (time
  weighted, so a long shift weighs more than a short one), against the target (92 % by
  default, a common contact-center goal).
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

SHIFT = "shift"
OPEN = "open"  # shift time not covered by another scheduled activity
AUX_ACTIVITIES = ("break", "lunch", "training", "meeting", "coaching")
LOGGED_OUT = "logged_out"
# States in adherence during open shift time: ready for or working contacts, including
# deferred work (e-mail, SMS, voicemail) that a blended agent takes when no call waits.
DEFAULT_OPEN_STATES = frozenset(
    {"available", "ringing", "talking", "hold", "acw", "dialing", "deferred"}
)
DEFAULT_TARGET = 0.92
DEFAULT_THRESHOLD_S = 300.0
DEFAULT_WINDOW_MARGIN_S = 4 * 3600.0


class ScheduleError(ValueError):
    """A roster that cannot be scored: overlapping shifts, activities outside their shift."""


@dataclass(frozen=True, slots=True)
class ScheduledActivity:
    """One roster row: ``activity`` (shift, break, lunch, ...) from ``start_s`` to ``end_s``.

    ``day`` is the day the shift belongs to (a night shift may end the next day); instants
    are epoch seconds (UTC).
    """

    agent_id: str
    day: date
    activity: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class StateSpan:
    """An agent in ``state`` (with aux ``reason``) from ``start_s`` until ``end_s``.

    ``end_s`` None: the agent's last known state, lasting until the end of the data.
    """

    agent_id: str
    state: str
    reason: str | None
    start_s: float
    end_s: float | None


@dataclass(frozen=True)
class AdherenceRules:
    """Which actual states match which scheduled activity.

    ``activity_states[activity]`` holds ``state`` or ``state:reason`` labels; ``open`` time
    is matched by ``open_states``; ``worked_states`` count as worked time for conformance.
    """

    open_states: frozenset[str] = DEFAULT_OPEN_STATES
    activity_states: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: {a: frozenset({f"aux:{a}"}) for a in AUX_ACTIVITIES}
    )
    worked_states: frozenset[str] = DEFAULT_OPEN_STATES

    @classmethod
    def any_aux(cls) -> AdherenceRules:
        """Any aux state (whatever its reason) matches any scheduled break-like activity."""
        return cls(activity_states={a: frozenset({"aux"}) for a in AUX_ACTIVITIES})

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> AdherenceRules:
        """Rules from a mapping (a parsed TOML ``[adherence]`` table); missing keys default.

        Keys: ``open_states`` and ``worked_states`` (lists of states), ``activities`` (a
        table activity -> list of ``state`` or ``state:reason`` labels).
        """
        default = cls()
        known = {"open_states", "worked_states", "activities"}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown adherence setting(s): {', '.join(unknown)}")

        def labels(key: str, value: object) -> frozenset[str]:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"adherence.{key}: expected a list of state names")
            return frozenset(value)

        activities = dict(default.activity_states)
        raw_activities = config.get("activities", {})
        if not isinstance(raw_activities, Mapping):
            raise ValueError("adherence.activities: expected a table activity = [states]")
        for activity, value in raw_activities.items():
            activities[activity] = labels(f"activities.{activity}", value)
        open_states = (
            labels("open_states", config["open_states"])
            if "open_states" in config
            else default.open_states
        )
        worked = (
            labels("worked_states", config["worked_states"])
            if "worked_states" in config
            else open_states
        )
        return cls(open_states=open_states, activity_states=activities, worked_states=worked)

    def matches(self, activity: str, state: str, reason: str | None) -> bool:
        """True if ``state`` (with ``reason``) is what scheduled ``activity`` asks for."""
        if activity == OPEN:
            return state in self.open_states
        accepted = self.activity_states.get(activity, frozenset())
        return state in accepted or f"{state}:{reason or ''}" in accepted


@dataclass(frozen=True, slots=True)
class AgentDayAdherence:
    """Adherence and conformance of one agent on one scheduled day (seconds, fractions)."""

    agent_id: str
    day: date
    shift_start_s: float
    shift_end_s: float
    scheduled_s: float  # shift length (up to ``until_s``)
    in_adherence_s: float
    scheduled_open_s: float  # shift minus break, lunch, training, meeting, coaching
    worked_s: float  # on-phone time in the agent-day window, scheduled or not
    unscheduled_worked_s: float  # the part of worked_s outside the shift
    login_s: float | None  # first on-phone instant in the window, None if never
    exceptions: int
    note: str = ""

    @property
    def out_of_adherence_s(self) -> float:
        return self.scheduled_s - self.in_adherence_s

    @property
    def adherence(self) -> float | None:
        """in_adherence_s / scheduled_s; None when nothing was scheduled yet."""
        return self.in_adherence_s / self.scheduled_s if self.scheduled_s > 0 else None

    @property
    def conformance(self) -> float | None:
        """worked_s / scheduled_open_s; None when no open time was scheduled."""
        return self.worked_s / self.scheduled_open_s if self.scheduled_open_s > 0 else None


@dataclass(frozen=True, slots=True)
class AdherenceException:
    """Out-of-adherence time longer than the threshold within one scheduled activity."""

    agent_id: str
    day: date
    start_s: float
    end_s: float
    scheduled_activity: str  # open, break, lunch, training, meeting, coaching
    actual_state: str  # state (or state:reason) held longest in the stretch

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class AdherenceResult:
    days: list[AgentDayAdherence]
    exceptions: list[AdherenceException]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class TeamDayAdherence:
    """Time-weighted adherence of a team (or ``all``) on one day against the target."""

    team: str
    day: date
    agents: int
    scheduled_s: float
    in_adherence_s: float
    scheduled_open_s: float
    worked_s: float
    exceptions: int
    target: float

    @property
    def adherence(self) -> float | None:
        return self.in_adherence_s / self.scheduled_s if self.scheduled_s > 0 else None

    @property
    def conformance(self) -> float | None:
        return self.worked_s / self.scheduled_open_s if self.scheduled_open_s > 0 else None

    @property
    def meets_target(self) -> bool | None:
        value = self.adherence
        return None if value is None else value >= self.target


@dataclass(frozen=True, slots=True)
class _Shift:
    agent_id: str
    day: date
    start_s: float
    end_s: float
    segments: tuple[tuple[float, float, str], ...]  # covering [start_s, end_s), in order


def build_shifts(
    schedule: Iterable[ScheduledActivity], rules: AdherenceRules | None = None
) -> list[_Shift]:
    """Group roster rows into shifts with their activity segments; ``ScheduleError`` if bad.

    Checked: one shift row per agent and day, activities known and inside their shift,
    no two activities of a shift overlapping, no two shifts of an agent overlapping.
    """
    rules = rules or AdherenceRules()
    by_day: dict[tuple[str, date], list[ScheduledActivity]] = defaultdict(list)
    for row in schedule:
        if not (math.isfinite(row.start_s) and math.isfinite(row.end_s)):
            raise ScheduleError(f"agent {row.agent_id} on {row.day}: {row.activity} has no time")
        if row.end_s <= row.start_s:
            raise ScheduleError(
                f"agent {row.agent_id} on {row.day}: {row.activity} ends before it starts"
            )
        if row.activity != SHIFT and row.activity not in rules.activity_states:
            known = ", ".join((SHIFT, *rules.activity_states))
            raise ScheduleError(
                f"agent {row.agent_id} on {row.day}: activity {row.activity!r} is not one of "
                f"{known}"
            )
        by_day[(row.agent_id, row.day)].append(row)
    shifts: list[_Shift] = []
    for (agent_id, day), rows in sorted(by_day.items()):
        where = f"agent {agent_id} on {day}"
        shift_rows = [r for r in rows if r.activity == SHIFT]
        if len(shift_rows) != 1:
            raise ScheduleError(f"{where} has {len(shift_rows)} shift rows, expected 1")
        shift = shift_rows[0]
        inner = sorted((r for r in rows if r.activity != SHIFT), key=lambda r: r.start_s)
        segments: list[tuple[float, float, str]] = []
        cursor = shift.start_s
        for row in inner:
            if row.start_s < shift.start_s or row.end_s > shift.end_s:
                raise ScheduleError(f"{where}: {row.activity} lies outside the shift")
            if row.start_s < cursor:
                raise ScheduleError(f"{where}: {row.activity} overlaps the activity before it")
            if row.start_s > cursor:
                segments.append((cursor, row.start_s, OPEN))
            segments.append((row.start_s, row.end_s, row.activity))
            cursor = row.end_s
        if cursor < shift.end_s:
            segments.append((cursor, shift.end_s, OPEN))
        shifts.append(_Shift(agent_id, day, shift.start_s, shift.end_s, tuple(segments)))
    shifts.sort(key=lambda s: (s.agent_id, s.start_s))
    for before, after in pairwise(shifts):
        if before.agent_id == after.agent_id and after.start_s < before.end_s:
            raise ScheduleError(
                f"agent {before.agent_id}: the shift of {after.day} overlaps the shift of "
                f"{before.day}"
            )
    return shifts


def _timeline(spans: list[StateSpan], horizon_s: float) -> list[tuple[float, float, str, str]]:
    """One agent's states as non-overlapping (start, end, state, reason), sorted.

    A span lasts until the agent's next span starts (whatever its own end says), the last
    one until its end or, if open, ``horizon_s``.
    """
    ordered = sorted(spans, key=lambda s: s.start_s)
    out: list[tuple[float, float, str, str]] = []
    for i, span in enumerate(ordered):
        end = horizon_s if span.end_s is None else span.end_s
        if i + 1 < len(ordered):
            end = min(end, ordered[i + 1].start_s)
        end = min(end, horizon_s)
        if end > span.start_s:
            out.append((span.start_s, end, span.state, span.reason or ""))
    return out


def _pieces(
    timeline: list[tuple[float, float, str, str]], start: float, end: float
) -> list[tuple[float, float, str, str]]:
    """The timeline cut to [start, end), gaps filled with ``logged_out``."""
    out: list[tuple[float, float, str, str]] = []
    cursor = start
    for s, e, state, reason in timeline:
        if e <= cursor:
            continue
        if s >= end:
            break
        if s > cursor:
            out.append((cursor, s, LOGGED_OUT, ""))
        piece_start, piece_end = max(s, cursor), min(e, end)
        out.append((piece_start, piece_end, state, reason))
        cursor = piece_end
        if cursor >= end:
            break
    if cursor < end:
        out.append((cursor, end, LOGGED_OUT, ""))
    return out


def _label(state: str, reason: str) -> str:
    return f"{state}:{reason}" if reason else state


def compute_adherence(
    schedule: Iterable[ScheduledActivity],
    states: Iterable[StateSpan],
    rules: AdherenceRules | None = None,
    threshold_s: float = DEFAULT_THRESHOLD_S,
    window_margin_s: float = DEFAULT_WINDOW_MARGIN_S,
    until_s: float | None = None,
) -> AdherenceResult:
    """Adherence, conformance and exceptions of every scheduled agent-day (module docstring).

    ``window_margin_s``: how far before and after its shift work counts for an agent-day
    (conformance). ``until_s`` (now, for adherence so far today): schedule and states
    after it are left out. Open state spans last until ``until_s``, else the latest instant
    in ``states``. ``notes`` report on-phone time in the scored period (the schedule's
    windows, end to end) outside every shift window: agents with no shift, or working on
    a day off. Raises ``ScheduleError`` for a roster that cannot be scored.
    """
    if not (math.isfinite(threshold_s) and threshold_s >= 0):
        raise ValueError(f"threshold must be a number of seconds >= 0, got {threshold_s}")
    rules = rules or AdherenceRules()
    shifts = build_shifts(schedule, rules)
    by_agent: dict[str, list[StateSpan]] = defaultdict(list)
    latest = -math.inf
    for span in states:
        by_agent[span.agent_id].append(span)
        latest = max(latest, span.start_s, span.end_s if span.end_s is not None else -math.inf)
    horizon = until_s if until_s is not None else latest
    timelines = {agent: _timeline(spans, horizon) for agent, spans in by_agent.items()}

    days: list[AgentDayAdherence] = []
    exceptions: list[AdherenceException] = []
    notes: list[str] = []
    shifts_of: dict[str, list[_Shift]] = defaultdict(list)
    for shift in shifts:
        shifts_of[shift.agent_id].append(shift)
    windows_of = {
        a: _windows(agent_shifts, window_margin_s) for a, agent_shifts in shifts_of.items()
    }
    period = (
        min((w[0][0] for w in windows_of.values()), default=0.0),
        max((w[-1][1] for w in windows_of.values()), default=0.0),
    )
    for agent_id, agent_shifts in shifts_of.items():
        timeline = timelines.get(agent_id, [])
        windows = windows_of[agent_id]
        for shift, (window_lo, window_hi) in zip(agent_shifts, windows, strict=True):
            row, found = _score_shift(
                shift, timeline, window_lo, window_hi, rules, threshold_s, until_s
            )
            if row.scheduled_s == 0:
                row = replace(row, note="shift not started yet")
            elif agent_id not in by_agent:
                row = replace(row, note="no agent states at all: counted as logged out")
            elif row.login_s is None:
                row = replace(row, note="never on phone in the day: counted as logged out")
            days.append(row)
            exceptions.extend(found)
        worked_outside = _worked_outside(timeline, windows, rules, period)
        if worked_outside >= 60:
            notes.append(
                f"agent {agent_id}: {worked_outside / 60:.0f} min on phone on days without a "
                "shift (not scored)"
            )
    unscheduled = sorted(
        agent
        for agent, timeline in timelines.items()
        if agent not in shifts_of and _worked_outside(timeline, [], rules, period) > 0
    )
    if unscheduled:
        shown = ", ".join(unscheduled[:10]) + (" ..." if len(unscheduled) > 10 else "")
        notes.append(f"{len(unscheduled)} agent(s) with states but no shift (not scored): {shown}")
    days.sort(key=lambda r: (r.day, r.agent_id))
    exceptions.sort(key=lambda e: (e.day, e.agent_id, e.start_s))
    return AdherenceResult(days, exceptions, notes)


def _windows(shifts: list[_Shift], margin_s: float) -> list[tuple[float, float]]:
    """Each shift's window for worked time: ``margin_s`` either side, split halfway to a
    neighbouring shift of the same agent that is closer."""
    windows = []
    for i, shift in enumerate(shifts):
        lo, hi = shift.start_s - margin_s, shift.end_s + margin_s
        if i > 0:
            lo = max(lo, (shifts[i - 1].end_s + shift.start_s) / 2)
        if i + 1 < len(shifts):
            hi = min(hi, (shift.end_s + shifts[i + 1].start_s) / 2)
        windows.append((lo, hi))
    return windows


def _score_shift(
    shift: _Shift,
    timeline: list[tuple[float, float, str, str]],
    window_lo: float,
    window_hi: float,
    rules: AdherenceRules,
    threshold_s: float,
    until_s: float | None,
) -> tuple[AgentDayAdherence, list[AdherenceException]]:
    cap = math.inf if until_s is None else until_s
    scheduled = in_adherence = scheduled_open = 0.0
    runs: list[tuple[float, float, str, dict[str, float]]] = []
    for seg_start, seg_end, activity in shift.segments:
        seg_end = min(seg_end, cap)
        if seg_end <= seg_start:
            continue
        scheduled += seg_end - seg_start
        if activity == OPEN:
            scheduled_open += seg_end - seg_start
        for start, end, state, reason in _pieces(timeline, seg_start, seg_end):
            if rules.matches(activity, state, reason):
                in_adherence += end - start
                continue
            label = _label(state, reason)
            if runs and runs[-1][1] == start and runs[-1][2] == activity:
                run_start, _, _, held = runs[-1]
                held[label] = held.get(label, 0.0) + end - start
                runs[-1] = (run_start, end, activity, held)
            else:
                runs.append((start, end, activity, {label: end - start}))
    exceptions = [
        AdherenceException(
            shift.agent_id, shift.day, start, end, activity, max(held, key=held.__getitem__)
        )
        for start, end, activity, held in runs
        if end - start > threshold_s
    ]
    worked = worked_in_shift = 0.0
    login = None
    for start, end, state, _reason in _pieces(timeline, window_lo, min(window_hi, cap)):
        if state not in rules.worked_states:
            continue
        worked += end - start
        worked_in_shift += max(0.0, min(end, shift.end_s) - max(start, shift.start_s))
        login = start if login is None else login
    row = AgentDayAdherence(
        agent_id=shift.agent_id,
        day=shift.day,
        shift_start_s=shift.start_s,
        shift_end_s=shift.end_s,
        scheduled_s=scheduled,
        in_adherence_s=in_adherence,
        scheduled_open_s=scheduled_open,
        worked_s=worked,
        unscheduled_worked_s=worked - worked_in_shift,
        login_s=login,
        exceptions=len(exceptions),
    )
    return row, exceptions


def _worked_outside(
    timeline: list[tuple[float, float, str, str]],
    windows: list[tuple[float, float]],
    rules: AdherenceRules,
    period: tuple[float, float],
) -> float:
    """On-phone seconds of ``timeline`` within ``period`` in none of the ``windows``."""
    total = 0.0
    for span_start, span_end, state, _reason in timeline:
        start, end = max(span_start, period[0]), min(span_end, period[1])
        if state not in rules.worked_states or end <= start:
            continue
        covered = sum(max(0.0, min(end, hi) - max(start, lo)) for lo, hi in windows)
        total += (end - start) - covered
    return total


def team_adherence(
    days: Iterable[AgentDayAdherence],
    teams: Mapping[str, str] | None = None,
    target: float = DEFAULT_TARGET,
    overall: str = "all",
) -> list[TeamDayAdherence]:
    """Per team and day, and ``overall`` per day: time-weighted adherence and conformance.

    ``teams`` maps agent_id -> team; agents not in it (or no mapping) are in ``overall``
    only. Rows sorted by day, then team with ``overall`` last.
    """
    if not 0 < target <= 1:
        raise ValueError(f"target must be in (0, 1], got {target}")
    teams = teams or {}
    sums: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0.0] * 6)
    for row in days:
        keys = [overall]
        team = teams.get(row.agent_id)
        if team and team != overall:
            keys.insert(0, team)
        for key in keys:
            acc = sums[(row.day, key)]
            acc[0] += 1
            acc[1] += row.scheduled_s
            acc[2] += row.in_adherence_s
            acc[3] += row.scheduled_open_s
            acc[4] += row.worked_s
            acc[5] += row.exceptions

    def order(key: tuple[date, str]) -> tuple[date, bool, str]:
        return key[0], key[1] == overall, key[1]

    return [
        TeamDayAdherence(team, day, int(a[0]), a[1], a[2], a[3], a[4], int(a[5]), target)
        for (day, team), a in sorted(sums.items(), key=lambda kv: order(kv[0]))
    ]


# ------------------------------------------------------------------ I/O edges
# Readers of the roster (CSV or planning store) and of the warehouse's agent states. They
# turn local wall-clock times into epoch seconds with the center's time zone.

ROSTER_COLUMNS = ("agent_id", "date", "activity", "start", "end")  # as acd.agents.read_roster
LOOKBACK_S = 2 * 86400.0
STATE_SOURCES = {
    "export": "int_agent_state_spans",
    "queue_log": "int_agent_states_from_queue_log",
}


@dataclass(frozen=True)
class Roster:
    """Roster rows and, when the roster names them, each agent's team."""

    activities: list[ScheduledActivity]
    teams: dict[str, str]
    source: str

    @property
    def days(self) -> list[date]:
        return sorted({row.day for row in self.activities})

    def on_days(self, days: Iterable[date]) -> Roster:
        keep = set(days)
        return Roster([r for r in self.activities if r.day in keep], self.teams, self.source)


def _local_epoch_s(moment: datetime, zone: ZoneInfo) -> float:
    return moment.replace(tzinfo=zone).timestamp()


def _parse_local(text: str | None, where: str) -> datetime:
    value = (text or "").strip()
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, layout)
        except ValueError:
            continue
    raise ScheduleError(f"{where}: expected 'YYYY-MM-DD HH:MM', got {text!r}")


def read_roster_csv(path: str | Path, tz: str) -> Roster:
    """A roster CSV (``agent_id,date,activity,start,end``, local times; optional ``team``).

    Errors name the file, line and column. Times are local wall-clock times in ``tz``.
    """
    path = Path(path)
    zone = ZoneInfo(tz)
    rows: list[ScheduledActivity] = []
    teams: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScheduleError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, record in enumerate(reader, start=2):
            where = f"{path}:{line}"
            agent_id = (record["agent_id"] or "").strip()
            if not agent_id:
                raise ScheduleError(f"{where}: agent_id is empty")
            try:
                day = date.fromisoformat((record["date"] or "").strip())
            except ValueError:
                raise ScheduleError(
                    f"{where}: date: expected YYYY-MM-DD, got {record['date']!r}"
                ) from None
            start = _parse_local(record["start"], f"{where}: start")
            end = _parse_local(record["end"], f"{where}: end")
            activity = (record["activity"] or "").strip()
            rows.append(
                ScheduledActivity(
                    agent_id, day, activity, _local_epoch_s(start, zone), _local_epoch_s(end, zone)
                )
            )
            team = (record.get("team") or "").strip()
            if team:
                teams[agent_id] = team
    if not rows:
        raise ScheduleError(f"{path}: the roster has no rows")
    return Roster(rows, teams, str(path))


def read_roster_store(planning_db: str | Path, tz: str, run_id: str | None = None) -> Roster:
    """Roster rows of the planning store: for each day, the newest run with shifts on it.

    Tables: ``roster_runs(run_id, created_at, ...)`` and ``roster_shifts(run_id, agent_id,
    date, activity, start_local, end_local)`` (``wfm.roster.store``); a run re-planned
    later replaces an older one only on the days it covers. ``run_id``: that run only. An
    optional ``team`` (or ``agent_group``) column of ``roster_shifts`` gives the teams.
    """
    from warehouse.connect import read_only

    zone = ZoneInfo(tz)
    with read_only(planning_db) as con:
        tables = {
            name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        if not {"roster_runs", "roster_shifts"} <= tables:
            raise ScheduleError(f"{planning_db}: no roster in the planning store (roster_shifts)")
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where table_name = 'roster_shifts'"
            ).fetchall()
        }
        team = next((c for c in ("team", "agent_group") if c in columns), None)
        team_sql = f"cast(s.{team} as varchar)" if team else "null"
        records = con.execute(
            f"""
            with ranked as (
                select
                    s.*,
                    dense_rank() over (
                        partition by s."date" order by r.created_at desc, r.run_id desc
                    ) as newest
                from roster_shifts as s
                join roster_runs as r on r.run_id = s.run_id
                where ? is null or s.run_id = ?
            )
            select
                cast(s.agent_id as varchar), cast(s."date" as date),
                cast(s.activity as varchar), cast(s.start_local as timestamp),
                cast(s.end_local as timestamp), {team_sql}, cast(s.run_id as varchar)
            from ranked as s
            where newest = 1
            order by 1, 4
            """,
            [run_id, run_id],
        ).fetchall()
    if not records:
        which = f"roster run {run_id}" if run_id else "the planning store"
        raise ScheduleError(f"{planning_db}: {which} holds no roster shifts")
    rows = [
        ScheduledActivity(agent, day, activity, _local_epoch_s(s, zone), _local_epoch_s(e, zone))
        for agent, day, activity, s, e, _team, _run in records
    ]
    teams = {agent: team for agent, _d, _a, _s, _e, team, _run in records if team}
    runs = ", ".join(sorted({run for *_, run in records}))
    return Roster(rows, teams, f"{planning_db} (roster run {runs})")


def warehouse_timezone(db: str | Path) -> str:
    """The ``timezone`` variable the published warehouse was built with (default zone if none)."""
    from warehouse.config import VARIABLES
    from warehouse.connect import read_only

    with read_only(db) as con:
        found = con.execute("select table_name from duckdb_tables()").fetchall()
        if ("build_info",) not in found:
            return str(VARIABLES["timezone"].default)
        (variables,) = con.execute("select variables from build_info").fetchall()[0]
    return str(json.loads(variables).get("timezone", VARIABLES["timezone"].default))


def states_around(
    db: str | Path, activities: list[ScheduledActivity], source: str = "export"
) -> list[StateSpan]:
    """The state spans ``compute_adherence`` needs for ``activities``: those overlapping the
    scheduled time widened by ``DEFAULT_WINDOW_MARGIN_S`` on both sides (conformance counts
    on-phone time up to that far around a shift). Empty when there are no activities."""
    if not activities:
        return []
    start_s = min(a.start_s for a in activities) - DEFAULT_WINDOW_MARGIN_S
    end_s = max(a.end_s for a in activities) + DEFAULT_WINDOW_MARGIN_S
    return read_state_spans(db, start_s, end_s, source)


def read_state_spans(
    db: str | Path, start_s: float, end_s: float, source: str = "export"
) -> list[StateSpan]:
    """Agent-state spans of the warehouse overlapping [start_s, end_s) (epoch seconds).

    ``source``: ``export`` (``int_agent_state_spans``, the platform's agent-state export)
    or ``queue_log`` (``int_agent_states_from_queue_log``, for sites without one: no acw
    or ringing, which show as available).
    """
    from warehouse.connect import read_only

    if source not in STATE_SOURCES:
        raise ValueError(f"state source must be one of {', '.join(STATE_SOURCES)}, got {source!r}")
    table = STATE_SOURCES[source]
    with read_only(db) as con:
        con.execute("set enable_progress_bar = false")
        # Plain comparisons on start_time let DuckDB skip row groups; a span starting more
        # than LOOKBACK_S before the window (a long logged_out night) is left out, which
        # changes nothing: time without a state counts as logged out.
        records = con.execute(
            f"select agent_id, state, reason, epoch(start_time), epoch(end_time) from {table} "
            "where start_time >= to_timestamp(?) and start_time < to_timestamp(?) "
            "and (end_time is null or end_time > to_timestamp(?))",
            [start_s - LOOKBACK_S, end_s, start_s],
        ).fetchall()
    return [
        StateSpan(a, s, r, float(b), None if e is None else float(e)) for a, s, r, b, e in records
    ]


def state_days(db: str | Path, source: str = "export") -> tuple[date, date] | None:
    """First and last local day with agent states in the warehouse, None if it has none."""
    from warehouse.connect import read_only

    with read_only(db) as con:
        first, last = con.execute(
            f"select min(day_local), max(day_local) from {STATE_SOURCES[source]}"
        ).fetchall()[0]
    return None if first is None else (first, last)
