"""Amazon Connect contact records (ingest/readers/connect_ctr.py)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.contract import ReadOptions, ReadResult
from ingest.readers import connect_ctr
from ingest.readers.connect_ctr import NOTE_SHARED, read, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "other"
SAMPLE = (FIXTURES / "connect_ctr_sample.jsonl").read_bytes()
FINAL = ReadOptions(final=True)


def _balanced(result: ReadResult) -> bool:
    shared = result.notes.get(NOTE_SHARED, 0)
    return (
        result.lines_read + shared
        == result.rows.num_rows + len(result.rejects) + result.skipped_lines
    )


def _by_id(result: ReadResult) -> dict[str, dict]:
    return {r["contact_id"]: r for r in result.rows.to_pylist()}


def test_module_contract() -> None:
    assert connect_ctr.TABLE == "raw_connect_contacts"
    assert connect_ctr.NATURAL_KEY == ("contact_id", "last_update_time")
    names = connect_ctr.SCHEMA.names
    assert names[-2:] == ["source_line", "byte_offset"]
    assert "source_file" not in names and "load_id" not in names
    assert set(connect_ctr.NATURAL_KEY) <= set(names)


def test_sample_maps_onto_the_call_model() -> None:
    result = read(SAMPLE)
    assert result.rejects == [] and result.rows.num_rows == 8
    assert result.rows.schema.equals(connect_ctr.SCHEMA)
    assert result.lines_read == 8 and result.skipped_lines == 0 and result.notes == {}
    assert result.consumed_bytes == len(SAMPLE)
    rows = _by_id(result)

    answered = rows["c0000001-0000-4000-8000-000000000001"]
    assert answered["initiation_method"] == "INBOUND" and answered["channel"] == "VOICE"
    assert answered["queue_name"] == "booking"
    assert answered["enqueue_time"] == datetime(2026, 9, 1, 0, 15, 20, tzinfo=UTC)
    assert answered["dequeue_time"] == datetime(2026, 9, 1, 0, 15, 47, tzinfo=UTC)
    assert answered["queue_duration_s"] == 27.0
    assert answered["agent_username"] == "wang.fang"
    assert answered["connected_to_agent_time"] == answered["dequeue_time"]
    assert (answered["agent_interaction_s"], answered["customer_hold_s"]) == (353.0, 40.0)
    assert (answered["number_of_holds"], answered["after_contact_work_s"]) == (1, 51.0)
    assert answered["customer_number"] == "+8613800138000"
    assert answered["system_number"] == "+864009500000"
    assert answered["recording_location"].endswith("c0000001_20260901T00:15_UTC.wav")

    abandoned = rows["c0000002-0000-4000-8000-000000000002"]
    assert abandoned["agent_username"] is None and abandoned["connected_to_agent_time"] is None
    assert abandoned["queue_duration_s"] == 94.0
    assert abandoned["initiation_time"] == datetime(2026, 9, 1, 0, 30, 0, 250000, tzinfo=UTC)

    original = rows["c0000003-0000-4000-8000-000000000003"]
    transfer = rows["c0000004-0000-4000-8000-000000000004"]
    assert original["next_contact_id"] == transfer["contact_id"]
    assert transfer["initiation_method"] == "TRANSFER"
    assert transfer["previous_contact_id"] == original["contact_id"]
    assert transfer["initial_contact_id"] == original["contact_id"]
    assert original["transferred_to_number"] == "+864009500001"
    # Recordings[]: the audio stream is preferred over the screen recording
    assert original["recording_location"].endswith("c0000003_20260901T01:00_UTC.wav")
    assert transfer["system_number"] is None

    outbound = rows["c0000005-0000-4000-8000-000000000005"]
    assert outbound["initiation_method"] == "OUTBOUND" and outbound["queue_name"] is None
    assert outbound["enqueue_time"] is None and outbound["agent_username"] == "wang.fang"

    callback = rows["c0000006-0000-4000-8000-000000000006"]
    assert callback["initiation_method"] == "CALLBACK" and callback["queue_duration_s"] == 245.0
    assert callback["previous_contact_id"] == abandoned["contact_id"]

    chat = rows["c0000007-0000-4000-8000-000000000007"]
    assert chat["channel"] == "CHAT" and chat["customer_number"] is None


def test_redelivered_record_has_a_distinct_key() -> None:
    rows = read(SAMPLE).rows.to_pylist()
    first = [r for r in rows if r["contact_id"].endswith("000000000001")]
    assert len(first) == 2
    keys = {(r["contact_id"], r["last_update_time"]) for r in first}
    assert len(keys) == 2  # an updated re-delivery is a new row; the newest wins downstream


def test_byte_offsets_and_lines_point_at_each_record() -> None:
    result = read(SAMPLE, start_offset=1000, first_line=40)
    lines = SAMPLE.split(b"\n")
    for row in result.rows.to_pylist():
        line = lines[row["source_line"] - 40]
        assert SAMPLE[row["byte_offset"] - 1000 :].startswith(line)
        assert json.loads(line)["ContactId"] == row["contact_id"]


def test_concatenated_records_without_newlines() -> None:
    data = SAMPLE.replace(b"\n", b"")
    waiting = read(data)
    assert waiting.consumed_bytes == 0 and waiting.rows.num_rows == 0
    result = read(data, options=FINAL)
    assert result.rows.num_rows == 8 and result.rejects == []
    assert result.lines_read == 1 and result.notes == {NOTE_SHARED: 7}
    assert result.rows.column("source_line").to_pylist() == [1] * 8
    offsets = result.rows.column("byte_offset").to_pylist()
    assert all(data[o : o + 1] == b"{" for o in offsets) and len(set(offsets)) == 8
    assert _balanced(result)


def test_pretty_printed_records_and_a_half_written_one() -> None:
    pretty = b"".join(
        json.dumps(json.loads(line), indent=2, ensure_ascii=False).encode() + b"\n"
        for line in SAMPLE.splitlines()
    )
    whole = read(pretty)
    assert whole.rows.num_rows == 8 and whole.rejects == [] and _balanced(whole)
    cut = len(pretty) // 2
    first = read(pretty[:cut])
    assert 0 < first.rows.num_rows < 8 and first.rejects == []
    assert pretty[: first.consumed_bytes].endswith(b"}\n")
    second = read(
        pretty[first.consumed_bytes :],
        start_offset=first.consumed_bytes,
        first_line=1 + first.lines_read,
    )
    assert pa.concat_tables([first.rows, second.rows]).equals(whole.rows)


def test_bad_records_are_rejected_with_reasons() -> None:
    data = (FIXTURES / "connect_ctr_bad.jsonl").read_bytes()
    result = read(data)
    reasons = {r.line_number: r.reason for r in result.rejects}
    assert reasons[2] == "not a JSON object (one contact record per line expected)"
    assert reasons[3] == "no ContactId: not a contact record"
    assert "DisconnectTimestamp" in reasons[5] and "01/09/2026 00:31" in reasons[5]
    assert reasons[6].startswith("incomplete JSON object: the line ends before the record closes")
    assert "Agent.AgentInteractionDuration" in reasons[7] and "-5" in reasons[7]
    assert reasons[8] == "a JSON array, not a contact record"
    assert result.rows.column("source_line").to_pylist() == [1, 9]
    assert result.skipped_lines == 1  # the blank line
    assert _balanced(result)
    for r in result.rejects:
        assert data[r.byte_offset :].split(b"\n", 1)[0].decode() == r.raw


def test_broken_json_inside_a_line() -> None:
    result = read(b'{"ContactId": "a", "Channel": VOICE}\n')
    assert result.rejects[0].reason == ("invalid JSON: Expecting value (line 1, column 31)")


def test_absurd_values_are_rejected_not_raised() -> None:
    huge = b'{"ContactId":"a","Queue":{"Duration":' + b"9" * 400 + b"}}\n"
    assert "Queue.Duration" in read(huge).rejects[0].reason
    infinite = b'{"ContactId":"a","Queue":{"Duration":1e999}}\n'
    assert "Queue.Duration" in read(infinite).rejects[0].reason
    deep = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    assert read(deep).rejects[0].reason == "JSON nested too deeply to be a contact record"
    deep_binary = b"\xff\n" + deep
    assert read(deep_binary).rejects[1].reason == "JSON nested too deeply to be a contact record"


def test_invalid_utf8_keeps_the_good_lines() -> None:
    lines = SAMPLE.splitlines()
    data = lines[0] + b"\n\xff\xfe garbage\n" + lines[1] + b"\n"
    result = read(data)
    assert result.rows.num_rows == 2
    assert "UTF-8" in result.rejects[0].reason and result.rejects[0].line_number == 2
    assert _balanced(result)


def test_gzip_delivery_is_explained() -> None:
    result = read(gzip.compress(SAMPLE), options=FINAL)
    assert result.rows.num_rows == 0
    assert "gzip" in result.rejects[0].reason
    assert not sniff(gzip.compress(SAMPLE), "ctr.gz")


def test_unknown_enum_values_are_kept_and_noted() -> None:
    record = json.loads(SAMPLE.splitlines()[0])
    record["Channel"] = "VIDEO"
    record["InitiationMethod"] = "TELEPATHY"
    result = read(json.dumps(record).encode() + b"\n")
    assert result.rows.column("channel").to_pylist() == ["VIDEO"]
    assert result.notes == {
        "channel: unlisted value 'VIDEO'": 1,
        "initiation_method: unlisted value 'TELEPATHY'": 1,
    }


def test_sniff() -> None:
    assert sniff(SAMPLE[:65536], "connect-ctr-1-2026-09-01-00-15-02-abc")
    assert sniff(b"\n  " + SAMPLE[:4000], "x")
    assert not sniff(b"time,agent_id,state,reason,call_id,queue\r\n", "a.csv")
    assert not sniff(b"1788192000|NONE|NONE|NONE|QUEUESTART|\n", "queue_log")
    assert not sniff(b'{"name": "not a ctr"}\n', "x.json")


_JSONISH = st.lists(
    st.sampled_from(
        [
            *(b"{", b"}", b"[", b"]", b'"', b":", b",", b"\n", b"\r\n", b" ", b"\xff", b"null"),
            *(b'"ContactId"', b'"c1"', b'"Agent"', b'"Queue"', b'"Duration"', b"12", b"-3"),
            *(b'"InitiationTimestamp"', b'"2026-09-01T00:00:00Z"', b'"bad time"', b"\x1f\x8b"),
        ]
    ),
    max_size=60,
).map(b"".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), _JSONISH), final=st.booleans(), start=st.booleans())
def test_random_bytes_never_raise(data: bytes, final: bool, start: bool) -> None:
    result = read(data, start_offset=50 if start else 0, options=ReadOptions(final=final))
    assert 0 <= result.consumed_bytes <= len(data)
    assert _balanced(result)
    assert result.rows.schema.equals(connect_ctr.SCHEMA)
    if not final:
        assert result.consumed_bytes == 0 or data[result.consumed_bytes - 1] == ord("\n")


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(SAMPLE)), max_size=4))
def test_any_chunking_gives_the_same_rows(cuts: list[int]) -> None:
    whole = read(SAMPLE)
    tables, offset, line = [], 0, 1
    for cut in [*sorted(cuts), len(SAMPLE)]:
        if cut <= offset:
            continue
        part = read(SAMPLE[offset:cut], start_offset=offset, first_line=line)
        tables.append(part.rows)
        offset += part.consumed_bytes
        line += part.lines_read
    assert offset == len(SAMPLE)
    assert pa.concat_tables(tables).equals(whole.rows)
