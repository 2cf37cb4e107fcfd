"""Forecast accuracy metrics, defined once.

* WAPE (weighted absolute percentage error) = sum |y - y_hat| / sum y. Hyndman &
  Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), section 5.8; also
  known as MAD/mean ratio. Scale-free and defined for intervals with zero volume.
* MASE (mean absolute scaled error) = mean |y - y_hat| / mean |y_t - y_{t-m}| where the
  denominator is the in-sample mean absolute error of the seasonal naive forecast with
  season ``m`` (here one week) on the training data. Hyndman & Koehler (2006), "Another
  look at measures of forecast accuracy", IJF 22(4); FPP3 section 5.8.
* Bias = sum (y_hat - y) / sum y: positive means over-forecast.

Every function ignores cells where ``y`` or ``y_hat`` is ``NaN``.
"""

from __future__ import annotations

import numpy as np

from forecasting.data import DAYS_PER_WEEK, Series


def _valid(y: np.ndarray, y_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float).ravel()
    y_hat = np.asarray(y_hat, dtype=float).ravel()
    keep = np.isfinite(y) & np.isfinite(y_hat)
    return y[keep], y_hat[keep]


def wape(y: np.ndarray, y_hat: np.ndarray) -> float:
    """sum |y - y_hat| / sum y (NaN when sum y is 0)."""
    y, y_hat = _valid(y, y_hat)
    total = y.sum()
    return float(np.abs(y - y_hat).sum() / total) if total > 0 else float("nan")


def bias(y: np.ndarray, y_hat: np.ndarray) -> float:
    """sum (y_hat - y) / sum y (NaN when sum y is 0); > 0 is over-forecasting."""
    y, y_hat = _valid(y, y_hat)
    total = y.sum()
    return float((y_hat - y).sum() / total) if total > 0 else float("nan")


def mae(y: np.ndarray, y_hat: np.ndarray) -> float:
    """mean |y - y_hat| (NaN when no cell has both)."""
    y, y_hat = _valid(y, y_hat)
    return float(np.abs(y - y_hat).mean()) if len(y) else float("nan")


def seasonal_naive_scale(series: Series) -> float:
    """In-sample MAE of the weekly seasonal naive forecast on ``series`` (open slots only):
    mean over cells of |y[d, s] - y[d - 7, s]|, the MASE denominator."""
    if series.n_days <= DAYS_PER_WEEK:
        return float("nan")
    open_cells = series.open_mask(series.first_day, series.n_days)
    now = np.where(open_cells, series.y, np.nan)[DAYS_PER_WEEK:]
    week_before = np.where(open_cells, series.y, np.nan)[:-DAYS_PER_WEEK]
    return mae(now, week_before)


def mase(y: np.ndarray, y_hat: np.ndarray, scale: float) -> float:
    """mean |y - y_hat| / ``scale`` (see :func:`seasonal_naive_scale`); NaN if scale is 0."""
    if not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return mae(y, y_hat) / scale
