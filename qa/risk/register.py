"""The risk register as plain data: risks, scores, zones, ranking, watch list, matrix.

Definitions (ISO 31000 style, with the 1-10 scales of :mod:`qa.risk.config`):

- probability and impact: whole numbers 1..10 on the configured scales;
- score = probability x impact (1..100);
- zone: the configured zone with the highest ``min_score`` the score reaches;
- rank: 1 = highest score; ties broken by impact, then probability (both higher first),
  then risk id, so the order is total and stable;
- watch list: risks scoring below ``watch_below``: monitored, no response plan demanded.

A register file (TOML ``[[risks]]`` tables, or CSV with a header) is read by
:func:`read_register_file`; every row is checked before any is returned, and every
problem is reported with the risk id and field.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from qa.risk.config import RiskConfig, ScaleStep

STRATEGIES = ("avoid", "reduce", "transfer", "accept")
SIGNALS = ("sl_breach", "no_answer", "ivr_failure", "trunk_blocking")
SCORE_MIN, SCORE_MAX = 1, 10
DAYS_PER_3Y = 1095.0  # three years of 365 days: the probability scale's unit


class RiskError(ValueError):
    """A risk (or a change to one) the register refuses; the message names the field."""


@dataclass(frozen=True)
class Risk:
    """One risk of the register.

    ``signal`` names the history measure that can propose its probability
    (:data:`SIGNALS`, see :mod:`qa.risk.history`), or is None.
    """

    risk_id: str
    title: str
    category: str
    owner: str
    probability: int
    impact: int
    strategy: str
    warning_signs: tuple[str, ...] = ()
    review_date: date | None = None
    description: str = ""
    signal: str | None = None

    @property
    def score(self) -> int:
        """probability x impact, 1..100."""
        return self.probability * self.impact

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (review_date as ISO text, warning signs as a list)."""
        record = asdict(self)
        record["warning_signs"] = list(self.warning_signs)
        record["review_date"] = self.review_date.isoformat() if self.review_date else None
        record["score"] = self.score
        return record


def check_scale_value(value: Any, name: str, risk_id: str = "") -> int:
    """``value`` as a whole number 1..10, or :class:`RiskError` naming the allowed range."""
    where = f"risk {risk_id}: " if risk_id else ""
    whole = None
    if isinstance(value, bool):
        whole = None
    elif isinstance(value, int):
        whole = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        whole = int(value)
    elif isinstance(value, str):
        try:
            whole = int(value.strip())
        except ValueError:
            whole = None
    if whole is None or not SCORE_MIN <= whole <= SCORE_MAX:
        raise RiskError(
            f"{where}{name} must be a whole number from {SCORE_MIN} to {SCORE_MAX}, got {value!r}"
        )
    return whole


def make_risk(record: Mapping[str, Any]) -> Risk:
    """A checked :class:`Risk` from a mapping (a TOML table, a CSV row, CLI options).

    Required: risk_id, title, category, owner, probability, impact, strategy. Optional:
    warning_signs (a list, or text with ``;`` between signs), review_date (YYYY-MM-DD),
    description, signal.
    """
    risk_id = str(record.get("risk_id") or "").strip()
    if not risk_id:
        raise RiskError("a risk needs a risk_id")
    where = f"risk {risk_id}"
    for key in ("title", "category", "owner", "strategy"):
        if not str(record.get(key) or "").strip():
            raise RiskError(f"{where}: {key} is missing")
    unknown = sorted(set(record) - {f for f in Risk.__dataclass_fields__} - {"score"})
    if unknown:
        raise RiskError(f"{where}: unknown field {', '.join(unknown)}")
    strategy = str(record["strategy"]).strip().lower()
    if strategy not in STRATEGIES:
        raise RiskError(
            f"{where}: strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}"
        )
    signs = record.get("warning_signs") or ()
    if isinstance(signs, str):
        signs = [sign for sign in signs.split(";")]
    warning_signs = tuple(str(sign).strip() for sign in signs if str(sign).strip())
    review = record.get("review_date")
    review_date = None
    if isinstance(review, date):
        review_date = review
    elif review not in (None, ""):
        try:
            review_date = date.fromisoformat(str(review).strip())
        except ValueError:
            raise RiskError(f"{where}: review_date must be YYYY-MM-DD, got {review!r}") from None
    signal = str(record.get("signal") or "").strip() or None
    if signal is not None and signal not in SIGNALS:
        raise RiskError(f"{where}: signal must be one of {', '.join(SIGNALS)}, got {signal!r}")
    return Risk(
        risk_id=risk_id,
        title=str(record["title"]).strip(),
        category=str(record["category"]).strip(),
        owner=str(record["owner"]).strip(),
        probability=check_scale_value(record.get("probability"), "probability", risk_id),
        impact=check_scale_value(record.get("impact"), "impact", risk_id),
        strategy=strategy,
        warning_signs=warning_signs,
        review_date=review_date,
        description=str(record.get("description") or "").strip(),
        signal=signal,
    )


