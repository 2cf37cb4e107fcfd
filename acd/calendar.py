"""The Chinese working-day calendar the engine drives arrivals with.

Public holidays, their substituted days off and the make-up working days (调休, weekend
days that are worked to pay for a longer break) all come from the ``holidays`` library
(``holidays.China``); nothing here is a hand-typed list of dates.

Terms used below:

* **public holiday**: a date the library lists (a festival, its "(observed)" day, or a
  "Day off (substituted from ...)").
* **holiday block**: a maximal run of consecutive non-working days that contains at least
  one public holiday, e.g. the whole National Day golden week including the Sunday
  inside it, or a Friday festival plus the weekend joined to it.  A plain weekend is not
  a block.  Every day of a block has ``is_holiday=True``.
* **make-up working day**: a Saturday or Sunday that is a working day.
* **estimated year**: a year for which the library publishes no make-up working days.
  The State Council announces each year's schedule in the preceding autumn; until the
  library carries it, its dates for that year are the festivals plus generic
  "(observed)" rules, which is a guess.  Detected from the data (never a list of years);
  such days carry ``estimated=True`` and a warning is logged once per year per process.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "LOOKAHEAD_DAYS",
    "LOOKBACK_DAYS",
    "DayInfo",
    "china_calendar",
    "is_estimated_year",
    "is_working_day",
]

logger = logging.getLogger(__name__)

LOOKAHEAD_DAYS = 21
"""``DayInfo.days_to_next_holiday`` is None when the next block starts further away."""

LOOKBACK_DAYS = 14
"""``DayInfo.days_since_holiday_block`` is None when the last block ended longer ago."""

# Longest run of non-working days we expect (Spring Festival is 8-9 days); the margin
# computed around the requested range so that blocks cut by the range edges are whole.
_BLOCK_MARGIN_DAYS = 31

# Library names that are not festivals of their own but belong to the block they sit in.
_DERIVED_NAME = re.compile(r"^Day off\b|\bExtended Holiday\b")
_OBSERVED_SUFFIX = re.compile(r"\s*\(observed\)$")
# Only used to vote for a block's name: New Year's Eve is part of the Spring Festival.
_BLOCK_ALIASES = {"Chinese New Year's Eve": "Chinese New Year (Spring Festival)"}

_WARNED_YEARS: set[int] = set()


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One calendar day as the arrival model sees it.

    ``is_holiday``: the day belongs to a holiday block (so also a weekend day joined to
    festival days).  ``holiday_name``: the festival for a block day ("Day off
    (substituted ...)" and "(observed)" days are named after their block's festival;
    a day that is two festivals at once, e.g. 2028-10-03, reads "Mid-Autumn Festival;
    National Day"), "" otherwise.  ``block_name``: the festival the whole block is named
    after ("National Day" for a golden week that also holds Mid-Autumn), "" outside
    blocks.  ``days_to_next_holiday``: calendar days from this day to the first day of
    the next block starting after it (1 = the day just before a block), None beyond
    ``LOOKAHEAD_DAYS``.  ``days_since_holiday_block``: calendar days since the last day of
    the most recent block that ended before this day (1 = the first day after it),
    None beyond ``LOOKBACK_DAYS``; inside a block both refer to other blocks.
    """

    date: date
    weekday: int
    is_holiday: bool
    holiday_name: str
    is_makeup_workday: bool
    is_working_day: bool
    days_to_next_holiday: int | None
    days_since_holiday_block: int | None
    block_name: str
    estimated: bool


@lru_cache(maxsize=64)
def _china_year(year: int) -> holidays.HolidayBase:
    """The library's calendar for one year (built once; only ever queried for that year)."""
    return holidays.China(years=year, language="en_US")


def is_estimated_year(year: int) -> bool:
    """True when the library publishes no make-up working day in ``year``."""
    cn = _china_year(year)
    return not any(d.year == year for d in cn.weekend_workdays)


def is_working_day(d: date) -> bool:
    """True when ``d`` is a working day in China (make-up working days included)."""
    return bool(_china_year(d.year).is_working_day(d))


def _festival_names(names: list[str]) -> list[str]:
    """Festival names of one date, "(observed)" stripped, derived days dropped."""
    out: list[str] = []
    for name in names:
        if _DERIVED_NAME.search(name):
            continue
        base = _OBSERVED_SUFFIX.sub("", name)
        if base not in out:
            out.append(base)
    return out


