"""The analyst's SQL explorer: run one read-only query on the published warehouse.

No Streamlit here (the page is ``dashboards/views/sql.py``). :func:`run_query` is
read-only by construction and checks the SQL before running it; every layer refuses on
its own:

1. **DuckDB's parser** (``duckdb.extract_statements``): exactly one statement, of type
   ``SELECT`` (DuckDB reports ``WITH``, ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``, ``FROM ...``
   and ``PIVOT ... IN (...)`` as ``SELECT``) or ``MULTI`` when the text starts with
   ``PIVOT``/``UNPIVOT`` (a pivot without an ``IN`` list). Everything else (``INSERT``,
   ``CREATE``, ``ATTACH``, ``COPY``, ``INSTALL``/``LOAD``, ``PRAGMA``, ``SET``, ``CALL``,
   ``EXPLAIN`` ...) is refused with a message naming the statement type.
2. **Functions that read files or the server**: the statement's syntax tree from DuckDB's
   ``json_serialize_sql`` is walked for every ``function_name`` (table and scalar
   functions); any name in :data:`FORBIDDEN_FUNCTIONS` (``read_csv``, ``read_parquet``,
   ``read_json``, ``glob``, ``read_text`` ...) is refused. When DuckDB cannot serialize the
   statement (a ``PIVOT`` without ``IN``), the SQL text is searched for those names
   followed by ``(`` instead.
3. **The connection**: :func:`warehouse.connect.read_only` attaches the file
   ``READ_ONLY`` (DuckDB itself refuses writes), then ``enable_external_access`` is turned
   off and the configuration locked, so no file, URL, extension or other database can be
   reached even by a name the list above misses (``from '/etc/passwd'`` is not a table).

For a role that may not see caller numbers (``masked=True``), masking happens in the
database, not only on the result: the warehouse is attached under a random name that is
never shown, and every table is reached through a view of the same name whose number
columns (``dashboards.masking``) are masked by the same Python function the result tables
use, registered as a DuckDB function. So renaming a column (``select src as x``),
computing from it (``left(src, 7)``), filtering or grouping on it all see masked values;
a query naming the hidden catalog, or calling ``query``/``query_table`` (which take a
table name as text), is refused.

A query is stopped after ``timeout_s`` seconds (DuckDB's ``interrupt``) and may use at
most :data:`MEMORY_LIMIT` of memory, so one analyst's runaway query cannot hold the
dashboard server's cores and memory for everyone else.

Results are capped at ``limit`` rows (``truncated`` says when there were more), and
TIMESTAMPTZ values (also inside lists and structs) come back as text in UTC, since
fetching them into pandas would need pytz.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboards import masking
from warehouse.connect import attach_read_only, read_only

PathLike = str | os.PathLike[str]
DEFAULT_LIMIT = 10_000
DEFAULT_TIMEOUT_S = 30.0
MEMORY_LIMIT = "2GB"  # per query; DuckDB spills sorts and joins to disk below it
ALLOWED_KINDS = "SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or PIVOT"
FORBIDDEN_FUNCTIONS = frozenset(
    {
        "read_csv",
        "read_csv_auto",
        "sniff_csv",
        "read_parquet",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "parquet_bloom_probe",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_json_objects_auto",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "read_text",
        "read_blob",
        "read_xlsx",
        "glob",
        "iceberg_scan",
        "iceberg_metadata",
        "iceberg_snapshots",
        "delta_scan",
        "sqlite_scan",
        "sqlite_attach",
        "postgres_scan",
        "postgres_attach",
        "mysql_scan",
        "st_read",
        "getenv",
        "duckdb_secrets",
        "duckdb_settings",
        "duckdb_extensions",
        "which_secret",
        "query",  # query('select ...') and query_table('name') take SQL or a name as text
        "query_table",
    }
)
_PIVOT_START = re.compile(r"^\s*(pivot|unpivot|pivot_wider|pivot_longer)\b", re.IGNORECASE)


class QueryRefused(ValueError):
    """SQL the explorer will not run; the message says why, in one line."""


class QueryTimeout(QueryRefused):
    """A query stopped because it ran longer than the explorer allows."""


def _function_names(node: Any) -> set[str]:
    """Every ``function_name`` in a ``json_serialize_sql`` tree, lower case."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = item.get("function_name")
            if isinstance(name, str):
                found.add(name.lower())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _referenced_functions(con: duckdb.DuckDBPyConnection, sql: str) -> set[str] | None:
    """The functions ``sql`` calls, from DuckDB's syntax tree; None if it cannot say."""
    tree = _syntax_tree(con, sql)
    return None if tree is None else _function_names(tree)


