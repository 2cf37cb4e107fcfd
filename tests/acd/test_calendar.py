"""The Chinese holiday calendar (acd/calendar.py), checked against the State Council's
published 2025/2026 schedules as carried by the ``holidays`` library."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import holidays
import pytest

import acd.calendar as cal
from acd.calendar import LOOKAHEAD_DAYS, LOOKBACK_DAYS, DayInfo, china_calendar, is_estimated_year


def _by_date(start: date, end: date) -> dict[date, DayInfo]:
    return {d.date: d for d in china_calendar(start, end)}


@pytest.fixture(scope="module")
def y2026() -> dict[date, DayInfo]:
    return _by_date(date(2026, 1, 1), date(2026, 12, 31))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _first_unpublished_year() -> int:
    """The first year after the last one with published make-up days (from the data)."""
    published = {d.year for d in holidays.China(years=2026, language="en_US").weekend_workdays}
    year = 2026
    while year in published:
        year += 1
    return year


def test_national_day_golden_week_2026(y2026: dict[date, DayInfo]) -> None:
    for d in _days(date(2026, 10, 1), date(2026, 10, 7)):
        info = y2026[d]
        assert info.is_holiday, d
        assert not info.is_working_day, d
        assert info.block_name == "National Day"
        # the library's "(observed)" and "Day off (substituted from ...)" days and the
        # Sunday inside the week are all named after the festival
        assert info.holiday_name == "National Day", (d, info.holiday_name)
        assert not info.estimated
    for d in (date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)):
        assert not y2026[d].is_holiday and y2026[d].is_working_day, d


@pytest.mark.parametrize("d", [date(2026, 9, 20), date(2026, 10, 10)])
def test_golden_week_make_up_working_days_2026(y2026: dict[date, DayInfo], d: date) -> None:
    info = y2026[d]
    assert info.weekday in (5, 6)
    assert info.is_makeup_workday
    assert info.is_working_day
    assert not info.is_holiday
    assert info.holiday_name == info.block_name == ""


def test_spring_festival_block_2026(y2026: dict[date, DayInfo]) -> None:
    block = _days(date(2026, 2, 15), date(2026, 2, 23))  # Sunday 15th .. Monday 23rd
    for d in block:
        assert y2026[d].is_holiday, d
        assert y2026[d].block_name == "Chinese New Year (Spring Festival)"
    assert y2026[date(2026, 2, 16)].holiday_name == "Chinese New Year's Eve"
    # 20 Feb is "Day off (substituted from 02/14/2026)" in the library
    assert y2026[date(2026, 2, 20)].holiday_name == "Chinese New Year (Spring Festival)"
    for d in (date(2026, 2, 14), date(2026, 2, 28)):  # the two worked Saturdays
        assert y2026[d].is_makeup_workday
    assert y2026[date(2026, 2, 14)].days_to_next_holiday == 1
    assert y2026[date(2026, 2, 24)].days_since_holiday_block == 1
    assert not y2026[date(2026, 2, 24)].is_holiday
    assert y2026[date(2026, 2, 13)].days_to_next_holiday == 2


def test_block_joins_weekend_to_a_friday_festival(y2026: dict[date, DayInfo]) -> None:
    # Dragon Boat Festival 2026 is Friday 19 June; the weekend makes it a 3-day break.
    for d in _days(date(2026, 6, 19), date(2026, 6, 21)):
        assert y2026[d].is_holiday and y2026[d].block_name == "Dragon Boat Festival"
    assert y2026[date(2026, 6, 22)].days_since_holiday_block == 1


def test_plain_weekend_is_not_a_holiday(y2026: dict[date, DayInfo]) -> None:
    info = y2026[date(2026, 3, 7)]  # a Saturday
    assert info.weekday == 5
    assert not info.is_holiday and not info.is_working_day and not info.is_makeup_workday
    assert info.block_name == ""


def test_days_to_next_holiday_counts_to_golden_week(y2026: dict[date, DayInfo]) -> None:
    info = y2026[date(2026, 9, 28)]  # Monday after the Mid-Autumn block (25-27 Sep)
    assert info.days_to_next_holiday == 3
    target = y2026[date(2026, 9, 28) + timedelta(days=3)]
    assert target.is_holiday and target.block_name == "National Day"
    assert info.days_since_holiday_block == 1  # Mid-Autumn ended the day before
    assert y2026[date(2026, 9, 30)].days_to_next_holiday == 1
    # inside a block the counters refer to other blocks
    assert y2026[date(2026, 9, 25)].days_to_next_holiday == 6
    assert y2026[date(2026, 10, 7)].days_since_holiday_block == 10


def test_lookahead_and_lookback_limits(y2026: dict[date, DayInfo]) -> None:
    assert y2026[date(2026, 8, 1)].days_to_next_holiday is None  # Mid-Autumn is 55 days on
    assert y2026[date(2026, 8, 1)].days_since_holiday_block is None
    assert y2026[date(2026, 9, 25) - timedelta(days=LOOKAHEAD_DAYS)].days_to_next_holiday == 21
    assert (
        y2026[date(2026, 9, 25) - timedelta(days=LOOKAHEAD_DAYS + 1)].days_to_next_holiday is None
    )
    assert y2026[date(2026, 10, 7) + timedelta(days=LOOKBACK_DAYS)].days_since_holiday_block == 14
    assert (
        y2026[date(2026, 10, 7) + timedelta(days=LOOKBACK_DAYS + 1)].days_since_holiday_block
        is None
    )


def test_golden_week_with_mid_autumn_inside_2025() -> None:
    days = _by_date(date(2025, 9, 28), date(2025, 10, 11))
    for d in _days(date(2025, 10, 1), date(2025, 10, 8)):
        assert days[d].is_holiday and days[d].block_name == "National Day", d
    assert days[date(2025, 10, 6)].holiday_name == "Mid-Autumn Festival"
    assert days[date(2025, 9, 28)].is_makeup_workday and days[date(2025, 10, 11)].is_makeup_workday


def test_two_festivals_on_one_day() -> None:
    (info,) = china_calendar(date(2028, 10, 3), date(2028, 10, 3))
    assert info.holiday_name == "Mid-Autumn Festival; National Day"
    assert info.block_name == "National Day"


def test_estimated_flag_comes_from_the_data(caplog: pytest.LogCaptureFixture) -> None:
    year = _first_unpublished_year()
    if holidays.__version__ == "0.109":
        assert year == 2027
    assert is_estimated_year(year)
    assert not is_estimated_year(2026) and not is_estimated_year(2025)
    with caplog.at_level(logging.WARNING, logger="acd.calendar"):
        days = china_calendar(date(year, 1, 1), date(year, 12, 31))
    assert all(d.estimated for d in days)
    assert any(d.is_holiday for d in days)  # festivals still placed, by the library's rules
    assert not any(d.is_makeup_workday for d in days)


def test_estimated_year_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = _first_unpublished_year()
    monkeypatch.setattr(cal, "_WARNED_YEARS", set())
    with caplog.at_level(logging.WARNING, logger="acd.calendar"):
        china_calendar(date(year, 3, 1), date(year, 3, 31))
        china_calendar(date(year, 5, 1), date(year, 5, 31))
        china_calendar(date(2026, 3, 1), date(2026, 3, 31))
    records = [r for r in caplog.records if r.name == "acd.calendar"]
    assert len(records) == 1
    assert str(year) in records[0].getMessage()


def test_range_across_new_year_2026_2027() -> None:
    days = china_calendar(date(2026, 12, 20), date(2027, 1, 10))
    assert [d.date for d in days] == _days(date(2026, 12, 20), date(2027, 1, 10))
    by = {d.date: d for d in days}
    assert by[date(2026, 12, 31)].days_to_next_holiday == 1
    for d in _days(date(2027, 1, 1), date(2027, 1, 3)):
        assert by[d].is_holiday and by[d].block_name == "New Year's Day"
    assert by[date(2027, 1, 4)].days_since_holiday_block == 1
    assert not by[date(2026, 12, 31)].estimated
    assert by[date(2027, 1, 1)].estimated == is_estimated_year(2027)


def test_far_future_year_does_not_fail() -> None:
    days = china_calendar(date(2040, 1, 1), date(2040, 12, 31))
    assert len(days) == 366
    assert all(d.estimated for d in days)
    assert any(d.block_name == "National Day" for d in days)


def test_short_range_equals_slice_of_long_range(y2026: dict[date, DayInfo]) -> None:
    # Blocks cut by the range edges must still be whole (margins around the range).
    for d in (date(2026, 10, 4), date(2026, 2, 23), date(2026, 9, 28), date(2026, 1, 1)):
        assert china_calendar(d, d) == [y2026[d]]


def test_invariants_over_2025_2026() -> None:
    for info in china_calendar(date(2025, 1, 1), date(2026, 12, 31)):
        assert info.weekday == info.date.weekday()
        assert info.is_holiday == (info.block_name != "") == (info.holiday_name != "")
        assert not (info.is_holiday and info.is_working_day)
        if info.is_makeup_workday:
            assert info.weekday >= 5 and info.is_working_day
        if info.days_to_next_holiday is not None:
            assert 1 <= info.days_to_next_holiday <= LOOKAHEAD_DAYS
        if info.days_since_holiday_block is not None:
            assert 1 <= info.days_since_holiday_block <= LOOKBACK_DAYS
        if info.days_to_next_holiday == 1 or info.days_since_holiday_block == 1:
            # a block is a maximal run of non-working days
            assert info.is_working_day


def test_empty_range() -> None:
    assert china_calendar(date(2026, 5, 2), date(2026, 5, 1)) == []
