"""Ingest and build speed: our loader against DuckDB's own ``read_csv`` of the same files.

The files are what the engine writes for ``days`` days of the airline scenario (105 days
give about 5.2 million queue_log lines and 2.9 million Master.csv rows); they are
generated once and kept under ``benchmarks/results/`` (git-ignored) for later runs.

Measured, each in a fresh database:
- ``duckdb read_csv``: ``create table as select * from read_csv(...)`` of every queue_log
  file (pipe-separated, 10 text columns, short lines padded) and every Master.csv file
  (18 typed columns). No validation, no lineage, no de-duplication: the machine's limit.
- ``loader``: ``ingest.loader.Loader.ingest`` of the same files: sniffing, parsing,
  validation with quarantine, lineage columns, de-duplication by natural key, manifest,
  one insert per file, committed in groups of up to two million rows per transaction.
  The loader takes rotated files before their live file (``Master.csv`` last), as it
  does for any folder.
- ``loader again``: the same call on the unchanged files (what a scheduled run costs
  when nothing arrived).
- ``build``: ``warehouse.publish.publish`` of every model and data test over the result.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks._util import peak_rss_mib

RESULTS = Path(__file__).resolve().parent / "results"


def _landing(days: int) -> Path:
    from acd.simulate import simulate

    folder = RESULTS / f"landing-airline-{days}d-seed7"
    done = folder / ".complete"
    if not done.exists():
        simulate("airline", date(2026, 9, 1), days, 7, folder)
        done.write_text("ok\n")
    return folder


def _asterisk_files(landing: Path) -> tuple[list[Path], list[Path]]:
    queue_logs = sorted((landing / "asterisk").glob("queue_log*"))
    cdrs = sorted((landing / "asterisk" / "cdr-csv").glob("Master.csv*"))
    return queue_logs, cdrs


def _lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with path.open("rb") as handle:
            total += sum(
                chunk.count(b"\n") for chunk in iter(lambda h=handle: h.read(1 << 24), b"")
            )
    return total


def _duckdb_read_csv(queue_logs: list[Path], cdrs: list[Path], db: Path) -> dict[str, float]:
    import duckdb

    queue_log_columns = {f"c{i}": "VARCHAR" for i in range(10)}
    cdr_names = [
        *("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp"),
        *("lastdata", "start", "answer", "end", "duration", "billsec", "disposition"),
        *("amaflags", "uniqueid", "userfield"),
    ]
    cdr_types = ["VARCHAR"] * 9 + ["TIMESTAMP"] * 3 + ["INTEGER"] * 2 + ["VARCHAR"] * 4
    cdr_columns = dict(zip(cdr_names, cdr_types, strict=True))
    timings = {}
    with duckdb.connect(str(db)) as con:
        started = time.perf_counter()
        con.execute(
            "create table q as select * from read_csv(?, delim='|', header=false, quote='', "
            "null_padding=true, strict_mode=false, columns=?, auto_detect=false, escape='')",
            [[str(p) for p in queue_logs], queue_log_columns],
        )
        timings["queue_log_s"] = time.perf_counter() - started
        started = time.perf_counter()
        con.execute(
            "create table c as select * from read_csv(?, delim=',', quote='\"', escape='\"', "
            "header=false, columns=?, timestampformat='%Y-%m-%d %H:%M:%S')",
            [[str(p) for p in cdrs], cdr_columns],
        )
        timings["cdr_s"] = time.perf_counter() - started
        timings["queue_log_rows"] = con.execute("select count(*) from q").fetchone()[0]
        timings["cdr_rows"] = con.execute("select count(*) from c").fetchone()[0]
    return timings


def _loader(paths: list[Path], db: Path) -> tuple[float, Any]:
    from ingest.loader import Loader

    started = time.perf_counter()
    with Loader(db) as loader:
        report = loader.ingest(paths)
    return time.perf_counter() - started, report


def run(days: int) -> dict[str, Any]:
    landing = _landing(days)
    queue_logs, cdrs = _asterisk_files(landing)
    result: dict[str, Any] = {
        "days": days,
        "queue_log_lines": _lines(queue_logs),
        "cdr_lines": _lines(cdrs),
        "queue_log_bytes": sum(p.stat().st_size for p in queue_logs),
        "cdr_bytes": sum(p.stat().st_size for p in cdrs),
    }
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        tmp_path = Path(tmp)
        result["duckdb"] = _duckdb_read_csv(queue_logs, cdrs, tmp_path / "bare.duckdb")

        ingest_db = tmp_path / "ingest.duckdb"
        seconds_q, report_q = _loader(queue_logs, ingest_db)
        seconds_c, report_c = _loader(cdrs, ingest_db)
        result["loader"] = {
            "queue_log_s": seconds_q,
            "queue_log_rows": sum(f.rows_read for f in report_q.files),
            "queue_log_quarantined": sum(f.rows_quarantined for f in report_q.files),
            "cdr_s": seconds_c,
            "cdr_rows": sum(f.rows_read for f in report_c.files),
            "cdr_quarantined": sum(f.rows_quarantined for f in report_c.files),
        }
        # Everything else the landing folder holds, so that the build has its sources.
        seconds_rest, _ = _loader([landing], ingest_db)
        result["loader"]["rest_of_landing_s"] = seconds_rest
        seconds_again, report_again = _loader([landing], ingest_db)
        result["loader_again"] = {
            "seconds": seconds_again,
            "files": len(report_again.files),
            "unchanged": sum(f.status == "unchanged" for f in report_again.files),
        }
        result["build"] = _build(tmp_path, ingest_db)
    d, lo = result["duckdb"], result["loader"]
    result["ratio_queue_log"] = (lo["queue_log_rows"] / lo["queue_log_s"]) / (
        d["queue_log_rows"] / d["queue_log_s"]
    )
    result["ratio_cdr"] = (lo["cdr_rows"] / lo["cdr_s"]) / (d["cdr_rows"] / d["cdr_s"])
    result["peak_rss_mib"] = peak_rss_mib()
    return result


def _build(tmp_path: Path, ingest_db: Path) -> dict[str, Any]:
    from warehouse.publish import publish
    from warehouse.runner import DataTestError

    started = time.perf_counter()
    try:
        published = publish(tmp_path / "warehouse.duckdb", ingest_db)
    except DataTestError as exc:
        return {"seconds": time.perf_counter() - started, "error": str(exc)[:2000]}
    return {
        "seconds": time.perf_counter() - started,
        "models": len(published.build.models),
        "tests": len(published.build.tests),
        "failed_tests": len(published.build.failures),
        "per_model_s": {m.name: round(m.seconds, 3) for m in published.build.models},
    }
