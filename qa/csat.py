"""What drives customer satisfaction, and which agents satisfy callers more than the
drivers explain: an ordered-logit analysis of post-call survey answers.

Definitions (the warehouse's ``mart_csat`` uses the same):

- CSAT = satisfied answers / answered surveys. 3-point scale: 3 (satisfied); 5-point
  scale: 4 or 5. DSAT = dissatisfied answers / answered surveys: 1 on the 3-point scale,
  1 or 2 on the 5-point scale. Response rate = answered / offered.

The model (proportional-odds ordered logit, McCullagh 1980, "Regression models for
ordinal data", JRSS B 42(2)):

    P(score <= k | x) = logistic(c_k - x'b - a_agent)

``x`` holds the call's drivers (minutes waited, transfers, a repeat call); ``b`` says how
much each driver moves the whole distribution of scores; ``a_agent`` is the answering
agent's own effect. A negative ``b`` lowers scores: ``exp(b)`` is the odds ratio of a
better answer per unit of the driver (per minute, per transfer, for a repeat call).

Fit: the drivers' coefficients and cutpoints by maximum likelihood (statsmodels
``OrderedModel``), the agents' effects as one-parameter Newton fits with ``b`` and the
cutpoints held fixed, alternated twice (backfitting, so that agents who happen to take
long-waiting calls are not blamed for the wait, and the drivers are not blurred by agent
differences; each agent's shift carries a weak N(0, 3^2) prior so that an agent whose
every answer is "satisfied" gets a finite shift). Agent effects are then shrunk towards
zero (empirical Bayes, normal prior with the between-agent variance estimated by maximum
likelihood, as in Morris 1983, JASA 78(381)): an agent with 5 answers cannot top the
ranking by luck. Intervals: 95 %
Wald intervals for ``b``; 90 % posterior intervals for the agents.

Pure functions on a pandas frame with columns ``agent_id``, ``score`` (1..scale),
``wait_s``, ``transfers``, ``repeat_call`` (one row per answered survey).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DRIVERS: tuple[str, ...] = ("wait_min", "transfers", "repeat_call")
DRIVER_UNITS = {
    "wait_min": "per minute waited",
    "transfers": "per transfer",
    "repeat_call": "for a repeat call",
}
REQUIRED = ("agent_id", "score", "wait_s", "transfers", "repeat_call")
MIN_ANSWERS = 30  # fewer answers than this: no model (the intervals would say nothing)
PRIOR_SD = 3.0  # weak prior on an agent's raw shift (log-odds): finite for all-top answers


class CsatError(ValueError):
    """The answers cannot support the analysis (too few, missing columns, bad scores)."""


def satisfied_scores(scale: int) -> frozenset[int]:
    """Scores counted as satisfied: 3 on the 3-point scale, 4 and 5 on the 5-point one."""
    return frozenset({3}) if scale == 3 else frozenset({4, 5})


def dissatisfied_scores(scale: int) -> frozenset[int]:
    """Scores counted as dissatisfied: 1 on the 3-point scale, 1 and 2 on the 5-point one."""
    return frozenset({1}) if scale == 3 else frozenset({1, 2})


@dataclass(frozen=True)
class Driver:
    name: str
    coefficient: float  # on the latent (log-odds) scale
    low: float  # 95 % interval
    high: float
    answers: int

    @property
    def odds_ratio(self) -> float:
        return float(np.exp(self.coefficient))

    def sentence(self) -> str:
        """The coefficient in plain words."""
        ratio, low, high = np.exp([self.coefficient, self.low, self.high])
        unit = DRIVER_UNITS.get(self.name, "per unit")
        if low <= 1.0 <= high:
            verdict = f"no clear effect (odds ratio {ratio:.2f})"
        elif ratio < 1:
            verdict = f"lowers the odds of a better answer (odds ratio {ratio:.2f})"
        else:
            verdict = f"raises the odds of a better answer (odds ratio {ratio:.2f})"
        return f"{self.name} ({unit}): {verdict}, 95 % interval {low:.2f} to {high:.2f}"


@dataclass(frozen=True)
class CsatModel:
    scale: int
    answers: int
    drivers: tuple[Driver, ...]
    cutpoints: tuple[float, ...]
    agents: pd.DataFrame  # agent_id, answers, raw_effect, effect, low, high, csat
    between_agent_sd: float


def _prepared(answers: pd.DataFrame, scale: int) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in answers.columns]
    if missing:
        raise CsatError(f"survey answers lack column(s): {', '.join(missing)}")
    frame = answers.dropna(subset=["score", "agent_id"]).copy()
    frame["score"] = frame["score"].astype(int)
    bad = frame[(frame["score"] < 1) | (frame["score"] > scale)]
    if len(bad):
        raise CsatError(f"{len(bad)} score(s) outside 1..{scale}")
    if len(frame) < MIN_ANSWERS:
        raise CsatError(f"only {len(frame)} answered surveys; the model needs {MIN_ANSWERS}")
    frame["wait_min"] = frame["wait_s"].fillna(0).astype(float) / 60.0
    frame["transfers"] = frame["transfers"].fillna(0).astype(float)
    frame["repeat_call"] = frame["repeat_call"].fillna(False).astype(float)
    frame["agent_id"] = frame["agent_id"].astype(str)
    return frame.reset_index(drop=True)


def _logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _agent_shifts(
    y: np.ndarray,
    eta: np.ndarray,
    cuts: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    prior_sd: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-agent shift ``a`` maximising the ordered-logit likelihood with ``eta`` and the
    cutpoints fixed (Newton, vectorised over agents), and its standard error.

    ``prior_sd``: a weak normal prior N(0, prior_sd^2) on each shift (a penalised
    likelihood), which keeps the shift finite for an agent whose every answer is the top
    (or bottom) score; None: the plain maximum likelihood."""
    prior_precision = 0.0 if prior_sd is None else 1.0 / prior_sd**2
    upper_cut = np.append(cuts, np.inf)[y - 1]
    lower_cut = np.insert(cuts, 0, -np.inf)[y - 1]
    shift = np.zeros(n_groups)
    information = np.ones(n_groups)
    for _ in range(50):
        a = shift[groups]
        fu = _logistic(upper_cut - eta - a)
        fl = _logistic(lower_cut - eta - a)
        du, dl = fu * (1 - fu), fl * (1 - fl)  # densities
        p = np.maximum(fu - fl, 1e-300)
        score = -(du - dl) / p
        # d/da of -(du - dl)/p: the observed information is its negative
        d2u, d2l = du * (1 - 2 * fu), dl * (1 - 2 * fl)
        hessian = (d2u - d2l) / p - ((du - dl) / p) ** 2
        gradient = np.bincount(groups, score, n_groups) - prior_precision * shift
        information = -np.bincount(groups, hessian, n_groups) + prior_precision
        information = np.maximum(information, 1e-9)
        step = np.clip(gradient / information, -2, 2)
        shift += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return shift, 1.0 / np.sqrt(information)


