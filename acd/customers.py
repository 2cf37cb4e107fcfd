"""The customer base: caller numbers, frequent-flyer tiers and who called whom last.

The CRM knows ``population`` customers; a share ``p_known`` of inbound callers is one of
them (identified by caller number, so their tier sets the queue priority), the others
call from numbers the CRM does not know (priority 0, no customer id).
"""

from __future__ import annotations

import random

import numpy as np

from acd.scenario import Customers

# Chinese mobile number prefixes (three digits), drawn uniformly.
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "166",
    "177",
    "180",
    "186",
    "187",
    "188",
    "199",
)


class CustomerBase:
    """Customers indexed 0..population-1 with a number, a tier and a priority."""

    def __init__(self, spec: Customers, rng: np.random.Generator) -> None:
        self.spec = spec
        n = spec.population
        shares = np.array([t.share for t in spec.tiers])
        self.tier_index = rng.choice(len(spec.tiers), size=n, p=shares / shares.sum())
        prefixes = rng.integers(0, len(_MOBILE_PREFIXES), size=n)
        suffixes = rng.choice(10**8, size=n, replace=False)
        self.numbers = [
            f"{_MOBILE_PREFIXES[p]}{s:08d}"
            for p, s in zip(prefixes.tolist(), suffixes.tolist(), strict=True)
        ]
        self.priorities = [spec.tiers[i].priority for i in self.tier_index.tolist()]
        self.tier_names = [spec.tiers[i].name for i in self.tier_index.tolist()]
        self.ids = [f"C{i + 1:07d}" for i in range(n)]
        self._number_set = set(self.numbers)

    def draw_caller(self, rng: random.Random) -> tuple[int, str]:
        """A caller: (customer index, number); index -1 for a number the CRM does not know."""
        if rng.random() < self.spec.p_known:
            index = rng.randrange(self.spec.population)
            return index, self.numbers[index]
        return -1, self.unknown_number(rng)

    def unknown_number(self, rng: random.Random) -> str:
        """A mobile number that is not a customer's."""
        while True:
            number = f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            if number not in self._number_set:
                return number
