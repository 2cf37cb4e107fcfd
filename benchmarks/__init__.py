"""Speed benchmarks of the bundled ACD/IVR engine: measurements, not tests.

Run them all with ``python -m benchmarks`` (``make bench``); ``--quick`` is a short smoke
run, ``--only NAME`` picks benchmarks, ``--year`` adds the 365-day airline run. Each run
prints a results table and writes a JSON file under ``benchmarks/results/`` (git-ignored).
``docs/benchmarks.md`` records measured numbers and how they were obtained.

Benchmarks:

- ``airline``: the shipped 300-agent airline scenario for 28 days, every output file
  written to a temporary folder (wall time, calls/s, lines written/s, peak RSS).
- ``airline-year``: the same for 365 days (only with ``--year`` or ``--only airline-year``).
- ``mmn``: one M/M/n system simulated by this engine (writing files, and with a null
  writer) and by Ciw (https://ciw.readthedocs.io), median of 3 seeded runs each.
"""
