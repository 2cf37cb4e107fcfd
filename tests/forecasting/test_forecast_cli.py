"""``callcenter forecast`` end to end, the planning store and ``latest_forecasts``.

The --db tests build a tiny warehouse: a real DuckDB file in ``tmp_path`` holding a
``mart_interval_kpis`` table with only the columns the forecast reads (queue,
interval_start_local, offered, aht_s, handled_known), filled from the hand-written
pattern of ``conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from callcenter_cli import main
from forecasting.jobs import forecast_job
from forecasting.store import FORECAST_COLUMNS, latest_forecasts


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_forecast_a_csv_human_and_json(tmp_path, synthetic):
    frame, _, days = synthetic(days=28, base=25, poisson_seed=8)
    two = pd.concat([frame, frame.assign(unique_id="other", y=frame["y"] * 2)])
    history = _write_csv(tmp_path / "history.csv", two)
    out = tmp_path / "forecast.csv"
    args = ["forecast", "--input", str(history), "--horizon", "1w", "--output", str(out)]
    human = CliRunner().invoke(main, [*args, "--models", "seasonal_naive,holt_winters"])
    assert human.exit_code == 0, human.output
    assert "naive WAPE" in human.output and "other" in human.output
    written = pd.read_csv(out, parse_dates=["ds"])
    assert list(written.columns) == ["unique_id", "ds", "y_hat", "y_lo", "y_hi", "model"]
    assert len(written) == 2 * 7 * 24  # open intervals only: 08:00-19:30
    assert written["ds"].min() == days[-1] + pd.Timedelta(days=1, hours=8)
    assert written["ds"].dt.hour.between(8, 19).all()
    assert (written["y_lo"] <= written["y_hat"]).all() and (
        written["y_hat"] <= written["y_hi"]
    ).all()

    result = CliRunner().invoke(main, [*args, "--cutoffs", "2", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["rows"] == 2 * 7 * 24
    assert document["interval_minutes"] == 30
    assert len(document["cutoffs"]) == 2
    assert {s["unique_id"] for s in document["series"]} == {"q", "other"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("when,y\n2026-09-01 08:00,3\n", "missing ds"),
        ("ds,y\nlater,3\n", "not dates"),
        ("ds,y\n2026-09-01 08:00,-3\n", "negative"),
        ("ds,y\n2026-09-01 08:00,3\n2026-09-01 08:00,4\n", "duplicate ds"),
        ("ds,y\n2026-09-01 08:00,0\n2026-09-01 08:30,0\n", "zero volume"),
        ("", "not a readable CSV"),
        (
            "ds,y\n2026-09-01 08:00,3\n2026-09-01 08:30,4\n2026-09-01 09:00,1\n"
            "2026-09-01 09:30,1\n2026-09-01 09:37,2\n",
            "regular grid",
        ),
    ],
)
def test_bad_input_is_one_error_line(tmp_path, content: str, message: str):
    history = tmp_path / "history.csv"
    history.write_text(content)
    args = ["forecast", "--input", str(history), "--output", str(tmp_path / "f.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--horizon", "soon"], "horizon"),
        (["--models", "prophet"], "unknown model"),
    ],
)
def test_bad_options_are_one_error_line(tmp_path, synthetic, extra, message):
    frame, _, _ = synthetic(days=14)
    history = _write_csv(tmp_path / "h.csv", frame)
    args = ["forecast", "--input", str(history), "--output", str(tmp_path / "f.csv"), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.output
    missing = CliRunner().invoke(
        main, ["forecast", "--input", str(tmp_path / "none.csv"), "--output", "x.csv"]
    )
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_a_short_history_still_forecasts_and_says_so(tmp_path, synthetic):
    frame, _, _ = synthetic(days=5)
    history = _write_csv(tmp_path / "h.csv", frame)
    args = [
        "forecast",
        "--input",
        str(history),
        "--output",
        str(tmp_path / "f.csv"),
        "--horizon",
        "2d",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "daily seasonal naive" in result.output
    written = pd.read_csv(tmp_path / "f.csv")
    assert len(written) == 2 * 24
    assert (written["y_hi"] > written["y_hat"]).all()  # a Poisson spread, not a point


def _tiny_warehouse(path: Path, synthetic) -> pd.DatetimeIndex:
    """Two queues, 28 days, 08:00-19:30; AHT 200 s (booking) and 400 s (complaints)."""
    frames = []
    for queue, base, aht in (("booking", 30.0, 200.0), ("complaints", 8.0, 400.0)):
        frame, _, days = synthetic(days=28, base=base, poisson_seed=len(queue))
        handled = np.maximum(frame["y"] - 1, 0)
        frames.append(
            pd.DataFrame(
                {
                    "queue": queue,
                    "interval_start_local": frame["ds"],
                    "offered": frame["y"].astype(int),
                    "aht_s": np.where(handled > 0, aht, np.nan),
                    "handled_known": handled.astype(int),
                }
            )
        )
    with duckdb.connect(str(path)) as con:
        con.register("mart", pd.concat(frames, ignore_index=True))
        con.execute("create table mart_interval_kpis as select * from mart")
    return days


def test_forecast_from_the_warehouse_into_the_planning_store(tmp_path, synthetic):
    warehouse, planning = tmp_path / "warehouse.duckdb", tmp_path / "planning.duckdb"
    days = _tiny_warehouse(warehouse, synthetic)
    assert latest_forecasts(planning, "offered").columns.tolist() == FORECAST_COLUMNS
    assert latest_forecasts(planning, "offered").empty
    args = ["forecast", "--db", str(warehouse), "--planning", str(planning), "--horizon", "7d"]
    result = CliRunner().invoke(
        main, [*args, "--cutoffs", "2", "--models", "holt_winters,weighted_average"]
    )
    assert result.exit_code == 0, result.output
    assert "offered:" in result.output and "aht_s:" in result.output
    assert "booking" in result.output and "stored" in result.output

    offered = latest_forecasts(planning, "offered")
    assert offered.columns.tolist() == FORECAST_COLUMNS
    assert set(offered["unique_id"]) == {"booking", "complaints"}
    assert len(offered) == 2 * 7 * 24
    assert offered["ds"].min() == days[-1] + pd.Timedelta(days=1, hours=8)
    aht = latest_forecasts(planning, "aht_s")
    booking = aht[aht["unique_id"] == "booking"]
    assert booking["y_hat"].to_numpy() == pytest.approx(200.0)  # a constant AHT stays put
    complaints = aht[aht["unique_id"] == "complaints"]
    assert complaints["y_hat"].to_numpy() == pytest.approx(400.0)

    with duckdb.connect(str(planning), read_only=True) as con:
        runs = con.execute(
            "select metric, interval_minutes, horizon_start from forecast_runs"
        ).fetchall()
        chosen = con.execute(
            "select count(distinct unique_id) from forecast_backtests where chosen"
        ).fetchall()[0][0]
        horizon_days = con.execute("select distinct horizon_day from forecast_backtests").fetchall()
    assert sorted(r[0] for r in runs) == ["aht_s", "offered"]
    assert {r[1] for r in runs} == {30}
    assert {r[2] for r in runs} == {(days[-1] + pd.Timedelta(days=1)).to_pydatetime()}
    assert chosen == 2
    assert sorted(h[0] for h in horizon_days) == list(range(1, 8))

    # a second run (the scheduler's job) becomes the newest
    class Config:
        warehouse_db = warehouse
        planning_db = planning

    rows = forecast_job(Config())
    assert rows == 2 * (2 * 14 * 24)
    newest = latest_forecasts(planning, "offered")
    assert newest["run_id"].nunique() == 1 and newest["run_id"].iloc[0] != offered["run_id"].iloc[0]
    assert len(newest) == 2 * 14 * 24


def test_the_json_of_the_warehouse_mode_and_start(tmp_path, synthetic):
    warehouse, planning = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    days = _tiny_warehouse(warehouse, synthetic)
    start = str((days[-7]).date())
    args = ["forecast", "--db", str(warehouse), "--planning", str(planning), "--horizon", "7d"]
    result = CliRunner().invoke(
        main, [*args, "--start", start, "--cutoffs", "1", "--models", "seasonal_naive", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["runs"]["offered"]["horizon_start"].startswith(start)
    assert document["rows"] == 2 * 2 * 7 * 24
    missing = CliRunner().invoke(main, ["forecast", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and missing.output.startswith("error: no warehouse")
