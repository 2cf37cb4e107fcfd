"""Staffing requirements: forecast volume and AHT per queue and interval -> agents needed.

For each queue and interval the forecast (calls, ``aht_s``) is turned into the fewest
agents that meet the queue's target and keep occupancy at or below its cap, with the
queuing model chosen in the configuration (``wfm.erlang``):

- ``erlang_c`` (M/M/n, callers never hang up);
- ``erlang_a`` (M/M/n+M, callers abandon after an exponential patience), the default.

Targets, one per queue:

- ``service_level``: the share of calls answered within ``target_s`` is at least
  ``service_level``. Erlang C: P(wait <= target_s) over all calls. Erlang A: calls
  answered within ``target_s`` over ALL arrivals (an abandon is a miss), the definition
  the warehouse's service level also uses (answered within target / (answered +
  abandoned + timed out)).
- ``asa``: average speed of answer at most ``asa_s``. Erlang C: the mean wait over all
  calls; Erlang A: the mean wait of answered calls.
- ``abandon_rate``: the fraction of calls that abandon is at most ``abandon_rate``
  (Erlang A only: Erlang C has no abandonment).

Occupancy is the fraction of time an agent is busy (Erlang C: A / n; Erlang A: the
carried load A·(1 - P(abandon)) / n). ``binding`` says which constraint set the number:
``target`` (the target alone needs that many agents), ``occupancy`` (the target is met
with fewer, but occupancy would exceed ``max_occupancy``) or ``none`` (no calls).

Shrinkage is the share of paid agent time not available for calls: planned shrinkage
(breaks, lunch, training, meetings, coaching) plus unplanned shrinkage (absence, late
log-ins), both as shares of paid time, so they add. Scheduled agents needed:
``agents_required = ceil(agents_raw / (1 - shrinkage))`` (e.g. Koole 2013, ch. 4;
ICMI's definition of shrinkage). ``agents_raw`` are the agents on the phones.

Patience (Erlang A) is estimated per queue from the warehouse with the estimator of
Mandelbaum & Zeltyn: for exponential patience with rate θ, P(abandon) = θ·E[wait], so
θ = P(abandon) / E[wait] = abandoned visits / (sum of the waits of all visits); the mean
patience is 1/θ. This is also the maximum-likelihood estimate of θ when answered and
other exits are censored observations of patience. With fewer than ``min_abandons``
abandons in the history the configured ``patience_s`` is used instead.

Deferred channels (e-mail, SMS, web callback, voicemail; ``deferred_requirements``) are
not sized with Erlang: their agents come from the workload that must be done inside each
item's response window (``wfm.deferred``: items x handle time spread over the business
time of the window, divided by the interval and the productive share), in the same
requirements table with ``model = "workload"`` and the channel's name as the queue.
Targets come from the scenario's ``[[deferred_channels]]`` (``target_minutes``,
``business_hours``) and ``[business_hours]``, or the ``[deferred]`` section of the
configuration.

Trunk lines and IVR ports are sized with Erlang B (``trunk_lines``): a line is held for
the IVR time, the wait in queue and the handle time (minus after-call work, which holds
no line); the lines for a blocking target are those for the peak interval's offered load.

References:
  G. Koole (2013), Call Center Optimization, MG books (Erlang C / A staffing, shrinkage).
  O. Garnett, A. Mandelbaum, M. Reiman (2002), "Designing a call center with impatient
  customers", M&SOM 4(3) (Erlang A).
  A. Mandelbaum, S. Zeltyn (2013), "Data-stories about (im)patient customers in
  tele-queues", Queueing Systems 75:115-146 (P(Ab) = θ·E[W], estimating patience).
  N. Gans, G. Koole, A. Mandelbaum (2003), "Telephone call centers: tutorial, review,
  and research prospects", M&SOM 5(2) (service level, ASA, occupancy definitions).
"""

from __future__ import annotations

import json
import math
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from acd.errors import ScenarioError
from acd.tomlfields import Fields
from wfm.erlang import (
    agents_for_service_level,
    erlang_a_metrics,
    erlang_c_metrics,
    lines_for_blocking,
)

MODELS = ("erlang_a", "erlang_c")
WORKLOAD = "workload"  # the model of deferred channels' rows (wfm.deferred)
TARGETS = ("service_level", "asa", "abandon_rate")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BINDINGS = ("target", "occupancy", "minimum", "none")  # minimum: deferred min_agents

REQUIREMENT_COLUMNS = (
    "queue",
    "ds",
    "calls",
    "aht_s",
    "model",
    "patience_s",
    "agents_raw",
    "shrinkage",
    "agents_required",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "binding",
    "agents_fte",
)
# What the planning store keeps per run (patience is in the run's config JSON).
STORED_COLUMNS = tuple(c for c in REQUIREMENT_COLUMNS if c != "patience_s")

# Every key with its default and meaning; ``callcenter staff --print-config`` prints it.
DEFAULT_CONFIG_TOML = """\
# Staffing configuration for `callcenter staff`. Every key is optional; these are the
# defaults. [defaults] applies to every queue; [queues.<name>] overrides any of its keys
# for one queue (the queue name as in the forecast's unique_id / the warehouse).

interval_minutes = 30        # length of a forecast interval (15 or 30 as in the warehouse)
min_abandons = 30            # fewer abandons than this in the history: use patience_s
patience_history_days = 56   # patience is estimated from the last N days of the warehouse

[defaults]
model = "erlang_a"           # erlang_a (callers abandon) | erlang_c (callers never abandon)
target = "service_level"     # service_level | asa | abandon_rate (abandon_rate: erlang_a)
service_level = 0.8          # target = service_level: answered within target_s, in (0, 1)
target_s = 20                # the service-level threshold, seconds
asa_s = 30                   # target = asa: average speed of answer at most this, seconds
abandon_rate = 0.05          # target = abandon_rate: abandoned calls at most this share
max_occupancy = 0.85         # agents busy at most this share of their time, in (0, 1]
patience_s = 180             # mean patience (erlang_a) when the warehouse has too little data
max_agents = 2000            # the most agents one queue can have in one interval

[defaults.shrinkage]         # share of paid time not on the phones: planned + unplanned
planned = 0.20               # breaks, lunch, training, meetings, coaching
unplanned = 0.10             # absence, late log-ins
rules = []                   # by interval, the last matching rule wins, e.g.
# rules = [{ weekdays = ["sat", "sun"], hours = [0, 24], planned = 0.15, unplanned = 0.12 },
#          { hours = [7, 9], unplanned = 0.14 }]
# weekdays: mon..sun (default every day); hours: [from, to) local hours of the interval
# start (default [0, 24]); planned / unplanned default to the table's values.

[trunks]                     # trunk lines and IVR ports (Erlang B)
blocking = 0.01              # share of calls that may find every line busy, in (0, 1)
ivr_s = 45                   # mean time a call spends in the IVR before the queue, seconds
acw_s = 0                    # after-call work inside aht_s (holds no line), seconds

[deferred]                   # deferred channels (e-mail, SMS, web callback, voicemail)
# Agents from the workload in each item's response window (wfm.deferred), not Erlang:
# agents_fte = work due in the interval / (interval x productive_share). Shrinkage is
# the queue table's ([defaults.shrinkage] or [queues.<channel>.shrinkage]).
scenario = "airline"         # targets and business hours from this scenario's
                             # [[deferred_channels]] and [business_hours] ("" = none)
productive_share = 1.0       # share of an agent's time on deferred work spent on items
min_agents = 0.0             # agents on a channel in every interval its clock is open
in_target_goal = 0.9         # what-if: a target is kept when this share is in target
# [deferred.channels.email]  # one channel (its name in the scenario): any key above
# target_minutes = 240       # (but scenario and in_target_goal) and the target itself;
# business_hours = true      # true: minutes on the business-hours clock, else wall clock
# [deferred.business_hours]  # the business-hours clock, instead of the scenario's
# open = "08:00"
# close = "21:00"
# days = "all"               # all | working (China's working days, make-up days included)
# timezone = "Asia/Shanghai"
"""


