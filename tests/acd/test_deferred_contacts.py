"""Deferred contacts (e-mail, SMS, web callbacks, voicemail) in a real airline run.

Everything is checked on the written files, by code that shares nothing with the engine:
the help-desk export lists each contact once, its backlog balances per channel and hour
and equals the engine's own hourly count, response due times follow the business-hours
clock, callbacks are bounded and leave one Master.csv row per attempt.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from contact_files import contacts, contacts_by_file, instant
from landing_files import master_csv_rows, own_csv

from acd.scenario import load_scenario
from acd.writers.landing import CONTACT_COLUMNS

ZONE = ZoneInfo("Asia/Shanghai")
AIRLINE = load_scenario("airline")
CHANNELS = AIRLINE.deferred_channels
FIRST_DAY = datetime(2026, 9, 30, tzinfo=ZONE)  # the conftest airline_run: 2 days
PERIOD_END = (FIRST_DAY + timedelta(days=2)).timestamp()


def local_hour(t: float) -> float:
    """Start of the local hour holding ``t`` (Shanghai has no DST)."""
    local = datetime.fromtimestamp(t, ZONE)
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def test_the_export_lists_each_contact_once_in_the_file_of_its_final_state(airline_run):
    out, summary = airline_run
    files = contacts_by_file(out)
    assert list(files) == ["20260930", "20261001"]
    header = (out / "contacts" / "contacts_20260930.csv").read_text().splitlines()[0]
    assert tuple(header.split(",")) == CONTACT_COLUMNS
    ids = [row["contact_id"] for rows in files.values() for row in rows]
    assert len(ids) == len(set(ids)) > 1000
    assert Counter(row["channel"] for rows in files.values() for row in rows).keys() == {
        "email",
        "sms",
        "web_callback",
        "voicemail",
    }
    for day, rows in files.items():
        for row in rows:
            if row["outcome"] == "open":
                assert row["resolved_time"] == "" and day == "20261001", row
            else:
                assert row["outcome"] in ("resolved", "failed", "abandoned")
                assert row["resolved_time"][:10].replace("-", "") == day, row
    # the run summary counts the same contacts
    by_channel = Counter(row["queue"] for rows in files.values() for row in rows)
    for name, counts in summary.deferred.items():
        assert counts["arrived"] == by_channel[name]
        outcomes = Counter(
            row["outcome"] for rows in files.values() for row in rows if row["queue"] == name
        )
        assert {k: counts[k] for k in ("resolved", "failed", "abandoned", "open")} == {
            k: outcomes[k] for k in ("resolved", "failed", "abandoned", "open")
        }


def test_timestamps_are_in_order_and_inside_the_period(airline_run):
    out, _summary = airline_run
    for row in contacts(out):
        created = instant(row["created_time"])
        assigned = instant(row["first_assigned_time"])
        response = instant(row["first_response_time"])
        resolved = instant(row["resolved_time"])
        assert FIRST_DAY.timestamp() <= created < PERIOD_END
        assert instant(row["response_due_time"]) >= created
        if assigned is not None:
            assert created <= assigned < PERIOD_END
            assert row["agent_id"] and int(row["attempts"]) >= 1
        else:
            assert row["attempts"] == "0" and response is None
        if response is not None:
            assert assigned <= response < PERIOD_END
        if resolved is not None:
            assert created <= resolved < PERIOD_END
            assert response is None or response <= resolved
        if row["outcome"] == "resolved":
            assert response is not None
        assert float(row["handle_s"]) >= 0


def test_backlog_balances_per_channel_and_hour_and_equals_the_engine_count(airline_run):
    """From the export alone: open at the start of each hour + arrived = closed + open at
    its end, per channel; the open count at the end is the export's open rows; and every
    hour equals the engine's own count (truth/deferred_backlog)."""
    out, _summary = airline_run
    rows = contacts(out)
    arrived: Counter[tuple[float, str]] = Counter()
    closed: Counter[tuple[float, str]] = Counter()
    for row in rows:
        arrived[(local_hour(instant(row["created_time"])), row["queue"])] += 1
        if row["resolved_time"]:
            closed[(local_hour(instant(row["resolved_time"])), row["queue"])] += 1
    truth = {
        (instant(r["hour_start"]), r["queue"]): r for r in own_csv(out, "truth", "deferred_backlog")
    }
    hours = [FIRST_DAY.timestamp() + 3600 * h for h in range(48)]
    assert {hour for hour, _ in truth} == set(hours)
    for name in CHANNELS:
        open_count = 0
        for hour in hours:
            start = open_count
            open_count = start + arrived[(hour, name)] - closed[(hour, name)]
            # the same hour, counted independently from the export's rows
            still_open = sum(
                1
                for r in rows
                if r["queue"] == name
                and instant(r["created_time"]) < hour + 3600
                and (not r["resolved_time"] or instant(r["resolved_time"]) >= hour + 3600)
            )
            assert open_count == still_open >= 0, (name, hour)
            want = truth[(hour, name)]
            assert want["channel"] == CHANNELS[name].kind
            got = [start, arrived[(hour, name)], closed[(hour, name)], open_count]
            assert [int(want[k]) for k in ("open_start", "arrived", "closed", "open_end")] == got
        assert open_count == sum(1 for r in rows if r["queue"] == name and r["outcome"] == "open")


