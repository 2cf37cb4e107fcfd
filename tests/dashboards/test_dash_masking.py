"""Caller numbers masked for roles that may not see them (``dashboards.masking``): the pure
functions, the tables and downloads every page uses, and the SQL explorer (AppTest)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from dash_helpers import APP, USERS
from streamlit.testing.v1 import AppTest

from dashboards import auth, masking, sql_explorer
from dashboards.sql_explorer import QueryRefused, run_query
from warehouse.connect import read_only

# a Chinese mobile number, standing alone (not inside an id or a hash)
MOBILE = re.compile(r"(?<![0-9A-Za-z])(\+?86)?1[3-9]\d{9}(?![0-9A-Za-z])")
SEE = [role for role in auth.ROLES if auth.can(role, "see_numbers")]
HIDDEN = [role for role in auth.ROLES if not auth.can(role, "see_numbers")]


# ---------------------------------------------------------------- pure functions


def test_the_roles_split_as_auth_says():
    assert set(SEE) == {"manager", "qa", "admin"} and set(HIDDEN) == {"planner", "analyst"}


def test_number_columns_are_recognised_by_name():
    for name in ("caller_number", "CALLER_NUMBER", "t.src", '"clid"', "caller_number_1", "dst"):
        assert masking.is_number_column(name), name
    for name in ("visit_number", "number_of_holds", "build_number", "queue", "agent_id"):
        assert not masking.is_masked_column(name), name
    assert masking.is_masked_column("data2") and not masking.is_number_column("data2")
    assert masking.is_masked_column("recording_file_name")


def test_values_are_masked_like_auth_mask_number_and_masking_twice_changes_nothing():
    assert masking.mask_value("13800138000", "analyst") == "138******00"
    assert masking.mask_value("13800138000", "analyst") == auth.mask_number("13800138000", "x")
    assert masking.mask_value("+8613800138000", "planner") == "+861********00"
    assert masking.mask_value('"13800138000" <13800138000>', "analyst") == (
        '"138******00" <138******00>'
    )
    assert masking.mask_value(13800138000, "analyst") == "138******00"
    assert masking.mask_value("95388", "analyst") == "*****"
    assert masking.mask_value(None, "analyst") is None
    for value in ("13800138000", "+8613800138000", '"1" <13800138000>', "1027"):
        once = masking.mask_value(value, "analyst")
        assert masking.mask_value(once, "analyst") == once
    for role in SEE:
        assert masking.mask_value("13800138000", role) == "13800138000"
    # text with a number inside: only phone-length runs
    text = "2026/09/01/q-booking-13800138000-070142.wav"
    assert masking.mask_value(text, "analyst", 7) == "2026/09/01/q-booking-138******00-070142.wav"
    assert masking.mask_value(5, "analyst", 7) == 5


def _calls() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "call_id": ["c1", "c2"],
            "caller_number": ["13800138000", None],
            "queue": ["booking", "general"],
            "data2": ["13900139000", "12"],
        }
    )


def test_a_frame_is_masked_for_hidden_roles_and_left_alone_for_the_others():
    calls = _calls()
    for role in SEE:
        assert masking.mask_numbers(calls, role) is calls
    masked = masking.mask_numbers(calls, "analyst")
    assert masked.loc[0, "caller_number"] == "138******00"
    assert pd.isna(masked.loc[1, "caller_number"])  # a missing number stays missing
    assert masked["data2"].tolist() == ["139******00", "12"]
    assert masked[["call_id", "queue"]].equals(calls[["call_id", "queue"]])
    assert calls.loc[0, "caller_number"] == "13800138000"  # the input is not changed
    repeated = pd.DataFrame([["13800138000", "13900139000"]], columns=["src", "src"])
    assert masking.mask_numbers(repeated, "analyst").iloc[0].tolist() == [
        "138******00",
        "139******00",
    ]


def test_the_csv_download_keeps_machine_names_and_masks_numbers():
    analyst = masking.csv_bytes(_calls(), "analyst").decode("utf-8")
    assert analyst.splitlines()[0] == "call_id,caller_number,queue,data2"
    assert "138******00" in analyst and "13800138000" not in analyst
    assert "13800138000" in masking.csv_bytes(_calls(), "manager").decode("utf-8")


# ---------------------------------------------------------------- the shared table helper


def _table_script() -> None:
    import pandas as pd

    from dashboards.views._common import csv_download, table

    frame = pd.DataFrame({"caller_number": ["13800138000"], "queue": ["booking"]})
    table(frame, key="calls")
    csv_download(frame, "calls")


def _capture_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The bytes each download button offers, by file name."""
    captured: dict[str, bytes] = {}
    original = st.download_button

    def spy(label, data, *args, **kwargs):
        captured[kwargs.get("file_name")] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return captured


