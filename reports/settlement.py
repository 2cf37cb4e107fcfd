"""Settlement reports per distributor for a period, from the settlement marts.

Reports (each a :class:`reports.tables.Report`):

- ``settlement``: per settlement party (each distributor, and the own channels) the
  orders BOOKED in the period (``mart_settlement`` summed over ``booked_date``, a cohort
  view): orders, booked, cancelled, billable, commission, net due, collected (cash on
  delivery included; ``collected_cod`` shows that part, from ``int_order_status``),
  refunded, net collected, open receivables; money as of the data end, as the mart has it.
- ``ageing``: receivables open AS OF THE PERIOD END (or the data end, if earlier) per
  party, whenever the orders were booked: orders ticketed before the cut-off, not
  cancelled and not paid at all by then (``int_order_status``, the mart's definition of an
  open receivable moved to the cut-off), by days past due on the as-of day: current (not
  due yet, or due that day), 1-30, 31-60, 61-90, over 90, and no due date (terms unknown,
  e.g. a distributor missing from ``stg_distributors``).
- ``exceptions``: the orders to chase, booked on or before the period end:
  ``mart_settlement_exceptions`` (paid without ticket, unpaid past terms, amount
  mismatch, refund exceeding paid, and ``unknown_distributor``: a distributor order whose
  distributor is not in ``stg_distributors``, listed, never dropped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from reports.period import Period
from reports.tables import COUNT, DATE, MONEY, Column, Report, records

# Ageing buckets by days past due on the as-of day (negative: not due yet).
AGEING_BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90", "no_due_date")


def ageing_bucket(days_past_due: int | None) -> str:
    """The ageing bucket of an open receivable.

    current: days_past_due <= 0 (not due yet, or due on the as-of day); 1_30, 31_60,
    61_90: that many days past due, both ends included; over_90: more than 90; no_due_date:
    days_past_due is None (no due date known).
    """
    if days_past_due is None:
        return "no_due_date"
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1_30"
    if days_past_due <= 60:
        return "31_60"
    if days_past_due <= 90:
        return "61_90"
    return "over_90"


def age_receivables(open_orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open receivables summed per (channel, settlement_party) and ageing bucket.

    ``open_orders``: channel, settlement_party, order_total, days_past_due. Each output row
    has open_orders, open_receivables (sum of order totals) and one money column per
    bucket of :data:`AGEING_BUCKETS`; rows by channel and party.
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for order in open_orders:
        key = (order["channel"], order["settlement_party"])
        row = rows.setdefault(
            key,
            {"channel": key[0], "settlement_party": key[1], "open_orders": 0}
            | {"open_receivables": Decimal("0.00")}
            | {bucket: Decimal("0.00") for bucket in AGEING_BUCKETS},
        )
        amount = Decimal(order["order_total"])
        row["open_orders"] += 1
        row["open_receivables"] += amount
        row[ageing_bucket(order["days_past_due"])] += amount
    return [rows[key] for key in sorted(rows)]


@dataclass(frozen=True)
class Coverage:
    """What the warehouse holds: its time zone and the instant its order data ends."""

    timezone: str
    data_end_date: date | None
    first_booked: date | None
    last_booked: date | None


def coverage(con: Any) -> Coverage:
    """The build's time zone and the span of booking days and the data end."""
    variables = json.loads(con.execute("select variables from build_info").fetchall()[0][0])
    zone = str(variables["timezone"])
    end, first, last = con.execute(
        f"select cast(max(data_end_at) at time zone '{zone}' as date), min(booked_date), "
        "max(booked_date) from int_order_status"
    ).fetchall()[0]
    return Coverage(zone, end, first, last)


SETTLEMENT_COLUMNS = (
    Column("channel", "Channel"),
    Column("settlement_party", "Settlement party"),
    Column("orders_booked", "Orders booked", COUNT),
    Column("booked_amount", "Booked", MONEY),
    Column("cancelled_amount", "Cancelled", MONEY),
    Column("billable_amount", "Billable", MONEY),
    Column("commission", "Commission", MONEY),
    Column("net_due", "Net due", MONEY),
    Column("collected_amount", "Collected", MONEY),
    Column("collected_cod", "of which cash on delivery", MONEY),
    Column("refunded_amount", "Refunded", MONEY),
    Column("net_collected", "Net collected", MONEY),
    Column("open_receivables", "Open receivables (data end)", MONEY),
)


