"""Readers for the deferred-contact and survey outputs, shared by the engine's tests.

Independent of the code under test: the files are read as documented (ISO 8601 local
times with offset, one CSV per local day).
"""

from __future__ import annotations

import copy
import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from landing_files import own_csv


def instant(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 time with offset; None for an empty field."""
    return datetime.fromisoformat(text).timestamp() if text else None


def contacts(out: Path) -> list[dict[str, str]]:
    return own_csv(out, "contacts", "contacts")


def contacts_by_file(out: Path) -> dict[str, list[dict[str, str]]]:
    """Rows per file date (``YYYYMMDD`` of ``contacts_YYYYMMDD.csv``)."""
    import csv

    files = {}
    for path in sorted((out / "contacts").glob("contacts_*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            files[path.stem.removeprefix("contacts_")] = list(csv.DictReader(handle))
    return files


def airline_document() -> dict[str, Any]:
    """The shipped airline scenario as a parsed TOML document (a fresh copy)."""
    text = (resources.files("acd") / "scenarios" / "airline.toml").read_text(encoding="utf-8")
    return copy.deepcopy(tomllib.loads(text))


def without_new_sections(document: dict[str, Any]) -> dict[str, Any]:
    """The document as it would be without deferred channels, blending and the survey."""
    doc = copy.deepcopy(document)
    for key in ("deferred_channels", "business_hours", "survey"):
        doc.pop(key, None)
    for group in doc["agent_groups"]:
        group.pop("deferred", None)
        group.pop("deferred_reserve", None)
    return doc


def with_features_disabled(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every deferred channel and the survey switched off (enabled = false)."""
    doc = copy.deepcopy(document)
    for channel in doc["deferred_channels"]:
        channel["enabled"] = False
    doc["survey"]["enabled"] = False
    return doc
