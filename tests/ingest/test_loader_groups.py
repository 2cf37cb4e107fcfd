"""The loader's groups (several files in one transaction) and recordings folders.

Files are small hand-written queue_logs, so each expected count is read off the text.
"""

from __future__ import annotations

import json
import os
import wave
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from acd.simulate import simulate
from callcenter_cli import main
from ingest.loader import Loader, rotation_order

LINES = [
    "1756684800|1756684800.1|booking|NONE|ENTERQUEUE||13800138000|1",
    "1756684805|1756684800.1|booking|A1001|CONNECT|5|1756684800.2|3",
    "1756684900|1756684800.1|booking|A1001|COMPLETECALLER|5|95|1",
    "1756685000|1756685000.1|general|NONE|ENTERQUEUE||13800138001|1",
    "1756685030|1756685000.1|general|NONE|ABANDON|1|1|30",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def table_count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_a_group_counts_each_files_duplicates_against_the_earlier_files(tmp_path):
    # a: lines 0-2; b: lines 1-4 (1 and 2 repeat a's); c: a repeat inside itself.
    a = write(tmp_path / "queue_log-20260901", LINES[0:3])
    b = write(tmp_path / "queue_log-20260902", LINES[1:5])
    c = write(tmp_path / "queue_log-20260903", [LINES[4], LINES[4], "garbage"])
    db = tmp_path / "ingest.duckdb"
    with Loader(db, group_rows=10**6) as loader:  # all three in one transaction
        report = loader.ingest([a, b, c])
    by_name = {Path(f.path).name: f for f in report.files}
    assert (by_name[a.name].rows_loaded, by_name[a.name].rows_duplicate) == (3, 0)
    assert (by_name[b.name].rows_loaded, by_name[b.name].rows_duplicate) == (2, 2)
    c_report = by_name[c.name]
    assert (c_report.rows_loaded, c_report.rows_duplicate, c_report.rows_quarantined) == (0, 2, 1)
    assert len({f.load_id for f in report.files}) == 3  # one load id per file, same commit
    assert table_count(db, "select count(*) from raw_queue_log") == 5
    assert table_count(db, "select count(*) from quarantine_queue_log") == 1
    # The manifest agrees with the reports, file by file.
    with duckdb.connect(str(db), read_only=True) as con:
        manifest = dict(con.execute("select path, rows_loaded from ingest_files").fetchall())
    assert manifest == {str(a): 3, str(b): 2, str(c): 0}


def test_a_group_that_fails_in_a_later_file_leaves_nothing_of_the_earlier_ones(tmp_path):
    clean = write(tmp_path / "queue_log-20260901", LINES[0:3])
    bad = write(tmp_path / "queue_log-20260902", [*LINES[3:5], "garbage"])
    db = tmp_path / "ingest.duckdb"
    # A quarantine table of the wrong shape: the second file's reject insert fails after
    # the first file's rows and manifest rows were written in the same transaction.
    with duckdb.connect(str(db)) as con:
        con.execute("create table quarantine_queue_log (source_file date)")
    with Loader(db, group_rows=10**6) as loader:
        with pytest.raises(duckdb.Error):
            loader.ingest([clean, bad])
        assert loader.con.execute("select count(*) from ingest_files").fetchone()[0] == 0
        assert "raw_queue_log" not in {r[0] for r in loader.con.execute("show tables").fetchall()}
        loader.con.execute("drop table quarantine_queue_log")
        report = loader.ingest([clean, bad])
    assert [f.rows_loaded for f in report.files] == [3, 2]
    assert [f.rows_quarantined for f in report.files] == [0, 1]


def test_groups_of_one_file_give_the_same_tables_as_one_group(tmp_path):
    files = [write(tmp_path / f"queue_log-2026090{i}", LINES[i : i + 2]) for i in range(1, 4)]
    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    with Loader(one, group_rows=1) as loader:
        loader.ingest(files)
    with Loader(many, group_rows=10**6) as loader:
        loader.ingest(files)
    query = "select epoch, call_id, event, source_file, source_line from raw_queue_log order by all"
    with (
        duckdb.connect(str(one), read_only=True) as a,
        duckdb.connect(str(many), read_only=True) as b,
    ):
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_a_copy_in_the_same_run_is_recognised_as_a_copy(tmp_path):
    original = write(tmp_path / "queue_log", LINES * 200)  # over 4 KiB: fingerprinted
    copy = write(tmp_path / "queue_log.bak", LINES * 200)
    with Loader(tmp_path / "ingest.duckdb", group_rows=10**6) as loader:
        report = loader.ingest([original, copy])
    first, second = report.files
    assert first.rows_loaded == len(LINES) and first.rows_duplicate == len(LINES) * 199
    assert second.status == "unchanged" and "a copy of" in second.note


def _wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))


