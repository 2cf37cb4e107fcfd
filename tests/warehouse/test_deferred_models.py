"""The deferred-contact and survey models (staging/deferred, intermediate/deferred,
marts/deferred), checked two ways.

1. Engine data. Two simulated days of the airline center (deferred channels, callbacks and
   the post-call survey switched on), plus a survey file naming calls the warehouse does
   not know, ingested and published with the shipped models. mart_backlog must equal the
   engine's own hourly counts (``truth/deferred_backlog_*.csv``) and a plain-Python
   reading of the contacts export; mart_csat must equal a count of the raw survey files;
   fct_surveys' drivers must equal the engine's survey truth.
2. A hand-written contacts export, with a contact delivered twice, whose backlog hours
   are worked out by hand below.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from acd.simulate import simulate
from callcenter_cli import main
from ingest.loader import Loader
from ingest.readers import tariffs
from warehouse.connect import read_only
from warehouse.publish import PublishResult, publish

ZONE = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
CHANNELS = ("email", "sms", "web_callback", "voicemail")

# Surveys the warehouse cannot match: an unknown uniqueid (answered, unsatisfied), another
# (not answered), and the uniqueid of a callback's outbound call (in Master.csv, no queue).
UNKNOWN_SURVEYS = (
    "uniqueid,offered_time,answered,score,label,scale,agent_id,queue\r\n"
    "9999999999.1,2026-09-02T12:00:00.000+08:00,y,1,unsatisfied,3,A1001,booking\r\n"
    "9999999999.2,2026-09-02T12:05:00.000+08:00,n,,,3,A1001,booking\r\n"
    "{callback},2026-09-02T12:10:00.000+08:00,y,3,satisfied,3,A1002,booking\r\n"
)


def build(landing: Path, folder: Path) -> tuple[Path, Path, PublishResult]:
    """Ingest ``landing`` and publish every shipped model: (ingest db, warehouse db, result)."""
    ingest_db = folder / "ingest.duckdb"
    with Loader(ingest_db) as loader:
        report = loader.ingest([landing])
    assert not report.failed, report.failed
    warehouse_db = folder / "warehouse.duckdb"
    # publish raises DataTestError if any data test fails (backlog balance included).
    return ingest_db, warehouse_db, publish(warehouse_db, ingest_db)


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts, through Arrow (TIMESTAMPTZ values would need pytz otherwise)."""
    with read_only(db) as con:
        return con.sql(sql).to_arrow_table().to_pylist()


def read_csvs(pattern: str, landing: Path) -> list[dict[str, str]]:
    records = []
    for path in sorted(landing.glob(pattern)):
        with path.open(newline="", encoding="utf-8") as file:
            records.extend(csv.DictReader(file))
    return records


def instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def local_hour(when: datetime) -> datetime:
    """The naive local hour (Asia/Shanghai) holding an aware instant."""
    return when.astimezone(ZONE).replace(minute=0, second=0, microsecond=0, tzinfo=None)


# ---------------------------------------------------------------------- engine data


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("deferred_truth")
    landing = folder / "landing"
    simulate("airline", date(2026, 9, 1), 2, 7, landing)
    (landing / "billing").mkdir()
    (landing / "billing" / "tariffs.csv").write_text(tariffs.DEFAULT_TARIFF_CSV, encoding="utf-8")
    callbacks = callback_calls(landing)
    some_callback = sorted(callbacks)[0]
    (landing / "surveys" / "surveys_20260902_platform_resend.csv").write_text(
        UNKNOWN_SURVEYS.format(callback=some_callback), encoding="utf-8"
    )
    ingest_db, warehouse_db, result = build(landing, folder)
    return {
        "landing": landing,
        "ingest_db": ingest_db,
        "db": warehouse_db,
        "result": result,
        "callbacks": callbacks,
        "surveyed_callback": some_callback,
    }


def callback_calls(landing: Path) -> dict[str, str]:
    """uniqueid -> channel of every Master.csv row placed for a deferred contact."""
    calls = {}
    for path in sorted((landing / "asterisk" / "cdr-csv").glob("Master.csv*")):
        with path.open(newline="", encoding="utf-8") as file:
            for row in csv.reader(file):
                if row[-1].startswith("contact="):
                    calls[row[16]] = row[0]  # standard layout: uniqueid, accountcode
    assert calls
    return calls


