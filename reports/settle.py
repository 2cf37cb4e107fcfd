"""The period's settlement and billing reports from the published warehouse, and their files.

``build_reports(db, period)`` reads the warehouse once (``warehouse.connect.read_only``)
and returns every report (:mod:`reports.settlement`, :mod:`reports.billing`);
``write_reports(run, out_dir)`` writes ``settlement_<period>.xlsx`` and one CSV per report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.billing import billing_reports
from reports.output import write_csv, write_workbook
from reports.period import Period
from reports.settlement import (
    Coverage,
    ageing_report,
    as_of_date,
    coverage,
    exceptions_report,
    settlement_report,
)
from reports.tables import Report, jsonable
from warehouse.connect import read_only

_NEEDED = (
    "build_info",
    "mart_settlement",
    "mart_settlement_exceptions",
    "mart_call_billing_daily",
    "int_order_status",
    "stg_distributors",
)


class NoDataError(ValueError):
    """The warehouse has no order and no call data in the period."""


@dataclass(frozen=True)
class SettleRun:
    """The reports of one period and what they were built from."""

    period: Period
    db: Path
    coverage: Coverage
    reports: list[Report]

    def report(self, name: str) -> Report:
        """The report called ``name``."""
        return next(report for report in self.reports if report.name == name)

    def summary(self) -> dict[str, Any]:
        """Totals per distributor, grand totals, call cost, exceptions (JSON-ready)."""
        settlement = self.report("settlement")
        money = [c.key for c in settlement.columns if c.kind in ("money", "count")]
        parties = [
            {"settlement_party": row["settlement_party"], "channel": row["channel"]}
            | {key: jsonable(row[key]) for key in money}
            for row in settlement.rows
        ]
        exceptions = self.report("exceptions")
        by_type: dict[str, dict[str, Any]] = {}
        for row in exceptions.rows:
            entry = by_type.setdefault(row["exception_type"], {"orders": 0, "amount": 0})
            entry["orders"] += 1
            entry["amount"] += row["exception_amount"]
        return {
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "db": str(self.db),
            "data_end_date": self.coverage.data_end_date.isoformat()
            if self.coverage.data_end_date
            else None,
            "ageing_as_of": as_of_date(self.period, self.coverage).isoformat(),
            "per_distributor": parties,
            "grand_totals": settlement.to_dict()["totals"],
            "ageing_totals": self.report("ageing").to_dict()["totals"],
            "exceptions": {
                key: {"orders": value["orders"], "amount": jsonable(value["amount"])}
                for key, value in sorted(by_type.items())
            },
            "unknown_distributors": sorted(
                {
                    row["settlement_party"]
                    for row in exceptions.rows
                    if row["exception_type"] == "unknown_distributor"
                }
            ),
            "call_cost_total": jsonable(self.report("cost_by_queue").totals()["cost"]),
            "call_legs": self.report("cost_by_queue").totals()["legs"],
            "unrated_legs": self.report("cost_by_queue").totals()["unrated_legs"],
            "reports": [report.to_dict() for report in self.reports],
        }


def build_reports(db_path: str | os.PathLike[str], period: Period) -> SettleRun:
    """Every report of ``period`` from the warehouse at ``db_path``.

    Raises ``FileNotFoundError`` (no warehouse), ``ValueError`` (a warehouse without the
    settlement and billing marts) or :class:`NoDataError` (nothing booked and no call
    billed in the period; the message gives the span the warehouse covers).
    """
    db = Path(db_path)
    with read_only(db) as con:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
        missing = [name for name in _NEEDED if name not in present]
        if missing:
            raise ValueError(
                f"{db} is not a warehouse with settlement marts (no {', '.join(missing)})"
            )
        cover = coverage(con)
        booked, legs = con.execute(
            "select (select count(*) from mart_settlement where booked_date between ? and ?), "
            "(select count(*) from mart_call_billing_daily where local_date between ? and ?)",
            [period.start, period.end, period.start, period.end],
        ).fetchall()[0]
        if not booked and not legs:
            span = (
                f"orders booked {cover.first_booked}..{cover.last_booked}"
                if cover.first_booked
                else "no orders at all"
            )
            raise NoDataError(
                f"no orders booked and no calls billed in period {period.label} "
                f"({period.start}..{period.end}); the warehouse has {span}"
            )
        reports = [
            settlement_report(con, period),
            ageing_report(con, period, cover),
            exceptions_report(con, period),
            *billing_reports(con, period),
        ]
    return SettleRun(period, db, cover, reports)


def write_reports(run: SettleRun, out_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Write the workbook and the CSV files into ``out_dir``; returns name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = run.period.label.replace("..", "_to_")
    files = {"workbook": str(write_workbook(run.reports, out / f"settlement_{stem}.xlsx"))}
    for report in run.reports:
        files[report.name] = str(write_csv(report, out / f"{report.name}_{stem}.csv"))
    return files
