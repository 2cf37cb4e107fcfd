"""``wfm.jobs.roster_job``: rosters next week from the newest staffing run, or skips."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd

from ingest.jobs import ScheduleConfig
from wfm.jobs import roster_job
from wfm.roster.inputs import next_monday
from wfm.roster.store import latest_roster
from wfm.staffing import STORED_COLUMNS, save_requirements

TIMEZONE = "Asia/Shanghai"


def staffing_run(planning_db, week) -> None:
    rows = []
    for day in range(7):
        midnight = datetime.combine(week + timedelta(days=day), datetime.min.time())
        for minute in range(8 * 60, 20 * 60, 30):
            rows.append({"queue": "booking", "ds": midnight + timedelta(minutes=minute)})
    frame = pd.DataFrame(rows)
    for column in STORED_COLUMNS:
        if column not in frame:
            frame[column] = 0.0
    frame["model"] = "erlang_c"
    frame["binding"] = "target"
    frame["agents_raw"] = 1
    frame["agents_required"] = 2  # with shrinkage: the roster covers agents_raw itself
    save_requirements(planning_db, frame, {}, [])


def test_skips_without_requirements(tmp_path, caplog):
    config = ScheduleConfig(planning_db=tmp_path / "planning.duckdb", timezone=TIMEZONE)
    with caplog.at_level(logging.INFO, logger="wfm.jobs"):
        assert roster_job(config) == 0
    assert "roster: skipped: no planning store" in caplog.text


def test_skips_a_run_for_another_week(tmp_path, caplog):
    planning_db = tmp_path / "planning.duckdb"
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    staffing_run(planning_db, next_monday(today) + timedelta(days=14))
    with caplog.at_level(logging.INFO, logger="wfm.jobs"):
        assert roster_job(ScheduleConfig(planning_db=planning_db, timezone=TIMEZONE)) == 0
    assert "no staffing requirements for the week of" in caplog.text


def test_rosters_next_week(tmp_path):
    planning_db = tmp_path / "planning.duckdb"
    week = next_monday(datetime.now(ZoneInfo(TIMEZONE)).date())
    staffing_run(planning_db, week)
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,skills,contract_hours\nA1001,booking,40\nA1002,booking,30\n")
    config = SimpleNamespace(
        planning_db=planning_db,
        timezone=TIMEZONE,
        roster_agents=agents,
        roster_time_limit_s=3,
    )
    rows = roster_job(config)
    stored = latest_roster(planning_db)
    assert rows == len(stored) > 0
    assert set(stored.agent_id) == {"A1001", "A1002"}
    assert stored.date.min() >= pd.Timestamp(week)
