"""wfm.adherence: hand-built timelines with minutes worked out by hand, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.adherence import (
    AdherenceRules,
    ScheduledActivity,
    ScheduleError,
    StateSpan,
    compute_adherence,
    team_adherence,
)

DAY = date(2026, 11, 23)
MIN = 60.0


def t(hhmm: str, day: date = DAY) -> float:
    """Epoch seconds of a UTC wall-clock time on ``day``."""
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).timestamp()


def act(agent: str, activity: str, start: str, end: str, day: date = DAY) -> ScheduledActivity:
    return ScheduledActivity(agent, day, activity, t(start, day), t(end, day))


def state(agent: str, name: str, start: str, end: str | None, reason: str = "") -> StateSpan:
    return StateSpan(agent, name, reason or None, t(start), None if end is None else t(end))


# A1: shift 08:00-12:00 with a break 10:00-10:15.
SCHEDULE = [act("A1", "shift", "08:00", "12:00"), act("A1", "break", "10:00", "10:15")]
# Logs in 7 min late, starts the break 3 min late, comes back 5 min late, stays 10 min over.
STATES = [
    state("A1", "available", "08:07", "08:30"),
    state("A1", "talking", "08:30", "09:00"),
    state("A1", "available", "09:00", "10:03"),
    state("A1", "aux", "10:03", "10:20", "break"),
    state("A1", "available", "10:20", "12:10"),
    state("A1", "logged_out", "12:10", None),
]


def test_hand_built_day() -> None:
    result = compute_adherence(SCHEDULE, STATES, threshold_s=5 * MIN)
    (row,) = result.days
    # In adherence: open 08:07-10:00 (113) + break 10:03-10:15 (12) + open 10:20-12:00 (100).
    assert row.scheduled_s == 240 * MIN
    assert row.in_adherence_s == pytest.approx(225 * MIN)
    assert row.out_of_adherence_s == pytest.approx(15 * MIN)
    assert row.adherence == pytest.approx(225 / 240)
    # Worked: 08:07-10:03 (116) + 10:20-12:10 (110) against 225 scheduled open minutes.
    assert row.scheduled_open_s == 225 * MIN
    assert row.worked_s == pytest.approx(226 * MIN)
    assert row.conformance == pytest.approx(226 / 225)
    assert row.unscheduled_worked_s == pytest.approx(10 * MIN)
    assert row.login_s == t("08:07")
    # Out of adherence: 08:00-08:07 (7 min), 10:00-10:03 (3 min), 10:15-10:20 (5 min, not
    # longer than 5 min).
    (late,) = result.exceptions
    assert (late.start_s, late.end_s) == (t("08:00"), t("08:07"))
    assert (late.scheduled_activity, late.actual_state) == ("open", "logged_out")
    assert row.exceptions == 1
    lower = compute_adherence(SCHEDULE, STATES, threshold_s=4 * MIN)
    assert [(e.scheduled_activity, e.actual_state, e.duration_s) for e in lower.exceptions] == [
        ("open", "logged_out", 7 * MIN),
        ("open", "aux:break", 5 * MIN),
    ]


def test_reason_matching_and_any_aux() -> None:
    states = [
        state("A1", "available", "08:00", "10:00"),
        state("A1", "aux", "10:00", "10:15", "personal"),
        state("A1", "available", "10:15", "12:00"),
    ]
    strict = compute_adherence(SCHEDULE, states).days[0]
    assert strict.in_adherence_s == pytest.approx(225 * MIN)
    loose = compute_adherence(SCHEDULE, states, rules=AdherenceRules.any_aux()).days[0]
    assert loose.in_adherence_s == pytest.approx(240 * MIN)


def test_rules_from_mapping() -> None:
    rules = AdherenceRules.from_mapping(
        {"open_states": ["available", "talking"], "activities": {"lunch": ["aux", "logged_out"]}}
    )
    assert rules.matches("open", "talking", None)
    assert not rules.matches("open", "acw", None)
    assert rules.matches("lunch", "logged_out", None)
    assert rules.matches("break", "aux", "break")
    assert not rules.matches("break", "aux", "lunch")
    assert rules.worked_states == {"available", "talking"}
    with pytest.raises(ValueError, match="unknown adherence setting"):
        AdherenceRules.from_mapping({"open": []})
    with pytest.raises(ValueError, match="list of state names"):
        AdherenceRules.from_mapping({"open_states": "available"})


def test_agent_without_states_and_states_without_schedule() -> None:
    schedule = [*SCHEDULE, act("A2", "shift", "09:00", "17:00")]
    states = [*STATES, state("A3", "available", "09:00", "10:00")]
    result = compute_adherence(schedule, states)
    a2 = next(r for r in result.days if r.agent_id == "A2")
    assert a2.adherence == 0.0
    assert a2.worked_s == 0.0
    assert a2.conformance == 0.0
    assert "no agent states" in a2.note
    (exception,) = [e for e in result.exceptions if e.agent_id == "A2"]
    assert exception.duration_s == 8 * 3600
    assert any("A3" in note for note in result.notes)


def test_work_outside_every_shift_window_is_noted() -> None:
    # B's late shift stretches the scored period to 23:00; A1's window ends at 13:00.
    schedule = [*SCHEDULE, act("B", "shift", "14:00", "22:00")]
    states = [*STATES[:-1], state("A1", "logged_out", "12:10", "20:00")]
    states.append(state("A1", "available", "20:00", "21:00"))
    states.append(state("B", "available", "14:00", "22:00"))
    states.append(state("C", "talking", "23:30", "23:50"))  # outside the scored period
    result = compute_adherence(schedule, states, window_margin_s=3600)
    assert result.days[0].worked_s == pytest.approx(226 * MIN)
    assert result.notes == ["agent A1: 60 min on phone on days without a shift (not scored)"]


def test_neighbouring_shifts_split_worked_time_halfway() -> None:
    night = date(2026, 11, 24)
    schedule = [
        act("N", "shift", "08:00", "12:00"),
        act("N", "shift", "14:00", "18:00", night),
    ]
    # Worked 08:00-13:30 on the 23rd; and the second shift, a day later, in full.
    states = [
        state("N", "available", "08:00", "13:30"),
        StateSpan("N", "available", None, t("14:00", night), t("18:00", night)),
    ]
    first, second = compute_adherence(schedule, states).days
    assert first.worked_s == pytest.approx(5.5 * 3600)
    assert first.unscheduled_worked_s == pytest.approx(1.5 * 3600)
    assert second.worked_s == pytest.approx(4 * 3600)


def test_until_cuts_the_day() -> None:
    result = compute_adherence(SCHEDULE, STATES[:5], until_s=t("09:00"))
    (row,) = result.days
    assert row.scheduled_s == 60 * MIN
    assert row.in_adherence_s == pytest.approx(53 * MIN)
    later = compute_adherence(SCHEDULE, STATES, until_s=t("07:00")).days[0]
    assert later.adherence is None
    assert "not started" in later.note


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([act("A", "shift", "08:00", "16:00"), act("A", "break", "07:50", "08:05")], "outside"),
        (
            [act("A", "shift", "08:00", "16:00"), act("A", "shift", "09:00", "10:00")],
            "2 shift rows",
        ),
        ([act("A", "break", "09:00", "10:00")], "0 shift rows"),
        ([act("A", "shift", "08:00", "16:00"), act("A", "nap", "09:00", "10:00")], "'nap'"),
        ([act("A", "shift", "08:00", "16:00"), act("A", "lunch", "12:00", "11:00")], "ends before"),
        (
            [
                act("A", "shift", "08:00", "16:00"),
                act("A", "lunch", "12:00", "13:00"),
                act("A", "break", "12:30", "12:45"),
            ],
            "overlaps the activity",
        ),
    ],
)
def test_bad_schedules(rows: list[ScheduledActivity], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        compute_adherence(rows, STATES)


def test_overlapping_shifts_message() -> None:
    rows = [
        act("A", "shift", "08:00", "16:00"),
        ScheduledActivity("A", date(2026, 11, 24), "shift", t("15:00"), t("20:00")),
    ]
    with pytest.raises(ScheduleError, match="agent A: the shift of 2026-11-24 overlaps"):
        compute_adherence(rows, [])


def test_team_rollup_is_time_weighted() -> None:
    schedule = [*SCHEDULE, act("A2", "shift", "08:00", "10:00")]
    states = [*STATES, state("A2", "available", "08:00", "10:00")]
    days = compute_adherence(schedule, states).days
    teams = team_adherence(days, {"A1": "red", "A2": "blue"})
    by_team = {row.team: row for row in teams}
    assert by_team["red"].adherence == pytest.approx(225 / 240)
    assert by_team["red"].meets_target is True
    assert by_team["blue"].adherence == 1.0
    assert by_team["all"].adherence == pytest.approx((225 + 120) / (240 + 120))
    assert by_team["all"].agents == 2
    assert [row.team for row in teams] == ["blue", "red", "all"]
    strict = team_adherence(days, {"A1": "red"}, target=0.95)
    assert {r.team: r.meets_target for r in strict} == {"red": False, "all": True}


# ----------------------------------------------------------------- properties

MINUTES = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def shifts_with_activities(draw: st.DrawFn) -> list[ScheduledActivity]:
    """One shift with non-overlapping breaks inside, at whole minutes."""
    start = draw(st.integers(0, 12 * 60))
    length = draw(st.integers(60, 10 * 60))
    cuts = sorted(draw(st.lists(st.integers(1, length - 1), max_size=6, unique=True)))
    base = t("00:00")
    rows = [ScheduledActivity("A", DAY, "shift", base + start * MIN, base + (start + length) * MIN)]
    kinds = draw(st.lists(st.sampled_from(("break", "lunch", "training")), min_size=3, max_size=3))
    for i, (a, b) in enumerate(zip(cuts[::2], cuts[1::2], strict=False)):
        rows.append(
            ScheduledActivity(
                "A", DAY, kinds[i % 3], base + (start + a) * MIN, base + (start + b) * MIN
            )
        )
    return rows


def mirror(schedule: list[ScheduledActivity]) -> list[StateSpan]:
    """A state timeline doing exactly what the schedule says."""
    shift = next(r for r in schedule if r.activity == "shift")
    inner = sorted((r for r in schedule if r.activity != "shift"), key=lambda r: r.start_s)
    spans, cursor = [], shift.start_s
    for row in inner:
        if row.start_s > cursor:
            spans.append(StateSpan("A", "available", None, cursor, row.start_s))
        spans.append(StateSpan("A", "aux", row.activity, row.start_s, row.end_s))
        cursor = row.end_s
    if cursor < shift.end_s:
        spans.append(StateSpan("A", "talking", None, cursor, shift.end_s))
    spans.append(StateSpan("A", "logged_out", None, shift.end_s, None))
    return spans


@settings(max_examples=60, deadline=None)
@given(shifts_with_activities())
def test_identical_timeline_is_fully_adherent(schedule: list[ScheduledActivity]) -> None:
    result = compute_adherence(schedule, mirror(schedule))
    (row,) = result.days
    assert row.adherence == pytest.approx(1.0)
    assert row.conformance == pytest.approx(1.0)
    assert result.exceptions == []


@settings(max_examples=60, deadline=None)
@given(shifts_with_activities(), st.data())
def test_late_login_costs_exactly_its_minutes(schedule: list[ScheduledActivity], data) -> None:
    spans = mirror(schedule)
    first = spans[0]
    late = data.draw(st.integers(0, int((first.end_s - first.start_s) / MIN)), label="late")
    shifted = [StateSpan("A", first.state, first.reason, first.start_s + late * MIN, first.end_s)]
    if shifted[0].end_s <= shifted[0].start_s:
        shifted = []
    before = compute_adherence(schedule, spans).days[0]
    after_result = compute_adherence(schedule, shifted + spans[1:], threshold_s=0)
    after = after_result.days[0]
    assert before.in_adherence_s - after.in_adherence_s == pytest.approx(late * MIN)
    if late:
        assert after_result.exceptions[0].start_s == first.start_s
        assert after_result.exceptions[0].duration_s == pytest.approx(late * MIN)


@settings(max_examples=80, deadline=None)
@given(
    shifts_with_activities(),
    st.lists(
        st.tuples(
            MINUTES,
            st.integers(1, 600),
            st.sampled_from(("available", "talking", "aux", "logged_out", "acw")),
            st.sampled_from(("", "break", "lunch", "training")),
        ),
        max_size=12,
    ),
)
def test_adherence_is_a_fraction(schedule: list[ScheduledActivity], raw_states) -> None:
    base = t("00:00")
    states = [
        StateSpan("A", name, reason or None, base + start * MIN, base + (start + length) * MIN)
        for start, length, name, reason in raw_states
    ]
    result = compute_adherence(schedule, states, threshold_s=0)
    (row,) = result.days
    assert 0.0 <= row.adherence <= 1.0 + 1e-12
    assert row.worked_s >= 0
    out = sum(e.duration_s for e in result.exceptions)
    assert out == pytest.approx(row.out_of_adherence_s)
