"""stg_agent_directory: the newest snapshot of each agent of the agent directory export
(agents/agent_directory_YYYYMMDD.csv, acd/writers/landing.py), built by the shipped models
from hand-written snapshots; and an ingest without the export builds it empty."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ingest.loader import Loader
from warehouse.connect import read_only
from warehouse.publish import publish

HEADER = "snapshot_date,agent_id,team,skills,deferred_channels"
# The first run's directory: A3 leaves before the second run, A1 changes team and skills.
OLDER = [
    "2026-09-01,A1,booking_team,booking:8;general:5,email;sms",
    "2026-09-01,A2,booking_team,booking:6,",
    "2026-09-01,A3,general_team,general:7,email",
]
# The second run's: A1 moved, A2 unchanged, A4 new with no team filled in.
NEWER = [
    "2026-09-08,A1,general_team,general:9,sms",
    "2026-09-08,A2,booking_team,booking:6,",
    "2026-09-08,A4,,general:3,",
]
AGENT_STATES = (
    "time,agent_id,state,reason,call_id,queue\r\n"
    "2026-09-01T08:00:00.000+08:00,A1,available,,,\r\n"
    "2026-09-01T09:00:00.000+08:00,A1,logged_out,,,\r\n"
)


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def csv_text(lines: list[str]) -> str:
    return "\r\n".join([HEADER, *lines]) + "\r\n"


def load_and_publish(folder: Path, landings: list[Path]) -> Path:
    """Load each landing folder in turn (one load each), then publish the shipped models."""
    ingest_db = folder / "ingest.duckdb"
    for landing in landings:
        with Loader(ingest_db) as loader:
            report = loader.ingest([landing])
        assert not report.failed, report.failed
    # publish raises DataTestError if a data test fails (unique agent_id, not_null team).
    return publish(folder / "warehouse.duckdb", ingest_db).path


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    with read_only(db) as con:
        return con.sql(sql).to_arrow_table().to_pylist()


def test_each_agent_keeps_its_newest_snapshot(tmp_path):
    # The newer snapshot is loaded first: the snapshot date decides, not the load order.
    newer, older = tmp_path / "run2", tmp_path / "run1"
    write(newer / "agents", "agent_directory_20260908.csv", csv_text(NEWER))
    write(older / "agents", "agent_directory_20260901.csv", csv_text(OLDER))
    write(older / "agent_states", "agent_states_20260901.csv", AGENT_STATES)
    db = load_and_publish(tmp_path, [newer, older])
    assert rows(db, "select count(*) as n from raw_agent_directory") == [{"n": 6}]
    got = rows(
        db,
        "select agent_id, team, skills, deferred_channels, snapshot_date, is_current, "
        "snapshots from stg_agent_directory order by agent_id",
    )
    newest, oldest = date(2026, 9, 8), date(2026, 9, 1)
    assert got == [
        {"agent_id": "A1", "team": "general_team", "skills": "general:9",
         "deferred_channels": "sms", "snapshot_date": newest, "is_current": True, "snapshots": 2},
        {"agent_id": "A2", "team": "booking_team", "skills": "booking:6",
         "deferred_channels": None, "snapshot_date": newest, "is_current": True, "snapshots": 2},
        # dropped from the newest directory: the last snapshot that listed the agent
        {"agent_id": "A3", "team": "general_team", "skills": "general:7",
         "deferred_channels": "email", "snapshot_date": oldest, "is_current": False,
         "snapshots": 1},
        {"agent_id": "A4", "team": "unassigned", "skills": "general:3",
         "deferred_channels": None, "snapshot_date": newest, "is_current": True, "snapshots": 1},
    ]  # fmt: skip
    # lineage points at the newest snapshot's file
    [a1] = rows(
        db, "select source_file, source_line from stg_agent_directory where agent_id = 'A1'"
    )
    assert a1["source_file"].endswith("agent_directory_20260908.csv") and a1["source_line"] == 2


def test_without_a_directory_export_the_model_is_empty(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "agent_states", "agent_states_20260901.csv", AGENT_STATES)
    db = load_and_publish(tmp_path, [landing])
    assert rows(db, "select count(*) as n from stg_agent_directory") == [{"n": 0}]
    assert rows(db, "select count(*) as n from mart_agent_daily") == [{"n": 1}]
