"""The warehouse: SQL models over the raw tables, their data tests, and how they are served.

- ``runner``: reads the dbt-shaped models under ``models/`` (staging, intermediate,
  marts; ``ref``/``source``/``var``; tests in ``_models.toml``), builds them in
  dependency order and runs the data tests, all in one transaction.
- ``config``: the build variables (interval length, time zone, thresholds) and defaults.
- ``publish``: builds into a new file and publishes it by an atomic rename.
- ``connect``: how everyone else reads the published file (``read_only``).
- ``cli``: ``callcenter build``; ``jobs``: the same build as a scheduled job.

Why build-then-rename. A DuckDB file is opened either by one read-write process or by
any number of read-only ones, never both (measured: a reader opening the file while a
build holds it gets "Could not set lock" for the whole build, and a dashboard holding a
read-only connection stops the next build from starting). Building in place would
therefore lock the dashboards out for the length of every build, or let one idle
dashboard session block all builds. Instead the build writes a private file next to the
published one (``warehouse.duckdb.building-<pid>``), checkpoints and closes it (so no
WAL is left to pair with the wrong file), and ``os.replace``-s it onto
``warehouse.duckdb``, which POSIX makes atomic. Readers and the build never touch the
same file at the same time: a reader sees the previous build or the new one, never a
partial one, and a reader still holding the old file keeps a consistent snapshot until it
closes. A failed build (a model error, a failing data test) deletes its private file and
leaves the published one untouched. Readers open short-lived read-only connections with
``warehouse.connect.read_only``, which retries on the lock error should some process
hold the file read-write against this contract.

The build reads the ingest database only while copying the raw tables it needs, attached
read-only, so ingest loads wait at most for that copy; the copies make the published file
self-contained, so any mart figure traces back to raw lines (source file, line, load id)
without a second database.
"""
