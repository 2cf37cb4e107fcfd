"""LandingWriter and LocalClock: real formats, rotation, local time, determinism, live mode."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd import asterisk as A
from acd.errors import ScenarioError
from acd.records import (
    AgentStateEvent,
    CallTruth,
    CdrRecord,
    Order,
    OrderEvent,
    OutboundAttempt,
    RecordingMeta,
)
from acd.writers import LandingWriter, LocalClock
from acd.writers.landing import OWN_STREAMS

SHANGHAI = ZoneInfo("Asia/Shanghai")
D1 = dt.date(2026, 9, 1)
D2 = dt.date(2026, 9, 2)
D3 = dt.date(2026, 9, 3)


def epoch(y, mo, d, h=0, mi=0, s=0.0, tz=SHANGHAI) -> float:
    whole = int(s)
    frac = s - whole
    return dt.datetime(y, mo, d, h, mi, whole, tzinfo=tz).timestamp() + frac


def cdr_row(
    start: float,
    answer: float | None,
    end: float,
    *,
    clid: str = '"Zhang Wei" <13800138000>',
    lastdata: str = "400,t,,,300",
    disposition: str = "ANSWERED",
    uniqueid: str = "1788220800.12",
) -> CdrRecord:
    duration, billsec = A.cdr_durations(start, answer, end)
    return CdrRecord(
        accountcode="",
        src="13800138000",
        dst="400",
        dcontext="ext-queues",
        clid=clid,
        channel="SIP/trunk-00000001",
        dstchannel="Local/8001@from-queue-00000002;1",
        lastapp="Queue",
        lastdata=lastdata,
        start_s=start,
        answer_s=answer,
        end_s=end,
        duration_s=duration,
        billsec_s=billsec,
        disposition=disposition,
        amaflags="DOCUMENTATION",
        uniqueid=uniqueid,
        userfield="",
        peeraccount="",
        linkedid=uniqueid,
        sequence=7,
    )


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation


# -- Master.csv ---------------------------------------------------------------------------------


def test_master_csv_round_trip_through_csv_module(tmp_path: Path) -> None:
    t = epoch(2026, 9, 1, 16, 38, 55.4)
    rows = [
        cdr_row(t, t + 3.2, t + 64.9, clid='"Wang, ""Xiao"" Ming" <139>', lastdata='a,"b",c'),
        cdr_row(t, None, t + 1.6, disposition="NO ANSWER", lastdata="SIP/8001,20,tr"),
    ]
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        for r in rows:
            w.cdr(r)
    text = read(tmp_path / "asterisk/cdr-csv/Master.csv")
    assert not text.startswith('"accountcode"')  # no header
    parsed = list(csv.reader(io.StringIO(text)))
    assert len(parsed) == 2
    for r, got in zip(rows, parsed, strict=True):
        assert len(got) == 18
        assert got[4] == r.clid
        assert got[8] == r.lastdata
        assert got[9] == "2026-09-01 16:38:55"
        assert got[11] == dt.datetime.fromtimestamp(int(r.end_s), SHANGHAI).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
        assert got[12:14] == [str(r.duration_s), str(r.billsec_s)]
        assert got[14] == r.disposition
        assert got[16] == r.uniqueid
    assert parsed[0][10] == "2026-09-01 16:38:58"
    # doubled quotes exactly as cdr_csv's append_string writes them
    assert '"""Wang, """"Xiao"""" Ming"" <139>"' in text
    assert '"a,""b"",c"' in text


def test_unanswered_leg_answer_is_empty_and_unquoted(tmp_path: Path) -> None:
    # 0.6 s that straddle a second: printed times differ by one, duration is 0
    t = epoch(2026, 9, 6, 16, 38, 55.7)
    with LandingWriter(tmp_path, cdr_layout="minimal") as w:
        w.start_day(dt.date(2026, 9, 6))
        w.cdr(cdr_row(t, None, t + 0.6, disposition="NO ANSWER"))
    line = read(tmp_path / "asterisk/cdr-csv/Master.csv")
    assert ',"2026-09-06 16:38:55",,"2026-09-06 16:38:56",0,0,"NO ANSWER",' in line
    assert line.endswith('"NO ANSWER","DOCUMENTATION"\n')
    assert line.count("\n") == 1


