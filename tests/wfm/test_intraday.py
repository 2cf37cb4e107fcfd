"""wfm.intraday: the ratio re-forecast and the staffing gap on hand-computed cases."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.adherence import ScheduledActivity
from wfm.intraday import (
    reforecast,
    scheduled_agents,
    scheduled_agents_by_queue,
    staffing_gap,
)

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
SLOTS = [datetime(2026, 11, 23, 8, 0) + timedelta(minutes=30 * i) for i in range(8)]


def forecast(values: list[float], queue: str = "booking", slots=SLOTS) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": queue, "ds": slots[: len(values)], "y_hat": values})


def actuals(rows: list[tuple[str, datetime, int, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["queue", "interval_start_local", "offered", "aht_s", "handled_known"]
    )


def erlang_c_agents(calls: float, interval_s: float, aht_s: float, target_s: float) -> int:
    """Textbook Erlang C: the fewest agents with P(wait <= target) >= 0.8."""
    load = calls / interval_s * aht_s
    n = math.floor(load) + 1
    while True:
        top = load**n / math.factorial(n) * n / (n - load)
        p_wait = top / (sum(load**k / math.factorial(k) for k in range(n)) + top)
        if 1 - p_wait * math.exp(-(n - load) * target_s / aht_s) >= 0.8:
            return n
        n += 1


def test_ratio_shrunk_by_the_share_seen() -> None:
    # 10 calls forecast per interval all morning (80); 15 + 15 came by 09:00.
    acts = actuals([("booking", SLOTS[0], 15, 220.0, 10), ("booking", SLOTS[1], 15, 220.0, 10)])
    aht = forecast([200.0] * 8)
    (summary,), rows = reforecast(acts, forecast([10.0] * 8), NOW, 30, aht)
    # r = 30 / 20 = 1.5, w = 20 / 80 = 0.25, k = 1 + 0.25 * 0.5 = 1.125.
    assert summary.ratio == pytest.approx(1.5)
    assert summary.seen_share == pytest.approx(0.25)
    assert summary.factor == pytest.approx(1.125)
    assert summary.remaining_forecast == pytest.approx(60)
    assert summary.remaining_reforecast == pytest.approx(67.5)
    # AHT: r = 220 / 200 = 1.1, k = 1 + 0.25 * 0.1 = 1.025 -> 205 s.
    assert summary.aht_factor == pytest.approx(1.025)
    assert list(rows["interval_start_local"]) == SLOTS[2:]
    assert rows["calls"].tolist() == pytest.approx([11.25] * 6)
    assert rows["aht_s"].tolist() == pytest.approx([205.0] * 6)


def test_current_interval_and_missing_rows() -> None:
    # At 09:10 the 09:00 interval has not ended: it is re-forecast, its calls not counted.
    # The 08:30 interval has no actual row: no calls then.
    acts = actuals([("booking", SLOTS[0], 12, 200.0, 12), ("booking", SLOTS[2], 9, 200.0, 3)])
    (summary,), rows = reforecast(acts, forecast([10.0] * 8), NOW + timedelta(minutes=10), 30)
    assert summary.actual_so_far == 12
    assert summary.ratio == pytest.approx(12 / 20)
    assert summary.factor == pytest.approx(1 + 0.25 * (0.6 - 1))
    assert rows["interval_start_local"].iloc[0] == SLOTS[2]
    # No AHT forecast: the actual mean so far (weighted by handled calls) fills in.
    assert rows["aht_s"].tolist() == pytest.approx([200.0] * 6)


def test_zero_volume_and_unforecast_queues() -> None:
    fc = pd.concat([forecast([0.0] * 8), forecast([5.0] * 8, queue="refunds")])
    acts = actuals([("booking", SLOTS[0], 4, 180.0, 4), ("changes", SLOTS[1], 2, 100.0, 2)])
    summaries, rows = reforecast(acts, fc, NOW, 30)
    by_queue = {s.queue: s for s in summaries}
    assert by_queue["booking"].ratio is None
    assert by_queue["booking"].factor == 1.0
    assert "none were forecast" in by_queue["booking"].note
    assert by_queue["refunds"].ratio == 0.0
    assert by_queue["refunds"].factor == pytest.approx(1 + 10 / 40 * (0 - 1))
    assert "no forecast" in by_queue["changes"].note
    assert by_queue["changes"].remaining_reforecast == 0
    gap = staffing_gap(rows[rows["queue"] == "booking"], None, 30)
    assert (gap["required"] == 0).all()  # zero volume needs nobody


def test_unknown_day_and_bad_forecast() -> None:
    with pytest.raises(ValueError, match="no forecast of calls offered for 2026-11-24"):
        reforecast(actuals([]), forecast([10.0] * 8), datetime(2026, 11, 24, 9, 0), 30)
    with pytest.raises(ValueError, match="negative"):
        reforecast(actuals([]), forecast([-1.0] * 8), NOW, 30)
    with pytest.raises(ValueError, match="lacks column"):
        reforecast(actuals([]), forecast([1.0]).drop(columns="y_hat"), NOW, 30)


def test_scheduled_agents_net_of_breaks() -> None:
    def at(hhmm: str) -> float:
        hour, minute = map(int, hhmm.split(":"))
        return datetime(2026, 11, 23, hour, minute, tzinfo=UTC).timestamp()

    roster = [
        ScheduledActivity("A1", DAY, "shift", at("08:00"), at("12:00")),
        ScheduledActivity("A1", DAY, "break", at("09:00"), at("09:15")),
        ScheduledActivity("A2", DAY, "shift", at("09:15"), at("17:00")),
        ScheduledActivity("A2", DAY, "lunch", at("09:30"), at("10:00")),
    ]
    counts = scheduled_agents(roster, SLOTS, 30, "UTC")
    # 08:00 A1; 08:30 A1; 09:00 A1 half (break) + A2 half; 09:30 A1 only (A2 at lunch).
    assert counts.tolist()[:5] == pytest.approx([1.0, 1.0, 1.0, 1.0, 2.0])


def test_scheduled_agents_per_queue() -> None:
    base = datetime(2026, 11, 23, tzinfo=UTC).timestamp()
    roster = [
        ScheduledActivity("A1", DAY, "shift", base + 8 * 3600, base + 10 * 3600),
        ScheduledActivity("A2", DAY, "shift", base + 8 * 3600, base + 9 * 3600),
        ScheduledActivity("A3", DAY, "shift", base + 8 * 3600, base + 9 * 3600),
    ]
    # A2 serves both queues; A3's queues are unknown.
    queues = {"A1": ["booking"], "A2": ["booking", "refunds"]}
    by_queue = scheduled_agents_by_queue(roster, SLOTS[:4], 30, "UTC", queues)
    assert by_queue["booking"].tolist() == [2.0, 2.0, 1.0, 1.0]
    assert by_queue["refunds"].tolist() == [1.0, 1.0, 0.0, 0.0]
    rows = pd.DataFrame(
        {
            "queue": ["booking", "refunds"],
            "interval_start_local": [SLOTS[0], SLOTS[0]],
            "calls": [0.0, 10.0],
            "aht_s": [200.0, 200.0],
        }
    )
    total = scheduled_agents(roster, SLOTS[:1], 30, "UTC")
    gap = staffing_gap(rows, total, 30, scheduled_by_queue=by_queue).iloc[0]
    refunds = erlang_c_agents(10, 1800, 200, 20)
    assert gap["scheduled"] == 3.0
    assert gap["gap_booking"] == 2.0
    assert gap["gap_refunds"] == pytest.approx(1.0 - refunds)
    assert gap["gap"] == pytest.approx(3.0 - refunds)


def test_staffing_gap_against_erlang_c() -> None:
    rows = pd.DataFrame(
        {
            "queue": ["booking", "booking", "refunds"],
            "interval_start_local": [SLOTS[2], SLOTS[3], SLOTS[2]],
            "calls": [67.5, 0.0, 20.0],
            "aht_s": [205.0, 205.0, 300.0],
        }
    )
    scheduled = pd.Series({SLOTS[2]: 9.5, SLOTS[3]: 2.0})
    gap = staffing_gap(rows, scheduled, 30).set_index("interval_start_local")
    booking = erlang_c_agents(67.5, 1800, 205, 20)
    refunds = erlang_c_agents(20, 1800, 300, 20)
    assert gap.loc[SLOTS[2], "required_booking"] == booking
    assert gap.loc[SLOTS[2], "required"] == booking + refunds
    assert gap.loc[SLOTS[2], "gap"] == pytest.approx(9.5 - booking - refunds)
    assert gap.loc[SLOTS[3], "required"] == 0
    assert gap.loc[SLOTS[3], "gap"] == 2.0
    with_patience = staffing_gap(rows, scheduled, 30, patience_s=60).set_index(
        "interval_start_local"
    )
    # Callers who give up lighten the load: Erlang A never needs more than Erlang C here.
    assert with_patience.loc[SLOTS[2], "required"] <= booking + refunds
    no_aht = rows.assign(aht_s=math.nan)
    with pytest.raises(ValueError, match="no AHT"):
        staffing_gap(no_aht, scheduled, 30)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=8, max_size=8),
    st.lists(st.floats(0.5, 30), min_size=8, max_size=8),
    st.integers(0, 8),
)
def test_factor_between_one_and_the_ratio(
    observed: list[int], forecast_values: list[float], ended: int
) -> None:
    now = SLOTS[0] + timedelta(minutes=30 * ended)
    acts = actuals([("booking", SLOTS[i], observed[i], 200.0, 1) for i in range(ended)])
    (summary,), rows = reforecast(acts, forecast(forecast_values), now, 30)
    if ended == 0:
        assert summary.factor == 1.0
        return
    low, high = sorted((1.0, summary.ratio))
    assert low - 1e-9 <= summary.factor <= high + 1e-9
    assert len(rows) == 8 - ended
    assert summary.remaining_reforecast == pytest.approx(
        summary.factor * sum(forecast_values[ended:])
    )
