"""A report as plain data: titled columns with a kind, rows as records, and a totals row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Column kinds: how a value is summed, written and formatted.
TEXT, DATE, COUNT, MONEY, SECONDS = "text", "date", "count", "money", "seconds"
SUMMED = (COUNT, MONEY, SECONDS)


@dataclass(frozen=True)
class Column:
    """A report column: record key, header, kind (:data:`TEXT`, :data:`MONEY` ...)."""

    key: str
    header: str
    kind: str = TEXT
    total: bool = True  # summed in the totals row (numeric kinds only)


@dataclass(frozen=True)
class Report:
    """One report: a sheet of the workbook and one CSV file."""

    name: str  # sheet and file name
    title: str
    definition: str  # what the rows are, where they come from
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        """The totals row: the sum of each summed numeric column over the rows.

        Money is summed as ``Decimal`` (exact to the fen); the first column says "Total".
        """
        totals: dict[str, Any] = {}
        for i, column in enumerate(self.columns):
            if column.kind in SUMMED and column.total:
                start: Any = Decimal("0.00") if column.kind == MONEY else 0
                totals[column.key] = sum((row[column.key] or 0 for row in self.rows), start)
            elif i == 0:
                totals[column.key] = "Total"
            else:
                totals[column.key] = None
        return totals

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: name, title, row count and totals (money as float)."""
        return {
            "name": self.name,
            "title": self.title,
            "rows": len(self.rows),
            "totals": {
                key: jsonable(value)
                for key, value in self.totals().items()
                if value is not None and key != self.columns[0].key
            },
        }


def jsonable(value: Any) -> Any:
    """Decimal money as a float rounded to the fen; other values as they are."""
    if isinstance(value, Decimal):
        return float(round(value, 2))
    return value


def records(con: Any, sql: str, parameters: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of ``sql`` as dicts keyed by column name."""
    result = con.execute(sql, list(parameters))
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
