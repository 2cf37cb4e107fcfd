"""Business-hours arithmetic behind the deferred channels' response targets.

Hand-made cases with the answer worked out in the comments, then properties for any
instants: elapsed business time is never negative, never more than the wall-clock time,
additive over adjacent spans, and ``add`` is its inverse.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.business_hours import BusinessHours
from acd.calendar import is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = 3600.0


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = SHANGHAI) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=tz).timestamp()


def weekdays(d: date) -> bool:
    return d.weekday() < 5


EIGHT_TO_EIGHT = BusinessHours("Asia/Shanghai", 8 * H, 20 * H)  # every day
OFFICE = BusinessHours("Asia/Shanghai", 9 * H, 17 * H, weekdays)  # Monday to Friday


@pytest.mark.parametrize(
    ("created", "target_h", "due"),
    [
        # inside the window: plain addition
        (at(2026, 9, 1, 10), 4, at(2026, 9, 1, 14)),
        # 19:00 + 4 h: 1 h today (to 20:00), 3 h from 08:00 tomorrow -> 11:00
        (at(2026, 9, 1, 19), 4, at(2026, 9, 2, 11)),
        # created at night: the clock starts at 08:00
        (at(2026, 9, 1, 3), 0.5, at(2026, 9, 1, 8, 30)),
        # created after closing: tomorrow 08:00 + 2 h
        (at(2026, 9, 1, 21, 15), 2, at(2026, 9, 2, 10)),
        # exactly at closing: nothing left today
        (at(2026, 9, 1, 20), 1, at(2026, 9, 2, 9)),
        # a whole business day (12 h) from 08:00 ends at 20:00 the same day
        (at(2026, 9, 1, 8), 12, at(2026, 9, 1, 20)),
        # 30 h = 2.5 business days from 14:00: 6 h + 12 h + 12 h -> day 3 at 20:00
        (at(2026, 9, 1, 14), 30, at(2026, 9, 3, 20)),
    ],
)
def test_due_times_every_day(created, target_h, due):
    assert EIGHT_TO_EIGHT.add(created, target_h * H) == pytest.approx(due)
    assert EIGHT_TO_EIGHT.elapsed(created, due) == pytest.approx(target_h * H)


def test_weekends_do_not_count():
    friday_4pm = at(2026, 9, 4, 16)  # 2026-09-04 is a Friday
    # 1 h on Friday (16-17), 3 h on Monday from 09:00
    assert OFFICE.add(friday_4pm, 4 * H) == pytest.approx(at(2026, 9, 7, 12))
    assert OFFICE.elapsed(friday_4pm, at(2026, 9, 7, 9)) == pytest.approx(1 * H)
    saturday = at(2026, 9, 5, 11)
    assert OFFICE.elapsed(saturday, at(2026, 9, 6, 23)) == 0
    assert OFFICE.add(saturday, 0.5 * H) == pytest.approx(at(2026, 9, 7, 9, 30))


def test_chinese_working_days_skip_the_golden_week():
    clock = BusinessHours("Asia/Shanghai", 8 * H, 20 * H, is_working_day)
    created = at(2026, 9, 30, 19)  # eve of National Day
    assert is_working_day(date(2026, 9, 30)) and not is_working_day(date(2026, 10, 1))
    first = date(2026, 10, 1)
    while not is_working_day(first):
        first += timedelta(days=1)
    assert first > date(2026, 10, 3)  # a holiday block, not just a day
    due = clock.add(created, 4 * H)  # 1 h on the 30th, 3 h on the next working day
    assert due == pytest.approx(at(first.year, first.month, first.day, 11))
    assert clock.elapsed(created, due) == pytest.approx(4 * H)


def test_a_daylight_saving_day_has_its_true_length():
    berlin = ZoneInfo("Europe/Berlin")
    clock = BusinessHours("Europe/Berlin", 0, 24 * H)
    # 2026-03-29: clocks go from 02:00 to 03:00, the day lasts 23 hours
    assert clock.elapsed(at(2026, 3, 29, tz=berlin), at(2026, 3, 30, tz=berlin)) == 23 * H
    # 2026-10-25 lasts 25 hours
    assert clock.elapsed(at(2026, 10, 25, tz=berlin), at(2026, 10, 26, tz=berlin)) == 25 * H
    office = BusinessHours("Europe/Berlin", 9 * H, 17 * H)
    assert office.add(at(2026, 3, 28, 16, tz=berlin), 2 * H) == at(2026, 3, 29, 10, tz=berlin)


def test_bad_inputs():
    with pytest.raises(ValueError):
        BusinessHours("UTC", 10 * H, 9 * H)
    with pytest.raises(ValueError):
        EIGHT_TO_EIGHT.add(at(2026, 9, 1), -1)
    never = BusinessHours("UTC", 0, H, lambda _d: False)
    with pytest.raises(ValueError, match="no business day"):
        never.add(at(2026, 9, 1), 60)
    assert EIGHT_TO_EIGHT.add(at(2026, 9, 1, 3), 0) == at(2026, 9, 1, 3)


# -- properties ----------------------------------------------------------------------------

START = at(2026, 1, 1)
instants = st.floats(min_value=START, max_value=START + 40 * 86_400, allow_nan=False)
clocks = st.sampled_from(
    [
        EIGHT_TO_EIGHT,
        OFFICE,
        BusinessHours("Asia/Shanghai", 0, 24 * H),
        BusinessHours("Europe/Berlin", 7.5 * H, 22 * H, weekdays),
        BusinessHours("America/New_York", 0, 1.5 * H),
    ]
)


@settings(max_examples=200, deadline=None)
@given(clocks, instants, instants, instants)
def test_elapsed_is_additive_and_bounded(clock, a, b, c):
    a, b, c = sorted((a, b, c))
    ab, bc, ac = clock.elapsed(a, b), clock.elapsed(b, c), clock.elapsed(a, c)
    assert ab >= 0 and bc >= 0
    assert ab + bc == pytest.approx(ac, abs=1e-6)
    assert ac <= c - a + 1e-6
    assert clock.elapsed(c, a) == 0  # backwards: nothing elapses


@settings(max_examples=200, deadline=None)
@given(clocks, instants, st.floats(min_value=0, max_value=30 * 3600, allow_nan=False))
def test_add_is_the_inverse_of_elapsed(clock, t0, seconds):
    due = clock.add(t0, seconds)
    assert due >= t0
    assert clock.elapsed(t0, due) == pytest.approx(seconds, abs=1e-5)
    if seconds > 0:  # due is the first such instant: a moment earlier is not enough
        assert clock.elapsed(t0, due - 1.0) < seconds
