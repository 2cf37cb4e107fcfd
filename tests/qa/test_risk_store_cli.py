"""The register and incidents in a real operational store, history evidence from a small
hand-made warehouse file, and the ``callcenter risk`` commands."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from callcenter_cli import main
from qa.risk import store
from qa.risk.config import default_config
from qa.risk.history import evidence, load_history
from qa.risk.register import RiskError, make_risk, read_register_file
from warehouse.publish import _copy_ops, _create_ops_tables, ops_declarations

AIRLINE = Path(__file__).resolve().parents[2] / "qa" / "risk" / "airline_register.toml"
FIRST_DAY = date(2026, 9, 1)
LAST_DAY = date(2029, 8, 30)  # 1095 days from FIRST_DAY, both included: exactly three years


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute)


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with just the tables the history reads, rows written by hand.

    Over three years (1095 days): one service-level breach day (Sep 1: 4 intervals below
    0.8; Sep 2 has only 3), one no-answer day (Sep 3, queue A: 6 offered, 0 answered,
    while B answered 10 of 10), one trunk-blocking day (Sep 5: 300 calls of 900 s in one
    half hour = 150 Erlangs on 150 lines), two IVR-failure days (Sep 7: 25 calls, none to
    a queue; Sep 8: path 1 drops 40 of 100 calls, usually 5 of 100).
    """
    path = tmp_path_factory.mktemp("risk_wh") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table build_info (variables varchar)")
    con.execute(
        'insert into build_info values (\'{"interval_minutes": 30, "timezone": "Asia/Shanghai"}\')'
    )
    con.execute(
        "create table mart_interval_kpis (queue varchar, interval_start timestamptz, "
        "interval_start_local timestamp, offered bigint, answered bigint, service_level double)"
    )
    kpis = []
    for day in range(1, 11):
        for slot in range(4):
            local = _local(day, 10, 0) + timedelta(minutes=30 * slot)
            breach = (day == 1) or (day == 2 and slot < 3)
            kpis.append(("B", local, 10, 10, 0.5 if breach else 0.9))
            if day == 3 and slot == 0:
                kpis.append(("A", local, 6, 0, None))
    kpis.append(("B", datetime(2029, 8, 30, 10), 10, 10, 0.9))
    con.executemany(
        "insert into mart_interval_kpis values "
        "(?, (?::timestamp at time zone 'Asia/Shanghai'), ?, ?, ?, ?)",
        [(q, local, local, offered, answered, sl) for q, local, offered, answered, sl in kpis],
    )
    con.execute(
        "create table mart_ivr (day_local date, hours varchar, menu_path varchar, "
        "calls bigint, dropped bigint)"
    )
    con.executemany(
        "insert into mart_ivr values (?, 'open', '1', 100, ?)",
        [(date(2026, 9, day), 40 if day == 8 else 5) for day in range(1, 11)],
    )
    con.execute(
        "create table int_ivr_journeys (day_local date, start_time_local timestamp, "
        "hours varchar, journey_end varchar, duration_s integer)"
    )
    journeys = []
    for day in range(1, 11):
        start = _local(day, 10, 5)
        if day == 5:
            journeys += [(start, "queue", 900)] * 300
        elif day == 7:
            journeys += [(start, "dropped", 60)] * 25
        else:
            journeys += [(start, "queue", 180)] * 10
    con.executemany(
        "insert into int_ivr_journeys values (?, ?, 'open', ?, ?)",
        [(start.date(), start, end, duration) for start, end, duration in journeys],
    )
    con.close()
    return path


def test_history_evidence_counts_days_and_maps_them_on_the_scale(warehouse_db: Path) -> None:
    found = evidence(load_history(warehouse_db), default_config())
    assert (found["first_day"], found["last_day"]) == (str(FIRST_DAY), str(LAST_DAY))
    assert found["history_days"] == 1095
    signals = found["signals"]
    # 1 day in three years is 1.0 per 3 years: "Likely" (7); 2 days: "Frequent" (9)
    assert (signals["sl_breach"]["days_with_event"], signals["sl_breach"]["per_3y"]) == (1, 1.0)
    assert signals["sl_breach"]["examples"] == ["2026-09-01"]
    assert signals["sl_breach"]["proposed_probability"] == 7
    assert signals["no_answer"]["examples"] == ["2026-09-03"]
    assert signals["trunk_blocking"]["examples"] == ["2026-09-05"]
    assert signals["trunk_blocking"]["peak_erlangs"] == 150.0
    assert signals["ivr_failure"]["examples"] == ["2026-09-07", "2026-09-08"]
    assert signals["ivr_failure"]["proposed_probability"] == 9