def _syntax_tree(con: duckdb.DuckDBPyConnection, sql: str) -> Any | None:
    """The statements of ``sql`` as DuckDB's ``json_serialize_sql`` gives them; None when
    DuckDB cannot serialize them (a PIVOT without IN, SUMMARIZE, ...)."""
    (text,) = con.execute("select json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(text)
    if tree.get("error"):
        return None
    return tree.get("statements", [])


def _table_names(tree: Any) -> set[str]:
    """Every catalog, schema and table name a syntax tree's table references use, lower case."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "BASE_TABLE":
                for key in ("catalog_name", "schema_name", "table_name"):
                    if item.get(key):
                        found.add(str(item[key]).lower())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _refuse_hidden_catalog(text: str, catalog: str) -> None:
    """Refuse ``text`` when it names the masked connection's hidden catalog (module
    docstring): by DuckDB's syntax tree, or by the text when DuckDB cannot serialize it."""
    con = duckdb.connect()
    try:
        tree = _syntax_tree(con, text)
    finally:
        con.close()
    named = catalog in _table_names(tree) if tree is not None else catalog in text.lower()
    if named:
        raise QueryRefused("Tables are read by their own names here, without a catalog.")


def check_query(sql: str) -> str:
    """The one statement of ``sql`` (without a trailing ``;``) if the explorer may run it;
    otherwise :class:`QueryRefused` (module docstring, layers 1 and 2)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(one_line(exc)) from None
    if not statements:
        raise QueryRefused("Nothing to run: write one SELECT statement.")
    if len(statements) > 1:
        raise QueryRefused(f"One statement at a time, please (got {len(statements)}).")
    statement = statements[0]
    kind = statement.type
    text = statement.query.strip()
    pivot = kind == duckdb.StatementType.MULTI and _PIVOT_START.match(text)
    if kind != duckdb.StatementType.SELECT and not pivot:
        raise QueryRefused(
            f"Only a read query ({ALLOWED_KINDS}) may run here, not {kind.name}: "
            "the warehouse is read-only."
        )
    con = duckdb.connect()
    try:
        names = _referenced_functions(con, text)
    finally:
        con.close()
    if names is None:
        names = {
            name
            for name in FORBIDDEN_FUNCTIONS
            if re.search(rf"\b{name}\s*\(", text, re.IGNORECASE)
        }
    refused = sorted(names & FORBIDDEN_FUNCTIONS)
    if refused:
        raise QueryRefused(
            f"{', '.join(refused)} may not be used here: the explorer reads the warehouse "
            "only, not files on the server."
        )
    return text


def one_line(error: BaseException) -> str:
    """DuckDB's error message on one line (its caret excerpt of the SQL left out)."""
    first = str(error).strip().split("\n\n")[0]
    return " ".join(first.split())


