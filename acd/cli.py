"""``callcenter simulate`` and ``callcenter demo``: thin shells over ``acd.simulate``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from callcenter_cli import emit, progress, user_errors


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


@click.command()
@click.option(
    "--scenario",
    default="airline",
    show_default=True,
    help="A shipped scenario name (airline, mmn) or the path of a scenario TOML file.",
)
@click.option(
    "--start",
    default="2026-09-01",
    show_default=True,
    callback=_parse_date,
    help="First local day (YYYY-MM-DD).",
)
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 3660))
@click.option("--seed", default=7, show_default=True, type=int, help="Same seed, same files.")
@click.option(
    "--out",
    default="data/landing",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Landing folder the files are written to (see docs/formats.md).",
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path),
    default=None,
    help="Roster CSV (agent_id,date,activity,start,end) replacing the scenario's shifts.",
)
@click.option(
    "--live",
    "live_speed",
    type=float,
    default=None,
    metavar="SPEED",
    help="Append in accelerated real time: SPEED simulated seconds per second (e.g. 60).",
)
@click.option(
    "--append",
    is_flag=True,
    help="Continue the landing folder of an earlier run that ended the day before --start "
    "(its current queue_log and Master.csv are rotated, not overwritten).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@user_errors
def simulate(
    scenario: str,
    start: date,
    days: int,
    seed: int,
    out: Path,
    roster: Path | None,
    live_speed: float | None,
    append: bool,
    as_json: bool,
) -> None:
    """Simulate the contact center and write its logs into a landing folder.

    Writes Asterisk queue_log and cdr-csv/Master.csv (rotated daily), agent states,
    recordings metadata, outbound attempts, orders and order events, deferred contacts
    (e-mail, SMS, web callbacks, voicemail) and post-call surveys when the scenario has
    them, and the engine's ground truth. The summary gives per queue: offered (ENTERQUEUE),
    answered, abandoned, timed out, left for a callback, service level (answered within
    the queue's target / (answered + abandoned + timed out)) and ASA (mean wait of
    answered calls, seconds).
    """
    from acd.simulate import format_summary, summary_dict
    from acd.simulate import simulate as run

    with progress(days, "day", "simulating") as advance:
        summary = run(
            scenario,
            start,
            days,
            seed,
            out,
            roster=roster,
            live_speed=live_speed,
            progress=lambda _day: advance(1),
            append=append,
        )
    emit(summary_dict(summary), as_json, lambda _r: format_summary(summary))
    if not as_json:
        click.echo(f"landing folder: {out}")
