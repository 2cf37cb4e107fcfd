"""The risk register and incidents in the operational store (a DuckDB file of its own).

The tables are declared in ``warehouse/ops/risk.sql``; every function here runs that file
first (``create table if not exists``), so a new store is created on first use, and the
warehouse build copies the same tables in (``warehouse.publish``). Each change is one
transaction through ``warehouse.connect.read_write``: an error rolls it back whole, so
nothing is half-written. Reads go through ``read_only`` when the store exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import warehouse
from qa.risk.config import RiskConfig
from qa.risk.incidents import Incident, Scope, escalation_steps
from qa.risk.register import Risk, RiskError, check_unique, rescore
from warehouse.connect import read_only, read_write

DEFAULT_OPS_DB = Path("data/operational.duckdb")
DECLARATIONS = Path(warehouse.__file__).resolve().parent / "ops" / "risk.sql"

_RISK_COLUMNS = (
    "risk_id, title, category, owner, probability, impact, score, strategy, warning_signs, "
    "review_date, description, signal"
)


def _create(con: Any) -> None:
    con.execute(DECLARATIONS.read_text(encoding="utf-8"))


def _now() -> datetime:
    return datetime.now(UTC)


def _risk_values(risk: Risk) -> list[Any]:
    return [
        risk.risk_id,
        risk.title,
        risk.category,
        risk.owner,
        risk.probability,
        risk.impact,
        risk.score,
        risk.strategy,
        json.dumps(list(risk.warning_signs), ensure_ascii=False),
        risk.review_date,
        risk.description,
        risk.signal,
    ]


def _write_version(con: Any, risk: Risk, version: int, change: str, note: str | None) -> None:
    now = _now()
    values = _risk_values(risk)
    con.execute("delete from risk_register where risk_id = ?", [risk.risk_id])
    con.execute(
        f"insert into risk_register ({_RISK_COLUMNS}, version, updated_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*values, version, now],
    )
    con.execute(
        f"insert into risk_register_history ({_RISK_COLUMNS}, version, change, changed_at, note) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*values, version, change, now, note],
    )


def _versions(con: Any) -> dict[str, int]:
    return dict(con.execute("select risk_id, version from risk_register").fetchall())


def add_risks(
    ops_db: str | Path, risks: Sequence[Risk], *, replace: bool = False, change: str = "add"
) -> dict[str, int]:
    """Add risks in one transaction; returns risk id -> version written.

    A risk id already in the register is refused (:class:`RiskError`, nothing written)
    unless ``replace`` (an import updating the register), which writes a new version.
    """
    check_unique(risks)
    with read_write(ops_db) as con:
        _create(con)
        con.execute("begin transaction")
        try:
            versions = _versions(con)
            existing = [risk.risk_id for risk in risks if risk.risk_id in versions]
            if existing and not replace:
                raise RiskError(
                    f"risk id {', '.join(existing)} already in the register "
                    "(use score to change it, or import --replace)"
                )
            written = {}
            for risk in risks:
                version = versions.get(risk.risk_id, 0) + 1
                _write_version(con, risk, version, change, None)
                written[risk.risk_id] = version
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return written


def score_risks(
    ops_db: str | Path, scores: Sequence[tuple[str, Any, Any, str | None]]
) -> list[Risk]:
    """Rescore risks in one transaction: (risk_id, probability or None, impact or None, note).

    Each value is checked to be a whole number 1..10; an unknown risk id raises
    :class:`RiskError` and nothing is written.
    """
    with read_write(ops_db) as con:
        _create(con)
        con.execute("begin transaction")
        try:
            current = {risk.risk_id: risk for risk in _read_risks(con)}
            versions = _versions(con)
            changed = []
            for risk_id, probability, impact, note in scores:
                if risk_id not in current:
                    raise RiskError(f"unknown risk id {risk_id}")
                risk = rescore(current[risk_id], probability, impact)
                versions[risk_id] += 1
                _write_version(con, risk, versions[risk_id], "score", note)
                current[risk_id] = risk
                changed.append(risk)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return changed


def _read_risks(con: Any) -> list[Risk]:
    rows = con.execute(f"select {_RISK_COLUMNS} from risk_register order by risk_id").fetchall()
    risks = []
    for row in rows:
        (risk_id, title, category, owner, probability, impact, _score, strategy, signs) = row[:9]
        review_date, description, signal = row[9:]
        risks.append(
            Risk(
                risk_id=risk_id,
                title=title,
                category=category,
                owner=owner,
                probability=probability,
                impact=impact,
                strategy=strategy,
                warning_signs=tuple(json.loads(signs)),
                review_date=review_date,
                description=description,
                signal=signal,
            )
        )
    return risks


def read_risks(ops_db: str | Path) -> list[Risk]:
    """The current register (empty when the store does not exist yet), by risk id."""
    if not Path(ops_db).is_file():
        return []
    with read_only(ops_db) as con:
        if not _has_table(con, "risk_register"):
            return []
        return _read_risks(con)


def risk_history(ops_db: str | Path, risk_id: str) -> list[dict[str, Any]]:
    """Every version of one risk: version, change, probability, impact, score, note, time."""
    if not Path(ops_db).is_file():
        return []
    with read_only(ops_db) as con:
        if not _has_table(con, "risk_register_history"):
            return []
        result = con.execute(
            "select version, change, probability, impact, score, note, "
            "cast(changed_at as timestamp) as changed_at from risk_register_history "
            "where risk_id = ? order by version",
            [risk_id],
        )
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _has_table(con: Any, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_name = ?", [name]
        ).fetchall()[0][0]
    )


def log_incidents(
    ops_db: str | Path,
    incidents: Iterable[Incident],
    config: RiskConfig,
    as_of: datetime,
    *,
    refuse_known: bool = False,
) -> dict[str, Any]:
    """Log incidents not logged yet, with their escalation steps, in one transaction.

    An incident id already in the store is skipped, so detecting again over the same
    history logs nothing twice; with ``refuse_known`` it raises :class:`RiskError` instead
    (an incident reported by hand under an id already used). Steps are due up to the end,
    or ``as_of`` (naive UTC) while open. Returns the ids logged and skipped and the number
    of steps written.
    """
    logged, skipped, steps = [], [], 0
    with read_write(ops_db) as con:
        _create(con)
        con.execute("begin transaction")
        try:
            known = {
                row[0] for row in con.execute("select incident_id from risk_incidents").fetchall()
            }
            now = _now()
            for incident in incidents:
                if incident.incident_id in known and refuse_known:
                    raise RiskError(f"incident id {incident.incident_id} is already logged")
                if incident.incident_id in known:
                    skipped.append(incident.incident_id)
                    continue
                known.add(incident.incident_id)
                con.execute(
                    "insert into risk_incidents values "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        incident.incident_id,
                        incident.kind,
                        incident.level,
                        incident.queue,
                        incident.menu_path,
                        _aware(incident.started_at),
                        _aware(incident.ended_at) if incident.ended_at else None,
                        incident.minutes_to_recover,
                        incident.scope.seat_share,
                        incident.scope.sites_down,
                        incident.scope.all_sites,
                        incident.scope.queues_down,
                        incident.description,
                        json.dumps(incident.evidence, default=str),
                        now,
                    ],
                )
                steps += _insert_steps(
                    con,
                    incident.incident_id,
                    config,
                    incident.level,
                    incident.started_at,
                    incident.ended_at or as_of,
                )
                logged.append(incident.incident_id)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return {"logged": logged, "skipped": skipped, "escalation_steps": steps}


def resolve_incident(
    ops_db: str | Path, incident_id: str, ended_at: datetime, config: RiskConfig
) -> Incident:
    """End an open (or re-end an ended) incident at ``ended_at`` (naive UTC), in one
    transaction: its time to recover is set and its escalation steps are recomputed up to
    the end. Raises :class:`RiskError` for an unknown id or an end before the start."""
    with read_write(ops_db) as con:
        _create(con)
        con.execute("begin transaction")
        try:
            rows = con.execute(
                "select level, cast(started_at as timestamp) from risk_incidents "
                "where incident_id = ?",
                [incident_id],
            ).fetchall()
            if not rows:
                raise RiskError(f"unknown incident id {incident_id}")
            level, started_at = rows[0]
            if ended_at < started_at:
                raise RiskError(
                    f"incident {incident_id} started at {started_at:%Y-%m-%d %H:%M} UTC; "
                    "it cannot end before"
                )
            minutes = (ended_at - started_at).total_seconds() / 60.0
            con.execute(
                "update risk_incidents set ended_at = ?, minutes_to_recover = ? "
                "where incident_id = ?",
                [_aware(ended_at), minutes, incident_id],
            )
            con.execute("delete from risk_escalations where incident_id = ?", [incident_id])
            _insert_steps(con, incident_id, config, level, started_at, ended_at)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return next(i for i in read_incidents(ops_db) if i.incident_id == incident_id)


def _insert_steps(
    con: Any,
    incident_id: str,
    config: RiskConfig,
    level: int,
    started_at: datetime,
    until: datetime,
) -> int:
    due = escalation_steps(config.escalation[level], started_at, until)
    if due:
        con.executemany(
            "insert into risk_escalations values (?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    incident_id,
                    n.step,
                    n.after_min,
                    _aware(n.due_at),
                    ",".join(n.notify),
                    n.action,
                    n.kind,
                ]
                for n in due
            ],
        )
    return len(due)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_incidents(ops_db: str | Path) -> list[Incident]:
    """Every logged incident, by start time (times as naive UTC)."""
    if not Path(ops_db).is_file():
        return []
    with read_only(ops_db) as con:
        if not _has_table(con, "risk_incidents"):
            return []
        rows = con.execute(
            "select incident_id, kind, level, queue, menu_path, "
            "cast(started_at as timestamp), cast(ended_at as timestamp), seat_share, "
            "sites_down, all_sites, queues_down, description, evidence "
            "from risk_incidents order by started_at, incident_id"
        ).fetchall()
    return [
        Incident(
            incident_id=row[0],
            kind=row[1],
            level=row[2],
            queue=row[3],
            menu_path=row[4],
            started_at=row[5],
            ended_at=row[6],
            scope=Scope(
                seat_share=row[7], sites_down=row[8], all_sites=row[9], queues_down=row[10]
            ),
            description=row[11],
            evidence=json.loads(row[12]),
        )
        for row in rows
    ]


def read_escalations(ops_db: str | Path, incident_id: str | None = None) -> list[dict[str, Any]]:
    """Escalation steps logged (of one incident, or all), by incident and step.

    Each record: incident_id, step, after_min, due_at (naive UTC), notify (list), action,
    kind.
    """
    if not Path(ops_db).is_file():
        return []
    with read_only(ops_db) as con:
        if not _has_table(con, "risk_escalations"):
            return []
        rows = con.execute(
            "select incident_id, step, after_min, cast(due_at as timestamp), notify, action, kind "
            "from risk_escalations where ? is null or incident_id = ? order by incident_id, step",
            [incident_id, incident_id],
        ).fetchall()
    names = ("incident_id", "step", "after_min", "due_at", "notify", "action", "kind")
    records = [dict(zip(names, row, strict=True)) for row in rows]
    for record in records:
        record["notify"] = record["notify"].split(",") if record["notify"] else []
    return records
