"""The dashboard's reads on the shared demo data: sums keep the marts' definitions."""

from __future__ import annotations

from datetime import datetime, time

import pandas as pd
import pytest

from dashboards import charts, queries
from dashboards.settings import DataPaths, data_paths


@pytest.fixture(scope="module")
def where(dash_data) -> DataPaths:
    return DataPaths(dash_data)


def test_settings_read_the_data_folder_from_the_environment():
    assert data_paths({}).warehouse.as_posix() == "data/warehouse.duckdb"
    paths = data_paths({"CALLCENTER_DATA": "/x/y"})
    assert paths.planning.as_posix() == "/x/y/planning.duckdb"
    assert paths.operational.as_posix() == "/x/y/operational.duckdb"


def test_day_totals_agree_with_the_interval_rows_and_the_chart_builder(where):
    days = queries.data_days(where.warehouse)
    first, last = days.loc[0, "first_day"], days.loc[0, "last_day"]
    assert (last - first).days == 2  # the fixture: 2 days of history + 1 coming day
    rows = queries.interval_kpis(where.warehouse, first, last)
    by_day = queries.kpis_by(where.warehouse, first, last, by="day")
    assert by_day["offered"].sum() == rows["offered"].sum()
    from_chart = charts.service_level_by_day(rows)
    assert by_day["service_level"].tolist() == pytest.approx(from_chart["service_level"].tolist())
    total = queries.kpis_by(where.warehouse, first, last).iloc[0]
    answered = rows["answered"].sum()
    assert total["asa_s"] == pytest.approx((rows["asa_s"] * rows["answered"]).sum() / answered)


def test_queue_filter_restricts_every_read(where):
    last = queries.data_days(where.warehouse).loc[0, "last_day"]
    everything = queries.kpis_by(where.warehouse, last, last).loc[0, "offered"]
    booking = queries.kpis_by(where.warehouse, last, last, ["booking"]).loc[0, "offered"]
    per_queue = queries.kpis_by(where.warehouse, last, last, by="queue")
    assert 0 < booking < everything
    assert per_queue.set_index("queue").loc["booking", "offered"] == booking
    assert queries.interval_kpis(where.warehouse, last, last, []).empty


def test_agents_ivr_orders_settlement_and_billing_reads(where):
    first, last = queries.data_days(where.warehouse).iloc[0]
    states = queries.agents_by_state(where.warehouse, datetime.combine(last, time(11)))
    assert states["agents"].sum() > 0 and "logged_out" not in set(states["state"])
    agents = queries.agent_period(where.warehouse, first, last)
    assert agents["days"].max() == 3 and agents["occupancy"].between(0, 1).all()
    two = queries.agent_period(where.warehouse, first, last, agents["agent_id"][:2].tolist())
    assert len(two) == 2
    paths = queries.ivr_paths(where.warehouse, first, last)
    assert paths["containment_rate"].between(0, 1).all() and paths["calls"].sum() > 0
    funnel = queries.order_funnel(where.warehouse, first, last)
    assert funnel["stage"].tolist() == list(queries.FUNNEL_STAGES)
    assert funnel.set_index("stage").loc["orders_booked", "count"] > 0
    by_party = queries.settlement_by_party(where.warehouse, first, last)
    buckets = by_party[list(queries.AGEING_BUCKETS)].sum(axis=1)
    assert buckets.to_numpy() == pytest.approx(by_party["open_receivables"].to_numpy())
    assert not queries.call_billing(where.warehouse, first, last).empty
    queries.settlement_exceptions(where.warehouse, first, last)  # reads without error


def test_planning_and_risk_reads(where):
    queues = queries.forecast_queues(where.planning)["queue"].tolist()
    assert "booking" in queues
    frame = queries.forecast_vs_actual(where.planning, where.warehouse, "booking")
    assert frame["y_hat"].notna().any() and frame["actual"].notna().any()
    band = frame.dropna(subset=["y_hat"])
    assert (band["y_lo"] <= band["y_hat"]).all() and (band["y_hat"] <= band["y_hi"]).all()
    coverage = queries.coverage(where.planning)
    assert (coverage["gap"] == coverage["scheduled"] - coverage["required"]).all()
    roster = queries.roster(where.planning)
    assert set(roster["activity"]) >= {"shift"}
    assert not queries.requirements(where.planning).empty
    register = queries.risk_register(where.operational)
    assert (
        len(register) > 0
        and (register["score"] == register["probability"] * register["impact"]).all()
    )
    assert isinstance(queries.incidents(where.operational), pd.DataFrame)
    assert queries.backtest_accuracy(where.planning).columns.tolist()[:2] == ["unique_id", "model"]


def test_reads_of_a_missing_planning_or_operational_store_are_empty(tmp_path):
    assert queries.coverage(tmp_path / "planning.duckdb").empty
    assert queries.roster(tmp_path / "planning.duckdb").empty
    assert queries.forecast_queues(tmp_path / "planning.duckdb").empty
    assert queries.risk_register(tmp_path / "operational.duckdb").empty


def test_qa_section_scores_are_the_agents_and_everyones_mean_of_counted_sections(where):
    from warehouse.connect import read_only

    days = queries.data_days(where.warehouse)
    first, last = days.loc[0, "first_day"], days.loc[0, "last_day"]
    with read_only(where.warehouse) as con:
        rows = con.execute(
            "select agent_id, section_id, section_score, counts_for_scorecard "
            "from mart_qa_section_scores"
        ).df()
    counted = rows[rows["counts_for_scorecard"]]
    agent = counted["agent_id"].value_counts().idxmax()
    sections = queries.qa_section_scores(where.warehouse, first, last, None, agent)
    assert len(sections) == counted["section_id"].nunique()
    assert sections["section_weight"].sum() == pytest.approx(100)
    mine = counted[counted["agent_id"] == agent].groupby("section_id")["section_score"]
    everyone = counted.groupby("section_id")["section_score"].mean()
    for row in sections.itertuples():
        assert row.all_mean_score == pytest.approx(everyone[row.section_id])
        if row.evaluations:
            assert row.agent_mean_score == pytest.approx(mine.mean()[row.section_id])
            assert row.evaluations == mine.count()[row.section_id]
    assert queries.qa_section_scores(where.warehouse, first, last, [], agent).empty


def test_qa_work_list_joins_what_the_warehouse_knows_of_each_call(where):
    from qa import store

    waiting = store.open_assignments(where.operational)
    evaluator = waiting["evaluator"].iloc[0]
    frame = queries.qa_open_calls(where.warehouse, where.operational, evaluator)
    assert list(frame.columns) == queries.QA_OPEN_CALL_COLUMNS
    assert (
        frame["call_id"].tolist()
        == waiting.loc[waiting["evaluator"] == evaluator, "call_id"].tolist()
    )
    assert (frame["evaluator"] == evaluator).all() and frame["handle_s"].gt(0).all()
    # the recording is named after the caller's number
    assert all(
        number in name
        for number, name in zip(frame["caller_number"], frame["recording_file_name"], strict=True)
    )
    assert queries.qa_open_calls(where.warehouse, where.operational, "nobody").empty
    assert queries.qa_open_evaluators(where.operational) == sorted(set(waiting["evaluator"]))
