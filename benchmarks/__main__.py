"""``python -m benchmarks``: run the benchmarks, print a table, write a JSON result file."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import airline, ingest, mmn
from benchmarks._util import machine_info, run_isolated, source_state, table

RESULTS = Path(__file__).resolve().parent / "results"
# Benchmarks of the planning packages: each module has run(quick) -> dict and rows(dict) -> str.
PLANNING = {
    "forecast": "benchmarks.forecast",
    "staffing": "benchmarks.staffing",
    "roster": "benchmarks.roster",
    "dashboard": "benchmarks.dashboard",
}
NAMES = ("airline", "airline-year", "mmn", "ingest", *PLANNING)


def _airline_rows(results: list[dict[str, Any]]) -> str:
    rows = [
        [
            f"airline {r['days']} d",
            str(r["agents"]),
            f"{r['wall_s']:.1f}",
            f"{r['calls']:,}",
            f"{r['calls_per_s']:,.0f}",
            f"{r['lines_written']:,}",
            f"{r['lines_per_s']:,.0f}",
            f"{r['bytes_written'] / 1e6:,.0f}",
            f"{r['peak_rss_mib']:,.0f}",
        ]
        for r in results
    ]
    headers = ["run", "agents", "wall s", "calls", "calls/s", "lines", "lines/s", "MB", "RSS MiB"]
    return table(headers, rows)


def _mmn_rows(r: dict[str, Any]) -> str:
    ciw_cps = r["variants"]["ciw"]["calls_per_s"]
    labels = {
        "ours_files": "ours, all files",
        "ours_null": "ours, null writer",
        "ciw": f"Ciw {r['ciw_version']}",
    }
    rows = []
    for name, label in labels.items():
        v = r["variants"][name]
        rows.append(
            [
                label,
                f"{v['median_s']:.2f}",
                f"{v['median_calls']:,.0f}",
                f"{v['calls_per_s']:,.0f}",
                f"{v['calls_per_s'] / ciw_cps:.2f}x",
                f"{v['mean_wait_s']:.1f}",
                f"{v['service_level']:.1%}",
            ]
        )
    erlang = r["erlang_c"]
    asa, sl = f"{erlang['asa_s']:.1f}", f"{erlang['service_level']:.1%}"
    rows.append(["Erlang C (formula)", "", "", "", "", asa, sl])
    title = (
        f"M/M/{r['agents']}: {r['arrival_rate_per_s']} calls/s, AHT {r['aht_s']:.0f} s "
        f"({r['offered_erlangs']:.0f} Erlangs), {r['days']} simulated day(s), "
        f"median of {r['repeats']}"
    )
    headers = ["engine", "median s", "calls", "calls/s", "vs Ciw", "mean wait s", "SL 20 s"]
    return title + "\n" + table(headers, rows)


def _ingest_rows(r: dict[str, Any]) -> str:
    d, lo = r["duckdb"], r["loader"]
    rows = [
        [
            "queue_log",
            f"{d['queue_log_rows']:,}",
            f"{d['queue_log_rows'] / d['queue_log_s']:,.0f}",
            f"{lo['queue_log_rows'] / lo['queue_log_s']:,.0f}",
            f"{r['ratio_queue_log']:.2f}",
        ],
        [
            "Master.csv",
            f"{d['cdr_rows']:,}",
            f"{d['cdr_rows'] / d['cdr_s']:,.0f}",
            f"{lo['cdr_rows'] / lo['cdr_s']:,.0f}",
            f"{r['ratio_cdr']:.2f}",
        ],
    ]
    text = table(["file", "rows", "read_csv rows/s", "loader rows/s", "loader / read_csv"], rows)
    again = r["loader_again"]
    build = r["build"]
    text += (
        f"\nre-run on {again['files']} unchanged files: {again['seconds']:.2f} s"
        f"\nbuild: {build['seconds']:.1f} s"
        + (
            f", {build['models']} models, {build['tests']} tests"
            if "models" in build
            else f" FAILED: {build.get('error', '')[:300]}"
        )
    )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", action="append", choices=NAMES, metavar="NAME", help=f"one of {NAMES}"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: airline 2 days, mmn 1 day once"
    )
    parser.add_argument("--year", action="store_true", help="also run airline for 365 days")
    parser.add_argument("--repeats", type=int, default=None, help="mmn runs per variant (3)")
    args = parser.parse_args(argv)

    names = args.only or [
        "airline",
        "mmn",
        "ingest",
        *PLANNING,
        *(["airline-year"] if args.year else []),
    ]
    repeats = args.repeats or (1 if args.quick else 3)
    report: dict[str, Any] = {
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv),
        "quick": args.quick,
        "machine": machine_info(),
        "source": source_state(),
        "results": {},
    }
    m = report["machine"]
    print(
        f"machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, "
        f"Python {m['python']}, {m['os']}"
    )
    if report["source"]["acd_uncommitted"]:
        print(f"note: acd/ has uncommitted changes: {report['source']['acd_uncommitted']}")
    t0 = time.perf_counter()

    airline_runs = []
    if "airline" in names:
        days = 2 if args.quick else 28
        print(f"\nairline: {days} days ...", flush=True)
        airline_runs.append(run_isolated(airline.run, days))
        report["results"]["airline"] = airline_runs[-1]
    if "airline-year" in names:
        print("\nairline: 365 days (about 10 minutes) ...", flush=True)
        airline_runs.append(run_isolated(airline.run, 365))
        report["results"]["airline-year"] = airline_runs[-1]
    if airline_runs:
        print(_airline_rows(airline_runs))

    if "mmn" in names:
        report["results"]["mmn"] = []
        for days in (1,) if args.quick else (1, 7):
            print(f"\nmmn: {days} day(s), {repeats} run(s) per engine ...", flush=True)
            result = run_isolated(mmn.run, days, repeats)
            report["results"]["mmn"].append(result)
            print(_mmn_rows(result))

    if "ingest" in names:
        days = 3 if args.quick else 105
        print(f"\ningest: {days} days of files (generated once, then kept) ...", flush=True)
        result = run_isolated(ingest.run, days)
        report["results"]["ingest"] = result
        print(_ingest_rows(result))

    for name, module_name in PLANNING.items():
        if name in names:
            module = importlib.import_module(module_name)
            print(f"\n{name} ...", flush=True)
            result = run_isolated(module.run, args.quick)
            report["results"][name] = result
            print(module.rows(result))

    report["total_s"] = time.perf_counter() - t0
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(RESULTS.parent.parent)} ({report['total_s']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