class StaffingError(ValueError):
    """Input that cannot be staffed (bad configuration, forecast or impossible target)."""


# --- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShrinkageRule:
    """Shrinkage for the intervals starting on ``weekdays`` (0 = Monday) in [start, end) hours."""

    weekdays: tuple[int, ...]
    start_hour: float
    end_hour: float
    planned: float
    unplanned: float

    def matches(self, moment: datetime) -> bool:
        hour = moment.hour + moment.minute / 60
        return moment.weekday() in self.weekdays and self.start_hour <= hour < self.end_hour


@dataclass(frozen=True)
class Shrinkage:
    """Planned and unplanned shrinkage, by default and by interval rules (last match wins)."""

    planned: float = 0.20
    unplanned: float = 0.10
    rules: tuple[ShrinkageRule, ...] = ()

    def at(self, moment: datetime) -> float:
        """Total shrinkage (planned + unplanned) for the interval starting at ``moment``."""
        planned, unplanned = self.planned, self.unplanned
        for rule in self.rules:
            if rule.matches(moment):
                planned, unplanned = rule.planned, rule.unplanned
        return round(planned + unplanned, 12)  # 0.2 + 0.1 is 0.30000000000000004


@dataclass(frozen=True)
class QueuePolicy:
    """What one queue must achieve, and how it is modelled (see the module docstring)."""

    model: str = "erlang_a"
    target: str = "service_level"
    service_level: float = 0.8
    target_s: float = 20.0
    asa_s: float = 30.0
    abandon_rate: float = 0.05
    max_occupancy: float = 0.85
    patience_s: float = 180.0
    max_agents: int = 2000
    shrinkage: Shrinkage = field(default_factory=Shrinkage)

    def describe_target(self) -> str:
        if self.target == "service_level":
            return f"service level {self.service_level:.0%} within {self.target_s:g} s"
        if self.target == "asa":
            return f"ASA at most {self.asa_s:g} s"
        return f"abandon rate at most {self.abandon_rate:.2%}"


@dataclass(frozen=True)
class TrunkPolicy:
    blocking: float = 0.01
    ivr_s: float = 45.0
    acw_s: float = 0.0


@dataclass(frozen=True)
class DeferredChannelPolicy:
    """One deferred channel's keys in ``[deferred.channels.<name>]`` (None: not set)."""

    target_minutes: float | None = None
    business_hours: bool | None = None
    productive_share: float | None = None
    min_agents: float | None = None


@dataclass(frozen=True)
class ClockSpec:
    """``[deferred.business_hours]``: open and close (local seconds), days, time zone."""

    open_s: float
    close_s: float
    days: str = "all"
    timezone: str | None = None


@dataclass(frozen=True)
class DeferredConfig:
    scenario: str = "airline"
    productive_share: float = 1.0
    min_agents: float = 0.0
    in_target_goal: float = 0.9
    channels: dict[str, DeferredChannelPolicy] = field(default_factory=dict)
    business_hours: ClockSpec | None = None


@dataclass(frozen=True)
class StaffingConfig:
    interval_minutes: int = 30
    min_abandons: int = 30
    patience_history_days: int = 56
    defaults: QueuePolicy = field(default_factory=QueuePolicy)
    queues: dict[str, QueuePolicy] = field(default_factory=dict)
    trunks: TrunkPolicy = field(default_factory=TrunkPolicy)
    deferred: DeferredConfig = field(default_factory=DeferredConfig)

    @property
    def interval_s(self) -> float:
        return self.interval_minutes * 60.0

    def policy(self, queue: str) -> QueuePolicy:
        return self.queues.get(queue, self.defaults)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fraction(f: Fields, key: str, default: float, *, allow_one: bool = False) -> float:
    value = f.number(key, default, minimum=0, exclusive_minimum=True)
    if value > 1 or (value == 1 and not allow_one):
        bound = "at most 1" if allow_one else "below 1"
        raise StaffingError(f"{f.path(key)}: must be {bound}, got {value:g}")
    return value


def _parse_shrinkage(f: Fields, base: Shrinkage) -> Shrinkage:
    planned = f.number("planned", base.planned, minimum=0)
    unplanned = f.number("unplanned", base.unplanned, minimum=0)
    _check_total(f.where, planned, unplanned)
    rules = base.rules
    if f.has("rules"):
        rules = tuple(
            _parse_rule(Fields(table, f"{f.path('rules')}[{i}]"), planned, unplanned)
            for i, table in enumerate(f.array("rules"))
        )
    f.finish()
    return Shrinkage(planned, unplanned, rules)


def _check_total(where: str, planned: float, unplanned: float) -> None:
    if planned + unplanned >= 1:
        raise StaffingError(
            f"{where}: planned + unplanned shrinkage must be below 1 (no agent would ever be "
            f"on the phones), got {planned:g} + {unplanned:g}"
        )


def _parse_rule(f: Fields, planned: float, unplanned: float) -> ShrinkageRule:
    names = f.array("weekdays", list(WEEKDAYS))
    weekdays = []
    for name in names:
        if not isinstance(name, str) or name.lower()[:3] not in WEEKDAYS:
            raise StaffingError(
                f"{f.path('weekdays')}: expected day names {', '.join(WEEKDAYS)}, got {name!r}"
            )
        weekdays.append(WEEKDAYS.index(name.lower()[:3]))
    hours = f.array("hours", [0, 24])
    if len(hours) != 2:
        raise StaffingError(f"{f.path('hours')}: expected [from, to] hours, got {hours!r}")
    start = _hour(hours[0], f.path("hours"))
    end = _hour(hours[1], f.path("hours"))
    if end <= start:
        raise StaffingError(f"{f.path('hours')}: 'to' must be after 'from', got {hours!r}")
    rule_planned = f.number("planned", planned, minimum=0)
    rule_unplanned = f.number("unplanned", unplanned, minimum=0)
    _check_total(f.where, rule_planned, rule_unplanned)
    f.finish()
    return ShrinkageRule(tuple(sorted(set(weekdays))), start, end, rule_planned, rule_unplanned)


