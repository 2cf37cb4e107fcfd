"""Scenario helpers the engine tests import (a module of its own, not conftest: importing
from conftest breaks when pytest collects several folders that each have one)."""

from __future__ import annotations

import dataclasses

from acd.distributions import Duration
from acd.scenario import Scenario, load_scenario


def mmn_scenario(
    agents: int, arrival_rate_per_s: float, aht_s: float, patience_s: float | None = None
) -> Scenario:
    """The shipped M/M/n scenario with its rate, agents, handle time and patience set."""
    base = load_scenario("mmn")
    call_type = base.call_types["calls"]
    arrivals = dataclasses.replace(call_type.arrivals, daily_volume=arrival_rate_per_s * 86_400)
    patience = Duration("exponential", patience_s) if patience_s else call_type.patience
    call_type = dataclasses.replace(
        call_type,
        arrivals=arrivals,
        talk=Duration("exponential", aht_s),
        patience=patience,
    )
    group = dataclasses.replace(base.agent_groups[0], count=agents)
    return dataclasses.replace(base, call_types={"calls": call_type}, agent_groups=(group,))
