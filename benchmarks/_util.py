"""Shared helpers: the machine description, isolated runs, memory, tables."""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """This process's resident set size now, in MiB (from /proc; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh interpreter, so its peak RSS and its caches are its own."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def _command(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = ""
    for line in _command(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
            break
    mem_gib = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip('"')
                os_name = f"{pretty} ({platform.platform()})"
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model or platform.processor(),
        "memory_gib": mem_gib,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "os": os_name,
    }


def source_state() -> dict[str, Any]:
    """The commit measured and whether the engine had uncommitted changes."""
    head = _command(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]).strip()
    dirty = _command(["git", "-C", str(REPO), "status", "--porcelain", "--", "acd"]).splitlines()
    digest = hashlib.sha256()
    for path in sorted((REPO / "acd").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml"):
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return {
        "commit": head or None,
        "acd_uncommitted": [line[3:] for line in dirty],
        "acd_sha256": digest.hexdigest()[:16],  # of acd/**/*.py and *.toml as measured
    }


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain text table: first column left-aligned, the rest right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        rest = (str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])
