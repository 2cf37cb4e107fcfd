"""Writers that turn the engine's records into the files real systems produce.

``LandingWriter`` writes a production-like landing folder (Asterisk ``queue_log`` and
``cdr-csv/Master.csv`` with daily rotation, plus the suite's own daily CSV exports);
``LocalClock`` is its fast epoch → local-time formatter. Formats: ``docs/formats.md``.
"""

from acd.writers.landing import LandingWriter, master_csv_line
from acd.writers.localtime import LocalClock

__all__ = ["LandingWriter", "LocalClock", "master_csv_line"]
