"""The engine checks the formulas and the formulas check the engine.

For the M/M/n scenario (Poisson arrivals, exponential handle times, n always-available
agents, FIFO) the simulated probability of waiting, service level and ASA must agree with
Erlang C; with exponential patience (M/M/n+M) with Erlang A. Each replication is an
independent day with its own seed; the check is that the formula lies inside the 99.9%
confidence interval of the replication means (Student t over replications, which are
i.i.d., so no batch-means correction is needed). The first hour of each day is dropped
as warm-up (the day starts with an empty system).
"""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest
from acd_scenarios import mmn_scenario
from landing_files import own_csv

from acd.simulate import simulate
from wfm.erlang import erlang_a_metrics, erlang_c_metrics

REPLICATIONS = 10
T_999 = 4.781  # two-sided 99.9% Student t quantile, 9 degrees of freedom
TARGET_S = 20.0
WARM_UP_S = 3600.0


def replicate(tmp_path, scenario) -> dict[str, list[float]]:
    per_rep: dict[str, list[float]] = {
        "p_wait": [],
        "service_level": [],
        "asa_s": [],
        "p_abandon": [],
        "service_level_answered": [],
        "asa_answered_s": [],
    }
    for seed in range(REPLICATIONS):
        out = tmp_path / f"rep{seed}"
        simulate(scenario, date(2026, 3, 2), 1, 1000 + seed, out)
        rows = own_csv(out, "truth", "call_truth")
        start = min(float_time(r["enter_time"]) for r in rows) + WARM_UP_S
        rows = [r for r in rows if float_time(r["enter_time"]) >= start]
        waits = [float(r["wait_s"]) for r in rows]
        answered = [float(r["wait_s"]) for r in rows if r["outcome"] == "answered"]
        n = len(rows)
        per_rep["p_wait"].append(sum(w > 0 for w in waits) / n)
        per_rep["asa_s"].append(sum(answered) / n)  # Erlang C: mean wait over all calls
        per_rep["service_level"].append(sum(w <= TARGET_S for w in answered) / n)
        per_rep["p_abandon"].append(sum(r["outcome"] == "abandoned" for r in rows) / n)
        per_rep["service_level_answered"].append(
            sum(w <= TARGET_S for w in answered) / len(answered)
        )
        per_rep["asa_answered_s"].append(sum(answered) / len(answered))
    return per_rep


def float_time(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def assert_inside_ci(samples: list[float], expected: float, name: str) -> None:
    mean = statistics.fmean(samples)
    half_width = T_999 * statistics.stdev(samples) / math.sqrt(len(samples))
    assert abs(mean - expected) <= half_width, (
        f"{name}: simulated {mean:.4f} ± {half_width:.4f}, formula {expected:.4f}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("agents", "rate"),
    [(10, 0.05), (50, 0.25)],  # 9 Erlangs on 10 agents, 45 on 50: 90% occupancy
)
def test_mmn_agrees_with_erlang_c(tmp_path, agents, rate):
    aht = 180.0
    results = replicate(tmp_path, mmn_scenario(agents, rate, aht))
    formula = erlang_c_metrics(agents, rate, aht, TARGET_S)
    assert results["p_abandon"] == [0.0] * REPLICATIONS
    assert_inside_ci(results["p_wait"], formula.p_wait, "P(wait)")
    assert_inside_ci(results["service_level"], formula.service_level, "service level")
    assert_inside_ci(results["asa_s"], formula.asa_s, "ASA")


@pytest.mark.slow
def test_mmn_with_exponential_patience_agrees_with_erlang_a(tmp_path):
    agents, rate, aht, patience = 10, 0.06, 180.0, 240.0  # overloaded: 10.8 Erlangs
    results = replicate(tmp_path, mmn_scenario(agents, rate, aht, patience))
    formula = erlang_a_metrics(agents, rate, aht, patience, TARGET_S)
    assert_inside_ci(results["p_wait"], formula.p_wait, "P(wait)")
    assert_inside_ci(results["p_abandon"], formula.p_abandon, "P(abandon)")
    assert_inside_ci(results["service_level"], formula.service_level, "service level")
    assert_inside_ci(
        results["service_level_answered"], formula.service_level_answered, "SL answered"
    )
    assert_inside_ci(results["asa_answered_s"], formula.asa_s, "ASA answered")
