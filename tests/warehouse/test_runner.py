"""The model runner on small projects of its own: dependencies, variables, data tests, errors."""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.config import VariableError
from warehouse.runner import (
    DataTestError,
    ProjectError,
    SourceError,
    compile_models,
    load_project,
    run,
)

STG_CALLS = """\
    -- One row per call.
    with source as (
        select * from {{ source('raw_calls') }}
    ),

    final as (
        select call_id, queue, agent_id, outcome, wait_s, talk_s, call_day from source
    )

    select * from final
"""
STG_AGENTS = """\
    with final as (select * from {{ source("raw_agents") }})
    select * from final
"""
STG_LEGS = """\
    with final as (select * from {{ source('ingest', 'raw_legs') }})
    select * from final
"""
INT_CALLS = """\
    with calls as (select * from {{ ref('stg_calls') }}),
    agents as (select * from {{ ref('stg_agents') }}),
    final as (
        select calls.*, {{ var('interval_minutes') }} as interval_minutes,
            '{{ var("timezone") }}' as timezone
        from calls left join agents using (agent_id)
    )
    select * from final
"""
MART_QUEUES = """\
    with calls as (select * from {{ ref('int_calls') }}),
    final as (
        select queue, count(*) as offered, count(*) filter (where outcome = 'answered') as answered,
            count(*) filter (where outcome = 'abandoned') as abandoned
        from calls group by queue
    )
    select * from final
"""
STAGING_TOML = """\
    [models.stg_calls]
    description = "One row per call."
    expression_is_true = ["wait_s >= 0"]
    unique_combination = ["agent_id", "call_day", "queue"]

    [models.stg_calls.columns]
    call_id = { description = "The call.", unique = true, not_null = true }
    outcome = { accepted_values = ["answered", "abandoned"] }
    agent_id = { relationships = { to = "stg_agents", field = "agent_id" } }

    [[equal_rowcount]]
    model = "stg_calls"
    other_model = "stg_legs"
    group_by = ["call_id"]

    [[equal_sum]]
    model = "stg_calls"
    column = "talk_s"
    other_model = "stg_legs"
    other_column = "leg_talk_s"
"""
MARTS_TOML = """\
    [models.mart_queues]
    description = "Calls per queue."
    expression_is_true = ["offered = answered + abandoned"]
"""
# Raw data every test above passes on; each case of MUTATIONS breaks exactly one test.
RAW = """
    create table raw_agents as select * from (values ('A1'), ('A2')) as t(agent_id);
    create table raw_calls as select * from (values
        ('c1', 'sales', 'A1', 'answered', 10, 100, date '2026-09-01'),
        ('c2', 'sales', 'A2', 'answered', 20, 200, date '2026-09-01'),
        ('c3', 'sales', null, 'abandoned', 30, 0, date '2026-09-01'),
        ('c4', 'service', 'A1', 'answered', 5, 50, date '2026-09-01')
    ) as t(call_id, queue, agent_id, outcome, wait_s, talk_s, call_day);
    create table raw_legs as select * from (values
        ('c1', 100), ('c2', 200), ('c3', 0), ('c4', 50)
    ) as t(call_id, leg_talk_s);
"""


FINAL = "\nselect * from final\n"


def write_project(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "models",
        {
            "staging/stg_calls.sql": STG_CALLS,
            "staging/stg_agents.sql": STG_AGENTS,
            "staging/stg_legs.sql": STG_LEGS,
            "staging/_models.toml": STAGING_TOML,
            "intermediate/int_calls.sql": INT_CALLS,
            "marts/mart_queues.sql": MART_QUEUES,
            "marts/_models.toml": MARTS_TOML,
        },
    )


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(RAW)
    yield connection
    connection.close()


