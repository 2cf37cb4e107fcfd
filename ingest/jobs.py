"""Scheduled jobs (APScheduler 3): ingest every few minutes, build after each ingest,
nightly forecast and weekly roster once those stages exist.

Every run of every job is recorded in ``job_runs`` (in the ingest database: the
scheduler is its only writer): job, start, end, status, rows, error. Each job runs one
instance at a time (``max_instances=1``) and missed runs are coalesced into one
(``coalesce=True``), so a slow build never piles up behind itself.

Configuration is a TOML file; every key is optional and documented in
``DEFAULT_CONFIG_TOML`` (``callcenter schedule --print-config`` prints it).
"""

from __future__ import annotations

import importlib
import logging
import threading
import tomllib
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from acd.errors import ConfigError
from acd.tomlfields import Fields

log = logging.getLogger(__name__)

DEFAULT_CONFIG_TOML = """\
# callcenter schedule: configuration (every key optional; these are the defaults)

# Folder the PBX and business systems drop files into (read recursively).
landing = "data/landing"
# Raw tables, quarantine, load manifest and job runs.
ingest_db = "data/ingest.duckdb"
# The published warehouse the dashboards read (rebuilt after each ingest that loaded rows).
warehouse_db = "data/warehouse.duckdb"
# Forecast runs, staffing requirements and rosters (written by the forecast and roster jobs).
planning_db = "data/planning.duckdb"
# Records people enter: QA evaluations, coaching, risk register (copied into each build).
ops_db = "data/operational.duckdb"
# The PBX's local time zone (Master.csv times, exports without an offset).
timezone = "Asia/Shanghai"
# Minutes between ingest runs.
ingest_every_minutes = 5
# Rebuild the warehouse after an ingest that loaded new rows.
build_after_ingest = true
# Local time of the nightly forecast, HH:MM.
forecast_at = "02:00"
# Weekly roster: day (mon..sun) and local time.
roster_day = "thu"
roster_at = "03:00"
# Agents the weekly roster plans (CSV, see wfm/roster/inputs.py); empty: the airline
# scenario's agents. Solver time limit in seconds; folder for the exports (empty: none).
roster_agents = ""
roster_time_limit_s = 60
roster_out = ""
"""

JOB_RUNS_DDL = """
create table if not exists job_runs (
    run_id varchar primary key,
    job varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,   -- running | ok | failed | skipped
    rows bigint,
    error varchar
)
"""

# Job name -> "module:function". A job whose module is not there yet is skipped.
JOB_TARGETS: dict[str, str] = {
    "ingest": "ingest.jobs:ingest_job",
    "build": "warehouse.jobs:build_job",
    "forecast": "forecasting.jobs:forecast_job",
    "roster": "wfm.jobs:roster_job",
}

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ScheduleConfig:
    landing: Path = Path("data/landing")
    ingest_db: Path = Path("data/ingest.duckdb")
    warehouse_db: Path = Path("data/warehouse.duckdb")
    planning_db: Path = Path("data/planning.duckdb")
    ops_db: Path = Path("data/operational.duckdb")
    timezone: str = "Asia/Shanghai"
    ingest_every_minutes: float = 5.0
    build_after_ingest: bool = True
    forecast_at: str = "02:00"
    roster_day: str = "thu"
    roster_at: str = "03:00"
    roster_agents: Path | None = None  # agents CSV (wfm.roster.inputs); None: the scenario
    roster_time_limit_s: float = 60.0
    roster_out: Path | None = None  # folder for roster.csv, the workbook and calendars


class ScheduleConfigError(ConfigError):
    """A schedule TOML that cannot be used; the message names the key."""


