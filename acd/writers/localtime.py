"""Fast epoch → local wall-clock text for the writers.

The engine emits millions of instants; calling ``datetime``/``zoneinfo`` for each one is
the bottleneck of a naive writer. :class:`LocalClock` asks ``zoneinfo`` once per UTC hour
for that hour's UTC offset and formats everything else with integer arithmetic and
cached strings. An hour in which the offset changes (a DST changeover that is not on a
whole UTC hour, e.g. Newfoundland or Lord Howe) is detected and handled per instant, so
the result is exact for every zone.
"""

from __future__ import annotations

import datetime as _dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from acd.errors import ScenarioError

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()

# "HH:MM:SS" for every second of a day, built on first use.
_HMS: list[str] = []

# ".000" .. ".999": the millisecond part of an ISO instant, by table lookup.
_DOT_MS = tuple(f".{ms:03d}" for ms in range(1000))


def _hms_table() -> list[str]:
    if not _HMS:
        _HMS.extend(
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        )
    return _HMS


def day_number(d: _dt.date) -> int:
    """Days since 1970-01-01 for a calendar date (the writers' key for a local day)."""
    return d.toordinal() - _EPOCH_ORDINAL


def date_of_day(day: int) -> _dt.date:
    """Inverse of :func:`day_number`."""
    return _dt.date.fromordinal(day + _EPOCH_ORDINAL)


def _offset_text(offset_s: int) -> str:
    sign = "+" if offset_s >= 0 else "-"
    h, rem = divmod(abs(offset_s), 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


class LocalClock:
    """Local time of one IANA zone, cached per UTC hour and per local day.

    The formatting methods are the writers' hottest code (every record has an instant):
    they look the hour's offset up in ``_hours`` directly and fall back to
    :meth:`offset` only for an hour not seen yet or one in which the offset changes.
    """

    def __init__(self, tz: str) -> None:
        try:
            self.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScenarioError(f"tz: unknown time zone {tz!r}") from exc
        self.tz = tz
        # UTC hour -> offset in force during the whole hour; an hour in which the offset
        # changes is never stored here but in ``_mixed_hours`` (resolved per instant).
        self._hours: dict[int, int] = {}
        self._mixed_hours: set[int] = set()
        self._dates: dict[int, str] = {}
        self._offset_texts: dict[int, str] = {}
        self._hms = _hms_table()

    # -- offsets ------------------------------------------------------------------------

    def _exact_offset(self, sec: int) -> int:
        off = _dt.datetime.fromtimestamp(sec, self.zone).utcoffset()
        assert off is not None
        return int(off.total_seconds())

    def offset(self, sec: int) -> int:
        """UTC offset in seconds in force at epoch second ``sec``."""
        hour = sec // 3600
        off = self._hours.get(hour)
        if off is not None:
            return off
        if hour in self._mixed_hours:
            return self._exact_offset(sec)
        first = self._exact_offset(hour * 3600)
        last = self._exact_offset(hour * 3600 + 3599)
        if first != last:
            self._mixed_hours.add(hour)
            return self._exact_offset(sec)
        self._hours[hour] = first
        return first

    def offset_text(self, offset_s: int) -> str:
        """``+08:00`` style text of an offset."""
        text = self._offset_texts.get(offset_s)
        if text is None:
            text = self._offset_texts[offset_s] = _offset_text(offset_s)
        return text

    # -- days ---------------------------------------------------------------------------

    def date_text(self, day: int) -> str:
        """``YYYY-MM-DD`` of a local day number."""
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = date_of_day(day).isoformat()
        return text

    def day_of(self, t: float) -> int:
        """Local day number of an instant (by its whole second)."""
        sec = int(t // 1)
        return (sec + self.offset(sec)) // 86400

    def midnight_epoch(self, day: int) -> int:
        """Epoch second of local midnight starting ``day`` (first instant of that date)."""
        d = date_of_day(day)
        local = _dt.datetime(d.year, d.month, d.day, tzinfo=self.zone)
        return int(local.timestamp())

    # -- formatting ---------------------------------------------------------------------

    def wall(self, sec: int) -> str:
        """``YYYY-MM-DD HH:MM:SS`` local time of epoch second ``sec`` (cdr_csv's format)."""
        off = self._hours.get(sec // 3600)
        if off is None:
            off = self.offset(sec)
        day, sod = divmod(sec + off, 86400)
        date = self._dates.get(day)
        if date is None:
            date = self.date_text(day)
        return f"{date} {self._hms[sod]}"

    def iso_ms(self, t: float) -> tuple[int, str]:
        """``(local day, 'YYYY-MM-DDTHH:MM:SS.mmm+HH:MM')`` for an instant.

        The instant is rounded to the nearest millisecond first, and both the day and the
        text come from that rounded value, so they always agree.
        """
        sec, frac = divmod(round(t * 1000), 1000)
        off = self._hours.get(sec // 3600)
        if off is None:
            off = self.offset(sec)
        # The offset is whole seconds, so shifting the second leaves the milliseconds.
        day, sod = divmod(sec + off, 86400)
        date = self._dates.get(day)
        if date is None:
            date = self.date_text(day)
        off_text = self._offset_texts.get(off)
        if off_text is None:
            off_text = self.offset_text(off)
        return day, f"{date}T{self._hms[sod]}{_DOT_MS[frac]}{off_text}"
