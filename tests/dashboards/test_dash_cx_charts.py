"""Builders of the channels and satisfaction pages on hand-made frames, checked against
counts done by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboards import charts, queries
from dashboards.i18n import Translator
from qa import csat


def _hours() -> pd.DataFrame:
    rows = [
        # channel, queue, hour, open_start, arrived, handled, open_end, oldest, responded, in_target
        ("email", "email", "2026-09-01 08:00", 0, 4, 1, 3, 1800.0, 1, 1),
        ("email", "email", "2026-09-01 09:00", 3, 2, 5, 0, None, 4, 3),
        ("email", "email", "2026-09-02 08:00", 0, 6, 2, 4, 3000.0, 2, 1),
        ("sms", "sms", "2026-09-02 08:00", 0, 3, 3, 0, None, 3, 3),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "channel",
            "queue",
            "hour_start",
            "open_start",
            "arrived",
            "handled",
            "open_end",
            "oldest_open_age_s",
            "responded",
            "responded_in_target",
        ],
    )
    frame["hour_start"] = pd.to_datetime(frame["hour_start"])
    frame["resolved"] = frame["handled"]
    frame["handle_s"] = 60.0 * frame["handled"]
    return frame


def test_backlog_days_sum_hours_and_take_the_day_end():
    days = queries.backlog_days(_hours()).set_index(["channel", "day"])
    first = days.loc[("email", date(2026, 9, 1))]
    assert (first["arrived"], first["handled"], first["open_end"]) == (6, 6, 0)
    assert first["within_target"] == pytest.approx(4 / 5)
    assert np.isnan(first["oldest_open_age_s"])  # nothing open at the day's end
    second = days.loc[("email", date(2026, 9, 2))]
    assert (second["open_end"], second["oldest_open_age_s"]) == (4, 3000.0)
    assert days.loc[("sms", date(2026, 9, 2)), "within_target"] == 1.0


def test_backlog_tiles_and_figures():
    days = queries.backlog_days(_hours())
    tiles = {tile.label: tile.value for tile in charts.backlog_tiles(days)}
    assert tiles == {
        "Arrived": "15",
        "Handled": "11",
        "Open at day end": "4",  # 2026-09-02: e-mail 4, SMS 0
        "Oldest open": "50 min",
        "Responded in target": f"{8 / 10:.1%}",
    }
    figure = charts.backlog_figure(_hours())
    lines = [trace for trace in figure.data if trace.type == "scatter"]
    assert [trace.name for trace in lines] == ["e-mail", "SMS"]
    assert list(lines[0].y) == [3, 0, 4]
    voice = pd.DataFrame({"day": [date(2026, 9, 1)], "service_level": [0.8]})
    trend = charts.within_target_figure(days, voice, tr=Translator("zh"))
    assert [trace.name for trace in trend.data] == ["电子邮件", "短信", "语音服务水平"]
    assert charts.backlog_tiles(days.iloc[0:0])[0].value == "–"


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent_id": ["A1", "A1", "A2"],
            "queue": ["booking", "general", "booking"],
            "offered": [10, 4, 6],
            "answered": [5, 2, 0],
            "satisfied": [3, 1, 0],
            "dissatisfied": [1, 0, 0],
            "mean_score": [2.4, 2.5, None],
        }
    )


def test_csat_tiles_and_per_queue_rebuild_ratios_from_counts():
    tiles = {tile.label: tile.value for tile in charts.csat_tiles(_rows())}
    assert tiles["Surveys offered"] == "20"
    assert tiles["Response rate"] == f"{7 / 20:.1%}"
    assert tiles["CSAT"] == f"{4 / 7:.1%}" and tiles["DSAT"] == f"{1 / 7:.1%}"
    assert tiles["Mean score"] == f"{(2.4 * 5 + 2.5 * 2) / 7:.2f}"
    by_queue = queries.csat_by(_rows(), "queue").set_index("queue")
    assert by_queue.loc["booking", "csat"] == pytest.approx(3 / 5)
    assert by_queue.loc["booking", "response_rate"] == pytest.approx(5 / 16)
    assert np.isnan(queries.csat_by(_rows(), "agent_id").set_index("agent_id").loc["A2", "csat"])


def test_csat_by_wait_groups_answers_into_bands():
    answers = pd.DataFrame(
        {
            "wait_s": [5, 15, 45, 400, 400],
            "score": [3, 3, 2, 1, 1],
            "satisfied": [True, True, False, False, False],
            "dissatisfied": [False, False, False, True, True],
        }
    )
    figure = charts.csat_by_wait_figure(answers)
    csat_bars, dsat_bars = figure.data
    assert list(csat_bars.x)[:2] == ["<= 20 s", "20-60 s"] and list(csat_bars.x)[-1] == "> 5 min"
    assert csat_bars.y[0] == 1.0 and dsat_bars.y[-1] == 1.0
    assert list(csat_bars.customdata) == [2, 1, 0, 0, 2]


def test_driver_and_agent_figures_show_the_models_intervals():
    rng = np.random.default_rng(4)
    n = 3000
    frame = pd.DataFrame(
        {
            "agent_id": rng.choice(["A1", "A2", "A3", "A4"], n),
            "wait_s": rng.exponential(60, n),
            "transfers": rng.binomial(1, 0.2, n),
            "repeat_call": rng.random(n) < 0.3,
        }
    )
    latent = -0.5 * frame["wait_s"] / 60 + rng.logistic(size=n)
    frame["score"] = 1 + (latent.to_numpy()[:, None] > np.array([-1.5, 0.0])).sum(axis=1)
    model = csat.fit(frame)
    figure = charts.driver_figure(model)
    (points,) = figure.data
    wait = next(d for d in model.drivers if d.name == "wait_min")
    index = list(points.y).index("minutes waited")
    assert points.x[index] == pytest.approx(np.exp(wait.coefficient))
    assert points.x[index] + points.error_x.array[index] == pytest.approx(np.exp(wait.high))
    assert figure.layout.xaxis.type == "log"
    table = charts.driver_table(model)
    assert list(table.columns) == ["driver", "odds_ratio", "odds_low", "odds_high"]
    agents = model.agents.assign(qa_mean_score=[80.0, 70.0, None, 90.0])
    effects = charts.agent_effect_figure(agents)
    assert len(effects.data[0].x) == 3  # the agent without QA evaluations is left out
