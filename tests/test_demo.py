"""``callcenter demo`` runs the whole pipeline end to end on a day or two of simulated data."""

from __future__ import annotations

from datetime import date

import duckdb
from click.testing import CliRunner

from callcenter_cli import main


def _lines(path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line.strip())


def test_demo_simulates_ingests_and_publishes(tmp_path):
    result = CliRunner().invoke(
        main, ["demo", "--days", "1", "--no-plan", "--data", str(tmp_path), "--no-serve"]
    )
    assert result.exit_code == 0, result.output
    assert "data tests passed" in result.output
    with duckdb.connect(str(tmp_path / "ingest.duckdb"), read_only=True) as con:
        queue_log_rows = con.execute("select count(*) from raw_queue_log").fetchone()[0]
        quarantined = con.execute("select count(*) from quarantine_queue_log").fetchone()[0]
        cdr_rows = con.execute("select count(*) from raw_cdr").fetchone()[0]
        tables = {name for (name,) in con.execute("show tables").fetchall()}
    assert queue_log_rows > 10_000 and quarantined == 0
    # Loaded while the simulation wrote, the raw tables still hold every line written,
    # once: the landing's rotated and current Asterisk files, counted here directly.
    asterisk = tmp_path / "landing" / "asterisk"
    assert queue_log_rows == sum(_lines(p) for p in asterisk.glob("queue_log*"))
    assert cdr_rows == sum(_lines(p) for p in (asterisk / "cdr-csv").glob("Master.csv*"))
    assert "raw_call_truth" not in tables  # the engine's ground truth is not loaded
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        staged = con.execute("select count(*) from stg_queue_log").fetchone()[0]
    assert staged == queue_log_rows


def test_demo_plans_scores_and_reports_on_what_it_built(tmp_path):
    """Every later stage runs on the demo's own data and leaves its records behind."""
    result = CliRunner().invoke(
        main,
        [
            *("demo", "--days", "2", "--coming-days", "2", "--roster-time-limit", "3"),
            *("--data", str(tmp_path), "--no-serve"),
        ],
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(tmp_path / "planning.duckdb"), read_only=True) as con:
        forecast_metrics = {
            m for (m,) in con.execute("select metric from forecast_runs").fetchall()
        }
        requirement_rows = con.execute("select count(*) from requirements").fetchone()[0]
        # deferred channels are staffed by workload next to voice, and rostered
        workload_rows = con.execute(
            "select count(*) from requirements where model = 'workload'"
        ).fetchone()[0]
        deferred_covered = con.execute(
            "select count(*) from roster_coverage where skill = 'email' and scheduled > 0"
        ).fetchone()[0]
        rostered_agents = con.execute(
            "select count(distinct agent_id) from roster_shifts"
        ).fetchone()[0]
    assert forecast_metrics == {"offered", "aht_s", "deferred_arrivals", "deferred_aht_s"}
    assert requirement_rows > 0 and rostered_agents > 0
    assert workload_rows > 0 and deferred_covered > 0
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        evaluations = con.execute("select count(*) from mart_qa_scores").fetchone()[0]
    with duckdb.connect(str(tmp_path / "operational.duckdb"), read_only=True) as con:
        stored = con.execute("select count(*) from qa_evaluations").fetchone()[0]
        risks = con.execute("select count(*) from risk_register").fetchone()[0]
    assert evaluations == stored > 0  # the second build copied the store's evaluations
    assert risks > 0
    assert (tmp_path / "roster" / "roster.csv").is_file()
    assert "dashboard log-ins" in result.output and "callcenter serve --data" in result.output
    assert any((tmp_path / "reports").glob("settlement_*.xlsx"))

    # The two coming days ran on the roster the demo made: whoever logged in on them was
    # rostered that day (a few rostered agents are absent, as the scenario's groups say).
    with duckdb.connect(str(tmp_path / "planning.duckdb"), read_only=True) as con:
        rostered = dict(
            con.execute(
                "select date, list(distinct agent_id) from roster_shifts "
                "where activity = 'shift' group by date"
            ).fetchall()
        )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        worked = dict(
            con.execute(
                "select day_local, list(distinct agent_id) from mart_agent_daily "
                "where login_s > 0 group by day_local"
            ).fetchall()
        )
    coming = [date(2026, 9, 3), date(2026, 9, 4)]
    assert sorted(worked) == [date(2026, 9, 1), date(2026, 9, 2), *coming]
    for day in coming:
        assert set(worked[day]) <= set(rostered[day])
        assert len(worked[day]) >= 0.8 * len(rostered[day])
