"""The dashboard server preloads the modules pages import lazily, before it serves; a
module that fails to import is logged, not raised."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from dashboards import serve, warmup

ROOT = Path(__file__).resolve().parents[2]


def test_preload_imports_every_lazy_module() -> None:
    # A fresh interpreter: the test process has most of these modules loaded already.
    script = textwrap.dedent(
        """
        import sys
        from dashboards import warmup
        assert not any(name in sys.modules for name in warmup.MODULES), "imported early"
        warmup.preload()
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


def test_a_failed_preload_is_logged_and_the_rest_still_load(caplog) -> None:
    sys.modules.pop("tabnanny", None)  # a small stdlib module nothing here needs
    with caplog.at_level(logging.WARNING, logger="dashboards.warmup"):
        warmup.preload(("callcenter_no_such_module", "tabnanny"))
    assert "callcenter_no_such_module" in caplog.text
    assert "tabnanny" in sys.modules


def test_serve_starts_streamlit_through_the_preloading_entry_point() -> None:
    command = serve.streamlit_command(8600, "127.0.0.1")
    assert command[1:4] == ["-m", "dashboards.server", "run"]