def independent_due(created: float, target_s: float) -> float:
    """Business hours 08:00-21:00 every day (airline.toml), worked out minute by minute."""
    t = created
    left = target_s
    while left > 0:
        local = datetime.fromtimestamp(t, ZONE)
        opens = local.replace(hour=8, minute=0, second=0, microsecond=0)
        closes = local.replace(hour=21, minute=0, second=0, microsecond=0)
        if local < opens:
            t = opens.timestamp()
        elif local >= closes:
            t = (opens + timedelta(days=1)).timestamp()
        else:
            step = min(left, closes.timestamp() - t)
            t += step
            left -= step
    return t


def test_response_due_times_follow_the_business_hours_clock(airline_run):
    out, _summary = airline_run
    hours = AIRLINE.business_hours
    assert (hours.open_s, hours.close_s, hours.days) == (8 * 3600, 21 * 3600, "all")
    checked = Counter()
    for row in contacts(out):
        spec = CHANNELS[row["queue"]]
        created = instant(row["created_time"])
        due = instant(row["response_due_time"])
        assert due == pytest.approx(independent_due(created, spec.target_s), abs=0.002)
        local = datetime.fromtimestamp(created, ZONE)
        checked["night" if local.hour < 8 or local.hour >= 21 else "day"] += 1
    assert checked["night"] > 50 and checked["day"] > 500


def test_callbacks_are_retried_a_bounded_number_of_times(airline_run):
    out, _summary = airline_run
    cdr_rows: dict[str, list[list[str]]] = defaultdict(list)
    for r in master_csv_rows(out):
        if r[17].startswith("contact="):
            cdr_rows[r[17].removeprefix("contact=")].append(r)
    callbacks = [r for r in contacts(out) if r["channel"] in ("web_callback", "voicemail")]
    outcomes = Counter(r["outcome"] for r in callbacks)
    assert outcomes["resolved"] > 100 and outcomes["failed"] > 0 and outcomes["abandoned"] > 0
    for row in callbacks:
        spec = CHANNELS[row["queue"]]
        attempts = int(row["attempts"])
        calls = sorted(cdr_rows.pop(row["contact_id"], []), key=lambda r: r[9])
        assert len(calls) == attempts <= spec.max_attempts, row
        assert all(c[0] == row["queue"] and c[2] for c in calls)  # accountcode, number dialled
        answered = [c for c in calls if c[14] == "ANSWERED"]
        if row["outcome"] == "resolved":
            assert len(answered) == 1 and calls[-1] is answered[0]
        elif row["outcome"] == "failed":
            assert attempts == spec.max_attempts and not answered
            assert {c[14] for c in calls} <= {"BUSY", "NO ANSWER"}
        elif row["outcome"] == "abandoned":
            assert attempts == 0 and row["first_response_time"] == ""
        # retries wait at least the shortest retry delay (uniform, mean 1200 or 2700, cv 0.2)
        shortest = spec.retry_after.mean_s * (1 - spec.retry_after.cv * 3**0.5)
        starts = [datetime.fromisoformat(c[9]) for c in calls]
        for a, b in pairwise(starts):
            assert (b - a).total_seconds() >= shortest - 1
        if calls:  # the first attempt is the first response
            first = datetime.fromisoformat(calls[0][9]).replace(tzinfo=ZONE).timestamp()
            assert int(instant(row["first_response_time"])) == first
    assert not cdr_rows  # every contact call belongs to a listed contact


def test_written_contacts_get_sessions_and_follow_ups(airline_run):
    out, _summary = airline_run
    written = [r for r in contacts(out) if r["channel"] in ("email", "sms")]
    sessions = Counter(int(r["attempts"]) for r in written if r["outcome"] == "resolved")
    assert sessions[1] > sessions[2] > 0  # p_followup 0.2 / 0.15
    assert max(sessions) <= 5
    for row in written:
        if row["outcome"] == "resolved" and row["attempts"] == "1":
            # one session: the reply is the resolution
            assert row["first_response_time"] == row["resolved_time"]


def test_voicemails_come_from_calls_and_wait_for_opening(airline_run):
    out, _summary = airline_run
    voicemail_calls = {r[16]: r for r in master_csv_rows(out) if r[7] == "VoiceMail"}
    rows = [r for r in contacts(out) if r["channel"] == "voicemail"]
    # a message left after the period's last midnight belongs to the next period
    in_period = {k for k, r in voicemail_calls.items() if r[11] < "2026-10-02 00:00:00"}
    assert rows and {r["call_id"] for r in rows} == in_period
    for row in rows:
        call = voicemail_calls[row["call_id"]]
        # the message is saved when the caller hangs up: the CDR's end (whole seconds)
        end = datetime.fromisoformat(call[11]).replace(tzinfo=ZONE).timestamp()
        assert 0 <= instant(row["created_time"]) - end <= 1.0005
    sources = Counter(voicemail_calls[r["call_id"]][17].split(";")[0] for r in rows)
    assert sources["ivr=closed"] > 0 and sources["ivr=8"] > 0  # closed hours, IVR key 8
    center = AIRLINE.center
    for row in contacts(out):
        if row["first_assigned_time"]:
            local = datetime.fromisoformat(row["first_assigned_time"])
            seconds = local.hour * 3600 + local.minute * 60 + local.second
            assert center.open_s <= seconds < center.close_s, row


def test_expired_requests_were_never_answered_in_time(airline_run):
    out, _summary = airline_run
    expire = CHANNELS["web_callback"].expire_after_s
    abandoned = [r for r in contacts(out) if r["outcome"] == "abandoned"]
    assert abandoned and {r["channel"] for r in abandoned} == {"web_callback"}
    for row in abandoned:
        due = independent_due(instant(row["created_time"]), expire)
        assert instant(row["resolved_time"]) == pytest.approx(due, abs=0.002)
        assert row["first_assigned_time"] == "" and row["agent_id"] == ""
