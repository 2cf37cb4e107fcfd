"""Settlement: by distributor, receivables ageing, exceptions and call billing."""

import streamlit as st

from dashboards import charts, queries
from dashboards.views._common import (
    cached,
    csv_download,
    paths,
    range_filter,
    require,
    table,
    translator,
)

settlement_by_party = cached(queries.settlement_by_party)
settlement_exceptions = cached(queries.settlement_exceptions)
call_billing = cached(queries.call_billing)

require("settlement")
t = translator()
st.header(t("page.settlement"))
where = paths()
start, end = range_filter(where, days=31)
by_party = settlement_by_party(where.warehouse, start, end)

columns = st.columns(3)
columns[0].metric(t("settlement.net_due"), f"{by_party['net_due'].sum():,.2f}")
columns[1].metric(t("settlement.net_collected"), f"{by_party['net_collected'].sum():,.2f}")
columns[2].metric(t("settlement.open_receivables"), f"{by_party['open_receivables'].sum():,.2f}")
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.settlement_figure(by_party, tr=t), key="settlement")
with right:
    st.plotly_chart(charts.ageing_figure(by_party, queries.AGEING_BUCKETS, tr=t), key="ageing")
table(by_party, key="settlement_table")
csv_download(by_party, f"settlement_{start}_{end}")

st.subheader(t("settlement.exceptions"))
exceptions = settlement_exceptions(where.warehouse, start, end)
table(exceptions, key="exceptions_table")
csv_download(exceptions, f"settlement_exceptions_{start}_{end}")

st.subheader(t("settlement.billing"))
billing = call_billing(where.warehouse, start, end)
st.metric(t("settlement.call_cost"), f"{billing['cost'].sum():,.2f}")
st.plotly_chart(charts.billing_figure(billing, tr=t), key="billing")
table(billing, key="billing_table", terms={"direction": "direction"})
csv_download(billing, f"call_billing_{start}_{end}")
