"""``callcenter erlang b|c|a`` (``wfm.erlang``) and ``callcenter staff`` (``wfm.staffing``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from callcenter_cli import UserError, emit, progress, user_errors
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


@click.command()
@click.option(
    "--planning",
    default="data/planning.duckdb",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Planning store: newest forecasts are read from it, requirements written to it.",
)
@click.option(
    "--db",
    "warehouse_db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Warehouse to estimate each queue's patience from (Erlang A); else patience_s.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Staffing TOML (see --print-config for every key and its default).",
)
@click.option(
    "--forecast",
    "forecast_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Forecast CSV (unique_id, ds, calls, aht_s) instead of the planning store's.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the requirement per queue and interval to this CSV.",
)
@click.option(
    "--simulate",
    "simulate_scenario",
    default=None,
    metavar="SCENARIO",
    help="What-if: simulate the requirement (or --roster) with this scenario (airline, mmn, "
    "a TOML path) and compare the achieved service level with the prediction.",
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --simulate: simulate this roster CSV instead of the requirement.",
)
@click.option(
    "--scenario",
    "deferred_scenario",
    default=None,
    metavar="SCENARIO",
    help="Deferred channels' targets and business hours from this scenario (default: the "
    "configuration's deferred.scenario, airline).",
)
@click.option("--seed", default=7, show_default=True, type=int, help="With --simulate.")
@click.option(
    "--tolerance",
    default=0.05,
    show_default=True,
    type=float,
    help="With --simulate: flag intervals where simulated and predicted SL differ by more.",
)
@click.option("--print-config", is_flag=True, help="Print every configuration key and exit.")
@_JSON
@user_errors
def staff(
    planning: Path,
    warehouse_db: Path | None,
    config_path: Path | None,
    forecast_path: Path | None,
    output: Path | None,
    simulate_scenario: str | None,
    roster: Path | None,
    deferred_scenario: str | None,
    seed: int,
    tolerance: float,
    print_config: bool,
    as_json: bool,
) -> None:
    """Agents needed per queue and interval from the forecasts (Erlang A or C), and per
    deferred channel from its workload.

    Reads the newest volume and AHT forecasts from the planning store (or --forecast),
    finds per queue and interval the fewest agents meeting the queue's target (service
    level, ASA or abandon rate) with occupancy at most max_occupancy, adds shrinkage,
    sizes trunk lines with Erlang B, and stores the run in the planning store
    (tables staffing_runs, requirements).

    Deferred channels (e-mail, SMS, web callback, voicemail), when the store has their
    forecasts (deferred_arrivals, deferred_aht_s): agents from the workload that must be
    done within each item's response window (items x AHT spread over the business time
    of [arrival, arrival + target], per interval / (interval x productive_share)), rows
    with model "workload" and the channel as the queue. Targets: the scenario's
    [[deferred_channels]] (target_minutes, business_hours) and [business_hours], or the
    configuration's [deferred] section.

    \b
    Definitions:
      agents_raw       agents on the phones for the target and the occupancy cap
      agents_required  ceil(agents_raw / (1 - shrinkage)), shrinkage = planned + unplanned
      service_level    predicted with agents_raw; Erlang A: answered within target_s
                       over ALL calls (an abandon is a miss); Erlang C: P(wait <= target_s)
      asa_s            predicted; Erlang A: mean wait of answered calls; C: of all calls
      p_abandon        predicted share of calls abandoning (Erlang A; empty for C)
      binding          target | occupancy (max_occupancy set the number) | none (no calls)
      agent-hours      sum over intervals of agents x interval length
      trunk lines      Erlang B lines for the peak interval's load (IVR + wait + talk)
      patience         Erlang A: sum of waits of all visits / abandoned visits per queue
                       (Mandelbaum & Zeltyn), from --db; else the configured patience_s
      agents_fte       unrounded agents on the work (deferred: workload in the response
                       windows / (interval x productive_share)); agents_raw = its ceiling
                       for a deferred channel, whose service_level is the share of its
                       items answered within target with agents_fte (fluid FIFO check)
    """
    from wfm import staffing

    if print_config:
        click.echo(staffing.DEFAULT_CONFIG_TOML, nl=False)
        return
    if roster is not None and simulate_scenario is None:
        raise UserError("--roster applies only with --simulate SCENARIO")
    result, frame, config = _run_staffing(
        planning, warehouse_db, config_path, forecast_path, deferred_scenario
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(output, index=False, date_format="%Y-%m-%d %H:%M")
        result["output"] = str(output)
    if simulate_scenario is not None:
        from wfm import whatif

        _, days = whatif.simulated_days(frame)
        with progress(days, "day", f"simulating with scenario {simulate_scenario}") as advance:
            outcome = whatif.simulate_plan(
                frame,
                simulate_scenario,
                config=config,
                roster=roster,
                seed=seed,
                tolerance=tolerance,
                progress=lambda _day: advance(1),
            )
        result["whatif"] = whatif.comparison_summary(
            outcome.comparison, tolerance, config=config, deferred=outcome.deferred
        )
    emit(result, as_json, _staff_human)


def _run_staffing(
    planning: Path,
    warehouse_db: Path | None,
    config_path: Path | None,
    forecast_path: Path | None,
    deferred_scenario: str | None = None,
) -> tuple[dict[str, Any], Any, Any]:
    import pandas as pd

    from wfm import staffing

    config = staffing.load_config(config_path)
    warnings: list[str] = []
    if forecast_path is not None:
        forecast = staffing.forecast_from_csv(forecast_path)
        run_ids = [f"file:{forecast_path}"]
    else:
        forecast, run_ids, warnings = staffing.forecast_from_store(planning)
    queues = sorted({str(q) for q in forecast["unique_id" if "unique_id" in forecast else "queue"]})
    patience: dict[str, Any] = {}
    if warehouse_db is not None:
        history = staffing.patience_history(warehouse_db, config.patience_history_days)
        patience = staffing.estimate_patience(history, queues, config)
    frame = staffing.requirements(forecast, config, {q: p.patience_s for q, p in patience.items()})
    deferred: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    found = None if forecast_path is not None else staffing.deferred_forecast_from_store(planning)
    if found is not None:
        scenario = None
        if deferred_scenario:
            from acd.scenario import load_scenario

            scenario = load_scenario(deferred_scenario)
        targets, notes = staffing.deferred_targets(config, scenario)
        deferred_frame, deferred_warnings = staffing.deferred_requirements(
            found[0], config, targets
        )
        frame = pd.concat([frame, deferred_frame], ignore_index=True)
        run_ids = [*run_ids, *found[1]]
        warnings = [*warnings, *found[2], *notes, *deferred_warnings]
        deferred = {
            name: {
                "target_minutes": t.target_s / 60,
                "business_hours": t.business_hours,
                "productive_share": t.productive_share,
                "min_agents": t.min_agents,
                "source": t.source,
            }
            for name, t in targets.items()
        }
    config_record = {
        **config.to_dict(),
        "patience": {q: asdict(p) for q, p in patience.items()},
        "deferred_targets": deferred,
    }
    run_id = staffing.save_requirements(planning, frame, config_record, run_ids)
    result = {
        "run_id": run_id,
        "planning": str(planning),
        "forecast_run_ids": run_ids,
        "intervals": len(frame),
        "warnings": warnings,
        "patience": {q: asdict(p) for q, p in patience.items()},
        "deferred": deferred,
        **staffing.summarize(frame, config, targets),
    }
    return result, frame, config


def _staff_human(result: dict[str, Any]) -> str:
    lines = [
        f"staffing run {result['run_id']}: {len(result['queues'])} queue(s), "
        f"{result['intervals']:,} intervals, stored in {result['planning']}",
        "",
        f"{'queue':<15}{'model':<10}{'target':<31}{'peak req':>9}{'raw':>6}  {'at':<17}"
        f"{'agent-h raw':>12}{'agent-h req':>12}{'trunks':>8}",
    ]
    for name, q in result["queues"].items():
        raw_hours = q["agent_hours_fte"] if q["model"] == "workload" else q["agent_hours_raw"]
        lines.append(
            f"{name:<15}{q['model']:<10}{q['target']:<31}{q['peak_agents_required']:>9}"
            f"{q['peak_agents_raw']:>6}  {q['peak_ds']:<17}{raw_hours:>12,.1f}"
            f"{q['agent_hours_required']:>12,.1f}{q['trunks']['lines']:>8}"
        )
    trunks = result["trunks"]
    lines.append(
        f"{'total':<90}{result['agent_hours_raw']:>12,.1f}{result['agent_hours_required']:>12,.1f}"
    )
    lines.append("")
    if trunks["lines"]:
        lines.append(
            f"trunk lines / IVR ports for the center: {trunks['lines']} (peak load "
            f"{trunks['peak_load_erlangs']:.1f} Erlangs at {trunks['peak_ds']}, "
            f"blocking <= {trunks['blocking']:.1%})"
        )
    for name, p in result["patience"].items():
        source = (
            f"estimated from {p['abandoned']:,} abandons in {p['visits']:,} visits"
            if p["source"] == "warehouse"
            else f"configured (only {p['abandoned']} abandons in the warehouse)"
        )
        lines.append(f"patience {name}: {p['patience_s']:.0f} s, {source}")
    lines.extend(f"warning: {w}" for w in result["warnings"])
    lines.append(
        "agents_required = ceil(agents_raw / (1 - shrinkage)); shrinkage = planned + unplanned"
    )
    if result.get("deferred"):
        lines.append(
            "deferred channels (model workload): agents_fte = work due in the interval within "
            "the response windows / (interval x productive_share); agents_raw = ceil(agents_fte)"
            "; their agent-h raw = sum of agents_fte x interval"
        )
    if "output" in result:
        lines.append(f"requirements written to {result['output']}")
    if "whatif" in result:
        from wfm.whatif import format_comparison_summary

        lines.extend(["", format_comparison_summary(result["whatif"])])
    return "\n".join(lines)
