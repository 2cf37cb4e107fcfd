"""Readers of the deferred-contact, survey and agent-directory exports and of the engine's
survey/backlog truth (ingest/readers/exports.py): typed columns, per-line checks with a
reason, and the natural keys the loader de-duplicates by."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingest.contract import ReadResult
from ingest.loader import Loader
from ingest.readers.exports import (
    AGENT_DIRECTORY,
    AGENT_STATES,
    CONTACTS,
    DEFERRED_BACKLOG,
    SURVEYS,
)
from ingest.sources import all_sources, detect

CONTACT_HEADER = (
    b"contact_id,channel,queue,customer_id,created_time,response_due_time,"
    b"first_assigned_time,first_response_time,resolved_time,agent_id,outcome,attempts,"
    b"handle_s,call_id\r\n"
)
T0 = "2026-09-01T08:00:00.000+08:00"
T1 = "2026-09-01T09:00:00.000+08:00"
T2 = "2026-09-01T10:00:00.000+08:00"
SURVEY_HEADER = b"uniqueid,offered_time,answered,score,label,scale,agent_id,queue\r\n"


def _reasons(result: ReadResult) -> dict[int, str]:
    return {r.line_number: r.reason for r in result.rejects}


def _balanced(result: ReadResult) -> bool:
    return result.lines_read == result.rows.num_rows + len(result.rejects) + result.skipped_lines


def contact_line(cid: str, outcome: str, resolved: str, **extra: str) -> bytes:
    fields = {
        "channel": "email",
        "created": T0,
        "due": T1,
        "assigned": T0,
        "response": T1,
        "attempts": "1",
        "handle_s": "120.500",
        "call_id": "",
    } | extra
    return (
        f"{cid},{fields['channel']},email,C1,{fields['created']},{fields['due']},"
        f"{fields['assigned']},{fields['response']},{resolved},A1001,{outcome},"
        f"{fields['attempts']},{fields['handle_s']},{fields['call_id']}\r\n"
    ).encode()


def test_contacts_are_typed_and_checked_line_by_line() -> None:
    data = CONTACT_HEADER + b"".join(
        [
            contact_line("T1", "resolved", T2),  # 2: fine
            contact_line("T2", "open", ""),  # 3: fine, still open
            contact_line("T3", "open", T2),  # 4: open but resolved
            contact_line("T4", "resolved", ""),  # 5: resolved without a time
            contact_line("T5", "resolved", "2026-09-01T07:00:00.000+08:00"),  # 6: before
            contact_line("T6", "closed", T2),  # 7: unknown outcome
            contact_line("T7", "resolved", T2, channel="chat"),  # 8: unlisted channel kept
            contact_line("T8", "failed", T2, handle_s="-3"),  # 9: negative seconds
            contact_line("T9", "abandoned", T2, response="", assigned=""),  # 10: fine
        ]
    )
    result = CONTACTS.read(data)
    reasons = _reasons(result)
    assert reasons == {
        4: "outcome is open but resolved_time is set",
        5: "outcome is resolved but resolved_time is empty",
        6: "resolved_time is before created_time",
        7: "outcome: unknown outcome 'closed' (expected one of resolved, failed, abandoned, open)",
        9: "handle_s: -3 is below the minimum 0",
    }
    assert result.notes == {"channel: unlisted value 'chat'": 1}
    rows = result.rows.to_pylist()
    assert [r["contact_id"] for r in rows] == ["T1", "T2", "T7", "T9"]
    assert rows[0]["resolved_time"] == datetime(2026, 9, 1, 2, tzinfo=UTC)
    assert rows[0]["handle_s"] == 120.5 and rows[0]["attempts"] == 1
    assert rows[1]["resolved_time"] is None and rows[1]["call_id"] is None
    assert rows[3]["first_response_time"] is None and rows[3]["outcome"] == "abandoned"
    assert _balanced(result)


def test_surveys_are_typed_and_checked_line_by_line() -> None:
    data = (
        SURVEY_HEADER
        + (
            f"1.1,{T0},y,3,satisfied,3,A1,booking\r\n"  # 2
            f"1.2,{T0},n,,,3,A1,booking\r\n"  # 3
            f"1.3,{T0},y,,,3,A1,booking\r\n"  # 4: answered without a score
            f"1.4,{T0},n,2,average,3,A1,booking\r\n"  # 5: not answered with a score
            f"1.5,{T0},y,4,satisfied,3,A1,booking\r\n"  # 6: above the scale
            f"1.6,{T0},maybe,,,3,A1,booking\r\n"  # 7: not y/n
            f"1.7,{T0},Y,5,very_satisfied,5,,\r\n"  # 8: 5 points, no agent known
            f"1.8,{T0},y,0,,3,A1,booking\r\n"  # 9: score below 1
        ).encode()
    )
    result = SURVEYS.read(data)
    reasons = _reasons(result)
    assert reasons[4] == "answered is y but score is empty"
    assert reasons[5] == "answered is n but a score is given"
    assert reasons[6] == "score 4 is above the scale 3"
    assert "'maybe' is not a yes/no value" in reasons[7]
    assert reasons[9] == "score: 0 is below the minimum 1"
    rows = result.rows.to_pylist()
    assert [(r["uniqueid"], r["answered"], r["score"], r["scale"]) for r in rows] == [
        ("1.1", True, 3, 3),
        ("1.2", False, None, 3),
        ("1.7", True, 5, 5),
    ]
    assert rows[2]["agent_id"] is None and rows[2]["queue"] is None
    assert _balanced(result)


def test_agent_state_deferred_is_accepted() -> None:
    data = (
        b"time,agent_id,state,reason,call_id,queue\r\n"
        b"2026-09-01T08:00:00.000+08:00,A1,deferred,email,T2026090100000001,\r\n"
        b"2026-09-01T08:05:00.000+08:00,A1,dialing,web_callback,1788220800.9,\r\n"
    )
    result = AGENT_STATES.read(data)
    assert result.rejects == []
    assert result.rows.column("state").to_pylist() == ["deferred", "dialing"]
    assert result.rows.column("queue").to_pylist() == [None, None]


def test_backlog_truth_must_balance_and_directory_skills_are_checked() -> None:
    backlog = (
        b"hour_start,channel,queue,open_start,arrived,closed,open_end\r\n"
        b"2026-09-01T08:00:00.000+08:00,email,email,3,2,1,4\r\n"
        b"2026-09-01T09:00:00.000+08:00,email,email,4,2,1,4\r\n"
    )
    result = DEFERRED_BACKLOG.read(backlog)
    assert _reasons(result) == {3: "open_start + arrived differs from closed + open_end"}
    directory = (
        b"snapshot_date,agent_id,team,skills,deferred_channels\r\n"
        b"2026-09-01,A1,booking,booking:8;general:5,email;sms\r\n"
        b"2026-09-01,A2,booking,booking=8,\r\n"
    )
    result = AGENT_DIRECTORY.read(directory)
    assert "skills 'booking=8' is not skill:level pairs" in _reasons(result)[3]
    assert result.rows.to_pylist()[0]["snapshot_date"] == date(2026, 9, 1)


def test_every_new_file_is_recognised_by_its_content() -> None:
    sources = all_sources()
    heads = {
        "contacts": CONTACT_HEADER,
        "surveys": SURVEY_HEADER,
        "agent_directory": b"snapshot_date,agent_id,team,skills,deferred_channels\r\n",
        "survey_truth": b"uniqueid,offered_time,agent_id,queue,wait_s,transfers,repeat_call,"
        b"agent_quality,eta,answered,score\r\n",
        "deferred_backlog": b"hour_start,channel,queue,open_start,arrived,closed,open_end\r\n",
        "agent_quality": b"agent_id,group,quality,handle_factor\r\n",
    }
    for name, head in heads.items():
        source = detect(head, "renamed.csv", sources)
        assert source is not None and source.name == name, name


def test_a_contact_delivered_again_with_a_later_state_is_loaded_an_identical_one_is_not(
    tmp_path: Path,
) -> None:
    first = tmp_path / "contacts_20260901.csv"
    first.write_bytes(
        CONTACT_HEADER + contact_line("T1", "open", "") + contact_line("T2", "open", "")
    )
    second = tmp_path / "contacts_20260902.csv"
    # T1 resolved since; T2 exported again unchanged.
    second.write_bytes(
        CONTACT_HEADER + contact_line("T1", "resolved", T2) + contact_line("T2", "open", "")
    )
    db = tmp_path / "ingest.duckdb"
    with Loader(db) as loader:
        loader.ingest([first])
        report = loader.ingest([second])
    assert report.by_source()["contacts"] == {
        "files": 1, "rows_read": 2, "loaded": 1, "duplicate": 1, "quarantined": 0
    }  # fmt: skip
    with duckdb.connect(str(db), read_only=True) as con:
        versions = con.execute(
            "select contact_id, outcome from raw_contacts order by contact_id, outcome"
        ).fetchall()
    assert versions == [("T1", "open"), ("T1", "resolved"), ("T2", "open")]


def test_surveys_are_deduplicated_by_uniqueid(tmp_path: Path) -> None:
    line = f"1.1,{T0},y,3,satisfied,3,A1,booking\r\n".encode()
    a, b = tmp_path / "surveys_20260901.csv", tmp_path / "surveys_copy.csv"
    a.write_bytes(SURVEY_HEADER + line)
    b.write_bytes(SURVEY_HEADER + line + f"1.2,{T0},n,,,3,A1,booking\r\n".encode())
    with Loader(tmp_path / "ingest.duckdb") as loader:
        report = loader.ingest([a, b])
    assert report.by_source()["surveys"] == {
        "files": 2, "rows_read": 3, "loaded": 2, "duplicate": 1, "quarantined": 0
    }  # fmt: skip
