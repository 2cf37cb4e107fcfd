"""Rolling-origin backtests, model choice per series, and the final forecast.

A backtest at cutoff ``c`` (a midnight) fits each model on the days before ``c`` only
(``Series.head``: values, open mask and weights alike) and forecasts ``horizon_days``
from ``c`` (FPP3 section 5.10, "time series cross-validation" / evaluation on a rolling
forecasting origin). Cutoffs are weekly, the last one ``horizon_days`` before the end of
the history. Each series gets the model with the lowest pooled WAPE over all its
backtest cells; the chosen model is refitted on the whole history, its intervals
calibrated with its own backtest errors, and forecasts the horizon.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecasting.data import DAYS_PER_WEEK, Series
from forecasting.metrics import seasonal_naive_scale
from forecasting.models import BASELINE, make_model, scaled_errors

MIN_TRAIN_DAYS = 2 * DAYS_PER_WEEK


def cutoff_days(n_days: int, horizon_days: int, cutoffs: int) -> list[int]:
    """Day indexes of up to ``cutoffs`` weekly origins, oldest first, the last one
    ``horizon_days`` before the end; each leaves at least two weeks of training."""
    last = n_days - horizon_days
    days = [last - DAYS_PER_WEEK * i for i in range(cutoffs)]
    return sorted(d for d in days if d >= MIN_TRAIN_DAYS)


@dataclass
class ForecastRun:
    """Everything one forecast run produced, as plain frames."""

    kind: str
    horizon_days: int
    level: float
    forecasts: pd.DataFrame  # unique_id, ds, y_hat, y_lo, y_hi, model
    backtest: pd.DataFrame  # unique_id, model, cutoff, ds, horizon_day, y, y_hat, weight
    scores: pd.DataFrame  # unique_id, model, cutoff, horizon_day, metrics and sums, fit_s
    chosen: dict[str, str]
    history_start: pd.Timestamp
    history_end: pd.Timestamp
    horizon_start: pd.Timestamp
    horizon_end: pd.Timestamp
    grain_minutes: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Per series: chosen model, its pooled WAPE, MASE and bias, and the baseline's WAPE."""
        rows = []
        for unique_id, model in self.chosen.items():
            mine = pooled_metrics(self.scores, unique_id, model)
            base = pooled_metrics(self.scores, unique_id, BASELINE)
            rows.append(
                {
                    "unique_id": unique_id,
                    "model": model,
                    "wape": mine["wape"],
                    "wape_naive": base["wape"],
                    "mase": mine["mase"],
                    "bias": mine["bias"],
                }
            )
        return pd.DataFrame(
            rows, columns=["unique_id", "model", "wape", "wape_naive", "mase", "bias"]
        )


def pooled_metrics(scores: pd.DataFrame, unique_id: str, model: str) -> dict[str, float]:
    """WAPE, bias and MASE of one series and model over all its backtest cells (sums of
    the per cutoff x horizon-day rows; MASE: mean absolute error over the mean scale)."""
    part = scores[(scores["unique_id"] == unique_id) & (scores["model"] == model)]
    nan = float("nan")
    if part.empty or part["y_sum"].sum() <= 0:
        return {"wape": nan, "bias": nan, "mase": nan}
    y_sum = part["y_sum"].sum()
    mae = part["abs_error_sum"].sum() / part["weight_sum"].sum()
    scale = np.average(part["scale"], weights=part["weight_sum"])
    return {
        "wape": float(part["abs_error_sum"].sum() / y_sum),
        "bias": float(part["error_sum"].sum() / y_sum),
        "mase": float(mae / scale) if scale > 0 else nan,
    }


