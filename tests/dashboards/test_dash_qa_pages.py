"""The QA pages with AppTest: an evaluator's work list and the evaluation form (which
writes a real evaluation to a copy of the demo's operational store), and the
calibration results."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dash_helpers import VIEWS, metrics, plotly_charts, run_page
from streamlit.testing.v1 import AppTest

from dashboards import auth, masking, queries
from qa import store
from qa.form import Form, load_form
from qa.scoring import score

FORM = load_form()


@pytest.fixture
def qa_data(dash_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo's warehouse and operational store (these tests write
    evaluations; the shared folder stays as the demo made it), as ``CALLCENTER_DATA``."""
    copy = tmp_path / "data"
    copy.mkdir()
    for name in ("warehouse.duckdb", "operational.duckdb"):
        shutil.copy2(dash_data / name, copy / name)
    monkeypatch.setenv("CALLCENTER_DATA", str(copy))
    return copy


def _busiest_evaluator(ops: Path) -> str:
    """The demo's evaluator with the most sampled calls waiting (``qa sample --evaluators``
    assigns calls to these ids)."""
    waiting = store.open_assignments(ops)
    assert not waiting.empty, "the demo left no sampled call open"
    return str(waiting["evaluator"].value_counts().idxmax())


def _page(name: str, user_id: str, role: str) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)
    at.session_state["user"] = auth.User(user_id, f"User {user_id}", role, True)
    at.run()
    assert not at.exception, at.exception
    return at


def _answers(form: Form) -> dict[str, str]:
    """A varied, complete sheet: ratings 2-5, some "no" and "na", critical items "yes"."""
    answers = {}
    for position, (_, item) in enumerate(form.items().values()):
        if item.critical:
            answers[item.id] = "yes"
        elif item.scale.startswith("1_5"):
            answers[item.id] = str(2 + position % 4)
        elif item.allows_na and position % 3 == 0:
            answers[item.id] = "na"
        else:
            answers[item.id] = "yes" if position % 2 else "no"
    return answers


def _by_hand(form: Form, answers: dict[str, str]) -> float:
    """The score from the form's weights, written out here (not qa.scoring): per section
    the weighted mean of the item values (yes 1, no 0, rating r (r - 1) / 4, na left
    out), then the sections' weighted mean; a "no" on a critical item scores 0."""
    if any(item.critical and answers[item.id] == "no" for _, item in form.items().values()):
        return 0.0
    weighted = weights = 0.0
    for section in form.sections:
        numerator = denominator = 0.0
        for item in section.items:
            answer = answers[item.id]
            if answer == "na":
                continue
            value = {"yes": 1.0, "no": 0.0}.get(answer)
            value = (int(answer) - 1) / 4 if value is None else value
            numerator += item.weight * value
            denominator += item.weight
        if denominator:
            weighted += section.weight * 100 * numerator / denominator
            weights += section.weight
    return weighted / weights


def _fill(at: AppTest, call_id: str, answers: dict[str, str]) -> None:
    for item_id, answer in answers.items():
        at.radio(key=f"answer:{call_id}:{item_id}").set_value(answer)


def _evaluations(ops: Path) -> int:
    with duckdb.connect(str(ops), read_only=True) as con:
        return con.execute("select count(*) from qa_evaluations").fetchone()[0]


def _listed_calls(at: AppTest) -> list[str]:
    frames = [f.value for f in at.dataframe if "Caller number" in f.value.columns]
    return frames[0]["Call"].tolist() if frames else []


# ---------------------------------------------------------------- who may open it


@pytest.mark.usefixtures("data_env")
def test_the_to_do_page_is_refused_to_managers_and_analysts():
    for role in ("manager", "analyst", "planner"):
        at = run_page("qa_evaluate", role=role)
        assert "may not open" in at.error[0].value, role
        assert not at.metric and not at.radio


