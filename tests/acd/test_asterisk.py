"""acd.asterisk against the layouts in Asterisk's source.

The expected lines are built from the format strings ``ast_queue_log`` is called with in
``apps/app_queue.c`` (and ``main/logger.c`` for the line prefix), rendered with C-style
``%`` formatting, never from the constructors' own output.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acd import asterisk as A
from acd.records import QueueLogEvent

T = 1788220805.75  # 2026-09-01 08:00:05.75 +08:00


def c_printf(fmt: str, *args: object) -> str:
    """Render a C printf format (%s, %d, %ld, %.40s) the way ast_queue_log's vsnprintf does."""
    return re.sub(r"%l([d])", r"%\1", fmt) % args


def line_from_source(
    t: float, queuename: str, callid: str, agent: str, event: str, fmt: str, *args: object
) -> str:
    """logger.c's file line: ``"%ld|%s|%s|%s|%s|"`` of (time, callid, queuename, agent,
    event), then the event's own format appended (note ast_queue_log's argument order is
    queuename, callid, ... but the file has callid first)."""
    prefix = "%d|%s|%s|%s|%s|" % (int(t), callid, queuename, agent, event)  # noqa: UP031
    return prefix + c_printf(fmt, *args)


def test_line_prefix_and_trailing_pipe() -> None:
    ev = A.configreload(1657181151.9)
    # the real line seen on production boxes
    assert A.queue_log_line(ev) == "1657181151|NONE|NONE|NONE|CONFIGRELOAD|"
    assert A.queue_log_line(A.queuestart(T)) == line_from_source(
        T, "NONE", "NONE", "NONE", "QUEUESTART", "%s", ""
    )


