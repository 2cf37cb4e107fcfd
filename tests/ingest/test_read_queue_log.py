"""queue_log reader: engine output read back exactly, real-world quirks, rejects, chunking."""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.simulate import simulate
from ingest.contract import ReadOptions, ReadResult
from ingest.readers import cdr_csv, queue_log
from ingest.readers._text import NOTE_BOM, NOTE_NUL_ONLY, NOTE_NUL_PREFIX

FIXTURES = Path(__file__).parent / "fixtures" / "asterisk"
FINAL = ReadOptions(final=True)
UTC = dt.UTC


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rows(result: ReadResult) -> list[dict]:
    return result.rows.to_pylist()


def check_invariants(result: ReadResult, data: bytes, start_offset: int = 0) -> None:
    """What every result must satisfy, whatever the input (``data`` read at ``start_offset``)."""
    assert result.rows.schema == queue_log.SCHEMA
    assert result.lines_read == result.rows.num_rows + len(result.rejects) + result.skipped_lines
    assert 0 <= result.consumed_bytes <= len(data)
    assert result.lines_read == data[: result.consumed_bytes].count(b"\n") + (
        1 if result.consumed_bytes and not data[: result.consumed_bytes].endswith(b"\n") else 0
    )
    for reject in result.rejects:
        assert reject.reason
        raw = reject.raw.encode()
        if "\ufffd" not in reject.raw:
            assert data[reject.byte_offset - start_offset :].startswith(raw)


@pytest.fixture(scope="session")
def engine_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("engine_queue_log")
    simulate("airline", date(2026, 9, 1), 1, 7, out)
    return out


# --- contract ---------------------------------------------------------------------------


def test_table_schema_and_natural_key() -> None:
    assert queue_log.TABLE == "raw_queue_log"
    assert queue_log.SCHEMA.names == [
        "event_time",
        "epoch",
        "call_id",
        "queue",
        "agent",
        "event",
        "data1",
        "data2",
        "data3",
        "data4",
        "data5",
        "data",
        "source_line",
        "byte_offset",
    ]
    assert queue_log.SCHEMA.field("event_time").type == pa.timestamp("us", tz="UTC")
    assert queue_log.SCHEMA.field("source_line").type == pa.int64()
    assert "source_file" not in queue_log.SCHEMA.names
    assert queue_log.NATURAL_KEY == ("epoch", "call_id", "queue", "agent", "event", "data")
    assert set(queue_log.NATURAL_KEY) <= set(queue_log.SCHEMA.names)


def test_empty_input() -> None:
    result = queue_log.read(b"")
    assert result.rows.num_rows == 0
    assert (result.consumed_bytes, result.lines_read, result.rejects) == (0, 0, [])


# --- the engine's files, read back exactly -----------------------------------------------


def test_engine_queue_logs_parse_without_rejects(engine_folder: Path) -> None:
    files = sorted((engine_folder / "asterisk").glob("queue_log*"))
    assert files
    total = 0
    for path in files:
        data = path.read_bytes()
        assert queue_log.sniff(data[:4096], path.name)
        result = queue_log.read(data)
        check_invariants(result, data)
        lines = data.decode().splitlines()
        assert result.rejects == []
        assert result.skipped_lines == 0
        assert result.rows.num_rows == len(lines) == result.lines_read
        assert result.consumed_bytes == len(data)
        assert not any(k.startswith("unknown event") for k in result.notes)
        for line, row in zip(lines, rows(result), strict=True):
            rebuilt = "|".join(
                [str(row["epoch"]), row["call_id"], row["queue"], row["agent"], row["event"]]
            )
            assert f"{rebuilt}|{row['data']}" == line
            assert row["event_time"] == dt.datetime.fromtimestamp(row["epoch"], UTC)
        total += result.rows.num_rows
    assert total > 10_000