def test_models_are_built_in_dependency_order_and_tests_pass(project_dir, con):
    project = load_project(project_dir)
    assert list(project.models) == [
        "stg_agents",
        "stg_calls",
        "stg_legs",
        "int_calls",
        "mart_queues",
    ]
    assert project.sources == ("raw_agents", "raw_calls", "raw_legs")
    result = run(con, project)
    assert [(m.name, m.rows) for m in result.models] == [
        ("stg_agents", 2),
        ("stg_calls", 4),
        ("stg_legs", 4),
        ("int_calls", 4),
        ("mart_queues", 2),
    ]
    assert len(result.tests) == 9 and not result.failures
    assert con.execute("select * from mart_queues order by queue").fetchall() == [
        ("sales", 3, 2, 1),
        ("service", 1, 1, 0),
    ]
    assert project.models["stg_calls"].columns["call_id"] == "The call."
    assert project.models["mart_queues"].description == "Calls per queue."


def test_variables_default_from_config_and_can_be_overridden(project_dir, con):
    project = load_project(project_dir)
    run(con, project)
    assert con.execute("select distinct interval_minutes, timezone from int_calls").fetchall() == [
        (30, "Asia/Shanghai")
    ]
    result = run(con, project, {"interval_minutes": "15", "timezone": "Europe/Madrid"})
    assert result.variables["interval_minutes"] == 15
    assert con.execute("select distinct interval_minutes, timezone from int_calls").fetchall() == [
        (15, "Europe/Madrid")
    ]
    assert (
        "15 as interval_minutes" in compile_models(project, {"interval_minutes": 15})["int_calls"]
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"interval_minute": 15}, "unknown variable 'interval_minute'"),
        ({"interval_minutes": 20}, "interval_minutes=20: must be one of 15, 30"),
        ({"interval_minutes": "half an hour"}, "must be a whole number"),
        ({"sl_target_s": 0}, "sl_target_s=0: must be >= 1"),
        ({"timezone": "Asia/Shanghai'; drop table x; --"}, "must be an IANA time zone name"),
        ({"timezone": "Mars/Olympus_Mons"}, "not a time zone ICU knows"),
    ],
)
def test_bad_variables_are_refused_before_anything_runs(project_dir, con, variables, message):
    with pytest.raises(VariableError, match=message.replace("(", r"\(")):
        run(con, load_project(project_dir), variables)
    assert con.execute(
        "select count(*) from duckdb_tables() where table_name = 'int_calls'"
    ).fetchone() == (0,)


def test_build_time_zone_is_utc_whatever_the_session_says(tmp_path, con):
    project_dir = write_project(
        tmp_path,
        {
            "staging/stg_days.sql": """\
                with final as (
                    select date_trunc('day', timestamptz '2026-09-01 23:30:00+00') as utc_day
                    from {{ source('raw_agents') }} limit 1
                )
                select * from final
            """
        },
    )
    con.execute("set TimeZone = 'Asia/Shanghai'")
    run(con, load_project(project_dir))
    # Truncated in Shanghai the day would start at 2026-09-01 16:00 UTC.
    utc_midnight = "select utc_day = timestamptz '2026-09-01 00:00:00+00' from stg_days"
    assert con.execute(utc_midnight).fetchone() == (True,)
    assert con.execute("select current_setting('TimeZone')").fetchone() == ("Asia/Shanghai",)


