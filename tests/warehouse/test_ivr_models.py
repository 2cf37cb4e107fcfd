"""mart_ivr against an independent count of the IVR journeys in the Master.csv files."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from acd.simulate import simulate
from ingest.loader import Loader
from warehouse.publish import publish


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("ivr")
    landing = root / "landing"
    simulate("airline", date(2026, 9, 30), 2, 3, landing)  # the eve of golden week
    with Loader(root / "ingest.duckdb") as loader:
        assert not loader.ingest([landing]).failed
    publish(root / "warehouse.duckdb", root / "ingest.duckdb")
    return landing, root / "warehouse.duckdb"


def expected_journeys(landing: Path) -> Counter:
    """(day, path, end) counted straight from the A-legs' userfield, by hand."""
    counts: Counter = Counter()
    folder = landing / "asterisk" / "cdr-csv"
    for path in folder.glob("Master.csv*"):
        with path.open(newline="") as handle:
            for row in csv.reader(handle):
                context, userfield = row[3], row[17]
                if context != "from-pstn" or not userfield.startswith("ivr="):
                    continue
                keys, end = (part.split("=", 1)[1] for part in userfield.split(";"))
                day = datetime.strptime(row[9], "%Y-%m-%d %H:%M:%S").date()  # local already
                counts[(day, keys or "(none)", end)] += 1
    return counts


def test_mart_ivr_matches_the_cdr_userfields(built):
    landing, warehouse = built
    expected = expected_journeys(landing)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select day_local, menu_path, calls, to_agent, self_served, dropped, voicemail, "
            "other_hangup, containment_rate from mart_ivr"
        ).fetchall()
    assert rows
    ends = ("queue", "selfserved", "dropped", "voicemail", "hangup")
    for day, path, calls, *by_end, containment in rows:
        want = [expected[(day, path, end)] for end in ends]
        assert by_end == want, (day, path)
        assert calls == sum(want)
        assert containment == pytest.approx(want[1] / calls)
    assert sum(r[2] for r in rows) == sum(expected.values())
    # Self-service exists only behind key 3 (flight status) in the airline scenario.
    contained = {r[1] for r in rows if r[4] > 0}
    assert contained == {"3"}
