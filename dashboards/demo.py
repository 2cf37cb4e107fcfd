"""``callcenter demo``: the whole pipeline on simulated data, one command.

simulate (acd) -> landing folder -> ingest (raw tables, quarantine, manifest) -> build
(warehouse marts, data tests, publish). It lives with the dashboards because it is the
one place allowed to call every stage; the dashboard itself joins it when it exists.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import click

from callcenter_cli import progress, user_errors


@click.command()
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 3660))
@click.option("--start", default="2026-09-01", show_default=True, help="First simulated day.")
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the landing files and the databases.",
)
@user_errors
def demo(days: int, start: str, data_dir: Path) -> None:
    """Simulate the airline center, ingest its files and build the warehouse.

    Writes data/landing (the PBX's and business systems' files), data/ingest.duckdb (raw
    tables) and data/warehouse.duckdb (the published marts), and prints what each stage
    did.
    """
    from acd.simulate import format_summary, simulate
    from ingest.loader import Loader
    from ingest.readers.tariffs import DEFAULT_TARIFF_CSV
    from warehouse.publish import publish
    from warehouse.runner import WarehouseError

    landing = data_dir / "landing"
    ingest_db = data_dir / "ingest.duckdb"
    warehouse_db = data_dir / "warehouse.duckdb"
    first_day = date.fromisoformat(start)

    started = time.monotonic()
    with progress(days, "day", "simulating") as advance:
        summary = simulate("airline", first_day, days, 7, landing, progress=lambda _d: advance(1))
    click.echo(format_summary(summary))
    # The carrier's price list, as the billing system would export it.
    tariffs = landing / "billing" / "tariffs.csv"
    tariffs.parent.mkdir(parents=True, exist_ok=True)
    tariffs.write_text(DEFAULT_TARIFF_CSV, encoding="utf-8")

    click.echo("\ningesting ...", err=True)
    with Loader(ingest_db) as loader:
        report = loader.ingest([landing])
    for source, totals in report.by_source().items():
        click.echo(
            f"ingest {source:<18} {totals['files']:>4} files {totals['loaded']:>11,} rows loaded "
            f"{totals['duplicate']:>7,} duplicate {totals['quarantined']:>5,} quarantined"
        )
    for failed in report.failed:
        click.echo(f"ingest FAILED {failed.path}: {failed.error}")

    click.echo("\nbuilding the warehouse ...", err=True)
    try:
        result = publish(warehouse_db, ingest_db)
    except WarehouseError as exc:
        click.echo(f"error: the warehouse build failed: {exc}", err=True)
        sys.exit(1)
    passed = sum(test.passed for test in result.build.tests)
    click.echo(
        f"build #{result.build_number}: {len(result.build.models)} models, "
        f"{passed}/{len(result.build.tests)} data tests passed, {result.seconds:.1f} s"
    )
    click.echo(f"\nlanding folder: {landing}\nwarehouse: {warehouse_db}")
    click.echo(f"demo pipeline took {time.monotonic() - started:.0f} s")