# One mutation of RAW per data-test kind: (SQL, [(failing test, failing rows), ...]).
MUTATIONS = {
    "unique": (
        "insert into raw_calls values ('c1', 'service', 'A2', 'answered', 1, 0, date '2026-09-02');"
        "insert into raw_legs values ('c1', 0)",
        [("unique(stg_calls.call_id)", 2)],
    ),
    "not_null": (
        "insert into raw_calls values (null, 'service', 'A2', 'answered', 1, 0, date '2026-09-03');"
        "insert into raw_legs values (null, 0)",
        [("not_null(stg_calls.call_id)", 1)],
    ),
    "accepted_values": (
        "update raw_calls set outcome = 'lost' where call_id = 'c3'",
        [
            ("accepted_values(stg_calls.outcome)", 1),
            ("expression_is_true(mart_queues: offered = answered + abandoned)", 1),
        ],
    ),
    "relationships": (
        "update raw_calls set agent_id = 'A9' where call_id in ('c2', 'c4')",
        [("relationships(stg_calls.agent_id -> stg_agents.agent_id)", 2)],
    ),
    "expression_is_true": (
        "update raw_calls set wait_s = -1 where call_id = 'c4'",
        [("expression_is_true(stg_calls: wait_s >= 0)", 1)],
    ),
    "expression_is_true with NULL": (
        "update raw_calls set wait_s = null where call_id = 'c4'",
        [("expression_is_true(stg_calls: wait_s >= 0)", 1)],
    ),
    "unique_combination": (
        "update raw_calls set queue = 'sales', agent_id = 'A1' where call_id = 'c4'",
        [("unique_combination(stg_calls: agent_id, call_day, queue)", 2)],
    ),
    "equal_rowcount": (
        "insert into raw_legs values ('c2', 0)",
        [("equal_rowcount(stg_calls.count(*) = stg_legs.count(*) by call_id)", 1)],
    ),
    "equal_sum": (
        "update raw_legs set leg_talk_s = 99 where call_id = 'c1'",
        [("equal_sum(stg_calls.sum(talk_s) = stg_legs.sum(leg_talk_s))", 1)],
    ),
}


@pytest.mark.parametrize("kind", MUTATIONS)
def test_each_test_kind_catches_its_failure_and_rolls_the_build_back(project_dir, con, kind):
    project = load_project(project_dir)
    run(con, project)
    before = con.execute("select * from stg_calls order by call_id").fetchall()
    mutation, expected_failures = MUTATIONS[kind]
    con.execute(mutation)
    with pytest.raises(DataTestError) as raised:
        run(con, project)
    failures = raised.value.result.failures
    assert [(f.name, f.failing_rows) for f in failures] == expected_failures
    message = str(raised.value)
    assert "rolled back" in message
    for failure in failures:
        assert len(failure.examples) == min(failure.failing_rows, 5)
        assert f"{failure.name} on {failure.model}: {failure.failing_rows} failing rows" in message
        assert f"({failure.config_path})" in message
    assert con.execute("select * from stg_calls order by call_id").fetchall() == before


def test_failure_report_lists_every_failed_test_with_at_most_five_examples(project_dir, con):
    con.execute(
        "insert into raw_calls select 'c9', 'sales', 'A9', 'lost', 1, 0, date '2026-09-09' "
        "from range(7)"
    )
    with pytest.raises(DataTestError) as raised:
        run(con, load_project(project_dir))
    failures = {f.name: f for f in raised.value.result.failures}
    assert failures["unique(stg_calls.call_id)"].failing_rows == 7
    assert len(failures["unique(stg_calls.call_id)"].examples) == 5
    assert failures["accepted_values(stg_calls.outcome)"].examples[0]["outcome"] == "lost"
    assert {"relationships(stg_calls.agent_id -> stg_agents.agent_id)"} < set(failures)
    assert raised.value.result.to_dict()["tests"]["failed"] == len(failures)
    assert con.execute("select count(*) from duckdb_tables()").fetchone() == (3,)  # raw only


def test_a_model_that_fails_midway_rolls_back_the_models_before_it(project_dir, con):
    (project_dir / "marts" / "mart_queues.sql").write_text(
        "with final as (select no_such_column from {{ ref('int_calls') }})\nselect * from final\n"
    )
    with pytest.raises(ProjectError, match=r"marts/mart_queues\.sql: model mart_queues failed"):
        run(con, load_project(project_dir))
    assert con.execute("select count(*) from duckdb_tables()").fetchone() == (3,)


