"""The loader on real files: idempotence, growing and rotated files, duplicates,
quarantine, failures, and a process killed in the middle of a load."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner

from acd.simulate import simulate
from callcenter_cli import main
from ingest.contract import ReadOptions
from ingest.loader import Loader

LINE_SOURCES = ("queue_log", "cdr_csv")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two days of the airline scenario: rotated Asterisk files and daily exports."""
    out = tmp_path_factory.mktemp("landing")
    simulate("airline", date(2026, 9, 1), 2, 5, out)
    return out


def count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def data_lines(path: Path, header: bool) -> int:
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    return len(lines) - (1 if header else 0)


def test_a_landing_folder_loads_completely_and_only_once(landing, tmp_path):
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        first = loader.ingest([landing])
    assert not first.failed
    for f in first.files:
        assert f.rows_read == f.rows_loaded + f.rows_duplicate + f.rows_quarantined, f
    totals = first.by_source()
    queue_log_lines = sum(
        data_lines(p, header=False) for p in (landing / "asterisk").glob("queue_log*")
    )
    assert totals["queue_log"]["rows_read"] == queue_log_lines
    assert totals["queue_log"]["quarantined"] == 0
    assert count(db, "select count(*) from raw_queue_log") == totals["queue_log"]["loaded"]
    cdr_lines = sum(
        data_lines(p, header=False) for p in (landing / "asterisk" / "cdr-csv").glob("Master.csv*")
    )
    assert count(db, "select count(*) from raw_cdr") == cdr_lines
    states = sum(data_lines(p, header=True) for p in (landing / "agent_states").glob("*.csv"))
    assert count(db, "select count(*) from raw_agent_states") == states
    # Lineage: every row says where it came from.
    assert (
        count(db, "select count(*) from raw_queue_log where source_file is null or load_id is null")
        == 0
    )

    with Loader(db) as loader:
        again = loader.ingest([landing])
    assert {f.status for f in again.files} == {"unchanged"}
    assert count(db, "select count(*) from raw_queue_log") == totals["queue_log"]["loaded"]


def test_a_growing_file_loads_only_its_tail_and_waits_for_a_cut_line(landing, tmp_path):
    source = (landing / "asterisk" / "queue_log").read_bytes()
    cut = len(source) // 2 + 7  # in the middle of a line
    growing = tmp_path / "queue_log"
    growing.write_bytes(source[:cut])
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        first = loader.ingest_file(growing)
        assert "not complete" in first.note
        with growing.open("ab") as handle:
            handle.write(source[cut:])
        second = loader.ingest_file(growing)
    assert second.bytes_loaded < len(source) - cut + 200  # only the tail was read
    total = data_lines(landing / "asterisk" / "queue_log", header=False)
    assert first.rows_read + second.rows_read == total
    assert (
        count(db, "select count(*) from raw_queue_log")
        == total - first.rows_duplicate - second.rows_duplicate
    )


