"""Every page run on its own with AppTest: it renders without an exception, shows its key
elements (metrics, a Plotly chart, a table), and a filter change changes a number shown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dash_helpers import VIEWS, metrics, plotly_charts, run_page
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("data_env")


def _first_day(at) -> date:
    return at.date_input(key="dates").value[0]


def test_overview_shows_the_wallboard_and_a_queue_filter_changes_it():
    at = run_page("overview")
    shown = metrics(at)
    assert set(shown) == {"Offered", "Service level", "ASA", "Abandon rate", "AHT", "Occupancy"}
    assert shown["Service level"].endswith("%")
    assert len(plotly_charts(at)) == 3  # intervals, agents by state, service level per day
    assert len(at.get("download_button")) == 2  # CSV and Excel
    # The wallboard's per-queue table adds up to the day's Offered tile.
    by_queue = at.dataframe[0].value
    assert len(by_queue) >= 2
    assert f"{int(by_queue['Offered'].sum()):,}" == shown["Offered"]
    at.multiselect(key="queues").set_value(["booking"]).run()
    assert not at.exception
    assert metrics(at)["Offered"] != shown["Offered"]
    assert at.dataframe[0].value["Queue"].tolist() == ["booking"]
    before = metrics(at)["Offered"]
    at.date_input(key="day").set_value(at.date_input(key="day").value - timedelta(days=1)).run()
    assert not at.exception and metrics(at)["Offered"] != before


def test_overview_live_mode_follows_the_newest_day():
    at = run_page("overview")
    last_day = at.date_input(key="day").value
    at.date_input(key="day").set_value(last_day - timedelta(days=1)).run()
    earlier = metrics(at)["Offered"]
    at.toggle(key="live").set_value(True).run()
    assert not at.exception
    # live: the newest published day whatever the day picker says, agents by state "now"
    assert any("Live: refreshing every 30 s" in c.value for c in at.caption)
    assert not at.get("time_input")
    live = metrics(at)["Offered"]
    at.toggle(key="live").set_value(False).run()
    at.date_input(key="day").set_value(last_day).run()
    assert metrics(at)["Offered"] == live != earlier


def test_queues_drills_into_one_queue():
    at = run_page("queues")
    assert at.selectbox(key="queue").value == "booking"
    assert len(at.dataframe) == 2 and len(plotly_charts(at)) == 1
    offered = metrics(at)["Offered"]
    at.selectbox(key="queue").set_value("complaints").run()
    assert not at.exception and metrics(at)["Offered"] != offered
    assert at.subheader[1].value == "Queue complaints"


def test_agents_table_and_an_agent_filter():
    at = run_page("agents")
    assert int(metrics(at)["Agents"].replace(",", "")) > 10
    assert len(at.dataframe) == 1 and len(plotly_charts(at)) == 2
    some = at.multiselect(key="agents").options[:3]
    at.multiselect(key="agents").set_value(some).run()
    assert not at.exception and metrics(at)["Agents"] == "3"


def test_ivr_paths_and_the_hours_filter():
    at = run_page("ivr")
    calls = metrics(at)["Calls in the IVR"]
    assert "Containment" in metrics(at) and len(plotly_charts(at)) == 1
    at.selectbox(key="hours").set_value("closed").run()
    assert not at.exception and metrics(at)["Calls in the IVR"] != calls


def test_orders_funnel_and_the_channel_filter():
    at = run_page("orders")
    booked = metrics(at)["Orders booked"]
    assert len(plotly_charts(at)) == 1 and len(at.dataframe) == 1
    at.multiselect(key="channels").set_value(["web"]).run()
    assert not at.exception and metrics(at)["Orders booked"] != booked


def test_settlement_by_distributor_ageing_and_billing_by_dates():
    at = run_page("settlement")
    shown = metrics(at)
    assert {"Net due", "Open receivables", "Call cost"} <= set(shown)
    assert len(plotly_charts(at)) == 3 and len(at.dataframe) == 3
    first = _first_day(at)
    at.date_input(key="dates").set_value((first, first)).run()
    assert not at.exception and metrics(at)["Net due"] != shown["Net due"]


def test_risk_matrix_register_and_a_category_filter():
    at = run_page("risk")
    assert int(metrics(at)["Risks"]) > 5
    assert len(plotly_charts(at)) == 1 and len(at.dataframe) >= 1
    at.multiselect(key="categories").set_value(["technology"]).run()
    assert not at.exception and int(metrics(at)["Risks"]) < 5


def test_forecast_against_actual_for_another_queue():
    at = run_page("forecast")
    forecast = metrics(at)["Forecast calls (horizon)"]
    assert len(plotly_charts(at)) == 1
    at.selectbox(key="queue").set_value("general").run()
    assert not at.exception and metrics(at)["Forecast calls (horizon)"] != forecast


def test_coverage_requirement_against_scheduled_per_skill():
    at = run_page("coverage")
    required = metrics(at)["Required agent-intervals"]
    assert len(plotly_charts(at)) == 1
    at.selectbox(key="skill").set_value("booking").run()
    assert not at.exception and metrics(at)["Required agent-intervals"] != required


def test_roster_timeline_and_an_agent_filter():
    at = run_page("roster")
    assert int(metrics(at)["Agents on shift"].replace(",", "")) > 10
    assert len(plotly_charts(at)) == 1
    agents = at.multiselect(key="agents").options[:2]
    at.multiselect(key="agents").set_value(agents).run()
    assert not at.exception and int(metrics(at)["Agents on shift"]) <= 2


def test_qa_scores_and_a_queue_filter():
    at = run_page("qa_scores", role="qa")
    shown = metrics(at)
    assert int(shown["Evaluations"]) > 0 and shown["Pass rate"].endswith("%")
    # scores; the agent's weekly trend and section scores; scorecards and the agent's weeks
    assert len(plotly_charts(at)) == 3 and len(at.dataframe) == 2
    at.multiselect(key="queues").set_value(["booking"]).run()
    assert not at.exception
    assert int(metrics(at)["Evaluations"]) < int(shown["Evaluations"])


def test_a_page_run_without_a_login_asks_for_one():
    at = AppTest.from_file(str(VIEWS / "queues.py"), default_timeout=30).run()
    assert not at.exception and "log in" in at.warning[0].value and not at.metric


def test_a_page_without_a_warehouse_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLCENTER_DATA", str(tmp_path))
    at = run_page("overview")
    assert "callcenter demo" in at.error[0].value
