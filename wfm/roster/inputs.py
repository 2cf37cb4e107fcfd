"""Roster inputs from files and scenarios: agents, shift templates, requirements.

Agents CSV (header required, one agent per row; optional columns may be left out)::

    agent_id,skills,contract_hours,team,availability,days_off,preferred_start,shifts
    A1001,booking:8;general:5,40,blue,mon-fri 07:00-23:00;sat 09:00-18:00,2026-11-25,early,
    A1002,english:9,30,red,,,,part

- ``agent_id``: unique; use the ids the ACD knows (``A1001``...) to simulate the roster.
- ``skills``: ``skill:level`` pairs separated by ``;`` (level 1..10, default 5); a skill
  is the queue name the requirement uses.
- ``contract_hours``: paid hours per week (shift length less lunch).
- ``team``: free text, shown in the exports.
- ``availability``: ``;``-separated ``DAYS HH:MM-HH:MM`` entries, DAYS one of ``mon``,
  ``mon-fri``, ``sat,sun``, ``all``; an end before the start means the next morning
  (``sun 22:00-07:00``); empty: available at any time. Listed days only otherwise.
- ``days_off``: requested days off, ``YYYY-MM-DD`` separated by ``;`` (always granted).
- ``preferred_start``: ``early`` (start before 12:00), ``late`` (12:00 or later) or a
  band ``HH:MM-HH:MM``; empty: no preference.
- ``shifts``: shift template names the agent may work, separated by ``;``; empty: all.

Requirements CSV: ``skill, ds, required`` (``ds`` the local interval start
``YYYY-MM-DD HH:MM``, ``required`` agents on the phone, net of shrinkage), optionally
``method``: ``workload`` marks a deferred channel (e-mail, SMS, web callback, voicemail:
covered after voice, see ``wfm.roster``); anything else (``erlang_a``, ``erlang_c``,
empty) is voice.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from wfm.roster.domain import (
    WEEKDAYS,
    WORKLOAD,
    Agent,
    PreviousWeek,
    RosterInputError,
    ShiftTemplate,
)

AGENT_COLUMNS = ("agent_id", "skills", "contract_hours")
OPTIONAL_AGENT_COLUMNS = (
    "team",
    "availability",
    "days_off",
    "preferred_start",
    "shifts",
)
PREFERENCE_BANDS = {"early": (0, 719), "late": (720, 1439)}
DEFERRED_SKILL_LEVEL = 1  # a scenario agent's level in the deferred channels they work


def standard_template(
    name: str,
    length_min: int,
    start_earliest_min: int,
    start_latest_min: int,
    lunch_min: int = 30,
    breaks: int = 2,
    break_min: int = 15,
    start_step_min: int = 30,
) -> ShiftTemplate:
    """A template with the usual placement rules: lunch 3 to 5 hours after the start
    (earlier in a short shift), one break before lunch from 1 hour after the start, one
    after lunch ending at least an hour before the end; without lunch, the breaks split
    the shift. Windows are whole quarter hours."""

    def quarter(minutes: float) -> int:
        return int(minutes // 15 * 15)

    windows: list[tuple[int, int]] = []
    lunch_window = (0, 0)
    if lunch_min:
        lunch_window = (
            max(120, math.ceil(length_min * 0.35 / 15) * 15),
            min(quarter(length_min - lunch_min - 120), quarter(length_min * 0.6)),
        )
        if breaks >= 1:
            windows.append((60, lunch_window[0] - break_min - 15))
        if breaks >= 2:
            windows.append((lunch_window[1] + lunch_min, length_min - 60 - break_min))
    elif breaks:
        part = length_min / (breaks + 1)
        for k in range(breaks):
            lo = quarter(part * (k + 1) - part / 2)
            windows.append((max(lo, 60 if k == 0 else lo), quarter(part * (k + 1) + part / 3)))
    if breaks > 2:
        raise RosterInputError(f"shift template {name!r}: at most 2 breaks are supported")
    template = ShiftTemplate(
        name=name,
        length_min=length_min,
        start_earliest_min=start_earliest_min,
        start_latest_min=start_latest_min,
        start_step_min=start_step_min,
        lunch_min=lunch_min,
        lunch_window_min=lunch_window if lunch_min else (180, 300),
        break_min=break_min,
        break_windows_min=tuple(windows[:breaks]),
    )
    template.validate()
    return template


def default_templates(
    requirements: pd.DataFrame, interval_min: int = 30, start_step_min: int = 30
) -> list[ShiftTemplate]:
    """``full`` (8.5 h with a 30-minute lunch and two 15-minute breaks) and ``part`` (6 h,
    one break), starting every ``start_step_min`` so that they lie inside the hours the
    requirement covers (earliest interval start to latest interval end, any day); when
    the requirement runs round the clock, at any time (night shifts cross midnight)."""
    ds = pd.to_datetime(requirements.loc[requirements["required"] > 0, "ds"])
    if ds.empty:
        raise RosterInputError("the requirement is zero everywhere: nothing to roster")
    minutes = ds.dt.hour * 60 + ds.dt.minute
    opening, closing = int(minutes.min()), int(minutes.max()) + interval_min
    round_the_clock = opening == 0 and closing >= 1440
    templates = []
    for name, length, lunch, breaks in (("full", 510, 30, 2), ("part", 360, 0, 1)):
        if round_the_clock:
            latest = 1440 - start_step_min
        else:
            latest = (closing - length) // start_step_min * start_step_min
        earliest = math.ceil(opening / start_step_min) * start_step_min
        if latest >= earliest:
            templates.append(
                standard_template(name, length, earliest, latest, lunch, breaks, 15, start_step_min)
            )
    if not templates:
        raise RosterInputError("the requirement's opening hours are shorter than any shift")
    return templates


def _clock(text: str, where: str, allow_24: bool = True) -> int:
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[1]) >= 60:
        raise RosterInputError(f"{where}: expected a time like 07:30, got {text.strip()!r}")
    value = int(parts[0]) * 60 + int(parts[1])
    if value > 1440 or (value == 1440 and not allow_24):
        raise RosterInputError(f"{where}: {text.strip()!r} is not a time of day")
    return value


def _band(text: str, where: str) -> tuple[int, int]:
    if "-" not in text:
        raise RosterInputError(f"{where}: expected HH:MM-HH:MM, got {text.strip()!r}")
    lo, hi = text.split("-", 1)
    return _clock(lo, where), _clock(hi, where)


def _days(text: str, where: str) -> list[int]:
    days: list[int] = []
    for part in text.lower().split(","):
        part = part.strip()
        if part in ("all", "daily"):
            days += range(7)
        elif "-" in part:
            first, last = (p.strip() for p in part.split("-", 1))
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise RosterInputError(f"{where}: unknown day range {part!r} (use e.g. mon-fri)")
            i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
            days += [(i + k) % 7 for k in range((j - i) % 7 + 1)]
        elif part in WEEKDAYS:
            days.append(WEEKDAYS.index(part))
        else:
            raise RosterInputError(f"{where}: unknown day {part!r} (use mon..sun, mon-fri, all)")
    return days


def parse_availability(text: str, where: str) -> dict[int, tuple[tuple[int, int], ...]] | None:
    """``mon-fri 07:00-23:00;sat 09:00-18:00`` -> weekday -> windows; empty -> None."""
    if not text.strip():
        return None
    windows: dict[int, list[tuple[int, int]]] = {}
    for entry in text.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        if " " not in entry:
            raise RosterInputError(
                f"{where}: expected 'DAYS HH:MM-HH:MM' (e.g. 'mon-fri 07:00-23:00'), got {entry!r}"
            )
        days_text, band_text = entry.rsplit(" ", 1)
        lo, hi = _band(band_text, where)
        if hi <= lo:
            hi += 1440
        for day in _days(days_text, where):
            windows.setdefault(day, []).append((lo, hi))
    return {day: tuple(sorted(w)) for day, w in windows.items()}


def parse_skills(text: str, where: str) -> dict[str, int]:
    skills: dict[str, int] = {}
    for entry in text.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        name, _, level = entry.partition(":")
        name = name.strip()
        if not name:
            raise RosterInputError(f"{where}: empty skill name in {text!r}")
        if level.strip():
            if not level.strip().isdigit() or not 1 <= int(level) <= 10:
                raise RosterInputError(f"{where}: level of {name!r} must be 1..10, got {level!r}")
            skills[name] = int(level)
        else:
            skills[name] = 5
    if not skills:
        raise RosterInputError(f"{where}: at least one skill needed, like 'booking:8;general:5'")
    return skills


def read_agents_csv(path: Path) -> list[Agent]:
    """Agents from the CSV described in the module docstring; errors name line and column."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterInputError(f"agents file not found: {path}") from None
    agents: list[Agent] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in AGENT_COLUMNS if c not in header]
        if missing:
            raise RosterInputError(
                f"{path}: missing column(s) {', '.join(missing)}; the header needs "
                f"{', '.join(AGENT_COLUMNS)} (optional: {', '.join(OPTIONAL_AGENT_COLUMNS)})"
            )
        seen: set[str] = set()
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
            where = f"{path}:{line}"
            agent_id = row["agent_id"]
            if not agent_id:
                raise RosterInputError(f"{where}: agent_id is empty")
            if agent_id in seen:
                raise RosterInputError(f"{where}: agent_id {agent_id} appears twice")
            seen.add(agent_id)
            try:
                hours = float(row["contract_hours"])
            except ValueError:
                raise RosterInputError(
                    f"{where}: contract_hours must be a number of hours, got "
                    f"{row['contract_hours']!r}"
                ) from None
            if not 0 <= hours <= 80:
                raise RosterInputError(f"{where}: contract_hours must be 0..80, got {hours:g}")
            days_off = set()
            for text in filter(None, (t.strip() for t in row.get("days_off", "").split(";"))):
                try:
                    days_off.add(date.fromisoformat(text))
                except ValueError:
                    raise RosterInputError(
                        f"{where}: days_off: expected YYYY-MM-DD, got {text!r}"
                    ) from None
            preference = row.get("preferred_start", "").lower()
            band = PREFERENCE_BANDS.get(preference) if preference in PREFERENCE_BANDS else None
            if preference and band is None:
                band = _band(preference, f"{where}: preferred_start (early, late or HH:MM-HH:MM)")
            agents.append(
                Agent(
                    agent_id=agent_id,
                    skills=parse_skills(row["skills"], f"{where}: skills"),
                    contract_min=round(hours * 60),
                    team=row.get("team", ""),
                    availability=parse_availability(
                        row.get("availability", ""), f"{where}: availability"
                    ),
                    days_off=frozenset(days_off),
                    preferred_start=band,
                    templates=tuple(
                        t.strip() for t in row.get("shifts", "").split(";") if t.strip()
                    ),
                )
            )
    if not agents:
        raise RosterInputError(f"{path}: no agents (the file has a header only)")
    return agents


