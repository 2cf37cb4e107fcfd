"""The call-billing tariff table (ingest/readers/tariffs.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import ReadOptions, ReadResult
from ingest.readers import tariffs
from ingest.readers.tariffs import (
    call_cost,
    default_tariff_csv,
    find_tariff,
    national_number,
    read,
    sniff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "other"
ON = date(2026, 9, 1)


def _balanced(result: ReadResult) -> bool:
    return result.lines_read == result.rows.num_rows + len(result.rejects) + result.skipped_lines


@pytest.fixture(scope="module")
def default_rows() -> list[dict]:
    result = read(default_tariff_csv().encode())
    assert result.rejects == [] and result.notes == {}
    return result.rows.to_pylist()


def test_module_contract() -> None:
    assert tariffs.TABLE == "raw_tariffs"
    assert tariffs.NATURAL_KEY == ("prefix", "valid_from")
    schema = tariffs.SCHEMA
    assert schema.field("rate_per_min").type == pa.decimal128(12, 4)
    assert schema.field("valid_from").type == pa.date32()
    assert schema.field("billing_increment_s").type == pa.int64()
    assert schema.names[-2:] == ["source_line", "byte_offset"]


def test_default_tariff_reads_clean_and_covers_china(default_rows: list[dict]) -> None:
    text = default_tariff_csv()
    assert text == tariffs.DEFAULT_TARIFF_CSV
    assert sniff(text.encode(), "anything.csv")
    result = read(text.encode())
    assert result.rows.schema.equals(tariffs.SCHEMA) and _balanced(result)
    prefixes = {r["prefix"]: r for r in default_rows}
    for p in ("13", "15", "18", "19", "010", "021", "020", "0755", "00", "95"):
        assert p in prefixes, p
    assert prefixes["95"]["rate_per_min"] == Decimal("0")
    assert all(r["rate_per_min"] >= 0 for r in default_rows)
    assert {r["billing_increment_s"] for r in default_rows} == {6, 60}
    assert len(prefixes) == len(default_rows)  # one row per prefix


@pytest.mark.parametrize(
    ("number", "prefix"),
    [
        ("13800138000", "13"),
        ("+86 138 0013 8000", "13"),
        ("17012345678", "170"),  # longest prefix beats 17
        ("19912345678", "19"),
        ("01062881234", "010"),
        ("+86 21 6288 1234", "021"),
        ("075588889999", "0755"),
        ("057188889999", "0571"),
        ("031188889999", "0"),  # an area code without its own row
        ("0085212345678", "00852"),
        ("+1 212 555 1234", "001"),
        ("0033123456789", "00"),
        ("95539", "95"),
        ("62881234", "6"),  # local number dialled without the area code
    ],
)
def test_longest_prefix_wins(default_rows: list[dict], number: str, prefix: str) -> None:
    found = find_tariff(default_rows, number, ON)
    assert found is not None and found["prefix"] == prefix


def test_no_tariff_before_valid_from(default_rows: list[dict]) -> None:
    assert find_tariff(default_rows, "13800138000", date(2025, 12, 31)) is None
    assert find_tariff(default_rows, "", ON) is None


def test_call_cost(default_rows: list[dict]) -> None:
    mobile = find_tariff(default_rows, "13800138000", ON)
    assert call_cost(mobile, 0.5) == Decimal("0.08")  # minimum one minute
    assert call_cost(mobile, 60) == Decimal("0.08")
    assert call_cost(mobile, 61) == Decimal("0.16")  # per started minute
    usa = find_tariff(default_rows, "0012125551234", ON)
    assert call_cost(usa, 10) == Decimal("0.30")  # 30 s minimum at 0.60/min
    assert call_cost(usa, 61) == Decimal("0.66")  # 66 s in 6 s steps
    service = find_tariff(default_rows, "95539", ON)
    assert call_cost(service, 600) == Decimal("0.00")
    fee = dict(mobile, connection_fee=Decimal("0.10"))
    assert call_cost(fee, 30) == Decimal("0.18")


def test_bad_fixture() -> None:
    data = (FIXTURES / "tariffs_bad.csv").read_bytes()
    result = read(data)
    reasons = {r.line_number: r.reason for r in result.rejects}
    overlap = reasons[4]
    assert "validity 2026-06-01..open of prefix 13 overlaps line 2 (2026-01-01..2026-07-01)" in (
        overlap
    )
    assert "prefix: '+86' is not a digit prefix" in reasons[5]
    assert reasons[6] == "rate_per_min: -0.0800 is negative"
    assert "valid_to 2026-02-01 is not after valid_from 2026-03-01" in reasons[7]
    assert "billing_increment_s: 0 is below the minimum 1" in reasons[10]
    assert sorted(reasons) == [4, 5, 6, 7, 10]
    rows = result.rows.to_pylist()
    # a new rate starting on the old one's valid_to is fine; an identical repeat is kept
    assert [(r["prefix"], r["source_line"]) for r in rows] == [
        ("13", 2),
        ("13", 3),
        ("021", 8),
        ("021", 9),
        ("0755", 11),
    ]
    assert result.notes == {"identical tariff row repeated (kept for the loader to deduplicate)": 1}
    shenzhen = rows[-1]
    assert shenzhen["rate_per_min"] == Decimal("0.0700")
    assert shenzhen["minimum_s"] is None and shenzhen["connection_fee"] is None
    assert _balanced(result)
    for r in result.rejects:
        assert data[r.byte_offset :].split(b"\r\n", 1)[0].decode() == r.raw
    # validity windows: valid_to is exclusive
    assert find_tariff(rows, "13800138000", date(2026, 6, 30))["source_line"] == 2
    assert find_tariff(rows, "13800138000", date(2026, 7, 1))["source_line"] == 3


def test_missing_column_rejects_every_line() -> None:
    data = b"prefix,destination,billing_increment_s,valid_from\r\n13,Mobile,60,2026-01-01\r\n"
    result = read(data)
    assert result.rows.num_rows == 0
    assert "missing column 'rate_per_min'" in result.rejects[0].reason
    assert not sniff(data, "tariffs.csv")


@pytest.mark.parametrize(
    ("number", "national"),
    [
        ("+8613800138000", "13800138000"),
        ("+86 21 6288 1234", "02162881234"),
        ("008675588889999", "075588889999"),
        ("+86 400 950 0000", "4009500000"),
        ("+1 (212) 555-1234", "0012125551234"),
        ("0012125551234", "0012125551234"),
        ("021-6288-1234", "02162881234"),
    ],
)
def test_national_number(number: str, national: str) -> None:
    assert national_number(number) == national


@settings(max_examples=100, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.sampled_from(
                [
                    *(b",", b"\r\n", b"\n", b'"', b"13", b"021", b"+86", b"-0.5", b"0.0800"),
                    *(b"60", b"2026-01-01", b"2026-07-01", b"", b"x", b"\xff"),
                    b"prefix,destination,rate_per_min,billing_increment_s,valid_from\r\n",
                ]
            ),
            max_size=50,
        ).map(b"".join),
    ),
    final=st.booleans(),
)
def test_random_bytes_never_raise(data: bytes, final: bool) -> None:
    result = read(data, options=ReadOptions(final=final))
    assert 0 <= result.consumed_bytes <= len(data)
    assert _balanced(result)
    assert result.rows.schema.equals(tariffs.SCHEMA)
