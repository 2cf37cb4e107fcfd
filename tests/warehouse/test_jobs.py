"""The scheduled build job, as ``ingest.jobs`` calls it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from raw_tables import QUEUE_LOG, queue_log_rows, write_ingest_db

from warehouse.connect import read_only
from warehouse.jobs import build_job
from warehouse.runner import DataTestError


def test_build_job_publishes_in_the_site_time_zone_and_returns_rows(tmp_path):
    settings = SimpleNamespace(
        ingest_db=write_ingest_db(tmp_path / "ingest.duckdb"),
        warehouse_db=tmp_path / "warehouse.duckdb",
        ops_db=tmp_path / "operational.duckdb",  # none yet: its tables are built empty
        timezone="Europe/Madrid",
    )
    rows = build_job(settings)
    with read_only(settings.warehouse_db) as con:
        # build_job reports the rows the build materialised, as build_models records them.
        models = (
            "select sum(rows) from build_models where layer in ('staging', 'intermediate', 'marts')"
        )
        assert rows == con.execute(models).fetchone()[0]
        assert con.execute("select count(*) from stg_queue_log").fetchone()[0] == 8
        local = con.execute("select min(event_time_local)::varchar from stg_queue_log").fetchall()
    assert local == [("2026-09-01 02:00:05",)]  # CEST is UTC+2

    rows = queue_log_rows(QUEUE_LOG)
    write_ingest_db(settings.ingest_db, queue_log=[*rows, rows[0]])
    with pytest.raises(DataTestError):
        build_job(settings)
    with read_only(settings.warehouse_db) as con:
        assert con.execute("select count(*) from stg_queue_log").fetchall() == [(8,)]
