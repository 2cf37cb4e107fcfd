"""Forecasting models behind one interface: ``fit(series)`` then ``predict(days, level)``.

Every model works on a :class:`~forecasting.data.Series` (a day x slot matrix) and
predicts whole days from the day after its history; closed slots (never open in that
weekday and interval of day) are forecast as 0 and flagged not open.

Two kinds of series:

* ``count`` (offered volume): values are counts, forecasts are clipped at 0;
* ``rate`` (AHT in seconds): an average over ``series.weight`` events (handled calls);
  cells without events are ``NaN``; models weight by the event count.

**Prediction intervals** (all models alike): empirical quantiles of scaled forecast
errors, the "empirical prediction interval" of Hyndman & Athanasopoulos, FPP3 section
5.5 (bootstrapped residuals), scaled so one set of errors serves intervals of any size:
for counts z = (y - y_hat) / sqrt(max(y_hat, 1)) (Poisson-like spread), for rates
z = (y - y_hat) / y_hat. The bounds are y_hat + q(alpha/2) * scale and
y_hat + q(1 - alpha/2) * scale. Until :meth:`calibrate` is called the errors are the
in-sample errors of the weekly seasonal naive forecast on the training data (genuine
one-week-ahead errors, a conservative stand-in; with less than a week of history a
Poisson spread is assumed, see :func:`interval_bounds`); the pipeline
(``forecasting.backtest``) calibrates each chosen model with its own rolling-origin
backtest errors.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from statistics import NormalDist
from typing import Protocol

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecasting.data import DAYS_PER_WEEK, Series, matrix_to_long
from forecasting.features import day_features

MIN_ERRORS = 30  # fewer scaled errors than this: keep the previous interval errors
RECENT_WEEKS = 4  # weeks behind intraday profiles, seasonal and recent AHT averages
MSTL_WEEKS = 8  # history the MSTL model decomposes
MSTL_MAX_SLOTS = 48  # open intervals a day MSTL takes on (a whole day at 30 minutes)


@dataclass(frozen=True)
class Prediction:
    """A forecast of ``y_hat.shape[0]`` whole days from ``first_day``; bounds at ``level``."""

    first_day: pd.Timestamp
    grain_minutes: int
    y_hat: np.ndarray
    y_lo: np.ndarray
    y_hi: np.ndarray
    open: np.ndarray
    level: float

    def to_long(self, unique_id: str, model: str) -> pd.DataFrame:
        """Open intervals only: ``unique_id, ds, y_hat, y_lo, y_hi, model``."""
        frame = matrix_to_long(
            unique_id,
            self.first_day,
            self.grain_minutes,
            self.open,
            y_hat=self.y_hat,
            y_lo=self.y_lo,
            y_hi=self.y_hi,
        )
        frame["model"] = model
        return frame


class Forecaster(Protocol):
    """What every model offers (see the module docstring for the intervals)."""

    name: str
    kind: str

    def fit(self, series: Series) -> Forecaster: ...

    def predict(self, horizon_days: int, level: float = 0.8) -> Prediction: ...

    def calibrate(self, scaled_errors: np.ndarray) -> Forecaster: ...


def scaled_errors(y: np.ndarray, y_hat: np.ndarray, kind: str) -> np.ndarray:
    """The interval errors of the module docstring, finite cells only."""
    y = np.asarray(y, dtype=float).ravel()
    y_hat = np.asarray(y_hat, dtype=float).ravel()
    keep = np.isfinite(y) & np.isfinite(y_hat)
    y, y_hat = y[keep], y_hat[keep]
    if kind == "count":
        return (y - y_hat) / np.sqrt(np.maximum(y_hat, 1.0))
    keep = y_hat > 0
    return (y[keep] - y_hat[keep]) / y_hat[keep]


def interval_bounds(
    y_hat: np.ndarray, errors: np.ndarray, level: float, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds at ``level`` from scaled errors; never below 0, always
    around ``y_hat``. With no errors to go on (less than a week of history) counts get the
    normal approximation of a Poisson spread (z quantiles), rates no interval."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if len(errors) == 0:
        if kind != "count":
            return y_hat.copy(), y_hat.copy()
        z = NormalDist().inv_cdf((1 + level) / 2)
        q_lo, q_hi = -z, z
    else:
        q_lo, q_hi = np.quantile(errors, [(1 - level) / 2, (1 + level) / 2])
    scale = np.sqrt(np.maximum(y_hat, 1.0)) if kind == "count" else y_hat
    lo = np.maximum(np.minimum(y_hat + q_lo * scale, y_hat), 0.0)
    hi = np.maximum(y_hat + q_hi * scale, y_hat)
    return lo, hi


def _weekly_naive_errors(series: Series, kind: str) -> np.ndarray:
    open_cells = series.open_mask(series.first_day, series.n_days)
    y = np.where(open_cells, series.y, np.nan)
    if series.n_days <= DAYS_PER_WEEK:
        return np.empty(0)
    return scaled_errors(y[DAYS_PER_WEEK:], y[:-DAYS_PER_WEEK], kind)


def _slot_of_day_mean(series: Series) -> np.ndarray:
    """(slots,) weighted mean of each interval of day over the history (rates), or the mean
    (counts); the series mean where a slot never had data."""
    y = series.y
    weight = series.weight if series.weight is not None else np.isfinite(y).astype(float)
    weight = np.where(np.isfinite(y), weight, 0.0)
    values = np.where(np.isfinite(y), y, 0.0)
    total_w = weight.sum()
    overall = (values * weight).sum() / total_w if total_w > 0 else 0.0
    per_slot_w = weight.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_slot = (values * weight).sum(axis=0) / per_slot_w
    return np.where(per_slot_w > 0, per_slot, overall)


class _Model:
    """Shared plumbing: history, default interval errors, masks, clipping."""

    name = "model"
    min_days = DAYS_PER_WEEK
    kinds: tuple[str, ...] = ("count", "rate")

    def __init__(self, kind: str = "count") -> None:
        if kind not in self.kinds:
            raise ValueError(f"model {self.name} does not forecast {kind} series")
        self.kind = kind
        self._series: Series | None = None
        self._errors = np.empty(0)

    def unfit_reason(self, series: Series) -> str | None:
        """Why this model cannot be fitted to ``series`` (None: it can)."""
        if series.n_days < self.min_days:
            return f"needs at least {self.min_days} days of history, has {series.n_days}"
        return None

    def fit(self, series: Series) -> _Model:
        reason = self.unfit_reason(series)
        if reason:
            raise ValueError(f"{self.name} on {series.unique_id!r}: {reason}")
        self._series = series
        self._errors = _weekly_naive_errors(series, self.kind)
        self._fit(series)
        return self

    def calibrate(self, scaled_errors: np.ndarray) -> _Model:
        """Use these scaled errors (e.g. the model's backtest errors) for intervals."""
        errors = np.asarray(scaled_errors, dtype=float)
        errors = errors[np.isfinite(errors)]
        if len(errors) >= MIN_ERRORS:
            self._errors = errors
        return self

    def predict(self, horizon_days: int, level: float = 0.8) -> Prediction:
        series = self._require_fit()
        first_day = series.end_day
        open_cells = series.open_mask(first_day, horizon_days)
        y_hat = np.asarray(self._predict(horizon_days), dtype=float)
        if self.kind == "rate":
            fallback = np.broadcast_to(_slot_of_day_mean(series), y_hat.shape)
            y_hat = np.where(np.isfinite(y_hat), y_hat, fallback)
        y_hat = np.where(open_cells, np.maximum(np.nan_to_num(y_hat), 0.0), 0.0)
        lo, hi = interval_bounds(y_hat, self._errors, level, self.kind)
        return Prediction(
            first_day,
            series.grain_minutes,
            y_hat,
            np.where(open_cells, lo, 0.0),
            np.where(open_cells, hi, 0.0),
            open_cells,
            level,
        )

    def _require_fit(self) -> Series:
        if self._series is None:
            raise RuntimeError(f"{self.name}: call fit before predict")
        return self._series

    def _fit(self, series: Series) -> None:
        """Model-specific fitting (the history is in ``self._series``)."""

    def _predict(self, horizon_days: int) -> np.ndarray:
        raise NotImplementedError


class SeasonalNaive(_Model):
    """Weekly seasonal naive: y_hat(day, slot) = the value of the same slot on the same
    weekday in the last week of history with data there (FPP3 section 5.2,
    y_hat_{T+h} = y_{T+h-m(k+1)}, m = 7 days, k = floor((h-1)/m)). With less than a week
    of history: the same slot on the last day (daily naive). Always the baseline."""

    name = "seasonal_naive"
    min_days = 1

    def _predict(self, horizon_days: int) -> np.ndarray:
        series = self._require_fit()
        n = series.n_days
        season = DAYS_PER_WEEK if n >= DAYS_PER_WEEK else 1
        out = np.full((horizon_days, series.slots), np.nan)
        for i in range(horizon_days):
            source = n + i - season * (i // season + 1)
            row = out[i]
            while source >= 0 and np.isnan(row).any():
                row = np.where(np.isnan(row), series.y[source], row)
                source -= season
            out[i] = row
        return out


class SeasonalAverage(_Model):
    """Mean of the same slot on the last ``RECENT_WEEKS`` days of the same weekday with
    data that are not in a holiday block (``forecasting.features``; all such days if
    every one was a holiday): a seasonal naive averaged over weeks, so one odd week
    (a holiday, a storm) moves it by a quarter only. Counts only."""

    name = "seasonal_average"
    kinds = ("count",)

    def _fit(self, series: Series) -> None:
        holiday = day_features(series.first_day, series.n_days)["is_holiday"].to_numpy() > 0
        present = series.day_present
        self._table = np.zeros((DAYS_PER_WEEK, series.slots))
        for weekday in range(DAYS_PER_WEEK):
            same = present & (series.weekdays == weekday)
            days = np.nonzero(same & ~holiday)[0][-RECENT_WEEKS:]
            if len(days) == 0:
                days = np.nonzero(same)[0][-RECENT_WEEKS:]
            if len(days):
                self._table[weekday] = np.nanmean(series.y[days], axis=0)

    def _predict(self, horizon_days: int) -> np.ndarray:
        series = self._require_fit()
        weekdays = pd.date_range(series.end_day, periods=horizon_days, freq="D").day_of_week
        return self._table[np.asarray(weekdays)]


def _fill_missing_days(values: np.ndarray) -> np.ndarray:
    """Daily values with NaN days replaced by the same weekday a week before (else the mean)."""
    out = values.astype(float).copy()
    for i in range(len(out)):
        if np.isnan(out[i]) and i >= DAYS_PER_WEEK and np.isfinite(out[i - DAYS_PER_WEEK]):
            out[i] = out[i - DAYS_PER_WEEK]
    mean = np.nanmean(out) if np.isfinite(out).any() else 0.0
    return np.where(np.isnan(out), mean, out)


def _intraday_profile(series: Series, holiday: np.ndarray) -> np.ndarray:
    """(7, slots) shares of the day total per weekday from the last ``RECENT_WEEKS``
    non-holiday days with data of that weekday (all such days if none is left)."""
    y = np.where(np.isfinite(series.y), series.y, 0.0)
    present = series.day_present
    weekdays = series.weekdays
    profile = np.zeros((DAYS_PER_WEEK, series.slots))
    overall = y[present].sum(axis=0)
    overall = overall / overall.sum() if overall.sum() > 0 else overall
    for weekday in range(DAYS_PER_WEEK):
        days = np.nonzero(present & (weekdays == weekday) & ~holiday)[0][-RECENT_WEEKS:]
        if len(days) == 0:
            days = np.nonzero(present & (weekdays == weekday))[0][-RECENT_WEEKS:]
        totals = y[days].sum(axis=0)
        profile[weekday] = totals / totals.sum() if totals.sum() > 0 else overall
    return profile


class HoltWintersTopDown(_Model):
    """Top-down: daily totals by additive Holt-Winters (damped trend, weekly season;
    statsmodels ``ExponentialSmoothing``, FPP3 section 8.3), split into intervals by the
    weekday's intraday profile of recent non-holiday days. Needs two weeks of history."""

    name = "holt_winters"
    min_days = 2 * DAYS_PER_WEEK
    kinds = ("count",)

    def _fit(self, series: Series) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        totals = np.where(np.isfinite(series.y), series.y, 0.0).sum(axis=1)
        totals = _fill_missing_days(np.where(series.day_present, totals, np.nan))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._daily = ExponentialSmoothing(
                totals,
                trend="add",
                damped_trend=True,
                seasonal="add",
                seasonal_periods=DAYS_PER_WEEK,
                initialization_method="estimated",
            ).fit()
        holiday = day_features(series.first_day, series.n_days)["is_holiday"].to_numpy() > 0
        self._profile = _intraday_profile(series, holiday)

    def _predict(self, horizon_days: int) -> np.ndarray:
        series = self._require_fit()
        daily = np.maximum(np.asarray(self._daily.forecast(horizon_days)), 0.0)
        weekdays = np.asarray(
            pd.date_range(series.end_day, periods=horizon_days, freq="D").day_of_week
        )
        return daily[:, None] * self._profile[weekdays]


class MSTLModel(_Model):
    """MSTL (Bandara, Hyndman & Bergmeir 2021; statsmodels ``MSTL``) on the open-hours-only
    series (the intervals of the day open on some weekday, concatenated), with daily and
    weekly periods, over the last ``MSTL_WEEKS`` weeks; the seasonal part of the last week
    is repeated and the deseasonalised part is forecast by simple exponential smoothing of
    its daily means. Two weeks and at most ``MSTL_MAX_SLOTS`` open intervals a day needed
    (15-minute data open 12 hours is fine; 5-minute data is left to the other models)."""

    name = "mstl"
    min_days = 2 * DAYS_PER_WEEK
    kinds = ("count",)

    def unfit_reason(self, series: Series) -> str | None:
        open_slots = int(series.open_week.any(axis=0).sum())
        if open_slots > MSTL_MAX_SLOTS:
            # STL's cost grows with the period (7 x slots a day): minutes per fit at 5 min
            return f"works with at most {MSTL_MAX_SLOTS} open intervals a day, has {open_slots}"
        return super().unfit_reason(series)

    def _fit(self, series: Series) -> None:
        from statsmodels.tsa.holtwinters import SimpleExpSmoothing
        from statsmodels.tsa.seasonal import MSTL

        self._columns = series.open_week.any(axis=0)
        k = int(self._columns.sum())
        # the last MSTL_WEEKS weeks only: the weekly period is 7 x k points, and STL's cost
        # grows with the series length times the period
        first = max(0, series.n_days - MSTL_WEEKS * DAYS_PER_WEEK)
        y = series.y[first:, self._columns].copy()
        for d in range(len(y)):  # missing days: the same weekday a week before
            if np.isnan(y[d]).any():
                before = y[d - DAYS_PER_WEEK] if d >= DAYS_PER_WEEK else np.nanmean(y, axis=0)
                y[d] = np.where(np.isnan(y[d]), before, y[d])
        y = np.nan_to_num(y)
        flat = y.ravel()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = MSTL(flat, periods=(k, DAYS_PER_WEEK * k), iterate=1).fit()
            seasonal = np.asarray(result.seasonal).reshape(len(flat), -1).sum(axis=1)
            deseasonalised = flat - seasonal
            daily_level = deseasonalised.reshape(len(y), k).mean(axis=1)
            self._level = float(
                SimpleExpSmoothing(daily_level, initialization_method="estimated")
                .fit()
                .forecast(1)[0]
            )
        self._last_week = seasonal[-DAYS_PER_WEEK * k :].reshape(DAYS_PER_WEEK, k)

    def _predict(self, horizon_days: int) -> np.ndarray:
        series = self._require_fit()
        out = np.zeros((horizon_days, series.slots))
        for i in range(horizon_days):
            out[i, self._columns] = self._level + self._last_week[i % DAYS_PER_WEEK]
        return out


def _clean_lag(y: np.ndarray, usable: np.ndarray, lag_days: int) -> np.ndarray:
    """(days, slots): each day's row from the latest usable day (not in a holiday block,
    within the known history) that is ``lag_days`` or a multiple of a week more before
    it; NaN when there is none. A holiday week thus never stands in for a normal one."""
    out = np.full_like(y, np.nan)
    for day in range(y.shape[0]):
        source = day - lag_days
        while source >= 0 and not usable[source]:
            source -= DAYS_PER_WEEK
        if source >= 0:
            out[day] = y[source]
    return out


class GradientBoosting(_Model):
    """scikit-learn ``HistGradientBoostingRegressor`` on calendar features per interval:
    interval of day, weekday, month (only with a year of history), Chinese holiday block,
    make-up working day, days to the next / since the last holiday block, day of the
    block (``forecasting.features``), and for counts the same interval ``lag_days`` and
    ``lag_days + 7`` days before, skipping back by whole weeks over holiday-block days
    (``lag_days`` is the horizon rounded up to whole weeks, so no lag reaches past the
    forecast origin). Counts use
    the Poisson loss; rates the squared loss weighted by the event count."""

    name = "gbm"
    min_days = 2 * DAYS_PER_WEEK

    def __init__(self, kind: str = "count", horizon_days: int = 14, lags: bool = True) -> None:
        super().__init__(kind)
        self.horizon_days = horizon_days
        self.lag_days = DAYS_PER_WEEK * math.ceil(horizon_days / DAYS_PER_WEEK)
        self.use_lags = lags and kind == "count"

    def _features(self, series: Series, n_days: int) -> tuple[np.ndarray, list[str]]:
        """Feature rows for days 0 .. n_days - 1 from ``series.first_day`` x every slot."""
        days = day_features(series.first_day, n_days)
        slots = series.slots
        columns: dict[str, np.ndarray] = {"slot": np.tile(np.arange(slots), n_days)}
        for name in days.columns:
            columns[name] = np.repeat(days[name].to_numpy(dtype=float), slots)
        if series.n_days >= 365:
            month = pd.date_range(series.first_day, periods=n_days, freq="D").month
            columns["month"] = np.repeat(np.asarray(month, dtype=float), slots)
        if self.use_lags:
            y = np.full((n_days, slots), np.nan)
            y[: series.n_days] = series.y[:n_days]
            usable = days["is_holiday"].to_numpy() == 0
            usable[series.n_days :] = False
            for lag in (self.lag_days, self.lag_days + DAYS_PER_WEEK):
                columns[f"lag_{lag}d"] = _clean_lag(y, usable, lag).ravel()
        names = list(columns)
        return np.column_stack([columns[n] for n in names]), names

    def _fit(self, series: Series) -> None:
        from sklearn.ensemble import HistGradientBoostingRegressor

        features, _ = self._features(series, series.n_days)
        open_cells = series.open_mask(series.first_day, series.n_days).ravel()
        y = series.y.ravel()
        keep = open_cells & np.isfinite(y)
        weight = None
        if self.kind == "rate":
            assert series.weight is not None
            w = series.weight.ravel()
            keep &= w > 0
            weight = w[keep]
        if not (y[keep] > 0).any():  # nothing to learn from (a queue with no calls yet)
            self._model = None
            return
        self._model = HistGradientBoostingRegressor(
            loss="poisson" if self.kind == "count" else "squared_error",
            learning_rate=0.1,
            max_iter=100,
            max_leaf_nodes=15,
            min_samples_leaf=20,
            early_stopping=False,
            random_state=0,
        )
        # a feature with no value in the training rows (no holiday seen yet, a lag longer
        # than the history) carries nothing to learn and trips the binner: leave it out
        self._used = np.isfinite(features[keep]).any(axis=0)
        # one thread: on a few thousand rows OpenMP start-up costs more than it saves
        with threadpool_limits(1):
            self._model.fit(features[keep][:, self._used], y[keep], sample_weight=weight)

    def _predict(self, horizon_days: int) -> np.ndarray:
        series = self._require_fit()
        if self.use_lags and horizon_days > self.lag_days:
            raise ValueError(
                f"gbm was set up for {self.horizon_days} days ahead, asked for {horizon_days}"
            )
        if self._model is None:
            return np.full((horizon_days, series.slots), 0.0 if self.kind == "count" else np.nan)
        total = series.n_days + horizon_days
        features, _ = self._features(series, total)
        future = features[series.n_days * series.slots :, self._used]
        with threadpool_limits(1):
            return self._model.predict(future).reshape(horizon_days, series.slots)


class ShrunkWeightedAverage(_Model):
    """AHT per interval of the week, volume-weighted and shrunk (rates only).

    recent = sum(AHT x handled) / sum(handled) over the same weekday and interval in the
    last ``RECENT_WEEKS`` weeks; it is shrunk toward the interval-of-week mean over all
    history, itself shrunk toward the queue's overall mean:
    y_hat = (sum(AHT x handled) + k x prior) / (sum(handled) + k), k = ``pseudo_calls``
    (a credibility / empirical-Bayes weighting, Bühlmann 1967): an interval with few
    handled calls stays near its prior, a busy one follows its own data.
    """

    name = "weighted_average"
    kinds = ("rate",)

    def __init__(self, kind: str = "rate", pseudo_calls: float = 20.0) -> None:
        super().__init__(kind)
        self.pseudo_calls = pseudo_calls

    def _fit(self, series: Series) -> None:
        assert series.weight is not None
        finite = np.isfinite(series.y)
        weight = np.where(finite, series.weight, 0.0)
        handle = np.where(finite, series.y, 0.0) * weight
        total_w = weight.sum()
        overall = handle.sum() / total_w if total_w > 0 else 0.0
        k = self.pseudo_calls
        weekdays = series.weekdays
        self._table = np.zeros((DAYS_PER_WEEK, series.slots))
        for weekday in range(DAYS_PER_WEEK):
            days = np.nonzero(weekdays == weekday)[0]
            long_run = (handle[days].sum(axis=0) + k * overall) / (weight[days].sum(axis=0) + k)
            recent = days[-RECENT_WEEKS:]
            self._table[weekday] = (handle[recent].sum(axis=0) + k * long_run) / (
                weight[recent].sum(axis=0) + k
            )

    def _predict(self, horizon_days: int) -> np.ndarray:
        series = self._require_fit()
        weekdays = pd.date_range(series.end_day, periods=horizon_days, freq="D").day_of_week
        return self._table[np.asarray(weekdays)]


VOLUME_MODELS = ("seasonal_naive", "seasonal_average", "holt_winters", "mstl", "gbm")
AHT_MODELS = ("seasonal_naive", "weighted_average", "gbm")
BASELINE = "seasonal_naive"


def make_model(name: str, kind: str, horizon_days: int) -> _Model:
    """A fresh, unfitted model by name for a ``count`` or ``rate`` series."""
    if name == "seasonal_naive":
        return SeasonalNaive(kind)
    if name == "seasonal_average":
        return SeasonalAverage(kind)
    if name == "holt_winters":
        return HoltWintersTopDown(kind)
    if name == "mstl":
        return MSTLModel(kind)
    if name == "gbm":
        return GradientBoosting(kind, horizon_days)
    if name == "weighted_average":
        return ShrunkWeightedAverage(kind)
    known = sorted({*VOLUME_MODELS, *AHT_MODELS})
    raise ValueError(f"unknown model {name!r}; known: {', '.join(known)}")
