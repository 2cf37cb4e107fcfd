"""Small synthetic interval series for the forecasting tests (helpers; the fixture is in
``conftest.py``).

The patterns are written here by hand: a weekday profile, an intraday profile over the
open hours 08:00-20:00 (24 half hours) and, where asked, the 2026 National Day golden
week (2026-10-01 .. 2026-10-07, as published by the State Council) at half volume.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OPEN_FROM_SLOT, OPEN_TO_SLOT = 16, 40  # 08:00 .. 19:30 starts at 30 minutes
WEEKDAY_FACTOR = np.array([1.2, 1.1, 1.0, 1.0, 1.05, 0.7, 0.6])
GOLDEN_WEEK = pd.date_range("2026-10-01", "2026-10-07", freq="D")


def intraday_shape() -> np.ndarray:
    """24 open half hours: a morning and an afternoon peak."""
    hours = np.arange(OPEN_FROM_SLOT, OPEN_TO_SLOT) / 2
    return 1 + 0.8 * np.exp(-((hours - 10.5) ** 2) / 2) + 0.5 * np.exp(-((hours - 15) ** 2) / 3)


def expected_volume(days: pd.DatetimeIndex, base: float, holiday_dip: bool) -> np.ndarray:
    """(days, 24) expected calls per open half hour."""
    shape = intraday_shape()
    factor = WEEKDAY_FACTOR[np.asarray(days.day_of_week)]
    if holiday_dip:
        factor = np.where(days.isin(GOLDEN_WEEK), factor * 0.5, factor)
    return base * factor[:, None] * shape[None, :]


def to_long(days: pd.DatetimeIndex, values: np.ndarray, unique_id: str = "q") -> pd.DataFrame:
    """A long frame ``unique_id, ds, y`` for the open half hours of ``days``."""
    slots = np.arange(OPEN_FROM_SLOT, OPEN_TO_SLOT)
    ds = (days.values[:, None] + pd.to_timedelta(slots * 30, unit="m").values[None, :]).ravel()
    return pd.DataFrame({"unique_id": unique_id, "ds": ds, "y": values.ravel()})
