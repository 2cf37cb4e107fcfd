"""Small, independent readers of the landing folder for the engine's tests.

Deliberately not the suite's ingest readers: the engine is checked against the formats
as documented, by code that shares nothing with the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path


def queue_log_lines(out: Path) -> list[list[str]]:
    """All queue_log lines of a landing folder, oldest file first, split on pipes."""
    folder = out / "asterisk"
    rotated = sorted(folder.glob("queue_log-*"))
    lines: list[list[str]] = []
    for path in [*rotated, folder / "queue_log"]:
        if path.exists():
            lines.extend(line.split("|") for line in path.read_text().splitlines() if line)
    return lines


def master_csv_rows(out: Path) -> list[list[str]]:
    folder = out / "asterisk" / "cdr-csv"
    rows: list[list[str]] = []
    for path in [*sorted(folder.glob("Master.csv-*")), folder / "Master.csv"]:
        if path.exists():
            with path.open(newline="") as handle:
                rows.extend(csv.reader(handle))
    return rows


def own_csv(out: Path, folder: str, prefix: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((out / folder).glob(f"{prefix}_*.csv")):
        with path.open(newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows
