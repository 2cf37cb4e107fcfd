"""Import the pages' heavy libraries in the background once a user has logged in.

A fresh ``callcenter serve`` imports what a page needs the first time the page runs, in
that user's click: statsmodels alone takes about 1 s on the reference machine (2 cores),
which put the Satisfaction page's first visit over the 2-second goal (see
``docs/benchmarks.md``). :func:`start` runs those imports in a daemon thread after the
log-in, while the user reads the overview, so the first visit finds them loaded.

Python's import lock makes this safe: a page that needs a module the thread is still
importing waits for that import to finish instead of importing it a second time.
"""

from __future__ import annotations

import importlib
import logging
import threading

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

_lock = threading.Lock()
_thread: threading.Thread | None = None


def start(modules: tuple[str, ...] = MODULES) -> threading.Thread:
    """Start the background imports unless they were started already in this process.

    Returns the (one) warm-up thread, so a caller or a test can ``join`` it.
    """
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(
                target=_import_all, args=(modules,), name="dashboard-warmup", daemon=True
            )
            _thread.start()
        return _thread


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a page importing it will report the problem to its user
            log.warning("warm-up import of %s failed", name, exc_info=True)
