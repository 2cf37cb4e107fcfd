"""Build variables: the site settings models read with ``{{ var('name') }}``.

Each variable has a default here and may be overridden per build (``callcenter build
--var interval_minutes=15``). Values are checked before anything runs, and a model may
only name a variable declared here, so a typo fails the build instead of producing NULLs.

A variable is rendered into the SQL as its bare text, as dbt does, so a string variable
is written inside quotes in the model (``'{{ var('timezone') }}'``); string values are
restricted to characters that cannot end a quoted literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

VariableValue = int | str

# Characters of an IANA zone name (Asia/Shanghai, America/Argentina/Buenos_Aires, Etc/GMT+8).
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-/]*")


class VariableError(ValueError):
    """An unknown variable, or a value it does not allow."""


@dataclass(frozen=True)
class Variable:
    """A build variable: its default, what it means, and the check a value must pass."""

    default: VariableValue
    description: str
    check: Callable[[VariableValue], str | None]  # returns what is wrong, or None


def _one_of(*allowed: int) -> Callable[[VariableValue], str | None]:
    def check(value: VariableValue) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(map(str, allowed))}"

    return check


def _at_least(minimum: int) -> Callable[[VariableValue], str | None]:
    def check(value: VariableValue) -> str | None:
        return None if isinstance(value, int) and value >= minimum else f"must be >= {minimum}"

    return check


def _zone_name(value: VariableValue) -> str | None:
    # Whether ICU knows the zone is checked by the runner against the database itself.
    if isinstance(value, str) and _ZONE_NAME.fullmatch(value):
        return None
    return "must be an IANA time zone name such as Asia/Shanghai"


VARIABLES: dict[str, Variable] = {
    "interval_minutes": Variable(
        30,
        "Length of a reporting interval in minutes; intervals are cut in the center's local "
        "time (15 or 30).",
        _one_of(15, 30),
    ),
    "timezone": Variable(
        "Asia/Shanghai",
        "IANA time zone of the center: local days and intervals are cut in it. Instants are "
        "stored in UTC.",
        _zone_name,
    ),
    "short_abandon_s": Variable(
        5,
        "A caller who abandons within this many seconds of entering the queue is a short "
        "abandon, left out of service level and abandon rate.",
        _at_least(0),
    ),
    "sl_target_s": Variable(
        20,
        "Service-level target in seconds: a call answered within it counts as answered in time.",
        _at_least(1),
    ),
}


def defaults() -> dict[str, VariableValue]:
    """Every variable with its default value."""
    return {name: variable.default for name, variable in VARIABLES.items()}


def resolve(overrides: Mapping[str, object] | None = None) -> dict[str, VariableValue]:
    """Defaults updated by ``overrides``, each checked.

    A value given as text (from the command line) is converted to the default's type.
    Raises ``VariableError`` naming the variable for an unknown name or a bad value.
    """
    values = defaults()
    for name, raw in (overrides or {}).items():
        if name not in VARIABLES:
            known = ", ".join(sorted(VARIABLES))
            raise VariableError(f"unknown variable {name!r} (known: {known})")
        variable = VARIABLES[name]
        value = _convert(name, raw, type(variable.default))
        problem = variable.check(value)
        if problem is not None:
            raise VariableError(f"variable {name}={value!r}: {problem}")
        values[name] = value
    return values


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``["interval_minutes=15", ...]`` -> ``{"interval_minutes": "15"}``."""
    parsed: dict[str, str] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise VariableError(f"--var {assignment!r}: expected NAME=VALUE")
        parsed[name.strip()] = value.strip()
    return parsed


def _convert(name: str, raw: object, wanted: type) -> VariableValue:
    if wanted is int:
        if isinstance(raw, bool):
            raise VariableError(f"variable {name}={raw!r}: must be a whole number")
        if isinstance(raw, int):
            return raw
        try:
            return int(str(raw).strip())
        except ValueError:
            raise VariableError(f"variable {name}={raw!r}: must be a whole number") from None
    if not isinstance(raw, str):
        raise VariableError(f"variable {name}={raw!r}: must be text")
    return raw
