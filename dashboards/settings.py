"""Where the dashboard's data lives, and its default interface language.

The folder comes from the environment variable ``CALLCENTER_DATA`` (default ``data``,
relative to the working directory), as ``callcenter serve --data`` sets it. It holds the
published warehouse, the planning store and the operational store, each under its fixed
name (see the README's "Where data lives").

The language a session starts in comes from ``CALLCENTER_LANG`` (``en`` or ``zh``; locale
forms such as ``zh_CN.UTF-8`` work too; default English); a user switches it in the
sidebar or with ``?lang=zh`` in the address (``dashboards.i18n``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dashboards import i18n

ENV_VAR = "CALLCENTER_DATA"
DEFAULT_DATA = "data"
LANG_ENV_VAR = "CALLCENTER_LANG"


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


def default_language(environ: dict[str, str] | None = None) -> str:
    """The language code ``CALLCENTER_LANG`` names (``en`` when unset or unknown)."""
    environ = os.environ if environ is None else environ
    value = (environ.get(LANG_ENV_VAR) or "").split(".", 1)[0]
    return i18n.normalise(value) or i18n.DEFAULT_LANGUAGE