def _score_rows(
    unique_id: str,
    model: str,
    cutoff: pd.Timestamp,
    y: np.ndarray,
    y_hat: np.ndarray,
    weight: np.ndarray,
    scale: float,
    fit_s: float,
) -> list[dict[str, object]]:
    """One row per horizon day: weighted sums and WAPE, MASE, bias (``forecasting.metrics``
    definitions; weights are 1 for counts and handled calls for rates)."""
    rows = []
    for day in range(y.shape[0]):
        keep = np.isfinite(y[day]) & np.isfinite(y_hat[day]) & (weight[day] > 0)
        w = weight[day][keep]
        error = (y_hat[day] - y[day])[keep]
        y_sum = float((w * y[day][keep]).sum())
        abs_sum = float((w * np.abs(error)).sum())
        err_sum = float((w * error).sum())
        w_sum = float(w.sum())
        rows.append(
            {
                "unique_id": unique_id,
                "model": model,
                "cutoff": cutoff,
                "horizon_day": day + 1,
                "wape": abs_sum / y_sum if y_sum > 0 else np.nan,
                "mase": abs_sum / w_sum / scale if w_sum > 0 and scale > 0 else np.nan,
                "bias": err_sum / y_sum if y_sum > 0 else np.nan,
                "y_sum": y_sum,
                "abs_error_sum": abs_sum,
                "error_sum": err_sum,
                "weight_sum": w_sum,
                "scale": scale,
                "fit_s": fit_s,
            }
        )
    return rows


def _weights(series: Series, kind: str) -> np.ndarray:
    if kind == "rate" and series.weight is not None:
        return series.weight
    return np.ones_like(series.y)


