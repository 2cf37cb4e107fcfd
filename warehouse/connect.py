"""Read access to the published warehouse: short-lived, read-only, retried on a lock.

Readers (dashboards, notebooks, the forecasting and WFM jobs) open the published file
through ``read_only`` for one unit of work and close it again. A build never writes the
published file (it writes a new file and renames it over the old one, see
``warehouse.publish``), so a reader normally opens at once; the retry covers the rare
process that holds the file read-write anyway (DuckDB then refuses every other process
with "Could not set lock").

Each connection is its own in-memory DuckDB with the file attached read-only, not
``duckdb.connect(path)``: DuckDB shares one database instance between connections to
the same path in a process, so while any connection (another dashboard session, say)
stayed open, a new ``connect`` would keep seeing the build that was current when the
first one opened. Attaching gives every unit of work the build published at that moment.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)

CATALOG = "warehouse"  # the attached file's catalog name; it is also made the default
_LOCK_MESSAGES = ("Could not set lock", "Conflicting lock")


def is_lock_error(error: BaseException) -> bool:
    """True for DuckDB's refusal to open a file another process holds conflictingly."""
    return isinstance(error, duckdb.Error) and any(m in str(error) for m in _LOCK_MESSAGES)


def attach_read_only(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str],
    alias: str,
    retries: int = 40,
    delay: float = 0.05,
) -> None:
    """``ATTACH path AS alias (READ_ONLY)`` on ``con``, retried while another process locks it.

    Tries ``retries + 1`` times, ``delay`` seconds apart, then raises the last lock error.
    """
    for attempt in range(retries + 1):
        try:
            con.execute(f"attach {_quoted(os.fspath(path))} as {alias} (read_only)")
            return
        except duckdb.Error as exc:
            if not is_lock_error(exc) or attempt == retries:
                raise
            log.info("%s is locked (attempt %d); retrying in %.2f s", path, attempt + 1, delay)
            time.sleep(delay)


@contextlib.contextmanager
def read_only(
    path: str | os.PathLike[str], retries: int = 40, delay: float = 0.05
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the DuckDB file at ``path``, closed on leaving the block.

    On a lock error the open is retried up to ``retries`` times, ``delay`` seconds apart
    (the defaults wait about two seconds), then the last error is raised. A missing file
    raises ``FileNotFoundError`` at once. Tables are reachable unqualified (the file is
    the default catalog). The session time zone is UTC.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path} (has a build been published?)")
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        attach_read_only(con, path, CATALOG, retries, delay)
        con.execute(f"use {CATALOG}")
        yield con
    finally:
        con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | None = None) -> Any:
    """The single value ``sql`` returns.

    Fetched to the end: DuckDB refuses new work on a connection (``con.sql``) while a
    result of ``execute`` is only partly fetched, as ``fetchone()`` leaves it.
    """
    return con.execute(sql, parameters).fetchall()[0][0]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def read_write(
    path: str | os.PathLike[str], retries: int = 40, delay: float = 0.05
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection to an operational store (created if missing).

    For the small stores that jobs and users write (forecast runs, rosters, QA
    evaluations), not for the published warehouse. Opening is retried on a lock like
    ``read_only``, since a dashboard may hold the store read-only for a moment. The
    session time zone is UTC. Keep the block short: while it is open, no other process
    can read the file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(retries + 1):
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.Error as exc:
            if not is_lock_error(exc) or attempt == retries:
                raise
            log.info("%s is locked (attempt %d); retrying in %.2f s", path, attempt + 1, delay)
            time.sleep(delay)
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()
