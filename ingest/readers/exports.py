"""Readers for the suite's own CSV exports (and business systems exporting the same columns).

One reader object per export (``docs/formats.md``, "Own CSV exports"), as
object -> table (natural key):

* ``AGENT_STATES`` -> ``raw_agent_states`` (time, agent_id, state, call_id)
* ``RECORDINGS`` -> ``raw_recordings`` (recording_id)
* ``OUTBOUND`` -> ``raw_outbound_attempts`` (attempt_id)
* ``ORDERS`` -> ``raw_orders`` (order_id)
* ``ORDER_EVENTS`` -> ``raw_order_events`` (order_id, event, event_time)
* ``CONTACTS`` -> ``raw_contacts`` (every column): deferred contacts, a help-desk export
  listing each contact once with its latest state. A contact delivered again with a
  changed state is a new row (its key differs); staging keeps its newest state.
* ``SURVEYS`` -> ``raw_surveys`` (uniqueid): post-call survey offers and scores.
* ``AGENT_DIRECTORY`` -> ``raw_agent_directory`` (snapshot_date, agent_id): the ACD's
  user administration export, one snapshot per file.
* ``CALL_TRUTH`` -> ``raw_call_truth`` (call_id, queue, enter_time),
  ``SURVEY_TRUTH`` -> ``raw_survey_truth`` (uniqueid),
  ``DEFERRED_BACKLOG`` -> ``raw_deferred_backlog`` (hour_start, channel, queue) and
  ``AGENT_QUALITY`` -> ``raw_agent_quality`` (agent_id): the engine's ground truth, not
  platform formats, so not in ``READERS`` but in ``TRUTH_READERS``.

``READERS`` lists the eight platform exports. Each object has ``table``, ``schema``,
``natural_key``, ``columns``, ``sniff(head, name)`` and ``read(data, *, start_offset,
first_line, options, header=None)`` as the contract in ``ingest/contract.py`` describes.

The files are RFC 4180 (header row, ``\\r\\n``, quotes only where needed; a quoted field
may span lines). Columns are matched by header name (case-insensitive), so a business
system may order them differently or add columns (ignored, noted). A missing required
column rejects every line with a reason naming it; a missing optional column is filled
with nulls (noted). Instants are ISO 8601: with an offset they are exact; without one
they are local to ``options.timezone``. Money is ``decimal128(12, 2)``.

Resuming mid-file (``start_offset > 0``) the header is not in ``data``: pass the file's
first line as ``header=`` to map columns by name, otherwise the standard column order
is assumed (right for every file the engine writes). A header line met in the
middle of the data (files concatenated) is skipped and its column order adopted.

The CSV machinery (``split_records``, ``parse_instant``, ``CsvReader``) is shared with
``ingest.readers.tariffs``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa

from ingest.contract import ReadOptions, ReadResult, Reject

# A quoted field may hold line breaks, so one record can span physical lines. A record
# whose quotes are still open after this many lines (or bytes) is treated as a broken
# line rather than waited for: one stray quote must not stall a growing file forever.
MAX_RECORD_LINES = 64
MAX_RECORD_BYTES = 64 * 1024

TIMESTAMP = pa.timestamp("us", tz="UTC")
MONEY = pa.decimal128(12, 2)
LINEAGE = (pa.field("source_line", pa.int64()), pa.field("byte_offset", pa.int64()))

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_MONEY_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


class BadValue(ValueError):
    """A field that cannot be converted; the message says why, in a few words."""


# -- value parsing ------------------------------------------------------------------------


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def micros(dt: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact integer arithmetic)."""
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def local_micros(naive: datetime, tz: str) -> tuple[int, str | None]:
    """A local wall time in zone ``tz`` as epoch microseconds, plus a note if it was
    ambiguous (DST fall-back: the first occurrence is taken) or did not exist
    (spring-forward gap: read with the offset before the gap)."""
    z = zone(tz)
    if z is None:
        raise BadValue(f"options.timezone {tz!r} is not an IANA time zone")
    first = naive.replace(tzinfo=z, fold=0)
    second = naive.replace(tzinfo=z, fold=1)
    note = None
    if first.utcoffset() != second.utcoffset():
        # Either a repeated hour (both valid) or a gap (neither round-trips).
        back = first.astimezone(UTC).astimezone(z).replace(tzinfo=None)
        note = "ambiguous local time (DST)" if back == naive else "nonexistent local time (DST)"
    return micros(first), note


