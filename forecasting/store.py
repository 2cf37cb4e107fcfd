"""I/O at the edges: interval history from the warehouse, forecast runs into the planning
store, and the reader other packages call (:func:`latest_forecasts`).

Planning-store tables (created if missing; one transaction per run):

* ``forecast_runs``: one row per run and metric (``offered`` or ``aht_s`` per voice
  queue; ``deferred_arrivals`` or ``deferred_aht_s`` per deferred channel).
* ``forecast_backtests``: one row per series, model, cutoff and horizon day with WAPE,
  MASE, bias (``forecasting.metrics``), the sums they come from (so any pooling can be
  recomputed exactly), whether the model was chosen for the series, and fit seconds.
* ``forecasts``: the chosen model's forecast per series and open interval, with bounds.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from forecasting.backtest import ForecastRun
from warehouse.connect import read_only, read_write

METRIC_KINDS = {
    "offered": "count",
    "aht_s": "rate",
    # deferred channels (e-mail, SMS, web callback, voicemail) from mart_backlog
    "deferred_arrivals": "count",
    "deferred_aht_s": "rate",
}
# The columns of mart_backlog the deferred forecasts read (one row per channel and local
# hour; handle_s: agent seconds of the contacts handled in the hour).
BACKLOG_COLUMNS = ("channel", "queue", "hour_start", "arrived", "handled", "handle_s")
FORECAST_COLUMNS = ["unique_id", "ds", "y_hat", "y_lo", "y_hi", "model", "run_id"]

DDL = (
    """
    create table if not exists forecast_runs (
        run_id varchar primary key,
        created_at timestamptz not null,
        metric varchar not null,          -- offered | aht_s | deferred_arrivals | deferred_aht_s
        source varchar,                   -- the warehouse file or input CSV
        interval_minutes integer not null,
        history_start timestamp,          -- first local interval start of the history
        history_end timestamp,            -- last local interval start of the history
        horizon_start timestamp,          -- first forecast interval (local)
        horizon_end timestamp,            -- last forecast interval (local)
        parameters varchar                -- JSON: horizon, cutoffs, models, level, chosen, notes
    )
    """,
    """
    create table if not exists forecast_backtests (
        run_id varchar not null,
        unique_id varchar not null,
        model varchar not null,
        cutoff timestamp not null,        -- forecast origin (local midnight); trained before it
        horizon_day integer not null,     -- 1 = the cutoff's day
        wape double,                      -- sum w|y_hat - y| / sum w y
        mase double,                      -- mean w|y_hat - y| / in-sample weekly naive MAE
        bias double,                      -- sum w(y_hat - y) / sum w y
        chosen boolean not null,          -- the model chosen for the series in this run
        fit_s double,                     -- seconds to fit and predict at this cutoff
        y_sum double,                     -- sum w y (w = 1 for volume, handled calls for AHT)
        abs_error_sum double,
        error_sum double,
        weight_sum double,
        scale double                      -- the MASE denominator
    )
    """,
    """
    create table if not exists forecasts (
        run_id varchar not null,
        unique_id varchar not null,
        metric varchar not null,
        ds timestamp not null,            -- local interval start
        model varchar not null,
        y_hat double not null,
        y_lo double not null,
        y_hi double not null,
        level double not null             -- nominal coverage of [y_lo, y_hi]
    )
    """,
)


def read_interval_history(warehouse_db: str | os.PathLike[str]) -> tuple[pd.DataFrame, int]:
    """``mart_interval_kpis`` as a long frame ``unique_id (queue), ds, offered, aht_s,
    handled_known`` and the interval length in minutes (from the data)."""
    with read_only(warehouse_db) as con:
        tables = {row[0] for row in con.execute("show tables").fetchall()}
        if "mart_interval_kpis" not in tables:
            raise ValueError(f"{warehouse_db} has no mart_interval_kpis table")
        frame = con.execute(
            """
            select queue as unique_id, interval_start_local as ds, offered, aht_s, handled_known
            from mart_interval_kpis
            order by queue, interval_start_local
            """
        ).df()
    if frame.empty:
        raise ValueError(f"{warehouse_db}: mart_interval_kpis has no rows")
    from forecasting.data import infer_grain_minutes

    frame["ds"] = pd.to_datetime(frame["ds"]).astype("datetime64[ns]")
    return frame, infer_grain_minutes(frame["ds"])


def read_backlog_history(
    warehouse_db: str | os.PathLike[str],
) -> tuple[pd.DataFrame | None, int | None, str | None]:
    """``mart_backlog`` as a long frame ``unique_id, ds, arrived, handled, handle_s``, its
    interval length in minutes, and None; or ``(None, None, note)`` when the warehouse has
    no ``mart_backlog`` (older builds), it lacks a column, or it has no rows.

    ``unique_id`` is the deferred channel's name in the scenario (the ``queue`` column:
    the help-desk queue, which agent groups list as a skill), or ``channel`` (the kind:
    email, sms, ...) where ``queue`` is empty.
    """
    with read_only(warehouse_db) as con:
        tables = {row[0] for row in con.execute("show tables").fetchall()}
        if "mart_backlog" not in tables:
            return None, None, "no mart_backlog in the warehouse: deferred channels not forecast"
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'mart_backlog'"
            ).fetchall()
        }
        missing = [c for c in BACKLOG_COLUMNS if c not in columns]
        if missing:
            return (
                None,
                None,
                f"mart_backlog lacks column(s) {', '.join(missing)}: deferred channels not "
                "forecast",
            )
        frame = con.execute(
            """
            select coalesce(nullif(queue, ''), channel) as unique_id,
                   hour_start as ds,
                   sum(arrived)::double as arrived,
                   sum(handled)::double as handled,
                   sum(handle_s)::double as handle_s
            from mart_backlog
            group by all
            order by unique_id, ds
            """
        ).df()
    if frame.empty:
        return None, None, "mart_backlog has no rows: deferred channels not forecast"
    from forecasting.data import infer_grain_minutes

    ds = pd.to_datetime(frame["ds"])
    if getattr(ds.dt, "tz", None) is not None:  # the contract is local time: keep the wall clock
        ds = ds.dt.tz_localize(None)
    frame["ds"] = ds.astype("datetime64[ns]")
    return frame, infer_grain_minutes(frame["ds"]), None


def _create(con: Any) -> None:
    for statement in DDL:
        con.execute(statement)


def write_run(
    planning_db: str | os.PathLike[str],
    metric: str,
    run: ForecastRun,
    source: str,
    parameters: dict[str, Any],
) -> tuple[str, int]:
    """Store one run (its row, backtest scores and forecasts) in one transaction.

    Returns ``(run_id, forecast rows written)``.
    """
    if metric not in METRIC_KINDS:
        raise ValueError(f"metric must be one of {', '.join(METRIC_KINDS)}, got {metric!r}")
    run_id = uuid.uuid4().hex
    params = {**parameters, "chosen": run.chosen, "notes": run.notes, "level": run.level}
    scores = run.scores.copy()
    scores.insert(0, "run_id", run_id)
    scores["chosen"] = [
        run.chosen.get(u) == m for u, m in zip(scores["unique_id"], scores["model"], strict=True)
    ]
    scores = scores[
        [
            "run_id",
            "unique_id",
            "model",
            "cutoff",
            "horizon_day",
            "wape",
            "mase",
            "bias",
            "chosen",
            "fit_s",
            "y_sum",
            "abs_error_sum",
            "error_sum",
            "weight_sum",
            "scale",
        ]
    ]
    forecasts = run.forecasts.copy()
    forecasts.insert(0, "run_id", run_id)
    forecasts["metric"] = metric
    forecasts["level"] = run.level
    forecasts = forecasts[
        ["run_id", "unique_id", "metric", "ds", "model", "y_hat", "y_lo", "y_hi", "level"]
    ]
    with read_write(planning_db) as con:
        _create(con)
        con.execute("begin transaction")
        try:
            con.execute(
                "insert into forecast_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    datetime.now(UTC),
                    metric,
                    source,
                    run.grain_minutes,
                    run.history_start.to_pydatetime(),
                    run.history_end.to_pydatetime(),
                    run.horizon_start.to_pydatetime(),
                    run.horizon_end.to_pydatetime(),
                    json.dumps(params, default=str),
                ],
            )
            if len(scores):
                con.register("scores_frame", scores)
                con.execute("insert into forecast_backtests by name select * from scores_frame")
                con.unregister("scores_frame")
            if len(forecasts):
                con.register("forecasts_frame", forecasts)
                con.execute("insert into forecasts by name select * from forecasts_frame")
                con.unregister("forecasts_frame")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return run_id, len(forecasts)


def latest_forecasts(planning_db: str | os.PathLike[str], metric: str) -> pd.DataFrame:
    """The newest run's forecasts of ``metric`` (a key of ``METRIC_KINDS``): columns
    ``unique_id, ds, y_hat, y_lo, y_hi, model, run_id``, sorted by series and ``ds``
    (local interval start); an empty frame with those columns when there is none."""
    if metric not in METRIC_KINDS:
        raise ValueError(f"metric must be one of {', '.join(METRIC_KINDS)}, got {metric!r}")
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in FORECAST_COLUMNS})
    empty = empty.astype(
        {"unique_id": "object", "ds": "datetime64[ns]", "model": "object", "run_id": "object"}
    )
    if not Path(planning_db).is_file():
        return empty
    with read_only(planning_db) as con:
        tables = {row[0] for row in con.execute("show tables").fetchall()}
        if not {"forecast_runs", "forecasts"} <= tables:
            return empty
        frame = con.execute(
            """
            with newest as (
                select run_id from forecast_runs
                where metric = ? and run_id in (select run_id from forecasts)
                order by created_at desc, run_id
                limit 1
            )
            select unique_id, ds, y_hat, y_lo, y_hi, model, run_id
            from forecasts
            where run_id in (select run_id from newest) and metric = ?
            order by unique_id, ds
            """,
            [metric, metric],
        ).df()
    if frame.empty:
        return empty
    frame["ds"] = pd.to_datetime(frame["ds"]).astype("datetime64[ns]")
    return frame[FORECAST_COLUMNS]
