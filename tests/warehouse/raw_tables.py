"""A small ingest database with the raw tables the ingest readers produce, for warehouse tests.

The rows come from a few hand-written Asterisk lines (formats as in docs/formats.md), split
the simple way a reader would; this is not the suite's ingest code, only enough of it to
give the warehouse realistic raw tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

RAW_QUEUE_LOG_DDL = """
create table raw_queue_log (
    event_time timestamptz, epoch bigint, call_id varchar, queue varchar, agent varchar,
    event varchar, data1 varchar, data2 varchar, data3 varchar, data4 varchar,
    data5 varchar, data varchar,
    source_file varchar, source_line bigint, byte_offset bigint, load_id varchar
)
"""

RAW_CDR_DDL = """
create table raw_cdr (
    accountcode varchar, src varchar, dst varchar, dcontext varchar, clid varchar,
    channel varchar, dstchannel varchar, lastapp varchar, lastdata varchar,
    start_time timestamptz, answer_time timestamptz, end_time timestamptz,
    duration_s integer, billsec_s integer, disposition varchar, amaflags varchar,
    uniqueid varchar, userfield varchar, peeraccount varchar, linkedid varchar,
    sequence integer,
    source_file varchar, source_line bigint, byte_offset bigint, load_id varchar
)
"""

# landing/queue_log: one answered and one abandoned call on 2026-09-01 (08:00 in Shanghai is
# 00:00 UTC) and a non-call line. landing/Master.csv (standard layout, 18 columns, local wall
# time): the answered call's two agent legs and A-leg, and the abandoned call's A-leg.
LANDING = Path(__file__).parent / "landing"
QUEUE_LOG = (LANDING / "queue_log").read_text()
MASTER_CSV = (LANDING / "Master.csv").read_text()


def queue_log_days(days: int) -> str:
    """QUEUE_LOG's lines on ``days`` consecutive days (each day's copy a day later)."""
    lines = []
    for day in range(days):
        for line in QUEUE_LOG.splitlines(keepends=True):
            epoch, rest = line.split("|", 1)
            lines.append(f"{int(epoch) + day * 86_400}|{rest}")
    return "".join(lines)


def queue_log_rows(text: str, source_file: str = "queue_log", load_id: str = "L1") -> list[tuple]:
    """raw_queue_log rows of queue_log ``text`` (one row per line, lineage filled in)."""
    rows, offset = [], 0
    for line_number, line in enumerate(text.splitlines(keepends=True), start=1):
        epoch, call_id, queue, agent, event, *fields = line.rstrip("\n").split("|")
        data = (fields + [None] * 5)[:5]
        rows.append(
            (
                datetime.fromtimestamp(int(epoch), tz=UTC),
                int(epoch),
                call_id,
                queue,
                agent,
                event,
                *data,
                "|".join(fields),
                source_file,
                line_number,
                offset,
                load_id,
            )
        )
        offset += len(line.encode())
    return rows


def cdr_rows(text: str, source_file: str = "Master.csv", load_id: str = "L1") -> list[tuple]:
    """raw_cdr rows of Master.csv ``text`` (standard layout; times are Asia/Shanghai)."""
    rows, offset = [], 0
    for line_number, line in enumerate(text.splitlines(keepends=True), start=1):
        (fields,) = csv.reader(io.StringIO(line))
        fields = fields + [None] * (21 - len(fields))
        times = [f"{value}+08:00" if value else None for value in fields[9:12]]
        integers = [int(value) for value in fields[12:14]]
        rows.append(
            (
                *fields[:9],
                *times,
                *integers,
                *fields[14:20],
                fields[20],
                source_file,
                line_number,
                offset,
                load_id,
            )
        )
        offset += len(line.encode())
    return rows


def write_ingest_db(
    path: Path,
    queue_log: Sequence[tuple] | None = None,
    cdr: Sequence[tuple] | None = None,
    *,
    tables: Sequence[str] = ("raw_queue_log", "raw_cdr"),
) -> Path:
    """Create (or replace) an ingest database at ``path`` with the given raw rows."""
    path.unlink(missing_ok=True)
    queue_log = queue_log_rows(QUEUE_LOG) if queue_log is None else queue_log
    cdr = cdr_rows(MASTER_CSV) if cdr is None else cdr
    with duckdb.connect(str(path)) as con:
        if "raw_queue_log" in tables:
            con.execute(RAW_QUEUE_LOG_DDL)
            if queue_log:
                con.executemany(f"insert into raw_queue_log values ({_marks(16)})", queue_log)
        if "raw_cdr" in tables:
            con.execute(RAW_CDR_DDL)
            if cdr:
                con.executemany(f"insert into raw_cdr values ({_marks(25)})", cdr)
    return path


def _marks(count: int) -> str:
    return ", ".join(["?"] * count)
