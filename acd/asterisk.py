"""Asterisk's file semantics in one place: ``queue_log`` events and ``cdr_csv`` values.

Every layout here was checked against the Asterisk source tree (``apps/app_queue.c``,
``main/logger.c``, ``cdr/cdr_csv.c``, ``main/cdr.c``, ``main/channel.c``). Each queue-log
constructor is a pure function returning a :class:`~acd.records.QueueLogEvent` whose
``data`` fields are already text, in the order app_queue's format string writes them.

How a queue-log line is built (``main/logger.c``, ``ast_queue_log``, file backend):
the prefix ``<time>|<callid>|<queuename>|<agent>|<event>|`` is written first, where
``<time>`` is ``time(NULL)`` (whole epoch seconds, truncated), then the event's own
format string is appended verbatim. So the data part is *one* string whose fields are
separated by ``|`` only because app_queue's format strings contain pipes, and an event
with empty data (``"%s", ""``) still ends in the pipe after the event name, e.g.
``1657181151|NONE|NONE|NONE|CONFIGRELOAD|``. Nothing is escaped (member names may contain
spaces; only the optional caller-ID *name* of ENTERQUEUE has ``|`` replaced by ``_``).

Times the constructors receive are float epoch seconds (the engine's exact clock); the
writer truncates them as ``time(NULL)`` would. Durations are the integers Asterisk logs,
already computed by the caller from whole-second clocks (see :func:`holdtime_s`).

Which agent name a line carries: app_queue writes the member's ``membername`` for call
events (CONNECT, RINGNOANSWER, COMPLETE*, TRANSFER, PAUSE ...); a member added without a
name gets its interface as ``membername`` (``create_queue_member``), see
:func:`agent_for_member`. ADDMEMBER/REMOVEMEMBER instead log the *interface* unless
``log_membername_as_agent=yes`` in ``queues.conf`` (see :func:`member_log_name`).
"""

from __future__ import annotations

import math
from operator import index as _index
from typing import Final

from acd.records import QueueLogEvent

# ---------------------------------------------------------------------------------------
# queue_log

NONE: Final = "NONE"
"""The placeholder app_queue and logger.c write for an absent call id, queue or agent."""

MANAGER: Final = "MANAGER"
"""Call id app_queue writes for members added/removed through the AMI (QueueAdd/Remove)."""

CLI: Final = "CLI"
"""Call id app_queue writes for members added/removed from the CLI."""

REALTIME: Final = "REALTIME"
"""Call id app_queue writes when a realtime member appears or disappears on reload."""

# Event names (the fifth field).
ENTERQUEUE: Final = "ENTERQUEUE"
CONNECT: Final = "CONNECT"
RINGNOANSWER: Final = "RINGNOANSWER"
RINGCANCELED: Final = "RINGCANCELED"
COMPLETECALLER: Final = "COMPLETECALLER"
COMPLETEAGENT: Final = "COMPLETEAGENT"
ABANDON: Final = "ABANDON"
EXITWITHTIMEOUT: Final = "EXITWITHTIMEOUT"
EXITWITHKEY: Final = "EXITWITHKEY"
EXITEMPTY: Final = "EXITEMPTY"
WITHDRAW: Final = "WITHDRAW"
BLINDTRANSFER: Final = "BLINDTRANSFER"
ATTENDEDTRANSFER: Final = "ATTENDEDTRANSFER"
AGENTDUMP: Final = "AGENTDUMP"
SYSCOMPAT: Final = "SYSCOMPAT"
ADDMEMBER: Final = "ADDMEMBER"
REMOVEMEMBER: Final = "REMOVEMEMBER"
PAUSE: Final = "PAUSE"
UNPAUSE: Final = "UNPAUSE"
PAUSEALL: Final = "PAUSEALL"
UNPAUSEALL: Final = "UNPAUSEALL"
PENALTY: Final = "PENALTY"
DID: Final = "DID"
QUEUESTART: Final = "QUEUESTART"
CONFIGRELOAD: Final = "CONFIGRELOAD"

