"""Report periods: a month, a quarter, a year, a day, or a range of local days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
FORMATS = "YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"


class PeriodError(ValueError):
    """A period text in none of the accepted formats, or an impossible one."""


@dataclass(frozen=True)
class Period:
    """Local days ``start`` to ``end``, both included; ``label`` as the user wrote it."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Days in the period."""
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_period(text: str) -> Period:
    """The period ``text`` names (:data:`FORMATS`); raises :class:`PeriodError`."""
    text = text.strip()
    try:
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            return Period(date(year, month, 1), _month_end(year, month), text)
        if match := _QUARTER.fullmatch(text):
            year, quarter = int(match[1]), int(match[2])
            first = 3 * quarter - 2
            return Period(date(year, first, 1), _month_end(year, first + 2), text.upper())
        if match := _YEAR.fullmatch(text):
            year = int(match[1])
            return Period(date(year, 1, 1), date(year, 12, 31), text)
        if match := _RANGE.fullmatch(text):
            start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            if end < start:
                raise PeriodError(f"period {text!r} ends before it starts")
            return Period(start, end, text)
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"period {text!r} is not a real date ({exc})") from None
    if day is None:
        raise PeriodError(f"unknown period format {text!r}: use {FORMATS}")
    return Period(day, day, text)
