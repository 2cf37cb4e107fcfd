"""Build and solve the weekly roster model (CP-SAT); see ``wfm.roster`` for the design.

Entry point: ``solve_roster(agents, templates, requirements, week_start, ...)``.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce

import numpy as np
import pandas as pd

from wfm.roster.coverage import allocate, coverage_frame, summarise
from wfm.roster.domain import (
    WEEKDAYS,
    WORKLOAD,
    Agent,
    PreviousWeek,
    RosterActivity,
    RosterInputError,
    RosterResult,
    Rules,
    ShiftTemplate,
    Weights,
)
from wfm.roster.linear import INF, LinearModel

log = logging.getLogger(__name__)

DAYS = 7
RULE_TAGS = ("days", "hours", "rest", "consecutive", "weekend")


@dataclass(frozen=True)
class ShiftOption:
    """One concrete shift: a template started at ``start`` (minutes after week start)."""

    index: int
    template: ShiftTemplate
    day: int  # 0..6 within the week
    start: int

    @property
    def end(self) -> int:
        return self.start + self.template.length_min

    @property
    def start_of_day(self) -> int:
        return self.start - self.day * 1440


@dataclass
class Problem:
    """The inputs made ready for modelling: options, eligibility, requirement units."""

    agents: list[Agent]
    week_start: date
    rules: Rules
    weights: Weights
    interval_min: int
    slot_min: int
    options: list[ShiftOption]
    agent_options: list[dict[int, list[ShiftOption]]]  # per agent: day -> options
    skills: list[str]  # skills some agent has and some interval requires
    required_units: dict[str, np.ndarray]  # skill -> slot-agents needed per interval
    requirements: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    deferred: frozenset[str] = frozenset()  # skills required with method "workload"

    def under_weight(self, skill: str) -> int:
        """The objective's cost of one slot-agent short on ``skill`` (``Weights``)."""
        base = self.weights.deferred_under if skill in self.deferred else self.weights.under
        return base * self.weights.skill.get(skill, 1)

    @property
    def slots_per_interval(self) -> int:
        return self.interval_min // self.slot_min

    @property
    def horizon_intervals(self) -> int:
        return (DAYS + 1) * 1440 // self.interval_min  # one spare day for night shifts


def prepare(
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    requirements: pd.DataFrame,
    week_start: date,
    rules: Rules,
    weights: Weights,
    interval_min: int | None = None,
) -> Problem:
    """Validate the inputs and enumerate every shift option each agent may work."""
    rules.validate()
    if not templates:
        raise RosterInputError("no shift templates given")
    by_name = {}
    for template in templates:
        template.validate()
        if template.name in by_name:
            raise RosterInputError(f"shift template {template.name!r} is defined twice")
        by_name[template.name] = template
    if not agents:
        raise RosterInputError("no agents given: pass an agents file or a scenario")
    seen: set[str] = set()
    for agent in agents:
        if agent.agent_id in seen:
            raise RosterInputError(f"agent {agent.agent_id} appears twice in the agents list")
        seen.add(agent.agent_id)
        if not agent.skills:
            raise RosterInputError(f"agent {agent.agent_id} has no skills")
        unknown = [name for name in agent.templates if name not in by_name]
        if unknown:
            raise RosterInputError(
                f"agent {agent.agent_id}: unknown shift template(s) {', '.join(unknown)} "
                f"(known: {', '.join(by_name)})"
            )
    frame, deferred = _week_requirements(requirements, week_start)
    interval_min = interval_min or infer_interval_min(frame)
    if 1440 % interval_min:
        raise RosterInputError(f"interval of {interval_min} min does not divide a day")
    slot_min = reduce(
        math.gcd,
        [interval_min]
        + [
            value
            for t in templates
            for value in (
                t.length_min,
                t.start_earliest_min,
                t.start_step_min,
                t.lunch_min,
                t.break_min,
                *t.lunch_window_min,
                *(v for w in t.break_windows_min for v in w),
            )
        ],
    )
    options = _enumerate_options(templates)
    agent_options = [_eligible(agent, options, week_start, by_name) for agent in agents]
    agent_skills = {s for a in agents for s in a.skills}
    required_units: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    intervals = (DAYS + 1) * 1440 // interval_min
    spi = interval_min // slot_min
    origin = pd.Timestamp(datetime.combine(week_start, datetime.min.time()))
    for skill, rows in frame.groupby("skill", sort=True):
        if rows["required"].sum() <= 0:
            continue
        if skill not in agent_skills:
            hours = rows["required"].sum() * interval_min / 60
            warnings.append(
                f"skill {skill!r} is required ({hours:.1f} agent-hours) but no agent has it: "
                "it stays uncovered, the other skills are still rostered"
            )
            continue
        units = np.zeros(intervals, dtype=np.int64)
        index = ((rows["ds"] - origin) / pd.Timedelta(minutes=interval_min)).astype(int)
        for t, required in zip(index, rows["required"], strict=True):
            units[t] += math.ceil(float(required) * spi - 1e-9)
        required_units[str(skill)] = units
    return Problem(
        agents=list(agents),
        week_start=week_start,
        rules=rules,
        weights=weights,
        interval_min=interval_min,
        slot_min=slot_min,
        options=options,
        agent_options=agent_options,
        skills=sorted(required_units),
        required_units=required_units,
        requirements=frame,
        warnings=warnings,
        deferred=deferred,
    )