# (constructor call, ast_queue_log arguments as in app_queue.c / FreePBX dialplan)
CASES = [
    (
        # queue_exec: "%s|%s|%d" url, caller number, qe.opos
        lambda: A.enterqueue(T, "1788220800.12", "400", "13800138000", 3),
        ("400", "1788220800.12", "NONE", "ENTERQUEUE", "%s|%s|%d", "", "13800138000", 3),
    ),
    (
        lambda: A.enterqueue(T, "c1", "400", "13800138000", 1, "http://x/y"),
        ("400", "c1", "NONE", "ENTERQUEUE", "%s|%s|%d", "http://x/y", "13800138000", 1),
    ),
    (
        # log_caller_id_name: "%s|%s|%d|%s", name with | replaced by _
        lambda: A.enterqueue(T, "c1", "400", "138", 2, caller_id_name="Zhang|Wei"),
        ("400", "c1", "NONE", "ENTERQUEUE", "%s|%s|%d|%s", "", "138", 2, "Zhang_Wei"),
    ),
    (
        # try_calling: "%ld|%s|%ld" holdtime, peer uniqueid, ringtime
        lambda: A.connect(T, "c1", "400", "Alice Wang", 17, "1788220812.40", 4),
        ("400", "c1", "Alice Wang", "CONNECT", "%ld|%s|%ld", 17, "1788220812.40", 4),
    ),
    (
        # rna: "%d" rnatime (ms)
        lambda: A.ringnoanswer(T, "c1", "400", "Bob", 15000),
        ("400", "c1", "Bob", "RINGNOANSWER", "%d", 15000),
    ),
    (
        lambda: A.ringcanceled(T, "c1", "400", "Bob", 3417),
        ("400", "c1", "Bob", "RINGCANCELED", "%d", 3417),
    ),
    (
        # handle_hangup: "%ld|%ld|%d" holdtime, calltime, caller_pos
        lambda: A.completecaller(T, "c1", "400", "Alice Wang", 17, 245, 2),
        ("400", "c1", "Alice Wang", "COMPLETECALLER", "%ld|%ld|%d", 17, 245, 2),
    ),
    (
        lambda: A.completeagent(T, "c1", "400", "Alice Wang", 0, 31, 1),
        ("400", "c1", "Alice Wang", "COMPLETEAGENT", "%ld|%ld|%d", 0, 31, 1),
    ),
    (
        # queue_exec: "%d|%d|%ld" qe.pos, qe.opos, wait
        lambda: A.abandon(T, "c1", "400", 2, 5, 61),
        ("400", "c1", "NONE", "ABANDON", "%d|%d|%ld", 2, 5, 61),
    ),
    (
        lambda: A.abandon(T, "c1", "400", 1, 1, 9, agent="Bob"),
        ("400", "c1", "Bob", "ABANDON", "%d|%d|%ld", 1, 1, 9),
    ),
    (
        lambda: A.exitwithtimeout(T, "c1", "400", 1, 4, 300),
        ("400", "c1", "NONE", "EXITWITHTIMEOUT", "%d|%d|%ld", 1, 4, 300),
    ),
    (
        # "%s|%d|%d|%ld" qe.digits, pos, opos, wait
        lambda: A.exitwithkey(T, "c1", "400", "1", 3, 6, 42),
        ("400", "c1", "NONE", "EXITWITHKEY", "%s|%d|%d|%ld", "1", 3, 6, 42),
    ),
    (
        lambda: A.exitempty(T, "c1", "400", 1, 1, 0),
        ("400", "c1", "NONE", "EXITEMPTY", "%d|%d|%ld", 1, 1, 0),
    ),
    (
        # "%d|%d|%ld|%.40s"
        lambda: A.withdraw(T, "c1", "400", 1, 2, 3, "x" * 50),
        ("400", "c1", "NONE", "WITHDRAW", "%d|%d|%ld|%.40s", 1, 2, 3, "x" * 50),
    ),
    (
        # handle_blind_transfer: "%s|%s|%ld|%ld|%d" exten, context, hold, call, pos
        lambda: A.blindtransfer(T, "c1", "400", "Alice Wang", "8002", "from-internal", 5, 80, 1),
        (
            "400",
            "c1",
            "Alice Wang",
            "BLINDTRANSFER",
            "%s|%s|%ld|%ld|%d",
            "8002",
            "from-internal",
            5,
            80,
            1,
        ),
    ),
    (
        # log_attended_transfer: "%s|%ld|%ld|%d" with the target "BRIDGE|%s" first
        lambda: A.attendedtransfer(
            T, "c1", "400", "Alice Wang", 5, 80, 1, A.transfer_target_bridge("b-77")
        ),
        (
            "400",
            "c1",
            "Alice Wang",
            "ATTENDEDTRANSFER",
            "%s|%ld|%ld|%d",
            c_printf("BRIDGE|%s", "b-77"),
            5,
            80,
            1,
        ),
    ),
    (
        lambda: A.attendedtransfer(
            T, "c1", "400", "Alice Wang", 5, 80, 1, A.transfer_target_app("VoiceMail")
        ),
        (
            "400",
            "c1",
            "Alice Wang",
            "ATTENDEDTRANSFER",
            "%s|%ld|%ld|%d",
            c_printf("APP|%s", "VoiceMail"),
            5,
            80,
            1,
        ),
    ),
    (
        lambda: A.attendedtransfer(
            T, "c1", "400", "A", 5, 80, 1, A.transfer_target_link("Local/x;1", "Local/x;2")
        ),
        (
            "400",
            "c1",
            "A",
            "ATTENDEDTRANSFER",
            "%s|%ld|%ld|%d",
            c_printf("LINK|%s|%s", "Local/x;1", "Local/x;2"),
            5,
            80,
            1,
        ),
    ),
    (
        lambda: A.agentdump(T, "c1", "400", "Bob"),
        ("400", "c1", "Bob", "AGENTDUMP", "%s", ""),
    ),
    (
        lambda: A.syscompat(T, "c1", "400", "Bob"),
        ("400", "c1", "Bob", "SYSCOMPAT", "%s", ""),
    ),
    (
        # aqm_exec: uniqueid of the channel running AddQueueMember, "%s" PAUSED or ""
        lambda: A.addmember(T, "400", "Local/8001@from-queue/n", False, "1788220700.3"),
        ("400", "1788220700.3", "Local/8001@from-queue/n", "ADDMEMBER", "%s", ""),
    ),
    (
        # manager_add_queue_member: "MANAGER"
        lambda: A.addmember(T, "400", "Local/8001@from-queue/n", True),
        ("400", "MANAGER", "Local/8001@from-queue/n", "ADDMEMBER", "%s", "PAUSED"),
    ),
    (
        lambda: A.removemember(T, "400", "Local/8001@from-queue/n", "1788220900.9"),
        ("400", "1788220900.9", "Local/8001@from-queue/n", "REMOVEMEMBER", "%s", ""),
    ),
    (
        # set_queue_member_pause: q->name, "NONE", membername, "%s" reason
        lambda: A.pause(T, "400", "Alice Wang", "lunch"),
        ("400", "NONE", "Alice Wang", "PAUSE", "%s", "lunch"),
    ),
    (
        lambda: A.unpause(T, "400", "Alice Wang", ""),
        ("400", "NONE", "Alice Wang", "UNPAUSE", "%s", ""),
    ),
    (
        # set_member_paused without a queue: "NONE", "NONE", membername
        lambda: A.pauseall(T, "Alice Wang", "break"),
        ("NONE", "NONE", "Alice Wang", "PAUSEALL", "%s", "break"),
    ),
    (
        lambda: A.unpauseall(T, "Alice Wang", ""),
        ("NONE", "NONE", "Alice Wang", "UNPAUSEALL", "%s", ""),
    ),
    (
        lambda: A.penalty(T, "400", "Local/8001@from-queue/n", 2),
        ("400", "NONE", "Local/8001@from-queue/n", "PENALTY", "%d", 2),
    ),
    (
        # FreePBX: QueueLog(<queue>,${UNIQUEID},NONE,DID,${FROM_DID}); ql_exec "%s" params
        lambda: A.did(T, "1788220800.12", "88886666", "400"),
        ("400", "1788220800.12", "NONE", "DID", "%s", "88886666"),
    ),
    (
        # logger.c
        lambda: A.queuestart(T),
        ("NONE", "NONE", "NONE", "QUEUESTART", "%s", ""),
    ),
    (
        lambda: A.configreload(T),
        ("NONE", "NONE", "NONE", "CONFIGRELOAD", "%s", ""),
    ),
]


