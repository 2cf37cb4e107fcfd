"""``callcenter qa``: sampling plans, evaluations, calibration, scorecards, disputes, coaching.

Reads the published warehouse read-only (``--db``) and writes the operational store
(``--ops-db``, default ``data/operational.duckdb``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
import pandas as pd

from callcenter_cli import UserError, emit, user_errors
from qa import scorecards, store
from qa.calibration import calibrate
from qa.form import DEFAULT_FORM, Form, load_form
from qa.service import evaluate, plan_period, read_answer_sheet

DEFAULT_DB = Path("data/warehouse.duckdb")

_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
_OPS_DB = click.option(
    "--ops-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_OPS_DB,
    show_default=True,
    help="The operational store (QA records).",
)
_DB = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The published warehouse (read-only).",
)
_FORM = click.option(
    "--form",
    "form_source",
    default=DEFAULT_FORM,
    show_default=True,
    help="A shipped form name or a form TOML file.",
)


def _warehouse(db: Path) -> Path:
    if not db.is_file():
        raise UserError(f"no warehouse at {db} (run `callcenter build` first)")
    return db


def _store(ops_db: Path) -> Path:
    if not ops_db.is_file():
        raise UserError(f"no operational store at {ops_db} (run `callcenter qa sample` first)")
    return ops_db


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None


def _evaluator_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UserError("--evaluators needs at least one name (comma-separated)")
    return names


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def show(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "-"
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    cells = [[show(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


@click.group()
def qa() -> None:
    """Quality assurance: sample calls, score them on a form, calibrate, report.

    \b
    callcenter qa sample --week 2026-10-05 --per-agent 2 --evaluators e1,e2 --seed 7
    callcenter qa score --call CALL_ID --evaluator e1 --answers answers.toml
    callcenter qa score --simulate 40 --seed 7          (demo evaluations, labelled so)
    callcenter qa calibrate [--session NAME]
    callcenter qa report [--week 2026-10-05]
    """


@qa.command()
@_DB
@_OPS_DB
@click.option("--week", required=True, help="First local day of the period, YYYY-MM-DD.")
@click.option("--days", type=int, default=7, show_default=True, help="Days the plan covers.")
@click.option("--per-agent", type=int, required=True, help="Evaluations per agent in the period.")
@click.option("--evaluators", required=True, help="Evaluators, comma-separated.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@_JSON
@user_errors
def sample(
    db: Path,
    ops_db: Path,
    week: str,
    days: int,
    per_agent: int,
    evaluators: str,
    seed: int,
    as_json: bool,
) -> None:
    """Draw the sampling plan of a period and assign its calls to evaluators.

    Per agent, --per-agent answered, recorded calls of the period, stratified by queue,
    weighted towards long handle times, repeat calls within 7 days, the complaints queue,
    transfers, long silences and many holds (qa/sampling.py); a call sampled by an
    earlier plan is never drawn again; the same seed gives the same plan; workloads
    differ by at most one call.
    """
    if per_agent < 1:
        raise UserError(f"--per-agent must be at least 1, got {per_agent}")
    result = plan_period(
        _warehouse(db), ops_db, _date(week, "--week"), per_agent, _evaluator_list(evaluators),
        seed, days=days,
    )  # fmt: skip

    def human(r: dict[str, Any]) -> str:
        workload = ", ".join(f"{name} {count}" for name, count in r["workload"].items())
        reasons = ", ".join(f"{name} {count}" for name, count in r["by_reason"].items())
        return "\n".join(
            [
                f"plan {r['plan_id']}: {r['sampled']} calls of {r['agents']} agents "
                f"({r['period_start']} to {r['period_end']}, {r['candidates']} candidates)",
                f"workload: {workload}",
                "queues: " + ", ".join(f"{q} {n}" for q, n in r["by_queue"].items()),
                f"signals: {reasons or 'none'}",
            ]
            + (
                [f"short: {r['agents_short']} agents had fewer calls ({r['calls_short']} missing)"]
                if r["agents_short"]
                else []
            )
        )

    emit(result, as_json, human)


@qa.command()
@_DB
@_OPS_DB
@click.option("--call", "call_id", help="The evaluated call (fct_calls.call_id).")
@click.option("--evaluator", help="Who evaluated it.")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Answers file, TOML or JSON: [answers] item = yes|no|na|1..5, [comments], comment.",
)
@_FORM
@click.option("--off-sample", is_flag=True, help="Allow a call no plan sampled (flagged).")
@click.option("--calibration-session", help="Tag the evaluation(s) with a calibration session.")
@click.option(
    "--simulate",
    type=int,
    help="DEMO: evaluate this many open sampled calls with simulated answers (labelled).",
)
@click.option("--evaluators", help="With --simulate and --calibration-session: the panel.")
@click.option(
    "--with-responses",
    is_flag=True,
    help="DEMO, with --simulate: agents then acknowledge or dispute the evaluations, some "
    "disputes are resolved, failed ones get coaching (reviewers: --evaluators).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --simulate.")
@_JSON
@user_errors
def score(
    db: Path,
    ops_db: Path,
    call_id: str | None,
    evaluator: str | None,
    answers_file: Path | None,
    form_source: str,
    off_sample: bool,
    calibration_session: str | None,
    simulate: int | None,
    evaluators: str | None,
    with_responses: bool,
    seed: int,
    as_json: bool,
) -> None:
    """Score one call on a form from an answers file, and store the evaluation.

    The score (0-100) is computed now (qa/scoring.py: NA items drop out of numerator and
    denominator; a "no" on a critical item fails the evaluation: score 0, not passed) and
    stored with every answer. A call the warehouse does not know is refused; a call no
    plan sampled needs --off-sample; the same evaluator, call and form version twice is
    refused. --simulate N is for the demo: answers generated from recording signals,
    stored with origin demo_simulated.
    """
    form = load_form(form_source)
    _warehouse(db)
    if with_responses and (simulate is None or calibration_session):
        raise UserError("--with-responses goes with --simulate N, outside a calibration session")
    if simulate is not None:
        if call_id or answers_file or evaluator:
            raise UserError("--simulate takes no --call, --evaluator or --answers")
        from qa.demo import simulate_evaluations, simulate_follow_up

        result = simulate_evaluations(
            db, _store(ops_db), simulate, seed, form,
            calibration_session=calibration_session,
            evaluators=_evaluator_list(evaluators) if evaluators else None,
        )  # fmt: skip
        created = result.pop("evaluation_ids")
        if with_responses:
            reviewers = _evaluator_list(evaluators) if evaluators else []
            result["responses"] = simulate_follow_up(
                _store(ops_db), created, seed, date.today(), reviewers
            )
        emit(
            result,
            as_json,
            lambda r: (
                f"DEMO: {r['evaluations']} simulated evaluations of {r['calls']} calls, "
                f"mean score {r['mean_score']}, {r['passed']} passed, "
                f"{r['critical_fails']} critical fails"
                + (f", session {r['calibration_session']}" if r["calibration_session"] else "")
                + (
                    "; then {acknowledged} acknowledged, {disputed} disputed ({upheld} "
                    "upheld, {overturned} overturned), {coaching_sessions} coaching "
                    "sessions planned".format(**r["responses"])
                    if "responses" in r
                    else ""
                )
            ),
        )
        return
    if not (call_id and evaluator and answers_file):
        raise UserError("give --call, --evaluator and --answers (or --simulate N for the demo)")
    sheet = read_answer_sheet(answers_file)
    result = evaluate(
        db, ops_db, call_id, evaluator, form, sheet,
        off_sample=off_sample, calibration_session=calibration_session,
    )  # fmt: skip
    emit(result, as_json, _human_evaluation)


def _human_evaluation(r: dict[str, Any]) -> str:
    verdict = "PASSED" if r["passed"] else "FAILED"
    if r["critical_failed"]:
        verdict += " (critical: " + ", ".join(r["critical_failures"]) + ")"
    sections = ", ".join(
        f"{name} {'na' if value is None else f'{value:.0f}'}"
        for name, value in r["sections"].items()
    )
    return (
        f"{r['evaluation_id']}: call {r['call_id']} agent {r['agent_id']} by {r['evaluator']} "
        f"on {r['form']}: score {r['score']:.2f} {verdict}\nsections: {sections}"
    )


def _scores_from(ops_db: Path, db: Path | None) -> pd.DataFrame:
    if db is not None:
        from warehouse.connect import read_only

        with read_only(_warehouse(db)) as con:
            tables = {name for (name,) in con.execute("show tables").fetchall()}
            if "mart_qa_scores" not in tables:
                raise UserError(f"the warehouse {db} has no mart_qa_scores (rebuild it)")
            return con.execute(
                "select evaluation_id, call_id, agent_id, evaluator, form_id, form_version, "
                "call_time_local, score, critical_failed, passed, dispute_status, "
                "calibration_session from mart_qa_scores"
            ).df()
    return store.evaluations(_store(ops_db))


@qa.command("calibrate")
@_OPS_DB
@click.option("--session", help="Only the evaluations of this calibration session.")
@_JSON
@user_errors
def calibrate_command(ops_db: Path, session: str | None, as_json: bool) -> None:
    """Agreement of evaluators on calls several of them scored, and each one's bias.

    \b
    alpha_interval  Krippendorff's alpha (interval) on the scores; >= 0.8 is reliable
    icc2_1          ICC(2,1), Shrout & Fleiss 1979, on calls every evaluator scored
    bias            mean of (own score - mean of the others) per evaluator, points
    """
    scores = store.evaluations(_store(ops_db))
    if session is not None:
        scores = scores.loc[scores["calibration_session"] == session]
        if scores.empty:
            raise UserError(f"no evaluations in calibration session {session!r}")
    forms = scores[["form_id", "form_version"]].drop_duplicates()
    if len(forms) > 1:
        listed = ", ".join(f"{f} v{v}" for f, v in forms.itertuples(index=False))
        raise UserError(f"the evaluations use several forms ({listed}); pick one --session")
    report = calibrate(scores)
    if report.calls == 0:
        raise UserError("no call was scored by two or more evaluators; nothing to calibrate")
    result = report.to_dict() | {"session": session}

    def human(r: dict[str, Any]) -> str:
        icc = r["icc"]
        head = (
            f"calibration{' ' + r['session'] if r['session'] else ''}: {r['calls']} calls, "
            f"{r['evaluators']} evaluators, {r['ratings']} scores\n"
            f"Krippendorff alpha (interval): "
            + ("-" if r["alpha_interval"] is None else f"{r['alpha_interval']:.3f}")
            + "\nICC(2,1): "
            + ("-" if icc is None else f"{icc['icc2_1']:.3f} on {r['complete_calls']} calls")
        )
        return (
            head
            + "\n"
            + _table(r["bias"], ["evaluator", "calls", "mean_score", "bias", "mean_abs_difference"])
        )

    emit(result, as_json, human)


@qa.command("report")
@_OPS_DB
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read mart_qa_scores from this warehouse instead of the store.",
)
@click.option("--week", help="Any day of the week to report (default: the latest).")
@click.option("--day", help="Day of the star of the day (default: the latest in the week).")
@click.option("--agent", help="Instead: this agent's scorecard for every week (the trend).")
@_JSON
@user_errors
def report_command(
    ops_db: Path,
    db: Path | None,
    week: str | None,
    day: str | None,
    agent: str | None,
    as_json: bool,
) -> None:
    """Agent scorecards of a week with the trend, and the QA stars of the day and week.

    Star: highest mean score among agents with at least 2 evaluations in the week (1 on
    the day) and no critical fail; ties go to more evaluations, then the smaller agent id.
    Trend: the week's mean score - the mean of the 4 weeks before. Overturned and
    calibration-session evaluations do not count (qa/scorecards.py).
    """
    scores = _scores_from(ops_db, db)
    if scores.empty:
        raise UserError("no evaluations yet")
    if agent is not None:
        weeks = scorecards.weekly_scorecards(scores)
        weeks = weeks.loc[weeks["agent_id"] == agent].astype(object)
        if weeks.empty:
            raise UserError(f"no counted evaluations of agent {agent}")
        rows = [
            record | {"week_start": str(record["week_start"])}
            for record in weeks.where(weeks.notna(), None).to_dict("records")
        ]
        emit(
            {"agent_id": agent, "weeks": rows},
            as_json,
            lambda r: f"agent {agent}\n"
            + _table(
                r["weeks"],
                ["week_start", "evaluations", "mean_score", "critical_fails", "pass_rate",
                 "previous_mean_score", "trend"],
            ),
        )  # fmt: skip
        return
    result = scorecards.report(
        scores,
        _date(week, "--week") if week else None,
        _date(day, "--day") if day else None,
    )

    def human(r: dict[str, Any]) -> str:
        def star(s: dict[str, Any] | None) -> str:
            return (
                "none"
                if s is None
                else (f"{s['agent_id']} ({s['mean_score']:.1f}, {s['evaluations']} evaluations)")
            )

        return "\n".join(
            [
                f"week of {r['week_start']}: {r['evaluations']} evaluations of {r['agents']} "
                f"agents, mean score {r['mean_score']}, pass rate {r['pass_rate']}, "
                f"{r['critical_fails']} critical fails",
                f"star of the week: {star(r['star_of_week'])}",
                f"star of the day {r['day']}: {star(r['star_of_day'])}",
                _table(
                    r["scorecards"],
                    ["agent_id", "evaluations", "mean_score", "critical_fails", "pass_rate",
                     "trend"],
                ),
            ]
        )  # fmt: skip

    emit(result, as_json, human)


@qa.group()
def dispute() -> None:
    """The agent's acknowledgement or dispute of an evaluation, and its resolution."""