#: Data field names per event, in the order app_queue writes them (for docs and readers).
QUEUE_LOG_LAYOUTS: Final[dict[str, tuple[str, ...]]] = {
    ENTERQUEUE: ("url", "callerid", "position"),  # + "callerid_name" with log_caller_id_name
    CONNECT: ("holdtime", "bridged_uniqueid", "ringtime"),
    RINGNOANSWER: ("ringtime_ms",),
    RINGCANCELED: ("ringtime_ms",),
    COMPLETECALLER: ("holdtime", "calltime", "origposition"),
    COMPLETEAGENT: ("holdtime", "calltime", "origposition"),
    ABANDON: ("position", "origposition", "waittime"),
    EXITWITHTIMEOUT: ("position", "origposition", "waittime"),
    EXITWITHKEY: ("key", "position", "origposition", "waittime"),
    EXITEMPTY: ("position", "origposition", "waittime"),
    WITHDRAW: ("position", "origposition", "waittime", "withdraw_info"),
    BLINDTRANSFER: ("extension", "context", "holdtime", "calltime", "origposition"),
    # target is "BRIDGE|<bridge id>", "APP|<app>" or "LINK|<channel>|<channel>"
    ATTENDEDTRANSFER: ("target...", "holdtime", "calltime", "origposition"),
    AGENTDUMP: (),
    SYSCOMPAT: (),
    ADDMEMBER: ("paused",),  # "PAUSED" or empty
    REMOVEMEMBER: (),
    PAUSE: ("reason",),
    UNPAUSE: ("reason",),
    PAUSEALL: ("reason",),
    UNPAUSEALL: ("reason",),
    PENALTY: ("penalty",),
    DID: ("did",),
    QUEUESTART: (),
    CONFIGRELOAD: (),
}


def _n(value: int) -> str:
    """An integer field as C's ``%d``/``%ld`` prints it; refuses floats (a caller bug)."""
    return str(_index(value))


def queue_log_time(t: float) -> int:
    """The integer epoch ``ast_queue_log`` writes for an instant: ``time(NULL)``, truncated."""
    return math.floor(t)


def holdtime_s(enter_s: float, connect_s: float) -> int:
    """The hold time app_queue logs in CONNECT (and COMPLETE*/TRANSFER) for a wait.

    app_queue stores the caller's entry as ``time(NULL)`` (``qe.start``) and logs
    ``time(NULL) - qe->start`` at connect, both whole seconds, so the logged value is
    ``floor(connect) - floor(enter)``, not the rounded exact wait: a 0.2 s wait that
    crosses a second boundary logs 1, a 0.9 s wait inside one second logs 0.
    """
    return math.floor(connect_s) - math.floor(enter_s)


def waittime_s(enter_s: float, exit_s: float) -> int:
    """The wait app_queue logs in ABANDON/EXIT*: ``time(NULL) - qe->start``, whole seconds."""
    return math.floor(exit_s) - math.floor(enter_s)


def agent_for_member(interface: str, membername: str) -> str:
    """The agent field app_queue writes for a member's call events.

    Call events (CONNECT, RINGNOANSWER, RINGCANCELED, COMPLETE*, *TRANSFER, ABANDON with a
    member, AGENTDUMP, PAUSE/UNPAUSE ...) carry ``member->membername``; a member created
    without a name (``create_queue_member``) gets its interface as membername. So the agent
    is the member name when there is one, else the interface (e.g. ``Local/8001@from-queue/n``).
    """
    return membername or interface


def member_log_name(interface: str, membername: str, log_membername_as_agent: bool = False) -> str:
    """The agent field of ADDMEMBER/REMOVEMEMBER lines.

    app_queue logs the interface there unless ``log_membername_as_agent`` is set in
    ``queues.conf`` [general] *and* the member has a name (AddQueueMember,
    RemoveQueueMember, the AMI and CLI paths all follow this rule). The default is off, so
    real logs usually show ``Local/8001@from-queue/n`` in ADDMEMBER but ``Alice Wang`` in
    CONNECT for the same person.
    """
    if log_membername_as_agent and membername:
        return membername
    return interface


