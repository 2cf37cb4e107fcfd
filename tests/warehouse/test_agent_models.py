"""The agent models (intermediate/agents, marts/agents), checked against the raw files.

1. Two simulated days of the airline center, ingested and published with the shipped
   models. mart_agent_daily must agree with a plain-Python reading of the landing folder:
   seconds per state from ``agent_states/*.csv``, handled calls and transfers from
   ``truth/*.csv``, ring-no-answers and repeat calls from the ``queue_log`` files.
   int_agent_states_from_queue_log must agree with the agent-state export on logged-in and
   talk time per agent and day, within the queue_log's whole-second truncation.
2. A hand-written queue_log (``fixtures/agents/landing``) whose queue_log-derived spans are
   worked out by hand below.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from acd.simulate import simulate
from ingest.loader import Loader
from warehouse.connect import read_only
from warehouse.publish import publish

FIXTURE_LANDING = Path(__file__).parent / "fixtures" / "agents" / "landing"
ZONE = ZoneInfo("Asia/Shanghai")
AUX_REASONS = ("break", "lunch", "training", "meeting", "coaching")
ENDING_EVENTS = {
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "BLINDTRANSFER",
    "ATTENDEDTRANSFER",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITWITHKEY",
    "EXITEMPTY",
}
SECONDS_COLUMNS = (
    "login_s",
    "available_s",
    "talk_s",
    "hold_s",
    "acw_s",
    "aux_s",
    "deferred_s",
    *(f"aux_{reason}_s" for reason in (*AUX_REASONS, "other")),
)


def build(folder: Path, landing: Path) -> Path:
    """Ingest ``landing`` and publish the shipped models; the warehouse file."""
    ingest_db = folder / "ingest.duckdb"
    with Loader(ingest_db) as loader:
        report = loader.ingest([landing])
    assert not report.failed
    # publish raises DataTestError if any data test (the agent models' included) fails.
    return publish(folder / "warehouse.duckdb", ingest_db).path


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts, through Arrow (TIMESTAMPTZ values would need pytz otherwise)."""
    with read_only(db) as con:
        return con.sql(sql).to_arrow_table().to_pylist()


def local_day(epoch_s: float) -> date:
    return datetime.fromtimestamp(epoch_s, ZONE).date()


# ------------------------------------------------------------------ simulated airline


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("agent_truth")
    landing = folder / "landing"
    simulate("airline", date(2026, 9, 1), 2, 7, landing)
    return landing, build(folder, landing)


def read_csvs(folder: Path, pattern: str = "*.csv") -> list[dict[str, str]]:
    records = []
    for path in sorted(folder.glob(pattern)):
        with path.open(newline="", encoding="utf-8") as file:
            records.extend(csv.DictReader(file))
    return records


def expected_seconds(landing: Path) -> dict[tuple[str, date], dict[str, float]]:
    """Seconds per state and aux reason per agent and local day, from the state export.

    A row's state lasts until the agent's next row and counts on the local day it started
    (the date printed in its local ISO time); the agent's last row counts nowhere.
    """
    by_agent: dict[str, list[tuple[datetime, dict[str, str]]]] = defaultdict(list)
    for record in read_csvs(landing / "agent_states"):
        by_agent[record["agent_id"]].append((datetime.fromisoformat(record["time"]), record))
    seconds: dict[tuple[str, date], dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(SECONDS_COLUMNS, 0.0)
    )
    for agent_id, timeline in by_agent.items():
        timeline.sort(key=lambda item: item[0])  # stable: file order within an instant
        for (start, record), (end, _) in pairwise(timeline):
            state, duration_s = record["state"], (end - start).total_seconds()
            day = seconds[(agent_id, start.date())]
            if state != "logged_out":
                day["login_s"] += duration_s
            if state in ("available", "hold", "acw", "aux", "deferred"):
                day[f"{state}_s"] += duration_s
            if state == "talking":
                day["talk_s"] += duration_s
            if state == "aux":
                reason = record["reason"] if record["reason"] in AUX_REASONS else "other"
                day[f"aux_{reason}_s"] += duration_s
    return seconds