def _week_requirements(
    requirements: pd.DataFrame, week_start: date
) -> tuple[pd.DataFrame, frozenset[str]]:
    """The week's rows summed per skill and interval, and the deferred skills (rows with
    method ``workload``)."""
    missing = [c for c in ("skill", "ds", "required") if c not in requirements.columns]
    if missing:
        raise RosterInputError(f"requirements lack column(s) {', '.join(missing)}")
    deferred: frozenset[str] = frozenset()
    if "method" in requirements.columns:
        marked = requirements["method"].astype(str) == WORKLOAD
        deferred = frozenset(requirements.loc[marked, "skill"].astype(str))
    frame = requirements[["skill", "ds", "required"]].copy()
    frame["skill"] = frame["skill"].astype(str)
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["required"] = pd.to_numeric(frame["required"]).astype(float)
    if (frame["required"] < 0).any() or frame["required"].isna().any():
        raise RosterInputError("requirements: required must be a number >= 0 in every row")
    start = pd.Timestamp(week_start)
    frame = frame[(frame["ds"] >= start) & (frame["ds"] < start + pd.Timedelta(days=DAYS))]
    if frame.empty or frame["required"].sum() <= 0:
        raise RosterInputError(
            f"no requirements for the week starting {week_start}: forecast and staff that "
            "week first (callcenter staff) or pass --requirements with rows for it"
        )
    return frame.groupby(["skill", "ds"], as_index=False)["required"].sum(), deferred


def infer_interval_min(requirements: pd.DataFrame) -> int:
    """The requirement grid: the smallest gap between two intervals of one skill (30 if
    every skill has a single interval)."""
    gaps = []
    for _, rows in requirements.groupby("skill"):
        values = np.sort(rows["ds"].unique())
        if len(values) > 1:
            gaps.append(np.diff(values).min() / np.timedelta64(1, "m"))
    interval = int(min(gaps)) if gaps else 30
    if interval <= 0 or 1440 % interval:
        raise RosterInputError(f"requirement intervals are {interval} min apart: use 15 or 30")
    return interval


def _enumerate_options(templates: Sequence[ShiftTemplate]) -> list[ShiftOption]:
    options = []
    for day in range(DAYS):
        for template in templates:
            for start in range(
                template.start_earliest_min, template.start_latest_min + 1, template.start_step_min
            ):
                options.append(ShiftOption(len(options), template, day, day * 1440 + start))
    return options


def _eligible(
    agent: Agent,
    options: Sequence[ShiftOption],
    week_start: date,
    templates: dict[str, ShiftTemplate],
) -> dict[int, list[ShiftOption]]:
    allowed = set(agent.templates or templates)
    result: dict[int, list[ShiftOption]] = defaultdict(list)
    for option in options:
        day = week_start + timedelta(days=option.day)
        if option.template.name not in allowed or day in agent.days_off:
            continue
        if agent.availability is not None:
            windows = agent.availability.get(day.weekday(), ())
            start, end = option.start_of_day, option.start_of_day + option.template.length_min
            if not any(lo <= start and end <= hi for lo, hi in windows):
                continue
        result[option.day].append(option)
    return dict(result)


def _prefers(agent: Agent, option: ShiftOption) -> bool:
    if agent.preferred_start is None:
        return True
    lo, hi = agent.preferred_start
    return lo <= option.start_of_day <= hi


# ----------------------------------------------------------------------------- the rules


def add_agent_rules(
    model: LinearModel,
    agent: Agent,
    choices: dict[int, list[tuple[ShiftOption, int]]],
    rules: Rules,
    week_start: date,
) -> None:
    """The hard rules of one agent's week on their choice variables (one per option)."""
    every = [(o, v) for day in sorted(choices) for o, v in choices[day]]
    for pairs in choices.values():
        model.add([v for _, v in pairs], [1] * len(pairs), 0, 1, "one_a_day")
    model.add(
        [v for _, v in every],
        [1] * len(every),
        rules.min_days_per_week,
        rules.max_days_per_week,
        "days",
    )
    model.add(
        [v for _, v in every],
        [o.template.paid_min for o, _ in every],
        agent.contract_min - rules.hours_tolerance_min,
        agent.contract_min + rules.hours_tolerance_min,
        "hours",
    )
    days = sorted(choices)
    for i, first in enumerate(days):
        for second in days[i + 1 :]:
            latest_end = max(o.end for o, _ in choices[first])
            if min(o.start for o, _ in choices[second]) >= latest_end + rules.min_rest_min:
                continue
            for end in sorted({o.end for o, _ in choices[first]}):
                early = [v for o, v in choices[first] if o.end >= end]
                late = [v for o, v in choices[second] if o.start < end + rules.min_rest_min]
                if late:
                    model.add(early + late, [1] * (len(early) + len(late)), -INF, 1, "rest")
    limit = rules.max_consecutive_days
    for first in range(DAYS - limit):
        window = [v for d in range(first, first + limit + 1) for _, v in choices.get(d, [])]
        if window:
            model.add(window, [1] * len(window), -INF, limit, "consecutive")
    if agent.previous is not None:
        _add_previous_week(model, agent.previous, choices, rules)
    weekend = [d for d in range(DAYS) if (week_start + timedelta(days=d)).weekday() >= 5]
    if weekend and rules.min_weekend_days_off:
        worked = [v for d in weekend for _, v in choices.get(d, [])]
        most = max(0, len(weekend) - rules.min_weekend_days_off)
        if worked:
            model.add(worked, [1] * len(worked), -INF, most, "weekend")