def load_config(path: Path | None) -> ScheduleConfig:
    """Read a schedule TOML (None: the defaults); errors name the key."""
    defaults = ScheduleConfig()
    if path is None:
        return defaults
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScheduleConfigError(f"schedule configuration not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleConfigError(f"{path}: not valid TOML: {exc}") from None
    f = Fields(data, "", error=ScheduleConfigError, document=str(path))
    config = ScheduleConfig(
        landing=Path(f.text("landing", str(defaults.landing))),
        ingest_db=Path(f.text("ingest_db", str(defaults.ingest_db))),
        warehouse_db=Path(f.text("warehouse_db", str(defaults.warehouse_db))),
        planning_db=Path(f.text("planning_db", str(defaults.planning_db))),
        ops_db=Path(f.text("ops_db", str(defaults.ops_db))),
        timezone=f.text("timezone", defaults.timezone),
        ingest_every_minutes=f.number(
            "ingest_every_minutes",
            defaults.ingest_every_minutes,
            minimum=0.0,
            exclusive_minimum=True,
        ),
        build_after_ingest=f.boolean("build_after_ingest", defaults.build_after_ingest),
        forecast_at=_clock(f.text("forecast_at", defaults.forecast_at), "forecast_at"),
        roster_day=f.text("roster_day", defaults.roster_day, choices=DAYS),
        roster_at=_clock(f.text("roster_at", defaults.roster_at), "roster_at"),
        roster_agents=_optional_path(f.text("roster_agents", "")),
        roster_time_limit_s=f.number(
            "roster_time_limit_s",
            defaults.roster_time_limit_s,
            minimum=0.0,
            exclusive_minimum=True,
        ),
        roster_out=_optional_path(f.text("roster_out", "")),
    )
    f.finish()
    return config


def _optional_path(text: str) -> Path | None:
    return Path(text) if text else None


def _clock(text: str, key: str) -> str:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ScheduleConfigError(f'{key}: expected a local time like "02:00", got {text!r}')
    return text


class JobRunner:
    """Runs jobs one at a time against the ingest database and records every run."""

    def __init__(self, config: ScheduleConfig) -> None:
        self.config = config
        self._db_lock = threading.Lock()  # one writer of the ingest database at a time
        config.ingest_db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(config.ingest_db)) as con:
            con.execute(JOB_RUNS_DDL)

    def available(self, job: str) -> Callable[[ScheduleConfig], int] | None:
        module_name, function = JOB_TARGETS[job].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            return None
        return getattr(module, function, None)

    def run(self, job: str) -> dict[str, Any]:
        """Run ``job`` now and record it; returns the job_runs row as a dict."""
        run_id = uuid.uuid4().hex
        started = datetime.now(UTC)
        target = self.available(job)
        status, rows, error = "ok", None, None
        with self._db_lock:
            if target is None:
                status = "skipped"
                error = f"{JOB_TARGETS[job]} is not available in this version"
            else:
                try:
                    rows = int(target(self.config))
                except Exception as exc:
                    status = "failed"
                    error = f"{type(exc).__name__}: {exc}"
                    log.error("job %s failed:\n%s", job, traceback.format_exc())
            finished = datetime.now(UTC)
            with duckdb.connect(str(self.config.ingest_db)) as con:
                con.execute(
                    "insert into job_runs values (?, ?, ?, ?, ?, ?, ?)",
                    [run_id, job, started, finished, status, rows, error],
                )
        log.info(
            "job %s %s (rows %s) in %.1f s", job, status, rows, (finished - started).total_seconds()
        )
        if job == "ingest" and status == "ok" and rows and self.config.build_after_ingest:
            self.run("build")
        return {"run_id": run_id, "job": job, "status": status, "rows": rows, "error": error}


def ingest_job(config: ScheduleConfig) -> int:
    """Load what is new in the landing folder; returns the rows loaded."""
    from ingest.contract import ReadOptions
    from ingest.loader import Loader

    if not config.landing.exists():
        raise FileNotFoundError(f"landing folder {config.landing} does not exist")
    with Loader(config.ingest_db, ReadOptions(timezone=config.timezone)) as loader:
        report = loader.ingest([config.landing])
    for failed in report.failed:
        log.warning("ingest: %s: %s", failed.path, failed.error)
    return sum(f.rows_loaded for f in report.files)


def build_scheduler(runner: JobRunner, blocking: bool = True) -> Any:
    """An APScheduler scheduler with the suite's jobs (not started)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    config = runner.config
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone=config.timezone,
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        runner.run,
        IntervalTrigger(seconds=config.ingest_every_minutes * 60),
        args=["ingest"],
        id="ingest",
        next_run_time=datetime.now(UTC),
    )
    hour, minute = config.forecast_at.split(":")
    scheduler.add_job(
        runner.run,
        CronTrigger(hour=int(hour), minute=int(minute)),
        args=["forecast"],
        id="forecast",
    )
    hour, minute = config.roster_at.split(":")
    scheduler.add_job(
        runner.run,
        CronTrigger(day_of_week=config.roster_day, hour=int(hour), minute=int(minute)),
        args=["roster"],
        id="roster",
    )
    return scheduler
