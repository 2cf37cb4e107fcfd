"""Reader for Asterisk app_queue's ``queue_log`` (file backend), and CSV exports of the
realtime ``queue_log`` table.

File lines are ``epoch|callid|queuename|agent|event|data`` where ``data`` is the event's
own fields joined by ``|`` (an event without data still ends in ``|``); see
``docs/formats.md``. Every row keeps ``data`` exactly as written plus ``data1``..``data5``:
the data split on ``|`` the way Asterisk's realtime backend splits it, so ``data5`` holds
the rest (pipes included) when an event writes more than five fields, and fields a line
does not have are null. A line without the pipe after the event has a null ``data``.

Also read: a CSV export of the realtime table, with a header naming ``time, callid,
queuename, agent, event`` and either ``data`` or ``data1``..``data5`` (other columns, such
as ``id``, are ignored). ``time`` is epoch seconds or ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in
``options.timezone``. A chunk of such a file read from the middle (no header) is taken to
have the standard columns in that order (6 columns: ``data``; 10: ``data1..data5``).

Quirks of real files handled here: leading NUL bytes (crash padding) are stripped and
counted, and ``byte_offset`` then points at the record's first byte after them; lines that
are only NULs or blank are skipped; CRLF line ends; undecodable bytes replaced; unknown event
names are kept and counted in ``notes``; lines whose time steps back are kept in file order
and counted. Repeated lines are all kept (the loader de-duplicates with ``NATURAL_KEY``).

Rejected: fewer than five fields, a time that is not whole epoch seconds between 1990 and
2100, an empty event name.
"""

from __future__ import annotations

import csv
import re

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ingest.contract import ReadOptions, ReadResult, Reject
from ingest.readers._text import (
    NOTE_REPLACED,
    Lines,
    add_notes,
    check_timezone,
    first_content_line,
    local_to_utc,
    parse_wall_time,
    split_lines,
    strip_padding,
)

TABLE = "raw_queue_log"

SCHEMA = pa.schema(
    [
        pa.field("event_time", pa.timestamp("us", tz="UTC")),
        pa.field("epoch", pa.int64()),
        pa.field("call_id", pa.string()),
        pa.field("queue", pa.string()),
        pa.field("agent", pa.string()),
        pa.field("event", pa.string()),
        pa.field("data1", pa.string()),
        pa.field("data2", pa.string()),
        pa.field("data3", pa.string()),
        pa.field("data4", pa.string()),
        pa.field("data5", pa.string()),
        pa.field("data", pa.string()),
        pa.field("source_line", pa.int64()),
        pa.field("byte_offset", pa.int64()),
    ]
)

NATURAL_KEY: tuple[str, ...] = ("epoch", "call_id", "queue", "agent", "event", "data")


#: Columns of ``SCHEMA`` the raw table does not store: data1..data5 are ``data`` split (see
#: ``_rows``), and the staging model ``stg_queue_log`` splits it the same way, so the text
#: is stored once (a test compares the two splits).
UNSTORED: frozenset[str] = frozenset(f"data{k}" for k in range(1, 6))

#: Every event app_queue (including app_agent_pool's AGENT* and the pre-12 TRANSFER) and
#: FreePBX's dialplan (DID) write. Other names are kept and reported in ``notes``.
KNOWN_EVENTS: frozenset[str] = frozenset(
    {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "EXITEMPTY",
        "RINGNOANSWER",
        "RINGCANCELED",
        "RINGINUSE",
        "TRANSFER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "PENALTY",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "AGENTDUMP",
        "SYSCOMPAT",
        "CONFIGRELOAD",
        "QUEUESTART",
        "DID",
        "WITHDRAW",
        "INFO",
        "OUTCALL",
    }
)

#: Unknown event names reported one by one in ``notes``; the rest are counted together.
MAX_UNKNOWN_NOTES = 50

MIN_EPOCH = 631_152_000  # 1990-01-01T00:00:00Z
MAX_EPOCH = 4_102_444_800  # 2100-01-01T00:00:00Z

NOTE_STEP_BACK = "lines whose time is earlier than the line before (kept in file order)"
NOTE_HEADER = "CSV header rows (skipped)"
NOTE_CSV_EXPORT = "lines read as a CSV export of the realtime queue_log table"

_SNIFF = re.compile(r"^\d{9,11}\|[^|]*\|[^|]*\|[^|]*\|[A-Z_]+")
_NAME_HINT = re.compile(r"queue_log", re.IGNORECASE)
_DATETIME_TEXT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$")

# Names a realtime export may use for each column.
_HEADER_ALIASES = {
    "time": "time",
    "callid": "callid",
    "call_id": "callid",
    "queuename": "queuename",
    "queue": "queuename",
    "queue_name": "queuename",
    "agent": "agent",
    "event": "event",
    "data": "data",
    **{f"data{i}": f"data{i}" for i in range(1, 6)},
}
_REQUIRED_HEADER = ("time", "callid", "queuename", "agent", "event")
_STANDARD_EXPORT = {
    6: ("time", "callid", "queuename", "agent", "event", "data"),
    10: ("time", "callid", "queuename", "agent", "event", *(f"data{i}" for i in range(1, 6))),
}


def sniff(head: bytes, name: str) -> bool:
    """True when ``head`` (the file's first bytes) looks like a queue_log.

    Content decides: the first non-blank line (leading NULs stripped) must start like
    ``epoch|callid|queue|agent|EVENT``, or be the header of a realtime-table CSV export.
    Only a head without any content line (an empty file) falls back to the name.
    """
    first = first_content_line(head)
    if first is None:
        return bool(_NAME_HINT.search(name))
    line, _complete = first
    if _SNIFF.match(line):
        return True
    return _header_columns(line) is not None


def read(
    data: bytes,
    *,
    start_offset: int = 0,
    first_line: int = 1,
    options: ReadOptions = ReadOptions(),  # noqa: B008  (frozen dataclass: safe default)
) -> ReadResult:
    """Parse the complete lines of ``data`` (see ``ingest.contract``)."""
    lines = split_lines(data, final=options.final)
    notes: dict[str, int] = {}
    if lines.replaced:
        notes[NOTE_REPLACED] = lines.replaced
    if len(lines) == 0:
        return ReadResult(TABLE, SCHEMA.empty_table(), [], lines.consumed, 0, 0, notes)

    lines, padding = strip_padding(lines, file_start=start_offset == 0)
    add_notes(notes, padding)
    line = pl.Series("line", lines.text)
    blank = pl.Series(_blank(lines.text))

    content = (~blank).arg_true()
    mode = _detect_export(line, content, start_offset)
    if mode is None:
        fields, problems = _split_pipe(line), None
    else:
        fields, problems = _split_export(line, ~blank, mode, notes, options)
    skipped = blank if mode is None else blank | fields["header"]

    event_time, epoch, time_ok = _times(fields["time"], mode is not None, options, notes)
    valid = ~skipped & fields["event"].is_not_null() & (fields["event"] != "") & time_ok
    if problems is not None:
        valid = valid & problems.is_null()
    valid = valid.fill_null(False)

    bad = ~skipped & ~valid
    rejects = _rejects(lines, line, bad, problems, fields, mode, start_offset, first_line)
    split = not options.omit >= UNSTORED
    rows, row_notes = _rows(
        lines, fields, event_time, epoch, valid, start_offset, first_line, split
    )
    add_notes(notes, row_notes)
    return ReadResult(
        table=TABLE,
        rows=rows,
        rejects=rejects,
        consumed_bytes=lines.consumed,
        lines_read=len(lines),
        skipped_lines=int(skipped.sum()),
        notes=notes,
    )


# --- splitting -------------------------------------------------------------------------


def _blank(text: pa.Array) -> pa.Array:
    """Lines that are empty or only whitespace."""
    return pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))


def _split_pipe(line: pl.Series) -> dict[str, pl.Series]:
    """The five prefix fields and the data part of file-format lines (null when absent)."""
    parts = line.str.splitn("|", 6).struct.unnest()
    names = ("time", "call_id", "queue", "agent", "event", "data")
    return {name: parts.get_column(f"field_{i}") for i, name in enumerate(names)}


