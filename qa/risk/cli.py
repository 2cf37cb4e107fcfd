"""``callcenter risk``: the risk register, its matrix, and fault-level incidents.

The register and incidents live in the operational store (``--ops-db``, default
``data/operational.duckdb``); the warehouse (``--db``) is only read, for evidence and
incident detection.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from callcenter_cli import UserError, emit, user_errors
from qa.risk import store
from qa.risk.config import DEFAULT_CONFIG_TOML, RiskConfig, load_config
from qa.risk.register import (
    SIGNALS,
    STRATEGIES,
    format_matrix,
    make_risk,
    matrix_grid,
    read_register_file,
    register_rows,
)

_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
_OPS_DB = click.option(
    "--ops-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_OPS_DB,
    show_default=True,
    help="The operational store (DuckDB) holding the register and incidents.",
)
_CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Risk configuration TOML overriding the defaults (see 'callcenter risk config').",
)
_DB = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/warehouse.duckdb"),
    show_default=True,
    help="The published warehouse to read history from.",
)


def _options(*options: Callable[..., Any]) -> Callable[..., Any]:
    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


@click.group()
def risk() -> None:
    """Risk register (probability x impact, 1-10 each), matrix, and fault-level incidents.

    \b
    score = probability x impact (1..100); zones and the watch-list threshold are
    configuration ('callcenter risk config' prints every key with its default).
    """


@risk.command("config")
def config_command() -> None:
    """Print the default configuration: scales, zones, fault levels, escalation, detection."""
    click.echo(DEFAULT_CONFIG_TOML, nl=False)


def _register_human(result: dict[str, Any]) -> str:
    rows = result["risks"]
    if not rows:
        return f"the register in {result['ops_db']} is empty (add risks with 'risk add')"
    lines = [
        f"{'rank':>4}  {'id':<6} {'P':>2} {'I':>2} {'score':>5}  {'zone':<8} {'strategy':<8} "
        f"{'review':<10}  title"
    ]
    for row in rows:
        flag = " (watch)" if row["watch"] else ""
        lines.append(
            f"{row['rank']:>4}  {row['risk_id']:<6} {row['probability']:>2} {row['impact']:>2} "
            f"{row['score']:>5}  {row['zone']:<8} {row['strategy']:<8} "
            f"{row['review_date'] or '-':<10}  {row['title']}{flag}"
        )
    watch = sum(row["watch"] for row in rows)
    lines.append(f"{len(rows)} risks, {watch} on the watch list (score < {result['watch_below']})")
    return "\n".join(lines)


@risk.command("list")
@_options(_OPS_DB, _CONFIG, _JSON)
@click.option("--watch", is_flag=True, help="Only the watch list (score below the threshold).")
@user_errors
def list_command(ops_db: Path, config_path: Path | None, as_json: bool, watch: bool) -> None:
    """The register ranked by score, with each risk's zone and watch-list flag."""
    config = load_config(config_path)
    rows = register_rows(store.read_risks(ops_db), config)
    if watch:
        rows = [row for row in rows if row["watch"]]
    emit(
        {"ops_db": str(ops_db), "watch_below": config.watch_below, "risks": rows},
        as_json,
        _register_human,
    )


@risk.command("add")
@click.argument("risk_id", required=False)
@click.option(
    "--file",
    "file_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Import risks from a TOML ([[risks]] tables) or CSV file instead.",
)
@click.option("--replace", is_flag=True, help="With --file: write a new version of known ids.")
@click.option("--title")
@click.option("--category")
@click.option("--owner")
@click.option("--probability", help="1 (not seen in three years) to 10 (every year).")
@click.option("--impact", help="1 (negligible) to 10 (catastrophic).")
@click.option("--strategy", help=f"One of {', '.join(STRATEGIES)}.")
@click.option("--warning-sign", "warning_signs", multiple=True, help="Repeat for several.")
@click.option("--review-date", help="YYYY-MM-DD.")
@click.option("--description", default="")
@click.option("--signal", help=f"History measure to propose P from: {', '.join(SIGNALS)}.")
@_options(_OPS_DB, _JSON)
@user_errors
def add_command(
    risk_id: str | None,
    file_path: Path | None,
    replace: bool,
    ops_db: Path,
    as_json: bool,
    **fields: Any,
) -> None:
    """Add one risk (RISK_ID and options) or import a register file (--file).

    Every risk is checked (fields, scores 1..10, duplicate ids) before anything is written;
    the whole add is one transaction.
    """
    if (risk_id is None) == (file_path is None):
        raise UserError("give a RISK_ID with its options, or --file, not both")
    if file_path is not None:
        risks = read_register_file(file_path)
        change = "import"
    else:
        if replace:
            raise UserError("--replace applies only with --file")
        risks = [make_risk({"risk_id": risk_id} | fields)]
        change = "add"
    written = store.add_risks(ops_db, risks, replace=replace, change=change)
    emit(
        {"ops_db": str(ops_db), "written": written},
        as_json,
        lambda r: (
            f"{len(r['written'])} risk(s) written to {r['ops_db']}: "
            + ", ".join(f"{k} v{v}" for k, v in r["written"].items())
        ),
    )


