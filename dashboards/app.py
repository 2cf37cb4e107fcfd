"""The Streamlit dashboard: a login gate, then the pages the user's role may open.

Run it with ``callcenter serve`` (or ``streamlit run dashboards/app.py`` with
``CALLCENTER_DATA`` naming the data folder). Users live in the operational store
(``dashboards.auth``); ``callcenter users add`` creates them.

Pages (``dashboards/views/``) are grouped by role with ``st.navigation``; a page that is
not in ``dashboards.auth.allowed_pages(role)`` is never registered, so it cannot be opened
by its URL either, and every page checks the role again itself
(``dashboards.views._common.require``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboards import auth
from dashboards.settings import data_paths

# Not "pages/": a folder of that name beside the entry script switches Streamlit to its
# old directory-based multipage mode, in which a page file can run without this script
# (and so without the login gate).
PAGES_DIR = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    """One page: its id (as ``auth.allowed_pages`` names it), group, file and title."""

    page_id: str
    section: str
    file: str
    title: str
    icon: str


PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("overview", "Manager", "overview.py", "Overview", ":material/dashboard:"),
    PageSpec("queues", "Manager", "queues.py", "Queues", ":material/queue:"),
    PageSpec("agents", "Manager", "agents.py", "Agents", ":material/support_agent:"),
    PageSpec("ivr", "Manager", "ivr.py", "IVR", ":material/dialpad:"),
    PageSpec("orders", "Manager", "orders.py", "Orders", ":material/shopping_cart:"),
    PageSpec("settlement", "Manager", "settlement.py", "Settlement", ":material/payments:"),
    PageSpec("risk", "Manager", "risk.py", "Risk", ":material/warning:"),
    PageSpec("forecast", "WFM planner", "forecast.py", "Forecast vs actual", ":material/insights:"),
    PageSpec("coverage", "WFM planner", "coverage.py", "Coverage", ":material/stacked_line_chart:"),
    PageSpec("roster", "WFM planner", "roster.py", "Roster", ":material/calendar_month:"),
    PageSpec("adherence", "WFM planner", "adherence.py", "Adherence", ":material/rule:"),
    PageSpec("qa_scores", "Quality", "qa_scores.py", "QA scores", ":material/grading:"),
    PageSpec("sql", "Analyst", "sql.py", "SQL explorer", ":material/terminal:"),
)


def visible_specs(role: str) -> list[PageSpec]:
    """The pages ``role`` may open that exist, in menu order."""
    allowed = auth.allowed_pages(role)
    return [s for s in PAGE_SPECS if s.page_id in allowed and (PAGES_DIR / s.file).is_file()]


def _login() -> None:
    st.title("Contact center dashboard")
    with st.form("login"):
        user_id = st.text_input("User", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        user = auth.authenticate(data_paths().operational, user_id, password)
        if user is None:
            st.error("Unknown user or wrong password.")
        else:
            st.session_state["user"] = user
            st.rerun()


def _logout() -> None:
    st.session_state.pop("user", None)
    st.rerun()


def main() -> None:
    st.set_page_config(page_title="Contact center", layout="wide")
    user = st.session_state.get("user")
    if user is None:
        st.navigation([st.Page(_login, title="Log in", icon=":material/login:")]).run()
        return
    sections: dict[str, list[st.Page]] = {}
    for spec in visible_specs(user.role):
        sections.setdefault(spec.section, []).append(
            st.Page(
                str(PAGES_DIR / spec.file),
                title=spec.title,
                icon=spec.icon,
                url_path=spec.page_id,
                default=spec.page_id == "overview",
            )
        )
    account = st.Page(
        _logout, title=f"Log out ({user.name})", icon=":material/logout:", url_path="logout"
    )
    sections.setdefault("Account", []).append(account)
    st.sidebar.caption(f"{user.name} · {user.role}")
    st.navigation(sections).run()


main()