def read_requirements_csv(path: Path) -> pd.DataFrame:
    """``skill, ds, required`` from a CSV; errors name the line."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise RosterInputError(f"requirements file not found: {path}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RosterInputError(f"{path}: not a readable CSV ({exc})") from None
    except pd.errors.EmptyDataError:
        raise RosterInputError(
            f"{path}: empty file; expected columns skill, ds, required"
        ) from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in ("skill", "ds", "required") if c not in frame.columns]
    method = frame["method"].str.strip() if "method" in frame.columns else None
    if missing:
        raise RosterInputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected skill, ds, required"
        )
    ds = pd.to_datetime(frame["ds"].str.strip(), errors="coerce", format="mixed")
    required = pd.to_numeric(frame["required"].str.strip(), errors="coerce")
    for name, bad in (
        ("ds (a local time like 2026-11-23 08:30)", ds.isna()),
        ("required (a number of agents >= 0)", required.isna() | (required < 0)),
        ("skill (a queue name)", frame["skill"].str.strip() == ""),
    ):
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise RosterInputError(f"{path}:{line}: bad {name}")
    result = pd.DataFrame(
        {"skill": frame["skill"].str.strip(), "ds": ds, "required": required.astype(float)}
    )
    if method is not None:
        result["method"] = method.to_numpy()
    return result


def requirements_from_staffing(frame: pd.DataFrame) -> pd.DataFrame:
    """The staffing contract (``queue, ds, agents_raw, agents_required, ...``) as
    ``skill, ds, required, method``.

    ``required`` is ``agents_raw``: the agents the queueing model needs on the phone.
    Not ``agents_required``, which adds shrinkage: the roster places breaks and lunch
    itself and counts coverage net of them, so the gross figure would count that part
    of the shrinkage twice. For a deferred channel (``model = "workload"``) it is the
    unrounded ``agents_fte`` (its work can be shared out among blended agents by the
    quarter hour; ``agents_raw`` is its ceiling). ``method`` is the staffing ``model``.
    """
    column = "agents_raw" if "agents_raw" in frame.columns else "agents_required"
    missing = [c for c in ("queue", "ds", column) if c not in frame.columns]
    if missing:
        raise RosterInputError(f"staffing requirements lack column(s) {', '.join(missing)}")
    required = pd.to_numeric(frame[column]).astype(float)
    method = frame["model"].astype(str) if "model" in frame.columns else pd.Series("", frame.index)
    if "agents_fte" in frame.columns:
        fte = pd.to_numeric(frame["agents_fte"]).astype(float)
        workload = (method == WORKLOAD) & fte.notna()
        required = required.where(~workload, fte)
    return pd.DataFrame(
        {
            "skill": frame["queue"].astype(str),
            "ds": pd.to_datetime(frame["ds"]),
            "required": required,
            "method": method.to_numpy(),
        }
    )


def requirements_from_planning(planning_db: Path) -> pd.DataFrame:
    """The newest staffing requirements in the planning store (``wfm.staffing``)."""
    try:
        from wfm.staffing import latest_requirements
    except ImportError:
        raise RosterInputError(
            "staffing requirements are not available in this version (wfm.staffing); "
            "pass --requirements req.csv"
        ) from None
    if not Path(planning_db).is_file():
        raise RosterInputError(
            f"no planning store at {planning_db}: run callcenter staff first, or pass "
            "--requirements req.csv"
        )
    try:
        frame = latest_requirements(planning_db)
    except ValueError as exc:  # wfm.staffing.StaffingError: no staffing run yet
        raise RosterInputError(f"{exc} (or pass --requirements req.csv)") from None
    if frame is None or len(frame) == 0:
        raise RosterInputError(
            f"{planning_db} holds no staffing requirements: run callcenter staff first"
        )
    return requirements_from_staffing(frame)


def agents_from_scenario(scenario: object) -> tuple[list[Agent], list[ShiftTemplate]]:
    """The scenario's agents (ids as the engine numbers them: A1001, ...) and one shift
    template per agent group: the group's shift length, lunch and breaks, starting every
    30 minutes from the group's earliest to its latest template start. Contract = the
    group's days per week x paid hours; each agent prefers starts within an hour of the
    scenario template the engine gives them; team = the group's name. Skills: the
    group's voice skills with their levels, and the deferred channels the group works
    (``deferred``, blended agents) at level 1, the lowest, so that surplus time is
    reported under a voice skill."""
    from acd.agents import build_agents

    profiles = build_agents(scenario, random.Random(0))  # type: ignore[arg-type]
    templates: dict[str, ShiftTemplate] = {}
    agents = []
    for profile in profiles:
        group = profile.group
        if group.name not in templates:
            first = group.shifts[0]
            starts = [int(s.start_s // 60) for s in group.shifts]
            templates[group.name] = standard_template(
                group.name,
                int(first.length_s // 60),
                min(starts),
                max(starts),
                lunch_min=int(first.lunch_s // 60),
                breaks=first.breaks,
                break_min=int(first.break_s // 60),
            )
        template = templates[group.name]
        own_start = int(group.shifts[profile.template_index].start_s // 60)
        agents.append(
            Agent(
                agent_id=profile.agent_id,
                skills={
                    **{name: DEFERRED_SKILL_LEVEL for name in group.deferred},
                    **group.skills,
                },
                contract_min=group.days_per_week * template.paid_min,
                team=group.name,
                preferred_start=(max(0, own_start - 60), min(1439, own_start + 60)),
                templates=(group.name,),
            )
        )
    return agents, list(templates.values())


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a week later when today is a Monday)."""
    return today + timedelta(days=7 - today.weekday())


