"""Typed reads from a TOML table with messages that name the field.

A scenario file is edited by people; a wrong value must come back as
``agent_groups[2].skills.booking: expected a number from 1 to 10, got "high"``, never as
a traceback. ``Fields`` reads one table, tracks which keys were used and reports keys
it does not know (a typo would otherwise be silently ignored).
"""

from __future__ import annotations

from typing import Any

from acd.errors import ConfigError, ScenarioError

_MISSING = object()


class Fields:
    """Reads the keys of one TOML table; ``where`` is the table's path for messages.

    ``error`` is what a bad value raises (``ScenarioError`` for scenario and roster files;
    other configuration files name their own ``ConfigError``), and ``document`` names the
    file's top level in the message for unknown keys there."""

    def __init__(
        self,
        table: Any,
        where: str,
        *,
        error: type[ConfigError] = ScenarioError,
        document: str = "scenario",
    ) -> None:
        self.error = error
        self.document = document
        if not isinstance(table, dict):
            raise error(f"{where or document}: expected a table, got {_show(table)}")
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
            raise self.error(f"{self.path(key)}: required but missing")
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
            error=self.error,
        )

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{self.path(key)}: expected a whole number, got {_show(value)}")
        if minimum is not None and value < minimum:
            raise self.error(f"{self.path(key)}: must be at least {minimum}, got {value}")
        return value

    def text(self, key: str, default: Any = _MISSING, *, choices: tuple[str, ...] = ()) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise self.error(f"{self.path(key)}: expected text, got {_show(value)}")
        if choices and value not in choices:
            raise self.error(
                f"{self.path(key)}: expected one of {', '.join(choices)}, got {value!r}"
            )
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{self.path(key)}: expected true or false, got {_show(value)}")
        return value

    def sub(self, key: str, default: Any = _MISSING) -> Fields:
        return Fields(
            self.raw(key, default), self.path(key), error=self.error, document=self.document
        )

    def array(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self.raw(key, default)
        if not isinstance(value, list):
            raise self.error(f"{self.path(key)}: expected a list, got {_show(value)}")
        return value

    def finish(self) -> None:
        """Raise for keys nobody read: most often a typo in the file."""
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.error(f"{self.where or self.document}: unknown key(s) {', '.join(unknown)}")


def check_number(
    value: Any,
    where: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    error: type[ConfigError] = ScenarioError,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise error(f"{where}: expected a number, got {_show(value)}")
    number = float(value)
    if number != number:
        raise error(f"{where}: expected a number, got NaN")
    if minimum is not None and (number <= minimum if exclusive_minimum else number < minimum):
        bound = "greater than" if exclusive_minimum else "at least"
        raise error(f"{where}: must be {bound} {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise error(f"{where}: must be at most {maximum:g}, got {number:g}")
    return number


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)
