"""The ``callcenter`` command itself: subcommands listed, usage errors in one line."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from callcenter_cli import SUBCOMMANDS, main


def test_help_lists_every_subcommand():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in SUBCOMMANDS:
        assert name in result.output


def test_usage_errors_are_one_line_with_exit_code_2():
    for args in (["bogus"], ["simulate", "--days", "zero"], ["erlang", "c", "--calls", "10"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, args
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output


def test_the_console_script_runs_as_a_module():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcenter_cli",
            "erlang",
            "b",
            "--offered-erlangs",
            "2",
            "--lines",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"blocking": 0.2105' in done.stdout