def test_a_recordings_folder_is_scanned_once_and_rejects_are_not_repeated(tmp_path):
    root = tmp_path / "monitor"
    day = root / "2026" / "09" / "01"
    _wav(day / "q-500-13800138000-20260901-080015-1756687215.123.wav", 2.5)
    _wav(day / "out-13800138001-8001-20260901-081500-1756688100.7.wav", 1.0)
    (day / "not-a-freepbx-name.wav").write_bytes(b"RIFF")
    db = tmp_path / "ingest.duckdb"
    result = CliRunner().invoke(main, ["ingest", str(root), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["sources"]["recording_files"]
    assert first == {"files": 1, "rows_read": 3, "loaded": 2, "duplicate": 0, "quarantined": 1}
    with duckdb.connect(str(db), read_only=True) as con:
        durations = dict(
            con.execute("select uniqueid, duration_s from raw_recording_files").fetchall()
        )
    assert durations == {"1756687215.123": 2.5, "1756688100.7": 1.0}

    # A new recording arrives; the known ones are not opened again.
    _wav(day / "q-500-13800138002-20260901-090000-1756690800.9.wav", 4.0)
    with Loader(db) as loader:
        again = loader.ingest([root])
    (scan,) = again.files
    assert (scan.rows_read, scan.rows_loaded, scan.rows_duplicate, scan.rows_quarantined) == (
        2,
        1,
        1,
        0,
    )
    assert scan.reader_notes["already loaded with this size, skipped"] == 2
    assert table_count(db, "select count(*) from quarantine_recording_files") == 1
    assert table_count(db, "select count(*) from raw_recording_files") == 3


def test_small_files_sharing_only_a_header_are_not_taken_for_each_other(tmp_path):
    """Daily exports of quiet days can be the header alone, and the next day's file starts
    with the same header: a shared short prefix must not make one continue the other."""
    landing = tmp_path / "landing"
    simulate("airline", date(2026, 9, 1), 1, 5, landing)
    (export,) = (landing / "outbound").glob("*.csv")
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    folder = tmp_path / "outbound"
    folder.mkdir()
    quiet = folder / "outbound_attempts_20260906.csv"
    busy = folder / "outbound_attempts_20260907.csv"
    quiet.write_text(lines[0], encoding="utf-8")
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:  # the quiet day arrives first ...
        loader.ingest([folder])
    busy.write_text("".join(lines[:4]), encoding="utf-8")  # ... the busy day the next run
    with Loader(db) as loader:
        second = {Path(f.path).name: f for f in loader.ingest([folder]).files}
    assert second[busy.name].rows_loaded == 3 and not second[busy.name].note
    for _ in range(2):
        with Loader(db) as loader:
            again = loader.ingest([folder])
        assert {f.status for f in again.files} == {"unchanged"}
    with duckdb.connect(str(db), read_only=True) as con:
        paths = sorted(p for (p,) in con.execute("select path from ingest_files").fetchall())
    assert paths == sorted([str(quiet), str(busy)])


def test_only_rows_inside_the_loaded_key_range_are_checked_and_all_repeats_are_found(tmp_path):
    # The first key column (epoch) of file b straddles a's range: a repeat of a's line,
    # a new line at a repeated epoch, lines below and above a's range.
    a = write(tmp_path / "queue_log-20260901", LINES[0:3])  # epochs 1756684800..1756684900
    repeat, same_second = LINES[1], LINES[1].replace("CONNECT|5|", "CONNECT|6|")
    below = "1756684700|1756684700.9|booking|NONE|ENTERQUEUE||13800138009|1"
    above = LINES[3]
    b = write(tmp_path / "queue_log-20260902", [below, repeat, same_second, above])
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        first = loader.ingest([a]).files[0]
        second = loader.ingest([b]).files[0]
    assert (first.rows_loaded, first.rows_duplicate) == (3, 0)
    assert (second.rows_loaded, second.rows_duplicate) == (3, 1)
    # A later run reads the range from the table itself: a re-delivery is all repeats.
    c = write(tmp_path / "redelivered", [below, *LINES[0:4]])
    with Loader(db) as loader:
        again = loader.ingest([c]).files[0]
    assert (again.rows_loaded, again.rows_duplicate) == (0, 5)
    assert table_count(db, "select count(*) from raw_queue_log") == 6


def test_a_rolled_back_group_does_not_hide_repeats_in_the_next_one(tmp_path):
    # The loader widens its remembered key range as it inserts; a group that fails keeps
    # the wider range, which may only send more rows through the duplicate check.
    a = write(tmp_path / "queue_log-20260901", LINES[0:2])
    b = write(tmp_path / "queue_log-20260902", [*LINES[2:4], "garbage"])
    db = tmp_path / "ingest.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table quarantine_queue_log (source_file date)")  # breaks b's load
    with Loader(db, group_rows=10**6) as loader:
        with pytest.raises(duckdb.Error):
            loader.ingest([a, b])
        loader.con.execute("drop table quarantine_queue_log")
        report = loader.ingest([a, b, write(tmp_path / "copy-of-b", [*LINES[2:4]])])
    loaded = {Path(f.path).name: (f.rows_loaded, f.rows_duplicate) for f in report.files}
    assert loaded == {
        "queue_log-20260901": (2, 0),
        "queue_log-20260902": (2, 0),
        "copy-of-b": (0, 2),
    }


def test_rotated_copies_load_before_their_live_file_oldest_first(tmp_path):
    # Listed by name, the live file comes first; loaded that way, every later (older) file
    # would fall inside the loaded key range. Numbered copies go by modification time,
    # because logrotate's ".1" is the newest copy and Asterisk's "sequential" the oldest.
    dated = tmp_path / "dated"
    dated.mkdir()
    live = write(dated / "queue_log", LINES[3:5])
    old = write(dated / "queue_log-20260901", LINES[0:1])
    newer = write(dated / "queue_log-20260902", LINES[1:3])
    other = write(dated / "orders-20260901.csv", ["order_id"])  # not a rotated log
    numbered = tmp_path / "numbered"
    numbered.mkdir()
    copies = [write(numbered / f"Master.csv.{n}", ["x"]) for n in (1, 2, 3)]
    for age, path in enumerate(copies):  # .1 newest, .3 oldest (logrotate)
        os.utime(path, ns=(10**18 - age * 10**9, 10**18 - age * 10**9))
    current = write(numbered / "Master.csv", ["x"])

    listed = [live, old, newer, other, current, *copies]
    assert rotation_order(listed) == [
        old,
        newer,
        live,
        other,
        copies[2],
        copies[1],
        copies[0],
        current,
    ]
    assert rotation_order([other, live]) == [other, live]

    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        report = loader.ingest([dated])
    loaded = [(Path(f.path).name, f.rows_loaded) for f in report.files if f.source == "queue_log"]
    assert loaded == [("queue_log-20260901", 1), ("queue_log-20260902", 2), ("queue_log", 2)]