@pytest.mark.parametrize(("layout", "ncols"), [("minimal", 16), ("standard", 18), ("extended", 21)])
def test_cdr_layouts(tmp_path: Path, layout: str, ncols: int) -> None:
    t = epoch(2026, 9, 1, 9)
    with LandingWriter(tmp_path, cdr_layout=layout) as w:
        w.start_day(D1)
        w.cdr(cdr_row(t, t + 1, t + 10))
    line = read(tmp_path / "asterisk/cdr-csv/Master.csv").rstrip("\n")
    (fields,) = list(csv.reader([line]))
    assert len(fields) == ncols == len(A.CDR_LAYOUTS[layout])
    if layout == "extended":
        assert line.endswith(',"","1788220800.12",7')  # sequence is a bare integer
    assert ",10,9," in line  # duration, billsec unquoted


def test_bad_layout_and_zone() -> None:
    with pytest.raises(ScenarioError, match="cdr_layout"):
        LandingWriter(Path("unused"), cdr_layout="wide")
    with pytest.raises(ScenarioError, match="tz"):
        LandingWriter(Path("unused"), tz="Mars/Olympus")


def test_oversize_cdr_is_dropped_like_cdr_csv(tmp_path: Path) -> None:
    t = epoch(2026, 9, 1, 9)
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        w.cdr(cdr_row(t, t + 1, t + 10, lastdata="x" * 2000))
        w.cdr(cdr_row(t, t + 1, t + 10))
    assert w.cdr_dropped == 1
    assert w.file_counts()["cdr"] == 1
    assert read(tmp_path / "asterisk/cdr-csv/Master.csv").count("\n") == 1


# -- queue_log -----------------------------------------------------------------------------------


def test_queue_log_lines(tmp_path: Path) -> None:
    t = epoch(2026, 9, 1, 8, 0, 5.999)
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        w.queue_log(A.configreload(t))
        w.queue_log(A.enterqueue(t, "1788220800.12", "400", "13800138000", 1))
        w.queue_log(A.connect(t + 3, "1788220800.12", "400", "Alice Wang", 3, "1788220803.13", 2))
    lines = read(tmp_path / "asterisk/queue_log").split("\n")
    sec = int(t)
    assert lines == [
        f"{sec}|NONE|NONE|NONE|CONFIGRELOAD|",
        f"{sec}|1788220800.12|400|NONE|ENTERQUEUE||13800138000|1",
        f"{sec + 3}|1788220800.12|400|Alice Wang|CONNECT|3|1788220803.13|2",
        "",
    ]


def test_rotation_naming(tmp_path: Path) -> None:
    ast = tmp_path / "asterisk"
    with LandingWriter(tmp_path) as w:
        for i, day in enumerate((D1, D2, D3)):
            w.start_day(day)
            t = epoch(day.year, day.month, day.day, 10)
            w.queue_log(A.enterqueue(t, f"c{i}", "400", "138", 1))
            w.cdr(cdr_row(t, t + 1, t + 2, uniqueid=f"c{i}"))
    # logrotate dateext names the file after the day it was rotated
    assert "|c0|" in read(ast / "queue_log-20260902")
    assert "|c1|" in read(ast / "queue_log-20260903")
    assert "|c2|" in read(ast / "queue_log")
    assert not (ast / "queue_log-20260901").exists()
    assert '"c0"' in read(ast / "cdr-csv/Master.csv-20260902")
    assert '"c1"' in read(ast / "cdr-csv/Master.csv-20260903")
    assert '"c2"' in read(ast / "cdr-csv/Master.csv")
    for name in ("queue_log-20260902", "queue_log-20260903", "queue_log"):
        assert read(ast / name).count("\n") == 1


def test_rotation_skips_empty_files(tmp_path: Path) -> None:
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        w.queue_log(A.queuestart(epoch(2026, 9, 1, 1)))
        w.start_day(D2)  # Master.csv still empty: notifempty, no Master.csv-20260902
        w.start_day(D2)  # repeated call: no second rotation
    assert (tmp_path / "asterisk/queue_log-20260902").exists()
    assert read(tmp_path / "asterisk/queue_log") == ""
    assert not (tmp_path / "asterisk/cdr-csv/Master.csv-20260902").exists()
    assert (tmp_path / "asterisk/cdr-csv/Master.csv").exists()


# -- own CSVs --------------------------------------------------------------------------------------


