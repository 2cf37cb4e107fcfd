"""Metrics against hand-computed values; horizon parsing; grain inference; input checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting.data import (
    infer_grain_minutes,
    parse_horizon,
    series_from_long,
    validate_history,
)
from forecasting.metrics import bias, mase, seasonal_naive_scale, wape


def test_wape_and_bias_by_hand():
    y = np.array([10.0, 20.0, 0.0, 30.0])
    y_hat = np.array([12.0, 15.0, 1.0, 30.0])
    # |e| = 2 + 5 + 1 + 0 = 8, sum y = 60; sum(y_hat - y) = 2 - 5 + 1 + 0 = -2
    assert wape(y, y_hat) == pytest.approx(8 / 60)
    assert bias(y, y_hat) == pytest.approx(-2 / 60)


def test_metrics_skip_missing_cells_and_zero_totals():
    assert wape(np.array([np.nan, 4.0]), np.array([1.0, 5.0])) == pytest.approx(1 / 4)
    assert math.isnan(wape(np.zeros(3), np.ones(3)))
    assert math.isnan(bias(np.zeros(3), np.ones(3)))


def test_mase_scale_is_the_weekly_naive_mae():
    # two weeks of one daily slot: week 2 differs from week 1 by 1, 2, 0, 0, 0, 0, 3
    week1 = [10, 10, 10, 10, 10, 10, 10]
    week2 = [11, 8, 10, 10, 10, 10, 13]
    frame = pd.DataFrame(
        {"ds": pd.date_range("2026-09-07", periods=14, freq="D"), "y": week1 + week2}
    )
    series = series_from_long(validate_history(frame))["series"]
    assert seasonal_naive_scale(series) == pytest.approx(6 / 7)
    # mean |e| = (1 + 3) / 2 = 2 -> MASE 2 / (6/7)
    assert mase(np.array([5.0, 5.0]), np.array([6.0, 2.0]), 6 / 7) == pytest.approx(2 * 7 / 6)
    assert math.isnan(mase(np.ones(2), np.ones(2), 0.0))


@given(
    y=st.lists(st.floats(0, 1e4), min_size=1, max_size=30),
    shift=st.floats(0, 100),
)
def test_wape_of_a_constant_over_forecast_equals_its_bias(y: list[float], shift: float):
    actual = np.array(y)
    if actual.sum() <= 0:
        return
    assert wape(actual, actual + shift) == pytest.approx(bias(actual, actual + shift), rel=1e-9)


@pytest.mark.parametrize(("text", "days"), [("7d", 7), ("14d", 14), ("2w", 14), ("3", 3)])
def test_parse_horizon(text: str, days: int):
    assert parse_horizon(text) == days


@pytest.mark.parametrize("text", ["", "0d", "two weeks", "7h", "-1d"])
def test_parse_horizon_rejects(text: str):
    with pytest.raises(ValueError, match="horizon"):
        parse_horizon(text)


def test_grain_is_inferred_from_the_data():
    half_hours = pd.Series(pd.to_datetime(["2026-09-01 08:00", "2026-09-01 09:30"]))
    assert infer_grain_minutes(half_hours) == 30
    quarters = pd.Series(pd.to_datetime(["2026-09-01 08:00", "2026-09-02 08:45"]))
    assert infer_grain_minutes(quarters) == 15
    daily = pd.Series(pd.to_datetime(["2026-09-01", "2026-09-02"]))
    assert infer_grain_minutes(daily) == 1440


def test_open_slots_without_rows_are_zero_and_missing_days_are_nan():
    frame = validate_history(
        pd.DataFrame(
            {
                "ds": ["2026-09-01 08:00", "2026-09-01 08:30", "2026-09-03 08:00"],
                "y": [5, 6, 7],
            }
        )
    )
    series = series_from_long(frame)["series"]
    assert series.grain_minutes == 30
    assert series.n_days == 3
    assert series.y[2, 16] == 7 and series.y[2, 17] == 0  # open slot, no row that day
    assert np.isnan(series.y[1]).all()  # 2026-09-02 has no row at all


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"when": ["2026-09-01"], "y": [1]}), "missing ds"),
        (pd.DataFrame({"ds": ["yesterday"], "y": [1]}), "not dates"),
        (pd.DataFrame({"ds": ["2026-09-01"], "y": ["many"]}), "not numbers"),
        (pd.DataFrame({"ds": ["2026-09-01"], "y": [-1]}), "negative"),
        (pd.DataFrame({"ds": ["2026-09-01", "2026-09-01"], "y": [1, 2]}), "duplicate ds"),
    ],
)
def test_bad_history_is_one_clear_error(frame: pd.DataFrame, message: str):
    with pytest.raises(ValueError, match=message):
        validate_history(frame)
