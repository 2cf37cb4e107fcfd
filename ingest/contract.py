"""What every reader returns and what the loader expects: the seam between parsing and loading.

A reader is a pure function from bytes to typed rows plus rejected lines; it never
touches the database (the loader owns transactions, the manifest and the cursor).

    read(data: bytes, *, start_offset: int = 0, first_line: int = 1, options: ReadOptions)
        -> ReadResult

``data`` is the part of the file the loader has not loaded yet, starting at byte
``start_offset`` of the file (line ``first_line``). A reader parses complete lines only:
a last line without its newline is left for the next run (``consumed_bytes`` stops
before it), unless ``options.final`` says the file is complete (a whole-file format such
as JSON, or a file that will not grow).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# Lineage columns every raw table carries. Readers fill source_line and byte_offset;
# the loader fills source_file and load_id.
LINEAGE_FIELDS = (
    pa.field("source_file", pa.string()),
    pa.field("source_line", pa.int64()),
    pa.field("byte_offset", pa.int64()),
    pa.field("load_id", pa.string()),
)


def with_lineage(schema: pa.Schema) -> pa.Schema:
    """A reader's schema plus the lineage columns it does not carry itself (a raw table's)."""
    names = set(schema.names)
    return pa.schema(list(schema) + [f for f in LINEAGE_FIELDS if f.name not in names])


@dataclass(frozen=True)
class ReadOptions:
    """Site configuration a reader may need."""

    timezone: str = "Asia/Shanghai"  # the PBX's / business system's local zone
    final: bool = False  # the data is the whole file and complete: parse a last partial line
    # Columns the caller does not need because its table does not store them
    # (``Source.unstored``): a reader may leave these out of ``rows`` instead of computing them.
    omit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reject:
    """A line that could not be used, kept with its reason (it goes to quarantine)."""

    line_number: int  # 1-based line number in the file
    byte_offset: int  # offset of the line's first byte in the file
    raw: str  # the line as text (undecodable bytes replaced), without the newline
    reason: str  # one sentence a person can act on


@dataclass
class ReadResult:
    """Rows for one raw table, rejects, and how far the reader got."""

    table: str  # raw table name, e.g. "raw_queue_log"
    rows: pa.Table  # typed rows in the table's schema, without source_file and load_id
    # (and possibly without columns ``ReadOptions.omit`` names)
    rejects: list[Reject]
    consumed_bytes: int  # bytes of ``data`` fully parsed (complete lines)
    lines_read: int  # lines consumed = rows + rejects + skipped (blank lines etc.)
    skipped_lines: int = 0  # blank lines, NUL padding: counted, not rows, not rejects
    notes: dict[str, int] = field(default_factory=dict)  # e.g. {"unknown event FOO": 3}
