"""Exports and the planning store: iCalendar structure (RFC 5545), the workbook, the
roster tables and ``latest_roster``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfm.roster.coverage import allocate
from wfm.roster.domain import Agent, RosterActivity, ShiftTemplate
from wfm.roster.exports import calendar_text, fold, write_calendars, write_workbook
from wfm.roster.solver import solve_roster
from wfm.roster.store import latest_roster, latest_roster_run, save_roster

WEEK = date(2026, 11, 23)
SHIFT = ShiftTemplate(
    "day",
    510,
    8 * 60,
    11 * 60,
    lunch_min=30,
    lunch_window_min=(180, 300),
    break_windows_min=((60, 150), (330, 435)),
)
AGENTS = [
    Agent("A1001", {"booking": 8, "general": 5}, 5 * 480, team="blue"),
    Agent("A1002", {"general": 6}, 4 * 480, team="red"),
    Agent("A1003", {"booking": 4}, 3 * 480, team="red"),
]


def demand() -> pd.DataFrame:
    rows = []
    for day in range(7):
        midnight = datetime.combine(WEEK + timedelta(days=day), datetime.min.time())
        for minute in range(8 * 60, 20 * 60, 30):
            rows.append(("booking", midnight + timedelta(minutes=minute), 1))
            rows.append(("general", midnight + timedelta(minutes=minute), 1 if minute < 900 else 0))
    return pd.DataFrame(rows, columns=["skill", "ds", "required"])


@pytest.fixture(scope="module")
def result():
    return solve_roster(AGENTS, [SHIFT], demand(), WEEK, time_limit_s=2, num_workers=1)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_structure(result, tmp_path):
    paths = write_calendars(
        result.activities, [a.agent_id for a in AGENTS], "Asia/Shanghai", tmp_path
    )
    assert sorted(p.name for p in paths) == ["A1001.ics", "A1002.ics", "A1003.ics"]
    raw = paths[0].read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for physical in raw.split(b"\r\n")[:-1]:
        assert len(physical) <= 75
    lines = unfold(raw.decode())[:-1]
    stack = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert not stack
    assert (
        lines[0] == "BEGIN:VCALENDAR"
        and "VERSION:2.0" in lines
        and any(line.startswith("PRODID:") for line in lines)
    )
    events = [i for i, line in enumerate(lines) if line == "BEGIN:VEVENT"]
    shifts = sorted(
        (a for a in result.activities if a.agent_id == "A1001" and a.activity == "shift"),
        key=lambda a: a.start,
    )
    assert len(events) == len(shifts) == 5
    for index, shift in zip(events, shifts, strict=True):
        event = lines[index : lines.index("END:VEVENT", index)]
        fields = dict(line.split(":", 1) for line in event[1:])
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= fields.keys()
        start_utc = (shift.start - timedelta(hours=8)).strftime("%Y%m%dT%H%M%SZ")  # UTC+8
        assert fields["DTSTART"] == start_utc
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)


@given(st.text(min_size=0, max_size=300))
def test_fold_keeps_octet_limit_and_content(text):
    line = "DESCRIPTION:" + text.replace("\r", "").replace("\n", "")
    folded = fold(line)
    for physical in folded.split("\r\n"):
        assert len(physical.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_calendar_text_escapes():
    shift = RosterActivity(
        "A9", WEEK, "shift", datetime(2026, 11, 23, 22), datetime(2026, 11, 24, 6), "night, late"
    )
    text = calendar_text("A9", [shift], "UTC", datetime(2026, 11, 20, tzinfo=UTC))
    assert "SUMMARY:Shift 22:00-06:00 (night\\, late)" in unfold(text)
    assert "DTEND:20261124T060000Z" in unfold(text)


def test_workbook(result, tmp_path):
    path = write_workbook(
        result.activities, AGENTS, result.coverage, result.summary, WEEK, tmp_path / "r.xlsx"
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Roster", "Coverage", "Summary"]
    grid = book["Roster"]
    assert grid["A1"].value == "agent_id" and grid["A1"].font.bold
    assert grid["D1"].value == "Mon 2026-11-23"
    assert grid.max_row == 1 + len(AGENTS)
    worked = sum(
        1
        for row in grid.iter_rows(min_row=2, min_col=4, max_col=10, values_only=True)
        for cell in row
        if cell != "off"
    )
    assert worked == sum(1 for a in result.activities if a.activity == "shift")
    assert book["Coverage"].max_row == 1 + len(result.coverage)


def test_store_and_latest_roster(result, tmp_path):
    db = tmp_path / "planning.duckdb"
    assert latest_roster(db).empty
    first_id, rows = save_roster(db, result)
    assert rows == len(result.activities)
    second_id, _ = save_roster(db, result)
    frame = latest_roster(db)
    assert list(frame.columns) == [
        "run_id",
        "agent_id",
        "date",
        "activity",
        "start_local",
        "end_local",
    ]
    assert set(frame.run_id) == {second_id} != {first_id}
    expected = sorted((a.agent_id, a.activity, a.start, a.end) for a in result.activities)
    got = sorted(
        (r.agent_id, r.activity, r.start_local.to_pydatetime(), r.end_local.to_pydatetime())
        for r in frame.itertuples()
    )
    assert got == expected
    run = latest_roster_run(db)
    assert run["run_id"] == second_id and run["week_start"] == pd.Timestamp(WEEK)
    assert run["parameters"]["summary"]["coverage_pct"] == result.summary["coverage_pct"]
    with duckdb.connect(str(db), read_only=True) as con:
        runs, coverage = con.execute(
            "select (select count(*) from roster_runs), (select count(*) from roster_coverage)"
        ).fetchone()
    assert runs == 2 and coverage == 2 * len(result.coverage)


def test_multi_skill_split_covers_the_most_demand():
    # booking+general 3 agent-minutes, general 1: demand booking 2, general 2 -> all met
    flow = allocate(
        {("booking", "general"): 3.0, ("general",): 1.0}, {"booking": 2.0, "general": 2.0}
    )
    assert sum(flow.values()) == pytest.approx(4.0)
    # the greedy choice (general first) would leave booking short; max-flow re-routes
    flow = allocate(
        {("booking", "general"): 2.0, ("general",): 2.0}, {"general": 2.0, "booking": 2.0}
    )
    assert flow[(("booking", "general"), "booking")] == pytest.approx(2.0)
