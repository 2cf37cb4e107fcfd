"""What every page shares: the role check, cached reads, data paths, filters, downloads.

Pages stay thin: they call :mod:`dashboards.queries` through :func:`cached`, build
figures with :mod:`dashboards.charts`, and lay them out. No SQL and no business rule here
or in a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboards import auth, queries
from dashboards.settings import DataPaths, data_paths

CACHE_TTL_S = 300
F = TypeVar("F", bound=Callable[..., Any])


def cached(function: F) -> F:
    """``function`` behind ``st.cache_data`` (5 minutes; keyed by its arguments, so by the
    data folder too)."""
    return st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)(function)  # type: ignore[return-value]


data_days = cached(queries.data_days)
queue_names = cached(queries.queue_names)
agent_ids = cached(queries.agent_ids)
service_targets = cached(queries.service_targets)


def require(page_id: str) -> auth.User:
    """The logged-in user, if their role may open ``page_id``; otherwise the page stops
    with a message. The navigation registers only allowed pages; this is the second
    lock, for a page script run any other way."""
    user = st.session_state.get("user")
    if user is None:
        st.warning("Please log in.")
        st.stop()
    if page_id not in auth.allowed_pages(user.role):
        st.error(f"The role '{user.role}' may not open this page.")
        st.stop()
    return user


def paths() -> DataPaths:
    """The data folder's files; stops the page with a message when there is no warehouse."""
    where = data_paths()
    if not where.warehouse.is_file():
        st.error(f"No warehouse at {where.warehouse}: run 'callcenter demo' (or build) first.")
        st.stop()
    return where


def day_bounds(where: DataPaths) -> tuple[date, date]:
    """First and last day with data."""
    frame = data_days(where.warehouse)
    first, last = frame.loc[0, "first_day"], frame.loc[0, "last_day"]
    if first is None or pd.isna(first):
        st.warning("The warehouse has no interval data yet.")
        st.stop()
    return first, last


def day_filter(where: DataPaths, label: str = "Day", key: str = "day") -> date:
    """One day (default: the last day with data)."""
    first, last = day_bounds(where)
    return st.date_input(label, value=last, min_value=first, max_value=last, key=key)


def range_filter(where: DataPaths, days: int = 7, key: str = "dates") -> tuple[date, date]:
    """A day range (default: the last ``days`` days with data)."""
    first, last = day_bounds(where)
    default = (max(first, last - timedelta(days=days - 1)), last)
    chosen = st.date_input("Days", value=default, min_value=first, max_value=last, key=key)
    if isinstance(chosen, tuple | list):
        if len(chosen) == 2:
            return chosen[0], chosen[1]
        if len(chosen) == 1:
            return chosen[0], chosen[0]
        return default
    return chosen, chosen


def queue_filter(where: DataPaths, key: str = "queues") -> list[str]:
    """Queues (default: all)."""
    names = queue_names(where.warehouse)["queue"].tolist()
    chosen = st.multiselect("Queues", names, default=names, key=key)
    return chosen or names


def csv_download(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """A download button for ``frame`` as CSV."""
    st.download_button(
        f"Download {name}.csv",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key or f"download_{name}",
    )
