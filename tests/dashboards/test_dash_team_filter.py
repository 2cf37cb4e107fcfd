"""The team filter (agent directory, ``stg_agent_directory``) on the agents, QA scores and
satisfaction pages, checked against the directory read straight from the warehouse; and a
warehouse built before the directory model keeps the pages working without the filter."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dash_helpers import metrics, run_page

pytestmark = pytest.mark.usefixtures("data_env")


def directory(data: Path) -> dict[str, set[str]]:
    """team -> its agents, read independently of the dashboard's queries."""
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        pairs = con.execute("select team, agent_id from stg_agent_directory").fetchall()
    finally:
        con.close()
    teams: dict[str, set[str]] = {}
    for team, agent in pairs:
        teams.setdefault(team, set()).add(agent)
    return teams


def smallest_team(teams: dict[str, set[str]]) -> str:
    return min(teams, key=lambda team: (len(teams[team]), team))


def test_one_team_restricts_the_agents_table_to_its_agents(data_env):
    teams = directory(data_env)
    assert len(teams) > 1
    at = run_page("agents")
    assert at.multiselect(key="teams").options == sorted(teams)
    assert at.multiselect(key="teams").value == []  # empty: every team
    everyone = set(at.dataframe[0].value["Agent"])
    shown = metrics(at)
    team = smallest_team(teams)
    at.multiselect(key="teams").set_value([team]).run()
    assert not at.exception
    listed = set(at.dataframe[0].value["Agent"])
    assert listed and listed == everyone & teams[team]
    assert int(metrics(at)["Agents"]) == len(listed) < int(shown["Agents"].replace(",", ""))
    assert metrics(at)["Handled calls"] != shown["Handled calls"]
    assert metrics(at)["Login hours"] != shown["Login hours"]
    # with an agent filter too: the agents both filters agree on
    outsider = sorted(everyone - teams[team])[0]
    insider = sorted(listed)[0]
    at.multiselect(key="agents").set_value([insider, outsider]).run()
    assert not at.exception
    assert set(at.dataframe[0].value["Agent"]) == {insider} and metrics(at)["Agents"] == "1"


def test_one_team_restricts_the_qa_scorecards(data_env):
    teams = directory(data_env)
    at = run_page("qa_scores", role="qa")
    evaluations = int(metrics(at)["Evaluations"])
    team = max(teams, key=lambda team: (len(teams[team]), team))
    at.multiselect(key="teams").set_value([team]).run()
    assert not at.exception
    assert 0 < int(metrics(at)["Evaluations"]) < evaluations
    assert set(at.dataframe[0].value["Agent"]) <= teams[team]  # the weekly scorecards


def test_one_team_restricts_the_satisfaction_tiles_and_agents(data_env):
    teams = directory(data_env)
    at = run_page("satisfaction", role="qa")
    shown = metrics(at)
    team = max(teams, key=lambda team: (len(teams[team]), team))
    at.multiselect(key="teams").set_value([team]).run()
    assert not at.exception
    assert metrics(at)["Surveys offered"] != shown["Surveys offered"]
    agents = at.dataframe[-1].value["Agent"]
    assert len(agents) and set(agents) <= teams[team]
    assert any("chosen teams' agents" in caption.value for caption in at.caption)


@pytest.mark.parametrize(("page", "role"), [("agents", "admin"), ("qa_scores", "qa"),
                                            ("satisfaction", "qa")])  # fmt: skip
def test_a_warehouse_without_the_directory_shows_no_team_filter(
    page, role, data_env, tmp_path, monkeypatch
):
    shutil.copy(data_env / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("drop table stg_agent_directory")
    con.close()
    monkeypatch.setenv("CALLCENTER_DATA", str(tmp_path))
    at = run_page(page, role=role)
    assert at.metric and not [w for w in at.multiselect if w.key == "teams"]
