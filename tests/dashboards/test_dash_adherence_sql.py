"""The adherence page (planner) and the read-only SQL explorer (analyst): the explorer's
core on the demo warehouse, and both pages with AppTest."""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dash_helpers import APP, USERS, metrics, plotly_charts, run_page
from streamlit.testing.v1 import AppTest

from dashboards import auth
from dashboards.sql_explorer import (
    QueryRefused,
    QueryTimeout,
    check_query,
    run_query,
    warehouse_columns,
)
from warehouse.connect import read_only, read_write
from wfm import adherence as wfm_adherence
from wfm.roster.store import DDL

KPI_SQL = "select queue, sum(offered) from mart_interval_kpis group by 1"


@pytest.fixture
def warehouse(dash_data: Path) -> Path:
    return dash_data / "warehouse.duckdb"


# ---------------------------------------------------------------- sql_explorer core


def test_a_select_runs_and_matches_duckdb(warehouse):
    frame, truncated = run_query(warehouse, KPI_SQL + " order by 1")
    assert not truncated
    with read_only(warehouse) as con:
        direct = con.execute(KPI_SQL + " order by 1").df()
    pd.testing.assert_frame_equal(frame, direct)


def test_with_describe_show_summarize_and_pivot_are_read_queries(warehouse):
    for sql in (
        "with q as (select queue from mart_interval_kpis) select count(*) from q",
        "describe mart_interval_kpis",
        "show tables",
        "summarize select offered from mart_interval_kpis",
        "pivot (select queue, offered from mart_interval_kpis) on queue using sum(offered)",
    ):
        frame, _ = run_query(warehouse, sql)
        assert len(frame) >= 1, sql


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select 1; select 2", "One statement"),
        ("", "Nothing to run"),
        ("insert into mart_interval_kpis select * from mart_interval_kpis", "not INSERT"),
        ("drop table mart_interval_kpis", "not DROP"),
        ("create table x as select 1", "not CREATE"),
        ("attach '/tmp/x.duckdb' as x", "not ATTACH"),
        ("copy mart_interval_kpis to '/tmp/x.csv'", "not COPY"),
        ("install httpfs", "not LOAD"),
        ("load httpfs", "not LOAD"),
        ("pragma version", "not PRAGMA"),
        ("set threads = 1", "not SET"),
        ("select * from read_csv('/etc/passwd')", "read_csv may not be used"),
        ("select count(*) from read_parquet('/x/*.parquet')", "read_parquet may not be used"),
        ("with f as (select * from glob('/*')) select * from f", "glob may not be used"),
        ("select * from mart_interval_kpis where queue in (select read_text('/x'))", "read_text"),
    ],
)
def test_anything_but_one_read_query_is_refused(warehouse, sql, message):
    with pytest.raises(QueryRefused, match=message):
        run_query(warehouse, sql)


def test_file_access_is_off_even_without_a_named_reader(warehouse):
    with pytest.raises(duckdb.Error):
        run_query(warehouse, "select * from '/etc/passwd'")
    # a pivot without IN is not serializable by DuckDB: the text check still applies
    with pytest.raises(QueryRefused, match="read_csv"):
        check_query("pivot (select * from read_csv('/etc/passwd')) on column0 using count(*)")


def test_rows_are_capped_and_truncation_is_said(warehouse):
    frame, truncated = run_query(warehouse, "select * from range(25)", limit=10)
    assert len(frame) == 10 and truncated
    frame, truncated = run_query(warehouse, "select * from range(10)", limit=10)
    assert len(frame) == 10 and not truncated


def test_a_runaway_query_is_stopped_at_the_timeout_and_the_next_one_runs(warehouse):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"ran longer than 0.5 s and was stopped"):
        run_query(
            warehouse,
            "select sum(a.range * b.range) from range(1000000) a, range(1000000) b",
            timeout_s=0.5,
        )
    assert time.monotonic() - started < 10  # stopped, not run to its end (hours)
    frame, _ = run_query(warehouse, "select 42 as answer")
    assert frame["answer"].tolist() == [42]


def test_a_query_runs_under_the_memory_limit(warehouse):
    frame, _ = run_query(warehouse, "select current_setting('memory_limit') as limit_")
    # DuckDB reports 2GB (decimal) in binary units
    assert frame["limit_"].tolist() == ["1.8 GiB"]


def test_timestamptz_columns_come_back_as_text(warehouse):
    frame, _ = run_query(
        warehouse, "select timestamptz '2026-01-02 03:04:05+00' as at, 1 as n, [now()] as l"
    )
    assert frame.loc[0, "at"] == "2026-01-02 03:04:05+00"
    assert isinstance(frame.loc[0, "l"], str) and frame.loc[0, "n"] == 1


def test_the_sidebar_lists_tables_and_views_with_columns(warehouse):
    columns = warehouse_columns(warehouse)
    kpis = columns[columns["table_name"] == "mart_interval_kpis"]
    assert {"queue", "offered"} <= set(kpis["column_name"])
    assert set(columns["table_type"]) <= {"BASE TABLE", "VIEW"}


# ---------------------------------------------------------------- SQL page


def _logged_in(user_id: str) -> AppTest:
    name, role = USERS[user_id]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["user"] = auth.User(user_id, name, role, True)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("data_env")
