"""The queue models (staging/agents, intermediate/queues, marts/queues), checked two ways.

1. Ground truth. The engine simulates two days of the airline center; ingest loads its
   files, including ``raw_call_truth`` (the engine's exact record of every queue visit);
   the warehouse is built and published. The interval KPIs must EQUAL what this file
   computes from the truth rows alone, in plain Python: no tolerance.
2. A hand-written landing folder (``fixtures/queues/landing``) small enough that every
   KPI of its intervals is worked out by hand below, arithmetic in the comments.

Both build the shipped SQL of the queue models' folders (plus the staging root they read),
copied into a project of their own, so another team's models never decide these tests.
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from acd.simulate import simulate
from ingest.loader import Loader
from warehouse import config
from warehouse.connect import read_only
from warehouse.publish import publish
from warehouse.runner import MODELS_DIR, Project, load_project

FIXTURE_LANDING = Path(__file__).parent / "fixtures" / "queues" / "landing"
ZONE = ZoneInfo("Asia/Shanghai")
SHORT_ABANDON_S = config.VARIABLES["short_abandon_s"].default  # 5
SL_TARGET_S = config.VARIABLES["sl_target_s"].default  # 20

# The queue models and the staging models they read; nothing of the other teams' folders.
QUEUE_MODEL_FILES = (
    "staging/_models.toml",
    "staging/stg_cdr.sql",
    "staging/stg_queue_log.sql",
    "staging/stg_connect_contacts.sql",
    "staging/agents",
    "intermediate/queues",
    "marts/queues",
)

# Outcome names of raw_call_truth and int_queue_visits -> the mart's count columns.
COUNTED = {
    "timeout": "timed_out",
    "exitwithkey": "exited_with_key",
    "exitempty": "exited_empty",
}


def queue_project(folder: Path) -> Project:
    """The shipped queue models, copied into ``folder`` and loaded as a project."""
    for relative in QUEUE_MODEL_FILES:
        source, target = MODELS_DIR / relative, folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return load_project(folder)


def build(
    folder: Path, landing: Path, variables: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    """Ingest ``landing`` and publish the queue models: (ingest db, warehouse db)."""
    ingest_db = folder / "ingest.duckdb"
    if not ingest_db.exists():
        with Loader(ingest_db) as loader:
            report = loader.ingest([landing])
        assert not report.failed
    name = "-".join(f"{key}={value}" for key, value in (variables or {}).items()) or "defaults"
    project = queue_project(folder / f"models-{name}")
    # publish raises DataTestError if any data test of the queue models fails.
    result = publish(folder / f"warehouse-{name}.duckdb", ingest_db, variables, project)
    return ingest_db, result.path


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts, through Arrow (TIMESTAMPTZ values would need pytz otherwise)."""
    with read_only(db) as con:
        return con.sql(sql).to_arrow_table().to_pylist()


