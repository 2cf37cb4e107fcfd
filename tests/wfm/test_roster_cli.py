"""``callcenter roster``: human summary, the JSON document, the files, one-line errors."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from callcenter_cli import main
from wfm.roster.store import latest_roster

WEEK = date(2026, 11, 23)
AGENTS_CSV = (
    "agent_id,skills,contract_hours,team,availability,days_off,preferred_start,shifts\n"
    "A1001,booking:8;general:5,40,blue,,2026-11-25,early,full\n"
    "A1002,booking:6,40,blue,mon-sat 07:00-23:00,,late,full\n"
    "A1003,general:7,30,red,,,,part\n"
    "A1004,general:7;booking:3,30,red,,,,part\n"
)


def requirements_csv() -> str:
    lines = ["skill,ds,required"]
    for day in range(7):
        midnight = datetime.combine(WEEK + timedelta(days=day), datetime.min.time())
        for minute in range(7 * 60, 21 * 60, 30):
            moment = midnight + timedelta(minutes=minute)
            lines.append(f"booking,{moment:%Y-%m-%d %H:%M},{2 if 540 <= minute < 1020 else 1}")
            lines.append(f"general,{moment:%Y-%m-%d %H:%M},1")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path):
    agents = tmp_path / "agents.csv"
    agents.write_text(AGENTS_CSV)
    requirements = tmp_path / "req.csv"
    requirements.write_text(requirements_csv())
    return tmp_path, agents, requirements


def invoke(*args: str):
    return CliRunner().invoke(main, ["roster", *args])


def common(tmp_path, agents, requirements):
    return [
        "--agents",
        str(agents),
        "--requirements",
        str(requirements),
        "--planning",
        str(tmp_path / "planning.duckdb"),
        "--out",
        str(tmp_path / "out"),
        "--time-limit",
        "3",
    ]


def test_json_document_files_and_store(files):
    tmp_path, agents, requirements = files
    result = invoke(*common(tmp_path, agents, requirements), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["week_start"] == "2026-11-23"
    assert out["status"] in ("OPTIMAL", "FEASIBLE", "GREEDY")  # GREEDY: a loaded machine
    assert {"coverage_pct", "understaffed_intervals", "under_coverage_h", "agent_hours"} <= set(
        out["summary"]
    )
    assert out["summary"]["agent_hours"] == 40 + 40 + 30 + 30
    assert out["files"]["ics_files"] == 4
    for name in ("roster.csv", "roster.xlsx", "coverage.csv", "ics/A1001.ics"):
        assert (tmp_path / "out" / name).is_file()
    stored = latest_roster(tmp_path / "planning.duckdb")
    assert set(stored.run_id) == {out["run_id"]}
    assert len(stored) == out["rows_stored"]
    assert "roster:" in result.stderr  # solver progress as log lines on stderr


def test_human_summary(files):
    tmp_path, agents, requirements = files
    result = invoke(*common(tmp_path, agents, requirements), "--no-store")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("roster for the week of 2026-11-23: ")
    assert lines[1].startswith("objective ") and " gap " in lines[1]
    assert lines[2].startswith("coverage ") and "under-staffed intervals" in lines[2]
    assert not (tmp_path / "planning.duckdb").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--week", "2026-12-07"), "error: no requirements for the week starting 2026-12-07"),
        (("--scenario", "airline"), "error: give --agents or --scenario, not both"),
        (("--time-limit", "0"), "error: --time-limit and --workers must be greater than 0"),
    ],
)
def test_bad_options(files, change, message):
    tmp_path, agents, requirements = files
    result = invoke(*common(tmp_path, agents, requirements), *change)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(message)
    assert "Traceback" not in result.output


def test_bad_agents_file(files):
    tmp_path, agents, requirements = files
    agents.write_text("agent_id,skills\nA1001,booking\n")
    result = invoke(*common(tmp_path, agents, requirements))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {agents}: missing column(s) contract_hours; the header needs agent_id, "
        "skills, contract_hours (optional: team, availability, days_off, preferred_start, shifts)"
    )


def test_infeasible_agent(files):
    tmp_path, agents, requirements = files
    agents.write_text(
        "agent_id,skills,contract_hours,availability\nA1007,booking,40,mon-wed 07:00-23:00\n"
    )
    result = invoke(*common(tmp_path, agents, requirements))
    assert result.exit_code == 2
    # Progress and warnings come first as "roster: ..." lines; the error is the last line.
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: agent A1007: 40 h contracted but at most")
    assert [line for line in lines if line.startswith("error:")] == lines[-1:]
