"""The CSAT driver analysis (``qa.csat``) on answers drawn from a known ordered logit:
it must find the drivers' coefficients and rank the agents by their hidden effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import spearmanr

from qa import csat

TRUE = {"wait_min": -0.35, "transfers": -0.8, "repeat_call": -0.6}
CUTS = np.array([-1.7, -0.4])


def draw(n: int, agents: int, seed: int, agent_sd: float = 0.9) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    quality = {f"A{i:03d}": rng.normal(0, agent_sd) for i in range(agents)}
    agent_ids = rng.choice(list(quality), n)
    frame = pd.DataFrame(
        {
            "agent_id": agent_ids,
            "wait_s": rng.exponential(40, n),
            "transfers": rng.binomial(1, 0.15, n),
            "repeat_call": rng.random(n) < 0.2,
        }
    )
    eta = (
        TRUE["wait_min"] * frame["wait_s"] / 60
        + TRUE["transfers"] * frame["transfers"]
        + TRUE["repeat_call"] * frame["repeat_call"]
        + frame["agent_id"].map(quality)
    )
    latent = eta + rng.logistic(size=n)
    frame["score"] = 1 + (latent.to_numpy()[:, None] > CUTS).sum(axis=1)
    return frame, quality


@pytest.fixture(scope="module")
def fitted():
    frame, quality = draw(40_000, 60, seed=3)
    return csat.fit(frame, scale=3), quality


def test_drivers_are_recovered_within_their_intervals(fitted):
    model, _ = fitted
    found = {d.name: d for d in model.drivers}
    assert set(found) == set(TRUE)
    for name, value in TRUE.items():
        driver = found[name]
        # The 95 % interval covers the true value. (A pooled model without the agents'
        # effects is attenuated towards 0 and misses it: -0.30 for wait, -0.47 for repeat.)
        assert driver.low < value < driver.high, (name, driver)
        assert driver.high < 0  # every true driver lowers scores: the interval says so
        assert "lowers the odds" in driver.sentence()


def test_agents_are_ranked_by_their_hidden_effect(fitted):
    model, quality = fitted
    truth = model.agents["agent_id"].map(quality)
    rho = spearmanr(model.agents["effect"], truth).statistic
    assert rho > 0.9
    # the between-agent spread is estimated close to the one drawn from (sd 0.9)
    assert model.between_agent_sd == pytest.approx(np.std(list(quality.values())), rel=0.2)
    # the posterior intervals cover the truth about as often as 90 % intervals should
    covered = ((model.agents["low"] <= truth) & (truth <= model.agents["high"])).mean()
    assert covered >= 0.75


def test_an_agents_shift_is_the_maximum_of_its_own_likelihood():
    """The Newton step against a direct 1-D maximisation of the same likelihood."""
    rng = np.random.default_rng(8)
    y = rng.integers(1, 4, 200)
    eta = rng.normal(0, 0.5, 200)

    def negative_log_likelihood(a: float) -> float:
        upper = np.append(CUTS, np.inf)[y - 1] - eta - a
        lower = np.insert(CUTS, 0, -np.inf)[y - 1] - eta - a
        return -np.sum(np.log(1 / (1 + np.exp(-upper)) - 1 / (1 + np.exp(-lower))))

    best = minimize_scalar(negative_log_likelihood, bounds=(-5, 5), method="bounded").x
    shift, se = csat._agent_shifts(y, eta, CUTS, np.zeros(200, dtype=int), 1)
    assert shift[0] == pytest.approx(best, abs=1e-4)
    # standard error against the curvature by finite differences
    h = 1e-3
    curvature = (
        negative_log_likelihood(best + h)
        - 2 * negative_log_likelihood(best)
        + negative_log_likelihood(best - h)
    ) / h**2
    assert se[0] == pytest.approx(1 / np.sqrt(curvature), rel=1e-3)


def test_a_driver_without_effect_is_called_unclear():
    frame, _ = draw(6_000, 10, seed=5)
    frame["wait_s"] = np.random.default_rng(1).exponential(40, len(frame))  # unrelated now
    wait = {d.name: d for d in csat.fit(frame).drivers}["wait_min"]
    assert wait.low < 0 < wait.high
    assert "no clear effect" in wait.sentence()


def test_scale_definitions_and_bad_input():
    assert csat.satisfied_scores(3) == {3} and csat.dissatisfied_scores(3) == {1}
    assert csat.satisfied_scores(5) == {4, 5} and csat.dissatisfied_scores(5) == {1, 2}
    frame, _ = draw(100, 3, seed=1)
    with pytest.raises(csat.CsatError, match="lack column"):
        csat.fit(frame.drop(columns=["wait_s"]))
    with pytest.raises(csat.CsatError, match=r"outside 1\.\.3"):
        csat.fit(frame.assign(score=frame["score"] + 1))
    with pytest.raises(csat.CsatError, match="needs 30"):
        csat.fit(frame.head(10))
    with pytest.raises(csat.CsatError, match="scale must be"):
        csat.fit(frame, scale=4)


def test_between_agent_variance_is_the_marginal_likelihood_maximum():
    rng = np.random.default_rng(11)
    se = rng.uniform(0.2, 3.0, 80)
    estimates = rng.normal(0, 0.7, 80) + rng.normal(0, se)

    def negative_marginal(tau2: float) -> float:
        variance = tau2 + se**2
        return 0.5 * np.sum(np.log(variance) + estimates**2 / variance)

    best = minimize_scalar(negative_marginal, bounds=(0, 10), method="bounded").x
    assert csat.between_agent_variance(estimates, se) == pytest.approx(best, abs=1e-4)
    # pure noise: no spread between agents
    assert csat.between_agent_variance(rng.normal(0, se) * 0.2, se) == 0.0
