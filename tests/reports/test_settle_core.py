"""The settlement reports' pure core: periods, ageing buckets, totals, the workbook."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from reports.output import write_csv, write_workbook
from reports.period import PeriodError, parse_period
from reports.settlement import AGEING_BUCKETS, age_receivables, ageing_bucket
from reports.tables import COUNT, MONEY, TEXT, Column, Report


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-10-05", date(2026, 10, 5), date(2026, 10, 5)),
        ("2026-09-29..2026-10-08", date(2026, 9, 29), date(2026, 10, 8)),
    ],
)
def test_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026/10", "unknown period format '2026/10'"),
        ("October", "unknown period format"),
        ("20261005", "unknown period format"),
        ("2026-13", "not a real date"),
        ("2026-02-30", "not a real date"),
        ("2026-10-08..2026-10-01", "ends before it starts"),
    ],
)
def test_bad_periods_are_refused(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(text)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (None, "no_due_date"),
        (-5, "current"),
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_ageing_buckets_by_days_past_due(days: int | None, bucket: str) -> None:
    assert ageing_bucket(days) == bucket


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_older_receivables_never_fall_in_a_younger_bucket(a: int, b: int) -> None:
    younger, older = sorted((a, b))
    order = list(AGEING_BUCKETS)
    assert order.index(ageing_bucket(younger)) <= order.index(ageing_bucket(older))


def test_receivables_are_summed_per_party_and_bucket() -> None:
    orders = [
        {
            "channel": "distributor",
            "settlement_party": "CTRIP",
            "order_total": Decimal("100.10"),
            "days_past_due": -3,
        },
        {
            "channel": "distributor",
            "settlement_party": "CTRIP",
            "order_total": Decimal("50.00"),
            "days_past_due": 45,
        },
        {
            "channel": "distributor",
            "settlement_party": "CTRIP",
            "order_total": Decimal("0.90"),
            "days_past_due": 0,
        },
        {
            "channel": "call_center",
            "settlement_party": "call_center",
            "order_total": Decimal("10.00"),
            "days_past_due": None,
        },
    ]
    rows = age_receivables(orders)
    assert [r["settlement_party"] for r in rows] == ["call_center", "CTRIP"]
    ctrip = rows[1]
    assert ctrip["open_orders"] == 3
    assert ctrip["open_receivables"] == Decimal("151.00")
    assert ctrip["current"] == Decimal("101.00") and ctrip["31_60"] == Decimal("50.00")
    assert ctrip["1_30"] == ctrip["61_90"] == ctrip["over_90"] == Decimal("0")
    assert rows[0]["no_due_date"] == Decimal("10.00")


def _report() -> Report:
    return Report(
        "sample",
        "A sample",
        "hand-written rows",
        (
            Column("party", "Party", TEXT),
            Column("orders", "Orders", COUNT),
            Column("amount", "Amount", MONEY),
        ),
        [
            {"party": "A", "orders": 2, "amount": Decimal("1234567.89")},
            {"party": "B", "orders": 1, "amount": Decimal("0.11")},
            {"party": "C", "orders": 0, "amount": Decimal("-0.01")},
        ],
    )


def test_the_totals_row_sums_the_rows_exactly() -> None:
    assert _report().totals() == {"party": "Total", "orders": 3, "amount": Decimal("1234567.99")}
    assert _report().to_dict()["totals"] == {"orders": 3, "amount": 1234567.99}


def test_the_workbook_sheet_is_formatted_and_its_totals_row_is_the_sum(tmp_path: Path) -> None:
    path = write_workbook([_report()], tmp_path / "book.xlsx")
    sheet = load_workbook(path)["sample"]
    assert [c.value for c in sheet[1]] == ["Party", "Orders", "Amount"]
    assert all(c.font.bold for c in sheet[1]) and sheet[1][0].fill.fgColor.rgb == "FFDDEBF7"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[5]] == ["Total", 3, pytest.approx(1234567.99)]
    assert all(c.font.bold for c in sheet[5])
    assert sheet["C2"].number_format == "#,##0.00" and sheet["B2"].number_format == "#,##0"
    assert sheet.column_dimensions["C"].width >= len("1,234,567.89")
    write_csv(_report(), tmp_path / "sample.csv")
    rows = list(csv.reader((tmp_path / "sample.csv").open()))
    assert rows == [
        ["party", "orders", "amount"],
        ["A", "2", "1234567.89"],
        ["B", "1", "0.11"],
        ["C", "0", "-0.01"],
    ]
