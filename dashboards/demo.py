"""``callcenter demo``: the whole pipeline on simulated data, one command.

simulate the history (acd) -> landing folder -> ingest (raw tables, quarantine, manifest)
-> build (warehouse marts, data tests, publish) -> forecast -> staff -> roster the coming
week -> simulate the coming week on that roster (appended to the landing folder, as the
PBX keeps writing) -> ingest it -> QA sample and evaluations -> risk register and
incidents -> build again (the coming week's actuals, QA scores) -> settlement reports.
The coming week gives the dashboards forecast against actual, coverage and adherence of
a roster the suite itself produced.

It lives with the dashboards because it is the one place allowed to call every stage;
the dashboard itself joins it when it exists.

The planning, QA, risk and settlement stages run the very commands a user types
(``callcenter forecast ...``), so the demo shows their real output and exercises their
real contracts. Each simulation runs as ``callcenter simulate`` in a child process while
this one loads the landing folder as it fills (the two cores work at once, and the
loader's handling of growing and rotating files is exercised the way a site uses it).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import click

from callcenter_cli import user_errors


@click.command()
@click.option(
    "--days",
    default=56,
    show_default=True,
    type=click.IntRange(1, 3660),
    help="Days of history to simulate before planning (8 weeks by default).",
)
@click.option(
    "--coming-days",
    default=7,
    show_default=True,
    type=click.IntRange(0, 7),
    help="Days after the history simulated on the new (one-week) roster; 0: none. Needs --plan.",
)
@click.option("--start", default="2026-09-01", show_default=True, help="First simulated day.")
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the landing files and the databases.",
)
@click.option(
    "--plan/--no-plan",
    default=True,
    show_default=True,
    help="After the build: forecast, staff, roster, QA, risk and settlement reports.",
)
@click.option(
    "--roster-time-limit",
    default=15.0,
    show_default=True,
    type=click.FloatRange(min=1.0),
    help="Seconds the roster solver may take.",
)
@click.option(
    "--serve/--no-serve",
    default=True,
    show_default=True,
    help="At the end, serve the dashboard on 127.0.0.1 (Ctrl-C stops it).",
)
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@user_errors
def demo(
    days: int,
    coming_days: int,
    start: str,
    data_dir: Path,
    plan: bool,
    roster_time_limit: float,
    serve: bool,
    port: int,
) -> None:
    """Simulate the airline center, ingest its files, build the warehouse, then plan,
    and run the coming week on the roster the planning produced.

    Writes data/landing (the PBX's and business systems' files), data/ingest.duckdb (raw
    tables) and data/warehouse.duckdb (the published marts); with --plan (the default)
    also data/planning.duckdb (forecasts, requirements, the next week's roster),
    data/operational.duckdb (QA sample and evaluations, risk register, incidents),
    data/roster/ and data/reports/, and the demo log-ins (printed). Prints what each stage
    did, then serves the dashboard unless --no-serve.
    """
    from ingest.readers.tariffs import DEFAULT_TARIFF_CSV
    from warehouse.publish import publish
    from warehouse.runner import WarehouseError, load_project

    landing = data_dir / "landing"
    ingest_db = data_dir / "ingest.duckdb"
    warehouse_db = data_dir / "warehouse.duckdb"
    first_day = date.fromisoformat(start)

    started = time.monotonic()
    # The carrier's price list, as the billing system would export it.
    tariffs = landing / "billing" / "tariffs.csv"
    tariffs.parent.mkdir(parents=True, exist_ok=True)
    tariffs.write_text(DEFAULT_TARIFF_CSV, encoding="utf-8")
    _simulate_and_ingest(
        ["--start", first_day.isoformat(), "--days", str(days), "--out", str(landing)],
        landing,
        ingest_db,
    )

    # With --plan the first build is only what the planning, QA and risk steps read (the
    # last build of the plan builds everything); without it, this is the only build.
    project = load_project().upstream_of(PLANNING_INPUTS) if plan else None
    click.echo(f"\nbuilding the warehouse{' (what planning reads)' if plan else ''} ...", err=True)
    try:
        result = publish(warehouse_db, ingest_db, project=project)
    except WarehouseError as exc:
        click.echo(f"error: the warehouse build failed: {exc}", err=True)
        sys.exit(1)
    passed = sum(test.passed for test in result.build.tests)
    click.echo(
        f"build #{result.build_number}: {len(result.build.models)} models, "
        f"{passed}/{len(result.build.tests)} data tests passed, {result.seconds:.1f} s"
    )
    if plan:
        _plan(data_dir, first_day, days, coming_days, roster_time_limit)
    click.echo(f"\nlanding folder: {landing}\nwarehouse: {warehouse_db}")
    click.echo(f"demo pipeline took {time.monotonic() - started:.0f} s")
    if serve:
        _run_step(["serve", "--data", str(data_dir), "--port", str(port)])


# What forecast and staff (mart_interval_kpis, mart_backlog, int_queue_visits), the QA
# sample (qa.calls) and risk incident detection (qa.risk.history) read from the warehouse.
PLANNING_INPUTS = (
    "mart_interval_kpis",
    "mart_backlog",
    "int_queue_visits",
    "fct_calls",
    "stg_recordings",
    "int_agent_visits",
    "mart_ivr",
    "int_ivr_journeys",
)

# The engine's ground truth (every call's true wait, hidden agent quality): what no real
# site has, so the demo does not load it; tests and benchmarks compare against it, and
# ``callcenter ingest data/landing/truth`` loads it for an analyst who wants it.
NOT_INGESTED = frozenset({"truth"})
_COUNTS = ("loaded", "duplicate", "quarantined")
PROGRESS_EVERY_S = 10.0  # seconds between two "ingesting: ..." lines


def _simulate_and_ingest(sim_args: list[str], landing: Path, ingest_db: Path) -> None:
    """Run ``callcenter simulate SIM_ARGS`` in a child process and load the landing folder
    while it writes, as the scheduler's ingest job does while a PBX writes its logs.

    Simulation (one core, pure Python) and loading (parsing and DuckDB) overlap on a
    2-core machine instead of taking turns. The loader is built for files that grow and
    rotate under it: a pass loads every complete line written so far, a line or file still
    being written waits for the next pass, and the pass after the child has exited loads
    the rest. The result is the same raw tables as one load after the simulation (rows
    read twice, if any, are counted as duplicates by natural key and not inserted).
    """
    from ingest.loader import Loader

    command = [sys.executable, "-m", "callcenter_cli", "simulate", *sim_args]
    click.echo(f"\n$ callcenter simulate {' '.join(sim_args)}  (ingesting as it writes)", err=True)
    started = time.monotonic()
    child = subprocess.Popen(command)
    totals: dict[str, dict[str, int]] = {}
    files: dict[str, set[str]] = {}
    failed: dict[str, str] = {}
    loaded = passes = 0
    shown = started
    try:
        with Loader(ingest_db) as loader:
            while True:
                finished = child.poll() is not None
                paths = (
                    [p for p in sorted(landing.iterdir()) if p.name not in NOT_INGESTED]
                    if landing.is_dir()
                    else []
                )
                report = loader.ingest(paths)
                passes += 1
                before = loaded
                for f in report.files:
                    if f.status == "failed":
                        failed[f.path] = f.error
                        continue
                    failed.pop(f.path, None)  # a later pass loaded it after all
                    if not f.source or f.status == "unchanged":
                        continue
                    files.setdefault(f.source, set()).add(f.path)
                    t = totals.setdefault(f.source, dict.fromkeys(_COUNTS, 0))
                    t["loaded"] += f.rows_loaded
                    t["duplicate"] += f.rows_duplicate
                    t["quarantined"] += f.rows_quarantined
                    loaded += f.rows_loaded
                if finished:
                    break
                if loaded > before:
                    if time.monotonic() - shown >= PROGRESS_EVERY_S:
                        shown = time.monotonic()
                        click.echo(
                            f"ingesting: {loaded:,} rows loaded "
                            f"({shown - started:.0f} s, pass {passes})",
                            err=True,
                        )
                else:  # nothing new yet: give the simulation a moment
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        child.wait(timeout=2.0)
    except BaseException:
        child.kill()
        child.wait()
        raise
    if child.returncode != 0:
        click.echo(f"error: demo step 'callcenter simulate' failed ({child.returncode})", err=True)
        sys.exit(1)
    for source, t in totals.items():
        click.echo(
            f"ingest {source:<18} {len(files[source]):>4} files {t['loaded']:>11,} rows loaded "
            f"{t['duplicate']:>7,} duplicate {t['quarantined']:>5,} quarantined"
        )
    for path, error in failed.items():
        click.echo(f"ingest FAILED {path}: {error}")
    click.echo(
        f"(simulate and ingest: {time.monotonic() - started:.0f} s, {passes} ingest passes; "
        f"not loaded: {', '.join(sorted(NOT_INGESTED))}/)",
        err=True,
    )


def _plan(
    data_dir: Path, first_day: date, days: int, coming_days: int, roster_time_limit: float
) -> None:
    """The planning, QA, risk and settlement stages, as the commands a user types."""
    from importlib.resources import files

    warehouse = str(data_dir / "warehouse.duckdb")
    planning = str(data_dir / "planning.duckdb")
    ops = str(data_dir / "operational.duckdb")
    last_day = first_day + timedelta(days=days - 1)
    coming_start = last_day + timedelta(days=1)
    period_end = last_day + timedelta(days=coming_days)
    qa_week = max(first_day, last_day - timedelta(days=6))
    register = str(files("qa.risk") / "airline_register.toml")
    planning_steps = [
        ["forecast", "--db", warehouse, "--planning", planning, "--horizon", "14d"],
        ["staff", "--planning", planning, "--db", warehouse],
        [
            "roster",
            "--planning",
            planning,
            "--scenario",
            "airline",
            "--week",
            coming_start.isoformat(),
            "--time-limit",
            f"{roster_time_limit:g}",
            "--skip-infeasible-agents",
            "--out",
            str(data_dir / "roster"),
        ],
    ]
    for args in planning_steps:
        _run_step(args)
    if coming_days:
        _simulate_and_ingest(
            [
                "--start",
                coming_start.isoformat(),
                "--days",
                str(coming_days),
                "--roster",
                str(data_dir / "roster" / "roster.csv"),
                "--append",
                "--out",
                str(data_dir / "landing"),
            ],
            data_dir / "landing",
            data_dir / "ingest.duckdb",
        )
    steps = [
        [
            "qa",
            "sample",
            "--db",
            warehouse,
            "--ops-db",
            ops,
            "--week",
            qa_week.isoformat(),
            "--per-agent",
            "2",
            "--evaluators",
            "qa,qa2,qa3",
            "--seed",
            "7",
        ],
        [
            *("qa", "score", "--db", warehouse, "--ops-db", ops, "--simulate", "150"),
            *("--with-responses", "--evaluators", "qa,qa2,qa3", "--seed", "7"),
        ],
        [
            "qa",
            "score",
            "--db",
            warehouse,
            "--ops-db",
            ops,
            "--simulate",
            "10",
            "--calibration-session",
            "demo",
            "--evaluators",
            "qa,qa2,qa3",
            "--seed",
            "7",
        ],
        ["qa", "calibrate", "--ops-db", ops, "--session", "demo"],
        ["risk", "add", "--file", register, "--ops-db", ops],
        ["risk", "incidents", "--detect", "--db", warehouse, "--ops-db", ops],
        [
            "build",
            "--db",
            warehouse,
            "--ingest-db",
            str(data_dir / "ingest.duckdb"),
            "--ops-db",
            ops,
        ],
        ["qa", "report", "--ops-db", ops, "--db", warehouse],
        [
            "settle",
            "--db",
            warehouse,
            "--period",
            f"{first_day.isoformat()}..{period_end.isoformat()}",
            "--out",
            str(data_dir / "reports"),
        ],
    ]
    for args in steps:
        _run_step(args)

    from dashboards.auth import demo_users

    click.echo("\ndashboard log-ins (one user per role; passwords shown once):")
    for user_id, role, password in demo_users(Path(ops)):
        shown = password if password is not None else "(exists already, password unchanged)"
        click.echo(f"  {user_id:<9} {role:<9} {shown}")
    click.echo(f"serve the dashboard: callcenter serve --data {data_dir}")


def _run_step(args: list[str]) -> None:
    """Run ``callcenter ARGS`` in this process; stop the demo if it fails."""
    from callcenter_cli import main

    click.echo(f"\n$ callcenter {' '.join(args)}", err=True)
    started = time.monotonic()
    try:
        main.main(args, prog_name="callcenter", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(f"error: demo step 'callcenter {args[0]}': {exc.format_message()}", err=True)
        sys.exit(1)
    except SystemExit as exc:
        if exc.code not in (0, None):
            click.echo(f"error: demo step 'callcenter {args[0]}' failed", err=True)
            sys.exit(1)
    click.echo(f"({args[0]}: {time.monotonic() - started:.0f} s)", err=True)
