"""One roster run end to end: read the inputs, solve, write the exports, store the run.

The shell around the pure core (``solver``, ``coverage``): used by ``callcenter roster``
and by the scheduled job ``wfm.jobs.roster_job``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.roster.domain import Agent, RosterResult, Rules, ShiftTemplate

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass
class RosterRequest:
    """What to roster. Agents come from ``agents_csv`` or else the scenario
    (``scenario``, default ``airline``); requirements from ``requirements_csv`` or
    else the newest staffing run in ``planning_db``. ``out`` None: no export files."""

    planning_db: Path = Path("data/planning.duckdb")
    week_start: date | None = None
    time_limit_s: float = 60.0
    num_workers: int = 2
    agents_csv: Path | None = None
    scenario: str | None = None
    requirements_csv: Path | None = None
    requirements: pd.DataFrame | None = None  # already loaded: skill, ds, required
    out: Path | None = Path("roster")
    timezone: str | None = None
    rules: Rules = field(default_factory=Rules)
    skip_infeasible_agents: bool = False
    store: bool = True
    # Count the stored roster of the week before in the rest and consecutive-days rules.
    carry_over: bool = True


def load_inputs(
    request: RosterRequest,
) -> tuple[pd.DataFrame, list[Agent], list[ShiftTemplate], str]:
    """Requirements, agents, shift templates and the center's time zone."""
    from wfm.roster.inputs import (
        agents_from_scenario,
        default_templates,
        read_agents_csv,
        read_requirements_csv,
        requirements_from_planning,
    )
    from wfm.roster.solver import infer_interval_min

    if request.requirements is not None:
        requirements = request.requirements
    elif request.requirements_csv is not None:
        requirements = read_requirements_csv(request.requirements_csv)
    else:
        requirements = requirements_from_planning(request.planning_db)
    timezone = request.timezone
    if request.agents_csv is not None:
        agents = read_agents_csv(request.agents_csv)
        interval = infer_interval_min(requirements) if len(requirements) else 30
        templates = default_templates(requirements, interval)
    else:
        from acd.scenario import load_scenario

        scenario = load_scenario(request.scenario or "airline")
        agents, templates = agents_from_scenario(scenario)
        timezone = timezone or scenario.center.timezone
    return requirements, agents, templates, timezone or DEFAULT_TIMEZONE


def run_roster(request: RosterRequest) -> dict[str, Any]:
    """Solve, export and store; returns the summary document the CLI prints."""
    from wfm.roster.inputs import week_of
    from wfm.roster.solver import solve_roster

    requirements, agents, templates, timezone = load_inputs(request)
    week = week_of(requirements, request.week_start)
    carried = 0
    if request.carry_over:
        agents, carried = _with_previous_week(agents, request.planning_db, week)
    result = solve_roster(
        agents,
        templates,
        requirements,
        week,
        rules=request.rules,
        time_limit_s=request.time_limit_s,
        num_workers=request.num_workers,
        on_infeasible="skip" if request.skip_infeasible_agents else "error",
    )
    files = write_exports(result, agents, timezone, request.out) if request.out else {}
    run_id, rows = None, 0
    if request.store:
        from wfm.roster.store import save_roster

        run_id, rows = save_roster(request.planning_db, result)
    return {
        "week_start": week.isoformat(),
        "status": result.status,
        "objective": result.objective,
        "best_bound": _finite(result.best_bound),  # None: no bound known
        "gap": None if math.isnan(result.gap) else round(result.gap, 6),
        "solve_s": result.solve_s,
        "summary": result.summary,
        "warnings": result.warnings,
        "files": files,
        "run_id": run_id,
        "rows_stored": rows,
        "planning_db": str(request.planning_db) if request.store else None,
        "timezone": timezone,
        "carried_over_agents": carried,
    }


def _with_previous_week(
    agents: list[Agent], planning_db: Path, week: date
) -> tuple[list[Agent], int]:
    """``agents`` carrying the end of their previous week from the newest stored roster of
    the week before ``week`` (unchanged when there is none), and how many carry one."""
    from wfm.roster.inputs import previous_weeks
    from wfm.roster.store import latest_roster

    before = previous_weeks(latest_roster(planning_db, week - timedelta(days=7)), week)
    out = [replace(a, previous=before[a.agent_id]) if a.agent_id in before else a for a in agents]
    carried = sum(a.agent_id in before for a in agents)
    if carried:
        log.info("roster: %d agent(s) carry the end of the week before", carried)
    return out, carried


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def write_exports(
    result: RosterResult, agents: list[Agent], timezone: str, out: Path
) -> dict[str, Any]:
    """roster.csv (engine format), coverage.csv, roster.xlsx and ics/<agent>.ics."""
    from wfm.roster.exports import write_calendars, write_roster_csv, write_workbook

    out.mkdir(parents=True, exist_ok=True)
    csv_path = write_roster_csv(result.activities, out / "roster.csv")
    coverage_path = out / "coverage.csv"
    frame = result.coverage.copy()
    frame["ds"] = pd.to_datetime(frame["ds"]).dt.strftime("%Y-%m-%d %H:%M")
    frame.to_csv(coverage_path, index=False)
    summary = {
        "week_start": result.week_start.isoformat(),
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "solve_s": result.solve_s,
        **result.summary,
        **{f"warning {i + 1}": w for i, w in enumerate(result.warnings)},
    }
    xlsx_path = write_workbook(
        result.activities, agents, result.coverage, summary, result.week_start, out / "roster.xlsx"
    )
    rostered = [a.agent_id for a in agents]
    calendars = write_calendars(result.activities, rostered, timezone, out / "ics")
    return {
        "csv": str(csv_path),
        "coverage_csv": str(coverage_path),
        "xlsx": str(xlsx_path),
        "ics_folder": str(out / "ics"),
        "ics_files": len(calendars),
    }
