"""The business models (orders, settlement, call billing), checked two ways.

1. A hand-written landing folder (``fixtures/business``): one order per settlement exception
   and one to keep each rule honest, a few answered calls, and outbound legs rated by a small
   tariff with a rate change, a connection fee and half-fen costs. Every expected figure is
   worked out by hand below, arithmetic in the comments.
2. Three simulated days of the airline center, ingested with the shipped default tariff (as
   ``callcenter demo`` does), against figures computed here in plain Python from the landing
   CSV files and ``ingest.readers.tariffs.call_cost``.

Both publish only the business models and the models they read (``business_project``), so
another team's sources and work in progress never decide these tests; ``tests/test_demo.py``
builds the whole project.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from acd.orders import default_order_spec
from acd.simulate import simulate
from ingest.contract import ReadOptions
from ingest.loader import Loader
from ingest.readers import tariffs
from warehouse.connect import read_only
from warehouse.publish import PublishResult, publish
from warehouse.runner import MODELS_DIR, Project, load_project

FIXTURE_LANDING = Path(__file__).parent / "fixtures" / "business"
ZONE = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
BUSINESS_FOLDERS = ("staging/business", "intermediate/business", "marts/business")
# Grace periods of the paid_without_ticket rule (mart_settlement_exceptions.sql).
TICKETING_GRACE = timedelta(hours=6)
REFUND_GRACE = timedelta(days=14)
COD_DELIVERY_DAYS = 3  # cash on delivery is due 3 days after ticketing until delivered


def business_project() -> Project:
    """The shipped business models and every model they read, with the tests among them."""
    shipped = load_project()
    folders = tuple(MODELS_DIR / folder for folder in BUSINESS_FOLDERS)
    wanted = [name for name, model in shipped.models.items() if model.path.parent in folders]
    needed: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name not in needed:
            needed.add(name)
            wanted.extend(shipped.models[name].refs)
    tests = tuple(
        test
        for test in shipped.tests
        if test.model in needed and all(model in needed for model, _ in test.columns)
    )
    models = {name: model for name, model in shipped.models.items() if name in needed}
    return Project(shipped.models_dir, models, tests)


def build(landing: Path, folder: Path) -> tuple[Path, PublishResult]:
    """Ingest ``landing`` into a new ingest database and publish the business models."""
    ingest_db = folder / "ingest.duckdb"
    with Loader(ingest_db) as loader:
        report = loader.ingest([landing])
    assert not report.failed, report.failed
    assert "tariffs" in report.by_source()  # the source registry knows the tariff reader
    warehouse_db = folder / "warehouse.duckdb"
    return warehouse_db, publish(warehouse_db, ingest_db, project=business_project())


def query(db: Path, sql: str) -> list[dict[str, Any]]:
    """Rows of ``sql`` as dicts (through Arrow: TIMESTAMPTZ needs no pytz that way)."""
    with read_only(db) as con:
        return con.sql(sql).to_arrow_table().to_pylist()


# ------------------------------------------------------------------ hand-written fixture


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, result = build(FIXTURE_LANDING, tmp_path_factory.mktemp("business-fixture"))
    assert not result.build.failures
    return db


# The data end is the last order event: ORD...05's refund, 2026-09-20 10:00 (+08:00).
EXPECTED_EXCEPTIONS = {
    # Alipay 1290 received 09-01 09:01, never ticketed nor cancelled: 19 days > 6 hours.
    ("ORD20260901000002", "paid_without_ticket"): Decimal("1290.00"),
    # Cancelled 09-01 16:10 after paying 740; no refund 19 days later (> 14 days).
    ("ORD20260901000009", "paid_without_ticket"): Decimal("740.00"),
    # CTRIP credit, ticketed 09-01, terms 7 days: due 09-08, unpaid on 09-20.
    ("ORD20260901000003", "unpaid_past_terms"): Decimal("890.00"),
    # Cash on delivery delivered 09-03 without a paid event: due 09-03.
    ("ORD20260901000006", "unpaid_past_terms"): Decimal("990.00"),
    # BJHY remitted 2180 - 3% x fare 2000 = 2120: commission netted, 60 short.
    ("ORD20260901000004", "amount_mismatch"): Decimal("-60.00"),
    # Card payment of 780 on a 700 + 90 order.
    ("ORD20260901000007", "amount_mismatch"): Decimal("-10.00"),
    # 700 refunded of 590 paid.
    ("ORD20260901000005", "refund_exceeds_paid"): Decimal("110.00"),
}
# Not exceptions: ORD...01 paid and ticketed; ORD...08 cancelled and refunded in full;
# ORD20260920000001 paid 07:05 on 09-20, under 6 hours before the data end (ticketing in
# progress); ORD20260920000002 cancelled 08:30 on 09-20, its refund not yet late;
# ORD20260915000001 CTRIP, due 09-22, not due yet.


def test_fixture_finds_each_exception_with_its_amount(fixture_db):
    rows = query(
        fixture_db,
        "select order_id, exception_type, exception_amount from mart_settlement_exceptions",
    )
    found = {(row["order_id"], row["exception_type"]): row["exception_amount"] for row in rows}
    assert found == EXPECTED_EXCEPTIONS


def test_fixture_order_status_terms_and_ageing(fixture_db):
    rows = query(
        fixture_db,
        "select order_id, concat_ws(' ', status, coalesce(booking_queue, '-'), commission, "
        "coalesce(cast(due_date as varchar), '-'), open_receivable, "
        "coalesce(cast(days_past_due as varchar), '-'), coalesce(ageing_bucket, '-')) as facts "
        "from int_order_status",
    )
    # status, booking queue, commission, due date, open receivable, days past due, bucket
    assert {row["order_id"]: row["facts"] for row in rows} == {
        "ORD20260901000001": "ticketed booking 0.00 2026-09-01 0.00 - -",
        "ORD20260901000002": "paid - 0.00 - 0.00 - -",
        # 800 x 1.5% = 12.00; due 09-01 + 7 days; 09-20 - 09-08 = 12 days past due.
        "ORD20260901000003": "ticketed - 12.00 2026-09-08 890.00 12 8_15",
        # 2000 x 3% = 60.00; due 09-01 + 30 days; paid (short), nothing open.
        "ORD20260901000004": "ticketed - 60.00 2026-10-01 0.00 - -",
        "ORD20260901000005": "refunded - 0.00 2026-09-01 0.00 - -",
        # Cash on delivery is due on the delivery day, 09-03: 17 days past due.
        "ORD20260901000006": "delivered booking 0.00 2026-09-03 990.00 17 16_30",
        "ORD20260901000007": "ticketed - 0.00 2026-09-01 0.00 - -",
        "ORD20260901000008": "cancelled - 0.00 - 0.00 - -",
        "ORD20260901000009": "cancelled - 0.00 - 0.00 - -",
        # 1000 x 1.5% = 15.00; due 09-15 + 7 = 09-22, two days after the data end.
        "ORD20260915000001": "ticketed - 15.00 2026-09-22 1090.00 -2 not_due",
        "ORD20260920000001": "paid - 0.00 - 0.00 - -",
        "ORD20260920000002": "cancelled - 0.00 - 0.00 - -",
    }


def test_fixture_settlement_per_party_and_day(fixture_db):
    rows = query(
        fixture_db,
        "select settlement_party, booked_date, orders_booked, booked_amount, cancelled_amount, "
        "billable_amount, commission, net_due, collected_amount, refunded_amount, "
        "open_receivables, outstanding_not_due, outstanding_8_15_days, outstanding_16_30_days "
        "from mart_settlement",
    )
    got = {(row.pop("settlement_party"), row.pop("booked_date")): row for row in rows}
    assert sorted(got) == [
        ("BJHY", date(2026, 9, 1)),
        ("CTRIP", date(2026, 9, 1)),
        ("CTRIP", date(2026, 9, 15)),
        ("call_center", date(2026, 9, 1)),
        ("web", date(2026, 9, 1)),
        ("web", date(2026, 9, 20)),
    ]
    d = Decimal
    assert got[("web", date(2026, 9, 1))] == {
        "orders_booked": 5,  # ORD...02, 05, 07, 08, 09
        "booked_amount": d(4100),  # 1290 + 590 + 790 + 690 + 740
        "cancelled_amount": d(1430),  # 690 + 740
        "billable_amount": d(1380),  # ticketed: 590 + 790
        "commission": d(0),
        "net_due": d(1380),
        "collected_amount": d(4090),  # 1290 + 590 + 780 + 690 + 740
        "refunded_amount": d(1390),  # 690 + 700
        "open_receivables": d(0),
        "outstanding_not_due": d(0),
        "outstanding_8_15_days": d(0),
        "outstanding_16_30_days": d(0),
    }
    columns = ("booked_amount", "commission", "net_due", "collected_amount", "open_receivables")
    buckets = ("outstanding_not_due", "outstanding_8_15_days", "outstanding_16_30_days")
    # booked, commission, net due, collected, open; then open by not due, 8-15, 16-30 days.
    assert {
        key: (tuple(row[c] for c in columns), tuple(row[c] for c in buckets))
        for key, row in got.items()
        if key[0] != "web"
    } == {
        ("CTRIP", date(2026, 9, 1)): ((d(890), d(12), d(878), d(0), d(890)), (d(0), d(890), d(0))),
        ("BJHY", date(2026, 9, 1)): ((d(2180), d(60), d(2120), d(2120), d(0)), (d(0), d(0), d(0))),
        ("CTRIP", date(2026, 9, 15)): (
            (d(1090), d(15), d(1075), d(0), d(1090)),
            (d(1090), d(0), d(0)),
        ),
        # ORD...01 1090 paid; ORD...06 990 delivered, unpaid, 17 days past due.
        ("call_center", date(2026, 9, 1)): (
            (d(2080), d(0), d(2080), d(1090), d(990)),
            (d(0), d(0), d(990)),
        ),
    }


def test_fixture_funnel_counts_calls_in_booking_queues_only(fixture_db):
    rows = query(
        fixture_db,
        "select local_date, channel, queue, agent_id, calls_answered, orders_booked, orders_paid, "
        "orders_ticketed, orders_delivered, orders_cancelled, orders_refunded, conversion_rate, "
        "delivery_rate from mart_order_funnel order by channel, agent_id, local_date",
    )
    sep1 = date(2026, 9, 1)
    assert [tuple(row.values()) for row in rows] == [
        # A1002 answered two booking calls and sold on the first: 1 / 2.
        (sep1, "call_center", "booking", "A1002", 2, 1, 1, 1, 0, 0, 0, 0.5, None),
        # A1003 sold cash on delivery on its one call; delivered, not paid.
        (sep1, "call_center", "booking", "A1003", 1, 1, 0, 1, 1, 0, 0, 1.0, 1.0),
        # (A1004's complaints call is not in a booking queue: no row.)
        (sep1, "distributor", None, None, 0, 2, 1, 2, 0, 0, 0, None, None),
        (date(2026, 9, 15), "distributor", None, None, 0, 1, 0, 1, 0, 0, 0, None, None),
        (sep1, "web", None, None, 0, 5, 5, 2, 0, 2, 2, None, None),
        (date(2026, 9, 20), "web", None, None, 0, 2, 2, 0, 0, 1, 0, None, None),
    ]


# call_id -> (direction, tariff prefix, billsec, billed seconds, cost) in the fixture tariff.
EXPECTED_LEGS = {
    # The A-leg to the 95388 service number: the 95 line, 0.0000 per minute.
    ("1788220800.12", "inbound"): ("95", 150, 180, Decimal("0.00")),
    ("1788220800.12", "internal"): (None, 118, 0, Decimal("0.00")),
    # 139 beats 13: 61 s -> 2 minutes x 0.09.
    ("1788228000.40", "outbound"): ("139", 61, 120, Decimal("0.18")),
    ("1788228600.41", "outbound"): ("139", 0, 0, Decimal("0.00")),  # no answer
    # 13 on 09-01 is the old 0.08 line: 30 s -> the 60 s minimum.
    ("1788253200.50", "outbound"): ("13", 30, 60, Decimal("0.08")),
    # 13 on 09-02 is the new 0.075 line: 65 s -> 2 minutes = 0.15.
    ("1788310800.60", "outbound"): ("13", 65, 120, Decimal("0.15")),
    # 021 at 0.005: 170 s -> 3 minutes = 0.015 -> half-even 0.02 ...
    ("1788256800.70", "outbound"): ("021", 170, 180, Decimal("0.02")),
    # ... 45 s -> 1 minute = 0.005 -> half-even 0.00 ...
    ("1788257400.71", "outbound"): ("021", 45, 60, Decimal("0.00")),
    # ... "+86 21 6288 1234" is 02162881234: 5 minutes = 0.025 -> half-even 0.02.
    ("1788259200.74", "outbound"): ("021", 300, 300, Decimal("0.02")),
    # +852: 00852, 6 s steps, 30 s minimum, 0.10 fee: 0.10 + 0.50 x 30 / 60 = 0.35.
    ("1788258000.72", "outbound"): ("00852", 7, 30, Decimal("0.35")),
    # 12345678 matches no line: unrated, cost unknown.
    ("1788258600.73", "outbound"): (None, 20, 0, None),
}


def test_fixture_billing_rates_each_leg(fixture_db):
    rows = query(
        fixture_db,
        "select call_id, direction, tariff_prefix, billsec_s, billed_s, cost "
        "from mart_call_billing",
    )
    got = {(row.pop("call_id"), row.pop("direction")): tuple(row.values()) for row in rows}
    assert got == EXPECTED_LEGS


def test_fixture_billing_agrees_with_call_cost():
    table = tariffs.read((FIXTURE_LANDING / "billing" / "tariffs.csv").read_bytes())
    rows = table.rows.to_pylist()
    dialled = {
        "1788228000.40": ("13912345678", date(2026, 9, 1)),
        "1788253200.50": ("13812345678", date(2026, 9, 1)),
        "1788310800.60": ("13812345678", date(2026, 9, 2)),
        "1788256800.70": ("02162881234", date(2026, 9, 1)),
        "1788257400.71": ("02162881235", date(2026, 9, 1)),
        "1788259200.74": ("+86 21 6288 1234", date(2026, 9, 1)),
        "1788258000.72": ("+85291234567", date(2026, 9, 1)),
    }
    for call_id, (number, day) in dialled.items():
        prefix, billsec, _billed, cost = EXPECTED_LEGS[(call_id, "outbound")]
        tariff = tariffs.find_tariff(rows, number, day)
        assert tariff is not None and tariff["prefix"] == prefix, call_id
        assert tariffs.call_cost(tariff, billsec) == cost, call_id
    assert tariffs.find_tariff(rows, "12345678", date(2026, 9, 1)) is None


def test_fixture_billing_attributes_queue_agent_and_campaign(fixture_db):
    rows = query(
        fixture_db,
        "select call_id, direction, queue, agent_id, campaign from mart_call_billing "
        "where call_id in ('1788220800.12', '1788228000.40', '1788253200.50')",
    )
    assert sorted(tuple(row.values()) for row in rows) == [
        ("1788220800.12", "inbound", "booking", "A1002", None),  # the last answering agent
        ("1788220800.12", "internal", "booking", "A1002", None),  # the leg's own CONNECT
        ("1788228000.40", "outbound", None, "A1005", "ffp_upgrade"),  # from the dial attempt
        ("1788253200.50", "outbound", None, None, "callback"),  # not in the attempt export
    ]
    daily = query(
        fixture_db,
        "select local_date, sum(legs) as legs, sum(unrated_legs) as unrated, sum(cost) as cost "
        "from mart_call_billing_daily group by local_date order by local_date",
    )
    # 09-01: 0.18 + 0.08 + 0.02 + 0.00 + 0.02 + 0.35 = 0.65; 09-02: 0.15.
    assert [tuple(row.values()) for row in daily] == [
        (date(2026, 9, 1), 10, 1, Decimal("0.65")),
        (date(2026, 9, 2), 1, 0, Decimal("0.15")),
    ]


def test_without_tariff_lines_external_legs_are_unrated(tmp_path):
    # A site whose billing system exported an empty price list (header only).
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    tariff_file = landing / "billing" / "tariffs.csv"
    tariff_file.write_text(tariff_file.read_text().splitlines()[0] + "\n")
    db, result = build(landing, tmp_path)
    assert result.sources["raw_tariffs"] == 0 and not result.build.failures
    rows = query(
        db,
        "select direction, count(*) as legs, count(cost) as costed, sum(cost) as cost, "
        "count(case when is_rated then 1 end) as rated from mart_call_billing "
        "group by direction order by direction",
    )
    assert rows == [
        {"direction": "inbound", "legs": 1, "costed": 0, "cost": None, "rated": 0},
        {"direction": "internal", "legs": 1, "costed": 1, "cost": Decimal(0), "rated": 1},
        {"direction": "outbound", "legs": 9, "costed": 0, "cost": None, "rated": 0},
    ]
    daily = query(db, "select sum(unrated_legs) as unrated from mart_call_billing_daily")
    assert daily == [{"unrated": 10}]


def test_distributor_seed_matches_the_default_order_spec(fixture_db):
    rows = query(
        fixture_db,
        "select distributor, distributor_name, commission_rate, payment_terms_days "
        "from stg_distributors order by distributor",
    )
    spec = sorted(
        (d.code, d.name, Decimal(str(d.commission_rate)), d.payment_terms_days)
        for d in default_order_spec().distributors
    )
    assert [tuple(row.values()) for row in rows] == spec


# ------------------------------------------------------------------ simulated center


@dataclass
class OrderFacts:
    """One order of the landing files and its events, as this test reads them."""

    row: dict[str, str]
    events: list[tuple[datetime, str, Decimal]] = field(default_factory=list)

    def first(self, kind: str) -> datetime | None:
        return min((at for at, event, _ in self.events if event == kind), default=None)

    def total(self, kind: str) -> Decimal:
        return sum((amount for _, event, amount in self.events if event == kind), Decimal(0))

    @property
    def order_total(self) -> Decimal:
        return Decimal(self.row["fare"]) + Decimal(self.row["taxes"])

    @property
    def party(self) -> str:
        return (
            self.row["distributor"] if self.row["channel"] == "distributor" else self.row["channel"]
        )

    @property
    def booked_day(self) -> date:
        return local_day(instant(self.row["created_time"]))


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def local_day(at: datetime) -> date:
    return at.astimezone(ZONE).date()


def read_csv(paths: list[Path]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def read_orders(landing: Path) -> dict[str, OrderFacts]:
    orders = {
        row["order_id"]: OrderFacts(row)
        for row in read_csv(sorted((landing / "orders").glob("orders_*.csv")))
    }
    for event in read_csv(sorted((landing / "orders").glob("order_events_*.csv"))):
        orders[event["order_id"]].events.append(
            (instant(event["event_time"]), event["event"], Decimal(event["amount"]))
        )
    return orders


def expected_settlement(orders: dict[str, OrderFacts]) -> dict[str, Any]:
    """Per (party, booking day) figures and every exception, from the order files alone."""
    terms = {d.code: d.payment_terms_days for d in default_order_spec().distributors}
    rates = {d.code: Decimal(str(d.commission_rate)) for d in default_order_spec().distributors}
    data_end = max(at for order in orders.values() for at, _, _ in order.events)
    end_day = local_day(data_end)
    sums: dict[tuple[str, date], Counter] = defaultdict(Counter)
    exceptions: dict[tuple[str, str], Decimal] = {}
    for order_id, order in orders.items():
        row, total = order.row, order.order_total
        paid, refunded = order.total("paid"), order.total("refunded")
        payments = sum(1 for _, event, _ in order.events if event == "paid")
        ticketed, cancelled = order.first("ticketed"), order.first("cancelled")
        delivered, paid_at = order.first("delivered"), order.first("paid")
        key = (order.party, order.booked_day)
        commission = Decimal(0)
        if row["channel"] == "distributor" and ticketed is not None:
            commission = (Decimal(row["fare"]) * rates[row["distributor"]]).quantize(
                CENT, ROUND_HALF_UP
            )
        sums[key].update(
            booked=total, collected=paid, refunded=refunded, commission=commission, orders=1
        )
        if ticketed is not None and cancelled is None and payments == 0:
            if row["channel"] == "distributor":
                due = local_day(ticketed) + timedelta(days=terms[row["distributor"]])
            elif row["payment_method"] == "cash_on_delivery" and delivered is not None:
                due = local_day(delivered)
            elif row["payment_method"] == "cash_on_delivery":
                due = local_day(ticketed) + timedelta(days=COD_DELIVERY_DAYS)
            else:
                due = local_day(ticketed)
            late = (end_day - due).days
            sums[key].update(open=total, not_due=total if late < 0 else 0)
            if late > 0:
                exceptions[(order_id, "unpaid_past_terms")] = total
        if (
            paid > refunded
            and ticketed is None
            and (
                (cancelled is None and paid_at < data_end - TICKETING_GRACE)
                or (cancelled is not None and cancelled < data_end - REFUND_GRACE)
            )
        ):
            exceptions[(order_id, "paid_without_ticket")] = paid - refunded
        if payments and paid != total:
            exceptions[(order_id, "amount_mismatch")] = paid - total
        if refunded > paid:
            exceptions[(order_id, "refund_exceeds_paid")] = refunded - paid
    return {"sums": sums, "exceptions": exceptions, "data_end": data_end}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("business-simulated")
    landing = folder / "landing"
    simulate("airline", date(2026, 9, 1), 3, 7, landing)
    # The carrier's price list, as `callcenter demo` lands it.
    (landing / "billing").mkdir()
    (landing / "billing" / "tariffs.csv").write_text(tariffs.DEFAULT_TARIFF_CSV, encoding="utf-8")
    db, result = build(landing, folder)
    return {"landing": landing, "db": db, "result": result, "orders": read_orders(landing)}


def test_simulated_build_passes_every_data_test(simulated):
    result = simulated["result"]
    assert not result.build.failures
    names = {test.name for test in result.build.tests}
    assert "equal_rowcount(mart_call_billing.count(*) = stg_cdr.count(*))" in names
    assert any(name.startswith("equal_sum(mart_settlement.sum(booked_fare)") for name in names)
    assert {"raw_tariffs", "raw_orders", "raw_order_events"} <= set(result.sources)


def test_simulated_settlement_matches_the_order_files(simulated):
    expected = expected_settlement(simulated["orders"])
    rows = query(
        simulated["db"],
        "select settlement_party, booked_date, orders_booked, booked_amount, collected_amount, "
        "refunded_amount, commission, open_receivables, outstanding_not_due, "
        "epoch_ms(data_end_at) as data_end_ms from mart_settlement",
    )
    got = {
        (row["settlement_party"], row["booked_date"]): Counter(
            orders=row["orders_booked"],
            booked=row["booked_amount"],
            collected=row["collected_amount"],
            refunded=row["refunded_amount"],
            commission=row["commission"],
            open=row["open_receivables"],
            not_due=row["outstanding_not_due"],
        )
        for row in rows
    }
    want = {key: +counts for key, counts in expected["sums"].items()}  # + drops zeros
    assert {key: +counts for key, counts in got.items()} == want
    assert len(got) == 6 * 3 + 2 * 3  # six distributors and two own channels, three days
    assert {row["data_end_ms"] for row in rows} == {round(expected["data_end"].timestamp() * 1000)}
    # The simulation pays distributors on terms (>= 7 days), so all of it is not yet due.
    assert sum(c["not_due"] for c in want.values()) == sum(c["open"] for c in want.values()) > 0


def test_simulated_exceptions_match_the_order_files(simulated):
    expected = expected_settlement(simulated["orders"])["exceptions"]
    rows = query(
        simulated["db"],
        "select order_id, exception_type, exception_amount from mart_settlement_exceptions",
    )
    found = {(row["order_id"], row["exception_type"]): row["exception_amount"] for row in rows}
    assert found == expected
    # p_amount_mismatch = 1% of payments: the orders whose money differs from fare + taxes.
    mismatched = [
        order_id
        for order_id, order in simulated["orders"].items()
        if any(event == "paid" for _, event, _ in order.events)
        and order.total("paid") != Decimal(order.row["fare"]) + Decimal(order.row["taxes"])
    ]
    kinds = Counter(kind for _, kind in found)
    assert kinds["amount_mismatch"] == len(mismatched) > 20


def test_simulated_funnel_matches_the_order_and_queue_files(simulated):
    orders = simulated["orders"]
    connects: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for path in sorted((simulated["landing"] / "asterisk").glob("queue_log*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            epoch, call_id, queue, agent, event, *_ = line.split("|")
            if event == "CONNECT":
                connects[call_id].append((int(epoch), queue, agent))
    booked: Counter = Counter()
    for order in orders.values():
        row = order.row
        queue = agent = None
        if row["channel"] == "call_center":
            created = instant(row["created_time"]).timestamp()
            answered = [
                (at, q)
                for at, q, a in connects[row["call_id"]]
                if a == row["agent_id"] and at <= created
            ]
            queue, agent = max(answered)[1], row["agent_id"]
        booked[(order.booked_day, row["channel"], queue, agent)] += 1
    booking_queues = {queue for _, channel, queue, _ in booked if channel == "call_center"}
    answered_calls: Counter = Counter(
        (datetime.fromtimestamp(at, ZONE).date(), "call_center", queue, agent)
        for visits in connects.values()
        for at, queue, agent in visits
        if queue in booking_queues
    )
    rows = query(
        simulated["db"],
        "select local_date, channel, queue, agent_id, calls_answered, orders_booked "
        "from mart_order_funnel",
    )
    keys = [(r["local_date"], r["channel"], r["queue"], r["agent_id"]) for r in rows]
    assert Counter(dict(zip(keys, (r["orders_booked"] for r in rows), strict=True))) == +booked
    assert Counter(dict(zip(keys, (r["calls_answered"] for r in rows), strict=True))) == (
        +answered_calls
    )
    assert "booking" in booking_queues


def test_simulated_billing_matches_call_cost(simulated):
    rows = tariffs.read(
        tariffs.DEFAULT_TARIFF_CSV.encode(), options=ReadOptions(final=True)
    ).rows.to_pylist()
    cdrs = []
    for path in sorted((simulated["landing"] / "asterisk" / "cdr-csv").glob("Master.csv*")):
        with path.open(newline="", encoding="utf-8") as handle:
            cdrs.extend(csv.reader(handle))
    expected: dict[tuple[str, str], Decimal] = {}
    for cdr in cdrs:
        dst, context, start, billsec, disposition, call_id = (
            cdr[2], cdr[3], cdr[9], int(cdr[13]), cdr[14], cdr[16],
        )  # fmt: skip
        if context == "ext-queues":
            continue
        direction = "inbound" if context == "from-pstn" else "outbound"
        tariff = tariffs.find_tariff(rows, dst, date.fromisoformat(start[:10]))
        assert tariff is not None, cdr
        cost = tariffs.call_cost(tariff, billsec) if disposition == "ANSWERED" else Decimal("0.00")
        assert (call_id, direction) not in expected  # one A-leg or dial per call
        expected[(call_id, direction)] = cost
    billed = query(
        simulated["db"],
        "select call_id, direction, cost from mart_call_billing where direction <> 'internal'",
    )
    got = {(row["call_id"], row["direction"]): row["cost"] for row in billed}
    assert got == expected
    internal = query(
        simulated["db"],
        "select count(*) as legs, sum(cost) as cost from mart_call_billing "
        "where direction = 'internal'",
    )
    assert internal == [{"legs": len(cdrs) - len(expected), "cost": Decimal("0.00")}]
    outbound_cost = sum(
        cost for (_, direction), cost in expected.items() if direction == "outbound"
    )
    daily = query(
        simulated["db"],
        "select sum(cost) as cost from mart_call_billing_daily where direction = 'outbound'",
    )
    assert daily == [{"cost": outbound_cost}] and outbound_cost > 0
