"""Amazon Connect contact records (CTRs) as Kinesis Firehose delivers them to S3.

Each record is one JSON object (AWS "Data model for Amazon Connect contact records").
Firehose writes them newline-separated or simply concatenated (``{...}{...}`` with no
separator, often without a final newline: read such an S3 object with
``options.final=True``). Pretty-printed objects spanning lines are accepted too. Each
object becomes one row of ``raw_connect_contacts``, mapped onto the same call model as
queue_log/CDR:

====================  ===========================================================
column                CTR field
====================  ===========================================================
contact_id            ContactId (required: an object without it is rejected)
initial_contact_id    InitialContactId
previous_contact_id   PreviousContactId
next_contact_id       NextContactId
channel               Channel (VOICE, CHAT, TASK, EMAIL; other values kept, noted)
initiation_method     InitiationMethod (INBOUND, OUTBOUND, TRANSFER, CALLBACK, API,
                      QUEUE_TRANSFER, ...; other values kept, noted)
initiation_time       InitiationTimestamp
disconnect_time       DisconnectTimestamp
last_update_time      LastUpdateTimestamp
queue_name            Queue.Name
enqueue_time          Queue.EnqueueTimestamp
dequeue_time          Queue.DequeueTimestamp
queue_duration_s      Queue.Duration
agent_username        Agent.Username
connected_to_agent_time  Agent.ConnectedToAgentTimestamp
agent_interaction_s   Agent.AgentInteractionDuration
customer_hold_s       Agent.CustomerHoldDuration
number_of_holds       Agent.NumberOfHolds
longest_hold_s        Agent.LongestHoldDuration
after_contact_work_s  Agent.AfterContactWorkDuration
disconnect_reason     DisconnectReason
customer_number       CustomerEndpoint.Address
system_number         SystemEndpoint.Address
transferred_to_number TransferredToEndpoint.Address
recording_location    Recording.Location, else the first Recordings[].Location
                      (audio preferred)
====================  ===========================================================

Most fields are null on many records (no agent: abandoned in queue or IVR only; no
queue: outbound). Timestamps are UTC ISO 8601 (``2026-09-01T00:15:09Z``).

**Natural key: (contact_id, last_update_time).** Connect delivers each record at least
once and re-delivers it, with a later LastUpdateTimestamp, when it changes (e.g. contact
attributes updated after the call). The loader keeps the first row per key, so a key of
contact_id alone would keep the stale first version; with the update time in the key an
exact re-delivery is still a duplicate, an update is a new row, and the warehouse takes
the newest row per contact_id.

Line accounting: ``lines_read`` counts physical lines. A line holding several objects
(concatenated delivery) yields several rows/rejects; the surplus is noted under
``NOTE_SHARED`` so that ``lines_read + notes[NOTE_SHARED] == rows + rejects + skipped``.
Continuation lines of a pretty-printed object count as skipped.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pyarrow as pa

from ingest.contract import ReadOptions, ReadResult, Reject
from ingest.readers.exports import TIMESTAMP, micros

TABLE = "raw_connect_contacts"

CHANNELS = ("VOICE", "CHAT", "TASK", "EMAIL")
INITIATION_METHODS = (
    "INBOUND",
    "OUTBOUND",
    "TRANSFER",
    "QUEUE_TRANSFER",
    "CALLBACK",
    "API",
    "DISCONNECT",
    "MONITOR",
    "EXTERNAL_OUTBOUND",
    "WEBRTC_API",
    "AGENT_REPLY",
    "FLOW",
)

#: notes key: records beyond the first on one physical line (concatenated delivery)
NOTE_SHARED = "records sharing a line with another record"

# Objects still open after this many lines are treated as broken, not waited for.
MAX_OBJECT_LINES = 2000

# (column, arrow type, path in the CTR, kind)
_FIELDS: tuple[tuple[str, pa.DataType, tuple[str, ...], str], ...] = (
    ("contact_id", pa.string(), ("ContactId",), "id"),
    ("initial_contact_id", pa.string(), ("InitialContactId",), "text"),
    ("previous_contact_id", pa.string(), ("PreviousContactId",), "text"),
    ("next_contact_id", pa.string(), ("NextContactId",), "text"),
    ("channel", pa.string(), ("Channel",), "channel"),
    ("initiation_method", pa.string(), ("InitiationMethod",), "method"),
    ("initiation_time", TIMESTAMP, ("InitiationTimestamp",), "time"),
    ("disconnect_time", TIMESTAMP, ("DisconnectTimestamp",), "time"),
    ("last_update_time", TIMESTAMP, ("LastUpdateTimestamp",), "time"),
    ("queue_name", pa.string(), ("Queue", "Name"), "text"),
    ("enqueue_time", TIMESTAMP, ("Queue", "EnqueueTimestamp"), "time"),
    ("dequeue_time", TIMESTAMP, ("Queue", "DequeueTimestamp"), "time"),
    ("queue_duration_s", pa.float64(), ("Queue", "Duration"), "seconds"),
    ("agent_username", pa.string(), ("Agent", "Username"), "text"),
    ("connected_to_agent_time", TIMESTAMP, ("Agent", "ConnectedToAgentTimestamp"), "time"),
    ("agent_interaction_s", pa.float64(), ("Agent", "AgentInteractionDuration"), "seconds"),
    ("customer_hold_s", pa.float64(), ("Agent", "CustomerHoldDuration"), "seconds"),
    ("number_of_holds", pa.int64(), ("Agent", "NumberOfHolds"), "count"),
    ("longest_hold_s", pa.float64(), ("Agent", "LongestHoldDuration"), "seconds"),
    ("after_contact_work_s", pa.float64(), ("Agent", "AfterContactWorkDuration"), "seconds"),
    ("disconnect_reason", pa.string(), ("DisconnectReason",), "text"),
    ("customer_number", pa.string(), ("CustomerEndpoint", "Address"), "text"),
    ("system_number", pa.string(), ("SystemEndpoint", "Address"), "text"),
    ("transferred_to_number", pa.string(), ("TransferredToEndpoint", "Address"), "text"),
    ("recording_location", pa.string(), (), "recording"),
)

SCHEMA = pa.schema(
    [pa.field(name, typ, nullable=kind != "id") for name, typ, _, kind in _FIELDS]
    + [pa.field("source_line", pa.int64()), pa.field("byte_offset", pa.int64())]
)
NATURAL_KEY: tuple[str, ...] = ("contact_id", "last_update_time")

_DECODER = json.JSONDecoder()
_FAILED = object()  # marks a line that did not parse
_WS = b" \t\r\n"


class _Bad(ValueError):
    pass


# -- sniffing ------------------------------------------------------------------------------


def sniff(head: bytes, name: str) -> bool:
    """A CTR file starts with a JSON object carrying ContactId and CTR-only field names."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    body = head.lstrip(_WS)
    if not body.startswith(b"{"):
        return False
    window = body[:16384]
    return b'"ContactId"' in window and (
        b'"AWSContactTraceRecordFormatVersion"' in window or b'"InitiationMethod"' in window
    )


