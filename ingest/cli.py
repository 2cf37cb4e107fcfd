"""``callcenter ingest``: load files and folders into the ingest database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from callcenter_cli import emit, user_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--db",
    "db_path",
    default="data/ingest.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The ingest database (raw tables, quarantine, manifest).",
)
@click.option(
    "--timezone",
    default="Asia/Shanghai",
    show_default=True,
    help="The PBX's local time zone (Master.csv times and exports without an offset).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@user_errors
def ingest(paths: tuple[Path, ...], db_path: Path, timezone: str, as_json: bool) -> None:
    """Load Asterisk queue_log and Master.csv files, the engine's CSV exports,
    Amazon Connect contact records and FreePBX recordings folders (audio files: name
    and WAV header) from files or folders (read recursively).

    Loading is incremental and idempotent: a file loaded before is read only from where
    it stopped, a rotated file is recognised by its content, and a record already
    present is counted as a duplicate. Lines that cannot be used go to quarantine
    tables with the reason. Exit code 1 when a file could not be read at all.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ingest.contract import ReadOptions
    from ingest.loader import Loader

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone {timezone!r}", param_hint="--timezone"
        ) from None
    missing = [str(p) for p in paths if not p.exists()]
    with Loader(db_path, ReadOptions(timezone=timezone)) as loader:
        report = loader.ingest([p for p in paths if p.exists()])
    result = report.as_dict()
    result["missing"] = missing
    emit(result, as_json, lambda _r: _human(report, missing, db_path))
    if report.failed or missing:
        sys.exit(1)


def _human(report, missing: list[str], db_path: Path) -> str:
    lines = [
        f"{'source':<18}{'files':>6}{'read':>11}{'loaded':>11}{'duplicate':>11}{'quarantined':>13}"
    ]
    for source, t in report.by_source().items():
        lines.append(
            f"{source:<18}{t['files']:>6}{t['rows_read']:>11,}{t['loaded']:>11,}"
            f"{t['duplicate']:>11,}{t['quarantined']:>13,}"
        )
    for f in report.files:
        if f.status == "failed":
            lines.append(f"FAILED {f.path}: {f.error}")
        elif f.note:
            lines.append(f"note: {f.path}: {f.note}")
        for note, count in sorted(f.reader_notes.items()):
            lines.append(f"note: {f.path}: {note} ({count})")
    lines.extend(f"FAILED {path}: no such file or folder" for path in missing)
    lines.append(f"database: {db_path}")
    return "\n".join(lines)


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Schedule configuration (TOML); see --print-config for every key and its default.",
)
@click.option(
    "--once", is_flag=True, help="Run the ingest job (and the build after it) once, then exit."
)
@click.option("--print-config", is_flag=True, help="Print the default configuration and exit.")
@click.option("--json", "as_json", is_flag=True, help="With --once: print the job runs as JSON.")
@user_errors
def schedule(config_path: Path | None, once: bool, print_config: bool, as_json: bool) -> None:
    """Run the scheduled jobs: ingest every few minutes, warehouse build after each
    ingest that loaded rows, nightly forecast, weekly roster. Every run is recorded in
    the job_runs table of the ingest database. Stop with Ctrl-C.
    """
    import logging

    from ingest.jobs import DEFAULT_CONFIG_TOML, JobRunner, build_scheduler, load_config

    if print_config:
        click.echo(DEFAULT_CONFIG_TOML, nl=False)
        return
    config = load_config(config_path)
    runner = JobRunner(config)
    if once:
        result = runner.run("ingest")
        emit(
            result,
            as_json,
            lambda r: (
                f"ingest: {r['status']}, rows {r['rows']}"
                + (f", error: {r['error']}" if r["error"] else "")
            ),
        )
        if result["status"] == "failed":
            sys.exit(1)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler = build_scheduler(runner, blocking=True)
    click.echo(
        f"scheduler started: ingest every {config.ingest_every_minutes:g} min from "
        f"{config.landing} into {config.ingest_db}; Ctrl-C stops it",
        err=True,
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