def _proposals(
    db: Path, ops_db: Path, config: RiskConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from qa.risk.history import evidence, load_history

    found = evidence(load_history(db), config)
    proposals = []
    for risk in store.read_risks(ops_db):
        if risk.signal is None:
            continue
        signal = found["signals"][risk.signal]
        if signal["proposed_probability"] is None:
            continue
        proposals.append(
            {
                "risk_id": risk.risk_id,
                "signal": risk.signal,
                "current_probability": risk.probability,
                "proposed_probability": signal["proposed_probability"],
                "evidence": (
                    f"{signal['days_with_event']} of {signal['history_days']} days "
                    f"({found['first_day']}..{found['last_day']}) had {risk.signal}: "
                    f"{signal['per_3y']} per three years"
                ),
            }
        )
    return found, proposals


def _score_human(result: dict[str, Any]) -> str:
    if "evidence" not in result:
        return "\n".join(
            f"{r['risk_id']}: probability {r['probability']}, impact {r['impact']}, "
            f"score {r['score']} ({r['zone']})"
            for r in result["risks"]
        )
    found = result["evidence"]
    lines = [
        f"history {found['first_day']}..{found['last_day']} ({found['history_days']} days)",
        f"{'signal':<15} {'days':>5} {'per 3y':>8} {'P':>3}  examples",
    ]
    for name, signal in found["signals"].items():
        lines.append(
            f"{name:<15} {signal['days_with_event']:>5} {signal['per_3y']:>8} "
            f"{signal['proposed_probability'] or '-':>3}  {', '.join(signal['examples']) or '-'}"
        )
    for name, signal in found["signals"].items():
        if signal["upper_per_3y"] is not None and found["history_days"] < 1095:
            lines.append(
                f"{name}: none in {found['history_days']} days, yet up to "
                f"{signal['upper_per_3y']} per three years is possible (95%, rule of three): "
                "no proposal before three years of history"
            )
    if "peak_erlangs" in found["signals"]["trunk_blocking"]:
        trunk = found["signals"]["trunk_blocking"]
        lines.append(
            f"peak load {trunk['peak_erlangs']} Erlangs on {trunk['peak_day']}: Erlang B "
            f"blocking {trunk['peak_blocking']} with {trunk['trunk_lines']} lines"
        )
    for proposal in result["proposals"]:
        lines.append(
            f"{proposal['risk_id']}: probability {proposal['current_probability']} -> "
            f"{proposal['proposed_probability']} ({proposal['evidence']})"
        )
    if not result["proposals"]:
        lines.append("no risk in the register names a signal; nothing to propose")
    lines.append("applied" if result["applied"] else "not applied (add --apply to write them)")
    return "\n".join(lines)


@risk.command("score")
@click.argument("risk_id", required=False)
@click.option("--probability", help="New probability, a whole number 1..10.")
@click.option("--impact", help="New impact, a whole number 1..10.")
@click.option("--propose", is_flag=True, help="Propose probabilities from the warehouse history.")
@click.option("--apply", "apply_", is_flag=True, help="With --propose: write the proposals.")
@_options(_DB, _OPS_DB, _CONFIG, _JSON)
@user_errors
def score_command(
    risk_id: str | None,
    probability: str | None,
    impact: str | None,
    propose: bool,
    apply_: bool,
    db: Path,
    ops_db: Path,
    config_path: Path | None,
    as_json: bool,
) -> None:
    """Rescore RISK_ID (--probability/--impact), or --propose probabilities from history.

    \b
    --propose counts the days with each signal in the warehouse (service-level breach
    days, no-answer intervals, IVR failures, trunk blocking by Erlang B at the peak
    interval), projects them to three years and maps them on the probability scale; the
    risks that name a signal get the proposal, written only with --apply.
    """
    config = load_config(config_path)
    if propose:
        if risk_id or probability or impact:
            raise UserError("--propose takes no RISK_ID, --probability or --impact")
        found, proposals = _proposals(db, ops_db, config)
        if apply_ and proposals:
            store.score_risks(
                ops_db,
                [(p["risk_id"], p["proposed_probability"], None, p["evidence"]) for p in proposals],
            )
        result = {"evidence": found, "proposals": proposals, "applied": apply_}
        emit(result, as_json, _score_human)
        return
    if apply_:
        raise UserError("--apply applies only with --propose")
    if risk_id is None:
        raise UserError("give a RISK_ID with --probability and/or --impact, or --propose")
    if probability is None and impact is None:
        raise UserError("give --probability and/or --impact")
    changed = store.score_risks(ops_db, [(risk_id, probability, impact, None)])
    emit({"risks": register_rows(changed, config)}, as_json, _score_human)


@risk.command("matrix")
@_options(_OPS_DB, _CONFIG, _JSON)
@user_errors
def matrix_command(ops_db: Path, config_path: Path | None, as_json: bool) -> None:
    """The probability x impact grid with each risk placed (text, or JSON for dashboards).

    JSON: cells[p-1][i-1] lists the risk ids with probability p and impact i; zones[p-1][i-1]
    is the cell's zone by its score p x i.
    """
    config = load_config(config_path)
    grid = matrix_grid(store.read_risks(ops_db), config)
    emit(grid, as_json, format_matrix)


def _incidents_human(result: dict[str, Any]) -> str:
    lines = []
    if "detected" in result:
        d = result["detected"]
        lines.append(
            f"detected {d['found']} incident(s): {len(d['logged'])} logged, "
            f"{len(d['skipped'])} already known, {d['escalation_steps']} escalation steps"
        )
    incidents = result["incidents"]
    shown = incidents[-result["limit"] :] if result["limit"] else incidents
    if shown:
        lines.append(f"{'level':>5}  {'started (UTC)':<19}  {'minutes':>7}  description")
    for incident in shown:
        minutes = incident["minutes_to_recover"]
        lines.append(
            f"{incident['level']:>5}  {incident['started_at'][:19]:<19}  "
            f"{'open' if minutes is None else f'{minutes:.0f}':>7}  {incident['description']}"
        )
    if len(shown) < len(incidents):
        lines.append(f"... {len(incidents) - len(shown)} earlier incident(s) not shown")
    lines.append("time to recover per level (minutes):")
    for row in result["recovery_by_level"]:
        mean, median = row["mean_minutes_to_recover"], row["median_minutes_to_recover"]
        lines.append(
            f"  level {row['level']}: {row['incidents']} incident(s)"
            + (f", mean {mean:.1f}, median {median:.1f}" if mean is not None else "")
        )
    return "\n".join(lines)


@risk.command("incidents")
@click.option(
    "--detect", is_flag=True, help="Detect incidents in the warehouse (--db) and log them."
)
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=20,
    show_default=True,
    help="Latest incidents listed in the human summary (0: all).",
)
@_options(_DB, _OPS_DB, _CONFIG, _JSON)
@user_errors
def incidents_command(
    detect: bool,
    limit: int,
    db: Path,
    ops_db: Path,
    config_path: Path | None,
    as_json: bool,
) -> None:
    """Incidents by fault level, their escalation steps and time to recover per level.

    \b
    --detect finds queue-intervals with calls offered and none answered, IVR menu paths
    with a drop-off far above their usual rate, and intervals where calls reached the
    IVR and none a queue; each gets its fault level by scope and the notifications its
    level's escalation timeline makes due. Incidents already logged are skipped.
    """
    from qa.risk.incidents import recovery_by_level

    config = load_config(config_path)
    result: dict[str, Any] = {"ops_db": str(ops_db), "limit": limit}
    if detect:
        from qa.risk.history import incidents_from_history, load_history

        found = incidents_from_history(load_history(db), config)
        as_of = datetime.now(UTC).replace(tzinfo=None)
        result["detected"] = {"found": len(found)} | store.log_incidents(
            ops_db, found, config, as_of
        )
    incidents = store.read_incidents(ops_db)
    steps: dict[str, list[dict[str, Any]]] = {}
    for step in store.read_escalations(ops_db):
        steps.setdefault(step["incident_id"], []).append(step)
    result["incidents"] = [
        incident.to_dict() | {"escalations": steps.get(incident.incident_id, [])}
        for incident in incidents
    ]
    result["recovery_by_level"] = recovery_by_level(
        incidents, [level.level for level in config.fault_levels]
    )
    emit(result, as_json, _incidents_human)


