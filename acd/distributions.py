"""Duration distributions for scenario files: ``{dist = "lognormal", mean = 180, cv = 0.6}``.

Scenario authors think in means and spreads (a mean handle time and how variable it is),
so every distribution is parameterised by its mean in seconds and, where it has one,
its coefficient of variation. Sampling uses ``random.Random``: the engine draws one
value at a time and the standard library is several times faster than a numpy
Generator for scalar draws.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from acd.errors import ScenarioError
from acd.tomlfields import Fields

KINDS = ("fixed", "exponential", "lognormal", "uniform")


@dataclass(frozen=True, slots=True)
class Duration:
    """A non-negative duration in seconds.

    - ``fixed``: always ``mean_s``.
    - ``exponential``: rate 1/mean_s (memoryless; the M/M/n assumption), cv is 1 by definition.
    - ``lognormal``: mean ``mean_s`` and coefficient of variation ``cv``:
      sigma^2 = ln(1 + cv^2), mu = ln(mean_s) - sigma^2 / 2 (moments of the log-normal).
    - ``uniform``: on [mean_s (1 - cv sqrt 3), mean_s (1 + cv sqrt 3)], which has that mean and cv.
    """

    kind: str
    mean_s: float
    cv: float = 0.0
    _mu: float = field(init=False, repr=False, compare=False, default=0.0)
    _sigma: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        if self.kind == "lognormal" and self.mean_s > 0:
            sigma2 = math.log1p(self.cv * self.cv)
            object.__setattr__(self, "_mu", math.log(self.mean_s) - sigma2 / 2)
            object.__setattr__(self, "_sigma", math.sqrt(sigma2))

    def sample(self, rng: random.Random) -> float:
        kind = self.kind
        if kind == "lognormal":
            # exp of a normal draw; gauss() is several times faster than lognormvariate()
            return math.exp(rng.gauss(self._mu, self._sigma))
        if kind == "exponential":
            return rng.expovariate(1.0 / self.mean_s) if self.mean_s > 0 else 0.0
        if kind == "uniform":
            half = self.mean_s * self.cv * math.sqrt(3.0)
            return rng.uniform(self.mean_s - half, self.mean_s + half)
        return self.mean_s


def parse_duration(value: Any, where: str) -> Duration:
    """Read a duration: a bare number means fixed seconds, a table gives dist/mean/cv."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ScenarioError(f"{where}: must be at least 0 seconds, got {value}")
        return Duration("fixed", float(value))
    fields = Fields(value, where)
    kind = fields.text("dist", "lognormal", choices=KINDS)
    mean_s = fields.number("mean", minimum=0.0)
    cv = fields.number("cv", 1.0 if kind == "exponential" else 0.5, minimum=0.0)
    if kind == "exponential" and cv != 1.0:
        raise ScenarioError(f"{where}.cv: an exponential distribution has cv = 1, got {cv:g}")
    if kind == "lognormal" and mean_s == 0:
        raise ScenarioError(f"{where}.mean: a lognormal duration needs a mean above 0")
    if kind == "uniform" and cv * math.sqrt(3.0) > 1.0:
        raise ScenarioError(f"{where}.cv: a uniform duration allows cv up to 0.577, got {cv:g}")
    fields.finish()
    return Duration(kind, mean_s, cv)
