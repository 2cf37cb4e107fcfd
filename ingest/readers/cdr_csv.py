"""Reader for Asterisk cdr_csv's ``Master.csv`` (and CSV exports with the same column names).

Columns are positional, in cdr_csv's order (``docs/formats.md``); the count depends on
``cdr.conf`` and is decided once per chunk from the first data row:

====  ==================================================================================
16    minimal: accountcode .. amaflags (``loguniqueid=no``, ``loguserfield=no``)
17    + uniqueid
18    + uniqueid, userfield (the usual one)
19    minimal + peeraccount, linkedid, sequence (``newcdrcolumns=yes`` only)
20    + uniqueid + peeraccount, linkedid, sequence
21    + uniqueid, userfield, peeraccount, linkedid, sequence
====  ==================================================================================

A row with another field count is rejected (the layout comes from the first line with one
of these counts). A header row (``accountcode,src,dst,...`` as Asterisk's realtime and
cdr_adaptive tables name the columns, or any header of those names holding at least start,
end and disposition; ``calldate`` is read as ``start``) gives the columns by name instead,
in any order; header rows are skipped wherever they appear. A chunk read from the middle
of a file (``start_offset > 0``) has no header, so it is read positionally.

Parsing is vectorised: pyarrow's CSV parser reads all single-line rows (a row with the
wrong field count is set aside by its invalid-row handler, not fatal), and only rare lines
go through Python's ``csv`` module: a record whose quoted field holds a newline (odd number
of ``"`` on its first line) is joined with the lines that close it, and a line holding a
lone CR is parsed on its own. A joined record's extra physical lines count as skipped
lines, so ``lines_read`` stays the physical line count. A line whose quotes do not balance
within cdr_csv's 1024-byte record limit is rejected; while the file may still grow
(``options.final`` false) such a record near the end waits for more data instead. Leading
NUL bytes (crash padding) and a byte order mark are stripped as in the queue_log reader.

Times are wall-clock ``YYYY-MM-DD HH:MM:SS`` in ``options.timezone`` and become UTC (see
``_text.local_to_utc`` for DST fall-back and gaps). An empty ``answer`` (never answered)
is null. Rejected: unparsable times, end before start, negative or non-integer
duration/billsec, a non-integer sequence, a disposition other than ``ANSWERED``,
``NO ANSWER``, ``BUSY``, ``FAILED``, ``CONGESTION``, ``CANCEL``, a wrong field count.
Kept but counted in ``notes``: billed seconds on a leg whose disposition is not ANSWERED.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingest.contract import ReadOptions, ReadResult, Reject
from ingest.readers._text import (
    NOTE_REPLACED,
    Lines,
    add_notes,
    check_timezone,
    first_content_line,
    fraction_retry,
    leading_bytes,
    line_flags,
    local_to_utc,
    split_lines,
    strip_padding,
    whole_second_time,
)

TABLE = "raw_cdr"

_TEXT_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
)

SCHEMA = pa.schema(
    [
        *(pa.field(name, pa.string()) for name in _TEXT_COLUMNS),
        pa.field("start_time", pa.timestamp("us", tz="UTC")),
        pa.field("answer_time", pa.timestamp("us", tz="UTC")),
        pa.field("end_time", pa.timestamp("us", tz="UTC")),
        pa.field("duration_s", pa.int32()),
        pa.field("billsec_s", pa.int32()),
        pa.field("disposition", pa.string()),
        pa.field("amaflags", pa.string()),
        pa.field("uniqueid", pa.string()),
        pa.field("userfield", pa.string()),
        pa.field("peeraccount", pa.string()),
        pa.field("linkedid", pa.string()),
        pa.field("sequence", pa.int32()),
        pa.field("source_line", pa.int64()),
        pa.field("byte_offset", pa.int64()),
    ]
)

NATURAL_KEY: tuple[str, ...] = (
    "uniqueid",
    "channel",
    "dstchannel",
    "start_time",
    "end_time",
    "disposition",
    "lastapp",
    "src",
    "dst",
)

DISPOSITIONS: frozenset[str] = frozenset(
    {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "CANCEL"}
)

_MINIMAL = (
    *_TEXT_COLUMNS,
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
_NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
#: Column names by field count (cdr_csv order; see the module docstring).
LAYOUTS: dict[int, tuple[str, ...]] = {
    16: _MINIMAL,
    17: (*_MINIMAL, "uniqueid"),
    18: (*_MINIMAL, "uniqueid", "userfield"),
    19: (*_MINIMAL, *_NEW_COLUMNS),
    20: (*_MINIMAL, "uniqueid", *_NEW_COLUMNS),
    21: (*_MINIMAL, "uniqueid", "userfield", *_NEW_COLUMNS),
}
_KNOWN_NAMES = frozenset(LAYOUTS[21])
_ALIASES = {"calldate": "start"}
_REQUIRED = ("start", "end", "duration", "billsec", "disposition")

#: cdr_csv builds a row in a 1024-byte buffer; a record spanning lines cannot be longer.
MAX_RECORD_BYTES = 1024

NOTE_HEADER = "header rows (skipped)"
NOTE_CONTINUATION = "lines continuing a quoted field of the record above (skipped)"
NOTE_BILLSEC_UNANSWERED = "legs not ANSWERED with billsec > 0 (kept)"

_TIME_TEXT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$")
_HEADER_START = r"^\"?(?:accountcode|calldate)[\",]"
_HEADER_FIRST = (ord("a"), ord("c"))
_INT32_MAX = 2**31 - 1
_NAME_HINT = re.compile(r"(master|cdr).*\.csv", re.IGNORECASE)


_UNBALANCED = (
    "unbalanced double quotes: a quoted field opened on this line is not closed within "
    f"{MAX_RECORD_BYTES} bytes (cdr_csv's record limit)"
)


def sniff(head: bytes, name: str) -> bool:
    """True when ``head`` looks like Master.csv: the first line has 16-21 CSV fields and the
    10th is a ``YYYY-MM-DD HH:MM:SS`` time, or it is a header starting accountcode,src,dst.
    Only a head without any content line falls back to the file name."""
    first = first_content_line(head)
    if first is None:
        return bool(_NAME_HINT.search(name))
    cells = _cells(first[0])
    if cells is None:
        return False
    if _is_header(cells):
        return True
    return len(cells) in LAYOUTS and bool(_TIME_TEXT.match(cells[9]))


def read(
    data: bytes,
    *,
    start_offset: int = 0,
    first_line: int = 1,
    options: ReadOptions = ReadOptions(),  # noqa: B008  (frozen dataclass: safe default)
) -> ReadResult:
    """Parse the complete records of ``data`` (see ``ingest.contract``)."""
    check_timezone(options.timezone)
    lines = split_lines(data, final=options.final)
    notes: dict[str, int] = {}
    if len(lines) == 0:
        return ReadResult(TABLE, SCHEMA.empty_table(), [], lines.consumed, 0, 0, notes)

    raw_lines = lines  # before padding is stripped: where each line begins
    lines, padding = strip_padding(raw_lines, file_start=start_offset == 0)
    doc = _Doc(lines)
    layout = _layout(doc)
    groups, unbalanced, stop = _multiline(doc, layout.width, options.final)
    n = stop
    consumed = lines.consumed if n == len(lines) else int(raw_lines.starts[n])
    if n < len(lines):
        doc = _Doc(lines, n)
        if padding:  # count only the lines this read consumed
            head = replace(raw_lines, text=raw_lines.text.slice(0, n), starts=raw_lines.starts[:n])
            _, padding = strip_padding(head, file_start=start_offset == 0)
    add_notes(notes, padding)
    replaced = int(doc.replaced[:n].sum()) if lines.replaced else 0
    if replaced:
        notes[NOTE_REPLACED] = replaced

    continuation = np.zeros(n, dtype=bool)
    for first, last, _record in groups:
        continuation[first + 1 : last + 1] = True
    skipped = doc.blank | doc.header | continuation
    simple = ~skipped & ~doc.odd

    reasons: dict[int, str] = dict.fromkeys(unbalanced, _UNBALANCED)
    # lines with a lone CR go to Python's csv (pyarrow would take the CR for a line end)
    plain = simple & ~doc.has_cr
    cells, row_idx, wrong = _parse_simple(doc, np.flatnonzero(plain), layout.width, data)
    extra = [(first, record) for first, _last, record in groups]
    for i in np.flatnonzero(simple & doc.has_cr).tolist():
        record = _cells(doc.line(i))
        if record is not None and len(record) == layout.width:
            extra.append((i, record))
        else:
            wrong[i] = -1 if record is None else len(record)
    for i, count in wrong.items():
        reasons[i] = layout.count_reason(count)
    if extra and layout.width:
        more = pa.table(
            {f"c{k}": pa.array([r[k] for _, r in extra], pa.string()) for k in range(layout.width)}
        )
        cells = pa.concat_tables([cells, more])
        row_idx = np.concatenate([row_idx, np.array([i for i, _ in extra], dtype=np.int64)])
        order = np.argsort(row_idx, kind="stable")
        cells, row_idx = cells.take(pa.array(order)), row_idx[order]

    rows, bad_rows, row_notes = _convert(cells, layout, options)
    for j, why in bad_rows.items():
        reasons[int(row_idx[j])] = why
    add_notes(notes, row_notes)
    skips = {NOTE_HEADER: int(doc.header.sum()), NOTE_CONTINUATION: int(continuation.sum())}
    add_notes(notes, skips)

    rows = rows.append_column("source_line", pa.array(row_idx + first_line, pa.int64()))
    rows = rows.append_column(
        "byte_offset", pa.array(lines.starts[row_idx] + start_offset, pa.int64())
    )
    if bad_rows:
        keep = np.ones(len(row_idx), dtype=bool)
        keep[list(bad_rows)] = False
        rows = rows.filter(pa.array(keep))

    ends = {first: last for first, last, _ in groups}
    rejects = [
        Reject(
            first_line + i,
            start_offset + int(lines.starts[i]),
            doc.record(i, ends.get(i, i)),
            reasons[i],
        )
        for i in sorted(reasons)
    ]
    return ReadResult(
        table=TABLE,
        rows=rows.select(SCHEMA.names).cast(SCHEMA),
        rejects=rejects,
        consumed_bytes=consumed,
        lines_read=n,
        skipped_lines=int(skipped.sum()),
        notes=notes,
    )


# --- lines and layout -------------------------------------------------------------------


class _Doc:
    """Per-line facts of a chunk (first ``n`` lines), computed vectorised."""

    def __init__(self, lines: Lines, n: int | None = None) -> None:
        n = len(lines) if n is None else n
        self.lines = lines
        self.text = lines.text if n == len(lines) else lines.text.slice(0, n)
        # Per-line facts from the bytes of the lines' Arrow buffer (see ``line_flags``).
        self.odd = line_flags(self.text, ord('"'), "odd")
        self.has_cr = line_flags(self.text, ord("\r"), "any")
        # only a chunk with undecodable bytes can hold replacement characters
        if lines.replaced:
            replaced = pl.Series(self.text).str.contains("\ufffd", literal=True)
            self.replaced = replaced.fill_null(False).to_numpy()
        else:
            self.replaced = np.zeros(n, dtype=bool)
        self.blank = _blank(self.text)
        self.sizes = pc.binary_length(self.text).to_numpy().astype(np.int64) + 1
        self.header = np.zeros(n, dtype=bool)
        # A header starts with accountcode or calldate, perhaps quoted: only lines whose
        # first bytes allow that are matched against the pattern.
        head = leading_bytes(self.text, 2)
        starts_ac = np.isin(head[:, 0], _HEADER_FIRST)
        quoted_ac = (head[:, 0] == ord('"')) & np.isin(head[:, 1], _HEADER_FIRST)
        candidates = np.flatnonzero(starts_ac | quoted_ac)
        maybe: list[int] = []
        if len(candidates):
            texts = pl.Series(self.text.take(pa.array(candidates)))
            maybe = candidates[texts.str.contains(_HEADER_START).to_numpy()].tolist()
        content = np.flatnonzero(~self.blank)
        for i in sorted({*maybe, *content[:1].tolist()}):
            cells = _cells(self.line(i))
            self.header[i] = cells is not None and _is_header(cells)

    def __len__(self) -> int:
        return len(self.text)

    def line(self, i: int) -> str:
        return self.text[i].as_py()

    def record(self, first: int, last: int) -> str:
        return "\n".join(self.line(k) for k in range(first, last + 1))


class _Layout:
    """Which column each CSV field is, decided by a header or the first data row."""

    def __init__(self, columns: tuple[str | None, ...] | None, from_header: bool) -> None:
        self.columns = columns
        self.width = len(columns) if columns is not None else None
        self.from_header = from_header
        present = set(columns or ())
        self.missing = [c for c in _REQUIRED if c not in present] if from_header else []

    def count_reason(self, count: int) -> str:
        if count < 0:
            return "is not a valid CSV record (Python's csv module refuses it)"
        if self.width is None:
            return (
                f"has {count} field(s); Master.csv rows have 16, 17, 18, 19, 20 or 21 "
                "(cdr.conf [csv] layouts)"
            )
        source = "the header" if self.from_header else "the first data row"
        return (
            f"has {count} field(s) but this file's rows have {self.width} "
            f"(layout taken from {source}); one layout per file"
        )


def _blank(text: pa.Array) -> np.ndarray:
    """Lines that are empty or only whitespace."""
    empty = pc.equal(pc.binary_length(text), 0)
    return pc.or_(empty, pc.utf8_is_space(text)).to_numpy(zero_copy_only=False)


def _cells(text: str) -> list[str] | None:
    """One line as CSV fields (None when Python's csv refuses it)."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return None


def _is_header(cells: list[str]) -> bool:
    """cdr_csv's column names starting ``accountcode,src,dst``, or a header of known names
    (any order, ``calldate`` for ``start``) holding at least start, end and disposition."""
    names = [c.strip().lower() for c in cells]
    if names[:3] == ["accountcode", "src", "dst"]:
        return True
    canon = {_ALIASES.get(name, name) for name in names}
    return len(names) >= 5 and canon <= _KNOWN_NAMES and set(_REQUIRED) <= canon


def _layout(doc: _Doc) -> _Layout:
    content = np.flatnonzero(~doc.blank)
    if len(content) and doc.header[content[0]]:
        names = _cells(doc.line(int(content[0]))) or []
        canon = []
        for name in names:
            key = name.strip().lower()
            key = _ALIASES.get(key, key)
            canon.append(key if key in _KNOWN_NAMES and key not in canon else None)
        return _Layout(tuple(canon), True)
    for i in content[~doc.header[content] & ~doc.odd[content]].tolist():
        cells = _cells(doc.line(i))
        if cells is not None and len(cells) in LAYOUTS:
            return _Layout(LAYOUTS[len(cells)], False)
    return _Layout(None, False)


def _multiline(
    doc: _Doc, width: int | None, final: bool
) -> tuple[list[tuple[int, int, list[str]]], list[int], int]:
    """Records whose quoted field holds newlines: ``(first, last, cells)`` per record, the
    lines with unbalanced quotes, and the line to stop before (an unfinished record at the
    end of a growing file)."""
    n = len(doc)
    groups: list[tuple[int, int, list[str]]] = []
    unbalanced: list[int] = []
    candidates = np.flatnonzero(doc.odd & ~doc.blank & ~doc.header).tolist()
    resume = 0
    for i in candidates:
        if i < resume:
            continue
        odd, size, k = bool(doc.odd[i]), int(doc.sizes[i]), i
        while odd and k + 1 < n and size + int(doc.sizes[k + 1]) <= MAX_RECORD_BYTES:
            k += 1
            odd ^= bool(doc.odd[k])
            size += int(doc.sizes[k])
        if odd:
            if k + 1 == n and not final and size <= MAX_RECORD_BYTES:
                return groups, unbalanced, i  # may close in data not written yet
            unbalanced.append(i)
            continue
        cells = _cells(doc.record(i, k))
        if cells is not None and len(cells) == width and k > i:
            groups.append((i, k, cells))
            resume = k + 1
        else:
            unbalanced.append(i)
    return groups, unbalanced, n


# --- parsing ----------------------------------------------------------------------------


def _empty_cells(width: int) -> pa.Table:
    return pa.table({f"c{k}": pa.array([], pa.string()) for k in range(width)})


def _parse_simple(
    doc: _Doc, idx: np.ndarray, width: int | None, data: bytes
) -> tuple[pa.Table, np.ndarray, dict[int, int]]:
    """CSV fields of the single-line records ``idx``: a table of ``width`` string columns,
    the line of each of its rows, and the field count of each line that had another count."""
    if width is None:
        wrong = {}
        for i in idx.tolist():
            cells = _cells(doc.line(i))
            wrong[i] = -1 if cells is None else len(cells)
        return _empty_cells(1), np.zeros(0, dtype=np.int64), wrong
    if len(idx) == 0:
        return _empty_cells(width), np.zeros(0, dtype=np.int64), {}
    try:
        return _parse_arrow(doc, idx, width, data)
    except (pa.ArrowException, ValueError):
        return _parse_python(doc, idx, width)


def _parse_arrow(
    doc: _Doc, idx: np.ndarray, width: int, data: bytes
) -> tuple[pa.Table, np.ndarray, dict[int, int]]:
    whole = len(idx) == len(doc.lines) and doc.lines.clean
    if whole:
        buffer = pa.py_buffer(data).slice(0, doc.lines.consumed)
        selected = doc.text
    else:
        selected = doc.text.take(pa.array(idx))
        offsets = np.frombuffer(selected.buffers()[1], np.int64)[: len(selected) + 1]
        values = np.frombuffer(selected.buffers()[2], np.uint8)[: offsets[-1]]
        buffer = pa.py_buffer(np.insert(values, offsets[1:], 10))
    invalid: dict[str, int] = {}

    def handler(row: pacsv.InvalidRow) -> str:
        invalid[row.text] = row.actual_columns
        return "skip"

    names = [f"c{k}" for k in range(width)]
    longest = int(doc.sizes.max()) if len(doc.sizes) else 1
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=max(1 << 22, 4 * longest), use_threads=True
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=",",
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=True,
            invalid_row_handler=handler,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),
    )
    wrong: dict[int, int] = {}
    row_idx = idx
    if invalid:
        bad = pc.is_in(selected, value_set=pa.array(list(invalid), pa.large_string()))
        bad_np = bad.to_numpy(zero_copy_only=False)
        texts = selected.filter(bad).to_pylist()
        for line, text in zip(idx[bad_np].tolist(), texts, strict=True):
            wrong[line] = invalid[text]
        row_idx = idx[~bad_np]
        if len(set(invalid) - set(texts)):
            return _parse_python(doc, idx, width)  # pyarrow split a line we did not
    if len(row_idx) != table.num_rows:  # pyarrow saw the lines differently: be exact instead
        return _parse_python(doc, idx, width)
    return table, row_idx.astype(np.int64), wrong


