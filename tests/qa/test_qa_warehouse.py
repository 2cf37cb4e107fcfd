"""QA over a real small build: sampling, scoring, calibration, reports, CLI and the marts.

One engine day is simulated, ingested and published once for the module (about 20 s);
the QA records go to an operational store, and a second build copies them into
``mart_qa_scores`` and ``mart_qa_section_scores``.
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from acd.simulate import simulate
from callcenter_cli import main
from ingest.loader import Loader
from qa import store
from qa.form import load_form
from warehouse.publish import publish

DAY = "2026-09-01"
EVALUATORS = "e1,e2,e3"
FORM = load_form()


def run(*args: str):
    result = CliRunner().invoke(main, ["qa", *args])
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> dict:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qa_site")
    simulate("airline", date(2026, 9, 1), 1, 5, folder / "landing")
    Loader(folder / "ingest.duckdb").ingest([folder / "landing"])
    publish(folder / "warehouse.duckdb", folder / "ingest.duckdb")
    return folder


def paths(site, ops="ops.duckdb") -> list[str]:
    return ["--db", str(site / "warehouse.duckdb"), "--ops-db", str(site / ops)]


def sample_args(site, ops="ops.duckdb", seed="7", week=DAY, days="7") -> list[str]:
    return [
        "sample", *paths(site, ops), "--week", week, "--days", days, "--per-agent", "2",
        "--evaluators", EVALUATORS, "--seed", seed,
    ]  # fmt: skip


def warehouse_calls_per_agent(site) -> dict[str, int]:
    """An independent count: answered, recorded calls per agent on the simulated day."""
    with duckdb.connect(str(site / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select answered_by, count(*) from fct_calls where answered_by is not null "
            "and recording_id is not null group by all"
        ).fetchall()
    return dict(rows)


def sampled(ops) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(ops), read_only=True) as con:
        return con.execute(
            "select call_id, agent_id, evaluator from qa_sample_calls order by call_id"
        ).fetchall()


@pytest.fixture(scope="module")
def planned(site):
    return run_json(*sample_args(site))


def test_sample_meets_the_quota_once_per_call_with_balanced_workloads(site, planned):
    per_agent = warehouse_calls_per_agent(site)
    expected = sum(min(2, n) for n in per_agent.values())
    assert planned["sampled"] == expected and planned["agents"] == len(per_agent)
    rows = sampled(site / "ops.duckdb")
    assert len(rows) == expected == len({call for call, _, _ in rows})
    workload = planned["workload"]
    assert set(workload) == {"e1", "e2", "e3"}
    assert max(workload.values()) - min(workload.values()) <= 1
    assert sum(planned["by_queue"].values()) == expected


def test_the_same_seed_gives_the_same_plan_and_a_period_is_planned_once(site, planned):
    assert run_json(*sample_args(site, "same_seed.duckdb"))["sampled"] == planned["sampled"]
    assert sampled(site / "same_seed.duckdb") == sampled(site / "ops.duckdb")
    run_json(*sample_args(site, "other_seed.duckdb", seed="8"))
    assert sampled(site / "other_seed.duckdb") != sampled(site / "ops.duckdb")
    error = one_line_error(*run(*sample_args(site, "same_seed.duckdb")))
    assert "already exists" in error and "one plan per period" in error


def test_a_later_plan_never_draws_a_call_again(site, planned):
    shutil.copy(site / "ops.duckdb", site / "later.duckdb")
    later = run_json(*sample_args(site, "later.duckdb", days="1"))
    assert later["excluded_earlier"] == planned["sampled"]
    rows = sampled(site / "later.duckdb")
    assert len(rows) == len({call for call, _, _ in rows}) == planned["sampled"] + later["sampled"]


def write_answers(path, **changes) -> str:
    answers = {
        item.id: 5 if item.scale.startswith("1_5") else "yes" for _, item in FORM.items().values()
    } | changes
    lines = ['comment = "clear and friendly"', "[answers]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in answers.items()]
    lines += ["[comments]", 'ancillaries_offered = "no seat offered"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def evaluated(site, planned):
    """Evaluations of every kind in the module's store; returns what was done."""
    call_id, agent_id, evaluator = sampled(site / "ops.duckdb")[0]
    answers = write_answers(site / "answers.toml", ancillaries_offered="no")
    manual = run_json("score", *paths(site), "--call", call_id, "--evaluator", evaluator,
                      "--answers", answers)  # fmt: skip
    simulated = run_json("score", *paths(site), "--simulate", "30", "--seed", "3")
    calibration = run_json("score", *paths(site), "--simulate", "6", "--seed", "3",
                           "--calibration-session", "cal-1",
                           "--evaluators", EVALUATORS)  # fmt: skip
    evaluations = store.evaluations(site / "ops.duckdb")
    demo = evaluations.loc[evaluations["origin"] == "demo_simulated"].iloc[0]
    run_json("dispute", "raise", "--ops-db", str(site / "ops.duckdb"), "--evaluation",
             demo["evaluation_id"], "--agent", demo["agent_id"],
             "--reason", "audio cut")  # fmt: skip
    run_json("dispute", "resolve", "--ops-db", str(site / "ops.duckdb"), "--evaluation",
             demo["evaluation_id"], "--resolution", "overturned", "--by", "lead")  # fmt: skip
    coaching = run_json("coach", "add", "--ops-db", str(site / "ops.duckdb"), "--evaluation",
                        manual["evaluation_id"], "--item", "ancillaries_offered", "--coach",
                        "lead", "--date", "2026-09-03", "--follow-up", "2026-09-17")  # fmt: skip
    return {
        "manual": manual,
        "call": (call_id, agent_id, evaluator),
        "simulated": simulated,
        "calibration": calibration,
        "overturned": demo["evaluation_id"],
        "coaching": coaching,
    }