def week_of(requirements: pd.DataFrame, week_start: date | None) -> date:
    """``week_start``, or the Monday of the first week the requirements reach."""
    if week_start is not None:
        return week_start
    first = pd.to_datetime(requirements["ds"]).min().date()
    return first - timedelta(days=first.weekday())


def previous_weeks(shifts: pd.DataFrame, week_start: date) -> dict[str, PreviousWeek]:
    """Per agent, what the roster of the week before leaves for ``week_start``'s rules.

    ``shifts`` holds stored roster rows (``agent_id, date, activity, start_local,
    end_local``, local wall clock; see ``wfm.roster.store.latest_roster``); only the
    ``shift`` rows of days before ``week_start`` count. ``last_end_min`` is the end of
    the agent's last shift in minutes from ``week_start``'s midnight; ``worked_days``
    counts the days with a shift in a row up to the day before ``week_start``."""
    if shifts.empty:
        return {}
    rows = shifts[shifts["activity"] == "shift"]
    rows = rows[pd.to_datetime(rows["date"]).dt.date < week_start]
    midnight = datetime.combine(week_start, datetime.min.time())
    out: dict[str, PreviousWeek] = {}
    for agent_id, own in rows.groupby("agent_id", sort=True):
        last_end = pd.Timestamp(own["end_local"].max()).to_pydatetime()
        worked = set(pd.to_datetime(own["date"]).dt.date)
        run = 0
        while week_start - timedelta(days=run + 1) in worked:
            run += 1
        out[str(agent_id)] = PreviousWeek(
            last_end_min=round((last_end - midnight).total_seconds() / 60), worked_days=run
        )
    return out