def test_engine_event_fields_split_like_app_queue(engine_folder: Path) -> None:
    data = (engine_folder / "asterisk" / "queue_log").read_bytes()
    table = queue_log.read(data).rows.to_pylist()
    by_event: dict[str, list[dict]] = {}
    for row in table:
        by_event.setdefault(row["event"], []).append(row)
    for row in by_event["CONNECT"]:
        assert row["data1"].isdigit() and row["data3"].isdigit()
        assert row["data2"].count(".") == 1  # the member channel's uniqueid
        assert row["data4"] is None and row["data5"] is None
    for row in by_event["ENTERQUEUE"]:
        assert row["data1"] == ""  # Queue()'s URL argument comes first
        assert row["data3"].isdigit()
    for row in by_event["ADDMEMBER"]:
        assert row["data"] in ("", "PAUSED")
    for row in by_event["PAUSEALL"] + by_event["UNPAUSEALL"]:
        assert row["queue"] == "NONE" and row["call_id"] == "NONE"


# --- quirks of real files ---------------------------------------------------------------


def test_freepbx_day_keeps_every_line_as_written() -> None:
    data = fixture("queue_log_freepbx")
    result = queue_log.read(data)
    check_invariants(result, data)
    assert result.rejects == []
    assert result.skipped_lines == 2  # blank lines
    table = rows(result)
    assert len(table) == 16
    events = [r["event"] for r in table]
    # DID comes before ENTERQUEUE for the same call, queue field = queue name
    assert events.index("DID") < events.index("ENTERQUEUE")
    did = table[events.index("DID")]
    assert (did["call_id"], did["queue"], did["agent"], did["data1"]) == (
        "1788220800.12",
        "400",
        "NONE",
        "95388",
    )
    empty_did = [r for r in table if r["event"] == "DID"][1]
    assert (empty_did["data"], empty_did["data1"], empty_did["data2"]) == ("", "", None)
    # member names with spaces, interfaces with slashes
    assert {r["agent"] for r in table} >= {"Mary Jane Li", "Agent 7", "PJSIP/8001"}
    # UNPAUSEALL on queue NONE with call id NONE
    unpauseall = table[events.index("UNPAUSEALL")]
    assert (unpauseall["call_id"], unpauseall["queue"]) == ("NONE", "NONE")
    # NONE call ids and agents
    assert table[0]["call_id"] == "NONE" and table[0]["agent"] == "NONE"
    # the repeated RINGNOANSWER is kept twice (de-duplication is the loader's job)
    key = [
        tuple(r[c] for c in queue_log.NATURAL_KEY) for r in table if r["event"] == "RINGNOANSWER"
    ]
    assert len(key) == 2 and key[0] == key[1]
    # the time stepping back (CONNECT one second before the RINGNOANSWERs) stays in file order
    assert events[7:9] == ["RINGNOANSWER", "CONNECT"]
    assert table[8]["epoch"] < table[7]["epoch"]
    assert [r["source_line"] for r in table] == sorted(r["source_line"] for r in table)
    assert result.notes[queue_log.NOTE_STEP_BACK] == 1
    # an event the dialplan wrote with QueueLog(): kept, and reported
    assert events.count("SURVEYDONE") == 2
    assert result.notes["unknown event SURVEYDONE"] == 2
    assert not any(k.startswith("unknown event") and "SURVEYDONE" not in k for k in result.notes)


def test_data_fields_split_like_the_realtime_backend() -> None:
    table = rows(queue_log.read(fixture("queue_log_freepbx")))
    transfer = next(r for r in table if r["event"] == "ATTENDEDTRANSFER")
    assert transfer["data"] == "LINK|Local/9@x-0001;1|Local/9@x-0001;2|14|131|1"
    fields = [transfer[f"data{i}"] for i in range(1, 6)]
    assert fields == ["LINK", "Local/9@x-0001;1", "Local/9@x-0001;2", "14", "131|1"]
    enter = [r for r in table if r["event"] == "ENTERQUEUE"][1]
    fields = [enter[f"data{i}"] for i in range(1, 6)]
    assert fields == ["", "13800138001", "1", "Wang, Jun", None]
    connect = next(r for r in table if r["event"] == "CONNECT")
    assert (connect["data1"], connect["data2"], connect["data3"]) == ("14", "1788220819.15", "3")
    reload_ = table[0]
    assert reload_["event"] == "QUEUESTART" and reload_["data"] == "" and reload_["data1"] == ""


