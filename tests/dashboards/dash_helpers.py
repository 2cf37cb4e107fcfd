"""Shared names of the dashboard tests (paths, users, AppTest helpers); the fixtures
that build the data are in ``conftest.py``."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
APP = DASHBOARDS / "app.py"
VIEWS = DASHBOARDS / "views"
PASSWORD = "correct-horse-battery"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
USERS = {
    "boss": ("The Manager", "manager"),
    "plan": ("The Planner", "planner"),
    "qa_lead": ("The QA Lead", "qa"),
    "ana": ("The Analyst", "analyst"),
    "root": ("The Admin", "admin"),
}


def run_page(name: str, role: str = "admin") -> AppTest:
    """One page file run on its own by a logged-in user of ``role`` (``CALLCENTER_DATA``
    must be set)."""
    from dashboards import auth

    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=30)
    at.session_state["user"] = auth.User(f"test_{role}", f"Test {role}", role, True)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """The metrics shown: label -> value text."""
    return {m.label: m.value for m in at.metric}


def plotly_charts(at: AppTest) -> list:
    return at.get("plotly_chart")
