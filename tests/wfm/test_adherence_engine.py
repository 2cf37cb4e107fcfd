"""``callcenter adherence`` and ``callcenter intraday`` end to end on one simulated day.

The engine simulates a roster; ingest and build load its files. The adherence the command
reports must agree with a second-by-second count over the engine's own agent-state export
(the landing CSV), done here in plain Python; the intraday calls so far with the engine's
truth file. The scenario (written below) has two teams of two agents on one queue. Team
red logs in exactly 15 minutes late; team blue is on time. The roster scored also holds
an agent who was never simulated (no states at all). Planning stores are made here with
the tables the forecasting and roster packages write.
"""

from __future__ import annotations

import bisect
import csv
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner

from acd.simulate import simulate
from callcenter_cli import main
from forecasting.store import DDL
from ingest.loader import Loader
from warehouse.publish import publish
from wfm.adherence import read_roster_store

DAY = date(2026, 11, 23)
ZONE = ZoneInfo("UTC")
SCENARIO = """
name = "adherence-test"

[center]
name = "adherence test center"
timezone = "UTC"
did = "100"
open = "07:30"
close = "13:30"

[ivr]
root = "queue"

[ivr.nodes.queue]
kind = "queue"
queue = "q"

[queues.q]
skill = "q"
sl_target_s = 20
ring = 0

[call_types.calls]
talk = { dist = "exponential", mean = 240 }
patience = { dist = "exponential", mean = 120 }
[call_types.calls.arrivals]
daily_volume = 300
weekly = [1, 1, 1, 1, 1, 1, 1]
intraday = "flat"

[[agent_groups]]
name = "red"
count = 2
skills = { q = 1 }
days_per_week = 7
p_late = 1.0
late = 900
shifts = [{ start = "08:00", hours = 4 }]

[[agent_groups]]
name = "blue"
count = 2
skills = { q = 1 }
days_per_week = 7
shifts = [{ start = "08:00", hours = 4 }]

[orders]
web_orders_per_day = 0
distributor_orders_per_day = 0
"""
SIMULATED_ROSTER = [
    ("A1001", "red", "shift", "08:00", "12:00"),
    ("A1001", "red", "break", "10:00", "10:15"),
    ("A1002", "red", "shift", "09:00", "13:00"),
    ("A1002", "red", "lunch", "11:00", "11:30"),
    ("A1003", "blue", "shift", "08:00", "12:00"),
    ("A1003", "blue", "break", "09:30", "09:45"),
    ("A1003", "blue", "training", "10:30", "11:00"),
]
NEVER_SIMULATED = [("A1004", "blue", "shift", "08:00", "12:00")]
OPEN_STATES = {"available", "ringing", "talking", "hold", "acw", "dialing"}


def write_roster(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agent_id", "team", "date", "activity", "start", "end"])
        for agent, team, activity, start, end in rows:
            writer.writerow([agent, team, DAY, activity, f"{DAY} {start}", f"{DAY} {end}"])
    return path


def epoch(hhmm: str) -> float:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=ZONE).timestamp()


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("adherence_engine")
    scenario = folder / "scenario.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    simulated = write_roster(folder / "simulated.csv", SIMULATED_ROSTER)
    scored = write_roster(folder / "scored.csv", SIMULATED_ROSTER + NEVER_SIMULATED)
    landing = folder / "landing"
    simulate(scenario, DAY, 1, 5, landing, roster=simulated)
    with Loader(folder / "ingest.duckdb") as loader:
        assert not loader.ingest([landing]).failed
    warehouse = publish(
        folder / "warehouse.duckdb", folder / "ingest.duckdb", {"timezone": "UTC"}
    ).path
    return {"landing": landing, "warehouse": warehouse, "roster": scored, "folder": folder}