def run_query(
    warehouse_db: PathLike,
    sql: str,
    limit: int = DEFAULT_LIMIT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    masked_for: str | None = None,
) -> tuple[pd.DataFrame, bool]:
    """``(rows, truncated)`` of one read-only query on ``warehouse_db`` (module docstring).

    At most ``limit`` rows; ``truncated`` is True when the query had more. ``masked_for``
    is the role of the user asking: when it may not see caller numbers, the query runs on
    masked views (module docstring). Raises :class:`QueryRefused` for SQL the explorer
    will not run, :class:`QueryTimeout` when it ran longer than ``timeout_s`` seconds, and
    ``duckdb.Error`` when DuckDB fails (``one_line`` gives its message).
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
    text = check_query(sql)
    masked = masked_for is not None and not masking.auth.can(masked_for, "see_numbers")
    with contextlib.ExitStack() as stack:
        if masked:
            con, catalog = stack.enter_context(_masked_views(warehouse_db, str(masked_for)))
            _refuse_hidden_catalog(text, catalog)
        else:
            con = stack.enter_context(read_only(warehouse_db))
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
        timer = threading.Timer(timeout_s, con.interrupt)
        timer.start()
        try:
            return _fetch(con, text, limit)
        except duckdb.InterruptException:
            raise QueryTimeout(
                f"The query ran longer than {timeout_s:g} s and was stopped: narrow it "
                "(a shorter date range, fewer columns, a LIMIT) or ask for a mart."
            ) from None
        finally:
            timer.cancel()


MASK_FUNCTION = "mask_numbers_in"


@contextlib.contextmanager
def _masked_views(
    warehouse_db: PathLike, role: str
) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """An in-memory connection where each table of ``warehouse_db`` is a view of the same
    name with its number columns masked for ``role`` (module docstring), and the name of
    the hidden catalog the views read."""
    from pathlib import Path

    path = Path(warehouse_db)
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path} (has a build been published?)")
    catalog = f"hidden_{secrets.token_hex(8)}"
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")  # the page shows its own spinner
        attach_read_only(con, path, catalog)

        done: dict[tuple[str | None, int], str | None] = {}

        def mask(values: pa.Array, min_digits: pa.Array) -> pa.Array:
            # Numbers repeat (a caller calls many times): each distinct value is masked
            # once per query, by the function the result tables use, and mapped back.
            least = min_digits[0].as_py() if len(min_digits) else 1
            distinct = pc.unique(values)
            masked = []
            for value in distinct.to_pylist():
                key = (value, least)
                if key not in done:
                    done[key] = masking.mask_value(value, role, least)  # type: ignore[assignment]
                masked.append(done[key])
            return pc.take(pa.array(masked, pa.string()), pc.index_in(values, value_set=distinct))

        con.create_function(
            MASK_FUNCTION,
            mask,
            [duckdb.sqltype("VARCHAR"), duckdb.sqltype("INTEGER")],
            duckdb.sqltype("VARCHAR"),
            type="arrow",
            side_effects=False,
        )
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_catalog = ? and table_schema = 'main' "
            "order by table_name, ordinal_position",
            [catalog],
        ).fetchall():
            columns.setdefault(table, []).append(column)
        for table, names in columns.items():
            select = ", ".join(_masked_column(name) for name in names)
            con.execute(
                f"create temp view {_quoted(table)} as select {select} "
                f"from {catalog}.main.{_quoted(table)}"
            )
        yield con, catalog
    finally:
        con.close()


def _masked_column(name: str) -> str:
    """The select item for column ``name`` in a masked view."""
    if not masking.is_masked_column(name):
        return _quoted(name)
    least = 1 if masking.is_number_column(name) else masking.MIN_EMBEDDED_DIGITS
    return f"{MASK_FUNCTION}(cast({_quoted(name)} as varchar), {least}) as {_quoted(name)}"


def _fetch(con: duckdb.DuckDBPyConnection, text: str, limit: int) -> tuple[pd.DataFrame, bool]:
    """At most ``limit`` rows of the checked query ``text``, and whether it had more."""
    relation = con.sql(text)
    if relation is None:  # not a query after all
        raise QueryRefused(f"Only a read query ({ALLOWED_KINDS}) may run here.")
    types = [str(t) for t in relation.types]
    if any("TIME ZONE" in t for t in types):
        columns = [
            f"cast({_quoted(c)} as varchar) as {_quoted(c)}" if "TIME ZONE" in t else _quoted(c)
            for c, t in zip(relation.columns, types, strict=True)
        ]
        relation = relation.project(", ".join(columns))
    frame = relation.limit(limit + 1).df()
    truncated = len(frame) > limit
    return frame.iloc[:limit].reset_index(drop=True), truncated


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def warehouse_columns(warehouse_db: PathLike) -> pd.DataFrame:
    """Tables and views of the warehouse with their columns (``information_schema``):
    table_schema, table_name, table_type (BASE TABLE or VIEW), column_name, data_type,
    in schema, table and column order."""
    with read_only(warehouse_db) as con:
        return con.execute(
            """
            select c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type
            from information_schema.columns as c
            join information_schema.tables as t
              on t.table_catalog = c.table_catalog
             and t.table_schema = c.table_schema
             and t.table_name = c.table_name
            where c.table_catalog = current_database()
              and c.table_schema not in ('information_schema', 'pg_catalog')
            order by c.table_schema, c.table_name, c.ordinal_position
            """
        ).df()
