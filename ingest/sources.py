"""Which reader reads a file: every source format the suite knows, tried by content first.

Rotated files lose their telling names (``queue_log-20260902``, ``Master.csv.1``) and
exports get renamed by people, so each reader's ``sniff`` looks at the file's first bytes;
the name is only a hint.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa

from ingest.contract import ReadOptions, ReadResult, with_lineage

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Source:
    """One input format: its raw table, schema, duplicate key, sniffer and reader."""

    name: str
    table: str
    schema: pa.Schema
    natural_key: tuple[str, ...]
    sniff: Callable[[bytes, str], bool]
    read: Callable[..., ReadResult]

    takes_header: bool = False  # a CSV reader that needs the header line when resuming
    # Columns of the reader's schema the raw table does not store, because the staging
    # model derives them from the stored ones (queue_log's data1..data5 from data): a
    # column written once, as the line has it, costs less to load than six.
    unstored: frozenset[str] = frozenset()

    @property
    def stored_columns(self) -> list[str]:
        """The raw table's columns (lineage included), in table order."""
        return [f.name for f in with_lineage(self.schema) if f.name not in self.unstored]

    def table_ddl(self, con: duckdb.DuckDBPyConnection) -> str:
        """``create table if not exists`` for this source's raw table: the reader's schema
        without the ``unstored`` columns, plus lineage. ``con`` maps Arrow types to
        DuckDB's (any connection)."""
        empty = pa.Table.from_pylist([], schema=with_lineage(self.schema))
        types = _duckdb_types(con, empty)
        columns = [f'"{name}" {types[name]}' for name in self.stored_columns]
        return f"create table if not exists {self.table} ({', '.join(columns)})"

    def parse(
        self,
        data: bytes,
        start_offset: int,
        first_line: int,
        options: ReadOptions,
        header: bytes | None = None,
    ) -> ReadResult:
        """Parse ``data`` (the file from ``start_offset``); ``header`` is the file's first
        line, for CSV readers resuming in the middle of a file."""
        if self.takes_header and header is not None:
            return self.read(
                data,
                start_offset=start_offset,
                first_line=first_line,
                options=options,
                header=header,
            )
        return self.read(data, start_offset=start_offset, first_line=first_line, options=options)


def _from(obj: ModuleType | Any, name: str) -> Source:
    """A Source from a reader module (UPPER-case names) or a reader object (lower-case)."""

    def get(attribute: str) -> Any:
        if hasattr(obj, attribute.upper()):
            return getattr(obj, attribute.upper())
        return getattr(obj, attribute)

    return Source(
        name=name,
        table=get("table"),
        schema=get("schema"),
        natural_key=tuple(get("natural_key")),
        sniff=obj.sniff,
        read=obj.read,
        takes_header="header" in inspect.signature(obj.read).parameters,
        unstored=frozenset(getattr(obj, "UNSTORED", None) or getattr(obj, "unstored", ())),
    )


def _duckdb_types(con: duckdb.DuckDBPyConnection, empty: pa.Table) -> dict[str, str]:
    """DuckDB's type name for each column of an (empty) Arrow table."""
    con.register("_schema_probe", empty)
    try:
        rows = con.execute("describe select * from _schema_probe").fetchall()
    finally:
        con.unregister("_schema_probe")
    return {row[0]: row[1] for row in rows}


def all_sources() -> list[Source]:
    """Every known format, in the order they are tried."""
    from ingest.readers import cdr_csv, connect_ctr, exports, queue_log, tariffs

    sources = [_from(queue_log, "queue_log"), _from(cdr_csv, "cdr_csv")]
    # The engine's ground truth is loaded too when present (tests check marts against it).
    for reader in (*exports.READERS, *exports.TRUTH_READERS):
        table = reader.table if hasattr(reader, "table") else reader.TABLE
        sources.append(_from(reader, table.removeprefix("raw_")))
    sources.append(_from(connect_ctr, "connect_ctr"))
    sources.append(_from(tariffs, "tariffs"))
    return sources


def detect(head: bytes, name: str, sources: list[Source] | None = None) -> Source | None:
    """The first source whose sniffer recognises ``head`` (the file's first bytes)."""
    for source in sources if sources is not None else all_sources():
        if source.sniff(head, name):
            return source
    return None