def test_an_answers_file_is_scored_by_hand_and_stored(site, evaluated):
    manual = evaluated["manual"]
    call_id, agent_id, evaluator = evaluated["call"]
    # Every item perfect but ancillaries_offered (offer: (0 + 1) / 2 = 50, weight 10): 95.
    assert manual["score"] == 95.0 and manual["passed"] and not manual["critical_failed"]
    assert manual["sections"]["offer"] == 50.0 and manual["sections"]["greeting"] == 100.0
    assert (manual["call_id"], manual["agent_id"], manual["evaluator"]) == (
        call_id,
        agent_id,
        evaluator,
    )
    row = store.evaluation_row(site / "ops.duckdb", manual["evaluation_id"])
    assert row["in_sample"] and row["comment"] == "clear and friendly"
    stored = store.answers(site / "ops.duckdb", manual["evaluation_id"]).set_index("item_id")
    assert stored.loc["ancillaries_offered", "comment"] == "no seat offered"


def test_refusals_are_one_line_and_write_nothing(site, evaluated):
    call_id, _, evaluator = evaluated["call"]
    before = len(store.evaluations(site / "ops.duckdb"))
    answers = str(site / "answers.toml")
    again = ["score", *paths(site), "--call", call_id, "--evaluator", evaluator, "--answers"]
    assert "already evaluated call" in one_line_error(*run(*again, answers))
    unknown = ["score", *paths(site), "--call", "999.1", "--evaluator", "e1", "--answers"]
    assert "call 999.1 is not an answered, recorded call" in one_line_error(*run(*unknown, answers))
    sampled_ids = {call for call, _, _ in sampled(site / "ops.duckdb")}
    with duckdb.connect(str(site / "warehouse.duckdb"), read_only=True) as con:
        known = next(
            call
            for (call,) in con.execute(
                "select call_id from fct_calls where recording_id is not null order by call_id"
            ).fetchall()
            if call not in sampled_ids
        )
    off = ["score", *paths(site), "--call", known, "--evaluator", "e9", "--answers", answers]
    assert "not in any sample plan; pass --off-sample" in one_line_error(*run(*off))
    bad = write_answers(site / "bad.toml", courtesy=7)
    bad_args = ["score", *paths(site), "--call", call_id, "--evaluator", "e7", "--answers", bad]
    assert "'courtesy': answer 7 is not on its scale 1_5" in one_line_error(*run(*bad_args))
    assert len(store.evaluations(site / "ops.duckdb")) == before
    flagged = run_json(*off, "--off-sample")
    assert not store.evaluation_row(site / "ops.duckdb", flagged["evaluation_id"])["in_sample"]