def _respond(
    ops_db: Path, evaluation_id: str, agent: str, response: str, reason: str | None, as_json: bool
) -> None:
    status = store.respond(_store(ops_db), evaluation_id, agent, response, reason)
    emit(
        {"evaluation_id": evaluation_id, "agent_id": agent, "response": response, "status": status},
        as_json,
        lambda r: f"{r['evaluation_id']}: {response} by {r['agent_id']} (status {r['status']})",
    )


@dispute.command("acknowledge")
@_OPS_DB
@click.option("--evaluation", "evaluation_id", required=True)
@click.option("--agent", required=True, help="The evaluated agent.")
@_JSON
@user_errors
def acknowledge(ops_db: Path, evaluation_id: str, agent: str, as_json: bool) -> None:
    """The agent acknowledges an evaluation."""
    _respond(ops_db, evaluation_id, agent, "acknowledged", None, as_json)


@dispute.command("raise")
@_OPS_DB
@click.option("--evaluation", "evaluation_id", required=True)
@click.option("--agent", required=True, help="The evaluated agent.")
@click.option("--reason", required=True, help="Why the agent disputes it.")
@_JSON
@user_errors
def raise_dispute(ops_db: Path, evaluation_id: str, agent: str, reason: str, as_json: bool) -> None:
    """The agent disputes an evaluation, with a reason."""
    _respond(ops_db, evaluation_id, agent, "disputed", reason, as_json)


