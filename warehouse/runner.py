"""A small dbt-shaped model runner: SQL files in, tables and data-test results out.

A *project* is a folder with the layers ``staging/``, ``intermediate/`` and ``marts/``.
Each ``.sql`` file under a layer is one model; its file stem is the model's (and the
table's) name, and it is a chain of named CTEs ending in ``select * from final``.
Dependencies and settings use dbt's syntax, so moving the files to dbt stays mechanical:

- ``{{ ref('stg_queue_log') }}``: another model (rendered as its table name);
- ``{{ source('raw_queue_log') }}``: a raw table loaded by ingest (dbt's two-argument
  form ``source('ingest', 'raw_queue_log')`` is accepted too; the last argument is the table);
- ``{{ var('interval_minutes') }}``: a build variable from ``warehouse.config``,
  rendered as its bare text (write ``'{{ var('timezone') }}'`` for a string).

Nothing else of Jinja is supported; any other ``{{ }}``, ``{% %}`` or ``{# #}`` is an error.
Layers only depend downwards: staging reads sources and nothing else, intermediate and
marts read models of their own or an earlier layer.

Each layer folder may hold a ``_models.toml`` with descriptions and data tests::

    [models.stg_cdr]
    description = "One row per CDR ..."
    materialized = "view"       # optional; "table" (the default) or "view"
    expression_is_true = ["answer_time is not null or billsec_s = 0"]
    unique_combination = ["source_file", "byte_offset"]   # or a list of such lists

    [models.stg_cdr.columns.disposition]
    description = "Outcome of the dial ..."
    not_null = true
    unique = false
    accepted_values = ["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "CANCEL"]
    relationships = { to = "stg_queue_log", field = "call_id" }

    [[equal_rowcount]]          # or [[equal_sum]] (``column``/``other_column`` required)
    model = "int_queue_visits"
    other_model = "stg_queue_log"
    group_by = ["call_id"]      # optional; compared per group (missing group = 0)
    column = "call_id"          # optional for equal_rowcount: count(column) instead of count(*)

A data test is a query returning the rows that break it; it passes when that query
returns none. ``run`` materialises every model (``create or replace table``, or ``view``
for a model configured so: read through, not stored) in dependency order, then runs
every test, all in one transaction: a failing test rolls the whole build back and
raises ``DataTestError`` listing each failure.
"""

from __future__ import annotations

import graphlib
import json
import logging
import re
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from warehouse import config
from warehouse.connect import scalar

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"
LAYERS = ("staging", "intermediate", "marts")
LAYER_PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("mart_", "fct_", "dim_"),
}
CONFIG_FILE_NAME = "_models.toml"
EXAMPLE_ROWS = 5

# The keys a _models.toml may use, per level.
_MODEL_KEYS = frozenset(
    {"description", "columns", "expression_is_true", "unique_combination", "materialized"}
)
MATERIALIZATIONS = ("table", "view")
_COLUMN_KEYS = frozenset({"description", "unique", "not_null", "accepted_values", "relationships"})
_RECONCILIATION_KEYS = {
    "equal_rowcount": frozenset({"model", "other_model", "column", "other_column", "group_by"}),
    "equal_sum": frozenset(
        {"model", "other_model", "column", "other_column", "group_by", "tolerance"}
    ),
}

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEMPLATE_TAG = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_CALL = re.compile(r"\s*(ref|source|var)\s*\((.*)\)\s*", re.DOTALL)
_STRING_ARGUMENTS = re.compile(
    r"\s*(?:'[^'\\]*'|\"[^\"\\]*\")(?:\s*,\s*(?:'[^'\\]*'|\"[^\"\\]*\"))*\s*", re.DOTALL
)
_STRING_ARGUMENT = re.compile(r"'([^'\\]*)'|\"([^\"\\]*)\"")
_ENDS_WITH_FINAL = re.compile(r"select\s+\*\s+from\s+final\s*;?\s*\Z", re.IGNORECASE)


class WarehouseError(Exception):
    """Base of the warehouse's errors; each message is meant for a person."""


class ProjectError(WarehouseError):
    """A model file or a ``_models.toml`` is wrong; the message names the file."""


class SourceError(WarehouseError):
    """A raw table a model reads is not in the database."""


