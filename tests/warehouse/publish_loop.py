"""The writer of test_concurrency: publishes builds in a loop, one JSON line per build.

    python publish_loop.py FOLDER BUILDS

Build k reads an ingest database whose queue_log is the landing file's day repeated on k days,
so a complete build k has 8 * k rows in stg_queue_log.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from raw_tables import queue_log_days, queue_log_rows, write_ingest_db

from warehouse.publish import publish


def main(folder: Path, builds: int) -> None:
    for copies in range(1, builds + 1):
        ingest = write_ingest_db(
            folder / "ingest.duckdb", queue_log=queue_log_rows(queue_log_days(copies))
        )
        started = time.perf_counter()
        result = publish(folder / "warehouse.duckdb", ingest)
        seconds = time.perf_counter() - started
        rows = result.sources["raw_queue_log"]
        print(json.dumps({"build_number": result.build_number, "rows": rows, "seconds": seconds}))
        sys.stdout.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