def queue_log_lines(landing: Path) -> list[list[str]]:
    lines = []
    for path in sorted((landing / "asterisk").glob("queue_log*")):
        lines.extend(line.split("|") for line in path.read_text(encoding="utf-8").splitlines())
    return lines


def expected_counts(landing: Path) -> dict[tuple[str, date], dict[str, int]]:
    """Handled calls, transfers, repeat calls and ring-no-answers per agent and local day.

    Handled and transfers from the truth rows (answered, by the day the visit entered);
    ring-no-answers are the RINGNOANSWER lines; a handled call is a repeat call when its
    caller's number (ENTERQUEUE) first entered on another call within 7 days after the
    call's last ending line.
    """
    lines = queue_log_lines(landing)
    caller, first_enter, call_end = {}, {}, {}
    counts: dict[tuple[str, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("handled_calls", "transfers", "repeat_calls", "ring_no_answer"), 0)
    )
    for fields in lines:
        epoch, call_id, _, agent, event = int(fields[0]), *fields[1:5]
        if event == "ENTERQUEUE":
            caller.setdefault(call_id, fields[6])
            first_enter[call_id] = min(epoch, first_enter.get(call_id, epoch))
        elif event in ENDING_EVENTS:
            call_end[call_id] = max(epoch, call_end.get(call_id, epoch))
        elif event == "RINGNOANSWER":
            counts[(agent, local_day(epoch))]["ring_no_answer"] += 1
    enters_by_caller: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for call_id, number in caller.items():
        if number:
            enters_by_caller[number].append((first_enter[call_id], call_id))
    for truth in read_csvs(landing / "truth", "call_truth_*.csv"):
        if truth["outcome"] != "answered":
            continue
        day = counts[(truth["agent_id"], datetime.fromisoformat(truth["enter_time"]).date())]
        day["handled_calls"] += 1
        day["transfers"] += bool(truth["transferred_to"])
        call_id, end = truth["call_id"], call_end[truth["call_id"]]
        day["repeat_calls"] += any(
            other != call_id and end < entered <= end + 7 * 86_400
            for entered, other in enters_by_caller.get(caller[call_id], ())
        )
    return counts


def test_mart_agent_daily_matches_the_raw_files(simulated):
    landing, warehouse_db = simulated
    seconds, counts = expected_seconds(landing), expected_counts(landing)
    mart = {
        (r["agent_id"], r["day_local"]): r
        for r in rows(warehouse_db, "select * from mart_agent_daily")
    }
    assert mart.keys() == seconds.keys() | counts.keys()
    assert len(mart) > 400
    for key, row in mart.items():
        want_counts = counts.get(key, dict.fromkeys(counts[next(iter(counts))], 0))
        assert {column: row[column] for column in want_counts} == want_counts, key
        want = seconds[key]
        for column in SECONDS_COLUMNS:
            # Both read the same millisecond instants; only float summation differs.
            assert row[column] == pytest.approx(want[column], abs=1e-6), (key, column)
        handling = want["talk_s"] + want["hold_s"] + want["acw_s"]
        working = handling + want["deferred_s"]
        if handling + want["available_s"]:
            assert row["occupancy"] == pytest.approx(handling / (handling + want["available_s"]))
        if working + want["available_s"]:
            assert row["blended_occupancy"] == pytest.approx(
                working / (working + want["available_s"])
            )
        assert row["utilisation"] == pytest.approx(working / want["login_s"])
    totals = {
        column: sum(row[column] for row in mart.values())
        for column in ("handled_calls", "transfers", "repeat_calls", "ring_no_answer")
    }
    assert all(total > 0 for total in totals.values()), totals
    assert all(sum(row[f"aux_{r}_s"] for row in mart.values()) > 0 for r in AUX_REASONS)
    assert sum(row["deferred_s"] for row in mart.values()) > 0  # blended agents worked items