def local_interval(epoch_ms: int, minutes: int) -> datetime:
    """Start of the Asia/Shanghai interval of ``minutes`` holding the instant."""
    local = datetime.fromtimestamp(epoch_ms // 1000, ZONE).replace(tzinfo=None)
    return local.replace(minute=local.minute - local.minute % minutes, second=0)


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# ------------------------------------------------------------------------ ground truth


@pytest.fixture(scope="session")
def simulated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("queue_truth")
    # Seed 5: two days with every outcome the engine produces, EXITEMPTY included (the
    # last agent of a queue logging out with callers waiting is rare: seed 7 has none).
    simulate("airline", date(2026, 9, 1), 2, 5, folder / "landing")
    return folder


@pytest.fixture(scope="session", params=[30, 15], ids=["30min", "15min"])
def truth_build(request, simulated) -> tuple[Path, Path, int]:
    minutes = request.param
    ingest_db, warehouse_db = build(simulated, simulated / "landing", {"interval_minutes": minutes})
    return ingest_db, warehouse_db, minutes


@pytest.fixture(scope="session")
def truth_rows(truth_build) -> list[dict[str, Any]]:
    ingest_db = truth_build[0]
    return rows(
        ingest_db,
        "select call_id, queue, epoch_ms(enter_time) as enter_ms, outcome, holdtime_s, "
        "epoch_ms(end_wait_time) as end_wait_ms, agent_id, talk_s, hold_s, acw_s, "
        "transferred_to from raw_call_truth",
    )


def expected_interval_kpis(truth: list[dict[str, Any]], minutes: int) -> dict[tuple, dict]:
    """The interval KPIs from the engine's truth rows, by the definitions of the mart.

    Waits are ``holdtime_s``: the whole seconds Asterisk logs for the visit's wait
    (floor(end) - floor(enter)), which is what the warehouse reads from the queue_log.
    """
    visits_by_key: dict[tuple, list[dict]] = defaultdict(list)
    for visit in truth:
        visits_by_key[(visit["queue"], local_interval(visit["enter_ms"], minutes))].append(visit)
    expected = {}
    for key, visits in visits_by_key.items():
        waits = [v["holdtime_s"] for v in visits if v["outcome"] == "answered"]
        counts = {
            "offered": len(visits),
            "answered": len(waits),
            "abandoned": sum(
                v["outcome"] == "abandoned" and v["holdtime_s"] >= SHORT_ABANDON_S for v in visits
            ),
            "short_abandoned": sum(
                v["outcome"] == "abandoned" and v["holdtime_s"] < SHORT_ABANDON_S for v in visits
            ),
            "timed_out": sum(v["outcome"] == "timeout" for v in visits),
            "exited_with_key": sum(v["outcome"] == "exitwithkey" for v in visits),
            "exited_empty": sum(v["outcome"] == "exitempty" for v in visits),
            "unfinished": 0,  # the engine ends every call it starts
            "answered_within_target": sum(wait <= SL_TARGET_S for wait in waits),
            "longest_wait_s": max(v["holdtime_s"] for v in visits),
        }
        within = counts["answered_within_target"]
        counts["service_level"] = ratio(within, counts["answered"] + counts["abandoned"])
        counts["service_level_offered"] = ratio(within, counts["offered"])
        counts["service_level_excl_short"] = ratio(
            within, counts["offered"] - counts["short_abandoned"]
        )
        counts["asa_s"] = ratio(sum(waits), len(waits))
        counts["abandon_rate"] = ratio(counts["abandoned"], counts["offered"])
        expected[key] = counts
    return expected


def test_interval_kpis_equal_the_engine_truth_exactly(truth_build, truth_rows):
    _, warehouse_db, minutes = truth_build
    expected = expected_interval_kpis(truth_rows, minutes)
    columns = list(next(iter(expected.values())))
    mart = {
        (row["queue"], row["interval_start_local"]): {column: row[column] for column in columns}
        for row in rows(warehouse_db, "select * from mart_interval_kpis where offered > 0")
    }
    assert len(truth_rows) > 20_000 and len(expected) > 100
    assert mart.keys() == expected.keys()
    mismatches = {key: (mart[key], want) for key, want in expected.items() if mart[key] != want}
    assert not mismatches
    # Every outcome the engine produces is exercised, short abandons included.
    totals = {column: sum(kpis[column] for kpis in expected.values()) for column in columns[:8]}
    assert all(totals[c] > 0 for c in ("answered", "abandoned", "short_abandoned", "timed_out"))
    assert totals["exited_with_key"] > 0 and totals["exited_empty"] > 0


def test_intervals_without_calls_still_show_their_staffing(truth_build):
    staffing_only = rows(
        truth_build[1],
        "select * from mart_interval_kpis where offered = 0 order by queue, interval_start_local",
    )
    # Agents finish their shifts after the last call of the evening entered the queue.
    assert staffing_only
    assert all(r["staffed_agent_s"] > 0 and r["service_level"] is None for r in staffing_only)


def visits_against_truth(truth_build, truth_rows) -> list[tuple[dict, dict]]:
    """(visit, truth row) pairs: each call's visits in order against its truth rows in order."""
    visits = rows(
        truth_build[1],
        "select v.*, w.hold_s, w.acw_s, w.talking_s from int_queue_visits as v "
        "left join int_call_work as w on v.call_id = w.call_id and v.agent = w.agent_id "
        "and v.queue = w.queue order by v.call_id, v.visit_number",
    )
    truth_by_call: dict[str, list[dict]] = defaultdict(list)
    for truth in sorted(truth_rows, key=lambda t: t["enter_ms"]):
        truth_by_call[truth["call_id"]].append(truth)
    visits_by_call: dict[str, list[dict]] = defaultdict(list)
    for visit in visits:
        visits_by_call[visit["call_id"]].append(visit)
    assert visits_by_call.keys() == truth_by_call.keys()
    pairs = []
    for call_id, truths in truth_by_call.items():
        assert len(visits_by_call[call_id]) == len(truths), call_id
        pairs.extend(zip(visits_by_call[call_id], truths, strict=True))
    return pairs


def test_each_visit_matches_its_truth_row(truth_build, truth_rows):
    pairs = visits_against_truth(truth_build, truth_rows)
    for visit, truth in pairs:
        assert visit["queue"] == truth["queue"]
        assert visit["outcome"] == truth["outcome"]
        assert visit["wait_s"] == truth["holdtime_s"]
        assert visit["agent"] == truth["agent_id"]
        assert visit["transfer_target"] == truth["transferred_to"]
        assert (visit["ended_by"] == "transfer") == (truth["transferred_to"] is not None)
    next_queues = [v["next_queue"] for v, _ in pairs]
    assert next_queues.count(None) < len(pairs)  # overflows and transfers were linked


def test_talk_hold_and_acw_per_visit_match_the_truth(truth_build, truth_rows):
    """Talk comes from the queue_log, hold and after-call work from the agent states.

    talk_s is Asterisk's calltime: floor(bridge end) - floor(bridge start) in whole seconds,
    and the bridge lasts talk + hold (the caller stays bridged, on music, while held). The
    engine's truth has talk (hold excluded) and hold to the millisecond, so the logged
    calltime is floor(answer + talk + hold) - floor(answer): within a second of talk + hold,
    and exactly that integer unless the CSV's millisecond rounding moved an instant across a
    whole second (fractions within 1.5 ms of one), where the test cannot tell.
    hold_s and acw_s come from one state span each, whose two edges the export rounds to
    the millisecond (0.5 ms each), against truth values printed with 3 decimals (0.5 ms):
    1.5 ms apart at most. The talking state around a hold is two spans (four edges): 2.5 ms.
    """
    answered = [
        (v, t)
        for v, t in visits_against_truth(truth_build, truth_rows)
        if t["outcome"] == "answered"
    ]
    undecidable = 0
    for visit, truth in answered:
        answer_s = truth["end_wait_ms"] / 1000
        bridge_s = truth["talk_s"] + truth["hold_s"]
        assert abs(visit["talk_s"] - bridge_s) < 1.0015
        end_s = answer_s + bridge_s
        near_second = min(end_s % 1, 1 - end_s % 1, answer_s % 1, 1 - answer_s % 1) < 0.0015
        if near_second:
            undecidable += 1
        else:
            assert visit["talk_s"] == math.floor(end_s) - math.floor(answer_s)
        assert visit["hold_s"] == pytest.approx(truth["hold_s"], abs=0.0015)
        assert visit["acw_s"] == pytest.approx(truth["acw_s"], abs=0.0015)
        assert visit["talking_s"] == pytest.approx(truth["talk_s"], abs=0.0025)
    assert len(answered) > 20_000 and undecidable < len(answered) / 100


def test_calls_sum_their_visits(truth_build, truth_rows):
    truth_by_call: dict[str, list[dict]] = defaultdict(list)
    for truth in sorted(truth_rows, key=lambda t: t["enter_ms"]):
        truth_by_call[truth["call_id"]].append(truth)
    calls = {row["call_id"]: row for row in rows(truth_build[1], "select * from fct_calls")}
    assert calls.keys() == truth_by_call.keys()
    for call_id, truths in truth_by_call.items():
        call, answered = calls[call_id], [t for t in truths if t["outcome"] == "answered"]
        assert call["queue_visits"] == len(truths)
        assert call["first_queue"] == truths[0]["queue"]
        assert call["final_outcome"] == truths[-1]["outcome"]
        assert call["total_wait_s"] == sum(t["holdtime_s"] for t in truths)
        assert call["answered_by"] == (answered[-1]["agent_id"] if answered else None)
        assert call["recording_count"] == len(answered)
        if answered:
            assert call["hold_s"] == pytest.approx(sum(t["hold_s"] for t in answered), abs=0.003)
            assert call["acw_s"] == pytest.approx(sum(t["acw_s"] for t in answered), abs=0.003)
        # Every call reached the queues through the IVR: its A-leg is the answered IVR leg.
        assert call["cdr_disposition"] == "ANSWERED" and call["cdr_user_field"].endswith(
            "end=queue"
        )


# ---------------------------------------------------------------- hand-written fixture
#
# fixtures/queues/landing: 2026-09-01, 08:00 to 09:00 in Asia/Shanghai (00:00 UTC is
# 1788220800), two 30-minute intervals. Members: A1001 in booking and general 08:00-08:50,
# A1002 in general 08:00-09:00, A1003 in complaints 08:30-09:00 (ADDMEMBER/REMOVEMEMBER).
#
#   call  queue    entered   what happened (queue_log)                        wait
#   C1    booking  08:01:00  CONNECT A1001, COMPLETECALLER calltime 240;       10
#                            the COMPLETECALLER line is in the file twice
#   C2    booking  08:02:00  ABANDON (short)                                   3
#   C3    booking  08:03:00  ABANDON                                           45
#   C4    booking  08:10:00  EXITWITHTIMEOUT, overflow to general              90
#   C4    general  08:11:30  CONNECT A1002, COMPLETEAGENT calltime 240         5
#   C5    booking  08:20:00  EXITWITHKEY                                       25
#   C6    booking  (none)    CONNECT A1001 08:25, COMPLETEAGENT: no ENTERQUEUE  -
#   C7    booking  08:40:00  CONNECT A1001, BLINDTRANSFER to general, call 100 20
#   C7    general  08:42:00  CONNECT A1002, COMPLETECALLER calltime 180        40
#   C8    booking  08:48:00  ABANDON after exactly 5 s (not short)             5
#   C10   general  08:52:00  nothing more: its closing line is missing         -
#   C9    general  08:55:00  EXITEMPTY when A1002 logged out at 09:00          300
#
# Agent states (agent_states_20260901.csv), available spans in seconds after 08:00:
#   A1001 available 0-65, 340-360, 1440-1497, 1640-2415, 2550-2760; C1 talking 70-120.25,
#         hold 120.25-150.75, talking 150.75-310, acw 310-340; aux 360-1440; C6 talking
#         1500-1620, acw 1620-1640; C7 talking 2420-2520, acw 2520-2550; aux 2760-3000.
#   A1002 available 0-692, 995-2556, 2770-3000; C4 talking 695-935, acw 935-995; C7
#         talking 2560-2740, acw 2740-2770; aux 3000-3600.
#   A1003 available 1800-3600.

C = {
    "C1": "1788220845.1",
    "C2": "1788220905.3",
    "C3": "1788220965.5",
    "C4": "1788221385.7",
    "C5": "1788221985.9",
    "C6": "1788222280.11",
    "C7": "1788223185.13",
    "C8": "1788223665.15",
    "C9": "1788224085.17",
    "C10": "1788223905.19",
}
AT_0800, AT_0830 = datetime(2026, 9, 1, 8, 0), datetime(2026, 9, 1, 8, 30)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("queue_fixture"), FIXTURE_LANDING)[1]


