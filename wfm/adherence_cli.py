"""``callcenter adherence`` and ``callcenter intraday``: thin shells over ``wfm.adherence``
and ``wfm.intraday`` (definitions and formulas in those modules' docstrings)."""

from __future__ import annotations

import csv
import math
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from callcenter_cli import UserError, emit, user_errors
from wfm.adherence import (
    DEFAULT_TARGET,
    STATE_SOURCES,
    AdherenceResult,
    AdherenceRules,
    Roster,
    compute_adherence,
    read_roster_csv,
    read_roster_store,
    state_days,
    states_around,
    team_adherence,
    warehouse_timezone,
)

_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
_DB = click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=Path("data/warehouse.duckdb"),
    show_default=True,
    help="The published warehouse.",
)
_TZ = click.option(
    "--tz", help="The center's time zone (default: the one the warehouse was built with)."
)
EXCEPTION_COLUMNS = (
    "agent_id",
    "team",
    "day",
    "start_local",
    "end_local",
    "minutes",
    "scheduled_activity",
    "actual_state",
)


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{flag}: expected YYYY-MM-DD, got {text!r}") from None


def _load_roster(roster: Path | None, planning: Path | None, tz: str) -> Roster:
    if (roster is None) == (planning is None):
        raise UserError("give exactly one of --roster or --planning")
    if roster is not None:
        return read_roster_csv(roster, tz)
    assert planning is not None
    return read_roster_store(planning, tz)