def parse_instant(text: str, tz: str) -> tuple[int, str | None]:
    """ISO 8601 instant -> (epoch microseconds, note or None). Raises BadValue."""
    if len(text) < 16 or text[4:5] != "-" or text[10:11] not in ("T", " ", "t"):
        raise BadValue(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-09-01T08:00:00.000+08:00)"
        )
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-09-01T08:00:00.000+08:00)"
        ) from None
    if dt.tzinfo is None:
        return local_micros(dt, tz)
    try:
        return micros(dt), None
    except OverflowError:
        raise BadValue(f"{text!r} is out of range") from None


def parse_date(text: str) -> date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise BadValue(f"{text!r} is not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{text!r} is not a valid date YYYY-MM-DD") from None


def parse_int(text: str, minimum: int | None = None) -> int:
    if not _INT_RE.fullmatch(text):
        raise BadValue(f"{text!r} is not an integer")
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise BadValue(f"{text!r} is out of range")
    if minimum is not None and value < minimum:
        raise BadValue(f"{value} is below the minimum {minimum}")
    return value


def parse_float(text: str, minimum: float | None = None, maximum: float | None = None) -> float:
    if not _FLOAT_RE.fullmatch(text):
        raise BadValue(f"{text!r} is not a number")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise BadValue(f"{text!r} is not a finite number")
    if minimum is not None and value < minimum:
        raise BadValue(f"{text} is below the minimum {minimum:g}")
    if maximum is not None and value > maximum:
        raise BadValue(f"{text} is above the maximum {maximum:g}")
    return value


def parse_decimal(text: str, scale: int = 2, digits: int = 12, negative: bool = False) -> Decimal:
    """A decimal with at most ``scale`` decimals fitting ``decimal128(digits, scale)``."""
    if not _MONEY_RE.fullmatch(text):
        raise BadValue(f"{text!r} is not a decimal amount")
    try:
        value = Decimal(text)
        if value and value.adjusted() >= digits - scale:
            raise BadValue(
                f"{text} is too large (at most {digits - scale} digits before the point)"
            )
        step = Decimal(1).scaleb(-scale)
        exact = value.quantize(step)
    except InvalidOperation:
        raise BadValue(f"{text!r} is not a decimal amount that fits") from None
    if exact != value:
        raise BadValue(f"{text} has more than {scale} decimal places")
    if not negative and exact < 0:
        raise BadValue(f"{text} is negative")
    return exact


# -- columns -------------------------------------------------------------------------------

Converter = Callable[[str, "_Ctx"], Any]


@dataclass
class _Ctx:
    """Per-read state a converter may use: the zone, and notes to report."""

    tz: str
    notes: dict[str, int] = field(default_factory=dict)

    def note(self, text: str, n: int = 1) -> None:
        self.notes[text] = self.notes.get(text, 0) + n


@dataclass(frozen=True)
class Column:
    """One export column: name, Arrow type, how to convert a field, whether it may be empty
    (``optional``) and whether the header must have it (``required``)."""

    name: str
    type: pa.DataType
    convert: Converter
    optional: bool = False
    required: bool = True

    @property
    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.optional)


def text(name: str, *, optional: bool = False, required: bool | None = None) -> Column:
    return Column(name, pa.string(), lambda s, ctx: s, optional, _req(required, optional))


def instant(name: str, *, optional: bool = False, required: bool | None = None) -> Column:
    def convert(s: str, ctx: _Ctx) -> int:
        us, note = parse_instant(s, ctx.tz)
        if note:
            ctx.note(f"{name}: {note}")
        return us

    return Column(name, TIMESTAMP, convert, optional, _req(required, optional))


