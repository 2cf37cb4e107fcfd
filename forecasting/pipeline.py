"""The two forecast workflows the CLI and the scheduler run, as functions returning plain
results: from the warehouse into the planning store, and from a history CSV to a CSV."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecasting.backtest import (
    ForecastRun,
    forecast_pool,
    run_forecast,
    submit_forecast,
    work_units,
)
from forecasting.data import Series, series_from_long, validate_history
from forecasting.models import AHT_MODELS, BASELINE, VOLUME_MODELS

DEFAULT_LEVEL = 0.8


def split_models(models: list[str] | None) -> tuple[list[str], list[str]]:
    """The volume and AHT models among ``models`` (None: all); unknown names are an error."""
    if not models:
        return list(VOLUME_MODELS), list(AHT_MODELS)
    known = set(VOLUME_MODELS) | set(AHT_MODELS)
    unknown = [m for m in models if m not in known]
    if unknown:
        raise ValueError(
            f"unknown model(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    volume = [BASELINE, *[m for m in models if m in VOLUME_MODELS and m != BASELINE]]
    aht = [BASELINE, *[m for m in models if m in AHT_MODELS and m != BASELINE]]
    return volume, aht


def _history_notes(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop a last day that is only partly there (its last row earlier in the day than on
    the median earlier day of the same weekday; e.g. a warehouse built mid-day) and note
    the days without rows."""
    notes: list[str] = []
    day = frame["ds"].dt.normalize()
    latest = (frame["ds"] - day).groupby(day).max()
    if len(latest) > 1:
        last = latest.index[-1]
        same_weekday = latest.iloc[:-1][latest.index[:-1].day_of_week == last.weekday()]
        if len(same_weekday) and latest.iloc[-1] < same_weekday.median():
            frame = frame[day < last]
            latest = latest.iloc[:-1]
            notes.append(f"the last day {last.date()} is incomplete and was left out")
    every_day = pd.date_range(latest.index[0], latest.index[-1], freq="D")
    open_weekdays = set(latest.index.day_of_week)  # a weekday never seen is a closed day
    missing = sum(d.day_of_week in open_weekdays for d in every_day) - len(latest)
    if missing:
        notes.append(f"{missing} day(s) without any row in the history are treated as missing data")
    return frame, notes


def _cut_at_start(frame: pd.DataFrame, start: str | None) -> pd.DataFrame:
    if start is None:
        return frame
    try:
        start_ts = pd.Timestamp(start).normalize()
    except ValueError:
        raise ValueError(f"--start must be a date (YYYY-MM-DD), got {start!r}") from None
    kept = frame[frame["ds"] < start_ts]
    if kept.empty:
        raise ValueError(f"no history before --start {start_ts.date()}")
    if start_ts > kept["ds"].max().normalize() + pd.Timedelta(days=1):
        raise ValueError(
            f"--start {start_ts.date()} is after the day following the history "
            f"({(kept['ds'].max().normalize() + pd.Timedelta(days=1)).date()})"
        )
    return kept


def _run_summary(run: ForecastRun) -> dict[str, Any]:
    summary = run.summary()
    return {
        "interval_minutes": run.grain_minutes,
        "history_start": str(run.history_start),
        "history_end": str(run.history_end),
        "horizon_start": str(run.horizon_start),
        "horizon_end": str(run.horizon_end),
        "cutoffs": [str(c) for c in sorted(run.scores["cutoff"].unique())],
        "series": [
            {
                k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in row.items()
            }
            for row in summary.to_dict("records")
        ],
        "notes": run.notes,
    }


# Below this many fits, starting worker processes (about 2 s each: they import pandas,
# statsmodels and scikit-learn) costs more than fitting side by side saves.
PARALLEL_MIN_FITS = 120


def default_workers(fits: int) -> int:
    """Processes for ``fits`` model fits: one per core available to this process (at most
    8), or 1 when the work is too small to pay for starting them."""
    if fits < PARALLEL_MIN_FITS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(8, cores or 1))


def warehouse_series(
    warehouse_db: str | os.PathLike[str], start: str | None = None
) -> tuple[dict[str, Series], dict[str, Series], list[str]]:
    """Offered volume (counts) and AHT (rates weighted by handled calls) per queue from
    ``mart_interval_kpis``, history before ``start``; plus notes on the history."""
    from forecasting.store import read_interval_history

    frame, grain = read_interval_history(warehouse_db)
    frame = _cut_at_start(frame, start)
    frame, notes = _history_notes(frame)
    volume = series_from_long(
        frame.assign(y=frame["offered"].astype(float))[["unique_id", "ds", "y"]], grain
    )
    handled = frame["handled_known"].fillna(0).astype(float)
    aht_frame = frame.assign(y=frame["aht_s"].where(handled > 0).astype(float), weight=handled)[
        ["unique_id", "ds", "y", "weight"]
    ]
    aht = series_from_long(aht_frame, grain, weight_column="weight", fill_open_with_zero=False)
    return volume, aht, notes