@pytest.mark.usefixtures("data_env")
def test_a_qa_user_sees_their_own_work_list_and_the_form(dash_data):
    evaluator = _busiest_evaluator(dash_data / "operational.duckdb")
    at = _page("qa_evaluate", evaluator, "qa")
    waiting = store.open_assignments(dash_data / "operational.duckdb", evaluator=evaluator)
    assert metrics(at) == {"Calls to evaluate": f"{len(waiting):,}"}
    assert [box.key for box in at.selectbox] == ["call"]  # no evaluator picker for qa
    listed = at.dataframe[0].value
    assert listed["Call"].tolist() == waiting["call_id"].tolist()
    assert {"Agent", "Queue", "Call time", "Handle time (s)", "Recording file"} <= set(
        listed.columns
    )
    assert listed["Caller number"].str.fullmatch(r"\+?\d+").all()  # qa sees numbers
    assert listed["Handle time (s)"].notna().all()
    # the form: one radio per question of the shipped form, none answered yet
    call_id = at.selectbox(key="call").value
    assert call_id == waiting["call_id"].iloc[0]
    assert len(at.radio) == len(FORM.items()) and all(r.value is None for r in at.radio)
    critical = [i.id for _, i in FORM.items().values() if i.critical]
    assert "critical" in at.radio(key=f"answer:{call_id}:{critical[0]}").label
    assert at.radio(key=f"answer:{call_id}:courtesy").options == ["1", "2", "3", "4", "5"]
    assert at.radio(key=f"answer:{call_id}:contact_confirmed").options == ["Yes", "No", "N/A"]


@pytest.mark.usefixtures("data_env")
def test_a_qa_user_without_assigned_calls_is_told_how_calls_are_assigned(dash_data):
    at = run_page("qa_evaluate", role="qa")  # user test_qa: no plan names them
    assert metrics(at) == {"Calls to evaluate": "0"}
    assert "No sampled call is waiting for test_qa" in at.info[0].value
    waiting = queries.qa_open_evaluators(dash_data / "operational.duckdb")
    assert ", ".join(waiting) in at.caption[0].value and "--evaluators" in at.caption[0].value
    assert not at.radio


@pytest.mark.usefixtures("data_env")
def test_an_admin_picks_any_evaluators_list_but_evaluates_only_their_own(dash_data):
    at = run_page("qa_evaluate", role="admin")
    waiting = queries.qa_open_evaluators(dash_data / "operational.duckdb")
    picker = at.selectbox(key="evaluator")
    assert picker.options == ["test_admin", *waiting]
    assert picker.value == waiting[0]  # the admin has no list: the first evaluator's
    assert _listed_calls(at) and not at.radio
    assert f"This is {waiting[0]}'s work list" in at.info[0].value
    picker.set_value(waiting[-1]).run()
    assert not at.exception and at.subheader[0].value == f"Work list of {waiting[-1]}"
    at.selectbox(key="evaluator").set_value("test_admin").run()
    assert "No sampled call is waiting for test_admin" in at.info[0].value
    # an admin who is one of the plan's evaluators gets the form on their own list
    own = _page("qa_evaluate", waiting[0], "admin")
    assert own.selectbox(key="evaluator").value == waiting[0]
    assert len(own.radio) == len(FORM.items())


# ---------------------------------------------------------------- submitting


def test_a_complete_form_writes_one_evaluation_and_the_call_leaves_the_list(qa_data):
    ops = qa_data / "operational.duckdb"
    evaluator = _busiest_evaluator(ops)
    at = _page("qa_evaluate", evaluator, "qa")
    call_id = at.selectbox(key="call").value
    before = _evaluations(ops)
    open_before = int(metrics(at)["Calls to evaluate"])
    answers = _answers(FORM)
    assert {"no", "na"} <= set(answers.values())  # a sheet that exercises the weights
    _fill(at, call_id, answers)
    at.text_input(key=f"comment:{call_id}:courtesy").input("friendly, a bit rushed")
    at.text_area(key=f"comment:{call_id}").input("good call overall")
    at.button(key="submit_evaluation").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    assert _evaluations(ops) == before + 1
    with duckdb.connect(str(ops), read_only=True) as con:
        rows = con.execute(
            "select evaluation_id, score, passed, in_sample, origin, comment, "
            "calibration_session from qa_evaluations where call_id = ? and evaluator = ?",
            [call_id, evaluator],
        ).fetchall()
        assert len(rows) == 1
        evaluation_id, stored, passed, in_sample, origin, comment, session = rows[0]
        stored_answers = dict(
            con.execute(
                "select item_id, answer from qa_evaluation_answers where evaluation_id = ?",
                [evaluation_id],
            ).fetchall()
        )
        item_comment = con.execute(
            "select comment from qa_evaluation_answers where evaluation_id = ? and item_id = ?",
            [evaluation_id, "courtesy"],
        ).fetchone()[0]
    expected = _by_hand(FORM, answers)
    assert 0 < expected < 100
    assert stored == pytest.approx(expected)
    assert stored == pytest.approx(score(FORM, answers).score)
    assert bool(passed) == (expected >= FORM.pass_score)
    assert in_sample and origin == "manual" and session is None
    assert comment == "good call overall" and item_comment == "friendly, a bit rushed"
    assert stored_answers == answers

    # the page reran: the score is shown, the call has left the work list
    assert f"score {expected:.1f}" in at.success[0].value
    assert int(metrics(at)["Calls to evaluate"]) == open_before - 1
    assert call_id not in _listed_calls(at)
    assert at.selectbox(key="call").value != call_id
    assert call_id not in at.selectbox(key="call").options
    latest = next(f.value for f in at.dataframe if "Evaluation" in f.value.columns)
    assert latest["Evaluation"].iloc[0] == evaluation_id
    assert latest["Score"].iloc[0] == pytest.approx(expected)


