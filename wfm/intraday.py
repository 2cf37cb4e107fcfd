"""Intraday re-forecast of the rest of today, and the staffing gap it leaves per interval.

Pure core on plain pandas frames (``reforecast``, ``scheduled_agents``, ``staffing_gap``);
the readers at the bottom fetch actuals from the warehouse (``mart_interval_kpis``),
today's forecast from the planning store (``forecasting.store.latest_forecasts``) and the
roster (``wfm.adherence``).

Re-forecast (the actual-to-forecast ratio method of intraday management, e.g. Cleveland,
*Call Center Management on Fast Forward*, 3rd ed., ch. 9 "intraday reforecasting"; NICE
IEX and Verint intraday "reforecast" work the same way), per queue:

    r = A / F                    A, F: actual and forecast calls offered in the intervals
                                 of today that have ended by ``now``
    w = F / F_day                share of the day's forecast volume already seen, in [0, 1]
    k = 1 + w (r - 1)            the ratio shrunk toward 1 by how little of the day is seen
    y_reforecast = k * y_hat     for every interval not ended yet (the current one included)

The shrinkage is a credibility weight (as in Bühlmann credibility, Z grows with the data
seen): at 09:00, with 5 % of the day's calls seen, a 30 % surplus moves the rest of the
day by 1.5 %; at 15:00, with 70 % seen, by 21 %. With no forecast volume so far (F = 0),
k = 1. AHT is re-forecast the same way with r_aht = actual AHT / forecast AHT over the
ended intervals (weighted by the calls whose handling is known) and the same w.

Staffing gap per interval = scheduled agents - required agents, where required agents
is the fewest that meet the service-level goal (default 80 % answered within 20 s) for the
re-forecast calls and AHT by Erlang C (``wfm.erlang.agents_for_service_level``), or by
Erlang A with a patience (``erlang_a_agents_for_service_level``); scheduled agents are the
roster's agents on open (on-phone) time in the interval, time-weighted (an agent on a 15
minute break in a 30 minute interval counts 0.5), net of breaks, lunch, training, meeting
and coaching. The gap is for the center as a whole: the sum of the queues' requirements
(no pooling gain across queues, which makes it an upper bound for multi-skilled agents)
against all scheduled agents. The roster does not say which queues an agent serves; when
the queues it was a member of lately are known (``read_agent_queues``), a per-queue gap
counts each rostered agent in every queue it serves: an optimistic figure for a queue
whose agents also serve others, while the center's gap is the binding one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.adherence import OPEN, ScheduledActivity, build_shifts
from wfm.erlang import agents_for_service_level, erlang_a_agents_for_service_level

DEFAULT_SL_GOAL = 0.8
DEFAULT_TARGET_S = 20.0


@dataclass(frozen=True, slots=True)
class QueueReforecast:
    """One queue's re-forecast summary (calls, seconds, ratios)."""

    queue: str
    actual_so_far: float  # A: calls offered in today's ended intervals
    forecast_so_far: float  # F: forecast calls in the same intervals
    forecast_day: float  # F_day: the whole day's forecast
    ratio: float | None  # r = A / F, None when F = 0
    seen_share: float  # w = F / F_day
    factor: float  # k = 1 + w (r - 1)
    remaining_forecast: float  # sum of y_hat over the intervals not ended
    remaining_reforecast: float  # k times that
    aht_factor: float  # the same for AHT
    remaining_aht_s: float | None  # calls-weighted mean AHT of the re-forecast, seconds
    note: str = ""


