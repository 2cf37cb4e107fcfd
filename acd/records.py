"""Plain records the engine emits and the writers format.

Every instant is a float of seconds since the Unix epoch (UTC); writers turn it into
what each real format carries (integer epoch in ``queue_log``, PBX local time in
``Master.csv``, ISO 8601 with offset in the suite's own CSV exports).

NamedTuples rather than dataclasses: the engine creates millions of these, and a
tuple is the cheapest immutable record Python has.
"""

from __future__ import annotations

from typing import NamedTuple


class QueueLogEvent(NamedTuple):
    """One line of Asterisk's ``queue_log``: ``time|callid|queuename|agent|event|data...``.

    ``data`` holds the event's fields already as text, in the order app_queue writes them
    (see ``acd/asterisk.py`` for each event's layout).
    """

    time_s: float
    call_id: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


class CdrRecord(NamedTuple):
    """One row of Asterisk's ``cdr_csv`` ``Master.csv`` (standard column order).

    ``answer_s`` is None when the leg was never answered (written as an empty field).
    ``duration_s`` = end - start and ``billsec_s`` = end - answer, whole seconds.
    """

    accountcode: str
    src: str
    dst: str
    dcontext: str
    clid: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str
    start_s: float
    answer_s: float | None
    end_s: float
    duration_s: int
    billsec_s: int
    disposition: str
    amaflags: str
    uniqueid: str
    userfield: str
    peeraccount: str
    linkedid: str
    sequence: int


class AgentStateEvent(NamedTuple):
    """An agent entering ``state`` at ``time_s`` (the engine's agent-state log).

    States: logged_out, available, ringing, talking, hold, acw, aux, dialing (placing an
    outbound or callback call, or previewing the record before a preview dial), deferred
    (working a deferred contact: an e-mail or SMS, or reading a web callback request or
    listening to a voicemail before calling back).
    ``reason`` is the aux reason code in ``aux`` (break, lunch, training, meeting,
    coaching); on outbound work (dialing, talking, acw) it names the work: ``callback``,
    the campaign, or the deferred channel (a web callback or voicemail call-back); in
    ``deferred`` the deferred channel; empty otherwise. ``call_id``/``queue`` are set while
    the agent works a call (``queue`` only for the voice queues' calls and callbacks);
    in ``deferred`` ``call_id`` is the contact id.
    """

    time_s: float
    agent_id: str
    state: str
    reason: str
    call_id: str
    queue: str


class RecordingMeta(NamedTuple):
    """Metadata of one call recording plus per-call signals QA can use."""

    recording_id: str
    call_id: str
    agent_id: str
    queue: str
    direction: str  # inbound | outbound
    start_s: float
    duration_s: float
    file_name: str  # FreePBX convention, relative to the recordings root
    talk_ratio: float  # agent talk time / (agent + customer talk time)
    silence_s: float
    hold_count: int
    hold_s: float
    overtalk_s: float


class OutboundAttempt(NamedTuple):
    """One dial attempt of an outbound campaign."""

    attempt_id: str
    campaign: str
    mode: str  # preview | progressive | predictive
    call_id: str
    customer_id: str
    number: str
    agent_id: str  # empty when no agent was connected
    dial_s: float
    outcome: str  # answered | no_answer | busy | abandoned
    answer_s: float | None
    end_s: float


class Order(NamedTuple):
    """A ticket order as the business system holds it at creation."""

    order_id: str
    created_s: float
    customer_id: str
    channel: str  # call_center | web | distributor
    distributor: str  # distributor or agency code; empty for own channels
    call_id: str  # the booking call, empty for orders without a call
    agent_id: str
    origin: str  # IATA airport codes
    destination: str
    flight_date: str  # local date, YYYY-MM-DD
    passengers: int
    fare: float  # currency units (CNY), all passengers
    taxes: float
    payment_method: str  # card | alipay | wechat | bank_transfer | cash_on_delivery | credit
    currency: str


class OrderEvent(NamedTuple):
    """A dated step in an order's life: booked, ticketed, delivered, paid, refunded, cancelled."""

    order_id: str
    event_s: float
    event: str
    amount: float  # money moved by this event (paid, refunded); 0 otherwise
    reference: str  # ticket number, courier waybill, payment reference, ...


class CallTruth(NamedTuple):
    """What the engine knows about one queue visit, exactly (not a real platform's format).

    Written so that tests and the warehouse can be checked against ground truth.
    ``wait_s`` is exact; ``holdtime_s`` is the whole seconds Asterisk logs for the same wait.
    """

    call_id: str
    queue: str
    call_type: str
    priority: int
    enter_s: float
    outcome: str  # answered | abandoned | timeout | exitwithkey | exitempty
    end_wait_s: float  # when the wait ended (answer, abandon, timeout, key)
    wait_s: float
    holdtime_s: int
    agent_id: str
    talk_s: float
    hold_s: float
    acw_s: float
    transferred_to: str


class Contact(NamedTuple):
    """One deferred contact as a help-desk export lists it: once, with its latest state.

    ``listed_s`` is the instant whose local day names the export file: the close time, or
    for a contact still open when the simulated period ended, the period's last second.
    Times after the end of the period are not known to the export (None).
    """

    contact_id: str
    channel: str  # email | sms | web_callback | voicemail
    queue: str  # the deferred channel's name in the scenario
    customer_id: str  # empty when the customer is not in the CRM
    created_s: float
    due_s: float  # first response due (response target, business hours or wall clock)
    first_assigned_s: float | None  # an agent first took the item
    first_response_s: float | None  # first reply sent / first callback attempt dialled
    resolved_s: float | None  # reached its final state (resolved, failed or abandoned)
    agent_id: str  # the agent who worked it last
    outcome: str  # resolved | failed | abandoned | open
    attempts: int  # work sessions (email/sms) or dial attempts (callbacks)
    handle_s: float  # agent seconds spent on it, all sessions and attempts
    call_id: str  # voicemail: the uniqueid of the call that left the message
    listed_s: float


class SurveyResponse(NamedTuple):
    """One post-call survey offer, as the survey IVR logs it (keyed by the call's uniqueid)."""

    uniqueid: str
    offered_s: float
    answered: bool
    score: int  # 0 when not answered
    scale: int  # 3 or 5
    agent_id: str
    queue: str


class SurveyTruth(NamedTuple):
    """The engine's drivers behind one survey offer (ground truth, not a platform format)."""

    uniqueid: str
    offered_s: float
    agent_id: str
    queue: str
    wait_s: float  # total queue wait of the call over all its visits
    transfers: int
    repeat_call: bool
    agent_quality: float
    eta: float  # the ordered logit's linear predictor
    answered: bool
    score: int  # 0 when not answered


class AgentQuality(NamedTuple):
    """An agent's hidden attributes, drawn once per run (ground truth)."""

    agent_id: str
    group: str
    quality: float  # z-score behind the survey scores and the recording signals
    handle_factor: float  # personal multiplier of talk and handle times


class BacklogHour(NamedTuple):
    """Deferred contacts of one channel in one local hour, counted by the engine as it ran."""

    hour_start_s: float
    channel: str
    queue: str
    open_start: int
    arrived: int
    closed: int  # reached a final state (resolved, failed or abandoned)
    open_end: int