def test_aht_matches_the_truth_within_a_second(simulated):
    """AHT = (Asterisk calltime + acw) / handled calls; calltime is talk + hold truncated to
    whole seconds (floor(end) - floor(answer)), so each call is within 1 s of the truth's
    talk + hold + acw (plus the CSV's millisecond rounding)."""
    landing, warehouse_db = simulated
    handled: dict[tuple[str, date], list[float]] = defaultdict(list)
    for truth in read_csvs(landing / "truth", "call_truth_*.csv"):
        if truth["outcome"] == "answered":
            key = (truth["agent_id"], datetime.fromisoformat(truth["enter_time"]).date())
            handled[key].append(sum(float(truth[c]) for c in ("talk_s", "hold_s", "acw_s")))
    mart = rows(warehouse_db, "select * from mart_agent_daily where handled_calls > 0")
    assert {(r["agent_id"], r["day_local"]) for r in mart} == handled.keys()
    for row in mart:
        handle_times = handled[(row["agent_id"], row["day_local"])]
        assert row["handled_known"] == len(handle_times)
        assert row["aht_s"] == pytest.approx(sum(handle_times) / len(handle_times), abs=1.0015)


def test_queue_log_states_agree_with_the_export(simulated):
    """Logged-in and talk seconds per agent and day, queue_log-derived vs the export.

    Every queue_log edge is the export's instant truncated to the second, so each span
    (a login stretch, a CONNECT-to-COMPLETE bridge) is off by less than one second, and a
    day by less than its number of such spans. Talk in the export is talking + hold of
    inbound calls (outbound talk carries a reason and never reaches the queue_log);
    available time is not compared: after-call work and ringing are available there.
    """
    _, warehouse_db = simulated
    compared = rows(
        warehouse_db,
        """
        with export as (
            select agent_id, day_local,
                sum(duration_s) filter (where state <> 'logged_out') as login_s,
                coalesce(sum(duration_s) filter (
                    where state in ('talking', 'hold') and reason is null), 0) as talk_s
            from int_agent_state_spans where duration_s is not null group by all
        ),
        from_log as (
            select agent_id, day_local,
                sum(duration_s) filter (where state <> 'logged_out') as login_s,
                coalesce(sum(duration_s) filter (where state = 'talking'), 0) as talk_s,
                count(*) filter (where state = 'talking') as talks,
                count(*) filter (where state = 'logged_out') + 1 as logins
            from int_agent_states_from_queue_log where duration_s is not null group by all
        )
        select export.agent_id, export.day_local, export.login_s, export.talk_s,
            from_log.login_s as log_login_s, from_log.talk_s as log_talk_s, talks, logins
        from export full join from_log using (agent_id, day_local)
        """,
    )
    assert len(compared) > 400
    for row in compared:
        assert abs(row["login_s"] - row["log_login_s"]) < row["logins"], row
        assert abs(row["talk_s"] - row["log_talk_s"]) < max(row["talks"], 1), row
    total_talk = sum(row["talk_s"] for row in compared)
    assert sum(row["log_talk_s"] for row in compared) == pytest.approx(total_talk, rel=1e-4)
    sources = rows(warehouse_db, "select distinct source from int_agent_states_from_queue_log")
    assert sources == [{"source": "queue_log"}]