def test_missing_source_table_is_named_with_its_readers(project_dir, con):
    con.execute("drop table raw_legs")
    with pytest.raises(SourceError, match=r"raw table raw_legs \(read by stg_legs\)"):
        run(con, load_project(project_dir))


def test_cycle_is_reported_with_its_path_and_files(tmp_path):
    project_dir = write_project(
        tmp_path,
        {
            "intermediate/int_a.sql": "with final as (select * from {{ ref('int_b') }})\n"
            "select * from final",
            "intermediate/int_b.sql": "with final as (select * from {{ ref('int_c') }})\n"
            "select * from final",
            "intermediate/int_c.sql": "with final as (select * from {{ ref('int_a') }})\n"
            "select * from final",
        },
    )
    with pytest.raises(ProjectError, match="dependency cycle") as raised:
        load_project(project_dir)
    message = str(raised.value)
    cycle = message.split(": ", 1)[1].split(" (")[0].split(" -> ")
    assert len(cycle) == 4 and cycle[0] == cycle[-1] and set(cycle) == {"int_a", "int_b", "int_c"}
    assert all(cycle[i + 1] in _refs_of(project_dir, cycle[i]) for i in range(3))
    assert "intermediate/int_a.sql" in message


def _refs_of(project_dir: Path, model: str) -> str:
    return (project_dir / "intermediate" / f"{model}.sql").read_text()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sets(st.integers(min_value=0, max_value=7), max_size=3), min_size=1, max_size=8))
def test_every_model_is_built_after_the_models_it_reads(upstream_choices):
    # Model i may read models with a smaller index only, so the graph has no cycle.
    reads = [sorted(r for r in choice if r < i) for i, choice in enumerate(upstream_choices)]
    files = {}
    for i, upstream in enumerate(reads):
        sources = " union all ".join(f"select * from {{{{ ref('int_{r}') }}}}" for r in upstream)
        files[f"intermediate/int_{i}.sql"] = f"with final as ({sources or 'select 1 as x'})" + FINAL
    with tempfile.TemporaryDirectory() as folder:
        project = load_project(write_project(Path(folder), files))
    order = list(project.models)
    assert sorted(order) == sorted(f"int_{i}" for i in range(len(reads)))
    for i, upstream in enumerate(reads):
        assert all(order.index(f"int_{r}") < order.index(f"int_{i}") for r in upstream)


@pytest.mark.parametrize(
    ("relative", "text", "message"),
    [
        ("staging/stg_x.sql", "with final as (select * from {{ ref('stg_y') }})" + FINAL,
         "stg_x.sql: ref('stg_y') names no model"),
        ("intermediate/int_x.sql", "with final as (select {{ var('interval') }})" + FINAL,
         "int_x.sql: var('interval') is not a variable"),
        ("intermediate/int_x.sql", "with final as (select * from {{ config('x') }})" + FINAL,
         "int_x.sql:1: unsupported template"),
        ("intermediate/int_x.sql", "{% set x = 1 %}with final as (select 1)" + FINAL,
         "int_x.sql:1: unsupported template"),
        ("intermediate/int_x.sql", "with final as (select * from {{ ref(stg_y) }})" + FINAL,
         "int_x.sql:1: unsupported template"),
        ("intermediate/int_x.sql", "with final as (select * from {{ source('raw') }})" + FINAL,
         "int_x.sql: only staging models read source()"),
        ("staging/stg_x.sql", "with final as (select 1)\nselect * from final where 1 = 1\n",
         "stg_x.sql: a model must end with 'select * from final'"),
        ("staging/calls.sql", "with final as (select 1)" + FINAL,
         "calls.sql: a staging model's file name must be stg_*"),
        ("stg_x.sql", "with final as (select 1)" + FINAL,
         "stg_x.sql: a model must live under one of staging, intermediate, marts/"),
    ],
)  # fmt: skip
def test_model_file_errors_name_the_file(tmp_path, relative, text, message):
    project_dir = write_project(tmp_path, {relative: text})
    with pytest.raises(ProjectError, match=_literal(message)):
        load_project(project_dir)