def test_fixture_repeated_line_is_loaded_once(tmp_path):
    with Loader(tmp_path / "ingest.duckdb") as loader:
        report = loader.ingest([FIXTURE_LANDING])
    assert report.by_source()["queue_log"] == {
        "files": 1, "rows_read": 62, "loaded": 61, "duplicate": 1, "quarantined": 0
    }  # fmt: skip


def test_fixture_visits(fixture_db):
    visits = rows(
        fixture_db,
        "select call_id, queue, visit_number, interval_start_local, outcome, agent, wait_s, "
        "talk_s, ended_by, transfer_target, next_queue, enter_position, caller_number, "
        "epoch(end_time)::bigint - 1788220800 as ended_at from int_queue_visits "
        "order by enter_time, visit_number",
    )
    got = [tuple(v.values()) for v in visits]
    assert got == [
        (C["C1"], "booking", 1, AT_0800, "answered", "A1001", 10, 240, "caller", None, None, 1,
         "13800000001", 310),
        (C["C2"], "booking", 1, AT_0800, "abandoned", None, 3, None, None, None, None, 1,
         "13800000002", 123),
        (C["C3"], "booking", 1, AT_0800, "abandoned", None, 45, None, None, None, None, 1,
         "13800000003", 225),
        (C["C4"], "booking", 1, AT_0800, "timeout", None, 90, None, None, None, "general", 1,
         "13800000004", 690),
        (C["C4"], "general", 2, AT_0800, "answered", "A1002", 5, 240, "agent", None, None, 1,
         "13800000004", 935),
        (C["C5"], "booking", 1, AT_0800, "exitwithkey", None, 25, None, None, None, None, 1,
         "13800000005", 1225),
        (C["C7"], "booking", 1, AT_0830, "answered", "A1001", 20, 100, "transfer", "general",
         "general", 1, "13800000007", 2520),
        (C["C7"], "general", 2, AT_0830, "answered", "A1002", 40, 180, "caller", None, None, 1,
         "13800000007", 2740),
        (C["C8"], "booking", 1, AT_0830, "abandoned", None, 5, None, None, None, None, 1,
         "13800000008", 2885),
        (C["C10"], "general", 1, AT_0830, "unfinished", None, None, None, None, None, None, 1,
         "13800000010", None),
        (C["C9"], "general", 1, AT_0830, "exitempty", None, 300, None, None, None, None, 2,
         "13800000009", 3600),
    ]  # fmt: skip


