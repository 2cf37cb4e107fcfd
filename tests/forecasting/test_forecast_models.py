"""Each model against patterns written by hand (``conftest.py``): seasonal naive repeats a
periodic series exactly, the smoothing models recover a weekly x intraday pattern, the
gradient-boosting model learns a holiday dip the naive forecast cannot, the AHT average
shrinks by the stated formula, and intervals cover Poisson draws at about their level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import OPEN_FROM_SLOT, OPEN_TO_SLOT, expected_volume
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecasting.backtest import run_forecast
from forecasting.data import series_from_long, validate_history
from forecasting.metrics import wape
from forecasting.models import (
    GradientBoosting,
    HoltWintersTopDown,
    MSTLModel,
    SeasonalNaive,
    ShrunkWeightedAverage,
    make_model,
)

OPEN = slice(OPEN_FROM_SLOT, OPEN_TO_SLOT)


def _series(frame: pd.DataFrame):
    return series_from_long(validate_history(frame))["q"]


def test_seasonal_naive_reproduces_a_weekly_periodic_series_exactly(synthetic):
    frame, _, days = synthetic(days=35, base=30)
    series = _series(frame)
    prediction = SeasonalNaive().fit(series).predict(14)
    future = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    assert np.array_equal(prediction.y_hat[:, OPEN], expected_volume(future, 30, False))
    # closed hours are not open and forecast as 0
    assert not prediction.open[:, :OPEN_FROM_SLOT].any()
    assert (prediction.y_hat[:, OPEN_TO_SLOT:] == 0).all()


@settings(max_examples=25, deadline=None)
@given(
    week=arrays(np.float64, (7, 4), elements=st.floats(0, 500)),
    weeks=st.integers(1, 4),
    horizon=st.integers(1, 21),
)
def test_seasonal_naive_repeats_any_weekly_pattern(week: np.ndarray, weeks: int, horizon: int):
    days = pd.date_range("2026-09-07", periods=7 * weeks, freq="D")  # starts on a Monday
    values = np.tile(week, (weeks, 1))
    ds = (days.values[:, None] + pd.to_timedelta(np.arange(4) * 30 + 480, unit="m").values).ravel()
    frame = pd.DataFrame({"unique_id": "q", "ds": ds, "y": values.ravel()})
    prediction = SeasonalNaive().fit(_series(frame)).predict(horizon)
    expected = week[np.arange(horizon) % 7]
    assert np.array_equal(prediction.y_hat[:, 16:20], expected)


def test_seasonal_naive_skips_a_missing_day_to_the_week_before(synthetic):
    frame, _, days = synthetic(days=21, base=30)
    last_monday = days[days.day_of_week == 0][-1]
    frame = frame[frame["ds"].dt.normalize() != last_monday]  # that Monday's export is lost
    prediction = SeasonalNaive().fit(_series(frame)).predict(7)
    monday = (last_monday - days[-1]).days - 1 + 7
    earlier_monday = days[days.day_of_week == 0][-2]
    assert np.allclose(
        prediction.y_hat[monday, OPEN],
        expected_volume(pd.DatetimeIndex([earlier_monday]), 30, False)[0],
    )


@pytest.mark.parametrize("model_class", [HoltWintersTopDown, MSTLModel])
def test_smoothing_models_recover_a_weekly_intraday_pattern(synthetic, model_class):
    frame, _, days = synthetic(days=42, base=50)
    prediction = model_class().fit(_series(frame)).predict(7)
    future = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=7, freq="D")
    assert wape(expected_volume(future, 50, False), prediction.y_hat[:, OPEN]) < 0.03


def test_gbm_learns_the_holiday_dip_that_hurts_the_naive_forecast(synthetic):
    """Trained through the golden week, forecasting the week after it: the weekly naive
    repeats the half-volume holiday week, the holiday features know it is over."""
    frame, expected, days = synthetic(start="2026-08-03", days=77, base=50, holiday_dip=True)
    cutoff = int(np.nonzero(days == pd.Timestamp("2026-10-08"))[0][0])
    series = _series(frame).head(cutoff)
    truth = expected[cutoff : cutoff + 7]
    naive = SeasonalNaive().fit(series).predict(7).y_hat[:, OPEN]
    gbm = GradientBoosting(horizon_days=7).fit(series).predict(7).y_hat[:, OPEN]
    assert wape(truth, naive) > 0.4
    assert wape(truth, gbm) < 0.1


def test_weighted_average_shrinks_by_the_credibility_formula():
    # four Mondays of one interval: AHT 300 s over 10 calls, then 200 s over 1 call x 3
    days = pd.date_range("2026-09-07", periods=22, freq="D")
    rows = []
    for day in days:
        monday = day.day_of_week == 0
        first = day == days[0]
        rows.append(
            {
                "unique_id": "q",
                "ds": day + pd.Timedelta(hours=9),
                "y": (300.0 if first else 200.0) if monday else 100.0,
                "weight": (10.0 if first else 1.0) if monday else 4.0,
            }
        )
    series = series_from_long(pd.DataFrame(rows), 30, "weight", fill_open_with_zero=False)["q"]
    model = ShrunkWeightedAverage(pseudo_calls=20).fit(series)
    # overall = (300*10 + 200*3 + 100*4*18) / (10 + 3 + 72) = 10800 / 85
    overall = 10800 / 85
    # Mondays: 4 of them (all recent): long run = (3000 + 600 + 20*overall) / (13 + 20)
    long_run = (3600 + 20 * overall) / 33
    expected = (3600 + 20 * long_run) / (13 + 20)
    prediction = model.predict(7)
    monday = int(np.nonzero(pd.date_range(series.end_day, periods=7).day_of_week == 0)[0][0])
    assert prediction.y_hat[monday, 18] == pytest.approx(expected)


def test_gbm_for_aht_weights_by_handled_calls():
    """A busy interval at 200 s and a one-call interval at 2000 s in the same slot of the
    same weekday: weighted by calls, the forecast stays near 200 s."""
    days = pd.date_range("2026-09-07", periods=28, freq="D")
    rows = []
    for i, day in enumerate(days):
        rows.append(
            {
                "unique_id": "q",
                "ds": day + pd.Timedelta(hours=9),
                "y": 2000.0 if i % 2 else 200.0,
                "weight": 1.0 if i % 2 else 100.0,
            }
        )
    series = series_from_long(pd.DataFrame(rows), 30, "weight", fill_open_with_zero=False)["q"]
    model = make_model("gbm", "rate", 7).fit(series)
    assert (np.abs(model.predict(7).y_hat[:, 18] - 200) < 100).all()


def test_intervals_cover_poisson_draws_at_about_the_nominal_rate(synthetic):
    """Fit on 8 Poisson weeks, calibrate by backtest, check an independent future draw."""
    frame, _, days = synthetic(days=56, base=20, poisson_seed=3)
    series = series_from_long(validate_history(frame))
    run = run_forecast(series, "count", ["seasonal_naive", "gbm"], 7, cutoffs=4, level=0.8)
    future = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=7, freq="D")
    truth = np.random.default_rng(99).poisson(expected_volume(future, 20, False)).ravel()
    forecast = run.forecasts.sort_values("ds")
    inside = (forecast["y_lo"].to_numpy() <= truth) & (truth <= forecast["y_hi"].to_numpy())
    assert 0.65 <= inside.mean() <= 0.95


def test_a_model_refuses_too_short_a_history(synthetic):
    frame, _, _ = synthetic(days=10)
    with pytest.raises(ValueError, match="at least 14 days"):
        HoltWintersTopDown().fit(_series(frame))


def test_seasonal_average_leaves_holiday_weeks_out(synthetic):
    frame, expected, days = synthetic(start="2026-08-03", days=77, base=50, holiday_dip=True)
    cutoff = int(np.nonzero(days == pd.Timestamp("2026-10-08"))[0][0])
    prediction = make_model("seasonal_average", "count", 7).fit(_series(frame).head(cutoff))
    assert np.allclose(prediction.predict(7).y_hat[:, OPEN], expected[cutoff : cutoff + 7])
