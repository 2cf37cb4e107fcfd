"""Business-hours arithmetic for response targets ("e-mail answered within 4 business hours").

A business-hours clock runs only inside each open day's window ``[open, close)`` of local
wall-clock time and stands still outside it. :class:`BusinessHours` answers two questions
on that clock, both pure functions of their arguments:

* ``elapsed(t0, t1)``: business seconds between two instants (0 when ``t1 <= t0``);
* ``add(t0, seconds)``: the first instant at which ``seconds`` business seconds have
  elapsed since ``t0`` (a response target's due time).

Properties the tests check: ``elapsed`` is never negative, additive
(``elapsed(a, b) + elapsed(b, c) == elapsed(a, c)`` for ``a <= b <= c``), at most the
wall-clock time between the instants, and ``elapsed(t0, add(t0, s)) == s``.

Windows are wall-clock times turned into instants in the zone, so a daylight-saving day
has its true length; ``close`` may be ``24:00`` (the next local midnight). Which dates are
open is a predicate on the local date: every day, or China's working days
(``acd.calendar.is_working_day``, make-up working days included).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["BusinessHours", "every_day"]

# Searching for the next open window gives up after this many days without one.
MAX_CLOSED_DAYS = 366


def every_day(_d: date) -> bool:
    return True


class BusinessHours:
    """Open ``open_s``..``close_s`` (local seconds after midnight) on days ``is_open(date)``."""

    def __init__(
        self,
        tz: str,
        open_s: float,
        close_s: float,
        is_open: Callable[[date], bool] = every_day,
    ) -> None:
        if not 0 <= open_s < close_s <= 86_400:
            raise ValueError(
                f"business hours need 0 <= open < close <= 24:00, got {open_s}..{close_s}"
            )
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self.open_s = open_s
        self.close_s = close_s
        self.is_open = is_open
        self.window = lru_cache(maxsize=4096)(self._window)

    # -- windows ----------------------------------------------------------------------
    def _wall(self, d: date, seconds: float) -> float:
        """The instant of local wall-clock time ``d`` + ``seconds`` (first occurrence)."""
        whole = int(seconds)
        local = datetime(d.year, d.month, d.day) + timedelta(seconds=whole)
        return local.replace(tzinfo=self.zone).timestamp() + (seconds - whole)

    def _window(self, d: date) -> tuple[float, float] | None:
        """The open window of local date ``d`` as instants, None on a closed day."""
        if not self.is_open(d):
            return None
        start, end = self._wall(d, self.open_s), self._wall(d, self.close_s)
        return (start, end) if end > start else None

    def local_date(self, t: float) -> date:
        return datetime.fromtimestamp(t, self.zone).date()

    # -- the two questions ------------------------------------------------------------
    def elapsed(self, t0: float, t1: float) -> float:
        """Business seconds in ``[t0, t1)``; 0 when ``t1 <= t0``."""
        if t1 <= t0:
            return 0.0
        total = 0.0
        d = self.local_date(t0) - timedelta(days=1)  # a window may start the day before
        last = self.local_date(t1)
        while d <= last:
            w = self.window(d)
            if w is not None:
                lo, hi = max(w[0], t0), min(w[1], t1)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total

    def add(self, t0: float, seconds: float) -> float:
        """The first instant ``t >= t0`` with ``elapsed(t0, t) == seconds``.

        ``seconds == 0`` gives ``t0`` itself (nothing has to elapse). Raises ValueError if
        no open day comes within ``MAX_CLOSED_DAYS`` days.
        """
        if seconds < 0:
            raise ValueError(f"seconds must be at least 0, got {seconds}")
        if seconds == 0:
            return t0
        remaining = seconds
        d = self.local_date(t0) - timedelta(days=1)
        closed_run = 0
        while True:
            w = self.window(d)
            if w is None or w[1] <= t0:
                closed_run = closed_run + 1 if w is None else 0
                if closed_run > MAX_CLOSED_DAYS:
                    raise ValueError(f"no business day within {MAX_CLOSED_DAYS} days of {d}")
                d += timedelta(days=1)
                continue
            closed_run = 0
            lo = max(w[0], t0)
            available = w[1] - lo
            if remaining <= available:
                return lo + remaining
            remaining -= available
            d += timedelta(days=1)
