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
import re
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ingest.contract import ReadOptions, ReadResult, with_lineage
from ingest.sources import SNIFF_BYTES, Source, all_sources, detect

log = logging.getLogger(__name__)

FINGERPRINT_BYTES = 4096
MAX_AHEAD_FILES = 64  # files read and queued for parsing ahead of the database work
AHEAD_BYTES = 64 << 20  # and at most this much of their input (beyond the first)

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


#: A rotated log's name: the live file's name plus a suffix of digits and separators, as
#: logrotate (``-20260902``, ``.1``) and Asterisk's own rotation (``.0``, ``.2026-09-02...``)
#: write it. ``orders-20260902.csv`` is not one (the suffix would hold letters).
_ROTATED = re.compile(r"^(?P<base>.+?)[-._][0-9][-0-9_:.T]*$")


def rotation_order(files: list[Path]) -> list[Path]:
    """``files`` with every log's rotated copies before it, oldest first.

    A folder listed by name puts the live ``queue_log`` or ``Master.csv`` before its
    rotated copies (``queue_log-20260902`` ...), so a backlog would load the newest day
    first. Loading in the order the lines were written keeps every later file above the
    key range already loaded, where the duplicate check costs nothing (see
    ``Loader._insert_rows``); it changes no result, only which copy of a repeated row
    counts as loaded. Rotated copies are ordered by modification time (renaming keeps it),
    then name, because numbered suffixes mean opposite things: logrotate's ``.1`` is the
    newest copy, Asterisk's default ``sequential`` strategy makes the highest number the
    newest. Only files sharing a folder and a live name move, among the places they
    already hold; every other file keeps its position.
    """
    groups: dict[tuple[Path, str], list[int]] = {}
    for i, path in enumerate(files):
        match = _ROTATED.match(path.name)
        base = match.group("base") if match else path.name
        groups.setdefault((path.parent, base), []).append(i)
    ordered = list(files)
    for (_folder, base), places in groups.items():
        if len(places) < 2:
            continue

        def key(path: Path, base: str = base) -> tuple[int, int, str]:
            if path.name == base:
                return (1, 0, path.name)  # the live file: last
            try:
                mtime = path.stat().st_mtime_ns
            except OSError:  # gone since listed: its load reports that
                mtime = 0
            return (0, mtime, path.name)

        for place, path in zip(places, sorted((files[i] for i in places), key=key), strict=True):
            ordered[place] = path
    return ordered


class _NewPart:
    """The bytes ``offset .. offset + length`` of a file still to be read, through a file
    descriptor of its own (closed once read, or by ``close`` when the read is dropped)."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self.fd: int | None = fd
        self.offset = offset
        self.length = length

    def read(self) -> bytes:
        if self.fd is None:
            raise ValueError("the file's new part was already read or dropped")
        try:
            chunks, done = [], 0
            while done < self.length:
                chunk = os.pread(self.fd, self.length - done, self.offset + done)
                if not chunk:  # the file shrank since it was measured: parse what is there
                    break
                chunks.append(chunk)
                done += len(chunk)
            return b"".join(chunks)
        finally:
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@dataclass
class _Prepared:
    """A file whose new part has been read and awaits parsing (see ``Loader._prepare``)."""

    path: Path
    source: Source
    report: FileReport
    known: dict | None
    note: str
    size: int
    offset: int
    lines: int
    new_part: _NewPart
    header: bytes | None
    head: bytes  # the file's first FINGERPRINT_BYTES (fewer if the file is shorter)
    before: bytes  # up to FINGERPRINT_BYTES just before ``offset``
    load_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    data: bytes = b""  # the new part, once the parse worker has read it

    @property
    def head_sha(self) -> str:
        return _sha(self.head)


@dataclass
class _Shaped:
    """What the parse worker makes of a file: the reader's result and the rows to insert."""

    result: ReadResult
    batch: pa.Table  # the rows in the raw table's column order, repeats within the file dropped
    span: pa.Array  # lowest and highest first key of ``batch`` (``_key_span``)