# ---------------------------------------------------------------- hand-written fixture
#
# fixtures/agents/landing/asterisk/queue_log: 2026-09-01 from 08:00 Asia/Shanghai (00:00
# UTC, epoch 1788220800); seconds below are after 08:00.
#   A1001  ADDMEMBER booking + general 0; C1 (booking) CONNECT 100, COMPLETECALLER 400;
#          PAUSEALL break 600 (+ PAUSE booking, general); UNPAUSEALL 1500 (+ UNPAUSEs);
#          PAUSE booking only 1800-2000 (still takes general's calls: available);
#          ADDMEMBER general again 2400 (already a member: no change); C2 (general)
#          CONNECT 2500, BLINDTRANSFER 2700; REMOVEMEMBER booking 3000, general 3600.
#          RINGNOANSWER on C3 at 985.
#   A1002  ADDMEMBER general PAUSED 300 (aux, no reason); UNPAUSE 500; C3 (general)
#          CONNECT 1000; REMOVEMEMBER 1100 while talking; COMPLETEAGENT 1200.
#   C1 and C3 come from the same number 13800000001; C3 entered (970) after C1 ended (400):
#   C1 is a repeat call. C2 is from another number.
FIXTURE_SPANS = {
    "A1001": [
        ("available", None, None, 0, 100),
        ("talking", None, "1788220890.1", 100, 400),
        ("available", None, None, 400, 600),
        ("aux", "break", None, 600, 1500),
        ("available", None, None, 1500, 2500),
        ("talking", None, "1788223285.5", 2500, 2700),
        ("available", None, None, 2700, 3600),
        ("logged_out", None, None, 3600, None),
    ],
    "A1002": [
        ("aux", None, None, 300, 500),
        ("available", None, None, 500, 1000),
        ("talking", None, "1788220965.3", 1000, 1200),
        ("logged_out", None, None, 1200, None),
    ],
}
AT_0800 = 1788220800


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("agent_fixture"), FIXTURE_LANDING)


def test_fixture_queue_log_spans_by_hand(fixture_db):
    spans = rows(
        fixture_db,
        "select agent_id, state, reason, call_id, epoch(start_time) as start_s, "
        "epoch(end_time) as end_s, duration_s, day_local, source "
        "from int_agent_states_from_queue_log order by agent_id, start_time",
    )
    got: dict[str, list[tuple]] = defaultdict(list)
    for span in spans:
        start = span["start_s"] - AT_0800
        end = None if span["end_s"] is None else span["end_s"] - AT_0800
        got[span["agent_id"]].append((span["state"], span["reason"], span["call_id"], start, end))
        assert span["duration_s"] == (None if end is None else end - start)
        assert span["day_local"] == date(2026, 9, 1) and span["source"] == "queue_log"
    assert got == FIXTURE_SPANS


def test_fixture_queue_log_seconds_by_hand(fixture_db):
    totals = rows(
        fixture_db,
        "select agent_id, sum(duration_s) filter (where state <> 'logged_out') as login_s, "
        "sum(duration_s) filter (where state = 'talking') as talk_s, "
        "sum(duration_s) filter (where state = 'aux') as aux_s "
        "from int_agent_states_from_queue_log group by agent_id order by agent_id",
    )
    assert totals == [
        # 0 to 3600 logged in; talk 300 + 200; break 600-1500.
        {"agent_id": "A1001", "login_s": 3600, "talk_s": 500, "aux_s": 900},
        # 300 to 1200 (the member was removed at 1100 mid-call; talk ends at 1200).
        {"agent_id": "A1002", "login_s": 900, "talk_s": 200, "aux_s": 200},
    ]


def test_fixture_mart_counts_by_hand(fixture_db):
    mart = rows(
        fixture_db,
        "select agent_id, day_local, handled_calls, transfers, repeat_calls, ring_no_answer, "
        "login_s, aht_s, occupancy from mart_agent_daily order by agent_id",
    )
    # No agent-state export in this landing: seconds are 0 and the ratios NULL; AHT needs
    # the export's acw spans, so it is unknown too.
    assert mart == [
        {
            "agent_id": "A1001",
            "day_local": date(2026, 9, 1),
            "handled_calls": 2,
            "transfers": 1,
            "repeat_calls": 1,
            "ring_no_answer": 1,
            "login_s": 0,
            "aht_s": None,
            "occupancy": None,
        },
        {
            "agent_id": "A1002",
            "day_local": date(2026, 9, 1),
            "handled_calls": 1,
            "transfers": 0,
            "repeat_calls": 0,
            "ring_no_answer": 0,
            "login_s": 0,
            "aht_s": None,
            "occupancy": None,
        },
    ]