@risk.command("show")
@click.argument("risk_id")
@_options(_OPS_DB, _JSON)
@user_errors
def show_command(risk_id: str, ops_db: Path, as_json: bool) -> None:
    """One risk with every version written (the audit trail)."""
    risks = {r.risk_id: r for r in store.read_risks(ops_db)}
    if risk_id not in risks:
        raise UserError(f"unknown risk id {risk_id}")
    result = risks[risk_id].to_dict() | {"versions": store.risk_history(ops_db, risk_id)}

    def human(r: dict[str, Any]) -> str:
        lines = [f"{r['risk_id']} {r['title']} ({r['category']}, owner {r['owner']})"]
        lines.append(
            f"probability {r['probability']} x impact {r['impact']} = {r['score']}, "
            f"strategy {r['strategy']}, review {r['review_date'] or '-'}"
        )
        lines += [f"  warning sign: {sign}" for sign in r["warning_signs"]]
        for v in r["versions"]:
            lines.append(
                f"  v{v['version']} {v['change']:<6} {v['changed_at']:%Y-%m-%d %H:%M} "
                f"P{v['probability']} I{v['impact']}" + (f"  {v['note']}" if v["note"] else "")
            )
        return "\n".join(lines)

    emit(result, as_json, human)


def _utc(text: str, zone: str, option: str) -> datetime:
    """An ISO date-time as naive UTC; without an offset it is the center's local time."""
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{option} must be a date-time like 2026-10-01T09:30, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC).replace(tzinfo=None)


