"""Helpers the line-based readers share: vectorised line splitting and local-time conversion.

``split_lines`` turns the bytes a reader got into one Arrow string per physical line plus
each line's byte offset, without a Python loop over lines: numpy finds the newlines,
``bytes.replace`` drops them (one copy) and Arrow wraps that buffer as the lines' values.
Undecodable bytes are replaced by U+FFFD; ``\\r\\n`` line ends lose their ``\\r``.
``strip_padding`` removes crash padding (leading NULs) and a byte order mark.

``local_to_utc`` converts naive wall-clock times of a site's zone to UTC, vectorised with
polars, and resolves DST edge cases the way a person would expect (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

_REPLACEMENT_UTF8 = "\ufffd".encode()

_WHOLE_SECONDS = "%Y-%m-%d %H:%M:%S"
_FRACTION = "%Y-%m-%d %H:%M:%S%.f"

NOTE_REPLACED = "lines with undecodable bytes (replaced by U+FFFD)"
NOTE_NUL_PREFIX = "lines with leading NUL bytes (stripped, line parsed)"
NOTE_NUL_ONLY = "lines of only NUL bytes (skipped)"
NOTE_BOM = "byte order mark at the start of the file (stripped)"
NOTE_AMBIGUOUS = "ambiguous local times (DST fall-back): earlier instant used"
NOTE_NONEXISTENT = "non-existent local times (DST spring-forward gap): shifted forward by the gap"


@dataclass(frozen=True)
class Lines:
    """The complete lines of a chunk of a file."""

    text: pa.LargeStringArray  # one string per line, without its line end
    starts: np.ndarray  # int64: offset of each line's first byte, relative to the chunk
    consumed: int  # bytes of the chunk the lines cover (line ends included)
    replaced: int  # lines that held undecodable bytes
    clean: bool  # chunk[:consumed] == "\n".join(text) + "\n" (no CR, valid UTF-8, ends in \n)

    def __len__(self) -> int:
        return len(self.text)


def _newlines(buf: np.ndarray) -> np.ndarray:
    """Positions of the newline bytes, found block by block (stays in cache)."""
    step = 1 << 22
    if len(buf) <= step:
        return np.flatnonzero(buf == 10)
    parts = [np.flatnonzero(buf[i : i + step] == 10) + i for i in range(0, len(buf), step)]
    return np.concatenate(parts)


def _layout(buf: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts, content lengths and CR flags of the lines in ``buf[:end]`` (end > 0)."""
    nl = _newlines(buf)
    terminated = len(nl)
    n = terminated + (0 if buf[end - 1] == 10 else 1)
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = nl[: n - 1] + 1
    ends = np.empty(n, dtype=np.int64)
    ends[:terminated] = nl
    if n > terminated:
        ends[-1] = end
    # a "\r" right before a "\n" belongs to the line end
    cr = np.zeros(n, dtype=bool)
    if terminated:
        has_byte = ends[:terminated] > starts[:terminated]
        before = np.where(has_byte, ends[:terminated] - 1, 0)
        cr[:terminated] = has_byte & (buf[before] == 13)
    lengths = ends - starts - cr
    return starts, lengths, cr


def _string_array(body: bytes, lengths: np.ndarray, has_cr: bool) -> pa.LargeBinaryArray:
    """The lines of ``body`` (whose line lengths are ``lengths``) as one binary array."""
    if has_cr:
        body = body.replace(b"\r\n", b"\n")
    values = body.replace(b"\n", b"")
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if int(offsets[-1]) != len(values):  # cannot happen; keeps a logic slip from going unseen
        raise AssertionError("line split lost bytes")
    return pa.Array.from_buffers(
        pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(values)]
    )