@dispute.command("resolve")
@_OPS_DB
@click.option("--evaluation", "evaluation_id", required=True)
@click.option("--resolution", type=click.Choice(["upheld", "overturned"]), required=True)
@click.option("--by", "resolved_by", required=True, help="Who resolved it.")
@click.option("--note", help="The resolution's reasoning.")
@_JSON
@user_errors
def resolve(
    ops_db: Path,
    evaluation_id: str,
    resolution: str,
    resolved_by: str,
    note: str | None,
    as_json: bool,
) -> None:
    """Close an open dispute: upheld (stands) or overturned (no longer counts)."""
    status = store.resolve_dispute(_store(ops_db), evaluation_id, resolution, resolved_by, note)
    emit(
        {"evaluation_id": evaluation_id, "status": status, "resolved_by": resolved_by},
        as_json,
        lambda r: f"{r['evaluation_id']}: dispute {r['status']} by {r['resolved_by']}",
    )


@dispute.command("list")
@_OPS_DB
@_JSON
@user_errors
def dispute_list(ops_db: Path, as_json: bool) -> None:
    """Every acknowledgement and dispute with its status."""
    rows = store.disputes(_store(ops_db)).astype(object)
    records = rows.where(rows.notna(), None).to_dict("records")
    emit(
        records,
        as_json,
        lambda r: _table(r, ["evaluation_id", "agent_id", "response", "status", "reason"]),
    )