@pytest.mark.parametrize(
    ("role", "shown"), [("manager", "13800138000"), ("analyst", "138******00")]
)
def test_tables_and_downloads_mask_numbers_by_role(role, shown, monkeypatch):
    downloads = _capture_downloads(monkeypatch)
    at = AppTest.from_function(_table_script, default_timeout=30)
    at.session_state["user"] = auth.User("u", "U", role, True)
    at.run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert frame["Queue"].tolist() == ["booking"]  # translated header, data as it is
    assert frame["Caller number"].tolist() == [shown]
    csv = downloads["calls.csv"].decode("utf-8")
    assert csv.splitlines() == ["caller_number,queue", f"{shown},booking"]
    import io

    import pandas as pd

    workbook = pd.read_excel(io.BytesIO(downloads["calls.xlsx"]), dtype=str)
    assert workbook.to_dict("records") == [{"caller_number": shown, "queue": "booking"}]


# ---------------------------------------------------------------- the SQL explorer

CALLERS_SQL = (
    "select visit_id, caller_number, queue from int_queue_visits "
    "where caller_number is not null order by visit_id limit 5"
)


def _explorer(user_id: str) -> AppTest:
    name, role = USERS[user_id]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["user"] = auth.User(user_id, name, role, True)
    at.run()
    at.switch_page("views/sql.py").run()
    assert not at.exception, at.exception
    return at


def _run(at: AppTest, sql: str) -> pd.DataFrame:
    at.text_area(key="sql").input(sql).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error, at.error
    return at.main.dataframe[-1].value


def _direct(warehouse: Path, sql: str) -> pd.DataFrame:
    with read_only(warehouse) as con:
        return con.execute(sql).df()


def test_an_analyst_sees_masked_numbers_in_the_explorer_and_its_download(data_env, monkeypatch):
    downloads = _capture_downloads(monkeypatch)
    at = _explorer("ana")
    assert any("masked" in caption.value for caption in at.caption)
    shown = _run(at, CALLERS_SQL)
    direct = _direct(data_env / "warehouse.duckdb", CALLERS_SQL)
    assert len(shown) == 5
    assert shown["caller_number"].tolist() == [
        auth.mask_number(number, "analyst") for number in direct["caller_number"]
    ]
    assert not any(MOBILE.search(value) for value in shown["caller_number"])
    assert shown["queue"].tolist() == direct["queue"].tolist()
    csv = downloads["query.csv"].decode("utf-8")
    assert csv.splitlines()[0] == "visit_id,caller_number,queue"
    assert not MOBILE.search(csv)
    # the session keeps only the masked result
    kept, _truncated = at.session_state["sql_result"]
    assert kept["caller_number"].tolist() == shown["caller_number"].tolist()

    cdr = _run(at, "select src, clid, dst, lastdata from raw_cdr order by 1 limit 20")
    assert not any(MOBILE.search(str(v)) for v in cdr.to_numpy().ravel())


def test_an_admin_sees_the_numbers_whole_in_the_explorer(data_env, monkeypatch):
    downloads = _capture_downloads(monkeypatch)
    at = _explorer("root")
    assert not any("masked" in caption.value for caption in at.caption)
    shown = _run(at, CALLERS_SQL)
    direct = _direct(data_env / "warehouse.duckdb", CALLERS_SQL)
    assert shown["caller_number"].tolist() == direct["caller_number"].tolist()
    assert all(MOBILE.fullmatch(value) for value in shown["caller_number"])
    assert direct["caller_number"][0] in downloads["query.csv"].decode("utf-8")


def test_a_manager_cannot_open_the_explorer_and_sees_numbers_whole_elsewhere(data_env):
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["user"] = auth.User("boss", USERS["boss"][0], "manager", True)
    at.run()
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("views/sql.py")
    calls = _direct(data_env / "warehouse.duckdb", CALLERS_SQL)
    assert masking.mask_numbers(calls, "manager") is calls


