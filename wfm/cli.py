"""``callcenter erlang b|c|a``: Erlang staffing formulas from the command line (``wfm.erlang``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import click

from callcenter_cli import UserError, emit, user_errors
from wfm.erlang import (
    agents_for_service_level,
    erlang_a_agents_for_service_level,
    erlang_a_metrics,
    erlang_b,
    erlang_c_metrics,
    lines_for_blocking,
)


@click.group()
def erlang() -> None:
    """Erlang B (lost calls), C (queued calls) and A (queued calls that may abandon).

    Steady-state formulas for Poisson arrivals and exponential handle times.
    """


def _exactly_one(**options: Any) -> None:
    if sum(value is not None for value in options.values()) != 1:
        flags = " or ".join("--" + name.replace("_", "-") for name in options)
        raise UserError(f"give exactly one of {flags}")


def _check_staffing(agents: int | None, sl_goal: float | None, max_occupancy: float | None) -> None:
    _exactly_one(agents=agents, sl_goal=sl_goal)
    if agents is not None and max_occupancy is not None:
        raise UserError("--max-occupancy applies only with --sl-goal")


def _arrival_rate_per_s(calls: float, interval_s: float) -> float:
    if not (math.isfinite(calls) and calls >= 0):
        raise UserError(f"--calls must be a number >= 0, got {calls}")
    if not (math.isfinite(interval_s) and interval_s > 0):
        raise UserError(f"--interval-s must be a number > 0, got {interval_s}")
    return calls / interval_s


def _aligned(keys: tuple[str, ...]) -> Callable[[dict[str, Any]], str]:
    """A human formatter: one ``key  value`` line per key, values aligned."""

    def show(value: Any) -> str:
        if value is None:
            return "unbounded"
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    def human(result: dict[str, Any]) -> str:
        width = max(map(len, keys))
        return "\n".join(f"{key:<{width}}  {show(result[key])}" for key in keys)

    return human


_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


def _staffing_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``c`` and ``a`` share."""
    options = [
        click.option("--calls", type=float, required=True, help="Calls offered in the interval."),
        click.option("--interval-s", type=float, required=True, help="Interval length, seconds."),
        click.option("--aht-s", type=float, required=True, help="Average handle time, seconds."),
        click.option(
            "--target-s", type=float, required=True, help="Service-level threshold, seconds."
        ),
        click.option("--agents", type=int, help="Evaluate this many agents."),
        click.option(
            "--sl-goal", type=float, help="Find the fewest agents with service_level >= this."
        ),
        click.option(
            "--max-occupancy",
            type=float,
            help="With --sl-goal: also keep occupancy <= this, in (0, 1].",
        ),
        _JSON,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@erlang.command("b")
@click.option("--offered-erlangs", type=float, required=True, help="Offered load, Erlangs.")
@click.option("--lines", type=int, help="Evaluate this many lines.")
@click.option("--target-blocking", type=float, help="Find the fewest lines with blocking <= this.")
@_JSON
@user_errors
def erlang_b_command(
    offered_erlangs: float, lines: int | None, target_blocking: float | None, as_json: bool
) -> None:
    """Erlang B (M/M/n/n): a call that finds every line busy is lost.

    Give exactly one of --lines or --target-blocking.

    \b
    Output:
      lines            lines n: as given, or the fewest with blocking <= --target-blocking
      blocking         fraction of calls that find all n lines busy and are lost, B(A, n)
      offered_erlangs  offered load A = calls per second x mean holding time (s), Erlangs
      target_blocking  as given (null without it)
    """
    _exactly_one(lines=lines, target_blocking=target_blocking)
    if lines is None:
        lines = lines_for_blocking(offered_erlangs, target_blocking)
    result = {
        "lines": lines,
        "blocking": erlang_b(offered_erlangs, lines),
        "offered_erlangs": offered_erlangs,
        "target_blocking": target_blocking,
    }
    emit(result, as_json, _aligned(("offered_erlangs", "lines", "blocking")))


@erlang.command("c")
@_staffing_options
@user_errors
def erlang_c_command(
    calls: float,
    interval_s: float,
    aht_s: float,
    target_s: float,
    agents: int | None,
    sl_goal: float | None,
    max_occupancy: float | None,
    as_json: bool,
) -> None:
    """Erlang C (M/M/n): a call that finds every agent busy waits as long as needed.

    Give exactly one of --agents or --sl-goal.

    \b
    Output:
      agents           agents n: as given, or the fewest meeting --sl-goal (and --max-occupancy)
      p_wait           P(a call has to wait): the Erlang C probability C(A, n)
      service_level    P(wait <= target_s) over all calls
      asa_s            average speed of answer: mean wait over ALL calls, seconds
                       (null when n <= A: the queue grows without bound)
      occupancy        A / n, the offered load per agent (above 1 means unstable)
      offered_erlangs  A = calls / interval_s x aht_s; the inputs are echoed too
    """
    _check_staffing(agents, sl_goal, max_occupancy)
    rate = _arrival_rate_per_s(calls, interval_s)
    if agents is None:
        agents = agents_for_service_level(rate, aht_s, target_s, sl_goal, max_occupancy)
    metrics = asdict(erlang_c_metrics(agents, rate, aht_s, target_s))
    if math.isinf(metrics["asa_s"]):
        metrics["asa_s"] = None
    result = {
        **metrics,
        "offered_erlangs": rate * aht_s,
        "calls": calls,
        "interval_s": interval_s,
        "aht_s": aht_s,
        "target_s": target_s,
        "sl_goal": sl_goal,
        "max_occupancy": max_occupancy,
    }
    emit(result, as_json, _aligned(("offered_erlangs", *metrics)))


@erlang.command("a")
@_staffing_options
@click.option("--patience-s", type=float, required=True, help="Mean patience, seconds.")
@user_errors
def erlang_a_command(
    calls: float,
    interval_s: float,
    aht_s: float,
    target_s: float,
    agents: int | None,
    sl_goal: float | None,
    max_occupancy: float | None,
    as_json: bool,
    patience_s: float,
) -> None:
    """Erlang A (M/M/n+M): a waiting call abandons after an exponential patience.

    Give exactly one of --agents or --sl-goal (which applies to service_level).

    \b
    Output:
      agents                  agents n: as given, or the fewest meeting --sl-goal
                              (and --max-occupancy)
      p_wait                  P(a call finds every agent busy and has to wait)
      p_abandon               fraction of calls that hang up before reaching an agent
      service_level           fraction of ALL calls answered within target_s
                              (an abandon is a miss, even one before target_s)
      service_level_answered  fraction of ANSWERED calls answered within target_s
      asa_s                   average speed of answer: mean wait of ANSWERED calls, seconds
      occupancy               fraction of time an agent is busy, A (1 - p_abandon) / n
      offered_erlangs         A = calls / interval_s x aht_s; the inputs are echoed too
    """
    _check_staffing(agents, sl_goal, max_occupancy)
    rate = _arrival_rate_per_s(calls, interval_s)
    if agents is None:
        agents = erlang_a_agents_for_service_level(
            rate, aht_s, patience_s, target_s, sl_goal, max_occupancy
        )
    metrics = asdict(erlang_a_metrics(agents, rate, aht_s, patience_s, target_s))
    result = {
        **metrics,
        "offered_erlangs": rate * aht_s,
        "calls": calls,
        "interval_s": interval_s,
        "aht_s": aht_s,
        "target_s": target_s,
        "patience_s": patience_s,
        "sl_goal": sl_goal,
        "max_occupancy": max_occupancy,
    }
    emit(result, as_json, _aligned(("offered_erlangs", *metrics)))