def split_lines(data: bytes, *, final: bool) -> Lines:
    """Split ``data`` into complete lines (and the trailing partial line when ``final``).

    A line ends with ``\\n``; a ``\\r`` just before it is dropped too. The text is UTF-8 with
    undecodable bytes replaced by U+FFFD; offsets always refer to the original bytes.
    """
    end = len(data) if final else data.rfind(b"\n") + 1
    if end == 0:
        empty = pa.array([], type=pa.large_string())
        return Lines(empty, np.zeros(0, dtype=np.int64), 0, 0, True)
    body = data if end == len(data) else data[:end]
    buf = np.frombuffer(body, dtype=np.uint8)
    starts, lengths, cr = _layout(buf, end)
    has_cr = bool(cr.any())
    binary = _string_array(body, lengths, has_cr)
    replaced = 0
    if body.isascii():
        text = binary.view(pa.large_string())
    else:
        try:
            text = binary.cast(pa.large_string())
        except pa.ArrowInvalid:
            # "\n" and "\r" survive replacement, so the fixed text has the same lines
            fixed = body.decode("utf-8", "replace").encode("utf-8")
            fbuf = np.frombuffer(fixed, dtype=np.uint8)
            _, flengths, fcr = _layout(fbuf, len(fixed))
            text = _string_array(fixed, flengths, bool(fcr.any())).view(pa.large_string())
            before = pc.count_substring(binary, _REPLACEMENT_UTF8)
            after = pc.count_substring(text, "\ufffd")
            replaced = int(pc.sum(pc.not_equal(before, after)).as_py() or 0)
    clean = not has_cr and replaced == 0 and body[-1:] == b"\n"
    return Lines(text, starts, end, replaced, clean)


def leading_bytes(text: pa.LargeStringArray, count: int = 1) -> np.ndarray:
    """The first ``count`` bytes of every line as an ``(n, count)`` int16 array; 256 where a
    line is shorter. Read from the Arrow buffers, without a pass over the lines' text."""
    n = len(text)
    out = np.full((n, count), 256, dtype=np.int16)
    if n == 0:
        return out
    _, offsets_buffer, values_buffer = text.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int64)[text.offset : text.offset + n + 1]
    if values_buffer is None:
        return out
    values = np.frombuffer(values_buffer, np.uint8)
    lengths = np.diff(offsets)
    for k in range(count):
        has = lengths > k
        out[has, k] = values[offsets[:-1][has] + k]
    return out


def line_flags(text: pa.LargeStringArray, byte: int, how: str) -> np.ndarray:
    """Per line, whether ``byte`` occurs in it (``how="any"``) or occurs an odd number of
    times (``how="odd"``: a line whose double quotes do not pair up). One pass of numpy over
    the lines' Arrow buffer: a segmented OR or XOR of the byte's matches."""
    n = len(text)
    _, offsets_buffer, values_buffer = text.buffers()
    if n == 0 or values_buffer is None:
        return np.zeros(n, dtype=bool)
    offsets = np.frombuffer(offsets_buffer, np.int64)[text.offset : text.offset + n + 1]
    values = np.frombuffer(values_buffer, np.uint8)[offsets[0] : offsets[-1]]
    matches = np.zeros(len(values) + 1, dtype=np.uint8)  # + a zero: every start is valid
    np.equal(values, byte, out=matches[:-1].view(bool))
    if how == "any" and not matches.any():
        return np.zeros(n, dtype=bool)
    reduce = np.bitwise_xor if how == "odd" else np.bitwise_or
    # reduceat gives a segment's first element where the segment is empty: those lines
    # (empty ones) have no byte at all
    flags = reduce.reduceat(matches, offsets[:-1] - offsets[0]).astype(bool)
    flags[np.diff(offsets) == 0] = False
    return flags


