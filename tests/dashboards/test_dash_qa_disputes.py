"""The QA disputes and coaching page with AppTest, on a copy of the demo's operational
store: disputes raised through ``qa.store`` (as ``callcenter qa dispute raise`` does) and
resolved on the page, coaching sessions logged and closed on the page, every write read
back from the store."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dash_helpers import APP, USERS, VIEWS, metrics
from streamlit.testing.v1 import AppTest

from dashboards import auth, queries
from qa import store
from qa.scorecards import week_start, weekly_scorecards

PAGE = "qa_disputes"


@pytest.fixture
def ops(dash_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo's operational store (these tests write to it) in a data folder
    of its own, as ``CALLCENTER_DATA``; the page needs no warehouse. The demo's own
    responses and coaching sessions are removed, so that each test's expectations follow
    from what it writes (``test_the_demos_own_follow_up_is_shown`` looks at them)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy2(dash_data / "operational.duckdb", folder / "operational.duckdb")
    with duckdb.connect(str(folder / "operational.duckdb")) as con:
        con.execute("delete from qa_disputes")
        con.execute("delete from qa_coaching")
    monkeypatch.setenv("CALLCENTER_DATA", str(folder))
    return folder / "operational.duckdb"


def test_the_demos_own_follow_up_is_shown(dash_data, tmp_path, monkeypatch):
    """The demo's simulated responses and coaching (``qa score --with-responses``) are on
    the page: its tiles count what the store holds."""
    folder = tmp_path / "demo"
    folder.mkdir()
    shutil.copy2(dash_data / "operational.duckdb", folder / "operational.duckdb")
    monkeypatch.setenv("CALLCENTER_DATA", str(folder))
    ops = folder / "operational.duckdb"
    disputes, sessions = store.disputes(ops), store.coaching(ops)
    assert len(disputes) + len(sessions) > 0  # the demo wrote some follow-up
    shown = metrics(_page())
    statuses = disputes["status"].value_counts() if len(disputes) else pd.Series(dtype=int)
    assert shown["Open disputes"] == str(int(statuses.get("open", 0)))
    assert shown["Overturned"] == str(int(statuses.get("overturned", 0)))
    planned = int((sessions["status"] == "planned").sum()) if len(sessions) else 0
    assert shown["Planned sessions"] == str(planned)


def _page(user_id: str = "lead", role: str = "qa") -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{PAGE}.py"), default_timeout=60)
    at.session_state["user"] = auth.User(user_id, f"User {user_id}", role, True)
    at.run()
    assert not at.exception, at.exception
    return at


def _scored(ops: Path) -> pd.DataFrame:
    """The demo's evaluations outside calibration sessions, one per agent (the first)."""
    frame = store.evaluations(ops)
    frame = frame.loc[frame["calibration_session"].isna()]
    return frame.drop_duplicates("agent_id").reset_index(drop=True)


def _dispute(ops: Path, row: pd.Series, reason: str = "the caller was verified") -> str:
    store.respond(ops, row["evaluation_id"], row["agent_id"], "disputed", reason)
    return str(row["evaluation_id"])


def _stored_dispute(ops: Path, evaluation_id: str) -> dict:
    with duckdb.connect(str(ops), read_only=True) as con:
        rows = con.execute(
            "select status, resolved_by, resolution_note, resolved_at is not null "
            "from qa_disputes where evaluation_id = ?",
            [evaluation_id],
        ).fetchall()
    assert len(rows) == 1
    return dict(zip(("status", "resolved_by", "note", "resolved"), rows[0], strict=True))


def _coaching_rows(ops: Path) -> int:
    with duckdb.connect(str(ops), read_only=True) as con:
        return con.execute("select count(*) from qa_coaching").fetchone()[0]


def _frame(at: AppTest, header: str) -> pd.DataFrame:
    """The first table shown with a column ``header``."""
    return next(f.value for f in at.dataframe if header in f.value.columns)


# ---------------------------------------------------------------- who may open it


