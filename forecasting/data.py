"""Interval series as day x slot matrices, built from and returned to the long format.

The exchange shape is the long frame ``unique_id, ds, y`` (the Nixtla convention): ``ds``
is the local start of an interval (naive timestamp), ``y`` its value. Inside the package
one series is a :class:`Series`: one row per calendar day, one column per interval of
the day ("slot"), which makes weekly seasonality, daily totals and intraday profiles
plain array operations.

Missing rows mean "closed or no data":

* a slot of the week (weekday x interval of day) is **open** when the series has ever had
  a row in it; only open slots are modelled and forecast;
* on a day that has at least one row, an open slot without a row had no calls (volume 0);
* a day without any row is missing data (``NaN``), e.g. a gap in an export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

MINUTES_PER_DAY = 1440
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class Series:
    """One series on a regular grid of ``grain_minutes`` intervals, as a day x slot matrix.

    ``y[d, s]``: the value of slot ``s`` (interval starting ``s * grain_minutes`` after
    midnight) on day ``first_day + d``; ``NaN`` where there is no data. ``has_row``: the
    input had a row there. ``weight``: a per-cell weight (handled calls for AHT), or None.
    """

    unique_id: str
    first_day: pd.Timestamp
    grain_minutes: int
    y: np.ndarray
    has_row: np.ndarray
    weight: np.ndarray | None = None

    @property
    def n_days(self) -> int:
        return int(self.y.shape[0])

    @property
    def slots(self) -> int:
        return int(self.y.shape[1])

    @property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.first_day, periods=self.n_days, freq="D")

    @property
    def weekdays(self) -> np.ndarray:
        """Monday = 0 for every day of the series."""
        return np.asarray(self.days.day_of_week)

    @property
    def day_present(self) -> np.ndarray:
        """Days with at least one row (the others are missing data)."""
        return self.has_row.any(axis=1)

    @property
    def open_week(self) -> np.ndarray:
        """(7, slots) bool: the slot of the week has ever had a row (the "open" mask). A
        weekday the history does not reach yet (less than a week of data) takes the slots
        open on any day."""
        mask = np.zeros((DAYS_PER_WEEK, self.slots), dtype=bool)
        any_day = self.has_row.any(axis=0)
        for weekday in range(DAYS_PER_WEEK):
            rows = self.has_row[self.weekdays == weekday]
            mask[weekday] = rows.any(axis=0) if len(rows) else any_day
        return mask

    def open_mask(self, first_day: pd.Timestamp, n_days: int) -> np.ndarray:
        """(n_days, slots) bool: which future slots are open (by this series' history)."""
        weekdays = pd.date_range(first_day, periods=n_days, freq="D").day_of_week
        return self.open_week[np.asarray(weekdays)]

    def head(self, n_days: int) -> Series:
        """The first ``n_days`` days: the history as known at a cutoff."""
        return replace(
            self,
            y=self.y[:n_days],
            has_row=self.has_row[:n_days],
            weight=None if self.weight is None else self.weight[:n_days],
        )

    @property
    def end_day(self) -> pd.Timestamp:
        """The day after the last day (the first forecast day by default)."""
        return self.first_day + pd.Timedelta(days=self.n_days)


def parse_horizon(text: str) -> int:
    """Days in a horizon written ``7d``, ``14d`` or ``2w`` (a bare number means days)."""
    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", str(text).lower())
    if not match:
        raise ValueError(f"horizon must look like 7d, 14d or 2w, got {text!r}")
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    if days < 1:
        raise ValueError(f"horizon must be at least one day, got {text!r}")
    return days


def infer_grain_minutes(ds: pd.Series) -> int:
    """The interval length in minutes: the greatest common divisor of 1440 and the offset
    of every ``ds`` from its midnight (1440, one value a day, when every ``ds`` is a
    midnight). Offsets must be whole minutes."""
    stamps = pd.to_datetime(ds)
    offset_s = (stamps - stamps.dt.normalize()).dt.total_seconds().to_numpy()
    if len(offset_s) and np.any(offset_s % 60 != 0):
        raise ValueError("ds has seconds: intervals must start on whole minutes")
    times = np.unique((offset_s // 60).astype(np.int64))
    grain = MINUTES_PER_DAY
    for minutes in times:
        grain = int(np.gcd(grain, int(minutes)))
    steps, counts = np.unique(np.diff(times), return_counts=True)
    if len(steps):
        # a grid that most times sit on, broken by a few stragglers (08:07 among half
        # hours) is an error, not a 1-minute grid
        usual = int(steps[np.argmax(counts)])
        odd = times[times % usual != times[0] % usual]
        if grain < usual and MINUTES_PER_DAY % usual == 0 and 0 < len(odd) <= len(times) / 4:
            example = f"{odd[0] // 60:02d}:{odd[0] % 60:02d}"
            raise ValueError(
                f"ds are not on a regular grid: most intervals are {usual} minutes apart, "
                f"but some start at {example}"
            )
    return grain


def validate_history(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a long history ``ds, y`` (optional ``unique_id``) and return it typed and sorted.

    Raises ``ValueError`` with one clear sentence for missing columns, unparsable dates or
    numbers, negative or non-finite ``y`` and duplicate ``ds`` within a series.
    """
    missing = [c for c in ("ds", "y") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"history needs columns ds, y (and optionally unique_id); missing {', '.join(missing)}"
            f" (found {', '.join(map(str, frame.columns)) or 'none'})"
        )
    out = frame.copy()
    if "unique_id" not in out.columns:
        out["unique_id"] = "series"
    if out.empty:
        raise ValueError("history has no rows")
    out["unique_id"] = out["unique_id"].astype(str)
    ds = pd.to_datetime(out["ds"], errors="coerce")
    bad = out.loc[ds.isna(), "ds"]
    if len(bad):
        raise ValueError(f"ds: {len(bad)} value(s) are not dates, e.g. {bad.iloc[0]!r}")
    if getattr(ds.dt, "tz", None) is not None:
        ds = ds.dt.tz_localize(None)
    out["ds"] = ds.astype("datetime64[ns]")
    y = pd.to_numeric(out["y"], errors="coerce")
    bad = out.loc[y.isna(), "y"]
    if len(bad):
        raise ValueError(f"y: {len(bad)} value(s) are not numbers, e.g. {bad.iloc[0]!r}")
    if not np.isfinite(y.to_numpy(dtype=float)).all():
        raise ValueError("y: values must be finite")
    if (y < 0).any():
        first = out.loc[y < 0].iloc[0]
        raise ValueError(f"y must not be negative, got {first['y']} at {first['ds']}")
    out["y"] = y.astype(float)
    duplicated = out.duplicated(["unique_id", "ds"])
    if duplicated.any():
        first = out.loc[duplicated].iloc[0]
        raise ValueError(
            f"duplicate ds {first['ds']} in series {first['unique_id']!r} "
            f"({int(duplicated.sum())} duplicate row(s))"
        )
    return out.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def series_from_long(
    frame: pd.DataFrame,
    grain_minutes: int | None = None,
    weight_column: str | None = None,
    fill_open_with_zero: bool = True,
) -> dict[str, Series]:
    """One :class:`Series` per ``unique_id`` of a validated long frame.

    ``fill_open_with_zero``: a slot without a row on a day that has rows is 0 (volume); set
    False for averages such as AHT, where it is ``NaN`` (unknown). Rows whose ``y`` is
    ``NaN`` still count as rows (the slot was open). All series share the first day.
    """
    grain = grain_minutes or infer_grain_minutes(frame["ds"])
    if MINUTES_PER_DAY % grain:
        raise ValueError(f"the interval length {grain} min does not divide a day")
    slots = MINUTES_PER_DAY // grain
    ds = pd.to_datetime(frame["ds"])
    day = ds.dt.normalize()
    minutes = (ds - day).dt.total_seconds().to_numpy() / 60
    if np.any(minutes % grain):
        raise ValueError(f"some ds are not on the {grain}-minute grid (e.g. a 10:07 start)")
    first_day = day.min()
    n_days = int((day.max() - first_day).days) + 1
    day_index = ((day - first_day).dt.days).to_numpy()
    slot_index = (minutes // grain).astype(np.int64)
    out: dict[str, Series] = {}
    ids = frame["unique_id"].to_numpy()
    y_all = frame["y"].to_numpy(dtype=float)
    w_all = None if weight_column is None else frame[weight_column].to_numpy(dtype=float)
    for unique_id in pd.unique(ids):
        rows = ids == unique_id
        has_row = np.zeros((n_days, slots), dtype=bool)
        has_row[day_index[rows], slot_index[rows]] = True
        y = np.full((n_days, slots), np.nan)
        present = has_row.any(axis=1)
        if fill_open_with_zero:
            y[present] = 0.0
        y[day_index[rows], slot_index[rows]] = y_all[rows]
        weight = None
        if w_all is not None:
            weight = np.zeros((n_days, slots))
            weight[day_index[rows], slot_index[rows]] = np.nan_to_num(w_all[rows])
        out[str(unique_id)] = Series(str(unique_id), first_day, grain, y, has_row, weight)
    return out


def matrix_to_long(
    unique_id: str,
    first_day: pd.Timestamp,
    grain_minutes: int,
    mask: np.ndarray,
    **columns: np.ndarray,
) -> pd.DataFrame:
    """The cells of day x slot matrices where ``mask`` is True, as a long frame."""
    day_idx, slot_idx = np.nonzero(mask)
    ds = (
        pd.Timestamp(first_day)
        + pd.to_timedelta(day_idx, unit="D")
        + pd.to_timedelta(slot_idx * grain_minutes, unit="m")
    )
    data: dict[str, object] = {"unique_id": unique_id, "ds": ds}
    for name, matrix in columns.items():
        data[name] = matrix[day_idx, slot_idx]
    return pd.DataFrame(data)
