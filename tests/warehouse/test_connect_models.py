"""Amazon Connect contact records reach the same call model as Asterisk's queue_log.

Seven hand-written CTRs (one delivered twice, one never queued) are loaded and built;
each figure below is counted by hand from the records in this file.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingest.loader import Loader
from warehouse.publish import publish


def ctr(contact_id: str, updated: str, **fields) -> dict:
    record = {
        "ContactId": contact_id,
        "Channel": "VOICE",
        "InitiationMethod": fields.pop("method", "INBOUND"),
        "InitiationTimestamp": fields.pop("start", "2026-09-01T02:00:00Z"),
        "LastUpdateTimestamp": updated,
        "CustomerEndpoint": {"Address": "+8613800138000", "Type": "TELEPHONE_NUMBER"},
    }
    record.update(fields)
    return record


def queue(name: str, enqueue: str, dequeue: str | None, duration: int | None) -> dict:
    return {
        "Name": name,
        "EnqueueTimestamp": enqueue,
        "DequeueTimestamp": dequeue,
        "Duration": duration,
    }


def agent(name: str, connected: str, interaction: int, hold: int, acw: int) -> dict:
    return {
        "Username": name,
        "ConnectedToAgentTimestamp": connected,
        "AgentInteractionDuration": interaction,
        "CustomerHoldDuration": hold,
        "NumberOfHolds": 1 if hold else 0,
        "AfterContactWorkDuration": acw,
    }


# 02:00Z is 10:00 in Asia/Shanghai: every booking visit enters the 10:00 interval.
RECORDS = [
    # answered after 15 s; talk 120 + hold 30, after-contact work 45
    ctr(
        "c1",
        "2026-09-01T02:03:30Z",
        Queue=queue("booking", "2026-09-01T02:00:00Z", "2026-09-01T02:00:15Z", 15),
        Agent=agent("alice", "2026-09-01T02:00:15Z", 120, 30, 45),
        DisconnectTimestamp="2026-09-01T02:02:45Z",
        DisconnectReason="CUSTOMER_DISCONNECT",
    ),
    # abandoned after 40 s
    ctr(
        "c2",
        "2026-09-01T02:05:41Z",
        Queue=queue("booking", "2026-09-01T02:05:00Z", "2026-09-01T02:05:40Z", 40),
        DisconnectTimestamp="2026-09-01T02:05:40Z",
        DisconnectReason="CUSTOMER_DISCONNECT",
    ),
    # a short abandon: 3 s (under short_abandon_s = 5)
    ctr(
        "c3",
        "2026-09-01T02:10:04Z",
        Queue=queue("booking", "2026-09-01T02:10:00Z", "2026-09-01T02:10:03Z", 3),
        DisconnectTimestamp="2026-09-01T02:10:03Z",
        DisconnectReason="CUSTOMER_DISCONNECT",
    ),
    # the flow moves c4 out of booking after 60 s into general (contact c5), answered there
    ctr(
        "c4",
        "2026-09-01T02:21:00Z",
        Queue=queue("booking", "2026-09-01T02:20:00Z", "2026-09-01T02:21:00Z", 60),
        NextContactId="c5",
        DisconnectTimestamp="2026-09-01T02:21:00Z",
        DisconnectReason="CONTACT_FLOW_DISCONNECT",
    ),
    ctr(
        "c5",
        "2026-09-01T02:23:00Z",
        method="QUEUE_TRANSFER",
        InitialContactId="c4",
        PreviousContactId="c4",
        Queue=queue("general", "2026-09-01T02:21:00Z", "2026-09-01T02:21:10Z", 10),
        Agent=agent("bob", "2026-09-01T02:21:10Z", 60, 0, 20),
        DisconnectTimestamp="2026-09-01T02:22:10Z",
        DisconnectReason="AGENT_DISCONNECT",
    ),
    # c6 delivered while it waited, then again once answered (25 s): the newest counts
    ctr(
        "c6",
        "2026-09-01T02:25:10Z",
        Queue=queue("booking", "2026-09-01T02:25:00Z", None, None),
    ),
    ctr(
        "c6",
        "2026-09-01T02:27:00Z",
        Queue=queue("booking", "2026-09-01T02:25:00Z", "2026-09-01T02:25:25Z", 25),
        Agent=agent("alice", "2026-09-01T02:25:25Z", 60, 0, 0),
        DisconnectTimestamp="2026-09-01T02:26:25Z",
        DisconnectReason="CUSTOMER_DISCONNECT",
    ),
    # served by the IVR alone: never queued, not a visit
    ctr(
        "c7",
        "2026-09-01T02:31:00Z",
        DisconnectTimestamp="2026-09-01T02:30:50Z",
        DisconnectReason="CUSTOMER_DISCONNECT",
    ),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("connect")
    landing = root / "landing"
    landing.mkdir()
    (landing / "ctr-2026-09-01.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8"
    )
    with Loader(root / "ingest.duckdb") as loader:
        report = loader.ingest([landing])
    assert report.by_source()["connect_ctr"]["loaded"] == len(RECORDS)
    publish(root / "warehouse.duckdb", root / "ingest.duckdb")
    return root / "warehouse.duckdb"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_each_queued_contact_is_one_visit_with_its_outcome(warehouse):
    visits = rows(
        warehouse,
        """select call_id, queue, outcome, agent, wait_s, talk_s, ended_by, next_queue,
            visit_number, platform
        from int_queue_visits order by call_id, visit_number""",
    )
    assert visits == [
        ("c1", "booking", "answered", "alice", 15, 150, "caller", None, 1, "connect"),
        ("c2", "booking", "abandoned", None, 40, None, None, None, 1, "connect"),
        ("c3", "booking", "abandoned", None, 3, None, None, None, 1, "connect"),
        ("c4", "booking", "timeout", None, 60, None, None, "general", 1, "connect"),
        ("c4", "general", "answered", "bob", 10, 60, "agent", None, 2, "connect"),
        ("c6", "booking", "answered", "alice", 25, 60, "caller", None, 1, "connect"),
    ]


def test_interval_kpis_count_connect_visits_like_asterisk_ones(warehouse):
    (booking,) = rows(
        warehouse,
        """select offered, answered, abandoned, short_abandoned, timed_out,
            answered_within_target, service_level, asa_s, aht_s, longest_wait_s
        from mart_interval_kpis
        where queue = 'booking' and interval_start_local = timestamp '2026-09-01 10:00'""",
    )
    # offered c1 c2 c3 c4 c6; answered c1 (15 s) c6 (25 s); abandoned c2; short c3;
    # timed out c4; SL = 1 within 20 s / (2 answered + 1 abandoned);
    # ASA = (15 + 25) / 2; AHT = ((120 + 30 + 45) + (60 + 0 + 0)) / 2.
    assert booking == (5, 2, 1, 1, 1, 1, pytest.approx(1 / 3), 20.0, 127.5, 60)
    (general,) = rows(
        warehouse,
        "select offered, answered, asa_s, aht_s from mart_interval_kpis where queue = 'general'",
    )
    assert general == (1, 1, 10.0, 80.0)  # AHT = 60 talk + 0 hold + 20 after-contact work


def test_a_transferred_chain_is_one_call(warehouse):
    (call,) = rows(
        warehouse,
        """select queue_visits, first_queue, final_queue, final_outcome, answered_by,
            total_wait_s, hold_s, acw_s
        from fct_calls where call_id = 'c4'""",
    )
    assert call == (2, "booking", "general", "answered", "bob", 70, 0, 20)