def _hour(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 24:
        raise StaffingError(f"{where}: expected hours from 0 to 24, got {value!r}")
    return float(value)


def _parse_policy(f: Fields, base: QueuePolicy) -> QueuePolicy:
    model = f.text("model", base.model, choices=MODELS)
    target = f.text("target", base.target, choices=TARGETS)
    service_level = f.number("service_level", base.service_level, minimum=0, exclusive_minimum=True)
    if service_level >= 1:
        raise StaffingError(
            f"{f.path('service_level')}: must be below 1, got {service_level:g}: no finite "
            "staffing answers every call within target_s; use a goal such as 0.8 or 0.95"
        )
    target_s = f.number("target_s", base.target_s, minimum=0)
    asa_s = f.number("asa_s", base.asa_s, minimum=0, exclusive_minimum=True)
    abandon_rate = _fraction(f, "abandon_rate", base.abandon_rate)
    max_occupancy = _fraction(f, "max_occupancy", base.max_occupancy, allow_one=True)
    patience_s = f.number("patience_s", base.patience_s, minimum=0, exclusive_minimum=True)
    max_agents = f.integer("max_agents", base.max_agents, minimum=1)
    shrinkage = base.shrinkage
    if f.has("shrinkage"):
        shrinkage = _parse_shrinkage(f.sub("shrinkage"), base.shrinkage)
    if target == "abandon_rate" and model != "erlang_a":
        raise StaffingError(
            f'{f.path("target")}: abandon_rate needs model = "erlang_a" (Erlang C has no '
            "abandonment)"
        )
    f.finish()
    return QueuePolicy(
        model,
        target,
        service_level,
        target_s,
        asa_s,
        abandon_rate,
        max_occupancy,
        patience_s,
        max_agents,
        shrinkage,
    )


def parse_config(data: Mapping[str, Any]) -> StaffingConfig:
    """A configuration from a parsed TOML document; errors name the key."""
    try:
        f = Fields(dict(data), "")
        interval_minutes = f.integer("interval_minutes", 30, minimum=1)
        if 60 % interval_minutes and interval_minutes % 60:
            raise StaffingError(
                f"interval_minutes: must divide an hour (15, 30, 60, ...), got {interval_minutes}"
            )
        min_abandons = f.integer("min_abandons", 30, minimum=1)
        history_days = f.integer("patience_history_days", 56, minimum=1)
        defaults = QueuePolicy()
        if f.has("defaults"):
            defaults = _parse_policy(f.sub("defaults"), defaults)
        queues = {}
        if f.has("queues"):
            table = f.sub("queues")
            for name in table.table:
                queues[name] = _parse_policy(table.sub(name), defaults)
            table.finish()
        trunks = TrunkPolicy()
        if f.has("trunks"):
            t = f.sub("trunks")
            trunks = TrunkPolicy(
                blocking=_fraction(t, "blocking", trunks.blocking),
                ivr_s=t.number("ivr_s", trunks.ivr_s, minimum=0),
                acw_s=t.number("acw_s", trunks.acw_s, minimum=0),
            )
            t.finish()
        deferred = DeferredConfig()
        if f.has("deferred"):
            deferred = _parse_deferred(f.sub("deferred"))
        f.finish()
    except ScenarioError as exc:
        raise StaffingError(str(exc)) from None
    return StaffingConfig(
        interval_minutes, min_abandons, history_days, defaults, queues, trunks, deferred
    )


def _parse_deferred(f: Fields) -> DeferredConfig:
    from acd.scenario import BUSINESS_DAYS, parse_clock

    def channel_keys(g: Fields) -> DeferredChannelPolicy:
        return DeferredChannelPolicy(
            target_minutes=(
                g.number("target_minutes", minimum=0, exclusive_minimum=True)
                if g.has("target_minutes")
                else None
            ),
            business_hours=g.boolean("business_hours") if g.has("business_hours") else None,
            productive_share=(
                _fraction(g, "productive_share", 1.0, allow_one=True)
                if g.has("productive_share")
                else None
            ),
            min_agents=g.number("min_agents", minimum=0) if g.has("min_agents") else None,
        )

    base = DeferredConfig()
    scenario = f.text("scenario", base.scenario)
    share = _fraction(f, "productive_share", base.productive_share, allow_one=True)
    min_agents = f.number("min_agents", base.min_agents, minimum=0)
    goal = _fraction(f, "in_target_goal", base.in_target_goal, allow_one=True)
    channels = {}
    if f.has("channels"):
        table = f.sub("channels")
        for name in table.table:
            sub = table.sub(name)
            channels[name] = channel_keys(sub)
            sub.finish()
        table.finish()
    clock = None
    if f.has("business_hours"):
        b = f.sub("business_hours")
        clock = ClockSpec(
            open_s=parse_clock(b.raw("open", "00:00"), b.path("open")),
            close_s=parse_clock(b.raw("close", "24:00"), b.path("close")),
            days=b.text("days", "all", choices=BUSINESS_DAYS),
            timezone=b.text("timezone") if b.has("timezone") else None,
        )
        if not 0 <= clock.open_s < clock.close_s <= 86_400:
            raise StaffingError(f"{b.where}: need open < close <= 24:00")
        b.finish()
    f.finish()
    return DeferredConfig(scenario, share, min_agents, goal, channels, clock)


def load_config(path: str | Path | None) -> StaffingConfig:
    """The configuration in the TOML file at ``path`` (the defaults when None)."""
    if path is None:
        return StaffingConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StaffingError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise StaffingError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_config(data)
    except StaffingError as exc:
        raise StaffingError(f"{path}: {exc}") from None


# --- one interval ---------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """The agents on the phones for one interval and the measures they give."""

    agents: int
    service_level: float
    asa_s: float
    p_abandon: float
    occupancy: float
    binding: str


def _measures(
    model: str, agents: int, rate: float, aht_s: float, patience_s: float, target_s: float
) -> tuple[float, float, float, float] | None:
    """(service_level, asa_s, p_abandon, occupancy); None where the queue has no steady state.

    Erlang C: asa_s over all calls, p_abandon NaN. Erlang A: asa_s of answered calls.
    """
    if model == "erlang_c":
        c = erlang_c_metrics(agents, rate, aht_s, target_s)
        return c.service_level, c.asa_s, math.nan, c.occupancy
    try:
        a = erlang_a_metrics(agents, rate, aht_s, patience_s, target_s)
    except ValueError:  # the chain is too long to evaluate: far too few agents
        return None
    return a.service_level, a.asa_s, a.p_abandon, a.occupancy


def _smallest(feasible: Any, known_bad: int, start: int, max_agents: int) -> int | None:
    """The smallest n in (known_bad, max_agents] with ``feasible(n)`` (monotone), else None.

    Gallops up from ``start`` by doubling, then bisects.
    """
    bad = known_bad
    n = min(max(start, bad + 1), max_agents)
    if n <= bad:
        return None
    while not feasible(n):
        bad = n
        if n >= max_agents:
            return None
        n = min(2 * n, max_agents)
    good = n
    while good - bad > 1:
        middle = (good + bad) // 2
        if feasible(middle):
            good = middle
        else:
            bad = middle
    return good


@lru_cache(maxsize=65_536)
def staff_interval(
    calls: float, aht_s: float, interval_s: float, policy: QueuePolicy, patience_s: float
) -> Staffing | str:
    """The fewest agents meeting ``policy``'s target and occupancy cap for one interval.

    Returns a ``Staffing``, or a sentence saying why no staffing up to ``max_agents``
    works (the caller names the queue and interval). ``calls`` = 0 gives 0 agents.
    Lower bounds used to start the search (never more agents than the answer): with n
    agents at most n Erlangs are carried, so a service level g needs n >= g·A, an abandon
    rate r needs n >= A·(1 - r), and Erlang C needs n > A for any finite wait.
    """
    if calls == 0:
        return Staffing(0, math.nan, math.nan, math.nan, math.nan, "none")
    rate = calls / interval_s
    offered = rate * aht_s
    model, cap = policy.model, policy.max_occupancy
    cache: dict[int, tuple[float, float, float, float] | None] = {}

    def measures(n: int) -> tuple[float, float, float, float] | None:
        if n not in cache:
            cache[n] = _measures(model, n, rate, aht_s, patience_s, policy.target_s)
        return cache[n]

    def meets_target(n: int) -> bool:
        m = measures(n)
        if m is None:
            return False
        if policy.target == "service_level":
            return m[0] >= policy.service_level
        if policy.target == "asa":
            return m[1] <= policy.asa_s
        return m[2] <= policy.abandon_rate

    stable = math.floor(offered) if model == "erlang_c" else 0
    if policy.target == "service_level" and model == "erlang_c":
        needed = agents_for_service_level(rate, aht_s, policy.target_s, policy.service_level)
        agents: int | None = needed if needed <= policy.max_agents else None
    else:
        known_bad = stable
        if policy.target == "service_level":
            known_bad = max(known_bad, math.ceil(policy.service_level * offered) - 1)
        elif policy.target == "abandon_rate":
            known_bad = max(known_bad, math.ceil((1 - policy.abandon_rate) * offered) - 1)
        agents = _smallest(meets_target, known_bad, math.ceil(offered), policy.max_agents)
    if agents is None:
        return (
            f"the {policy.describe_target()} cannot be met with up to {policy.max_agents} "
            f"agents ({calls:g} calls, AHT {aht_s:g} s); raise max_agents or relax the target"
        )
    binding = "target"

    def occupancy_ok(n: int) -> bool:
        if model == "erlang_c":
            return offered / n <= cap
        m = measures(n)
        return m is not None and m[3] <= cap

    if not occupancy_ok(agents):
        binding = "occupancy"
        start = max(agents + 1, math.ceil(offered / cap))
        agents = _smallest(occupancy_ok, agents, start, policy.max_agents)
        if agents is None:
            return (
                f"occupancy at most {cap:g} needs more than {policy.max_agents} agents "
                f"({calls:g} calls, AHT {aht_s:g} s); raise max_agents or max_occupancy"
            )
    sl, asa, p_abandon, occupancy = measures(agents)  # type: ignore[misc]
    return Staffing(agents, sl, asa, p_abandon, occupancy, binding)


def with_shrinkage(agents_raw: int, shrinkage: float) -> int:
    """Scheduled agents: ceil(agents_raw / (1 - shrinkage)).

    A relative tolerance of 1e-9 keeps binary rounding from adding an agent where the
    quotient is a whole number (8 / (1 - 0.2) = 10.000000000000002 -> 10, not 11).
    """
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    exact = agents_raw / (1 - shrinkage)
    return math.ceil(exact * (1 - 1e-12) - 1e-9) if agents_raw else 0


# --- many intervals -----------------------------------------------------------------------


def _where(queue: str, ds: Any) -> str:
    return f"queue {queue}, interval {pd.Timestamp(ds):%Y-%m-%d %H:%M}"


def check_forecast(forecast: pd.DataFrame, config: StaffingConfig) -> pd.DataFrame:
    """A clean copy of a forecast frame (queue, ds, calls, aht_s), or a ``StaffingError``.

    Accepts ``unique_id`` for ``queue``. Rules: every row has a queue and an interval start
    on the configured grid, no (queue, ds) twice, calls >= 0, and aht_s > 0 wherever
    calls > 0 (with no calls, a missing AHT does not matter).
    """
    frame = forecast.rename(columns={"unique_id": "queue"})
    missing = [c for c in ("queue", "ds", "calls", "aht_s") if c not in frame.columns]
    if missing:
        raise StaffingError(f"forecast: missing column(s) {', '.join(missing)}")
    frame = frame[["queue", "ds", "calls", "aht_s"]].copy()
    if frame["queue"].isna().any():
        raise StaffingError("forecast: a row has no queue (unique_id)")
    frame["queue"] = frame["queue"].astype(str)
    try:
        frame["ds"] = pd.to_datetime(frame["ds"])
    except (ValueError, TypeError) as exc:
        raise StaffingError(f"forecast: ds is not a date and time: {exc}") from None
    if getattr(frame["ds"].dt, "tz", None) is not None:
        raise StaffingError("forecast: ds must be local interval starts without a time zone")
    if frame["ds"].isna().any():
        raise StaffingError("forecast: a row has no interval start (ds)")
    for column in ("calls", "aht_s"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    step = pd.Timedelta(minutes=config.interval_minutes)
    off_grid = frame[(frame["ds"] - frame["ds"].dt.normalize()) % step != pd.Timedelta(0)]
    if len(off_grid):
        row = off_grid.iloc[0]
        raise StaffingError(
            f"{_where(row['queue'], row['ds'])}: not on the {config.interval_minutes}-minute "
            "grid; set interval_minutes in the configuration to the forecast's interval"
        )
    duplicated = frame[frame.duplicated(["queue", "ds"])]
    if len(duplicated):
        row = duplicated.iloc[0]
        raise StaffingError(f"{_where(row['queue'], row['ds'])}: appears more than once")
    bad_calls = frame[~(frame["calls"] >= 0) | ~np.isfinite(frame["calls"])]
    if len(bad_calls):
        row = bad_calls.iloc[0]
        raise StaffingError(
            f"{_where(row['queue'], row['ds'])}: calls must be a number >= 0, got {row['calls']}"
        )
    bad_aht = frame[(frame["calls"] > 0) & ~((frame["aht_s"] > 0) & np.isfinite(frame["aht_s"]))]
    if len(bad_aht):
        row = bad_aht.iloc[0]
        raise StaffingError(
            f"{_where(row['queue'], row['ds'])}: aht_s must be a number > 0 when calls are "
            f"offered, got {row['aht_s']} with {row['calls']:g} calls"
        )
    return frame.sort_values(["queue", "ds"], ignore_index=True)


def requirements(
    forecast: pd.DataFrame,
    config: StaffingConfig,
    patience_s: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Agents needed per queue and interval: one row per forecast row, ``REQUIREMENT_COLUMNS``.

    ``forecast``: columns queue (or unique_id), ds (local interval start), calls, aht_s.
    ``patience_s``: mean patience per queue (e.g. ``estimate_patience``); a queue not in
    it uses its configured ``patience_s``. Only the given intervals are staffed: a missing
    interval (closed hours) gets no row. Raises ``StaffingError`` naming the queue and
    interval when the input is bad or a target cannot be met.
    """
    frame = check_forecast(forecast, config)
    patience_s = patience_s or {}
    rows = []
    for queue, ds, calls, aht_s in frame.itertuples(index=False):
        policy = config.policy(queue)
        patience = float(patience_s.get(queue, policy.patience_s))
        staffing = staff_interval(
            float(calls),
            float(aht_s) if calls else 0.0,
            config.interval_s,
            policy,
            patience if policy.model == "erlang_a" else 0.0,
        )
        if isinstance(staffing, str):
            raise StaffingError(f"{_where(queue, ds)}: {staffing}")
        shrinkage = policy.shrinkage.at(ds)
        rows.append(
            (
                queue,
                ds,
                float(calls),
                float(aht_s),
                policy.model,
                patience if policy.model == "erlang_a" else math.nan,
                staffing.agents,
                shrinkage,
                with_shrinkage(staffing.agents, shrinkage),
                staffing.service_level,
                staffing.asa_s,
                staffing.p_abandon,
                staffing.occupancy,
                staffing.binding,
                float(staffing.agents),
            )
        )
    return _requirement_frame(rows)


def _requirement_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    result = pd.DataFrame(rows, columns=list(REQUIREMENT_COLUMNS))
    result["ds"] = pd.to_datetime(result["ds"]).astype("datetime64[us]")
    for column in ("agents_raw", "agents_required"):
        result[column] = result[column].astype("int64")
    return result


# --- deferred channels ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeferredTarget:
    """What one deferred channel must achieve and how its agents are counted."""

    channel: str
    target_s: float
    business_hours: bool  # target on the business-hours clock (else the wall clock)
    clock: Any  # acd.business_hours.BusinessHours (also for min_agents), None: wall clock
    productive_share: float = 1.0
    min_agents: float = 0.0
    source: str = "scenario"  # scenario | config

    def describe_target(self) -> str:
        clock = "business " if self.business_hours else ""
        return f"within {self.target_s / 60:g} {clock}min"


def deferred_targets(
    config: StaffingConfig, scenario: Any = None
) -> tuple[dict[str, DeferredTarget], list[str]]:
    """Targets per deferred channel from ``scenario`` (an ``acd.scenario.Scenario``; None:
    ``config.deferred.scenario``, loaded by name or path, "" for none) and the
    ``[deferred]`` section, which overrides it key by key. Returns the targets and notes.

    The clock: ``[deferred.business_hours]`` or else the scenario's ``[business_hours]``
    (default: its opening hours every day), in the scenario's (or the section's) time
    zone. A channel with ``business_hours = false`` counts its target on the wall clock.
    """
    from wfm.deferred import business_clock

    d = config.deferred
    notes: list[str] = []
    if scenario is None and d.scenario:
        from acd.scenario import load_scenario

        try:
            scenario = load_scenario(d.scenario)
        except (ScenarioError, FileNotFoundError, OSError) as exc:
            raise StaffingError(f"deferred.scenario: {exc}") from None
    channels: dict[str, tuple[float | None, bool | None]] = {}
    timezone = None
    spec = d.business_hours
    if scenario is not None:
        timezone = scenario.center.timezone
        for name, channel in scenario.active_deferred.items():
            channels[name] = (channel.target_s, channel.business_hours)
        hours = scenario.business_clock
        if spec is None:
            spec = ClockSpec(hours.open_s, hours.close_s, hours.days, timezone)
    if spec is not None and spec.timezone:
        timezone = spec.timezone
    targets = {}
    for name in sorted(set(channels) | set(d.channels)):
        target_s, on_business = channels.get(name, (None, None))
        own = d.channels.get(name, DeferredChannelPolicy())
        source = "scenario" if name in channels else "config"
        if own.target_minutes is not None:
            target_s, source = own.target_minutes * 60, "config"
        if own.business_hours is not None:
            on_business = own.business_hours
        if target_s is None or not target_s > 0:
            notes.append(f"deferred channel {name}: no target_minutes > 0; not staffed")
            continue
        on_business = True if on_business is None else on_business
        clock = None
        if spec is not None and timezone:
            clock = business_clock(timezone, spec.open_s, spec.close_s, spec.days)
        elif on_business:
            notes.append(
                f"deferred channel {name}: no business hours known (no scenario and no "
                "[deferred.business_hours] with a timezone); its target counts wall-clock time"
            )
            on_business = False
        targets[name] = DeferredTarget(
            channel=name,
            target_s=float(target_s),
            business_hours=bool(on_business),
            clock=clock,
            productive_share=(
                own.productive_share if own.productive_share is not None else d.productive_share
            ),
            min_agents=own.min_agents if own.min_agents is not None else d.min_agents,
            source=source,
        )
    return targets, notes


def _grain_minutes(ds: pd.Series) -> int:
    """The forecast's interval: gcd of the minutes after midnight of every ds and 1440."""
    minutes = ((ds - ds.dt.normalize()) / pd.Timedelta(minutes=1)).astype(int).to_numpy()
    grain = int(np.gcd.reduce(np.append(minutes, 1440)))
    if len(ds) > 1:
        gaps = np.diff(np.sort(ds.unique())) / np.timedelta64(1, "m")
        grain = math.gcd(grain, *(int(g) for g in gaps if g > 0))
    return max(grain, 1)


def _to_interval_grid(
    part: pd.DataFrame, interval_minutes: int
) -> tuple[pd.Timestamp, np.ndarray, np.ndarray]:
    """(first interval start, items, aht_s) on a regular grid of ``interval_minutes``.

    A coarser forecast (hourly deferred arrivals) is split evenly into the intervals of
    each of its periods; a finer one is summed (AHT weighted by items). Intervals the
    forecast does not list have no items.
    """
    part = part.sort_values("ds")
    grain = _grain_minutes(part["ds"])
    step = pd.Timedelta(minutes=interval_minutes)
    if grain >= interval_minutes and grain % interval_minutes == 0:
        k = grain // interval_minutes
        ds = (part["ds"].to_numpy()[:, None] + step * np.arange(k)).ravel()
        items = np.repeat(part["calls"].to_numpy(float) / k, k)
        aht = np.repeat(part["aht_s"].to_numpy(float), k)
        frame = pd.DataFrame({"ds": pd.to_datetime(ds), "calls": items, "aht_s": aht})
    else:
        frame = part.assign(
            ds=part["ds"].dt.floor(f"{interval_minutes}min"),
            work=part["calls"] * part["aht_s"].fillna(0),
        )
        frame = frame.groupby("ds", as_index=False)[["calls", "work"]].sum()
        frame["aht_s"] = (frame["work"] / frame["calls"].where(frame["calls"] > 0)).fillna(0)
    grid = pd.date_range(frame["ds"].min(), frame["ds"].max(), freq=step)
    frame = frame.set_index("ds").reindex(grid)
    items = frame["calls"].fillna(0.0).to_numpy(float)
    aht = frame["aht_s"].to_numpy(float)
    known = np.isfinite(aht) & (items > 0)
    mean = float(np.average(aht[known], weights=items[known])) if known.any() else 0.0
    aht = np.where(np.isfinite(aht) & (aht > 0), aht, mean)
    return grid[0], items, aht


def deferred_requirements(
    forecast: pd.DataFrame,
    config: StaffingConfig,
    targets: Mapping[str, DeferredTarget],
) -> tuple[pd.DataFrame, list[str]]:
    """Agents per deferred channel and interval from a forecast of arrivals and handle time
    (``queue`` or ``unique_id``, ``ds``, ``calls`` = items arriving, ``aht_s``): rows in
    ``REQUIREMENT_COLUMNS`` with ``model = "workload"``, and warnings.

    Per channel (``wfm.deferred.required_agents``): ``agents_fte`` = the work due in the
    interval / (interval x productive_share), at least ``min_agents`` while the clock is
    open; ``agents_raw = ceil(agents_fte)``; ``agents_required = ceil(agents_fte / (1 -
    shrinkage))`` (the channel's shrinkage as for a queue); ``service_level`` = the share
    of the interval's arrivals answered within the target with ``agents_fte`` in the fluid
    FIFO check (``wfm.deferred.check_plan``); ``occupancy`` = work / (agents_raw x
    interval). The grid runs from the first to the last forecast interval: work due after
    it is reported in the warnings, and items already waiting before it are not known.
    """
    from wfm.deferred import check_plan, required_agents

    frame = forecast.rename(columns={"unique_id": "queue"}).copy()
    frame["ds"] = pd.to_datetime(frame["ds"])
    warnings: list[str] = []
    rows: list[tuple[Any, ...]] = []
    interval_s = config.interval_s
    for channel, part in frame.groupby("queue", sort=True):
        target = targets.get(str(channel))
        if target is None:
            warnings.append(
                f"deferred channel {channel}: no response target (not in the scenario or "
                "[deferred.channels]); not staffed"
            )
            continue
        if not (part["calls"].fillna(0) > 0).any():
            continue
        first, items, aht = _to_interval_grid(part, config.interval_minutes)
        start = first.to_pydatetime()
        clock = target.clock if target.business_hours else None
        agents = required_agents(
            items,
            aht,
            start=start,
            interval_s=interval_s,
            target_s=target.target_s,
            clock=clock,
            productive_share=target.productive_share,
        )
        minimum = np.zeros_like(agents)
        if target.min_agents > 0:
            from wfm.deferred import open_intervals

            opened = open_intervals(len(agents), start, interval_s, target.clock)
            minimum = target.min_agents * opened
        fte = np.maximum(agents, minimum)
        check = check_plan(
            items,
            aht,
            fte,
            start=start,
            interval_s=interval_s,
            target_s=target.target_s,
            clock=clock,
            productive_share=target.productive_share,
        )
        spill = float((items * aht).sum() - agents.sum() * interval_s * target.productive_share)
        if spill > 1:
            warnings.append(
                f"deferred channel {channel}: {spill / 3600:.1f} agent-hours of work are due "
                "after the forecast's last interval and not in the requirement"
            )
        policy = config.policy(str(channel))
        for i in range(len(items)):
            if items[i] <= 0 and fte[i] <= 0:
                continue
            ds = first + i * pd.Timedelta(minutes=config.interval_minutes)
            raw = math.ceil(fte[i] - 1e-9) if fte[i] > 1e-9 else 0
            shrinkage = policy.shrinkage.at(ds)
            scheduled = (
                math.ceil(fte[i] / (1 - shrinkage) * (1 - 1e-12) - 1e-9) if fte[i] > 1e-9 else 0
            )
            work = agents[i] * interval_s * target.productive_share
            binding = "target" if minimum[i] <= agents[i] else "minimum"
            binding = "none" if fte[i] <= 1e-9 else binding
            rows.append(
                (
                    str(channel),
                    ds,
                    float(items[i]),
                    float(aht[i]),
                    WORKLOAD,
                    math.nan,
                    raw,
                    shrinkage,
                    scheduled,
                    float(check.by_interval[i]),
                    math.nan,
                    math.nan,
                    work / (raw * interval_s) if raw else math.nan,
                    binding,
                    float(fte[i]),
                )
            )
    return _requirement_frame(rows), warnings


def deferred_forecast_from_store(
    planning_db: str | Path,
) -> tuple[pd.DataFrame, list[str], list[str]] | None:
    """The newest deferred forecasts (``deferred_arrivals``, ``deferred_aht_s``) as
    (frame queue/ds/calls/aht_s, run ids, warnings); None when the store has none."""
    try:
        from forecasting.store import latest_forecasts
    except ImportError:
        return None
    arrivals = latest_forecasts(planning_db, "deferred_arrivals")
    if arrivals is None or arrivals.empty:
        return None
    handle = latest_forecasts(planning_db, "deferred_aht_s")
    if handle is None or handle.empty:
        handle = arrivals.head(0)
    run_ids = sorted({str(r) for r in pd.concat([arrivals["run_id"], handle["run_id"]]).unique()})
    frame, warnings = merge_forecasts(arrivals, handle)
    return frame, run_ids, [f"deferred: {w}" for w in warnings]


# --- trunks and summary -------------------------------------------------------------------


def trunk_load_erlangs(requirements_frame: pd.DataFrame, config: StaffingConfig) -> pd.DataFrame:
    """Offered load on the trunk lines per queue and interval, in Erlangs.

    A call holds a line for ivr_s + its wait + (aht_s - acw_s). The mean wait over all
    calls is asa_s for Erlang C; for Erlang A it is P(abandon)·patience_s, since
    P(abandon) = θ·E[wait] for exponential patience (Mandelbaum & Zeltyn 2013).
    Columns: queue, ds, load_erlangs.
    """
    r = requirements_frame
    if "model" in r:
        r = r[r["model"] != WORKLOAD]  # deferred channels hold no trunk line here
    wait = np.where(r["model"] == "erlang_a", r["p_abandon"] * r["patience_s"], r["asa_s"]).astype(
        float
    )
    wait = np.where(r["calls"] > 0, np.nan_to_num(wait, nan=0.0), 0.0)
    talk = np.where(r["calls"] > 0, np.maximum(r["aht_s"] - config.trunks.acw_s, 0.0), 0.0)
    load = r["calls"] / config.interval_s * (config.trunks.ivr_s + wait + talk)
    return pd.DataFrame({"queue": r["queue"], "ds": r["ds"], "load_erlangs": load})


@dataclass(frozen=True)
class TrunkSizing:
    """Erlang B lines for the peak interval's offered load (Erlang 1917; M/M/n/n)."""

    lines: int
    peak_ds: str | None
    peak_load_erlangs: float
    blocking: float


def trunk_lines(load_erlangs: float, blocking: float) -> int:
    """The fewest trunk lines / IVR ports with Erlang B blocking <= ``blocking`` (0 for no load)."""
    if load_erlangs == 0:
        return 0
    return lines_for_blocking(load_erlangs, blocking)


def _peak(loads: pd.DataFrame, blocking: float) -> TrunkSizing:
    if loads.empty or loads["load_erlangs"].max() <= 0:
        return TrunkSizing(0, None, 0.0, blocking)
    peak = loads.loc[loads["load_erlangs"].idxmax()]
    load = float(peak["load_erlangs"])
    return TrunkSizing(
        trunk_lines(load, blocking), f"{pd.Timestamp(peak['ds']):%Y-%m-%d %H:%M}", load, blocking
    )


def summarize(
    requirements_frame: pd.DataFrame,
    config: StaffingConfig,
    deferred: Mapping[str, DeferredTarget] | None = None,
) -> dict[str, Any]:
    """Per queue: peak requirement, agent-hours raw and with shrinkage, trunk lines.

    Agent-hours = sum over intervals of agents x interval length in hours
    (``agent_hours_fte``: of the unrounded ``agents_fte``; for a deferred channel the
    workload over the productive share). The center's trunk lines are sized for the
    interval with the highest total load over all voice queues. ``deferred``: the
    deferred channels' targets, for their descriptions.
    """
    hours = config.interval_minutes / 60
    loads = trunk_load_erlangs(requirements_frame, config)
    queues = {}
    for queue, part in requirements_frame.groupby("queue", sort=True):
        peak = part.loc[part["agents_required"].idxmax()]
        model = str(part["model"].iloc[0])
        if model == WORKLOAD:
            target = deferred.get(str(queue)) if deferred else None
            described = target.describe_target() if target else "workload in the window"
        else:
            described = config.policy(str(queue)).describe_target()
        fte = part["agents_fte"] if "agents_fte" in part else part["agents_raw"]
        queues[str(queue)] = {
            "model": model,
            "target": described,
            "intervals": len(part),
            "calls": float(part["calls"].sum()),
            "peak_agents_required": int(peak["agents_required"]),
            "peak_agents_raw": int(peak["agents_raw"]),
            "peak_ds": f"{pd.Timestamp(peak['ds']):%Y-%m-%d %H:%M}",
            "agent_hours_raw": float(part["agents_raw"].sum() * hours),
            "agent_hours_required": float(part["agents_required"].sum() * hours),
            "agent_hours_fte": float(fte.fillna(part["agents_raw"]).sum() * hours),
            "occupancy_bound_intervals": int((part["binding"] == "occupancy").sum()),
            "trunks": asdict(_peak(loads[loads["queue"] == queue], config.trunks.blocking)),
        }
    total = loads.groupby("ds", as_index=False)["load_erlangs"].sum()
    return {
        "queues": queues,
        "agent_hours_raw": float(requirements_frame["agents_raw"].sum() * hours),
        "agent_hours_required": float(requirements_frame["agents_required"].sum() * hours),
        "trunks": asdict(_peak(total, config.trunks.blocking)),
    }


# --- patience -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatienceEstimate:
    queue: str
    patience_s: float
    source: str  # warehouse | default
    abandoned: int
    visits: int
    wait_s: float


def estimate_patience(
    history: pd.DataFrame, queues: list[str], config: StaffingConfig
) -> dict[str, PatienceEstimate]:
    """Mean patience per queue: sum of waits of all visits / abandoned visits (1/θ).

    ``history``: per queue, ``visits``, ``abandoned`` and ``wait_s`` (sum of the waits of
    all visits, answered, abandoned or otherwise ended). With fewer than
    ``config.min_abandons`` abandons (or no waits), the queue's configured ``patience_s``.
    """
    by_queue = {str(row.queue): row for row in history.itertuples(index=False)}
    estimates = {}
    for queue in queues:
        fallback = config.policy(queue).patience_s
        row = by_queue.get(queue)
        if row is None:
            estimates[queue] = PatienceEstimate(queue, fallback, "default", 0, 0, 0.0)
            continue
        abandoned, visits, wait = int(row.abandoned), int(row.visits), float(row.wait_s or 0)
        if abandoned >= config.min_abandons and wait > 0:
            estimates[queue] = PatienceEstimate(
                queue, wait / abandoned, "warehouse", abandoned, visits, wait
            )
        else:
            estimates[queue] = PatienceEstimate(queue, fallback, "default", abandoned, visits, wait)
    return estimates


PATIENCE_SQL = """
with visits as (
    select queue, outcome, wait_s, enter_time_local
    from int_queue_visits
    where outcome in ('answered', 'abandoned', 'timeout', 'exitwithkey')
      and wait_s is not null
),
recent as (
    select * from visits
    where enter_time_local >= (select max(enter_time_local) from visits) - to_days(?)
)
select
    queue,
    count(*) as visits,
    count(*) filter (where outcome = 'abandoned') as abandoned,
    sum(wait_s)::double as wait_s
from recent
group by queue
order by queue
"""


def patience_history(warehouse_db: str | Path, days: int) -> pd.DataFrame:
    """Per queue over the last ``days`` days of ``int_queue_visits``: visits, abandoned, wait_s.

    Visits that ended otherwise than answered or abandoned (timeout, left with a key)
    count as censored observations: their wait is in the exposure, they are no abandon.
    Unfinished and exit-empty visits are left out.
    """
    import duckdb

    from warehouse.connect import read_only

    try:
        with read_only(warehouse_db) as con:
            return con.execute(PATIENCE_SQL, [days]).df()
    except FileNotFoundError:
        raise StaffingError(f"no warehouse at {warehouse_db} (for patience)") from None
    except duckdb.Error as exc:
        raise StaffingError(
            f"{warehouse_db}: cannot read int_queue_visits for patience: {exc}"
        ) from None


# --- forecasts in --------------------------------------------------------------------------


def merge_forecasts(offered: pd.DataFrame, aht: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Forecast frames (unique_id, ds, y_hat) of volume and AHT -> (queue, ds, calls, aht_s).

    Negative volume forecasts (a model artefact) become 0. An interval with a volume
    forecast but no AHT forecast takes the queue's call-weighted mean AHT; an interval
    with only an AHT forecast has no calls. Each repair is reported in the warnings.
    """
    warnings = []
    calls = offered[["unique_id", "ds", "y_hat"]].rename(columns={"y_hat": "calls"})
    handle = aht[["unique_id", "ds", "y_hat"]].rename(columns={"y_hat": "aht_s"})
    frame = calls.merge(handle, on=["unique_id", "ds"], how="outer")
    frame["calls"] = frame["calls"].astype(float)
    frame["aht_s"] = frame["aht_s"].astype(float)
    negative = int((frame["calls"] < 0).sum())
    if negative:
        warnings.append(f"{negative} negative volume forecast(s) set to 0 calls")
        frame.loc[frame["calls"] < 0, "calls"] = 0.0
    no_calls = int(frame["calls"].isna().sum())
    if no_calls:
        warnings.append(f"{no_calls} interval(s) with an AHT but no volume forecast: 0 calls")
        frame["calls"] = frame["calls"].fillna(0.0)
    for queue, part in frame.groupby("unique_id"):
        gap = part["aht_s"].isna() | ~(part["aht_s"] > 0)
        if not (gap & (part["calls"] > 0)).any():
            continue
        known = part[~gap]
        if known.empty or known["calls"].sum() <= 0:
            mean_aht = float(known["aht_s"].mean()) if not known.empty else math.nan
        else:
            mean_aht = float(np.average(known["aht_s"], weights=known["calls"]))
        if not math.isfinite(mean_aht):
            raise StaffingError(f"queue {queue}: no AHT forecast at all; forecast aht_s first")
        frame.loc[part.index[gap], "aht_s"] = mean_aht
        warnings.append(
            f"queue {queue}: {int(gap.sum())} interval(s) without an AHT forecast use the "
            f"queue's mean {mean_aht:.0f} s"
        )
    return frame.rename(columns={"unique_id": "queue"}), warnings


def forecast_from_store(planning_db: str | Path) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The newest volume and AHT forecasts: (frame queue/ds/calls/aht_s, run ids, warnings)."""
    try:
        from forecasting.store import latest_forecasts
    except ImportError:
        raise StaffingError(
            "forecasting.store is not available; give the forecast with --forecast FILE"
        ) from None

    offered = latest_forecasts(planning_db, "offered")
    aht = latest_forecasts(planning_db, "aht_s")
    if offered is None or offered.empty:
        raise StaffingError(
            f"{planning_db}: no volume ('offered') forecast; run 'callcenter forecast' first "
            "or give --forecast FILE"
        )
    if aht is None or aht.empty:
        raise StaffingError(
            f"{planning_db}: no AHT ('aht_s') forecast; run 'callcenter forecast' first "
            "or give --forecast FILE"
        )
    run_ids = sorted({str(r) for r in pd.concat([offered["run_id"], aht["run_id"]]).unique()})
    frame, warnings = merge_forecasts(offered, aht)
    return frame, run_ids, warnings


def forecast_from_csv(path: str | Path) -> pd.DataFrame:
    """A forecast CSV with columns unique_id, ds, calls, aht_s (local interval starts)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise StaffingError(f"forecast file not found: {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise StaffingError(f"{path}: not a readable CSV: {exc}") from None
    missing = [c for c in ("unique_id", "ds", "calls", "aht_s") if c not in frame.columns]
    if missing:
        raise StaffingError(
            f"{path}: missing column(s) {', '.join(missing)} (expected unique_id, ds, calls, aht_s)"
        )
    return frame


# --- planning store -----------------------------------------------------------------------

_CREATE = """
create table if not exists staffing_runs (
    run_id varchar primary key,
    created_at timestamptz not null,
    config varchar not null,          -- the configuration used, JSON (with patience per queue)
    forecast_run_ids varchar          -- comma-separated forecast run ids, or the CSV file
);
create table if not exists requirements (
    run_id varchar not null,
    queue varchar not null,           -- the queue, or the deferred channel's name
    ds timestamp not null,            -- local interval start
    calls double,                     -- forecast calls offered (deferred: items arriving)
    aht_s double,                     -- forecast average handle time, seconds
    model varchar,                    -- erlang_a | erlang_c | workload (deferred channel)
    agents_raw integer,               -- agents on the phones to meet target and occupancy
    shrinkage double,                 -- planned + unplanned share of paid time
    agents_required integer,          -- ceil(agents_raw / (1 - shrinkage)): agents scheduled
    service_level double,             -- predicted service level with agents_raw
    asa_s double,                     -- predicted ASA (C: all calls, A: answered calls), s
    p_abandon double,                 -- predicted abandon share (Erlang A; null for C)
    occupancy double,                 -- predicted agent occupancy
    binding varchar,                  -- target | occupancy | minimum | none (no calls)
    agents_fte double,                -- unrounded agents on the work (deferred: workload
                                      -- / (interval x productive share); voice: agents_raw)
    primary key (run_id, queue, ds)
);
-- stores written before deferred channels (model = 'workload') had no agents_fte
alter table requirements add column if not exists agents_fte double;
"""


def save_requirements(
    planning_db: str | Path,
    requirements_frame: pd.DataFrame,
    config: Mapping[str, Any],
    forecast_run_ids: list[str],
) -> str:
    """Store one staffing run in the planning store (one transaction); returns its run id."""
    from warehouse.connect import read_write

    run_id = f"staff-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    frame = requirements_frame
    if "agents_fte" not in frame:  # a frame from before deferred channels
        frame = frame.assign(agents_fte=frame["agents_raw"].astype(float))
    rows = frame[list(STORED_COLUMNS)].copy()
    rows.insert(0, "run_id", run_id)
    with read_write(planning_db) as con:
        con.execute(_CREATE)
        con.execute("begin transaction")
        try:
            con.execute(
                "insert into staffing_runs values (?, now(), ?, ?)",
                [run_id, json.dumps(config, default=str), ",".join(forecast_run_ids)],
            )
            con.register("new_requirements", rows)
            con.execute(
                f"insert into requirements ({', '.join(['run_id', *STORED_COLUMNS])}) "
                f"select * from new_requirements"
            )
            con.unregister("new_requirements")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return run_id


def latest_requirements(planning_db: str | Path) -> pd.DataFrame:
    """The newest staffing run's requirements: run_id, then ``STORED_COLUMNS``.

    One row per (queue, ds); ds is the local interval start (TIMESTAMP). Raises
    ``StaffingError`` when the store has no staffing run.
    """
    from warehouse.connect import read_only

    path = Path(planning_db)
    if not path.is_file():
        raise StaffingError(f"no planning store at {path}: run 'callcenter staff' first")
    with read_only(path) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if not {"staffing_runs", "requirements"} <= tables:
            raise StaffingError(f"{path}: no staffing run yet; run 'callcenter staff' first")
        present = {
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where table_name = 'requirements'"
            ).fetchall()
        }
        selected = ", ".join(
            f"r.{c}" if c in present else f"null::double as {c}" for c in STORED_COLUMNS
        )
        frame = con.execute(
            f"""
            select r.run_id, {selected}
            from requirements r
            where r.run_id = (
                select run_id from staffing_runs order by created_at desc, run_id desc limit 1
            )
            order by r.queue, r.ds
            """
        ).df()
    if frame.empty:
        raise StaffingError(f"{path}: no staffing run yet; run 'callcenter staff' first")
    return frame