def test_usage_errors(site):
    assert "--week must be a date" in one_line_error(*run(*sample_args(site, week="monday")))
    args = sample_args(site)
    args[args.index("--per-agent") + 1] = "0"
    assert "--per-agent must be at least 1" in one_line_error(*run(*args))
    missing = ["sample", "--db", str(site / "none.duckdb"), *sample_args(site)[3:]]
    assert "no warehouse at" in one_line_error(*run(*missing))
    both = ["score", *paths(site), "--simulate", "2", "--call", "x"]
    assert "--simulate takes no --call" in one_line_error(*run(*both))
    assert "no operational store" in one_line_error(
        *run("calibrate", "--ops-db", str(site / "absent.duckdb"))
    )
    assert "no such file" in one_line_error(*run("form", "--form", "nope"))


def test_demo_evaluations_are_labelled_and_calibrated(site, evaluated):
    assert evaluated["simulated"]["evaluations"] == 30
    assert evaluated["calibration"] == evaluated["calibration"] | {
        "evaluations": 18,
        "calls": 6,
        "calibration_session": "cal-1",
    }
    evaluations = store.evaluations(site / "ops.duckdb")
    demo = evaluations.loc[evaluations["origin"] == "demo_simulated"]
    assert len(demo) == 48 and (demo["comment"].str.startswith("DEMO")).all()
    report = run_json("calibrate", "--ops-db", str(site / "ops.duckdb"), "--session", "cal-1")
    assert (report["calls"], report["evaluators"], report["ratings"]) == (6, 3, 18)
    assert report["alpha_interval"] is not None and -1 <= report["alpha_interval"] <= 1
    assert report["icc"]["judges"] == 3 and report["complete_calls"] == 6
    # Every evaluator scored every call: own - mean of the others sums to 0 over evaluators.
    assert sum(row["bias"] for row in report["bias"]) == pytest.approx(0, abs=1e-9)
    code, out, _ = run("calibrate", "--ops-db", str(site / "ops.duckdb"), "--session", "cal-1")
    assert code == 0 and out.startswith("calibration cal-1: 6 calls, 3 evaluators")


def test_report_has_scorecards_and_stars(site, evaluated):
    report = run_json("report", "--ops-db", str(site / "ops.duckdb"))
    assert report["week_start"] == "2026-08-31" and report["day"] == DAY
    evaluations = store.evaluations(site / "ops.duckdb")
    # Neither the overturned evaluation nor the calibration session's count.
    counted = len(evaluations) - 1 - int(evaluations["calibration_session"].notna().sum())
    assert report["evaluations"] == counted
    assert sum(card["evaluations"] for card in report["scorecards"]) == counted
    code, out, _ = run("report", "--ops-db", str(site / "ops.duckdb"))
    assert code == 0 and "star of the week:" in out and "star of the day 2026-09-01:" in out


def test_agent_trend_form_and_lists(site, evaluated):
    agent = evaluated["manual"]["agent_id"]
    trend = run_json("report", "--ops-db", str(site / "ops.duckdb"), "--agent", agent)
    assert trend["weeks"][0]["week_start"] == "2026-08-31"
    assert trend["weeks"][0]["evaluations"] >= 1
    assert "no counted evaluations of agent nobody" in one_line_error(
        *run("report", "--ops-db", str(site / "ops.duckdb"), "--agent", "nobody")
    )
    code, out, _ = run("form")
    assert code == 0 and out.startswith("form airline v1: Airline ticketing call evaluation")
    assert "identity_checked [yes_no_na] x3  CRITICAL" in out
    assert run_json("form")["sections"][0]["id"] == "greeting"
    disputes = run_json("dispute", "list", "--ops-db", str(site / "ops.duckdb"))
    assert [d["status"] for d in disputes] == ["overturned"]
    coaching = run_json("coach", "list", "--ops-db", str(site / "ops.duckdb"))
    assert coaching[0]["item_id"] == "ancillaries_offered"
    assert coaching[0]["coaching_id"] == evaluated["coaching"]["coaching_id"]