def settlement_report(con: Any, period: Period) -> Report:
    """Per settlement party: the orders booked in ``period`` (``mart_settlement``)."""
    sums = ",\n".join(
        f"sum({c.key}) as {c.key}" for c in SETTLEMENT_COLUMNS[2:] if c.key != "collected_cod"
    )
    rows = records(
        con,
        f"""
        with cohort as (
            select channel, settlement_party, {sums}
            from mart_settlement
            where booked_date between ? and ?
            group by channel, settlement_party
        ),
        cod as (
            select settlement_party, sum(paid_amount) as collected_cod
            from int_order_status
            where booked_date between ? and ? and payment_method = 'cash_on_delivery'
            group by settlement_party
        )
        select cohort.*, coalesce(cod.collected_cod, 0) as collected_cod
        from cohort left join cod on cod.settlement_party = cohort.settlement_party
        order by cohort.channel = 'distributor' desc, cohort.channel, cohort.settlement_party
        """,
        [period.start, period.end, period.start, period.end],
    )
    return Report(
        "settlement",
        f"Settlement per distributor, orders booked {period.start}..{period.end}",
        "mart_settlement summed over booked_date in the period (cohort of the orders booked); "
        "money received or returned for them up to the data end.",
        SETTLEMENT_COLUMNS,
        rows,
    )


AGEING_COLUMNS = (
    Column("channel", "Channel"),
    Column("settlement_party", "Settlement party"),
    Column("open_orders", "Open orders", COUNT),
    Column("open_receivables", "Open receivables", MONEY),
    Column("current", "Current (not past due)", MONEY),
    Column("1_30", "1-30 days", MONEY),
    Column("31_60", "31-60 days", MONEY),
    Column("61_90", "61-90 days", MONEY),
    Column("over_90", "Over 90 days", MONEY),
    Column("no_due_date", "No due date", MONEY),
)


def as_of_date(period: Period, cover: Coverage) -> date:
    """The ageing's as-of day: the period's last day, or the data end's day if earlier."""
    if cover.data_end_date is None:
        return period.end
    return min(period.end, cover.data_end_date)


def open_orders_as_of(con: Any, as_of: date, zone: str) -> list[dict[str, Any]]:
    """Receivables open at the end of local day ``as_of`` (see the module docstring).

    Events before the next local midnight count; days past due = as_of - due date, the
    due date being the local ticketing day + payment terms (own-channel cash on delivery:
    the delivery day once delivered by the cut-off).
    """
    cutoff = as_of + timedelta(days=1)
    return records(
        con,
        f"""
        with cut as (
            select cast(? as timestamp) at time zone '{zone}' as cutoff_at
        ),
        open_orders as (
            select
                orders.channel,
                orders.settlement_party,
                orders.order_id,
                orders.order_total,
                case
                    when orders.channel <> 'distributor'
                        and orders.payment_method = 'cash_on_delivery'
                        and orders.delivered_at < cut.cutoff_at
                        then cast(orders.delivered_at at time zone '{zone}' as date)
                    else cast(orders.ticketed_at at time zone '{zone}' as date)
                        + orders.payment_terms_days
                end as due_date
            from int_order_status as orders
            cross join cut
            where
                orders.ticketed_at < cut.cutoff_at
                and (orders.cancelled_at is null or orders.cancelled_at >= cut.cutoff_at)
                and (orders.paid_at is null or orders.paid_at >= cut.cutoff_at)
        )
        select
            channel,
            settlement_party,
            order_id,
            order_total,
            date_diff('day', due_date, cast(? as date)) as days_past_due
        from open_orders
        order by channel, settlement_party, order_id
        """,
        [f"{cutoff} 00:00:00", as_of],
    )


def ageing_report(con: Any, period: Period, cover: Coverage) -> Report:
    """Receivables open as of the period end, aged by days past due, per party."""
    as_of = as_of_date(period, cover)
    rows = age_receivables(open_orders_as_of(con, as_of, cover.timezone))
    return Report(
        "ageing",
        f"Receivables ageing as of {as_of}",
        "int_order_status: ticketed, not cancelled and not paid by the end of the as-of day, "
        "whenever booked; days past due on the as-of day.",
        AGEING_COLUMNS,
        rows,
    )


EXCEPTION_COLUMNS = (
    Column("settlement_party", "Settlement party"),
    Column("exception_type", "Exception"),
    Column("order_id", "Order"),
    Column("channel", "Channel"),
    Column("payment_method", "Payment method"),
    Column("status", "Status"),
    Column("booked_date", "Booked", DATE),
    Column("due_date", "Due", DATE),
    Column("days_past_due", "Days past due (data end)", COUNT, total=False),
    Column("order_total", "Order total", MONEY),
    Column("paid_amount", "Paid", MONEY),
    Column("refunded_amount", "Refunded", MONEY),
    Column("exception_amount", "Amount at stake", MONEY),
)


def exceptions_report(con: Any, period: Period) -> Report:
    """Settlement exceptions to chase, orders booked up to the period end."""
    columns = ", ".join(c.key for c in EXCEPTION_COLUMNS)
    rows = records(
        con,
        f"""
        with exceptions as (
            select {columns}
            from mart_settlement_exceptions
            where booked_date <= ?
        )
        select * from exceptions
        order by settlement_party, exception_type, booked_date, order_id
        """,
        [period.end],
    )
    return Report(
        "exceptions",
        f"Settlement exceptions to chase, orders booked up to {period.end}",
        "mart_settlement_exceptions (as of the data end), unknown distributors included.",
        EXCEPTION_COLUMNS,
        rows,
    )