def landing_states(landing: Path) -> dict[str, list[tuple[float, str, str]]]:
    """Each agent's (entered at, state, reason), in file order, from the landing CSVs."""
    states: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    for path in sorted((landing / "agent_states").glob("agent_states_*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                moment = datetime.fromisoformat(row["time"]).timestamp()
                states[row["agent_id"]].append((moment, row["state"], row["reason"]))
    return states


def count_adherent_seconds(
    entries: list[tuple[float, str, str]], rows: list[tuple[str, str, str, str, str]], agent: str
) -> tuple[int, int]:
    """(in-adherence seconds, state changes inside the shift), sampling each second's middle."""
    mine = [r for r in rows if r[0] == agent]
    shift = next(r for r in mine if r[2] == "shift")
    activities = [(epoch(r[3]), epoch(r[4]), r[2]) for r in mine if r[2] != "shift"]
    times = [e[0] for e in entries]
    start, end = int(epoch(shift[3])), int(epoch(shift[4]))
    adherent = 0
    for second in range(start, end):
        t = second + 0.5
        scheduled = next((kind for a, b, kind in activities if a <= t < b), "open")
        i = bisect.bisect_right(times, t) - 1
        state, reason = ("logged_out", "") if i < 0 else entries[i][1:]
        if scheduled == "open":
            adherent += state in OPEN_STATES
        else:
            adherent += state == "aux" and reason == scheduled
    changes = sum(start <= t < end for t in times)
    return adherent, changes


def run(*args: str) -> dict:
    result = CliRunner().invoke(main, ["adherence", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_adherence_agrees_with_the_landing_export(center: dict[str, Path]) -> None:
    output = center["folder"] / "exceptions.csv"
    report = run(
        "--db",
        str(center["warehouse"]),
        "--roster",
        str(center["roster"]),
        "--day",
        str(DAY),
        "--output",
        str(output),
    )
    assert report["timezone"] == "UTC"  # read from the build
    states = landing_states(center["landing"])
    agents = {a["agent_id"]: a for a in report["agents"]}
    assert set(agents) == {"A1001", "A1002", "A1003", "A1004"}
    for agent in ("A1001", "A1002", "A1003"):
        adherent, changes = count_adherent_seconds(states[agent], SIMULATED_ROSTER, agent)
        got = agents[agent]["in_adherence_min"] * 60
        # Sampling each second's middle is off by under 1 s per state change.
        assert abs(got - adherent) <= changes + 1, (agent, got, adherent)
        assert agents[agent]["scheduled_min"] == 240
    assert agents["A1004"]["adherence"] == 0
    assert "no agent states" in agents["A1004"]["note"]

    # Team figures are the time-weighted sums of their agents.
    teams = {t["team"]: t for t in report["teams"]}
    red = agents["A1001"]["in_adherence_min"] + agents["A1002"]["in_adherence_min"]
    assert teams["red"]["adherence"] == pytest.approx(red / 480)
    assert teams["all"]["agents"] == 4
    assert teams["all"]["meets_target"] is False  # A1004 never came

    # The late log-ins the engine produced (team red, 15 minutes) are exceptions.
    for agent in ("A1001", "A1002"):
        shift_start = next(r[3] for r in SIMULATED_ROSTER if r[0] == agent and r[2] == "shift")
        first_login = next(t for t, state, _ in states[agent] if state != "logged_out")
        assert first_login - epoch(shift_start) == pytest.approx(900)
        late = [
            e
            for e in report["exceptions"]
            if e["agent_id"] == agent and e["start_local"] == f"{DAY} {shift_start}:00"
        ]
        assert len(late) == 1, report["exceptions"]
        assert late[0]["scheduled_activity"] == "open"
        assert late[0]["actual_state"] == "logged_out"
        assert late[0]["minutes"] == pytest.approx(15)
    assert not any(
        e["agent_id"] == "A1003" and e["actual_state"] == "logged_out" and e["minutes"] > 5
        for e in report["exceptions"]
        if e["start_local"].endswith("08:00:00")
    )
    with output.open(newline="", encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == report["exception_count"]


def test_adherence_so_far(center: dict[str, Path]) -> None:
    args = ["--db", str(center["warehouse"]), "--roster", str(center["roster"])]
    report = run(*args, "--until", f"{DAY} 09:00")
    agents = {a["agent_id"]: a for a in report["agents"]}
    # A1001: 08:00-09:00 scheduled open, logged in at 08:15.
    assert agents["A1001"]["scheduled_min"] == 60
    assert agents["A1001"]["in_adherence_min"] == pytest.approx(45)
    assert agents["A1002"]["adherence"] is None  # shift starts at 09:00
    assert agents["A1002"]["note"] == "shift not started yet"


def test_rules_file(center: dict[str, Path], tmp_path: Path) -> None:
    args = ["--db", str(center["warehouse"]), "--roster", str(center["roster"])]
    rules = tmp_path / "rules.toml"
    # Logged out counts as on time for any scheduled activity: only A1004's day changes.
    rules.write_text(
        '[adherence]\nopen_states = ["available", "ringing", "talking", "hold", "acw", '
        '"logged_out"]\nworked_states = ["available", "talking"]\n',
        encoding="utf-8",
    )
    loose = {a["agent_id"]: a for a in run(*args, "--rules", str(rules))["agents"]}
    assert loose["A1004"]["adherence"] == 1.0
    assert loose["A1004"]["worked_min"] == 0
    rules.write_text("[adherence\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["adherence", *args, "--rules", str(rules)])
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {rules}")


def test_queue_log_source_and_human_output(center: dict[str, Path]) -> None:
    args = ["--db", str(center["warehouse"]), "--roster", str(center["roster"])]
    from_log = run(*args, "--states", "queue_log", "--any-aux")
    agents = {a["agent_id"]: a for a in from_log["agents"]}
    # The queue_log knows the same log-ins and pauses, to the second.
    export = {a["agent_id"]: a for a in run(*args, "--any-aux")["agents"]}
    for agent in ("A1001", "A1002", "A1003"):
        assert agents[agent]["in_adherence_min"] == pytest.approx(
            export[agent]["in_adherence_min"], abs=2
        )
    human = CliRunner().invoke(main, ["adherence", *args])
    assert human.exit_code == 0, human.output
    assert "red" in human.stdout and "MISSED" in human.stdout
    assert "A1004" in human.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--day", "2026-12-01"], "unknown day: the roster has no shifts on 2026-12-01"),
        (["--day", "23/11/2026"], "--day: expected YYYY-MM-DD"),
        (["--threshold-min", "-1"], "--threshold-min must be >= 0"),
        (["--until", "9:00"], "--until: expected 'YYYY-MM-DD HH:MM'"),
        (["--tz", "Mars/Olympus"], "unknown time zone"),
        (["--planning", "x.duckdb"], "give exactly one of --roster or --planning"),
    ],
)
def test_user_errors(center: dict[str, Path], extra: list[str], message: str) -> None:
    args = ["adherence", "--db", str(center["warehouse"]), "--roster", str(center["roster"])]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_rosters(center: dict[str, Path], tmp_path: Path) -> None:
    overlapping = write_roster(
        tmp_path / "overlap.csv",
        [("A1001", "red", "shift", "08:00", "12:00"), ("A1001", "red", "shift", "11:00", "15:00")],
    )
    result = CliRunner().invoke(
        main, ["adherence", "--db", str(center["warehouse"]), "--roster", str(overlapping)]
    )
    assert result.exit_code == 2
    assert "agent A1001 on 2026-11-23 has 2 shift rows" in result.stderr
    broken = tmp_path / "broken.csv"
    broken.write_text("agent_id,date,activity,start\nA1,2026-11-23,shift,x\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["adherence", "--db", str(center["warehouse"]), "--roster", str(broken)]
    )
    assert result.exit_code == 2
    assert "missing column(s) end" in result.stderr
    missing = CliRunner().invoke(
        main, ["adherence", "--db", str(tmp_path / "none.duckdb"), "--roster", str(broken)]
    )
    assert missing.exit_code == 2 and "no warehouse at" in missing.stderr


# ------------------------------------------------------------------ intraday


def planning_store(path: Path, offered: float, aht_s: float) -> Path:
    """A planning store with one forecast run per metric: flat over the open hours."""
    slots = [datetime(2026, 11, 23, 7, 30) + timedelta(minutes=30 * i) for i in range(12)]
    with duckdb.connect(str(path)) as con:
        for statement in DDL:
            con.execute(statement)
        for run, metric, value in (("r1", "offered", offered), ("r2", "aht_s", aht_s)):
            con.execute(
                "insert into forecast_runs (run_id, created_at, metric, interval_minutes) "
                "values (?, now(), ?, 30)",
                [run, metric],
            )
            for slot in slots:
                con.execute(
                    "insert into forecasts values (?, 'q', ?, ?, 'flat', ?, ?, ?, 0.8)",
                    [run, metric, slot, value, value * 0.8, value * 1.2],
                )
    return path


def test_intraday_against_the_truth_file(center: dict[str, Path]) -> None:
    planning = planning_store(center["folder"] / "planning.duckdb", 20.0, 240.0)
    now = "2026-11-23 10:00"
    result = CliRunner().invoke(
        main,
        [
            "intraday",
            "--db",
            str(center["warehouse"]),
            "--planning",
            str(planning),
            "--roster",
            str(center["roster"]),
            "--now",
            now,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # Calls that entered the queue before 10:00, counted from the engine's truth file.
    entered = 0
    for path in (center["landing"] / "truth").glob("call_truth_*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            entered += sum(
                datetime.fromisoformat(row["enter_time"]).timestamp() < epoch("10:00")
                for row in csv.DictReader(handle)
            )
    (queue,) = report["queues"]
    assert queue["actual_so_far"] == entered
    # Five intervals (07:30 to 09:30) ended by 10:00, out of twelve forecast.
    assert queue["forecast_so_far"] == 100
    ratio = entered / 100
    assert queue["factor"] == pytest.approx(1 + 5 / 12 * (ratio - 1))
    assert queue["remaining_reforecast"] == pytest.approx(7 * 20 * queue["factor"])
    intervals = {i["interval_start_local"]: i for i in report["intervals"]}
    assert len(intervals) == 7
    # 10:00-10:30: A1001 on break half of it, A1002 and A1003 open, A1004 rostered (absent).
    assert intervals["2026-11-23 10:00"]["scheduled"] == pytest.approx(3.5)
    # Queue q's figure counts its members only: A1004 never joined it.
    assert intervals["2026-11-23 10:00"]["scheduled_q"] == pytest.approx(2.5)
    # 13:00-13:30: nobody rostered.
    assert intervals["2026-11-23 13:00"]["scheduled"] == 0
    for row in intervals.values():
        assert row["gap"] == pytest.approx(row["scheduled"] - row["required"])
    args = ["intraday", "--db", str(center["warehouse"]), "--planning", str(planning)]
    human = CliRunner().invoke(main, [*args, "--now", now, "--roster", str(center["roster"])])
    assert human.exit_code == 0, human.output
    assert "intervals short of staff" in human.stdout
    # Without a roster (none in the planning store): required agents only, and why.
    bare = CliRunner().invoke(main, [*args, "--now", now])
    assert bare.exit_code == 0, bare.output
    assert "no roster in the planning store" in bare.stdout
    assert "required" in bare.stdout


def test_intraday_user_errors(center: dict[str, Path], tmp_path: Path) -> None:
    planning = planning_store(tmp_path / "planning.duckdb", 20.0, 240.0)
    base = ["intraday", "--db", str(center["warehouse"]), "--planning", str(planning)]
    for extra, message in (
        (["--now", "2026-12-01 10:00"], "no forecast of calls offered for 2026-12-01"),
        (["--now", "10:00"], "--now: expected 'YYYY-MM-DD HH:MM'"),
        (["--sl-goal", "1.5"], "--sl-goal must be in (0, 1]"),
    ):
        result = CliRunner().invoke(main, [*base, *extra])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: ") and message in result.stderr
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = CliRunner().invoke(
        main,
        [
            "intraday",
            "--db",
            str(center["warehouse"]),
            "--planning",
            str(empty),
            "--now",
            "2026-11-23 10:00",
        ],
    )
    assert result.exit_code == 2 and "no forecast" in result.stderr


def test_roster_from_the_planning_store(center: dict[str, Path], tmp_path: Path) -> None:
    """The newest roster run of roster_shifts scores like the same roster as a CSV."""
    planning = tmp_path / "planning.duckdb"
    rows = SIMULATED_ROSTER + NEVER_SIMULATED
    with duckdb.connect(str(planning)) as con:
        con.execute("create table roster_runs (run_id varchar, created_at timestamptz)")
        con.execute(
            "create table roster_shifts (run_id varchar, agent_id varchar, date date, "
            "activity varchar, start_local timestamp, end_local timestamp, team varchar)"
        )
        con.execute(
            "insert into roster_runs values ('old', now() - interval 1 day), ('new', now())"
        )
        for agent, team, activity, start, end in rows:
            for run_id in ("old", "new"):
                # The old run had every shift an hour earlier: it must not be the one scored.
                shift = 0 if run_id == "new" else -1
                con.execute(
                    "insert into roster_shifts values (?, ?, ?, ?, ?::timestamp + ?::integer * "
                    "interval 1 hour, ?::timestamp + ?::integer * interval 1 hour, ?)",
                    [
                        run_id,
                        agent,
                        DAY,
                        activity,
                        f"{DAY} {start}",
                        shift,
                        f"{DAY} {end}",
                        shift,
                        team,
                    ],
                )
        # A day only the old run planned stays planned.
        con.execute(
            "insert into roster_shifts values ('old', 'A1001', '2026-11-24', 'shift', "
            "'2026-11-24 08:00', '2026-11-24 12:00', 'red')"
        )
    roster = read_roster_store(planning, "UTC")
    assert roster.days == [DAY, date(2026, 11, 24)]
    first_shift = min(r.start_s for r in roster.activities if r.day == DAY)
    assert first_shift == epoch("08:00")  # the new run's, not the old run's 07:00
    assert roster.source.endswith("(roster run new, old)")
    args = ["--db", str(center["warehouse"]), "--day", str(DAY)]
    from_store = run(*args, "--planning", str(planning))
    from_csv = run(*args, "--roster", str(center["roster"]))
    assert "roster run new, old" in from_store["roster"]
    assert from_store["teams"] == from_csv["teams"]
    assert from_store["agents"] == from_csv["agents"]
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = CliRunner().invoke(main, ["adherence", *args, "--planning", str(empty)])
    assert result.exit_code == 2 and "no roster in the planning store" in result.stderr
