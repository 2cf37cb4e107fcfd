"""Calendar features per day: weekday, Chinese public holidays, make-up working days and
the days around holiday blocks, from ``acd.calendar`` (itself built on ``holidays.China``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from acd.calendar import china_calendar

DAY_FEATURES = (
    "weekday",
    "is_holiday",
    "is_makeup_workday",
    "is_working_day",
    "days_to_next_holiday",
    "days_since_holiday_block",
    "holiday_day_of_block",
)


@lru_cache(maxsize=32)
def _day_features(first_day: pd.Timestamp, n_days: int) -> pd.DataFrame:
    days = china_calendar(first_day.date(), (first_day + pd.Timedelta(days=n_days - 1)).date())
    frame = pd.DataFrame(
        {
            "weekday": [d.weekday for d in days],
            "is_holiday": [float(d.is_holiday) for d in days],
            "is_makeup_workday": [float(d.is_makeup_workday) for d in days],
            "is_working_day": [float(d.is_working_day) for d in days],
            # None (further than acd.calendar looks) becomes NaN, which the GBM handles
            "days_to_next_holiday": [
                np.nan if d.days_to_next_holiday is None else d.days_to_next_holiday for d in days
            ],
            "days_since_holiday_block": [
                np.nan if d.days_since_holiday_block is None else d.days_since_holiday_block
                for d in days
            ],
        }
    )
    # 1 on the first day of a holiday block, 2 on the second, ...; NaN outside blocks
    position = np.full(n_days, np.nan)
    run = 0
    for i, holiday in enumerate(frame["is_holiday"].to_numpy()):
        run = run + 1 if holiday else 0
        if run:
            position[i] = run
    frame["holiday_day_of_block"] = position
    return frame


def day_features(first_day: pd.Timestamp, n_days: int) -> pd.DataFrame:
    """One row per day from ``first_day``: the columns of :data:`DAY_FEATURES`.

    ``is_holiday``: the day is in a holiday block (festival plus joined weekend days);
    ``is_makeup_workday``: a weekend day worked to pay for a block (调休);
    ``days_to_next_holiday`` (<= 21) and ``days_since_holiday_block`` (<= 14): calendar
    days to the next block / since the last one, NaN when further (see ``acd.calendar``).
    """
    return _day_features(pd.Timestamp(first_day).normalize(), int(n_days)).copy()