def test_the_build_runs_the_deferred_data_tests(simulated):
    result = simulated["result"]
    names = {test.name for test in result.build.tests}
    assert not result.build.failures
    assert "expression_is_true(mart_backlog: open_start + arrived = handled + open_end)" in names
    assert "unique(stg_contacts.contact_id)" in names and "unique(stg_surveys.call_id)" in names
    assert {"raw_contacts", "raw_surveys"} <= set(result.sources)


def test_backlog_has_every_hour_and_balances(simulated):
    backlog = rows(simulated["db"], "select * from mart_backlog order by channel, hour_start")
    by_queue: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in backlog:
        by_queue[(row["channel"], row["queue"])].append(row)
    assert {channel for channel, _ in by_queue} == set(CHANNELS)
    last_hour = max(row["hour_start"] for row in backlog)
    for hours in by_queue.values():
        assert hours[0]["open_start"] == 0
        assert hours[-1]["hour_start"] == last_hour  # open items persist to the data's end
        for before, after in pairwise(hours):
            assert after["hour_start"] - before["hour_start"] == HOUR
            assert after["open_start"] == before["open_end"]
        for row in hours:
            assert row["open_start"] + row["arrived"] == row["handled"] + row["open_end"], row
    assert any(row["arrived"] == row["handled"] == 0 and row["open_end"] > 0 for row in backlog)


def test_backlog_equals_the_engine_truth(simulated):
    truth = {
        (t["channel"], t["queue"], datetime.fromisoformat(t["hour_start"]).replace(tzinfo=None)): t
        for t in read_csvs("truth/deferred_backlog_*.csv", simulated["landing"])
    }
    mart = {
        (r["channel"], r["queue"], r["hour_start"]): r
        for r in rows(simulated["db"], "select * from mart_backlog")
    }
    assert mart.keys() <= truth.keys() and len(mart) > 150
    for key, t in truth.items():
        want = {k: int(t[k]) for k in ("open_start", "arrived", "closed", "open_end")}
        if key in mart:
            row = mart[key]
            got = {
                "open_start": row["open_start"],
                "arrived": row["arrived"],
                "closed": row["handled"],
                "open_end": row["open_end"],
            }
            assert got == want, key
        else:
            # Hours outside the mart (before a channel's first contact): nothing happened.
            assert want["arrived"] == want["closed"] == want["open_start"] == 0, key


def test_backlog_columns_equal_a_count_of_the_contacts_file(simulated):
    contacts = [
        {
            **c,
            "created": instant(c["created_time"]),
            "due": instant(c["response_due_time"]),
            "response": instant(c["first_response_time"]),
            "resolved": instant(c["resolved_time"]),
        }
        for c in read_csvs("contacts/contacts_*.csv", simulated["landing"])
    ]
    expected: dict[tuple, dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(("resolved", "responded", "responded_in_target", "handle_s"), 0)
    )
    for c in contacts:
        if c["resolved"] is not None:
            hour = expected[(c["channel"], c["queue"], local_hour(c["resolved"]))]
            hour["resolved"] += c["outcome"] == "resolved"
            hour["handle_s"] += float(c["handle_s"])
        if c["response"] is not None:
            hour = expected[(c["channel"], c["queue"], local_hour(c["response"]))]
            hour["responded"] += 1
            hour["responded_in_target"] += c["response"] <= c["due"]
    mart = rows(simulated["db"], "select * from mart_backlog")
    for row in mart:
        key = (row["channel"], row["queue"], row["hour_start"])
        want = expected.get(key, dict.fromkeys(expected[next(iter(expected))], 0))
        assert row["resolved"] == want["resolved"], key
        assert row["responded"] == want["responded"], key
        assert row["responded_in_target"] == want["responded_in_target"], key
        assert row["handle_s"] == pytest.approx(want["handle_s"], abs=1e-6), key
        end = (row["hour_start"] + HOUR).replace(tzinfo=ZONE)
        still_open = [
            c["created"]
            for c in contacts
            if (c["channel"], c["queue"]) == (row["channel"], row["queue"])
            and c["created"] < end
            and (c["resolved"] is None or c["resolved"] >= end)
        ]
        oldest = (end - min(still_open)).total_seconds() if still_open else None
        assert row["oldest_open_age_s"] == pytest.approx(oldest, abs=1e-6), key
    assert sum(r["responded_in_target"] for r in mart) < sum(r["responded"] for r in mart)


