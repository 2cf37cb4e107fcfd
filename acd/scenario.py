"""The scenario model: typed, frozen dataclasses loaded from a TOML file.

A scenario describes a contact center completely: opening hours, the IVR menu tree,
call types (arrival pattern, handle times, patience), queues (skills, overflow, callback),
agent groups (skills, shifts, shrinkage, blending), outbound campaigns, customers, ticket
orders, and optionally deferred contacts (``[[deferred_channels]]``: e-mail, SMS, web
callback requests, voicemail, with response targets on a ``[business_hours]`` clock) and
a post-call survey (``[survey]``).
The shipped scenarios live in ``acd/scenarios/``; ``callcenter simulate --scenario airline``
names one of them, and ``--scenario path/to/file.toml`` reads a user's own copy.

Every field is validated on load; a mistake comes back as a ``ScenarioError`` naming the
field (``queues.booking.timeout_s: must be at least 0, got -5``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from acd.arrivals import ArrivalSpec, parse_arrival_spec
from acd.distributions import Duration, parse_duration
from acd.errors import ScenarioError
from acd.orders import OrderSpec, default_order_spec, parse_order_spec
from acd.tomlfields import Fields, check_number

AUX_REASONS = ("break", "lunch", "training", "meeting", "coaching")
IVR_KINDS = ("menu", "queue", "selfservice", "voicemail", "hangup")
CAMPAIGN_MODES = ("preview", "progressive", "predictive")
#: Deferred contact channels; the last two are worked by calling the customer back.
DEFERRED_KINDS = ("email", "sms", "web_callback", "voicemail")
CALLBACK_KINDS = ("web_callback", "voicemail")
BUSINESS_DAYS = ("all", "working")
SURVEY_SCALES = (3, 5)


def parse_clock(value: Any, where: str) -> float:
    """``"07:30"`` -> seconds after local midnight; ``"24:00"`` is allowed as an end."""
    if not isinstance(value, str) or value.count(":") != 1:
        raise ScenarioError(f'{where}: expected a time like "07:30", got {value!r}')
    hours, minutes = value.split(":")
    if not (hours.isdigit() and minutes.isdigit()):
        raise ScenarioError(f'{where}: expected a time like "07:30", got {value!r}')
    seconds = int(hours) * 3600 + int(minutes) * 60
    if int(minutes) >= 60 or seconds > 48 * 3600:
        raise ScenarioError(f"{where}: not a valid time of day: {value!r}")
    return float(seconds)


@dataclass(frozen=True)
class Center:
    name: str
    timezone: str
    open_s: float  # local seconds after midnight
    close_s: float
    did: str
    trunk_lines: int  # simultaneous inbound calls the trunks carry; more get CONGESTION
    closed_voicemail_share: float  # callers outside hours who leave a voicemail
    cdr_layout: str  # minimal | standard | extended (see docs/formats.md)


@dataclass(frozen=True)
class IvrChoice:
    key: str
    target: str  # node name


@dataclass(frozen=True)
class IvrNode:
    name: str
    kind: str  # menu | queue | selfservice | voicemail | hangup
    prompt: Duration  # time spent in the node (prompt + DTMF entry, or self-service dialog)
    dropout: float  # share of callers who hang up in this node
    choices: tuple[IvrChoice, ...] = ()
    queue: str = ""  # kind == queue
    p_complete: float = 0.0  # kind == selfservice: share served without an agent
    fallback: str = ""  # selfservice not completed -> this node; menu: no/invalid key


@dataclass(frozen=True)
class CallType:
    name: str
    arrivals: ArrivalSpec
    ivr_keys: tuple[str, ...]  # DTMF keys this caller presses from the root menu
    misroute: float  # share pressing a wrong first key (lands in another branch)
    talk: Duration
    acw: Duration
    p_hold: float
    hold: Duration
    patience: Duration
    p_retrial: float  # share of abandoning callers who call again
    retrial_delay: Duration
    p_transfer: float
    transfer_to: str  # queue name
    p_sale: float  # answered booking calls that create a ticket order
    p_caller_hangup: float  # COMPLETECALLER rather than COMPLETEAGENT


@dataclass(frozen=True)
class Callback:
    offer_when_wait_s: float  # offer a callback when the expected wait exceeds this
    p_accept: float
    key: str  # DTMF key that accepts (EXITWITHKEY)
    p_answer: float  # customer answers the callback
    max_attempts: int
    retry_after: Duration


@dataclass(frozen=True)
class Queue:
    name: str
    skill: str
    sl_target_s: float
    timeout_s: float | None  # Queue() timeout; None = wait until answered or abandoned
    on_timeout: str  # voicemail | hangup | queue:<name> (overflow)
    ring: Duration  # time an agent's phone rings before answering
    ring_timeout_s: float  # ring-no-answer after this
    p_ring_no_answer: float
    callback: Callback | None
    last_agent_routing: bool


@dataclass(frozen=True)
class ShiftTemplate:
    name: str
    start_s: float  # local seconds after midnight
    length_s: float
    lunch_s: float  # 0 = no lunch
    lunch_window: tuple[float, float]  # lunch starts within this window (local seconds)
    breaks: int
    break_s: float
    weight: float  # share of the group's agents on this template


@dataclass(frozen=True)
class AgentGroup:
    name: str
    count: int
    skills: dict[str, int]  # skill -> level 1..10 (10 best); routing prefers higher levels
    shifts: tuple[ShiftTemplate, ...]
    days_per_week: int
    p_absent: float  # unplanned absence per scheduled day
    p_late: float
    late: Duration
    p_aux_session: float  # chance per worked day of a training/meeting/coaching session
    aux_session: Duration
    handle_time_spread: float  # cv across agents of a personal talk-time multiplier (mean 1)
    outbound: tuple[str, ...]  # campaigns this group dials for when no inbound call waits
    deferred: tuple[str, ...] = ()  # deferred channels this group works when no call waits
    # start deferred work only while at least this many other agents stay idle in each of
    # the agent's skills (a blending threshold protecting the voice service level)
    deferred_reserve: int = 0


@dataclass(frozen=True)
class Tier:
    name: str
    share: float
    priority: int  # queue priority class; higher is served first


@dataclass(frozen=True)
class Customers:
    population: int
    p_known: float  # share of callers whose number is in the CRM (returning customers)
    tiers: tuple[Tier, ...]
    last_agent_window_s: float  # route to the last agent if the previous call was this recent


@dataclass(frozen=True)
class Campaign:
    name: str
    mode: str  # preview | progressive | predictive
    start_s: float
    end_s: float
    weekdays: tuple[int, ...]
    list_per_day: int
    p_answer: float
    p_busy: float
    ring: Duration
    no_answer_after_s: float
    preview: Duration
    talk: Duration
    acw: Duration
    max_pacing: float  # predictive: most lines dialled per idle agent
    caller_id: str


@dataclass(frozen=True)
class BusinessHours:
    """The clock response targets are measured on (see ``acd.business_hours``)."""

    open_s: float  # local seconds after midnight
    close_s: float
    days: str  # all | working (China's working days, make-up days included)


@dataclass(frozen=True)
class DeferredChannel:
    """A deferred contact channel: items queue in a help-desk queue named ``name``.

    ``kind`` email/sms: an agent works the item for ``handle`` (one session); after a
    session the customer writes again with ``p_followup`` (after ``followup_after``), which
    needs another session. ``kind`` web_callback/voicemail: an agent reads the request or
    listens to the message (``prep``), then calls the customer: answered with
    ``p_answer``, busy with ``p_busy``, else no answer after ``no_answer_after_s``; an
    answered call lasts ``handle`` (talk) plus ``acw``; a failed attempt is retried after
    ``retry_after`` until ``max_attempts``, then the item closes as failed.
    """

    name: str  # help-desk queue name and the skill agent groups list in ``deferred``
    kind: str  # email | sms | web_callback | voicemail
    enabled: bool
    arrivals: ArrivalSpec | None  # None for voicemail (voicemails come from callers)
    handle: Duration
    target_s: float  # response target
    business_hours: bool  # target counted on the business-hours clock (else wall clock)
    expire_after_s: float | None  # no response by then (target's clock) -> abandoned
    p_followup: float
    followup_after: Duration
    prep: Duration
    acw: Duration
    p_answer: float
    p_busy: float
    ring: Duration
    no_answer_after_s: float
    max_attempts: int
    retry_after: Duration

    @property
    def is_callback(self) -> bool:
        return self.kind in CALLBACK_KINDS


@dataclass(frozen=True)
class Survey:
    """Post-call IVR survey with an ordered-logit score (see ``acd.survey``)."""

    enabled: bool
    share: float  # completed answered calls the agent sends to the survey
    p_response: float  # offered callers who key in a score (the others hang up)
    scale: int  # 3 (unsatisfied / average / satisfied) or 5 (1..5)
    repeat_window_s: float  # a call is a repeat call when the number called this recently
    cutpoints: tuple[float, ...]  # scale - 1 increasing thresholds on the latent satisfaction
    agent_quality: float  # coefficient of the answering agent's hidden quality z-score
    wait_per_min: float  # coefficient per minute of queue wait (all visits of the call)
    transfer: float  # coefficient per transfer
    repeat_call: float  # coefficient when the call is a repeat call


@dataclass(frozen=True)
class Scenario:
    name: str
    center: Center
    ivr_root: str
    ivr: dict[str, IvrNode]
    call_types: dict[str, CallType]
    queues: dict[str, Queue]
    agent_groups: tuple[AgentGroup, ...]
    customers: Customers
    campaigns: dict[str, Campaign]
    orders: OrderSpec
    common_dispersion_cv: float  # day-level noise shared by all call types
    deferred_channels: dict[str, DeferredChannel] = field(default_factory=dict)
    business_hours: BusinessHours | None = None  # None: the center's opening hours, every day
    survey: Survey | None = None
    source: str = field(default="", compare=False)

    @property
    def agent_count(self) -> int:
        return sum(group.count for group in self.agent_groups)

    @property
    def active_deferred(self) -> dict[str, DeferredChannel]:
        """The enabled deferred channels, in file order."""
        return {name: c for name, c in self.deferred_channels.items() if c.enabled}

    @property
    def active_survey(self) -> Survey | None:
        """The survey when it is enabled and offered to some calls, else None."""
        s = self.survey
        return s if s is not None and s.enabled and s.share > 0 else None

    @property
    def business_clock(self) -> BusinessHours:
        """``business_hours`` or, by default, the center's opening hours on every day."""
        if self.business_hours is not None:
            return self.business_hours
        return BusinessHours(self.center.open_s, self.center.close_s, "all")