def deferred_series(
    warehouse_db: str | os.PathLike[str], start: str | None = None
) -> tuple[dict[str, Series], dict[str, Series], list[str]] | str:
    """Arrivals (counts) and mean handle time (handle_s / handled, weighted by handled
    contacts) per deferred channel and interval from ``mart_backlog``, history before
    ``start``; plus notes. A sentence instead when there is nothing to forecast (no
    ``mart_backlog``, an empty one, or no history before ``start``): older warehouses
    have no deferred channels."""
    from forecasting.store import read_backlog_history

    frame, grain, note = read_backlog_history(warehouse_db)
    if frame is None:
        return str(note)
    try:
        frame = _cut_at_start(frame, start)
    except ValueError as exc:
        return f"deferred channels not forecast: {exc}"
    frame, notes = _history_notes(frame)
    arrivals = series_from_long(
        frame.assign(y=frame["arrived"].astype(float))[["unique_id", "ds", "y"]], grain
    )
    handled = frame["handled"].fillna(0).astype(float)
    aht = (frame["handle_s"] / handled.where(handled > 0)).astype(float)
    aht_frame = frame.assign(y=aht, weight=handled)[["unique_id", "ds", "y", "weight"]]
    handle = series_from_long(aht_frame, grain, weight_column="weight", fill_open_with_zero=False)
    return arrivals, handle, notes


def forecast_warehouse(
    warehouse_db: str | os.PathLike[str],
    planning_db: str | os.PathLike[str],
    horizon_days: int,
    cutoffs: int = 4,
    models: list[str] | None = None,
    start: str | None = None,
    level: float = DEFAULT_LEVEL,
    progress: Callable[[int], Callable[[int], None]] | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Backtest, choose and forecast offered volume and AHT per queue from
    ``mart_interval_kpis``; store both runs in the planning store. Returns a summary.

    Deferred channels too, when the warehouse has a ``mart_backlog`` with rows: arrivals
    (``deferred_arrivals``) and mean handle time (``deferred_aht_s``) per channel, with
    the same models and backtests (``result["deferred"]`` says which, or why not).

    ``start``: first forecast day (history is everything before it; default the day after
    the history). ``progress(total)`` returns an ``advance(n)`` callback, if given.
    ``workers``: processes fitting series side by side (default: :func:`default_workers`).
    """
    from forecasting.store import write_run

    started = time.perf_counter()
    volume_models, aht_models = split_models(models)
    volume, aht, notes = warehouse_series(warehouse_db, start)
    jobs = [
        ("offered", volume, "count", volume_models, notes),
        ("aht_s", aht, "rate", aht_models, notes),
    ]
    deferred = deferred_series(warehouse_db, start)
    if isinstance(deferred, str):
        deferred_result: dict[str, Any] = {"channels": [], "note": deferred}
    else:
        arrivals, handle, deferred_notes = deferred
        jobs += [
            ("deferred_arrivals", arrivals, "count", volume_models, deferred_notes),
            ("deferred_aht_s", handle, "rate", aht_models, deferred_notes),
        ]
        deferred_result = {"channels": sorted(arrivals), "note": None}
    total = sum(work_units(s, names, horizon_days, cutoffs) for _, s, _, names, _ in jobs)
    workers = default_workers(total) if workers is None else max(1, workers)
    advance = progress(total) if progress else None
    result: dict[str, Any] = {
        "warehouse": str(warehouse_db),
        "planning": str(planning_db),
        "horizon_days": horizon_days,
        "level": level,
        "runs": {},
    }
    result["deferred"] = deferred_result
    result["workers"] = workers
    runs = []
    if workers > 1:
        with forecast_pool(workers) as pool:
            # every run's series submitted first, so no worker idles between runs
            pending = [
                (
                    metric,
                    names,
                    notes_,
                    submit_forecast(s, kind, names, horizon_days, cutoffs, level, pool),
                )
                for metric, s, kind, names, notes_ in jobs
            ]
            for metric, names, history_notes, collect in pending:
                run = collect(advance)
                run.notes[:0] = history_notes
                runs.append((metric, names, run))
    else:
        for metric, series, kind, names, history_notes in jobs:
            run = run_forecast(series, kind, names, horizon_days, cutoffs, level, advance)
            run.notes[:0] = history_notes
            runs.append((metric, names, run))
    rows = 0
    for metric, names, run in runs:
        parameters = {"horizon_days": horizon_days, "cutoffs": cutoffs, "models": names}
        run_id, written = write_run(planning_db, metric, run, str(warehouse_db), parameters)
        rows += written
        result["runs"][metric] = {"run_id": run_id, "rows": written, **_run_summary(run)}
    result["rows"] = rows
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def read_history_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A history CSV as a validated long frame (see ``forecasting.data.validate_history``)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    try:
        frame = pd.read_csv(path, dtype={"unique_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{path}: not a readable CSV ({str(exc).strip().splitlines()[0]})"
        ) from None
    return validate_history(frame)


def forecast_frame(
    history: pd.DataFrame,
    horizon_days: int,
    cutoffs: int = 4,
    models: list[str] | None = None,
    level: float = DEFAULT_LEVEL,
    progress: Callable[[int], Callable[[int], None]] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Forecast a validated long history ``unique_id, ds, y`` (counts): the forecast frame
    ``unique_id, ds, y_hat, y_lo, y_hi, model`` and a summary."""
    volume_models, _ = split_models(models)
    volume_models = [m for m in volume_models if m in VOLUME_MODELS]
    if not history["y"].sum() > 0:
        raise ValueError("every series has zero volume: there is nothing to forecast")
    history, notes = _history_notes(history)
    series: dict[str, Series] = series_from_long(history[["unique_id", "ds", "y"]])
    advance = (
        progress(work_units(series, volume_models, horizon_days, cutoffs)) if progress else None
    )
    run = run_forecast(series, "count", volume_models, horizon_days, cutoffs, level, advance)
    run.notes[:0] = notes
    summary = {"horizon_days": horizon_days, "level": level, **_run_summary(run)}
    return run.forecasts, summary