def test_line_without_pipe_after_event_has_null_data() -> None:
    (row,) = rows(queue_log.read(b"1788220000|NONE|NONE|NONE|QUEUESTART\n"))
    assert row["event"] == "QUEUESTART"
    assert row["data"] is None and row["data1"] is None


def test_hundreds_of_restart_lines() -> None:
    data = fixture("queue_log_restarts")
    result = queue_log.read(data)
    check_invariants(result, data)
    events = result.rows.column("event").to_pylist()
    assert len(events) == 300
    assert events.count("QUEUESTART") == 30 and events.count("CONFIGRELOAD") == 270
    assert result.rejects == [] and result.notes == {}


def test_nul_prefixed_line_after_a_crash() -> None:
    data = fixture("queue_log_nul")
    result = queue_log.read(data)
    check_invariants(result, data)
    assert result.rejects == []
    assert [r["event"] for r in rows(result)] == ["PAUSE", "QUEUESTART", "CONFIGRELOAD"]
    assert result.skipped_lines == 1  # the line of only NULs
    assert result.notes[NOTE_NUL_ONLY] == 1
    assert result.notes[NOTE_NUL_PREFIX] == 1
    start = rows(result)[1]
    assert start["source_line"] == 3
    # byte_offset points at the record itself, after the NUL padding
    assert data[start["byte_offset"] :].startswith(b"1788223000|NONE|NONE|NONE|QUEUESTART|")
    assert data[start["byte_offset"] - 1] == 0


def test_crlf_line_ends() -> None:
    data = fixture("queue_log_crlf")
    result = queue_log.read(data)
    check_invariants(result, data)
    table = rows(result)
    assert [r["event"] for r in table] == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    assert result.skipped_lines == 1
    assert table[-1]["data"] == "14|131|1" and table[-1]["data3"] == "1"
    assert not any("\r" in (v or "") for r in table for v in r.values() if isinstance(v, str))
    starts = [0, data.index(b"1788220819"), data.index(b"1788220950")]
    assert [r["byte_offset"] for r in table] == starts


def test_non_utf8_bytes_are_replaced() -> None:
    data = fixture("queue_log_latin1")
    result = queue_log.read(data)
    check_invariants(result, data)
    assert result.rejects == []
    assert [r["agent"] for r in rows(result)] == ["Jos\ufffd M\ufffdller"] * 2
    assert result.notes["lines with undecodable bytes (replaced by U+FFFD)"] == 2
    assert rows(result)[1]["byte_offset"] == data.index(b"\n") + 1


def test_bad_lines_are_rejected_with_reasons() -> None:
    data = fixture("queue_log_bad")
    result = queue_log.read(data, start_offset=1000, first_line=11)
    check_invariants(result, data, start_offset=1000)
    assert [r["source_line"] for r in rows(result)] == [11, 17]
    reasons = {r.line_number: r.reason for r in result.rejects}
    assert set(reasons) == {12, 13, 14, 15, 16}
    assert "3 '|'-separated field(s)" in reasons[12] and "at least 5" in reasons[12]
    assert "'17882208x5' is not whole epoch seconds" in reasons[13]
    assert "12345 is not an epoch between 1990 and 2100" in reasons[14]
    assert "event name (5th field) is empty" in reasons[15]
    assert "1 '|'-separated field(s)" in reasons[16]
    garbage = next(r for r in result.rejects if r.line_number == 16)
    assert garbage.raw == "garbage without pipes"
    assert garbage.byte_offset == 1000 + data.index(b"garbage")


# --- CSV exports of the realtime table ---------------------------------------------------