def satisfied(score: int, scale: int) -> bool:
    return score == 3 if scale == 3 else score >= 4


def dissatisfied(score: int, scale: int) -> bool:
    return score == 1 if scale == 3 else score <= 2


def test_csat_equals_a_count_of_the_survey_files(simulated):
    expected: dict[tuple, dict[str, Any]] = defaultdict(
        lambda: {"offered": 0, "answered": 0, "satisfied": 0, "dissatisfied": 0, "scores": []}
    )
    for s in read_csvs("surveys/*.csv", simulated["landing"]):
        day = datetime.fromisoformat(s["offered_time"]).astimezone(ZONE).date()
        counts = expected[(s["agent_id"] or None, s["queue"] or None, day)]
        counts["offered"] += 1
        if s["answered"] == "y":
            score, scale = int(s["score"]), int(s["scale"])
            counts["answered"] += 1
            counts["satisfied"] += satisfied(score, scale)
            counts["dissatisfied"] += dissatisfied(score, scale)
            counts["scores"].append(score)
    mart = {
        (r["agent_id"], r["queue"], r["day_local"]): r
        for r in rows(simulated["db"], "select * from mart_csat")
    }
    assert mart.keys() == expected.keys() and len(mart) > 500
    for key, want in expected.items():
        row = mart[key]
        for column in ("offered", "answered", "satisfied", "dissatisfied"):
            assert row[column] == want[column], (key, column)
        assert row["response_rate"] == pytest.approx(want["answered"] / want["offered"])
        if want["answered"]:
            assert row["csat"] == pytest.approx(want["satisfied"] / want["answered"])
            assert row["dsat"] == pytest.approx(want["dissatisfied"] / want["answered"])
            assert row["mean_score"] == pytest.approx(sum(want["scores"]) / want["answered"])
        else:
            assert row["csat"] is row["dsat"] is row["mean_score"] is None
    totals = {c: sum(w[c] for w in expected.values()) for c in ("offered", "answered")}
    assert 0.3 < totals["answered"] / totals["offered"] < 0.6  # p_response 0.45
    assert sum(w["satisfied"] for w in expected.values()) > 0
    assert sum(w["dissatisfied"] for w in expected.values()) > 0


def test_survey_drivers_equal_the_engine_truth(simulated):
    truth = {t["uniqueid"]: t for t in read_csvs("truth/survey_truth_*.csv", simulated["landing"])}
    surveys = rows(simulated["db"], "select * from fct_surveys where known_call")
    assert {s["call_id"] for s in surveys} == truth.keys()
    for s in surveys:
        t = truth[s["call_id"]]
        assert s["transfers"] == int(t["transfers"]), s["call_id"]
        assert s["repeat_call"] == (t["repeat_call"] == "1"), s["call_id"]
        # Whole seconds per visit as Asterisk logs them, against the exact total wait.
        assert abs(s["wait_s"] - float(t["wait_s"])) < s["queue_visits"], s["call_id"]
        assert s["agent_id"] == t["agent_id"] == s["answered_by"]
    assert sum(s["repeat_call"] for s in surveys) > 0 and sum(s["transfers"] for s in surveys) > 0


def test_surveys_of_unknown_calls_are_kept_and_reported(simulated):
    callback = simulated["surveyed_callback"]
    unknown = {"9999999999.1", "9999999999.2", callback}
    db = simulated["db"]
    kept = rows(db, "select call_id, known_call, wait_s from fct_surveys where not known_call")
    assert {r["call_id"] for r in kept} == unknown
    assert all(r["wait_s"] is None for r in kept)
    exceptions = rows(
        db,
        "select record_id, detail from mart_data_exceptions "
        "where exception_type = 'survey_unknown_call'",
    )
    assert {e["record_id"]: e["detail"] for e in exceptions} == {
        "9999999999.1": "uniqueid in neither queue_log nor Master.csv",
        "9999999999.2": "uniqueid in neither queue_log nor Master.csv",
        callback: "uniqueid in Master.csv but in no queue visit (queue_log)",
    }
    # They count in the survey figures of the agent, queue and day they name.
    [a1001] = rows(
        db,
        "select offered, answered, known_calls from mart_csat "
        "where agent_id = 'A1001' and queue = 'booking' and day_local = '2026-09-02'",
    )
    assert a1001["offered"] - a1001["known_calls"] == 2
    # Nothing else in the engine's exports is an exception.
    assert rows(db, "select count(*) as n from mart_data_exceptions") == [{"n": 3}]