def test_qa_and_admin_open_the_page_with_the_disputes_and_coaching(ops):
    evaluation_id = _dispute(ops, _scored(ops).iloc[0])
    for role in ("qa", "admin"):
        at = _page(f"test_{role}", role)
        assert at.header[0].value == "Disputes and coaching"
        shown = metrics(at)
        assert shown["Open disputes"] == "1" and shown["Overturned"] == "0"
        assert shown["Planned sessions"] == "0" and shown["Overdue follow-ups"] == "0"
        listed = _frame(at, "Reason")
        assert listed["Evaluation"].tolist() == [evaluation_id]
        assert listed["Status"].tolist() == ["open"]
        assert at.selectbox(key="dispute").value == evaluation_id
        labels = [b.proto.label for b in at.get("download_button")]
        assert "Download qa_disputes.csv" in labels
        assert at.button(key="resolve") and at.button(key="coach_submit")


def test_the_page_is_in_the_quality_navigation_of_qa_and_admin_only():
    assert PAGE in auth.PAGES
    assert {role for role in auth.ROLES if PAGE in auth.allowed_pages(role)} == {"qa", "admin"}
    assert auth.can("qa", "resolve_disputes") and auth.can("admin", "resolve_disputes")
    assert not auth.can("manager", "resolve_disputes")


@pytest.mark.usefixtures("data_env")
def test_a_planner_or_manager_cannot_open_it():
    for role in ("planner", "manager"):
        at = AppTest.from_file(str(VIEWS / f"{PAGE}.py"), default_timeout=30)
        at.session_state["user"] = auth.User(f"test_{role}", "Someone", role, True)
        at.run()
        assert not at.exception
        assert "may not open" in at.error[0].value, role
        assert not at.metric and not at.dataframe and not at.button
    for user_id in ("plan", "boss"):  # nor is it in their navigation
        name, role = USERS[user_id]
        at = AppTest.from_file(str(APP), default_timeout=30)
        at.session_state["user"] = auth.User(user_id, name, role, True)
        at.run()
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(f"views/{PAGE}.py")
    name, role = USERS["qa_lead"]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["user"] = auth.User("qa_lead", name, role, True)
    at.run()
    at.switch_page(f"views/{PAGE}.py").run()
    assert not at.exception and at.header[0].value == "Disputes and coaching"


def test_without_an_operational_store_the_page_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLCENTER_DATA", str(tmp_path))
    at = _page()
    assert "No operational store" in at.info[0].value and not at.metric
    assert not (tmp_path / "operational.duckdb").exists()


# ---------------------------------------------------------------- resolving disputes


def _counted(ops: Path, row: pd.Series) -> int:
    """The agent's counted evaluations in the week of the evaluated call (qa.scorecards)."""
    cards = weekly_scorecards(store.evaluations(ops))
    week = week_start(pd.Timestamp(row["call_time_local"]).date())
    mine = cards.loc[(cards["agent_id"] == row["agent_id"]) & (cards["week_start"] == week)]
    return int(mine["evaluations"].sum())


@pytest.mark.parametrize("resolution", ["overturned", "upheld"])
def test_resolving_a_dispute_on_the_page_writes_it_to_the_store(ops, resolution):
    row = _scored(ops).iloc[0]
    evaluation_id = _dispute(ops, row)
    counted_before = _counted(ops, row)
    assert counted_before >= 1
    at = _page("lead_reviewer")
    at.radio(key=f"resolution:{evaluation_id}").set_value(resolution)
    at.text_area(key=f"resolution_note:{evaluation_id}").input("  checked the recording  ")
    at.button(key="resolve").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    stored = _stored_dispute(ops, evaluation_id)
    assert stored == {
        "status": resolution,
        "resolved_by": "lead_reviewer",
        "note": "checked the recording",
        "resolved": True,
    }
    # scorecards (qa.scorecards, which the QA scores page and `qa report` use) drop an
    # overturned evaluation and keep an upheld one
    expected = counted_before - 1 if resolution == "overturned" else counted_before
    assert _counted(ops, row) == expected
    # the page reran: the result, the new counts, nothing left to resolve
    message = at.success[0].value
    assert f"Dispute on {evaluation_id}" in message and "resolved by lead_reviewer" in message
    assert ("no longer counts" in message) == (resolution == "overturned")
    shown = metrics(at)
    assert shown["Open disputes"] == "0"
    assert shown["Overturned"] == ("1" if resolution == "overturned" else "0")
    assert shown["Upheld"] == ("1" if resolution == "upheld" else "0")
    assert _frame(at, "Reason")["Resolved by"].tolist() == ["lead_reviewer"]
    assert "No open dispute to resolve." in [c.value for c in at.caption]


