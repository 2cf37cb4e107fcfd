"""What every page shares: the role check, the language, cached reads, data paths,
filters, tables and downloads.

Pages stay thin: they call :mod:`dashboards.queries` through :func:`cached`, build
figures with :mod:`dashboards.charts`, and lay them out. No SQL and no business rule here
or in a page.

Every text a page shows goes through :func:`translator` (``t = translator()``, then
``t("page.overview")``; catalogue in :mod:`dashboards.i18n`); the language is the
session's ``lang`` (the sidebar's selector, ``?lang=``, else ``CALLCENTER_LANG``).
Every table goes through :func:`table` and every download through :func:`csv_download`:
both mask caller numbers for roles that may not see them (:mod:`dashboards.masking`);
tables show translated headers, downloads keep the machine column names (stable for
scripts and spreadsheets), whatever the language.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboards import auth, i18n, masking, queries
from dashboards.settings import DataPaths, data_paths, default_language

CACHE_TTL_S = 300
F = TypeVar("F", bound=Callable[..., Any])


def data_version(args: tuple[Any, ...]) -> tuple[int, ...]:
    """The modification times (ns) of the database files among ``args``: a new publish of
    the warehouse (build-then-rename) or a new planning run changes them."""
    versions = []
    for arg in args:
        if isinstance(arg, str | os.PathLike) and str(arg).endswith(".duckdb"):
            try:
                versions.append(os.stat(arg).st_mtime_ns)
            except OSError:
                versions.append(0)
    return tuple(versions)


def cached(function: F) -> F:
    """``function`` behind ``st.cache_data`` (5 minutes; keyed by its arguments, so by the
    data folder too, and by the database files' modification times, so a new publish is
    read at once: the live wallboard refreshes onto it)."""

    def versioned(version: tuple[int, ...], *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    # st.cache_data tells cached functions apart by module and qualified name.
    versioned.__module__ = function.__module__
    versioned.__qualname__ = f"cached.{function.__qualname__}"
    store = st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)(versioned)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        return store(data_version(args), *args, **kwargs)

    call.clear = store.clear  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


data_days = cached(queries.data_days)
queue_names = cached(queries.queue_names)
agent_ids = cached(queries.agent_ids)
teams = cached(queries.teams)
agents_of_teams = cached(queries.agents_of_teams)
service_targets = cached(queries.service_targets)


LANG_KEY = "lang"


def current_language() -> str:
    """The session's language code: its ``lang`` entry, else ``CALLCENTER_LANG``."""
    return i18n.normalise(st.session_state.get(LANG_KEY)) or default_language()


def translator() -> i18n.Translator:
    """The messages of the session's language."""
    return i18n.Translator(current_language())


def current_role() -> str:
    """The logged-in user's role ("" when nobody is logged in: sees numbers masked)."""
    user = st.session_state.get("user")
    return user.role if user is not None else ""


def require(page_id: str) -> auth.User:
    """The logged-in user, if their role may open ``page_id``; otherwise the page stops
    with a message. The navigation registers only allowed pages; this is the second
    lock, for a page script run any other way."""
    t = translator()
    user = st.session_state.get("user")
    if user is None:
        st.warning(t("common.login_required"))
        st.stop()
    if page_id not in auth.allowed_pages(user.role):
        st.error(t("common.forbidden", role=t.term("role", user.role)))
        st.stop()
    return user


def paths() -> DataPaths:
    """The data folder's files; stops the page with a message when there is no warehouse."""
    where = data_paths()
    if not where.warehouse.is_file():
        st.error(translator()("common.no_warehouse", path=where.warehouse))
        st.stop()
    return where


def day_bounds(where: DataPaths) -> tuple[date, date]:
    """First and last day with data."""
    frame = data_days(where.warehouse)
    first, last = frame.loc[0, "first_day"], frame.loc[0, "last_day"]
    if first is None or pd.isna(first):
        st.warning(translator()("common.no_interval_data"))
        st.stop()
    return first, last


def day_filter(where: DataPaths, key: str = "day") -> date:
    """One day (default: the last day with data)."""
    first, last = day_bounds(where)
    label = translator()("filter.day")
    return st.date_input(label, value=last, min_value=first, max_value=last, key=key)


def range_filter(where: DataPaths, days: int = 7, key: str = "dates") -> tuple[date, date]:
    """A day range (default: the last ``days`` days with data)."""
    first, last = day_bounds(where)
    default = (max(first, last - timedelta(days=days - 1)), last)
    label = translator()("filter.days")
    chosen = st.date_input(label, value=default, min_value=first, max_value=last, key=key)
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
    chosen = st.multiselect(translator()("filter.queues"), names, default=names, key=key)
    return chosen or names


def team_filter(where: DataPaths, key: str = "teams") -> list[str] | None:
    """Teams of the agent directory (empty: all), as the agent ids of the chosen teams, or
    None for every agent. Not shown when the warehouse has no directory (built before
    ``stg_agent_directory`` existed, or no directory export delivered)."""
    names = teams(where.warehouse)["team"].tolist()
    if not names:
        return None
    chosen = st.multiselect(translator()("filter.teams_all"), names, default=[], key=key)
    if not chosen:
        return None
    return agents_of_teams(where.warehouse, chosen)


def range_queue_team_filters(
    where: DataPaths,
) -> tuple[date, date, list[str], list[str] | None]:
    """The filter row of the pages over days, queues and teams: (start, end, queues,
    agents of the chosen teams or None), as :func:`range_filter`, :func:`queue_filter`
    and :func:`team_filter` give them."""
    left, middle, right = st.columns([1, 2, 1])
    with left:
        start, end = range_filter(where)
    with middle:
        queues = queue_filter(where)
    with right:
        team_agents = team_filter(where)
    return start, end, queues, team_agents


def both(agents: list[str] | None, team_agents: list[str] | None) -> list[str] | None:
    """The agents two filters agree on (None: no restriction from that filter)."""
    if agents is None:
        return team_agents
    if team_agents is None:
        return agents
    return [agent for agent in agents if agent in set(team_agents)]


def table(
    frame: pd.DataFrame,
    key: str,
    translate_headers: bool = True,
    terms: dict[str, str] | None = None,
) -> None:
    """``frame`` as a table: number columns masked for the user's role, headers in the
    session's language (``translate_headers=False``: as they are, for query results), and
    the columns named in ``terms`` (column -> vocabulary, e.g. ``{"stage": "stage"}``)
    shown in the language's words for that fixed vocabulary (``Translator.term``)."""
    t = translator()
    shown = masking.mask_numbers(frame, current_role())
    if terms:
        shown = shown.assign(
            **{
                column: shown[column].map(
                    lambda v, group=group: t.term(group, v), na_action="ignore"
                )
                for column, group in terms.items()
                if column in shown.columns
            }
        )
    if translate_headers:
        shown = t.columns(shown)
    st.dataframe(shown, hide_index=True, key=key)


def csv_download(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """Download buttons for ``frame`` as CSV and as Excel: machine column names, number
    columns masked for the user's role (:func:`dashboards.masking.csv_bytes`,
    :func:`dashboards.masking.excel_bytes`)."""
    t, role = translator(), current_role()
    key = key or f"download_{name}"
    left, right = st.columns(2)
    with left:
        st.download_button(
            t("common.download", name=name),
            masking.csv_bytes(frame, role),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=key,
        )
    with right:
        st.download_button(
            t("common.download_excel", name=name),
            masking.excel_bytes(frame, role, sheet=name),
            file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
        )
