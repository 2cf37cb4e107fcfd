"""Scheduled WFM jobs (run by ``ingest.jobs.JobRunner``; each returns the rows it wrote)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)


def roster_job(config: Any) -> int:
    """Roster next week (the Monday after today in ``config.timezone``) from the newest
    staffing requirements in ``config.planning_db``; store the run and return the
    ``roster_shifts`` rows written (0, with a log line, when there is nothing to roster).

    Agents: ``config.roster_agents`` (an agents CSV) when the configuration has it, else
    the ``airline`` scenario's agents. Time limit: ``config.roster_time_limit_s``
    (default 60 s). Exports go to ``config.roster_out`` when set.
    """
    from wfm.roster.domain import RosterInputError
    from wfm.roster.inputs import next_monday, requirements_from_planning
    from wfm.roster.service import RosterRequest, run_roster

    planning_db = Path(config.planning_db)
    week = next_monday(datetime.now(ZoneInfo(config.timezone)).date())
    try:
        requirements = requirements_from_planning(planning_db)
    except RosterInputError as exc:
        log.info("roster: skipped: %s", exc)
        return 0
    start = datetime.combine(week, datetime.min.time())
    days = (requirements["ds"] - start).dt.days
    if not ((days >= 0) & (days < 7) & (requirements["required"] > 0)).any():
        log.info("roster: skipped: no staffing requirements for the week of %s", week)
        return 0
    agents_csv = getattr(config, "roster_agents", None)
    out = getattr(config, "roster_out", None)
    request = RosterRequest(
        planning_db=planning_db,
        week_start=week,
        time_limit_s=float(getattr(config, "roster_time_limit_s", 60.0)),
        agents_csv=Path(agents_csv) if agents_csv else None,
        requirements=requirements,
        out=Path(out) if out else None,
        timezone=config.timezone,
        skip_infeasible_agents=True,  # unattended: roster the others, warn about these
    )
    outcome = run_roster(request)
    for warning in outcome["warnings"]:
        log.warning("roster: %s", warning)
    log.info(
        "roster: week of %s %s, coverage %.2f%%, %d rows stored (run %s)",
        week,
        outcome["status"],
        outcome["summary"]["coverage_pct"],
        outcome["rows_stored"],
        outcome["run_id"],
    )
    return int(outcome["rows_stored"])