def test_the_build_command_reports_the_exceptions_it_kept(simulated, tmp_path):
    from click.testing import CliRunner

    from callcenter_cli import main

    result = CliRunner().invoke(
        main,
        [
            "build",
            "--db",
            str(tmp_path / "warehouse.duckdb"),
            "--ingest-db",
            str(simulated["ingest_db"]),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    assert json.loads(result.output)["exceptions"] == {"survey_unknown_call": 3}


def test_callbacks_are_billable_outbound_calls_not_queue_calls(simulated):
    db, callbacks = simulated["db"], simulated["callbacks"]
    billing = rows(
        db,
        "select call_id, direction, campaign, agent_id, is_rated, disposition, cost, queue "
        "from mart_call_billing where call_id in "
        "(select call_id from stg_cdr where user_field like 'contact=%')",
    )
    assert {b["call_id"] for b in billing} == callbacks.keys()
    for b in billing:
        assert b["direction"] == "outbound" and b["queue"] is None
        assert b["campaign"] == callbacks[b["call_id"]] in ("web_callback", "voicemail")
        assert b["agent_id"] is not None and b["is_rated"]
        assert (b["cost"] > 0) == (b["disposition"] == "ANSWERED")
    in_queues = rows(
        db,
        "select count(*) as n from int_queue_visits where call_id in "
        "(select call_id from mart_call_billing where campaign in ('web_callback', 'voicemail'))",
    )
    assert in_queues == [{"n": 0}]
    # Agent work on deferred items never carries a queue, so it never reaches a voice queue.
    leaks = rows(
        db,
        "select count(*) as n from int_agent_state_spans "
        "where reason in ('email', 'sms', 'web_callback', 'voicemail') and queue is not null",
    )
    assert leaks == [{"n": 0}]
    queues = {r["queue"] for r in rows(db, "select distinct queue from mart_interval_kpis")}
    assert queues and not queues & set(CHANNELS)


def test_csat_rows_carry_the_agents_qa_score_of_the_week(simulated, tmp_path):
    """QA evaluations (demo-simulated on sampled calls) copied in by a second build: each
    mart_csat row has the mean of its agent's evaluations on calls of the same ISO week."""
    ops = tmp_path / "ops.duckdb"
    paths = ["--db", str(simulated["db"]), "--ops-db", str(ops)]
    for args in (
        ["sample", *paths, "--week", "2026-09-01", "--days", "7", "--per-agent", "2"],
        ["score", *paths, "--simulate", "60", "--seed", "3"],
    ):
        extra = ["--evaluators", "e1,e2", "--seed", "7"] if args[0] == "sample" else []
        result = CliRunner().invoke(main, ["qa", *args, *extra])
        assert result.exit_code == 0, result.stderr
    db = tmp_path / "warehouse.duckdb"
    publish(db, simulated["ingest_db"], ops_db=ops)
    scores: dict[tuple[str, date], list[float]] = defaultdict(list)
    for e in rows(db, "select * from mart_qa_scores where counts_for_scorecard"):
        scores[(e["agent_id"], e["call_week_start"])].append(e["score"])
    csat = rows(db, "select agent_id, day_local, qa_evaluations, qa_mean_score from mart_csat")
    with_qa = 0
    for row in csat:
        monday = row["day_local"] - timedelta(days=row["day_local"].weekday())
        want = scores.get((row["agent_id"], monday), [])
        assert row["qa_evaluations"] == len(want)
        if want:
            with_qa += 1
            assert row["qa_mean_score"] == pytest.approx(sum(want) / len(want))
        else:
            assert row["qa_mean_score"] is None
    assert 0 < with_qa < len(csat)


# ---------------------------------------------------------------- hand-written fixture
#
# Two deliveries of an e-mail/SMS help-desk export, 2026-09-01 in Asia/Shanghai:
#   contact  created  due    response  closed           handle  in file 1  in file 2
#   E1       08:10    09:10  08:30     08:30 resolved   100     yes        again, same
#   E2       08:50    09:50  10:15     10:15 resolved   200     open       resolved
#   E3       09:20    11:20  -         11:20 abandoned  0       yes        -
#   E4       10:40    11:40  10:50     open             60      yes        -
#   S1 sms   09:00    10:00  09:30     09:30 resolved   50      yes        -
# The data end is 11:20 (E3's closing), so every queue runs to the 11:00 hour.
HEADER = (
    "contact_id,channel,queue,customer_id,created_time,response_due_time,first_assigned_time,"
    "first_response_time,resolved_time,agent_id,outcome,attempts,handle_s,call_id"
)


def contact(cid: str, channel: str, times: tuple[str, ...], rest: str) -> str:
    created, due, assigned, response, resolved = (
        f"2026-09-01T{t}:00.000+08:00" if t else "" for t in times
    )
    return f"{cid},{channel},{channel},C1,{created},{due},{assigned},{response},{resolved},{rest}"


E1 = contact("E1", "email", ("08:10", "09:10", "08:20", "08:30", "08:30"), "A1,resolved,1,100,")
FIRST_FILE = [
    E1,
    contact("E2", "email", ("08:50", "09:50", "09:05", "", ""), "A1,open,0,0,"),
    contact("E3", "email", ("09:20", "11:20", "", "", "11:20"), ",abandoned,0,0,"),
    contact("E4", "email", ("10:40", "11:40", "10:45", "10:50", ""), "A2,open,1,60,"),
    contact("S1", "sms", ("09:00", "10:00", "09:10", "09:30", "09:30"), "A2,resolved,1,50,"),
]
SECOND_FILE = [
    E1,
    contact("E2", "email", ("08:50", "09:50", "09:05", "10:15", "10:15"), "A1,resolved,1,200,"),
]
BACKLOG_COLUMNS = (
    "channel", "hour_start", "open_start", "arrived", "handled", "resolved", "open_end",
    "oldest_open_age_s", "responded", "responded_in_target", "handle_s",
)  # fmt: skip


def at(hour: int) -> datetime:
    return datetime(2026, 9, 1, hour)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deferred_fixture")
    contacts = folder / "landing" / "contacts"
    contacts.mkdir(parents=True)
    for name, lines in (("20260901", FIRST_FILE), ("20260902", SECOND_FILE)):
        text = "\r\n".join([HEADER, *lines]) + "\r\n"
        (contacts / f"contacts_{name}.csv").write_text(text, encoding="utf-8")
    return build(folder / "landing", folder)[1]


def test_fixture_newest_delivery_wins(fixture_db):
    contacts = rows(
        fixture_db,
        "select contact_id, outcome, handle_s, deliveries from stg_contacts order by contact_id",
    )
    assert [tuple(c.values()) for c in contacts] == [
        ("E1", "resolved", 100.0, 1),  # delivered twice unchanged: one raw row
        ("E2", "resolved", 200.0, 2),  # open, then resolved: the resolved state wins
        ("E3", "abandoned", 0.0, 1),
        ("E4", "open", 60.0, 1),
        ("S1", "resolved", 50.0, 1),
    ]


def test_fixture_backlog_by_hand(fixture_db):
    backlog = rows(
        fixture_db,
        f"select {', '.join(BACKLOG_COLUMNS)} from mart_backlog order by channel, hour_start",
    )
    assert [tuple(r.values()) for r in backlog] == [
        # 08: E1 and E2 arrive, E1 answered and resolved in target; E2 open at 09:00 (10 min).
        ("email", at(8), 0, 2, 1, 1, 1, 600.0, 1, 1, 100.0),
        # 09: E3 arrives; E2 and E3 open at 10:00, E2 the oldest (70 min).
        ("email", at(9), 1, 1, 0, 0, 2, 4200.0, 0, 0, 0.0),
        # 10: E4 arrives; E2 answered late (due 09:50) and resolved; E4 answered in target;
        # E3 (100 min) and E4 open at 11:00.
        ("email", at(10), 2, 1, 1, 1, 2, 6000.0, 2, 1, 200.0),
        # 11: E3 expires (abandoned: handled, not resolved); E4 open at 12:00 (80 min).
        ("email", at(11), 2, 0, 1, 0, 1, 4800.0, 0, 0, 0.0),
        ("sms", at(9), 0, 1, 1, 1, 0, None, 1, 1, 50.0),
        # No event after 09:30, but the hours run to the end of the data.
        ("sms", at(10), 0, 0, 0, 0, 0, None, 0, 0, 0.0),
        ("sms", at(11), 0, 0, 0, 0, 0, None, 0, 0, 0.0),
    ]
