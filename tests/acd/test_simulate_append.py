"""``simulate --append``: a second run continues the first run's landing folder the way a
PBX that kept running would (the demo runs the coming week on the new roster this way)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from acd.simulate import simulate

DAY = date(2026, 9, 1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    one_day = tmp_path_factory.mktemp("one_day")
    continued = tmp_path_factory.mktemp("continued")
    simulate("airline", DAY, 1, 7, one_day)
    simulate("airline", DAY, 1, 7, continued)
    simulate("airline", date(2026, 9, 2), 1, 7, continued, append=True)
    return {"one_day": one_day, "continued": continued}


def test_the_first_days_asterisk_files_are_rotated_not_overwritten(runs):
    first = runs["one_day"] / "asterisk"
    continued = runs["continued"] / "asterisk"
    for current in ("queue_log", "cdr-csv/Master.csv"):
        day_one = (first / current).read_bytes()
        assert day_one, current
        rotated = continued / f"{current}-20260902"
        assert rotated.read_bytes() == day_one, f"{current}: day 1 lost or changed"
        now = (continued / current).read_bytes()
        assert now and now != day_one


def test_the_continued_folder_ingests_without_duplicates_or_quarantine(runs, tmp_path):
    from ingest.loader import Loader

    with Loader(tmp_path / "ingest.duckdb") as loader:
        report = loader.ingest([runs["continued"]])
    totals = report.by_source()
    for source in (
        *("queue_log", "cdr_csv", "outbound_attempts", "orders", "order_events"),
        *("recordings", "agent_states", "contacts", "surveys", "call_truth"),
    ):
        assert totals[source]["loaded"] > 0, source
        assert totals[source]["duplicate"] == 0, (source, totals[source])
        assert totals[source]["quarantined"] == 0, (source, totals[source])
    asterisk = runs["continued"] / "asterisk"
    lines = sum(len(path.read_bytes().splitlines()) for path in asterisk.glob("queue_log*"))
    assert totals["queue_log"]["loaded"] == lines


def test_outbound_attempt_ids_of_two_runs_do_not_collide(runs):
    ids: list[str] = []
    for path in sorted((runs["continued"] / "outbound").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            ids += [row["attempt_id"] for row in csv.DictReader(handle)]
    days = {attempt[2:10] for attempt in ids}
    assert days == {"20260901", "20260902"}
    assert len(ids) == len(set(ids))


def test_each_run_writes_its_agent_directory_snapshot(runs):
    from acd.scenario import load_scenario

    spec = load_scenario("airline")
    groups = {group.name: group for group in spec.agent_groups}
    snapshots = sorted((runs["continued"] / "agents").glob("agent_directory_*.csv"))
    assert [p.name for p in snapshots] == [
        "agent_directory_20260901.csv",
        "agent_directory_20260902.csv",
    ]
    with snapshots[0].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(group.count for group in spec.agent_groups) == 300
    assert len({row["agent_id"] for row in rows}) == 300
    assert {row["snapshot_date"] for row in rows} == {"2026-09-01"}
    for row in rows:
        group = groups[row["team"]]
        levels = dict(item.split(":") for item in row["skills"].split(";"))
        assert {skill: int(level) for skill, level in levels.items()} == group.skills
        assert row["deferred_channels"] == ";".join(group.deferred)