def test_an_analyst_runs_a_query_on_the_sql_page(warehouse):
    at = _logged_in("ana")
    at.switch_page("views/sql.py").run()
    assert not at.exception and at.header[0].value == "SQL explorer"
    assert at.sidebar.expander  # the tables
    at.text_area(key="sql").input(KPI_SQL).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    shown = at.main.dataframe[-1].value
    with read_only(warehouse) as con:
        direct = con.execute(KPI_SQL).df()
    key = direct.columns[0]
    pd.testing.assert_frame_equal(
        shown.sort_values(key).reset_index(drop=True),
        direct.sort_values(key).reset_index(drop=True),
    )
    assert len(at.get("download_button")) == 2  # CSV and Excel

    at.text_area(key="sql").input("delete from mart_interval_kpis").run()
    at.button(key="run").click().run()
    assert not at.exception and "not DELETE" in at.error[0].value
    assert "\n" not in at.error[0].value


@pytest.mark.usefixtures("data_env")
def test_a_manager_does_not_get_the_sql_or_adherence_page():
    at = _logged_in("boss")
    for page in ("sql", "adherence"):
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(f"views/{page}.py")
    direct = run_page("sql", role="manager")
    assert "may not open" in direct.error[0].value and not direct.text_area


# ---------------------------------------------------------------- adherence page


@pytest.mark.usefixtures("data_env")
def test_adherence_of_the_demos_own_roster_on_its_coming_day():
    # the demo rosters the week after its history and simulates the first day of it
    at = run_page("adherence", role="planner")
    assert not at.info, at.info[0].value
    assert at.metric and at.selectbox(key="day").options


def test_adherence_says_when_no_roster_covers_the_state_days(
    dash_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copy(dash_data / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    with read_write(tmp_path / "planning.duckdb") as con:
        for ddl in DDL:
            con.execute(ddl)
        con.execute(
            "insert into roster_runs (run_id, created_at, week_start, status) "
            "values ('r1', now()::timestamp, date '2030-01-07', 'OPTIMAL')"
        )
        con.execute(
            "insert into roster_shifts values ('r1', 'A1001', date '2030-01-07', 'shift', "
            "timestamp '2030-01-07 08:00', timestamp '2030-01-07 16:00')"
        )
    monkeypatch.setenv("CALLCENTER_DATA", str(tmp_path))
    at = run_page("adherence", role="planner")
    assert "No roster covers the days with agent states" in at.info[0].value
    assert not at.metric


def _state_days_and_agents(warehouse: Path) -> tuple[list[date], list[str]]:
    with read_only(warehouse) as con:
        days = [
            d
            for (d,) in con.execute(
                "select distinct day_local from int_agent_state_spans order by 1"
            ).fetchall()
        ]
        agents = [
            a
            for (a,) in con.execute(
                "select agent_id from int_agent_state_spans where day_local = ? "
                "and state = 'talking' group by 1 order by count(*) desc, 1 limit 4",
                [days[0]],
            ).fetchall()
        ]
    return days, agents


@pytest.fixture
def overlapping(dash_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder with the demo warehouse and a roster on both days with states."""
    shutil.copy(dash_data / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    days, agents = _state_days_and_agents(tmp_path / "warehouse.duckdb")
    assert len(days) == 3 and len(agents) == 4  # 2 days of history + 1 coming day
    rows = []
    for day in days:
        for n, agent in enumerate(agents):
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=8 + n)
            rows += [
                (agent, day, "shift", start, start + timedelta(hours=8)),
                (agent, day, "break", start + timedelta(hours=2), start + timedelta(hours=2.25)),
                (agent, day, "lunch", start + timedelta(hours=4), start + timedelta(hours=4.5)),
            ]
    with read_write(tmp_path / "planning.duckdb") as con:
        for ddl in DDL:
            con.execute(ddl)
        con.execute(
            "insert into roster_runs (run_id, created_at, week_start, status) "
            "values ('r1', now()::timestamp, ?, 'OPTIMAL')",
            [days[0]],
        )
        con.executemany(
            "insert into roster_shifts values ('r1', ?, ?, ?, ?, ?)", [list(r) for r in rows]
        )
    monkeypatch.setenv("CALLCENTER_DATA", str(tmp_path))
    return tmp_path


def _expected_adherence(folder: Path, day: date) -> float:
    warehouse = folder / "warehouse.duckdb"
    tz = wfm_adherence.warehouse_timezone(warehouse)
    roster = wfm_adherence.read_roster_store(folder / "planning.duckdb", tz).on_days([day])
    lo = min(r.start_s for r in roster.activities) - 4 * 3600
    hi = max(r.end_s for r in roster.activities) + 4 * 3600
    states = wfm_adherence.read_state_spans(warehouse, lo, hi)
    result = wfm_adherence.compute_adherence(roster.activities, states)
    assert len(result.days) == 4
    return sum(r.in_adherence_s for r in result.days) / sum(r.scheduled_s for r in result.days)


def test_adherence_per_day_matches_wfm_adherence(overlapping):
    at = run_page("adherence", role="planner")
    assert not at.info, at.info[0].value
    days = at.selectbox(key="day").options
    assert len(days) == 3 and at.selectbox(key="day").value == days[-1]
    shown = metrics(at)
    assert (
        shown["Adherence"]
        == f"{_expected_adherence(overlapping, date.fromisoformat(days[-1])):.1%}"
    )
    assert shown["Agents scheduled"] == "4"
    assert len(plotly_charts(at)) == 1
    assert len(at.get("download_button")) == 2  # CSV and Excel
    assert len(at.dataframe[1].value) == 4

    at.selectbox(key="day").set_value(days[0]).run()
    assert not at.exception
    other = metrics(at)["Adherence"]
    assert other == f"{_expected_adherence(overlapping, date.fromisoformat(days[0])):.1%}"
    assert other != shown["Adherence"]
