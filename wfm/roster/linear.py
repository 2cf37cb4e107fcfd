"""A tiny linear model written once and handed to CP-SAT (integer) or GLOP (its LP relaxation).

The roster model is built a single time into this neutral form, so the LP bound the
benchmark reports is the relaxation of exactly the model CP-SAT solves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

INF = 1 << 50  # "no bound"; far below CP-SAT's int64 limits


@dataclass
class LinearModel:
    """Integer variables with bounds, linear rows ``lb <= sum(coef * var) <= ub``, and a
    linear objective to minimise (plus ``offset``). Every row carries a ``tag`` naming
    the rule it encodes, so a rule family can be left out (infeasibility diagnosis)."""

    lower: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    rows: list[tuple[list[int], list[int], int, int, str]] = field(default_factory=list)
    objective: dict[int, int] = field(default_factory=dict)
    offset: int = 0

    def var(self, lower: int, upper: int, name: str = "") -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.names.append(name)
        return len(self.lower) - 1

    def add(
        self,
        variables: Sequence[int],
        coefficients: Sequence[int],
        lower: int = -INF,
        upper: int = INF,
        tag: str = "",
    ) -> None:
        self.rows.append((list(variables), list(coefficients), lower, upper, tag))

    def minimise(self, variable: int, coefficient: int) -> None:
        if coefficient:
            self.objective[variable] = self.objective.get(variable, 0) + coefficient

    def to_cp_sat(self, skip_tags: frozenset[str] = frozenset()) -> object:
        """The model as a ``cp_model.CpModel`` (variables keep their indices)."""
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        proto = model.proto
        for lower, upper, name in zip(self.lower, self.upper, self.names, strict=True):
            variable = proto.variables.add()
            variable.domain.extend([lower, upper])
            if name:
                variable.name = name
        for variables, coefficients, lower, upper, tag in self.rows:
            if tag in skip_tags:
                continue
            constraint = proto.constraints.add()
            constraint.linear.vars.extend(variables)
            constraint.linear.coeffs.extend(coefficients)
            constraint.linear.domain.extend([lower, upper])
        if self.objective:
            proto.objective.vars.extend(self.objective.keys())
            proto.objective.coeffs.extend(self.objective.values())
        return model

    def solve_lp(self, time_limit_s: float | None = None) -> float | None:
        """The optimum of the LP relaxation (GLOP), objective offset included; None
        when GLOP does not prove optimality within ``time_limit_s``."""
        from ortools.linear_solver import pywraplp

        solver = pywraplp.Solver.CreateSolver("GLOP")
        infinity = solver.infinity()

        def bound(value: int) -> float:
            return infinity if value >= INF else -infinity if value <= -INF else float(value)

        variables = [
            solver.NumVar(bound(lo), bound(hi), "")
            for lo, hi in zip(self.lower, self.upper, strict=True)
        ]
        for row_vars, coefficients, lower, upper, _tag in self.rows:
            constraint = solver.Constraint(bound(lower), bound(upper))
            for index, coefficient in zip(row_vars, coefficients, strict=True):
                constraint.SetCoefficient(variables[index], coefficient)
        objective = solver.Objective()
        for index, coefficient in self.objective.items():
            objective.SetCoefficient(variables[index], coefficient)
        objective.SetMinimization()
        if time_limit_s is not None:
            solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return objective.Value() + self.offset
