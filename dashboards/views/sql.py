"""Analyst: one read-only SQL query on the published warehouse (``dashboards.sql_explorer``),
with the warehouse's tables and columns in the sidebar."""

import duckdb
import streamlit as st

from dashboards import sql_explorer
from dashboards.views._common import cached, csv_download, paths, require

warehouse_columns = cached(sql_explorer.warehouse_columns)

require("sql")
st.header("SQL explorer")
where = paths()

columns = warehouse_columns(where.warehouse)
with st.sidebar:
    st.subheader("Tables and views")
    for (schema, table, kind), rows in columns.groupby(
        ["table_schema", "table_name", "table_type"], sort=False
    ):
        name = table if schema == "main" else f"{schema}.{table}"
        with st.expander(f"{name} ({'view' if kind == 'VIEW' else 'table'})"):
            st.dataframe(rows[["column_name", "data_type"]], hide_index=True)

st.caption(
    f"One {sql_explorer.ALLOWED_KINDS} statement, read-only; at most "
    f"{sql_explorer.DEFAULT_LIMIT:,} rows are shown."
)
sql = st.text_area("SQL", value="select * from mart_interval_kpis limit 100", key="sql")
if st.button("Run", key="run", type="primary"):
    try:
        frame, truncated = sql_explorer.run_query(where.warehouse, sql)
    except (sql_explorer.QueryRefused, duckdb.Error) as exc:
        st.session_state.pop("sql_result", None)
        st.error(sql_explorer.one_line(exc))
    else:
        st.session_state["sql_result"] = (frame, truncated)

result = st.session_state.get("sql_result")
if result is not None:
    frame, truncated = result
    if truncated:
        st.warning(f"Only the first {len(frame):,} rows are shown: the query returned more.")
    st.caption(f"{len(frame):,} rows")
    st.dataframe(frame, hide_index=True, key="result")
    csv_download(frame, "query")
