"""The post-call survey's answer model: an ordered logit on the call's real drivers.

After an answered call that ends without a transfer, the agent sends a share of callers
to the survey IVR (``[survey].share``; in the queue_log that call then ends with
COMPLETEAGENT, the agent hanging up first). A share ``p_response`` of them key in a score;
the others hang up. The score comes from a latent satisfaction::

    eta    = agent_quality * q + wait_per_min * wait_min + transfer * transfers
             + repeat_call * repeat
    latent = eta + e,   e ~ standard logistic
    score  = 1 + number of cutpoints below latent      (1 = worst)

``q`` is the answering agent's hidden quality z-score (``truth/agent_quality.csv``, the
same one behind the recordings' signals), ``wait_min`` the call's total queue wait over
all its visits in minutes, ``transfers`` the call's transfers, ``repeat`` 1 when the same
number called within ``repeat_window_h`` before this call. So
``P(score <= k) = logistic(cutpoint_k - eta)``: every driver shifts the whole distribution.

3-point scale: 1 unsatisfied, 2 average, 3 satisfied. 5-point: 1 very unsatisfied .. 5 very
satisfied.
"""

from __future__ import annotations

import math
import random

from acd.scenario import Survey

LABELS = {
    3: ("unsatisfied", "average", "satisfied"),
    5: ("very_unsatisfied", "unsatisfied", "average", "satisfied", "very_satisfied"),
}


def linear_predictor(
    spec: Survey, quality: float, wait_s: float, transfers: int, repeat: bool
) -> float:
    """``eta``: the mean latent satisfaction of a call with these drivers."""
    return (
        spec.agent_quality * quality
        + spec.wait_per_min * (wait_s / 60.0)
        + spec.transfer * transfers
        + (spec.repeat_call if repeat else 0.0)
    )


def score_probabilities(spec: Survey, eta: float) -> tuple[float, ...]:
    """P(score = k) for k = 1..scale under the ordered logit."""
    cumulative = [1.0 / (1.0 + math.exp(eta - c)) for c in spec.cutpoints] + [1.0]
    return tuple(b - a for a, b in zip([0.0, *cumulative[:-1]], cumulative, strict=True))


def draw_score(spec: Survey, eta: float, rng: random.Random) -> int:
    """One score: ``eta`` plus standard logistic noise, cut at the cutpoints."""
    u = rng.random()
    while u <= 0.0:  # random() may return 0.0; the logistic quantile needs 0 < u < 1
        u = rng.random()
    latent = eta + math.log(u / (1.0 - u))
    return 1 + sum(1 for c in spec.cutpoints if latent > c)


def label(scale: int, score: int) -> str:
    return LABELS[scale][score - 1]