def queue_log_line(ev: QueueLogEvent) -> str:
    """The text ``ast_queue_log`` writes for ``ev`` (without the newline).

    ``time|callid|queuename|agent|event|`` followed by the data fields joined with ``|``;
    empty data leaves the trailing pipe. Note the file order is callid *before* queuename.
    """
    return f"{math.floor(ev.time_s)}|{ev.call_id}|{ev.queue}|{ev.agent}|{ev.event}|" + "|".join(
        ev.data
    )


# --- caller events -----------------------------------------------------------------------


def enterqueue(
    t: float,
    call_id: str,
    queue: str,
    caller_id: str,
    position: int,
    url: str = "",
    *,
    caller_id_name: str | None = None,
) -> QueueLogEvent:
    """ENTERQUEUE: a caller joined ``queue`` (written by ``queue_exec`` after joining).

    Line: ``t|call_id|queue|NONE|ENTERQUEUE|url|caller_id|position[|caller_id_name]``

    - ``url``: the Queue() application's URL argument, almost always empty (so real lines
      read ``ENTERQUEUE||13800138000|1``). Note it comes *first*, before the caller id.
    - ``caller_id``: the caller's number; app_queue writes it empty when presentation is
      restricted and the queue has ``log_restricted_caller_id=no``.
    - ``position``: the position the caller got on entry (``qe.opos``, 1 = head).
    - ``caller_id_name`` (only when ``log_caller_id_name=yes`` in [general]; pass None to
      omit): the caller's name with every ``|`` replaced by ``_``.

    The agent field is always ``NONE``.
    """
    data: tuple[str, ...] = (url, caller_id, _n(position))
    if caller_id_name is not None:
        data = (*data, caller_id_name.replace("|", "_"))
    return QueueLogEvent(t, call_id, queue, NONE, ENTERQUEUE, data)


def connect(
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    holdtime_s: int,
    bridged_uniqueid: str,
    ringtime_s: int,
) -> QueueLogEvent:
    """CONNECT: ``agent`` answered and the caller is bridged (``try_calling``).

    Line: ``t|call_id|queue|agent|CONNECT|holdtime|bridged_uniqueid|ringtime``

    - ``holdtime_s``: whole seconds the caller waited, ``time(NULL) - qe->start``
      (see :func:`holdtime_s`).
    - ``bridged_uniqueid``: the uniqueid of the agent's (peer) channel.
    - ``ringtime_s``: seconds the member rang in this ring round, computed from the ring
      timeout in ms as ``(orig - remaining) / 1000`` (integer division, so truncated; 0 when
      the queue has no ring timeout because the remaining time is then unbounded).
    """
    return QueueLogEvent(
        t, call_id, queue, agent, CONNECT, (_n(holdtime_s), bridged_uniqueid, _n(ringtime_s))
    )


def ringnoanswer(t: float, call_id: str, queue: str, agent: str, ringtime_ms: int) -> QueueLogEvent:
    """RINGNOANSWER: ``agent`` was rung and did not answer (app_queue's ``rna``).

    Line: ``t|call_id|queue|agent|RINGNOANSWER|ringtime_ms``

    ``ringtime_ms`` is milliseconds. When the member's ring timeout ran out, app_queue logs
    the timeout itself (e.g. ``15000``); when the member's device reported busy/congestion
    or hung up, it logs whole elapsed seconds times 1000 (e.g. ``3000``), so it is often a
    multiple of 1000 but not always.
    """
    return QueueLogEvent(t, call_id, queue, agent, RINGNOANSWER, (_n(ringtime_ms),))


