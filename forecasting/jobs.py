"""The nightly forecast job the scheduler runs (``ingest.jobs.JOB_TARGETS["forecast"]``)."""

from __future__ import annotations

import logging
from typing import Any

from forecasting.pipeline import forecast_warehouse

log = logging.getLogger(__name__)

JOB_HORIZON_DAYS = 14
JOB_CUTOFFS = 4


def forecast_job(config: Any) -> int:
    """Forecast offered volume and AHT from ``config.warehouse_db`` into
    ``config.planning_db`` (14 days, 4 weekly backtest cutoffs, every model); returns the
    forecast rows written. ``config`` is an ``ingest.jobs.ScheduleConfig``."""
    result = forecast_warehouse(
        config.warehouse_db, config.planning_db, JOB_HORIZON_DAYS, JOB_CUTOFFS
    )
    for metric, run in result["runs"].items():
        log.info(
            "forecast %s: run %s, %d rows, chosen %s",
            metric,
            run["run_id"],
            run["rows"],
            {s["unique_id"]: s["model"] for s in run["series"]},
        )
    return int(result["rows"])