def test_fixture_connect_without_enterqueue_is_kept_as_orphan(fixture_db):
    orphans = rows(
        fixture_db, "select orphan_reason, call_id, event from int_queue_orphan_events order by 3"
    )
    assert [tuple(o.values()) for o in orphans] == [
        ("no_enterqueue", C["C6"], "COMPLETEAGENT"),
        ("no_enterqueue", C["C6"], "CONNECT"),
    ]
    connects = rows(fixture_db, "select * from int_queue_connect_lines order by queue")
    # booking: CONNECTs of C1, C6 and C7 in the log; C6's has no visit.
    assert [tuple(c.values()) for c in connects] == [("booking", 3, 2, 1), ("general", 2, 2, 0)]


def test_fixture_call_work(fixture_db):
    work = rows(fixture_db, "select * from int_call_work order by call_id, agent_id")
    assert [tuple(w.values()) for w in work] == [
        # C1: hold 08:02:00.250-08:02:30.750; talking 50.25 + 159.25; acw 08:05:10-08:05:40.
        (C["C1"], "A1001", "booking", 30.5, 30.0, 209.5),
        (C["C4"], "A1002", "general", 0.0, 60.0, 240.0),
        (C["C6"], "A1001", "booking", 0.0, 20.0, 120.0),  # worked, though no visit
        (C["C7"], "A1001", "booking", 0.0, 30.0, 100.0),
        (C["C7"], "A1002", "general", 0.0, 30.0, 180.0),
    ]