def rescore(risk: Risk, probability: Any = None, impact: Any = None) -> Risk:
    """``risk`` with a new probability and/or impact, each checked to be 1..10."""
    return replace(
        risk,
        probability=risk.probability
        if probability is None
        else check_scale_value(probability, "probability", risk.risk_id),
        impact=risk.impact if impact is None else check_scale_value(impact, "impact", risk.risk_id),
    )


def check_unique(risks: Iterable[Risk]) -> None:
    """Raise :class:`RiskError` naming the first risk id given twice."""
    seen: set[str] = set()
    for risk in risks:
        if risk.risk_id in seen:
            raise RiskError(f"duplicate risk id {risk.risk_id}")
        seen.add(risk.risk_id)


def read_register_file(path: str | Path) -> list[Risk]:
    """Risks from a TOML file (``[[risks]]`` tables) or a CSV file with a header row.

    All rows are checked (fields, 1..10 scores, duplicate ids) before any is returned.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".toml":
        try:
            records = tomllib.loads(text).get("risks", [])
        except tomllib.TOMLDecodeError as exc:
            raise RiskError(f"{path}: not valid TOML: {exc}") from None
    elif path.suffix.lower() == ".csv":
        records = list(csv.DictReader(io.StringIO(text)))
    else:
        raise RiskError(f"{path}: a register file must be .toml or .csv")
    if not records:
        raise RiskError(f"{path}: no risks in the file")
    risks = [make_risk(record) for record in records]
    check_unique(risks)
    return risks


def zone_of(score: int, config: RiskConfig) -> str:
    """The zone of a score: the configured zone with the highest min_score it reaches."""
    name = config.zones[0].name
    for zone in config.zones:
        if score >= zone.min_score:
            name = zone.name
    return name


def ranked(risks: Iterable[Risk]) -> list[Risk]:
    """Risks by score, impact, probability (higher first), then risk id."""
    return sorted(risks, key=lambda r: (-r.score, -r.impact, -r.probability, r.risk_id))


def register_rows(risks: Iterable[Risk], config: RiskConfig) -> list[dict[str, Any]]:
    """The ranked register as records: each risk with score, zone, rank and watch flag.

    ``watch`` is True for risks scoring below ``config.watch_below`` (the watch list).
    """
    rows = []
    for rank, risk in enumerate(ranked(risks), start=1):
        rows.append(
            risk.to_dict()
            | {
                "rank": rank,
                "zone": zone_of(risk.score, config),
                "watch": risk.score < config.watch_below,
            }
        )
    return rows


def probability_for_frequency(per_3y: float, scale: Sequence[ScaleStep]) -> int:
    """The probability score of a frequency in occurrences per three years.

    The highest step whose ``min_per_3y`` the frequency reaches (step 1 has 0).
    """
    if not (math.isfinite(per_3y) and per_3y >= 0):
        raise ValueError(f"a frequency must be a number >= 0, got {per_3y}")
    score = 1
    for step in scale:
        if step.min_per_3y is not None and per_3y >= step.min_per_3y:
            score = max(score, step.score)
    return score


def per_three_years(occurrences: int, history_days: int) -> float:
    """Occurrences projected to three years: occurrences / history_days x 1095."""
    if history_days <= 0:
        raise ValueError(f"history_days must be > 0, got {history_days}")
    return occurrences / history_days * DAYS_PER_3Y


def matrix_grid(risks: Iterable[Risk], config: RiskConfig) -> dict[str, Any]:
    """The probability x impact grid as plain data, for the dashboard and the CLI.

    ``cells[p - 1][i - 1]`` lists the ids (ranked) of the risks with probability ``p``
    and impact ``i``; ``zones[p - 1][i - 1]`` is that cell's zone by its score p x i.
    Rows are probability 1..10, columns impact 1..10.
    """
    cells: list[list[list[str]]] = [[[] for _ in range(10)] for _ in range(10)]
    for risk in ranked(risks):
        cells[risk.probability - 1][risk.impact - 1].append(risk.risk_id)
    zones = [[zone_of(p * i, config) for i in range(1, 11)] for p in range(1, 11)]
    return {
        "probability": list(range(1, 11)),
        "impact": list(range(1, 11)),
        "cells": cells,
        "zones": zones,
        "zone_names": [zone.name for zone in config.zones],
    }


def format_matrix(grid: Mapping[str, Any]) -> str:
    """The grid as text: probability rows (10 at the top) x impact columns, ids in cells."""
    zone_mark = {name: name[0].upper() for name in grid["zone_names"]}
    width = max([6] + [len(",".join(ids)) + 2 for row in grid["cells"] for ids in row])
    header = "P\\I |" + "".join(f"{i:^{width}}" for i in grid["impact"])
    lines = [header, "-" * len(header)]
    for p in reversed(grid["probability"]):
        cells = []
        for i in grid["impact"]:
            ids = grid["cells"][p - 1][i - 1]
            mark = zone_mark[grid["zones"][p - 1][i - 1]]
            cells.append(f"{(','.join(ids) or '.') + ' ' + mark:^{width}}")
        lines.append(f"{p:>3} |" + "".join(cells))
    legend = ", ".join(f"{mark}={name}" for name, mark in zone_mark.items())
    lines.append(f"zones: {legend}")
    return "\n".join(lines)
