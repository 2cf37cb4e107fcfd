"""Master.csv reader: engine output read back exactly, layouts, quirks, rejects, chunking."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.simulate import simulate
from ingest.contract import ReadOptions, ReadResult
from ingest.readers import cdr_csv, queue_log
from ingest.readers._text import (
    NOTE_AMBIGUOUS,
    NOTE_BOM,
    NOTE_NONEXISTENT,
    NOTE_NUL_ONLY,
    NOTE_NUL_PREFIX,
    leading_bytes,
    line_flags,
    local_to_utc,
)
from ingest.readers.cdr_csv import _int32

FIXTURES = Path(__file__).parent / "fixtures" / "asterisk"
FINAL = ReadOptions(final=True)
UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rows(result: ReadResult) -> list[dict]:
    return result.rows.to_pylist()


def local(text: str, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).astimezone(UTC)


def check_invariants(result: ReadResult, data: bytes, start_offset: int = 0) -> None:
    """What every result must satisfy, whatever the input (``data`` read at ``start_offset``)."""
    assert result.rows.schema == cdr_csv.SCHEMA
    assert result.lines_read == result.rows.num_rows + len(result.rejects) + result.skipped_lines
    assert 0 <= result.consumed_bytes <= len(data)
    consumed = data[: result.consumed_bytes]
    assert result.lines_read == consumed.count(b"\n") + (
        1 if consumed and not consumed.endswith(b"\n") else 0
    )
    for reject in result.rejects:
        assert reject.reason
        if "\ufffd" not in reject.raw:
            assert data[reject.byte_offset - start_offset :].startswith(reject.raw.encode())


@pytest.fixture(scope="session")
def engine_cdr_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("engine_cdr")
    simulate("airline", date(2026, 9, 1), 1, 7, out)
    return out


# --- contract ---------------------------------------------------------------------------


def test_table_schema_and_natural_key() -> None:
    assert cdr_csv.TABLE.startswith("raw_")
    schema = cdr_csv.SCHEMA
    assert schema.names[:9] == list(cdr_csv._TEXT_COLUMNS)
    assert schema.field("start_time").type == pa.timestamp("us", tz="UTC")
    assert schema.field("duration_s").type == pa.int32()
    assert schema.field("sequence").type == pa.int32()
    assert schema.names[-2:] == ["source_line", "byte_offset"]
    assert cdr_csv.NATURAL_KEY == (
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
    assert set(cdr_csv.NATURAL_KEY) <= set(schema.names)


def test_empty_input() -> None:
    result = cdr_csv.read(b"", options=FINAL)
    assert result.rows.num_rows == 0 and result.lines_read == 0 and result.consumed_bytes == 0


# --- the engine's files ---------------------------------------------------------------------


def test_engine_master_csv_parses_without_rejects(engine_cdr_folder: Path) -> None:
    files = sorted((engine_cdr_folder / "asterisk" / "cdr-csv").glob("Master.csv*"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert cdr_csv.sniff(data[:4096], path.name)
        assert not queue_log.sniff(data[:4096], path.name)
        result = cdr_csv.read(data, options=ReadOptions(timezone="Asia/Shanghai"))
        check_invariants(result, data)
        assert result.rejects == []
        assert result.skipped_lines == 0
        expected = list(csv.reader(io.StringIO(data.decode())))
        assert result.rows.num_rows == len(expected) == data.count(b"\n") == result.lines_read
        assert result.consumed_bytes == len(data)
        names = cdr_csv.LAYOUTS[len(expected[0])]
        for cells, row in zip(expected, rows(result), strict=True):
            record = dict(zip(names, cells, strict=True))
            for name in (*cdr_csv._TEXT_COLUMNS, "disposition", "amaflags", "uniqueid"):
                assert row[name] == record[name]
            assert row["userfield"] == record.get("userfield")
            assert row["start_time"] == local(record["start"])
            assert row["end_time"] == local(record["end"])
            answer = record["answer"]
            assert row["answer_time"] == (local(answer) if answer else None)
            assert row["duration_s"] == int(record["duration"])
            assert row["billsec_s"] == int(record["billsec"])


def test_engine_rows_line_up_with_their_bytes(engine_cdr_folder: Path) -> None:
    data = (engine_cdr_folder / "asterisk" / "cdr-csv" / "Master.csv").read_bytes()
    lines = data.splitlines(keepends=True)
    k = 777
    offset = sum(len(line) for line in lines[:k])
    whole = cdr_csv.read(data).rows
    tail = cdr_csv.read(data[offset:], start_offset=offset, first_line=k + 1)
    assert tail.rows.equals(whole.slice(k))
    for row in rows(tail)[:50]:
        line = data[row["byte_offset"] :].split(b"\n", 1)[0]
        assert line == lines[row["source_line"] - 1].rstrip(b"\n")
        assert f'"{row["uniqueid"]}"'.encode() in line


# --- layouts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("Master_minimal.csv", (), ("uniqueid", "userfield", "peeraccount", "linkedid")),
        ("Master_uniqueid.csv", ("uniqueid",), ("userfield", "peeraccount", "linkedid")),
        ("Master_standard.csv", ("uniqueid", "userfield"), ("peeraccount", "linkedid")),
        ("Master_extended.csv", ("uniqueid", "userfield", "peeraccount", "linkedid"), ()),
        ("Master_header.csv", ("uniqueid", "userfield"), ("peeraccount", "linkedid")),
    ],
)
def test_layouts(name: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    data = fixture(name)
    assert cdr_csv.sniff(data[:200], "x")
    result = cdr_csv.read(data)
    check_invariants(result, data)
    assert result.rejects == []
    table = rows(result)
    assert len(table) >= 3
    first = table[0]
    assert first["src"] == "13800138000" and first["lastdata"] == "400,t,,,300"
    assert first["start_time"] == local("2026-09-01 08:00:05")
    for column in present:
        assert all(r[column] is not None for r in table)
    for column in absent:
        assert all(r[column] is None for r in table)
    if "uniqueid" in present:
        assert first["uniqueid"] == "1788220800.12"


def test_extended_layout_sequence() -> None:
    table = rows(cdr_csv.read(fixture("Master_extended.csv")))
    assert [r["sequence"] for r in table] == [7, 8, 9]
    assert [r["linkedid"] for r in table] == ["1788220800.12"] * 3
    assert [r["peeraccount"] for r in table] == [""] * 3


def test_header_row_is_skipped_and_names_the_columns() -> None:
    result = cdr_csv.read(fixture("Master_header.csv"))
    assert result.skipped_lines == 1 and result.notes[cdr_csv.NOTE_HEADER] == 1
    assert [r["source_line"] for r in rows(result)] == [2, 3, 4]


def test_header_in_another_order_with_calldate() -> None:
    data = fixture("Master_adaptive.csv")
    assert cdr_csv.sniff(data, "cdr.csv")
    result = cdr_csv.read(data)
    assert result.rejects == []
    (row,) = rows(result)
    assert row["start_time"] == local("2026-09-01 08:00:20")
    assert row["answer_time"] == local("2026-09-01 08:00:24")
    assert row["end_time"] == local("2026-09-01 08:02:30")
    assert (row["duration_s"], row["billsec_s"], row["sequence"]) == (130, 126, 4)
    assert row["clid"] == '"Zhang Wei" <13800138000>' and row["lastdata"] == "400,t,,,300"
    assert row["accountcode"] == "" and row["peeraccount"] is None


def test_header_lacking_a_required_column_rejects_rows() -> None:
    data = b"accountcode,src,dst,start,disposition\n,1,2,2026-09-01 08:00:00,ANSWERED\n"
    result = cdr_csv.read(data)
    (reject,) = result.rejects
    assert "header has no end, duration, billsec column" in reject.reason


# --- quirks of real files -------------------------------------------------------------------


def test_standard_file_quirks() -> None:
    data = fixture("Master_standard.csv")
    result = cdr_csv.read(data)
    check_invariants(result, data)
    assert result.rejects == [] and result.skipped_lines == 0
    table = rows(result)
    assert len(table) == 8
    # every disposition cdr_csv can write
    assert {r["disposition"] for r in table} == set(cdr_csv.DISPOSITIONS)
    # several rows per uniqueid, kept in file order (end order), not sorted by start
    assert [r["uniqueid"] for r in table[:3]] == ["1788220800.12"] * 3
    starts = [r["start_time"] for r in table]
    assert starts != sorted(starts)
    assert [r["source_line"] for r in table] == list(range(1, 9))
    # an unanswered leg: empty unquoted answer -> null, billsec 0
    assert table[0]["answer_time"] is None and table[0]["billsec_s"] == 0
    # doubled quotes inside clid, commas inside lastdata, lastdata cut mid-token
    assert table[0]["clid"] == '"Zhang Wei" <13800138000>'
    assert table[4]["lastdata"] == "PJSIP/1002,,trIb(func-apply-sipheaders^s^1)"
    assert table[5]["lastdata"] == "PJSIP/1003,,trIb(func-apply-sips"
    # empty src
    assert table[3]["src"] == "" and table[3]["clid"] == '"anonymous" <>'
    # a BUSY follow-me leg with an answer time and billed seconds: kept, counted
    busy = table[4]
    assert busy["disposition"] == "BUSY" and busy["billsec_s"] == 9
    assert busy["answer_time"] == local("2026-09-01 08:05:00")
    assert result.notes[cdr_csv.NOTE_BILLSEC_UNANSWERED] == 1
    assert table[2]["userfield"] == "ivr=1/2;end=queue"


def test_bad_rows_are_rejected_with_reasons() -> None:
    data = fixture("Master_bad.csv")
    result = cdr_csv.read(data, start_offset=500, first_line=20)
    check_invariants(result, data, start_offset=500)
    assert [r["source_line"] for r in rows(result)] == [20, 27]
    reasons = {r.line_number: r.reason for r in result.rejects}
    assert set(reasons) == {21, 22, 23, 24, 25, 26}
    assert reasons[21] == "start time '2026-09-01 8h' is not YYYY-MM-DD HH:MM:SS"
    assert reasons[22] == "end 2026-09-01 07:00:00 is before start 2026-09-01 08:00:20"
    assert reasons[23] == "duration -5 is negative"
    assert "disposition 'ANSWERD' is not one of ANSWERED, NO ANSWER" in reasons[24]
    assert "has 16 field(s) but this file's rows have 18" in reasons[25]
    assert reasons[26] == "duration '13x' is not a whole number"
    lines = data.split(b"\n")
    for reject in result.rejects:
        assert reject.raw.encode() == lines[reject.line_number - 20]


def test_layout_comes_from_the_first_data_row() -> None:
    standard = fixture("Master_standard.csv").splitlines(keepends=True)
    minimal = fixture("Master_minimal.csv").splitlines(keepends=True)
    data = b"garbage\n" + minimal[0] + standard[0] + minimal[1]
    result = cdr_csv.read(data)
    assert [r["source_line"] for r in rows(result)] == [2, 4]
    reasons = {r.line_number: r.reason for r in result.rejects}
    assert "has 1 field(s) but this file's rows have 16" in reasons[1]
    assert "has 18 field(s) but this file's rows have 16" in reasons[3]


def test_no_line_with_a_known_field_count() -> None:
    result = cdr_csv.read(b"a,b,c\n\nx\n")
    assert result.rows.num_rows == 0 and result.skipped_lines == 1
    assert all("16, 17, 18, 19, 20 or 21" in r.reason for r in result.rejects)


def test_newline_inside_a_quoted_field_and_an_unclosed_quote() -> None:
    data = fixture("Master_multiline.csv")
    result = cdr_csv.read(data, options=FINAL)
    check_invariants(result, data)
    table = rows(result)
    assert [r["source_line"] for r in table] == [1, 2, 5]
    assert table[1]["userfield"] == "note: called back\nsecond line"
    assert result.notes[cdr_csv.NOTE_CONTINUATION] == 1
    (reject,) = result.rejects
    assert reject.line_number == 4 and "unbalanced double quotes" in reject.reason
    # while the file may still grow, the unclosed record waits for more data
    growing = cdr_csv.read(data)
    check_invariants(growing, data)
    assert growing.lines_read == 3 and growing.rejects == []
    assert growing.consumed_bytes == data.index(
        b'"","13800138000","400","ext-queues","""Zhang Wei"" <13800138\n'
    )