# The mart's KPI columns in the order the hand-computed rows below list them.
KPI_COLUMNS = (
    "offered", "answered", "abandoned", "short_abandoned", "timed_out", "exited_with_key",
    "exited_empty", "unfinished", "answered_within_target", "service_level",
    "service_level_offered", "service_level_excl_short", "asa_s", "aht_s", "handled_known",
    "longest_wait_s", "abandon_rate", "staffed_agent_s", "available_agent_s",
    "handling_agent_s", "occupancy",
)  # fmt: skip


def test_fixture_interval_kpis_by_hand(fixture_db):
    mart = {
        (r["queue"], r["interval_start_local"]): tuple(r[c] for c in KPI_COLUMNS)
        for r in rows(fixture_db, "select * from mart_interval_kpis")
    }
    assert mart == {
        # booking 08:00: C1 answered (10 s), C2 short abandon (3 < 5), C3 abandoned (45),
        # C4 timed out (90), C5 exit with key (25): offered 5 = 1+1+1+1+1.
        # Within target: C1 (10 <= 20). SL = 1 / (1 answered + 1 abandoned) = 0.5;
        # over offered 1/5; without short abandons 1/(5-1). ASA 10/1. AHT: C1 calltime 240
        # (hold inside) + acw 30 = 270. Longest wait 90. Abandon rate 1/5.
        # Staffed: A1001 08:00-08:30 = 1800. Available: A1001 65+20+57+160 = 302.
        # Handling: C1 50.25+30.5+159.25+30 = 270, C6 120+20 = 140 -> 410 (C6 has no
        # visit, its agent time is real). Occupancy 410 / (410 + 302).
        ("booking", AT_0800): (
            5, 1, 1, 1, 1, 1, 0, 0, 1, 1 / 2, 1 / 5, 1 / 4, 10.0, 270.0, 1, 90, 1 / 5,
            1800.0, 302.0, 410.0, 410 / 712,
        ),
        # booking 08:30: C7 answered at exactly the target (20 <= 20), C8 abandoned at
        # exactly the short threshold (5, not < 5). SL 1/(1+1); 1/2; 1/(2-0). ASA 20.
        # AHT: C7 calltime 100 + acw 30 = 130. Staffed: A1001 until 08:50 = 1200.
        # Available: A1001 2415-1800 = 615, + 210 = 825. Handling: C7 100 + 30 = 130.
        ("booking", AT_0830): (
            2, 1, 1, 0, 0, 0, 0, 0, 1, 1 / 2, 1 / 2, 1 / 2, 20.0, 130.0, 1, 20, 1 / 2,
            1200.0, 825.0, 130.0, 130 / 955,
        ),
        # complaints 08:30: no call, A1003 a member and available 08:30-09:00: the row
        # exists for its staffing; every ratio over calls is NULL, occupancy 0/(0+1800).
        ("complaints", AT_0830): (
            0, 0, 0, 0, 0, 0, 0, 0, 0, None, None, None, None, None, 0, None, None,
            1800.0, 1800.0, 0.0, 0.0,
        ),
        # general 08:00: C4's overflow visit answered in 5 s. SL 1/1. ASA 5. AHT 240 + 60.
        # Staffed: A1001 1800 + A1002 1800. Available: A1001 302 (a member of general
        # too) + A1002 692 + 805 = 1799. Handling: C4 240 + 60 = 300.
        ("general", AT_0800): (
            1, 1, 0, 0, 0, 0, 0, 0, 1, 1.0, 1.0, 1.0, 5.0, 300.0, 1, 5, 0.0,
            3600.0, 1799.0, 300.0, 300 / 2099,
        ),
        # general 08:30: C7's transfer visit answered in 40 s (> 20), C10 unfinished,
        # C9 exited empty (300). SL 0/(1+0); 0/3; 0/(3-0). ASA 40. AHT 180 + 30.
        # Longest wait 300. Staffed: A1001 1200 + A1002 1800. Available: A1001 825 +
        # A1002 756 + 230 = 1811. Handling: C7 180 + 30 = 210.
        ("general", AT_0830): (
            3, 1, 0, 0, 0, 0, 1, 1, 0, 0.0, 0.0, 0.0, 40.0, 210.0, 1, 300, 0.0,
            3000.0, 1811.0, 210.0, 210 / 2021,
        ),
    }  # fmt: skip


