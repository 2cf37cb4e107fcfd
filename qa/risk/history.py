"""Evidence from the warehouse: how often things went wrong, and the incidents it shows.

Reads the published warehouse through ``warehouse.connect.read_only``. Signals (each
counted as DAYS with at least one occurrence, local days of the build's time zone):

- ``sl_breach``: a day with ``sl_breach_intervals`` or more queue-intervals whose
  ``service_level`` (``mart_interval_kpis``: answered within target / (answered +
  abandoned)) is below ``sl_goal``;
- ``no_answer``: a day with a queue-interval offered >= ``no_answer_min_offered`` and
  answered = 0 (``mart_interval_kpis``);
- ``ivr_failure``: a day with an IVR incident: a menu path's drop-off far above its usual
  rate (``mart_ivr``) or an open-hours interval with IVR calls and none to a queue
  (``int_ivr_journeys``), see :mod:`qa.risk.incidents`;
- ``trunk_blocking``: a day whose peak interval's offered load A (Erlangs: calls
  arriving at the IVR in the interval / interval seconds x their mean duration in
  seconds) gives Erlang B blocking B(A, trunk_lines) above ``trunk_blocking_target``
  (``wfm.erlang.erlang_b``).

The frequency is projected to three years (days with the event / days of history x 1095)
and mapped on the configured probability scale (``qa.risk.register``).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from qa.risk.config import Detection, RiskConfig
from qa.risk.incidents import (
    Incident,
    detect_ivr_no_queue,
    detect_no_answer,
    ivr_drop_off_incidents,
)
from qa.risk.register import (
    DAYS_PER_3Y,
    SIGNALS,
    per_three_years,
    probability_for_frequency,
)
from warehouse.connect import read_only
from wfm.erlang import erlang_b


@dataclass(frozen=True)
class WarehouseHistory:
    """The rows the signals and detectors need, fetched once (times UTC, naive)."""

    first_day: date
    last_day: date
    interval_minutes: int
    timezone: str
    intervals: list[dict[str, Any]]  # queue, interval_start, day_local, offered, answered, sl
    ivr_daily: list[dict[str, Any]]  # day_local, menu_path, calls, dropped (open hours)
    ivr_intervals: list[dict[str, Any]]  # interval_start, day_local, ivr_calls, to_queue, load
    day_bounds_utc: dict[date, tuple[datetime, datetime]]

    @property
    def history_days(self) -> int:
        """Local days from the first to the last day with data, both included."""
        return (self.last_day - self.first_day).days + 1


_NEEDED = ("build_info", "mart_interval_kpis", "mart_ivr", "int_ivr_journeys")


def _records(con: Any, sql: str, parameters: list[Any] | None = None) -> list[dict[str, Any]]:
    result = con.execute(sql, parameters or [])
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def load_history(db_path: str | Path) -> WarehouseHistory:
    """Fetch the interval KPIs, IVR days and IVR intervals of the published warehouse.

    Raises ``FileNotFoundError`` for a missing warehouse, ``ValueError`` when it has no
    interval data.
    """
    with read_only(db_path) as con:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
        missing = [name for name in _NEEDED if name not in present]
        if missing:
            raise ValueError(f"{db_path} is not a built warehouse (no {', '.join(missing)})")
        variables = json.loads(con.execute("select variables from build_info").fetchall()[0][0])
        minutes = int(variables["interval_minutes"])
        zone = str(variables["timezone"])
        intervals = _records(
            con,
            "select queue, cast(interval_start at time zone 'UTC' as timestamp) as interval_start,"
            " cast(interval_start_local as date) as day_local, offered, answered,"
            " service_level from mart_interval_kpis order by interval_start, queue",
        )
        ivr_daily = _records(
            con,
            "select day_local, menu_path, calls, dropped from mart_ivr where hours = 'open'",
        )
        ivr_intervals = _records(
            con,
            f"""
            with journeys as (
                select
                    day_local,
                    time_bucket(interval '{minutes}' minute, start_time_local) as local_start,
                    journey_end,
                    hours,
                    duration_s
                from int_ivr_journeys
            )
            select
                cast((local_start at time zone '{zone}') at time zone 'UTC' as timestamp)
                    as interval_start,
                min(day_local) as day_local,
                count(*) filter (where hours = 'open') as ivr_calls,
                count(*) filter (where journey_end = 'queue') as to_queue,
                count(*) * coalesce(avg(duration_s), 0) / {minutes * 60}.0 as offered_erlangs
            from journeys
            group by local_start
            order by local_start
            """,
        )
    days = [row["day_local"] for row in intervals] + [row["day_local"] for row in ivr_intervals]
    if not days:
        raise ValueError(f"{db_path}: the warehouse has no interval data (mart_interval_kpis)")
    first_day, last_day = min(days), max(days)
    bounds = day_bounds_utc(first_day, last_day, zone)
    return WarehouseHistory(
        first_day, last_day, minutes, zone, intervals, ivr_daily, ivr_intervals, bounds
    )


def day_bounds_utc(first: date, last: date, zone: str) -> dict[date, tuple[datetime, datetime]]:
    """Each local day's start and end (next day's start) as naive UTC datetimes."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    bounds = {}
    day = first
    while day <= last:
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        after = day + timedelta(days=1)
        end = datetime(after.year, after.month, after.day, tzinfo=tz)
        bounds[day] = (_naive_utc(start), _naive_utc(end))
        day = after
    return bounds


