"""Blended agents: voice first, deferred work visible in the agent states, and the features
switched off leaving the voice files byte-identical. Plus the scenario's new sections'
error messages and the new writers' formats."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from bisect import bisect_left, insort
from collections import defaultdict
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from contact_files import (
    airline_document,
    instant,
    with_features_disabled,
    without_new_sections,
)
from landing_files import own_csv, queue_log_lines

from acd.errors import ScenarioError
from acd.records import AgentQuality, BacklogHour, Contact, SurveyResponse, SurveyTruth
from acd.scenario import load_scenario, parse_scenario
from acd.simulate import simulate
from acd.writers import LandingWriter

AIRLINE = load_scenario("airline")
EPS = 0.002  # the exports round instants to the millisecond


def agent_skills(out: Path) -> dict[str, set[str]]:
    groups = {g.name: g for g in AIRLINE.agent_groups}
    with (out / "truth" / "agent_quality.csv").open(newline="", encoding="utf-8") as handle:
        return {row["agent_id"]: set(groups[row["group"]].skills) for row in csv.DictReader(handle)}


def state_spans(out: Path) -> dict[str, list[tuple[float, float, dict[str, str]]]]:
    """Per agent: (start, end, row) of every state row but the last."""
    rows: dict[str, list[tuple[float, dict[str, str]]]] = defaultdict(list)
    for row in own_csv(out, "agent_states", "agent_states"):
        rows[row["agent_id"]].append((instant(row["time"]), row))
    spans = {}
    for agent, timeline in rows.items():
        spans[agent] = [(a, b, row) for (a, row), (b, _) in pairwise(timeline)]
    return spans


@pytest.fixture(scope="module")
def no_reserve_run(tmp_path_factory) -> Path:
    """One airline day with deferred_reserve = 0 everywhere: only voice-first holds back
    deferred work (with a reserve, idle colleagues imply no call waits anyway)."""
    groups = tuple(dataclasses.replace(g, deferred_reserve=0) for g in AIRLINE.agent_groups)
    out = tmp_path_factory.mktemp("no_reserve")
    simulate(dataclasses.replace(AIRLINE, agent_groups=groups), date(2026, 9, 8), 1, 4, out)
    return out


def test_an_agent_never_starts_deferred_work_while_a_call_waits_for_them(no_reserve_run):
    """At every start of deferred work, no call that the agent could take waits in a queue
    of their skills: waiting = entered and not yet answered or gone (call truth), and
    neither ringing another agent at that moment nor already rung out on this agent."""
    out = no_reserve_run
    skills = agent_skills(out)
    queue_skill = {name: q.skill for name, q in AIRLINE.queues.items()}
    waiting: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for row in own_csv(out, "truth", "call_truth"):
        waiting[row["queue"]].append(
            (instant(row["enter_time"]), instant(row["end_wait_time"]), row["call_id"])
        )
    for visits in waiting.values():
        visits.sort()
    longest = max(end - start for visits in waiting.values() for start, end, _ in visits)
    spans = state_spans(out)
    ringing: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for timeline in spans.values():
        for start, end, row in timeline:
            if row["state"] == "ringing":
                ringing[row["call_id"]].append((start, end))
    rung_out = {(f[1], f[2], f[3]) for f in queue_log_lines(out) if f[4] == "RINGNOANSWER"}
    starts = [
        (start, agent)
        for agent, timeline in spans.items()
        for start, _end, row in timeline
        if row["state"] == "deferred"
    ]
    assert len(starts) > 1000
    for t, agent in starts:
        for queue, skill in queue_skill.items():
            if skill not in skills[agent]:
                continue
            visits = waiting[queue]
            first = bisect_left(visits, (t - longest - 1,))
            for enter, end, call_id in visits[first:]:
                if enter >= t - EPS:
                    break
                if end <= t + EPS or (call_id, queue, agent) in rung_out:
                    continue
                if any(a - EPS <= t <= b + EPS for a, b in ringing[call_id]):
                    continue
                pytest.fail(f"{agent} started deferred work at {t} while {call_id} waited")


def test_the_reserve_keeps_idle_agents_for_voice(airline_run):
    """With deferred_reserve = N, an agent starts deferred work only while at least N other
    agents with each of their skills are available (read from the agent states)."""
    out, _summary = airline_run
    skills = agent_skills(out)
    reserve = {g.name: g.deferred_reserve for g in AIRLINE.agent_groups}
    group_of = {}
    with (out / "truth" / "agent_quality.csv").open(newline="", encoding="utf-8") as handle:
        group_of = {row["agent_id"]: row["group"] for row in csv.DictReader(handle)}
    available: dict[str, list[tuple[float, float]]] = defaultdict(list)
    starts = []
    for agent, timeline in state_spans(out).items():
        for start, end, row in timeline:
            if row["state"] == "available":
                available[agent].append((start - EPS, end + EPS))
            elif row["state"] == "deferred":
                starts.append((start, agent))
    starts.sort()
    assert len(starts) > 1000 and min(reserve[group_of[a]] for _, a in starts) >= 4
    for skill in {s for agent_skills_ in skills.values() for s in agent_skills_}:
        # sweep: available spans of agents with the skill, against the starts in time order
        spans = sorted(
            (a, b, agent)
            for agent, own in available.items()
            if skill in skills[agent]
            for a, b in own
        )
        ends: list[float] = []  # ends of the spans begun so far, ascending
        i = 0
        for t, agent in starts:
            if skill not in skills[agent]:
                continue
            while i < len(spans) and spans[i][0] <= t:
                insort(ends, spans[i][1])
                i += 1
            del ends[: bisect_left(ends, t)]  # spans over before t
            own = any(a <= t <= b for a, b in available[agent])
            assert len(ends) - own >= reserve[group_of[agent]], (agent, t, skill)


def test_deferred_work_shows_in_the_agent_states_and_never_overlaps_a_call(no_reserve_run):
    out = no_reserve_run
    spans = state_spans(out)
    deferred_names = set(AIRLINE.deferred_channels)
    work = defaultdict(list)
    states = defaultdict(float)
    for agent, timeline in spans.items():
        for start, end, row in timeline:
            if row["reason"] in deferred_names:
                states[row["state"]] += end - start
                assert row["queue"] == ""  # the voice queues' handling time stays voice-only
            if row["state"] == "deferred":
                assert row["reason"] in deferred_names and row["call_id"].startswith("T")
                work[agent].append((start, end))
    assert {"deferred", "dialing", "talking", "acw"} <= set(states)
    for fields in queue_log_lines(out):
        if fields[4] in ("CONNECT", "RINGNOANSWER"):
            t = int(fields[0])
            for start, end in work.get(fields[3], ()):
                assert not (start + 1 < t < end - 1), (fields, start, end)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_disabled_features_leave_every_file_byte_identical(tmp_path):
    """enabled = false on every deferred channel and the survey writes exactly what the
    same scenario without those sections writes (queue_log, Master.csv and all)."""
    document = airline_document()
    without, disabled = tmp_path / "without", tmp_path / "disabled"
    simulate(parse_scenario(without_new_sections(document)), date(2026, 9, 8), 1, 3, without)
    simulate(parse_scenario(with_features_disabled(document)), date(2026, 9, 8), 1, 3, disabled)
    a, b = _digest(without), _digest(disabled)
    assert a == b
    assert "asterisk/queue_log" in a and "asterisk/cdr-csv/Master.csv" in a
    # both have the new exports, header only
    for name in ("contacts/contacts_20260908.csv", "surveys/surveys_20260908.csv"):
        assert (without / name).read_text().count("\n") == 1


def test_same_seed_same_contacts_and_surveys(tmp_path):
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        simulate("airline", date(2026, 9, 8), 1, seed, tmp_path / name)
        runs[name] = {
            k: v
            for k, v in _digest(tmp_path / name).items()
            if k.startswith(("contacts/", "surveys/", "truth/"))
        }
    assert runs["a"] == runs["b"]
    assert (
        runs["a"]["contacts/contacts_20260908.csv"] != runs["c"]["contacts/contacts_20260908.csv"]
    )
    assert runs["a"]["surveys/surveys_20260908.csv"] != runs["c"]["surveys/surveys_20260908.csv"]


# -- scenario errors -----------------------------------------------------------------------


def _channel(doc, name):
    return next(c for c in doc["deferred_channels"] if c["name"] == name)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["deferred_channels"][0].__setitem__("channel", "fax"), "[0].channel"),
        (
            lambda d: _channel(d, "voicemail").__setitem__("arrivals", {"daily_volume": 1}),
            "deferred_channels[3].arrivals: voicemails come from callers",
        ),
        (lambda d: _channel(d, "email").__setitem__("max_attempts", 2), "not used by email"),
        (lambda d: _channel(d, "web_callback").__setitem__("p_followup", 0.1), "not used by web"),
        (lambda d: _channel(d, "web_callback").__setitem__("p_busy", 0.5), "p_answer + p_busy"),
        (lambda d: _channel(d, "sms").__setitem__("name", "email"), "used by an earlier channel"),
        (lambda d: _channel(d, "sms").__setitem__("name", "booking"), "already a queue"),
        (lambda d: _channel(d, "sms").__setitem__("name", "lunch"), "already an aux reason"),
        (lambda d: _channel(d, "sms").__setitem__("name", "a b"), "[1].name: use letters"),
        (lambda d: _channel(d, "sms").__setitem__("target_minutes", -1), "[1].target_minutes"),
        (lambda d: _channel(d, "email")["arrivals"].pop("weekly"), "[0].arrivals: missing"),
        (
            lambda d: d["agent_groups"][0].__setitem__("deferred", ["fax"]),
            "agent group booking.deferred: no deferred channel named 'fax'",
        ),
        (
            lambda d: d["agent_groups"][0].__setitem__("deferred_reserve", -1),
            "agent_groups[0].deferred_reserve",
        ),
        (
            lambda d: [g.pop("deferred", None) for g in d["agent_groups"]],
            "no agent group works 'email'",
        ),
        (
            lambda d: (
                d["deferred_channels"].append({**_channel(d, "voicemail"), "name": "vm2"}),
                d["agent_groups"][0]["deferred"].append("vm2"),
            ),
            "at most one enabled voicemail channel",
        ),
        (lambda d: d["business_hours"].__setitem__("close", "07:00"), "business_hours.close"),
        (lambda d: d["business_hours"].__setitem__("days", "weekdays"), "business_hours.days"),
        (lambda d: d["survey"].__setitem__("scale", 4), "survey.scale: expected 3 or 5"),
        (lambda d: d["survey"].__setitem__("share", 2), "survey.share"),
        (lambda d: d["survey"].__setitem__("cutpoints", [1, 0]), "strictly increasing"),
        (lambda d: d["survey"].__setitem__("cutpoints", [0]), "needs 2 cutpoints"),
        (lambda d: d["survey"]["drivers"].__setitem__("quality", 1), "unknown key(s) quality"),
    ],
)
def test_bad_new_sections_name_the_field(mutate, message):
    document = airline_document()
    mutate(document)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(document)
    assert message in str(info.value)


def test_disabled_channels_need_no_agents_and_defaults_apply():
    document = without_new_sections(airline_document())
    document["deferred_channels"] = [
        {"name": "mail", "channel": "email", "enabled": False, "handle": 60,
         "target_minutes": 60, "arrivals": {"daily_volume": 5, "weekly": [1] * 7,
                                            "intraday": "flat"}},
    ]  # fmt: skip
    document["survey"] = {"share": 0.1}
    scenario = parse_scenario(document)
    assert scenario.active_deferred == {}
    assert scenario.business_clock.open_s == scenario.center.open_s  # the center's hours
    survey = scenario.active_survey
    assert survey.scale == 3 and len(survey.cutpoints) == 2 and survey.p_response == 0.4
    assert load_scenario("mmn").deferred_channels == {} and load_scenario("mmn").survey is None


# -- writers ---------------------------------------------------------------------------------


def test_new_exports_formats(tmp_path):
    t = datetime.fromisoformat("2026-09-01T08:00:00+08:00").timestamp()
    with LandingWriter(tmp_path) as w:
        w.start_day(date(2026, 9, 1))
        w.contact(
            Contact("T1", "email", "mail", "", t, t + 3600, None, None, None, "", "open", 0,
                    0.0, "", t + 10)
        )  # fmt: skip
        w.contact(
            Contact("T2", "voicemail", "vm", "C1", t, t + 60, t + 1, t + 2.5, t + 99.1234,
                    "A1", "failed", 3, 12.3456, "1788.5", t + 99.1234)
        )  # fmt: skip
        w.survey(SurveyResponse("1788.1", t, True, 2, 3, "A1", "q"))
        w.survey(SurveyResponse("1788.2", t, False, 0, 5, "A1", "q"))
        w.survey_truth(SurveyTruth("1788.1", t, "A1", "q", 61.5, 1, True, -0.25, -1.1, True, 2))
        w.deferred_backlog(BacklogHour(t, "email", "mail", 3, 2, 4, 1))
        w.agent_quality([AgentQuality("A1", "g", 0.123456789, 1.0)])

    def rows(path: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO((tmp_path / path).read_text(encoding="utf-8"))))

    contact = rows("contacts/contacts_20260901.csv")
    assert contact[1][4:11] == [
        "2026-09-01T08:00:00.000+08:00",
        "2026-09-01T09:00:00.000+08:00",
        "",
        "",
        "",
        "",
        "open",
    ]
    assert contact[2][8:] == ["2026-09-01T08:01:39.123+08:00", "A1", "failed", "3", "12.346",
                              "1788.5"]  # fmt: skip
    survey = rows("surveys/surveys_20260901.csv")
    assert survey[1] == ["1788.1", "2026-09-01T08:00:00.000+08:00", "y", "2", "average", "3",
                         "A1", "q"]  # fmt: skip
    assert survey[2][2:6] == ["n", "", "", "5"]
    assert rows("truth/survey_truth_20260901.csv")[1][4:] == [
        "61.500", "1", "1", "-0.250000", "-1.100000", "y", "2"
    ]  # fmt: skip
    assert rows("truth/deferred_backlog_20260901.csv")[1][1:] == ["email", "mail", "3", "2",
                                                                  "4", "1"]  # fmt: skip
    assert rows("truth/agent_quality.csv") == [
        ["agent_id", "group", "quality", "handle_factor"],
        ["A1", "g", "0.123457", "1.000000"],
    ]