def strip_padding(lines: Lines, *, file_start: bool) -> tuple[Lines, dict[str, int]]:
    """``lines`` without the padding real files carry, and notes counting what was removed.

    Leading NUL bytes are what a crash leaves when the file system extended the file but the
    data never reached the disk; the next record written after the restart follows them.
    They are stripped and the line's start moves past them, so ``starts`` (and every
    ``byte_offset`` derived from it) points at the record itself; a line of only NULs
    becomes empty. A UTF-8 byte order mark at the very start of a file is removed the same
    way. ``consumed`` is unchanged.
    """
    notes: dict[str, int] = {}
    if len(lines) == 0:
        return lines, notes
    first = leading_bytes(lines.text)[:, 0]
    bom = file_start and lines.text[0].as_py().startswith("\ufeff")
    if not bom and not (first == 0).any():
        return lines, notes
    text = pl.Series("line", lines.text)
    lead = text.str.starts_with("\x00")
    starts = lines.starts.copy()
    if bom:
        text[0] = text[0][1:]
        starts[0] += 3
    if lead.any():
        stripped = text.str.strip_chars_start("\x00")
        removed = (text.str.len_bytes() - stripped.str.len_bytes()).to_numpy()
        starts += removed
        only = lead & (stripped.str.len_bytes() == 0)
        notes[NOTE_NUL_ONLY] = int(only.sum())
        notes[NOTE_NUL_PREFIX] = int((lead & ~only).sum())
        text = stripped
    if bom:
        notes[NOTE_BOM] = 1
    arrow = text.to_arrow().cast(pa.large_string())
    fixed = replace(lines, text=arrow, starts=starts, clean=False)
    return fixed, {k: v for k, v in notes.items() if v}


def first_content_line(head: bytes) -> tuple[str, bool] | None:
    """The first non-blank line of ``head`` (leading NULs and a BOM removed) and whether it
    is complete (followed by a newline); None when ``head`` has no such line."""
    pos = 0
    while pos < len(head):
        nl = head.find(b"\n", pos)
        complete = nl >= 0
        raw = head[pos:] if not complete else head[pos:nl]
        line = raw.lstrip(b"\x00").removeprefix(b"\xef\xbb\xbf").rstrip(b"\r")
        if line.strip():
            return line.decode("utf-8", "replace"), complete
        if not complete:
            return None
        pos = nl + 1
    return None


def whole_second_time(text: pl.Expr) -> pl.Expr:
    """``YYYY-MM-DD HH:MM:SS`` texts as naive Datetime(us), null otherwise: the fast first
    step of ``parse_wall_time``, for use inside a larger query (``fraction_retry`` then
    completes it)."""
    return text.str.to_datetime(_WHOLE_SECONDS, strict=False, time_unit="us", cache=False)


def fraction_retry(out: pl.Series, text: pl.Series) -> pl.Series:
    """``out`` (from ``whole_second_time``) with the texts it left null re-read with a
    fraction of a second (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    retry = out.is_null() & (text.fill_null("") != "")
    if retry.any():
        idx = retry.arg_true()
        fraction = text.gather(idx).str.to_datetime(
            _FRACTION, strict=False, time_unit="us", cache=False
        )
        out = out.scatter(idx, fraction)
    return out


def parse_wall_time(text: pl.Series) -> pl.Series:
    """``YYYY-MM-DD HH:MM:SS[.ffffff]`` texts as naive Datetime(us); null when not one.

    The exact whole-second format is tried first (several times faster), the fractional one
    only for what it left."""
    out = text.to_frame("t").select(whole_second_time(pl.col("t"))).to_series()
    return fraction_retry(out, text)


def check_timezone(name: str) -> ZoneInfo:
    """The zone ``name``; a ValueError naming the setting when it is not a known IANA zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"ReadOptions.timezone {name!r} is not an IANA time zone") from exc