def test_a_resolution_without_a_note_is_refused_and_writes_nothing(ops):
    evaluation_id = _dispute(ops, _scored(ops).iloc[0])
    at = _page()
    at.radio(key=f"resolution:{evaluation_id}").set_value("overturned")
    at.text_area(key=f"resolution_note:{evaluation_id}").input("   ")
    at.button(key="resolve").click().run()
    assert not at.exception and not at.success
    assert "write a resolution note" in at.error[0].value
    assert _stored_dispute(ops, evaluation_id) == {
        "status": "open",
        "resolved_by": None,
        "note": None,
        "resolved": False,
    }
    assert metrics(at)["Open disputes"] == "1"


def test_a_dispute_closed_elsewhere_meanwhile_is_not_resolved_again(ops):
    evaluation_id = _dispute(ops, _scored(ops).iloc[0])
    at = _page()
    # someone resolves it with the CLI while the page is open
    store.resolve_dispute(ops, evaluation_id, "upheld", "other_lead", "fine")
    at.text_area(key=f"resolution_note:{evaluation_id}").input("overturn it")
    at.button(key="resolve").click().run()
    assert not at.exception and not at.success
    assert "No open dispute to resolve." in [c.value for c in at.caption]
    assert _stored_dispute(ops, evaluation_id)["resolved_by"] == "other_lead"
    assert _frame(at, "Reason")["Status"].tolist() == ["upheld"]


def test_the_status_and_agent_filters_change_the_table(ops):
    scored = _scored(ops)
    first, second, third = (scored.iloc[i] for i in range(3))
    _dispute(ops, first)
    store.respond(ops, second["evaluation_id"], second["agent_id"], "acknowledged")
    upheld = _dispute(ops, third, "wrong call")
    store.resolve_dispute(ops, upheld, "upheld", "lead", "stands")
    at = _page()
    listed = _frame(at, "Reason")
    # open first, then the others newest first (the upheld one was raised last)
    assert listed["Status"].tolist() == ["open", "upheld", "acknowledged"]

    at.multiselect(key="statuses").set_value(["open"]).run()
    assert _frame(at, "Reason")["Evaluation"].tolist() == [first["evaluation_id"]]
    at.multiselect(key="statuses").set_value(["upheld", "acknowledged"]).run()
    assert set(_frame(at, "Reason")["Status"]) == {"upheld", "acknowledged"}

    at.multiselect(key="statuses").set_value([]).run()
    at.multiselect(key="agents").set_value([second["agent_id"]]).run()
    assert _frame(at, "Reason")["Agent"].tolist() == [second["agent_id"]]
    assert metrics(at)["Open disputes"] == "0" and metrics(at)["Acknowledged"] == "1"


# ---------------------------------------------------------------- coaching