def test_a_signal_never_seen_in_a_short_history_proposes_nothing(warehouse_db: Path) -> None:
    history = load_history(warehouse_db)
    short = replace(history, last_day=date(2026, 9, 10), ivr_intervals=[])
    signals = evidence(short, default_config())["signals"]
    # no IVR interval rows: no trunk load, so no blocking day in 10 days of history
    assert signals["trunk_blocking"]["days_with_event"] == 0
    assert signals["trunk_blocking"]["proposed_probability"] is None
    assert signals["trunk_blocking"]["upper_per_3y"] == pytest.approx(3 / 10 * 1095)
    assert signals["sl_breach"]["proposed_probability"] == 10  # 1 in 10 days: 109.5 per 3y


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr


def test_register_commands_add_list_score_matrix(tmp_path: Path) -> None:
    ops = str(tmp_path / "ops.duckdb")
    code, out, _ = _run("risk", "add", "--file", str(AIRLINE), "--ops-db", ops, "--json")
    assert code == 0 and len(json.loads(out)["written"]) == 13
    code, _, err = _run("risk", "add", "--file", str(AIRLINE), "--ops-db", ops)
    assert code == 2 and err.startswith("error: risk id R01, R02") and len(err.splitlines()) == 1

    code, out, _ = _run("risk", "list", "--ops-db", ops, "--json")
    rows = json.loads(out)["risks"]
    assert [row["rank"] for row in rows] == list(range(1, 14))
    assert rows[0]["risk_id"] == "R02" and rows[0]["score"] == 56 and rows[0]["zone"] == "high"
    assert {row["risk_id"] for row in rows if row["watch"]} == {"R12", "R13"}
    code, out, _ = _run("risk", "list", "--ops-db", ops)
    assert code == 0 and "13 risks, 2 on the watch list (score < 16)" in out

    for bad in ("11", "0", "2.5"):
        code, out, err = _run("risk", "score", "R01", "--probability", bad, "--ops-db", ops)
        assert code == 2 and out == ""
        expected = "probability must be a whole number from 1 to 10"
        assert err == f"error: risk R01: {expected}, got '{bad}'\n"
    code, _, err = _run("risk", "score", "R99", "--impact", "3", "--ops-db", ops)
    assert (code, err) == (2, "error: unknown risk id R99\n")
    code, out, _ = _run(
        "risk", "score", "R01", "--probability", "5", "--impact", "8", "--ops-db", ops, "--json"
    )
    assert code == 0 and json.loads(out)["risks"][0]["score"] == 40

    code, out, _ = _run("risk", "show", "R01", "--ops-db", ops, "--json")
    versions = json.loads(out)["versions"]
    assert [(v["version"], v["change"], v["probability"]) for v in versions] == [
        (1, "import", 4),
        (2, "score", 5),
    ]

    code, _, err = _run(
        "risk",
        "add",
        "R20",
        "--title",
        "t",
        "--category",
        "c",
        "--owner",
        "o",
        "--probability",
        "3",
        "--impact",
        "12",
        "--strategy",
        "accept",
        "--ops-db",
        ops,
    )
    assert code == 2 and "impact must be a whole number from 1 to 10" in err
    code, out, _ = _run(
        "risk",
        "add",
        "R20",
        "--title",
        "Lift out of order",
        "--category",
        "facility",
        "--owner",
        "o",
        "--probability",
        "3",
        "--impact",
        "2",
        "--strategy",
        "accept",
        "--warning-sign",
        "noise",
        "--warning-sign",
        "smoke",
        "--ops-db",
        ops,
    )
    assert code == 0
    code, out, _ = _run("risk", "matrix", "--ops-db", ops, "--json")
    grid = json.loads(out)
    assert grid["cells"][4][7] == ["R01", "R03"]  # probability 5, impact 8, both
    assert grid["cells"][2][1] == ["R20"]
    code, out, _ = _run("risk", "matrix", "--ops-db", ops)
    assert code == 0 and out.splitlines()[0].startswith("P\\I |")


