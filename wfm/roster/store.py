"""Rosters in the planning store (DuckDB, default ``data/planning.duckdb``).

Tables (created if missing; one transaction per run)::

    roster_runs(run_id, created_at TIMESTAMP (UTC), week_start DATE, status, objective,
                best_bound, gap, solve_s, under_coverage (agent-hours short), parameters
                VARCHAR (JSON: the run's options, rules, weights, summary, warnings))
    roster_shifts(run_id, agent_id, date DATE, activity, start_local TIMESTAMP,
                  end_local TIMESTAMP)           -- shift | break | lunch, local wall clock
    roster_coverage(run_id, skill, ds TIMESTAMP, required DOUBLE, scheduled DOUBLE)

``latest_roster(planning_db)`` gives ``roster_shifts`` of the newest run (adherence
reads it).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from wfm.roster.domain import RosterResult

DDL = (
    """
    create table if not exists roster_runs (
        run_id varchar primary key,
        created_at timestamp not null,   -- UTC
        week_start date not null,
        status varchar not null,         -- OPTIMAL | FEASIBLE | GREEDY
        objective double,
        best_bound double,
        gap double,                      -- (objective - best_bound) / max(1, |objective|)
        solve_s double,
        under_coverage double,           -- agent-hours short of the requirement
        parameters varchar               -- JSON
    )
    """,
    """
    create table if not exists roster_shifts (
        run_id varchar not null,
        agent_id varchar not null,
        date date not null,              -- the day the shift belongs to
        activity varchar not null,       -- shift | break | lunch
        start_local timestamp not null,  -- the center's local wall-clock time
        end_local timestamp not null
    )
    """,
    """
    create table if not exists roster_coverage (
        run_id varchar not null,
        skill varchar not null,
        ds timestamp not null,           -- local interval start
        required double not null,        -- agents on the phone needed
        scheduled double not null        -- agents on the phone rostered (net of breaks)
    )
    """,
)
SHIFT_COLUMNS = ["run_id", "agent_id", "date", "activity", "start_local", "end_local"]


def save_roster(planning_db: Path, result: RosterResult) -> tuple[str, int]:
    """Store a roster run; returns ``(run_id, roster_shifts rows written)``."""
    from warehouse.connect import read_write

    run_id = uuid.uuid4().hex
    shifts = pd.DataFrame(
        [(run_id, a.agent_id, a.day, a.activity, a.start, a.end) for a in result.activities],
        columns=SHIFT_COLUMNS,
    )
    shifts["date"] = pd.to_datetime(shifts["date"])
    coverage = result.coverage[["skill", "ds", "required", "scheduled"]].copy()
    coverage.insert(0, "run_id", run_id)
    parameters = {
        **result.parameters,
        "summary": result.summary,
        "warnings": result.warnings,
    }
    with read_write(planning_db) as con:
        for ddl in DDL:
            con.execute(ddl)
        con.execute("begin transaction")
        try:
            con.execute(
                "insert into roster_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    datetime.now(UTC).replace(tzinfo=None),
                    result.week_start,
                    result.status,
                    result.objective,
                    result.best_bound,
                    result.gap,
                    result.solve_s,
                    result.summary["under_coverage_h"],
                    json.dumps(parameters, default=str),
                ],
            )
            con.register("new_shifts", shifts)
            con.execute(
                "insert into roster_shifts select run_id, agent_id, cast(date as date), "
                "activity, start_local, end_local from new_shifts"
            )
            con.register("new_coverage", coverage)
            con.execute(
                "insert into roster_coverage select run_id, skill, ds, required, scheduled "
                "from new_coverage"
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return run_id, len(shifts)


def _newest_run(con: object, week_start: object = None) -> str | None:
    sql = "select run_id from roster_runs"
    parameters: list[object] = []
    if week_start is not None:
        sql += " where week_start = ?"
        parameters.append(week_start)
    rows = con.execute(sql + " order by created_at desc limit 1", parameters).fetchall()
    return rows[0][0] if rows else None


def _has_tables(con: object) -> bool:
    names = {
        row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()
    }
    return {"roster_runs", "roster_shifts"} <= names


def latest_roster(planning_db: Path, week_start: object = None) -> pd.DataFrame:
    """``roster_shifts`` rows (``run_id, agent_id, date, activity, start_local,
    end_local``) of the newest roster run (of ``week_start`` if given); empty when
    there is none."""
    from warehouse.connect import read_only

    if not Path(planning_db).is_file():
        return pd.DataFrame(columns=SHIFT_COLUMNS)
    with read_only(planning_db) as con:
        if not _has_tables(con):
            return pd.DataFrame(columns=SHIFT_COLUMNS)
        run_id = _newest_run(con, week_start)
        if run_id is None:
            return pd.DataFrame(columns=SHIFT_COLUMNS)
        return con.execute(
            f"select {', '.join(SHIFT_COLUMNS)} from roster_shifts where run_id = ? "
            "order by agent_id, start_local, activity <> 'shift'",
            [run_id],
        ).df()


def latest_roster_run(planning_db: Path) -> dict[str, object] | None:
    """The newest ``roster_runs`` row as a dict (parameters parsed), or None."""
    from warehouse.connect import read_only

    if not Path(planning_db).is_file():
        return None
    with read_only(planning_db) as con:
        if not _has_tables(con):
            return None
        frame = con.execute("select * from roster_runs order by created_at desc limit 1").df()
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    row["parameters"] = json.loads(row["parameters"])
    return row
