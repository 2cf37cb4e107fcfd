"""The scheduled jobs with a real APScheduler: runs recorded, no overlaps, config errors."""

from __future__ import annotations

import time
from datetime import date
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from acd.errors import ScenarioError
from acd.simulate import simulate
from callcenter_cli import main
from ingest.jobs import (
    JOB_TARGETS,
    JobRunner,
    ScheduleConfig,
    ScheduleConfigError,
    build_scheduler,
    load_config,
)


def job_runs(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select job, status, rows, epoch(started_at), epoch(finished_at), error "
            "from job_runs order by started_at"
        ).fetchall()


@pytest.fixture(scope="module")
def one_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    simulate("mmn", date(2026, 3, 2), 1, 1, out)
    return out


def test_config_defaults_and_errors_name_the_key(tmp_path):
    assert load_config(None) == ScheduleConfig()
    good = tmp_path / "ok.toml"
    good.write_text('landing = "x"\ningest_every_minutes = 2\n')
    assert load_config(good).ingest_every_minutes == 2
    for text, key in (
        ("ingest_every_minutes = -1\n", "ingest_every_minutes"),
        ('forecast_at = "25:00"\n', "forecast_at"),
        ('roster_day = "someday"\n', "roster_day"),
        ("landng = 'typo'\n", "landng"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ScheduleConfigError, match=key):
            load_config(bad)
    # an unknown key is reported against the schedule file, not a "scenario"
    with pytest.raises(ScheduleConfigError) as raised:
        load_config(bad)
    assert str(raised.value) == f"{bad}: unknown key(s) landng"
    assert not isinstance(raised.value, ScenarioError)


def test_an_ingest_run_is_recorded_and_triggers_the_build(one_day, tmp_path):
    config = ScheduleConfig(
        landing=one_day,
        ingest_db=tmp_path / "ingest.duckdb",
        warehouse_db=tmp_path / "warehouse.duckdb",
    )
    runner = JobRunner(config)
    first = runner.run("ingest")
    assert first["status"] == "ok" and first["rows"] > 10_000
    second = runner.run("ingest")
    assert second["status"] == "ok" and second["rows"] == 0
    runs = job_runs(config.ingest_db)
    assert [r[0] for r in runs] == ["ingest", "build", "ingest"]  # a build only after new rows
    assert [r[1] for r in runs] == ["ok", "ok", "ok"]
    assert all(r[4] >= r[3] for r in runs)
    assert config.warehouse_db.exists()  # the build published the warehouse


def test_a_failing_job_is_recorded_with_its_error(tmp_path):
    config = ScheduleConfig(
        landing=tmp_path / "missing",
        ingest_db=tmp_path / "ingest.duckdb",
        warehouse_db=tmp_path / "warehouse.duckdb",
    )
    result = JobRunner(config).run("ingest")
    assert result["status"] == "failed" and "does not exist" in result["error"]
    assert job_runs(config.ingest_db)[0][1] == "failed"
    cli = CliRunner().invoke(main, ["schedule", "--once", "--config", str(_toml(tmp_path, config))])
    assert cli.exit_code == 1 and "does not exist" in cli.output


def _toml(tmp_path: Path, config: ScheduleConfig) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(f'landing = "{config.landing}"\ningest_db = "{config.ingest_db}"\n')
    return path


SLOW_RUNS: list[tuple[float, float]] = []


def slow_job(_config: ScheduleConfig) -> int:
    started = time.monotonic()
    time.sleep(0.8)
    SLOW_RUNS.append((started, time.monotonic()))
    return 0


def test_the_scheduler_never_runs_a_job_twice_at_once(tmp_path, monkeypatch):
    monkeypatch.setitem(JOB_TARGETS, "ingest", "test_ingest_jobs:slow_job")
    SLOW_RUNS.clear()
    config = ScheduleConfig(
        landing=tmp_path, ingest_db=tmp_path / "ingest.duckdb", ingest_every_minutes=0.2 / 60
    )
    scheduler = build_scheduler(JobRunner(config), blocking=False)
    scheduler.start()
    time.sleep(3.0)
    scheduler.shutdown(wait=True)
    # Every 0.2 s for 3 s would be 15 runs; each takes 0.8 s and runs alone.
    assert 2 <= len(SLOW_RUNS) <= 4
    for (_s1, e1), (s2, _e2) in pairwise(SLOW_RUNS):
        assert s2 >= e1
    runs = [r for r in job_runs(config.ingest_db) if r[0] == "ingest"]
    assert len(runs) == len(SLOW_RUNS) and {r[1] for r in runs} == {"ok"}


def test_the_scheduler_picks_up_new_files(one_day, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    config = ScheduleConfig(
        landing=landing,
        ingest_db=tmp_path / "ingest.duckdb",
        ingest_every_minutes=0.5 / 60,
        build_after_ingest=False,
    )
    scheduler = build_scheduler(JobRunner(config), blocking=False)
    scheduler.start()
    time.sleep(0.8)
    (landing / "queue_log").write_bytes((one_day / "asterisk" / "queue_log").read_bytes())
    time.sleep(1.5)
    scheduler.shutdown(wait=True)
    runs = job_runs(config.ingest_db)
    assert len(runs) >= 3
    assert sum(r[2] for r in runs) > 10_000  # the file dropped in was loaded by a later run