def ringcanceled(t: float, call_id: str, queue: str, agent: str, ringtime_ms: int) -> QueueLogEvent:
    """RINGCANCELED: the caller hung up (or pressed an exit key) while ``agent`` was ringing.

    Line: ``t|call_id|queue|agent|RINGCANCELED|ringtime_ms``

    ``ringtime_ms`` is the exact milliseconds since ringing started (``wait_for_answer``).
    One line per member still ringing; the caller's ABANDON/EXITWITHKEY follows.
    """
    return QueueLogEvent(t, call_id, queue, agent, RINGCANCELED, (_n(ringtime_ms),))


def _complete(
    event: str,
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    holdtime_s: int,
    calltime_s: int,
    orig_position: int,
) -> QueueLogEvent:
    return QueueLogEvent(
        t, call_id, queue, agent, event, (_n(holdtime_s), _n(calltime_s), _n(orig_position))
    )


def completecaller(
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    holdtime_s: int,
    calltime_s: int,
    orig_position: int,
) -> QueueLogEvent:
    """COMPLETECALLER: a bridged call ended because the *caller* hung up (``handle_hangup``).

    Line: ``t|call_id|queue|agent|COMPLETECALLER|holdtime|calltime|origposition``

    - ``holdtime_s``: bridge start minus queue entry, both ``time(NULL)`` (normally equal to
      the CONNECT holdtime).
    - ``calltime_s``: ``time(NULL)`` at hangup minus ``time(NULL)`` at bridge start.
    - ``orig_position``: the caller's entry position (``qe->opos``).
    """
    return _complete(
        COMPLETECALLER, t, call_id, queue, agent, holdtime_s, calltime_s, orig_position
    )


def completeagent(
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    holdtime_s: int,
    calltime_s: int,
    orig_position: int,
) -> QueueLogEvent:
    """COMPLETEAGENT: a bridged call ended because the *agent* hung up (``handle_hangup``).

    Same layout as :func:`completecaller`:
    ``t|call_id|queue|agent|COMPLETEAGENT|holdtime|calltime|origposition``.
    """
    return _complete(COMPLETEAGENT, t, call_id, queue, agent, holdtime_s, calltime_s, orig_position)


def _exit(
    event: str,
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    position: int,
    orig_position: int,
    waittime_s: int,
) -> QueueLogEvent:
    return QueueLogEvent(
        t, call_id, queue, agent, event, (_n(position), _n(orig_position), _n(waittime_s))
    )


def abandon(
    t: float,
    call_id: str,
    queue: str,
    position: int,
    orig_position: int,
    waittime_s: int,
    *,
    agent: str = NONE,
) -> QueueLogEvent:
    """ABANDON: the caller hung up while waiting (``queue_exec``).

    Line: ``t|call_id|queue|NONE|ABANDON|position|origposition|waittime``

    - ``position``: the caller's position when hanging up (``qe.pos``).
    - ``orig_position``: the position on entry (``qe.opos``).
    - ``waittime_s``: ``time(NULL) - qe.start`` (see :func:`waittime_s`).

    ``agent`` is ``NONE`` except in app_queue's rarer path where the caller hangs up after
    an agent answered but before the bridge (announcement still playing); that line carries
    the member name.
    """
    return _exit(ABANDON, t, call_id, queue, agent, position, orig_position, waittime_s)


def exitwithtimeout(
    t: float, call_id: str, queue: str, position: int, orig_position: int, waittime_s: int
) -> QueueLogEvent:
    """EXITWITHTIMEOUT: the caller left because the queue's maximum wait expired.

    Line: ``t|call_id|queue|NONE|EXITWITHTIMEOUT|position|origposition|waittime``
    (fields as in :func:`abandon`). app_queue writes it from several timeout checks in
    ``queue_exec``/``wait_our_turn``, all with this layout.
    """
    return _exit(EXITWITHTIMEOUT, t, call_id, queue, NONE, position, orig_position, waittime_s)