@qa.group()
def coach() -> None:
    """Coaching sessions on findings, with follow-up dates."""


@coach.command("add")
@_OPS_DB
@click.option("--evaluation", "evaluation_id", required=True, help="The evaluation coached on.")
@click.option("--item", "item_id", help="The finding: an item of the evaluation's form.")
@click.option("--coach", "coach_name", required=True, help="Who coaches.")
@click.option("--date", "session_date", required=True, help="Session date, YYYY-MM-DD.")
@click.option("--follow-up", help="Follow-up date, YYYY-MM-DD.")
@click.option("--notes", help="What was agreed.")
@_JSON
@user_errors
def coach_add(
    ops_db: Path,
    evaluation_id: str,
    item_id: str | None,
    coach_name: str,
    session_date: str,
    follow_up: str | None,
    notes: str | None,
    as_json: bool,
) -> None:
    """Plan a coaching session linked to an evaluation (and one of its items)."""
    coaching_id = store.add_coaching(
        _store(ops_db), evaluation_id, coach_name, _date(session_date, "--date"),
        item_id=item_id, notes=notes,
        follow_up_date=_date(follow_up, "--follow-up") if follow_up else None,
    )  # fmt: skip
    emit(
        {"coaching_id": coaching_id, "evaluation_id": evaluation_id, "item_id": item_id},
        as_json,
        lambda r: (
            f"{r['coaching_id']}: coaching planned on {r['evaluation_id']}"
            + (f" item {r['item_id']}" if r["item_id"] else "")
        ),
    )


