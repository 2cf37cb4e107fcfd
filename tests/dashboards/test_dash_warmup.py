"""The dashboard's background imports: started once per server process, they load the
modules pages import lazily, and a module that fails to import is logged, not raised."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from dashboards import warmup

ROOT = Path(__file__).resolve().parents[2]


def test_warmup_imports_the_lazy_modules_once_per_process() -> None:
    # A fresh interpreter: the test process has most of these modules loaded already.
    script = textwrap.dedent(
        """
        import sys
        from dashboards import warmup
        assert not any(name in sys.modules for name in warmup.MODULES), "imported early"
        thread = warmup.start()
        assert warmup.start() is thread, "a second start made a second thread"
        thread.join(120)
        missing = [name for name in warmup.MODULES if name not in sys.modules]
        assert not missing, missing
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_failed_warmup_import_is_logged_and_the_rest_still_load(caplog) -> None:
    sys.modules.pop("tabnanny", None)  # a small stdlib module nothing here needs
    with caplog.at_level(logging.WARNING, logger="dashboards.warmup"):
        warmup._import_all(("callcenter_no_such_module", "tabnanny"))
    assert "callcenter_no_such_module" in caplog.text
    assert "tabnanny" in sys.modules