def test_dst_edges_in_local_times() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    data = fixture("Master_dst.csv")
    result = cdr_csv.read(data, options=ReadOptions(timezone="Europe/Berlin"))
    assert result.rejects == []
    gap, repeated, summer = rows(result)
    # 02:30 on 29 March does not exist: read with the winter offset (= 03:30 CEST)
    assert gap["start_time"] == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert gap["end_time"] == local("2026-03-29 03:31:00", berlin)
    # 02:30 on 25 October happens twice: the earlier (summer time) instant
    assert repeated["start_time"] == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert summer["start_time"] == dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert result.notes[NOTE_NONEXISTENT] == 1
    assert result.notes[NOTE_AMBIGUOUS] == 2


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai"]
)
def test_many_local_times_convert_like_zoneinfo_around_offset_changes(zone: str) -> None:
    """Many times per hour take the per-hour offset paths of ``local_to_utc`` (one offset
    for a whole span, or each hour's own); the hours holding a change of offset must
    still come out as ``datetime`` with ``fold=0`` says. All windows at once span too
    many hours for those paths and take the exact one: the same answer."""
    tz = ZoneInfo(zone)
    # 2026's changes: New York 8 Mar and 1 Nov, Berlin 29 Mar and 25 Oct, Lord Howe
    # (half an hour, not on the hour) 5 Apr and 4 Oct; July holds none of them
    windows = []
    for start in ((3, 6), (3, 27), (4, 3), (7, 1), (10, 2), (10, 23), (10, 30)):
        day = dt.datetime(2026, *start)
        windows.append([day + dt.timedelta(seconds=53 * k) for k in range(3 * 86400 // 53)])

    def check(walls: list[dt.datetime]) -> None:
        got, notes = local_to_utc(pl.Series(walls, dtype=pl.Datetime("us")), zone)
        expected = [w.replace(tzinfo=tz, fold=0).astimezone(UTC) for w in walls]
        assert got.to_list() == expected
        odd = sum(
            w.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != w
            or w.replace(tzinfo=tz, fold=1).utcoffset() != w.replace(tzinfo=tz).utcoffset()
            for w in walls
        )
        assert sum(notes.values()) == odd

    for walls in windows:
        check(walls)
    check([w for walls in windows for w in walls])


def test_crlf_and_non_utf8() -> None:
    data = fixture("Master_standard.csv").replace(b"\n", b"\r\n").replace(b"Li Na", b"L\xef Na")
    result = cdr_csv.read(data)
    check_invariants(result, data)
    table = rows(result)
    assert len(table) == 8 and result.rejects == []
    assert table[2]["userfield"] == "ivr=1/2;end=queue"
    assert table[4]["clid"] == '"L\ufffd Na" <1001>'
    assert result.notes["lines with undecodable bytes (replaced by U+FFFD)"] == 4


def test_unknown_timezone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="not an IANA time zone"):
        cdr_csv.read(fixture("Master_standard.csv"), options=ReadOptions(timezone="Mars/Olympus"))


# --- chunks, offsets, partial lines ---------------------------------------------------------


def test_partial_trailing_line_is_left_for_the_next_read() -> None:
    data = fixture("Master_standard.csv")
    cut = len(data) - 40
    first = cdr_csv.read(data[:cut])
    check_invariants(first, data[:cut])
    assert first.consumed_bytes == data[:cut].rindex(b"\n") + 1
    assert first.lines_read == 7
    second = cdr_csv.read(
        data[first.consumed_bytes :], start_offset=first.consumed_bytes, first_line=8
    )
    assert second.lines_read == 1 and first.consumed_bytes + second.consumed_bytes == len(data)
    assert rows(first) + rows(second) == rows(cdr_csv.read(data))


def test_final_parses_the_last_line_without_newline() -> None:
    data = fixture("Master_standard.csv").rstrip(b"\n")
    assert cdr_csv.read(data).rows.num_rows == 7
    result = cdr_csv.read(data, options=FINAL)
    assert result.rows.num_rows == 8 and result.consumed_bytes == len(data)


# --- sniff ----------------------------------------------------------------------------------


def test_sniff() -> None:
    assert cdr_csv.sniff(fixture("Master_standard.csv")[:400], "whatever.txt")
    assert cdr_csv.sniff(b"accountcode,src,dst,dcontext\n", "x")
    assert cdr_csv.sniff(b'"accountcode","src","dst"\n', "x")
    assert not cdr_csv.sniff(b"time,agent_id,state,reason,call_id,queue\r\n", "Master.csv")
    assert not cdr_csv.sniff(fixture("queue_log_restarts")[:200], "Master.csv")
    assert cdr_csv.sniff(b"", "Master.csv-20260902")
    assert not cdr_csv.sniff(b"", "queue_log")


# --- properties -----------------------------------------------------------------------------

_ROWS = fixture("Master_standard.csv").splitlines()
_PIECES = st.sampled_from(
    [*_ROWS, b'"', b",", b"\n", b"\r\n", b"\x00", b"\xff", b"x", b'""', b"2026-09-01 08:00:00"]
)
_CSVISH = st.lists(_PIECES, max_size=30).map(b"".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), _CSVISH), final=st.booleans())
def test_garbage_never_raises(data: bytes, final: bool) -> None:
    result = cdr_csv.read(data, options=ReadOptions(final=final))
    check_invariants(result, data)
    if final:
        assert result.consumed_bytes == len(data)