def test_mart_qa_scores_on_a_real_build(site, evaluated):
    ops = site / "ops.duckdb"
    result = publish(site / "warehouse_qa.duckdb", site / "ingest.duckdb", ops_db=ops)
    assert (
        result.build.to_dict()["tests_failed"] == 0
        if "tests_failed" in result.build.to_dict()
        else True
    )
    stored = store.evaluations(ops).set_index("evaluation_id")
    with duckdb.connect(str(site / "warehouse_qa.duckdb"), read_only=True) as con:
        mart = (
            con.execute(
                "select evaluation_id, call_id, agent_id, call_answered_by, score, passed, origin, "
                "dispute_status, counts_for_scorecard, call_in_warehouse, items, answered_items, "
                "calibration_session "
                "from mart_qa_scores"
            )
            .df()
            .set_index("evaluation_id")
        )
        sections = con.execute(
            "select evaluation_id, section_id, section_score from mart_qa_section_scores"
        ).fetchall()
    assert sorted(mart.index) == sorted(stored.index)
    assert (mart["score"] == stored.loc[mart.index, "score"]).all()
    assert (mart["agent_id"] == mart["call_answered_by"]).all() and mart["call_in_warehouse"].all()
    assert (mart["items"] == 19).all()
    assert mart.loc[evaluated["overturned"], "dispute_status"] == "overturned"
    assert not mart.loc[evaluated["overturned"], "counts_for_scorecard"]
    assert not mart.loc[mart["calibration_session"].notna(), "counts_for_scorecard"].any()
    manual = evaluated["manual"]["evaluation_id"]
    assert mart.loc[manual, "origin"] == "manual" and mart.loc[manual, "score"] == 95.0
    assert len(sections) == 7 * len(mart)
    assert (manual, "offer", 50.0) in sections
    from_mart = run_json("report", "--ops-db", str(ops), "--db", str(site / "warehouse_qa.duckdb"))
    from_store = run_json("report", "--ops-db", str(ops))
    assert from_mart == from_store
    assert from_store["evaluations"] == int(mart["counts_for_scorecard"].sum())


def test_the_demo_simulates_responses_disputes_and_coaching(site, evaluated):
    """``score --simulate N --with-responses`` (what the demo runs): every new evaluation's
    follow-up is read back from the store and checked against the rules of
    ``qa.demo.simulate_follow_up``."""
    copies = []
    for name in ("responses_a.duckdb", "responses_b.duckdb"):
        shutil.copy(site / "ops.duckdb", site / name)
        copies.append(site / name)
    before = set(store.evaluations(copies[0])["evaluation_id"])
    results = [
        run_json(
            *("score", *paths(site, ops=copy.name), "--simulate", "40", "--seed", "11"),
            *("--with-responses", "--evaluators", EVALUATORS),
        )
        for copy in copies
    ]
    assert results[0] == results[1]  # the same seed, the same follow-up
    ops = copies[0]
    evaluations = store.evaluations(ops).set_index("evaluation_id")
    new = evaluations.loc[sorted(set(evaluations.index) - before)]
    assert len(new) == results[0]["evaluations"] > 0
    disputes = store.disputes(ops).set_index("evaluation_id")
    ours = disputes.loc[disputes.index.intersection(new.index)]
    counts = results[0]["responses"]
    assert counts["acknowledged"] == int((ours["status"] == "acknowledged").sum())
    assert counts["disputed"] == int((ours["response"] == "disputed").sum())
    assert counts["upheld"] == int((ours["status"] == "upheld").sum())
    assert counts["overturned"] == int((ours["status"] == "overturned").sum())
    disputed = ours[ours["response"] == "disputed"]
    assert disputed["reason"].str.len().gt(0).all()
    resolved = disputed[disputed["status"].isin(["upheld", "overturned"])]
    assert (resolved["resolved_by"] != new.loc[resolved.index, "evaluator"]).all()
    assert set(resolved["resolved_by"]) <= set(EVALUATORS.split(","))
    # coaching: exactly the failed evaluations that were not overturned, by their evaluator
    sessions = store.coaching(ops)
    sessions = sessions[sessions["evaluation_id"].isin(new.index)].set_index("evaluation_id")
    overturned = set(ours.index[ours["status"] == "overturned"])
    failed = {e for e, passed in new["passed"].items() if not passed} - overturned
    assert set(sessions.index) == failed and len(sessions) == counts["coaching_sessions"]
    assert (sessions["coach"] == new.loc[sessions.index, "evaluator"]).all()
    today = date.today()
    lead = (pd.to_datetime(sessions["session_date"]).dt.date - today).map(lambda d: d.days)
    assert lead.between(1, 5).all()
    follow = pd.to_datetime(sessions["follow_up_date"]) - pd.to_datetime(sessions["session_date"])
    assert (follow.dt.days == 14).all()


def test_responses_need_a_simulation_outside_calibration(site):
    alone = ["score", *paths(site), "--with-responses"]
    assert "--with-responses goes with --simulate N" in one_line_error(*run(*alone))