def test_a_failing_change_writes_nothing(tmp_path: Path) -> None:
    ops = tmp_path / "ops.duckdb"
    store.add_risks(ops, read_register_file(AIRLINE)[:2], change="import")
    with pytest.raises(RiskError, match="unknown risk id R99"):
        store.score_risks(ops, [("R01", 9, None, None), ("R99", 3, None, None)])
    with pytest.raises(RiskError, match="1 to 10"):
        store.score_risks(ops, [("R01", 9, None, None), ("R02", 3, 0, None)])
    new = make_risk(read_register_file(AIRLINE)[0].to_dict() | {"risk_id": "R50"})
    with pytest.raises(RiskError, match="already in the register"):
        store.add_risks(ops, [new, read_register_file(AIRLINE)[1]])
    risks = {r.risk_id: r for r in store.read_risks(ops)}
    assert set(risks) == {"R01", "R02"} and risks["R01"].probability == 4
    assert [v["version"] for v in store.risk_history(ops, "R01")] == [1]


def test_propose_and_apply_probabilities_from_history(tmp_path: Path, warehouse_db: Path) -> None:
    ops = str(tmp_path / "ops.duckdb")
    _run("risk", "add", "--file", str(AIRLINE), "--ops-db", ops)
    args = ("risk", "score", "--propose", "--db", str(warehouse_db), "--ops-db", ops)
    code, out, _ = _run(*args, "--json")
    assert code == 0
    result = json.loads(out)
    proposed = {p["risk_id"]: (p["signal"], p["proposed_probability"]) for p in result["proposals"]}
    assert proposed == {
        "R01": ("ivr_failure", 9),
        "R02": ("trunk_blocking", 7),
        "R06": ("sl_breach", 7),
        "R08": ("no_answer", 7),
    }
    assert result["applied"] is False
    code, out, _ = _run(*args, "--apply")
    assert code == 0 and "R01: probability 4 -> 9" in out and out.rstrip().endswith("applied")
    risks = {r.risk_id: r for r in store.read_risks(ops)}
    assert [risks[i].probability for i in ("R01", "R08", "R03")] == [9, 7, 5]
    assert "2 of 1095 days" in store.risk_history(ops, "R01")[-1]["note"]