_GOOD_OR_SIMPLE = st.lists(
    st.sampled_from([*(r + b"\n" for r in _ROWS), b"\n", b"junk\n", b"a,b\n"]), max_size=20
).map(b"".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_GOOD_OR_SIMPLE, cut=st.integers(min_value=0, max_value=5_000))
def test_reading_in_two_chunks_equals_one_read(data: bytes, cut: int) -> None:
    cut = min(cut, len(data))
    whole = cdr_csv.read(data, options=FINAL)
    first = cdr_csv.read(data[:cut])
    second = cdr_csv.read(
        data[first.consumed_bytes :],
        start_offset=first.consumed_bytes,
        first_line=1 + first.lines_read,
        options=FINAL,
    )
    assert pa.concat_tables([first.rows, second.rows]).equals(whole.rows)
    lines = [r.line_number for r in first.rejects + second.rejects]
    assert lines == [r.line_number for r in whole.rejects]
    assert first.lines_read + second.lines_read == whole.lines_read


def test_nul_padding_and_byte_order_mark() -> None:
    standard = fixture("Master_standard.csv").splitlines(keepends=True)
    data = b"\xef\xbb\xbf" + standard[0] + b"\x00" * 30 + b"\n" + b"\x00" * 10 + standard[1]
    result = cdr_csv.read(data)
    check_invariants(result, data)
    assert result.rejects == [] and result.skipped_lines == 1
    first, second = rows(result)
    assert first["byte_offset"] == 3 and first["accountcode"] == ""
    assert data[second["byte_offset"] :] == standard[1]
    assert second["source_line"] == 3
    assert result.notes[NOTE_NUL_ONLY] == 1 and result.notes[NOTE_NUL_PREFIX] == 1
    assert result.notes[NOTE_BOM] == 1
    # read from the middle of a file, a BOM-like start is not special
    assert cdr_csv.read(data[3:], start_offset=3).rows.num_rows == 2