def shipped_scenarios() -> list[str]:
    """Names of the scenarios that ship with the package."""
    folder = resources.files("acd") / "scenarios"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a shipped scenario by name (``airline``) or a TOML file by path."""
    text, source = _read_scenario_text(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    try:
        scenario = parse_scenario(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
    return _with_source(scenario, source)


def _read_scenario_text(name_or_path: str | Path) -> tuple[str, str]:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        try:
            return candidate.read_text(encoding="utf-8"), str(candidate)
        except FileNotFoundError:
            raise ScenarioError(f"scenario file not found: {candidate}") from None
        except UnicodeDecodeError:
            raise ScenarioError(f"{candidate}: not a UTF-8 text file") from None
    shipped = resources.files("acd") / "scenarios" / f"{name_or_path}.toml"
    if not shipped.is_file():
        names = ", ".join(shipped_scenarios())
        raise ScenarioError(f"unknown scenario {name_or_path!r}: shipped ones are {names}")
    return shipped.read_text(encoding="utf-8"), f"scenario {name_or_path}"


def _with_source(scenario: Scenario, source: str) -> Scenario:
    object.__setattr__(scenario, "source", source)
    return scenario


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Validate a parsed TOML document into a ``Scenario``."""
    top = Fields(data, "")
    name = top.text("name")
    center = _parse_center(top.sub("center"))
    customers = _parse_customers(top.sub("customers", {}))
    queues = {
        qname: _parse_queue(qname, Fields(table, f"queues.{qname}"))
        for qname, table in _named_tables(top, "queues")
    }
    ivr_fields = top.sub("ivr")
    ivr_root = ivr_fields.text("root")
    ivr = {
        node: _parse_ivr_node(node, Fields(table, f"ivr.nodes.{node}"))
        for node, table in _named_tables(ivr_fields, "nodes")
    }
    ivr_fields.finish()
    call_types = {
        ctype: _parse_call_type(ctype, Fields(table, f"call_types.{ctype}"))
        for ctype, table in _named_tables(top, "call_types")
    }
    groups = tuple(
        _parse_agent_group(Fields(table, f"agent_groups[{i}]"))
        for i, table in enumerate(top.array("agent_groups"))
    )
    campaigns = {
        cname: _parse_campaign(cname, Fields(table, f"campaigns.{cname}"))
        for cname, table in _named_tables(top, "campaigns", required=False)
    }
    orders = parse_order_spec(top.raw("orders"), "orders") if top.has("orders") else None
    if orders is None:
        top.used.add("orders")
        orders = default_order_spec()
    dispersion = top.number("common_dispersion_cv", 0.0, minimum=0.0, maximum=2.0)
    deferred: dict[str, DeferredChannel] = {}
    for i, table in enumerate(top.array("deferred_channels", [])):
        channel = _parse_deferred_channel(Fields(table, f"deferred_channels[{i}]"))
        if channel.name in deferred:
            raise ScenarioError(
                f"deferred_channels[{i}].name: {channel.name!r} is used by an earlier channel"
            )
        deferred[channel.name] = channel
    business_hours = None
    if top.has("business_hours"):
        business_hours = _parse_business_hours(top.sub("business_hours"), center)
    survey = _parse_survey(top.sub("survey")) if top.has("survey") else None
    top.used.update(("business_hours", "survey"))
    top.finish()
    scenario = Scenario(
        name=name,
        center=center,
        ivr_root=ivr_root,
        ivr=ivr,
        call_types=call_types,
        queues=queues,
        agent_groups=groups,
        customers=customers,
        campaigns=campaigns,
        orders=orders,
        common_dispersion_cv=dispersion,
        deferred_channels=deferred,
        business_hours=business_hours,
        survey=survey,
    )
    _check_references(scenario)
    return scenario