def day(name: str, *, optional: bool = False, required: bool | None = None) -> Column:
    return Column(
        name, pa.date32(), lambda s, ctx: parse_date(s), optional, _req(required, optional)
    )


def integer(
    name: str, *, minimum: int | None = 0, optional: bool = False, required: bool | None = None
) -> Column:
    return Column(
        name, pa.int64(), lambda s, ctx: parse_int(s, minimum), optional, _req(required, optional)
    )


def number(
    name: str,
    *,
    minimum: float | None = 0.0,
    maximum: float | None = None,
    optional: bool = False,
    required: bool | None = None,
) -> Column:
    return Column(
        name,
        pa.float64(),
        lambda s, ctx: parse_float(s, minimum, maximum),
        optional,
        _req(required, optional),
    )


def money(
    name: str,
    *,
    scale: int = 2,
    negative: bool = False,
    optional: bool = False,
    required: bool | None = None,
) -> Column:
    return Column(
        name,
        pa.decimal128(12, scale),
        lambda s, ctx: parse_decimal(s, scale, 12, negative),
        optional,
        _req(required, optional),
    )


def choice(
    name: str,
    values: Iterable[str],
    *,
    optional: bool = False,
    required: bool | None = None,
    strict: bool = True,
) -> Column:
    """An enumerated text column, lower-cased. ``strict``: an unknown value rejects the
    line; otherwise it is kept and counted in the notes."""
    allowed = tuple(values)
    known = frozenset(allowed)

    def convert(s: str, ctx: _Ctx) -> str:
        v = s.lower()
        if v not in known:
            if strict:
                raise BadValue(f"unknown {name} {s!r} (expected one of {', '.join(allowed)})")
            ctx.note(f"{name}: unlisted value {v!r}")
        return v

    return Column(name, pa.string(), convert, optional, _req(required, optional))


def _req(required: bool | None, optional: bool) -> bool:
    return (not optional) if required is None else required