def reforecast(
    actuals: pd.DataFrame,
    forecast: pd.DataFrame,
    now: datetime,
    interval_minutes: int,
    aht_forecast: pd.DataFrame | None = None,
) -> tuple[list[QueueReforecast], pd.DataFrame]:
    """Re-forecast today's intervals not ended at ``now`` (formula in the module docstring).

    ``actuals``: ``queue, interval_start_local, offered`` and optionally ``aht_s`` and
    ``handled_known`` (mart_interval_kpis rows); ``forecast`` and ``aht_forecast``:
    ``unique_id, ds, y_hat`` (forecasting.store.latest_forecasts). Only the local day of
    ``now`` (naive local time) is used; a queue with no actual row in an ended interval
    had no calls there. Returns the per-queue summaries and one row per queue and
    remaining interval: ``queue, interval_start_local, forecast_calls, calls, aht_s``
    (``aht_s`` NaN when neither an AHT forecast nor an actual AHT exists). Raises
    ``ValueError`` if there is no forecast for the day.
    """
    if interval_minutes <= 0:
        raise ValueError(f"interval length must be > 0 minutes, got {interval_minutes}")
    day = now.date()
    length = timedelta(minutes=interval_minutes)
    fc = _day_rows(forecast, day, "forecast")
    if fc.empty:
        raise ValueError(f"no forecast of calls offered for {day}")
    aht_fc = _day_rows(aht_forecast, day, "AHT forecast") if aht_forecast is not None else None
    act = actuals.copy()
    act["interval_start_local"] = pd.to_datetime(act["interval_start_local"])
    act = act[
        (act["interval_start_local"].dt.date == day) & (act["interval_start_local"] + length <= now)
    ]
    summaries: list[QueueReforecast] = []
    frames: list[pd.DataFrame] = []
    for queue in sorted(set(fc["unique_id"]) | set(act["queue"])):
        q_fc = fc[fc["unique_id"] == queue]
        q_act = act[act["queue"] == queue]
        ended = q_fc["ds"] + length <= now
        actual = float(q_act["offered"].sum())
        forecast_so_far = float(q_fc.loc[ended, "y_hat"].sum())
        forecast_day = float(q_fc["y_hat"].sum())
        note = ""
        if q_fc.empty:
            note = "calls but no forecast today: not re-forecast"
        elif forecast_so_far <= 0 and actual > 0:
            note = "calls where none were forecast: ratio undefined, forecast kept"
        ratio = actual / forecast_so_far if forecast_so_far > 0 else None
        seen = forecast_so_far / forecast_day if forecast_day > 0 else 0.0
        factor = 1.0 + seen * (ratio - 1.0) if ratio is not None else 1.0
        aht_factor, aht_actual = _aht_factor(q_act, aht_fc, queue, seen, length)
        remaining = q_fc[~ended]
        out = pd.DataFrame(
            {
                "queue": queue,
                "interval_start_local": remaining["ds"].to_numpy(),
                "forecast_calls": remaining["y_hat"].to_numpy(dtype=float),
            }
        )
        out["calls"] = out["forecast_calls"] * factor
        out["aht_s"] = _remaining_aht(out, aht_fc, queue, aht_factor, aht_actual)
        frames.append(out)
        summaries.append(
            QueueReforecast(
                queue=queue,
                actual_so_far=actual,
                forecast_so_far=forecast_so_far,
                forecast_day=forecast_day,
                ratio=ratio,
                seen_share=seen,
                factor=factor,
                remaining_forecast=float(out["forecast_calls"].sum()),
                remaining_reforecast=float(out["calls"].sum()),
                aht_factor=aht_factor,
                remaining_aht_s=_weighted_mean(out["aht_s"], out["calls"]),
                note=note,
            )
        )
    intervals = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return summaries, intervals


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float | None:
    known = values.notna() & (weights > 0)
    if not known.any():
        return None
    return float((values[known] * weights[known]).sum() / weights[known].sum())


def _day_rows(frame: pd.DataFrame | None, day: date, what: str) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y_hat": []})
    missing = [c for c in ("unique_id", "ds", "y_hat") if c not in frame.columns]
    if missing:
        raise ValueError(f"the {what} lacks column(s) {', '.join(missing)}")
    rows = frame[["unique_id", "ds", "y_hat"]].copy()
    rows["ds"] = pd.to_datetime(rows["ds"])
    rows["unique_id"] = rows["unique_id"].astype(str)
    rows = rows[rows["ds"].dt.date == day]
    if rows["y_hat"].isna().any() or (rows["y_hat"] < 0).any():
        raise ValueError(f"the {what} has missing or negative values on {day}")
    return rows.sort_values(["unique_id", "ds"])


