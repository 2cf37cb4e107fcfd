"""The app: the login gate, navigation by role, logging out."""

from __future__ import annotations

import pytest
from dash_helpers import APP, PASSWORD, USERS, metrics, run_page
from streamlit.testing.v1 import AppTest

from dashboards import app as app_module
from dashboards import auth

pytestmark = pytest.mark.usefixtures("data_env")


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


def _logged_in(user_id: str) -> AppTest:
    name, role = USERS[user_id]
    at = _app()
    at.session_state["user"] = auth.User(user_id, name, role, True)
    at.run()
    assert not at.exception, at.exception
    return at


def _log_in(at: AppTest, user_id: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(user_id)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    return at.run()


def test_the_login_form_lets_a_user_in_and_opens_the_overview():
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Contact center dashboard" and not at.metric
    _log_in(at, "boss", PASSWORD)
    assert not at.exception
    assert at.session_state["user"].role == "manager"
    assert at.header[0].value == "Overview" and "Service level" in metrics(at)


def test_a_wrong_password_or_unknown_user_stays_out():
    at = _log_in(_app().run(), "boss", "wrong-password")
    assert "wrong password" in at.error[0].value and "user" not in at.session_state
    at = _log_in(_app().run(), "nobody", PASSWORD)
    assert at.error and not at.metric


def test_a_manager_opens_settlement_but_a_qa_user_cannot():
    at = _logged_in("boss")
    at.switch_page("views/settlement.py").run()
    assert not at.exception and at.header[0].value == "Settlement"

    at = _logged_in("qa_lead")
    assert at.header[0].value == "Overview"
    for page in ("settlement", "orders", "queues", "risk", "forecast"):
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(f"views/{page}.py")
    # the page itself refuses too, when its script runs some other way
    direct = run_page("settlement", role="qa")
    assert "may not open" in direct.error[0].value and not direct.metric
    at.switch_page("views/agents.py").run()
    assert not at.exception and at.header[0].value == "Agents"
    at.switch_page("views/qa_scores.py").run()
    assert not at.exception and at.header[0].value == "QA scores"


def test_a_planner_gets_the_wfm_pages_and_not_the_managers():
    at = _logged_in("plan")
    at.switch_page("views/coverage.py").run()
    assert not at.exception and at.header[0].value == "Requirement vs scheduled coverage"
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("views/settlement.py")
    at.switch_page("views/roster.py").run()
    assert not at.exception and at.header[0].value == "Roster"


def test_visible_pages_follow_the_auth_roles():
    for role in auth.ROLES:
        ids = {spec.page_id for spec in app_module.visible_specs(role)}
        assert ids <= auth.allowed_pages(role)
        assert "overview" in ids
    assert {s.page_id for s in app_module.visible_specs("admin")} == {
        s.page_id for s in app_module.PAGE_SPECS
    }
    assert "settlement" not in {s.page_id for s in app_module.visible_specs("qa")}


def test_logging_out_returns_to_the_login_form():
    at = _logged_in("ana")
    at.switch_page("views/ivr.py").run()
    assert at.header[0].value == "IVR"
    at.switch_page("views/queues.py").run()
    assert not at.exception and at.header[0].value == "Queues"
    at.session_state["user"] = None
    at.run()
    assert at.title[0].value == "Contact center dashboard"
