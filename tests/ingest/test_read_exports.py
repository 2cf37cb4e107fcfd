"""Readers of the engine's own CSV exports (ingest/readers/exports.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.simulate import simulate
from ingest.contract import ReadOptions, ReadResult
from ingest.readers import exports
from ingest.readers.exports import (
    AGENT_STATES,
    ORDER_EVENTS,
    ORDERS,
    OUTBOUND,
    READERS,
    RECORDINGS,
    TRUTH_READERS,
    CsvReader,
    split_records,
)

FIXTURES = Path(__file__).parent / "fixtures" / "other"
FINAL = ReadOptions(final=True)

# reader -> glob of its files in a landing folder
LANDING_GLOBS = {
    "raw_agent_states": "agent_states/agent_states_*.csv",
    "raw_recordings": "recordings/recordings_*.csv",
    "raw_outbound_attempts": "outbound/outbound_attempts_*.csv",
    "raw_orders": "orders/orders_*.csv",
    "raw_order_events": "orders/order_events_*.csv",
    "raw_contacts": "contacts/contacts_*.csv",
    "raw_surveys": "surveys/surveys_*.csv",
    "raw_agent_directory": "agents/agent_directory_*.csv",
    "raw_call_truth": "truth/call_truth_*.csv",
    "raw_survey_truth": "truth/survey_truth_*.csv",
    "raw_deferred_backlog": "truth/deferred_backlog_*.csv",
    "raw_agent_quality": "truth/agent_quality.csv",
}
ALL = (*READERS, *TRUTH_READERS)


@pytest.fixture(scope="session")
def engine_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """One day of the airline scenario written to a landing folder, and its file counts."""
    out = tmp_path_factory.mktemp("landing_exports")
    summary = simulate("airline", date(2026, 9, 1), 1, 7, out)
    return out, dict(summary.files)


@pytest.fixture(scope="session")
def landing(engine_run: tuple[Path, dict[str, int]]) -> Path:
    return engine_run[0]


def _files(landing: Path, reader: CsvReader) -> list[Path]:
    files = sorted(landing.glob(LANDING_GLOBS[reader.table]))
    assert files, reader.table
    return files


def _balanced(result: ReadResult) -> bool:
    return result.lines_read == result.rows.num_rows + len(result.rejects) + result.skipped_lines


def _reasons(result: ReadResult) -> dict[int, str]:
    return {r.line_number: r.reason for r in result.rejects}


# -- the engine's landing folder -----------------------------------------------------------


@pytest.mark.parametrize("reader", ALL, ids=lambda r: r.table)
def test_engine_exports_read_without_rejects(landing: Path, reader: CsvReader) -> None:
    for path in _files(landing, reader):
        data = path.read_bytes()
        result = reader.read(data)
        assert result.rejects == []
        assert result.table == reader.table
        assert result.rows.schema.equals(reader.schema)
        lines = data.count(b"\n")
        assert result.rows.num_rows == lines - 1  # minus the header
        assert result.lines_read == lines
        assert result.skipped_lines == 1
        assert result.consumed_bytes == len(data)
        assert result.notes == {}
        assert _balanced(result)
        assert result.rows.column("source_line").to_pylist()[:2] == [2, 3]


@pytest.mark.parametrize("reader", ALL, ids=lambda r: r.table)
def test_sniff_recognises_exactly_its_own_export(landing: Path, reader: CsvReader) -> None:
    path = _files(landing, reader)[0]
    head = path.read_bytes()[:65536]
    for other in ALL:
        assert other.sniff(head, "renamed.csv") is (other is reader), other.table
    # A file that only shares a name is not sniffed.
    assert not reader.sniff(b"foo,bar\r\n1,2\r\n", path.name)


def test_row_counts_match_the_engine_summary(engine_run: tuple[Path, dict[str, int]]) -> None:
    landing, written = engine_run
    stream = {
        "raw_agent_states": "agent_states",
        "raw_recordings": "recordings",
        "raw_outbound_attempts": "outbound_attempts",
        "raw_orders": "orders",
        "raw_order_events": "order_events",
        "raw_call_truth": "truth",
        "raw_contacts": "contacts",
        "raw_surveys": "surveys",
        "raw_agent_directory": "agent_directory",
        "raw_survey_truth": "survey_truth",
        "raw_deferred_backlog": "deferred_backlog",
        "raw_agent_quality": "agent_quality",
    }
    for reader in ALL:
        rows = sum(reader.read(p.read_bytes()).rows.num_rows for p in _files(landing, reader))
        assert rows == written[stream[reader.table]] > 0, reader.table


def test_types_and_values(landing: Path) -> None:
    states = AGENT_STATES.read(_files(landing, AGENT_STATES)[0].read_bytes()).rows
    assert states.schema.field("time").type == pa.timestamp("us", tz="UTC")
    first = states.slice(0, 1).to_pylist()[0]
    # 2026-09-01T07:00:00.000+08:00
    assert first["time"] == datetime(2026, 8, 31, 23, 0, tzinfo=UTC)
    assert first["state"] == "available" and first["call_id"] is None
    assert set(states.column("state").to_pylist()) <= set(exports.AGENT_STATES_LIST)

    recs = RECORDINGS.read(_files(landing, RECORDINGS)[0].read_bytes()).rows
    assert recs.schema.field("duration_s").type == pa.float64()
    assert recs.schema.field("hold_count").type == pa.int64()
    assert all(0 <= x <= 1 for x in recs.column("talk_ratio").to_pylist())

    orders = ORDERS.read(_files(landing, ORDERS)[0].read_bytes()).rows
    assert orders.schema.field("fare").type == pa.decimal128(12, 2)
    assert orders.schema.field("flight_date").type == pa.date32()
    assert orders.schema.field("passengers").type == pa.int64()
    row = orders.slice(0, 1).to_pylist()[0]
    assert isinstance(row["fare"], Decimal) and row["fare"] == row["fare"].quantize(Decimal("0.01"))
    assert isinstance(row["flight_date"], date)

    events = ORDER_EVENTS.read(_files(landing, ORDER_EVENTS)[0].read_bytes()).rows
    assert events.schema.field("amount").type == pa.decimal128(12, 2)

    attempts = OUTBOUND.read(_files(landing, OUTBOUND)[0].read_bytes()).rows
    answered = attempts.filter(pa.compute.equal(attempts.column("outcome"), "answered"))
    assert answered.column("answer_time").null_count == 0


def test_milliseconds_and_offsets_are_exact() -> None:
    data = (
        b"time,agent_id,state,reason,call_id,queue\r\n"
        b"2026-09-01T08:00:00.123+08:00,A1,available,,,\r\n"
        b"2026-10-25T02:30:00.000+02:00,A1,aux,break,,\r\n"
        b"2026-10-25T02:30:00.000+01:00,A1,available,,,\r\n"
    )
    rows = AGENT_STATES.read(data).rows.column("time").to_pylist()
    assert rows[0] == datetime(2026, 9, 1, 0, 0, 0, 123000, tzinfo=UTC)
    # the repeated hour of a DST fall-back: one hour apart
    assert (rows[2] - rows[1]).total_seconds() == 3600


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.table)
def test_reading_in_chunks_equals_reading_whole(landing: Path, reader: CsvReader) -> None:
    data = _files(landing, reader)[0].read_bytes()
    whole = reader.read(data)
    cut = len(data) // 3  # in the middle of a line
    first = reader.read(data[:cut])
    assert data[first.consumed_bytes - 1 : first.consumed_bytes] == b"\n"
    second = reader.read(
        data[first.consumed_bytes :],
        start_offset=first.consumed_bytes,
        first_line=1 + first.lines_read,
    )
    assert "no header in this chunk: assumed the standard column order" in second.notes
    assert pa.concat_tables([first.rows, second.rows]).equals(whole.rows)
    assert first.lines_read + second.lines_read == whole.lines_read


def test_resume_with_header_maps_reordered_columns() -> None:
    header = b"agent_id,time,state,queue,call_id,reason\r\n"
    body = b"A1,2026-09-01T08:00:00.000+08:00,talking,booking,17.1,\r\n"
    data = header + body
    result = AGENT_STATES.read(body, start_offset=len(header), first_line=2, header=header)
    assert result.rejects == []
    row = result.rows.to_pylist()[0]
    assert row["agent_id"] == "A1" and row["queue"] == "booking" and row["call_id"] == "17.1"
    assert row["source_line"] == 2 and row["byte_offset"] == len(header)
    assert AGENT_STATES.read(data).rows.equals(result.rows)


# -- bad input -----------------------------------------------------------------------------


def test_agent_states_bad_fixture() -> None:
    data = (FIXTURES / "agent_states_bad.csv").read_bytes()
    result = AGENT_STATES.read(data)
    reasons = _reasons(result)
    assert "unknown state 'lunchbreak'" in reasons[3]
    assert "time:" in reasons[4] and "ISO 8601" in reasons[4]
    assert reasons[5] == "agent_id is empty but required"
    assert "expected 6 fields, found 7" in reasons[10]
    # the last line has no newline yet: left for the next run
    assert result.consumed_bytes == data.rindex(b"\n") + 1
    assert result.lines_read == 10
    assert result.skipped_lines == 2  # header + blank line
    assert _balanced(result)
    rows = result.rows.to_pylist()
    # duplicates are kept for the loader to dedupe
    assert [r["source_line"] for r in rows] == [2, 6, 7, 8]
    assert rows[1] | {"source_line": 0, "byte_offset": 0} == rows[2] | {
        "source_line": 0,
        "byte_offset": 0,
    }
    # no offset: local to options.timezone (Asia/Shanghai), quoted comma kept
    assert rows[3]["time"] == datetime(2026, 9, 1, 0, 3, tzinfo=UTC)
    assert rows[3]["reason"] == "break, extended"
    # every reject carries its line's text and byte offset
    for r in result.rejects:
        start = r.byte_offset
        assert data[start:].split(b"\r\n", 1)[0].decode() == r.raw

    final = AGENT_STATES.read(data, options=FINAL)
    assert final.consumed_bytes == len(data)
    assert final.lines_read == 11 and final.rows.num_rows == 5
    assert _balanced(final)


def test_timestamps_without_offset_follow_the_timezone() -> None:
    data = b"time,agent_id,state,reason,call_id,queue\r\n2026-09-01T08:00:00,A1,aux,,,\r\n"
    berlin = AGENT_STATES.read(data, options=ReadOptions(timezone="Europe/Berlin"))
    assert berlin.rows.column("time")[0].as_py() == datetime(2026, 9, 1, 6, tzinfo=UTC)
    ambiguous = data.replace(b"2026-09-01T08", b"2026-10-25T02")
    result = AGENT_STATES.read(ambiguous, options=ReadOptions(timezone="Europe/Berlin"))
    assert result.notes == {"time: ambiguous local time (DST)": 1}
    bad_zone = AGENT_STATES.read(data, options=ReadOptions(timezone="Mars/Olympus"))
    assert "not an IANA time zone" in bad_zone.rejects[0].reason


def test_orders_bad_fixture() -> None:
    data = (FIXTURES / "orders_bad.csv").read_bytes()
    result = ORDERS.read(data)
    reasons = _reasons(result)
    assert reasons[3] == "passengers: 'two' is not an integer"
    assert "flight_date" in reasons[4] and "not a valid date" in reasons[4]
    assert "unknown channel 'telepathy'" in reasons[5]
    assert reasons[6] == "fare: -830.00 is negative"
    assert reasons[7] == "fare: 830.005 has more than 2 decimal places"
    assert "created_time" in reasons[10] and "currency" in reasons[10]
    assert result.notes["extra column 'crm_note' ignored"] == 1
    assert result.notes["payment_method: unlisted value 'voucher'"] == 1
    rows = result.rows.to_pylist()
    assert [r["order_id"] for r in rows] == ["ORD1", "ORD7"]
    assert rows[0]["fare"] == Decimal("1660.00") and rows[0]["channel"] == "call_center"
    assert rows[1]["source_line"] == 8  # a quoted field spanning two lines
    assert result.skipped_lines == 2  # header + the continuation line
    assert _balanced(result)


def test_missing_column_rejects_every_line() -> None:
    data = (FIXTURES / "recordings_missing_column.csv").read_bytes()
    result = RECORDINGS.read(data)
    assert result.rows.num_rows == 0
    assert [r.line_number for r in result.rejects] == [2, 3]
    assert all("missing column 'start_time'" in r.reason for r in result.rejects)
    assert result.skipped_lines == 1 and _balanced(result)
    # optional analytics columns absent: noted, not fatal
    assert "optional column 'talk_ratio' absent: filled with nulls" in result.notes


def test_order_events_duplicates_kept_and_bad_values_rejected() -> None:
    result = ORDER_EVENTS.read((FIXTURES / "order_events_dupes.csv").read_bytes())
    assert [r["event"] for r in result.rows.to_pylist()] == ["booked", "paid", "paid"]
    reasons = _reasons(result)
    assert "unknown event 'rebooked'" in reasons[5]
    assert reasons[6] == "amount: -1840.00 is negative"


def test_missing_header_rejects_every_line() -> None:
    data = (
        b"2026-09-01T08:00:00.000+08:00,A1,available,,,\r\n"
        b"2026-09-01T08:00:01.000+08:00,A1,aux,,,\r\n"
    )
    result = AGENT_STATES.read(data)
    assert result.rows.num_rows == 0 and len(result.rejects) == 2
    assert "no header row" in result.rejects[0].reason
    assert "time,agent_id,state,reason,call_id,queue" in result.rejects[0].reason


def test_header_extras_bom_blank_lines_and_repeated_header() -> None:
    header = b"\xef\xbb\xbfTime, Agent_ID ,state,reason,call_id,queue,site\r\n"
    line = b"2026-09-01T08:00:00.000+08:00,A1,available,,,,SH\r\n"
    data = header + line + b"\r\n" + header[3:] + line
    result = AGENT_STATES.read(data)
    assert result.rows.num_rows == 2 and result.rejects == []
    assert result.notes["extra column 'site' ignored"] >= 1
    assert result.notes["repeated header line skipped"] == 1
    assert result.skipped_lines == 3 and _balanced(result)
    assert AGENT_STATES.sniff(header, "export.csv") is False  # not the exact set
    assert AGENT_STATES.sniff(header, "agent_states_20260901.csv") is True  # name hint


def test_invalid_utf8_and_broken_quotes() -> None:
    data = (
        b"time,agent_id,state,reason,call_id,queue\r\n"
        b"2026-09-01T08:00:00.000+08:00,A\xff1,available,,,\r\n"
        b'2026-09-01T08:00:00.000+08:00,A2,aux,"lunch,,\r\n'
        b"2026-09-01T08:00:01.000+08:00,A3,aux,lunch,,\r\n"
    )
    open_quote = AGENT_STATES.read(data)
    # the open quote may still close in data not yet written: wait
    assert open_quote.lines_read == 2 and "UTF-8" in open_quote.rejects[0].reason
    result = AGENT_STATES.read(data, options=FINAL)
    reasons = _reasons(result)
    assert "UTF-8" in reasons[2] and "\ufffd" in result.rejects[0].raw
    assert "unbalanced double quote" in reasons[3]
    assert result.rows.column("agent_id").to_pylist() == ["A3"]
    assert _balanced(result)
    malformed = AGENT_STATES.read(
        b'time,agent_id,state,reason,call_id,queue\r\n2026-09-01T08:00:00Z,"A"1,aux,,,\r\n'
    )
    assert "malformed CSV quoting" in malformed.rejects[0].reason


def test_outbound_time_order_checked() -> None:
    header = ",".join(OUTBOUND.names).encode() + b"\r\n"
    line = (
        b"OB1,c,predictive,1.1,C1,138,A1,2026-09-01T10:00:30.000+08:00,answered,"
        b"2026-09-01T10:00:20.000+08:00,2026-09-01T10:00:40.000+08:00\r\n"
    )
    result = OUTBOUND.read(header + line)
    assert result.rejects[0].reason == "answer_time is before dial_time"


@pytest.mark.parametrize(
    ("fare", "problem"),
    [
        ("1" * 40, "too large"),
        ("10000000000.00", "too large"),
        ("0." + "0" * 40 + "1", "more than 2 decimal places"),
        ("1e5", "not a decimal amount"),
        ("NaN", "not a decimal amount"),
        ("9999999999.99", None),
    ],
)
def test_extreme_amounts_are_rejected_not_raised(fare: str, problem: str | None) -> None:
    header = ",".join(ORDERS.names).encode() + b"\r\n"
    line = (
        f"O1,2026-09-01T08:00:00Z,C1,web,,,,PEK,SHA,2026-09-02,1,{fare},0,card,CNY\r\n"
    ).encode()
    result = ORDERS.read(header + line)
    if problem is None:
        assert result.rejects == [] and str(result.rows.column("fare")[0].as_py()) == fare
    else:
        assert problem in result.rejects[0].reason


@pytest.mark.parametrize(
    "instant",
    ["0001-01-01T00:00:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59.999-08:00"],
)
def test_extreme_instants_do_not_raise(instant: str) -> None:
    data = f"time,agent_id,state,reason,call_id,queue\r\n{instant},A1,aux,,,\r\n".encode()
    result = AGENT_STATES.read(data)
    assert result.rows.num_rows + len(result.rejects) == 1


def test_split_records_keeps_quoted_newlines_together() -> None:
    data = b'a,b\r\n"x\r\ny",z\r\nc,d\r\n"open\r\n'
    records, consumed, lines = split_records(data, final=False)
    assert [r.raw for r in records] == [b"a,b", b'"x\r\ny",z', b"c,d"]
    assert [r.lines for r in records] == [1, 2, 1]
    assert consumed == data.index(b'"open') and lines == 4
    records, consumed, lines = split_records(data, final=True)
    assert records[-1].broken and consumed == len(data) and lines == 5


# -- properties ----------------------------------------------------------------------------

_CSVISH = st.lists(
    st.sampled_from(
        [
            *(b",", b'"', b"\r\n", b"\n", b"\r", b"a", b"1", b"-", b":", b"T", b".", b"\xff"),
            *(b"2026-09-01T08:00:00.000+08:00", b"available", b"A1", b"time,agent_id,state"),
            *(b"reason,call_id,queue", b"order_id", b"2026-09-01", b"12.50", b" ", b"\x00"),
        ]
    ),
    max_size=60,
).map(b"".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(st.binary(max_size=300), _CSVISH),
    reader=st.sampled_from(ALL),
    final=st.booleans(),
    resumed=st.booleans(),
)
def test_random_bytes_never_raise(data: bytes, reader: CsvReader, final: bool, resumed: bool):
    start = 100 if resumed else 0
    result = reader.read(
        data, start_offset=start, first_line=7 if resumed else 1, options=ReadOptions(final=final)
    )
    assert 0 <= result.consumed_bytes <= len(data)
    assert _balanced(result)
    assert result.rows.schema.equals(reader.schema)
    if not final:
        assert result.consumed_bytes == 0 or data[result.consumed_bytes - 1] == ord("\n")
    else:
        assert result.consumed_bytes == len(data)


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=4))
def test_any_chunking_gives_the_same_rows(cuts: list[int]) -> None:
    data = (FIXTURES / "agent_states_bad.csv").read_bytes()
    header = data[: data.index(b"\n") + 1]
    whole = AGENT_STATES.read(data, options=FINAL)
    tables, rejects, offset, line = [], [], 0, 1
    for cut in [*sorted(cuts), len(data)]:
        if cut <= offset:
            continue
        final = cut == len(data)
        part = AGENT_STATES.read(
            data[offset:cut],
            start_offset=offset,
            first_line=line,
            options=ReadOptions(final=final),
            header=header if offset else None,
        )
        tables.append(part.rows)
        rejects += part.rejects
        offset += part.consumed_bytes
        line += part.lines_read
    assert offset == len(data)
    assert pa.concat_tables(tables).equals(whole.rows)
    assert rejects == whole.rejects