def _named_tables(
    fields: Fields, key: str, *, required: bool = True
) -> list[tuple[str, dict[str, Any]]]:
    section = fields.sub(key) if required else fields.sub(key, {})
    if required and not section.table:
        raise ScenarioError(f"{section.where}: at least one entry is required")
    section.used.update(section.table)
    return list(section.table.items())


def _share(fields: Fields, key: str, default: Any = None) -> float:
    if default is None:
        return fields.number(key, minimum=0.0, maximum=1.0)
    return fields.number(key, default, minimum=0.0, maximum=1.0)


def _parse_center(f: Fields) -> Center:
    layouts = ("minimal", "standard", "extended")
    center = Center(
        name=f.text("name"),
        timezone=_timezone(f.text("timezone", "Asia/Shanghai"), f.path("timezone")),
        open_s=parse_clock(f.raw("open", "00:00"), f.path("open")),
        close_s=parse_clock(f.raw("close", "24:00"), f.path("close")),
        did=f.text("did"),
        trunk_lines=f.integer("trunk_lines", 10_000, minimum=1),
        closed_voicemail_share=_share(f, "closed_voicemail_share", 0.3),
        cdr_layout=f.text("cdr_layout", "standard", choices=layouts),
    )
    if center.close_s <= center.open_s:
        raise ScenarioError(f"{f.path('close')}: must be after center.open")
    f.finish()
    return center


