"""The ``synthetic`` fixture: hand-written interval patterns (``forecast_synthetic.py``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import expected_volume, to_long


@pytest.fixture
def synthetic() -> Callable[..., tuple[pd.DataFrame, np.ndarray, pd.DatetimeIndex]]:
    """``synthetic(start, days, base, holiday_dip, poisson_seed)`` -> (long frame, expected
    matrix, days). Deterministic (y = expected) unless ``poisson_seed`` is given."""

    def make(
        start: str = "2026-08-03",
        days: int = 56,
        base: float = 40.0,
        holiday_dip: bool = False,
        poisson_seed: int | None = None,
    ) -> tuple[pd.DataFrame, np.ndarray, pd.DatetimeIndex]:
        index = pd.date_range(start, periods=days, freq="D")
        expected = expected_volume(index, base, holiday_dip)
        values = expected
        if poisson_seed is not None:
            values = np.random.default_rng(poisson_seed).poisson(expected).astype(float)
        return to_long(index, values), expected, index

    return make