def test_every_warehouse_column_holding_caller_numbers_is_masked(dash_data):
    """Every text column of the demo warehouse with a mobile number in it is one that
    masking knows, and a hidden role's ``select *`` of its table shows none."""
    warehouse = dash_data / "warehouse.duckdb"
    with read_only(warehouse) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and data_type = 'VARCHAR'"
        ).fetchall()
        holding: dict[str, list[str]] = {}
        for table_name, column in columns:
            (found,) = con.execute(
                f'select count(*) from (select "{column}" as v from "{table_name}" limit 5000) '
                "where regexp_matches(v, '(^|[^0-9A-Za-z])(\\+?86)?1[3-9][0-9]{9}($|[^0-9A-Za-z])')"
            ).fetchone()
            if found:
                holding.setdefault(table_name, []).append(column)
    assert "int_queue_visits" in holding and "raw_cdr" in holding
    unknown = {
        (table_name, column)
        for table_name, names in holding.items()
        for column in names
        if not masking.is_masked_column(column)
    }
    assert not unknown, unknown
    for table_name in holding:
        frame, _truncated = run_query(warehouse, f'select * from "{table_name}"', limit=2000)
        masked = masking.mask_numbers(frame, "analyst")
        assert not any(MOBILE.search(str(v)) for v in masked.to_numpy().ravel()), table_name


# ---------------------------------------------------------------- masking in the database

RENAMED_SQL = (
    "select caller_number as x, left(caller_number, 7) as head, "
    "caller_number || '' as copy from int_queue_visits "
    "where caller_number is not null order by visit_id limit 5"
)


def test_renaming_or_computing_from_a_number_column_shows_masked_values(dash_data):
    warehouse = dash_data / "warehouse.duckdb"
    direct = _direct(
        warehouse,
        "select caller_number from int_queue_visits "
        "where caller_number is not null order by visit_id limit 5",
    )
    shown, _truncated = run_query(warehouse, RENAMED_SQL, masked_for="analyst")
    expected = [auth.mask_number(n, "analyst") for n in direct["caller_number"]]
    assert shown["x"].tolist() == expected and shown["copy"].tolist() == expected
    assert shown["head"].tolist() == [m[:7] for m in expected]
    assert not any(MOBILE.search(str(v)) for v in shown.to_numpy().ravel())
    # grouping and filtering see the masked values too
    grouped, _ = run_query(
        warehouse,
        "select count(*) as n from raw_cdr where src like '1%' and substr(src, 4, 1) <> '*'",
        masked_for="planner",
    )
    assert grouped["n"].tolist() == [0]
    # a role that may see numbers reads the tables themselves
    whole, _ = run_query(warehouse, RENAMED_SQL, masked_for="manager")
    assert whole["x"].tolist() == direct["caller_number"].tolist()


def test_text_columns_keep_short_digit_runs_in_the_masked_views(dash_data):
    warehouse = dash_data / "warehouse.duckdb"
    sql = (
        "select data as d from raw_queue_log where event = 'CONNECT' "
        "order by source_file, byte_offset limit 20"
    )
    shown, _ = run_query(warehouse, sql, masked_for="analyst")
    direct = _direct(warehouse, sql)
    assert shown["d"].tolist() == [
        masking.mask_value(v, "analyst", masking.MIN_EMBEDDED_DIGITS) for v in direct["d"]
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "select * from query_table('raw_cdr')",
        "select * from query('select src from raw_cdr')",
    ],
)
def test_functions_that_take_a_table_name_as_text_are_refused(dash_data, sql):
    with pytest.raises(QueryRefused, match="may not be used here"):
        run_query(dash_data / "warehouse.duckdb", sql, masked_for="analyst")


def test_the_hidden_catalog_cannot_be_named(dash_data, monkeypatch):
    # The catalog's name is random per query; pin it to show that naming it is refused.
    monkeypatch.setattr(sql_explorer.secrets, "token_hex", lambda _n: "known")
    for sql in (
        "select src from hidden_known.raw_cdr",
        "select src from hidden_known.main.raw_cdr",
        'with c as (select * from "HIDDEN_KNOWN".raw_cdr) select src from c',
    ):
        with pytest.raises(QueryRefused, match="without a catalog"):
            run_query(dash_data / "warehouse.duckdb", sql, masked_for="analyst")
