"""Where the dashboard's data lives.

The folder comes from the environment variable ``CALLCENTER_DATA`` (default ``data``,
relative to the working directory), as ``callcenter serve --data`` sets it. It holds the
published warehouse, the planning store and the operational store, each under its fixed
name (see the README's "Where data lives").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "CALLCENTER_DATA"
DEFAULT_DATA = "data"


@dataclass(frozen=True)
class DataPaths:
    """The three DuckDB files the dashboard reads (read-only, short-lived connections)."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def planning(self) -> Path:
        return self.root / "planning.duckdb"

    @property
    def operational(self) -> Path:
        return self.root / "operational.duckdb"


def data_paths(environ: dict[str, str] | None = None) -> DataPaths:
    """The data folder named by ``CALLCENTER_DATA`` (``data`` when unset or empty)."""
    environ = os.environ if environ is None else environ
    return DataPaths(Path(environ.get(ENV_VAR) or DEFAULT_DATA))
