"""The channels and satisfaction pages on the demo's data, and the satisfaction analysis
against the engine's hidden agent quality."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from dash_helpers import metrics, plotly_charts, run_page
from scipy.stats import spearmanr

from dashboards import queries
from qa import csat

pytestmark = pytest.mark.usefixtures("data_env")


def test_channels_page_shows_the_backlog_and_a_channel_filter_changes_it():
    at = run_page("channels", role="manager")
    shown = metrics(at)
    assert set(shown) == {
        "Arrived",
        "Handled",
        "Open at day end",
        "Oldest open",
        "Responded in target",
    }
    assert int(shown["Arrived"].replace(",", "")) > 0
    assert len(plotly_charts(at)) == 2 and len(at.dataframe) == 1
    at.multiselect(key="channels").set_value(["email"]).run()
    assert not at.exception
    assert metrics(at)["Arrived"] != shown["Arrived"]


def test_satisfaction_page_shows_csat_the_drivers_and_the_agents():
    at = run_page("satisfaction", role="qa")
    shown = metrics(at)
    assert set(shown) == {"Surveys offered", "Response rate", "CSAT", "DSAT", "Mean score"}
    assert shown["CSAT"].endswith("%")
    assert len(plotly_charts(at)) == 3  # by wait, drivers, agents
    assert any("Ordered-logit model" in caption.value for caption in at.caption)
    at.multiselect(key="queues").set_value(["booking"]).run()
    assert not at.exception
    assert metrics(at)["Surveys offered"] != shown["Surveys offered"]


def test_a_planner_may_not_open_satisfaction():
    at = run_page("satisfaction", role="planner")
    assert "may not open" in at.error[0].value
    assert not at.metric


def test_the_analysis_ranks_agents_by_the_engines_hidden_quality(dash_data):
    """Agent effects estimated from the warehouse's surveys agree with the engine's
    hidden per-agent quality (truth/agent_quality.csv) better than chance: the rank
    correlation is positive and above the 99th percentile of shuffled rankings."""
    days = queries.data_days(dash_data / "warehouse.duckdb")
    first, last = days.loc[0, "first_day"], days.loc[0, "last_day"]
    answers = queries.survey_answers(dash_data / "warehouse.duckdb", first, last)
    model = csat.fit(answers)
    with (dash_data / "landing" / "truth" / "agent_quality.csv").open(newline="") as handle:
        quality = {row["agent_id"]: float(row["quality"]) for row in csv.DictReader(handle)}
    agents = model.agents[model.agents["answers"] >= 5]
    truth = agents["agent_id"].map(quality).to_numpy()
    rho = spearmanr(agents["effect"], truth).statistic
    rng = np.random.default_rng(0)
    shuffled = [
        spearmanr(rng.permutation(agents["effect"].to_numpy()), truth).statistic for _ in range(500)
    ]
    assert rho > np.quantile(shuffled, 0.99), (rho, len(agents))
    assert rho > 0.3
    # and waiting longer lowers the score, as the engine's survey model says
    wait = next(d for d in model.drivers if d.name == "wait_min")
    assert wait.high < 0