def test_detect_incidents_with_levels_escalations_and_time_to_recover(
    tmp_path: Path, warehouse_db: Path
) -> None:
    ops = str(tmp_path / "ops.duckdb")
    args = ("risk", "incidents", "--detect", "--db", str(warehouse_db), "--ops-db", ops, "--json")
    code, out, _ = _run(*args)
    assert code == 0
    result = json.loads(out)
    by_kind = {i["kind"]: i for i in result["incidents"]}
    # Sep 3 10:00 local = 02:00 UTC, queue A: 6 of 16 calls offered (0.375 > 0.2): level 2
    no_answer = by_kind["no_answer"]
    assert (no_answer["queue"], no_answer["level"], no_answer["started_at"]) == (
        "A",
        2,
        "2026-09-03T02:00:00",
    )
    assert [s["after_min"] for s in no_answer["escalations"]] == [0, 15, 30]
    # Sep 7: calls reached the IVR and no queue: the whole center, level 1, 30 minutes
    assert by_kind["ivr_no_queue"]["level"] == 1
    assert [s["after_min"] for s in by_kind["ivr_no_queue"]["escalations"]] == [0, 10, 15]
    # Sep 8: path 1 dropped 40 of 100 (usual 5%): 0.4 of the day's IVR calls: level 2, a day
    drop = by_kind["ivr_drop_off"]
    assert drop["level"] == 2 and drop["minutes_to_recover"] == 1440
    assert len(drop["escalations"]) == 3 + (1440 - 30) // 30
    levels = {row["level"]: row for row in result["recovery_by_level"]}
    assert levels[1]["mean_minutes_to_recover"] == 30
    assert levels[2]["mean_minutes_to_recover"] == (30 + 1440) / 2
    assert levels[2]["median_minutes_to_recover"] == (30 + 1440) / 2
    assert result["detected"]["escalation_steps"] == 3 + 3 + 50

    code, out, _ = _run(*args)
    assert json.loads(out)["detected"]["logged"] == []
    assert len(json.loads(out)["detected"]["skipped"]) == 3
    code, out, _ = _run("risk", "incidents", "--ops-db", ops)
    assert code == 0 and "level 2: 2 incident(s), mean 735.0, median 735.0" in out


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    ops = str(tmp_path / "ops.duckdb")
    missing = str(tmp_path / "none.duckdb")
    code, _, err = _run("risk", "score", "--propose", "--db", missing, "--ops-db", ops)
    assert code == 2 and err.startswith("error: no warehouse at") and len(err.splitlines()) == 1
    code, _, err = _run("risk", "incidents", "--detect", "--db", missing, "--ops-db", ops)
    assert code == 2 and err.startswith("error: no warehouse at")
    store.add_risks(ops, read_register_file(AIRLINE)[:1])  # a DuckDB file, not a warehouse
    code, _, err = _run("risk", "score", "--propose", "--db", ops, "--ops-db", ops)
    assert code == 2 and "is not a built warehouse (no build_info" in err
    code, _, err = _run("risk", "add", "--ops-db", ops)
    assert code == 2 and "give a RISK_ID" in err
    code, _, err = _run("risk", "show", "R09", "--ops-db", ops)
    assert (code, err) == (2, "error: unknown risk id R09\n")


def test_the_store_tables_are_what_the_warehouse_build_copies(tmp_path: Path) -> None:
    ops = tmp_path / "ops.duckdb"
    store.add_risks(ops, read_register_file(AIRLINE))
    assert store.DECLARATIONS in ops_declarations()
    con = duckdb.connect()
    try:
        tables = _create_ops_tables(con)
        assert {"risk_register", "risk_register_history", "risk_incidents"} <= tables
        copied = _copy_ops(con, ops, tables, 1, 0.01)
    finally:
        con.close()
    assert copied["risk_register"] == 13 and copied["risk_register_history"] == 13


def test_log_and_resolve_a_reported_incident(tmp_path: Path) -> None:
    ops = str(tmp_path / "ops.duckdb")
    code, out, _ = _run(
        "risk",
        "log-incident",
        "INC-7",
        "--start",
        "2026-10-01T09:30",
        "--end",
        "2026-10-01T09:50",
        "--seats",
        "30",
        "--description",
        "switch failure, floor 3",
        "--ops-db",
        ops,
        "--json",
    )
    assert code == 0
    incident = json.loads(out)
    # 30 of 120 seats (25% > 20%): level 2; 09:30 Shanghai is 01:30 UTC
    assert incident["level"] == 2 and incident["started_at"] == "2026-10-01T01:30:00"
    assert [s["after_min"] for s in incident["escalations"]] == [0, 15]  # 30 is after the end
    code, _, err = _run(
        "risk",
        "log-incident",
        "INC-7",
        "--start",
        "2026-10-01T09:30",
        "--seats",
        "3",
        "--description",
        "again",
        "--ops-db",
        ops,
    )
    assert (code, err) == (2, "error: incident id INC-7 is already logged\n")
    code, out, _ = _run("risk", "resolve", "INC-7", "--end", "2026-10-01T11:30", "--ops-db", ops)
    assert code == 0 and "resolved after 120 minutes" in out
    steps = store.read_escalations(ops, "INC-7")
    assert [s["after_min"] for s in steps] == [0, 15, 30, 60, 90, 120]
    code, _, err = _run("risk", "resolve", "INC-7", "--end", "2026-10-01T08:00", "--ops-db", ops)
    assert code == 2 and "cannot end before" in err
    code, _, err = _run("risk", "resolve", "INC-7", "--end", "noon", "--ops-db", ops)
    assert code == 2 and "--end must be a date-time" in err
    assert [v.minutes_to_recover for v in store.read_incidents(ops)] == [120]