def _naive_utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None)


def sl_breach_days(intervals: Iterable[Mapping[str, Any]], detection: Detection) -> list[date]:
    """Days with ``sl_breach_intervals``+ queue-intervals whose service_level < sl_goal."""
    breached: dict[date, int] = defaultdict(int)
    for row in intervals:
        if row["service_level"] is not None and row["service_level"] < detection.sl_goal:
            breached[row["day_local"]] += 1
    return sorted(day for day, n in breached.items() if n >= detection.sl_breach_intervals)


def no_answer_days(intervals: Iterable[Mapping[str, Any]], detection: Detection) -> list[date]:
    """Days with a queue-interval offered >= no_answer_min_offered and answered = 0."""
    return sorted(
        {
            row["day_local"]
            for row in intervals
            if row["offered"] >= detection.no_answer_min_offered and row["answered"] == 0
        }
    )


def peak_blocking_by_day(
    ivr_intervals: Iterable[Mapping[str, Any]], trunk_lines: int
) -> dict[date, dict[str, float]]:
    """Per day: the peak interval's offered load (Erlangs) and its Erlang B blocking."""
    peaks: dict[date, float] = defaultdict(float)
    for row in ivr_intervals:
        peaks[row["day_local"]] = max(peaks[row["day_local"]], float(row["offered_erlangs"]))
    return {
        day: {"peak_erlangs": load, "blocking": erlang_b(load, trunk_lines)}
        for day, load in sorted(peaks.items())
    }


def trunk_blocking_days(
    ivr_intervals: Iterable[Mapping[str, Any]], trunk_lines: int, target: float
) -> list[date]:
    """Days whose peak interval's Erlang B blocking exceeds ``target``."""
    peaks = peak_blocking_by_day(ivr_intervals, trunk_lines)
    return [day for day, peak in peaks.items() if peak["blocking"] > target]


def incidents_from_history(history: WarehouseHistory, config: RiskConfig) -> list[Incident]:
    """Every incident the detectors find, by start time."""
    incidents = (
        detect_no_answer(history.intervals, config, history.interval_minutes)
        + ivr_drop_off_incidents(history.ivr_daily, config, history.day_bounds_utc)
        + detect_ivr_no_queue(
            [row for row in history.ivr_intervals if row["ivr_calls"] > 0],
            config,
            history.interval_minutes,
        )
    )
    return sorted(incidents, key=lambda i: (i.started_at, i.incident_id))


def signal_days(history: WarehouseHistory, config: RiskConfig) -> dict[str, list[date]]:
    """The days each signal occurred (see the module docstring)."""
    detection = config.detection
    ivr_days = set()
    for incident in incidents_from_history(history, config):
        if incident.kind in ("ivr_drop_off", "ivr_no_queue"):
            local = _local_day(incident.started_at, history)
            ivr_days.add(local)
    return {
        "sl_breach": sl_breach_days(history.intervals, detection),
        "no_answer": no_answer_days(history.intervals, detection),
        "ivr_failure": sorted(ivr_days),
        "trunk_blocking": trunk_blocking_days(
            history.ivr_intervals, config.center.trunk_lines, detection.trunk_blocking_target
        ),
    }


def _local_day(utc_start: datetime, history: WarehouseHistory) -> date:
    for day, (start, end) in history.day_bounds_utc.items():
        if start <= utc_start < end:
            return day
    return utc_start.date()


def evidence(history: WarehouseHistory, config: RiskConfig, examples: int = 5) -> dict[str, Any]:
    """Per signal: days with it, days of history, frequency per three years, the proposed
    probability, and the first few days as examples.

    ``upper_per_3y`` is the rule-of-three 95% upper bound of the frequency when no day had
    the signal (3 / days of history x 1095): a short history cannot show that a rare event
    is rare. So a signal never seen proposes 1 ("not seen in three years") only from three
    years of history or more; from less, it proposes nothing (None).
    """
    days = signal_days(history, config)
    n_days = history.history_days
    result: dict[str, Any] = {}
    for signal in SIGNALS:
        found = days[signal]
        per_3y = per_three_years(len(found), n_days)
        # "Not seen in three years" (1) needs three years of history to be said.
        unproven = not found and n_days < DAYS_PER_3Y
        result[signal] = {
            "days_with_event": len(found),
            "history_days": n_days,
            "per_3y": round(per_3y, 3),
            "upper_per_3y": None if found else round(per_three_years(3, n_days), 3),
            "proposed_probability": None
            if unproven
            else probability_for_frequency(per_3y, config.probability_scale),
            "examples": [day.isoformat() for day in found[:examples]],
        }
    peaks = peak_blocking_by_day(history.ivr_intervals, config.center.trunk_lines)
    if peaks:
        worst_day = max(peaks, key=lambda d: peaks[d]["peak_erlangs"])
        result["trunk_blocking"]["peak_erlangs"] = round(peaks[worst_day]["peak_erlangs"], 2)
        result["trunk_blocking"]["peak_day"] = worst_day.isoformat()
        blocking = peaks[worst_day]["blocking"]
        result["trunk_blocking"]["peak_blocking"] = (
            round(blocking, 4) if math.isfinite(blocking) else None
        )
        result["trunk_blocking"]["trunk_lines"] = config.center.trunk_lines
    return {
        "first_day": history.first_day.isoformat(),
        "last_day": history.last_day.isoformat(),
        "history_days": n_days,
        "signals": result,
    }
