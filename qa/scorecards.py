"""Agent scorecards, trends and the QA stars of the day and week.

Input: one row per evaluation with ``agent_id``, ``call_time_local``, ``score``,
``critical_failed``, ``passed`` and ``dispute_status`` (``qa.store.evaluations`` or the
warehouse's ``mart_qa_scores``). Definitions:

- An evaluation counts for the local day and the week (Monday to Sunday, ISO 8601) of the
  evaluated call, not of the evaluation; evaluations whose dispute was ``overturned`` do
  not count, nor do evaluations made in a calibration session (several evaluators score
  the same call there to align with each other, not to score the agent again).
- evaluations: counted evaluations; mean_score: their mean score (0-100, a critical fail
  scores 0); critical_fails: evaluations with a critical fail; pass_rate: passed /
  evaluations.
- trend: mean_score of the week - the mean score of the agent's evaluations in the
  ``TREND_WEEKS`` weeks before it (NULL without any); previous_mean_score is that mean.
- **Star** of a day or week: among agents with at least ``min_evaluations`` counted
  evaluations in it and no critical fail, the highest mean score; ties go to more
  evaluations, then to the smaller agent id (so the star is always one agent).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

TREND_WEEKS = 4
STAR_MIN_EVALUATIONS_WEEK = 2
STAR_MIN_EVALUATIONS_DAY = 1


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def counted(evaluations: pd.DataFrame) -> pd.DataFrame:
    """The evaluations that count, with ``day`` and ``week_start`` of the evaluated call."""
    keep = evaluations["dispute_status"] != "overturned"
    if "calibration_session" in evaluations:
        keep &= evaluations["calibration_session"].isna()
    frame = evaluations.loc[keep].copy()
    days = pd.to_datetime(frame["call_time_local"]).dt.date
    frame["day"] = days
    frame["week_start"] = days.map(week_start)
    frame["critical_failed"] = frame["critical_failed"].astype(bool)
    frame["passed"] = frame["passed"].astype(bool)
    return frame


def _summary(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return (
        frame.groupby(keys, sort=True)
        .agg(
            evaluations=("score", "size"),
            mean_score=("score", "mean"),
            critical_fails=("critical_failed", "sum"),
            pass_rate=("passed", "mean"),
        )
        .reset_index()
    )


def weekly_scorecards(evaluations: pd.DataFrame) -> pd.DataFrame:
    """One row per agent and week with the module's KPIs and the trend."""
    frame = counted(evaluations)
    columns = [
        "agent_id",
        "week_start",
        "evaluations",
        "mean_score",
        "critical_fails",
        "pass_rate",
        "previous_mean_score",
        "trend",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    weekly = _summary(frame, ["agent_id", "week_start"])
    previous = []
    for row in weekly.itertuples(index=False):
        earlier = frame.loc[
            (frame["agent_id"] == row.agent_id)
            & (frame["week_start"] < row.week_start)
            & (frame["week_start"] >= row.week_start - timedelta(weeks=TREND_WEEKS))
        ]
        previous.append(earlier["score"].mean() if len(earlier) else None)
    weekly["previous_mean_score"] = pd.Series(previous, index=weekly.index, dtype=float)
    weekly["trend"] = weekly["mean_score"] - weekly["previous_mean_score"]
    weekly["critical_fails"] = weekly["critical_fails"].astype(int)
    return weekly.loc[:, columns]


def star(frame: pd.DataFrame, min_evaluations: int) -> dict[str, Any] | None:
    """The star among ``frame``'s counted evaluations (module docstring), or None."""
    if frame.empty:
        return None
    per_agent = _summary(frame, ["agent_id"])
    eligible = per_agent.loc[
        (per_agent["evaluations"] >= min_evaluations) & (per_agent["critical_fails"] == 0)
    ]
    if eligible.empty:
        return None
    best = eligible.sort_values(
        ["mean_score", "evaluations", "agent_id"], ascending=[False, False, True]
    ).iloc[0]
    return {
        "agent_id": str(best["agent_id"]),
        "mean_score": round(float(best["mean_score"]), 2),
        "evaluations": int(best["evaluations"]),
    }


def report(
    evaluations: pd.DataFrame,
    week: date | None = None,
    day: date | None = None,
    *,
    min_evaluations_week: int = STAR_MIN_EVALUATIONS_WEEK,
    min_evaluations_day: int = STAR_MIN_EVALUATIONS_DAY,
) -> dict[str, Any]:
    """Scorecards of one week (default: the latest with evaluations) and its stars.

    The star of the day is for ``day`` (default: the latest day of the week with
    evaluations).
    """
    frame = counted(evaluations)
    if frame.empty:
        raise ValueError("no evaluations to report on")
    the_week = week_start(week) if week is not None else max(frame["week_start"])
    in_week = frame.loc[frame["week_start"] == the_week]
    cards = weekly_scorecards(evaluations)
    cards = cards.loc[cards["week_start"] == the_week]
    the_day = day
    if the_day is None and not in_week.empty:
        the_day = max(in_week["day"])
    on_day = frame.loc[frame["day"] == the_day] if the_day is not None else frame.iloc[:0]
    return {
        "week_start": str(the_week),
        "day": None if the_day is None else str(the_day),
        "evaluations": len(in_week),
        "agents": int(in_week["agent_id"].nunique()),
        "mean_score": round(float(in_week["score"].mean()), 2) if len(in_week) else None,
        "pass_rate": round(float(in_week["passed"].mean()), 4) if len(in_week) else None,
        "critical_fails": int(in_week["critical_failed"].sum()),
        "star_of_week": star(in_week, min_evaluations_week),
        "star_of_day": star(on_day, min_evaluations_day),
        "scorecards": [
            {
                key: (round(value, 4) if isinstance(value, float) and pd.notna(value) else value)
                for key, value in record.items()
            }
            | {"week_start": str(record["week_start"])}
            for record in cards.astype(object).where(cards.notna(), None).to_dict("records")
        ],
    }