def test_a_form_with_an_unanswered_question_shows_an_error_and_writes_nothing(qa_data):
    ops = qa_data / "operational.duckdb"
    evaluator = _busiest_evaluator(ops)
    at = _page("qa_evaluate", evaluator, "qa")
    call_id = at.selectbox(key="call").value
    before = _evaluations(ops)
    answers = _answers(FORM)
    del answers["identity_checked"]  # a critical, required question
    _fill(at, call_id, answers)
    at.button(key="submit_evaluation").click().run()
    assert not at.exception
    message = at.error[0].value
    assert "Nothing was saved: 1 questions have no answer yet" in message
    assert FORM.items()["identity_checked"][1].text in message
    assert _evaluations(ops) == before
    assert call_id in _listed_calls(at) and at.selectbox(key="call").value == call_id
    assert not at.success
    # the answers given are kept: answering the last one saves the evaluation
    at.radio(key=f"answer:{call_id}:identity_checked").set_value("yes")
    at.button(key="submit_evaluation").click().run()
    assert not at.error and _evaluations(ops) == before + 1


def test_a_refused_submission_is_a_message_not_a_traceback(qa_data, monkeypatch):
    from qa import service

    ops = qa_data / "operational.duckdb"
    evaluator = _busiest_evaluator(ops)
    at = _page("qa_evaluate", evaluator, "qa")
    call_id = at.selectbox(key="call").value
    _fill(at, call_id, _answers(FORM))
    # the warehouse no longer knows the call (e.g. a rebuild in between)
    original = service.calls.calls_by_id
    monkeypatch.setattr(service.calls, "calls_by_id", lambda db, ids: original(db, []))
    before = _evaluations(ops)
    at.button(key="submit_evaluation").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("The evaluation was not saved: call ")
    assert _evaluations(ops) == before


# ---------------------------------------------------------------- numbers and calibration


@pytest.mark.usefixtures("data_env")
def test_the_work_list_masks_numbers_for_roles_that_may_not_see_them(dash_data):
    ops = dash_data / "operational.duckdb"
    frame = queries.qa_open_calls(dash_data / "warehouse.duckdb", ops, _busiest_evaluator(ops))
    assert set(masking.number_columns(frame)) == {"caller_number", "recording_file_name"}
    masked = masking.mask_numbers(frame, "analyst")
    assert masked["caller_number"].str.contains(r"\*{4}").all()
    assert not masked["recording_file_name"].str.contains(r"\d{7}").any()
    assert masking.mask_numbers(frame, "qa") is frame


@pytest.mark.usefixtures("data_env")
def test_the_calibration_page_shows_the_demo_session():
    at = run_page("qa_calibration", role="qa")
    assert at.selectbox(key="session").value == "demo"
    shown = metrics(at)
    assert shown["Evaluators"] == "3" and int(shown["Calls scored by 2+ evaluators"]) > 0
    assert -1 <= float(shown["Krippendorff's alpha"]) <= 1
    assert len(plotly_charts(at)) == 1 and len(at.dataframe) == 3
    evaluators, sections, items = (f.value for f in at.dataframe)
    assert len(evaluators) == 3
    assert "Deviation from the session mean" in evaluators.columns
    # deviations from the session mean balance out across evaluators of the same calls
    assert evaluators["Deviation from the session mean"].sum() == pytest.approx(0, abs=1e-6)
    assert sections["Section"].tolist() == [s.title for s in FORM.sections]
    assert items["Question"].tolist() == [i.text for _, i in FORM.items().values()]
    assert items["Agreement"].between(0, 1).all()
    assert "may not open" in run_page("qa_calibration", role="manager").error[0].value


def test_without_a_calibration_session_the_page_says_how_to_make_one(qa_data):
    with duckdb.connect(str(qa_data / "operational.duckdb")) as con:
        con.execute("update qa_evaluations set calibration_session = null")
    at = run_page("qa_calibration", role="admin")
    assert "--calibration-session" in at.info[0].value and not at.metric