def _aht_factor(
    q_act: pd.DataFrame,
    aht_fc: pd.DataFrame | None,
    queue: str,
    seen: float,
    length: timedelta,
) -> tuple[float, float | None]:
    """(k_aht, the actual mean AHT so far or None): r_aht over ended intervals, shrunk by w."""
    if "aht_s" not in q_act.columns:
        return 1.0, None
    weight_column = "handled_known" if "handled_known" in q_act.columns else "offered"
    known = q_act[q_act["aht_s"].notna() & (q_act[weight_column] > 0)]
    if known.empty:
        return 1.0, None
    weights = known[weight_column].astype(float)
    actual_mean = float((known["aht_s"] * weights).sum() / weights.sum())
    if aht_fc is None or aht_fc.empty:
        return 1.0, actual_mean
    fc = aht_fc[aht_fc["unique_id"] == queue].set_index("ds")["y_hat"]
    matched = known[known["interval_start_local"].isin(fc.index)]
    if matched.empty:
        return 1.0, actual_mean
    w = matched[weight_column].astype(float)
    forecast_mean = float((fc.loc[matched["interval_start_local"]].to_numpy() * w).sum() / w.sum())
    actual_matched = float((matched["aht_s"] * w).sum() / w.sum())
    if forecast_mean <= 0:
        return 1.0, actual_mean
    return 1.0 + seen * (actual_matched / forecast_mean - 1.0), actual_mean


def _remaining_aht(
    out: pd.DataFrame,
    aht_fc: pd.DataFrame | None,
    queue: str,
    aht_factor: float,
    aht_actual: float | None,
) -> pd.Series:
    if aht_fc is not None and not aht_fc.empty:
        fc = aht_fc[aht_fc["unique_id"] == queue].set_index("ds")["y_hat"]
        values = out["interval_start_local"].map(fc) * aht_factor
        if aht_actual is not None:
            values = values.fillna(aht_actual)
        return values.astype(float)
    return pd.Series(math.nan if aht_actual is None else aht_actual, index=out.index, dtype=float)


def scheduled_agents(
    activities: Iterable[ScheduledActivity],
    interval_starts: Iterable[datetime],
    interval_minutes: int,
    tz: str,
) -> pd.Series:
    """Agents on open (on-phone) time per interval, time-weighted (module docstring).

    ``interval_starts`` are naive local times; returns a Series indexed by them.
    """
    zone = ZoneInfo(tz)
    length_s = interval_minutes * 60.0
    starts = sorted(set(interval_starts))
    epoch = {s: s.replace(tzinfo=zone).timestamp() for s in starts}
    totals = dict.fromkeys(starts, 0.0)
    open_segments = [
        (a, b)
        for shift in build_shifts(activities)
        for a, b, activity in shift.segments
        if activity == OPEN
    ]
    for start in starts:
        lo = epoch[start]
        hi = lo + length_s
        covered = sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in open_segments)
        totals[start] = covered / length_s
    return pd.Series(totals, dtype=float)


def scheduled_agents_by_queue(
    activities: Iterable[ScheduledActivity],
    interval_starts: Iterable[datetime],
    interval_minutes: int,
    tz: str,
    agent_queues: Mapping[str, Iterable[str]],
) -> pd.DataFrame:
    """``scheduled_agents`` per queue: the rostered agents who serve it (``agent_queues``:
    agent -> queues, e.g. the queues it was a member of lately). An agent serving several
    queues counts fully in each, so the per-queue figures overlap and sum to more than
    the center's; rostered agents with no known queue count in none."""
    rows = list(activities)
    starts = sorted(set(interval_starts))
    members: dict[str, set[str]] = {}
    for agent, queues in agent_queues.items():
        for queue in queues:
            members.setdefault(queue, set()).add(agent)
    columns = {
        queue: scheduled_agents(
            [r for r in rows if r.agent_id in agents], starts, interval_minutes, tz
        )
        for queue, agents in sorted(members.items())
    }
    return pd.DataFrame(columns, index=pd.Index(starts), dtype=float)


