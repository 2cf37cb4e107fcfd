"""Analyst: one read-only SQL query on the published warehouse (``dashboards.sql_explorer``),
with the warehouse's tables and columns in the sidebar. Number columns of the result
(``dashboards.masking``) are masked for roles that may not see caller numbers: in the
database (the query reads masked views, so renaming or computing from a number column
shows masked values too) and again on the result, on screen and in the download; the
caption says so. Result headers are shown as the query names them."""

import duckdb
import streamlit as st

from dashboards import auth, masking, sql_explorer
from dashboards.views._common import cached, csv_download, paths, require, table, translator

warehouse_columns = cached(sql_explorer.warehouse_columns)

user = require("sql")
t = translator()
st.header(t("page.sql"))
where = paths()

columns = warehouse_columns(where.warehouse)
with st.sidebar:
    st.subheader(t("sql.tables"))
    for (schema, table_name, kind), rows in columns.groupby(
        ["table_schema", "table_name", "table_type"], sort=False
    ):
        name = table_name if schema == "main" else f"{schema}.{table_name}"
        with st.expander(t("sql.view" if kind == "VIEW" else "sql.table", name=name)):
            st.dataframe(t.columns(rows[["column_name", "data_type"]]), hide_index=True)

caption = t("sql.caption", kinds=sql_explorer.ALLOWED_KINDS, limit=sql_explorer.DEFAULT_LIMIT)
if auth.can(user.role, "see_numbers"):
    st.caption(caption)
else:
    st.caption(
        caption + " " + t("sql.masked"),
        help=t(
            "sql.masked_help",
            numbers=", ".join(sorted(masking.NUMBER_COLUMNS)),
            texts=", ".join(sorted(masking.TEXT_COLUMNS_WITH_NUMBERS)),
            digits=masking.MIN_EMBEDDED_DIGITS,
        ),
    )
sql = st.text_area(t("sql.sql"), value="select * from mart_interval_kpis limit 100", key="sql")
if st.button(t("sql.run"), key="run", type="primary"):
    try:
        frame, truncated = sql_explorer.run_query(where.warehouse, sql, masked_for=user.role)
    except (sql_explorer.QueryRefused, duckdb.Error) as exc:
        st.session_state.pop("sql_result", None)
        st.error(sql_explorer.one_line(exc))
    else:
        # masked before it is kept in the session: the full numbers are never stored
        st.session_state["sql_result"] = (masking.mask_numbers(frame, user.role), truncated)

result = st.session_state.get("sql_result")
if result is not None:
    frame, truncated = result
    if truncated:
        st.warning(t("sql.truncated", rows=len(frame)))
    st.caption(t("sql.rows", rows=len(frame)))
    table(frame, key="result", translate_headers=False)
    csv_download(frame, "query")
