"""Settlement: by distributor, receivables ageing, exceptions and call billing."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import cached, csv_download, paths, range_filter, require

settlement_by_party = cached(queries.settlement_by_party)
settlement_exceptions = cached(queries.settlement_exceptions)
call_billing = cached(queries.call_billing)

require("settlement")
st.header("Settlement")
where = paths()
start, end = range_filter(where, days=31)
by_party = settlement_by_party(where.warehouse, start, end)

columns = st.columns(3)
columns[0].metric("Net due", f"{by_party['net_due'].sum():,.2f}")
columns[1].metric("Net collected", f"{by_party['net_collected'].sum():,.2f}")
columns[2].metric("Open receivables", f"{by_party['open_receivables'].sum():,.2f}")
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.settlement_figure(by_party), key="settlement")
with right:
    st.plotly_chart(charts.ageing_figure(by_party, queries.AGEING_BUCKETS), key="ageing")
st.dataframe(by_party, hide_index=True, key="settlement_table")
csv_download(by_party, f"settlement_{start}_{end}")

st.subheader("Exceptions")
exceptions = settlement_exceptions(where.warehouse, start, end)
st.dataframe(exceptions, hide_index=True, key="exceptions_table")
csv_download(exceptions, f"settlement_exceptions_{start}_{end}")

st.subheader("Call billing")
billing = call_billing(where.warehouse, start, end)
st.metric("Call cost", f"{billing['cost'].sum():,.2f}")
st.plotly_chart(charts.billing_figure(billing), key="billing")
st.dataframe(billing, hide_index=True, key="billing_table")
csv_download(billing, f"call_billing_{start}_{end}")