def staffing_gap(
    intervals: pd.DataFrame,
    scheduled: pd.Series | None,
    interval_minutes: int,
    target_s: float = DEFAULT_TARGET_S,
    sl_goal: float = DEFAULT_SL_GOAL,
    patience_s: float | None = None,
    scheduled_by_queue: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Required agents per queue and interval, summed per interval, against the schedule.

    ``intervals``: ``queue, interval_start_local, calls, aht_s`` (``reforecast``'s rows).
    Returns one row per interval: ``interval_start_local, calls, required, scheduled,
    gap`` (scheduled - required; negative is short) and ``required_<queue>`` columns;
    with ``scheduled_by_queue`` (``scheduled_agents_by_queue``) also ``scheduled_<queue>``
    and ``gap_<queue>``. No calls need no agents; an interval without an AHT cannot be
    sized (ValueError).
    """
    interval_s = interval_minutes * 60.0
    rows = intervals.copy()
    if rows.empty:
        return pd.DataFrame(
            columns=["interval_start_local", "calls", "required", "scheduled", "gap"]
        )
    missing_aht = rows[(rows["calls"] > 0) & ~(rows["aht_s"] > 0)]
    if not missing_aht.empty:
        queues = ", ".join(sorted(set(missing_aht["queue"])))
        raise ValueError(f"no AHT (forecast or actual) for queue(s) {queues}: cannot size them")

    def required(calls: float, aht_s: float) -> int:
        if calls <= 0:
            return 0
        rate = calls / interval_s
        if patience_s is None:
            return agents_for_service_level(rate, aht_s, target_s, sl_goal)
        return erlang_a_agents_for_service_level(rate, aht_s, patience_s, target_s, sl_goal)

    rows["required"] = [required(c, a) for c, a in zip(rows["calls"], rows["aht_s"], strict=True)]
    per_queue = rows.pivot_table(
        index="interval_start_local", columns="queue", values="required", aggfunc="sum"
    ).fillna(0)
    per_queue.columns = [f"required_{q}" for q in per_queue.columns]
    totals = rows.groupby("interval_start_local").agg(
        calls=("calls", "sum"), required=("required", "sum")
    )
    out = totals.join(per_queue)
    if scheduled_by_queue is not None:
        for queue in sorted(set(rows["queue"])):
            column = (
                scheduled_by_queue[queue]
                if queue in scheduled_by_queue.columns
                else pd.Series(0.0, index=scheduled_by_queue.index)
            )
            out[f"scheduled_{queue}"] = column.reindex(out.index).fillna(0.0)
            out[f"gap_{queue}"] = out[f"scheduled_{queue}"] - out[f"required_{queue}"]
    if scheduled is not None:
        out["scheduled"] = scheduled.reindex(out.index).fillna(0.0)
        out["gap"] = out["scheduled"] - out["required"]
    else:
        out["scheduled"] = math.nan
        out["gap"] = math.nan
    return out.reset_index()


# ------------------------------------------------------------------ I/O edges


def read_actuals(db: str | Path, day: date, now: datetime) -> pd.DataFrame:
    """``mart_interval_kpis`` rows of local ``day`` starting before ``now`` (naive local)."""
    from warehouse.connect import read_only

    with read_only(db) as con:
        con.execute("set enable_progress_bar = false")
        return con.execute(
            "select queue, interval_start_local, offered, aht_s, handled_known "
            "from mart_interval_kpis where cast(interval_start_local as date) = ? "
            "and interval_start_local < ? order by queue, interval_start_local",
            [day, now],
        ).df()


def read_agent_queues(db: str | Path, days: int = 28) -> dict[str, set[str]]:
    """Queues each agent was a member of (``int_queue_member_spans``) in the last ``days``
    days of the log."""
    from warehouse.connect import read_only

    with read_only(db) as con:
        con.execute("set enable_progress_bar = false")
        rows = con.execute(
            "select distinct agent_id, queue from int_queue_member_spans "
            "where start_time >= (select max(start_time) from int_queue_member_spans) "
            "- to_days(?)",
            [days],
        ).fetchall()
    queues: dict[str, set[str]] = {}
    for agent, queue in rows:
        queues.setdefault(agent, set()).add(queue)
    return queues


def warehouse_interval_minutes(db: str | Path) -> int:
    """The ``interval_minutes`` the published warehouse was built with."""
    import json

    from warehouse.config import VARIABLES
    from warehouse.connect import read_only

    default = int(VARIABLES["interval_minutes"].default)
    with read_only(db) as con:
        found = con.execute("select table_name from duckdb_tables()").fetchall()
        if ("build_info",) not in found:
            return default
        (variables,) = con.execute("select variables from build_info").fetchall()[0]
    return int(json.loads(variables).get("interval_minutes", default))


def read_forecasts(planning_db: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The newest forecasts of calls offered and of AHT (None if none) from the planning store."""
    from forecasting.store import latest_forecasts

    offered = latest_forecasts(planning_db, "offered")
    try:
        aht = latest_forecasts(planning_db, "aht_s")
    except (LookupError, ValueError):
        aht = None
    if aht is not None and aht.empty:
        aht = None
    return offered, aht
