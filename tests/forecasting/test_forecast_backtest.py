"""Rolling-origin backtests: weekly cutoffs, no look-ahead, the choice by WAPE."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import (
    backtest_series,
    cutoff_days,
    forecast_pool,
    run_forecast,
    work_units,
)
from forecasting.data import series_from_long, validate_history
from forecasting.models import VOLUME_MODELS


def test_cutoffs_are_weekly_and_leave_two_weeks_of_training():
    assert cutoff_days(56, 14, 4) == [21, 28, 35, 42]
    assert cutoff_days(30, 14, 4) == [16]  # 9 and 2 would train on less than 14 days
    assert cutoff_days(20, 14, 4) == []


def test_the_backtest_never_uses_data_after_the_cutoff(synthetic):
    """Change everything after one cutoff (values and which slots are open): every
    forecast made at that cutoff or earlier stays exactly the same."""
    frame, _, days = synthetic(days=49, base=30, poisson_seed=1)
    changed_from = days[28]
    future = frame["ds"] >= changed_from
    altered = frame.copy()
    altered.loc[future, "y"] = np.random.default_rng(5).poisson(90, int(future.sum()))
    extra = pd.DataFrame(  # a late shift opens after the cutoff only
        {"unique_id": "q", "ds": days[28:] + pd.Timedelta(hours=21), "y": 7.0}
    )
    altered = pd.concat([altered, extra], ignore_index=True)

    def forecasts(history: pd.DataFrame) -> pd.DataFrame:
        series = series_from_long(validate_history(history), 30)["q"]
        cells, _, _ = backtest_series(series, "count", VOLUME_MODELS, 7, cutoffs=4)
        return cells[cells["cutoff"] <= changed_from].sort_values(["model", "cutoff", "ds"])

    before, after = forecasts(frame), forecasts(altered)
    assert set(before["cutoff"]) == {days[21], days[28]}
    assert set(before["model"]) == set(VOLUME_MODELS)
    assert before["ds"].tolist() == after["ds"].tolist()
    assert np.array_equal(before["y_hat"].to_numpy(), after["y_hat"].to_numpy())


def test_the_choice_is_the_lowest_pooled_wape(synthetic):
    frame, _, _ = synthetic(days=42, base=30, poisson_seed=2)
    run = run_forecast(
        series_from_long(validate_history(frame)), "count", ["holt_winters", "gbm"], 7, 3
    )
    pooled = (
        run.scores.groupby("model")[["abs_error_sum", "y_sum"]]
        .sum()
        .assign(wape=lambda t: t["abs_error_sum"] / t["y_sum"])
    )
    assert run.chosen["q"] == pooled["wape"].idxmin()
    summary = run.summary().set_index("unique_id")
    assert summary.loc["q", "wape"] == pytest.approx(pooled["wape"].min())
    assert summary.loc["q", "wape_naive"] == pytest.approx(pooled.loc["seasonal_naive", "wape"])
    # the forecast covers the horizon's open intervals (24 a day) and nothing else
    assert len(run.forecasts) == 7 * 24
    assert run.forecasts["ds"].min() == run.horizon_start + pd.Timedelta(hours=8)


def test_per_horizon_day_scores_add_up_to_the_cells(synthetic):
    frame, _, _ = synthetic(days=35, base=30, poisson_seed=4)
    series = series_from_long(validate_history(frame))["q"]
    cells, scores, _ = backtest_series(series, "count", ["seasonal_naive"], 7, cutoffs=2)
    assert len(scores) == 2 * 7
    by_hand = (cells["y_hat"] - cells["y"]).abs().sum() / cells["y"].sum()
    assert scores["abs_error_sum"].sum() / scores["y_sum"].sum() == pytest.approx(by_hand)
    first = cells[(cells["cutoff"] == cells["cutoff"].min()) & (cells["horizon_day"] == 1)]
    row = scores[(scores["cutoff"] == scores["cutoff"].min()) & (scores["horizon_day"] == 1)]
    assert row["wape"].iloc[0] == pytest.approx(
        (first["y_hat"] - first["y"]).abs().sum() / first["y"].sum()
    )


def test_a_short_history_falls_back_to_the_naive_forecast_and_says_so(synthetic):
    frame, _, _ = synthetic(days=10, base=30)
    run = run_forecast(series_from_long(validate_history(frame)), "count", VOLUME_MODELS, 7)
    assert run.chosen == {"q": "seasonal_naive"}
    assert any("no backtest" in note for note in run.notes)
    assert len(run.forecasts) == 7 * 24


def test_a_series_without_calls_is_forecast_as_zero(synthetic):
    frame, _, _ = synthetic(days=28, base=30, poisson_seed=6)
    silent = frame.assign(unique_id="silent", y=0.0)
    series = series_from_long(validate_history(pd.concat([frame, silent])))
    run = run_forecast(series, "count", VOLUME_MODELS, 7, 2)
    assert run.chosen["silent"] == "seasonal_naive"
    quiet = run.forecasts[run.forecasts["unique_id"] == "silent"]
    assert len(quiet) == 7 * 24 and (quiet[["y_hat", "y_lo", "y_hi"]] == 0).all().all()
    assert any(note.startswith("silent: nothing in the history") for note in run.notes)


def test_series_fitted_in_worker_processes_give_the_same_run(synthetic, monkeypatch):
    # Three queues (one silent, one short of a backtest): the pool must give back the very
    # run the single process computes, in the same order, notes included.
    # A spawned worker re-imports the parent's __main__ from its file; Streamlit's AppTest
    # (in the dashboard tests of this same session) leaves a page script there, which
    # cannot run outside Streamlit. The CLI's __main__ guards itself, as every entry must.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    frames = [
        synthetic(days=35, base=30, poisson_seed=8)[0].assign(unique_id="a"),
        synthetic(days=35, base=12, poisson_seed=9)[0].assign(unique_id="b"),
        synthetic(days=35, base=30, poisson_seed=8)[0].assign(unique_id="silent", y=0.0),
    ]
    series = series_from_long(validate_history(pd.concat(frames)))
    alone = run_forecast(series, "count", ["holt_winters", "gbm"], 7, 2)
    progress: list[int] = []
    with forecast_pool(2) as pool:
        pooled = run_forecast(
            series, "count", ["holt_winters", "gbm"], 7, 2, 0.8, progress.append, pool
        )
    assert pooled.chosen == alone.chosen and pooled.notes == alone.notes
    pd.testing.assert_frame_equal(pooled.forecasts, alone.forecasts)
    pd.testing.assert_frame_equal(pooled.backtest, alone.backtest)
    pd.testing.assert_frame_equal(
        pooled.scores.drop(columns="fit_s"), alone.scores.drop(columns="fit_s")
    )
    # progress: one report per finished series, adding up to all the work
    assert len(progress) == 3
    assert sum(progress) == work_units(series, ["holt_winters", "gbm"], 7, 2)
