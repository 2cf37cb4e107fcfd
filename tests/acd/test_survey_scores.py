"""The post-call survey: its file against Master.csv and the queue_log, its drivers against
an independent reading of the voice files, and its scores moving with the real drivers
(the wait and the agents' hidden quality) strongly enough for analysis to find them."""

from __future__ import annotations

import csv
import dataclasses
import random
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from contact_files import instant
from landing_files import master_csv_rows, own_csv, queue_log_lines

from acd.scenario import load_scenario
from acd.simulate import simulate
from acd.survey import LABELS, draw_score, score_probabilities
from acd.writers.landing import SURVEY_COLUMNS

AIRLINE = load_scenario("airline")
TALK_ENDS = {"COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ATTENDEDTRANSFER"}


# -- the model ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [3, 5])
def test_score_draws_follow_the_ordered_logit(scale):
    cuts = (-1.7, -0.4) if scale == 3 else (-2.5, -1.5, -0.5, 0.8)
    spec = dataclasses.replace(AIRLINE.survey, scale=scale, cutpoints=cuts)
    rng = random.Random(1)
    previous_top = 0.0
    for eta in (-2.0, -0.5, 0.0, 1.5):
        probs = score_probabilities(spec, eta)
        assert len(probs) == scale and sum(probs) == pytest.approx(1.0)
        assert probs[-1] > previous_top  # a better eta makes the best score likelier
        previous_top = probs[-1]
        draws = Counter(draw_score(spec, eta, rng) for _ in range(20_000))
        for k in range(1, scale + 1):
            assert draws[k] / 20_000 == pytest.approx(probs[k - 1], abs=0.015), (eta, k)


# -- the files of a real run ----------------------------------------------------------------


def first_cdr_rows(out: Path) -> dict[str, list[str]]:
    """Each inbound call's A-leg: its last Master.csv row from the trunk (from-pstn)."""
    rows: dict[str, list[str]] = {}
    for r in master_csv_rows(out):
        if r[3] == "from-pstn" and r[5].startswith("PJSIP/trunk-"):
            rows[r[16]] = r  # the A-leg is written last, at hang-up
    return rows


def test_survey_file_is_keyed_by_the_calls_uniqueid(airline_run):
    out, summary = airline_run
    header = (out / "surveys" / "surveys_20260930.csv").read_text().splitlines()[0]
    assert tuple(header.split(",")) == SURVEY_COLUMNS  # nothing hidden in it
    surveys = own_csv(out, "surveys", "surveys")
    truth = own_csv(out, "truth", "survey_truth")
    assert len(surveys) == len(truth) == summary.surveys["offered"] > 3000
    assert sum(s["answered"] == "y" for s in surveys) == summary.surveys["answered"]
    assert len({s["uniqueid"] for s in surveys}) == len(surveys)  # offered once per call
    a_legs = first_cdr_rows(out)
    last_end = {}
    for fields in queue_log_lines(out):
        if fields[4] in TALK_ENDS:
            last_end[fields[1]] = fields
    for s, t in zip(surveys, truth, strict=True):
        assert (s["uniqueid"], s["agent_id"], s["answered"], s["score"]) == (
            t["uniqueid"],
            t["agent_id"],
            t["answered"],
            t["score"],
        )
        end = last_end[s["uniqueid"]]
        # the agent hung up to send the caller to the survey, at the offer
        assert end[4] == "COMPLETEAGENT" and (end[2], end[3]) == (s["queue"], s["agent_id"])
        assert 0 <= instant(s["offered_time"]) - int(end[0]) <= 1.0005
        assert a_legs[s["uniqueid"]][7:9] == ["Read", "CSAT,custom/csat-survey,1"]
        assert s["scale"] == "3"
        if s["answered"] == "y":
            assert s["label"] == LABELS[3][int(s["score"]) - 1]
        else:
            assert s["score"] == s["label"] == ""


def test_offer_and_response_shares(airline_run):
    out, summary = airline_run
    completed = Counter(
        f[4] for f in queue_log_lines(out) if f[4] in ("COMPLETEAGENT", "COMPLETECALLER")
    )
    eligible = completed["COMPLETEAGENT"] + completed["COMPLETECALLER"]
    offered, answered = summary.surveys["offered"], summary.surveys["answered"]
    assert offered / eligible == pytest.approx(AIRLINE.survey.share, abs=0.02)
    assert answered / offered == pytest.approx(AIRLINE.survey.p_response, abs=0.02)