# -- value conversion ----------------------------------------------------------------------


def _dig(obj: dict[str, Any], path: tuple[str, ...]) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def _time(v: Any) -> int:
    if not isinstance(v, str):
        raise _Bad(f"{v!r} is not an ISO 8601 timestamp string")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise _Bad(f"{v!r} is not an ISO 8601 timestamp") from None
    if dt.tzinfo is None:
        raise _Bad(f"{v!r} has no time zone (CTR timestamps are UTC, ending in Z)")
    return micros(dt)


def _seconds(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _Bad(f"{v!r} is not a number of seconds")
    if v < 0 or v != v or v == float("inf") or v > 1e12:
        raise _Bad(f"{str(v)[:40]} is not a plausible non-negative number of seconds")
    return float(v)


def _count(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**63:
        raise _Bad(f"{v!r} is not a non-negative integer")
    return v


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    raise _Bad(f"{v!r} is not text")


def _recording(ctr: dict[str, Any]) -> str | None:
    loc = _dig(ctr, ("Recording", "Location"))
    if isinstance(loc, str) and loc:
        return loc
    recs = ctr.get("Recordings")
    if isinstance(recs, list):
        found = [r for r in recs if isinstance(r, dict) and isinstance(r.get("Location"), str)]
        audio = [r for r in found if r.get("MediaStreamType") in (None, "AUDIO")]
        for r in audio + found:
            if r["Location"]:
                return r["Location"]
    return None


def _row(ctr: dict[str, Any], notes: dict[str, int]) -> tuple[list[Any], list[str]]:
    row: list[Any] = []
    errors: list[str] = []
    for _name, _typ, path, kind in _FIELDS:
        if kind == "recording":
            row.append(_recording(ctr))
            continue
        v = _dig(ctr, path)
        if v is None or v == "":
            if kind == "id":
                errors.append("no ContactId: not a contact record")
            row.append(None)
            continue
        try:
            if kind == "time":
                row.append(_time(v))
            elif kind == "seconds":
                row.append(_seconds(v))
            elif kind == "count":
                row.append(_count(v))
            else:
                t = _text(v)
                if kind == "channel" and t not in CHANNELS:
                    key = f"channel: unlisted value {t!r}"
                    notes[key] = notes.get(key, 0) + 1
                elif kind == "method" and t not in INITIATION_METHODS:
                    key = f"initiation_method: unlisted value {t!r}"
                    notes[key] = notes.get(key, 0) + 1
                row.append(t)
        except _Bad as exc:
            errors.append(f"{'.'.join(path)}: {exc}")
            row.append(None)
    return row, errors


# -- reading -------------------------------------------------------------------------------


class _Cursor:
    """Byte offsets of text positions, advanced incrementally (UTF-8 is variable width)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.char = 0
        self.byte = 0

    def bytes_at(self, pos: int) -> int:
        if self.ascii:
            return pos
        if pos < self.char:
            self.char, self.byte = 0, 0
        self.byte += len(self.text[self.char : pos].encode("utf-8"))
        self.char = pos
        return self.byte


def read(
    data: bytes,
    *,
    start_offset: int = 0,
    first_line: int = 1,
    options: ReadOptions = ReadOptions(),  # noqa: B008 - frozen, never mutated
) -> ReadResult:
    """Parse CTR objects from ``data`` (see the module docstring)."""
    region_end = len(data) if options.final else data.rfind(b"\n") + 1
    notes: dict[str, int] = {}
    try:
        text = data[:region_end].decode("utf-8")
    except UnicodeDecodeError:
        # Undecodable bytes somewhere: fall back to line by line so good lines survive.
        return _read_lines(data, region_end, start_offset, first_line, notes)

    rejects: list[Reject] = []
    cols: list[list[Any]] = [[] for _ in _FIELDS]
    src_lines: list[int] = []
    offsets: list[int] = []
    cursor = _Cursor(text)
    n = len(text)
    pos = 0
    line = 0  # physical line (0-based) of ``pos``
    counted = False  # the current line already counts (a record started on it, or continues)
    skipped = 0
    shared = 0
    # The last clean line boundary (no object open): where to stop if an object is cut.
    boundary = (0, 0, 0, 0, 0, 0)  # pos, line, rows, rejects, skipped, shared

    while True:
        while pos < n and text[pos] in " \t\r\n":
            if text[pos] == "\n":
                if not counted:
                    skipped += 1  # a blank line
                line += 1
                counted = False
                boundary = (pos + 1, line, len(src_lines), len(rejects), skipped, shared)
            pos += 1
        if pos >= n:
            break
        if counted:
            shared += 1
        counted = True
        start = pos
        line_no = first_line + line
        offset = start_offset + cursor.bytes_at(start)
        try:
            obj, end = _DECODER.raw_decode(text, pos)
        except RecursionError:
            eol = text.find("\n", start)
            eol = n if eol == -1 else eol
            reason = "JSON nested too deeply to be a contact record"
            rejects.append(Reject(line_no, offset, text[start:eol].rstrip("\r")[:2000], reason))
            pos = eol
            continue
        except json.JSONDecodeError as exc:
            cut = text[start] in "{[" and not text[exc.pos :].strip()
            if cut and not options.final and line - boundary[1] < MAX_OBJECT_LINES:
                # An object still being written: stop at the line boundary before it.
                pos, line, n_rows, n_rejects, skipped, shared = boundary
                for c in cols:
                    del c[n_rows:]
                del src_lines[n_rows:], offsets[n_rows:], rejects[n_rejects:]
                return _result(
                    cols,
                    src_lines,
                    offsets,
                    rejects,
                    notes,
                    shared,
                    skipped,
                    len(text[:pos].encode("utf-8")),
                    line,
                )
            eol = text.find("\n", start)
            eol = n if eol == -1 else eol
            raw = text[start:eol].rstrip("\r")
            if start == 0 and start_offset == 0 and data[:2] == b"\x1f\x8b":
                reason = "gzip-compressed data (Firehose GZIP delivery): decompress it first"
            elif text[start] == "{" and exc.pos >= eol:
                reason = (
                    "incomplete JSON object: the line ends before the record closes "
                    f"(cut short while being written? {exc.msg})"
                )
            elif text[start] == "{":
                column = exc.pos - (text.rfind("\n", 0, exc.pos) + 1) + 1
                where = f"line {line_no + text.count(chr(10), start, exc.pos)}, column {column}"
                reason = f"invalid JSON: {exc.msg} ({where})"
            else:
                reason = "not a JSON object (one contact record per line expected)"
            rejects.append(Reject(line_no, offset, raw, reason))
            pos = eol
            continue
        raw = text[start:end]
        if not isinstance(obj, dict):
            what = "a JSON array" if isinstance(obj, list) else f"a JSON {type(obj).__name__}"
            rejects.append(Reject(line_no, offset, raw[:2000], f"{what}, not a contact record"))
        else:
            row, errors = _row(obj, notes)
            if errors:
                rejects.append(Reject(line_no, offset, raw, "; ".join(errors)))
            else:
                for c, v in zip(cols, row, strict=True):
                    c.append(v)
                src_lines.append(line_no)
                offsets.append(offset)
        spanned = text.count("\n", start, end)
        if spanned:
            skipped += spanned  # continuation lines of a multi-line object
            line += spanned
        pos = end

    lines = line
    if n and not text.endswith("\n"):
        lines += 1  # the final (complete) last line without its newline
        if not counted:
            skipped += 1
    return _result(cols, src_lines, offsets, rejects, notes, shared, skipped, region_end, lines)


def _result(
    cols: list[list[Any]],
    src_lines: list[int],
    offsets: list[int],
    rejects: list[Reject],
    notes: dict[str, int],
    shared: int,
    skipped: int,
    consumed: int,
    lines: int,
) -> ReadResult:
    if shared:
        notes[NOTE_SHARED] = shared
    return ReadResult(
        table=TABLE,
        rows=_table(cols, src_lines, offsets),
        rejects=rejects,
        consumed_bytes=consumed,
        lines_read=lines,
        skipped_lines=skipped,
        notes=notes,
    )


def _read_lines(
    data: bytes, region_end: int, start_offset: int, first_line: int, notes: dict[str, int]
) -> ReadResult:
    """Line-by-line fallback for data with invalid UTF-8: one object per line."""
    cols: list[list[Any]] = [[] for _ in _FIELDS]
    src_lines: list[int] = []
    offsets: list[int] = []
    rejects: list[Reject] = []
    skipped = 0
    pos = 0
    lines = 0
    while pos < region_end:
        nl = data.find(b"\n", pos, region_end)
        end, nxt = (region_end, region_end) if nl == -1 else (nl, nl + 1)
        raw = data[pos:end].rstrip(b"\r")
        line_no = first_line + lines
        lines += 1
        if not raw.strip(_WS):
            skipped += 1
        else:
            text = raw.decode("utf-8", errors="replace")
            obj: Any = _FAILED
            try:
                obj = json.loads(raw.decode("utf-8"))
            except RecursionError:
                reason = "JSON nested too deeply to be a contact record"
                rejects.append(Reject(line_no, start_offset + pos, text[:2000], reason))
            except UnicodeDecodeError as exc:
                reason = f"not valid UTF-8 (byte {exc.start}); CTRs are UTF-8 JSON"
                if pos == 0 and start_offset == 0 and raw[:2] == b"\x1f\x8b":
                    reason = "gzip-compressed data (Firehose GZIP delivery): decompress it first"
                rejects.append(Reject(line_no, start_offset + pos, text, reason))
            except json.JSONDecodeError as exc:
                reason = f"invalid JSON ({exc.msg})"
                rejects.append(Reject(line_no, start_offset + pos, text, reason))
            if obj is not _FAILED:
                if not isinstance(obj, dict):
                    rejects.append(Reject(line_no, start_offset + pos, text, "not a JSON object"))
                else:
                    row, errors = _row(obj, notes)
                    if errors:
                        rejects.append(Reject(line_no, start_offset + pos, text, "; ".join(errors)))
                    else:
                        for c, v in zip(cols, row, strict=True):
                            c.append(v)
                        src_lines.append(line_no)
                        offsets.append(start_offset + pos)
        pos = nxt
    return ReadResult(
        table=TABLE,
        rows=_table(cols, src_lines, offsets),
        rejects=rejects,
        consumed_bytes=region_end,
        lines_read=lines,
        skipped_lines=skipped,
        notes=notes,
    )


def _table(cols: list[list[Any]], src_lines: list[int], offsets: list[int]) -> pa.Table:
    arrays = [pa.array(c, type=f[1]) for c, f in zip(cols, _FIELDS, strict=True)]
    arrays += [pa.array(src_lines, pa.int64()), pa.array(offsets, pa.int64())]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)
