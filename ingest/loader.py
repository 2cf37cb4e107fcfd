"""Load files into the ingest database: incrementally, idempotently, all or nothing.

For every file the loader keeps a manifest row (``ingest_files``) with how far it has
loaded it (byte offset and line count) and two fingerprints of what it loaded: a hash
of the first 4 KiB and a hash of the 4 KiB just before the offset. On the next run:

- same fingerprints and same size: nothing to do (a re-run on unchanged files only
  reads 8 KiB per file);
- same fingerprints, larger file: the file grew, only the new tail is parsed; a last
  line still being written (no newline yet) is left for the next run;
- fingerprints found under another name: the file was rotated (``queue_log`` ->
  ``queue_log-20260902``), it continues where it was;
- a known name whose fingerprints no longer match: the file was rewritten or replaced;
  it is read as a new file, and the report says so.

Each file's new rows, its rejected lines and its manifest update are written in ONE
DuckDB transaction: a process killed mid-load leaves nothing half-loaded, and the next
run loads that tail again. Rows already present (same natural key, from this or another
file: duplicate deliveries, copies of rotated files) are counted as duplicates and not
inserted. For every file and every run: rows read = loaded + duplicate + quarantined.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingest.contract import ReadOptions, ReadResult, with_lineage
from ingest.sources import SNIFF_BYTES, Source, all_sources, detect

log = logging.getLogger(__name__)

FINGERPRINT_BYTES = 4096

MANIFEST_DDL = """
create table if not exists ingest_files (
    file_key varchar primary key,
    source varchar not null,
    table_name varchar not null,
    path varchar not null,
    size_bytes bigint not null,
    consumed_bytes bigint not null,
    lines bigint not null,
    head_sha varchar not null,
    tail_sha varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_duplicate bigint not null,
    rows_quarantined bigint not null,
    first_load_id varchar not null,
    last_load_id varchar not null,
    updated_at timestamptz not null
);
create table if not exists ingest_loads (
    load_id varchar primary key,
    file_key varchar not null,
    path varchar not null,
    source varchar not null,
    start_offset bigint not null,
    end_offset bigint not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_duplicate bigint not null,
    rows_quarantined bigint not null,
    loaded_at timestamptz not null
);
"""


@dataclass
class FileReport:
    """What happened to one file in one run."""

    path: str
    source: str = ""
    status: str = "loaded"  # loaded | unchanged | waiting | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    bytes_loaded: int = 0
    load_id: str = ""
    note: str = ""  # rotated from X, rewritten, partial last line waits, ...
    error: str = ""
    reader_notes: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestReport:
    files: list[FileReport]

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    def by_source(self) -> dict[str, dict[str, int]]:
        """Totals per source format (what the CLI prints)."""
        totals: dict[str, dict[str, int]] = {}
        for f in self.files:
            if not f.source:
                continue
            t = totals.setdefault(
                f.source,
                {"files": 0, "rows_read": 0, "loaded": 0, "duplicate": 0, "quarantined": 0},
            )
            t["files"] += 1
            t["rows_read"] += f.rows_read
            t["loaded"] += f.rows_loaded
            t["duplicate"] += f.rows_duplicate
            t["quarantined"] += f.rows_quarantined
        return totals

    def as_dict(self) -> dict[str, object]:
        return {
            "sources": self.by_source(),
            "files": [asdict(f) for f in self.files],
            "failed": len(self.failed),
        }


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and every non-hidden file under folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


class Loader:
    """Loads files into one ingest DuckDB database (see the module docstring)."""

    def __init__(self, db_path: Path, options: ReadOptions | None = None) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.options = options or ReadOptions()
        self.sources = all_sources()
        self.con = duckdb.connect(str(self.db_path))
        # The CLI reports per file; DuckDB's own bar per statement would only be noise.
        self.con.execute("set enable_progress_bar = false")
        self.con.execute(MANIFEST_DDL)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ public API
    def ingest(self, paths: list[Path]) -> IngestReport:
        """Load every file under ``paths``; a file that fails is reported, the rest load."""
        reports = []
        for path in expand_paths(paths):
            try:
                reports.append(self.ingest_file(path))
            except (OSError, ValueError) as exc:
                log.warning("could not load %s: %s", path, exc)
                reports.append(FileReport(str(path), status="failed", error=_describe(exc)))
        return IngestReport(reports)

    def ingest_file(self, path: Path) -> FileReport:
        report = FileReport(str(path))
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(min(size, SNIFF_BYTES))
            known, note = self._find_known(path, handle, size)
            if known is not None:
                source = self._source_named(known["source"])
                offset, lines = known["consumed_bytes"], known["lines"]
            else:
                source = detect(head, path.name, self.sources)
                if source is None:
                    if not head.strip(b"\x00 \r\n\t"):
                        report.status, report.note = "unchanged", "empty file"
                        return report
                    report.status = "failed"
                    report.error = (
                        "not a format the suite reads (queue_log, Master.csv, exports, CTR)"
                    )
                    return report
                offset, lines = 0, 0
            report.source = source.name
            report.note = note
            if offset >= size:
                report.status = "unchanged"
                if known is not None and known["path"] != str(path):
                    self._rename(known["file_key"], path)
                return report
            header = _read_at(handle, 0, SNIFF_BYTES).split(b"\n", 1)[0] if offset else None
            handle.seek(offset)
            data = handle.read(size - offset)
            result = source.parse(data, offset, lines + 1, self.options, header)
            if result.consumed_bytes == 0:
                report.status = "waiting"
                report.note = _join(note, "last line not complete yet")
                return report
            new_offset = offset + result.consumed_bytes
            head_sha = _sha(_read_at(handle, 0, min(new_offset, FINGERPRINT_BYTES)))
            tail_start = max(0, new_offset - FINGERPRINT_BYTES)
            tail_sha = _sha(_read_at(handle, tail_start, new_offset - tail_start))
        self._load(
            path, source, result, known, offset, new_offset, lines, head_sha, tail_sha, size, report
        )
        if result.consumed_bytes < len(data):
            report.note = _join(report.note, "last line not complete yet, waits for the rest")
        return report

    # ------------------------------------------------------------------ internals
    def _source_named(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise ValueError(f"the manifest names an unknown source {name!r}")

    def _find_known(self, path: Path, handle, size: int) -> tuple[dict | None, str]:
        """The manifest row this file continues, if any, and a note on how it was found."""
        # Candidates: this path's row, rows whose first 4 KiB match this file's, and rows
        # of files smaller than 4 KiB (their head hash covers fewer bytes): few, indexed.
        head_sha = _sha(_read_at(handle, 0, min(size, FINGERPRINT_BYTES)))
        cursor = self.con.execute(
            """select file_key, source, path, consumed_bytes, lines, head_sha, tail_sha
            from ingest_files where path = ? or head_sha = ? or consumed_bytes < ?""",
            [str(path), head_sha, FINGERPRINT_BYTES],
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        same_path = [r for r in rows if r["path"] == str(path)]
        others = [r for r in rows if r["path"] != str(path)]
        for candidate in same_path + others:
            consumed = candidate["consumed_bytes"]
            if consumed > size:
                continue
            head = _read_at(handle, 0, min(consumed, FINGERPRINT_BYTES))
            if _sha(head) != candidate["head_sha"]:
                continue
            tail_start = max(0, consumed - FINGERPRINT_BYTES)
            if _sha(_read_at(handle, tail_start, consumed - tail_start)) != candidate["tail_sha"]:
                continue
            if candidate["path"] == str(path):
                return candidate, ""
            if _still_holds(Path(candidate["path"]), candidate):
                # A copy: the same content under a second name, loaded already.
                return candidate, f"a copy of {candidate['path']}"
            return candidate, f"rotated from {candidate['path']}"
        if same_path:
            return None, "rewritten or replaced since the last load: read as a new file"
        return None, ""

    def _rename(self, file_key: str, path: Path) -> None:
        self.con.execute(
            "update ingest_files set path = ? where file_key = ?", [str(path), file_key]
        )

    def _ensure_tables(self, source: Source) -> None:
        empty = pa.Table.from_pylist([], schema=with_lineage(source.schema))
        self.con.register("_empty_batch", empty)
        try:
            self.con.execute(
                f"create table if not exists {source.table} as select * from _empty_batch"
            )
        finally:
            self.con.unregister("_empty_batch")
        self.con.execute(
            f"""create table if not exists quarantine_{source.name} (
                source_file varchar, source_line bigint, byte_offset bigint, raw_line varchar,
                reason varchar, load_id varchar, quarantined_at timestamptz)"""
        )

    def _load(
        self,
        path: Path,
        source: Source,
        result: ReadResult,
        known: dict | None,
        offset: int,
        new_offset: int,
        lines: int,
        head_sha: str,
        tail_sha: str,
        size: int,
        report: FileReport,
    ) -> None:
        load_id = uuid.uuid4().hex
        now = datetime.now(UTC)
        rows = result.rows.num_rows
        batch = result.rows.append_column(
            "source_file", pa.array([str(path)] * rows, pa.string())
        ).append_column("load_id", pa.array([load_id] * rows, pa.string()))
        batch = batch.select([f.name for f in with_lineage(source.schema)])
        columns = ", ".join(f'"{name}"' for name in batch.column_names)
        keys = source.natural_key
        partition = ", ".join(f'"{k}"' for k in keys)
        matches = " and ".join(f'r."{k}" is not distinct from b."{k}"' for k in keys)
        con = self.con
        con.execute("begin transaction")
        try:
            self._ensure_tables(source)
            con.register("_batch", batch)
            inserted = con.execute(
                f"""insert into {source.table} ({columns})
                select {columns} from (
                    select * from _batch
                    qualify row_number() over (partition by {partition} order by source_line) = 1
                ) b
                where not exists (
                    select 1 from {source.table} r
                    where {_key_range(batch, keys[0])} and {matches}
                )"""
            ).fetchone()[0]
            con.unregister("_batch")
            if result.rejects:
                con.executemany(
                    f"insert into quarantine_{source.name} values (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (str(path), r.line_number, r.byte_offset, r.raw, r.reason, load_id, now)
                        for r in result.rejects
                    ],
                )
            quarantined = len(result.rejects)
            duplicate = rows - inserted
            total_lines = lines + result.lines_read
            if known is None:
                file_key = uuid.uuid4().hex
                con.execute(
                    f"insert into ingest_files values ({', '.join(['?'] * 16)})",
                    [
                        file_key,
                        source.name,
                        source.table,
                        str(path),
                        size,
                        new_offset,
                        total_lines,
                        head_sha,
                        tail_sha,
                        rows + quarantined,
                        inserted,
                        duplicate,
                        quarantined,
                        load_id,
                        load_id,
                        now,
                    ],
                )
            else:
                file_key = known["file_key"]
                con.execute(
                    """update ingest_files set path = ?, size_bytes = ?, consumed_bytes = ?,
                        lines = ?, head_sha = ?, tail_sha = ?, rows_read = rows_read + ?,
                        rows_loaded = rows_loaded + ?, rows_duplicate = rows_duplicate + ?,
                        rows_quarantined = rows_quarantined + ?, last_load_id = ?, updated_at = ?
                    where file_key = ?""",
                    [
                        str(path),
                        size,
                        new_offset,
                        total_lines,
                        head_sha,
                        tail_sha,
                        rows + quarantined,
                        inserted,
                        duplicate,
                        quarantined,
                        load_id,
                        now,
                        file_key,
                    ],
                )
            con.execute(
                "insert into ingest_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    file_key,
                    str(path),
                    source.name,
                    offset,
                    new_offset,
                    rows + quarantined,
                    inserted,
                    duplicate,
                    quarantined,
                    now,
                ],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        report.load_id = load_id
        report.rows_read = rows + quarantined
        report.rows_loaded = inserted
        report.rows_duplicate = duplicate
        report.rows_quarantined = quarantined
        report.bytes_loaded = new_offset - offset
        report.reader_notes = dict(result.notes)


def _still_holds(path: Path, row: dict) -> bool:
    """Does ``path`` still hold the content a manifest row fingerprinted?"""
    try:
        with path.open("rb") as handle:
            consumed = row["consumed_bytes"]
            if os.fstat(handle.fileno()).st_size < consumed:
                return False
            head = _read_at(handle, 0, min(consumed, FINGERPRINT_BYTES))
            tail_start = max(0, consumed - FINGERPRINT_BYTES)
            tail = _read_at(handle, tail_start, consumed - tail_start)
    except OSError:
        return False
    return _sha(head) == row["head_sha"] and _sha(tail) == row["tail_sha"]


def _key_range(batch: pa.Table, column: str) -> str:
    """A range filter on the first key column, so that the duplicate check reads only the
    part of the raw table that can hold this batch's keys.

    Logs arrive roughly in key order (epochs, uniqueids, order ids), so DuckDB's per-row-
    group min/max skips the rest of a table that grows with every file: without it the
    check would read the whole table for every new file, quadratic over a year of files.
    """
    values = batch.column(column)
    if len(values) == 0 or values.null_count == len(values):
        return f'r."{column}" is null'
    bounds = pc.min_max(values)
    low, high = bounds["min"], bounds["max"]
    in_range = f'r."{column}" between {_literal(low)} and {_literal(high)}'
    return f'({in_range} or r."{column}" is null)' if values.null_count else in_range


def _literal(scalar: pa.Scalar) -> str:
    """A SQL literal for a key bound (numbers, text, dates and instants)."""
    value = scalar.as_py()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _read_at(handle, offset: int, length: int) -> bytes:
    handle.seek(offset)
    return handle.read(length)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
