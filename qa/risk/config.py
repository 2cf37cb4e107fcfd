"""Risk and fault-level configuration: scales, zones, fault levels, escalation, detection.

Everything a center may want to tune is TOML. ``qa/risk/default_config.toml``
(:data:`DEFAULT_CONFIG_TOML`) is the documented default (``callcenter risk config`` prints
it); a site file given with
``--config`` overrides it table by table: a top-level key present in the site file
replaces the default's value whole (a scale or a timeline is never merged step by step,
so what the file says is exactly what applies).
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent / "default_config.toml"
DEFAULT_CONFIG_TOML = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")


class ConfigError(ValueError):
    """A configuration file that cannot be used (the message names the key)."""


@dataclass(frozen=True)
class ScaleStep:
    """One score of a 1-10 scale; ``min_per_3y`` is set on the probability scale only."""

    score: int
    label: str
    description: str
    min_per_3y: float | None = None


@dataclass(frozen=True)
class Zone:
    """A zone of the matrix: cells whose score (P x I) is at least ``min_score``."""

    name: str
    min_score: int


@dataclass(frozen=True)
class FaultLevel:
    """A severity level and the scope conditions that reach it (None: condition unused)."""

    level: int
    name: str
    description: str
    all_sites: bool = False
    sites_at_least: int | None = None
    seat_share_above: float | None = None
    queues_at_least: int | None = None

    @property
    def is_catch_all(self) -> bool:
        """True if the level has no condition: whatever reaches no other level."""
        return (
            not self.all_sites
            and self.sites_at_least is None
            and self.seat_share_above is None
            and self.queues_at_least is None
        )


@dataclass(frozen=True)
class EscalationStep:
    """Who is told ``after_min`` minutes after an incident began, and how."""

    after_min: int
    notify: tuple[str, ...]
    action: str


@dataclass(frozen=True)
class Escalation:
    """The timeline of one fault level."""

    level: int
    steps: tuple[EscalationStep, ...]
    repeat_every_min: int
    repeat_notify: tuple[str, ...]


@dataclass(frozen=True)
class Center:
    """The center's size: seats and sites (fault scope), trunk lines (Erlang B)."""

    seats_total: int
    sites_total: int
    trunk_lines: int
    timezone: str


@dataclass(frozen=True)
class Detection:
    """Thresholds of incident detection and history evidence (see the TOML comments)."""

    no_answer_min_offered: int
    sl_goal: float
    sl_breach_intervals: int
    ivr_min_calls: int
    ivr_drop_factor: float
    ivr_drop_margin: float
    ivr_no_queue_min_calls: int
    trunk_blocking_target: float