class DataTestError(WarehouseError):
    """Data tests failed; the build was rolled back. ``result`` holds every outcome."""

    def __init__(self, result: BuildResult) -> None:
        self.result = result
        super().__init__(result.failure_report())


# ---------------------------------------------------------------------------- project


@dataclass(frozen=True)
class Model:
    """One ``.sql`` file: its template and what it depends on."""

    name: str
    layer: str
    path: Path
    template: str
    refs: tuple[str, ...]
    sources: tuple[str, ...]
    variables: tuple[str, ...]
    description: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> description
    config_path: Path | None = None
    materialized: str = "table"  # or "view" (see the module docstring)


@dataclass(frozen=True)
class DataTest:
    """A declared data test: a query returning the rows that fail it."""

    name: str  # e.g. "unique(stg_cdr.call_id)"
    kind: str  # not_null, unique, accepted_values, relationships, expression_is_true, ...
    model: str  # the model it is reported against
    config_path: Path
    sql: str
    order_by: tuple[str, ...] = ()  # orders the example rows (duplicates side by side)
    columns: tuple[tuple[str, str], ...] = ()  # (model, column) pairs it reads


@dataclass(frozen=True)
class Project:
    """Models in build order, and the data tests declared beside them."""

    models_dir: Path
    models: Mapping[str, Model]
    tests: tuple[DataTest, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        """Raw tables the models read, sorted."""
        return tuple(sorted({source for model in self.models.values() for source in model.sources}))

    def upstream_of(self, targets: Iterable[str]) -> Project:
        """The part of the project that builds ``targets``: those models and every model
        they read, directly or not (dbt's ``+model``), in build order, with the data
        tests that read only those models. Raises ``ProjectError`` for an unknown name.
        """
        wanted = list(dict.fromkeys(targets))
        unknown = [name for name in wanted if name not in self.models]
        if unknown:
            raise ProjectError(
                f"no model named {', '.join(unknown)} (models: {', '.join(self.models)})"
            )
        keep: set[str] = set()
        while wanted:
            name = wanted.pop()
            if name not in keep:
                keep.add(name)
                wanted.extend(self.models[name].refs)
        left_out = [name for name in self.models if name not in keep]
        mentions = re.compile(r"\b(" + "|".join(map(re.escape, left_out)) + r")\b")
        tests = tuple(
            test
            for test in self.tests
            if test.model in keep and not (left_out and mentions.search(test.sql))
        )
        models = {name: model for name, model in self.models.items() if name in keep}
        return replace(self, models=models, tests=tests)


def load_project(models_dir: Path = MODELS_DIR) -> Project:
    """Read every model and ``_models.toml`` under ``models_dir`` and check them.

    Raises ``ProjectError`` naming the file for a misplaced or misnamed model, an unknown
    ``ref``/``source``/``var``, a layer read upwards, a dependency cycle, or a config
    file with unknown keys or a test on an unknown model.
    """
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        raise ProjectError(f"{_shown(models_dir)}: models folder not found")
    models = _read_models(models_dir)
    for model in models.values():
        _check_dependencies(model, models)
    tests: list[DataTest] = []
    configured: dict[str, Path] = {}
    for config_path in sorted(models_dir.rglob(CONFIG_FILE_NAME)):
        updates, config_tests = _ConfigFile(config_path, models).parse()
        for name, (description, columns, materialized) in updates.items():
            if name in configured:
                raise ProjectError(
                    f"{_shown(config_path)}: model {name} is already configured in "
                    f"{_shown(configured[name])}"
                )
            configured[name] = config_path
            models[name] = replace(
                models[name],
                description=description,
                columns=columns,
                config_path=config_path,
                materialized=materialized,
            )
        tests.extend(config_tests)
    ordered = {name: models[name] for name in _build_order(models)}
    position = {name: index for index, name in enumerate(ordered)}
    tests.sort(key=lambda test: (position[test.model], test.name))
    return Project(models_dir=models_dir, models=ordered, tests=tuple(tests))


def _read_models(models_dir: Path) -> dict[str, Model]:
    models: dict[str, Model] = {}
    for path in sorted(models_dir.rglob("*.sql")):
        relative = path.relative_to(models_dir)
        layer = relative.parts[0] if len(relative.parts) > 1 else ""
        if layer not in LAYERS:
            raise ProjectError(
                f"{_shown(path)}: a model must live under one of {', '.join(LAYERS)}/"
            )
        name = path.stem
        if not _IDENTIFIER.fullmatch(name) or not name.startswith(LAYER_PREFIXES[layer]):
            prefixes = " or ".join(f"{prefix}*" for prefix in LAYER_PREFIXES[layer])
            raise ProjectError(
                f"{_shown(path)}: a {layer} model's file name must be {prefixes}, "
                "letters, digits and underscores"
            )
        if name in models:
            raise ProjectError(
                f"{_shown(path)}: model {name} is also defined in {_shown(models[name].path)}"
            )
        template = path.read_text(encoding="utf-8")
        refs, sources, variables = _dependencies(path, template)
        if not _ENDS_WITH_FINAL.search(template):
            raise ProjectError(f"{_shown(path)}: a model must end with 'select * from final'")
        models[name] = Model(name, layer, path, template, refs, sources, variables)
    return models


def _template_calls(path: Path, template: str) -> list[tuple[re.Match[str], str, tuple[str, ...]]]:
    """Every ``{{ ref|source|var(...) }}`` in ``template``: (match, function, arguments)."""
    calls = []
    for tag in _TEMPLATE_TAG.finditer(template):
        expression = tag.group(1)
        call = _CALL.fullmatch(expression) if expression is not None else None
        if call is None or not _STRING_ARGUMENTS.fullmatch(call.group(2)):
            line = template.count("\n", 0, tag.start()) + 1
            raise ProjectError(
                f"{_shown(path)}:{line}: unsupported template {tag.group(0)!r} "
                "(only {{ ref('model') }}, {{ source('table') }} and {{ var('name') }})"
            )
        arguments = tuple(a or b for a, b in _STRING_ARGUMENT.findall(call.group(2)))
        calls.append((tag, call.group(1), arguments))
    return calls


def _dependencies(
    path: Path, template: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    found: dict[str, list[str]] = {"ref": [], "source": [], "var": []}
    for tag, function, arguments in _template_calls(path, template):
        allowed_counts = (1, 2) if function == "source" else (1,)
        if len(arguments) not in allowed_counts or not _IDENTIFIER.fullmatch(arguments[-1]):
            line = template.count("\n", 0, tag.start()) + 1
            raise ProjectError(f"{_shown(path)}:{line}: bad arguments in {tag.group(0)!r}")
        if arguments[-1] not in found[function]:
            found[function].append(arguments[-1])
    return tuple(found["ref"]), tuple(found["source"]), tuple(found["var"])


def _check_dependencies(model: Model, models: Mapping[str, Model]) -> None:
    where = _shown(model.path)
    for ref in model.refs:
        if ref not in models:
            raise ProjectError(f"{where}: ref('{ref}') names no model")
        if LAYERS.index(models[ref].layer) > LAYERS.index(model.layer):
            raise ProjectError(
                f"{where}: {model.layer} models may not read the {models[ref].layer} model {ref}"
            )
    if model.layer == "staging" and model.refs:
        raise ProjectError(f"{where}: a staging model reads sources only, not ref()")
    if model.layer != "staging" and model.sources:
        raise ProjectError(f"{where}: only staging models read source(); ref() a staging model")
    for variable in model.variables:
        if variable not in config.VARIABLES:
            known = ", ".join(sorted(config.VARIABLES))
            raise ProjectError(f"{where}: var('{variable}') is not a variable (known: {known})")


def _build_order(models: Mapping[str, Model]) -> list[str]:
    sorter = graphlib.TopologicalSorter({name: model.refs for name, model in models.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = list(reversed(exc.args[1]))
        files = ", ".join(_shown(models[name].path) for name in cycle[:-1])
        raise ProjectError(f"dependency cycle: {' -> '.join(cycle)} ({files})") from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(
            sorter.get_ready(), key=lambda name: (LAYERS.index(models[name].layer), name)
        )
        order.extend(ready)
        sorter.done(*ready)
    return order


class _ConfigFile:
    """Parses and checks one ``_models.toml``; every error names the file and the key."""

    def __init__(self, path: Path, models: Mapping[str, Model]) -> None:
        self.path = path
        self.models = models

    def fail(self, where: str, problem: str) -> ProjectError:
        return ProjectError(f"{_shown(self.path)}: {where}: {problem}")

    def parse(self) -> tuple[dict[str, tuple[str, dict[str, str], str]], list[DataTest]]:
        try:
            document = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ProjectError(f"{_shown(self.path)}: not valid TOML: {exc}") from None
        self._keys(document, "top level", {"models", *_RECONCILIATION_KEYS})
        updates: dict[str, tuple[str, dict[str, str], str]] = {}
        tests: list[DataTest] = []
        models = document.get("models", {})
        if not isinstance(models, dict):
            raise self.fail("models", "must be a table of models")
        for name, body in models.items():
            where = f"models.{name}"
            self._model(name, where)
            self._keys(body, where, _MODEL_KEYS)
            description = self._text(body.get("description", ""), f"{where}.description")
            columns: dict[str, str] = {}
            column_bodies = body.get("columns", {})
            if not isinstance(column_bodies, dict):
                raise self.fail(f"{where}.columns", "must be a table of columns")
            for column, column_body in column_bodies.items():
                column_where = f"{where}.columns.{column}"
                self._identifier(column, column_where)
                self._keys(column_body, column_where, _COLUMN_KEYS)
                columns[column] = self._text(
                    column_body.get("description", ""), f"{column_where}.description"
                )
                tests.extend(self._column_tests(name, column, column_body, column_where))
            tests.extend(self._model_tests(name, body, where))
            materialized = body.get("materialized", "table")
            if materialized not in MATERIALIZATIONS:
                raise self.fail(
                    f"{where}.materialized",
                    f"{materialized!r} is not one of {', '.join(MATERIALIZATIONS)}",
                )
            updates[name] = (description, columns, materialized)
        for kind in _RECONCILIATION_KEYS:
            entries = document.get(kind, [])
            if not isinstance(entries, list):
                raise self.fail(kind, f"must be an array of tables ([[{kind}]])")
            for index, entry in enumerate(entries):
                tests.append(self._reconciliation(kind, entry, f"{kind}[{index}]"))
        return updates, tests

    def _keys(self, body: object, where: str, allowed: frozenset[str] | set[str]) -> None:
        if not isinstance(body, dict):
            raise self.fail(where, "must be a table")
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise self.fail(
                where,
                f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
            )

    def _model(self, name: object, where: str) -> str:
        if name not in self.models:
            raise self.fail(where, f"no model named {name!r} (no {name}.sql in the project)")
        return str(name)

    def _identifier(self, name: object, where: str) -> str:
        if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
            raise self.fail(where, f"{name!r} is not a column name")
        return name

    def _text(self, value: object, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "must be a string")
        return value

    def _flag(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, "must be true or false")
        return value

    def _identifiers(self, value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "must be a non-empty list of column names")
        return tuple(self._identifier(item, where) for item in value)

    def _column_tests(
        self, model: str, column: str, body: dict[str, Any], where: str
    ) -> list[DataTest]:
        target = f"{model}.{column}"
        reads = ((model, column),)
        tests = []
        if self._flag(body.get("not_null", False), f"{where}.not_null"):
            sql = f"select * from {model} where {column} is null"
            tests.append(self._test(f"not_null({target})", "not_null", model, sql, reads))
        if self._flag(body.get("unique", False), f"{where}.unique"):
            sql = (
                f"select * from {model} where {column} in (select {column} from {model} "
                f"where {column} is not null group by {column} having count(*) > 1)"
            )
            tests.append(
                self._test(f"unique({target})", "unique", model, sql, reads, order_by=(column,))
            )
        if "accepted_values" in body:
            values = body["accepted_values"]
            if not isinstance(values, list) or not values:
                raise self.fail(f"{where}.accepted_values", "must be a non-empty list")
            literals = ", ".join(self._literal(v, f"{where}.accepted_values") for v in values)
            sql = (
                f"select * from {model} where {column} is not null and {column} not in ({literals})"
            )
            tests.append(
                self._test(f"accepted_values({target})", "accepted_values", model, sql, reads)
            )
        if "relationships" in body:
            relation_where = f"{where}.relationships"
            relation = body["relationships"]
            self._keys(relation, relation_where, {"to", "field"})
            if set(relation) != {"to", "field"}:
                raise self.fail(relation_where, "needs both 'to' (a model) and 'field'")
            parent = self._model(relation["to"], f"{relation_where}.to")
            parent_column = self._identifier(relation["field"], f"{relation_where}.field")
            sql = (
                f"select * from {model} as child where child.{column} is not null and not exists "
                f"(select 1 from {parent} as parent where parent.{parent_column} = child.{column})"
            )
            tests.append(
                self._test(
                    f"relationships({target} -> {parent}.{parent_column})",
                    "relationships",
                    model,
                    sql,
                    (*reads, (parent, parent_column)),
                )
            )
        return tests

    def _model_tests(self, model: str, body: dict[str, Any], where: str) -> list[DataTest]:
        tests = []
        expressions = body.get("expression_is_true", [])
        if not isinstance(expressions, list) or not all(isinstance(e, str) for e in expressions):
            raise self.fail(f"{where}.expression_is_true", "must be a list of SQL expressions")
        for expression in expressions:
            # A NULL result fails: an expression that cannot be evaluated is not true.
            sql = f"select * from {model} where not coalesce(({expression}), false)"
            tests.append(
                self._test(
                    f"expression_is_true({model}: {expression})", "expression_is_true", model, sql
                )
            )
        combinations = body.get("unique_combination", [])
        if combinations and all(isinstance(item, str) for item in combinations):
            combinations = [combinations]
        if not isinstance(combinations, list):
            raise self.fail(f"{where}.unique_combination", "must be a list of column names")
        for combination in combinations:
            columns = self._identifiers(combination, f"{where}.unique_combination")
            matches = " and ".join(
                f"tested.{c} is not distinct from duplicated.{c}" for c in columns
            )
            grouped = ", ".join(columns)
            sql = (
                f"select tested.* from {model} as tested join (select {grouped} from {model} "
                f"group by {grouped} having count(*) > 1) as duplicated on {matches}"
            )
            tests.append(
                self._test(
                    f"unique_combination({model}: {grouped})",
                    "unique_combination",
                    model,
                    sql,
                    tuple((model, c) for c in columns),
                    order_by=columns,
                )
            )
        return tests

    def _reconciliation(self, kind: str, entry: object, where: str) -> DataTest:
        self._keys(entry, where, _RECONCILIATION_KEYS[kind])
        assert isinstance(entry, dict)
        required = {"model", "other_model"} | (
            {"column", "other_column"} if kind == "equal_sum" else set()
        )
        missing = sorted(required - set(entry))
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}")
        model = self._model(entry["model"], f"{where}.model")
        other = self._model(entry["other_model"], f"{where}.other_model")
        group_by = (
            self._identifiers(entry["group_by"], f"{where}.group_by") if "group_by" in entry else ()
        )
        column = self._identifier(entry["column"], f"{where}.column") if "column" in entry else None
        other_column = (
            self._identifier(entry["other_column"], f"{where}.other_column")
            if "other_column" in entry
            else column
        )
        tolerance = entry.get("tolerance", 0)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            raise self.fail(f"{where}.tolerance", "must be a number >= 0")
        if kind == "equal_sum":
            measure, other_measure = f"sum({column})", f"sum({other_column})"
        else:
            measure = f"count({column})" if column else "count(*)"
            other_measure = f"count({other_column})" if other_column else "count(*)"
        keys = ", ".join(group_by)
        select_keys = f"{keys}, " if group_by else ""
        group_clause = f" group by {keys}" if group_by else ""
        if group_by:
            join = "full outer join other_measured as o on " + " and ".join(
                f"m.{key} is not distinct from o.{key}" for key in group_by
            )
            shown_keys = "".join(f"coalesce(m.{key}, o.{key}) as {key}, " for key in group_by)
        else:
            join, shown_keys = "cross join other_measured as o", ""
        sql = (
            f"with measured as (select {select_keys}{measure} as measure "
            f"from {model}{group_clause}), "
            f"other_measured as (select {select_keys}{other_measure} as measure "
            f"from {other}{group_clause}) "
            f"select {shown_keys}m.measure as measure, o.measure as other_measure "
            f"from measured as m {join} "
            f"where abs(coalesce(m.measure, 0) - coalesce(o.measure, 0)) > {tolerance}"
        )
        reads = [(model, key) for key in group_by] + [(other, key) for key in group_by]
        if column:
            reads.append((model, column))
        if other_column:
            reads.append((other, other_column))
        by = f" by {keys}" if group_by else ""
        name = f"{kind}({model}.{measure} = {other}.{other_measure}{by})"
        return self._test(name, kind, model, sql, tuple(reads), order_by=group_by)

    def _literal(self, value: object, where: str) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, str):
            return _quoted(value)
        raise self.fail(where, f"{value!r} is not a string, number or boolean")

    def _test(
        self,
        name: str,
        kind: str,
        model: str,
        sql: str,
        columns: tuple[tuple[str, str], ...] = (),
        order_by: tuple[str, ...] = (),
    ) -> DataTest:
        return DataTest(name, kind, model, self.path, sql, order_by, columns)


# -------------------------------------------------------------------------------- run


@dataclass(frozen=True)
class ModelRun:
    """One materialised model."""

    name: str
    layer: str
    rows: int
    seconds: float


@dataclass(frozen=True)
class DataTestResult:
    """One data test's outcome: how many rows failed and a few of them."""

    name: str
    kind: str
    model: str
    config_path: str
    failing_rows: int
    examples: list[dict[str, Any]]
    seconds: float

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0


@dataclass(frozen=True)
class BuildResult:
    """What a build did: models in order, test outcomes, the variables it used."""

    models: list[ModelRun]
    tests: list[DataTestResult]
    variables: dict[str, config.VariableValue]
    seconds: float

    @property
    def failures(self) -> list[DataTestResult]:
        return [test for test in self.tests if not test.passed]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (values of example rows may need ``default=str``)."""
        return {
            "seconds": round(self.seconds, 3),
            "variables": self.variables,
            "models": [
                asdict(model) | {"seconds": round(model.seconds, 3)} for model in self.models
            ],
            "tests": {
                "passed": len(self.tests) - len(self.failures),
                "failed": len(self.failures),
                "failures": [
                    {key: value for key, value in asdict(test).items() if key != "seconds"}
                    for test in self.failures
                ],
            },
        }

    def failure_report(self) -> str:
        """Each failed test, its model, failing row count and example rows, one block each."""
        lines = [
            f"{len(self.failures)} of {len(self.tests)} data tests failed; "
            "the build was rolled back:"
        ]
        for test in self.failures:
            lines.append(
                f"  {test.name} on {test.model}: {test.failing_rows} failing rows "
                f"({test.config_path})"
            )
            lines.extend(
                "      " + json.dumps(example, default=str, ensure_ascii=False)
                for example in test.examples
            )
        return "\n".join(lines)


def compile_models(
    project: Project, variables: Mapping[str, object] | None = None
) -> dict[str, str]:
    """Each model's SQL with ``ref``/``source``/``var`` rendered, in build order."""
    values = config.resolve(variables)
    compiled = {}
    for name, model in project.models.items():
        pieces, last = [], 0
        for tag, function, arguments in _template_calls(model.path, model.template):
            pieces.append(model.template[last : tag.start()])
            pieces.append(str(values[arguments[0]]) if function == "var" else arguments[-1])
            last = tag.end()
        pieces.append(model.template[last:])
        compiled[name] = "".join(pieces).rstrip().removesuffix(";")
    return compiled


def run(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    variables: Mapping[str, object] | None = None,
) -> BuildResult:
    """Materialise every model of ``project`` as a table in ``con``, then run its data tests.

    Everything happens in one transaction: if a model fails, a test cannot run, or any
    data test finds failing rows, the transaction is rolled back (tables as before) and
    ``ProjectError`` or ``DataTestError`` is raised. Raw tables the models read must be
    in ``con`` (``SourceError`` otherwise). ``variables`` override ``warehouse.config``
    defaults (``VariableError`` for unknown names or bad values). The session time zone
    is UTC during the build, so no result depends on the machine's zone.
    """
    started = time.perf_counter()
    values = config.resolve(variables)
    compiled = compile_models(project, values)
    for name, sql in compiled.items():
        _check_parses(con, project.models[name], sql)
    previous_zone = scalar(con, "select current_setting('TimeZone')")
    con.execute("set TimeZone = 'UTC'")
    try:
        _check_timezone(con, str(values["timezone"]))
        _check_sources(con, project)
        con.execute("begin transaction")
        try:
            model_runs = [
                _materialise(con, model, compiled[name]) for name, model in project.models.items()
            ]
            _check_declared_columns(con, project)
            results = [_run_test(con, test) for test in project.tests]
            outcome = BuildResult(model_runs, results, values, time.perf_counter() - started)
            if outcome.failures:
                raise DataTestError(outcome)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"set TimeZone = {_quoted(previous_zone)}")
    log.info(
        "built %d models, %d data tests passed in %.2f s",
        len(model_runs),
        len(results),
        outcome.seconds,
    )
    return outcome


def _check_parses(con: duckdb.DuckDBPyConnection, model: Model, sql: str) -> None:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ProjectError(
            f"{_shown(model.path)}: model {model.name} does not parse: {exc}"
        ) from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ProjectError(f"{_shown(model.path)}: a model is exactly one select statement")


def _check_timezone(con: duckdb.DuckDBPyConnection, zone: str) -> None:
    if scalar(con, "select count(*) from pg_timezone_names() where name = ?", [zone]) == 0:
        raise config.VariableError(f"variable timezone={zone!r}: not a time zone ICU knows")


def _check_sources(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    for source in project.sources:
        try:
            con.execute(f"select * from {source} limit 0")
        except duckdb.CatalogException:
            readers = sorted(m.name for m in project.models.values() if source in m.sources)
            raise SourceError(
                f"raw table {source} (read by {', '.join(readers)}) is not in the database"
            ) from None


def _materialise(con: duckdb.DuckDBPyConnection, model: Model, sql: str) -> ModelRun:
    started = time.perf_counter()
    try:
        con.execute(f"create or replace {model.materialized} {model.name} as\n{sql}")
    except duckdb.Error as exc:
        raise ProjectError(f"{_shown(model.path)}: model {model.name} failed: {exc}") from None
    rows = scalar(con, f"select count(*) from {model.name}")
    seconds = time.perf_counter() - started
    log.debug("model %s: %d rows in %.3f s", model.name, rows, seconds)
    return ModelRun(model.name, model.layer, rows, seconds)


def _check_declared_columns(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Every column a config file documents or tests must exist in its model."""
    actual: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = current_schema()"
    ).fetchall():
        actual.setdefault(table, set()).add(column)
    for model in project.models.values():
        for column in model.columns:
            if column not in actual.get(model.name, set()):
                raise ProjectError(
                    f"{_shown(model.config_path or model.path)}: models.{model.name}.columns."
                    f"{column}: model {model.name} has no column {column}"
                )
    for test in project.tests:
        for model_name, column in test.columns:
            if column not in actual.get(model_name, set()):
                raise ProjectError(
                    f"{_shown(test.config_path)}: test {test.name}: model {model_name} "
                    f"has no column {column}"
                )


def _run_test(con: duckdb.DuckDBPyConnection, test: DataTest) -> DataTestResult:
    started = time.perf_counter()
    try:
        failing = scalar(con, f"select count(*) from ({test.sql}) as failing")
        examples: list[dict[str, Any]] = []
        if failing:
            order = f" order by {', '.join(test.order_by)}" if test.order_by else ""
            # Through Arrow: fetching TIMESTAMPTZ as Python objects directly needs pytz.
            examples = (
                con.sql(f"select * from ({test.sql}) as failing{order} limit {EXAMPLE_ROWS}")
                .to_arrow_table()
                .to_pylist()
            )
    except duckdb.Error as exc:
        raise ProjectError(
            f"{_shown(test.config_path)}: test {test.name} cannot run: {exc}"
        ) from None
    return DataTestResult(
        test.name,
        test.kind,
        test.model,
        _shown(test.config_path),
        failing,
        examples,
        time.perf_counter() - started,
    )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (shorter messages)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