def _add_previous_week(
    model: LinearModel,
    previous: PreviousWeek,
    choices: dict[int, list[tuple[ShiftOption, int]]],
    rules: Rules,
) -> None:
    """The rest and consecutive-days rules across the start of the week.

    Rest: no shift may start before the last shift of the previous week ended plus the
    minimum rest (a night shift running into the week also blocks what overlaps it).
    Consecutive days: after ``j`` days worked in a row up to the week, any ``limit + 1``
    days from ``j`` days before the week hold at most ``limit`` worked ones, so the
    first ``limit - j + 1`` days of the week hold at most ``limit - j`` (after ``limit``
    days or more, the first day is off)."""
    if previous.last_end_min is not None:
        earliest = previous.last_end_min + rules.min_rest_min
        for pairs in choices.values():
            for option, v in pairs:
                if option.start < earliest:
                    model.add([v], [1], -INF, 0, "rest")
    limit = rules.max_consecutive_days
    for j in range(1, min(previous.worked_days, limit) + 1):
        window = [v for d in range(0, limit - j + 1) for _, v in choices.get(d, [])]
        if window:
            model.add(window, [1] * len(window), -INF, limit - j, "consecutive")


def _agent_model(
    problem: Problem, a: int, skip: frozenset[str] = frozenset()
) -> tuple[LinearModel, dict[int, list[tuple[ShiftOption, int]]]]:
    model = LinearModel()
    choices = {
        day: [(o, model.var(0, 1)) for o in options]
        for day, options in problem.agent_options[a].items()
    }
    add_agent_rules(model, problem.agents[a], choices, problem.rules, problem.week_start)
    model.rows = [row for row in model.rows if row[4] not in skip]
    return model, choices


def _solve_small(model: LinearModel, time_limit_s: float = 5.0) -> list[int] | None:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_s
    status = solver.solve(model.to_cp_sat())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution)


def diagnose_agent(problem: Problem, a: int) -> str:
    """Why agent ``a``'s rules cannot all hold: the rule whose removal makes the week
    possible, with the numbers, and what to change."""
    agent, rules = problem.agents[a], problem.rules
    options = problem.agent_options[a]
    days = sorted(options)
    day_names = ", ".join(
        WEEKDAYS[(problem.week_start + timedelta(days=d)).weekday()] for d in days
    )
    where = f"agent {agent.agent_id}"
    if not days:
        return (
            f"{where}: no shift template fits their availability and days off on any day "
            "of the week (widen the availability or remove the agent)"
        )
    culprit = next(
        (tag for tag in RULE_TAGS if _solve_small(_agent_model(problem, a, frozenset({tag}))[0])),
        None,
    )
    contract_h = agent.contract_min / 60
    if culprit == "days":
        return (
            f"{where}: {rules.min_days_per_week} working days a week needed but only "
            f"{len(days)} available day(s) ({day_names}); add availability or lower the "
            "minimum days per week"
        )
    if culprit == "hours":
        model, choices = _agent_model(problem, a, frozenset({"hours"}))
        pairs = [(o, v) for day in choices.values() for o, v in day]
        for v in model.objective:
            model.objective[v] = 0
        for o, v in pairs:
            model.minimise(v, -o.template.paid_min)
        solution = _solve_small(model)
        most = sum(o.template.paid_min for o, v in pairs if solution and solution[v]) / 60
        return (
            f"{where}: {contract_h:g} h contracted but at most {most:g} h fit into "
            f"{len(days)} available day(s) ({day_names}) under the rules; widen the "
            "availability, grant fewer days off, or change the contract"
        )
    before = agent.previous
    if culprit == "rest":
        counting = " (counting last week's last shift)" if before and before.last_end_min else ""
        return (
            f"{where}: the minimum rest of {rules.min_rest_min / 60:g} h between shifts"
            f"{counting} cannot be kept with {contract_h:g} h contracted on {len(days)} available "
            f"day(s) ({day_names}); widen the availability"
        )
    if culprit == "consecutive":
        counting = (
            f", counting the {before.worked_days} day(s) worked in a row before the week"
            if before and before.worked_days
            else ""
        )
        return (
            f"{where}: {contract_h:g} h contracted on the available days ({day_names}) "
            f"needs more than {rules.max_consecutive_days} consecutive working days{counting}"
        )
    if culprit == "weekend":
        return (
            f"{where}: {rules.min_weekend_days_off} weekend day(s) off required, but "
            f"{contract_h:g} h contracted fit only by working the weekend ({day_names})"
        )
    return (
        f"{where}: availability ({day_names}), days off, {contract_h:g} h contracted and "
        "the rules cannot all hold at once; relax one of them"
    )


# ----------------------------------------------------------------------- the main model


@dataclass
class MainModel:
    model: LinearModel
    x: dict[tuple[int, int], int]  # (agent, option) -> variable
    n: dict[tuple[tuple[str, ...], int], int]  # (skill set, option) -> agents working it
    # (skill set, option, activity number) -> [(start offset, variable counting agents)]
    activity_counts: dict[tuple[tuple[str, ...], int, int], list[tuple[int, int]]]
    under: dict[tuple[str, int], int]  # (skill, interval) -> slot-agents short
    groups: dict[tuple[str, ...], list[int]]  # skill set -> agent indices
    # skill set -> interval -> {variable: slots}: agents of the set on the phone, in slots
    presence: dict[tuple[str, ...], dict[int, dict[int, int]]]
    # (skill set, interval) -> [(skill, variable)]: slot-agents of the set serving the skill
    flows: dict[tuple[tuple[str, ...], int], list[tuple[str, int]]]


