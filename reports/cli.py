"""``callcenter settle``: the period's settlement and call-billing reports as Excel and CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from callcenter_cli import emit, user_errors


def _money(value: Any) -> str:
    return f"{value:>16,.2f}"


def _human(result: dict[str, Any]) -> str:
    lines = [
        f"settlement {result['period']} ({result['start']}..{result['end']}), "
        f"data end {result['data_end_date']}",
        f"{'party':<14} {'orders':>8} {'booked':>16} {'collected':>16} {'refunded':>16} "
        f"{'commission':>16} {'open recv.':>16}",
    ]
    rows = [*result["per_distributor"], {"settlement_party": "TOTAL"} | result["grand_totals"]]
    for row in rows:
        lines.append(
            f"{row['settlement_party']:<14} {row['orders_booked']:>8,} "
            f"{_money(row['booked_amount'])} {_money(row['collected_amount'])} "
            f"{_money(row['refunded_amount'])} {_money(row['commission'])} "
            f"{_money(row['open_receivables'])}"
        )
    ageing = result["ageing_totals"]
    lines.append(
        f"receivables as of {result['ageing_as_of']}: {_money(ageing['open_receivables']).strip()}"
        f" ({ageing['open_orders']:,} orders; over 90 days {ageing['over_90']:,.2f})"
    )
    for kind, entry in result["exceptions"].items():
        orders, amount = entry["orders"], _money(entry["amount"])
        lines.append(f"exceptions {kind:<20} {orders:>6,} orders {amount}")
    if result["unknown_distributors"]:
        lines.append(f"UNKNOWN distributors: {', '.join(result['unknown_distributors'])}")
    lines.append(
        f"call cost total {result['call_cost_total']:,.2f} ({result['call_legs']:,} legs, "
        f"{result['unrated_legs']:,} unrated)"
    )
    lines += [f"wrote {path}" for path in result["files"].values()]
    return "\n".join(lines)


@click.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/warehouse.duckdb"),
    show_default=True,
    help="The published warehouse.",
)
@click.option(
    "--period",
    required=True,
    help="YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD (local days).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the workbook and CSV files [default: data/reports/<period>/].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def settle(db: Path, period: str, out_dir: Path | None, as_json: bool) -> None:
    """Settlement per distributor and call-billing reports for a period.

    \b
    Writes settlement_<period>.xlsx (sheets: settlement, ageing, exceptions,
    cost_by_queue, cost_by_agent, cost_by_campaign, cost_by_destination, each with a
    totals row) and one CSV per sheet, and prints the totals:
      settlement   orders BOOKED in the period per settlement party (mart_settlement):
                   booked, cancelled, billable, commission, net due, collected (cash on
                   delivery included), refunded, net collected, open receivables
      ageing       receivables open at the end of the period (or the data end): current,
                   1-30, 31-60, 61-90, over 90 days past due
      exceptions   orders to chase booked up to the period end (mart_settlement_exceptions,
                   plus orders of a distributor the warehouse does not know)
      cost_by_*    the telephony bill (mart_call_billing_daily) by queue, agent, campaign,
                   direction and tariff destination
    """
    from reports.period import parse_period
    from reports.settle import build_reports, write_reports

    parsed = parse_period(period)
    run = build_reports(db, parsed)
    target = out_dir or Path("data") / "reports" / parsed.label.replace("..", "_to_")
    files = write_reports(run, target)
    emit(run.summary() | {"files": files}, as_json, _human)
