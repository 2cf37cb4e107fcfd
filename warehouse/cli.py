"""``callcenter build``: build the warehouse from the ingest database and publish it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from callcenter_cli import UserError, emit, user_errors
from warehouse import config
from warehouse.publish import publish
from warehouse.runner import (
    DataTestError,
    ProjectError,
    SourceError,
    WarehouseError,
    load_project,
)


@click.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/warehouse.duckdb"),
    show_default=True,
    help="The published warehouse file (replaced atomically when the build succeeds).",
)
@click.option(
    "--ingest-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/ingest.duckdb"),
    show_default=True,
    help="The ingest database holding the raw_* tables (opened read-only).",
)
@click.option(
    "--ops-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/operational.duckdb"),
    show_default=True,
    help="The operational store (QA evaluations, risk register), read-only; may not exist yet.",
)
@click.option(
    "--var",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a build variable; repeatable. "
    + "; ".join(f"{name} (default {var.default})" for name, var in config.VARIABLES.items())
    + ".",
)
@click.option(
    "--select",
    "selected",
    multiple=True,
    metavar="MODEL",
    help="Build only MODEL and the models it reads (repeatable). The published file then "
    "holds only those; the next build without --select restores the rest.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@user_errors
def build(
    db_path: Path,
    ingest_db: Path,
    ops_db: Path,
    assignments: tuple[str, ...],
    selected: tuple[str, ...],
    as_json: bool,
) -> None:
    """Build every model and run the data tests, then publish the new warehouse.

    The build runs in a new file next to --db and replaces it only if every data test
    passes, so readers never see a partial build. Prints rows and seconds per model and
    the test summary. Exit code 1 when a data test fails (failures listed, the published
    warehouse untouched) or a model fails; 2 for bad options or a missing ingest database.

    --select builds part of the warehouse quickly (what a forecast needs, say): the named
    models, everything upstream of them, and the data tests that read only those.

    \b
    --json prints one document:
      published     true, or false when data tests failed
      db            the warehouse file; build_number counts builds published there
      seconds       wall time of the whole build
      sources       rows copied per raw table from the ingest database
      variables     the build variables used
      models        name, layer, rows and seconds per model, in build order
      tests         passed, failed, and per failure: name, kind, model, config_path,
                    failing_rows and up to 5 example rows
      exceptions    rows of mart_data_exceptions per type (kept records that match no
                    call: surveys of unknown calls, voicemails without a CDR)
    """
    project = None
    if selected:
        try:
            project = load_project().upstream_of(selected)
        except ProjectError as exc:
            raise UserError(str(exc)) from None
    try:
        result = publish(
            db_path, ingest_db, config.parse_assignments(assignments), project, ops_db=ops_db
        )
    except (SourceError, config.VariableError) as exc:
        raise UserError(str(exc)) from None
    except DataTestError as exc:
        failed = {"db": str(db_path), "published": False} | exc.result.to_dict()
        if as_json:
            emit(failed, as_json=True, human=str)
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except WarehouseError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    emit(
        {"published": True} | result.to_dict() | {"exceptions": _exceptions(db_path)},
        as_json,
        _summary,
    )


def _exceptions(db_path: Path) -> dict[str, int]:
    """Rows of ``mart_data_exceptions`` per exception type in the published warehouse
    (records kept but not matching the calls they name: surveys of unknown calls ...)."""
    from warehouse.connect import read_only

    with read_only(db_path) as con:
        tables = {name for (name,) in con.execute("show tables").fetchall()}
        if "mart_data_exceptions" not in tables:
            return {}
        rows = con.execute(
            "select exception_type, count(*) from mart_data_exceptions group by 1 order by 1"
        ).fetchall()
    return {kind: int(count) for kind, count in rows}


def _summary(result: dict[str, Any]) -> str:
    models = result["models"]
    width = max([len("model"), *(len(model["name"]) for model in models)])
    lines = [
        f"published build {result['build_number']} to {result['db']} in {result['seconds']:.2f} s",
        f"{'model':<{width}}  {'rows':>10}  {'seconds':>8}",
    ]
    lines.extend(
        f"{model['name']:<{width}}  {model['rows']:>10,}  {model['seconds']:>8.3f}"
        for model in models
    )
    tests = result["tests"]
    lines.append(f"data tests: {tests['passed']} passed, {tests['failed']} failed")
    for kind, count in result.get("exceptions", {}).items():
        lines.append(f"kept, to chase (mart_data_exceptions): {count:,} {kind}")
    return "\n".join(lines)