def _slots_by_interval(problem: Problem, start: int, length: int) -> list[tuple[int, int]]:
    """``(interval, slots)`` pairs covered by ``[start, start + length)`` minutes."""
    counts: dict[int, int] = defaultdict(int)
    for minute in range(start, start + length, problem.slot_min):
        counts[minute // problem.interval_min] += 1
    return sorted(counts.items())


def build_model(problem: Problem, objective: str = "weighted") -> MainModel:
    """The full roster model. ``objective``: ``weighted`` (under, over, preferences, see
    ``Weights``) or ``under`` (slot-agents short only: the LP bound's objective)."""
    model = LinearModel()
    weights = problem.weights
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for a, agent in enumerate(problem.agents):
        groups[agent.skill_set].append(a)
    x: dict[tuple[int, int], int] = {}
    for a, agent in enumerate(problem.agents):
        choices = {
            day: [(o, model.var(0, 1, f"x{a}_{o.index}")) for o in options]
            for day, options in problem.agent_options[a].items()
        }
        for pairs in choices.values():
            for o, v in pairs:
                x[(a, o.index)] = v
                if objective == "weighted" and not _prefers(agent, o):
                    model.minimise(v, weights.preference)
        add_agent_rules(model, agent, choices, problem.rules, problem.week_start)
    if objective == "weighted":
        _break_symmetry(model, problem, x)
    n: dict[tuple[tuple[str, ...], int], int] = {}
    counts: dict[tuple[tuple[str, ...], int, int], list[tuple[int, int]]] = {}
    presence: dict[tuple[str, ...], dict[int, dict[int, int]]] = {
        g: defaultdict(lambda: defaultdict(int)) for g in groups
    }
    for g, members in groups.items():
        for option in problem.options:
            workers = [x[(a, option.index)] for a in members if (a, option.index) in x]
            if not workers:
                continue
            count = model.var(0, len(workers), f"n{option.index}")
            n[(g, option.index)] = count
            model.add([count, *workers], [1] + [-1] * len(workers), 0, 0, "link")
            for t, slots in _slots_by_interval(problem, option.start, option.template.length_min):
                presence[g][t][count] += slots
            if objective == "weighted":
                net_slots = option.template.net_min // problem.slot_min
                model.minimise(count, weights.over * net_slots)
            for k, (_kind, lo, hi, length) in enumerate(option.template.activities()):
                variables = []
                for offset in range(lo, hi + 1, problem.slot_min):
                    v = model.var(0, len(workers))
                    variables.append((offset, v))
                    for t, slots in _slots_by_interval(problem, option.start + offset, length):
                        presence[g][t][v] -= slots
                counts[(g, option.index, k)] = variables
                model.add(
                    [count, *(v for _, v in variables)],
                    [1] + [-1] * len(variables),
                    0,
                    0,
                    "link",
                )
    under: dict[tuple[str, int], int] = {}
    flows: dict[tuple[tuple[str, ...], int], list[tuple[str, int]]] = defaultdict(list)
    total_required = 0
    for skill in problem.skills:
        units = problem.required_units[skill]
        under_weight = problem.under_weight(skill)
        for t in np.flatnonzero(units):
            t = int(t)
            required = int(units[t])
            total_required += required
            short = model.var(0, required, f"u_{skill}_{t}")
            under[(skill, t)] = short
            coef = under_weight + weights.over if objective == "weighted" else 1
            model.minimise(short, coef)
            terms = [short]
            for g in groups:
                if skill in g and presence[g].get(t):
                    f = model.var(0, required)
                    flows[(g, t)].append((skill, f))
                    terms.append(f)
            model.add(terms, [1] * len(terms), required, required, "cover")
    for (g, t), pairs in flows.items():
        present = presence[g][t]
        model.add(
            [f for _, f in pairs] + list(present),
            [1] * len(pairs) + [-c for c in present.values()],
            -INF,
            0,
            "cover",
        )
    if objective == "weighted":
        model.offset = -weights.over * total_required
    return MainModel(model, x, n, counts, under, dict(groups), presence, dict(flows))


def identical_agents(problem: Problem) -> list[list[int]]:
    """Classes of interchangeable agents (indices in order), singletons included."""
    classes: dict[tuple, list[int]] = defaultdict(list)
    for a, agent in enumerate(problem.agents):
        key = (
            agent.skill_set,
            agent.contract_min,
            repr(agent.availability),
            tuple(sorted(agent.days_off)),
            agent.preferred_start,
            tuple(sorted(agent.templates)),
            agent.previous,
        )
        classes[key].append(a)
    return list(classes.values())


def _day_pattern(options: list[ShiftOption]) -> int:
    return sum(1 << o.day for o in options)


def _break_symmetry(model: LinearModel, problem: Problem, x: dict[tuple[int, int], int]) -> None:
    """Identical agents (same skills, contract, availability, days off, preference,
    templates and previous week) are interchangeable: order their weekly day patterns
    (sum 2^day over worked days), which keeps one of every set of equivalent rosters."""
    for members in identical_agents(problem):
        for first, second in itertools.pairwise(members):
            variables, coefficients = [], []
            for day, options in problem.agent_options[first].items():
                for o in options:
                    variables += [x[(first, o.index)], x[(second, o.index)]]
                    coefficients += [1 << day, -(1 << day)]
            if variables:
                model.add(variables, coefficients, 0, INF, "symmetry")


# ---------------------------------------------------------------------------- the greedy


def greedy_roster(
    problem: Problem, on_infeasible: str = "error", deadline: float | None = None
) -> dict[int, list[ShiftOption]]:
    """A feasible start, then improved until ``deadline`` (``time.monotonic()``).

    Start: agents one at a time (fewest options first), each given the week (a small
    CP-SAT model with only that agent's rules) that covers most of what is still
    uncovered, counting a shift's breaks and lunch as a uniform thinning of its
    presence. Improvement: passes over the agents, taking one agent's week out and
    giving them the best week against what the others leave uncovered (block
    coordinate descent), until a pass changes nothing or the deadline passes.

    An agent whose own rules cannot hold raises ``RosterInputError`` with the diagnosis
    (``on_infeasible="error"``) or is left out with a warning (``"skip"``).
    """
    residual = {s: problem.required_units[s].astype(float) for s in problem.skills}
    horizon = problem.horizon_intervals
    cover: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for o in problem.options:
        pairs = [
            (t, slots)
            for t, slots in _slots_by_interval(problem, o.start, o.template.length_min)
            if t < horizon
        ]
        thinning = o.template.net_min / o.template.length_min
        cover[o.index] = (
            np.array([t for t, _ in pairs], dtype=np.int64),
            np.array([slots * thinning for _, slots in pairs]),
        )
    order = sorted(
        range(len(problem.agents)),
        key=lambda a: (sum(len(v) for v in problem.agent_options[a].values()), a),
    )
    models: dict[int, tuple[LinearModel, dict[int, list[tuple[ShiftOption, int]]]]] = {}
    chosen: dict[int, list[ShiftOption]] = {}
    taken: dict[int, list[tuple[str, int, float]]] = {}
    zeros = np.zeros(horizon)
    preference = problem.weights.preference
    under = problem.weights.under

    deferred_under = problem.weights.deferred_under

    def gain(option: ShiftOption, best: tuple[np.ndarray, np.ndarray]) -> float:
        """Weighted slot-agents an option covers of what is left: voice first (``under``),
        then deferred channels (``deferred_under``)."""
        ts, amounts = cover[option.index]
        voice = np.minimum(amounts, best[0][ts])
        total = under * float(voice.sum())
        if problem.deferred:
            total += deferred_under * float(np.minimum(amounts - voice, best[1][ts]).sum())
        return total

    def value(a: int, options: list[ShiftOption], best: tuple[np.ndarray, np.ndarray]) -> float:
        total = 0.0
        for o in options:
            total += gain(o, best)
            total -= 0 if _prefers(problem.agents[a], o) else preference
        return total

    def best_week(a: int) -> tuple[list[ShiftOption], tuple[np.ndarray, np.ndarray]] | None:
        agent = problem.agents[a]
        voice = [residual[s] for s in agent.skills if s in residual and s not in problem.deferred]
        later = [residual[s] for s in agent.skills if s in residual and s in problem.deferred]
        best = (
            np.max(voice, axis=0) if voice else zeros,
            np.max(later, axis=0) if later else zeros,
        )
        if a not in models:
            models[a] = _agent_model(problem, a)
        model, choices = models[a]
        model.objective = {}
        for pairs in choices.values():
            for o, v in pairs:
                model.minimise(v, -round(gain(o, best)) + (0 if _prefers(agent, o) else preference))
        solution = _solve_small(model)
        if solution is None:
            return None
        return [o for pairs in choices.values() for o, v in pairs if solution[v]], best

    def place(a: int, options: list[ShiftOption]) -> None:
        agent, log_ = problem.agents[a], []
        for o in options:
            ts, amounts = cover[o.index]
            for t, amount in zip(ts.tolist(), amounts.tolist(), strict=True):
                left = amount
                for skill in sorted(
                    agent.skills,
                    key=lambda s: (s in problem.deferred, -residual.get(s, zeros)[t]),
                ):
                    if skill in residual and left > 0:
                        take = min(left, max(residual[skill][t], 0.0))
                        residual[skill][t] -= take
                        left -= take
                        log_.append((skill, t, take))
        chosen[a], taken[a] = options, log_

    def remove(a: int) -> None:
        for skill, t, amount in taken.pop(a):
            residual[skill][t] += amount
        del chosen[a]

    for a in order:
        found = best_week(a)
        if found is None:
            message = diagnose_agent(problem, a)
            if on_infeasible == "skip":
                problem.warnings.append(f"{message}: left out of the roster")
                continue
            raise RosterInputError(message)
        place(a, found[0])
    passes = 0
    while deadline is not None and time.monotonic() < deadline:
        changed = 0
        for a in order:
            if a not in chosen or time.monotonic() >= deadline:
                continue
            current = chosen[a]
            remove(a)
            week, best = best_week(a)  # type: ignore[misc]
            if value(a, week, best) > value(a, current, best) + 1e-6:
                changed += 1
                place(a, week)
            else:
                place(a, current)
        passes += 1
        log.info("roster: improvement pass %d changed %d agents", passes, changed)
        if not changed:
            break
    return chosen


# ------------------------------------------------------------------------------ solving


def _spread(total: int, choices: int, position: int) -> int:
    """The choice index for the ``position``-th of ``total`` agents, spread evenly."""
    return min(choices - 1, (2 * position + 1) * choices // (2 * total))


def _activities(
    problem: Problem,
    chosen: dict[int, list[ShiftOption]],
    counts: dict[tuple[tuple[str, ...], int, int], list[int]] | None,
) -> list[RosterActivity]:
    """Rows of the roster; lunch and breaks dealt out to the agents of each (skill set,
    option) from the solver's counts per start (or spread evenly without them)."""
    origin = datetime.combine(problem.week_start, datetime.min.time())
    working: dict[tuple[tuple[str, ...], int], list[int]] = defaultdict(list)
    for a in sorted(chosen):
        for option in chosen[a]:
            working[(problem.agents[a].skill_set, option.index)].append(a)
    rows: list[RosterActivity] = []

    def at(minute: int) -> datetime:
        return origin + timedelta(minutes=minute)

    for (g, index), members in working.items():
        option = problem.options[index]
        template = option.template
        day = problem.week_start + timedelta(days=option.day)
        for a in members:
            rows.append(
                RosterActivity(
                    problem.agents[a].agent_id,
                    day,
                    "shift",
                    at(option.start),
                    at(option.end),
                    template.name,
                )
            )
        for k, (kind, lo, hi, length) in enumerate(template.activities()):
            offsets = list(range(lo, hi + 1, problem.slot_min))
            if counts is not None and sum(counts[(g, index, k)]) == len(members):
                starts = [
                    offset
                    for offset, number in zip(offsets, counts[(g, index, k)], strict=True)
                    for _ in range(number)
                ]
            else:
                starts = [
                    offsets[_spread(len(members), len(offsets), i)] for i in range(len(members))
                ]
            for a, offset in zip(members, starts, strict=True):
                begin = option.start + offset
                rows.append(
                    RosterActivity(
                        problem.agents[a].agent_id,
                        day,
                        kind,
                        at(begin),
                        at(begin + length),
                        template.name,
                    )
                )
    rows.sort(key=lambda r: (r.agent_id, r.day, r.start, r.activity != "shift"))
    return rows


def _logging_callback(started: float, offset: float):
    from ortools.sat.python import cp_model

    class Progress(cp_model.CpSolverSolutionCallback):
        def __init__(self) -> None:
            super().__init__()
            self.solutions = 0

        def on_solution_callback(self) -> None:
            self.solutions += 1
            objective = self.objective_value + offset
            bound = self.best_objective_bound + offset
            log.info(
                "roster: solution %d objective %.0f bound %.0f gap %.1f%% at %.1f s",
                self.solutions,
                objective,
                bound,
                100 * relative_gap(objective, bound),
                time.monotonic() - started,
            )

    return Progress()


FULL_SEARCH_AGENTS = 12  # up to this many agents, CP-SAT searches the whole model at once
NEIGHBOURHOOD_AGENTS = 24  # agents freed per large-neighbourhood step at the start
STEP_LIMIT_S = 3.0  # CP-SAT time per large-neighbourhood step
BOUND_SHARE = 0.25  # most of the time limit the LP bound (GLOP) may take
BREAKS_SHARE = 0.25  # most of the search time step 0 (placing breaks only) may take


def _search(
    problem: Problem,
    main: MainModel,
    cp: object,
    values: list[int],
    deadline: float,
    num_workers: int,
    seed: int,
    known_bound: float = -math.inf,
) -> tuple[list[int], float, float, str, int]:
    """Improve the start ``values`` until ``deadline``; returns ``(values, objective,
    bound, status, steps)``.

    Step 0 fixes every agent's shifts and lets CP-SAT place all lunches and breaks (and
    the skill split), for at most ``BREAKS_SHARE`` of the time left (more skills per
    pool, as with blended deferred channels, can make proving that step slow). Then,
    large-neighbourhood search: free the shifts of a few agents (half of them from one
    skill set), keep everyone else's, and let CP-SAT re-optimise those agents together
    with all breaks; keep the result when it is no worse. The neighbourhood grows after
    a step solved to optimality and shrinks after one that ran out of time. With few
    agents (``FULL_SEARCH_AGENTS``) the first step frees everyone: a plain CP-SAT
    solve, whose optimality proof is then reported.

    ``bound`` is CP-SAT's bound from a step that freed every agent (else -inf: no global
    bound is known; use ``lp_bound``).
    """
    from ortools.sat.python import cp_model

    rng = random.Random(seed)
    proto = cp.proto  # type: ignore[attr-defined]
    everyone = list(range(len(problem.agents)))
    by_group = [members for members in main.groups.values()]
    x_by_agent: dict[int, list[int]] = defaultdict(list)
    x_by_day: dict[int, list[int]] = defaultdict(list)
    for (a, index), v in main.x.items():
        x_by_agent[a].append(v)
        x_by_day[problem.options[index].day].append(v)
    x_all = list(main.x.values())
    counts_by_day: dict[int, list[int]] = defaultdict(list)
    for (_g, index, _k), pairs in main.activity_counts.items():
        counts_by_day[problem.options[index].day] += [v for _, v in pairs]
    counts_all = [v for vs in counts_by_day.values() for v in vs]
    days_left = rng.sample(range(DAYS), DAYS)
    size = (
        len(everyone)
        if len(everyone) <= FULL_SEARCH_AGENTS
        else min(NEIGHBOURHOOD_AGENTS, len(everyone) // 2)
    )
    best = list(values)
    best_objective = main.model.offset + sum(
        coefficient * values[v] for v, coefficient in main.model.objective.items()
    )
    bound, status_name, step, solved_any = -math.inf, "FEASIBLE", 0, False
    offset = main.model.offset
    started = time.monotonic()
    while True:
        remaining = deadline - time.monotonic()
        if step > 0 and remaining < 1.0:
            break
        fixed_counts: set[int] = set()
        kind = "agents"
        if step == 0 and size < len(everyone):
            kind = "breaks"
            free: set[int] = set()  # shifts as they are: place breaks only
            free_x: set[int] = set()
        elif step % 2 == 1 or size >= len(everyone):
            group = rng.choice(by_group)
            free = set(rng.sample(group, min(len(group), size // 2)))
            others = [a for a in everyone if a not in free]
            free |= set(rng.sample(others, min(len(others), size - len(free))))
            free_x = {v for a in free for v in x_by_agent[a]}
        else:  # every agent's start time on one day, with that day's breaks
            kind = "day"
            day = days_left.pop() if days_left else rng.randrange(DAYS)
            if not days_left:
                days_left = rng.sample(range(DAYS), DAYS)
            free = set()
            free_x = set(x_by_day[day])
            fixed_counts = {v for d, vs in counts_by_day.items() if d != day for v in vs}
        for v in x_all:
            proto.variables[v].domain[0] = 0 if v in free_x else best[v]
            proto.variables[v].domain[1] = 1 if v in free_x else best[v]
        for v in counts_all:
            proto.variables[v].domain[0] = best[v] if v in fixed_counts else 0
            proto.variables[v].domain[1] = best[v] if v in fixed_counts else main.model.upper[v]
        for v, value in enumerate(best):
            proto.solution_hint.values[v] = value
        whole = len(free) == len(everyone)
        solver = cp_model.CpSolver()
        if whole:
            limit = remaining
        elif step == 0:  # breaks only: usually quick, but leave the search its time
            limit = min(remaining, max(STEP_LIMIT_S, BREAKS_SHARE * remaining))
        else:
            limit = min(remaining, STEP_LIMIT_S)
        solver.parameters.max_time_in_seconds = max(1.0, limit)
        solver.parameters.num_workers = num_workers
        solver.parameters.random_seed = seed + step
        solver.parameters.log_search_progress = log.isEnabledFor(logging.DEBUG)
        status = solver.solve(cp, _logging_callback(started, offset) if whole else None)
        log.debug("roster: step %d status %s", step, solver.status_name(status))
        step += 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solved_any = True
            objective = solver.objective_value + offset
            if objective <= best_objective:
                improved = objective < best_objective - 1e-9
                best, best_objective = list(solver.response_proto.solution), objective
                if improved:
                    log.info(
                        "roster: step %d (%s, %d shift choices free) objective %.0f "
                        "bound %.0f gap %.1f%% at %.1f s",
                        step,
                        kind,
                        len(free_x),
                        objective,
                        known_bound,
                        100 * relative_gap(objective, known_bound),
                        time.monotonic() - started,
                    )
        if whole:
            bound = max(bound, solver.best_objective_bound + offset)
            if status == cp_model.OPTIMAL:
                status_name = "OPTIMAL"
                break
        if free:
            size = (
                min(len(everyone), int(size * 1.25) + 1)
                if status == cp_model.OPTIMAL
                else max(4, int(size * 0.7))
            )
    if step and status_name != "OPTIMAL" and not solved_any:
        status_name = "GREEDY"
    return best, best_objective, bound, status_name, step


def relative_gap(objective: float, bound: float) -> float:
    """``(objective - bound) / max(1, |objective|)``: 0 means proven optimal (NaN
    without a bound)."""
    if math.isinf(bound):
        return math.nan
    return max(0.0, (objective - bound) / max(1.0, abs(objective)))


def solve_roster(
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    requirements: pd.DataFrame,
    week_start: date,
    rules: Rules | None = None,
    weights: Weights | None = None,
    interval_min: int | None = None,
    time_limit_s: float = 60.0,
    num_workers: int = 2,
    on_infeasible: str = "error",
    seed: int = 0,
    bound: bool = True,
) -> RosterResult:
    """Roster the week starting ``week_start`` (local date) against ``requirements``
    (a frame ``skill, ds, required``: agents needed on the phone per interval, ``ds`` the
    local interval start).

    The whole run (greedy start, model build, CP-SAT search) keeps to ``time_limit_s``
    where it can; CP-SAT gets what is left (at least one second). Raises
    ``RosterInputError`` for unusable input or an agent whose own rules cannot hold
    (unless ``on_infeasible="skip"``: such agents are left out, with a warning).
    ``bound``: solve the LP relaxation of the weighted model (GLOP, at most
    ``BOUND_SHARE`` of the time limit) for ``best_bound`` and ``gap``.
    """

    started = time.monotonic()
    rules = rules or Rules()
    weights = weights or Weights()
    problem = prepare(agents, templates, requirements, week_start, rules, weights, interval_min)
    for warning in problem.warnings:
        log.warning("roster: %s", warning)
    greedy = greedy_roster(problem, on_infeasible, started + 0.15 * time_limit_s)
    log.info(
        "roster: greedy start for %d agents in %.1f s", len(greedy), time.monotonic() - started
    )
    keep = sorted(greedy)
    if len(keep) < len(problem.agents):
        problem = _only_agents(problem, keep)
        greedy = {new: greedy[old] for new, old in enumerate(keep)}
    for members in identical_agents(problem):  # the order the symmetry rows demand
        weeks = sorted((greedy.get(a, []) for a in members), key=_day_pattern, reverse=True)
        greedy.update(zip(members, weeks, strict=True))
    main = build_model(problem)
    full_search = len(problem.agents) <= FULL_SEARCH_AGENTS
    cp = main.model.to_cp_sat(frozenset() if full_search else frozenset({"symmetry"}))
    hint = _hint(main, greedy, problem.deferred)
    values = [hint.get(v, 0) for v in range(len(main.model.lower))]
    cp.proto.solution_hint.vars.extend(range(len(values)))
    cp.proto.solution_hint.values.extend(values)
    log.info(
        "roster: model with %d variables and %d constraints built at %.1f s",
        len(main.model.lower),
        len(main.model.rows),
        time.monotonic() - started,
    )
    lp_bound = -math.inf
    if bound:
        lp_started = time.monotonic()
        solved_lp = main.model.solve_lp(time_limit_s=BOUND_SHARE * time_limit_s)
        lp_bound = -math.inf if solved_lp is None else solved_lp
        log.info(
            "roster: LP relaxation bound %.0f in %.1f s",
            lp_bound,
            time.monotonic() - lp_started,
        )
    search = _search(problem, main, cp, values, started + time_limit_s, num_workers, seed, lp_bound)
    values, objective, bound_found, status_name, iterations = search
    best_bound = max(lp_bound, bound_found)
    if status_name != "OPTIMAL" and objective <= best_bound + 1e-6:
        status_name = "OPTIMAL"
    chosen: dict[int, list[ShiftOption]] = defaultdict(list)
    for (a, index), v in main.x.items():
        if values[v]:
            chosen[a].append(problem.options[index])
    counts = {key: [values[v] for _, v in pairs] for key, pairs in main.activity_counts.items()}
    activities = _activities(problem, dict(chosen), counts)
    coverage = coverage_frame(
        activities,
        problem.agents,
        problem.requirements,
        week_start,
        problem.interval_min,
        deferred=problem.deferred,
    )
    summary = summarise(coverage, activities, problem.interval_min)
    solve_s = time.monotonic() - started
    log.info(
        "roster: %s objective %.0f bound %.0f in %.1f s, coverage %.2f%%",
        status_name,
        objective,
        best_bound,
        solve_s,
        summary["coverage_pct"],
    )
    return RosterResult(
        week_start=week_start,
        status=status_name,
        objective=float(objective),
        best_bound=float(best_bound),
        gap=relative_gap(objective, best_bound),
        solve_s=round(solve_s, 2),
        activities=activities,
        coverage=coverage,
        summary=summary,
        warnings=list(problem.warnings),
        parameters={
            "time_limit_s": time_limit_s,
            "num_workers": num_workers,
            "interval_min": problem.interval_min,
            "slot_min": problem.slot_min,
            "agents": len(problem.agents),
            "templates": [t.name for t in templates],
            "rules": vars(rules),
            "weights": {
                "under": weights.under,
                "over": weights.over,
                "preference": weights.preference,
                "deferred_under": weights.deferred_under,
            },
            "deferred_skills": sorted(problem.deferred),
            "search_iterations": iterations,
            "variables": len(main.model.lower),
            "constraints": len(main.model.rows),
        },
    )


def _only_agents(problem: Problem, keep: list[int]) -> Problem:
    return Problem(
        agents=[problem.agents[a] for a in keep],
        week_start=problem.week_start,
        rules=problem.rules,
        weights=problem.weights,
        interval_min=problem.interval_min,
        slot_min=problem.slot_min,
        options=problem.options,
        agent_options=[problem.agent_options[a] for a in keep],
        skills=problem.skills,
        required_units=problem.required_units,
        requirements=problem.requirements,
        warnings=problem.warnings,
        deferred=problem.deferred,
    )


def _hint(
    main: MainModel,
    greedy: dict[int, list[ShiftOption]],
    deferred: frozenset[str] = frozenset(),
) -> dict[int, int]:
    """Values for the choice, count and break-count variables from the greedy roster."""
    hint = {v: 0 for v in main.x.values()}
    per_group: dict[tuple[tuple[str, ...], int], int] = defaultdict(int)
    for a, options in greedy.items():
        for option in options:
            hint[main.x[(a, option.index)]] = 1
    for (g, index), v in main.n.items():
        members = main.groups[g]
        per_group[(g, index)] = sum(hint.get(main.x.get((a, index), -1), 0) for a in members)
        hint[v] = per_group[(g, index)]
    for (g, index, _k), pairs in main.activity_counts.items():
        total = per_group[(g, index)]
        tally = [0] * len(pairs)
        for i in range(total):
            tally[_spread(total, len(pairs), i)] += 1
        for (_, v), value in zip(pairs, tally, strict=True):
            hint[v] = value
    intervals: dict[int, dict[tuple[str, ...], int]] = defaultdict(dict)
    for g, t in main.flows:
        intervals[t][g] = sum(c * hint[v] for v, c in main.presence[g][t].items())
    demand: dict[int, dict[str, int]] = defaultdict(dict)
    for (skill, t), v in main.under.items():
        demand[t][skill] = main.model.upper[v]
    for t, need in demand.items():
        flow = allocate(intervals.get(t, {}), need, last=deferred) if t in intervals else {}
        for skill, required in need.items():
            hint[main.under[(skill, t)]] = required - round(
                sum(value for (_, s), value in flow.items() if s == skill)
            )
        for g in intervals.get(t, {}):
            for skill, v in main.flows[(g, t)]:
                hint[v] = round(flow.get((g, skill), 0))
    return hint


def lp_under_bound(problem: Problem) -> float:
    """A lower bound on under-coverage (agent-hours) of ANY roster meeting the hard rules:
    the LP relaxation (GLOP) of the model with under-coverage as the only objective.
    Skills nobody has are not in the model (add their hours separately)."""
    main = build_model(problem, objective="under")
    value = main.model.solve_lp()
    if value is None:
        raise RuntimeError("GLOP did not solve the LP relaxation")
    return value * problem.slot_min / 60
