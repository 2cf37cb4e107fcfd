"""Dashboard speed: every page, in a real browser, on the demo's data.

The data folder is what ``callcenter demo --no-serve`` writes (8 weeks of history plus the
coming week of the 300-agent airline center; ``--quick``: 2 days plus 1); it is built
once under ``benchmarks/results/`` (git-ignored) and kept for later runs.

Measured: ``callcenter serve`` on a free loopback port, headless Chromium (Debian's
``chromium``, driven by Playwright), logged in as an admin (who sees every page). For
each page of the navigation, twice (a first visit, then a later one): the time from the
click on its navigation link until the page has settled: its heading is the new page's
(so the new script run has started), the app reports its script as not running (the run
ended), the "running" indicator is gone and no element is still marked stale (the
browser drew what the run sent).
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks._util import REPO, table

RESULTS = REPO / "benchmarks" / "results"
PASSWORD = "bench-password-1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTLED = """(previous) => {
    const heading = document.querySelector('[data-testid="stMain"] h1, [data-testid="stMain"] h2');
    if (!heading || heading.innerText.trim() === previous) return false;
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    return true;
}"""


def _callcenter() -> list[str]:
    script = Path(sys.executable).parent / "callcenter"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from callcenter_cli import main; main()"]


def demo_data(quick: bool) -> Path:
    """The demo's data folder, made once (``callcenter demo --no-serve``)."""
    folder = RESULTS / ("demo-quick" if quick else "demo-8w")
    if (folder / "warehouse.duckdb").is_file() and (folder / "planning.duckdb").is_file():
        return folder
    args = ["demo", "--no-serve", "--data", str(folder)]
    if quick:
        args += ["--days", "2", "--coming-days", "1", "--roster-time-limit", "3"]
    started = time.perf_counter()
    subprocess.run([*_callcenter(), *args], check=True, stdout=subprocess.DEVNULL)
    print(f"  demo data made in {time.perf_counter() - started:.0f} s: {folder}", flush=True)
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(address: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("callcenter serve stopped")
        try:
            with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("callcenter serve did not come up in 60 s")


def run(quick: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from dashboards import auth

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"error": "no chromium on PATH (apt-get install chromium)"}
    data = demo_data(quick)
    ops = data / "operational.duckdb"
    if auth.get_user(ops, "bench_admin") is None:
        auth.add_user(ops, "bench_admin", "Benchmark admin", "admin", PASSWORD)
    port = _free_port()
    address = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*_callcenter(), "serve", "--data", str(data), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pages: dict[str, list[float]] = {}
    try:
        _wait_healthy(address, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            started = time.perf_counter()
            page.goto(address)
            form = page.locator('[data-testid="stForm"]')
            form.locator('input[type="text"]').first.fill("bench_admin")
            form.locator('input[type="password"]').fill(PASSWORD)
            form.locator('[data-testid="stFormSubmitButton"] button').click()
            page.wait_for_function(SETTLED, arg="", timeout=120_000)
            login_s = time.perf_counter() - started
            links = page.locator('[data-testid="stSidebarNav"] a')
            links.first.wait_for(timeout=60_000)
            # A link's text is its icon's ligature name, then its label: keep the label.
            names = [text.strip().splitlines()[-1] for text in links.all_inner_texts()]
            targets = [
                (index, name) for index, name in enumerate(names) if "log out" not in name.lower()
            ]
            targets = targets[1:] + targets[:1]  # the page shown after log-in comes last
            for visit in range(2):
                for index, name in targets:
                    heading = page.locator(
                        '[data-testid="stMain"] h1, [data-testid="stMain"] h2'
                    ).first.inner_text()
                    started = time.perf_counter()
                    links.nth(index).click()
                    try:
                        page.wait_for_function(SETTLED, arg=heading.strip(), timeout=60_000)
                    except Exception as exc:
                        raise RuntimeError(f"page {name!r} did not settle in 60 s") from exc
                    pages.setdefault(name, []).append(time.perf_counter() - started)
                    if visit == 0:
                        exceptions = page.locator('[data-testid="stException"]').count()
                        if exceptions:
                            raise RuntimeError(f"page {name!r} shows an exception")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    first = [times[0] for times in pages.values()]
    return {
        "data": str(data.relative_to(REPO)),
        "quick": quick,
        "login_to_overview_s": login_s,
        "pages": {name: {"first_s": t[0], "again_s": t[1]} for name, t in pages.items()},
        "slowest_first_s": max(first),
        "median_first_s": statistics.median(first),
    }


def rows(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"dashboard: {result['error']}"
    body = [
        [name, f"{t['first_s']:.2f}", f"{t['again_s']:.2f}"] for name, t in result["pages"].items()
    ]
    text = table(["page", "first visit s", "again s"], body)
    return (
        f"data: {result['data']}; log-in to overview {result['login_to_overview_s']:.2f} s\n"
        + text
        + f"\nslowest first visit {result['slowest_first_s']:.2f} s, "
        f"median {result['median_first_s']:.2f} s"
    )