@pytest.mark.parametrize(("make", "source"), CASES, ids=[c[1][3] for c in CASES])
def test_constructor_matches_source_layout(make, source) -> None:
    ev = make()
    assert isinstance(ev, QueueLogEvent)
    assert A.queue_log_line(ev) == line_from_source(T, *source)
    # the record's own fields agree with the file's columns
    queuename, callid, agent, event = source[:4]
    assert (ev.queue, ev.call_id, ev.agent, ev.event) == (queuename, callid, agent, event)
    assert all(isinstance(f, str) for f in ev.data)
    assert ev.time_s == T


def test_layout_table_matches_field_counts() -> None:
    counts = {
        A.ENTERQUEUE: 3,
        A.CONNECT: 3,
        A.COMPLETECALLER: 3,
        A.ABANDON: 3,
        A.EXITWITHKEY: 4,
        A.BLINDTRANSFER: 5,
        A.REMOVEMEMBER: 0,
    }
    for event, n in counts.items():
        assert len(A.QUEUE_LOG_LAYOUTS[event]) == n


def test_attendedtransfer_data_split_like_a_reader_sees_it() -> None:
    ev = A.attendedtransfer(T, "c1", "400", "A", 5, 80, 1, "BRIDGE|b-77")
    line = A.queue_log_line(ev)
    assert line.split("|")[5:] == list(ev.data) == ["BRIDGE", "b-77", "5", "80", "1"]


def test_integer_fields_refuse_floats() -> None:
    with pytest.raises(TypeError):
        A.connect(T, "c1", "400", "A", 1.5, "x", 0)  # type: ignore[arg-type]


def test_member_names() -> None:
    assert A.agent_for_member("Local/8001@from-queue/n", "Alice Wang") == "Alice Wang"
    assert A.agent_for_member("SIP/8001", "") == "SIP/8001"
    assert A.member_log_name("Local/8001@from-queue/n", "Alice Wang") == ("Local/8001@from-queue/n")
    assert A.member_log_name("Local/8001@from-queue/n", "Alice Wang", True) == "Alice Wang"
    assert A.member_log_name("SIP/8001", "", True) == "SIP/8001"


