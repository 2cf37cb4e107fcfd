"""``callcenter forecast``: interval forecasts of volume and AHT with honest backtests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from callcenter_cli import UserError, emit, progress, user_errors


def _percent(value: Any) -> str:
    return "-" if value is None else f"{value:.1%}"


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(series: list[dict[str, Any]]) -> str:
    headers = ["series", "model", "WAPE", "naive WAPE", "MASE", "bias"]
    rows = [
        [
            str(s["unique_id"]),
            s["model"],
            _percent(s["wape"]),
            _percent(s["wape_naive"]),
            _number(s["mase"]),
            _percent(s["bias"]),
        ]
        for s in series
    ]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
            + [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        )

    return "\n".join([line(headers), *map(line, rows)])


def _run_block(metric: str, run: dict[str, Any]) -> str:
    cutoffs = run["cutoffs"]
    head = (
        f"{metric}: {len(run['series'])} series, {run['interval_minutes']}-min intervals, "
        f"history {run['history_start'][:10]} .. {run['history_end'][:10]}, "
        f"forecast {run['horizon_start'][:10]} .. {run['horizon_end'][:10]}; "
        f"backtest over {len(cutoffs)} weekly cutoff(s)"
        + (f" from {cutoffs[0][:10]}" if cutoffs else " (too little history)")
    )
    lines = [head, _table(run["series"])]
    lines += [f"note: {n}" for n in run["notes"]]
    return "\n".join(lines)


@contextlib.contextmanager
def _progress_factory(desc: str) -> Iterator[Callable[[int], Callable[[int], None]]]:
    """A ``progress(total) -> advance`` factory whose bar is closed on leaving the block."""
    with contextlib.ExitStack() as stack:

        def start(total: int) -> Callable[[int], None]:
            return stack.enter_context(progress(total, "fit", desc))

        yield start


@click.command()
@click.option(
    "--db",
    "warehouse_db",
    default="data/warehouse.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Published warehouse to read mart_interval_kpis from.",
)
@click.option(
    "--planning",
    "planning_db",
    default="data/planning.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Planning store the runs are written to.",
)
@click.option(
    "--input",
    "input_csv",
    type=click.Path(path_type=Path),
    help="Forecast a history CSV (ds, y, optional unique_id) instead of the warehouse.",
)
@click.option(
    "--output", "output_csv", type=click.Path(path_type=Path), help="Forecast CSV (with --input)."
)
@click.option("--horizon", default="14d", show_default=True, help="Days ahead: 7d, 14d, 2w.")
@click.option("--start", help="First forecast day (YYYY-MM-DD); history is what comes before.")
@click.option(
    "--cutoffs",
    default=4,
    show_default=True,
    type=click.IntRange(0, 52),
    help="Weekly backtest origins.",
)
@click.option(
    "--models",
    help="Comma-separated models to try (seasonal_naive is always added): seasonal_naive, "
    "holt_winters, mstl, gbm for volume; seasonal_naive, weighted_average, gbm for AHT.",
)
@click.option(
    "--level",
    default=0.8,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Nominal coverage of the prediction interval [y_lo, y_hi].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes fitting series side by side (default: one per core when the work is "
    "large enough to pay for starting them, else 1).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def forecast(
    warehouse_db: Path,
    planning_db: Path,
    input_csv: Path | None,
    output_csv: Path | None,
    horizon: str,
    start: str | None,
    cutoffs: int,
    models: str | None,
    level: float,
    workers: int | None,
    as_json: bool,
) -> None:
    """Forecast offered volume and AHT per interval, choosing a model per series by a
    rolling-origin backtest.

    From the warehouse (default): reads mart_interval_kpis, forecasts offered calls and
    AHT per queue, and stores both runs in the planning store (tables forecast_runs,
    forecast_backtests, forecasts). When the warehouse has mart_backlog (deferred
    channels: e-mail, SMS, web callback, voicemail), also the arrivals
    (deferred_arrivals) and mean handle time (deferred_aht_s) per channel and hour;
    without it, a note says they were skipped.

    From a file: --input history.csv --output forecast.csv reads long-format history
    (ds, y, optional unique_id; the interval length is inferred; missing rows mean
    closed or no data) and writes unique_id, ds, y_hat, y_lo, y_hi, model for every
    interval of the horizon that the series has ever been open in.

    Metrics (pooled over all cutoffs and horizon days): WAPE = sum|y_hat - y| / sum y;
    MASE = mean|y_hat - y| / in-sample MAE of the weekly seasonal naive; bias =
    sum(y_hat - y) / sum y (positive: over-forecast). For AHT each interval is weighted
    by its handled calls. "naive WAPE" is the weekly seasonal naive's.
    """
    from forecasting.data import parse_horizon
    from forecasting.pipeline import forecast_frame, forecast_warehouse, read_history_csv

    horizon_days = parse_horizon(horizon)
    model_list = [m.strip() for m in models.split(",") if m.strip()] if models else None
    if input_csv is None and output_csv is not None:
        raise UserError("--output goes with --input")
    if input_csv is not None:
        if output_csv is None:
            raise UserError("--input needs --output (the forecast CSV to write)")
        if start is not None:
            raise UserError("--start applies to the warehouse mode; cut the CSV instead")
        history = read_history_csv(input_csv)
        with _progress_factory("forecasting") as factory:
            frame, summary = forecast_frame(
                history, horizon_days, cutoffs, model_list, level, factory
            )
        output_csv.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(output_csv, index=False, date_format="%Y-%m-%d %H:%M:%S")
        result = {"input": str(input_csv), "output": str(output_csv), "rows": len(frame), **summary}

        def human_file(r: dict[str, Any]) -> str:
            return (
                _run_block("y", r) + f"\nwrote {r['rows']:,} forecast rows to {r['output']} "
                f"(interval level {r['level']:.0%})"
            )

        emit(result, as_json, human_file)
        return

    with _progress_factory("forecasting") as factory:
        result = forecast_warehouse(
            warehouse_db,
            planning_db,
            horizon_days,
            cutoffs,
            model_list,
            start,
            level,
            factory,
            workers,
        )

    def human(r: dict[str, Any]) -> str:
        blocks = [_run_block(metric, run) for metric, run in r["runs"].items()]
        stored = ", ".join(
            f"{metric} run {run['run_id'][:8]} ({run['rows']:,} rows)"
            for metric, run in r["runs"].items()
        )
        deferred = r.get("deferred") or {}
        skipped = f"\nnote: {deferred['note']}" if deferred.get("note") else ""
        return (
            "\n\n".join(blocks)
            + f"\n\nstored {stored} in {r['planning']} ({r['seconds']:.0f} s)"
            + skipped
        )

    emit(result, as_json, human)
