"""Columns a reader returns that its raw table does not store (queue_log's data1..data5).

The reader splits ``data`` in Polars; the staging model ``stg_queue_log`` splits the stored
``data`` in SQL. The two are independent implementations of one rule, so the property test
runs the model's compiled SQL on what the reader returns and compares.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import ReadOptions
from ingest.loader import Loader
from ingest.readers import queue_log
from ingest.sources import all_sources
from warehouse.publish import publish
from warehouse.runner import compile_models, load_project

SOURCE = next(s for s in all_sources() if s.name == "queue_log")
DATA_FIELDS = [f"data{k}" for k in range(1, 6)]
STAGING = load_project().upstream_of(["stg_queue_log"])
STAGING_SQL = compile_models(STAGING, {"timezone": "UTC"})["stg_queue_log"]

# Texts as a data part can hold them: pipes (empty fields too, and more than five fields
# often: one character in three is a pipe), spaces, CJK, commas.
data_texts = st.text(alphabet=st.sampled_from("|||a9 ,-中"), max_size=24)


def _lines(datas: list[str | None]) -> bytes:
    out = []
    for i, data in enumerate(datas):
        tail = "" if data is None else f"|{data}"  # None: no pipe after the event
        out.append(f"{1756684800 + i}|c{i}|booking|NONE|EVENT{i}{tail}\n")
    return "".join(out).encode()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), data_texts), min_size=1, max_size=30))
def test_staging_splits_data_as_the_reader_does(datas):
    result = queue_log.read(_lines(datas), options=ReadOptions(final=True))
    assert result.rows.num_rows == len(datas)
    with duckdb.connect() as con:
        con.execute(SOURCE.table_ddl(con))
        con.register("rows", result.rows)
        stored = ", ".join(f'"{c}"' for c in SOURCE.stored_columns if c in result.rows.schema.names)
        con.execute(f"insert into raw_queue_log ({stored}) select {stored} from rows")
        staged = con.execute(
            f"select {', '.join(DATA_FIELDS)} from ({STAGING_SQL}) order by source_line"
        ).fetchall()
    expected = list(zip(*(result.rows.column(c).to_pylist() for c in DATA_FIELDS), strict=True))
    assert staged == expected


def test_the_raw_table_stores_data_once_and_staging_splits_it(tmp_path):
    log = tmp_path / "queue_log"
    log.write_bytes(_lines(["", "1|2|3|4|5|6|7", "x||", None]))
    ingest_db = tmp_path / "ingest.duckdb"
    with Loader(ingest_db) as loader:
        assert loader.ingest([log]).files[0].rows_loaded == 4
    columns_sql = (
        "select column_name from information_schema.columns where table_name = "
        "'raw_queue_log' order by ordinal_position"
    )
    with duckdb.connect(str(ingest_db), read_only=True) as con:
        columns = [r[0] for r in con.execute(columns_sql).fetchall()]
    assert "data" in columns and not set(DATA_FIELDS) & set(columns)
    published = publish(tmp_path / "warehouse.duckdb", ingest_db, project=STAGING)
    with duckdb.connect(str(published.path), read_only=True) as con:
        fields = con.execute(
            f"select {', '.join(DATA_FIELDS)} from stg_queue_log order by source_line"
        ).fetchall()
    assert fields == [
        ("", None, None, None, None),
        ("1", "2", "3", "4", "5|6|7"),
        ("x", "", "", None, None),
        (None, None, None, None, None),
    ]


def test_a_table_made_when_the_fields_were_stored_still_gets_them(tmp_path: Path):
    # An ingest database from before data1..data5 were left out stores them: the loader
    # fills every column that table has.
    ingest_db = tmp_path / "ingest.duckdb"
    with duckdb.connect(str(ingest_db)) as con:
        old = [c for c in queue_log.SCHEMA.names if c.startswith("data")]
        columns = ", ".join(f'"{c}" varchar' for c in old)
        con.execute(
            "create table raw_queue_log (event_time timestamptz, epoch bigint, call_id varchar,"
            f" queue varchar, agent varchar, event varchar, {columns}, source_line bigint, "
            "byte_offset bigint, source_file varchar, load_id varchar)"
        )
    log = tmp_path / "queue_log"
    log.write_bytes(_lines(["a|b|c|d|e|f"]))
    with Loader(ingest_db) as loader:
        assert loader.ingest([log]).files[0].rows_loaded == 1
    with duckdb.connect(str(ingest_db), read_only=True) as con:
        row = con.execute(f"select data, {', '.join(DATA_FIELDS)} from raw_queue_log").fetchone()
    assert row == ("a|b|c|d|e|f", "a", "b", "c", "d", "e|f")


def test_the_reader_leaves_out_the_unstored_fields_when_asked():
    data = _lines(["a|b", "", None, "1|2|3|4|5|6"])
    whole = queue_log.read(data, options=ReadOptions(final=True))
    lean = queue_log.read(data, options=ReadOptions(final=True, omit=frozenset(DATA_FIELDS)))
    assert lean.rows.column_names == [c for c in whole.rows.column_names if c not in DATA_FIELDS]
    assert lean.rows.equals(whole.rows.drop_columns(DATA_FIELDS))
    assert (lean.rejects, lean.notes, lean.lines_read) == (
        whole.rejects,
        whole.notes,
        whole.lines_read,
    )
