"""``wfm.deferred``: agents for deferred channels from the workload in the response window,
and the fluid FIFO check of a plan. Expected values are worked out by hand in comments."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.business_hours import BusinessHours
from wfm.deferred import check_plan, required_agents, spread_workload

HALF_HOUR = 1800.0
NINE = datetime(2026, 9, 1, 9, 0)
CLOCK = BusinessHours("Asia/Shanghai", 8 * 3600, 21 * 3600)  # 08:00-21:00 every day


def test_twelve_emails_at_nine_by_hand():
    # 12 e-mails arrive during 09:00-09:30, AHT 10 min: 2 agent-hours of work. Target 4 h.
    # Each e-mail's work is spread over its own 4-hour window, the e-mails arriving
    # uniformly over the half hour: 0.5 agent over 09:30-13:00 (7 intervals), half of
    # that in the first and last half hour (the windows ramp in and out):
    # 0.25 + 7 x 0.5 + 0.25 = 4 agent-half-hours = 2 agent-hours.
    arrivals = np.zeros(12)
    arrivals[0] = 12
    agents = required_agents(arrivals, 600, start=NINE, interval_s=HALF_HOUR, target_s=4 * 3600)
    assert agents == pytest.approx([0.25] + [0.5] * 7 + [0.25, 0, 0, 0])
    # with 80% of an agent's time productive, 1 / 0.8 as many
    productive = required_agents(
        arrivals, 600, start=NINE, interval_s=HALF_HOUR, target_s=4 * 3600, productive_share=0.8
    )
    assert productive == pytest.approx(agents / 0.8)


def test_night_work_lands_in_the_morning():
    # Business hours 08:00-21:00, target 4 business hours, AHT 10 min. 12 e-mails during
    # 20:30-21:00 (2 h of work): a quarter agent that half hour (their windows ramp in),
    # then the next morning 0.5 from 08:00 to 11:30 and 0.25 in 11:30-12:00. 12 more at
    # 02:00 (closed): all their windows are 08:00-12:00, 0.5 agent each half hour.
    start = datetime(2026, 9, 1, 20, 0)
    arrivals = np.zeros(48)
    arrivals[1] = 12  # 20:30
    arrivals[12] = 12  # 02:00
    agents = required_agents(
        arrivals, 600, start=start, interval_s=HALF_HOUR, target_s=4 * 3600, clock=CLOCK
    )
    expected = np.zeros(48)
    expected[1] = 0.25
    expected[24:31] = 0.5 + 0.5  # 08:00 .. 11:00
    expected[31] = 0.25 + 0.5  # 11:30
    assert agents == pytest.approx(expected)
    # nothing is required while closed (21:00-08:00)
    assert agents[2:24].sum() == 0
    check = check_plan(
        arrivals, 600, agents, start=start, interval_s=HALF_HOUR, target_s=4 * 3600, clock=CLOCK
    )
    assert check.share_in_target == pytest.approx(1.0)


def test_minimum_staffing_only_while_open():
    start = datetime(2026, 9, 1, 20, 0)
    agents = required_agents(
        np.zeros(4),
        300,
        start=start,
        interval_s=HALF_HOUR,
        target_s=3600,
        clock=CLOCK,
        min_agents=1,
    )
    assert list(agents) == [1.0, 1.0, 0.0, 0.0]  # 20:00, 20:30 open; 21:00, 21:30 closed


def test_spill_is_the_work_due_after_the_horizon():
    # The same 12 e-mails with only 4 half hours in the plan: 0.25 + 3 x 0.5 = 1.75
    # agent-half-hours inside, 4 - 1.75 = 2.25 agent-half-hours spill out.
    arrivals = [12, 0, 0, 0]
    workload, spill = spread_workload(
        arrivals, 600, start=NINE, interval_s=HALF_HOUR, target_s=4 * 3600
    )
    assert workload == pytest.approx(np.array([0.25, 0.5, 0.5, 0.5]) * HALF_HOUR)
    assert spill == pytest.approx(2.25 * HALF_HOUR)


def test_the_requirement_meets_the_target_and_ten_percent_less_misses_it():
    arrivals = np.zeros(12)
    arrivals[0] = 12
    kwargs = {"start": NINE, "interval_s": HALF_HOUR, "target_s": 4 * 3600}
    agents = required_agents(arrivals, 600, **kwargs)
    full = check_plan(arrivals, 600, agents, **kwargs)
    assert full.share_in_target == pytest.approx(1.0)
    assert full.late_s == pytest.approx(0, abs=1e-6) and full.backlog_end_s == pytest.approx(0)
    less = check_plan(arrivals, 600, 0.9 * agents, **kwargs)
    # By hand (seconds after 09:00; 4 s of work arrive per second until 09:30): the
    # capacity is 0.225 until 09:30 (405 s done), 0.45 until 13:00, 0.225 until 13:30.
    # The work at position x arrived at x / 4 and is due at 14400 + x / 4; the part done
    # after 13:00 finishes at 14400 + (x - 6075) / 0.225, in time while
    # (x - 6075) / 0.225 <= x / 4, i.e. x <= 27000 / (1 / 0.225 - 1 / 4) = 6437.09 s.
    # Earlier work is in time too; 720 s are never done (due by 13:30: late).
    x_last = 27000 / (1 / 0.225 - 1 / 4)
    assert less.in_target_s == pytest.approx(x_last)
    assert less.share_in_target == pytest.approx(x_last / 7200)  # 89.4%
    assert less.backlog_end_s == pytest.approx(720)
    assert less.share_in_target < 0.9


def test_open_work_not_yet_due_is_left_out():
    # No agents at all, the plan ends at 10:00: the e-mails of 09:00 are due 13:00-13:30,
    # after the plan: open, not late.
    check = check_plan([12, 0], 600, [0, 0], start=NINE, interval_s=HALF_HOUR, target_s=4 * 3600)
    assert check.open_s == pytest.approx(7200) and check.late_s == 0
    assert np.isnan(check.share_in_target)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="target_s"):
        spread_workload([1], 60, start=NINE, interval_s=HALF_HOUR, target_s=0)
    with pytest.raises(ValueError, match="arrivals"):
        spread_workload([-1], 60, start=NINE, interval_s=HALF_HOUR, target_s=60)
    with pytest.raises(ValueError, match="productive_share"):
        required_agents([1], 60, start=NINE, interval_s=HALF_HOUR, target_s=60, productive_share=0)
    with pytest.raises(ValueError, match="one value per interval"):
        check_plan([1, 2], 60, [1], start=NINE, interval_s=HALF_HOUR, target_s=60)


# --- properties ---------------------------------------------------------------------------

volumes = st.lists(st.floats(min_value=0, max_value=50), min_size=1, max_size=24)
ahts = st.floats(min_value=10, max_value=1200)
shares = st.floats(min_value=0.3, max_value=1.0)
whole_targets = st.integers(min_value=1, max_value=8)  # in half hours
clocks = st.sampled_from([None, CLOCK])
MIDNIGHT = datetime(2026, 9, 1, 0, 0)


def padded(volume: list[float], target_s: float, clock: BusinessHours | None) -> np.ndarray:
    """Arrivals followed by enough empty intervals for every window to end inside."""
    days = 0 if clock is None else 2 + int(target_s // (13 * 3600))
    pad = int(target_s // HALF_HOUR) + 2 + days * 48
    return np.concatenate([volume, np.zeros(pad)])


@settings(max_examples=60, deadline=None)
@given(volumes, ahts, st.floats(min_value=300, max_value=6 * 3600), shares, clocks)
def test_agent_seconds_are_the_workload_over_the_productive_share(
    volume, aht, target_s, share, clock
):
    arrivals = padded(volume, target_s, clock)
    kwargs = {"start": MIDNIGHT, "interval_s": HALF_HOUR, "target_s": target_s, "clock": clock}
    agents = required_agents(arrivals, aht, productive_share=share, **kwargs)
    assert (agents >= 0).all()
    total = arrivals.sum() * aht
    assert agents.sum() * HALF_HOUR == pytest.approx(total / share, rel=1e-6, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(volumes, volumes, ahts, st.floats(min_value=1, max_value=3), whole_targets, clocks)
def test_monotone_in_volume_and_aht(volume, extra, aht, factor, halves, clock):
    target_s = halves * HALF_HOUR
    base = padded(volume, target_s, clock)
    more = base.copy()
    more[: len(extra)] += np.asarray(extra)[: len(base)]
    kwargs = {"start": MIDNIGHT, "interval_s": HALF_HOUR, "target_s": target_s, "clock": clock}
    agents = required_agents(base, aht, **kwargs)
    assert (required_agents(more, aht, **kwargs) >= agents - 1e-9).all()
    assert (required_agents(base, aht * factor, **kwargs) >= agents - 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(volumes, ahts, whole_targets, st.integers(min_value=2, max_value=4), clocks)
def test_a_tighter_target_never_lowers_the_peak(volume, aht, halves, k, clock):
    # Target T a whole number of intervals and the looser one k x T: a window of k T
    # averages k windows of T, each landing on whole intervals (business hours on the
    # half hour), so its interval peak is at most the tighter one's.
    tight = halves * HALF_HOUR
    arrivals = padded(volume, k * tight, clock)
    kwargs = {"start": MIDNIGHT, "interval_s": HALF_HOUR, "clock": clock}
    peak_tight = required_agents(arrivals, aht, target_s=tight, **kwargs).max()
    peak_loose = required_agents(arrivals, aht, target_s=k * tight, **kwargs).max()
    assert peak_tight >= peak_loose - 1e-9


@settings(max_examples=40, deadline=None)
@given(volumes, ahts, whole_targets, clocks)
def test_the_requirement_keeps_the_target_in_the_fluid_check(volume, aht, halves, clock):
    # For targets of whole intervals the per-interval averaging loses nothing: every item
    # is answered in time (measured over random cases; see the module docstring).
    target_s = halves * HALF_HOUR
    arrivals = padded(volume, target_s, clock)
    kwargs = {"start": MIDNIGHT, "interval_s": HALF_HOUR, "target_s": target_s, "clock": clock}
    agents = required_agents(arrivals, aht, **kwargs)
    check = check_plan(arrivals, aht, agents, **kwargs)
    if arrivals.sum() * aht > 1e-6:
        assert check.share_in_target >= 1 - 1e-6
        assert check.backlog_end_s == pytest.approx(0, abs=1e-6 * arrivals.sum() * aht + 1e-6)