@coach.command("done")
@_OPS_DB
@click.option("--id", "coaching_id", required=True, help="The coaching session.")
@_JSON
@user_errors
def coach_done(ops_db: Path, coaching_id: str, as_json: bool) -> None:
    """Mark a coaching session as held."""
    store.complete_coaching(_store(ops_db), coaching_id)
    emit({"coaching_id": coaching_id, "status": "done"}, as_json, lambda r: f"{coaching_id}: done")


@coach.command("list")
@_OPS_DB
@_JSON
@user_errors
def coach_list(ops_db: Path, as_json: bool) -> None:
    """Coaching sessions, with follow-up dates."""
    rows = store.coaching(_store(ops_db)).astype(object)
    records = rows.where(rows.notna(), None).to_dict("records")
    emit(
        records,
        as_json,
        lambda r: _table(
            r, ["coaching_id", "agent_id", "evaluation_id", "item_id", "session_date",
                "follow_up_date", "status"]
        ),
    )  # fmt: skip


@qa.command("form")
@_FORM
@_JSON
@user_errors
def form_command(form_source: str, as_json: bool) -> None:
    """Validate a form and show its sections, weights and critical items."""
    form: Form = load_form(form_source)

    def human(f: dict[str, Any]) -> str:
        lines = [f"form {f['form_id']} v{f['version']}: {f['title']} (pass {f['pass_score']:g})"]
        for section in f["sections"]:
            lines.append(f"  {section['id']} (weight {section['weight']:g})")
            for item in section["items"]:
                flag = "  CRITICAL" if item["critical"] else ""
                lines.append(f"    {item['id']} [{item['scale']}] x{item['weight']:g}{flag}")
        return "\n".join(lines)

    emit(form.to_dict(), as_json, human)