def _timezone(name: str, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScenarioError(f"{where}: unknown time zone {name!r}") from None
    return name


def _parse_customers(f: Fields) -> Customers:
    tiers = []
    tier_tables = f.array("tiers", [{"name": "none", "share": 1.0, "priority": 0}])
    for i, table in enumerate(tier_tables):
        t = Fields(table, f.path(f"tiers[{i}]"))
        tiers.append(Tier(t.text("name"), _share(t, "share"), t.integer("priority", 0, minimum=0)))
        t.finish()
    total = sum(t.share for t in tiers)
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError(f"{f.path('tiers')}: shares must add up to 1, they add up to {total:g}")
    customers = Customers(
        population=f.integer("population", 200_000, minimum=1),
        p_known=_share(f, "p_known", 0.6),
        tiers=tuple(tiers),
        last_agent_window_s=f.number("last_agent_window_h", 72.0, minimum=0.0) * 3600,
    )
    f.finish()
    return customers


def _parse_queue(name: str, f: Fields) -> Queue:
    timeout = f.raw("timeout_s", None)
    if timeout is not None:
        timeout = f.number("timeout_s", minimum=0.0, exclusive_minimum=True)
    on_timeout = f.text("on_timeout", "hangup")
    if not (on_timeout in ("voicemail", "hangup") or on_timeout.startswith("queue:")):
        raise ScenarioError(
            f"{f.path('on_timeout')}: expected voicemail, hangup or queue:<name>, "
            f"got {on_timeout!r}"
        )
    callback = None
    if f.has("callback"):
        c = f.sub("callback")
        callback = Callback(
            offer_when_wait_s=c.number("offer_when_wait_s", minimum=0.0),
            p_accept=_share(c, "p_accept"),
            key=c.text("key", "1"),
            p_answer=_share(c, "p_answer", 0.8),
            max_attempts=c.integer("max_attempts", 3, minimum=1),
            retry_after=parse_duration(c.raw("retry_after", 900), c.path("retry_after")),
        )
        c.finish()
    queue = Queue(
        name=name,
        skill=f.text("skill", name),
        sl_target_s=f.number("sl_target_s", 20.0, minimum=0.0),
        timeout_s=timeout,
        on_timeout=on_timeout,
        ring=parse_duration(f.raw("ring", 4), f.path("ring")),
        ring_timeout_s=f.number("ring_timeout_s", 15.0, minimum=0.0, exclusive_minimum=True),
        p_ring_no_answer=_share(f, "p_ring_no_answer", 0.0),
        callback=callback,
        last_agent_routing=f.boolean("last_agent_routing", False),
    )
    f.finish()
    return queue


def _parse_ivr_node(name: str, f: Fields) -> IvrNode:
    kind = f.text("kind", choices=IVR_KINDS)
    choices = []
    if kind == "menu":
        for key, target in f.sub("choices").table.items():
            if not isinstance(target, str):
                raise ScenarioError(f"{f.path('choices')}.{key}: expected a node name")
            choices.append(IvrChoice(str(key), target))
        if not choices:
            raise ScenarioError(f"{f.path('choices')}: a menu needs at least one choice")
    node = IvrNode(
        name=name,
        kind=kind,
        prompt=parse_duration(f.raw("prompt", 0), f.path("prompt")),
        dropout=_share(f, "dropout", 0.0),
        choices=tuple(choices),
        queue=f.text("queue") if kind == "queue" else "",
        p_complete=_share(f, "p_complete") if kind == "selfservice" else 0.0,
        fallback=f.text("fallback", ""),
    )
    f.finish()
    return node


def _parse_call_type(name: str, f: Fields) -> CallType:
    keys = f.array("ivr_keys", [])
    if not all(isinstance(k, str) for k in keys):
        raise ScenarioError(f'{f.path("ivr_keys")}: expected a list of keys as text, e.g. ["1"]')
    call_type = CallType(
        name=name,
        arrivals=parse_arrival_spec(f.raw("arrivals"), f.path("arrivals")),
        ivr_keys=tuple(keys),
        misroute=_share(f, "misroute", 0.0),
        talk=parse_duration(f.raw("talk"), f.path("talk")),
        acw=parse_duration(f.raw("acw", 0), f.path("acw")),
        p_hold=_share(f, "p_hold", 0.0),
        hold=parse_duration(f.raw("hold", 30), f.path("hold")),
        patience=parse_duration(f.raw("patience"), f.path("patience")),
        p_retrial=_share(f, "p_retrial", 0.0),
        retrial_delay=parse_duration(f.raw("retrial_delay", 600), f.path("retrial_delay")),
        p_transfer=_share(f, "p_transfer", 0.0),
        transfer_to=f.text("transfer_to", ""),
        p_sale=_share(f, "p_sale", 0.0),
        p_caller_hangup=_share(f, "p_caller_hangup", 0.6),
    )
    if call_type.p_transfer > 0 and not call_type.transfer_to:
        raise ScenarioError(f"{f.path('transfer_to')}: required when p_transfer > 0")
    f.finish()
    return call_type


def _parse_agent_group(f: Fields) -> AgentGroup:
    skills_fields = f.sub("skills")
    skills: dict[str, int] = {}
    for skill in skills_fields.table:
        level = skills_fields.integer(skill, minimum=1)
        if level > 10:
            raise ScenarioError(
                f"{skills_fields.path(skill)}: a skill level is 1 to 10, got {level}"
            )
        skills[skill] = level
    if not skills:
        raise ScenarioError(f"{skills_fields.where}: an agent group needs at least one skill")
    shifts = []
    for i, table in enumerate(f.array("shifts")):
        s = Fields(table, f.path(f"shifts[{i}]"))
        start = parse_clock(s.raw("start"), s.path("start"))
        window = s.array("lunch_window", ["11:00", "13:30"])
        if len(window) != 2:
            raise ScenarioError(f"{s.path('lunch_window')}: expected [start, end]")
        shifts.append(
            ShiftTemplate(
                name=s.text("name", f"shift{i}"),
                start_s=start,
                length_s=s.number("hours", minimum=0.5, maximum=24.0) * 3600,
                lunch_s=s.number("lunch_min", 0.0, minimum=0.0) * 60,
                lunch_window=(
                    parse_clock(window[0], s.path("lunch_window[0]")),
                    parse_clock(window[1], s.path("lunch_window[1]")),
                ),
                breaks=s.integer("breaks", 0, minimum=0),
                break_s=s.number("break_min", 15.0, minimum=0.0) * 60,
                weight=s.number("weight", 1.0, minimum=0.0, exclusive_minimum=True),
            )
        )
        s.finish()
    if not shifts:
        raise ScenarioError(f"{f.path('shifts')}: at least one shift template is required")
    group = AgentGroup(
        name=f.text("name"),
        count=f.integer("count", minimum=0),
        skills=skills,
        shifts=tuple(shifts),
        days_per_week=f.integer("days_per_week", 5, minimum=1),
        p_absent=_share(f, "p_absent", 0.0),
        p_late=_share(f, "p_late", 0.0),
        late=parse_duration(f.raw("late", 300), f.path("late")),
        p_aux_session=_share(f, "p_aux_session", 0.0),
        aux_session=parse_duration(f.raw("aux_session", 1800), f.path("aux_session")),
        handle_time_spread=f.number("handle_time_spread", 0.15, minimum=0.0, maximum=2.0),
        outbound=tuple(f.array("outbound", [])),
        deferred=_names(f, "deferred"),
        deferred_reserve=f.integer("deferred_reserve", 0, minimum=0),
    )
    if group.days_per_week > 7:
        raise ScenarioError(f"{f.path('days_per_week')}: at most 7, got {group.days_per_week}")
    f.finish()
    return group


def _names(f: Fields, key: str) -> tuple[str, ...]:
    values = f.array(key, [])
    if not all(isinstance(v, str) for v in values):
        raise ScenarioError(f'{f.path(key)}: expected a list of names, e.g. ["email"]')
    if len(set(values)) != len(values):
        raise ScenarioError(f"{f.path(key)}: a name is listed twice")
    return tuple(values)


def _parse_business_hours(f: Fields, center: Center) -> BusinessHours:
    hours = BusinessHours(
        open_s=parse_clock(f.raw("open", "") or _clock_text(center.open_s), f.path("open")),
        close_s=parse_clock(f.raw("close", "") or _clock_text(center.close_s), f.path("close")),
        days=f.text("days", "all", choices=BUSINESS_DAYS),
    )
    if hours.close_s > 86_400:
        raise ScenarioError(f"{f.path('close')}: at most 24:00")
    if hours.close_s <= hours.open_s:
        raise ScenarioError(f"{f.path('close')}: must be after business_hours.open")
    f.finish()
    return hours


def _clock_text(seconds: float) -> str:
    return f"{int(seconds) // 3600:02d}:{int(seconds) % 3600 // 60:02d}"


_CALLBACK_ONLY_KEYS = (
    "prep",
    "acw",
    "p_answer",
    "p_busy",
    "ring",
    "no_answer_after_s",
    "max_attempts",
    "retry_after",
)
_MESSAGE_ONLY_KEYS = ("p_followup", "followup_after")


def _parse_deferred_channel(f: Fields) -> DeferredChannel:
    name = f.text("name")
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ScenarioError(
            f"{f.path('name')}: use letters, digits, '_' or '-' (it names a queue), got {name!r}"
        )
    kind = f.text("channel", choices=DEFERRED_KINDS)
    callback = kind in CALLBACK_KINDS
    if kind == "voicemail":
        if f.has("arrivals"):
            raise ScenarioError(
                f"{f.path('arrivals')}: voicemails come from callers (IVR voicemail nodes, "
                "closed hours, queue timeouts to voicemail); remove arrivals"
            )
        arrivals = None
    else:
        arrivals = parse_arrival_spec(f.raw("arrivals"), f.path("arrivals"))
    expire = f.raw("expire_after_h", None)
    if expire is not None:
        expire = f.number("expire_after_h", minimum=0.0, exclusive_minimum=True) * 3600
    foreign = _MESSAGE_ONLY_KEYS if callback else _CALLBACK_ONLY_KEYS
    for key in foreign:
        if f.has(key):
            raise ScenarioError(f"{f.path(key)}: not used by {kind} channels")
    channel = DeferredChannel(
        name=name,
        kind=kind,
        enabled=f.boolean("enabled", True),
        arrivals=arrivals,
        handle=parse_duration(f.raw("handle"), f.path("handle")),
        target_s=f.number("target_minutes", minimum=0.0) * 60,
        business_hours=f.boolean("business_hours", True),
        expire_after_s=expire,
        p_followup=_share(f, "p_followup", 0.0),
        followup_after=parse_duration(f.raw("followup_after", 14_400), f.path("followup_after")),
        prep=parse_duration(f.raw("prep", 0), f.path("prep")),
        acw=parse_duration(f.raw("acw", 0), f.path("acw")),
        p_answer=_share(f, "p_answer", 0.7),
        p_busy=_share(f, "p_busy", 0.1),
        ring=parse_duration(
            f.raw("ring", {"dist": "lognormal", "mean": 12, "cv": 0.5}), f.path("ring")
        ),
        no_answer_after_s=f.number("no_answer_after_s", 30.0, minimum=1.0),
        max_attempts=f.integer("max_attempts", 3, minimum=1),
        retry_after=parse_duration(f.raw("retry_after", 1800), f.path("retry_after")),
    )
    if channel.p_answer + channel.p_busy > 1:
        raise ScenarioError(f"{f.path('p_busy')}: p_answer + p_busy must not exceed 1")
    if channel.p_followup == 1:
        raise ScenarioError(f"{f.path('p_followup')}: must be below 1 (an item must end)")
    f.finish()
    return channel


def _parse_survey(f: Fields) -> Survey:
    scale = f.integer("scale", 3)
    if scale not in SURVEY_SCALES:
        raise ScenarioError(f"{f.path('scale')}: expected 3 or 5, got {scale}")
    default_cuts = [-1.7, -0.4] if scale == 3 else [-2.5, -1.5, -0.5, 0.8]
    raw_cuts = f.array("cutpoints", default_cuts)
    cuts = tuple(check_number(v, f"{f.path('cutpoints')}[{i}]") for i, v in enumerate(raw_cuts))
    if len(cuts) != scale - 1:
        raise ScenarioError(
            f"{f.path('cutpoints')}: a {scale}-point scale needs {scale - 1} cutpoints, "
            f"got {len(cuts)}"
        )
    if any(b <= a for a, b in pairwise(cuts)):
        raise ScenarioError(f"{f.path('cutpoints')}: must be strictly increasing, got {list(cuts)}")
    d = f.sub("drivers", {})
    survey = Survey(
        enabled=f.boolean("enabled", True),
        share=_share(f, "share"),
        p_response=_share(f, "p_response", 0.4),
        scale=scale,
        repeat_window_s=f.number("repeat_window_h", 72.0, minimum=0.0) * 3600,
        cutpoints=cuts,
        agent_quality=d.number("agent_quality", 0.9),
        wait_per_min=d.number("wait_per_min", -0.35),
        transfer=d.number("transfer", -0.8),
        repeat_call=d.number("repeat_call", -0.6),
    )
    d.finish()
    f.finish()
    return survey


def _parse_campaign(name: str, f: Fields) -> Campaign:
    weekdays = f.array("weekdays", [0, 1, 2, 3, 4])
    if not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays):
        raise ScenarioError(f"{f.path('weekdays')}: expected weekday numbers 0 (Mon) to 6 (Sun)")
    campaign = Campaign(
        name=name,
        mode=f.text("mode", choices=CAMPAIGN_MODES),
        start_s=parse_clock(f.raw("start", "10:00"), f.path("start")),
        end_s=parse_clock(f.raw("end", "18:00"), f.path("end")),
        weekdays=tuple(weekdays),
        list_per_day=f.integer("list_per_day", minimum=0),
        p_answer=_share(f, "p_answer"),
        p_busy=_share(f, "p_busy", 0.1),
        ring=parse_duration(
            f.raw("ring", {"dist": "lognormal", "mean": 12, "cv": 0.5}), f.path("ring")
        ),
        no_answer_after_s=f.number("no_answer_after_s", 30.0, minimum=1.0),
        preview=parse_duration(f.raw("preview", 20), f.path("preview")),
        talk=parse_duration(f.raw("talk"), f.path("talk")),
        acw=parse_duration(f.raw("acw", 30), f.path("acw")),
        max_pacing=f.number("max_pacing", 2.0, minimum=1.0),
        caller_id=f.text("caller_id", ""),
    )
    if campaign.p_answer + campaign.p_busy > 1:
        raise ScenarioError(f"{f.path('p_busy')}: p_answer + p_busy must not exceed 1")
    f.finish()
    return campaign


