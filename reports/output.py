"""Reports to files: one Excel workbook (a sheet per report) and one CSV per report.

Sheets: a bold header row on a fill, frozen below the header, column widths from the
content, money as ``#,##0.00`` (two decimals, thousands separators), counts and seconds
as ``#,##0``, and a bold totals row whose values are the sums of the rows
(:meth:`reports.tables.Report.totals`), written as values so any reader sees them.
CSV files hold the rows only (no totals row), money with two decimals.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.tables import COUNT, DATE, MONEY, SECONDS, Report

NUMBER_FORMATS = {MONEY: "#,##0.00", COUNT: "#,##0", SECONDS: "#,##0", DATE: "yyyy-mm-dd"}
_HEADER_FILL = PatternFill("solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_workbook(reports: Sequence[Report], path: Path) -> Path:
    """Write the reports as sheets of one workbook at ``path``; returns the path."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for report in reports:
        sheet = workbook.create_sheet(report.name[:31])
        headers = [column.header for column in report.columns]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
        for row in report.rows:
            sheet.append([_cell_value(row[column.key]) for column in report.columns])
        totals = report.totals()
        sheet.append([_cell_value(totals[column.key]) for column in report.columns])
        total_row = sheet.max_row
        for cell in sheet[total_row]:
            cell.font = Font(bold=True)
            cell.border = _TOTAL_BORDER
        for index, column in enumerate(report.columns, start=1):
            letter = get_column_letter(index)
            number_format = NUMBER_FORMATS.get(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
            width = max(
                [len(column.header)]
                + [len(_display(row[column.key], column.kind)) for row in report.rows[:2000]]
                + [len(_display(totals[column.key], column.kind))]
            )
            sheet.column_dimensions[letter].width = min(60, width + 2)
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _display(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return f"{value:,.2f}"
    if kind in (COUNT, SECONDS) and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_csv(report: Report, path: Path) -> Path:
    """Write the report's rows (header = column keys) as CSV at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.key for column in report.columns])
        for row in report.rows:
            writer.writerow([_csv_value(row[column.key]) for column in report.columns])
    return path


def _csv_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value