def test_drivers_agree_with_the_voice_files(airline_run):
    """wait_s and transfers from the call truth, repeat_call from Master.csv's callers."""
    out, _summary = airline_run
    visits = defaultdict(list)
    for row in own_csv(out, "truth", "call_truth"):
        visits[row["call_id"]].append(row)
    calls_by_number = defaultdict(list)
    for uniqueid, row in first_cdr_rows(out).items():
        calls_by_number[row[1]].append(float(uniqueid.split(".")[0]))  # uniqueid epoch = start
    a_legs = first_cdr_rows(out)
    repeats = 0
    for t in own_csv(out, "truth", "survey_truth"):
        call = visits[t["uniqueid"]]
        assert float(t["wait_s"]) == pytest.approx(sum(float(v["wait_s"]) for v in call), abs=0.01)
        assert int(t["transfers"]) == sum(bool(v["transferred_to"]) for v in call)
        start = float(t["uniqueid"].split(".")[0])
        earlier = [
            s for s in calls_by_number[a_legs[t["uniqueid"]][1]] if start - 72 * 3600 <= s < start
        ]
        assert t["repeat_call"] == ("1" if earlier else "0"), t
        repeats += bool(earlier)
    assert repeats > 50


# -- statistics on a run where every caller answers the survey -----------------------------


@pytest.fixture(scope="module")
def full_survey(tmp_path_factory) -> tuple[list[dict[str, str]], dict[str, float]]:
    """Two airline days, every completed call surveyed and answered, on the 5-point scale."""
    survey = dataclasses.replace(
        AIRLINE.survey, share=1.0, p_response=1.0, scale=5, cutpoints=(-2.5, -1.5, -0.5, 0.8)
    )
    out = tmp_path_factory.mktemp("survey")
    simulate(dataclasses.replace(AIRLINE, survey=survey), date(2026, 9, 8), 2, 21, out)
    with (out / "truth" / "agent_quality.csv").open(newline="", encoding="utf-8") as handle:
        quality = {r["agent_id"]: float(r["quality"]) for r in csv.DictReader(handle)}
    rows = own_csv(out, "truth", "survey_truth")
    surveys = own_csv(out, "surveys", "surveys")
    assert [s["score"] for s in surveys] == [r["score"] for r in rows]
    assert {s["label"] for s in surveys} == set(LABELS[5])
    return rows, quality


def mean_score(rows: list[dict[str, str]]) -> float:
    return sum(int(r["score"]) for r in rows) / len(rows)


def test_scores_fall_with_the_wait_and_transfers(full_survey):
    rows, _quality = full_survey
    short = [r for r in rows if float(r["wait_s"]) < 10]
    long = [r for r in rows if float(r["wait_s"]) >= 90]
    assert len(short) > 5000 and len(long) > 300
    assert mean_score(short) - mean_score(long) > 0.3
    low = Counter(int(r["score"]) <= 2 for r in long)[True] / len(long)
    assert low > Counter(int(r["score"]) <= 2 for r in short)[True] / len(short) + 0.08
    moved = [r for r in rows if r["transfers"] != "0"]
    direct = [r for r in rows if r["transfers"] == "0"]
    assert len(moved) > 100 and mean_score(direct) - mean_score(moved) > 0.2
    repeat = [r for r in rows if r["repeat_call"] == "1"]
    first = [r for r in rows if r["repeat_call"] == "0"]
    assert len(repeat) > 300 and mean_score(first) - mean_score(repeat) > 0.1


def ranks(values: list[float]) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(float)


def test_analysis_recovers_the_hidden_agent_quality(full_survey):
    """Agents ranked by their mean survey score agree with the hidden quality ranking far
    better than chance (a Spearman correlation of 0 +- 0.06 for ~270 random rankings)."""
    rows, quality = full_survey
    scores = defaultdict(list)
    for r in rows:
        scores[r["agent_id"]].append(int(r["score"]))
    agents = sorted(a for a, s in scores.items() if len(s) >= 20)
    assert len(agents) > 200
    observed = ranks([sum(scores[a]) / len(scores[a]) for a in agents])
    hidden = ranks([quality[a] for a in agents])
    rho = float(np.corrcoef(observed, hidden)[0, 1])
    assert rho > 0.5
    # chance level: the same statistic with the hidden qualities shuffled
    rng = np.random.default_rng(0)
    shuffled = [float(np.corrcoef(observed, rng.permutation(hidden))[0, 1]) for _ in range(200)]
    assert rho > max(shuffled) + 0.2
    # and top against bottom third of agents by hidden quality
    by_quality = sorted(agents, key=quality.__getitem__)
    third = len(by_quality) // 3
    bottom = [r for r in rows if r["agent_id"] in set(by_quality[:third])]
    top = [r for r in rows if r["agent_id"] in set(by_quality[-third:])]
    assert mean_score(top) - mean_score(bottom) > 0.4
