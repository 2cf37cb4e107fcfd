"""Evaluation forms: versioned TOML definitions with sections, items, weights and scales.

A form file (``qa/forms/airline_v1.toml`` ships) looks like::

    form_id = "airline"
    version = 1
    title = "Airline ticketing call evaluation"
    pass_score = 80            # passed = no critical fail and score >= pass_score

    [[sections]]
    id = "greeting"
    title = "Greeting"
    weight = 10                # section weights of a form sum to 100

    [[sections.items]]
    id = "standard_opening"
    text = "Opens with the standard greeting and own name"
    scale = "yes_no"           # yes_no | yes_no_na | 1_5 | 1_5_na
    weight = 1                 # relative to the other items of its section, > 0
    critical = false           # a "no" on a critical item fails the whole evaluation

Rules a form must keep (``FormError`` names the form and the section otherwise): section
weights are > 0 and sum to 100 (within 1e-6); item weights are > 0; every section has at
least one item; item ids are unique across the form (answers name items only); a
critical item uses a yes/no scale (``yes_no`` or ``yes_no_na``); ``pass_score`` is in
[0, 100]; ``version`` is a positive integer.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FORMS_DIR = Path(__file__).resolve().parent / "forms"
DEFAULT_FORM = "airline_v1"

SCALES: dict[str, tuple[str, ...]] = {
    # scale -> the answers it accepts (text, as stored)
    "yes_no": ("yes", "no"),
    "yes_no_na": ("yes", "no", "na"),
    "1_5": ("1", "2", "3", "4", "5"),
    "1_5_na": ("1", "2", "3", "4", "5", "na"),
}
YES_NO_SCALES = ("yes_no", "yes_no_na")
WEIGHT_TOTAL = 100.0
_WEIGHT_TOLERANCE = 1e-6
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


class FormError(ValueError):
    """A form definition breaks a rule; the message names the form and the section."""


@dataclass(frozen=True)
class Item:
    """One question of a form."""

    id: str
    text: str
    scale: str
    weight: float
    critical: bool = False

    @property
    def allows_na(self) -> bool:
        return "na" in SCALES[self.scale]


@dataclass(frozen=True)
class Section:
    """A group of items with a weight in the overall score."""

    id: str
    title: str
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Form:
    """A validated, versioned evaluation form."""

    form_id: str
    version: int
    title: str
    pass_score: float
    sections: tuple[Section, ...]

    @property
    def label(self) -> str:
        return f"{self.form_id} v{self.version}"

    def items(self) -> dict[str, tuple[Section, Item]]:
        """Every item by id, with its section, in form order."""
        return {item.id: (section, item) for section in self.sections for item in section.items}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """The canonical JSON of the definition (sorted keys): what the store keeps."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


def form_from_dict(data: dict[str, Any], where: str = "form") -> Form:
    """Validate a parsed definition (TOML or the stored JSON) into a ``Form``."""
    if not isinstance(data, dict):
        raise FormError(f"{where}: a form is a table of keys, got {type(data).__name__}")
    form_id = data.get("form_id")
    if not isinstance(form_id, str) or not _IDENTIFIER.fullmatch(form_id):
        raise FormError(f"{where}: form_id must be a lower-case identifier, got {form_id!r}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormError(f"{where}: version must be a positive integer, got {version!r}")
    label = f"form {form_id} v{version} ({where})"
    unknown = set(data) - {"form_id", "version", "title", "pass_score", "sections"}
    if unknown:
        raise FormError(f"{label}: unknown key(s) {', '.join(sorted(unknown))}")
    title = data.get("title", form_id)
    if not isinstance(title, str):
        raise FormError(f"{label}: title must be text")
    pass_score = _number(data.get("pass_score"), f"{label}: pass_score")
    if not 0 <= pass_score <= WEIGHT_TOTAL:
        raise FormError(f"{label}: pass_score must be between 0 and 100, got {pass_score:g}")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list | tuple) or not raw_sections:
        raise FormError(f"{label}: needs at least one [[sections]]")
    sections: list[Section] = []
    seen_items: dict[str, str] = {}
    seen_sections: set[str] = set()
    for index, raw in enumerate(raw_sections, start=1):
        section = _section(raw, index, label, seen_items)
        if section.id in seen_sections:
            raise FormError(f"{label}: section {section.id!r} appears twice")
        seen_sections.add(section.id)
        sections.append(section)
    total = sum(section.weight for section in sections)
    if abs(total - WEIGHT_TOTAL) > _WEIGHT_TOLERANCE:
        listed = ", ".join(f"{section.id} {section.weight:g}" for section in sections)
        raise FormError(
            f"{label}: section weights sum to {total:g}, they must sum to 100 ({listed})"
        )
    return Form(form_id, version, title, pass_score, tuple(sections))


