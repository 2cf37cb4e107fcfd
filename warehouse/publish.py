"""Build the warehouse into a new file, then publish it over the old one by a rename.

``publish(db_path, ingest_db)``:

1. takes the build lock (``<db>.build-lock``, ``flock``): one build per warehouse at a
   time; a second one fails at once instead of queueing;
2. removes what a crashed build left (``<db>.building-*`` and their WAL files);
3. opens a new file ``<db>.building-<pid>`` next to the published one (same file
   system, so the rename below is atomic);
4. attaches the ingest database read-only, copies the raw tables the models read, and
   detaches it: the ingest database is held only for the copy, and the published file
   is self-contained (any mart row traces back to raw lines in the same file);
5. runs the models and their data tests in one transaction (``warehouse.runner``); a
   failing test rolls back and the new file is deleted, so the published file is never
   touched by a failed build;
6. records ``build_info`` (one row: build number, time, variables) and ``build_models``
   (rows and seconds per raw table and model), checkpoints and closes: no WAL remains;
7. ``os.replace`` onto ``<db>``. Readers that opened the old file keep reading it (its
   inode lives until they close); readers opening after the rename get the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from warehouse import config, runner
from warehouse.connect import attach_read_only, is_lock_error, read_only, scalar
from warehouse.runner import BuildResult, Project, SourceError, WarehouseError

if TYPE_CHECKING:
    from ingest.sources import Source

log = logging.getLogger(__name__)

INGEST_CATALOG = "ingest"
OPS_CATALOG = "ops"
OPS_DIR = Path(__file__).resolve().parent / "ops"  # the operational store's declarations


class PublishError(WarehouseError):
    """The build could not be published (another build runs, the file is held read-write)."""


@dataclass(frozen=True)
class PublishResult:
    """A published build."""

    path: Path
    build_number: int
    sources: dict[str, int]  # raw table -> rows copied from the ingest database
    build: BuildResult
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "db": str(self.path),
            "build_number": self.build_number,
            "seconds": round(self.seconds, 3),
            "sources": self.sources,
        } | {key: value for key, value in self.build.to_dict().items() if key != "seconds"}


def publish(
    db_path: str | os.PathLike[str],
    ingest_db: str | os.PathLike[str],
    variables: Mapping[str, object] | None = None,
    project: Project | None = None,
    *,
    ops_db: str | os.PathLike[str] | None = None,
    lock_retries: int = 100,
    lock_delay: float = 0.1,
) -> PublishResult:
    """Build from the raw tables of ``ingest_db`` and publish the result at ``db_path``.

    ``ops_db`` is the operational store (QA evaluations, risk register: records people
    enter, see ``warehouse/ops/``). Its tables declared in ``warehouse/ops/*.sql`` are
    copied into the build when the file exists; a table it does not have yet is built
    empty from its declaration, so a site without QA still builds.

    ``variables`` override the defaults of ``warehouse.config``; ``project`` defaults to
    the shipped models. ``lock_retries``/``lock_delay`` bound the wait for a lock on the
    ingest database (a load in progress) and on the published file (reading the previous
    build number). Raises ``SourceError`` (ingest database or a raw table missing),
    ``VariableError``, ``ProjectError``, ``DataTestError`` (build rolled back, published
    file untouched) or ``PublishError``.
    """
    started = time.perf_counter()
    db_path, ingest_db = Path(db_path), Path(ingest_db)
    if not ingest_db.is_file():
        raise SourceError(f"ingest database {ingest_db} not found")
    values = config.resolve(variables)
    project = project or runner.load_project()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db_path):
        _remove_leftovers(db_path)
        build_number = _previous_build_number(db_path, lock_retries, lock_delay) + 1
        building = db_path.with_name(f"{db_path.name}.building-{os.getpid()}")
        try:
            con = duckdb.connect(str(building))
            con.execute("set enable_progress_bar = false")  # the CLI reports per model
            try:
                ops_tables = _create_ops_tables(con)
                sources = _copy_sources(
                    con, ingest_db, project, lock_retries, lock_delay, skip=ops_tables
                )
                sources.update(_copy_ops(con, ops_db, ops_tables, lock_retries, lock_delay))
                build = runner.run(con, project, values)
                seconds = time.perf_counter() - started
                _record_build(con, build_number, ingest_db, sources, build, seconds)
                con.execute("checkpoint")
            finally:
                con.close()
            if _wal(building).exists():
                raise PublishError(f"{building}: a WAL file remained after checkpoint and close")
            _fsync(building)
            _remove_stale_wal(db_path, lock_retries, lock_delay)
            os.replace(building, db_path)
            _fsync(db_path.parent)
        except BaseException:
            _remove(building)
            _remove(_wal(building))
            raise
    seconds = time.perf_counter() - started
    log.info("published build %d at %s in %.2f s", build_number, db_path, seconds)
    return PublishResult(db_path, build_number, sources, build, seconds)


@contextlib.contextmanager
def _build_lock(db_path: Path) -> Iterator[None]:
    lock_path = db_path.with_name(f"{db_path.name}.build-lock")
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another build of {db_path} is running") from None
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _remove_leftovers(db_path: Path) -> None:
    # Only the lock holder gets here, so every building file is a crashed build's.
    for leftover in db_path.parent.glob(f"{db_path.name}.building-*"):
        log.warning("removing %s, left by a build that did not finish", leftover)
        _remove(leftover)


def _previous_build_number(db_path: Path, retries: int, delay: float) -> int:
    if not db_path.exists():
        return 0
    try:
        with read_only(db_path, retries, delay) as con:
            return scalar(con, "select max(build_number) from build_info") or 0
    except duckdb.Error as exc:
        _raise_if_held(db_path, exc)
        log.warning("cannot read the build number of %s (%s); numbering from 1", db_path, exc)
        return 0


def _raise_if_held(db_path: Path, error: duckdb.Error) -> None:
    if is_lock_error(error):
        raise PublishError(
            f"{db_path} is held read-write by another process; readers must open it "
            "read-only (warehouse.connect.read_only)"
        ) from None


def ops_declarations() -> list[Path]:
    """The operational store's table declarations (``warehouse/ops/*.sql``), in name order."""
    return sorted(OPS_DIR.glob("*.sql"))


def _create_ops_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Run the operational store's declarations in the build; returns the tables made."""
    before = _tables(con, "main")
    for path in ops_declarations():
        con.execute(path.read_text(encoding="utf-8"))
    return _tables(con, "main") - before


def _copy_ops(
    con: duckdb.DuckDBPyConnection,
    ops_db: str | os.PathLike[str] | None,
    tables: set[str],
    retries: int,
    delay: float,
) -> dict[str, int]:
    """Fill the declared operational tables from ``ops_db`` where it has them."""
    if ops_db is not None and Path(ops_db).is_file() and tables:
        try:
            attach_read_only(con, Path(ops_db), OPS_CATALOG, retries, delay)
        except duckdb.Error as exc:
            raise SourceError(f"cannot open operational store {ops_db}: {exc}") from None
        try:
            for table in sorted(tables & _tables(con, "main", OPS_CATALOG)):
                try:
                    con.execute(
                        f"insert into {table} by name select * from {OPS_CATALOG}.main.{table}"
                    )
                except duckdb.Error as exc:
                    raise SourceError(
                        f"operational store {ops_db}: table {table} does not match its "
                        f"declaration in warehouse/ops: {exc}"
                    ) from None
        finally:
            con.execute(f"detach {OPS_CATALOG}")
    return {table: scalar(con, f"select count(*) from {table}") for table in sorted(tables)}


def _tables(con: duckdb.DuckDBPyConnection, schema: str, catalog: str | None = None) -> set[str]:
    catalog_filter = "table_catalog = " + ("current_database()" if catalog is None else "?")
    return {
        name
        for (name,) in con.execute(
            f"select table_name from information_schema.tables where {catalog_filter} "
            "and table_schema = ?",
            ([] if catalog is None else [catalog]) + [schema],
        ).fetchall()
    }


def _copy_sources(
    con: duckdb.DuckDBPyConnection,
    ingest_db: Path,
    project: Project,
    retries: int,
    delay: float,
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, int]:
    try:
        attach_read_only(con, ingest_db, INGEST_CATALOG, retries, delay)
    except duckdb.Error as exc:
        raise SourceError(f"cannot open ingest database {ingest_db}: {exc}") from None
    try:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = 'main'",
                [INGEST_CATALOG],
            ).fetchall()
        }
        known = known_sources()
        wanted = [s for s in project.sources if s not in skip]
        missing = [s for s in wanted if s not in present and s not in known]
        if missing:
            readers = sorted(
                m.name for m in project.models.values() if set(m.sources) & set(missing)
            )
            raise SourceError(
                f"ingest database {ingest_db} has no table {', '.join(missing)} "
                f"(read by {', '.join(readers)}) and no reader produces it"
            )
        rows = {}
        for source in wanted:
            if source in present:
                con.execute(
                    f"create table {source} as select * from {INGEST_CATALOG}.main.{source}"
                )
            else:
                # A source this site has not delivered (no tariff file, no Connect export):
                # an empty table in the reader's schema, so the marts that need it are
                # empty rather than the whole build failing.
                con.execute(known[source].table_ddl(con))
                log.info("raw table %s not loaded yet: built from an empty table", source)
            rows[source] = scalar(con, f"select count(*) from {source}")
        return rows
    finally:
        con.execute(f"detach {INGEST_CATALOG}")


def known_sources() -> dict[str, Source]:
    """Every raw table ingest can produce, with the source (reader) that produces it."""
    from ingest.sources import all_sources

    return {source.table: source for source in all_sources()}


def _record_build(
    con: duckdb.DuckDBPyConnection,
    build_number: int,
    ingest_db: Path,
    sources: Mapping[str, int],
    build: BuildResult,
    seconds: float,
) -> None:
    con.execute(
        "create table build_info as select ?::integer as build_number, "
        "current_timestamp as built_at, ?::double as seconds, ?::varchar as ingest_db, "
        "?::varchar as variables, ?::integer as models, ?::integer as data_tests",
        [
            build_number,
            seconds,
            str(ingest_db),
            json.dumps(build.variables),
            len(build.models),
            len(build.tests),
        ],
    )
    con.execute(
        "create table build_models (name varchar, layer varchar, rows bigint, seconds double)"
    )
    con.executemany(
        "insert into build_models values (?, ?, ?, ?)",
        [(source, "source", rows, None) for source, rows in sources.items()]
        + [(model.name, model.layer, model.rows, model.seconds) for model in build.models],
    )


def _remove_stale_wal(db_path: Path, retries: int, delay: float) -> None:
    """Delete a WAL the published file was left with by a process that opened it read-write.

    Renaming a new file under an old WAL would pair the two. Opening the file read-only
    first proves nobody holds it read-write now (that open would get a lock error).
    """
    wal = _wal(db_path)
    if not wal.exists():
        return
    try:
        with read_only(db_path, retries, delay):
            pass
    except duckdb.Error as exc:
        _raise_if_held(db_path, exc)
    log.warning("removing %s, left by a process that opened the published file read-write", wal)
    _remove(wal)


def _wal(path: Path) -> Path:
    return path.with_name(f"{path.name}.wal")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