def test_realtime_export_with_single_data_column() -> None:
    data = fixture("queue_log_export_data.csv")
    assert queue_log.sniff(data, "queue_log.csv")
    result = queue_log.read(data)
    check_invariants(result, data)
    assert result.rejects == []
    assert result.skipped_lines == 1 and result.notes[queue_log.NOTE_HEADER] == 1
    table = rows(result)
    assert [r["event"] for r in table] == [
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETECALLER",
        "CONFIGRELOAD",
    ]
    assert table[0]["epoch"] == 1788220805 and table[0]["data"] == "|13800138000|1"
    # local time (Asia/Shanghai, UTC+8) -> UTC; epoch is the whole second
    assert table[1]["event_time"] == dt.datetime(2026, 9, 1, 0, 0, 19, tzinfo=UTC)
    assert table[1]["epoch"] == 1788220819
    assert table[2]["event_time"] == dt.datetime(2026, 9, 1, 0, 2, 30, 250000, tzinfo=UTC)
    assert table[2]["epoch"] == 1788220950
    assert [table[1][f"data{i}"] for i in (1, 2, 3)] == ["14", "1788220819.15", "3"]
    assert table[3]["data"] == "" and table[3]["agent"] == "NONE"


def test_realtime_export_with_data1_to_data5() -> None:
    data = fixture("queue_log_export_data1_5.csv")
    assert queue_log.sniff(data, "export.csv")
    result = queue_log.read(data, options=ReadOptions(timezone="UTC"))
    check_invariants(result, data)
    assert result.rejects == []
    table = rows(result)
    assert [r["data"] for r in table] == ["|13800138000|1", "14|1788220819.15|3", ""]
    assert table[1]["agent"] == "Agent 7"
    assert table[1]["event_time"] == dt.datetime(2026, 9, 1, 8, 0, 19, tzinfo=UTC)


def test_realtime_export_read_from_the_middle_has_no_header() -> None:
    data = fixture("queue_log_export_data1_5.csv")
    offset = data.index(b"\n") + 1
    result = queue_log.read(data[offset:], start_offset=offset, first_line=2)
    assert result.rejects == []
    assert [r["source_line"] for r in rows(result)] == [2, 3, 4]
    assert rows(result)[0]["data"] == "|13800138000|1"


def test_export_row_with_wrong_column_count_is_rejected() -> None:
    data = b"time,callid,queuename,agent,event,data\n1788220805,x,400,NONE\n"
    result = queue_log.read(data)
    (reject,) = result.rejects
    assert reject.line_number == 2 and "has 4 CSV fields" in reject.reason


# --- chunks, offsets, partial lines --------------------------------------------------------


def test_partial_trailing_line_is_left_for_the_next_read() -> None:
    data = fixture("queue_log_freepbx")
    cut = len(data) - 10
    first = queue_log.read(data[:cut])
    check_invariants(first, data[:cut])
    last_newline = data[:cut].rindex(b"\n") + 1
    assert first.consumed_bytes == last_newline
    second = queue_log.read(
        data[first.consumed_bytes :],
        start_offset=first.consumed_bytes,
        first_line=1 + first.lines_read,
    )
    assert second.lines_read == 1 and second.consumed_bytes == len(data) - last_newline
    whole = queue_log.read(data)
    assert rows(first) + rows(second) == rows(whole)


def test_final_parses_the_last_line_without_newline() -> None:
    data = b"1788220000|NONE|NONE|NONE|QUEUESTART|\n1788220001|NONE|NONE|NONE|CONFIGRELOAD|"
    assert queue_log.read(data).rows.num_rows == 1
    result = queue_log.read(data, options=FINAL)
    assert result.rows.num_rows == 2 and result.consumed_bytes == len(data)


def test_start_offset_and_first_line_propagate(engine_folder: Path) -> None:
    data = (engine_folder / "asterisk" / "queue_log").read_bytes()
    lines = data.splitlines(keepends=True)
    k = 1234
    offset = sum(len(line) for line in lines[:k])
    whole = queue_log.read(data).rows
    tail = queue_log.read(data[offset:], start_offset=offset, first_line=k + 1)
    assert tail.rows.equals(whole.slice(k))
    for row in rows(tail)[:50]:
        line = data[row["byte_offset"] :].split(b"\n", 1)[0]
        assert line == lines[row["source_line"] - 1].rstrip(b"\n")
        assert line.startswith(f"{row['epoch']}|{row['call_id']}|".encode())


