"""The dashboard server's entry point: ``python -m dashboards.server run APP [options]``.

The same command line as ``streamlit run``, with one step before it: the libraries pages
import lazily are imported first (:func:`dashboards.warmup.preload`), so no user's first
click pays for them. ``callcenter serve`` execs this module.
"""

from __future__ import annotations

import sys


def main() -> None:
    from dashboards.warmup import preload

    preload()
    from streamlit.web.cli import main as streamlit_main

    sys.exit(streamlit_main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