def backtest_series(
    series: Series,
    kind: str,
    models: Iterable[str],
    horizon_days: int,
    cutoffs: int,
    level: float = 0.8,
    advance: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Rolling-origin backtest of ``models`` on one series: (cells, scores, notes).

    ``cells`` holds every forecast cell in an open slot: ``unique_id, model, cutoff, ds,
    horizon_day, y, y_hat, weight``. A model that cannot fit a cutoff's history is left
    out there with a note.
    """
    with threadpool_limits(1):
        return _backtest_series(series, kind, models, horizon_days, cutoffs, level, advance)


def _backtest_series(
    series: Series,
    kind: str,
    models: Iterable[str],
    horizon_days: int,
    cutoffs: int,
    level: float,
    advance: Callable[[int], None] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    notes: list[str] = []
    cells: list[pd.DataFrame] = []
    scores: list[dict[str, object]] = []
    weights = _weights(series, kind)
    for cutoff in cutoff_days(series.n_days, horizon_days, cutoffs):
        train = series.head(cutoff)
        cutoff_ts = train.end_day
        scale = _mase_scale(train, kind)
        y_true = series.y[cutoff : cutoff + horizon_days]
        w_true = weights[cutoff : cutoff + horizon_days]
        for name in models:
            model = make_model(name, kind, horizon_days)
            reason = model.unfit_reason(train)
            if reason:
                if not any(n.startswith(f"{series.unique_id}: {name} left out") for n in notes):
                    notes.append(
                        f"{series.unique_id}: {name} left out (first at cutoff "
                        f"{cutoff_ts.date()}): {reason}"
                    )
                if advance:
                    advance(1)
                continue
            started = time.perf_counter()
            prediction = model.fit(train).predict(horizon_days, level)
            fit_s = time.perf_counter() - started
            y_hat = np.where(prediction.open, prediction.y_hat, np.nan)
            y = np.where(prediction.open, y_true, np.nan)
            w = np.where(prediction.open, w_true, 0.0)
            scores += _score_rows(series.unique_id, name, cutoff_ts, y, y_hat, w, scale, fit_s)
            day_idx, slot_idx = np.nonzero(prediction.open)
            cells.append(
                pd.DataFrame(
                    {
                        "unique_id": series.unique_id,
                        "model": name,
                        "cutoff": cutoff_ts,
                        "ds": cutoff_ts
                        + pd.to_timedelta(day_idx, unit="D")
                        + pd.to_timedelta(slot_idx * series.grain_minutes, unit="m"),
                        "horizon_day": day_idx + 1,
                        "y": y[day_idx, slot_idx],
                        "y_hat": y_hat[day_idx, slot_idx],
                        "weight": w[day_idx, slot_idx],
                    }
                )
            )
            if advance:
                advance(1)
    cell_frame = pd.concat(cells, ignore_index=True) if cells else _empty_cells()
    return cell_frame, pd.DataFrame(scores, columns=_SCORE_COLUMNS), notes


_SCORE_COLUMNS = [
    "unique_id",
    "model",
    "cutoff",
    "horizon_day",
    "wape",
    "mase",
    "bias",
    "y_sum",
    "abs_error_sum",
    "error_sum",
    "weight_sum",
    "scale",
    "fit_s",
]


def _empty_cells() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["unique_id", "model", "cutoff", "ds", "horizon_day", "y", "y_hat", "weight"]
    )


def _mase_scale(train: Series, kind: str) -> float:
    """The MASE denominator on the training data; for rates weighted by handled calls."""
    if kind != "rate" or train.weight is None:
        return seasonal_naive_scale(train)
    if train.n_days <= DAYS_PER_WEEK:
        return float("nan")
    open_cells = train.open_mask(train.first_day, train.n_days)
    y = np.where(open_cells, train.y, np.nan)
    diff = np.abs(y[DAYS_PER_WEEK:] - y[:-DAYS_PER_WEEK])
    w = train.weight[DAYS_PER_WEEK:]
    keep = np.isfinite(diff) & (w > 0)
    return float((diff[keep] * w[keep]).sum() / w[keep].sum()) if keep.any() else float("nan")


def choose_model(scores: pd.DataFrame, unique_id: str, models: Iterable[str]) -> str:
    """The model with the lowest pooled backtest WAPE (ties and no data: the baseline)."""
    best, best_wape = BASELINE, pooled_metrics(scores, unique_id, BASELINE)["wape"]
    for name in models:
        value = pooled_metrics(scores, unique_id, name)["wape"]
        if np.isfinite(value) and (not np.isfinite(best_wape) or value < best_wape - 1e-12):
            best, best_wape = name, value
    return best


def run_forecast(
    series_by_id: dict[str, Series],
    kind: str,
    models: Iterable[str],
    horizon_days: int,
    cutoffs: int = 4,
    level: float = 0.8,
    advance: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> ForecastRun:
    """Backtest, choose and forecast every series from the day after its history.

    ``models`` always gets the seasonal naive baseline added. Series too short for a
    model (two weeks for all but the baseline) fall back to what can be fitted, with a
    note; a series with no volume at all is forecast as 0.

    ``executor`` (a process pool, see :func:`forecast_pool`) runs the series side by side,
    one per worker; each series' work is the same as without it, so are the results
    (only the measured ``fit_s`` differ), and progress is then reported per finished
    series instead of per fit.
    """
    if executor is not None:
        return submit_forecast(series_by_id, kind, models, horizon_days, cutoffs, level, executor)(
            advance
        )
    names = _names(series_by_id, models)
    results = [
        _series_forecast(unique_id, series, kind, names, horizon_days, cutoffs, level, advance)
        for unique_id, series in series_by_id.items()
    ]
    return _assemble(series_by_id, kind, horizon_days, level, results)


def submit_forecast(
    series_by_id: dict[str, Series],
    kind: str,
    models: Iterable[str],
    horizon_days: int,
    cutoffs: int,
    level: float,
    executor: Executor,
) -> Callable[[Callable[[int], None] | None], ForecastRun]:
    """Start every series of one run on ``executor`` now and return ``collect(advance)``,
    which waits for them and gives the :class:`ForecastRun` (as :func:`run_forecast`
    would). Submitting several runs before collecting any keeps every worker busy: no
    worker waits for the slowest series of one run before the next run starts."""
    names = _names(series_by_id, models)
    futures = {
        executor.submit(
            _series_forecast, unique_id, series, kind, names, horizon_days, cutoffs, level
        ): series
        for unique_id, series in series_by_id.items()
    }

    def collect(advance: Callable[[int], None] | None) -> ForecastRun:
        for future in as_completed(futures):
            if advance:
                advance(work_units({"": futures[future]}, names, horizon_days, cutoffs))
        results = [future.result() for future in futures]  # in submission order
        return _assemble(series_by_id, kind, horizon_days, level, results)

    return collect


def _names(series_by_id: dict[str, Series], models: Iterable[str]) -> list[str]:
    if not series_by_id:
        raise ValueError("no series to forecast")
    return list(dict.fromkeys([BASELINE, *models]))


def _assemble(
    series_by_id: dict[str, Series],
    kind: str,
    horizon_days: int,
    level: float,
    results: list[_SeriesResult],
) -> ForecastRun:
    any_series = next(iter(series_by_id.values()))
    start = max(s.end_day for s in series_by_id.values())
    return ForecastRun(
        kind=kind,
        horizon_days=horizon_days,
        level=level,
        forecasts=pd.concat([r.forecast for r in results], ignore_index=True),
        backtest=pd.concat([r.cells for r in results], ignore_index=True),
        scores=pd.concat([r.scores for r in results], ignore_index=True),
        chosen={r.unique_id: r.chosen for r in results},
        history_start=min(s.first_day for s in series_by_id.values()),
        history_end=start - pd.Timedelta(minutes=any_series.grain_minutes),
        horizon_start=start,
        horizon_end=start
        + pd.Timedelta(days=horizon_days)
        - pd.Timedelta(minutes=any_series.grain_minutes),
        grain_minutes=any_series.grain_minutes,
        notes=[note for r in results for note in r.notes],
    )


def forecast_pool(workers: int) -> Executor:
    """A pool of ``workers`` processes for :func:`run_forecast` (``spawn``: no state of a
    running parent, such as database threads, is copied into a worker)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


@dataclass
class _SeriesResult:
    unique_id: str
    cells: pd.DataFrame
    scores: pd.DataFrame
    notes: list[str]
    chosen: str
    forecast: pd.DataFrame


def _series_forecast(
    unique_id: str,
    series: Series,
    kind: str,
    names: list[str],
    horizon_days: int,
    cutoffs: int,
    level: float,
    advance: Callable[[int], None] | None = None,
) -> _SeriesResult:
    """One series: backtest every candidate, choose, fit the choice on all the history and
    forecast with its calibrated intervals. A top-level function, so a worker can run it."""
    # one thread for numpy/OpenMP: these fits are small, and threads cost more than they give
    with threadpool_limits(1):
        notes: list[str] = []
        if series.n_days < MIN_TRAIN_DAYS + 1:
            notes.append(
                f"{unique_id}: only {series.n_days} day(s) of history; no backtest, "
                f"forecast by {'weekly' if series.n_days >= DAYS_PER_WEEK else 'daily'} "
                "seasonal naive"
            )
        candidates = names
        if not np.nansum(series.y) > 0:
            notes.append(f"{unique_id}: nothing in the history; forecast by seasonal naive")
            candidates = [BASELINE]
            if advance:  # the fits left out still count for the progress display
                advance((len(names) - 1) * len(cutoff_days(series.n_days, horizon_days, cutoffs)))
        cells, scores, series_notes = _backtest_series(
            series, kind, candidates, horizon_days, cutoffs, level, advance
        )
        notes += series_notes
        choice = choose_model(scores, unique_id, candidates)
        model = make_model(choice, kind, horizon_days).fit(series)
        mine = cells[cells["model"] == choice]
        model.calibrate(
            scaled_errors(mine["y"].to_numpy(float), mine["y_hat"].to_numpy(float), kind)
        )
        forecast = model.predict(horizon_days, level).to_long(unique_id, choice)
        if advance:
            advance(1)
        return _SeriesResult(unique_id, cells, scores, notes, choice, forecast)


def work_units(
    series_by_id: dict[str, Series], models: Iterable[str], horizon_days: int, cutoffs: int
) -> int:
    """Progress units :func:`run_forecast` reports: fits in backtests plus final fits."""
    names = list(dict.fromkeys([BASELINE, *models]))
    return sum(
        len(cutoff_days(s.n_days, horizon_days, cutoffs)) * len(names) + 1
        for s in series_by_id.values()
    )