def test_own_csvs_headers_iso_times_and_quoting(tmp_path: Path) -> None:
    t = epoch(2026, 9, 1, 8, 0, 0.0)
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        w.agent_state(AgentStateEvent(t, "A001", "aux", 'lunch, "long"', "", ""))
        w.recording(
            RecordingMeta(
                "r1", "c1", "A001", "400", "inbound", t + 0.0004, 61.25, "2026/09/01/x.wav",
                0.55556, 3.0, 1, 12.5, -0.0001,
            )
        )  # fmt: skip
        w.outbound_attempt(
            OutboundAttempt("o1", "renew", "preview", "c2", "K1", "139", "", t, "busy", None, t + 5)
        )
        w.order(
            Order(
                "O1", t, "K1", "call_center", "", "c1", "A001", "PEK", "SHA", "2026-09-10", 2,
                1280.0, 100.5, "alipay", "CNY",
            )
        )  # fmt: skip
        w.order_event(OrderEvent("O1", t + 60, "paid", 1380.5, "ref\nline2"))
        w.truth(
            CallTruth(
                "c1", "400", "booking", 1, t, "answered", t + 12.3456, 12.3456, 12, "A001",
                100.0, 0.0, 20.0, "",
            )
        )  # fmt: skip
    root = tmp_path
    states = list(csv.reader(io.StringIO(read(root / "agent_states/agent_states_20260901.csv"))))
    assert states[0] == ["time", "agent_id", "state", "reason", "call_id", "queue"]
    assert states[1] == ["2026-09-01T08:00:00.000+08:00", "A001", "aux", 'lunch, "long"', "", ""]
    raw = (root / "agent_states/agent_states_20260901.csv").read_bytes()
    assert raw.startswith(b"time,agent_id,state,reason,call_id,queue\r\n")

    rec = list(csv.reader(io.StringIO(read(root / "recordings/recordings_20260901.csv"))))
    assert rec[1][5] == "2026-09-01T08:00:00.000+08:00"
    assert rec[1][6] == "61.250"
    assert rec[1][8] == "0.5556"
    assert rec[1][12] == "0.000"  # no "-0.000"

    out = list(csv.reader(io.StringIO(read(root / "outbound/outbound_attempts_20260901.csv"))))
    assert out[1][9] == ""  # never answered
    assert out[1][10] == "2026-09-01T08:00:05.000+08:00"

    orders = list(csv.reader(io.StringIO(read(root / "orders/orders_20260901.csv"))))
    assert orders[1][10:13] == ["2", "1280.00", "100.50"]
    events = list(csv.reader(io.StringIO(read(root / "orders/order_events_20260901.csv"))))
    assert events[1] == ["O1", "2026-09-01T08:01:00.000+08:00", "paid", "1380.50", "ref\nline2"]

    truth = list(csv.reader(io.StringIO(read(root / "truth/call_truth_20260901.csv"))))
    assert truth[1][6] == "2026-09-01T08:00:12.346+08:00"
    assert truth[1][7:9] == ["12.346", "12"]
    assert w.file_counts() == {
        "queue_log": 0,
        "cdr": 0,
        "agent_states": 1,
        "recordings": 1,
        "outbound_attempts": 1,
        "orders": 1,
        "order_events": 1,
        "truth": 1,
        "contacts": 0,
        "surveys": 0,
        "survey_truth": 0,
        "deferred_backlog": 0,
        "agent_quality": 0,
        "agent_directory": 0,
    }


def test_own_csvs_one_file_per_local_day(tmp_path: Path) -> None:
    late = epoch(2026, 9, 1, 23, 59, 59.9996)  # rounds to 2026-09-02 00:00:00.000
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        w.agent_state(AgentStateEvent(epoch(2026, 9, 1, 23, 59, 59.9), "A1", "acw", "", "", ""))
        w.start_day(D2)
        # a call that entered before midnight, reported after it: goes to its own day
        w.truth(
            CallTruth(
                "c9", "400", "booking", 1, epoch(2026, 9, 1, 23, 59), "answered",
                epoch(2026, 9, 2, 0, 0, 30), 90.0, 90, "A1", 60.0, 0.0, 10.0, "",
            )
        )  # fmt: skip
        w.agent_state(AgentStateEvent(late, "A1", "available", "", "", ""))
        w.start_day(D3)
    d1 = read(tmp_path / "agent_states/agent_states_20260901.csv").splitlines()
    d2 = read(tmp_path / "agent_states/agent_states_20260902.csv").splitlines()
    assert d1[1].startswith("2026-09-01T23:59:59.900+08:00,")
    assert d2[1].startswith("2026-09-02T00:00:00.000+08:00,")
    assert "c9" in read(tmp_path / "truth/call_truth_20260901.csv")
    assert read(tmp_path / "truth/call_truth_20260902.csv").count("\n") == 1  # header only
    # every stream has a (header-only) file for each started day
    for folder, prefix, _ in OWN_STREAMS.values():
        for day in ("20260901", "20260902", "20260903"):
            assert (tmp_path / folder / f"{prefix}_{day}.csv").exists()