def test_reject_offsets_with_start_offset() -> None:
    data = fixture("queue_log_bad")
    offset = data.index(b"\n") + 1
    result = queue_log.read(data[offset:], start_offset=offset, first_line=2)
    for reject in result.rejects:
        assert data[reject.byte_offset :].startswith(reject.raw.encode())
        assert data.split(b"\n")[reject.line_number - 1].decode() == reject.raw


# --- sniff ----------------------------------------------------------------------------------


def test_sniff() -> None:
    assert queue_log.sniff(fixture("queue_log_freepbx")[:200], "whatever")
    assert queue_log.sniff(fixture("queue_log_nul"), "x")  # first line, NULs stripped
    assert queue_log.sniff(b"\n\n1657181151|NONE|NONE|NONE|CONFIGRELOAD|\n", "x")
    assert not queue_log.sniff(fixture("Master_standard.csv")[:300], "queue_log")
    assert not queue_log.sniff(b"time,agent_id,state,reason,call_id,queue\r\n", "queue_log")
    assert not queue_log.sniff(b"hello|world\n", "queue_log")
    assert queue_log.sniff(b"", "queue_log-20260902")  # no content: the name decides
    assert not queue_log.sniff(b"", "Master.csv")
    assert not cdr_csv.sniff(fixture("queue_log_freepbx"), "Master.csv")


# --- properties -----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        b"1788220805",
        b"1788220805.12",
        b"|",
        b"||",
        b"NONE",
        b"ENTERQUEUE",
        b"CONNECT",
        b"Agent 7",
        b"\n",
        b"\r\n",
        b"\x00",
        b"\xff",
        b"\xe4\xb8\xad",
        b" ",
        b"x",
        b"-1",
        b"99999999999999999999",
    ]
)
_LINEISH = st.lists(_PIECES, max_size=60).map(b"".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), _LINEISH), final=st.booleans())
def test_garbage_never_raises(data: bytes, final: bool) -> None:
    result = queue_log.read(data, options=ReadOptions(final=final))
    check_invariants(result, data)
    if final:
        assert result.consumed_bytes == len(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_LINEISH, cut=st.integers(min_value=0, max_value=10_000))
def test_reading_in_two_chunks_equals_one_read(data: bytes, cut: int) -> None:
    cut = min(cut, len(data))
    whole = queue_log.read(data, options=FINAL)
    first = queue_log.read(data[:cut])
    second = queue_log.read(
        data[first.consumed_bytes :],
        start_offset=first.consumed_bytes,
        first_line=1 + first.lines_read,
        options=FINAL,
    )
    assert pa.concat_tables([first.rows, second.rows]).equals(whole.rows)
    assert first.rejects + second.rejects == whole.rejects
    assert first.lines_read + second.lines_read == whole.lines_read
    assert first.skipped_lines + second.skipped_lines == whole.skipped_lines


def test_byte_order_mark_at_file_start() -> None:
    data = b"\xef\xbb\xbf1788220000|NONE|NONE|NONE|QUEUESTART|\n"
    result = queue_log.read(data)
    (row,) = rows(result)
    assert row["epoch"] == 1788220000 and row["byte_offset"] == 3
    assert result.notes == {NOTE_BOM: 1}
    assert queue_log.sniff(data, "x")


def test_many_unknown_event_names_are_summarised() -> None:
    data = b"".join(b"1788220000|NONE|NONE|NONE|EV%d|\n" % i for i in range(60))
    result = queue_log.read(data)
    assert result.rows.num_rows == 60
    unknown = {k: v for k, v in result.notes.items() if k.startswith("unknown event")}
    assert len(unknown) == queue_log.MAX_UNKNOWN_NOTES + 1
    assert sum(unknown.values()) == 60