def test_logging_a_coaching_session_on_the_page_writes_the_entered_values(ops):
    row = _scored(ops).iloc[1]
    agent, evaluation_id = row["agent_id"], row["evaluation_id"]
    item_id = str(store.answers(ops, evaluation_id)["item_id"].iloc[0])
    at = _page("lead")
    at.selectbox(key="coach_agent").set_value(agent).run()
    at.selectbox(key="coach_evaluation").set_value(evaluation_id).run()
    at.selectbox(key=f"coach_item:{evaluation_id}").set_value(item_id).run()
    assert at.text_input(key="coach_name").value == "lead"  # the logged-in user
    at.text_input(key="coach_name").input("coach_amy")
    at.date_input(key="coach_date").set_value(date(2026, 9, 2))
    at.date_input(key="coach_follow_up").set_value(date(2026, 9, 16))
    at.text_area(key="coach_notes").input("read the itinerary back before closing")
    at.button(key="coach_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    sessions = store.coaching(ops)
    assert len(sessions) == 1
    saved = sessions.iloc[0]
    assert saved["agent_id"] == agent and saved["evaluation_id"] == evaluation_id
    assert saved["item_id"] == item_id and saved["coach"] == "coach_amy"
    assert pd.Timestamp(saved["session_date"]).date() == date(2026, 9, 2)
    assert pd.Timestamp(saved["follow_up_date"]).date() == date(2026, 9, 16)
    assert saved["notes"] == "read the itinerary back before closing"
    assert saved["status"] == "planned"
    # shown at once; its follow-up date has passed, so it is overdue
    assert saved["coaching_id"] in at.success[0].value
    listed = _frame(at, "Coach")
    assert listed["Coaching session"].tolist() == [saved["coaching_id"]]
    assert listed["Overdue"].tolist() == [True]
    assert metrics(at)["Overdue follow-ups"] == "1"


def test_an_invalid_coaching_session_shows_an_error_and_writes_nothing(ops):
    at = _page()
    # a follow-up before the session (refused by qa.store.add_coaching)
    at.date_input(key="coach_date").set_value(date(2026, 9, 10))
    at.date_input(key="coach_follow_up").set_value(date(2026, 9, 1))
    at.button(key="coach_submit").click().run()
    assert not at.exception and not at.success
    assert "is before the session" in at.error[0].value
    assert _coaching_rows(ops) == 0
    # no coach
    at.date_input(key="coach_follow_up").set_value(date(2026, 9, 20))
    at.text_input(key="coach_name").input("  ")
    at.button(key="coach_submit").click().run()
    assert not at.exception and "name the coach" in at.error[0].value
    assert _coaching_rows(ops) == 0


def test_overdue_follow_ups_are_counted_first_and_a_session_can_be_marked_held(ops):
    scored = _scored(ops)
    today = date.today()
    late = store.add_coaching(
        ops, scored["evaluation_id"].iloc[0], "lead", today - timedelta(days=14),
        follow_up_date=today - timedelta(days=7),
    )  # fmt: skip
    coming = store.add_coaching(
        ops, scored["evaluation_id"].iloc[1], "lead", today,
        follow_up_date=today + timedelta(days=7),
    )  # fmt: skip
    at = _page()
    shown = metrics(at)
    assert shown["Planned sessions"] == "2" and shown["Overdue follow-ups"] == "1"
    assert "1 coaching follow-ups are overdue" in at.warning[0].value
    listed = _frame(at, "Coach")
    assert listed["Coaching session"].tolist() == [late, coming]
    assert listed["Overdue"].tolist() == [True, False]

    at.selectbox(key="coaching_pick").set_value(late)
    at.button(key="coaching_done").click().run()
    assert not at.exception and not at.error
    statuses = store.coaching(ops).set_index("coaching_id")["status"].to_dict()
    assert statuses == {late: "done", coming: "planned"}
    shown = metrics(at)
    assert shown["Overdue follow-ups"] == "0" and shown["Sessions held"] == "1"
    assert not at.warning
    assert at.selectbox(key="coaching_pick").value == coming
    assert len(at.selectbox(key="coaching_pick").options) == 1


def test_the_coaching_query_defines_overdue_by_the_follow_up_date(ops):
    evaluation_id = _scored(ops)["evaluation_id"].iloc[0]
    day = date(2026, 9, 10)
    no_follow_up = store.add_coaching(ops, evaluation_id, "lead", date(2026, 9, 1))
    due_today = store.add_coaching(ops, evaluation_id, "lead", date(2026, 9, 1), follow_up_date=day)
    late = store.add_coaching(
        ops, evaluation_id, "lead", date(2026, 9, 1), follow_up_date=day - timedelta(days=1)
    )
    held = store.add_coaching(
        ops, evaluation_id, "lead", date(2026, 9, 1), follow_up_date=day - timedelta(days=5)
    )
    store.complete_coaching(ops, held)
    frame = queries.qa_coaching(ops, day)
    assert frame["coaching_id"].tolist() == [late, no_follow_up, due_today, held]
    assert frame["overdue"].tolist() == [True, False, False, False]
