"""The ``callcenter`` console script: one command, one subcommand per job.

Subcommands live in the package that owns the work (``acd/cli.py``, ``wfm/cli.py``, ...)
and are imported only when invoked, so ``callcenter --help`` stays fast and a
subcommand never pays for the imports of another (Streamlit, statsmodels, ...).

Conventions every subcommand keeps:
- a short human summary on stdout, or one JSON document with ``--json``;
- user errors (bad files, bad options, impossible inputs) are one line on stderr
  starting with ``error:`` and exit code 2; no traceback;
- progress for long work goes to stderr, so ``--json`` output stays parseable.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import click
from tqdm import tqdm

# name -> "module:attribute" of a click command; extended as packages grow.
SUBCOMMANDS: dict[str, str] = {
    "simulate": "acd.cli:simulate",
    "ingest": "ingest.cli:ingest",
    "schedule": "ingest.cli:schedule",
    "build": "warehouse.cli:build",
    "forecast": "forecasting.cli:forecast",
    "erlang": "wfm.cli:erlang",
    "staff": "wfm.cli:staff",
    "roster": "wfm.roster.cli:roster",
    "adherence": "wfm.adherence_cli:adherence",
    "intraday": "wfm.adherence_cli:intraday",
    "qa": "qa.cli:qa",
    "risk": "qa.risk.cli:risk",
    "settle": "reports.cli:settle",
    "demo": "dashboards.demo:demo",
    "serve": "dashboards.serve:serve",
    "users": "dashboards.users_cli:users",
}


class UserError(Exception):
    """A problem with the user's input: reported as one line, exit code 2."""


class _LazyGroup(click.Group):
    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Click's own usage errors as one ``error:`` line too, like the commands' errors."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            click.echo(f"error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="callcenter-suite")
def main() -> None:
    """Contact-center analytics and workforce management.

    Simulate a center, ingest its logs, build the warehouse, forecast, staff,
    roster, score quality and serve the dashboards.
    """


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ``UserError``/``ValueError``/``OSError`` raised by a command into one clear line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (UserError, ValueError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(f"error: {exc.strerror or exc}{where}", err=True)
            sys.exit(2)

    return wrapper


@contextlib.contextmanager
def progress(total: int, unit: str, desc: str) -> Iterator[Callable[[int], None]]:
    """Show progress on stderr: a bar on a terminal, else a line at every tenth of the way.

    Yields ``advance(n)``. Log lines keep CI logs and piped runs readable.
    """
    if sys.stderr.isatty():
        with tqdm(total=total, unit=unit, desc=desc, leave=False) as bar:
            yield bar.update
        return
    done = 0
    step = max(1, total // 10)
    started = time.monotonic()

    def advance(n: int = 1) -> None:
        nonlocal done
        before, done = done, done + n
        if done // step > before // step or done == total:
            elapsed = time.monotonic() - started
            click.echo(f"{desc}: {done}/{total} {unit}s ({elapsed:.0f} s)", err=True)

    yield advance


def emit(result: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    """Print ``result`` as JSON (machines) or through ``human`` (people)."""
    if as_json:
        click.echo(json.dumps(result, indent=2, sort_keys=False, default=str))
    else:
        click.echo(human(result))


if __name__ == "__main__":
    main()
