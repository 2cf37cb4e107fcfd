"""``callcenter serve``: run the Streamlit dashboard on the data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from callcenter_cli import UserError, user_errors
from dashboards.settings import ENV_VAR, DataPaths

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int, host: str) -> list[str]:
    """The ``streamlit run`` command line for the dashboard (through
    ``dashboards.server``, which preloads the pages' heavy imports first)."""
    return [
        sys.executable,
        "-m",
        "dashboards.server",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--browser.gatherUsageStats",
        "false",
        # A served product, not a script being edited: no watching of source files.
        "--server.fileWatcherType",
        "none",
        # A product page: no "Deploy" button or developer menu in the toolbar.
        "--client.toolbarMode",
        "viewer",
    ]


def serve_environment(data_dir: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``CALLCENTER_DATA`` set to the absolute data folder and
    the project root on ``PYTHONPATH`` (so ``dashboards`` imports from any working
    directory, installed or not)."""
    environment = dict(os.environ if environ is None else environ)
    environment[ENV_VAR] = str(data_dir.resolve())
    root = str(APP.parent.parent)
    existing = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = root if not existing else os.pathsep.join([root, existing])
    return environment


@click.command()
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder with warehouse.duckdb, planning.duckdb and operational.duckdb.",
)
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@user_errors
def serve(data_dir: Path, port: int, host: str) -> None:
    """Serve the dashboard (Streamlit) on the data folder until interrupted.

    Users log in with the accounts of the operational store ('callcenter users add').
    """
    paths = DataPaths(data_dir)
    if not paths.warehouse.is_file():
        raise UserError(f"no warehouse at {paths.warehouse}: run 'callcenter demo' first")
    click.echo(f"dashboard: http://{host}:{port}  (data: {data_dir}; Ctrl-C stops it)")
    # Become the Streamlit server (exec, not a child process): a supervisor's SIGTERM, a
    # test's terminate() or Ctrl-C reach the server itself and nothing is left running.
    sys.stdout.flush()
    sys.stderr.flush()
    command = streamlit_command(port, host)
    try:
        os.execve(command[0], command, serve_environment(data_dir))
    except OSError as exc:
        raise UserError(f"could not start streamlit ({command[0]}): {exc}") from None