# -- record splitting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One CSV record: first physical line (0-based within ``data``), how many physical
    lines it spans, its byte position in ``data`` and its bytes without the line end.
    ``broken``: its quotes never closed (the record is just its first line)."""

    line: int
    lines: int
    pos: int
    raw: bytes
    broken: bool = False


def split_records(data: bytes, final: bool) -> tuple[list[Record], int, int]:
    """Split ``data`` into CSV records, respecting quoted line breaks.

    Returns (records, consumed_bytes, physical lines consumed). Without ``final`` a last
    record that has no line end yet, or whose quoted field is still open at the end of
    ``data`` (within MAX_RECORD_LINES/BYTES), is left unconsumed.
    """
    records: list[Record] = []
    n = len(data)
    if b'"' not in data:
        # Fast path: no quotes, so every physical line is a record.
        if final:
            chunks = data.split(b"\n")
            if chunks and chunks[-1] == b"":
                chunks.pop()
            consumed = n
        else:
            cut = data.rfind(b"\n") + 1
            chunks = data[:cut].split(b"\n")[:-1] if cut else []
            consumed = cut
        pos = 0
        for i, chunk in enumerate(chunks):
            records.append(Record(i, 1, pos, chunk[:-1] if chunk.endswith(b"\r") else chunk))
            pos += len(chunk) + 1
        return records, consumed, len(chunks)

    pos = 0
    line = 0
    while pos < n:
        nl = data.find(b"\n", pos)
        if nl == -1 and not final:
            break
        end, nxt = (n, n) if nl == -1 else (nl, nl + 1)
        lines = 1
        broken = False
        quotes = data.count(b'"', pos, end)
        if quotes % 2:
            # An open quote: the record continues on the next lines until it closes.
            rec_end, rec_next = end, nxt
            while quotes % 2:
                if rec_next >= n or lines >= MAX_RECORD_LINES or rec_next - pos > MAX_RECORD_BYTES:
                    giving_up = lines >= MAX_RECORD_LINES or rec_next - pos > MAX_RECORD_BYTES
                    if not final and not giving_up:
                        return records, pos, line  # wait for the rest of the record
                    broken = True
                    break
                nl2 = data.find(b"\n", rec_next)
                if nl2 == -1:
                    if not final:
                        return records, pos, line
                    seg_end, seg_next = n, n
                else:
                    seg_end, seg_next = nl2, nl2 + 1
                quotes += data.count(b'"', rec_next, seg_end)
                lines += 1
                rec_end, rec_next = seg_end, seg_next
            if not broken:
                end, nxt = rec_end, rec_next
            else:
                lines = 1
        raw = data[pos:end]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        records.append(Record(line, lines, pos, raw, broken))
        line += lines
        pos = nxt
    return records, pos, line


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def parse_fields(text_: str) -> list[str]:
    """Fields of one RFC 4180 record. Text after a closing quote (``"x"y``) raises
    csv.Error; a quote inside an unquoted field (``A"1``) is kept literally."""
    if '"' not in text_:
        return text_.split(",")
    rows = list(csv.reader(io.StringIO(text_, newline=""), strict=True))
    if len(rows) != 1:
        raise csv.Error("record splits into several rows")
    return rows[0]


def header_line(head: bytes) -> list[str] | None:
    """Normalised column names of the first line of ``head`` (BOM stripped), or None."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    nl = head.find(b"\n")
    line = head if nl == -1 else head[:nl]
    try:
        fields = parse_fields(line.rstrip(b"\r").decode("utf-8"))
    except (UnicodeDecodeError, csv.Error):
        return None
    return [f.strip().lower() for f in fields]


# -- the reader ----------------------------------------------------------------------------

RowCheck = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class CsvReader:
    """A header-row CSV export mapped onto one raw table (see the module docstring)."""

    table: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    name_hint: str = ""  # substring of typical file names, e.g. "agent_states"
    check: RowCheck | None = None  # cross-field checks: a list of problems (empty if fine)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([c.field for c in self.columns] + list(LINEAGE))

    # -- sniffing --------------------------------------------------------------------------

    def sniff(self, head: bytes, name: str) -> bool:
        """True if the first line of ``head`` is this export's header: exactly its column
        set (any order), or, when ``name`` carries the export's name, at least its
        required columns."""
        cols = header_line(head)
        if cols is None:
            return False
        got = set(cols)
        if got == set(self.names):
            return True
        required = {c.name for c in self.columns if c.required}
        return bool(self.name_hint) and self.name_hint in name.lower() and required <= got

    # -- reading ---------------------------------------------------------------------------

    def read(
        self,
        data: bytes,
        *,
        start_offset: int = 0,
        first_line: int = 1,
        options: ReadOptions = ReadOptions(),  # noqa: B008 - frozen, never mutated
        header: bytes | None = None,
    ) -> ReadResult:
        ctx = _Ctx(options.timezone)
        records, consumed, lines = split_records(data, options.final)
        rejects: list[Reject] = []
        skipped = 0
        columns: list[list[Any]] = [[] for _ in self.columns]
        src_lines: list[int] = []
        offsets: list[int] = []

        mapping: dict[str, int] | None = None  # column name -> field index
        n_fields = len(self.columns)
        problem: str | None = None  # header problem: every data line is rejected with it
        expect_header = start_offset == 0
        current: list[str] | None = None  # the header line in force, normalised
        if not expect_header:
            if header is not None:
                current = header_line(header) or []
                mapping, n_fields, problem = self._map(current, ctx)
            else:
                current = list(self.names)
                mapping = {c.name: i for i, c in enumerate(self.columns)}
                ctx.note("no header in this chunk: assumed the standard column order")

        names = self.names
        name_set = set(names)
        width = len(names)
        plan = self._plan(mapping)
        for rec in records:
            line_no = first_line + rec.line
            offset = start_offset + rec.pos
            raw = rec.raw
            if rec.line == 0 and start_offset == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            skipped += rec.lines - 1  # continuation lines of a multi-line record
            if not raw.strip():
                skipped += 1
                continue
            try:
                txt = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = f"not valid UTF-8 (byte {exc.start}); re-export the file as UTF-8"
                rejects.append(Reject(line_no, offset, decode(raw), reason))
                continue
            if rec.broken:
                reason = "unbalanced double quote: a quoted field is never closed"
                rejects.append(Reject(line_no, offset, txt, reason))
                continue
            try:
                fields = parse_fields(txt)
            except csv.Error as exc:
                reason = f"malformed CSV quoting ({exc}); quote fields containing '\"' or ','"
                rejects.append(Reject(line_no, offset, txt, reason))
                continue

            if expect_header or len(fields) != n_fields or fields[0].strip().lower() in name_set:
                norm = [f.strip().lower() for f in fields]
                if sum(1 for f in norm if f in name_set) >= max(2, (width + 1) // 2):
                    # A header line: the first one, or a repeated one (files concatenated).
                    if expect_header or norm != current:
                        current = norm
                        mapping, n_fields, problem = self._map(norm, ctx)
                        plan = self._plan(mapping)
                    else:
                        ctx.note("repeated header line skipped")
                    expect_header = False
                    skipped += 1
                    continue
            if expect_header:
                expect_header = False
                problem = (
                    "the file has no header row; the first line must name the columns: "
                    + ",".join(names)
                )
            if problem is not None:
                rejects.append(Reject(line_no, offset, txt, problem))
                continue
            if len(fields) != n_fields:
                reason = (
                    f"expected {n_fields} fields, found {len(fields)} "
                    "(an unquoted comma inside a value?)"
                )
                rejects.append(Reject(line_no, offset, txt, reason))
                continue
            row: list[Any] = []
            errors: list[str] = []
            for name, idx, convert, optional in plan:
                s = fields[idx].strip() if idx >= 0 else ""
                if not s:
                    if not optional:
                        errors.append(f"{name} is empty but required")
                    row.append(None)
                    continue
                try:
                    row.append(convert(s, ctx))
                except BadValue as exc:
                    errors.append(f"{name}: {exc}")
                    row.append(None)
            if not errors and self.check is not None:
                errors = self.check(dict(zip(names, row, strict=True)))
            if errors:
                rejects.append(Reject(line_no, offset, txt, "; ".join(errors)))
                continue
            for column, v in zip(columns, row, strict=True):
                column.append(v)
            src_lines.append(line_no)
            offsets.append(offset)

        arrays = [pa.array(v, type=c.type) for v, c in zip(columns, self.columns, strict=True)]
        arrays += [pa.array(src_lines, pa.int64()), pa.array(offsets, pa.int64())]
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        return ReadResult(
            table=self.table,
            rows=table,
            rejects=rejects,
            consumed_bytes=consumed,
            lines_read=lines,
            skipped_lines=skipped,
            notes=ctx.notes,
        )

    # -- header helpers --------------------------------------------------------------------

    def _plan(self, mapping: dict[str, int] | None) -> list[tuple[str, int, Converter, bool]]:
        """Per column: (name, field index or -1 if absent, converter, may be empty)."""
        mapping = mapping or {}
        return [(c.name, mapping.get(c.name, -1), c.convert, c.optional) for c in self.columns]

    def _map(self, cols: list[str], ctx: _Ctx) -> tuple[dict[str, int], int, str | None]:
        """Column name -> index from a header; the header's width; a problem or None."""
        mapping: dict[str, int] = {}
        dupes = []
        for i, name in enumerate(cols):
            if name in mapping:
                dupes.append(name)
            else:
                mapping[name] = i
        known = set(self.names)
        for name in cols:
            if name not in known:
                ctx.note(f"extra column {name!r} ignored")
        missing = [c.name for c in self.columns if c.required and c.name not in mapping]
        for c in self.columns:
            if not c.required and c.name not in mapping:
                ctx.note(f"optional column {c.name!r} absent: filled with nulls")
        mapping = {k: v for k, v in mapping.items() if k in known}
        if dupes:
            return mapping, len(cols), f"the header names column {dupes[0]!r} twice"
        if missing:
            which = ", ".join(repr(m) for m in missing)
            return (
                mapping,
                len(cols),
                f"missing column {which}: the header must name it (header: {','.join(cols)})",
            )
        return mapping, len(cols), None


# -- the exports ---------------------------------------------------------------------------

# ``dialing``: placing a callback or campaign call; ``deferred``: working a deferred contact
# (e-mail, SMS, voicemail, web callback; reason = the channel, call_id = the contact id).
AGENT_STATES_LIST = (
    "logged_out",
    "available",
    "ringing",
    "talking",
    "hold",
    "acw",
    "aux",
    "dialing",
    "deferred",
)
DIRECTIONS = ("inbound", "outbound")
DIAL_MODES = ("preview", "progressive", "predictive")
OUTCOMES = ("answered", "no_answer", "busy", "abandoned")
CHANNELS = ("call_center", "web", "distributor")
PAYMENT_METHODS = ("card", "alipay", "wechat", "bank_transfer", "cash_on_delivery", "credit")
ORDER_EVENTS_LIST = ("booked", "ticketed", "delivered", "paid", "refunded", "cancelled")
TRUTH_OUTCOMES = ("answered", "abandoned", "timeout", "exitwithkey", "exitempty")
# The engine's deferred channels; a help desk may have others (kept, noted).
CONTACT_CHANNELS = ("email", "sms", "web_callback", "voicemail")
CONTACT_OUTCOMES = ("resolved", "failed", "abandoned", "open")
SURVEY_LABELS = (
    "very_unsatisfied",
    "unsatisfied",
    "average",
    "satisfied",
    "very_satisfied",
)
_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"n", "no", "false", "0"})

