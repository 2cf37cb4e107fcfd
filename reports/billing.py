"""Call-billing reports for a period: the telephony cost by queue, agent, campaign, destination.

Each report sums ``mart_call_billing_daily`` (itself the sum of ``mart_call_billing``:
every CDR row rated by the carrier's tariff) over the local days of the period, grouped
by one dimension. A dimension that does not apply or is unknown (queue of an outbound
leg, campaign of an inbound one) is shown as ``(none)``. Every report covers every leg,
so each one's cost total is the period's telephony bill. Unrated legs (an external
number no tariff row matches) count as 0 in cost and are counted in ``unrated_legs``.
"""

from __future__ import annotations

from typing import Any

from reports.period import Period
from reports.tables import COUNT, MONEY, SECONDS, Column, Report, records

NONE_LABEL = "(none)"

_MEASURES = (
    Column("legs", "Legs (CDR rows)", COUNT),
    Column("answered_legs", "Answered legs", COUNT),
    Column("unrated_legs", "Unrated legs", COUNT),
    Column("billsec_s", "Billsec (s)", SECONDS),
    Column("billed_s", "Billed (s)", SECONDS),
    Column("cost", "Cost", MONEY),
)

# report name -> (title, the dimension columns)
DIMENSIONS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "cost_by_queue": ("Call cost by queue", (Column("queue", "Queue"),)),
    "cost_by_agent": ("Call cost by agent", (Column("agent_id", "Agent"),)),
    "cost_by_campaign": ("Call cost by campaign", (Column("campaign", "Campaign"),)),
    "cost_by_destination": (
        "Call cost by direction and tariff destination",
        (Column("direction", "Direction"), Column("tariff_destination", "Destination")),
    ),
}


def billing_report(con: Any, period: Period, name: str) -> Report:
    """The ``name`` report of :data:`DIMENSIONS` for ``period``, most costly first."""
    title, dimensions = DIMENSIONS[name]
    keys = [column.key for column in dimensions]
    selected = ", ".join(f"coalesce({key}, '{NONE_LABEL}') as {key}" for key in keys)
    sums = ", ".join(f"sum({c.key}) as {c.key}" for c in _MEASURES)
    rows = records(
        con,
        f"""
        select {selected}, {sums}
        from mart_call_billing_daily
        where local_date between ? and ?
        group by all
        order by cost desc, {", ".join(keys)}
        """,
        [period.start, period.end],
    )
    for row in rows:
        for column in _MEASURES:
            if column.kind in (COUNT, SECONDS):
                row[column.key] = int(row[column.key])
    return Report(
        name,
        f"{title}, {period.start}..{period.end}",
        "mart_call_billing_daily summed over local_date in the period.",
        (*dimensions, *_MEASURES),
        rows,
    )


def billing_reports(con: Any, period: Period) -> list[Report]:
    """Every report of :data:`DIMENSIONS`."""
    return [billing_report(con, period, name) for name in DIMENSIONS]