@dataclass
class _Parsed:
    """A parsed file waiting in a group for its transaction."""

    prepared: _Prepared
    shaped: _Shaped
    new_offset: int
    head_sha: str
    tail_sha: str

    @property
    def result(self) -> ReadResult:
        return self.shaped.result


class Loader:
    """Loads files into one ingest DuckDB database (see the module docstring).

    Speed: reading a file's new part, parsing it (Arrow and Polars) and dropping rows that
    repeat within it happen in a worker thread, up to ``MAX_AHEAD_FILES`` files and
    ``AHEAD_BYTES`` of input ahead of the database work in the calling thread; both
    release the GIL, so on two cores they overlap (DuckDB gets the other cores). Each
    file is one insert into an open transaction (its lineage columns ``source_file`` and
    ``load_id`` given as constants), committed once it holds ``group_rows`` rows or
    ``group_bytes`` bytes of input. Commits are kept rare on purpose: measured on 30 days
    of queue_log, groups of 250,000 rows spent 1.3 s in commits and 0.9 s in the final
    checkpoint against 0.3 s and none with groups of two million (DuckDB writes small
    commits to its WAL and then again into the table). A group is all or nothing, like a
    single file: a process killed mid-load loses the whole group, and the next run loads
    it again. Memory is bounded by the files parsed ahead, not by the group (DuckDB
    writes a transaction's full row groups to the database file as they fill).
    """

    def __init__(
        self,
        db_path: Path,
        options: ReadOptions | None = None,
        *,
        group_rows: int = 2_000_000,
        group_bytes: int = 1 << 30,
    ) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.options = options or ReadOptions()
        self.sources = all_sources()
        self.group_rows = group_rows
        self.group_bytes = group_bytes
        self._group: list[tuple[_Parsed, int]] = []  # written in the open transaction
        self._ready: set[str] = set()  # sources whose tables exist in this transaction
        self._stored: dict[str, list[str]] = {}  # raw table -> the columns it stores
        self._bounds: dict[str, pa.Array | None] = {}  # raw table -> its first key's range
        self.con = duckdb.connect(str(self.db_path))
        # The CLI reports per file; DuckDB's own bar per statement would only be noise.
        self.con.execute("set enable_progress_bar = false")
        # The parse worker keeps one core busy; DuckDB's inserts (one per file) gain
        # nothing from a second thread fighting it for that core, and cost more CPU.
        self.con.execute(f"set threads = {max(1, (os.cpu_count() or 1) - 1)}")
        self.con.execute(MANIFEST_DDL)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ public API
    def ingest(self, paths: list[Path]) -> IngestReport:
        """Load every file under ``paths``; a file that fails is reported, the rest load.

        Audio files (a FreePBX recordings folder) are not parsed one by one: each folder
        named (or the folder of an audio file named) is scanned once by
        ``ingest.readers.recordings_scan`` into ``raw_recording_files``.
        """
        files: list[Path] = []
        audio: dict[Path, list[str]] = {}
        for path in paths:
            for file in expand_paths([path]):
                if _is_audio(file):
                    root = path if path.is_dir() else file.parent
                    audio.setdefault(root, []).append(file.relative_to(root).as_posix())
                else:
                    files.append(file)
        reports = self._pipeline(rotation_order(files), raise_errors=False)
        for root, names in audio.items():
            reports.append(self.scan_recordings(root, names))
        return IngestReport(reports)

    def ingest_file(self, path: Path) -> FileReport:
        """Load one file in its own transaction; read errors raise instead of being reported."""
        return self._pipeline([path], raise_errors=True)[0]

    def scan_recordings(self, root: Path, names: list[str] | None = None) -> FileReport:
        """Scan a recordings folder (or the listed files under it) into raw_recording_files.

        Files already loaded with the same size are not opened again; a file that grew
        (still being recorded when last scanned) is a new row. A file rejected before and
        rejected again for the same reason counts as a duplicate, not a new quarantine row.
        """
        from ingest.readers import recordings_scan

        source = Source(
            name="recording_files",
            table=recordings_scan.TABLE,
            schema=recordings_scan.SCHEMA,
            natural_key=("file_path", "size_bytes"),
            sniff=lambda _head, _name: False,
            read=lambda *_a, **_k: None,  # type: ignore[return-value]
        )
        report = FileReport(str(root), source=source.name)
        self._ensure_tables(source)
        known = {
            (row[0], row[1])
            for row in self.con.execute(
                f"select file_path, size_bytes from {source.table} where source_file = ?",
                [str(root)],
            ).fetchall()
        }
        quarantined = {
            (row[0], row[1])
            for row in self.con.execute(
                "select raw_line, reason from quarantine_recording_files where source_file = ?",
                [str(root)],
            ).fetchall()
        }
        result = recordings_scan.scan(
            root, options=self.options, files=names, skip=lambda rel, size: (rel, size) in known
        )
        repeated = [r for r in result.rejects if (r.raw, r.reason) in quarantined]
        fresh = [r for r in result.rejects if (r.raw, r.reason) not in quarantined]
        load_id = uuid.uuid4().hex
        now = datetime.now(UTC)
        con = self.con
        con.execute("begin transaction")
        try:
            batch = _insert_batch(result.rows, source)
            inserted = self._insert_rows(source, batch, str(root), load_id) if batch.num_rows else 0
            self._insert_rejects(source, [(str(root), load_id, fresh)], now)
            read = result.rows.num_rows + len(result.rejects)
            con.execute(
                "insert into ingest_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    f"scan:{root}",
                    str(root),
                    source.name,
                    0,
                    0,
                    read,
                    inserted,
                    read - inserted - len(fresh),
                    len(fresh),
                    now,
                ],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        report.load_id = load_id
        report.rows_read = read
        report.rows_loaded = inserted
        report.rows_quarantined = len(fresh)
        report.rows_duplicate = read - inserted - len(fresh)
        report.reader_notes = dict(result.notes)
        if not read:
            report.status = "unchanged"
        if repeated:
            report.note = f"{len(repeated)} file(s) still rejected as before"
        return report

    # ------------------------------------------------------------------ pipeline
    def _pipeline(self, paths: list[Path], raise_errors: bool) -> list[FileReport]:
        """Prepare files in order, parse ahead in a worker thread, write in groups."""
        reports: list[FileReport] = []
        inflight: deque[tuple[_Prepared, Future[_Shaped]]] = deque()
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-parse") as pool:
                for path in paths:
                    try:
                        prepared = self._prepare(path)
                    except (OSError, ValueError) as exc:
                        if raise_errors:
                            raise
                        log.warning("could not load %s: %s", path, exc)
                        reports.append(FileReport(str(path), status="failed", error=_describe(exc)))
                        continue
                    if isinstance(prepared, FileReport):
                        reports.append(prepared)
                        continue
                    reports.append(prepared.report)
                    if any(p.head_sha == prepared.head_sha for p, _f in inflight):
                        # The same content twice in one run (a copy): let the first one
                        # land so that the manifest recognises the second.
                        prepared.new_part.close()  # read again below
                        while inflight:
                            self._collect(*inflight.popleft(), raise_errors)
                        prepared = self._prepare(path)
                        if isinstance(prepared, FileReport):
                            reports[-1] = prepared
                            continue
                        reports[-1] = prepared.report
                    try:
                        options = self._options_for(prepared.source)
                    except BaseException:
                        prepared.new_part.close()
                        raise
                    inflight.append((prepared, pool.submit(_parse, prepared, options)))
                    # Parse ahead while the database works, within a memory budget.
                    while len(inflight) > MAX_AHEAD_FILES or (
                        len(inflight) > 1
                        and sum(p.new_part.length for p, _f in inflight) > AHEAD_BYTES
                    ):
                        self._collect(*inflight.popleft(), raise_errors)
                while inflight:
                    self._collect(*inflight.popleft(), raise_errors)
            self._commit()
        except BaseException:
            for prepared, future in inflight:
                if future.cancel():
                    prepared.new_part.close()
            self._rollback()
            raise
        return reports

    def _prepare(self, path: Path) -> _Prepared | FileReport:
        """Find where ``path`` continues and read its new part (a FileReport when done)."""
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
                    if b"\n" not in head and size <= SNIFF_BYTES:
                        # A file still being written whose first line is cut: it is
                        # recognised once that line is whole, as a cut last line is.
                        report.status = "waiting"
                        report.note = "first line not complete yet"
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
                if known is not None and note.startswith("rotated"):
                    self._rename(known["file_key"], path)
                return report
            header = head.split(b"\n", 1)[0] if offset else None
            before_start = max(0, offset - FINGERPRINT_BYTES)
            before = _read_at(handle, before_start, offset - before_start)
            # The new part itself is read by the parse worker, from this open file (a
            # rename or rotation in between does not change what it reads).
            new_part = _NewPart(os.dup(handle.fileno()), offset, size - offset)
        return _Prepared(
            path=path,
            source=source,
            report=report,
            known=known,
            note=note,
            size=size,
            offset=offset,
            lines=lines,
            new_part=new_part,
            header=header,
            head=head[:FINGERPRINT_BYTES],
            before=before,
        )

    def _collect(self, prepared: _Prepared, future: Future[_Shaped], raise_errors: bool) -> None:
        """Write a parsed file into the open group; commit the group once it is full."""
        report = prepared.report
        try:
            shaped = future.result()
        except (OSError, ValueError) as exc:
            if raise_errors:
                raise
            log.warning("could not load %s: %s", prepared.path, exc)
            report.status, report.error = "failed", _describe(exc)
            return
        result = shaped.result
        if result.consumed_bytes == 0:
            report.status = "waiting"
            report.note = _join(prepared.note, "last line not complete yet")
            return
        consumed = result.consumed_bytes
        new_offset = prepared.offset + consumed
        head = prepared.head[: min(new_offset, FINGERPRINT_BYTES)]
        if consumed >= FINGERPRINT_BYTES:  # (without copying the whole file's data)
            tail = prepared.data[consumed - FINGERPRINT_BYTES : consumed]
        else:
            tail = (prepared.before + prepared.data[:consumed])[-FINGERPRINT_BYTES:]
        parsed = _Parsed(prepared, shaped, new_offset, _sha(head), _sha(tail))
        if consumed < len(prepared.data):
            report.note = _join(report.note, "last line not complete yet, waits for the rest")
        self._write(parsed)
        rows = sum(p.result.rows.num_rows + len(p.result.rejects) for p, _n in self._group)
        size = sum(p.new_offset - p.prepared.offset for p, _n in self._group)
        if rows >= self.group_rows or size >= self.group_bytes:
            self._commit()

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
            if consumed < FINGERPRINT_BYTES and consumed != size:
                # A short prefix (a header line, say) is shared by many different files:
                # too weak to say this file continues another one.
                continue
            if _still_holds(Path(candidate["path"]), candidate):
                if consumed == size:
                    # A copy: the same content under a second name, loaded already.
                    return candidate, f"a copy of {candidate['path']}"
                # A copy with more in it: read as a file of its own (the lines both hold
                # are duplicates by natural key); the original keeps its manifest row.
                continue
            return candidate, f"rotated from {candidate['path']}"
        if same_path:
            return None, "rewritten or replaced since the last load: read as a new file"
        return None, ""

    def _rename(self, file_key: str, path: Path) -> None:
        self.con.execute(
            "update ingest_files set path = ? where file_key = ?", [str(path), file_key]
        )

    def _ensure_tables(self, source: Source) -> None:
        self.con.execute(source.table_ddl(self.con))
        self.con.execute(
            f"""create table if not exists quarantine_{source.name} (
                source_file varchar, source_line bigint, byte_offset bigint, raw_line varchar,
                reason varchar, load_id varchar, quarantined_at timestamptz)"""
        )

    def _stored_names(self, table: str) -> list[str]:
        """The columns ``table`` has, in table order; [] when it does not exist yet. A table
        made before a column became unstored (``Source.unstored``) still has it."""
        names = self._stored.get(table)
        if names is None:
            names = [
                name
                for (name,) in self.con.execute(
                    "select column_name from information_schema.columns "
                    "where table_catalog = current_database() and table_schema = 'main' "
                    "and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            if names:
                self._stored[table] = names
        return names

    def _options_for(self, source: Source) -> ReadOptions:
        """The read options for ``source``: its reader may leave out the unstored columns
        its raw table does not have (a new table has none of them)."""
        if not source.unstored:
            return self.options
        stored = set(self._stored_names(source.table))
        omit = frozenset(name for name in source.unstored if name not in stored)
        return replace(self.options, omit=omit)

    def _insert_rows(
        self,
        source: Source,
        batch: pa.Table,
        source_file: str,
        load_id: str,
        span: pa.Array | None = None,
    ) -> int:
        """Insert ``batch`` (see ``_insert_batch``) minus rows whose natural key is already
        in the raw table (loaded before, or by an earlier file of this transaction's group).
        Returns the rows inserted.

        Only rows whose first key column falls within the range the table already holds
        (``_key_bounds``; a null key counts as inside) can repeat a row. When there are
        none (told from the batch's key span alone), the batch goes in without a duplicate
        check; otherwise the rows up to the last such row go through an anti-join that
        reads only the table rows within the range of those rows' keys (DuckDB skips the
        other row groups by their min/max), and the rows after it go in directly. Logs
        arrive roughly in key order (``rotation_order``), so a new file usually has no
        such row, or only among its first lines (a CDR is written when the call ends, so
        the calls that crossed midnight open the next day's file).

        The lineage columns ``source_file`` and ``load_id`` are the same for every row of
        a batch: they are given as constants, which DuckDB stores for a fraction of the
        cost of a column of repeated text. ``span`` is the batch's first-key range
        (``_key_span``) when the parse worker computed it already."""
        key = source.natural_key[0]
        column = batch.column(key)
        span = _key_span(column) if span is None else span
        bounds = self._key_bounds(source, key, column.type)
        inside: pa.ChunkedArray | pa.Array | None = None
        if bounds is not None and bounds.null_count:  # the table's keys are all null
            inside = pc.is_null(column)
        elif bounds is not None and not _apart(span, bounds, column.null_count):
            within = pc.and_(pc.greater_equal(column, bounds[0]), pc.less_equal(column, bounds[1]))
            inside = pc.fill_null(within, True)
        self._widen_bounds(source, span)
        stored = self._stored_names(source.table)
        columns = ", ".join(f'"{name}"' for name in stored)
        constants = {"source_file": source_file, "load_id": load_id}
        values = ", ".join(
            f'?::varchar as "{name}"' if name in constants else f'"{name}"' for name in stored
        )
        parameters = [constants[name] for name in stored if name in constants]
        sql = f"insert into {source.table} ({columns}) select {values} from _batch b"
        if inside is None or not pc.any(inside).as_py():
            return self._run_insert(sql, parameters, batch)
        # The rows up to the last one inside the table's range go through the anti-join;
        # the rest (usually nearly all: the inside rows are the first few) are inserted as
        # they are. A row and its repeat have the same first key, so a repeat is always
        # in the checked part. Slices share the batch's memory; a filter would copy it.
        last = pc.max(pc.indices_nonzero(inside)).as_py()
        checked = batch.slice(0, last + 1)
        added = 0
        if last + 1 < len(batch):
            added += self._run_insert(sql, parameters, batch.slice(last + 1))
        # The table rows that can match: those within the range of the inside rows' keys
        # (the checked rows outside the table's range match nothing; DuckDB skips the
        # other row groups).
        key_range = _key_range(pa.table({key: column.filter(inside)}), key)
        matches = " and ".join(f'r."{k}" is not distinct from b."{k}"' for k in source.natural_key)
        sql += f" where not exists (select 1 from {source.table} r where {key_range} and {matches})"
        return added + self._run_insert(sql, parameters, checked)

    def _run_insert(self, sql: str, parameters: list[str], batch: pa.Table) -> int:
        """Run an insert that reads ``batch`` as ``_batch``; the rows it inserted."""
        self.con.register("_batch", batch)
        try:
            return self.con.execute(sql, parameters).fetchone()[0]
        finally:
            self.con.unregister("_batch")

    def _key_bounds(self, source: Source, key: str, kind: pa.DataType) -> pa.Array | None:
        """``[lowest, highest]`` first key the raw table holds (null, null when all its keys
        are null), or None while it is empty. Read from the table once per loader, then
        widened by every insert (``_widen_bounds``): a group that rolls back leaves the
        bounds wider than the table, which only sends more rows to the anti-join."""
        if source.table not in self._bounds:
            self._bounds[source.table] = None
            row = self.con.sql(
                f'select min("{key}") as low, max("{key}") as high, count(*) as n '
                f"from {source.table}"
            ).to_arrow_table()
            if row.column("n")[0].as_py():
                bounds = pa.array([row.column("low")[0], row.column("high")[0]])
                self._bounds[source.table] = bounds.cast(kind)
        return self._bounds[source.table]

    def _widen_bounds(self, source: Source, column: pa.ChunkedArray | pa.Array) -> None:
        """Widen the cached key bounds of ``source``'s table by the keys of ``column`` (a
        key column, or its ``_key_span``)."""
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        known = self._bounds.get(source.table)
        if known is not None and not known.null_count:
            chunks = [known, *chunks]
        if not any(len(c) - c.null_count for c in chunks):
            if known is None:
                self._bounds[source.table] = pa.nulls(2, column.type)
            return
        span = pc.min_max(pa.chunked_array(chunks, type=column.type))
        self._bounds[source.table] = pa.array([span["min"], span["max"]], type=column.type)

    def _insert_rejects(
        self, source: Source, groups: list[tuple[str, str, list]], now: datetime
    ) -> None:
        """Quarantine rows for (source_file, load_id, rejects) triples, in one insert."""
        rows = [
            (file, r.line_number, r.byte_offset, r.raw, r.reason, load_id)
            for file, load_id, rejects in groups
            for r in rejects
        ]
        if not rows:
            return
        names = ("source_file", "source_line", "byte_offset", "raw_line", "reason", "load_id")
        table = pa.Table.from_arrays(
            [pa.array(list(column)) for column in zip(*rows, strict=True)], names=list(names)
        ).append_column("quarantined_at", pa.array([now] * len(rows), pa.timestamp("us", "UTC")))
        self.con.register("_rejects", table)
        try:
            self.con.execute(f"insert into quarantine_{source.name} select * from _rejects")
        finally:
            self.con.unregister("_rejects")

    def _write(self, parsed: _Parsed) -> None:
        """Insert a file's rows, rejects and manifest rows into the open group's transaction
        (opened here when none is). Files are written in order, so a row repeating one of
        an earlier file of the group is already in the table: that file's duplicate."""
        source = parsed.prepared.source
        if not self._group:
            self.con.execute("begin transaction")
            self._ready.clear()
        self._group.append((parsed, 0))
        if source.name not in self._ready:
            self._ensure_tables(source)
            self._ready.add(source.name)
        batch = parsed.shaped.batch
        added = 0
        if batch.num_rows:
            path, load_id = str(parsed.prepared.path), parsed.prepared.load_id
            added = self._insert_rows(source, batch, path, load_id, parsed.shaped.span)
        self._group[-1] = (parsed, added)
        now = datetime.now(UTC)
        load_id = parsed.prepared.load_id
        self._insert_rejects(
            source, [(str(parsed.prepared.path), load_id, parsed.result.rejects)], now
        )
        self._record(parsed, load_id, added, now)

    def _commit(self) -> None:
        """Commit the open group and fill in its files' reports."""
        if not self._group:
            return
        group, self._group = self._group, []
        self.con.execute("commit")
        for p, added in group:
            rows, quarantined = p.result.rows.num_rows, len(p.result.rejects)
            report = p.prepared.report
            report.load_id = p.prepared.load_id
            report.rows_read = rows + quarantined
            report.rows_loaded = added
            report.rows_duplicate = rows - added
            report.rows_quarantined = quarantined
            report.bytes_loaded = p.new_offset - p.prepared.offset
            report.reader_notes = dict(p.result.notes)

    def _rollback(self) -> None:
        """Undo the open group (a file of it could not be written)."""
        if self._group:
            self._group = []
            self.con.execute("rollback")

    def _record(self, p: _Parsed, load_id: str, inserted: int, now: datetime) -> None:
        """The manifest rows for one file of a group (inside the group's transaction)."""
        prepared, result = p.prepared, p.result
        rows, quarantined = result.rows.num_rows, len(result.rejects)
        duplicate = rows - inserted
        total_lines = prepared.lines + result.lines_read
        path = str(prepared.path)
        if prepared.known is None:
            file_key = uuid.uuid4().hex
            self.con.execute(
                f"insert into ingest_files values ({', '.join(['?'] * 16)})",
                [
                    file_key,
                    prepared.source.name,
                    prepared.source.table,
                    path,
                    prepared.size,
                    p.new_offset,
                    total_lines,
                    p.head_sha,
                    p.tail_sha,
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
            file_key = prepared.known["file_key"]
            self.con.execute(
                """update ingest_files set path = ?, size_bytes = ?, consumed_bytes = ?,
                    lines = ?, head_sha = ?, tail_sha = ?, rows_read = rows_read + ?,
                    rows_loaded = rows_loaded + ?, rows_duplicate = rows_duplicate + ?,
                    rows_quarantined = rows_quarantined + ?, last_load_id = ?, updated_at = ?
                where file_key = ?""",
                [
                    path,
                    prepared.size,
                    p.new_offset,
                    total_lines,
                    p.head_sha,
                    p.tail_sha,
                    rows + quarantined,
                    inserted,
                    duplicate,
                    quarantined,
                    load_id,
                    now,
                    file_key,
                ],
            )
        self.con.execute(
            "insert into ingest_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                file_key,
                path,
                prepared.source.name,
                prepared.offset,
                p.new_offset,
                rows + quarantined,
                inserted,
                duplicate,
                quarantined,
                now,
            ],
        )


def _parse(prepared: _Prepared, options: ReadOptions) -> _Shaped:
    """Read and parse a file's new part and shape its rows for the insert (in the parse
    worker)."""
    prepared.data = prepared.new_part.read()
    result = prepared.source.parse(
        prepared.data, prepared.offset, prepared.lines + 1, options, prepared.header
    )
    batch = _insert_batch(result.rows, prepared.source)
    return _Shaped(result, batch, _key_span(batch.column(prepared.source.natural_key[0])))


def _insert_batch(rows: pa.Table, source: Source) -> pa.Table:
    """A reader's rows in the raw table's column order, without the rows that repeat an
    earlier row of the same file by natural key (nulls equal, as SQL's ``is not distinct
    from``). The insert adds ``source_file`` and ``load_id`` (``Loader._insert_rows``)."""
    keys = pl.from_arrow(rows.select(list(source.natural_key)))
    if isinstance(keys, pl.DataFrame) and keys.height:
        # A 64-bit hash per row finds the candidates; only rows whose hash repeats are
        # compared on their values (exact, and usually none).
        hashes = keys.hash_rows()
        repeated = hashes.is_duplicated()
        if repeated.any():
            first = pl.Series(np.ones(keys.height, dtype=bool))
            idx = repeated.arg_true()
            exact = keys[idx].select(pl.struct(pl.all()).is_first_distinct()).to_series()
            first = first.scatter(idx, exact)
            rows = rows.filter(first.to_arrow())
    present = set(rows.column_names)  # a reader may omit unstored columns (ReadOptions.omit)
    return rows.select([f.name for f in with_lineage(source.schema) if f.name in present])


def _is_audio(path: Path) -> bool:
    from ingest.readers.recordings_scan import AUDIO_EXTENSIONS

    return path.suffix.lstrip(".").lower() in AUDIO_EXTENSIONS


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


def _key_span(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``[lowest, highest]`` non-null value of a key column (two nulls when it has none)."""
    if len(column) == column.null_count:
        return pa.nulls(2, column.type)
    span = pc.min_max(column)
    return pa.array([span["min"], span["max"]], type=column.type)


def _apart(span: pa.Array, bounds: pa.Array, nulls: int) -> bool:
    """Whether a batch whose first key spans ``span`` (with ``nulls`` null keys) lies
    wholly outside the table's ``bounds``: then none of its rows can repeat one (the usual
    case for logs loaded in order), and no row needs comparing."""
    if nulls or span.null_count:
        return False
    above = pc.greater(span[0], bounds[1]).as_py()
    below = pc.less(span[1], bounds[0]).as_py()
    return bool(above or below)


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
