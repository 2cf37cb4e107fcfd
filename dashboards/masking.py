"""Caller numbers hidden from roles that do not need them: tables, downloads, SQL results.

Pure functions (no Streamlit, no database). A role that may ``see_numbers``
(``dashboards.auth.can``: manager, qa, admin) gets every frame unchanged; any other role
(planner, analyst) gets the columns below masked as :func:`dashboards.auth.mask_number`
masks a number (``13800138000`` -> ``138******00``). Columns are recognised by name: the
name lower-cased, without a ``table.`` prefix or a ``_<digits>`` suffix (DuckDB's name for
a repeated column).

:data:`NUMBER_COLUMNS`, whose value *is* a number (or ``"name" <number>``): every run of
digits in it is masked. The names the warehouse gives a caller's or a dialled party's
number:

- ``caller_number`` (``int_queue_visits``, ``int_agent_visits``, ``int_connect_queue_visits``),
  ``caller_id``, ``source_number`` and ``destination`` (``stg_cdr``, ``mart_call_billing``);
- ``src``, ``dst``, ``clid`` (``raw_cdr``: Asterisk's CDR; ``clid`` is ``"name" <number>``);
- ``customer_number``, ``system_number``, ``transferred_to_number`` (Amazon Connect
  contacts), ``number`` and ``dialled_number`` (outbound attempts), ``rated_number``
  (``mart_call_billing``);
- the usual names of other sources: ``ani``, ``dnis``, ``cli``, ``callerid``, ``caller``,
  ``phone``, ``phone_number``, ``msisdn``, ``mobile``, ``telephone``, ``contact_number``,
  ``callback_number``, ``dialed_number``.

:data:`TEXT_COLUMNS_WITH_NUMBERS`, free text that carries a number inside: only runs of
at least :data:`MIN_EMBEDDED_DIGITS` digits (a phone number's length) are masked, so
queue positions, wait seconds and the like stay readable:

- ``data``, ``data1`` ... ``data5`` (the queue log: ``ENTERQUEUE``'s caller id);
- ``lastdata``, ``last_app_data`` (the CDR's dial string, ``PJSIP/<number>@trunk``);
- ``file_name``, ``recording_file_name`` (recordings are named after the caller's number).

A ``*`` left by an earlier masking counts as part of a run, so masking a masked value
changes nothing. The match is by column name only, so a result whose number column was
renamed (``select caller_number as x``) is not caught here: the SQL explorer therefore
also masks in the database (``dashboards.sql_explorer``, masked views built with
:func:`mask_value`), before the query sees the values.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboards import auth

NUMBER_COLUMNS: frozenset[str] = frozenset(
    {
        "caller_number",
        "caller_id",
        "callerid",
        "caller",
        "source_number",
        "src",
        "dst",
        "clid",
        "cli",
        "ani",
        "dnis",
        "customer_number",
        "system_number",
        "transferred_to_number",
        "number",
        "dialled_number",
        "dialed_number",
        "rated_number",
        "destination",
        "phone",
        "phone_number",
        "telephone",
        "mobile",
        "msisdn",
        "contact_number",
        "callback_number",
    }
)
TEXT_COLUMNS_WITH_NUMBERS: frozenset[str] = frozenset(
    {
        "data",
        "data1",
        "data2",
        "data3",
        "data4",
        "data5",
        "lastdata",
        "last_app_data",
        "file_name",
        "recording_file_name",
    }
)
MIN_EMBEDDED_DIGITS = 7

_SUFFIX = re.compile(r"_\d+$")
_RUN = re.compile(r"\+?[\d*]*\d[\d*]*")


def _base_name(name: object) -> str:
    return str(name).strip().strip('"').lower().rsplit(".", 1)[-1]


def _listed(name: object, names: frozenset[str]) -> bool:
    text = _base_name(name)
    return text in names or _SUFFIX.sub("", text) in names


def is_number_column(name: object) -> bool:
    """Whether ``name`` names a number column (:data:`NUMBER_COLUMNS`)."""
    return _listed(name, NUMBER_COLUMNS)


def is_masked_column(name: object) -> bool:
    """Whether a column of this name is masked for roles that may not see numbers: a
    number column or a text column with numbers inside."""
    return is_number_column(name) or _listed(name, TEXT_COLUMNS_WITH_NUMBERS)


def number_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` masked for roles that may not see numbers, in its order."""
    return [c for c in frame.columns if is_masked_column(c)]


def mask_value(value: object, role: str, min_digits: int = 1) -> object:
    """``value`` as ``role`` may see it: unchanged for a role that may see numbers and for
    a missing value; otherwise its text with every run of at least ``min_digits`` digits
    masked (module docstring). A value that is not text is masked as its text."""
    if auth.can(role, "see_numbers") or value is None:
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return value

    def masked(match: re.Match[str]) -> str:
        run = match.group()
        if len(run.lstrip("+")) < min_digits:
            return run
        return auth.mask_number(run, role) or ""

    text = str(value)
    result = _RUN.sub(masked, text)
    return value if result == text else result  # a value left whole keeps its type


def mask_numbers(frame: pd.DataFrame, role: str) -> pd.DataFrame:
    """``frame`` with its number columns (and text columns with numbers) masked for
    ``role``: the same object when the role may see numbers or no column is to be masked,
    else a masked copy (the masked columns become text)."""
    positions = [i for i, c in enumerate(frame.columns) if is_masked_column(c)]
    if not positions or auth.can(role, "see_numbers"):
        return frame
    masked = frame.copy()
    for i in positions:  # by position: a frame may repeat a column name
        least = 1 if is_number_column(frame.columns[i]) else MIN_EMBEDDED_DIGITS
        values = frame.iloc[:, i].astype(object).map(lambda v, n=least: mask_value(v, role, n))
        masked.isetitem(i, values)
    return masked


def csv_bytes(frame: pd.DataFrame, role: str) -> bytes:
    """``frame`` as the CSV a download gives ``role``: machine column names, UTF-8, number
    columns masked."""
    return mask_numbers(frame, role).to_csv(index=False).encode("utf-8")


def excel_bytes(frame: pd.DataFrame, role: str, sheet: str = "data") -> bytes:
    """``frame`` as the Excel workbook (.xlsx, one sheet) a download gives ``role``: machine
    column names, number columns masked; time-zone-aware times are written as UTC wall
    times (Excel has no time zones)."""
    import io

    masked = mask_numbers(frame, role).copy()
    for column in masked.columns:
        if isinstance(masked[column].dtype, pd.DatetimeTZDtype):
            masked[column] = masked[column].dt.tz_convert("UTC").dt.tz_localize(None)
    buffer = io.BytesIO()
    masked.to_excel(buffer, index=False, sheet_name=sheet[:31] or "data", engine="openpyxl")
    return buffer.getvalue()