# -- whole-second clocks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enter", "connect", "logged"),
    [
        (100.0, 100.9, 0),  # 0.9 s inside one second
        (100.9, 101.1, 1),  # 0.2 s across a boundary
        (100.99, 112.0, 12),  # 11.01 s
        (100.01, 111.99, 11),  # 11.98 s: truncated, not rounded to 12
        (1788220805.75, 1788220817.25, 12),
    ],
)
def test_holdtime_is_difference_of_whole_seconds(enter, connect, logged) -> None:
    assert A.holdtime_s(enter, connect) == logged
    assert A.waittime_s(enter, connect) == logged


@given(
    st.floats(min_value=1e9, max_value=2e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e5, allow_nan=False),
)
def test_holdtime_within_one_second_of_exact(enter: float, wait: float) -> None:
    h = A.holdtime_s(enter, enter + wait)
    assert isinstance(h, int)
    assert wait - 1 < h < wait + 1


def test_queue_log_time_truncates() -> None:
    assert A.queue_log_time(1657181151.999) == 1657181151


# -- CDR ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "answer", "end", "expected"),
    [
        (0.0, None, 30.0, (30, 0)),  # unanswered: billsec 0
        (0.0, 5.0, 65.0, (65, 60)),
        (0.0, 5.0, 65.999, (65, 60)),  # truncated, never rounded (initiatedseconds=no)
        (0.7, 5.2, 65.1, (64, 59)),  # 64.4 s and 59.9 s
        (10.999999, 11.5, 12.0, (1, 0)),  # 1.000001 s duration, 0.5 s billsec
        (10.9995, 10.9995, 11.9994, (0, 0)),  # 999.9 us short of a second
    ],
)
def test_cdr_durations_truncate(start, answer, end, expected) -> None:
    t0 = 1788220800.0
    a = None if answer is None else t0 + answer
    assert A.cdr_durations(t0 + start, a, t0 + end) == expected


@pytest.mark.parametrize(
    ("answer", "end", "billsec"),
    [
        (0.0, 59.499, 59),
        (0.0, 59.5, 60),  # ms % 1000 >= 500 rounds up
        (0.0, 59.999, 60),
        (0.3, 60.2, 60),  # 59.9 s
        (0.0, 0.0, 0),
    ],
)
def test_cdr_billsec_initiatedseconds(answer, end, billsec) -> None:
    t0 = 1788220800.0
    assert A.cdr_durations(t0, t0 + answer, t0 + end, initiatedseconds=True)[1] == billsec
    # the duration is never rounded up
    assert A.cdr_durations(t0, t0 + answer, t0 + end, initiatedseconds=True)[0] == int(end)


def test_cdr_duration_can_differ_from_printed_times() -> None:
    # start 08:00:00.9, end 08:00:10.1 print as 08:00:00 and 08:00:10 but last 9.2 s
    t0 = 1788220800.0
    assert A.cdr_time(t0 + 10.1) - A.cdr_time(t0 + 0.9) == 10
    assert A.cdr_durations(t0 + 0.9, t0 + 0.9, t0 + 10.1) == (9, 9)


def test_cdr_strings() -> None:
    assert A.DISPOSITIONS == ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "CANCEL")
    assert A.AMAFLAGS == ("OMIT", "BILLING", "DOCUMENTATION")
    assert A.AMA_DEFAULT == "DOCUMENTATION"
    assert len(A.CDR_LAYOUTS["minimal"]) == 16
    assert len(A.CDR_LAYOUTS["standard"]) == 18
    assert len(A.CDR_LAYOUTS["extended"]) == 21
    assert A.CDR_LAYOUTS["extended"][-3:] == ("peeraccount", "linkedid", "sequence")


@pytest.mark.parametrize(
    ("status", "kw", "disposition"),
    [
        ("ANSWER", {}, "ANSWERED"),
        ("BUSY", {}, "BUSY"),
        ("NOANSWER", {}, "NO ANSWER"),
        ("CANCEL", {}, "NO ANSWER"),
        ("CANCEL", {"cancel_enabled": True}, "CANCEL"),
        ("CONGESTION", {}, "FAILED"),
        ("CONGESTION", {"congestion": True}, "CONGESTION"),
        ("CHANUNAVAIL", {}, "FAILED"),
    ],
)
def test_disposition_for_dial_status(status, kw, disposition) -> None:
    assert A.disposition_for_dial_status(status, **kw) == disposition