def test_fixture_spans_start_on_the_local_clock(fixture_db):
    # Epoch 1788220800 is 00:00 UTC, 08:00 in Asia/Shanghai.
    first = rows(
        fixture_db,
        "select start_time_local from int_agent_states_from_queue_log order by start_time limit 1",
    )
    assert first == [{"start_time_local": datetime(2026, 9, 1, 8, 0)}]


# ------------------------------------------------------- hand-made deferred work
#
# One agent's hour, 2026-09-01 08:00-09:00 Asia/Shanghai, in the agent-state export:
#   08:00:00 available                          600 s
#   08:10:00 deferred email T1                  600 s  (answering an e-mail)
#   08:20:00 ringing call 1.1 booking            10 s
#   08:20:10 talking 1.1 booking                290 s
#   08:25:00 acw 1.1 booking                     60 s
#   08:26:00 deferred voicemail T2              120 s  (listening to a voicemail)
#   08:28:00 dialing voicemail 1.2               20 s  (calling the customer back)
#   08:28:20 talking voicemail 1.2              100 s
#   08:30:00 acw voicemail 1.2                   60 s
#   08:31:00 aux break                         1740 s
#   09:00:00 logged_out
DEFERRED_DAY = """time,agent_id,state,reason,call_id,queue
2026-09-01T08:00:00.000+08:00,A1,available,,,
2026-09-01T08:10:00.000+08:00,A1,deferred,email,T1,
2026-09-01T08:20:00.000+08:00,A1,ringing,,1.1,booking
2026-09-01T08:20:10.000+08:00,A1,talking,,1.1,booking
2026-09-01T08:25:00.000+08:00,A1,acw,,1.1,booking
2026-09-01T08:26:00.000+08:00,A1,deferred,voicemail,T2,
2026-09-01T08:28:00.000+08:00,A1,dialing,voicemail,1.2,
2026-09-01T08:28:20.000+08:00,A1,talking,voicemail,1.2,
2026-09-01T08:30:00.000+08:00,A1,acw,voicemail,1.2,
2026-09-01T08:31:00.000+08:00,A1,aux,break,,
2026-09-01T09:00:00.000+08:00,A1,logged_out,,,
"""


def test_deferred_work_is_productive_but_outside_voice_occupancy(tmp_path):
    landing = tmp_path / "landing" / "agent_states"
    landing.mkdir(parents=True)
    (landing / "agent_states_20260901.csv").write_text(DEFERRED_DAY.replace("\n", "\r\n"))
    db = build(tmp_path, tmp_path / "landing")
    [day] = rows(db, "select * from mart_agent_daily")
    assert {k: day[k] for k in ("login_s", "available_s", "deferred_s", "deferred_contacts")} == {
        "login_s": 3600, "available_s": 600, "deferred_s": 720, "deferred_contacts": 2
    }  # fmt: skip
    # The callback's call is outbound voice work: dialing, talk and acw like any other.
    assert (day["ringing_s"], day["dialing_s"], day["talk_s"], day["acw_s"]) == (10, 20, 390, 120)
    assert day["aux_s"] == day["aux_break_s"] == 1740
    # Voice occupancy: voice busy (talk + hold + acw = 510) over voice busy + available
    # (600); the 720 s of deferred work are in neither side.
    assert day["occupancy"] == pytest.approx(510 / 1110)
    # Blended: (510 + 720) / (510 + 720 + 600); utilisation: (510 + 720) / 3600.
    assert day["blended_occupancy"] == pytest.approx(1230 / 1830)
    assert day["utilisation"] == pytest.approx(1230 / 3600)
    # Queue handling counts the booking call only: the callback has no queue.
    handling = rows(
        db,
        "select queue, sum(handling_s) as handling_s, sum(available_s) as available_s "
        "from int_queue_agent_intervals group by queue",
    )
    assert handling == [{"queue": "booking", "handling_s": 350.0, "available_s": 0.0}]