def _rules(rules_file: Path | None, any_aux: bool) -> AdherenceRules:
    if rules_file is None:
        return AdherenceRules.any_aux() if any_aux else AdherenceRules()
    if any_aux:
        raise UserError("--any-aux and --rules exclude each other (set it in the file)")
    try:
        config = tomllib.loads(rules_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{rules_file}: {exc}") from None
    return AdherenceRules.from_mapping(config.get("adherence", config))


def _local(epoch_s: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(epoch_s, zone).strftime("%Y-%m-%d %H:%M:%S")


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f} %"


def _select_days(
    roster: Roster, day: str | None, first: str | None, last: str | None
) -> list[date]:
    if day is not None and (first or last):
        raise UserError("give --day or --from/--to, not both")
    known = roster.days
    if day is not None:
        wanted = [_day(day, "--day")]
    elif first or last:
        lo = _day(first, "--from") or known[0]
        hi = _day(last, "--to") or known[-1]
        if hi < lo:
            raise UserError(f"--to {hi} is before --from {lo}")
        wanted = [d for d in known if lo <= d <= hi]
    else:
        wanted = known
    chosen = [d for d in wanted if d in set(known)]
    if not chosen:
        asked = ", ".join(map(str, wanted)) if wanted else f"{first or known[0]}..{last}"
        raise UserError(
            f"unknown day: the roster has no shifts on {asked} (it covers {known[0]} to "
            f"{known[-1]})"
        )
    return chosen


def adherence_report(
    db: Path,
    roster: Roster,
    days: list[date],
    tz: str,
    rules: AdherenceRules,
    threshold_s: float,
    target: float,
    source: str = "export",
    until_s: float | None = None,
) -> dict[str, Any]:
    """Adherence of ``roster`` on ``days`` against the warehouse's agent states, as a dict.

    ``until_s``: score only up to this instant (adherence so far today).
    """
    chosen = roster.on_days(days)
    states = states_around(db, chosen.activities, source)
    if not states:
        covered = state_days(db, source)
        where = f"states cover {covered[0]} to {covered[1]}" if covered else "it has none"
        raise UserError(
            f"no agent states in {db} ({STATE_SOURCES[source]}) around {days[0]} to "
            f"{days[-1]}; {where}"
        )
    result = compute_adherence(chosen.activities, states, rules, threshold_s, until_s=until_s)
    return _as_dict(result, chosen, tz, threshold_s, target, source)


def _as_dict(
    result: AdherenceResult,
    roster: Roster,
    tz: str,
    threshold_s: float,
    target: float,
    source: str,
) -> dict[str, Any]:
    zone = ZoneInfo(tz)
    teams = team_adherence(result.days, roster.teams, target)
    agents = [
        {
            "agent_id": row.agent_id,
            "team": roster.teams.get(row.agent_id),
            "day": row.day.isoformat(),
            "shift_start_local": _local(row.shift_start_s, zone),
            "shift_end_local": _local(row.shift_end_s, zone),
            "scheduled_min": row.scheduled_s / 60,
            "in_adherence_min": row.in_adherence_s / 60,
            "out_of_adherence_min": row.out_of_adherence_s / 60,
            "adherence": row.adherence,
            "scheduled_open_min": row.scheduled_open_s / 60,
            "worked_min": row.worked_s / 60,
            "unscheduled_worked_min": row.unscheduled_worked_s / 60,
            "conformance": row.conformance,
            "first_on_phone_local": None if row.login_s is None else _local(row.login_s, zone),
            "exceptions": row.exceptions,
            "note": row.note,
        }
        for row in result.days
    ]
    exceptions = [
        {
            "agent_id": e.agent_id,
            "team": roster.teams.get(e.agent_id),
            "day": e.day.isoformat(),
            "start_local": _local(e.start_s, zone),
            "end_local": _local(e.end_s, zone),
            "minutes": round(e.duration_s / 60, 2),
            "scheduled_activity": e.scheduled_activity,
            "actual_state": e.actual_state,
        }
        for e in result.exceptions
    ]
    scored = [a for a in agents if a["adherence"] is not None]
    worst = sorted(scored, key=lambda a: (a["adherence"], a["agent_id"]))[:5]
    return {
        "roster": roster.source,
        "states": STATE_SOURCES[source],
        "timezone": tz,
        "target": target,
        "threshold_min": threshold_s / 60,
        "teams": [
            {
                "team": t.team,
                "day": t.day.isoformat(),
                "agents": t.agents,
                "adherence": t.adherence,
                "conformance": t.conformance,
                "meets_target": t.meets_target,
                "scheduled_min": t.scheduled_s / 60,
                "in_adherence_min": t.in_adherence_s / 60,
                "exceptions": t.exceptions,
            }
            for t in teams
        ],
        "worst_agents": worst,
        "agents": agents,
        "exception_count": len(exceptions),
        "exceptions": exceptions,
        "notes": result.notes,
    }


def _adherence_human(report: dict[str, Any]) -> str:
    lines = [
        f"adherence vs target {100 * report['target']:.0f} %  (roster {report['roster']}, "
        f"states {report['states']})",
        f"{'day':<10}  {'team':<12} {'agents':>6}  {'adherence':>9}  {'conformance':>11}  "
        f"{'exceptions':>10}  target",
    ]
    for t in report["teams"]:
        verdict = {True: "met", False: "MISSED", None: "n/a"}[t["meets_target"]]
        lines.append(
            f"{t['day']:<10}  {t['team']:<12} {t['agents']:>6}  {_pct(t['adherence']):>9}  "
            f"{_pct(t['conformance']):>11}  {t['exceptions']:>10}  {verdict}"
        )
    if report["worst_agents"]:
        lines.append("worst agents:")
        for a in report["worst_agents"]:
            note = f"  ({a['note']})" if a["note"] else ""
            lines.append(
                f"  {a['agent_id']:<10} {a['day']}  adherence {_pct(a['adherence'])}  "
                f"conformance {_pct(a['conformance'])}  {a['exceptions']} exception(s){note}"
            )
    lines.append(
        f"exceptions (out of adherence longer than {report['threshold_min']:g} min): "
        f"{report['exception_count']}"
    )
    if "output" in report:
        lines.append(f"exceptions written to {report['output']}")
    lines.extend(f"note: {note}" for note in report["notes"])
    return "\n".join(lines)


def _write_exceptions(path: Path, exceptions: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXCEPTION_COLUMNS)
        writer.writeheader()
        for row in exceptions:
            writer.writerow({**row, "team": row["team"] or ""})


@click.command("adherence")
@_DB
@click.option(
    "--roster", type=click.Path(path_type=Path), help="Roster CSV (agent_id,date,activity,...)."
)
@click.option(
    "--planning",
    type=click.Path(path_type=Path),
    help="Planning store: for each day, the newest roster run (roster_shifts) planning it.",
)
@click.option("--day", help="One day, YYYY-MM-DD (default: every day of the roster).")
@click.option("--from", "first", help="First day, YYYY-MM-DD.")
@click.option("--to", "last", help="Last day, YYYY-MM-DD.")
@click.option(
    "--threshold-min",
    type=float,
    default=5.0,
    show_default=True,
    help="An exception is out-of-adherence time longer than this, minutes.",
)
@click.option(
    "--target", type=float, default=DEFAULT_TARGET, show_default=True, help="Adherence goal."
)
@click.option(
    "--states",
    "source",
    type=click.Choice(sorted(STATE_SOURCES)),
    default="export",
    show_default=True,
    help="Agent states from the agent-state export, or rebuilt from the queue_log.",
)
@click.option("--any-aux", is_flag=True, help="Any aux reason matches a scheduled break/lunch.")
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path),
    help="TOML [adherence] table: open_states, worked_states, activities.<name> = [states].",
)
@click.option(
    "--until",
    "until_text",
    help="Score only up to this local time, 'YYYY-MM-DD HH:MM' (adherence so far today).",
)
@_TZ
@click.option("--output", type=click.Path(path_type=Path), help="Write the exceptions to this CSV.")
@_JSON
@user_errors
def adherence(
    db: Path,
    roster: Path | None,
    planning: Path | None,
    day: str | None,
    first: str | None,
    last: str | None,
    threshold_min: float,
    target: float,
    source: str,
    any_aux: bool,
    rules_file: Path | None,
    until_text: str | None,
    tz: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Schedule adherence and conformance per agent, team and day, and the exceptions.

    \b
    adherence    time in the state the schedule asks for / scheduled (shift) time;
                 open time is matched by available, ringing, talking, hold, acw or
                 dialing, a break/lunch/training/meeting/coaching by aux with that
                 reason (--any-aux: any aux); scheduled-off time is not counted
    conformance  on-phone time (scheduled or not, up to 4 h around the shift) /
                 scheduled open time (shift minus breaks and sessions); may exceed 100 %
    exception    out-of-adherence stretch within one scheduled activity longer than
                 --threshold-min, with the scheduled activity and the state held longest
    team figure  the team's in-adherence time / its scheduled time, vs --target
    Teams come from an optional `team` column of the roster.
    """
    if not (math.isfinite(threshold_min) and threshold_min >= 0):
        raise UserError(f"--threshold-min must be >= 0, got {threshold_min}")
    if not 0 < target <= 1:
        raise UserError(f"--target must be in (0, 1], got {target}")
    if not db.is_file():
        raise UserError(f"no warehouse at {db} (run 'callcenter build' first)")
    zone = tz or warehouse_timezone(db)
    _zone_or_error(zone)
    rules = _rules(rules_file, any_aux)
    schedule = _load_roster(roster, planning, zone)
    days = _select_days(schedule, day, first, last)
    until_s = None
    if until_text is not None:
        until_s = _local_minute(until_text, "--until").replace(tzinfo=ZoneInfo(zone)).timestamp()
    report = adherence_report(
        db, schedule, days, zone, rules, threshold_min * 60, target, source, until_s
    )
    if output is not None:
        _write_exceptions(output, report["exceptions"])
        report["output"] = str(output)
    emit(report, as_json, _adherence_human)


def _local_minute(text: str, flag: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise UserError(f"{flag}: expected 'YYYY-MM-DD HH:MM', got {text!r}") from None


def _zone_or_error(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ValueError, KeyError, OSError):
        raise UserError(f"unknown time zone {tz!r}") from None


# ------------------------------------------------------------------ intraday


def intraday_report(
    db: Path,
    planning: Path,
    now: datetime,
    tz: str,
    roster: Roster | None,
    target_s: float,
    sl_goal: float,
    patience_s: float | None,
    no_roster_reason: str = "no roster",
) -> dict[str, Any]:
    """Re-forecast and staffing gap for the local day of ``now``, as a dict."""
    from wfm.intraday import (
        read_actuals,
        read_agent_queues,
        read_forecasts,
        reforecast,
        scheduled_agents,
        scheduled_agents_by_queue,
        staffing_gap,
        warehouse_interval_minutes,
    )

    interval_minutes = warehouse_interval_minutes(db)
    try:
        offered_fc, aht_fc = read_forecasts(planning)
    except ImportError:
        raise UserError("forecasting.store is not installed: no forecasts to re-forecast") from None
    except LookupError as exc:
        raise UserError(f"{planning}: {exc}") from None
    actuals = read_actuals(db, now.date(), now)
    summaries, intervals = reforecast(actuals, offered_fc, now, interval_minutes, aht_fc)
    notes = [f"{s.queue}: {s.note}" for s in summaries if s.note]
    scheduled = by_queue = None
    if roster is not None and not intervals.empty:
        todays = [r for r in roster.activities if abs((r.day - now.date()).days) <= 1]
        if todays:
            starts = [ts.to_pydatetime() for ts in intervals["interval_start_local"].unique()]
            scheduled = scheduled_agents(todays, starts, interval_minutes, tz)
            agent_queues = read_agent_queues(db)
            rostered = {r.agent_id for r in todays}
            unknown = sorted(rostered - set(agent_queues))
            if len(unknown) < len(rostered):
                by_queue = scheduled_agents_by_queue(
                    todays, starts, interval_minutes, tz, agent_queues
                )
            if unknown:
                notes.append(
                    f"{len(unknown)} rostered agent(s) never a queue member lately, in no "
                    "queue's figures (the total counts them)"
                )
        else:
            notes.append(f"the roster has no shifts on {now.date()}: no scheduled agents")
    elif roster is None:
        notes.append(f"{no_roster_reason}: required agents only")
    gap = staffing_gap(
        intervals, scheduled, interval_minutes, target_s, sl_goal, patience_s, by_queue
    )
    short = gap[gap["gap"] < 0] if scheduled is not None else gap.iloc[0:0]
    return {
        "now": now.strftime("%Y-%m-%d %H:%M"),
        "interval_minutes": interval_minutes,
        "sl_goal": sl_goal,
        "target_s": target_s,
        "model": "erlang_c" if patience_s is None else "erlang_a",
        "queues": [
            {
                "queue": s.queue,
                "actual_so_far": s.actual_so_far,
                "forecast_so_far": s.forecast_so_far,
                "ratio": s.ratio,
                "seen_share": s.seen_share,
                "factor": s.factor,
                "aht_factor": s.aht_factor,
                "remaining_forecast": s.remaining_forecast,
                "remaining_reforecast": s.remaining_reforecast,
                "remaining_aht_s": s.remaining_aht_s,
                "note": s.note,
            }
            for s in summaries
        ],
        "intervals": [
            {key: _plain(key, value) for key, value in row.items()}
            for row in gap.to_dict("records")
        ],
        "short_intervals": len(short),
        "notes": notes,
    }


def _plain(key: str, value: Any) -> Any:
    """JSON-ready: interval starts as text, NaN (no roster) as null."""
    if key == "interval_start_local":
        return value.strftime("%Y-%m-%d %H:%M")
    return None if _isnan(value) else value


def _intraday_human(report: dict[str, Any]) -> str:
    lines = [
        f"intraday at {report['now']} ({report['interval_minutes']}-min intervals, "
        f"SL goal {100 * report['sl_goal']:.0f}/{report['target_s']:g} s, {report['model']})",
        f"{'queue':<14} {'so far':>8} {'forecast':>9} {'ratio':>6} {'seen':>6} {'factor':>7} "
        f"{'rest fc':>9} {'re-forecast':>11} {'AHT s':>6}",
    ]
    for q in report["queues"]:
        ratio = "n/a" if q["ratio"] is None else f"{q['ratio']:.2f}"
        aht = "n/a" if q["remaining_aht_s"] is None else f"{q['remaining_aht_s']:.0f}"
        lines.append(
            f"{q['queue']:<14} {q['actual_so_far']:>8.0f} {q['forecast_so_far']:>9.1f} "
            f"{ratio:>6} {100 * q['seen_share']:>5.0f}% {q['factor']:>7.3f} "
            f"{q['remaining_forecast']:>9.1f} {q['remaining_reforecast']:>11.1f} "
            f"{aht:>6}"
        )
    gaps = [i for i in report["intervals"] if i["gap"] is not None and i["gap"] < 0]
    if any(i["scheduled"] is not None for i in report["intervals"]):
        lines.append(f"intervals short of staff: {len(gaps)} of {len(report['intervals'])}")
        for i in gaps:
            queues_short = ", ".join(
                f"{key[4:]} {value:+.1f}"
                for key, value in i.items()
                if key.startswith("gap_") and value is not None and value < 0
            )
            lines.append(
                f"  {i['interval_start_local']}  calls {i['calls']:6.1f}  required "
                f"{i['required']:>4}  scheduled {i['scheduled']:6.2f}  gap {i['gap']:+7.2f}"
                + (f"  (short: {queues_short})" if queues_short else "")
            )
    else:
        for i in report["intervals"]:
            lines.append(
                f"  {i['interval_start_local']}  calls {i['calls']:6.1f}  "
                f"required {i['required']:>4}"
            )
    lines.extend(f"note: {note}" for note in report["notes"])
    return "\n".join(lines)


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


@click.command("intraday")
@_DB
@click.option(
    "--planning",
    type=click.Path(path_type=Path),
    default=Path("data/planning.duckdb"),
    show_default=True,
    help="Planning store: today's forecast, and the newest roster unless --roster.",
)
@click.option("--roster", type=click.Path(path_type=Path), help="Roster CSV instead.")
@click.option("--now", "now_text", help="Local time 'YYYY-MM-DD HH:MM' (default: the clock).")
@click.option("--sl-goal", type=float, default=0.8, show_default=True, help="Service-level goal.")
@click.option("--target-s", type=float, default=20.0, show_default=True, help="SL threshold, s.")
@click.option("--patience-s", type=float, help="Size with Erlang A and this mean patience, s.")
@_TZ
@_JSON
@user_errors
def intraday(
    db: Path,
    planning: Path,
    roster: Path | None,
    now_text: str | None,
    sl_goal: float,
    target_s: float,
    patience_s: float | None,
    tz: str | None,
    as_json: bool,
) -> None:
    """Re-forecast the rest of today from the calls so far, and the staffing gap.

    \b
    per queue: r = actual / forecast calls in the intervals ended by --now,
    w = share of the day's forecast already seen, factor k = 1 + w (r - 1);
    the rest of the day's forecast is multiplied by k (AHT likewise).
    per interval: required agents (Erlang C, or A with --patience-s) for the
    re-forecast at --sl-goal within --target-s, against the roster's agents on
    open time (net of breaks and lunch, time-weighted); gap = scheduled - required.
    """
    if not db.is_file():
        raise UserError(f"no warehouse at {db} (run 'callcenter build' first)")
    if not planning.is_file():
        raise UserError(f"no planning store at {planning} (run 'callcenter forecast' first)")
    if not 0 < sl_goal <= 1:
        raise UserError(f"--sl-goal must be in (0, 1], got {sl_goal}")
    if patience_s is not None and not patience_s > 0:
        raise UserError(f"--patience-s must be > 0, got {patience_s}")
    zone = tz or warehouse_timezone(db)
    _zone_or_error(zone)
    if now_text is None:
        now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
    else:
        now = _local_minute(now_text, "--now")
    schedule, why_none = None, "no roster"
    if roster is not None:
        schedule = read_roster_csv(roster, zone)
    else:
        try:
            schedule = read_roster_store(planning, zone)
        except ValueError as exc:
            why_none = str(exc)
    report = intraday_report(
        db, planning, now, zone, schedule, target_s, sl_goal, patience_s, why_none
    )
    emit(report, as_json, _intraday_human)
