"""The operational store reaches the build: declared tables copied in, or built empty."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import publish as publish_module
from warehouse.publish import SourceError, publish
from warehouse.runner import load_project

DECLARATION = """
create table if not exists test_notes (
    note_id varchar not null,
    score integer
);
"""

MODEL = """with final as (
    select count(*) as notes, coalesce(sum(score), 0) as total from {{ source('test_notes') }}
)

select * from final
"""


@pytest.fixture
def project_with_ops(tmp_path, monkeypatch):
    ops_dir = tmp_path / "ops"
    ops_dir.mkdir()
    (ops_dir / "test.sql").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.setattr(publish_module, "OPS_DIR", ops_dir)
    models = tmp_path / "models" / "staging"
    models.mkdir(parents=True)
    (models / "stg_notes.sql").write_text(MODEL, encoding="utf-8")
    ingest = tmp_path / "ingest.duckdb"
    duckdb.connect(str(ingest)).close()
    return load_project(tmp_path / "models"), ingest


def notes(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select notes, total from stg_notes").fetchone()


def test_without_a_store_the_declared_tables_are_empty(project_with_ops, tmp_path):
    project, ingest = project_with_ops
    result = publish(tmp_path / "wh.duckdb", ingest, project=project, ops_db=tmp_path / "none")
    assert notes(tmp_path / "wh.duckdb") == (0, 0)
    assert result.sources["test_notes"] == 0


def test_the_stores_rows_are_copied_into_the_build(project_with_ops, tmp_path):
    project, ingest = project_with_ops
    ops = tmp_path / "operational.duckdb"
    with duckdb.connect(str(ops)) as con:
        con.execute(DECLARATION)
        con.execute("insert into test_notes values ('a', 3), ('b', 4)")
    publish(tmp_path / "wh.duckdb", ingest, project=project, ops_db=ops)
    assert notes(tmp_path / "wh.duckdb") == (2, 7)


def test_a_store_table_that_does_not_match_its_declaration_is_a_clear_error(
    project_with_ops, tmp_path
):
    project, ingest = project_with_ops
    ops = tmp_path / "operational.duckdb"
    with duckdb.connect(str(ops)) as con:
        con.execute("create table test_notes (something_else date)")
        con.execute("insert into test_notes values (date '2026-01-01')")
    with pytest.raises(SourceError, match="test_notes does not match its declaration"):
        publish(tmp_path / "wh.duckdb", ingest, project=project, ops_db=ops)
    assert not (tmp_path / "wh.duckdb").exists()