def exitwithkey(
    t: float,
    call_id: str,
    queue: str,
    key: str,
    position: int,
    orig_position: int,
    waittime_s: int,
) -> QueueLogEvent:
    """EXITWITHKEY: the caller pressed a digit that exits the queue (``context=`` option).

    Line: ``t|call_id|queue|NONE|EXITWITHKEY|key|position|origposition|waittime``

    ``key`` is the digit(s) pressed (``qe.digits``), written first; the rest as in
    :func:`abandon`.
    """
    data = (key, _n(position), _n(orig_position), _n(waittime_s))
    return QueueLogEvent(t, call_id, queue, NONE, EXITWITHKEY, data)


def exitempty(
    t: float, call_id: str, queue: str, position: int, orig_position: int, waittime_s: int
) -> QueueLogEvent:
    """EXITEMPTY: the caller was removed because the queue had no usable members
    (``leavewhenempty``).

    Line: ``t|call_id|queue|NONE|EXITEMPTY|position|origposition|waittime``.
    """
    return _exit(EXITEMPTY, t, call_id, queue, NONE, position, orig_position, waittime_s)


def withdraw(
    t: float,
    call_id: str,
    queue: str,
    position: int,
    orig_position: int,
    waittime_s: int,
    info: str = "",
) -> QueueLogEvent:
    """WITHDRAW: the caller was pulled out of the queue by the AMI ``QueueWithdrawCaller``.

    Line: ``t|call_id|queue|NONE|WITHDRAW|position|origposition|waittime|info``;
    app_queue prints at most 40 characters of the withdraw info.
    """
    data = (_n(position), _n(orig_position), _n(waittime_s), info[:40])
    return QueueLogEvent(t, call_id, queue, NONE, WITHDRAW, data)


def blindtransfer(
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    extension: str,
    context: str,
    holdtime_s: int,
    calltime_s: int,
    orig_position: int,
) -> QueueLogEvent:
    """BLINDTRANSFER: the agent blind-transferred the caller (``handle_blind_transfer``).

    Line: ``t|call_id|queue|agent|BLINDTRANSFER|extension|context|holdtime|calltime|origposition``

    Ends the queue call like a COMPLETE* line (no COMPLETE* follows); hold/call times as in
    :func:`completecaller`.
    """
    data = (extension, context, _n(holdtime_s), _n(calltime_s), _n(orig_position))
    return QueueLogEvent(t, call_id, queue, agent, BLINDTRANSFER, data)


def transfer_target_bridge(bridge_uniqueid: str) -> str:
    """ATTENDEDTRANSFER target when the two bridges were merged: ``BRIDGE|<bridge id>``."""
    return f"BRIDGE|{bridge_uniqueid}"


def transfer_target_app(app: str) -> str:
    """ATTENDEDTRANSFER target when the transfer ended in an application: ``APP|<app>``.

    Only the application *name* is logged (e.g. ``APP|VoiceMail``), not its arguments.
    """
    return f"APP|{app}"


def transfer_target_link(channel_a: str, channel_b: str) -> str:
    """ATTENDEDTRANSFER target when the bridges were linked by two Local-channel halves:
    ``LINK|<channel>|<channel>``."""
    return f"LINK|{channel_a}|{channel_b}"


def attendedtransfer(
    t: float,
    call_id: str,
    queue: str,
    agent: str,
    holdtime_s: int,
    calltime_s: int,
    orig_position: int,
    target: str,
) -> QueueLogEvent:
    """ATTENDEDTRANSFER: the agent completed an attended transfer (``log_attended_transfer``).

    Line: ``t|call_id|queue|agent|ATTENDEDTRANSFER|<target>|holdtime|calltime|origposition``

    The *target comes first* in the file even though it is the last parameter here. It is
    one of ``BRIDGE|<bridge id>`` (bridges merged; the usual case), ``APP|<app name>``
    (transferred into an application), ``LINK|<chan>|<chan>`` (bridges linked through a
    Local channel); build it with :func:`transfer_target_bridge` and friends. Its own pipes
    make the line's field count vary (4 to 6 data fields), so ``data`` holds the target
    split into its parts, exactly as a reader splitting the line on ``|`` sees it.
    """
    data = (*target.split("|"), _n(holdtime_s), _n(calltime_s), _n(orig_position))
    return QueueLogEvent(t, call_id, queue, agent, ATTENDEDTRANSFER, data)


