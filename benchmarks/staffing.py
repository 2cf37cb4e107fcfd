"""Staffing requirements for a week of intervals: ours (Erlang C and A) vs pyworkforce.

The grid: 5 queues x 7 days x 48 half-hour intervals (1 day with ``quick``), calls per
interval from an intraday curve (5 to about 300, seeded noise), AHT 150 to 600 s by
queue, 80% within 20 s, max occupancy 85%, 30% shrinkage. Timed: the requirement for
every interval. Ours: ``wfm.staffing.requirements`` on the whole frame (validation and
shrinkage included, its per-input cache cleared first), once with Erlang C and once
with Erlang A (patience 180 s); pyworkforce: ``ErlangC(...).required_positions`` per
interval, its documented way. Each variant runs ``repeats`` times; the median is given.
Also counted: intervals where the raw agents of ours (Erlang C) and pyworkforce differ.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

QUEUES = {
    "booking": 240.0,
    "change_refund": 330.0,
    "complaints": 600.0,
    "english": 300.0,
    "general": 150.0,
}
PEAK_CALLS = {"booking": 300, "change_refund": 200, "complaints": 40, "english": 50, "general": 80}


def forecast_grid(days: int, seed: int = 1) -> Any:
    """A forecast frame (queue, ds, calls, aht_s) for ``days`` days of the five queues."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ds = pd.date_range("2026-09-07", periods=days * 48, freq="30min")
    hour = ds.hour + ds.minute / 60
    curve = np.clip(np.sin((hour - 6) / 17 * math.pi), 0.03, None)
    frames = []
    for queue, aht_s in QUEUES.items():
        calls = np.maximum(1, np.round(PEAK_CALLS[queue] * curve * rng.gamma(20, 1 / 20, len(ds))))
        aht = aht_s * rng.gamma(50, 1 / 50, len(ds))
        frames.append(pd.DataFrame({"queue": queue, "ds": ds, "calls": calls, "aht_s": aht}))
    return pd.concat(frames, ignore_index=True)


def _ours(forecast: Any, model: str) -> tuple[float, Any]:
    from wfm.staffing import QueuePolicy, Shrinkage, StaffingConfig, requirements, staff_interval

    config = StaffingConfig(
        defaults=QueuePolicy(
            model=model,
            service_level=0.8,
            target_s=20,
            max_occupancy=0.85,
            patience_s=180,
            shrinkage=Shrinkage(planned=0.3, unplanned=0.0),
        )
    )
    staff_interval.cache_clear()
    t0 = time.perf_counter()
    frame = requirements(forecast, config)
    return time.perf_counter() - t0, frame


def _pyworkforce(forecast: Any) -> tuple[float, list[int]]:
    from pyworkforce.queuing import ErlangC

    rows = list(forecast[["calls", "aht_s"]].itertuples(index=False))
    t0 = time.perf_counter()
    raw = [
        ErlangC(
            transactions=calls, aht=aht_s / 60, asa=20 / 60, interval=30, shrinkage=0.3
        ).required_positions(service_level=0.8, max_occupancy=0.85)["raw_positions"]
        for calls, aht_s in rows
    ]
    return time.perf_counter() - t0, raw


def run(quick: bool = False, repeats: int = 3) -> dict[str, Any]:
    """Time the three variants on the grid; ``quick``: one day, one run each."""
    import pyworkforce

    days = 1 if quick else 7
    repeats = 1 if quick else repeats
    forecast = forecast_grid(days)
    _ours(forecast.head(48), "erlang_a")  # warm-up: imports
    _pyworkforce(forecast.head(48))
    timings: dict[str, list[float]] = {"ours_erlang_c": [], "ours_erlang_a": [], "pyworkforce": []}
    for _ in range(repeats):
        seconds, frame_c = _ours(forecast, "erlang_c")
        timings["ours_erlang_c"].append(seconds)
        seconds, frame_a = _ours(forecast, "erlang_a")
        timings["ours_erlang_a"].append(seconds)
        seconds, peer_raw = _pyworkforce(forecast)
        timings["pyworkforce"].append(seconds)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    differ = int(sum(a != b for a, b in zip(frame_c["agents_raw"], peer_raw, strict=True)))
    return {
        "intervals": len(forecast),
        "queues": len(QUEUES),
        "days": days,
        "repeats": repeats,
        "pyworkforce_version": getattr(pyworkforce, "__version__", "unknown"),
        "median_s": medians,
        "intervals_per_s": {name: len(forecast) / s for name, s in medians.items()},
        "ratio_pyworkforce_vs_ours_erlang_c": medians["pyworkforce"] / medians["ours_erlang_c"],
        "ratio_pyworkforce_vs_ours_erlang_a": medians["pyworkforce"] / medians["ours_erlang_a"],
        "raw_agents_differ_erlang_c_vs_pyworkforce": differ,
        "agent_hours_raw": {
            "erlang_c": float(frame_c["agents_raw"].sum() / 2),
            "erlang_a": float(frame_a["agents_raw"].sum() / 2),
            "pyworkforce": float(sum(peer_raw) / 2),
        },
    }


def rows(result: dict[str, Any]) -> str:
    """The result as a table."""
    from benchmarks._util import table

    labels = {
        "ours_erlang_c": "ours, Erlang C",
        "ours_erlang_a": "ours, Erlang A",
        "pyworkforce": f"pyworkforce {result['pyworkforce_version']} ErlangC",
    }
    hours = result["agent_hours_raw"]
    agent_hours = {
        "ours_erlang_c": hours["erlang_c"],
        "ours_erlang_a": hours["erlang_a"],
        "pyworkforce": hours["pyworkforce"],
    }
    body = [
        [
            label,
            f"{result['median_s'][name]:.3f}",
            f"{result['intervals_per_s'][name]:,.0f}",
            f"{result['median_s'][name] / result['median_s']['ours_erlang_c']:.2f}x",
            f"{agent_hours[name]:,.1f}",
        ]
        for name, label in labels.items()
    ]
    title = (
        f"staffing: {result['queues']} queues x {result['days']} day(s) x 48 intervals = "
        f"{result['intervals']:,} intervals, 80/20, occupancy <= 85%, median of "
        f"{result['repeats']}; raw agents differing (Erlang C vs pyworkforce): "
        f"{result['raw_agents_differ_erlang_c_vs_pyworkforce']}"
    )
    headers = ["implementation", "median s", "intervals/s", "time vs ours C", "agent-h raw"]
    return title + "\n" + table(headers, body)