_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


@given(st.lists(st.one_of(st.text(alphabet="+-0123456789 _.x\u0663", max_size=12), st.none())))
def test_whole_numbers_are_exactly_the_pattern_within_int32(texts: list[str | None]) -> None:
    """``_int32`` takes ``-?[0-9]+`` within int32 (lowest value excluded) and nothing else:
    held against the pattern and Python's own int, not against Polars."""
    values, ok = _int32(pl.Series(texts, dtype=pl.String))
    for text, value, good in zip(texts, values.to_list(), ok.to_list(), strict=True):
        expected = (
            text is not None
            and _WHOLE_NUMBER.fullmatch(text) is not None
            and abs(int(text)) <= 2**31 - 1
        )
        assert good == expected, text
        assert value == (int(text) if expected else None), text


def test_fractions_of_a_second_are_read_and_checked_like_whole_seconds() -> None:
    # Some exports write microseconds; the whole-second format misses them and the
    # fractional one reads them, after which the start/end order is still checked.
    line = fixture("Master_standard.csv").split(b"\n")[1]
    fine = line.replace(b'"2026-09-01 08:00:24"', b'"2026-09-01 08:00:24.250000"')
    backwards = line.replace(b'"2026-09-01 08:02:30"', b'"2026-09-01 08:00:19.5"')
    result = cdr_csv.read(fine + b"\n" + backwards + b"\n")
    check_invariants(result, fine + b"\n" + backwards + b"\n")
    (row,) = rows(result)
    assert row["answer_time"] == local("2026-09-01 08:00:24") + dt.timedelta(milliseconds=250)
    assert [r.reason for r in result.rejects] == [
        "end 2026-09-01 08:00:19.5 is before start 2026-09-01 08:00:20"
    ]