@risk.command("log-incident")
@click.argument("incident_id")
@click.option("--start", required=True, help="When it began (ISO; local time without offset).")
@click.option("--end", help="When service was restored; omit while it is open.")
@click.option("--seats", type=int, default=0, show_default=True, help="Seats affected.")
@click.option("--sites", type=int, default=0, show_default=True, help="Whole sites down.")
@click.option("--queues", type=int, default=0, show_default=True, help="Queues that cannot answer.")
@click.option("--queue", help="The queue, if one.")
@click.option("--description", required=True)
@_options(_OPS_DB, _CONFIG, _JSON)
@user_errors
def log_incident_command(
    incident_id: str,
    start: str,
    end: str | None,
    seats: int,
    sites: int,
    queues: int,
    queue: str | None,
    description: str,
    ops_db: Path,
    config_path: Path | None,
    as_json: bool,
) -> None:
    """Log an incident reported by people: its level from its scope, its escalation steps.

    \b
    Level: the first configured fault level the scope meets (default: 1 every site or
    > 50% of seats, 2 a site or > 20%, 3 a queue or > 5%, 4 single seats); seats are a
    share of [center] seats_total. Steps: the level's timeline up to --end, or up to now
    while open (see 'risk resolve').
    """
    from qa.risk.incidents import manual_incident, seat_scope

    config = load_config(config_path)
    zone = config.center.timezone
    scope = seat_scope(seats, sites, queues, config.center.seats_total, config.center.sites_total)
    incident = manual_incident(
        incident_id,
        _utc(start, zone, "--start"),
        _utc(end, zone, "--end") if end else None,
        scope,
        config,
        description,
        queue,
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    logged = store.log_incidents(ops_db, [incident], config, now, refuse_known=True)
    steps = store.read_escalations(ops_db, incident.incident_id)
    result = incident.to_dict() | {"escalations": steps, "logged": logged["logged"]}

    def human(r: dict[str, Any]) -> str:
        lines = [f"incident {r['incident_id']}: level {r['level']} ({r['description']})"]
        steps = r["escalations"]
        lines += [
            f"  +{s['after_min']:>4} min  {s['due_at']:%Y-%m-%d %H:%M} UTC  {s['action']:<6} "
            f"{', '.join(s['notify'])}"
            for s in steps[:8]
        ]
        if len(steps) > 8:
            lines.append(f"  ... {len(steps) - 8} more updates due so far")
        return "\n".join(lines)

    emit(result, as_json, human)


@risk.command("resolve")
@click.argument("incident_id")
@click.option("--end", required=True, help="When service was restored (ISO; local without offset).")
@_options(_OPS_DB, _CONFIG, _JSON)
@user_errors
def resolve_command(
    incident_id: str, end: str, ops_db: Path, config_path: Path | None, as_json: bool
) -> None:
    """End an incident: sets its time to recover and its escalation steps up to the end."""
    config = load_config(config_path)
    incident = store.resolve_incident(
        ops_db, incident_id, _utc(end, config.center.timezone, "--end"), config
    )
    emit(
        incident.to_dict(),
        as_json,
        lambda r: (
            f"incident {r['incident_id']} (level {r['level']}) resolved after "
            f"{r['minutes_to_recover']:.0f} minutes"
        ),
    )
