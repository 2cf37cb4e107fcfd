"""The roster's plain data: shift templates, agents, rules, weights, and the result.

Times inside the roster are whole minutes: a time of day is minutes after local midnight
(a night shift's end may pass 1440), a time in the week is minutes after 00:00 of the
week's first day. Local wall-clock time throughout (the center's time zone, no DST
arithmetic: a DST change inside the week shifts the grid by the clock change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKLOAD = "workload"  # a requirement's method for a deferred channel (wfm.staffing)


class RosterInputError(ValueError):
    """Input the roster cannot use (a malformed file, impossible rules): one clear line."""


@dataclass(frozen=True)
class ShiftTemplate:
    """A family of shifts: one length, starts every ``start_step_min`` in a window.

    ``lunch_window_min`` and each of ``break_windows_min`` give the earliest and latest
    start of that activity in minutes after the shift's start. The windows must be in
    order and not overlap (an activity starting at the latest start of its window ends
    before the earliest start of the next), so any choice inside each window gives a
    valid day: the solver relies on this (see ``wfm.roster``). Lunch is unpaid, breaks
    are paid; neither is time on the phone.
    """

    name: str
    length_min: int
    start_earliest_min: int  # minutes after local midnight
    start_latest_min: int  # may be >= 1440 - length: the shift then crosses midnight
    start_step_min: int = 30
    lunch_min: int = 0
    lunch_window_min: tuple[int, int] = (180, 300)
    break_min: int = 15
    break_windows_min: tuple[tuple[int, int], ...] = ()

    @property
    def paid_min(self) -> int:
        """Paid minutes of one shift: its length less the (unpaid) lunch."""
        return self.length_min - self.lunch_min

    @property
    def net_min(self) -> int:
        """Minutes of one shift on the phone: length less lunch and breaks."""
        return self.length_min - self.lunch_min - self.break_min * len(self.break_windows_min)

    def activities(self) -> list[tuple[str, int, int, int]]:
        """``(kind, earliest, latest, length)`` of the lunch and breaks, in window order."""
        items = [("break", lo, hi, self.break_min) for lo, hi in self.break_windows_min]
        if self.lunch_min > 0:
            items.append(("lunch", *self.lunch_window_min, self.lunch_min))
        return sorted(items, key=lambda item: item[1])

    def validate(self) -> None:
        where = f"shift template {self.name!r}"
        if self.length_min <= 0 or self.length_min > 16 * 60:
            raise RosterInputError(f"{where}: length must be 1 minute to 16 hours")
        if self.start_step_min <= 0:
            raise RosterInputError(f"{where}: start step must be > 0 minutes")
        if not 0 <= self.start_earliest_min <= self.start_latest_min < 1440:
            raise RosterInputError(
                f"{where}: start window must satisfy 00:00 <= earliest <= latest < 24:00"
            )
        previous_end, previous = 0, "shift start"
        for kind, lo, hi, length in self.activities():
            if length <= 0 or lo > hi:
                raise RosterInputError(f"{where}: {kind} window or length is empty")
            if lo < previous_end:
                raise RosterInputError(
                    f"{where}: {kind} window starts {lo} min after the start, before the "
                    f"{previous} can end ({previous_end} min): windows must be in order"
                )
            previous_end, previous = hi + length, kind
        if previous_end > self.length_min:
            raise RosterInputError(f"{where}: the last break or lunch can end after the shift")


@dataclass(frozen=True)
class PreviousWeek:
    """What an agent's previous week leaves for this week's rules (from the stored roster
    of the week before): when their last shift ended, in minutes from this week's start
    (negative before it; positive when a night shift runs into the week), and how many
    days in a row they worked up to the week (0: the last day before it was off)."""

    last_end_min: int | None = None
    worked_days: int = 0


@dataclass(frozen=True)
class Agent:
    """One agent as the roster sees them.

    ``availability`` maps a weekday (0 = Monday) to windows ``(start, end)`` in minutes
    after local midnight (end up to 2880 for a night shift); a weekday missing from the
    map is not available; ``None`` means available at any time. ``preferred_start`` is a
    band of start times (minutes after midnight): a shift starting outside it costs a
    preference penalty. ``templates`` names the shift templates the agent may work
    (empty: all). ``previous``: the end of their previous week, which the rest and
    consecutive-days rules count (None: the week starts fresh).
    """

    agent_id: str
    skills: dict[str, int]  # skill -> level 1..10
    contract_min: int  # paid minutes per week
    team: str = ""
    availability: dict[int, tuple[tuple[int, int], ...]] | None = None
    days_off: frozenset[date] = frozenset()
    preferred_start: tuple[int, int] | None = None
    templates: tuple[str, ...] = ()
    previous: PreviousWeek | None = None

    @property
    def skill_set(self) -> tuple[str, ...]:
        return tuple(sorted(self.skills))

    @property
    def primary_skill(self) -> str:
        """The skill with the highest level (ties: the first by name)."""
        return min(self.skills, key=lambda s: (-self.skills[s], s))


@dataclass(frozen=True)
class Rules:
    """Hard rules every agent's week must meet. Rest and consecutive days also count the
    end of the previous week when the agent carries it (``Agent.previous``)."""

    min_days_per_week: int = 0
    max_days_per_week: int = 5
    min_rest_min: int = 11 * 60
    max_consecutive_days: int = 5
    min_weekend_days_off: int = 1  # of the week's Saturday and Sunday
    hours_tolerance_min: int = 0  # paid minutes may differ from the contract by this much

    def validate(self) -> None:
        if not 0 <= self.min_days_per_week <= self.max_days_per_week <= 7:
            raise RosterInputError(
                "rules: need 0 <= min_days_per_week <= max_days_per_week <= 7, got "
                f"{self.min_days_per_week} and {self.max_days_per_week}"
            )
        if self.min_rest_min < 0 or self.hours_tolerance_min < 0:
            raise RosterInputError("rules: min rest and hours tolerance must be >= 0")
        if not 1 <= self.max_consecutive_days <= 7:
            raise RosterInputError("rules: max_consecutive_days must be 1..7")
        if not 0 <= self.min_weekend_days_off <= 2:
            raise RosterInputError("rules: min_weekend_days_off must be 0, 1 or 2")


@dataclass(frozen=True)
class Weights:
    """Objective weights, per slot-agent (one agent for one slot of the time grid).

    Under-coverage dominates: one slot of a missing agent costs ``under`` while one shift
    outside an agent's preferred band costs ``preference``, so the solver gives up a
    preference before a slot of coverage unless ``under / preference`` preferences are at
    stake. Over-coverage (agents beyond the requirement) costs ``over``.

    Voice first: a slot short on a deferred channel (a requirement with method
    ``workload``) costs ``deferred_under`` instead of ``under``. With ``deferred_under <
    under`` a multi-skilled agent's slot goes to a voice skill whenever both are short,
    and no roster leaves voice short to cover deferred work; with ``deferred_under >
    preference`` deferred work is still covered before preferences are kept.
    """

    under: int = 100
    over: int = 1
    preference: int = 10
    skill: dict[str, int] = field(default_factory=dict)  # extra multiplier of under per skill
    deferred_under: int = 50


@dataclass(frozen=True)
class RosterActivity:
    """One row of the roster: an agent's shift, break or lunch (local wall-clock time)."""

    agent_id: str
    day: date  # the day the shift belongs to (a night shift may end the next day)
    activity: str  # shift | break | lunch
    start: datetime
    end: datetime
    template: str = ""


@dataclass
class RosterResult:
    """What a roster run gives back.

    ``status``: OPTIMAL, FEASIBLE (time limit reached with a roster), or GREEDY (the
    solver found nothing better in time: the greedy start roster is returned).
    ``objective`` and ``best_bound`` are in weighted slot-agents (see ``Weights``);
    ``gap = (objective - best_bound) / max(1, |objective|)``.
    ``coverage`` has one row per skill and interval: ``skill, ds, required, scheduled``
    (agents; scheduled is net of breaks and lunch, the multi-skill split as in
    ``wfm.roster.coverage``). ``summary`` is ``wfm.roster.coverage.summarise``.
    """

    week_start: date
    status: str
    objective: float
    best_bound: float
    gap: float
    solve_s: float
    activities: list[RosterActivity]
    coverage: object  # pandas.DataFrame
    summary: dict[str, float | int]
    warnings: list[str]
    parameters: dict[str, object]
