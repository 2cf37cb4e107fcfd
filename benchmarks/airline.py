"""The shipped airline scenario (300 agents), every output file written to a temp folder."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

START = date(2026, 9, 1)
SEED = 7


def _bytes_under(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run(days: int) -> dict[str, Any]:
    """One run of ``days`` days; meant to run in its own process (peak RSS is the process's)."""
    from acd.simulate import simulate
    from benchmarks._util import current_rss_mib, peak_rss_mib

    rss_before = current_rss_mib()

    def progress(day_index: int) -> None:
        if days >= 60 and day_index % 30 == 0:
            print(f"  airline {days} d: day {day_index}/{days}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-airline-") as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        summary = simulate("airline", START, days, SEED, out, progress=progress)
        wall_s = time.perf_counter() - t0
        bytes_written = _bytes_under(out)
    lines = sum(summary.files.values())
    return {
        "days": days,
        "seed": SEED,
        "start": START.isoformat(),
        "agents": summary.agents,
        "wall_s": wall_s,
        "calls": summary.calls,
        "calls_per_s": summary.calls / wall_s,
        "lines_written": lines,
        "lines_per_s": lines / wall_s,
        "files": summary.files,
        "bytes_written": bytes_written,
        "rss_after_imports_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
        "pid": os.getpid(),
    }
