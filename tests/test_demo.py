"""``callcenter demo`` runs the whole pipeline end to end on a day of simulated data."""

from __future__ import annotations

import duckdb
from click.testing import CliRunner

from callcenter_cli import main


def test_demo_simulates_ingests_and_publishes(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--days", "1", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "data tests passed" in result.output
    with duckdb.connect(str(tmp_path / "ingest.duckdb"), read_only=True) as con:
        queue_log_rows = con.execute("select count(*) from raw_queue_log").fetchone()[0]
        quarantined = con.execute("select count(*) from quarantine_queue_log").fetchone()[0]
    assert queue_log_rows > 10_000 and quarantined == 0
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        staged = con.execute("select count(*) from stg_queue_log").fetchone()[0]
    assert staged == queue_log_rows