def local_to_utc(naive: pl.Series, tz: str) -> tuple[pl.Series, dict[str, int]]:
    """Naive local wall times of zone ``tz`` as UTC instants (Datetime us, UTC).

    Nulls stay null. DST edge cases follow ``datetime`` with ``fold=0``: a time that occurs
    twice (fall-back) is the *earlier* instant; a time that does not exist (spring-forward
    gap) is read with the offset in force before the gap, i.e. shifted forward by the gap's
    length (02:30 in a one-hour gap is 03:30 summer time). Both are counted in the returned
    notes.
    """
    zone = check_timezone(tz)
    notes: dict[str, int] = {}
    naive = naive.cast(pl.Datetime("us"))
    if tz in ("UTC", "Etc/UTC"):
        return naive.dt.replace_time_zone("UTC"), notes
    aware, exact = _utc_by_hour(naive, tz)
    if exact:  # one offset for the whole span: every time is done
        return aware, notes
    if aware is None:
        aware = _utc_exact(naive, tz)
    else:
        rest = aware.is_null() & naive.is_not_null()
        if rest.any():
            idx = rest.arg_true()
            aware = aware.scatter(idx, _utc_exact(naive.gather(idx), tz))
    odd = aware.is_null() & naive.is_not_null()
    if odd.any():
        idx = odd.arg_true()
        values = []
        ambiguous = gap = 0
        for wall in naive.gather(idx).to_list():
            instant = wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
            if instant.astimezone(zone).replace(tzinfo=None) == wall:
                ambiguous += 1
            else:
                gap += 1
            values.append(instant)
        fixed = pl.Series(values, dtype=pl.Datetime("us", "UTC"))
        aware = aware.scatter(idx, fixed)
        if ambiguous:
            notes[NOTE_AMBIGUOUS] = ambiguous
        if gap:
            notes[NOTE_NONEXISTENT] = gap
    return aware, notes


_HOUR_US = 3_600_000_000


def _utc_exact(naive: pl.Series, tz: str) -> pl.Series:
    """UTC instants of naive wall times of ``tz``; null where ambiguous or non-existent."""
    aware = naive.dt.replace_time_zone(tz, ambiguous="null", non_existent="null")
    return aware.dt.convert_time_zone("UTC")


@functools.lru_cache(maxsize=1 << 16)
def _clean_hour_offset(tz: str, hour: int) -> int | None:
    """Minus the UTC offset (microseconds; added to a wall time it gives UTC) of the
    wall-clock hour ``hour`` (hours since 1970) of zone ``tz``. None when the hour holds a
    change of offset: its first and last microsecond differ in offset, or either is
    ambiguous or non-existent (the two folds disagree). The zone database has no two
    changes within an hour, so an hour whose ends agree has one offset throughout.
    Cached: a run asks about the same hours again."""
    zone = ZoneInfo(tz)
    first = _EPOCH + dt.timedelta(hours=hour)
    last = first + dt.timedelta(hours=1) - dt.timedelta(microseconds=1)
    offsets = {
        wall.replace(tzinfo=zone, fold=fold).utcoffset()
        for wall in (first, last)
        for fold in (0, 1)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return -offset // dt.timedelta(microseconds=1)  # what takes a wall time to UTC


_EPOCH = dt.datetime(1970, 1, 1)


def _utc_by_hour(naive: pl.Series, tz: str) -> tuple[pl.Series | None, bool]:
    """``_utc_exact`` for many times at once, and whether every time is done.

    The zone is asked once per wall-clock hour the times span (``_clean_hour_offset``,
    cached). When all those hours share one offset (a zone without DST, or a day's file
    away from a change) it is added to every time; otherwise each time looks its hour's
    offset up by position, and times in an hour that holds a change of offset are left
    null for ``_utc_exact``. (None, False) when all are null or the span has more hours
    than a sixteenth of the times (too few times per hour to gain anything)."""
    micros = naive.cast(pl.Int64)
    low, high = micros.min(), micros.max()
    if low is None or (high // _HOUR_US - low // _HOUR_US + 1) * 16 > len(naive):
        return None, False
    first = low // _HOUR_US
    offsets = [_clean_hour_offset(tz, hour) for hour in range(first, high // _HOUR_US + 1)]
    if None not in offsets and len(set(offsets)) == 1:
        return (micros + offsets[0]).cast(pl.Datetime("us", "UTC")), True
    shift = pl.Series(offsets, dtype=pl.Int64).gather(micros // _HOUR_US - first)
    return (micros + shift).cast(pl.Datetime("us", "UTC")), False


def add_notes(notes: dict[str, int], more: dict[str, int]) -> None:
    """Add counts of ``more`` into ``notes``."""
    for key, count in more.items():
        if count:
            notes[key] = notes.get(key, 0) + count
