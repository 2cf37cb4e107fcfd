"""Forecast accuracy and speed on engine data that spans a holiday.

Runs what ``callcenter forecast`` runs (``forecasting.pipeline.warehouse_series``, then
per metric ``forecasting.backtest.run_forecast`` and ``forecasting.store.write_run`` into
a fresh planning store; timed as a whole) on a warehouse of the airline scenario and
summarises the backtest: pooled WAPE of the chosen model against the weekly seasonal
naive per queue, per cutoff and overall, the mean seconds per fit of each model, and
the coverage of the chosen models' 80 % intervals (each cutoff's interval calibrated on
the other cutoffs' errors).

The data: the shipped airline scenario, 70 days from 2026-08-24 (seed 7, the
``callcenter demo`` pipeline), which covers Mid-Autumn (2026-09-25) and the National Day
golden week (2026-10-01 .. 07) with its make-up working days; the default 14-day horizon
and 4 weekly cutoffs put the holiday and the weeks after it in the backtest. Built once
into ``benchmarks/results/forecast-data-<start>-<days>d/`` (about 6 minutes; only the
warehouse is kept) unless a warehouse path is given. ``--quick``: 21 days from
2026-09-21, horizon 7 days, 2 cutoffs (one usable: too short for leave-one-out interval
coverage). Run alone: ``python -m benchmarks.forecast [--quick] [WAREHOUSE]``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._util import table

RESULTS = Path(__file__).resolve().parent / "results"
FULL = {"start": "2026-08-24", "days": 70, "horizon_days": 14, "cutoffs": 4}
QUICK = {"start": "2026-09-21", "days": 21, "horizon_days": 7, "cutoffs": 2}


def build_warehouse(start: str, days: int) -> Path:
    """The demo pipeline's warehouse for ``days`` from ``start`` (built once, then kept)."""
    from dashboards.demo import demo

    data = RESULTS / f"forecast-data-{start}-{days}d"
    warehouse = data / "warehouse.duckdb"
    if not warehouse.is_file():
        demo.main(
            ["--days", str(days), "--start", start, "--data", str(data), "--no-plan", "--no-serve"],
            standalone_mode=False,
        )
        # only the warehouse is read; the landing files and raw tables are gigabytes
        shutil.rmtree(data / "landing", ignore_errors=True)
        (data / "ingest.duckdb").unlink(missing_ok=True)
    return warehouse


def _pooled(frame: Any) -> float:
    return float(frame["abs_error_sum"].sum() / frame["y_sum"].sum())


def _coverage(run: Any, level: float) -> float:
    """Share of backtest cells of the chosen models inside their interval, each cutoff's
    interval calibrated on the other cutoffs' errors (leave one cutoff out)."""
    import numpy as np

    from forecasting.models import interval_bounds, scaled_errors

    inside, total = 0, 0
    for unique_id, model in run.chosen.items():
        cells = run.backtest[
            (run.backtest["unique_id"] == unique_id) & (run.backtest["model"] == model)
        ]
        cells = cells[np.isfinite(cells["y"].to_numpy(float))]
        for cutoff in cells["cutoff"].unique():
            train, test = cells[cells["cutoff"] != cutoff], cells[cells["cutoff"] == cutoff]
            if train.empty:  # a single cutoff: nothing to calibrate on
                continue
            errors = scaled_errors(
                train["y"].to_numpy(float), train["y_hat"].to_numpy(float), run.kind
            )
            lo, hi = interval_bounds(test["y_hat"].to_numpy(float), errors, level, run.kind)
            y = test["y"].to_numpy(float)
            inside += int(((lo <= y) & (y <= hi)).sum())
            total += len(y)
    return inside / total if total else float("nan")