@dataclass(frozen=True, slots=True)
class _Block:
    first: date
    last: date
    name: str


def _block_name(raw_names: list[list[str]]) -> str:
    """The festival most days of a block are named after (ties: the earliest)."""
    votes: Counter[str] = Counter()
    order: dict[str, int] = {}
    for names in raw_names:
        for name in _festival_names(names):
            key = _BLOCK_ALIASES.get(name, name)
            votes[key] += 1
            order.setdefault(key, len(order))
    if not votes:  # only derived days (not seen in the library's data): keep a raw name
        flat = [n for names in raw_names for n in names]
        return flat[0] if flat else ""
    return max(votes, key=lambda k: (votes[k], -order[k]))


def _scan(first: date, last: date) -> tuple[list[bool], list[list[str]], list[_Block]]:
    """Working flags, library names and holiday blocks for every date in [first, last]."""
    n = (last - first).days + 1
    working: list[bool] = []
    names: list[list[str]] = []
    for i in range(n):
        d = first + timedelta(days=i)
        cn = _china_year(d.year)
        working.append(cn.is_working_day(d))
        names.append(cn.get_list(d) if d in cn else [])
    blocks: list[_Block] = []
    i = 0
    while i < n:
        if working[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and not working[j + 1]:
            j += 1
        run_names = names[i : j + 1]
        if any(run_names):
            blocks.append(
                _Block(first + timedelta(days=i), first + timedelta(days=j), _block_name(run_names))
            )
        i = j + 1
    return working, names, blocks


def china_calendar(start: date, end: date) -> list[DayInfo]:
    """One ``DayInfo`` per date from ``start`` to ``end`` inclusive (empty if end < start).

    Works for any year the library can compute, including future years whose official
    schedule is not published yet (those days are flagged ``estimated``).
    """
    if end < start:
        return []
    scan_first = start - timedelta(days=LOOKBACK_DAYS + _BLOCK_MARGIN_DAYS)
    scan_last = end + timedelta(days=LOOKAHEAD_DAYS + _BLOCK_MARGIN_DAYS)
    working, names, blocks = _scan(scan_first, scan_last)

    estimated_years = {y for y in range(start.year, end.year + 1) if is_estimated_year(y)}
    for year in sorted(estimated_years - _WARNED_YEARS):
        _WARNED_YEARS.add(year)
        logger.warning(
            "holidays %s publishes no make-up working days for China in %d: the official "
            "holiday schedule for that year is not known, using the library's estimate",
            holidays.__version__,
            year,
        )

    block_of: dict[date, _Block] = {}
    for b in blocks:
        for k in range((b.last - b.first).days + 1):
            block_of[b.first + timedelta(days=k)] = b
    starts = [b.first for b in blocks]
    ends = sorted(b.last for b in blocks)

    out: list[DayInfo] = []
    offset = (start - scan_first).days
    next_i = 0  # index into starts of the first block starting after d
    prev_i = -1  # index into ends of the last block ending before d
    for i in range((end - start).days + 1):
        d = start + timedelta(days=i)
        while next_i < len(starts) and starts[next_i] <= d:
            next_i += 1
        while prev_i + 1 < len(ends) and ends[prev_i + 1] < d:
            prev_i += 1
        to_next = (starts[next_i] - d).days if next_i < len(starts) else None
        if to_next is not None and to_next > LOOKAHEAD_DAYS:
            to_next = None
        since = (d - ends[prev_i]).days if prev_i >= 0 else None
        if since is not None and since > LOOKBACK_DAYS:
            since = None

        is_working = working[offset + i]
        block = block_of.get(d)
        if block is not None:
            own = _festival_names(names[offset + i])
            holiday_name = "; ".join(own) if own else block.name
            block_name = block.name
        else:
            holiday_name = block_name = ""
        weekday = d.weekday()
        out.append(
            DayInfo(
                date=d,
                weekday=weekday,
                is_holiday=block is not None,
                holiday_name=holiday_name,
                is_makeup_workday=is_working and weekday in _china_year(d.year).weekend,
                is_working_day=is_working,
                days_to_next_holiday=to_next,
                days_since_holiday_block=since,
                block_name=block_name,
                estimated=d.year in estimated_years,
            )
        )
    return out
