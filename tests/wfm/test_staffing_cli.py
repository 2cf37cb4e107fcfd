"""``callcenter staff``: summary, JSON, CSV output, the planning store and one-line errors."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner

from callcenter_cli import main
from wfm.erlang import erlang_b
from wfm.staffing import DEFAULT_CONFIG_TOML, latest_requirements


@pytest.fixture
def forecast_csv(tmp_path):
    path = tmp_path / "forecast.csv"
    rows = ["unique_id,ds,calls,aht_s"]
    for queue, calls in (("booking", [100, 200, 0]), ("general", [50, 60, 70])):
        for i, c in enumerate(calls):
            rows.append(f"{queue},2026-09-01 {8 + i // 2:02d}:{30 * (i % 2):02d},{c},180")
    path.write_text("\n".join(rows) + "\n")
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, ["staff", *args])


def test_staff_from_a_csv_json_and_store(tmp_path, forecast_csv):
    config = tmp_path / "staffing.toml"
    config.write_text(
        '[defaults]\nmodel = "erlang_c"\n[defaults.shrinkage]\nplanned = 0.3\nunplanned = 0.0\n'
    )
    planning, output = tmp_path / "planning.duckdb", tmp_path / "requirements.csv"
    result = invoke(
        "--planning",
        str(planning),
        "--forecast",
        str(forecast_csv),
        "--config",
        str(config),
        "--output",
        str(output),
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    booking = out["queues"]["booking"]
    # 200 calls / 30 min x 180 s = 20 Erlangs at 08:30: Erlang C 80/20 with occupancy <= 0.85.
    stored = latest_requirements(planning)
    peak = stored[(stored["queue"] == "booking")].set_index("ds")["agents_raw"]
    assert booking["peak_agents_raw"] == peak.max()
    assert booking["peak_agents_required"] == math.ceil(peak.max() / 0.7 - 1e-9)
    assert booking["peak_ds"] == "2026-09-01 08:30"
    assert booking["agent_hours_raw"] == pytest.approx(peak.sum() / 2)
    assert stored["run_id"].iloc[0] == out["run_id"]
    assert out["forecast_run_ids"] == [f"file:{forecast_csv}"]
    written = pd.read_csv(output)
    assert len(written) == 6
    assert written.loc[2, "agents_raw"] == 0  # booking 09:00 has no calls
    trunks = out["trunks"]
    assert erlang_b(trunks["peak_load_erlangs"], trunks["lines"]) <= 0.01


def test_staff_human_summary(tmp_path, forecast_csv):
    result = invoke("--planning", str(tmp_path / "p.duckdb"), "--forecast", str(forecast_csv))
    assert result.exit_code == 0, result.output
    assert "booking" in result.stdout and "general" in result.stdout
    assert "trunk lines / IVR ports for the center" in result.stdout
    assert "agents_required = ceil(agents_raw / (1 - shrinkage))" in result.stdout


def test_print_config():
    result = invoke("--print-config")
    assert result.exit_code == 0
    assert result.stdout == DEFAULT_CONFIG_TOML


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("unique_id,ds,calls\nq,2026-09-01 08:00,10\n", "missing column(s) aht_s"),
        (
            "unique_id,ds,calls,aht_s\nq,2026-09-01 08:00,10,0\n",
            "error: queue q, interval 2026-09-01 08:00: aht_s must be a number > 0",
        ),
        ("unique_id,ds,calls,aht_s\nq,2026-09-01 08:00,-3,180\n", "calls must be a number >= 0"),
        ("unique_id,ds,calls,aht_s\nq,not a date,3,180\n", "ds is not a date and time"),
    ],
)
def test_bad_forecast_is_one_line(tmp_path, csv_text, message):
    path = tmp_path / "f.csv"
    path.write_text(csv_text)
    result = invoke("--planning", str(tmp_path / "p.duckdb"), "--forecast", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_other_user_errors(tmp_path, forecast_csv):
    planning = str(tmp_path / "p.duckdb")
    result = invoke("--planning", planning, "--forecast", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and "forecast file not found" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[defaults]\nservice_level = 1\n")
    result = invoke("--planning", planning, "--forecast", str(forecast_csv), "--config", str(bad))
    assert result.exit_code == 2 and "defaults.service_level: must be below 1" in result.stderr
    result = invoke("--planning", planning, "--forecast", str(forecast_csv), "--roster", "r.csv")
    assert result.exit_code == 2 and "--roster applies only with --simulate" in result.stderr
    result = invoke(
        "--planning",
        planning,
        "--forecast",
        str(forecast_csv),
        "--db",
        str(tmp_path / "nowarehouse.duckdb"),
    )
    assert result.exit_code == 2 and "no warehouse" in result.stderr
    result = invoke("--planning", str(tmp_path / "empty.duckdb"))
    assert result.exit_code == 2 and "forecast" in result.stderr


def test_staff_from_the_planning_store(tmp_path):
    pytest.importorskip("forecasting.store")
    import duckdb

    planning = tmp_path / "planning.duckdb"
    con = duckdb.connect(str(planning))
    con.execute(
        "create table forecast_runs (run_id varchar, created_at timestamptz, metric varchar)"
    )
    con.execute(
        "create table forecasts (run_id varchar, unique_id varchar, metric varchar, "
        "ds timestamp, model varchar, y_hat double, y_lo double, y_hi double, level double)"
    )
    con.execute(
        "insert into forecast_runs values ('old', '2026-08-01 00:00+00', 'offered'), "
        "('v1', '2026-09-01 00:00+00', 'offered'), ('a1', '2026-09-01 00:00+00', 'aht_s')"
    )
    con.execute(
        "insert into forecasts values "
        "('old', 'q', 'offered', '2026-09-02 08:00', 'naive', 999, 0, 0, 80), "
        "('v1', 'q', 'offered', '2026-09-02 08:00', 'naive', 100, 90, 110, 80), "
        "('v1', 'q', 'offered', '2026-09-02 08:30', 'naive', -0.2, 0, 1, 80), "
        "('a1', 'q', 'aht_s', '2026-09-02 08:00', 'naive', 180, 170, 190, 80), "
        "('a1', 'q', 'aht_s', '2026-09-02 08:30', 'naive', 200, 170, 190, 80)"
    )
    con.close()
    config = tmp_path / "staffing.toml"
    config.write_text('[defaults]\nmodel = "erlang_c"\n')
    result = invoke("--planning", str(planning), "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["forecast_run_ids"] == ["a1", "v1"]
    assert out["queues"]["q"]["peak_agents_raw"] == 14  # 10 Erlangs, 80/20, occupancy 85%
    assert any("negative" in w for w in out["warnings"])
    stored = latest_requirements(planning)
    assert list(stored["agents_raw"]) == [14, 0]