@dataclass(frozen=True)
class RiskConfig:
    """The whole configuration, checked."""

    probability_scale: tuple[ScaleStep, ...]
    impact_scale: tuple[ScaleStep, ...]
    zones: tuple[Zone, ...]
    watch_below: int
    center: Center
    fault_levels: tuple[FaultLevel, ...]
    escalation: dict[int, Escalation]
    detection: Detection

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (scales, zones and levels as lists of records)."""
        from dataclasses import asdict

        return asdict(self) | {"escalation": [asdict(e) for e in self.escalation.values()]}


def default_config() -> RiskConfig:
    """The shipped defaults (:data:`DEFAULT_CONFIG_TOML`)."""
    return parse_config(tomllib.loads(DEFAULT_CONFIG_TOML))


def load_config(path: str | Path | None = None) -> RiskConfig:
    """The defaults, with the top-level keys of the TOML file at ``path`` replacing theirs."""
    data = tomllib.loads(DEFAULT_CONFIG_TOML)
    if path is not None:
        try:
            site = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        unknown = sorted(set(site) - set(data))
        if unknown:
            raise ConfigError(f"{path}: unknown key {', '.join(unknown)}")
        data.update(site)
    return parse_config(data)


def _field(record: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in record:
        raise ConfigError(f"{where}.{key}: missing")
    value = record[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}.{key}: expected {kind.__name__}, got {value!r}")
    return value


def _scale(records: Any, name: str, with_frequency: bool) -> tuple[ScaleStep, ...]:
    if not isinstance(records, list):
        raise ConfigError(f"{name}: expected a list of 10 steps")
    steps = []
    for i, record in enumerate(records):
        where = f"{name}[{i}]"
        steps.append(
            ScaleStep(
                score=_field(record, "score", int, where),
                label=_field(record, "label", str, where),
                description=_field(record, "description", str, where),
                min_per_3y=_field(record, "min_per_3y", float, where) if with_frequency else None,
            )
        )
    steps.sort(key=lambda step: step.score)
    if [step.score for step in steps] != list(range(1, 11)):
        raise ConfigError(f"{name}: needs exactly the scores 1 to 10, once each")
    if with_frequency:
        minima = [step.min_per_3y for step in steps]
        if minima[0] != 0 or any(b <= a for a, b in itertools.pairwise(minima)):
            raise ConfigError(
                f"{name}: min_per_3y must start at 0 (score 1) and rise with the score"
            )
    return tuple(steps)


def _optional(record: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    return _field(record, key, kind, where) if key in record else None


def parse_config(data: Mapping[str, Any]) -> RiskConfig:
    """Check and type a configuration mapping (as :func:`tomllib.loads` gives it)."""
    zones = tuple(
        Zone(_field(z, "name", str, f"zones[{i}]"), _field(z, "min_score", int, f"zones[{i}]"))
        for i, z in enumerate(data["zones"])
    )
    if not zones or zones[0].min_score != 1:
        raise ConfigError("zones: the first zone must start at min_score = 1")
    if any(b.min_score <= a.min_score for a, b in itertools.pairwise(zones)):
        raise ConfigError("zones: min_score must rise from one zone to the next")
    levels = []
    for i, record in enumerate(data["fault_levels"]):
        where = f"fault_levels[{i}]"
        levels.append(
            FaultLevel(
                level=_field(record, "level", int, where),
                name=_field(record, "name", str, where),
                description=str(record.get("description", "")),
                all_sites=bool(record.get("all_sites", False)),
                sites_at_least=_optional(record, "sites_at_least", int, where),
                seat_share_above=_optional(record, "seat_share_above", float, where),
                queues_at_least=_optional(record, "queues_at_least", int, where),
            )
        )
    if [level.level for level in levels] != list(range(1, len(levels) + 1)):
        raise ConfigError("fault_levels: levels must be 1, 2, ... in order, most severe first")
    if not levels or not levels[-1].is_catch_all:
        raise ConfigError("fault_levels: the last level must have no condition (the catch-all)")
    escalation = {}
    for i, record in enumerate(data["escalation"]):
        where = f"escalation[{i}]"
        steps = tuple(
            EscalationStep(
                after_min=_field(step, "after_min", int, f"{where}.steps[{j}]"),
                notify=tuple(_field(step, "notify", list, f"{where}.steps[{j}]")),
                action=str(step.get("action", "notify")),
            )
            for j, step in enumerate(_field(record, "steps", list, where))
        )
        minutes = [step.after_min for step in steps]
        if not steps or minutes != sorted(minutes) or minutes[0] < 0:
            raise ConfigError(f"{where}.steps: need at least one step, after_min rising from 0")
        repeat = _field(record, "repeat_every_min", int, where)
        if repeat < 0:
            raise ConfigError(f"{where}.repeat_every_min: must be >= 0")
        level = _field(record, "level", int, where)
        escalation[level] = Escalation(level, steps, repeat, tuple(record.get("repeat_notify", [])))
    missing = sorted({level.level for level in levels} - set(escalation))
    if missing:
        raise ConfigError(f"escalation: no timeline for level {', '.join(map(str, missing))}")
    center_data = data["center"]
    center = Center(
        seats_total=_field(center_data, "seats_total", int, "center"),
        sites_total=_field(center_data, "sites_total", int, "center"),
        trunk_lines=_field(center_data, "trunk_lines", int, "center"),
        timezone=_field(center_data, "timezone", str, "center"),
    )
    if center.seats_total < 1 or center.sites_total < 1 or center.trunk_lines < 1:
        raise ConfigError("center: seats_total, sites_total and trunk_lines must be >= 1")
    detect = data["detection"]
    detection = Detection(
        no_answer_min_offered=_field(detect, "no_answer_min_offered", int, "detection"),
        sl_goal=_field(detect, "sl_goal", float, "detection"),
        sl_breach_intervals=_field(detect, "sl_breach_intervals", int, "detection"),
        ivr_min_calls=_field(detect, "ivr_min_calls", int, "detection"),
        ivr_drop_factor=_field(detect, "ivr_drop_factor", float, "detection"),
        ivr_drop_margin=_field(detect, "ivr_drop_margin", float, "detection"),
        ivr_no_queue_min_calls=_field(detect, "ivr_no_queue_min_calls", int, "detection"),
        trunk_blocking_target=_field(detect, "trunk_blocking_target", float, "detection"),
    )
    watch_below = _field(data, "watch_below", int, "config")
    return RiskConfig(
        probability_scale=_scale(data["probability_scale"], "probability_scale", True),
        impact_scale=_scale(data["impact_scale"], "impact_scale", False),
        zones=zones,
        watch_below=watch_below,
        center=center,
        fault_levels=tuple(levels),
        escalation=escalation,
        detection=detection,
    )