_CURRENCY_RE = re.compile(r"[A-Z]{3}")


def _currency(s: str, ctx: _Ctx) -> str:
    v = s.upper()
    if not _CURRENCY_RE.fullmatch(v):
        raise BadValue(f"{s!r} is not an ISO 4217 currency code (three letters, e.g. CNY)")
    return v


def _not_before(row: dict[str, Any], later: str, earlier: str) -> list[str]:
    a, b = row.get(later), row.get(earlier)
    if a is not None and b is not None and a < b:
        return [f"{later} is before {earlier}"]
    return []


def _check_outbound(row: dict[str, Any]) -> list[str]:
    problems = _not_before(row, "end_time", "dial_time")
    if row.get("answer_time") is not None:
        problems += _not_before(row, "answer_time", "dial_time")
        problems += _not_before(row, "end_time", "answer_time")
    return problems


def _check_truth(row: dict[str, Any]) -> list[str]:
    return _not_before(row, "end_wait_time", "enter_time")


def flag(name: str, *, optional: bool = False, required: bool | None = None) -> Column:
    """A yes/no column: y/yes/true/1 or n/no/false/0 (any case) as a boolean."""

    def convert(s: str, ctx: _Ctx) -> bool:
        v = s.lower()
        if v in _YES:
            return True
        if v in _NO:
            return False
        raise BadValue(f"{s!r} is not a yes/no value (y or n)")

    return Column(name, pa.bool_(), convert, optional, _req(required, optional))