def test_fixture_calls(fixture_db):
    calls = rows(
        fixture_db,
        "select call_id, queue_visits, first_queue, final_queue, final_outcome, total_wait_s, "
        "answered_by, transferred, talk_s, hold_s, acw_s, handle_s, cdr_billsec_s, "
        "cdr_user_field, recording_count, recording_id from fct_calls order by first_enter_time",
    )
    assert [tuple(c.values()) for c in calls] == [
        # C1: the A-leg (from-pstn) is chosen over the agent leg written before it.
        (C["C1"], 1, "booking", "booking", "answered", 10, "A1001", False, 240, 30.5, 30.0,
         270.0, 265, "ivr=1;end=queue", 1, "R000000001"),
        (C["C2"], 1, "booking", "booking", "abandoned", 3, None, False, None, None, None,
         None, 18, "ivr=1;end=queue", 0, None),
        (C["C3"], 1, "booking", "booking", "abandoned", 45, None, False, None, None, None,
         None, None, None, 0, None),
        # C4: 90 s in booking + 5 s in general.
        (C["C4"], 2, "booking", "general", "answered", 95, "A1002", False, 240, 0.0, 60.0,
         300.0, None, None, 1, "R000000002"),
        (C["C5"], 1, "booking", "booking", "exitwithkey", 25, None, False, None, None, None,
         None, None, None, 0, None),
        # C7: talk 100 + 180, acw 30 + 30; the recording of the last answered visit.
        (C["C7"], 2, "booking", "general", "answered", 60, "A1002", True, 280, 0.0, 60.0,
         340.0, 355, "ivr=1;end=queue", 2, "R000000005"),
        (C["C8"], 1, "booking", "booking", "abandoned", 5, None, False, None, None, None,
         None, None, None, 0, None),
        (C["C10"], 1, "general", "general", "unfinished", None, None, False, None, None,
         None, None, None, None, 0, None),
        (C["C9"], 1, "general", "general", "exitempty", 300, None, False, None, None, None,
         None, None, None, 0, None),
    ]  # fmt: skip