def agentdump(t: float, call_id: str, queue: str, agent: str) -> QueueLogEvent:
    """AGENTDUMP: the agent hung up after answering but before the caller was bridged
    (e.g. during the member announcement). Line: ``t|call_id|queue|agent|AGENTDUMP|``."""
    return QueueLogEvent(t, call_id, queue, agent, AGENTDUMP, ("",))


def syscompat(t: float, call_id: str, queue: str, agent: str) -> QueueLogEvent:
    """SYSCOMPAT: the agent answered but the channels could not be made compatible, so the
    call was dropped. Line: ``t|call_id|queue|agent|SYSCOMPAT|``."""
    return QueueLogEvent(t, call_id, queue, agent, SYSCOMPAT, ("",))


# --- member events -----------------------------------------------------------------------


def addmember(
    t: float, queue: str, agent: str, paused: bool = False, call_id: str = MANAGER
) -> QueueLogEvent:
    """ADDMEMBER: a dynamic member was added to ``queue``.

    Line: ``t|call_id|queue|agent|ADDMEMBER|PAUSED`` (or ``...|ADDMEMBER|`` when not paused)

    ``call_id`` depends on who added the member: the dialplan application
    AddQueueMember (what FreePBX's ``*45`` toggle and agent login codes use) writes the
    uniqueid of the channel that ran it (the agent's phone call); the AMI writes
    ``MANAGER``, the CLI ``CLI``, a realtime reload ``REALTIME``. Pass the agent's login
    channel uniqueid to get the dialplan shape. ``agent`` is normally the interface, see
    :func:`member_log_name`.
    """
    return QueueLogEvent(t, call_id, queue, agent, ADDMEMBER, ("PAUSED" if paused else "",))


def removemember(t: float, queue: str, agent: str, call_id: str = MANAGER) -> QueueLogEvent:
    """REMOVEMEMBER: a dynamic member was removed from ``queue``.

    Line: ``t|call_id|queue|agent|REMOVEMEMBER|`` (empty data). ``call_id`` and ``agent``
    follow the same rules as :func:`addmember`.
    """
    return QueueLogEvent(t, call_id, queue, agent, REMOVEMEMBER, ("",))


def pause(t: float, queue: str, agent: str, reason: str, call_id: str = NONE) -> QueueLogEvent:
    """PAUSE: the member stopped taking calls from ``queue`` (``set_queue_member_pause``).

    Line: ``t|NONE|queue|agent|PAUSE|reason`` (reason may be empty).

    app_queue writes ``NONE`` as the call id whoever paused the member (PauseQueueMember,
    AMI, CLI), in every version since 1.4; ``call_id`` only exists to reproduce lines a
    dialplan writes itself with ``QueueLog()``. Keep the default.
    A pause with no queue named writes one PAUSEALL first (see :func:`pauseall`), then one
    PAUSE per queue the member belongs to.
    """
    return QueueLogEvent(t, call_id, queue, agent, PAUSE, (reason,))


def unpause(t: float, queue: str, agent: str, reason: str, call_id: str = NONE) -> QueueLogEvent:
    """UNPAUSE: the member takes calls from ``queue`` again.

    Line: ``t|NONE|queue|agent|UNPAUSE|reason``. With ``log_unpause_on_reason_change``,
    app_queue also writes ``UNPAUSE|Auto-Unpause`` when an already paused member is
    paused again with a different reason.
    """
    return QueueLogEvent(t, call_id, queue, agent, UNPAUSE, (reason,))


