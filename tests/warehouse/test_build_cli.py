"""``callcenter build``: summary, JSON, exit codes."""

from __future__ import annotations

import json

import duckdb
import pytest
from click.testing import CliRunner
from raw_tables import QUEUE_LOG, queue_log_rows, write_ingest_db

from callcenter_cli import SUBCOMMANDS, main
from warehouse.cli import build


@pytest.fixture
def paths(tmp_path):
    ingest_db = write_ingest_db(tmp_path / "ingest.duckdb")
    return ["--db", str(tmp_path / "out" / "warehouse.duckdb"), "--ingest-db", str(ingest_db)]


def test_build_prints_rows_and_seconds_per_model_and_the_test_summary(paths):
    result = CliRunner().invoke(build, paths)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("published build 1 to ") and "warehouse.duckdb in " in lines[0]
    assert lines[1].split() == ["model", "rows", "seconds"]
    model_rows = {line.split()[0]: line.split()[1] for line in lines[2:] if len(line.split()) == 3}
    assert model_rows["stg_cdr"] == "4" and model_rows["stg_queue_log"] == "8"
    summary = next(line for line in lines if line.startswith("data tests: "))
    assert summary.endswith(" passed, 0 failed")


def test_build_json_carries_models_tests_and_variables(paths):
    result = CliRunner().invoke(build, [*paths, "--var", "interval_minutes=15", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["published"] is True and document["build_number"] == 1
    assert document["variables"]["interval_minutes"] == 15
    # The two loaded sources; every other raw table is built empty (not delivered here).
    sources = document["sources"]
    assert sources["raw_cdr"] == 4 and sources["raw_queue_log"] == 8
    assert all(
        rows == 0 for name, rows in sources.items() if name not in ("raw_cdr", "raw_queue_log")
    )
    rows = {m["name"]: m["rows"] for m in document["models"]}
    assert rows["stg_cdr"] == 4 and rows["stg_queue_log"] == 8
    assert document["tests"]["failed"] == 0 and document["tests"]["passed"] > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--var", "interval_minutes=20"], "error: variable interval_minutes=20: must be one of"),
        (["--var", "interval=15"], "error: unknown variable 'interval'"),
        (["--var", "interval_minutes"], "error: --var 'interval_minutes': expected NAME=VALUE"),
        (["--var", "timezone=Mars/Olympus"], "error: variable timezone='Mars/Olympus': not a"),
    ],
)
def test_bad_variables_are_user_errors(paths, extra, message):
    result = CliRunner().invoke(build, [*paths, *extra])
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1


def test_a_missing_ingest_database_is_a_user_error(tmp_path):
    result = CliRunner().invoke(build, ["--ingest-db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: ingest database {tmp_path / 'none.duckdb'} not found"


def test_a_failing_data_test_exits_1_and_lists_the_failures(tmp_path, paths):
    rows = queue_log_rows(QUEUE_LOG)
    write_ingest_db(tmp_path / "ingest.duckdb", queue_log=[*rows, rows[0]])  # a row twice
    result = CliRunner().invoke(build, paths)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 2 of ")
    for failed in ("event_epoch_s, call_id, queue, agent, event, data", "load_id, source_file"):
        assert f"unique_combination(stg_queue_log: {failed}" in result.stderr
    assert result.stderr.count("2 failing rows") == 2
    assert not (tmp_path / "out" / "warehouse.duckdb").exists()

    result = CliRunner().invoke(build, [*paths, "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["published"] is False and document["tests"]["failed"] == 2
    failure = document["tests"]["failures"][0]
    assert failure["model"] == "stg_queue_log" and failure["failing_rows"] == 2
    assert len(failure["examples"]) == 2 and failure["examples"][0]["event"] == "DID"


def test_the_subcommand_line_for_callcenter_cli_works(monkeypatch, paths):
    monkeypatch.setitem(SUBCOMMANDS, "build", "warehouse.cli:build")
    result = CliRunner().invoke(main, ["build", "--help"])
    assert result.exit_code == 0 and "--ingest-db" in result.stdout
    result = CliRunner().invoke(main, ["build", *paths, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] is True


def test_select_builds_the_named_models_and_what_they_read_only(tmp_path, paths):
    result = CliRunner().invoke(build, [*paths, "--select", "int_queue_visits", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    built = [m["name"] for m in document["models"]]
    assert "int_queue_visits" in built and "stg_queue_log" in built
    assert "mart_call_billing" not in built and "fct_calls" not in built
    assert document["tests"]["failed"] == 0 and document["tests"]["passed"] > 0
    # Only raw tables the selected models read are copied.
    assert "raw_queue_log" in document["sources"] and "raw_orders" not in document["sources"]
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        tables = {name for (name,) in con.execute("show tables").fetchall()}
    assert {"int_queue_visits", "stg_queue_log"} <= tables and "mart_call_billing" not in tables


def test_selecting_an_unknown_model_is_a_user_error(paths):
    result = CliRunner().invoke(build, [*paths, "--select", "mart_nothing"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no model named mart_nothing (models: ")