# -- local time ----------


def test_shanghai_conversion(tmp_path: Path) -> None:
    clock = LocalClock("Asia/Shanghai")
    t = dt.datetime(2026, 8, 31, 16, 0, 0, tzinfo=dt.UTC).timestamp()  # 2026-09-01 00:00 local
    assert clock.wall(int(t)) == "2026-09-01 00:00:00"
    assert clock.wall(int(t) - 1) == "2026-08-31 23:59:59"
    assert clock.iso_ms(t + 0.123) == (
        (dt.date(2026, 9, 1) - dt.date(1970, 1, 1)).days,
        "2026-09-01T00:00:00.123+08:00",
    )


@pytest.mark.parametrize(
    ("utc", "wall", "iso"),
    [
        # spring forward 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC
        ("2026-03-29T00:59:59", "2026-03-29 01:59:59", "2026-03-29T01:59:59.000+01:00"),
        ("2026-03-29T01:00:00", "2026-03-29 03:00:00", "2026-03-29T03:00:00.000+02:00"),
        # fall back 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC; 02:30 happens twice
        ("2026-10-25T00:30:00", "2026-10-25 02:30:00", "2026-10-25T02:30:00.000+02:00"),
        ("2026-10-25T01:30:00", "2026-10-25 02:30:00", "2026-10-25T02:30:00.000+01:00"),
        ("2026-10-25T22:59:59", "2026-10-25 23:59:59", "2026-10-25T23:59:59.000+01:00"),
    ],
)
def test_berlin_dst_changeover(utc: str, wall: str, iso: str) -> None:
    clock = LocalClock("Europe/Berlin")
    t = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC).timestamp()
    assert clock.wall(int(t)) == wall
    assert clock.iso_ms(t)[1] == iso


