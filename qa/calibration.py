"""Calibration: do evaluators agree when they score the same calls?

- **Krippendorff's alpha** (Krippendorff, K. (2011). *Computing Krippendorff's
  Alpha-Reliability*. Annenberg School for Communication, University of Pennsylvania,
  https://repository.upenn.edu/asc_papers/43): alpha = 1 - D_o / D_e, with
  D_o = (1/n) sum_u sum_{i != j in u} delta^2(v_ui, v_uj) / (m_u - 1) (observed
  disagreement inside units) and D_e = 1/(n (n - 1)) sum_{i != j} delta^2(v_i, v_j)
  (expected disagreement over all pairable values), where only units with m_u >= 2
  values count and n is the number of their values. delta^2 is (a - b)^2 for interval
  data (evaluation scores), [a != b] for nominal data, ((a - b) / (a + b))^2 for ratio
  data. Missing values are allowed. alpha = 1 is perfect agreement, 0 chance level;
  Krippendorff asks for alpha >= 0.8 (>= 0.667 for tentative conclusions).
- **ICC(2,1)** (Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in
  assessing rater reliability. *Psychological Bulletin* 86(2), 420-428): two-way random
  effects, single rater, absolute agreement, from the two-way ANOVA of n targets (calls)
  by k judges (evaluators): ICC(2,1) = (BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n).
  Needs every evaluator to score every call. ICC(1,1) = (BMS - WMS) / (BMS + (k-1) WMS)
  and ICC(3,1) = (BMS - EMS) / (BMS + (k-1) EMS) come with it.
- **Bias** of an evaluator: the mean, over the calls they scored together with others,
  of (their score - the mean score of the other evaluators of that call); positive =
  more lenient than the consensus. ``mean_abs_difference`` is the mean of its absolute value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

METRICS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "interval": lambda a, b: (a - b) ** 2,
    "nominal": lambda a, b: (a != b).astype(float),
    "ratio": lambda a, b: np.divide(
        (a - b) ** 2, (a + b) ** 2, out=np.zeros(np.broadcast(a, b).shape), where=(a + b) != 0
    ),
}


def krippendorff_alpha(reliability_data: np.ndarray, metric: str = "interval") -> float:
    """Krippendorff's alpha of a coders x units matrix (NaN = missing); NaN if undefined.

    Undefined when fewer than two pairable values exist or every value is the same.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    delta2 = METRICS[metric]
    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2:
        raise ValueError("reliability data is a coders x units matrix")
    observed = 0.0
    pairable: list[np.ndarray] = []
    for unit in data.T:
        values = unit[~np.isnan(unit)]
        m_u = len(values)
        if m_u < 2:
            continue
        observed += delta2(values[:, None], values[None, :]).sum() / (m_u - 1)
        pairable.append(values)
    if not pairable:
        return float("nan")
    pooled = np.concatenate(pairable)
    n = len(pooled)
    levels, counts = np.unique(pooled, return_counts=True)
    expected_sum = (np.outer(counts, counts) * delta2(levels[:, None], levels[None, :])).sum()
    if n < 2 or expected_sum == 0:
        return float("nan")
    d_o = observed / n
    d_e = expected_sum / (n * (n - 1))
    return float(1.0 - d_o / d_e)


@dataclass(frozen=True)
class ICC:
    """Shrout & Fleiss (1979) intraclass correlations of an n targets x k judges table."""

    icc1_1: float
    icc2_1: float
    icc3_1: float
    icc2_k: float
    targets: int
    judges: int


def intraclass_correlations(ratings: np.ndarray) -> ICC:
    """ICC(1,1), ICC(2,1), ICC(3,1) and ICC(2,k) of a complete targets x judges matrix."""
    table = np.asarray(ratings, dtype=float)
    if table.ndim != 2 or np.isnan(table).any():
        raise ValueError("ICC needs a complete targets x judges matrix (no missing scores)")
    n, k = table.shape
    if n < 2 or k < 2:
        raise ValueError(f"ICC needs at least 2 targets and 2 judges, got {n} x {k}")
    grand = table.mean()
    ss_rows = k * ((table.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((table.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((table - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    wms = (ss_cols + ss_error) / (n * (k - 1))

    def ratio(numerator: float, denominator: float) -> float:
        return float(numerator / denominator) if denominator != 0 else float("nan")

    return ICC(
        icc1_1=ratio(bms - wms, bms + (k - 1) * wms),
        icc2_1=ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        icc3_1=ratio(bms - ems, bms + (k - 1) * ems),
        icc2_k=ratio(bms - ems, bms + (jms - ems) / n),
        targets=n,
        judges=k,
    )


def evaluator_bias(scores: pd.DataFrame) -> pd.DataFrame:
    """Per evaluator: calls shared with others, bias and mean absolute difference.

    ``scores`` has ``call_id``, ``evaluator``, ``score`` (one row per pair).
    """
    shared = scores.groupby("call_id")["evaluator"].transform("nunique") >= 2
    frame = scores.loc[shared, ["call_id", "evaluator", "score"]].copy()
    columns = ["evaluator", "calls", "mean_score", "bias", "mean_abs_difference"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    totals = frame.groupby("call_id")["score"].agg(["sum", "count"])
    per_call = frame.join(totals, on="call_id")
    others_mean = (per_call["sum"] - per_call["score"]) / (per_call["count"] - 1)
    per_call["difference"] = per_call["score"] - others_mean
    result = (
        per_call.groupby("evaluator")
        .agg(
            calls=("call_id", "nunique"),
            mean_score=("score", "mean"),
            bias=("difference", "mean"),
            mean_abs_difference=("difference", lambda d: d.abs().mean()),
        )
        .reset_index()
    )
    return result.loc[:, columns]


@dataclass(frozen=True)
class CalibrationReport:
    calls: int  # calls scored by at least two evaluators
    evaluators: int
    ratings: int
    alpha_interval: float | None
    icc: ICC | None  # on the calls every evaluator scored; None if fewer than 2
    complete_calls: int
    bias: list[dict[str, object]]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def calibrate(scores: pd.DataFrame) -> CalibrationReport:
    """Agreement of the evaluators on the calls at least two of them scored."""
    shared = scores.groupby("call_id")["evaluator"].transform("nunique") >= 2
    frame = scores.loc[shared]
    if frame.empty:
        return CalibrationReport(0, 0, 0, None, None, 0, [])
    wide = frame.pivot_table(index="call_id", columns="evaluator", values="score", aggfunc="mean")
    alpha = krippendorff_alpha(wide.to_numpy().T, "interval")
    complete = wide.dropna()
    icc = intraclass_correlations(complete.to_numpy()) if len(complete) >= 2 else None
    return CalibrationReport(
        calls=len(wide),
        evaluators=wide.shape[1],
        ratings=int(wide.notna().sum().sum()),
        alpha_interval=None if np.isnan(alpha) else alpha,
        icc=icc,
        complete_calls=len(complete),
        bias=evaluator_bias(frame).to_dict("records"),
    )