def _header_columns(line: str) -> tuple[str, ...] | None:
    """The canonical column names of a realtime-export header line, or None."""
    if "|" in line or "," not in line:
        return None
    try:
        names = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    canon = tuple(_HEADER_ALIASES.get(n.strip().lower(), "") for n in names)
    if not all(req in canon for req in _REQUIRED_HEADER):
        return None
    if "data" not in canon and "data1" not in canon:
        return None
    return canon


def _detect_export(
    line: pl.Series, content: pl.Series, start_offset: int
) -> tuple[str, ...] | None:
    """Column layout when the chunk is a realtime CSV export; None for the file format."""
    if len(content) == 0:
        return None
    first = line[int(content[0])]
    header = _header_columns(first)
    if header is not None:
        return header
    if start_offset == 0 or first.count("|") >= 4:
        return None
    # the middle of an export has no header: accept the standard column orders
    try:
        cells = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return None
    layout = _STANDARD_EXPORT.get(len(cells))
    if layout and (cells[0].isdigit() or _DATETIME_TEXT.match(cells[0])):
        return layout
    return None


def _split_export(
    line: pl.Series,
    content_mask: pl.Series,
    layout: tuple[str, ...],
    notes: dict[str, int],
    options: ReadOptions,
) -> tuple[dict[str, pl.Series], pl.Series]:
    """Fields of CSV-export lines (one record per physical line), and a per-line problem."""
    n = len(line)
    out: dict[str, list[str | None]] = {
        k: [None] * n for k in ("time", "call_id", "queue", "agent", "event", "data")
    }
    header = [False] * n
    problem: list[str | None] = [None] * n
    width = len(layout)
    index = {name: i for i, name in enumerate(layout) if name}
    data_cols = [index[f"data{i}"] for i in range(1, 6) if f"data{i}" in index]
    texts = line.to_list()
    headers = 0
    for i in content_mask.arg_true().to_list():
        text = texts[i]
        try:
            cells = next(csv.reader([text]))
        except csv.Error as exc:
            problem[i] = f"is not a valid CSV record ({exc})"
            continue
        if _header_columns(text) is not None:
            header[i] = True
            headers += 1
            continue
        if len(cells) != width:
            problem[i] = (
                f"has {len(cells)} CSV fields; the export's header has {width} "
                f"({','.join(c or '?' for c in layout)})"
            )
            continue
        out["time"][i] = cells[index["time"]].strip()
        out["call_id"][i] = cells[index["callid"]]
        out["queue"][i] = cells[index["queuename"]]
        out["agent"][i] = cells[index["agent"]]
        out["event"][i] = cells[index["event"]]
        if "data" in index:
            out["data"][i] = cells[index["data"]]
        else:
            parts = [cells[j] for j in data_cols]
            while parts and parts[-1] == "":
                parts.pop()
            out["data"][i] = "|".join(parts)
    add_notes(notes, {NOTE_HEADER: headers, NOTE_CSV_EXPORT: int(content_mask.sum()) - headers})
    fields = {k: pl.Series(k, v, dtype=pl.String) for k, v in out.items()}
    fields["header"] = pl.Series("header", header, dtype=pl.Boolean)
    return fields, pl.Series("problem", problem, dtype=pl.String)


# --- values ----------------------------------------------------------------------------