def test_a_new_file_whose_first_line_is_cut_waits_instead_of_failing(landing, tmp_path):
    # A writer that has flushed only part of its first line (an export's header, say):
    # the format cannot be told yet, so the file waits; once whole, it loads completely.
    source = next((landing / "orders").glob("orders_*.csv")).read_bytes()
    first_newline = source.index(b"\n")
    growing = tmp_path / "orders" / "orders_20260901.csv"
    growing.parent.mkdir()
    growing.write_bytes(source[: first_newline // 2])
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        first = loader.ingest_file(growing)
        assert (first.status, first.rows_read) == ("waiting", 0), first
        assert "first line not complete" in first.note
        growing.write_bytes(source)
        second = loader.ingest_file(growing)
    assert second.status == "loaded", second
    assert second.rows_loaded == data_lines(growing, header=True) > 0


def test_a_rotated_file_is_recognised_by_content(landing, tmp_path):
    lines = (landing / "asterisk" / "queue_log").read_bytes().splitlines(keepends=True)
    first, later, newest = lines[:3000], lines[3000:4000], lines[4000:6000]
    folder = tmp_path / "asterisk"
    folder.mkdir()
    (folder / "queue_log").write_bytes(b"".join(first))
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        loader.ingest([folder])
        # logrotate: the file gets a dated name (after a last few lines), a new one starts.
        with (folder / "queue_log").open("ab") as handle:
            handle.write(b"".join(later))
        (folder / "queue_log").rename(folder / "queue_log-20260902")
        (folder / "queue_log").write_bytes(b"".join(newest))
        report = loader.ingest([folder])
    by_name = {Path(f.path).name: f for f in report.files}
    assert "rotated from" in by_name["queue_log-20260902"].note
    assert by_name["queue_log-20260902"].rows_read == len(later)
    assert by_name["queue_log"].rows_read == len(newest)
    loaded = count(db, "select count(*) from raw_queue_log")
    distinct_lines = len({line.rstrip(b"\r\n") for line in lines[:6000] if line.strip()})
    assert loaded == distinct_lines


def test_duplicates_across_files_are_dropped_by_natural_key(landing, tmp_path):
    lines = (landing / "asterisk" / "queue_log").read_bytes().splitlines(keepends=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "queue_log").write_bytes(b"".join(lines[:2000]))
    # A second delivery overlapping the first by 500 lines (and starting elsewhere).
    (tmp_path / "b" / "queue_log").write_bytes(b"".join(lines[1500:2500]))
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        report = loader.ingest([tmp_path / "a", tmp_path / "b"])
    second = report.files[1]
    assert second.rows_read == 1000
    assert second.rows_duplicate >= 500
    assert second.rows_loaded + second.rows_duplicate == 1000
    expected = len({line for line in lines[:2500] if line.strip()})
    assert count(db, "select count(*) from raw_queue_log") == expected


def test_bad_lines_go_to_quarantine_with_their_reason(tmp_path):
    log = tmp_path / "queue_log"
    log.write_bytes(
        b"1788217200|MANAGER|booking|A1001|ADDMEMBER|\n"
        b"not a queue_log line at all\n"
        b"1788217300|1788217290.5|booking|NONE|ENTERQUEUE||13800138000|1\n"
        b"17882x7301|1788217290.5|booking|A1001|CONNECT|10|1788217300.6|1\n"
    )
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        report = loader.ingest_file(log)
    assert report.rows_read == 4
    assert report.rows_loaded == 2 and report.rows_quarantined == 2
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select source_line, raw_line, reason from quarantine_queue_log order by source_line"
        ).fetchall()
    assert [r[0] for r in rows] == [2, 4]
    assert rows[0][1] == "not a queue_log line at all" and rows[0][2]
    assert rows[1][1].startswith("17882x7301")


def test_an_unreadable_file_is_reported_and_the_others_load(landing, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(landing / "asterisk" / "queue_log", folder / "queue_log")
    (folder / "notes.txt").write_text("meeting notes, not call data\n")
    db = tmp_path / "ingest.duckdb"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["failed"] == 1
    failed = [f for f in report["files"] if f["status"] == "failed"]
    assert failed[0]["path"].endswith("notes.txt") and "not a format" in failed[0]["error"]
    assert report["sources"]["queue_log"]["loaded"] > 0
    missing = CliRunner().invoke(main, ["ingest", str(tmp_path / "nope"), "--db", str(db)])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_a_failure_inside_a_load_leaves_nothing_behind(landing, tmp_path):
    db = tmp_path / "ingest.duckdb"
    bad = tmp_path / "queue_log"
    text = (landing / "asterisk" / "queue_log").read_bytes()[:20000]
    bad.write_bytes(text.rsplit(b"\n", 1)[0] + b"\ngarbage line\n")
    # A quarantine table someone created with the wrong shape: the reject insert fails
    # after the raw rows were inserted in the same transaction.
    with duckdb.connect(str(db)) as con:
        con.execute("create table quarantine_queue_log (source_file date)")
    with Loader(db) as loader:
        with pytest.raises(duckdb.Error):
            loader.ingest_file(bad)
        assert loader.con.execute("select count(*) from ingest_files").fetchone()[0] == 0
        tables = {r[0] for r in loader.con.execute("show tables").fetchall()}
        assert "raw_queue_log" not in tables  # created in the failed transaction: gone
        loader.con.execute("drop table quarantine_queue_log")
        report = loader.ingest_file(bad)
    assert report.rows_quarantined == 1 and report.rows_loaded > 0


def test_a_process_killed_mid_load_leaves_no_partial_batch(landing, tmp_path):
    big = tmp_path / "queue_log"
    source = b"".join(p.read_bytes() for p in sorted((landing / "asterisk").glob("queue_log*")))
    big.write_bytes(source)
    expected = data_lines(big, header=False)
    db = tmp_path / "ingest.duckdb"
    code = (
        "import sys; from pathlib import Path; from ingest.loader import Loader\n"
        "with Loader(Path(sys.argv[1])) as l: l.ingest_file(Path(sys.argv[2]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for delay in (0.4, 0.8):
        process = subprocess.Popen([sys.executable, "-c", code, str(db), str(big)], env=env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if db.exists():
            with duckdb.connect(str(db)) as con:
                tables = {r[0] for r in con.execute("show tables").fetchall()}
                loaded = (
                    con.execute("select count(*) from raw_queue_log").fetchone()[0]
                    if "raw_queue_log" in tables
                    else 0
                )
            assert loaded in (0, expected - _duplicates(big)), loaded
    with Loader(db) as loader:
        loader.ingest_file(big)
    assert count(db, "select count(*) from raw_queue_log") == expected - _duplicates(big)


def _duplicates(path: Path) -> int:
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    return len(lines) - len(set(lines))


def test_engine_exports_need_the_options_timezone_only_for_naive_times(landing, tmp_path):
    db = tmp_path / "ingest.duckdb"
    with Loader(db, ReadOptions(timezone="Asia/Shanghai")) as loader:
        loader.ingest([landing / "asterisk" / "cdr-csv"])
    # Master.csv prints PBX local time: the first leg starts just after local midnight of
    # the first day, which is 16:00 UTC the day before.
    first = count(db, "select epoch(min(start_time)) from raw_cdr")
    local = datetime.fromtimestamp(first, ZoneInfo("Asia/Shanghai"))
    assert (local.date(), local.hour) == (date(2026, 9, 1), 0)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_the_read_ahead_leaves_no_file_open(landing, tmp_path):
    # A copy within one run (its read-ahead is dropped and redone), a rotation between two
    # runs, and a load that fails with files parsed ahead: no file descriptor stays open.
    lines = (landing / "asterisk" / "queue_log").read_bytes().splitlines(keepends=True)
    folder = tmp_path / "asterisk"
    folder.mkdir()
    (folder / "queue_log-20260901").write_bytes(b"".join(lines[:2000]))
    (folder / "queue_log-copy").write_bytes(b"".join(lines[:2000]))
    (folder / "queue_log").write_bytes(b"".join(lines[2000:4000]))
    with Loader(tmp_path / "warm-up.duckdb") as loader:  # DuckDB's own lasting descriptors
        loader.ingest([folder / "queue_log"])
    before = _open_fds()
    with Loader(tmp_path / "ingest.duckdb") as loader:
        report = loader.ingest([folder])
        status = {Path(f.path).name: f.status for f in report.files}
        assert status == {
            "queue_log": "loaded",
            "queue_log-20260901": "loaded",
            "queue_log-copy": "unchanged",
        }
        opened = _open_fds()
        (folder / "queue_log").rename(folder / "queue_log-20260902")
        (folder / "queue_log").write_bytes(b"".join(lines[4000:4100]))
        loader.ingest([folder])
        assert _open_fds() == opened
    assert _open_fds() == before
    with duckdb.connect(str(tmp_path / "broken.duckdb")) as con:
        con.execute("create table quarantine_queue_log (source_file date)")  # wrong shape
    (folder / "queue_log-20260903").write_bytes(lines[5000] + b"garbage\n" + lines[5001])
    with Loader(tmp_path / "broken.duckdb") as loader, pytest.raises(duckdb.Error):
        loader.ingest([folder])
    assert _open_fds() == before