def _parse_python(
    doc: _Doc, idx: np.ndarray, width: int
) -> tuple[pa.Table, np.ndarray, dict[int, int]]:
    columns: list[list[str]] = [[] for _ in range(width)]
    rows: list[int] = []
    wrong: dict[int, int] = {}
    for i in idx.tolist():
        cells = _cells(doc.line(i))
        if cells is None or len(cells) != width:
            wrong[i] = -1 if cells is None else len(cells)
            continue
        rows.append(i)
        for k, value in enumerate(cells):
            columns[k].append(value)
    table = pa.table({f"c{k}": pa.array(col, pa.string()) for k, col in enumerate(columns)})
    return table, np.array(rows, dtype=np.int64), wrong


# --- values -----------------------------------------------------------------------------


def _convert(
    cells: pa.Table, layout: _Layout, options: ReadOptions
) -> tuple[pa.Table, dict[int, str], dict[str, int]]:
    """Typed columns for every parsed row, the rows to reject (by position) and notes.

    Text columns stay the Arrow arrays the parser made; only the columns that need
    checking or typing go through polars, in one query that parses and checks them (the
    order of start and end is checked once they are UTC)."""
    m = cells.num_rows
    arrays = {
        name: cells.column(k) for k, name in enumerate(layout.columns or ()) if name is not None
    }
    null_text = pa.nulls(m, pa.string())

    def text(name: str) -> pa.ChunkedArray | pa.Array:
        return arrays.get(name, null_text)

    frame = pl.DataFrame([pl.Series(name, text(name)) for name in _CHECKED]).cast(pl.String)

    def given(name: str) -> pl.Expr:
        return pl.col(name).fill_null("") != ""

    times = ("start", "answer", "end")
    parsed = (
        frame.lazy()
        .with_columns(
            *(whole_second_time(pl.col(name)).alias(f"{name}_time") for name in times),
            *(
                expr.name.suffix("_value") if k == 0 else expr
                for name in ("duration", "billsec", "sequence")
                for k, expr in enumerate(_int32_expr(name))
            ),
        )
        .select(
            *(f"{name}_time" for name in times),
            duration="duration_value",
            billsec="billsec_value",
            sequence="sequence_value",
            # texts the whole-second format missed, for the fractional one (rare)
            retry=pl.any_horizontal(pl.col(f"{n}_time").is_null() & given(n) for n in times),
            # every check but the order of start and end, which needs UTC times
            start=pl.col("start_time").is_null(),
            end=pl.col("end_time").is_null(),
            answer=pl.col("answer_time").is_null() & given("answer"),
            duration_bad=~pl.col("duration_ok"),
            billsec_bad=~pl.col("billsec_ok"),
            neg_duration=(pl.col("duration_value") < 0).fill_null(False),
            neg_billsec=(pl.col("billsec_value") < 0).fill_null(False),
            sequence_bad=~pl.col("sequence_ok") & given("sequence"),
            disposition_bad=~pl.col("disposition").is_in(list(DISPOSITIONS)).fill_null(False),
        )
        .collect()
    )
    naive = {name: parsed.get_column(f"{name}_time") for name in times}
    if parsed.get_column("retry").any():
        for name in times:
            naive[name] = fraction_retry(naive[name], frame.get_column(name))
        parsed = parsed.with_columns(
            start=naive["start"].is_null(),
            end=naive["end"].is_null(),
            answer=naive["answer"].is_null() & (frame.get_column("answer").fill_null("") != ""),
        )
    notes: dict[str, int] = {}
    utc = {}
    for name in times:
        utc[name], more = local_to_utc(naive[name], options.timezone)
        add_notes(notes, more)
    checks = parsed.select(
        "start",
        "end",
        "answer",
        duration="duration_bad",
        billsec="billsec_bad",
        neg_duration="neg_duration",
        neg_billsec="neg_billsec",
        sequence="sequence_bad",
        disposition="disposition_bad",
    ).with_columns(order=(utc["end"] < utc["start"]).fill_null(False))
    checks = checks.with_columns(any_bad=pl.any_horizontal(pl.all()))
    any_bad = checks.get_column("any_bad")
    bad_rows: dict[int, str] = {}
    if layout.missing:
        why = f"the header has no {', '.join(layout.missing)} column"
        bad_rows = dict.fromkeys(range(m), why)
    else:
        for j in any_bad.arg_true().to_list():
            values = {name: arrays[name][j].as_py() for name in _CHECKED if name in arrays}
            bad_rows[j] = _row_reason(checks.row(j, named=True), values)

    billsec = parsed.get_column("billsec")
    unanswered_billed = (frame.get_column("disposition") != "ANSWERED") & (billsec > 0) & ~any_bad
    notes[NOTE_BILLSEC_UNANSWERED] = int(unanswered_billed.fill_null(False).sum())

    table = pa.table(
        {
            **{name: text(name) for name in _TEXT_COLUMNS},
            "start_time": utc["start"].to_arrow(),
            "answer_time": utc["answer"].to_arrow(),
            "end_time": utc["end"].to_arrow(),
            "duration_s": parsed.get_column("duration").to_arrow(),
            "billsec_s": billsec.to_arrow(),
            "disposition": text("disposition"),
            "amaflags": text("amaflags"),
            "uniqueid": text("uniqueid"),
            "userfield": text("userfield"),
            "peeraccount": text("peeraccount"),
            "linkedid": text("linkedid"),
            "sequence": parsed.get_column("sequence").to_arrow(),
        }
    )
    return table, bad_rows, {k: v for k, v in notes.items() if v}


