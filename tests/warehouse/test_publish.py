"""Publishing: the shipped staging models over hand-written raw rows, built into a new file."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from raw_tables import QUEUE_LOG, cdr_rows, queue_log_days, queue_log_rows, write_ingest_db

from warehouse.connect import read_only
from warehouse.publish import PublishError, publish
from warehouse.runner import DataTestError, SourceError, load_project


@pytest.fixture
def ingest_db(tmp_path: Path) -> Path:
    return write_ingest_db(tmp_path / "ingest.duckdb")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "warehouse.duckdb"


def fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def test_staging_models_rename_and_cast_the_raw_rows(db_path, ingest_db):
    result = publish(db_path, ingest_db)
    assert result.build_number == 1
    assert result.sources["raw_cdr"] == 4 and result.sources["raw_queue_log"] == 8
    rows = {m.name: m.rows for m in result.build.models}
    assert rows["stg_cdr"] == 4 and rows["stg_queue_log"] == 8
    assert result.build.tests and not result.build.failures
    with read_only(db_path) as con:
        connect = con.execute(
            "select event_epoch_s, event_time_local::varchar, call_id, queue, agent, data1, "
            "data2, data3, data4, data, source_line, byte_offset from stg_queue_log "
            "where event = 'CONNECT'"
        ).fetchall()
        assert connect == [
            (
                1788220832,
                "2026-09-01 08:00:32",  # Asia/Shanghai wall clock of 00:00:32 UTC
                "1788220800.12",
                "400",
                "A1002",
                "27",
                "1788220820.13",
                "12",
                None,
                "27|1788220820.13|12",
                4,
                QUEUE_LOG.index("1788220832"),
            )
        ]
        answered_leg = con.execute(
            "select call_id, destination, destination_context, caller_id, "
            "epoch(answer_time)::bigint, start_time_local::varchar, duration_s, billsec_s "
            "from stg_cdr where disposition = 'ANSWERED' and destination = '1002'"
        ).fetchall()
        assert answered_leg == [
            (
                "1788220800.12",
                "1002",
                "ext-queues",
                '"Zhang Wei" <13800138000>',
                1788220832,
                "2026-09-01 08:00:20",
                130,
                118,
            )
        ]
        build_info = con.execute("select build_number, models, variables from build_info")
        number, models, variables = build_info.fetchall()[0]
        assert number == 1 and models == len(result.build.models)
        assert json.loads(variables)["timezone"] == "Asia/Shanghai"
        recorded = {
            name: (layer, rows)
            for name, layer, rows in con.execute(
                "select name, layer, rows from build_models"
            ).fetchall()
        }
        assert recorded["raw_cdr"] == ("source", 4) and recorded["raw_queue_log"] == ("source", 8)
        assert recorded["stg_cdr"] == ("staging", 4) and recorded["stg_queue_log"] == ("staging", 8)
        assert {n for n, (layer, _) in recorded.items() if layer != "source"} == {
            m.name for m in result.build.models
        }


def test_each_build_gets_the_next_number_and_leaves_no_stray_files(db_path, ingest_db):
    for expected in (1, 2, 3):
        assert publish(db_path, ingest_db, {"timezone": "UTC"}).build_number == expected
    assert sorted(p.name for p in db_path.parent.iterdir()) == [
        "warehouse.duckdb",
        "warehouse.duckdb.build-lock",
    ]
    with read_only(db_path) as con:
        local = con.execute("select event_time = event_time_local::timestamptz from stg_queue_log")
        assert {row for (row,) in local.fetchall()} == {True}


def test_a_line_loaded_twice_fails_the_build_and_keeps_the_published_file(
    tmp_path, db_path, ingest_db
):
    publish(db_path, ingest_db)
    before = fingerprint(db_path)
    rows = queue_log_rows(QUEUE_LOG)
    # The CONNECT line again, from a rotated copy of the file read by a second load.
    again = queue_log_rows(QUEUE_LOG, source_file="queue_log-20260902", load_id="L2")[3]
    broken_ingest = write_ingest_db(tmp_path / "broken.duckdb", queue_log=[*rows, again])
    with pytest.raises(DataTestError) as raised:
        publish(db_path, broken_ingest)
    message = str(raised.value)
    # The duplicate trips the staging key test (and reconciliations downstream of it).
    assert " data tests failed; the build was rolled back" in message
    assert (
        "unique_combination(stg_queue_log: event_epoch_s, call_id, queue, agent, event, data) "
        "on stg_queue_log: 2 failing rows" in message
    )
    assert "warehouse/models/staging/_models.toml" in message
    assert '"event": "CONNECT"' in message  # the example rows
    assert fingerprint(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [
        "warehouse.duckdb",
        "warehouse.duckdb.build-lock",
    ]
    with read_only(db_path) as con:
        assert con.execute(
            "select count(*), max(build_number) from stg_queue_log, build_info"
        ).fetchall() == [(8, 1)]


def test_a_cdr_breaking_a_reader_promise_fails_the_build(tmp_path, db_path):
    rows = cdr_rows((Path(__file__).parent / "landing" / "Master.csv").read_text())
    never_answered_but_billed = (*rows[0][:13], 7, *rows[0][14:])
    lost_disposition = (*rows[1][:14], "LOST", *rows[1][15:])
    ingest = write_ingest_db(
        tmp_path / "ingest.duckdb", cdr=[never_answered_but_billed, lost_disposition, *rows[2:]]
    )
    with pytest.raises(DataTestError) as raised:
        publish(db_path, ingest)
    failed = {(f.name, f.failing_rows) for f in raised.value.result.failures}
    assert failed == {
        ("expression_is_true(stg_cdr: answer_time is not null or billsec_s = 0)", 1),
        ("accepted_values(stg_cdr.disposition)", 1),
    }
    assert not db_path.exists()


def test_missing_ingest_database_or_raw_table_is_a_source_error(tmp_path, db_path):
    with pytest.raises(SourceError, match=r"ingest database .*nowhere\.duckdb not found"):
        publish(db_path, tmp_path / "nowhere.duckdb")
    # A source no reader produces cannot be built empty: the build names it.
    project_dir = tmp_path / "models"
    (project_dir / "staging").mkdir(parents=True)
    (project_dir / "staging" / "stg_mystery.sql").write_text(
        "with source as (select * from {{ source('raw_mystery') }}),\n"
        "final as (select * from source)\nselect * from final\n"
    )
    partial = write_ingest_db(tmp_path / "partial.duckdb", tables=["raw_queue_log"])
    with pytest.raises(SourceError, match=r"has no table raw_mystery \(read by stg_mystery\)"):
        publish(db_path, partial, project=load_project(project_dir))
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["warehouse.duckdb.build-lock"]


def test_a_source_the_site_has_not_delivered_is_built_empty(tmp_path, db_path):
    partial = write_ingest_db(tmp_path / "partial.duckdb", tables=["raw_queue_log"])
    result = publish(db_path, partial)
    assert result.sources["raw_cdr"] == 0 and result.sources["raw_queue_log"] == 8
    with read_only(db_path) as con:
        assert con.execute("select count(*) from stg_cdr").fetchall() == [(0,)]


def test_leftovers_of_a_crashed_build_are_removed(db_path, ingest_db):
    db_path.parent.mkdir(parents=True)
    crashed = db_path.with_name("warehouse.duckdb.building-99999")
    crashed.write_bytes(b"half a build")
    publish(db_path, ingest_db)
    assert not crashed.exists()


def test_a_second_build_of_the_same_warehouse_is_refused(db_path, ingest_db):
    db_path.parent.mkdir(parents=True)
    with open(db_path.with_name("warehouse.duckdb.build-lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(PublishError, match=r"another build of .* is running"):
            publish(db_path, ingest_db)
    assert not db_path.exists()


def test_a_reader_keeps_its_build_while_a_new_one_is_published(db_path, ingest_db, tmp_path):
    publish(db_path, ingest_db)
    bigger = write_ingest_db(
        tmp_path / "bigger.duckdb", queue_log=queue_log_rows(queue_log_days(2))
    )
    with read_only(db_path) as old_reader:
        publish(db_path, bigger)  # not blocked by the open reader
        with read_only(db_path) as new_reader:
            assert new_reader.execute("select count(*) from stg_queue_log").fetchall() == [(16,)]
        assert old_reader.execute("select count(*) from stg_queue_log").fetchall() == [(8,)]


def test_read_only_refuses_writes_and_missing_files(db_path, ingest_db):
    with pytest.raises(FileNotFoundError, match="no warehouse at"), read_only(db_path):
        pass
    publish(db_path, ingest_db)
    with read_only(db_path) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("create table scribble (x integer)")


HOLD_READ_WRITE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_read_only_retries_while_another_process_holds_the_file_read_write(
    db_path, ingest_db, caplog
):
    publish(db_path, ingest_db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_WRITE, str(db_path), "0.6"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with (
            caplog.at_level(logging.INFO, logger="warehouse.connect"),
            read_only(db_path, retries=100, delay=0.05) as con,
        ):
            waited = time.monotonic() - started
            assert con.execute("select count(*) from stg_cdr").fetchall() == [(4,)]
    finally:
        holder.wait(timeout=30)
    assert waited > 0.1
    assert any("is locked" in record.getMessage() for record in caplog.records)


def test_read_only_gives_up_after_its_retries(db_path, ingest_db):
    publish(db_path, ingest_db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_WRITE, str(db_path), "5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with (
            pytest.raises(duckdb.Error, match="Could not set lock"),
            read_only(db_path, retries=2, delay=0.01),
        ):
            pass
        with pytest.raises(PublishError, match="held read-write by another process"):
            publish(db_path, ingest_db, lock_retries=2, lock_delay=0.01)
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_stale_wal_of_the_published_file_is_removed_before_publishing(db_path, ingest_db):
    publish(db_path, ingest_db)
    stale = db_path.with_name("warehouse.duckdb.wal")
    stale.write_bytes(b"")
    publish(db_path, ingest_db)
    assert not stale.exists()
    with read_only(db_path) as con:
        assert con.execute("select max(build_number) from build_info").fetchall() == [(2,)]


def test_staging_views_read_the_same_in_any_session_time_zone(db_path, ingest_db):
    """The big staging models are views (read through, not stored a second time); what
    they return must not depend on the reader's session time zone."""
    publish(db_path, ingest_db)
    views = ("stg_queue_log", "stg_cdr", "stg_agent_states", "stg_recordings")
    with read_only(db_path) as con:
        kinds = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables "
                f"where table_name in {views}"
            ).fetchall()
        )
        expected = {v: con.sql(f"select * from {v}").to_arrow_table() for v in views}
    assert kinds == dict.fromkeys(views, "VIEW")
    for zone in ("America/New_York", "Asia/Kolkata"):
        with duckdb.connect() as con:
            con.execute(f"set TimeZone = '{zone}'")
            con.execute(f"attach '{db_path}' as w (read_only)")
            con.execute("use w")
            for view in views:
                # DuckDB labels instants with the session's zone: compare them as UTC.
                table = con.sql(f"select * from {view}").to_arrow_table()
                assert table.cast(expected[view].schema).equals(expected[view]), (zone, view)