def _times(
    text: pl.Series, export: bool, options: ReadOptions, notes: dict[str, int]
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """``(event_time, epoch, ok)`` from the time field (epoch; or a local datetime in exports)."""
    # to_integer also takes a leading "+"; a minus sign fails the range check below
    epoch = text.str.to_integer(strict=False).cast(pl.Int64)
    digits = (epoch.is_not_null() & ~text.str.starts_with("+")).fill_null(False)
    epoch = epoch.zip_with(digits, pl.Series([None], dtype=pl.Int64))
    event_time = (epoch * 1_000_000).cast(pl.Datetime("us", "UTC"))
    if export and (~digits & text.is_not_null()).any():
        check_timezone(options.timezone)
        naive = parse_wall_time(text)
        naive = naive.zip_with(~digits, pl.Series([None], dtype=pl.Datetime("us")))
        local, dst_notes = local_to_utc(naive, options.timezone)
        add_notes(notes, dst_notes)
        event_time = event_time.zip_with(digits, local)
        local_epoch = local.dt.epoch("us") // 1_000_000
        epoch = epoch.zip_with(digits, local_epoch)
    ok = epoch.is_between(MIN_EPOCH, MAX_EPOCH, closed="left").fill_null(False)
    return event_time, epoch, ok


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _time_reason(value: str, export: bool) -> str | None:
    if value.isascii() and value.isdigit():
        if MIN_EPOCH <= int(value) < MAX_EPOCH:
            return None
        return f"time {_short(value)} is not an epoch between 1990 and 2100"
    if export and _DATETIME_TEXT.match(value):
        return f"time '{value}' is not a valid date and time"
    expected = "epoch seconds or YYYY-MM-DD HH:MM:SS" if export else "whole epoch seconds"
    return f"time '{_short(value)}' is not {expected}"


def _reason(line: str, export: bool, fields: dict[str, pl.Series], i: int) -> str:
    if not export:
        parts = line.split("|", 5)
        if len(parts) < 5:
            return (
                f"has {len(parts)} '|'-separated field(s); a queue_log line needs at least 5 "
                "(time|callid|queue|agent|event)"
            )
        time_text, event = parts[0], parts[4]
    else:
        time_text, event = fields["time"][i], fields["event"][i]
    problems = []
    why = _time_reason(time_text, export)
    if why:
        problems.append(why)
    if event == "":
        problems.append("the event name (5th field) is empty")
    return "; ".join(problems) or "unreadable line"


def _rejects(
    lines: Lines,
    line: pl.Series,
    bad: pl.Series,
    problems: pl.Series | None,
    fields: dict[str, pl.Series],
    mode: tuple[str, ...] | None,
    start_offset: int,
    first_line: int,
) -> list[Reject]:
    out = []
    for i in bad.arg_true().to_list():
        text = line[i]
        reason = problems[i] if problems is not None else None
        if reason is None:
            reason = _reason(text, mode is not None, fields, i)
        offset = start_offset + int(lines.starts[i])
        out.append(Reject(first_line + i, offset, text, reason))
    return out


def _rows(
    lines: Lines,
    fields: dict[str, pl.Series],
    event_time: pl.Series,
    epoch: pl.Series,
    valid: pl.Series,
    start_offset: int,
    first_line: int,
    split: bool = True,
) -> tuple[pa.Table, dict[str, int]]:
    """The valid lines as rows of ``SCHEMA`` (without data1..data5 unless ``split``)."""
    frame = pl.DataFrame(
        {
            "event_time": event_time,
            "epoch": epoch,
            "call_id": fields["call_id"],
            "queue": fields["queue"],
            "agent": fields["agent"],
            "event": fields["event"],
            "data": fields["data"],
            "source_line": pl.int_range(first_line, first_line + len(valid), eager=True),
            "byte_offset": pl.Series(lines.starts) + start_offset,
        }
    ).filter(valid)
    schema = SCHEMA
    if split:
        parts = pl.col("data").str.splitn("|", 5)
        frame = frame.lazy().select(
            *SCHEMA.names[:6],
            *(parts.struct.field(f"field_{k}").alias(f"data{k + 1}") for k in range(5)),
            *SCHEMA.names[11:],
        )
        frame = frame.collect()
    else:
        schema = pa.schema([f for f in SCHEMA if f.name not in UNSTORED])
        frame = frame.select(schema.names)
    notes: dict[str, int] = {}
    events = frame.get_column("event")
    unknown = events.filter(~events.is_in(list(KNOWN_EVENTS)))
    if len(unknown):
        counts = unknown.value_counts(sort=True).rows()
        for name, count in counts[:MAX_UNKNOWN_NOTES]:
            notes[f"unknown event {name}"] = int(count)
        if len(counts) > MAX_UNKNOWN_NOTES:
            rest = sum(count for _name, count in counts[MAX_UNKNOWN_NOTES:])
            notes[f"unknown events of {len(counts) - MAX_UNKNOWN_NOTES} other names"] = rest
    notes[NOTE_STEP_BACK] = int((frame.get_column("epoch").diff() < 0).sum())
    table = frame.to_arrow().cast(schema)
    return table, {k: v for k, v in notes.items() if v}
