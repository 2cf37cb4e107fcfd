"""Arrival generation (acd/arrivals.py): the rate model, the parser and the sampler.

Statistical checks use fixed seeds, so they are deterministic; each bound is chosen so
that a correct implementation would fail it for at most about 1 seed in 10,000
(family-wise), while the effect being guarded against is many times larger.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from acd.arrivals import (
    INTRADAY_PROFILES,
    SLOT_SECONDS,
    SLOTS_PER_DAY,
    ArrivalSpec,
    HolidayEffect,
    day_start_epoch,
    expected_daily_volume,
    generate_arrivals,
    holiday_multiplier,
    parse_arrival_spec,
    slot_rates,
)
from acd.calendar import DayInfo, china_calendar
from acd.errors import ScenarioError

TZ = "Asia/Shanghai"
WHERE = "call_types.booking"
WEEKLY = (1.10, 1.00, 0.95, 0.95, 1.00, 0.75, 0.65)  # Monday-Friday mean is 1.0


@cache
def _calendar(start: date, end: date) -> tuple[DayInfo, ...]:
    return tuple(china_calendar(start, end))


def _day(d: date) -> DayInfo:
    (info,) = _calendar(d, d)
    return info


def _spec(**changes: object) -> ArrivalSpec:
    base: dict[str, object] = {
        "daily_volume": 2000.0,
        "weekly": WEEKLY,
        "trend_per_week": 0.0,
        "dispersion_cv": 0.0,
        "intraday": INTRADAY_PROFILES["airline_inbound"],
        "holiday": HolidayEffect(
            pre_days=3, pre_peak=1.6, on_holiday=0.5, makeup_day=0.9, post_days=2, post_peak=1.3
        ),
    }
    base.update(changes)
    return ArrivalSpec(**base)  # type: ignore[arg-type]


def _slot_of(times: np.ndarray, days: list[DayInfo]) -> tuple[np.ndarray, np.ndarray]:
    """(day index, slot index) of each arrival, for a zone without DST."""
    starts = np.array([day_start_epoch(d.date, TZ) for d in days])
    day_idx = np.searchsorted(starts, times, side="right") - 1
    slot_idx = np.floor((times - starts[day_idx]) / SLOT_SECONDS).astype(int)
    return day_idx, slot_idx


# ----------------------------------------------------------------------------- profiles


def test_builtin_profiles() -> None:
    assert set(INTRADAY_PROFILES) >= {"airline_inbound", "flat"}
    assert INTRADAY_PROFILES["flat"] == (1.0,) * SLOTS_PER_DAY
    p = np.array(INTRADAY_PROFILES["airline_inbound"])
    assert p.shape == (SLOTS_PER_DAY,) and np.all(p > 0)
    slot = {f"{h:02d}:{m:02d}": 2 * h + m // 30 for h in range(24) for m in (0, 30)}
    morning = p[slot["10:00"] : slot["11:30"] + 1]
    afternoon = p[slot["14:30"] : slot["16:00"] + 1]
    lunch = p[slot["12:00"] : slot["13:30"] + 1]
    assert p.argmax() in range(slot["10:00"], slot["11:30"] + 1)
    assert lunch.min() < 0.8 * min(morning.max(), afternoon.max())
    assert afternoon.max() > lunch.max()
    assert p[: slot["06:00"]].max() < 0.15 * p.max()  # quiet night
    assert p[slot["20:00"]] > p[slot["03:00"]]  # evening tail


# ------------------------------------------------------------------------------ parsing


def _table(**changes: object) -> dict[str, object]:
    table: dict[str, object] = {
        "daily_volume": 1500,
        "weekly": list(WEEKLY),
        "trend_per_week": 0.004,
        "dispersion_cv": 0.08,
        "intraday": "airline_inbound",
        "holiday": {
            "pre_days": 3,
            "pre_peak": 1.5,
            "on_holiday": 0.6,
            "makeup_day": 0.9,
            "post_days": 2,
            "post_peak": 1.2,
        },
    }
    table.update(changes)
    return {k: v for k, v in table.items() if v is not None}


def test_parse_full_table() -> None:
    spec = parse_arrival_spec(_table(), WHERE)
    assert spec.daily_volume == 1500.0
    assert spec.weekly == WEEKLY
    assert spec.trend_per_week == 0.004 and spec.dispersion_cv == 0.08
    assert spec.intraday == INTRADAY_PROFILES["airline_inbound"]
    assert spec.holiday == HolidayEffect(3, 1.5, 0.6, 0.9, 2, 1.2)


def test_parse_minimal_table_and_explicit_intraday() -> None:
    weights = [0] * 20 + [1, 2, 3] + [0] * 25
    spec = parse_arrival_spec({"daily_volume": 10.5, "weekly": [1] * 7, "intraday": weights}, WHERE)
    assert spec.intraday == tuple(float(w) for w in weights)
    assert spec.trend_per_week == 0.0 and spec.dispersion_cv == 0.0
    assert spec.holiday == HolidayEffect()  # no holiday effect
    partial = parse_arrival_spec(_table(holiday={"on_holiday": 0.4}), WHERE)
    assert partial.holiday == HolidayEffect(on_holiday=0.4)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekly": [1.0] * 6}, f"{WHERE}.weekly: expected 7 numbers, got 6"),
        ({"weekly": "busy"}, f"{WHERE}.weekly: expected 7 numbers, got str"),
        ({"weekly": [1, 1, 1, -1, 1, 1, 1]}, f"{WHERE}.weekly[3]: must be at least 0"),
        ({"weekly": [0, 0, 0, 0, 0, 1, 1]}, f"{WHERE}.weekly: the Monday-Friday weights"),
        ({"daily_volume": -5}, f"{WHERE}.daily_volume: must be at least 0"),
        ({"daily_volume": "lots"}, f"{WHERE}.daily_volume: expected a number"),
        ({"daily_volume": True}, f"{WHERE}.daily_volume: expected a number"),
        ({"daily_volume": math.inf}, f"{WHERE}.daily_volume: expected a finite number"),
        ({"dispersion_cv": math.nan}, f"{WHERE}.dispersion_cv: expected a finite number"),
        ({"dispersion_cv": -0.1}, f"{WHERE}.dispersion_cv: must be at least 0"),
        ({"trend_per_week": -1}, f"{WHERE}.trend_per_week: must be greater than -1"),
        ({"intraday": [1] * 47}, f"{WHERE}.intraday: expected 48 numbers, got 47"),
        ({"intraday": [0] * 48}, f"{WHERE}.intraday: at least one weight must be positive"),
        ({"intraday": [1] * 10 + ["x"] + [1] * 37}, f"{WHERE}.intraday[10]: expected a number"),
        ({"intraday": "weekend_only"}, f"{WHERE}.intraday: unknown profile 'weekend_only'"),
        ({"holiday": {"pre_days": 1.5}}, f"{WHERE}.holiday.pre_days: expected a whole number"),
        ({"holiday": {"pre_days": 30}}, f"{WHERE}.holiday.pre_days: must be between 0 and 21"),
        ({"holiday": {"post_days": 15}}, f"{WHERE}.holiday.post_days: must be between 0 and 14"),
        ({"holiday": {"on_holiday": -0.5}}, f"{WHERE}.holiday.on_holiday: must be at least 0"),
        ({"holiday": [1, 2]}, f"{WHERE}.holiday: expected a table, got list"),
        ({"holiday": {"pre_peek": 1.2}}, f"{WHERE}.holiday: unknown key 'pre_peek'"),
        ({"daily_volumes": 3, "colour": "red"}, f"{WHERE}: unknown keys 'daily_volumes', 'colour'"),
        ({"daily_volume": None}, f"{WHERE}: missing required key(s): daily_volume"),
    ],
)
def test_parse_errors_name_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_arrival_spec(_table(**changes), WHERE)
    assert str(info.value).startswith(message), str(info.value)
    assert isinstance(info.value, ValueError)


def test_parse_rejects_non_table() -> None:
    with pytest.raises(ScenarioError, match=r"^call_types\.booking: expected a table, got list"):
        parse_arrival_spec([1, 2], WHERE)  # type: ignore[arg-type]


def test_spec_built_in_code_is_checked() -> None:
    with pytest.raises(ValueError, match="weekly: expected 7 numbers, got 5"):
        _spec(weekly=(1.0,) * 5)
    with pytest.raises(ValueError, match="intraday: expected 48 numbers"):
        _spec(intraday=(1.0,) * 24)
    with pytest.raises(ValueError, match="daily_volume: must be finite"):
        _spec(daily_volume=-1.0)
    with pytest.raises(ValueError, match=r"holiday\.pre_days: expected a whole number 0\.\.21"):
        HolidayEffect(pre_days=22)
    with pytest.raises(ValueError, match=r"holiday\.on_holiday: must be finite"):
        HolidayEffect(on_holiday=-0.1)
    assert _spec(weekly=[1, 1, 1, 1, 1, 1, 1]).weekly == (1.0,) * 7  # lists become tuples


# ------------------------------------------------------------------------- daily volume


def test_weekly_pattern() -> None:
    spec = _spec()
    mon, wed, sat, sun = (_day(date(2026, 3, d)) for d in (16, 18, 21, 22))
    assert (mon.weekday, wed.weekday, sat.weekday, sun.weekday) == (0, 2, 5, 6)
    for info in (mon, wed, sat, sun):
        assert not info.is_holiday and not info.is_makeup_workday
        assert holiday_multiplier(spec.holiday, info) == 1.0
    assert expected_daily_volume(spec, mon, 0) == pytest.approx(2000 * 1.10)
    assert expected_daily_volume(spec, wed, 0) == pytest.approx(2000 * 0.95)
    assert expected_daily_volume(spec, sat, 0) == pytest.approx(2000 * 0.75)
    assert expected_daily_volume(spec, sun, 0) == pytest.approx(2000 * 0.65)


def test_weekly_is_relative_to_the_weekday_mean() -> None:
    scaled = _spec(weekly=tuple(10 * w for w in WEEKLY))
    wed = _day(date(2026, 3, 11))
    assert expected_daily_volume(scaled, wed, 0) == pytest.approx(
        expected_daily_volume(_spec(), wed, 0)
    )


def test_trend_compounds_per_week() -> None:
    spec = _spec(trend_per_week=0.01)
    wed = _day(date(2026, 3, 11))
    base = expected_daily_volume(spec, wed, 0)
    assert expected_daily_volume(spec, wed, 7) == pytest.approx(base * 1.01)
    assert expected_daily_volume(spec, wed, 52 * 7) == pytest.approx(base * 1.01**52)


def test_holiday_multipliers() -> None:
    spec = _spec()
    normal_wed = _day(date(2026, 9, 16))  # 9 days before Mid-Autumn
    pre_wed = _day(date(2026, 9, 30))  # the day before golden week
    holiday_wed = _day(date(2026, 10, 7))  # last day of golden week
    post_thu, normal_thu = _day(date(2026, 10, 8)), _day(date(2026, 9, 17))
    normal = expected_daily_volume(spec, normal_wed, 0)
    assert expected_daily_volume(spec, pre_wed, 0) > normal
    assert expected_daily_volume(spec, pre_wed, 0) == pytest.approx(normal * 1.6)
    assert expected_daily_volume(spec, holiday_wed, 0) < normal
    assert expected_daily_volume(spec, holiday_wed, 0) == pytest.approx(normal * 0.5)
    assert expected_daily_volume(spec, post_thu, 0) == pytest.approx(
        expected_daily_volume(spec, normal_thu, 0) * 1.3
    )
    # linear ramp: 1.6 the day before, 1.4 two days before, 1.2 three days before
    eff = spec.holiday
    assert holiday_multiplier(eff, _day(date(2026, 9, 29))) == pytest.approx(1.4)
    # 28 Sep: 3 days before golden week (1.2) and 1 day after Mid-Autumn (1.3): larger wins
    assert holiday_multiplier(eff, _day(date(2026, 9, 28))) == pytest.approx(1.3)
    assert holiday_multiplier(eff, _day(date(2026, 9, 23))) == pytest.approx(1.4)  # 2 days before
    assert holiday_multiplier(eff, _day(date(2026, 9, 22))) == pytest.approx(1.2)  # 3 days before
    assert holiday_multiplier(eff, _day(date(2026, 9, 21))) == 1.0  # 4 days before
    assert holiday_multiplier(HolidayEffect(), pre_wed) == 1.0


def test_makeup_workday_uses_weekday_mean() -> None:
    spec = _spec()
    sunday = _day(date(2026, 9, 20))  # worked Sunday, 5 days before Mid-Autumn
    assert sunday.is_makeup_workday and sunday.days_to_next_holiday == 5
    assert expected_daily_volume(spec, sunday, 0) == pytest.approx(2000 * 1.0 * 0.9)
    saturday = _day(date(2026, 10, 10))  # worked Saturday, 3 days after golden week
    assert saturday.days_since_holiday_block == 3  # outside post_days=2
    assert expected_daily_volume(spec, saturday, 0) == pytest.approx(2000 * 0.9)


def test_slot_rates_follow_the_profile() -> None:
    spec = _spec()
    day = _day(date(2026, 3, 11))
    rates = slot_rates(spec, day, 10)
    assert rates.shape == (SLOTS_PER_DAY,)
    assert rates.sum() == pytest.approx(expected_daily_volume(spec, day, 10))
    profile = np.array(INTRADAY_PROFILES["airline_inbound"])
    np.testing.assert_allclose(rates / rates.sum(), profile / profile.sum())


# a weight: 0 or at least 1e-3 (a spec whose weights are 1e300 apart is rejected)
_weight = st.one_of(st.just(0.0), st.floats(1e-3, 10))


@settings(max_examples=200, deadline=None)
@given(
    daily_volume=st.floats(0, 1e6),
    weekly=st.lists(_weight, min_size=7, max_size=7),
    trend=st.floats(0, 0.05),
    cv=st.floats(0, 2),
    intraday=st.lists(st.one_of(_weight, st.floats(0, 100)), min_size=48, max_size=48),
    pre=st.tuples(st.integers(0, 21), st.floats(0, 5)),
    post=st.tuples(st.integers(0, 14), st.floats(0, 5)),
    on_holiday=st.floats(0, 5),
    makeup=st.floats(0, 5),
    day_offset=st.integers(0, 3 * 365 - 1),
    day_index=st.integers(0, 5 * 365),
)
def test_rates_non_negative_and_sum_to_daily_volume(
    daily_volume: float,
    weekly: list[float],
    trend: float,
    cv: float,
    intraday: list[float],
    pre: tuple[int, float],
    post: tuple[int, float],
    on_holiday: float,
    makeup: float,
    day_offset: int,
    day_index: int,
) -> None:
    assume(sum(weekly[:5]) > 0 and sum(intraday) > 0)
    spec = ArrivalSpec(
        daily_volume=daily_volume,
        weekly=tuple(weekly),
        trend_per_week=trend,
        dispersion_cv=cv,
        intraday=tuple(intraday),
        holiday=HolidayEffect(pre[0], pre[1], on_holiday, makeup, post[0], post[1]),
    )
    day = _calendar(date(2025, 1, 1), date(2027, 12, 31))[day_offset]
    rates = slot_rates(spec, day, day_index)
    expected = expected_daily_volume(spec, day, day_index)
    assert rates.shape == (SLOTS_PER_DAY,)
    assert np.all(rates >= 0) and expected >= 0
    assert rates.sum() == pytest.approx(expected, rel=1e-9, abs=1e-9)


# ----------------------------------------------------------------------------- sampling


def test_arrivals_sorted_inside_their_slots_and_deterministic() -> None:
    days = list(_calendar(date(2026, 9, 14), date(2026, 10, 14)))
    weights = [0.0] * SLOTS_PER_DAY
    weights[20], weights[33] = 1.0, 3.0  # only 10:00-10:30 and 16:30-17:00
    spec = _spec(intraday=tuple(weights), dispersion_cv=0.1)
    times = generate_arrivals(spec, days, TZ, np.random.default_rng(7))
    assert times.dtype == np.float64 and times.size > 1000
    assert np.all(np.diff(times) >= 0)
    day_idx, slot_idx = _slot_of(times, days)
    assert np.all(day_idx >= 0) and set(np.unique(slot_idx)) == {20, 33}
    zone = ZoneInfo(TZ)
    for t in times[:: max(1, times.size // 200)]:
        local = datetime.fromtimestamp(float(t), zone)
        assert (local.hour, local.minute // 30) in {(10, 0), (16, 1)}
    again = generate_arrivals(spec, days, TZ, np.random.default_rng(7))
    np.testing.assert_array_equal(times, again)
    other = generate_arrivals(spec, days, TZ, np.random.default_rng(8))
    assert other.size != times.size or not np.array_equal(other, times)


def test_day_start_epoch() -> None:
    assert (
        day_start_epoch(date(2026, 10, 1), TZ) == datetime(2026, 9, 30, 16, tzinfo=UTC).timestamp()
    )
    ny = "America/New_York"
    assert day_start_epoch(date(2026, 3, 8), ny) == datetime(2026, 3, 8, 5, tzinfo=UTC).timestamp()
    assert day_start_epoch(date(2026, 3, 9), ny) == datetime(2026, 3, 9, 4, tzinfo=UTC).timestamp()
    # Chile skips 00:00-01:00 on 6 Sep 2026: that day starts at the transition (01:00 -03).
    santiago = day_start_epoch(date(2026, 9, 6), "America/Santiago")
    assert santiago == datetime(2026, 9, 6, 4, tzinfo=UTC).timestamp()
    assert datetime.fromtimestamp(santiago, ZoneInfo("America/Santiago")).hour == 1


@pytest.mark.slow
def test_mean_count_per_slot_matches_slot_rates() -> None:
    """Chi-square goodness of fit of the per-slot totals over 240 days.

    With dispersion 0 the count of (day, slot) is Poisson(slot_rates) and independent,
    so the total O_k of slot k over all days is Poisson(E_k), E_k = sum of the day rates.
    sum_k (O_k - E_k)^2 / E_k is then chi-square with 48 degrees of freedom (E_k are
    known, not fitted; every E_k > 100 so the normal approximation is good).  Bound:
    its 0.9999 quantile (~ 93).  A 5% error in a single slot's rate would add ~ (0.05 E_k)^2
    / E_k = 0.0025 E_k > 150 for the busy slots here, far above the bound.
    """
    days = list(_calendar(date(2026, 1, 5), date(2026, 8, 31)))
    spec = _spec(trend_per_week=0.003)
    times = generate_arrivals(spec, days, TZ, np.random.default_rng(20260101))
    day_idx, slot_idx = _slot_of(times, days)
    observed = np.bincount(slot_idx, minlength=SLOTS_PER_DAY)
    expected = sum(slot_rates(spec, d, i) for i, d in enumerate(days))
    assert expected.min() > 100
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert chi2 < stats.chi2.ppf(0.9999, SLOTS_PER_DAY), chi2
    # per day: each day's total is Poisson(expected_daily_volume); |z| < 4.5 for all
    # 239 days (Bonferroni: 239 * P(|Z| > 4.5) ~ 2e-3 at worst, the bound is loose on purpose)
    per_day = np.bincount(day_idx, minlength=len(days))
    mu = np.array([expected_daily_volume(spec, d, i) for i, d in enumerate(days)])
    assert np.max(np.abs(per_day - mu) / np.sqrt(mu)) < 4.5


def test_times_uniform_within_slots() -> None:
    """Position of each call inside its half hour, over ~60k calls: Kolmogorov-Smirnov
    against U(0, 1), p > 1e-4 (the statistic's 1e-4 critical value is ~ 0.008 here; a
    sampler that, say, piled calls at slot starts would be far beyond it)."""
    days = list(_calendar(date(2026, 3, 2), date(2026, 3, 31)))
    times = generate_arrivals(_spec(), days, TZ, np.random.default_rng(4))
    day_idx, _ = _slot_of(times, days)
    starts = np.array([day_start_epoch(d.date, TZ) for d in days])
    position = ((times - starts[day_idx]) / SLOT_SECONDS) % 1.0
    assert times.size > 50_000
    assert stats.kstest(position, "uniform").pvalue > 1e-4


@pytest.mark.slow
def test_mean_per_slot_still_unbiased_with_dispersion() -> None:
    """Day multipliers have mean 1, so slot totals stay unbiased; their variance is
    E_k + cv^2 sum_d r_dk^2 (Poisson plus the gamma part).  z-test per slot, |z| < 4.5
    (48 slots: family-wise false alarm < 3e-4)."""
    days = list(_calendar(date(2026, 1, 5), date(2026, 8, 31)))
    cv = 0.15
    spec = _spec(dispersion_cv=cv)
    times = generate_arrivals(spec, days, TZ, np.random.default_rng(99))
    _, slot_idx = _slot_of(times, days)
    observed = np.bincount(slot_idx, minlength=SLOTS_PER_DAY)
    rates = np.array([slot_rates(spec, d, i) for i, d in enumerate(days)])
    expected = rates.sum(axis=0)
    sd = np.sqrt(expected + cv**2 * (rates**2).sum(axis=0))
    assert np.max(np.abs(observed - expected) / sd) < 4.5


def _flat_days(n: int) -> list[DayInfo]:
    return list(_calendar(date(2024, 1, 1), date(2024, 1, 1) + timedelta(days=n - 1)))


def _daily_totals(spec: ArrivalSpec, days: list[DayInfo], seed: int) -> np.ndarray:
    times = generate_arrivals(spec, days, TZ, np.random.default_rng(seed))
    day_idx, _ = _slot_of(times, days)
    return np.bincount(day_idx, minlength=len(days))


@pytest.mark.slow
def test_index_of_dispersion() -> None:
    """Daily totals for 1000 identical days (no weekly, trend or holiday effects).

    Pure Poisson: the index of dispersion D = sum (X - mean)^2 / mean is chi-square with
    n - 1 = 999 d.o.f.; require it inside the central 99.98% interval (~ [845, 1165]),
    i.e. variance/mean within about 0.85..1.17.  With cv = 0.2 and mean 200 the
    variance is 200 + (0.2 * 200)^2 = 1800, nine times the mean: D must exceed the upper
    bound, and the sample variance must be within 20% of 1800 (its relative standard
    error is ~ sqrt(2 / 999 + 6 cv^2 / 1000) ~ 0.05, so 20% is 4 standard errors).
    """
    days = _flat_days(1000)
    neutral = {"weekly": (1.0,) * 7, "holiday": HolidayEffect(), "daily_volume": 200.0}
    n = len(days)
    lo, hi = stats.chi2.ppf([0.0001, 0.9999], n - 1)

    poisson = _daily_totals(_spec(**neutral), days, seed=11)
    d_poisson = float(((poisson - poisson.mean()) ** 2).sum() / poisson.mean())
    assert lo < d_poisson < hi, d_poisson
    assert abs(poisson.mean() - 200) < 4.5 * math.sqrt(200 / n)

    cv = 0.2
    over = _daily_totals(_spec(dispersion_cv=cv, **neutral), days, seed=12)
    d_over = float(((over - over.mean()) ** 2).sum() / over.mean())
    assert d_over > hi
    assert over.var(ddof=1) > over.mean()
    assert over.var(ddof=1) == pytest.approx(200 + (cv * 200) ** 2, rel=0.2)


def test_common_day_factors() -> None:
    days = _flat_days(10)
    spec = _spec(daily_volume=500.0, weekly=(1.0,) * 7, holiday=HolidayEffect())
    factors = np.array([1, 0, 1, 0, 1, 0, 1, 0, 2, 0], dtype=float)
    totals = _daily_totals_with(spec, days, factors)
    assert np.all(totals[1::2] == 0)
    assert np.all(totals[0:8:2] > 0)
    assert totals[8] > totals[0:8:2].max()  # a factor of 2 doubles the mean (1000 vs 500)
    with pytest.raises(ValueError, match="common_day_factors"):
        generate_arrivals(spec, days, TZ, np.random.default_rng(0), np.ones(3))
    with pytest.raises(ValueError, match="common_day_factors"):
        generate_arrivals(spec, days, TZ, np.random.default_rng(0), -np.ones(10))


def _daily_totals_with(spec: ArrivalSpec, days: list[DayInfo], factors: np.ndarray) -> np.ndarray:
    times = generate_arrivals(spec, days, TZ, np.random.default_rng(3), factors)
    day_idx, _ = _slot_of(times, days)
    return np.bincount(day_idx, minlength=len(days))


def test_holiday_volume_in_generated_arrivals() -> None:
    days = list(_calendar(date(2026, 9, 14), date(2026, 10, 14)))
    spec = _spec(daily_volume=3000.0, weekly=(1.0,) * 7)
    totals = dict(zip([d.date for d in days], _daily_totals(spec, days, seed=5), strict=True))
    # mean 4800 vs 3000 vs 1500: 20+ standard deviations apart
    assert totals[date(2026, 9, 30)] > totals[date(2026, 9, 16)] > totals[date(2026, 10, 4)]


def test_days_must_increase_and_empty_input() -> None:
    days = list(_calendar(date(2026, 3, 1), date(2026, 3, 3)))
    with pytest.raises(ValueError, match="increasing date order"):
        generate_arrivals(_spec(), [days[1], days[0]], TZ, np.random.default_rng(0))
    assert generate_arrivals(_spec(), [], TZ, np.random.default_rng(0)).size == 0
    zero = generate_arrivals(_spec(daily_volume=0.0), days, TZ, np.random.default_rng(0))
    assert zero.size == 0 and zero.dtype == np.float64
    gapped = generate_arrivals(_spec(), [days[0], days[2]], TZ, np.random.default_rng(0))
    assert np.all(np.diff(gapped) >= 0)


@pytest.mark.slow
def test_dst_days_have_46_and_50_half_hours() -> None:
    """New York, flat profile: the spring-forward day has 46 real half hours (02:00-03:00
    does not exist), the fall-back day 50 (01:00-02:00 happens twice and gets the slot
    rate both times).  Over 200 replicates of 480 calls a day the totals are Poisson
    with means 200 * 480 * 46/48 and * 50/48; |z| < 4.5 each, while the difference from
    the 48-slot mean is ~ 28 standard deviations."""
    tz = "America/New_York"
    spring, fall = _day(date(2026, 3, 8)), _day(date(2026, 11, 1))
    spec = _spec(daily_volume=480.0, weekly=(1.0,) * 7, intraday=INTRADAY_PROFILES["flat"])
    rng = np.random.default_rng(2026)
    reps = 200
    n_spring = sum(generate_arrivals(spec, [spring], tz, rng).size for _ in range(reps))
    fall_times = np.concatenate([generate_arrivals(spec, [fall], tz, rng) for _ in range(reps)])
    for observed, mean in ((n_spring, reps * 460.0), (fall_times.size, reps * 500.0)):
        assert abs(observed - mean) / math.sqrt(mean) < 4.5, (observed, mean)

    zone = ZoneInfo(tz)
    start, end = day_start_epoch(fall.date, tz), day_start_epoch(date(2026, 11, 2), tz)
    assert end - start == 25 * 3600
    assert np.all((fall_times >= start) & (fall_times < end))
    hours = np.array([datetime.fromtimestamp(float(t), zone).hour for t in fall_times[::7]])
    per_hour = np.bincount(hours, minlength=24)
    assert per_hour[1] > 1.6 * np.median(per_hour)  # the repeated hour has twice the calls

    spring_times = generate_arrivals(spec, [spring], tz, np.random.default_rng(1))
    local_hours = {datetime.fromtimestamp(float(t), zone).hour for t in spring_times}
    assert 2 not in local_hours
