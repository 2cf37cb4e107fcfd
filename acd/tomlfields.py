"""Typed reads from a TOML table with messages that name the field.

A scenario file is edited by people; a wrong value must come back as
``agent_groups[2].skills.booking: expected a number from 1 to 10, got "high"``, never as
a traceback. ``Fields`` reads one table, tracks which keys were used and reports keys
it does not know (a typo would otherwise be silently ignored).
"""

from __future__ import annotations

from typing import Any

from acd.errors import ScenarioError

_MISSING = object()


class Fields:
    """Reads the keys of one TOML table; ``where`` is the table's path for messages."""

    def __init__(self, table: Any, where: str) -> None:
        if not isinstance(table, dict):
            raise ScenarioError(f"{where}: expected a table, got {_show(table)}")
        self.table = table
        self.where = where
        self.used: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self.used.add(key)
        if key in self.table:
            return self.table[key]
        if default is _MISSING:
            raise ScenarioError(f"{self.path(key)}: required but missing")
        return default

    def has(self, key: str) -> bool:
        return key in self.table

    def number(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_minimum: bool = False,
    ) -> float:
        value = self.raw(key, default)
        return check_number(
            value,
            self.path(key),
            minimum=minimum,
            maximum=maximum,
            exclusive_minimum=exclusive_minimum,
        )

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{self.path(key)}: expected a whole number, got {_show(value)}")
        if minimum is not None and value < minimum:
            raise ScenarioError(f"{self.path(key)}: must be at least {minimum}, got {value}")
        return value

    def text(self, key: str, default: Any = _MISSING, *, choices: tuple[str, ...] = ()) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise ScenarioError(f"{self.path(key)}: expected text, got {_show(value)}")
        if choices and value not in choices:
            raise ScenarioError(
                f"{self.path(key)}: expected one of {', '.join(choices)}, got {value!r}"
            )
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise ScenarioError(f"{self.path(key)}: expected true or false, got {_show(value)}")
        return value

    def sub(self, key: str, default: Any = _MISSING) -> Fields:
        return Fields(self.raw(key, default), self.path(key))

    def array(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self.raw(key, default)
        if not isinstance(value, list):
            raise ScenarioError(f"{self.path(key)}: expected a list, got {_show(value)}")
        return value

    def finish(self) -> None:
        """Raise for keys nobody read: most often a typo in the file."""
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise ScenarioError(f"{self.where or 'scenario'}: unknown key(s) {', '.join(unknown)}")


def check_number(
    value: Any,
    where: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: expected a number, got {_show(value)}")
    number = float(value)
    if number != number:
        raise ScenarioError(f"{where}: expected a number, got NaN")
    if minimum is not None and (number <= minimum if exclusive_minimum else number < minimum):
        bound = "greater than" if exclusive_minimum else "at least"
        raise ScenarioError(f"{where}: must be {bound} {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise ScenarioError(f"{where}: must be at most {maximum:g}, got {number:g}")
    return number


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)
