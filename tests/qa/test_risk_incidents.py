"""Fault levels, escalation timelines, incident detection and time to recover (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.risk.config import default_config
from qa.risk.incidents import (
    Incident,
    Scope,
    detect_ivr_drop_off,
    detect_ivr_no_queue,
    detect_no_answer,
    escalation_steps,
    fault_level,
    ivr_drop_off_incidents,
    manual_incident,
    recovery_by_level,
    seat_scope,
)

CONFIG = default_config()
LEVELS = CONFIG.fault_levels
T0 = datetime(2026, 9, 1, 2, 0)
HALF_HOUR = timedelta(minutes=30)


@pytest.mark.parametrize(
    ("scope", "level"),
    [
        (Scope(seat_share=0.6), 1),
        (Scope(all_sites=True), 1),
        (Scope(seat_share=0.5), 2),  # > 50% is level 1; exactly half is not
        (Scope(sites_down=1, seat_share=0.1), 2),
        (Scope(seat_share=0.25), 2),
        (Scope(queues_down=1, seat_share=0.01), 3),
        (Scope(seat_share=0.06), 3),
        (Scope(seat_share=0.02), 4),
        (Scope(), 4),
    ],
)
def test_fault_level_by_scope(scope: Scope, level: int) -> None:
    assert fault_level(scope, LEVELS) == level


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_wider_scope_is_never_a_milder_level(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert fault_level(Scope(seat_share=high), LEVELS) <= fault_level(Scope(seat_share=low), LEVELS)


def test_a_scope_share_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match="seat_share"):
        Scope(seat_share=1.5)


def test_level_1_timeline_steps_then_updates_every_30_minutes() -> None:
    # Level 1: 0 min duty manager + IT on call, 10 min director, 15 min VP/airline/vendor,
    # then updates every 30 minutes after the last step: 45, 75, 105, ...
    due = escalation_steps(CONFIG.escalation[1], T0, T0 + timedelta(minutes=80))
    assert [(n.after_min, n.kind) for n in due] == [
        (0, "step"),
        (10, "step"),
        (15, "step"),
        (45, "update"),
        (75, "update"),
    ]
    assert due[1].notify == ("center_director", "it_manager")
    assert due[3].due_at == T0 + timedelta(minutes=45)
    assert [n.step for n in due] == [1, 2, 3, 4, 5]
    short = escalation_steps(CONFIG.escalation[1], T0, T0 + timedelta(minutes=12))
    assert [n.after_min for n in short] == [0, 10]
    assert [n.after_min for n in escalation_steps(CONFIG.escalation[1], T0, T0)] == [0]


def test_level_4_has_no_repeated_updates() -> None:
    due = escalation_steps(CONFIG.escalation[4], T0, T0 + timedelta(hours=10))
    assert [n.after_min for n in due] == [0, 120]


def test_no_answer_intervals_of_a_queue_merge_into_one_incident() -> None:
    rows = [
        {"queue": "A", "interval_start": T0, "offered": 6, "answered": 0},
        {"queue": "B", "interval_start": T0, "offered": 10, "answered": 9},
        {"queue": "A", "interval_start": T0 + HALF_HOUR, "offered": 5, "answered": 0},
        {"queue": "B", "interval_start": T0 + HALF_HOUR, "offered": 4, "answered": 4},
        {"queue": "A", "interval_start": T0 + 2 * HALF_HOUR, "offered": 8, "answered": 3},
        # below no_answer_min_offered (5): not an incident
        {"queue": "C", "interval_start": T0 + 4 * HALF_HOUR, "offered": 4, "answered": 0},
        # one queue of 100 calls down, 5% of the offered calls: a queue-level fault
        {"queue": "D", "interval_start": T0 + 6 * HALF_HOUR, "offered": 5, "answered": 0},
        {"queue": "E", "interval_start": T0 + 6 * HALF_HOUR, "offered": 95, "answered": 90},
    ]
    incidents = detect_no_answer(rows, CONFIG, 30)
    assert [(i.queue, i.started_at, i.ended_at) for i in incidents] == [
        ("A", T0, T0 + 2 * HALF_HOUR),
        ("D", T0 + 6 * HALF_HOUR, T0 + 7 * HALF_HOUR),
    ]
    queue_a, queue_d = incidents
    # worst interval of A: 5 of the 9 calls offered at T0+30 (0.556 > 0.5): level 1
    assert queue_a.scope.seat_share == pytest.approx(5 / 9)
    assert queue_a.level == 1
    assert queue_a.evidence == {"offered": 11, "intervals": 2}
    assert queue_a.minutes_to_recover == 60
    assert queue_d.level == 3 and queue_d.scope.queues_down == 1


def test_no_call_answered_anywhere_is_a_center_level_fault() -> None:
    rows = [
        {"queue": "A", "interval_start": T0, "offered": 5, "answered": 0},
        {"queue": "B", "interval_start": T0, "offered": 3, "answered": 0},
    ]
    (incident,) = detect_no_answer(rows, CONFIG, 15)
    assert incident.scope.all_sites and incident.level == 1
    assert incident.ended_at == T0 + timedelta(minutes=15)


def test_ivr_drop_off_far_above_the_usual_rate_is_an_incident() -> None:
    days = [date(2026, 9, d) for d in range(1, 8)]
    rows = [{"day_local": d, "menu_path": "9", "calls": 100, "dropped": 10} for d in days[:5]]
    rows.append({"day_local": days[5], "menu_path": "9", "calls": 100, "dropped": 35})
    rows.append({"day_local": days[6], "menu_path": "9", "calls": 40, "dropped": 40})  # too few
    rows += [{"day_local": d, "menu_path": "1", "calls": 1000, "dropped": 0} for d in days]
    found = detect_ivr_drop_off(rows, CONFIG.detection)
    assert [(f["day_local"], f["menu_path"]) for f in found] == [(days[5], "9")]
    assert found[0]["usual_drop_off_rate"] == pytest.approx(0.10)  # median of 6 judged days
    bounds = {d: (datetime(2026, 8, 31, 16) + timedelta(days=i), None) for i, d in enumerate(days)}
    bounds = {d: (start, start + timedelta(days=1)) for d, (start, _) in bounds.items()}
    (incident,) = ivr_drop_off_incidents(rows, CONFIG, bounds)
    assert incident.started_at == datetime(2026, 9, 5, 16)
    assert incident.scope.seat_share == pytest.approx(35 / 1100)
    assert incident.level == 3 and incident.minutes_to_recover == 24 * 60


def test_calls_reaching_the_ivr_and_no_queue_is_a_center_fault() -> None:
    rows = [
        {"interval_start": T0, "ivr_calls": 30, "to_queue": 0},
        {"interval_start": T0 + HALF_HOUR, "ivr_calls": 25, "to_queue": 0},
        {"interval_start": T0 + 2 * HALF_HOUR, "ivr_calls": 30, "to_queue": 20},
        {"interval_start": T0 + 3 * HALF_HOUR, "ivr_calls": 10, "to_queue": 0},  # too few
    ]
    (incident,) = detect_ivr_no_queue(rows, CONFIG, 30)
    assert (incident.started_at, incident.ended_at) == (T0, T0 + 2 * HALF_HOUR)
    assert incident.level == 1 and incident.evidence["ivr_calls"] == 55


def _incident(number: int, level: int, minutes: float | None) -> Incident:
    end = None if minutes is None else T0 + timedelta(minutes=minutes)
    return Incident(f"I{number}", "manual", T0, end, level, Scope())


def test_time_to_recover_per_level() -> None:
    incidents = [_incident(1, 1, 30), _incident(2, 1, 90), _incident(3, 3, 10)]
    incidents += [_incident(4, 3, 20), _incident(5, 3, 60), _incident(6, 2, None)]
    rows = {row["level"]: row for row in recovery_by_level(incidents, [1, 2, 3, 4])}
    assert rows[1] == {
        "level": 1,
        "incidents": 2,
        "ended": 2,
        "mean_minutes_to_recover": 60.0,
        "median_minutes_to_recover": 60.0,
    }
    assert rows[3]["mean_minutes_to_recover"] == 30.0
    assert rows[3]["median_minutes_to_recover"] == 20.0
    assert (rows[2]["incidents"], rows[2]["ended"], rows[2]["mean_minutes_to_recover"]) == (
        1,
        0,
        None,
    )
    assert rows[4]["incidents"] == 0


@pytest.mark.parametrize(
    ("seats", "sites", "queues", "level"),
    [
        (61, 0, 0, 1),  # 61 of 120 seats: more than half
        (60, 0, 0, 2),  # exactly half: not level 1; > 20%
        (0, 1, 0, 1),  # the only site of the default center: every site
        (25, 0, 0, 2),  # 20.8%
        (24, 0, 0, 3),  # 20% exactly, > 5%
        (2, 0, 1, 3),  # a queue
        (2, 0, 0, 4),  # single seats
    ],
)
def test_reported_scope_by_seats_sites_and_queues(
    seats: int, sites: int, queues: int, level: int
) -> None:
    center = CONFIG.center
    scope = seat_scope(seats, sites, queues, center.seats_total, center.sites_total)
    incident = manual_incident("INC-1", T0, None, scope, CONFIG, "reported")
    assert incident.level == level and incident.minutes_to_recover is None


def test_a_reported_scope_larger_than_the_center_is_refused() -> None:
    with pytest.raises(ValueError, match="seats affected must be between 0 and 120"):
        seat_scope(121, 0, 0, 120, 1)
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        manual_incident("INC-1", T0, T0 - HALF_HOUR, Scope(), CONFIG, "x")
