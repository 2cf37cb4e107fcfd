"""Cached reads follow the published warehouse: a new publish (build-then-rename) is read
at once, while an unchanged file is served from the cache."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from dashboards.views._common import cached, data_version

CALLS: list[str] = []


def _rows(path: Path) -> int:
    CALLS.append(str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from t").fetchone()[0]


def _publish(target: Path, rows: int) -> None:
    """Build a new file beside the target and rename it over it, as the warehouse does."""
    building = target.with_suffix(".building.duckdb")
    with duckdb.connect(str(building)) as con:
        con.execute("create table t as select * from range(?)", [rows])
    os.replace(building, target)


def test_a_new_publish_is_read_at_once_and_an_unchanged_file_is_cached(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _publish(warehouse, 3)
    rows = cached(_rows)
    CALLS.clear()
    assert rows(warehouse) == 3
    assert rows(warehouse) == 3
    assert len(CALLS) == 1  # the second read came from the cache
    version = data_version((warehouse,))
    _publish(warehouse, 5)
    assert data_version((warehouse,)) != version
    assert rows(warehouse) == 5
    assert len(CALLS) == 2


def test_the_version_ignores_arguments_that_are_not_database_files(tmp_path):
    assert data_version(("booking", 3, tmp_path)) == ()
    assert data_version((tmp_path / "missing.duckdb",)) == (0,)