def _check_contact(row: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for later in ("response_due_time", "first_assigned_time", "first_response_time"):
        problems += _not_before(row, later, "created_time")
    problems += _not_before(row, "resolved_time", "created_time")
    open_ = row.get("outcome") == "open"
    if open_ and row.get("resolved_time") is not None:
        problems.append("outcome is open but resolved_time is set")
    if not open_ and row.get("resolved_time") is None:
        problems.append(f"outcome is {row.get('outcome')} but resolved_time is empty")
    return problems


def _check_survey(row: dict[str, Any]) -> list[str]:
    score, scale = row.get("score"), row.get("scale")
    if row.get("answered"):
        if score is None:
            return ["answered is y but score is empty"]
        if scale is not None and score > scale:
            return [f"score {score} is above the scale {scale}"]
    elif score is not None:
        return ["answered is n but a score is given"]
    return []


_SKILLS_RE = re.compile(r"[^:;]+:\d+(;[^:;]+:\d+)*")


def _check_directory(row: dict[str, Any]) -> list[str]:
    skills = row.get("skills")
    if skills is not None and not _SKILLS_RE.fullmatch(skills):
        return [f"skills {skills!r} is not skill:level pairs separated by ';'"]
    return []


def _check_backlog(row: dict[str, Any]) -> list[str]:
    if row["open_start"] + row["arrived"] != row["closed"] + row["open_end"]:
        return ["open_start + arrived differs from closed + open_end"]
    return []


AGENT_STATES = CsvReader(
    table="raw_agent_states",
    columns=(
        instant("time"),
        text("agent_id"),
        choice("state", AGENT_STATES_LIST),
        text("reason", optional=True),
        text("call_id", optional=True),
        text("queue", optional=True),
    ),
    natural_key=("time", "agent_id", "state", "call_id"),
    name_hint="agent_states",
)

RECORDINGS = CsvReader(
    table="raw_recordings",
    columns=(
        text("recording_id"),
        text("call_id", optional=True, required=True),
        text("agent_id", optional=True, required=True),
        text("queue", optional=True, required=True),
        choice("direction", DIRECTIONS, optional=True, required=True),
        instant("start_time"),
        number("duration_s"),
        text("file_name", optional=True, required=True),
        number("talk_ratio", maximum=1.0, optional=True, required=False),
        number("silence_s", optional=True, required=False),
        integer("hold_count", optional=True, required=False),
        number("hold_s", optional=True, required=False),
        number("overtalk_s", optional=True, required=False),
    ),
    natural_key=("recording_id",),
    name_hint="recordings",
)

OUTBOUND = CsvReader(
    table="raw_outbound_attempts",
    columns=(
        text("attempt_id"),
        text("campaign", optional=True, required=True),
        choice("mode", DIAL_MODES, optional=True, required=True),
        text("call_id", optional=True, required=True),
        text("customer_id", optional=True, required=True),
        text("number", optional=True, required=True),
        text("agent_id", optional=True, required=True),
        instant("dial_time"),
        choice("outcome", OUTCOMES),
        instant("answer_time", optional=True, required=True),
        instant("end_time", optional=True, required=True),
    ),
    natural_key=("attempt_id",),
    name_hint="outbound",
    check=_check_outbound,
)

ORDERS = CsvReader(
    table="raw_orders",
    columns=(
        text("order_id"),
        instant("created_time"),
        text("customer_id", optional=True, required=True),
        choice("channel", CHANNELS),
        text("distributor", optional=True),
        text("call_id", optional=True),
        text("agent_id", optional=True),
        text("origin", optional=True, required=True),
        text("destination", optional=True, required=True),
        day("flight_date", optional=True, required=True),
        integer("passengers", minimum=1, optional=True, required=True),
        money("fare"),
        money("taxes"),
        choice("payment_method", PAYMENT_METHODS, optional=True, required=True, strict=False),
        Column("currency", pa.string(), _currency),
    ),
    natural_key=("order_id",),
    name_hint="orders",
)

ORDER_EVENTS = CsvReader(
    table="raw_order_events",
    columns=(
        text("order_id"),
        instant("event_time"),
        choice("event", ORDER_EVENTS_LIST),
        money("amount", optional=True, required=True),
        text("reference", optional=True),
    ),
    natural_key=("order_id", "event", "event_time"),
    name_hint="order_events",
)

CALL_TRUTH = CsvReader(
    table="raw_call_truth",
    columns=(
        text("call_id"),
        text("queue"),
        text("call_type", optional=True),
        integer("priority", minimum=None, optional=True),
        instant("enter_time"),
        choice("outcome", TRUTH_OUTCOMES),
        instant("end_wait_time", optional=True),
        number("wait_s", optional=True),
        integer("holdtime_s", optional=True),
        text("agent_id", optional=True),
        number("talk_s", optional=True),
        number("hold_s", optional=True),
        number("acw_s", optional=True),
        text("transferred_to", optional=True),
    ),
    natural_key=("call_id", "queue", "enter_time"),
    name_hint="call_truth",
    check=_check_truth,
)

_CONTACT_COLUMNS = (
    text("contact_id"),
    choice("channel", CONTACT_CHANNELS, strict=False),
    text("queue", optional=True, required=True),
    text("customer_id", optional=True, required=False),
    instant("created_time"),
    instant("response_due_time", optional=True, required=True),
    instant("first_assigned_time", optional=True, required=True),
    instant("first_response_time", optional=True, required=True),
    instant("resolved_time", optional=True, required=True),
    text("agent_id", optional=True, required=True),
    choice("outcome", CONTACT_OUTCOMES),
    integer("attempts", optional=True, required=False),
    number("handle_s", optional=True, required=False),
    text("call_id", optional=True, required=False),
)

CONTACTS = CsvReader(
    table="raw_contacts",
    columns=_CONTACT_COLUMNS,
    # An export lists a contact with its latest state: a later delivery of the same contact
    # with another state is a new row, an identical one a duplicate. stg_contacts keeps the
    # newest state per contact_id.
    natural_key=tuple(column.name for column in _CONTACT_COLUMNS),
    name_hint="contacts",
    check=_check_contact,
)

SURVEYS = CsvReader(
    table="raw_surveys",
    columns=(
        text("uniqueid"),
        instant("offered_time"),
        flag("answered"),
        integer("score", minimum=1, optional=True, required=True),
        choice("label", SURVEY_LABELS, optional=True, required=False, strict=False),
        integer("scale", minimum=2),
        text("agent_id", optional=True, required=True),
        text("queue", optional=True, required=True),
    ),
    natural_key=("uniqueid",),
    name_hint="surveys",
    check=_check_survey,
)

AGENT_DIRECTORY = CsvReader(
    table="raw_agent_directory",
    columns=(
        day("snapshot_date"),
        text("agent_id"),
        text("team", optional=True, required=True),
        text("skills", optional=True, required=True),
        text("deferred_channels", optional=True, required=False),
    ),
    natural_key=("snapshot_date", "agent_id"),
    name_hint="agent_directory",
    check=_check_directory,
)

SURVEY_TRUTH = CsvReader(
    table="raw_survey_truth",
    columns=(
        text("uniqueid"),
        instant("offered_time"),
        text("agent_id", optional=True),
        text("queue", optional=True),
        number("wait_s"),
        integer("transfers"),
        flag("repeat_call"),
        number("agent_quality", minimum=None),
        number("eta", minimum=None),
        flag("answered"),
        integer("score", minimum=1, optional=True),
    ),
    natural_key=("uniqueid",),
    name_hint="survey_truth",
)

DEFERRED_BACKLOG = CsvReader(
    table="raw_deferred_backlog",
    columns=(
        instant("hour_start"),
        text("channel"),
        text("queue"),
        integer("open_start"),
        integer("arrived"),
        integer("closed"),
        integer("open_end"),
    ),
    natural_key=("hour_start", "channel", "queue"),
    name_hint="deferred_backlog",
    check=_check_backlog,
)

AGENT_QUALITY = CsvReader(
    table="raw_agent_quality",
    columns=(
        text("agent_id"),
        text("group", optional=True),
        number("quality", minimum=None),
        number("handle_factor", optional=True),
    ),
    natural_key=("agent_id",),
    name_hint="agent_quality",
)

#: The platform exports, in the order a loader should try them.
READERS: tuple[CsvReader, ...] = (
    AGENT_STATES,
    RECORDINGS,
    OUTBOUND,
    ORDERS,
    ORDER_EVENTS,
    CONTACTS,
    SURVEYS,
    AGENT_DIRECTORY,
)
#: The engine's ground-truth files (never from a real site).
TRUTH_READERS: tuple[CsvReader, ...] = (CALL_TRUTH, SURVEY_TRUTH, DEFERRED_BACKLOG, AGENT_QUALITY)

__all__ = [
    "AGENT_DIRECTORY",
    "AGENT_QUALITY",
    "AGENT_STATES",
    "CALL_TRUTH",
    "CONTACTS",
    "DEFERRED_BACKLOG",
    "ORDERS",
    "ORDER_EVENTS",
    "OUTBOUND",
    "READERS",
    "RECORDINGS",
    "SURVEYS",
    "SURVEY_TRUTH",
    "TRUTH_READERS",
    "BadValue",
    "Column",
    "CsvReader",
    "parse_instant",
    "split_records",
]
