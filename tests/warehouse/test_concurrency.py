"""Readers read continuously while another process publishes build after build.

The contract (ARCHITECTURE.md, Concurrency): every read succeeds and sees one complete
build, never a partial one; no reader, not even one that stays open, holds up the writer.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from warehouse.connect import read_only

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BUILDS = 12
ROWS_PER_COPY = 8  # lines in landing/queue_log

READ_BUILD = """
select b.build_number, m.rows, (select count(*) from stg_queue_log),
    (select count(*) from raw_queue_log)
from build_info as b, build_models as m
where m.name = 'stg_queue_log'
"""


def test_readers_see_only_complete_builds_and_never_block_the_writer(tmp_path, caplog):
    db_path = tmp_path / "warehouse.duckdb"
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    writer = subprocess.Popen(
        [sys.executable, str(HERE / "publish_loop.py"), str(tmp_path), str(BUILDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        deadline = time.monotonic() + 60
        while not db_path.exists():
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer published nothing in 60 s"
            time.sleep(0.005)
        seen: list[int] = []
        waits: list[float] = []
        with (
            caplog.at_level(logging.INFO, logger="warehouse.connect"),
            read_only(db_path) as dashboard_left_open,
        ):
            (held_build, *_) = dashboard_left_open.execute(READ_BUILD).fetchall()[0]
            while writer.poll() is None:
                started = time.perf_counter()
                with read_only(db_path, retries=200, delay=0.01) as con:
                    waits.append(time.perf_counter() - started)
                    build_number, recorded, staged, raw = con.execute(READ_BUILD).fetchall()[0]
                assert staged == recorded == raw == ROWS_PER_COPY * build_number
                assert not seen or build_number >= seen[-1]
                seen.append(build_number)
            # The connection opened before all those publishes still reads its own build.
            (still_held, *_) = dashboard_left_open.execute(READ_BUILD).fetchall()[0]
            assert still_held == held_build
        output, errors = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, errors
    publishes = [json.loads(line) for line in output.splitlines()]
    assert [p["build_number"] for p in publishes] == list(range(1, BUILDS + 1))
    assert all(p["rows"] == ROWS_PER_COPY * p["build_number"] for p in publishes)
    retries = [r for r in caplog.records if "is locked" in r.getMessage()]
    publish_seconds = [p["seconds"] for p in publishes]
    print(
        f"\n{len(seen)} reads saw {len(set(seen))} of {BUILDS} builds; {len(retries)} lock "
        f"retries; open wait max {max(waits) * 1000:.1f} ms, median "
        f"{statistics.median(waits) * 1000:.1f} ms; publish max {max(publish_seconds):.2f} s, "
        f"median {statistics.median(publish_seconds):.2f} s"
    )
    assert len(seen) >= BUILDS and len(set(seen)) >= 3  # reads interleaved with publishes
    assert not retries  # readers and the writer never contend for one file
    assert max(publish_seconds) < 10  # an open reader never holds a build up
