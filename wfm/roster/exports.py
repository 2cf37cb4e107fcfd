"""Roster exports: the engine's roster CSV, an Excel workbook, one iCalendar file per agent.

- ``write_roster_csv``: ``agent_id,date,activity,start,end`` with local times
  ``YYYY-MM-DD HH:MM``, exactly what ``acd.agents.read_roster`` reads, so
  ``callcenter simulate --roster roster.csv`` plays the roster through the engine.
- ``write_workbook``: sheets Roster (agents x days grid), Coverage, Summary.
- ``write_calendars``: ``<agent_id>.ics`` per agent (RFC 5545, written by hand): one
  VEVENT per shift with times in UTC, lunch and breaks in the description; CRLF line
  endings, lines folded at 75 octets.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.roster.domain import Agent, RosterActivity

CSV_COLUMNS = ("agent_id", "date", "activity", "start", "end")
_LOCAL = "%Y-%m-%d %H:%M"


def roster_rows(activities: Sequence[RosterActivity]) -> list[tuple[str, str, str, str, str]]:
    """The CSV rows: per agent and day, the shift first, then lunch and breaks by start."""
    ordered = sorted(activities, key=lambda a: (a.agent_id, a.day, a.activity != "shift", a.start))
    return [
        (
            a.agent_id,
            a.day.isoformat(),
            a.activity,
            a.start.strftime(_LOCAL),
            a.end.strftime(_LOCAL),
        )
        for a in ordered
    ]


def write_roster_csv(activities: Sequence[RosterActivity], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(roster_rows(activities))
    return path


def _day_cells(activities: Sequence[RosterActivity]) -> dict[tuple[str, date], str]:
    """``07:00-15:30 L 11:00 B 09:00 13:45`` per (agent, day)."""
    plans: dict[tuple[str, date], list[RosterActivity]] = defaultdict(list)
    for a in activities:
        plans[(a.agent_id, a.day)].append(a)
    cells = {}
    for key, rows in plans.items():
        shift = next(r for r in rows if r.activity == "shift")
        text = f"{shift.start:%H:%M}-{shift.end:%H:%M}"
        lunches = [
            f"{r.start:%H:%M}" for r in sorted(rows, key=lambda r: r.start) if r.activity == "lunch"
        ]
        breaks = [
            f"{r.start:%H:%M}" for r in sorted(rows, key=lambda r: r.start) if r.activity == "break"
        ]
        if lunches:
            text += " L " + " ".join(lunches)
        if breaks:
            text += " B " + " ".join(breaks)
        cells[key] = text
    return cells


def write_workbook(
    activities: Sequence[RosterActivity],
    agents: Sequence[Agent],
    coverage: pd.DataFrame,
    summary: dict[str, object],
    week_start: date,
    path: Path,
) -> Path:
    """Roster grid (an agent a row, a day a column; L = lunch start, B = break starts),
    coverage per skill and interval (short intervals shaded), and the summary."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    short_fill = PatternFill("solid", fgColor="F8CBAD")
    off_fill = PatternFill("solid", fgColor="EDEDED")

    def header(sheet: object, names: Sequence[str], widths: Sequence[int]) -> None:
        sheet.append(list(names))
        for column, width in enumerate(widths, start=1):
            cell = sheet.cell(row=1, column=column)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center")
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "B2"

    book = Workbook()
    grid = book.active
    grid.title = "Roster"
    days = [week_start + timedelta(days=d) for d in range(7)]
    header(
        grid,
        ["agent_id", "team", "skills", *(f"{d:%a %Y-%m-%d}" for d in days), "paid hours"],
        [10, 12, 26, *([30] * 7), 11],
    )
    cells = _day_cells(activities)
    paid: dict[str, float] = defaultdict(float)
    for a in activities:
        sign = {"shift": 1, "lunch": -1}.get(a.activity, 0)
        paid[a.agent_id] += sign * (a.end - a.start) / timedelta(hours=1)
    for agent in sorted(agents, key=lambda a: (a.team, a.agent_id)):
        skills = ", ".join(f"{s}:{lv}" for s, lv in sorted(agent.skills.items()))
        row = [agent.agent_id, agent.team, skills]
        row += [cells.get((agent.agent_id, d), "off") for d in days]
        grid.append([*row, round(paid.get(agent.agent_id, 0.0), 2)])
        for column, d in enumerate(days, start=4):
            if (agent.agent_id, d) not in cells:
                grid.cell(row=grid.max_row, column=column).fill = off_fill

    sheet = book.create_sheet("Coverage")
    header(
        sheet,
        ["skill", "interval start", "required", "scheduled", "difference"],
        [16, 18, 10, 10, 11],
    )
    for skill, ds, required, scheduled in coverage[
        ["skill", "ds", "required", "scheduled"]
    ].itertuples(index=False):
        sheet.append(
            [skill, pd.Timestamp(ds).to_pydatetime(), required, scheduled, scheduled - required]
        )
        sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd hh:mm"
        if scheduled < required - 1e-6:
            for column in range(1, 6):
                sheet.cell(row=sheet.max_row, column=column).fill = short_fill

    info = book.create_sheet("Summary")
    header(info, ["measure", "value"], [28, 60])
    for key, value in summary.items():
        info.append([key, value if isinstance(value, int | float | str) else str(value)])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def ics_escape(text: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma, newline."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1): CRLF + one space before each
    continuation, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # the leading space counts
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar_text(
    agent_id: str,
    activities: Sequence[RosterActivity],
    timezone: str,
    stamp: datetime,
    calendar_name: str = "",
) -> str:
    """One agent's VCALENDAR: a VEVENT per shift (UTC times), lunch and breaks listed in
    the DESCRIPTION. UIDs are stable for the same agent, day and shift start."""
    zone = ZoneInfo(timezone)

    def utc(moment: datetime) -> str:
        return moment.replace(tzinfo=zone).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//callcenter-suite//wfm roster//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(calendar_name or f'Roster {agent_id}')}",
    ]
    mine = sorted((a for a in activities if a.agent_id == agent_id), key=lambda a: a.start)
    for shift in (a for a in mine if a.activity == "shift"):
        inside = [a for a in mine if a.activity != "shift" and a.day == shift.day]
        pauses = "; ".join(f"{a.activity} {a.start:%H:%M}-{a.end:%H:%M}" for a in inside)
        title = f"Shift {shift.start:%H:%M}-{shift.end:%H:%M} ({shift.template})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{agent_id}-{shift.start:%Y%m%dT%H%M}@callcenter-suite.roster",
            f"DTSTAMP:{stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTSTART:{utc(shift.start)}",
            f"DTEND:{utc(shift.end)}",
            f"SUMMARY:{ics_escape(title)}",
            f"DESCRIPTION:{ics_escape(f'Local times ({timezone}): {pauses}')}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def write_calendars(
    activities: Sequence[RosterActivity],
    agent_ids: Sequence[str],
    timezone: str,
    folder: Path,
    stamp: datetime | None = None,
) -> list[Path]:
    """``folder/<agent_id>.ics`` for every agent (an agent off all week gets an empty
    calendar, so an old file never lingers)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp or datetime.now(UTC)
    paths = []
    for agent_id in agent_ids:
        path = folder / f"{agent_id}.ics"
        path.write_bytes(calendar_text(agent_id, activities, timezone, stamp).encode("utf-8"))
        paths.append(path)
    return paths
