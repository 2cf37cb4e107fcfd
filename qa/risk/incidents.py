"""Fault levels, escalation timelines, incident detection and time to recover (pure).

Definitions:

- scope of an incident: seats affected of the center's seats (``seat_share``), whole sites
  down, queues that cannot answer. For an incident detected from data the seat share is
  the share of the interval's offered calls in the affected queues (the data knows calls,
  not desks), and ``all_sites`` holds when every queue with calls offered is affected;
- fault level: the first configured level (most severe first) any of whose conditions
  the scope meets (:func:`fault_level`); the last level is the catch-all;
- escalation steps: the level's timeline from the incident start: each step at
  ``after_min``, then ``repeat_notify`` every ``repeat_every_min`` after the last step,
  every notification due at or before the end (or ``as_of`` while it is open);
- time to recover: minutes from start to end of an ended incident; per level the count,
  mean and median (:func:`recovery_by_level`).

Detection (:func:`detect_no_answer`, :func:`detect_ivr_drop_off`,
:func:`detect_ivr_no_queue`) works on plain rows fetched by :mod:`qa.risk.history`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from qa.risk.config import Detection, Escalation, FaultLevel, RiskConfig

KINDS = ("no_answer", "ivr_drop_off", "ivr_no_queue", "manual")


@dataclass(frozen=True)
class Scope:
    """What an incident affects: seat share (0..1), whole sites down, queues down."""

    seat_share: float = 0.0
    sites_down: int = 0
    all_sites: bool = False
    queues_down: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.seat_share <= 1.0:
            raise ValueError(f"seat_share must be between 0 and 1, got {self.seat_share}")
        if self.sites_down < 0 or self.queues_down < 0:
            raise ValueError("sites_down and queues_down must be >= 0")


def fault_level(scope: Scope, levels: Sequence[FaultLevel]) -> int:
    """The first level (most severe first) any of whose conditions ``scope`` meets."""
    for level in levels:
        if level.is_catch_all:
            return level.level
        if (
            (level.all_sites and scope.all_sites)
            or (level.sites_at_least is not None and scope.sites_down >= level.sites_at_least)
            or (level.seat_share_above is not None and scope.seat_share > level.seat_share_above)
            or (level.queues_at_least is not None and scope.queues_down >= level.queues_at_least)
        ):
            return level.level
    return levels[-1].level


@dataclass(frozen=True)
class Notification:
    """One escalation step due: when, who, how."""

    step: int
    after_min: int
    due_at: datetime
    notify: tuple[str, ...]
    action: str
    kind: str  # "step" (the timeline) or "update" (a repeated status update)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return asdict(self) | {"notify": list(self.notify), "due_at": self.due_at.isoformat()}


def escalation_steps(
    timeline: Escalation, started_at: datetime, until: datetime, max_updates: int = 48
) -> list[Notification]:
    """Notifications due from ``started_at`` up to ``until`` (the end, or now while open).

    The timeline's steps first; then, if ``repeat_every_min`` > 0, an update every that
    many minutes after the last step. The step at 0 minutes is always due. At most
    ``max_updates`` updates are listed (48: a day of half-hourly updates; an incident
    open longer has its later updates unlisted, not unsent).
    """
    due = []
    number = 0
    for step in timeline.steps:
        at = started_at + timedelta(minutes=step.after_min)
        if at > until and step.after_min > 0:
            break
        number += 1
        due.append(Notification(number, step.after_min, at, step.notify, step.action, "step"))
    else:
        if timeline.repeat_every_min > 0 and timeline.repeat_notify:
            minutes = timeline.steps[-1].after_min
            for _ in range(max_updates):
                minutes += timeline.repeat_every_min
                at = started_at + timedelta(minutes=minutes)
                if at > until:
                    break
                number += 1
                due.append(
                    Notification(number, minutes, at, timeline.repeat_notify, "update", "update")
                )
    return due


@dataclass(frozen=True)
class Incident:
    """A fault: what, where, when, its scope and level. Times are UTC (naive or aware)."""

    incident_id: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    level: int
    scope: Scope
    queue: str | None = None
    menu_path: str | None = None
    description: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def minutes_to_recover(self) -> float | None:
        """Minutes from start to end; None while open."""
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds() / 60.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return (
            {
                "incident_id": self.incident_id,
                "kind": self.kind,
                "level": self.level,
                "queue": self.queue,
                "menu_path": self.menu_path,
                "started_at": self.started_at.isoformat(),
                "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                "minutes_to_recover": self.minutes_to_recover,
                "description": self.description,
            }
            | asdict(self.scope)
            | {"evidence": self.evidence}
        )


def recovery_by_level(incidents: Iterable[Incident], levels: Iterable[int]) -> list[dict[str, Any]]:
    """Per level: incidents, ended ones, mean and median minutes to recover (None if none)."""
    minutes: dict[int, list[float]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for incident in incidents:
        counts[incident.level] += 1
        if incident.minutes_to_recover is not None:
            minutes[incident.level].append(incident.minutes_to_recover)
    rows = []
    for level in levels:
        values = minutes[level]
        rows.append(
            {
                "level": level,
                "incidents": counts[level],
                "ended": len(values),
                "mean_minutes_to_recover": statistics.fmean(values) if values else None,
                "median_minutes_to_recover": statistics.median(values) if values else None,
            }
        )
    return rows


def _runs(starts: Sequence[datetime], step: timedelta) -> list[tuple[datetime, datetime]]:
    """Consecutive interval starts merged into (first start, last start + step) runs."""
    runs: list[tuple[datetime, datetime]] = []
    for start in sorted(starts):
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + step)
        else:
            runs.append((start, start + step))
    return runs


def detect_no_answer(
    rows: Iterable[Mapping[str, Any]], config: RiskConfig, interval_minutes: int
) -> list[Incident]:
    """Queues that answered nothing while calls were offered (``mart_interval_kpis`` rows).

    ``rows``: queue, interval_start (UTC), offered, answered, for every queue and interval.
    A queue-interval with offered >= ``no_answer_min_offered`` and answered = 0 is down;
    consecutive down intervals of a queue are one incident from the first interval's start
    to the last one's end. Scope at its worst interval: share of that interval's offered
    calls in down queues, queues down, and ``all_sites`` when no queue answered anything.
    """
    detection = config.detection
    step = timedelta(minutes=interval_minutes)
    offered_in: dict[datetime, int] = defaultdict(int)
    down: dict[datetime, dict[str, int]] = defaultdict(dict)
    answered_in: dict[datetime, int] = defaultdict(int)
    for row in rows:
        start = row["interval_start"]
        offered_in[start] += row["offered"]
        answered_in[start] += row["answered"]
        if row["offered"] >= detection.no_answer_min_offered and row["answered"] == 0:
            down[start][row["queue"]] = row["offered"]
    by_queue: dict[str, list[datetime]] = defaultdict(list)
    for start, queues in down.items():
        for queue in queues:
            by_queue[queue].append(start)
    incidents = []
    for queue, starts in sorted(by_queue.items()):
        for first, end in _runs(starts, step):
            scopes = []
            offered = 0
            at = first
            while at < end:
                queues = down[at]
                offered += queues[queue]
                center_down = answered_in[at] == 0
                scopes.append(
                    Scope(
                        seat_share=sum(queues.values()) / offered_in[at],
                        queues_down=len(queues),
                        all_sites=center_down,
                        sites_down=config.center.sites_total if center_down else 0,
                    )
                )
                at += step
            worst = min(scopes, key=lambda s: (fault_level(s, config.fault_levels), -s.seat_share))
            incidents.append(
                Incident(
                    incident_id=f"NA-{queue}-{first:%Y%m%dT%H%M}",
                    kind="no_answer",
                    started_at=first,
                    ended_at=end,
                    level=fault_level(worst, config.fault_levels),
                    scope=worst,
                    queue=queue,
                    description=(
                        f"queue {queue}: {offered} calls offered, none answered, "
                        f"{(end - first) // step} interval(s)"
                    ),
                    evidence={"offered": offered, "intervals": (end - first) // step},
                )
            )
    return incidents


def detect_ivr_drop_off(
    rows: Iterable[Mapping[str, Any]], detection: Detection
) -> list[dict[str, Any]]:
    """Menu path days whose drop-off rate is far above the path's usual rate (``mart_ivr``).

    ``rows``: day_local, menu_path, calls, dropped (open hours). Only days with at least
    ``ivr_min_calls`` calls on the path are judged. Usual rate: the median daily drop-off
    rate (dropped / calls) of the path over those days. A day is a failure when its rate
    is at least ``ivr_drop_factor`` x usual and at least usual + ``ivr_drop_margin``.
    Returns the failing rows with ``drop_off_rate``, ``usual_drop_off_rate`` and
    ``day_calls`` (all judged paths' calls that day), by day and path.
    """
    judged = [dict(row) for row in rows if row["calls"] >= detection.ivr_min_calls]
    rates: dict[str, list[float]] = defaultdict(list)
    calls_per_day: dict[date, int] = defaultdict(int)
    for row in judged:
        rates[row["menu_path"]].append(row["dropped"] / row["calls"])
        calls_per_day[row["day_local"]] += row["calls"]
    usual = {path: statistics.median(values) for path, values in rates.items()}
    found = []
    for row in sorted(judged, key=lambda r: (r["day_local"], r["menu_path"])):
        rate = row["dropped"] / row["calls"]
        base = usual[row["menu_path"]]
        if rate >= base * detection.ivr_drop_factor and rate >= base + detection.ivr_drop_margin:
            found.append(
                row
                | {
                    "drop_off_rate": rate,
                    "usual_drop_off_rate": base,
                    "day_calls": calls_per_day[row["day_local"]],
                }
            )
    return found


def ivr_drop_off_incidents(
    rows: Iterable[Mapping[str, Any]],
    config: RiskConfig,
    day_bounds_utc: Mapping[date, tuple[datetime, datetime]],
) -> list[Incident]:
    """:func:`detect_ivr_drop_off` findings as incidents spanning their local day.

    mart_ivr is daily, so the incident spans the local day (``day_bounds_utc[day]``: its
    start and end in UTC). Scope: one queue's entry down, seat share = the path's drops
    over the day's judged IVR calls.
    """
    incidents = []
    for row in detect_ivr_drop_off(rows, config.detection):
        scope = Scope(seat_share=min(1.0, row["dropped"] / row["day_calls"]), queues_down=1)
        start, end = day_bounds_utc[row["day_local"]]
        incidents.append(
            Incident(
                incident_id=f"IVR-{row['menu_path']}-{row['day_local']:%Y%m%d}",
                kind="ivr_drop_off",
                started_at=start,
                ended_at=end,
                level=fault_level(scope, config.fault_levels),
                scope=scope,
                menu_path=row["menu_path"],
                description=(
                    f"IVR path {row['menu_path']}: drop-off {row['drop_off_rate']:.1%} of "
                    f"{row['calls']} calls on {row['day_local']}, usually "
                    f"{row['usual_drop_off_rate']:.1%}"
                ),
                evidence={
                    "calls": row["calls"],
                    "dropped": row["dropped"],
                    "drop_off_rate": row["drop_off_rate"],
                    "usual_drop_off_rate": row["usual_drop_off_rate"],
                },
            )
        )
    return incidents


def detect_ivr_no_queue(
    rows: Iterable[Mapping[str, Any]], config: RiskConfig, interval_minutes: int
) -> list[Incident]:
    """Open-hours intervals where calls reached the IVR and none reached a queue.

    ``rows``: interval_start (UTC), ivr_calls, to_queue (calls whose journey ended in a
    queue) per open-hours interval. An interval with ivr_calls >= ``ivr_no_queue_min_calls``
    and to_queue = 0 is down; consecutive ones are one incident. No call reaches any
    queue, so the whole center is cut off: every site, every seat.
    """
    step = timedelta(minutes=interval_minutes)
    calls: dict[datetime, int] = {}
    for row in rows:
        if row["ivr_calls"] >= config.detection.ivr_no_queue_min_calls and row["to_queue"] == 0:
            calls[row["interval_start"]] = row["ivr_calls"]
    incidents = []
    for first, end in _runs(list(calls), step):
        total = sum(n for at, n in calls.items() if first <= at < end)
        scope = Scope(
            seat_share=1.0, all_sites=True, sites_down=config.center.sites_total, queues_down=0
        )
        incidents.append(
            Incident(
                incident_id=f"IVRQ-{first:%Y%m%dT%H%M}",
                kind="ivr_no_queue",
                started_at=first,
                ended_at=end,
                level=fault_level(scope, config.fault_levels),
                scope=scope,
                description=f"{total} calls reached the IVR and none reached a queue",
                evidence={"ivr_calls": total, "intervals": (end - first) // step},
            )
        )
    return incidents


def seat_scope(
    seats_down: int, sites_down: int, queues_down: int, seats_total: int, sites_total: int
) -> Scope:
    """The scope of a reported incident: seats down of the center's seats, sites, queues.

    ``all_sites`` when every site is down; the seat share is seats_down / seats_total.
    Raises ``ValueError`` for counts below 0 or above the center's size.
    """
    if not 0 <= seats_down <= seats_total:
        raise ValueError(f"seats affected must be between 0 and {seats_total}, got {seats_down}")
    if not 0 <= sites_down <= sites_total:
        raise ValueError(f"sites down must be between 0 and {sites_total}, got {sites_down}")
    if queues_down < 0:
        raise ValueError(f"queues down must be >= 0, got {queues_down}")
    return Scope(
        seat_share=seats_down / seats_total,
        sites_down=sites_down,
        all_sites=sites_down == sites_total,
        queues_down=queues_down,
    )


def manual_incident(
    incident_id: str,
    started_at: datetime,
    ended_at: datetime | None,
    scope: Scope,
    config: RiskConfig,
    description: str,
    queue: str | None = None,
) -> Incident:
    """An incident people report, its level from its scope (:func:`fault_level`)."""
    if not incident_id.strip():
        raise ValueError("an incident needs an id")
    if ended_at is not None and ended_at < started_at:
        raise ValueError(
            f"incident {incident_id} ends ({ended_at}) before it starts ({started_at})"
        )
    return Incident(
        incident_id=incident_id.strip(),
        kind="manual",
        started_at=started_at,
        ended_at=ended_at,
        level=fault_level(scope, config.fault_levels),
        scope=scope,
        queue=queue,
        description=description,
    )
