"""Import the pages' heavy libraries when the dashboard server starts, before it serves.

Pages import some libraries inside functions, the first time they need them: statsmodels
alone takes about 1 s on the reference machine (2 cores), which put the Satisfaction
page's first visit over the 2-second goal (``docs/benchmarks.md``). ``callcenter serve``
starts the server through :mod:`dashboards.server`, which calls :func:`preload` first, so
that cost is paid once at start-up and never in a user's click. (Importing in a
background thread after log-in was tried and measured: it held the interpreter lock
while the first page rendered and made that page slower instead.)
"""

from __future__ import annotations

import importlib
import logging
import time

log = logging.getLogger(__name__)

# The modules pages import lazily (inside functions), slowest first.
MODULES: tuple[str, ...] = (
    "statsmodels.miscmodels.ordinal_model",  # qa.csat.fit: the Satisfaction page
    "forecasting.store",
    "qa.store",
    "qa.risk.store",
    "wfm.staffing",
    "wfm.adherence",
    "wfm.roster.store",
)


def preload(modules: tuple[str, ...] = MODULES) -> float:
    """Import ``modules``; returns the seconds it took. A module that fails to import is
    logged and skipped: the page that needs it reports the problem to its user."""
    started = time.perf_counter()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            log.warning("preloading %s failed", name, exc_info=True)
    return time.perf_counter() - started
