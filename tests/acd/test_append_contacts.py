"""``simulate --append`` takes over the deferred contacts the earlier run left open: they
are listed again (same contact_id) where they close, and count in the backlog truth."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from acd import simulate as simulate_module
from acd.scenario import load_scenario
from acd.simulate import simulate
from acd.writers.landing import CONTACT_COLUMNS, read_open_contacts

DAY_ONE, DAY_TWO = date(2026, 9, 1), date(2026, 9, 2)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def first_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("append_first_day")
    simulate("airline", DAY_ONE, 1, 7, out)
    return out


@pytest.fixture(scope="module")
def continued(first_day: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("append_continued") / "landing"
    shutil.copytree(first_day, out)
    summary = simulate("airline", DAY_TWO, 1, 7, out, append=True)
    return out, summary


def test_open_contacts_are_carried_over_and_listed_again(first_day, continued):
    out, summary = continued
    day_one = rows(first_day / "contacts" / "contacts_20260901.csv")
    open_one = {r["contact_id"]: r for r in day_one if r["outcome"] == "open"}
    assert open_one, "the first day should leave some contacts open"
    day_two = rows(out / "contacts" / "contacts_20260902.csv")
    ids_two = [r["contact_id"] for r in day_two]
    assert len(ids_two) == len(set(ids_two)), "a contact listed twice in the second run"
    by_id = {r["contact_id"]: r for r in day_two}
    assert set(open_one) <= set(by_id), "carried contacts lost"
    kept = ("channel", "queue", "customer_id", "created_time", "response_due_time")
    for cid, before in open_one.items():
        after = by_id[cid]
        assert {k: after[k] for k in kept} == {k: before[k] for k in kept}, cid
        assert int(after["attempts"]) >= int(before["attempts"])
        assert float(after["handle_s"]) >= float(before["handle_s"])
        for k in ("first_assigned_time", "first_response_time"):
            if before[k]:
                assert after[k] == before[k], (cid, k)
        assert after["outcome"] in ("resolved", "failed", "abandoned", "open")
        assert (after["resolved_time"] == "") == (after["outcome"] == "open")
    assert any(by_id[cid]["outcome"] != "open" for cid in open_one)
    # the day-one file is untouched; the summary counts them per channel
    assert rows(first_day / "contacts" / "contacts_20260901.csv") == day_one
    carried = Counter(r["queue"] for r in open_one.values())
    assert {n: d["carried"] for n, d in summary.deferred.items()} == {
        n: carried[n] for n in summary.deferred
    }
    assert any("carried over" in note for note in summary.calendar_notes)
    for name, d in summary.deferred.items():
        outcomes = Counter(r["outcome"] for r in day_two if r["queue"] == name)
        assert d["arrived"] + d["carried"] == sum(outcomes.values()), name
        assert d["open"] == outcomes["open"], name


def test_the_backlog_truth_starts_with_the_carried_contacts(first_day, continued):
    out, _summary = continued
    open_one = Counter(
        r["queue"]
        for r in rows(first_day / "contacts" / "contacts_20260901.csv")
        if r["outcome"] == "open"
    )
    backlog = rows(out / "truth" / "deferred_backlog_20260902.csv")
    first_hour = backlog[0]["hour_start"]
    start = {r["queue"]: int(r["open_start"]) for r in backlog if r["hour_start"] == first_hour}
    assert start == {q: open_one[q] for q in start}
    assert sum(start.values()) == sum(open_one.values())
    # and it reconciles with the export at the end of the day
    open_two = Counter(
        r["queue"]
        for r in rows(out / "contacts" / "contacts_20260902.csv")
        if r["outcome"] == "open"
    )
    last_hour = backlog[-1]["hour_start"]
    end = {r["queue"]: int(r["open_end"]) for r in backlog if r["hour_start"] == last_hour}
    assert end == {q: open_two[q] for q in end}


def test_without_append_nothing_is_read(first_day, tmp_path, monkeypatch):
    def refuse(_out: Path) -> list:
        raise AssertionError("read_open_contacts called without append")

    monkeypatch.setattr(simulate_module, "read_open_contacts", refuse)
    out = tmp_path / "landing"
    shutil.copytree(first_day, out)
    summary = simulate("airline", DAY_TWO, 1, 7, out)
    assert all(d["carried"] == 0 for d in summary.deferred.values())
    assert not any("carried" in note for note in summary.calendar_notes)


def test_contacts_of_a_disabled_channel_are_skipped_with_a_note(first_day, tmp_path):
    spec = load_scenario("airline")
    channels = dict(spec.deferred_channels)
    channels["voicemail"] = dataclasses.replace(channels["voicemail"], enabled=False)
    spec = dataclasses.replace(spec, deferred_channels=channels)
    day_one = rows(first_day / "contacts" / "contacts_20260901.csv")
    skipped = {
        r["contact_id"] for r in day_one if r["outcome"] == "open" and r["queue"] == "voicemail"
    }
    assert skipped
    out = tmp_path / "landing"
    shutil.copytree(first_day, out)
    summary = simulate(spec, DAY_TWO, 1, 7, out, append=True)
    notes = [n for n in summary.calendar_notes if "not carried over" in n]
    assert notes == [
        f"{len(skipped)} open deferred contacts of voicemail (voicemail) not carried over: "
        "channel not in the scenario or disabled"
    ]
    ids_two = {r["contact_id"] for r in rows(out / "contacts" / "contacts_20260902.csv")}
    assert not skipped & ids_two


def test_read_open_contacts_keeps_each_contacts_latest_row(tmp_path):
    folder = tmp_path / "contacts"
    folder.mkdir()

    def row(cid: str, outcome: str, resolved: str = "") -> list[str]:
        values = dict.fromkeys(CONTACT_COLUMNS, "")
        values.update(
            contact_id=cid,
            channel="email",
            queue="email",
            customer_id="C0000001",
            created_time="2026-09-01T09:00:00.000+08:00",
            response_due_time="2026-09-01T13:00:00.000+08:00",
            first_assigned_time="2026-09-01T09:10:00.000+08:00",
            resolved_time=resolved,
            outcome=outcome,
            attempts="1",
            handle_s="120.500",
        )
        return [values[c] for c in CONTACT_COLUMNS]

    def write(name: str, body: list[list[str]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([list(CONTACT_COLUMNS), *body])

    write("contacts_20260901.csv", [row("A", "open"), row("B", "open"), row("C", "resolved")])
    write(
        "contacts_20260902.csv",
        [row("A", "resolved", "2026-09-02T10:00:00.000+08:00"), row("B", "open")],
    )
    write("contacts_20260903.csv", [row("D", "open")])
    found = read_open_contacts(tmp_path)
    assert [c.contact_id for c in found] == ["B", "D"]
    b = found[0]
    assert b.first_assigned_s - b.created_s == 600.0
    assert b.first_response_s is None and b.resolved_s is None
    assert (b.attempts, b.handle_s, b.outcome) == (1, 120.5, "open")
    assert read_open_contacts(tmp_path / "nothing") == []