def test_a_staging_model_may_not_ref_and_layers_only_read_downwards(tmp_path):
    files = {
        "intermediate/int_x.sql": "with final as (select 1 as x)" + FINAL,
        "staging/stg_x.sql": "with final as (select * from {{ ref('int_x') }})" + FINAL,
    }
    with pytest.raises(
        ProjectError, match=r"stg_x\.sql: staging models may not read the intermediate model int_x"
    ):
        load_project(write_project(tmp_path / "a", files))
    files = {
        "marts/mart_x.sql": "with final as (select 1 as x)" + FINAL,
        "intermediate/int_x.sql": "with final as (select * from {{ ref('mart_x') }})" + FINAL,
    }
    with pytest.raises(
        ProjectError, match=r"int_x\.sql: intermediate models may not read the marts model mart_x"
    ):
        load_project(write_project(tmp_path / "b", files))


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("with final as (selec 1)" + FINAL, "model int_x does not parse"),
        ("with final as (select 1); select 2;" + FINAL, "model int_x does not parse|exactly one"),
    ],
)
def test_a_model_that_does_not_compile_names_the_file(tmp_path, con, sql, message):
    project_dir = write_project(tmp_path, {"intermediate/int_x.sql": sql})
    with pytest.raises(ProjectError, match=r"intermediate/int_x\.sql") as raised:
        run(con, load_project(project_dir))
    assert any(part in str(raised.value) for part in message.split("|"))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[models.stg_calls]\ndescripton = 'x'\n",
         "models.stg_calls: unknown key 'descripton'"),
        ("[models.stg_calls.columns.call_id]\nuniq = true\n",
         "models.stg_calls.columns.call_id: unknown key 'uniq'"),
        ("[model.stg_calls]\ndescription = 'x'\n", "top level: unknown key 'model'"),
        ("[models.stg_nothing]\ndescription = 'x'\n", "models.stg_nothing: no model named"),
        ("[models.stg_calls.columns.call_id]\nunique = 'yes'\n", "unique: must be true or false"),
        ("[models.stg_calls.columns.agent_id]\nrelationships = { to = 'stg_agents' }\n",
         "needs both 'to' (a model) and 'field'"),
        ("[models.stg_calls.columns.agent_id]\nrelationships = { to = 'x', field = 'y' }\n",
         "relationships.to: no model named 'x'"),
        ("[models.stg_calls.columns.outcome]\naccepted_values = []\n",
         "accepted_values: must be a non-empty list"),
        ("[[equal_sum]]\nmodel = 'stg_calls'\nother_model = 'stg_legs'\ncolumn = 'talk_s'\n",
         "equal_sum[0]: missing key 'other_column'"),
        ("[[equal_rowcount]]\nmodel = 'stg_calls'\nother_model = 'stg_legs'\ntolerance = 1\n",
         "equal_rowcount[0]: unknown key 'tolerance'"),
        ("[models.stg_calls\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_config_errors_name_the_file_and_the_key(project_dir, toml, message):
    (project_dir / "staging" / "_models.toml").write_text(toml)
    with pytest.raises(ProjectError, match=r"staging/_models\.toml: .*" + _literal(message)):
        load_project(project_dir)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[models.stg_calls.columns.caller]\nnot_null = true\n",
         "models.stg_calls.columns.caller: model stg_calls has no column caller"),
        ("[models.stg_calls.columns.caller]\ndescription = 'documented, not there'\n",
         "models.stg_calls.columns.caller: model stg_calls has no column caller"),
        ("[models.stg_calls]\nunique_combination = ['call_id', 'day']\n",
         "model stg_calls has no column day"),
        ("[[equal_sum]]\nmodel = 'stg_calls'\nother_model = 'stg_legs'\ncolumn = 'talk_s'\n"
         "other_column = 'talk_s'\n", "model stg_legs has no column talk_s"),
        ("[models.stg_calls]\nexpression_is_true = ['wait > 0']\n",
         "test expression_is_true(stg_calls: wait > 0) cannot run"),
    ],
)  # fmt: skip
def test_a_test_on_a_missing_column_names_the_config_file(project_dir, con, toml, message):
    (project_dir / "staging" / "_models.toml").write_text(toml)
    with pytest.raises(ProjectError, match=r"staging/_models\.toml: .*" + _literal(message)):
        run(con, load_project(project_dir))
    assert con.execute("select count(*) from duckdb_tables()").fetchone() == (3,)