def test_fixture_in_15_minute_intervals(tmp_path):
    db = build(tmp_path, FIXTURE_LANDING, {"interval_minutes": 15})[1]
    mart = rows(
        db,
        "select queue, strftime(interval_start_local, '%H:%M') as starts, offered, "
        "staffed_agent_s, handling_agent_s from mart_interval_kpis order by queue, starts",
    )
    assert [tuple(r.values()) for r in mart] == [
        # booking: C1-C4 08:00-08:15, C5 08:20, C7 08:40, C8 08:48; A1001 a member until
        # 08:50. Handling: C1 270 (by 08:05:40); C6 08:25-08:27:20 = 140; C7 130.
        ("booking", "08:00", 4, 900.0, 270.0),
        ("booking", "08:15", 1, 900.0, 140.0),
        ("booking", "08:30", 1, 900.0, 130.0),
        ("booking", "08:45", 1, 300.0, 0.0),
        ("complaints", "08:30", 0, 900.0, 0.0),
        ("complaints", "08:45", 0, 900.0, 0.0),
        # general: C4's overflow 08:11:30, C7's transfer 08:42, C10 08:52, C9 08:55.
        # Handling is cut at the interval edges: C4 08:11:35-08:16:35 gives 08:00 its
        # 205 s (to 08:15) and 08:15 the other 95; C7 08:42:40-08:46:10: 140 then 70.
        ("general", "08:00", 1, 1800.0, 205.0),
        ("general", "08:15", 0, 1800.0, 95.0),
        ("general", "08:30", 1, 1800.0, 140.0),
        ("general", "08:45", 2, 1200.0, 70.0),
    ]  # fmt: skip