@given(
    st.lists(st.text(alphabet='a"\r,\ufffd', max_size=8), max_size=30),
    st.integers(min_value=0, max_value=5),
)
def test_line_flags_count_bytes_per_line_like_python(lines: list[str], skip: int) -> None:
    """The per-line quote parity, CR flags and first bytes the reader takes from the Arrow
    buffer (a slice of it too) equal what Python finds in each line."""
    text = pa.array(lines, pa.large_string()).slice(min(skip, len(lines)))
    kept = lines[min(skip, len(lines)) :]
    odd = line_flags(text, ord('"'), "odd")
    has_cr = line_flags(text, ord("\r"), "any")
    assert odd.tolist() == [line.count('"') % 2 == 1 for line in kept]
    assert has_cr.tolist() == ["\r" in line for line in kept]
    first_two = [list(line.encode()[:2]) + [256] * (2 - len(line.encode()[:2])) for line in kept]
    assert leading_bytes(text, 2).tolist() == first_two


def test_a_quote_ending_the_line_before_a_last_empty_line_counts() -> None:
    # The per-line quote parity once lost the last byte of the line before a trailing
    # empty line; this record ends with a quote.
    line = fixture("Master_standard.csv").split(b"\n")[0]
    result = cdr_csv.read(line + b"\n\n" + line + b"\n\n")
    assert (result.rows.num_rows, result.rejects, result.lines_read) == (2, [], 4)