def test_berlin_changeover_day_in_files(tmp_path: Path) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    day = dt.date(2026, 10, 25)
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=0).timestamp()  # CEST
    second = dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1).timestamp()  # CET
    assert second - first == 3600
    with LandingWriter(tmp_path, tz="Europe/Berlin") as w:
        w.start_day(day)
        for t in (first, second):
            w.agent_state(AgentStateEvent(t, "A1", "available", "", "", ""))
            w.cdr(cdr_row(t, t, t + 1))
    states = read(tmp_path / "agent_states/agent_states_20261025.csv").splitlines()[1:]
    assert [s.split(",")[0] for s in states] == [
        "2026-10-25T02:30:00.000+02:00",
        "2026-10-25T02:30:00.000+01:00",
    ]
    cdrs = list(csv.reader(io.StringIO(read(tmp_path / "asterisk/cdr-csv/Master.csv"))))
    assert [r[9] for r in cdrs] == ["2026-10-25 02:30:00", "2026-10-25 02:30:00"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["Asia/Shanghai", "Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "UTC"]
    ),
    st.floats(min_value=1.5e9, max_value=2.1e9, allow_nan=False),
)
def test_local_clock_agrees_with_zoneinfo(tz: str, t: float) -> None:
    clock = LocalClock(tz)
    zone = ZoneInfo(tz)
    sec = int(t)
    ref = dt.datetime.fromtimestamp(sec, zone)
    assert clock.wall(sec) == ref.strftime("%Y-%m-%d %H:%M:%S")
    ms = round(t * 1000)
    ref_ms = dt.datetime.fromtimestamp(ms // 1000, zone) + dt.timedelta(milliseconds=ms % 1000)
    assert clock.iso_ms(t)[1] == ref_ms.isoformat(timespec="milliseconds")
    assert clock.day_of(t) == (ref.date() - dt.date(1970, 1, 1)).days


# -- determinism, live mode ----------


def _workload(w: LandingWriter) -> None:
    base = epoch(2026, 9, 1, 0, 0, 0)
    w.start_day(D1)
    for i in range(2000):
        t = base + i * 97.3
        if i and int((t - base) // 86400) != int((t - 97.3 - base) // 86400):
            w.start_day(D1 + dt.timedelta(days=int((t - base) // 86400)))
        cid = f"{int(t)}.{i}"
        w.queue_log(A.enterqueue(t, cid, "400", "138", i % 5 + 1))
        w.queue_log(A.connect(t + 12.5, cid, "400", f"Agent {i % 7}", 12, f"{cid}x", 3))
        w.cdr(cdr_row(t, t + 12.5 if i % 3 else None, t + 40.25, uniqueid=cid))
        w.agent_state(AgentStateEvent(t + 12.5, f"A{i % 7}", "talking", "", cid, "400"))
        w.truth(
            CallTruth(
                cid, "400", "booking", 1, t, "answered", t + 12.5, 12.5, 12, "A1",
                27.75, 0.0, 5.0, "",
            )
        )  # fmt: skip


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_byte_identical_output(tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        with LandingWriter(tmp_path / name) as w:
            _workload(w)
        outs.append(_snapshot(tmp_path / name))
    assert outs[0] == outs[1]
    assert "asterisk/queue_log-20260902" in outs[0]
    assert len(outs[0]) > 10


def test_live_mode_visible_after_flush_and_appends(tmp_path: Path) -> None:
    qlog = tmp_path / "asterisk/queue_log"
    states = tmp_path / "agent_states/agent_states_20260901.csv"
    t = epoch(2026, 9, 1, 9)
    w = LandingWriter(tmp_path, live=True)
    w.start_day(D1)
    w.queue_log(A.enterqueue(t, "c1", "400", "138", 1))
    w.agent_state(AgentStateEvent(t, "A1", "available", "", "", ""))
    w.flush()
    # a tail reader (separate handle) sees the growth while the writer is still open
    assert read(qlog).endswith("|c1|400|NONE|ENTERQUEUE||138|1\n")
    assert read(states).count("\n") == 2
    w.queue_log(A.enterqueue(t + 1, "c2", "400", "139", 2))
    w.flush()
    assert read(qlog).count("\n") == 2
    w.close()

    # a restarted live writer appends (no truncation, no second header)
    w2 = LandingWriter(tmp_path, live=True)
    w2.start_day(D1)
    w2.queue_log(A.enterqueue(t + 2, "c3", "400", "137", 1))
    w2.agent_state(AgentStateEvent(t + 2, "A1", "aux", "break", "", ""))
    w2.flush()
    assert [ln.split("|")[1] for ln in read(qlog).splitlines()] == ["c1", "c2", "c3"]
    assert read(states).splitlines()[0] == "time,agent_id,state,reason,call_id,queue"
    assert read(states).count("time,agent_id") == 1
    w2.close()


def test_batch_mode_truncates_previous_run(tmp_path: Path) -> None:
    t = epoch(2026, 9, 1, 9)
    for cid in ("old", "new"):
        with LandingWriter(tmp_path) as w:
            w.start_day(D1)
            w.queue_log(A.enterqueue(t, cid, "400", "138", 1))
    assert "|old|" not in read(tmp_path / "asterisk/queue_log")
    assert read(tmp_path / "asterisk/queue_log").count("\n") == 1


def test_late_record_reopens_closed_day_in_append_mode(tmp_path: Path) -> None:
    with LandingWriter(tmp_path) as w:
        w.start_day(D1)
        w.order_event(OrderEvent("O1", epoch(2026, 9, 1, 10), "booked", 0.0, ""))
        w.start_day(D2)
        w.start_day(D3)  # closes 2026-09-01's files
        w.order_event(OrderEvent("O2", epoch(2026, 9, 1, 11), "booked", 0.0, ""))
    rows = read(tmp_path / "orders/order_events_20260901.csv").splitlines()
    assert rows[0] == "order_id,event_time,event,amount,reference"
    assert [r.split(",")[0] for r in rows[1:]] == ["O1", "O2"]


@pytest.mark.parametrize(
    ("tz", "day", "utc"),
    [
        ("Asia/Shanghai", dt.date(2026, 9, 2), "2026-09-01T16:00:00"),
        ("Europe/Berlin", dt.date(2026, 3, 29), "2026-03-28T23:00:00"),  # CET midnight
        ("Europe/Berlin", dt.date(2026, 3, 30), "2026-03-29T22:00:00"),  # CEST midnight
    ],
)
def test_midnight_epoch(tz: str, day: dt.date, utc: str) -> None:
    clock = LocalClock(tz)
    expected = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC).timestamp()
    n = (day - dt.date(1970, 1, 1)).days
    assert clock.midnight_epoch(n) == expected
    assert clock.day_of(expected) == n
    assert clock.day_of(expected - 0.001) == n - 1