def between_agent_variance(estimates: np.ndarray, se: np.ndarray) -> float:
    """``tau^2`` of the normal-normal model ``estimate_j ~ N(0, tau^2 + se_j^2)`` by maximum
    likelihood (fixed-point iteration, weights ``1 / (tau^2 + se_j^2)``): agents whose
    estimate is noisy (few answers) weigh little, so they cannot swamp the estimate."""
    tau2 = max(0.0, float(np.median(estimates**2 - se**2)))
    for _ in range(200):
        weight = 1.0 / (tau2 + se**2)
        updated = max(0.0, float(np.sum(weight**2 * (estimates**2 - se**2)) / np.sum(weight**2)))
        if abs(updated - tau2) < 1e-10:
            return updated
        tau2 = updated
    return tau2


def fit(answers: pd.DataFrame, scale: int = 3, rounds: int = 2) -> CsatModel:
    """Fit the drivers and the agents' effects (see the module docstring)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    if scale not in (3, 5):
        raise CsatError(f"scale must be 3 or 5, not {scale}")
    frame = _prepared(answers, scale)
    y = frame["score"].to_numpy()
    present = sorted(set(y.tolist()))
    if present != list(range(1, scale + 1)):
        raise CsatError(f"every score 1..{scale} must occur at least once (seen {present})")
    agents, groups = np.unique(frame["agent_id"].to_numpy(), return_inverse=True)
    exog = frame[list(DRIVERS)]
    varying = [d for d in DRIVERS if exog[d].nunique() > 1]
    shift = np.zeros(len(agents))
    result = None
    for _ in range(max(1, rounds)):
        model = OrderedModel(
            pd.Series(pd.Categorical(y, categories=range(1, scale + 1), ordered=True)),
            exog[varying],
            offset=shift[groups],
            distr="logit",
        )
        # later rounds start from the previous round's estimates (they move little)
        start = None if result is None else np.asarray(result.params)
        result = model.fit(method="bfgs", disp=False, maxiter=500, start_params=start)
        coefficients = result.params[varying].to_numpy()
        cuts = np.asarray(model.transform_threshold_params(result.params))[1:-1]
        eta = exog[varying].to_numpy() @ coefficients
        shift, se = _agent_shifts(y, eta, cuts, groups, len(agents), prior_sd=PRIOR_SD)
        # The agents' shifts and the cutpoints share one level: centre the shifts.
        shift -= np.average(shift, weights=np.bincount(groups))
    assert result is not None
    intervals = result.conf_int(alpha=0.05)
    drivers = tuple(
        Driver(
            name,
            float(result.params[name]),
            float(intervals.loc[name, 0]),
            float(intervals.loc[name, 1]),
            len(frame),
        )
        for name in varying
    )
    tau2 = between_agent_variance(shift, se) if len(agents) > 1 else 0.0
    weight = tau2 / (tau2 + se**2) if tau2 > 0 else np.zeros_like(se)
    effect = weight * shift
    posterior_sd = np.sqrt(weight * se**2)
    counts = np.bincount(groups)
    satisfied = frame["score"].isin(satisfied_scores(scale)).to_numpy()
    csat = np.bincount(groups, satisfied.astype(float)) / counts
    table = pd.DataFrame(
        {
            "agent_id": agents,
            "answers": counts,
            "csat": csat,
            "raw_effect": shift,
            "effect": effect,
            "low": effect - 1.645 * posterior_sd,
            "high": effect + 1.645 * posterior_sd,
        }
    ).sort_values("effect", ascending=False, ignore_index=True)
    return CsatModel(
        scale=scale,
        answers=len(frame),
        drivers=drivers,
        cutpoints=tuple(float(c) for c in cuts),
        agents=table,
        between_agent_sd=float(np.sqrt(tau2)),
    )


def wait_bands(wait_s: pd.Series) -> pd.Series:
    """The wait bands the dashboards group CSAT by (answered in the queue's usual
    target and beyond)."""
    edges = [-np.inf, 20, 60, 180, 300, np.inf]
    labels = ["<= 20 s", "20-60 s", "1-3 min", "3-5 min", "> 5 min"]
    return pd.cut(wait_s.fillna(0), edges, labels=labels, right=True)