def pauseall(t: float, agent: str, reason: str) -> QueueLogEvent:
    """PAUSEALL: the member was paused without naming a queue, i.e. in every queue.

    Line: ``t|NONE|NONE|agent|PAUSEALL|reason``; queue and call id are both ``NONE``.
    app_queue writes it once, just before the per-queue PAUSE lines. (Up to Asterisk 13
    the agent field was the member's *interface* and the data empty; since 14 it is the
    member name, and since 15 the reason is logged.)
    """
    return QueueLogEvent(t, NONE, NONE, agent, PAUSEALL, (reason,))


def unpauseall(t: float, agent: str, reason: str) -> QueueLogEvent:
    """UNPAUSEALL: the member was unpaused in every queue.

    Line: ``t|NONE|NONE|agent|UNPAUSEALL|reason``, followed by one UNPAUSE per queue.
    """
    return QueueLogEvent(t, NONE, NONE, agent, UNPAUSEALL, (reason,))


def penalty(t: float, queue: str, interface: str, penalty_value: int) -> QueueLogEvent:
    """PENALTY: a member's penalty changed (AMI/CLI/dialplan).

    Line: ``t|NONE|queue|interface|PENALTY|penalty``; note the agent field is the member's
    *interface* here, not its name.
    """
    return QueueLogEvent(t, NONE, queue, interface, PENALTY, (_n(penalty_value),))


# --- dialplan / system events ------------------------------------------------------------


def did(t: float, call_id: str, did: str, queue: str) -> QueueLogEvent:
    """DID: FreePBX's note of the dialled number, written just before ENTERQUEUE.

    Not an app_queue event: FreePBX's ``ext-queues`` dialplan runs
    ``QueueLog(<queue>,${UNIQUEID},NONE,DID,${FROM_DID})`` right before ``Queue()``, and
    the QueueLog application writes its arguments through the same logger. So the queue
    field is the queue's name (the queue number in FreePBX), the agent is ``NONE``, and
    the data is the DID (empty when the route set none: ``...|DID|``).

    Line: ``t|call_id|queue|NONE|DID|did``
    """
    return QueueLogEvent(t, call_id, queue, NONE, DID, (did,))


def queuestart(t: float) -> QueueLogEvent:
    """QUEUESTART: the queue logger started (Asterisk boot). ``t|NONE|NONE|NONE|QUEUESTART|``."""
    return QueueLogEvent(t, NONE, NONE, NONE, QUEUESTART, ("",))


def configreload(t: float) -> QueueLogEvent:
    """CONFIGRELOAD: the logger was reloaded (``logger reload``, which logrotate's
    postrotate runs, so real rotated files usually start with this line).
    ``t|NONE|NONE|NONE|CONFIGRELOAD|``."""
    return QueueLogEvent(t, NONE, NONE, NONE, CONFIGRELOAD, ("",))


# ---------------------------------------------------------------------------------------
# CDR (cdr_csv / main/cdr.c)

ANSWERED: Final = "ANSWERED"
NO_ANSWER: Final = "NO ANSWER"
BUSY: Final = "BUSY"
FAILED: Final = "FAILED"
CONGESTION: Final = "CONGESTION"
CANCEL: Final = "CANCEL"

#: Every string ``ast_cdr_disp2str`` can return (CANCEL only with
#: ``canceldispositionenabled=yes``; CONGESTION only with ``congestion=yes``).
DISPOSITIONS: Final = (ANSWERED, NO_ANSWER, BUSY, FAILED, CONGESTION, CANCEL)

AMA_OMIT: Final = "OMIT"
AMA_BILLING: Final = "BILLING"
AMA_DOCUMENTATION: Final = "DOCUMENTATION"
#: ``ast_channel_amaflags2string``; channels default to DOCUMENTATION (main/channel.c).
AMAFLAGS: Final = (AMA_OMIT, AMA_BILLING, AMA_DOCUMENTATION)
AMA_DEFAULT: Final = AMA_DOCUMENTATION