def _check_references(s: Scenario) -> None:
    """Cross-references: every name a field points at must exist."""
    if s.ivr_root not in s.ivr:
        raise ScenarioError(f"ivr.root: no node named {s.ivr_root!r}")
    for node in s.ivr.values():
        for choice in node.choices:
            if choice.target not in s.ivr:
                raise ScenarioError(
                    f"ivr.nodes.{node.name}.choices.{choice.key}: no node named {choice.target!r}"
                )
        if node.fallback and node.fallback not in s.ivr:
            raise ScenarioError(f"ivr.nodes.{node.name}.fallback: no node named {node.fallback!r}")
        if node.kind == "selfservice" and not node.fallback:
            raise ScenarioError(f"ivr.nodes.{node.name}.fallback: a selfservice node needs one")
        if node.kind == "queue" and node.queue not in s.queues:
            raise ScenarioError(f"ivr.nodes.{node.name}.queue: no queue named {node.queue!r}")
    skills = {skill for group in s.agent_groups for skill in group.skills}
    for queue in s.queues.values():
        if queue.on_timeout.startswith("queue:"):
            target = queue.on_timeout.removeprefix("queue:")
            if target not in s.queues or target == queue.name:
                raise ScenarioError(
                    f"queues.{queue.name}.on_timeout: no other queue named {target!r}"
                )
        if queue.skill not in skills:
            raise ScenarioError(
                f"queues.{queue.name}.skill: no agent group has skill {queue.skill!r}"
            )
    for call_type in s.call_types.values():
        node = s.ivr[s.ivr_root]
        for depth, key in enumerate(call_type.ivr_keys):
            targets = {c.key: c.target for c in node.choices}
            if key not in targets:
                where = f"call_types.{call_type.name}.ivr_keys[{depth}]"
                raise ScenarioError(f"{where}: node {node.name!r} has no choice {key!r}")
            node = s.ivr[targets[key]]
        if call_type.transfer_to and call_type.transfer_to not in s.queues:
            raise ScenarioError(
                f"call_types.{call_type.name}.transfer_to: no queue named {call_type.transfer_to!r}"
            )
    taken = {**{q: "a queue" for q in s.queues}, **{c: "a campaign" for c in s.campaigns}}
    taken.update({r: "an aux reason" for r in AUX_REASONS})
    taken["callback"] = "the voice callback reason"
    for i, channel in enumerate(s.deferred_channels.values()):
        if channel.name in taken:
            raise ScenarioError(
                f"deferred_channels[{i}].name: {channel.name!r} is already {taken[channel.name]}"
            )
    for group in s.agent_groups:
        for campaign in group.outbound:
            if campaign not in s.campaigns:
                raise ScenarioError(f"agent group {group.name}: no campaign named {campaign!r}")
        for name in group.deferred:
            if name not in s.deferred_channels:
                raise ScenarioError(
                    f"agent group {group.name}.deferred: no deferred channel named {name!r}"
                )
    voicemail = []
    for i, channel in enumerate(s.deferred_channels.values()):
        if not channel.enabled:
            continue
        if channel.kind == "voicemail":
            voicemail.append(channel.name)
        if not any(channel.name in group.deferred for group in s.agent_groups):
            raise ScenarioError(
                f"deferred_channels[{i}]: no agent group works {channel.name!r} "
                f'(add it to an agent group\'s deferred = ["{channel.name}"])'
            )
    if len(voicemail) > 1:
        raise ScenarioError(
            f"deferred_channels: at most one enabled voicemail channel, got {', '.join(voicemail)}"
        )
