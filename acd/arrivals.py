"""Call arrivals for one call type.

The model is a non-homogeneous Poisson process whose rate is constant within each
30-minute slot of local wall-clock time, modulated by one random multiplier per day:

    calls in slot k of day d ~ Poisson(slot_rates(spec, d)[k] * M_d)
    M_d = G_d * C_d,  G_d ~ Gamma(mean 1, coefficient of variation dispersion_cv)

``C_d`` is an optional factor shared by several call types (a common "busy day"), so
their days move together.  With ``dispersion_cv = 0`` the daily totals are Poisson
(variance = mean); otherwise they are over-dispersed (variance = mu + (mu * cv)^2 for a
day with expected volume mu), as real contact-center days are.

Expected volume of a day (``expected_daily_volume``)::

    daily_volume * weekday_factor * (1 + trend_per_week) ** (day_index / 7) * holiday

``weekly`` is relative: it is divided by the mean of its Monday-Friday entries, so
``daily_volume`` is exactly the expected volume of an average Monday-Friday at the start
date whatever scale the weights are written in.  A make-up working day (a worked
weekend, see ``acd.calendar``) uses the Monday-Friday mean (1 after that scaling) times
``holiday.makeup_day`` instead of its own weekday's weight.  The trend compounds per
week, continuously (day 7 is exactly one week of growth).  ``holiday`` is
``holiday_multiplier``: ``on_holiday`` on the days of a holiday block, otherwise the
pre-holiday ramp / post-holiday decay (the larger effect when a day is in both windows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from acd.calendar import LOOKAHEAD_DAYS, LOOKBACK_DAYS, DayInfo
from acd.errors import ScenarioError

__all__ = [
    "INTRADAY_PROFILES",
    "SLOTS_PER_DAY",
    "SLOT_SECONDS",
    "ArrivalSpec",
    "HolidayEffect",
    "day_start_epoch",
    "expected_daily_volume",
    "generate_arrivals",
    "holiday_multiplier",
    "parse_arrival_spec",
    "slot_rates",
]

SLOT_SECONDS = 1800
SLOTS_PER_DAY = 48

# Relative call weights per half hour from 00:00 local time for an airline-ticketing
# inbound line: quiet night, ramp from 06:00, peak 10:00-11:30, lunch dip 12:00-13:30,
# second peak 14:30-16:30, long evening tail (bookings made after work).
_AIRLINE_INBOUND = (
    # 00:00 .. 05:30
    0.60, 0.45, 0.35, 0.30, 0.25, 0.22, 0.20, 0.20, 0.20, 0.22, 0.30, 0.40,
    # 06:00 .. 11:30
    0.60, 0.90, 1.40, 2.00, 2.80, 3.60, 4.30, 4.80, 5.20, 5.40, 5.30, 5.20,
    # 12:00 .. 17:30
    4.20, 3.60, 3.70, 4.10, 4.50, 5.00, 5.10, 5.10, 5.00, 4.40, 3.90, 3.40,
    # 18:00 .. 23:30
    3.00, 2.80, 2.70, 2.60, 2.50, 2.30, 2.00, 1.60, 1.30, 1.00, 0.80, 0.70,
)  # fmt: skip

# Relative arrival weights of written contacts (e-mail, SMS, web callback requests): a
# flatter day than calls, with a long evening peak and a night that never goes quiet.
_AIRLINE_DIGITAL = (
    # 00:00 .. 05:30
    0.90, 0.70, 0.50, 0.40, 0.35, 0.30, 0.30, 0.30, 0.30, 0.35, 0.45, 0.60,
    # 06:00 .. 11:30
    0.90, 1.20, 1.60, 2.10, 2.60, 3.00, 3.30, 3.50, 3.60, 3.60, 3.50, 3.40,
    # 12:00 .. 17:30
    3.20, 3.10, 3.20, 3.30, 3.40, 3.40, 3.30, 3.20, 3.10, 3.00, 3.00, 3.10,
    # 18:00 .. 23:30
    3.20, 3.40, 3.60, 3.70, 3.70, 3.60, 3.40, 3.10, 2.70, 2.20, 1.70, 1.20,
)  # fmt: skip

INTRADAY_PROFILES: dict[str, tuple[float, ...]] = {
    "airline_inbound": _AIRLINE_INBOUND,
    "airline_digital": _AIRLINE_DIGITAL,
    "flat": (1.0,) * SLOTS_PER_DAY,
}
"""Built-in intraday profiles, usable by name as ``intraday = "<name>"`` in a scenario."""

assert all(len(p) == SLOTS_PER_DAY for p in INTRADAY_PROFILES.values())


@dataclass(frozen=True)
class HolidayEffect:
    """How holidays move a call type's daily volume (1.0 = no effect).

    ``pre_days`` days before a block are raised: the day just before the block by
    ``pre_peak``, the one ``pre_days`` before by ``1 + (pre_peak - 1) / pre_days``,
    linearly in between (1.0 again ``pre_days + 1`` days before).  ``post_days`` days
    after a block mirror it with ``post_peak`` on the first (working) day after.
    ``on_holiday`` applies to every day of a block, ``makeup_day`` to a make-up working
    day relative to an average Monday-Friday.  0 days disables a ramp.
    """

    pre_days: int = 0
    pre_peak: float = 1.0
    on_holiday: float = 1.0
    makeup_day: float = 1.0
    post_days: int = 0
    post_peak: float = 1.0

    def __post_init__(self) -> None:
        for name, limit in (("pre_days", LOOKAHEAD_DAYS), ("post_days", LOOKBACK_DAYS)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
                raise ValueError(
                    f"holiday.{name}: expected a whole number 0..{limit}, got {value!r}"
                )
        for name in ("pre_peak", "on_holiday", "makeup_day", "post_peak"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"holiday.{name}: must be finite and >= 0, got {value!r}")


@dataclass(frozen=True)
class ArrivalSpec:
    """Arrival model of one call type (see the module docstring for the formula)."""

    daily_volume: float
    weekly: tuple[float, ...]
    trend_per_week: float
    dispersion_cv: float
    intraday: tuple[float, ...]
    holiday: HolidayEffect = HolidayEffect()

    def __post_init__(self) -> None:
        # Stored as float tuples whatever sequence was passed (the spec is hashable).
        object.__setattr__(self, "weekly", tuple(float(x) for x in self.weekly))
        object.__setattr__(self, "intraday", tuple(float(x) for x in self.intraday))
        # Checks for specs built in code; parse_arrival_spec checks each entry with its
        # scenario path first and prefixes these messages with the table's path.
        if len(self.weekly) != 7:
            raise ValueError(f"weekly: expected 7 numbers, got {len(self.weekly)}")
        if len(self.intraday) != SLOTS_PER_DAY:
            raise ValueError(
                f"intraday: expected {SLOTS_PER_DAY} numbers, got {len(self.intraday)}"
            )
        for name in ("weekly", "intraday"):
            if not all(math.isfinite(x) and x >= 0 for x in getattr(self, name)):
                raise ValueError(f"{name}: weights must be finite and non-negative")
        if not sum(self.weekly[:5]) > 0:
            raise ValueError("weekly: the Monday-Friday weights must not all be zero")
        if not all(math.isfinite(f) for f in _weekday_factors(self.weekly)):
            raise ValueError("weekly: weights too far apart to scale by the Monday-Friday mean")
        if not sum(self.intraday) > 0:
            raise ValueError("intraday: at least one weight must be positive")
        if not math.isfinite(sum(self.intraday)):
            raise ValueError("intraday: the weights' sum overflows; scale them down")
        if not (math.isfinite(self.daily_volume) and self.daily_volume >= 0):
            raise ValueError(f"daily_volume: must be finite and >= 0, got {self.daily_volume}")
        if not (math.isfinite(self.dispersion_cv) and self.dispersion_cv >= 0):
            raise ValueError(f"dispersion_cv: must be finite and >= 0, got {self.dispersion_cv}")
        if not (math.isfinite(self.trend_per_week) and self.trend_per_week > -1):
            raise ValueError(f"trend_per_week: must be finite and > -1, got {self.trend_per_week}")


# ---------------------------------------------------------------------------- parsing

_SPEC_KEYS = ("daily_volume", "weekly", "trend_per_week", "dispersion_cv", "intraday", "holiday")
_REQUIRED_KEYS = ("daily_volume", "weekly", "intraday")
_HOLIDAY_KEYS = ("pre_days", "pre_peak", "on_holiday", "makeup_day", "post_days", "post_peak")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_keys(table: Any, allowed: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: expected a table, got {type(table).__name__}")
    unknown = [k for k in table if k not in allowed]
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        word = "key" if len(unknown) == 1 else "keys"
        raise ScenarioError(
            f"{where}: unknown {word} {names} (expected one of: {', '.join(allowed)})"
        )
    return table


def _number(value: Any, where: str, *, minimum: float | None = 0.0, strict: bool = False) -> float:
    """A finite number >= minimum (> minimum when strict)."""
    if not _is_number(value):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ScenarioError(f"{where}: expected a finite number, got {value!r}")
    if minimum is not None and (x <= minimum if strict else x < minimum):
        bound = "greater than" if strict else "at least"
        raise ScenarioError(f"{where}: must be {bound} {minimum:g}, got {value!r}")
    return x


def _integer(value: Any, where: str, maximum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ScenarioError(f"{where}: expected a whole number of days, got {value!r}")
    if not 0 <= value <= maximum:
        raise ScenarioError(f"{where}: must be between 0 and {maximum}, got {value!r}")
    return value


def _weights(value: Any, n: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(f"{where}: expected {n} numbers, got {type(value).__name__}")
    if len(value) != n:
        raise ScenarioError(f"{where}: expected {n} numbers, got {len(value)}")
    return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))


def _parse_holiday(table: Any, where: str) -> HolidayEffect:
    table = _check_keys(table, _HOLIDAY_KEYS, where)
    defaults = HolidayEffect()

    def mult(key: str) -> float:
        return _number(table.get(key, getattr(defaults, key)), f"{where}.{key}")

    return HolidayEffect(
        pre_days=_integer(table.get("pre_days", 0), f"{where}.pre_days", LOOKAHEAD_DAYS),
        pre_peak=mult("pre_peak"),
        on_holiday=mult("on_holiday"),
        makeup_day=mult("makeup_day"),
        post_days=_integer(table.get("post_days", 0), f"{where}.post_days", LOOKBACK_DAYS),
        post_peak=mult("post_peak"),
    )


def parse_arrival_spec(table: dict, where: str) -> ArrivalSpec:
    """Build an ``ArrivalSpec`` from a scenario TOML table; ``where`` is its path.

    Keys: ``daily_volume`` (>= 0), ``weekly`` (7 numbers >= 0, Monday first, not all of
    Monday-Friday zero) and ``intraday`` (48 numbers >= 0 with one > 0, or the name of a
    built-in profile in ``INTRADAY_PROFILES``) are required; ``trend_per_week`` (> -1,
    default 0), ``dispersion_cv`` (>= 0, default 0) and the ``holiday`` sub-table
    (``pre_days`` 0..LOOKAHEAD_DAYS, ``post_days`` 0..LOOKBACK_DAYS, multipliers >= 0;
    each defaults to "no effect") are optional.  Any other key is an error.  Errors are
    ``ScenarioError`` naming the field, e.g. ``call_types.booking.weekly: expected 7
    numbers, got 6``.
    """
    table = _check_keys(table, _SPEC_KEYS, where)
    missing = [k for k in _REQUIRED_KEYS if k not in table]
    if missing:
        raise ScenarioError(f"{where}: missing required key(s): {', '.join(missing)}")

    daily_volume = _number(table["daily_volume"], f"{where}.daily_volume")
    weekly = _weights(table["weekly"], 7, f"{where}.weekly")

    raw = table["intraday"]
    if isinstance(raw, str):
        if raw not in INTRADAY_PROFILES:
            known = ", ".join(sorted(INTRADAY_PROFILES))
            raise ScenarioError(f"{where}.intraday: unknown profile {raw!r} (built-in: {known})")
        intraday = INTRADAY_PROFILES[raw]
    else:
        intraday = _weights(raw, SLOTS_PER_DAY, f"{where}.intraday")

    trend = _number(
        table.get("trend_per_week", 0.0), f"{where}.trend_per_week", minimum=-1.0, strict=True
    )
    cv = _number(table.get("dispersion_cv", 0.0), f"{where}.dispersion_cv")
    holiday = _parse_holiday(table.get("holiday", {}), f"{where}.holiday")
    try:
        return ArrivalSpec(
            daily_volume=daily_volume,
            weekly=weekly,
            trend_per_week=trend,
            dispersion_cv=cv,
            intraday=intraday,
            holiday=holiday,
        )
    except ValueError as exc:  # whole-field checks ("weekly: ..."): add the table's path
        raise ScenarioError(f"{where}.{exc}") from exc


# ------------------------------------------------------------------------- daily rates


@lru_cache(maxsize=256)
def _weekday_factors(weekly: tuple[float, ...]) -> tuple[float, ...]:
    """``weekly`` divided by its Monday-Friday mean (written to avoid underflow)."""
    weekday_sum = sum(weekly[:5])
    return tuple(5.0 * (w / weekday_sum) for w in weekly)


@lru_cache(maxsize=256)
def _intraday_shares(intraday: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(intraday, dtype=np.float64)
    shares = w / w.sum()
    shares.flags.writeable = False
    return shares


def _ramp(peak: float, days: int, distance: int | None) -> float:
    """``peak`` at distance 1, linear back to 1.0 at distance ``days + 1``."""
    if distance is None or days <= 0 or not 1 <= distance <= days:
        return 1.0
    return 1.0 + (peak - 1.0) * (days + 1 - distance) / days


def holiday_multiplier(effect: HolidayEffect, day: DayInfo) -> float:
    """The holiday part of a day's expected volume (``makeup_day`` not included).

    ``on_holiday`` inside a block; elsewhere the pre-holiday ramp and the post-holiday
    decay, and when a day is in both windows (two blocks a few days apart) the one
    further from 1.0 (they are not compounded).
    """
    if day.is_holiday:
        return effect.on_holiday
    pre = _ramp(effect.pre_peak, effect.pre_days, day.days_to_next_holiday)
    post = _ramp(effect.post_peak, effect.post_days, day.days_since_holiday_block)
    return pre if abs(pre - 1.0) >= abs(post - 1.0) else post


def expected_daily_volume(spec: ArrivalSpec, day: DayInfo, day_index_from_start: int) -> float:
    """Expected calls on ``day``, ``day_index_from_start`` days after the start date."""
    if day.is_makeup_workday:
        base = spec.holiday.makeup_day  # the Monday-Friday mean is 1 after scaling
    else:
        base = _weekday_factors(spec.weekly)[day.weekday]
    growth = (1.0 + spec.trend_per_week) ** (day_index_from_start / 7.0)
    return spec.daily_volume * base * growth * holiday_multiplier(spec.holiday, day)


def slot_rates(spec: ArrivalSpec, day: DayInfo, day_index: int) -> np.ndarray:
    """Expected calls in each of the 48 half-hour wall-clock slots of ``day``.

    Sums to ``expected_daily_volume``.  On a daylight-saving day the engine converts
    these to real time (see ``generate_arrivals``).
    """
    return expected_daily_volume(spec, day, day_index) * _intraday_shares(spec.intraday)


# --------------------------------------------------------------------------- local time


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


def _offset(t: int, zone: ZoneInfo) -> int:
    """UTC offset in seconds at epoch second ``t``."""
    off = datetime.fromtimestamp(t, zone).utcoffset()
    assert off is not None
    return int(off.total_seconds())


@lru_cache(maxsize=8192)
def _day_start(d: date, tz: str) -> int:
    zone = _zone(tz)
    naive = datetime(d.year, d.month, d.day)
    t = int(naive.replace(tzinfo=zone).timestamp())
    if datetime.fromtimestamp(t, zone).replace(tzinfo=None) == naive:
        return t  # midnight exists (its first occurrence when it happens twice)
    # Midnight falls in a spring-forward gap: the day starts at the first instant whose
    # local date is d (the transition).  Bisect on whole seconds.
    lo, hi = t - 86400, t + 86400
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).date() >= d:
            hi = mid
        else:
            lo = mid
    return hi


def day_start_epoch(d: date, tz: str) -> float:
    """Local midnight of ``d`` in ``tz`` as UTC epoch seconds.

    When midnight is repeated (clocks set back over it) this is its first occurrence;
    when it does not exist (clocks jump over it) it is the transition instant, the first
    moment of that local date.
    """
    return float(_day_start(d, tz))


@lru_cache(maxsize=8192)
def _day_layout(d: date, tz: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Real-time spans of the wall-clock slots of an irregular day, None for a normal one.

    A day is normal when it lasts 86400 s at one UTC offset: slot k is then
    [start + 1800 k, start + 1800 (k + 1)).  Otherwise the day is cut into pieces of
    constant offset and each piece into the wall-clock slots it covers.  Returns
    (slot index, UTC start, length in seconds) per span, in time order: a skipped wall
    time has no span, a repeated one has two.  Assumes at most one offset change inside
    a piece whose end offsets differ (no zone changes offset twice within a day and back).
    """
    zone = _zone(tz)
    start = _day_start(d, tz)
    end = _day_start(d + timedelta(days=1), tz)
    if end - start == 86400 and _offset(start, zone) == _offset(end - 1, zone):
        return None
    midnight_as_utc = int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())
    ks: list[int] = []
    starts: list[int] = []
    lengths: list[int] = []
    a = start
    while a < end:
        off = _offset(a, zone)
        if _offset(end - 1, zone) == off:
            b = end
        else:  # bisect for the first second with another offset
            lo, hi = a, end - 1
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(mid, zone) == off:
                    lo = mid
                else:
                    hi = mid
            b = hi
        wall_a = a + off - midnight_as_utc
        wall_b = b + off - midnight_as_utc
        for k in range(wall_a // SLOT_SECONDS, -(-wall_b // SLOT_SECONDS)):
            lo_w = max(wall_a, k * SLOT_SECONDS)
            hi_w = min(wall_b, (k + 1) * SLOT_SECONDS)
            if 0 <= k < SLOTS_PER_DAY and hi_w > lo_w:
                ks.append(k)
                starts.append(lo_w - off + midnight_as_utc)
                lengths.append(hi_w - lo_w)
        a = b
    return (
        np.asarray(ks, dtype=np.intp),
        np.asarray(starts, dtype=np.float64),
        np.asarray(lengths, dtype=np.float64),
    )


# --------------------------------------------------------------------------- generation


def _sorted_uniform_points(
    counts: np.ndarray, starts: np.ndarray, lengths: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``counts[i]`` uniform points in [starts[i], starts[i] + lengths[i]), sorted.

    Exponential spacings instead of a sort (O(n)): if E_1..E_{n+1} are i.i.d.
    exponential, (E_1 + ... + E_m) / (E_1 + ... + E_{n+1}), m = 1..n, are the order
    statistics of n uniforms on [0, 1).  Draws one exponential per point, then one
    closing exponential per span.
    """
    total = int(counts.sum())
    closing = rng.standard_exponential(counts.size)
    if total == 0:
        return np.empty(0, dtype=np.float64)
    partial = np.cumsum(rng.standard_exponential(total))  # running sums, all spans
    last = np.cumsum(counts) - 1  # index of each span's last point
    first = last + 1 - counts
    base = np.where(first > 0, partial[np.maximum(first - 1, 0)], 0.0)
    span_sum = np.where(counts > 0, partial[np.maximum(last, 0)] - base, 0.0) + closing
    times = partial
    times -= np.repeat(base, counts)
    times *= np.repeat(lengths / span_sum, counts)
    times += np.repeat(starts, counts)
    # Float rounding must not put a point on its span's end (the next span's start).
    np.minimum(times, np.repeat(np.nextafter(starts + lengths, -np.inf), counts), out=times)
    return times


def generate_arrivals(
    spec: ArrivalSpec,
    days: list[DayInfo],
    tz: str,
    rng: np.random.Generator,
    common_day_factors: np.ndarray | None = None,
) -> np.ndarray:
    """Arrival instants (float64 UTC epoch seconds, sorted ascending) over ``days``.

    ``days`` must be in strictly increasing date order (gaps allowed); the trend counts
    from ``days[0].date``.  Each day draws M = Gamma(mean 1, cv ``dispersion_cv``) (1 when
    the cv is 0) times ``common_day_factors[i]`` if given (one non-negative factor per
    day).  Slot k of a day then gets Poisson(slot_rates[k] * M) calls, uniform in the
    slot.  Slots are local wall-clock half hours of ``tz``: on a daylight-saving day a
    wall time that does not exist gets no calls, and a wall time that happens twice gets
    the slot's rate during both occurrences (so that slot's calls double), i.e. the rate
    is per real half hour at that wall-clock time; a slot cut by a transition at an odd
    minute gets its rate pro rata.  Random draws, in this order: the day multipliers
    (only when cv > 0), one Poisson per slot span, one exponential per span, one per
    call; the result is a pure function of the generator's state.
    """
    n_days = len(days)
    if n_days == 0:
        return np.empty(0, dtype=np.float64)
    for prev, cur in pairwise(days):
        if cur.date <= prev.date:
            raise ValueError(f"days must be in increasing date order: {cur.date} after {prev.date}")
    if common_day_factors is not None:
        factors = np.asarray(common_day_factors, dtype=np.float64)
        if factors.shape != (n_days,):
            raise ValueError(f"common_day_factors: expected shape ({n_days},), got {factors.shape}")
        if not np.all(np.isfinite(factors) & (factors >= 0)):
            raise ValueError("common_day_factors: must be finite and non-negative")
    else:
        factors = None

    first = days[0].date
    volumes = np.array(
        [expected_daily_volume(spec, d, (d.date - first).days) for d in days], dtype=np.float64
    )
    cv = spec.dispersion_cv
    if cv > 0:
        shape = 1.0 / (cv * cv)
        volumes = volumes * rng.gamma(shape, 1.0 / shape, size=n_days)
    if factors is not None:
        volumes = volumes * factors
    rates = volumes[:, None] * _intraday_shares(spec.intraday)[None, :]  # (days, 48)

    day_starts = np.array([_day_start(d.date, tz) for d in days], dtype=np.float64)
    layouts = [_day_layout(d.date, tz) for d in days]
    slot_offsets = SLOT_SECONDS * np.arange(SLOTS_PER_DAY, dtype=np.float64)
    if all(layout is None for layout in layouts):
        span_starts = (day_starts[:, None] + slot_offsets[None, :]).ravel()
        span_lengths = np.full(span_starts.size, float(SLOT_SECONDS))
        lam = rates.ravel()
    else:
        parts_s, parts_l, parts_r = [], [], []
        for i, layout in enumerate(layouts):
            if layout is None:
                parts_s.append(day_starts[i] + slot_offsets)
                parts_l.append(np.full(SLOTS_PER_DAY, float(SLOT_SECONDS)))
                parts_r.append(rates[i])
            else:
                ks, starts, lengths = layout
                parts_s.append(starts)
                parts_l.append(lengths)
                parts_r.append(rates[i, ks] * (lengths / SLOT_SECONDS))
        span_starts = np.concatenate(parts_s)
        span_lengths = np.concatenate(parts_l)
        lam = np.concatenate(parts_r)

    counts = rng.poisson(lam)
    return _sorted_uniform_points(counts, span_starts, span_lengths, rng)
