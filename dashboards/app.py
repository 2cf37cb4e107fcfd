"""The Streamlit dashboard: a login gate, then the pages the user's role may open.

Run it with ``callcenter serve`` (or ``streamlit run dashboards/app.py`` with
``CALLCENTER_DATA`` naming the data folder). Users live in the operational store
(``dashboards.auth``); ``callcenter users add`` creates them.

Pages (``dashboards/views/``) are grouped by role with ``st.navigation``; a page that is
not in ``dashboards.auth.allowed_pages(role)`` is never registered, so it cannot be opened
by its URL either, and every page checks the role again itself
(``dashboards.views._common.require``).

The interface speaks English or Simplified Chinese (``dashboards.i18n``): the selector in
the sidebar, below the navigation (on the login page too), keeps the choice in the session
(``st.session_state["lang"]``); a first visit takes it from ``?lang=zh`` in the address,
else from ``CALLCENTER_LANG`` (``dashboards.settings.default_language``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboards import auth, i18n
from dashboards.settings import data_paths, default_language
from dashboards.views._common import LANG_KEY, translator

# Not "pages/": a folder of that name beside the entry script switches Streamlit to its
# old directory-based multipage mode, in which a page file can run without this script
# (and so without the login gate).
PAGES_DIR = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    """One page: its id (as ``auth.allowed_pages`` names it), its group's message id
    (``section.<section>``), file and icon; its title is the message ``page.<page_id>``."""

    page_id: str
    section: str
    file: str
    icon: str

    @property
    def title_key(self) -> str:
        return f"page.{self.page_id}"

    @property
    def section_key(self) -> str:
        return f"section.{self.section}"


PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("overview", "manager", "overview.py", ":material/dashboard:"),
    PageSpec("queues", "manager", "queues.py", ":material/queue:"),
    PageSpec("agents", "manager", "agents.py", ":material/support_agent:"),
    PageSpec("ivr", "manager", "ivr.py", ":material/dialpad:"),
    PageSpec("orders", "manager", "orders.py", ":material/shopping_cart:"),
    PageSpec("settlement", "manager", "settlement.py", ":material/payments:"),
    PageSpec("risk", "manager", "risk.py", ":material/warning:"),
    PageSpec("channels", "manager", "channels.py", ":material/mail:"),
    PageSpec("satisfaction", "manager", "satisfaction.py", ":material/sentiment_satisfied:"),
    PageSpec("forecast", "planner", "forecast.py", ":material/insights:"),
    PageSpec("coverage", "planner", "coverage.py", ":material/stacked_line_chart:"),
    PageSpec("roster", "planner", "roster.py", ":material/calendar_month:"),
    PageSpec("adherence", "planner", "adherence.py", ":material/rule:"),
    PageSpec("qa_evaluate", "quality", "qa_evaluate.py", ":material/checklist:"),
    PageSpec("qa_scores", "quality", "qa_scores.py", ":material/grading:"),
    PageSpec("qa_calibration", "quality", "qa_calibration.py", ":material/balance:"),
    PageSpec("qa_disputes", "quality", "qa_disputes.py", ":material/gavel:"),
    PageSpec("sql", "analyst", "sql.py", ":material/terminal:"),
)


def visible_specs(role: str) -> list[PageSpec]:
    """The pages ``role`` may open that exist, in menu order."""
    allowed = auth.allowed_pages(role)
    return [s for s in PAGE_SPECS if s.page_id in allowed and (PAGES_DIR / s.file).is_file()]


def _language_selector() -> None:
    """The sidebar's language selector; the first run of a session takes the language from
    ``?lang=`` when it names one, else from ``CALLCENTER_LANG``."""
    chosen = i18n.normalise(st.session_state.get(LANG_KEY))
    if chosen is None:
        chosen = i18n.normalise(st.query_params.get("lang")) or default_language()
    if st.session_state.get(LANG_KEY) != chosen:
        st.session_state[LANG_KEY] = chosen
    st.sidebar.selectbox(
        translator()("app.language"),
        list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.__getitem__,
        key=LANG_KEY,
    )


def _login() -> None:
    t = translator()
    st.title(t("login.title"))
    with st.form("login"):
        user_id = st.text_input(t("login.user"), key="login_user")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"))
    if submitted:
        user = auth.authenticate(data_paths().operational, user_id, password)
        if user is None:
            st.error(t("login.failed"))
        else:
            st.session_state["user"] = user
            st.rerun()


def _logout() -> None:
    st.session_state.pop("user", None)
    st.rerun()


def main() -> None:
    _language_selector()
    t = translator()
    st.set_page_config(page_title=t("app.page_title"), layout="wide")
    user = st.session_state.get("user")
    if user is None:
        st.navigation([st.Page(_login, title=t("nav.login"), icon=":material/login:")]).run()
        return
    sections: dict[str, list[st.Page]] = {}
    for spec in visible_specs(user.role):
        sections.setdefault(t(spec.section_key), []).append(
            st.Page(
                str(PAGES_DIR / spec.file),
                title=t(spec.title_key),
                icon=spec.icon,
                url_path=spec.page_id,
                default=spec.page_id == "overview",
            )
        )
    account = st.Page(
        _logout,
        title=t("nav.logout", name=user.name),
        icon=":material/logout:",
        url_path="logout",
    )
    sections.setdefault(t("section.account"), []).append(account)
    st.sidebar.caption(t("nav.user", name=user.name, role=t.term("role", user.role)))
    # expanded: every page of the role is listed (Streamlit otherwise folds the list
    # after ten entries behind "View more", which hid an admin's QA and SQL pages).
    st.navigation(sections, expanded=True).run()


main()
