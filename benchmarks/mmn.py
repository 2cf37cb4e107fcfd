"""One M/M/n queue simulated by this engine and by Ciw (https://ciw.readthedocs.io).

Our engine runs twice: writing every output file to a temporary folder (its normal mode)
and with :class:`NullWriter` (records are built but dropped), which is closest to Ciw,
which keeps its records in memory and writes nothing. Timed: building the simulation
object and running it (our engine generates all arrivals in its constructor, Ciw during
the run); not timed: imports, loading the scenario, ``ciw.create_network``, reading
Ciw's records afterwards. Each variant runs ``repeats`` times with seeds 1, 2, ...; the
median time is reported, after one untimed one-day warm-up run of each.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

START = date(2026, 9, 1)
SL_TARGET_S = 20


def mmn_scenario(agents: int, arrival_rate_per_s: float, aht_s: float) -> Any:
    """The shipped M/M/n scenario with its rate, agents and handle time set (as the
    engine tests build it in ``tests/acd/conftest.py``; patience stays infinite)."""
    from acd.distributions import Duration
    from acd.scenario import load_scenario

    base = load_scenario("mmn")
    call_type = base.call_types["calls"]
    arrivals = dataclasses.replace(call_type.arrivals, daily_volume=arrival_rate_per_s * 86_400)
    call_type = dataclasses.replace(
        call_type, arrivals=arrivals, talk=Duration("exponential", aht_s)
    )
    group = dataclasses.replace(base.agent_groups[0], count=agents)
    return dataclasses.replace(base, call_types={"calls": call_type}, agent_groups=(group,))


class NullWriter:
    """The writer interface of ``acd.writers.LandingWriter``, doing nothing."""

    def queue_log(self, ev: Any) -> None:
        pass

    def cdr(self, row: Any) -> None:
        pass

    def agent_state(self, ev: Any) -> None:
        pass

    def recording(self, rec: Any) -> None:
        pass

    def outbound_attempt(self, a: Any) -> None:
        pass

    def order(self, o: Any) -> None:
        pass

    def order_event(self, e: Any) -> None:
        pass

    def truth(self, c: Any) -> None:
        pass

    def start_day(self, local_date: Any) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def file_counts(self) -> dict[str, int]:
        return {}


def _ours_files(scenario: Any, days: int, seed: int) -> dict[str, Any]:
    from acd.simulate import simulate

    with tempfile.TemporaryDirectory(prefix="bench-mmn-") as tmp:
        t0 = time.perf_counter()
        summary = simulate(scenario, START, days, seed, Path(tmp))
        elapsed = time.perf_counter() - t0
    queue = summary.queues["q"]
    return {
        "seconds": elapsed,
        "calls": summary.calls,
        "mean_wait_s": queue["asa_s"],
        "service_level": queue["service_level"],
        "lines_written": sum(summary.files.values()),
    }


def _ours_null(scenario: Any, days: int, seed: int) -> dict[str, Any]:
    from acd.engine import Simulation

    t0 = time.perf_counter()
    simulation = Simulation(scenario, START, days, seed, NullWriter())
    t1 = time.perf_counter()
    summary = simulation.run()
    t2 = time.perf_counter()
    queue = summary.queues["q"]
    return {
        "seconds": t2 - t0,
        "construct_s": t1 - t0,
        "calls": summary.calls,
        "mean_wait_s": queue["asa_s"],
        "service_level": queue["service_level"],
    }


def _ciw(network: Any, days: int, seed: int) -> dict[str, Any]:
    import ciw

    horizon_s = days * 86_400
    ciw.seed(seed)
    t0 = time.perf_counter()
    simulation = ciw.Simulation(network)
    t1 = time.perf_counter()
    simulation.simulate_until_max_time(horizon_s)
    t2 = time.perf_counter()
    records = simulation.get_all_records()  # completed services only
    waits = [r.waiting_time for r in records]
    return {
        "seconds": t2 - t0,
        "construct_s": t1 - t0,
        # arrivals up to the horizon (Ciw stops there; calls still in service are unfinished)
        "calls": simulation.nodes[0].number_of_individuals,
        "completed": len(records),
        "mean_wait_s": statistics.fmean(waits),
        "service_level": sum(w <= SL_TARGET_S for w in waits) / len(waits),
    }


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = statistics.median(r["seconds"] for r in runs)
    calls = statistics.median(r["calls"] for r in runs)
    return {
        "median_s": seconds,
        "median_calls": calls,
        "calls_per_s": calls / seconds,
        "mean_wait_s": statistics.fmean(r["mean_wait_s"] for r in runs),
        "service_level": statistics.fmean(r["service_level"] for r in runs),
        "runs": runs,
    }


def run(
    days: int, repeats: int = 3, agents: int = 50, rate_per_s: float = 0.25, aht_s: float = 180
) -> dict[str, Any]:
    """The three variants for ``days`` simulated days, ``repeats`` seeded runs each."""
    import ciw

    from wfm.erlang import erlang_c_metrics

    scenario = mmn_scenario(agents, rate_per_s, aht_s)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate_per_s)],
        service_distributions=[ciw.dists.Exponential(1 / aht_s)],
        number_of_servers=[agents],
    )
    variants = {
        "ours_files": lambda seed, d: _ours_files(scenario, d, seed),
        "ours_null": lambda seed, d: _ours_null(scenario, d, seed),
        "ciw": lambda seed, d: _ciw(network, d, seed),
    }
    for variant in variants.values():  # warm-up: lazy imports, caches, calendar data
        variant(1000, 1)
    results = {}
    for name, variant in variants.items():
        results[name] = _summarise([variant(seed, days) for seed in range(1, repeats + 1)])
    erlang = erlang_c_metrics(agents, rate_per_s, aht_s, SL_TARGET_S)
    ciw_cps = results["ciw"]["calls_per_s"]
    return {
        "days": days,
        "repeats": repeats,
        "agents": agents,
        "arrival_rate_per_s": rate_per_s,
        "aht_s": aht_s,
        "offered_erlangs": rate_per_s * aht_s,
        "ciw_version": ciw.__version__,
        "erlang_c": {
            "p_wait": erlang.p_wait,
            "asa_s": erlang.asa_s,
            "service_level": erlang.service_level,
            "sl_target_s": SL_TARGET_S,
            "occupancy": erlang.occupancy,
        },
        "variants": results,
        "ratio_ours_files_vs_ciw": results["ours_files"]["calls_per_s"] / ciw_cps,
        "ratio_ours_null_vs_ciw": results["ours_null"]["calls_per_s"] / ciw_cps,
    }