def test_a_model_configured_twice_is_an_error(project_dir):
    (project_dir / "marts" / "_models.toml").write_text("[models.stg_calls]\ndescription = 'x'\n")
    with pytest.raises(ProjectError, match="stg_calls is already configured in"):
        load_project(project_dir)


def test_the_shipped_project_loads():
    project = load_project()
    assert {"stg_queue_log", "stg_cdr"} <= set(project.models)
    assert {"raw_queue_log", "raw_cdr"} <= set(project.sources)
    assert all(model.description for model in project.models.values())


@pytest.mark.parametrize("target", ["mart_interval_kpis", "fct_calls", "mart_settlement"])
def test_upstream_of_keeps_exactly_the_target_and_its_ancestors(target):
    project = load_project()
    part = project.upstream_of([target])
    # Ancestors found here independently, from each model's SQL text: a model is upstream
    # when its name appears as ref('name') in a kept model.
    expected, frontier = {target}, [target]
    while frontier:
        text = project.models[frontier.pop()].template
        for name in project.models:
            if name not in expected and re.search(rf"ref\(\s*'{name}'\s*\)", text):
                expected.add(name)
                frontier.append(name)
    assert set(part.models) == expected
    assert list(part.models) == [name for name in project.models if name in expected]
    left_out = set(project.models) - expected
    assert left_out, "the target should leave something out"
    for test in project.tests:
        reads_left_out = test.model in left_out or any(
            re.search(rf"\b{name}\b", test.sql) for name in left_out
        )
        assert (test in part.tests) == (not reads_left_out), test.name
    with pytest.raises(ProjectError, match="no model named nope"):
        project.upstream_of(["nope"])


def _literal(text: str) -> str:
    return re.escape(text)


def test_a_model_configured_as_a_view_is_read_through_not_stored(project_dir, con):
    config = project_dir / "staging" / "_models.toml"
    config.write_text(
        config.read_text().replace(
            "[models.stg_calls]\n", '[models.stg_calls]\nmaterialized = "view"\n', 1
        )
    )
    project = load_project(project_dir)
    assert project.models["stg_calls"].materialized == "view"
    assert project.models["stg_agents"].materialized == "table"
    result = run(con, project)
    assert not result.failures and len(result.tests) == 9
    kinds = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_name in ('stg_calls', 'stg_agents')"
        ).fetchall()
    )
    assert kinds == {"stg_calls": "VIEW", "stg_agents": "BASE TABLE"}
    # The view follows its source; the tables built from it were built from its rows.
    assert con.execute("select count(*) from int_calls").fetchone() == (4,)
    con.execute("delete from raw_calls where call_id = 'c4'")
    assert con.execute("select count(*) from stg_calls").fetchone() == (3,)


def test_an_unknown_materialization_names_the_file_and_key(project_dir):
    config = project_dir / "staging" / "_models.toml"
    config.write_text(
        config.read_text().replace(
            "[models.stg_calls]\n", '[models.stg_calls]\nmaterialized = "incremental"\n', 1
        )
    )
    with pytest.raises(
        ProjectError,
        match=r"staging/_models\.toml: models\.stg_calls\.materialized: 'incremental' is not "
        r"one of table, view",
    ):
        load_project(project_dir)
