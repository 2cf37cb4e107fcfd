"""Chart builders and KPI tiles on tiny hand-made frames (no Streamlit, no database)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboards import charts


def _intervals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "queue": ["a", "b", "a", "b"],
            "interval_start_local": pd.to_datetime(
                ["2026-09-01 08:00", "2026-09-01 08:30", "2026-09-02 08:00", "2026-09-02 08:30"]
            ),
            "answered_within_target": [8, 1, 0, 0],
            "answered": [9, 1, 0, 0],
            "abandoned": [1, 9, 0, 0],
            # the interval ratios, whose mean would be wrong for the day
            "service_level": [0.8, 0.1, None, None],
        }
    )


def test_a_days_service_level_sums_the_mart_numerators_not_the_interval_ratios():
    daily = charts.service_level_by_day(_intervals())
    assert daily["day"].tolist() == [date(2026, 9, 1), date(2026, 9, 2)]
    # (8 + 1) / (9 + 1 + 1 + 9); here the mean of ratios happens to agree, the skewed case not
    assert daily.loc[0, "service_level"] == pytest.approx(9 / 20)
    assert math.isnan(daily.loc[1, "service_level"])  # nothing answered or abandoned
    skewed = _intervals().assign(answered=[99, 1, 0, 0], answered_within_target=[98, 1, 0, 0])
    sl = charts.service_level_by_day(skewed).loc[0, "service_level"]
    assert sl == pytest.approx(99 / 110)
    assert sl != pytest.approx((98 / 100 + 1 / 10) / 2)


def test_daily_service_level_figure_shows_the_hand_computed_value_and_the_target():
    figure = charts.daily_service_level_figure(_intervals(), target=0.8)
    bar = figure.data[0]
    assert list(bar.x) == ["2026-09-01", "2026-09-02"]
    assert bar.y[0] == pytest.approx(0.45)
    assert any(shape.y0 == 0.8 for shape in figure.layout.shapes)


def test_kpi_tiles_format_values_and_deltas_against_targets():
    total = {
        "offered": 1234,
        "service_level": 0.75,
        "asa_s": 40.0,
        "abandon_rate": 0.02,
        "aht_s": 300.0,
        "occupancy": None,
    }
    targets = {"service_level": 0.8, "asa_s": 30.0, "abandon_rate": 0.05, "max_occupancy": 0.85}
    tiles = {t.label: t for t in charts.kpi_tiles(total, targets)}
    assert tiles["Offered"].value == "1,234"
    assert tiles["Service level"].value == "75.0%"
    assert tiles["Service level"].delta == "-5.0% vs target"
    assert tiles["Service level"].delta_color == "normal"
    assert tiles["ASA"].delta == "+10 s vs target"
    assert tiles["ASA"].delta_color == "inverse"
    assert tiles["Abandon rate"].delta == "-3.0% vs target"
    assert tiles["AHT"].delta is None
    assert tiles["Occupancy"].value == "–" and tiles["Occupancy"].delta is None


def test_interval_figure_stacks_answered_and_abandoned_with_service_level_on_y2():
    by_interval = (
        _intervals().groupby("interval_start_local", as_index=False).sum(numeric_only=True)
    )
    figure = charts.interval_figure(by_interval, target=0.8)
    names = [trace.name for trace in figure.data]
    assert names == ["answered", "abandoned", "service level", "target"]
    assert figure.layout.barmode == "stack"
    assert figure.data[2].yaxis == "y2"


def test_funnel_coverage_forecast_and_roster_figures():
    funnel = pd.DataFrame({"stage": ["calls_answered", "orders_booked"], "count": [10, 4]})
    assert list(charts.funnel_figure(funnel).data[0].x) == [10, 4]

    ds = pd.to_datetime(["2026-09-14 08:00", "2026-09-14 08:30"])
    coverage = pd.DataFrame(
        {
            "skill": ["a", "a", "b", "b"],
            "ds": list(ds) * 2,
            "required": [1.0, 2.0, 3.0, 4.0],
            "scheduled": [2.0, 2.0, 2.0, 2.0],
        }
    )
    figure = charts.coverage_figure(coverage)
    assert list(figure.data[0].y) == [4.0, 6.0] and list(figure.data[1].y) == [4.0, 4.0]

    forecast = pd.DataFrame(
        {
            "ds": ds,
            "actual": [5.0, None],
            "y_hat": [None, 6.0],
            "y_lo": [None, 4.0],
            "y_hi": [None, 8.0],
            "model": [None, "m"],
        }
    )
    figure = charts.forecast_figure(forecast)
    by_name = {trace.name: trace for trace in figure.data if trace.name}
    assert list(by_name["forecast"].y) == [6.0] and list(by_name["actual"].y) == [5.0]

    roster = pd.DataFrame(
        {
            "agent_id": ["A1", "A1"],
            "date": [date(2026, 9, 14)] * 2,
            "activity": ["shift", "break"],
            "start_local": pd.to_datetime(["2026-09-14 08:00", "2026-09-14 10:00"]),
            "end_local": pd.to_datetime(["2026-09-14 16:00", "2026-09-14 10:15"]),
        }
    )
    figure = charts.roster_timeline(roster)
    assert {trace.name for trace in figure.data} == {"shift", "break"}


def test_agent_ivr_settlement_and_billing_figures():
    agents = pd.DataFrame(
        {
            "agent_id": ["A2", "A1"],
            "occupancy": [0.9, 0.5],
            "aux_break_h": [1.0, 0.5],
            "aux_lunch_h": [0.5, 0.5],
            "aux_training_h": [0.0, 1.0],
            "aux_other_h": [0.0, 0.0],
        }
    )
    assert list(charts.agent_occupancy_figure(agents).data[0].x) == ["A1", "A2"]
    assert len(charts.aux_time_figure(agents).data) == 4

    paths = pd.DataFrame(
        {"menu_path": ["1", "2"], "containment_rate": [0.1, 0.2], "drop_off_rate": [0.0, 0.05]}
    )
    assert [t.name for t in charts.ivr_figure(paths).data] == ["containment", "drop-off"]

    by_party = pd.DataFrame(
        {
            "settlement_party": ["X", "Y"],
            "net_due": [10.0, 20.0],
            "net_collected": [5.0, 20.0],
            "b1": [5.0, 0.0],
        }
    )
    assert list(charts.settlement_figure(by_party).data[0].y) == [10.0, 20.0]
    assert list(charts.ageing_figure(by_party, ("b1",)).data[0].y) == [5.0, 0.0]

    billing = pd.DataFrame(
        {
            "local_date": [date(2026, 9, 1)] * 3,
            "direction": ["inbound", "outbound", "outbound"],
            "cost": [0.0, 1.5, 2.5],
        }
    )
    figure = charts.billing_figure(billing)
    assert {t.name: list(t.y) for t in figure.data} == {"inbound": [0.0], "outbound": [4.0]}


def test_qa_tiles_count_as_the_scorecards_do():
    evaluations = pd.DataFrame(
        {
            "agent_id": ["A1", "A1", "A2", "A2"],
            "call_time_local": pd.to_datetime(["2026-09-01 09:00"] * 4),
            "score": [80.0, 0.0, 100.0, 10.0],
            "critical_failed": [False, True, False, False],
            "passed": [True, False, True, False],
            "dispute_status": [None, None, None, "overturned"],
            "calibration_session": [None, None, None, None],
        }
    )
    tiles = {t.label: t.value for t in charts.qa_tiles(evaluations)}
    assert tiles == {
        "Evaluations": "3",
        "Mean score": "60.0",
        "Pass rate": "66.7%",
        "Critical fails": "1",
    }
    histogram = charts.qa_score_figure(evaluations)
    assert [list(trace.x) for trace in histogram.data] == [[80.0, 100.0], [0.0]]


# ---------------------------------------------------------------- QA trend and calibration


def test_the_qa_trend_draws_the_weekly_mean_score_over_the_evaluations():
    from dashboards.i18n import Translator

    weekly = pd.DataFrame(
        {
            "agent_id": ["A1", "A1", "A1"],
            "week_start": [date(2026, 9, 14), date(2026, 9, 7), date(2026, 9, 21)],
            "evaluations": [2, 3, 1],
            "mean_score": [70.0, 85.5, 92.0],
        }
    )
    figure = charts.qa_trend_figure(weekly, "A1")
    bars, line = figure.data
    assert bars.type == "bar" and line.type == "scatter"
    # weeks in order, whatever the frame's order
    assert list(line.x) == ["2026-09-07", "2026-09-14", "2026-09-21"]
    assert list(line.y) == [85.5, 70.0, 92.0] and list(bars.y) == [3, 2, 1]
    assert bars.yaxis == "y2" and list(figure.layout.yaxis.range) == [0, 100]
    assert figure.layout.title.text == "QA score per week: agent A1"
    assert (line.name, bars.name) == ("mean score", "evaluations")
    chinese = charts.qa_trend_figure(weekly, "A1", tr=Translator("zh"))
    assert chinese.layout.title.text == "每周质检得分：坐席 A1"
    empty = charts.qa_trend_figure(weekly.iloc[:0], "A1")
    assert len(empty.data[0].x) == 0


def test_the_section_scores_put_the_agent_beside_all_agents_in_the_users_language():
    from dashboards.i18n import Translator

    sections = pd.DataFrame(
        {
            "section_id": ["greeting", "own_section"],
            "section_title": ["Greeting", "Own section"],
            "agent_mean_score": [90.0, 40.0],
            "all_mean_score": [80.0, 60.0],
        }
    )
    agent, everyone = charts.qa_section_figure(sections, "A1").data
    assert list(agent.y) == ["Greeting", "Own section"] and list(agent.x) == [90.0, 40.0]
    assert list(everyone.x) == [80.0, 60.0] and everyone.name == "all agents"
    zh = charts.qa_section_figure(sections, "A1", tr=Translator("zh")).data[0]
    assert list(zh.y) == ["开场问候", "Own section"]  # a section the catalogue lacks: as is


def test_the_calibration_chart_has_one_bar_group_per_evaluator():
    evaluators = pd.DataFrame({"evaluator": ["e1", "e2"], "deviation": [2.5, -2.5]})
    by_section = pd.DataFrame(
        {
            "evaluator": ["e1", "e1", "e2", "e2"],
            "section_id": ["greeting", "closing"] * 2,
            "section_title": ["Greeting", "Closing"] * 2,
            "calls": [3] * 4,
            "deviation": [1.0, 4.0, -1.0, -4.0],
        }
    )
    figure = charts.calibration_figure(evaluators, by_section)
    assert [trace.name for trace in figure.data] == ["e1", "e2"]
    assert list(figure.data[0].x) == ["Total score", "Greeting", "Closing"]
    assert list(figure.data[0].y) == [2.5, 1.0, 4.0]
    assert list(figure.data[1].y) == [-2.5, -1.0, -4.0]
    assert figure.layout.title.text == "Evaluator deviation from the session mean"
    # an evaluator without a total deviation keeps the bars aligned
    missing = charts.calibration_figure(evaluators.iloc[:1], by_section)
    assert list(missing.data[1].y) == [None, -1.0, -4.0]