CDR_COLUMNS_MINIMAL: Final = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
CDR_COLUMNS_STANDARD: Final = (*CDR_COLUMNS_MINIMAL, "uniqueid", "userfield")
CDR_COLUMNS_EXTENDED: Final = (*CDR_COLUMNS_STANDARD, "peeraccount", "linkedid", "sequence")
#: Master.csv columns per ``cdr.conf`` [csv] setup: minimal = loguniqueid/loguserfield off;
#: standard = both on; extended = also ``newcdrcolumns=yes``.
CDR_LAYOUTS: Final[dict[str, tuple[str, ...]]] = {
    "minimal": CDR_COLUMNS_MINIMAL,
    "standard": CDR_COLUMNS_STANDARD,
    "extended": CDR_COLUMNS_EXTENDED,
}


def disposition_for_dial_status(
    dial_status: str, *, congestion: bool = False, cancel_enabled: bool = False
) -> str:
    """The CDR disposition main/cdr.c gives a dial outcome (``dial_status_to_disposition``).

    ANSWER → ANSWERED, BUSY → BUSY, NOANSWER → NO ANSWER, CANCEL → NO ANSWER (CANCEL with
    ``canceldispositionenabled``), CONGESTION → FAILED (CONGESTION with ``congestion=yes``),
    FAILED and anything else → FAILED.
    """
    if dial_status == "ANSWER":
        return ANSWERED
    if dial_status == "BUSY":
        return BUSY
    if dial_status == "CANCEL":
        return CANCEL if cancel_enabled else NO_ANSWER
    if dial_status == "NOANSWER":
        return NO_ANSWER
    if dial_status == "CONGESTION":
        return CONGESTION if congestion else FAILED
    return FAILED


def _c_div(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def cdr_durations(
    start_s: float, answer_s: float | None, end_s: float, *, initiatedseconds: bool = False
) -> tuple[int, int]:
    """``(duration, billsec)`` exactly as main/cdr.c computes them for a CDR.

    Both come from ``ast_tvdiff_ms`` on the microsecond timevals (the exact difference
    floored to whole milliseconds), then C integer division by 1000:

    - ``duration`` = ms(end - start) / 1000: always *truncated* (``cdr_object_get_duration``).
    - ``billsec`` = 0 when the CDR has no answer time; else ms(end - answer) / 1000,
      truncated by default. With ``initiatedseconds=yes`` in cdr.conf, a remainder of at
      least 500 ms rounds *up* (``cdr_object_get_billsec``: ``ms % 1000 >= 500`` adds one
      second; the sample config's wording about comparing microsecond parts does not match
      the code).

    So both are computed from the exact instants, not from the whole-second times printed
    in Master.csv: ``end - start`` of the printed times can differ from ``duration`` by one.
    """
    # This runs for every Master.csv row, so the arithmetic is written out inline:
    # - an instant as a ``struct timeval`` holds it: round(t * 1e6) whole microseconds;
    # - ast_tvdiff_ms: whole seconds * 1000 plus the microsecond difference floored to
    #   ms, which equals the floor of the exact difference in ms: (end - start) // 1000;
    # - then C's integer division by 1000, which truncates toward zero (as _c_div).
    end_us = round(end_s * 1_000_000)
    ms = (end_us - round(start_s * 1_000_000)) // 1000
    duration = ms // 1000 if ms >= 0 else -(-ms // 1000)
    if answer_s is None:
        return duration, 0
    ms = (end_us - round(answer_s * 1_000_000)) // 1000
    billsec = ms // 1000 if ms >= 0 else -(-ms // 1000)
    if initiatedseconds and _c_rem(ms, 1000) >= 500:
        billsec += 1
    return duration, billsec


def _c_rem(a: int, b: int) -> int:
    """C's ``%`` (sign follows the dividend)."""
    return a - _c_div(a, b) * b


def cdr_time(t: float) -> int:
    """The whole second cdr_csv prints for an instant (``tv_sec``: truncated)."""
    return math.floor(t)
