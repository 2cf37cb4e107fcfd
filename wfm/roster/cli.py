"""``callcenter roster``: roster a week with CP-SAT and write the exports."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from callcenter_cli import UserError, emit, user_errors
from wfm.roster.domain import RosterInputError, Rules


class _StderrLines(logging.Handler):
    """Log records as plain lines on the stderr of the moment (``click.echo``), so a
    handler installed once keeps writing where the current command's stderr is."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _progress_to_stderr() -> None:
    """Solver progress (``wfm.roster`` log lines) on stderr, once per process."""
    logger = logging.getLogger("wfm.roster")
    if not any(isinstance(h, _StderrLines) for h in logger.handlers):
        handler = _StderrLines()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _human(result: dict[str, Any]) -> str:
    s = result["summary"]
    status = {
        "OPTIMAL": "OPTIMAL (proven best)",
        "FEASIBLE": "FEASIBLE (time limit reached; best roster found)",
        "GREEDY": "GREEDY (the solver found nothing better in time; greedy roster)",
    }.get(result["status"], result["status"])
    bound = "none" if result["best_bound"] is None else f"{result['best_bound']:,.0f}"
    gap = "unknown" if result["gap"] is None else f"{100 * result['gap']:.1f}%"
    lines = [
        f"roster for the week of {result['week_start']}: {status}",
        f"objective {result['objective']:,.0f}  best bound {bound}  gap {gap}",
        f"coverage {s['coverage_pct']:.2f}% of {s['required_agent_hours']:,.1f} required "
        f"agent-hours; {s['understaffed_intervals']} under-staffed intervals "
        f"(under {s['under_coverage_h']:,.1f} h, over {s['over_coverage_h']:,.1f} h)",
        f"{s['agents_rostered']} agents, {s['shifts']} shifts, {s['agent_hours']:,.1f} paid "
        f"hours; {result['solve_s']:.1f} s",
    ]
    if result.get("carried_over_agents"):
        lines.append(
            f"rest and consecutive days count the week before for "
            f"{result['carried_over_agents']} agents (--fresh-week to ignore it)"
        )
    files = result["files"]
    if files:
        lines.append(
            f"written: {files['csv']}, {files['xlsx']}, {files['coverage_csv']}, "
            f"{files['ics_folder']}/ ({files['ics_files']} calendars)"
        )
    if result["run_id"]:
        lines.append(f"stored in {result['planning_db']} as run {result['run_id']}")
    lines += [f"warning: {w}" for w in result["warnings"]]
    return "\n".join(lines)


@click.command()
@click.option(
    "--planning",
    "planning_db",
    type=click.Path(path_type=Path),
    default=Path("data/planning.duckdb"),
    show_default=True,
    help="Planning store: requirements are read from it, the roster is stored in it.",
)
@click.option(
    "--week",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First day of the week (YYYY-MM-DD); default: the Monday of the requirements.",
)
@click.option(
    "--time-limit",
    "time_limit_s",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds for the whole run; the best roster found is returned.",
)
@click.option("--workers", type=int, default=2, show_default=True, help="CP-SAT workers.")
@click.option(
    "--agents",
    "agents_csv",
    type=click.Path(path_type=Path),
    help="Agents CSV (see wfm.roster.inputs); default: the scenario's agents.",
)
@click.option(
    "--scenario",
    default=None,
    help="Take agents and shifts from this scenario (name or TOML) [default: airline].",
)
@click.option(
    "--requirements",
    "requirements_csv",
    type=click.Path(path_type=Path),
    help="Requirements CSV skill,ds,required instead of the planning store.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("roster"),
    show_default=True,
    help="Folder for roster.csv, roster.xlsx, ics/.",
)
@click.option(
    "--timezone",
    default=None,
    help="Center time zone for the calendars [default: the scenario's, else Asia/Shanghai].",
)
@click.option(
    "--min-rest-h",
    type=float,
    default=11.0,
    show_default=True,
    help="Minimum hours between two shifts.",
)
@click.option("--min-days", type=int, default=0, show_default=True, help="Minimum days a week.")
@click.option("--max-days", type=int, default=5, show_default=True, help="Maximum days a week.")
@click.option(
    "--max-consecutive",
    type=int,
    default=5,
    show_default=True,
    help="Maximum consecutive working days.",
)
@click.option(
    "--weekend-days-off",
    type=int,
    default=1,
    show_default=True,
    help="Weekend days (Sat, Sun) every agent has off, at least.",
)
@click.option(
    "--hours-tolerance-h",
    type=float,
    default=0.0,
    show_default=True,
    help="Paid hours may differ from the contract by this much.",
)
@click.option(
    "--skip-infeasible-agents",
    is_flag=True,
    help="Leave out (with a warning) agents whose own rules cannot hold, instead of stopping.",
)
@click.option(
    "--fresh-week",
    is_flag=True,
    help="Ignore the stored roster of the week before (by default its last shifts and "
    "days worked in a row count in the rest and consecutive-days rules).",
)
@click.option("--no-store", is_flag=True, help="Do not write the run to the planning store.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def roster(
    planning_db: Path,
    week: Any,
    time_limit_s: float,
    workers: int,
    agents_csv: Path | None,
    scenario: str | None,
    requirements_csv: Path | None,
    out: Path,
    timezone: str | None,
    min_rest_h: float,
    min_days: int,
    max_days: int,
    max_consecutive: int,
    weekend_days_off: int,
    hours_tolerance_h: float,
    skip_infeasible_agents: bool,
    fresh_week: bool,
    no_store: bool,
    as_json: bool,
) -> None:
    """Roster a week: shifts, lunch and breaks per agent, from the requirement per skill
    and interval, with OR-Tools CP-SAT.

    Minimises agent-intervals short of the requirement first, then over-coverage and
    shifts outside an agent's preferred start band. Solver progress goes to stderr.

    \b
    Output:
      status          OPTIMAL | FEASIBLE (time limit) | GREEDY (greedy start only)
      objective       weighted slot-agents short, over and preference violations
      best_bound      the solver's proven lower bound of the objective
      gap             (objective - best_bound) / max(1, |objective|)
      coverage_pct    100 x sum(min(scheduled, required)) / sum(required)
      understaffed_intervals  (skill, interval) pairs with scheduled < required
      under_coverage_h / over_coverage_h   agent-hours short / beyond the requirement
      agent_hours     paid hours rostered (shift less lunch)
    """
    from wfm.roster.service import RosterRequest, run_roster

    if agents_csv is not None and scenario is not None:
        raise UserError("give --agents or --scenario, not both")
    if time_limit_s <= 0 or workers <= 0:
        raise UserError("--time-limit and --workers must be greater than 0")
    _progress_to_stderr()
    request = RosterRequest(
        planning_db=planning_db,
        week_start=week.date() if week is not None else None,
        time_limit_s=time_limit_s,
        num_workers=workers,
        agents_csv=agents_csv,
        scenario=scenario if agents_csv is None else None,
        requirements_csv=requirements_csv,
        out=out,
        timezone=timezone,
        rules=Rules(
            min_days_per_week=min_days,
            max_days_per_week=max_days,
            min_rest_min=round(min_rest_h * 60),
            max_consecutive_days=max_consecutive,
            min_weekend_days_off=weekend_days_off,
            hours_tolerance_min=round(hours_tolerance_h * 60),
        ),
        skip_infeasible_agents=skip_infeasible_agents,
        store=not no_store,
        carry_over=not fresh_week,
    )
    try:
        outcome = run_roster(request)
    except RosterInputError as exc:
        raise UserError(str(exc)) from None
    emit(outcome, as_json, _human)