def _section(raw: Any, index: int, label: str, seen_items: dict[str, str]) -> Section:
    if not isinstance(raw, dict):
        raise FormError(f"{label}: section {index} must be a table")
    section_id = raw.get("id")
    if not isinstance(section_id, str) or not _IDENTIFIER.fullmatch(section_id):
        raise FormError(f"{label}: section {index}: id must be a lower-case identifier")
    where = f"{label}: section {section_id!r}"
    unknown = set(raw) - {"id", "title", "weight", "items"}
    if unknown:
        raise FormError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    weight = _number(raw.get("weight"), f"{where}: weight")
    if weight <= 0:
        raise FormError(f"{where}: weight must be greater than 0, got {weight:g}")
    raw_items = raw.get("items")
    if not isinstance(raw_items, list | tuple) or not raw_items:
        raise FormError(f"{where}: needs at least one [[sections.items]]")
    items = []
    for item_index, raw_item in enumerate(raw_items, start=1):
        item = _item(raw_item, item_index, where)
        if item.id in seen_items:
            raise FormError(
                f"{where}: item {item.id!r} is already in section {seen_items[item.id]!r} "
                "(item ids are unique across the form)"
            )
        seen_items[item.id] = section_id
        items.append(item)
    return Section(section_id, str(raw.get("title", section_id)), weight, tuple(items))


def _item(raw: Any, index: int, where: str) -> Item:
    if not isinstance(raw, dict):
        raise FormError(f"{where}: item {index} must be a table")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _IDENTIFIER.fullmatch(item_id):
        raise FormError(f"{where}: item {index}: id must be a lower-case identifier")
    item_where = f"{where}, item {item_id!r}"
    unknown = set(raw) - {"id", "text", "scale", "weight", "critical"}
    if unknown:
        raise FormError(f"{item_where}: unknown key(s) {', '.join(sorted(unknown))}")
    scale = raw.get("scale")
    if scale not in SCALES:
        raise FormError(f"{item_where}: scale must be one of {', '.join(SCALES)}, got {scale!r}")
    weight = _number(raw.get("weight", 1), f"{item_where}: weight")
    if weight <= 0:
        raise FormError(f"{item_where}: weight must be greater than 0, got {weight:g}")
    critical = raw.get("critical", False)
    if not isinstance(critical, bool):
        raise FormError(f"{item_where}: critical must be true or false")
    if critical and scale not in YES_NO_SCALES:
        raise FormError(f"{item_where}: a critical item needs a yes/no scale, got {scale!r}")
    return Item(item_id, str(raw.get("text", item_id)), scale, weight, critical)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError(f"{where} must be a number, got {value!r}")
    return float(value)


def load_form(source: str | Path = DEFAULT_FORM) -> Form:
    """A form from a TOML file path, or the name of a shipped form (``airline_v1``)."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = FORMS_DIR / f"{source}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in FORMS_DIR.glob("*.toml")))
        raise FormError(f"form {source}: no such file (shipped forms: {shipped})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"form file {path}: not valid TOML: {exc}") from None
    return form_from_dict(data, str(path))


def form_from_json(text: str) -> Form:
    """A form from the JSON the store keeps (``Form.to_json``)."""
    return form_from_dict(json.loads(text), "stored form")
