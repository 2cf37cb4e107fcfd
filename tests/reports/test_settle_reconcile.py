"""Settlement and billing reports reconciled with the landing files the warehouse came from.

One small warehouse per module: three simulated days of the airline center with the
shipped tariff, ingested and published. Every expected figure below is computed here from
the landing CSV files (orders, order events, Asterisk Master.csv) and the tariff CSV, in
plain Python, not from the warehouse.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from acd.orders import DEFAULT_DISTRIBUTORS
from acd.simulate import simulate
from callcenter_cli import main
from ingest.loader import Loader
from ingest.readers.tariffs import DEFAULT_TARIFF_CSV
from reports.period import parse_period
from reports.settle import build_reports, write_reports
from warehouse.connect import read_only
from warehouse.publish import publish

ZONE = ZoneInfo("Asia/Shanghai")
TERMS = {d.code: d.payment_terms_days for d in DEFAULT_DISTRIBUTORS}
RATES = {d.code: Decimal(str(d.commission_rate)) for d in DEFAULT_DISTRIBUTORS}
PERIOD = "2026-09-01..2026-09-02"  # two of the three days: the cut must matter
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Built:
    landing: Path
    ingest_db: Path
    warehouse_db: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("settle")
    landing = root / "landing"
    simulate("airline", date(2026, 9, 1), 3, 5, landing)
    tariffs = landing / "billing" / "tariffs.csv"
    tariffs.parent.mkdir(parents=True, exist_ok=True)
    tariffs.write_text(DEFAULT_TARIFF_CSV, encoding="utf-8")
    with Loader(root / "ingest.duckdb") as loader:
        loader.ingest([landing])
    publish(root / "warehouse.duckdb", root / "ingest.duckdb")
    return Built(landing, root / "ingest.duckdb", root / "warehouse.duckdb")


def _rows(folder: Path, pattern: str) -> Iterator[dict[str, str]]:
    for path in sorted(folder.glob(pattern)):
        with path.open(newline="", encoding="utf-8") as handle:
            yield from csv.DictReader(handle)


def _local(instant: str) -> datetime:
    return datetime.fromisoformat(instant).astimezone(ZONE)


@dataclass
class Order:
    row: dict[str, str]
    events: list[tuple[datetime, str, Decimal]]

    @property
    def party(self) -> str:
        return (
            self.row["distributor"] if self.row["channel"] == "distributor" else self.row["channel"]
        )

    @property
    def total(self) -> Decimal:
        return Decimal(self.row["fare"]) + Decimal(self.row["taxes"])

    def first(self, event: str, before: datetime | None = None) -> datetime | None:
        times = [t for t, e, _ in self.events if e == event and (before is None or t < before)]
        return min(times) if times else None

    def amount(self, event: str) -> Decimal:
        return sum((a for _, e, a in self.events if e == event), ZERO)


def _orders(landing: Path) -> dict[str, Order]:
    orders = {row["order_id"]: Order(row, []) for row in _rows(landing / "orders", "orders_*.csv")}
    for row in _rows(landing / "orders", "order_events_*.csv"):
        orders[row["order_id"]].events.append(
            (_local(row["event_time"]), row["event"], Decimal(row["amount"]))
        )
    return orders


def _booked_in(order: Order, start: date, end: date) -> bool:
    return start <= _local(order.row["created_time"]).date() <= end


def test_settlement_per_distributor_equals_the_landing_orders(built: Built) -> None:
    period = parse_period(PERIOD)
    run = build_reports(built.warehouse_db, period)
    expected: dict[str, dict[str, Any]] = defaultdict(
        lambda: (
            {"orders_booked": 0}
            | dict.fromkeys(
                (
                    "booked_amount",
                    "collected_amount",
                    "collected_cod",
                    "refunded_amount",
                    "commission",
                    "cancelled_amount",
                    "billable_amount",
                ),
                ZERO,
            )
        )
    )
    for order in _orders(built.landing).values():
        if not _booked_in(order, period.start, period.end):
            continue
        party = expected[order.party]
        party["orders_booked"] += 1
        party["booked_amount"] += order.total
        party["collected_amount"] += order.amount("paid")
        if order.row["payment_method"] == "cash_on_delivery":
            party["collected_cod"] += order.amount("paid")
        party["refunded_amount"] += order.amount("refunded")
        ticketed, cancelled = order.first("ticketed"), order.first("cancelled")
        if cancelled:
            party["cancelled_amount"] += order.total
        elif ticketed:
            party["billable_amount"] += order.total
        if order.row["channel"] == "distributor" and ticketed:
            commission = Decimal(order.row["fare"]) * RATES[order.row["distributor"]]
            party["commission"] += commission.quantize(Decimal("0.01"), ROUND_HALF_UP)
    rows = {row["settlement_party"]: row for row in run.report("settlement").rows}
    assert set(rows) == set(expected)
    assert {"CTRIP", "call_center", "web"} <= set(rows)
    for party, figures in expected.items():
        for key, value in figures.items():
            assert rows[party][key] == value, (party, key)
        assert rows[party]["net_due"] == figures["billable_amount"] - figures["commission"]
    totals = run.report("settlement").totals()
    assert totals["booked_amount"] == sum((f["booked_amount"] for f in expected.values()), ZERO)
    assert totals["orders_booked"] == sum(f["orders_booked"] for f in expected.values())


def _due_date(order: Order, cutoff: datetime) -> date:
    ticketed = order.first("ticketed")
    assert ticketed is not None
    if order.row["channel"] == "distributor":
        return ticketed.date() + timedelta(days=TERMS[order.row["distributor"]])
    if order.row["payment_method"] == "cash_on_delivery":
        delivered = order.first("delivered", before=cutoff)
        return delivered.date() if delivered else ticketed.date() + timedelta(days=3)
    return ticketed.date()


def test_ageing_as_of_the_period_end_equals_the_landing_events(built: Built) -> None:
    period = parse_period(PERIOD)
    cutoff = datetime(2026, 9, 3, tzinfo=ZONE)  # end of the period's last local day
    expected: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for order in _orders(built.landing).values():
        if (
            order.first("ticketed", before=cutoff)
            and not order.first("cancelled", before=cutoff)
            and not order.first("paid", before=cutoff)
        ):
            days = (date(2026, 9, 2) - _due_date(order, cutoff)).days
            bucket = "current" if days <= 0 else "1_30"  # three days of data: no older debt
            expected[order.party][bucket] += order.total
            expected[order.party]["open_receivables"] += order.total
    report = build_reports(built.warehouse_db, period).report("ageing")
    assert report.title.endswith("as of 2026-09-02")
    rows = {row["settlement_party"]: row for row in report.rows}
    assert set(rows) == set(expected)
    for party, figures in expected.items():
        for key in ("open_receivables", "current", "1_30"):
            assert rows[party][key] == figures.get(key, ZERO), (party, key)
        assert rows[party]["31_60"] == rows[party]["over_90"] == ZERO


def test_ageing_as_of_the_data_end_equals_the_marts_open_receivables(built: Built) -> None:
    run = build_reports(built.warehouse_db, parse_period("2026-09"))
    assert run.summary()["ageing_as_of"] == str(run.coverage.data_end_date)
    with read_only(built.warehouse_db) as con:
        mart = con.execute(
            "select settlement_party, sum(open_receivables) from mart_settlement group by 1 "
            "having sum(open_receivables) > 0"
        ).fetchall()
        exceptions = con.execute("select count(*) from mart_settlement_exceptions").fetchall()
    assert {
        row["settlement_party"]: row["open_receivables"] for row in run.report("ageing").rows
    } == dict(mart)
    assert len(run.report("exceptions").rows) == exceptions[0][0]


def _tariff() -> list[dict[str, Any]]:
    return list(csv.DictReader(DEFAULT_TARIFF_CSV.splitlines()))


def _hand_cost(number: str, billsec: int, tariff: list[dict[str, Any]]) -> Decimal:
    """The carrier's rule: longest prefix; billed = max(minimum, billsec rounded up to the
    increment); cost = fee + rate x billed / 60, half-even to the fen."""
    row = max((t for t in tariff if number.startswith(t["prefix"])), key=lambda t: len(t["prefix"]))
    increment = int(row["billing_increment_s"])
    billed = max(int(row["minimum_s"] or 0), math.ceil(billsec / increment) * increment)
    cost = Decimal(row["connection_fee"] or "0") + Decimal(row["rate_per_min"]) * billed / 60
    return cost.quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def test_a_few_rows_rated_by_hand() -> None:
    tariff = _tariff()
    assert _hand_cost("13812345678", 2, tariff) == Decimal("0.08")  # 60 s minimum, 0.08/min
    assert _hand_cost("13812345678", 61, tariff) == Decimal("0.16")  # two started minutes
    assert _hand_cost("17012345678", 30, tariff) == Decimal("0.12")  # 170 beats 17
    assert _hand_cost("95388", 300, tariff) == ZERO  # the center's own number: caller pays


def test_call_cost_equals_the_cdrs_rated_by_hand(built: Built) -> None:
    tariff = _tariff()
    expected = ZERO
    rated = 0
    period = parse_period(PERIOD)
    for path in sorted((built.landing / "asterisk" / "cdr-csv").glob("Master.csv*")):
        with path.open(newline="", encoding="utf-8") as handle:
            for fields in csv.reader(handle):
                dst, context, start = fields[2], fields[3], fields[9]
                billsec, disposition = int(fields[13]), fields[14]
                day = date.fromisoformat(start[:10])  # Master.csv prints local wall time
                external = context == "from-pstn" or (
                    context != "ext-queues" and len(dst) >= 7 and dst.isdigit()
                )
                if period.start <= day <= period.end and external and disposition == "ANSWERED":
                    expected += _hand_cost(dst, billsec, tariff)
                    rated += 1
    assert rated > 100
    run = build_reports(built.warehouse_db, period)
    for name in ("cost_by_queue", "cost_by_agent", "cost_by_campaign", "cost_by_destination"):
        assert run.report(name).totals()["cost"] == expected, name
    assert expected > 0
    assert run.summary()["call_cost_total"] == float(expected)


def test_workbook_and_csv_files_hold_the_reports(built: Built, tmp_path: Path) -> None:
    run = build_reports(built.warehouse_db, parse_period(PERIOD))
    files = write_reports(run, tmp_path / "out")
    book = load_workbook(files["workbook"])
    assert book.sheetnames == [report.name for report in run.reports]
    for report in run.reports:
        sheet = book[report.name]
        assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
        values = list(sheet.iter_rows(min_row=2, values_only=True))
        body, total = values[:-1], values[-1]
        assert len(body) == len(report.rows) and total[0] == "Total"
        for index, column in enumerate(report.columns):
            if column.kind in ("money", "count", "seconds") and column.total:
                assert total[index] == pytest.approx(
                    sum(row[index] or 0 for row in body), abs=0.005
                )
            if column.kind == "money" and body:
                assert sheet.cell(row=2, column=index + 1).number_format == "#,##0.00"
        with open(files[report.name], newline="", encoding="utf-8") as handle:
            assert sum(1 for _ in csv.reader(handle)) == len(report.rows) + 1


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["settle", *args])


def test_cli_human_and_json(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "2026-09"
    result = _invoke("--db", str(built.warehouse_db), "--period", "2026-09", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "TOTAL" in result.stdout and "call cost total" in result.stdout
    assert (out / "settlement_2026-09.xlsx").is_file()
    result = _invoke(
        "--db", str(built.warehouse_db), "--period", "2026-09", "--out", str(out), "--json"
    )
    summary = json.loads(result.stdout)
    run = build_reports(built.warehouse_db, parse_period("2026-09"))
    assert summary["grand_totals"]["booked_amount"] == float(
        run.report("settlement").totals()["booked_amount"]
    )
    assert {p["settlement_party"] for p in summary["per_distributor"]} >= {"CTRIP", "web"}
    assert summary["unknown_distributors"] == []
    monkeypatch.chdir(tmp_path)
    result = _invoke("--db", str(built.warehouse_db), "--period", "2026-09-01")
    assert result.exit_code == 0
    assert (tmp_path / "data" / "reports" / "2026-09-01" / "settlement_2026-09-01.xlsx").is_file()


def test_cli_errors_are_one_line(built: Built, tmp_path: Path) -> None:
    db = str(built.warehouse_db)
    cases = [
        (("--db", db, "--period", "2026/09"), "error: unknown period format '2026/09'"),
        (
            ("--db", db, "--period", "2025-01"),
            "error: no orders booked and no calls billed in period 2025-01",
        ),
        (("--db", str(tmp_path / "none.duckdb"), "--period", "2026-09"), "error: no warehouse at"),
        (
            ("--db", str(built.ingest_db), "--period", "2026-09"),
            "is not a warehouse with settlement marts",
        ),
    ]
    for args, message in cases:
        result = _invoke(*args, "--out", str(tmp_path / "x"))
        assert result.exit_code == 2, args
        assert message in result.stderr and len(result.stderr.splitlines()) == 1
        assert result.stdout == ""


def test_an_order_of_an_unknown_distributor_is_built_and_listed_to_chase(tmp_path: Path) -> None:
    """A distributor missing from stg_distributors does not stop the build: its order is
    kept with commission 0 and no due date, and listed as unknown_distributor."""
    orders = tmp_path / "landing" / "orders"
    orders.mkdir(parents=True)
    (orders / "orders_20260901.csv").write_text(
        "order_id,created_time,customer_id,channel,distributor,call_id,agent_id,origin,"
        "destination,flight_date,passengers,fare,taxes,payment_method,currency\n"
        "ORD20260901000001,2026-09-01T10:11:32.987+08:00,C1,distributor,NEWCO,,,PEK,SZX,"
        "2026-09-10,1,1000.00,90.00,credit,CNY\n"
    )
    (orders / "order_events_20260901.csv").write_text(
        "order_id,event_time,event,amount,reference\n"
        "ORD20260901000001,2026-09-01T10:11:32.987+08:00,booked,0.00,PNR1\n"
        "ORD20260901000001,2026-09-01T11:00:00.000+08:00,ticketed,0.00,T1\n"
        "ORD20260901000001,2026-09-03T11:00:00.000+08:00,paid,1090.00,P1\n"
    )
    with Loader(tmp_path / "ingest.duckdb") as loader:
        loader.ingest([tmp_path / "landing"])
    publish(tmp_path / "warehouse.duckdb", tmp_path / "ingest.duckdb")
    run = build_reports(tmp_path / "warehouse.duckdb", parse_period("2026-09"))
    flagged = [
        (r["order_id"], r["settlement_party"], r["exception_amount"])
        for r in run.report("exceptions").rows
        if r["exception_type"] == "unknown_distributor"
    ]
    assert flagged == [("ORD20260901000001", "NEWCO", Decimal("1090.00"))]
    assert run.summary()["unknown_distributors"] == ["NEWCO"]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select commission, due_date, distributor_known from int_order_status"
        ).fetchall() == [(Decimal("0.00"), None, False)]
