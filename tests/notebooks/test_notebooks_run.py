"""The analyst notebooks (``notebooks/*.ipynb``) run top to bottom against a small demo
data folder, and what they compute matches a direct query of the marts.

The notebooks are executed by ``nbrun`` (a minimal executor, no Jupyter packages): each
code cell in order, in one namespace. The demo folder (two days, planned, with QA) is built
once for this module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from nbrun import NotebookError, run_notebook

from callcenter_cli import main

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _query(path: Path, sql: str, parameters: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, parameters or []).df()


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two simulated days with the warehouse, the planning store and QA evaluations; no
    coming day, so the forecast starts after the data (the overlap tests make their own)."""
    data = tmp_path_factory.mktemp("nb_data")
    result = CliRunner().invoke(
        main,
        [
            *("demo", "--days", "2", "--coming-days", "0", "--roster-time-limit", "3"),
            *("--data", str(data), "--no-serve"),
        ],
    )
    assert result.exit_code == 0, result.output
    return data


@pytest.fixture
def demo_env(demo_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLCENTER_DATA", str(demo_data))
    return demo_data


def _with_backtests(source: Path, target: Path) -> Path:
    """A copy of the demo folder whose newest volume run also holds backtest rows (two
    models, two cutoffs, three horizon days per queue) and forecasts of the warehouse's
    last day (1.1 x the actual offered calls, band 0.8x .. 1.3x)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.build-lock"))
    last_day = _query(
        target / "warehouse.duckdb",
        "select max(cast(interval_start_local as date)) as d from mart_interval_kpis",
    )["d"][0]
    actual = _query(
        target / "warehouse.duckdb",
        "select queue as unique_id, interval_start_local as ds, cast(offered as double) as y "
        "from mart_interval_kpis where cast(interval_start_local as date) = ?",
        [last_day],
    )
    rng = np.random.default_rng(7)
    with duckdb.connect(str(target / "planning.duckdb")) as con:
        run_id = con.execute(
            "select run_id from forecast_runs where metric = 'offered' "
            "order by created_at desc, run_id limit 1"
        ).fetchone()[0]
        rows = []
        for queue in sorted(actual["unique_id"].unique()):
            for model in ("seasonal_naive", "gbm"):
                for cutoff in ("2026-08-01", "2026-08-08"):
                    for horizon_day in (1, 2, 3):
                        y_sum = float(rng.integers(50, 500))
                        abs_error = y_sum * float(rng.uniform(0.05, 0.4))
                        rows.append(
                            (run_id, queue, model, pd.Timestamp(cutoff), horizon_day,
                             abs_error / y_sum, 1.0, 0.01, model == "gbm", 0.1,
                             y_sum, abs_error, 0.01 * y_sum, y_sum, 1.0)
                        )  # fmt: skip
        con.executemany(
            "insert into forecast_backtests values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        forecasts = actual.assign(
            run_id=run_id,
            metric="offered",
            model="gbm",
            y_hat=actual["y"] * 1.1,
            y_lo=actual["y"] * 0.8,
            y_hi=actual["y"] * 1.3,
            level=0.8,
        ).drop(columns=["y"])
        con.register("forecasts_frame", forecasts)
        con.execute("insert into forecasts by name select * from forecasts_frame")
    return target


# ---------------------------------------------------------------- the notebooks


def test_interval_kpis_notebook(demo_env: Path) -> None:
    namespace = run_notebook(NOTEBOOKS / "01_interval_kpis.ipynb")
    summary = namespace["summary"].set_index("queue")
    expected = _query(
        demo_env / "warehouse.duckdb",
        "select queue, sum(offered) as offered, sum(answered_within_target) "
        "/ nullif(sum(answered + abandoned), 0)::double as service_level "
        "from mart_interval_kpis group by queue order by queue",
    ).set_index("queue")
    assert list(summary.index) == list(expected.index)
    assert summary["offered"].tolist() == expected["offered"].tolist()
    np.testing.assert_allclose(summary["service_level"], expected["service_level"])
    # The weekday and day x interval groupings add up to the same calls.
    assert namespace["by_weekday"]["offered"].sum() == expected["offered"].sum()
    assert namespace["grid"]["offered"].sum() == expected["offered"].sum()
    assert namespace["heat"].shape[0] == namespace["intervals"]["day"].nunique()


def test_forecast_notebook_without_backtests(
    demo_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from forecasting.store import latest_forecasts

    namespace = run_notebook(NOTEBOOKS / "02_forecast_accuracy.ipynb")
    output = capsys.readouterr().out
    assert namespace["summary"].empty
    assert "NOTE: no backtest rows for this run" in output
    pd.testing.assert_frame_equal(
        namespace["forecast"], latest_forecasts(demo_env / "planning.duckdb", "offered")
    )
    # The demo's forecast starts after its last simulated day: no overlap, said plainly.
    assert namespace["overlap"].empty
    assert "NOTE: no overlap yet" in output


def test_forecast_notebook_scores_backtests(
    demo_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _with_backtests(demo_data, tmp_path / "data")
    monkeypatch.setenv("CALLCENTER_DATA", str(data))
    namespace = run_notebook(NOTEBOOKS / "02_forecast_accuracy.ipynb")
    summary = namespace["summary"].sort_values(["unique_id", "model"]).reset_index(drop=True)
    expected = _query(
        data / "planning.duckdb",
        "select unique_id, model, sum(abs_error_sum) / sum(y_sum) as wape, bool_or(chosen) "
        "as chosen from forecast_backtests group by 1, 2 order by 1, 2",
    )
    assert summary["unique_id"].tolist() == expected["unique_id"].tolist()
    assert summary["model"].tolist() == expected["model"].tolist()
    np.testing.assert_allclose(summary["wape"], expected["wape"])
    assert summary["chosen"].tolist() == expected["chosen"].tolist()
    assert sorted(namespace["by_horizon"]["horizon_day"].unique()) == [1, 2, 3]
    versus = namespace["versus"]
    assert set(versus["model"]) == {"gbm"}
    assert len(versus) == expected["unique_id"].nunique()
    # The forecast now covers the last simulated day: y_hat = 1.1 x actual, inside its band.
    accuracy = namespace["overlap_accuracy"]
    assert len(accuracy) == expected["unique_id"].nunique()
    np.testing.assert_allclose(accuracy["wape"], 0.1)
    np.testing.assert_allclose(accuracy["bias"], 0.1)
    np.testing.assert_allclose(accuracy["coverage"], 1.0)


def test_agents_vs_qa_notebook(demo_env: Path) -> None:
    namespace = run_notebook(NOTEBOOKS / "03_agents_vs_qa.ipynb")
    summary = namespace["summary"].set_index("agent_id")
    expected = _query(
        demo_env / "warehouse.duckdb",
        """
        with qa as (
            select agent_id, count(*) as evaluations, avg(score) as mean_score
            from mart_qa_scores where score is not null group by agent_id
        ), agents as (
            select agent_id, cast(sum(handled_calls) as bigint) as handled_calls
            from mart_agent_daily group by agent_id
        )
        select agents.agent_id, handled_calls, evaluations, mean_score
        from agents join qa using (agent_id) order by agent_id
        """,
    ).set_index("agent_id")
    assert len(expected) > 0
    assert list(summary.index) == list(expected.index)
    assert summary["handled_calls"].tolist() == expected["handled_calls"].tolist()
    assert summary["evaluations"].tolist() == expected["evaluations"].tolist()
    np.testing.assert_allclose(summary["mean_score"], expected["mean_score"])
    if len(summary) >= namespace["MIN_AGENTS"]:
        rho = summary[["aht_s", "mean_score"]].rank().corr().loc["aht_s", "mean_score"]
        assert namespace["rho"] == pytest.approx(rho)


def test_notebooks_are_plain_nbformat_4() -> None:
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert len(paths) >= 3
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4
        ids = [cell["id"] for cell in notebook["cells"]]
        assert len(set(ids)) == len(ids)
        for cell in notebook["cells"]:
            assert isinstance(cell["source"], list)
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None


# ---------------------------------------------------------------- the runner


def _write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    notebook = {
        "cells": [
            {
                "cell_type": kind,
                "id": f"c{index}",
                "metadata": {},
                "source": source.splitlines(keepends=True),
                **({"outputs": [], "execution_count": None} if kind == "code" else {}),
            }
            for index, (kind, source) in enumerate(cells)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_nbrun_runs_cells_in_one_namespace(tmp_path: Path) -> None:
    path = _write_notebook(
        tmp_path / "ok.ipynb",
        [
            ("markdown", "# title\n%not code"),
            ("code", "import plotly.graph_objects as go\nx = 2"),
            ("code", "fig = go.Figure()\nfig.show()\ndisplay(x)\ny = x * 3\nfig"),
        ],
    )
    assert run_notebook(path)["y"] == 6


def test_nbrun_names_the_failing_cell(tmp_path: Path) -> None:
    path = _write_notebook(
        tmp_path / "bad.ipynb",
        [("code", "a = 1"), ("markdown", "text"), ("code", "b = a / 0")],
    )
    with pytest.raises(NotebookError) as raised:
        run_notebook(path)
    assert raised.value.index == 2
    assert "cell 2" in str(raised.value)
    assert "b = a / 0" in str(raised.value)
    assert "ZeroDivisionError" in str(raised.value)


@pytest.mark.parametrize("line", ["%matplotlib inline", "%%time", "!ls"])
def test_nbrun_refuses_magics_before_running(tmp_path: Path, line: str) -> None:
    marker = tmp_path / "ran"
    path = _write_notebook(
        tmp_path / "magic.ipynb",
        [
            ("code", f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')"),
            ("code", f"x = 1\n{line}"),
        ],
    )
    with pytest.raises(NotebookError, match="not supported") as raised:
        run_notebook(path)
    assert raised.value.index == 1
    assert not marker.exists()


def test_nbrun_accepts_python_lines_that_look_like_magics(tmp_path: Path) -> None:
    path = _write_notebook(
        tmp_path / "plain.ipynb",
        [("code", 'name = "x"\ntext = (\n    "%s!"\n    %name\n)\nok = (1\n!= 2)')],
    )
    namespace = run_notebook(path)
    assert namespace["text"] == "x!" and namespace["ok"] is True