def run(quick: bool, warehouse: str | None = None) -> dict[str, Any]:
    """Forecast both metrics from the warehouse; accuracy and timings from the backtest.

    Timed (``wall_s``): reading the warehouse, backtests, choice, final fits and writing
    both runs to a fresh planning store, i.e. what ``callcenter forecast`` does.
    """
    from forecasting.backtest import run_forecast
    from forecasting.models import AHT_MODELS, VOLUME_MODELS
    from forecasting.pipeline import DEFAULT_LEVEL, warehouse_series
    from forecasting.store import write_run

    setup = QUICK if quick else FULL
    path = Path(warehouse) if warehouse else build_warehouse(setup["start"], setup["days"])
    horizon, cutoffs = setup["horizon_days"], setup["cutoffs"]
    runs = {}
    rows_written = 0
    with tempfile.TemporaryDirectory(prefix="bench-forecast-") as tmp:
        started = time.perf_counter()
        volume, aht, _ = warehouse_series(path)
        for metric, series, kind, names in (
            ("offered", volume, "count", VOLUME_MODELS),
            ("aht_s", aht, "rate", AHT_MODELS),
        ):
            runs[metric] = run_forecast(series, kind, names, horizon, cutoffs, DEFAULT_LEVEL)
            parameters = {"horizon_days": horizon, "cutoffs": cutoffs, "models": list(names)}
            _, written = write_run(
                Path(tmp) / "p.duckdb", metric, runs[metric], str(path), parameters
            )
            rows_written += written
        wall_s = time.perf_counter() - started
    metrics: dict[str, Any] = {}
    for metric, fc in runs.items():
        scores = fc.scores
        scores = scores.assign(
            chosen=[
                fc.chosen[u] == m for u, m in zip(scores["unique_id"], scores["model"], strict=True)
            ]
        )
        chosen = scores[scores["chosen"]]
        naive = scores[scores["model"] == "seasonal_naive"]
        per_queue = []
        for queue, mine in chosen.groupby("unique_id"):
            base = naive[naive["unique_id"] == queue]
            per_queue.append(
                {
                    "queue": queue,
                    "model": mine["model"].iloc[0],
                    "wape": _pooled(mine),
                    "wape_naive": _pooled(base),
                    "bias": float(mine["error_sum"].sum() / mine["y_sum"].sum()),
                }
            )
        per_cutoff = {
            str(cutoff.date()): {
                "chosen": _pooled(chosen[chosen["cutoff"] == cutoff]),
                **{
                    model: _pooled(part[part["cutoff"] == cutoff])
                    for model, part in scores.groupby("model")
                },
            }
            for cutoff in sorted(scores["cutoff"].unique())
        }
        # every horizon-day row of one fit carries that fit's time: one row per fit
        fits = scores.drop_duplicates(["unique_id", "model", "cutoff"])
        metrics[metric] = {
            "wape_chosen": _pooled(chosen),
            "wape_naive": _pooled(naive),
            "wape_by_model": {m: _pooled(part) for m, part in scores.groupby("model")},
            "per_queue": per_queue,
            "per_cutoff": per_cutoff,
            "fit_s_mean": {m: float(part["fit_s"].mean()) for m, part in fits.groupby("model")},
            "fits": len(fits),
            "interval_level": DEFAULT_LEVEL,
            "interval_coverage": _coverage(fc, DEFAULT_LEVEL),
        }
    return {
        "warehouse": str(path),
        **setup,
        "wall_s": wall_s,
        "rows_written": rows_written,
        "metrics": metrics,
    }


def rows(result: dict[str, Any]) -> str:
    """The result as text tables: per metric and queue, per cutoff, and fit times."""
    out = [
        f"forecast: {result['days']} days from {result['start']}, horizon "
        f"{result['horizon_days']} d, {result['cutoffs']} weekly cutoffs, whole run "
        f"{result['wall_s']:.1f} s, {result['rows_written']:,} forecast rows"
    ]
    for metric, m in result["metrics"].items():
        lines = [
            [
                q["queue"],
                q["model"],
                f"{q['wape']:.1%}",
                f"{q['wape_naive']:.1%}",
                f"{q['wape_naive'] - q['wape']:+.1%}",
                f"{q['bias']:+.1%}",
            ]
            for q in m["per_queue"]
        ]
        lines.append(
            [
                "all queues",
                "",
                f"{m['wape_chosen']:.1%}",
                f"{m['wape_naive']:.1%}",
                f"{m['wape_naive'] - m['wape_chosen']:+.1%}",
                "",
            ]
        )
        out.append(f"\n{metric}: backtest WAPE, chosen model vs weekly seasonal naive")
        out.append(table(["queue", "chosen", "WAPE", "naive", "margin", "bias"], lines))
        models = sorted(m["wape_by_model"])
        cut_rows = [
            [cutoff, f"{v['chosen']:.1%}", *[f"{v.get(x, float('nan')):.1%}" for x in models]]
            for cutoff, v in m["per_cutoff"].items()
        ]
        out.append(table(["cutoff", "chosen", *models], cut_rows))
        out.append(
            "mean fit+predict s: "
            + ", ".join(f"{k} {v:.3f}" for k, v in sorted(m["fit_s_mean"].items()))
            + f" ({m['fits']} fits)"
        )
        coverage = m["interval_coverage"]
        out.append(
            f"interval coverage at level {m['interval_level']:.0%} (chosen models, leave one "
            "cutoff out): " + (f"{coverage:.1%}" if coverage == coverage else "n/a (1 cutoff)")
        )
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys

    quick = "--quick" in sys.argv
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    outcome = run(quick, paths[0] if paths else None)
    print(rows(outcome))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"forecast{'-quick' if quick else ''}.json").write_text(
        json.dumps(outcome, indent=2) + "\n"
    )
