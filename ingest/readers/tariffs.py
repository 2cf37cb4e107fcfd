"""The call-billing tariff table (CSV) into ``raw_tariffs``.

Header required; columns matched by name (as in :mod:`ingest.readers.exports`):

=====================  =====================================================================
column                 meaning
=====================  =====================================================================
prefix                 destination number prefix, digits only; the longest matching prefix wins
destination            name of the destination (``China Mobile``, ``Beijing landline``, ...)
rate_per_min           price per minute, currency units, up to 4 decimals (``decimal(12,4)``)
billing_increment_s    billed in steps of this many seconds (60: per started minute; 6)
minimum_s              seconds billed at least once the call is answered (0: none)
connection_fee         charged once per answered call, up to 4 decimals
valid_from             first day the rate applies (``YYYY-MM-DD``)
valid_to               first day it no longer applies (exclusive); empty: open-ended
=====================  =====================================================================

``valid_to`` is exclusive so that a new rate simply starts on the old one's ``valid_to``.
Within one read, a row whose validity overlaps an earlier row of the same prefix is
rejected (end the earlier row first); an identical repeated row is kept for the loader to
deduplicate. Negative rates/fees, non-digit prefixes and ``valid_to <= valid_from`` are
rejected. Natural key: (prefix, valid_from).

A billed call costs ``connection_fee + rate_per_min * billed_s / 60`` with
``billed_s = max(minimum_s, ceil(duration / billing_increment_s) * billing_increment_s)``
for an answered call (:func:`call_cost`). :func:`find_tariff` matches a number in Chinese
national dialling form; :func:`national_number` turns ``+86 21 6288 1234`` into
``02162881234``, ``+8613800138000`` into ``13800138000`` and ``+1 212...`` into ``001212...``.

:data:`DEFAULT_TARIFF_CSV` (also :func:`default_tariff_csv`) is a realistic shipped default
for a center in mainland China (CNY).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from ingest.contract import ReadOptions, ReadResult, Reject
from ingest.readers.exports import BadValue, Column, CsvReader, day, integer, money, text

_DIGITS_RE = re.compile(r"\d{1,20}")


def _prefix(s: str, ctx: Any) -> str:
    if not _DIGITS_RE.fullmatch(s):
        raise BadValue(f"{s!r} is not a digit prefix (digits only, no '+', spaces or dashes)")
    return s


def _check(row: dict[str, Any]) -> list[str]:
    problems = []
    start, end = row.get("valid_from"), row.get("valid_to")
    if start is not None and end is not None and end <= start:
        problems.append(f"valid_to {end} is not after valid_from {start} (valid_to is exclusive)")
    inc = row.get("billing_increment_s")
    if inc is not None and inc < 1:
        problems.append("billing_increment_s must be at least 1 second")
    return problems


_READER = CsvReader(
    table="raw_tariffs",
    columns=(
        Column("prefix", pa.string(), _prefix),
        text("destination", optional=True, required=True),
        money("rate_per_min", scale=4),
        integer("billing_increment_s", minimum=1),
        integer("minimum_s", minimum=0, optional=True, required=False),
        money("connection_fee", scale=4, optional=True, required=False),
        day("valid_from"),
        day("valid_to", optional=True, required=False),
    ),
    natural_key=("prefix", "valid_from"),
    name_hint="tariff",
    check=_check,
)

TABLE = _READER.table
SCHEMA: pa.Schema = _READER.schema
NATURAL_KEY: tuple[str, ...] = _READER.natural_key
COLUMNS = _READER.names


def sniff(head: bytes, name: str) -> bool:
    """True if the first line is the tariff header (exact column set, any order)."""
    return _READER.sniff(head, name)


def read(
    data: bytes,
    *,
    start_offset: int = 0,
    first_line: int = 1,
    options: ReadOptions = ReadOptions(),  # noqa: B008 - frozen, never mutated
    header: bytes | None = None,
) -> ReadResult:
    """Parse a tariff CSV; rows overlapping an earlier row of the same prefix are rejected."""
    result = _READER.read(
        data, start_offset=start_offset, first_line=first_line, options=options, header=header
    )
    rows = result.rows
    if rows.num_rows == 0:
        return result
    records = rows.to_pylist()
    keep: list[int] = []
    seen: dict[str, list[dict[str, Any]]] = {}
    # source_line -> raw text, for rejects made here (the reader already dropped the text)
    for i, r in enumerate(records):
        clash = None
        duplicate = False
        for other in seen.get(r["prefix"], []):
            if _same(r, other):
                duplicate = True
                break
            if _overlap(r, other):
                clash = other
                break
        if clash is not None:
            result.rejects.append(
                Reject(
                    r["source_line"],
                    r["byte_offset"],
                    _line_text(data, r["byte_offset"] - start_offset),
                    f"validity {_span(r)} of prefix {r['prefix']} overlaps line "
                    f"{clash['source_line']} ({_span(clash)}); give the earlier row a "
                    "valid_to on or before this row's valid_from",
                )
            )
            continue
        if duplicate:
            key = "identical tariff row repeated (kept for the loader to deduplicate)"
            result.notes[key] = result.notes.get(key, 0) + 1
        else:
            seen.setdefault(r["prefix"], []).append(r)
        keep.append(i)
    if len(keep) != rows.num_rows:
        result.rows = rows.take(pa.array(keep, pa.int64()))
        result.rejects.sort(key=lambda rj: rj.line_number)
    return result


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    skip = ("source_line", "byte_offset")
    return all(a[k] == b[k] for k in a if k not in skip)


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    far = date.max
    return a["valid_from"] < (b["valid_to"] or far) and b["valid_from"] < (a["valid_to"] or far)


def _span(r: dict[str, Any]) -> str:
    return f"{r['valid_from']}..{r['valid_to'] or 'open'}"


def _line_text(data: bytes, pos: int) -> str:
    end = data.find(b"\n", pos)
    line = data[pos:] if end == -1 else data[pos:end]
    return line.rstrip(b"\r").decode("utf-8", errors="replace")


# -- using a tariff ------------------------------------------------------------------------


def national_number(number: str) -> str:
    """A number in the form dialled from mainland China: digits only, +86/0086 removed
    (a landline gets its trunk 0 back), any other ``+`` country code as ``00``."""
    s = number.strip()
    digits = "".join(ch for ch in s if ch.isdigit())
    if s.startswith("+"):
        international = digits
    elif digits.startswith("0086"):
        international = digits[2:]
    else:
        return digits
    if not international.startswith("86"):
        return "00" + international
    national = international[2:]
    if national.startswith(("1", "400", "800", "95")):
        return national  # mobile and nationwide service numbers have no trunk 0
    return "0" + national


def find_tariff(rows: list[dict[str, Any]], number: str, on: date) -> dict[str, Any] | None:
    """The row with the longest prefix of ``number`` valid on ``on`` (or None)."""
    digits = national_number(number)
    best: dict[str, Any] | None = None
    for r in rows:
        p = r["prefix"]
        if not digits.startswith(p):
            continue
        if not (r["valid_from"] <= on and (r["valid_to"] is None or on < r["valid_to"])):
            continue
        if best is None or len(p) > len(best["prefix"]):
            best = r
    return best


def call_cost(tariff: dict[str, Any], duration_s: float) -> Decimal:
    """What an answered call of ``duration_s`` seconds costs under ``tariff`` (2 decimals)."""
    inc = int(tariff["billing_increment_s"])
    billed = math.ceil(max(duration_s, 0) / inc) * inc
    billed = max(billed, int(tariff.get("minimum_s") or 0))
    rate = Decimal(tariff["rate_per_min"])
    fee = Decimal(tariff.get("connection_fee") or 0)
    return (fee + rate * billed / 60).quantize(Decimal("0.01"))


# -- shipped default -----------------------------------------------------------------------

#: A realistic enterprise tariff for a contact center in mainland China, in CNY, valid from
#: 2026-01-01, for a center in Shanghai (021). Domestic calls per started minute (60 s
#: steps), international in 6 s steps with a 30 s minimum. Calls to the center's own 95xxx
#: service number (inbound; the caller pays) cost 0; toll-free 800 and emergency numbers
#: are free to call; 8-digit numbers dialled without an area code are local.
DEFAULT_TARIFF_CSV = """\
prefix,destination,rate_per_min,billing_increment_s,minimum_s,connection_fee,valid_from,valid_to
13,China mobile (13x),0.0800,60,60,0.0000,2026-01-01,
14,China mobile (14x data/IoT),0.0800,60,60,0.0000,2026-01-01,
15,China mobile (15x),0.0800,60,60,0.0000,2026-01-01,
16,China mobile (16x),0.0800,60,60,0.0000,2026-01-01,
17,China mobile (17x),0.0800,60,60,0.0000,2026-01-01,
170,China mobile virtual operator (170),0.1200,60,60,0.0000,2026-01-01,
171,China mobile virtual operator (171),0.1200,60,60,0.0000,2026-01-01,
18,China mobile (18x),0.0800,60,60,0.0000,2026-01-01,
19,China mobile (19x),0.0800,60,60,0.0000,2026-01-01,
0,China landline (other area codes),0.0700,60,60,0.0000,2026-01-01,
010,Beijing landline,0.0700,60,60,0.0000,2026-01-01,
020,Guangzhou landline,0.0700,60,60,0.0000,2026-01-01,
021,Shanghai landline (local),0.0500,60,60,0.0000,2026-01-01,
022,Tianjin landline,0.0700,60,60,0.0000,2026-01-01,
023,Chongqing landline,0.0700,60,60,0.0000,2026-01-01,
024,Shenyang landline,0.0700,60,60,0.0000,2026-01-01,
025,Nanjing landline,0.0700,60,60,0.0000,2026-01-01,
027,Wuhan landline,0.0700,60,60,0.0000,2026-01-01,
028,Chengdu landline,0.0700,60,60,0.0000,2026-01-01,
029,Xi'an landline,0.0700,60,60,0.0000,2026-01-01,
0571,Hangzhou landline,0.0700,60,60,0.0000,2026-01-01,
0512,Suzhou landline,0.0700,60,60,0.0000,2026-01-01,
0532,Qingdao landline,0.0700,60,60,0.0000,2026-01-01,
0592,Xiamen landline,0.0700,60,60,0.0000,2026-01-01,
0755,Shenzhen landline,0.0700,60,60,0.0000,2026-01-01,
0871,Kunming landline,0.0700,60,60,0.0000,2026-01-01,
0898,Haikou landline,0.0700,60,60,0.0000,2026-01-01,
0991,Urumqi landline,0.0700,60,60,0.0000,2026-01-01,
2,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
3,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
4,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
5,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
6,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
7,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
8,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
9,Shanghai local landline (dialled without area code),0.0500,60,60,0.0000,2026-01-01,
00,International (other),3.0000,6,30,0.0000,2026-01-01,
001,USA and Canada,0.6000,6,30,0.0000,2026-01-01,
0044,United Kingdom,0.8000,6,30,0.0000,2026-01-01,
0049,Germany,0.8000,6,30,0.0000,2026-01-01,
0061,Australia,0.8000,6,30,0.0000,2026-01-01,
0065,Singapore,0.6000,6,30,0.0000,2026-01-01,
0081,Japan,0.8000,6,30,0.0000,2026-01-01,
0082,South Korea,0.8000,6,30,0.0000,2026-01-01,
00852,Hong Kong SAR,0.5000,6,30,0.0000,2026-01-01,
00853,Macao SAR,0.5000,6,30,0.0000,2026-01-01,
00886,Taiwan,0.5000,6,30,0.0000,2026-01-01,
95,95xxx service number (inbound: caller pays),0.0000,60,0,0.0000,2026-01-01,
400,400 service number (caller pays the local share),0.0700,60,60,0.0000,2026-01-01,
800,800 toll-free number (called party pays),0.0000,60,0,0.0000,2026-01-01,
110,Police (emergency),0.0000,60,0,0.0000,2026-01-01,
119,Fire (emergency),0.0000,60,0,0.0000,2026-01-01,
120,Ambulance (emergency),0.0000,60,0,0.0000,2026-01-01,
"""


def default_tariff_csv() -> str:
    """The shipped default tariff table as CSV text (see :data:`DEFAULT_TARIFF_CSV`)."""
    return DEFAULT_TARIFF_CSV