_CHECKED = ("start", "answer", "end", "duration", "billsec", "sequence", "disposition")


def _int32_expr(name: str) -> tuple[pl.Expr, pl.Expr]:
    """Column ``name`` as int32 (null when not a valid whole number), and ``<name>_ok``:
    whether its text was one, ``-?[0-9]+`` within int32 (without the lowest value, as
    cdr_csv never writes it).

    Polars' integer parse takes exactly ``[+-]?[0-9]+`` within int64, so only a leading
    ``+`` needs refusing after it (a test holds this against the pattern)."""
    text = pl.col(name)
    value = text.str.to_integer(strict=False)
    ok = (value.is_between(-_INT32_MAX, _INT32_MAX) & ~text.str.starts_with("+")).fill_null(False)
    return pl.when(ok).then(value).cast(pl.Int32).alias(name), ok.alias(f"{name}_ok")


def _int32(text: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Whole numbers as int32 (null when not one) and whether each text was a valid one
    (see ``_int32_expr``)."""
    out = text.to_frame("n").select(*_int32_expr("n"))
    return out.get_column("n"), out.get_column("n_ok")


def _short(value: str | None, limit: int = 40) -> str:
    value = value or ""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _row_reason(flags: dict[str, bool], values: dict[str, str | None]) -> str:
    def val(name: str) -> str:
        return _short(values.get(name))

    why = []
    for column in ("start", "answer", "end"):
        if flags[column]:
            why.append(f"{column} time '{val(column)}' is not YYYY-MM-DD HH:MM:SS")
    for column in ("duration", "billsec", "sequence"):
        if flags[column]:
            why.append(f"{column} '{val(column)}' is not a whole number")
    if flags["neg_duration"]:
        why.append(f"duration {val('duration')} is negative")
    if flags["neg_billsec"]:
        why.append(f"billsec {val('billsec')} is negative")
    if flags["order"]:
        why.append(f"end {val('end')} is before start {val('start')}")
    if flags["disposition"]:
        why.append(
            f"disposition '{val('disposition')}' is not one of ANSWERED, NO ANSWER, BUSY, "
            "FAILED, CONGESTION, CANCEL"
        )
    return "; ".join(why)
