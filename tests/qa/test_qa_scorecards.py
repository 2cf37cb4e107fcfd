"""Scorecards, trends and stars on a hand-made set of evaluations."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from qa.scorecards import report, star, week_start, weekly_scorecards


def evaluations(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "agent_id",
            "call_time_local",
            "score",
            "critical_failed",
            "passed",
            "dispute_status",
        ],
    )


ROWS = [
    # week of Monday 2026-10-05
    ("A", "2026-10-05 09:00", 80.0, False, True, "none"),
    ("A", "2026-10-07 10:00", 90.0, False, True, "acknowledged"),
    ("B", "2026-10-06 10:00", 100.0, False, True, "none"),
    ("B", "2026-10-07 11:00", 0.0, True, False, "none"),
    ("C", "2026-10-05 12:00", 85.0, False, True, "none"),
    ("C", "2026-10-06 12:00", 85.0, False, True, "none"),
    ("C", "2026-10-07 12:00", 85.0, False, True, "none"),
    ("C", "2026-10-08 12:00", 0.0, True, False, "overturned"),  # does not count
    # earlier weeks of A: 2026-09-28 counts for the trend, 2026-08-24 is 6 weeks back
    ("A", "2026-09-30 09:00", 70.0, False, False, "none"),
    ("A", "2026-08-26 09:00", 10.0, False, False, "none"),
]


def test_week_start_is_the_iso_monday():
    assert week_start(date(2026, 10, 11)) == date(2026, 10, 5)
    assert week_start(date(2026, 10, 5)) == date(2026, 10, 5)


def test_weekly_scorecards_by_hand():
    cards = weekly_scorecards(evaluations(ROWS))
    week = cards.loc[cards["week_start"] == date(2026, 10, 5)].set_index("agent_id")
    assert week.loc["A", "evaluations"] == 2 and week.loc["A", "mean_score"] == 85.0
    assert week.loc["A", "previous_mean_score"] == 70.0  # only 2026-09-30 within 4 weeks
    assert week.loc["A", "trend"] == 15.0
    assert week.loc["B", "critical_fails"] == 1 and week.loc["B", "pass_rate"] == 0.5
    assert week.loc["C", "evaluations"] == 3  # the overturned evaluation is left out
    assert pd.isna(week.loc["C", "trend"])


def test_stars_of_the_week_and_day():
    result = report(evaluations(ROWS), week=date(2026, 10, 9))
    assert result["week_start"] == "2026-10-05"
    # A and C both average 85 (B has a critical fail): C has more evaluations.
    assert result["star_of_week"] == {"agent_id": "C", "mean_score": 85.0, "evaluations": 3}
    # Latest day with counted evaluations: 2026-10-07 (A 90, B 0 critical, C 85).
    assert result["day"] == "2026-10-07"
    assert result["star_of_day"]["agent_id"] == "A"
    assert result["evaluations"] == 7 and result["critical_fails"] == 1
    assert result["pass_rate"] == pytest.approx(6 / 7, abs=1e-4)
    assert {card["agent_id"] for card in result["scorecards"]} == {"A", "B", "C"}


def test_star_ties_go_to_the_smaller_agent_id_and_need_enough_evaluations():
    frame = evaluations(
        [
            ("Z", "2026-10-05 09:00", 90.0, False, True, "none"),
            ("Y", "2026-10-05 10:00", 90.0, False, True, "none"),
            ("X", "2026-10-05 11:00", 99.0, False, True, "none"),
            ("Z", "2026-10-06 09:00", 90.0, False, True, "none"),
            ("Y", "2026-10-06 10:00", 90.0, False, True, "none"),
        ]
    ).assign(day=lambda f: f["call_time_local"])
    assert star(frame, 2)["agent_id"] == "Y"
    assert star(frame, 1)["agent_id"] == "X"
    assert star(frame, 3) is None


def test_an_empty_report_is_an_error():
    with pytest.raises(ValueError, match="no evaluations"):
        report(evaluations([]))


def test_calibration_session_evaluations_do_not_count():
    frame = evaluations(ROWS).assign(calibration_session=None)
    frame.loc[frame["agent_id"] == "C", "calibration_session"] = "cal-1"
    result = report(frame, week=date(2026, 10, 5))
    assert result["star_of_week"]["agent_id"] == "A"
    assert result["evaluations"] == 4
