"""The discrete-event contact-center engine.

One heap-ordered event loop: every event is ``(time_s, sequence, handler, argument)``;
the sequence number breaks ties in creation order, so a run is a pure function of
``(scenario, start, days, seed)`` and writes byte-identical files every time.

The events are kept in two heaps split at a moving horizon (``Simulation.at``): ``heap``
holds every event before the horizon, ``later`` the rest (mostly order events due days
ahead, and the day's breaks and logouts). The loop pops ``heap``; when it runs dry, the
next hour of ``later`` moves over. Since every event in ``later`` is at or after the
horizon and every event in ``heap`` before it, the events run in exactly the
``(time_s, sequence)`` order one heap would give, while the heap the loop pops stays a
few hundred events deep instead of growing with the run's future order events.

Randomness comes from independent streams (arrivals, IVR, service times, patience,
routing, agents, customers, orders, outbound, recordings, and for the optional features
deferred arrivals, deferred work and the survey), each seeded from the run's seed through
``numpy.random.SeedSequence``: changing, say, the order spec does not change the calls,
and a scenario whose deferred channels and survey are disabled (or absent) writes exactly
the voice files it wrote before those features existed.

Call flow (inbound): arrival -> trunk check -> opening hours -> IVR walk -> queue ->
(callback offer | ring agent -> ring-no-answer? -> next agent | patience expires ->
ABANDON | queue timeout -> overflow queue / voicemail / hangup) -> talk (with holds) ->
transfer to another queue or complete -> after-call work -> agent ready.

Routing: within a queue, higher priority first, FIFO within a priority class; an
arriving call goes to the idle agent with the best level in the queue's skill, the
longest-idle one among equals; a freed agent takes the best waiting call over all their
skills (priority, then their own level for the skill, then the longest wait). A returning
customer whose last agent is idle and skilled goes to that agent (last-agent routing).

Blending (deferred contacts, ``acd.deferred``): voice first. A freed agent takes a waiting
call, else a voice callback request, else, if their group lists deferred channels and the
center is open, the oldest queued deferred item of those channels; only then do they go
idle. A new (or re-queued) item wakes the longest-idle agent who works its channel. An
agent on an e-mail/SMS is in state ``deferred`` (reason = the channel name, call_id = the
contact id) and not rung (app_queue sees the member's custom device state in use, so
queue_log shows nothing); a callback is ``deferred`` while reading or listening, then
``dialing``/``talking``/``acw`` with the channel name as reason and an empty queue, and a
Master.csv row with the channel name as accountcode and ``contact=<id>`` as userfield.

Survey: a share of answered calls that end without a transfer is sent to the survey IVR
(the agent hangs up first: COMPLETEAGENT); the caller's A-leg then ends in ``Read``
after the survey (see ``acd.survey`` for the score model).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from heapq import heappop, heappush
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from acd import asterisk as ql
from acd.agents import Activity, build_agents, template_plan
from acd.arrivals import day_start_epoch, generate_arrivals
from acd.business_hours import BusinessHours, every_day
from acd.calendar import DayInfo, china_calendar, is_working_day
from acd.customers import CustomerBase
from acd.deferred import (
    CLOSED,
    MAX_SESSIONS,
    PENDING,
    QUEUED,
    WORKING,
    ChannelState,
    DeferredItem,
    HourlyBacklog,
    oldest,
)
from acd.ivr import walk_ivr
from acd.orders import OrderBook
from acd.records import (
    AgentQuality,
    AgentStateEvent,
    CallTruth,
    CdrRecord,
    Contact,
    Order,
    OrderEvent,
    OutboundAttempt,
    RecordingMeta,
    SurveyResponse,
    SurveyTruth,
)
from acd.routing import (
    DONE,
    IN_IVR,
    RINGING,
    TALKING,
    WAITING,
    AgentState,
    Call,
    CallbackRequest,
    CampaignState,
    QueueState,
    Router,
)
from acd.scenario import CallType, Scenario
from acd.survey import draw_score, linear_predictor

STREAMS = (
    "arrivals",
    "ivr",
    "service",
    "patience",
    "routing",
    "agents",
    "customers",
    "orders",
    "outbound",
    "recordings",
    # Streams of the optional features: appended, so the ones above keep their seeds.
    "deferred_arrivals",
    "deferred",
    "survey",
)


# How far past the earliest event of ``Simulation.later`` the horizon moves when the
# loop's heap runs dry: an hour keeps the loop's heap to the calls in progress and the
# hour's other events, while few of the calls' own events land beyond the horizon.
HORIZON_STEP_S = 3600.0


@dataclass
class Summary:
    """What a run did. ``service_level`` per queue = answered within the queue's target
    / (answered + abandoned + timed out): visits that left with a key (callback) are excluded."""

    scenario: str
    seed: int
    start: str
    days: int
    agents: int
    calls: int = 0
    congestion: int = 0
    closed: int = 0
    ivr_dropped: int = 0
    ivr_selfserved: int = 0
    voicemails: int = 0
    retrials: int = 0
    callbacks_completed: int = 0
    outbound_attempts: dict[str, int] = field(default_factory=dict)
    orders: int = 0
    order_events: int = 0
    queues: dict[str, dict[str, float]] = field(default_factory=dict)
    # per deferred channel: arrived, carried (still open in the earlier run, --append),
    # resolved, failed, abandoned, open (at the end of the period), responded (first
    # response within the period), responded_in_target
    deferred: dict[str, dict[str, int]] = field(default_factory=dict)
    surveys: dict[str, int] = field(default_factory=dict)  # offered, answered
    files: dict[str, int] = field(default_factory=dict)
    calendar_notes: list[str] = field(default_factory=list)


class Simulation:
    """Run a scenario for ``days`` local days from ``start`` and feed ``writer``."""

    def __init__(
        self,
        scenario: Scenario,
        start: date,
        days: int,
        seed: int,
        writer: Any,
        roster: dict[tuple[str, date], list[Activity]] | None = None,
        carried: Sequence[Contact] = (),
    ) -> None:
        if days < 1:
            raise ValueError("days must be at least 1")
        self.scenario = scenario
        self.writer = writer
        self.tz = scenario.center.timezone
        self.zone = ZoneInfo(self.tz)
        self._offsets: dict[int, int] = {}
        # local day number -> FreePBX recording folder and stamp prefix (_freepbx_stamp)
        self._stamp_days: dict[int, tuple[str, str]] = {}
        self.start = start
        self._start_stamp = f"{start:%Y%m%d}"  # in the ids of recordings, attempts, contacts
        self.days = days
        self.seed = seed
        self.roster = roster
        seeds = np.random.SeedSequence(seed).spawn(len(STREAMS))
        self.np_rng = {
            name: np.random.default_rng(s) for name, s in zip(STREAMS, seeds, strict=True)
        }
        self.rng = {
            name: random.Random(int(s.generate_state(2, np.uint64)[0]))
            for name, s in zip(STREAMS, seeds, strict=True)
        }
        # The event heaps (see the module docstring): ``heap`` holds the events before
        # ``_horizon_s``, ``later`` those at or after it. Everything starts in ``later``.
        self.heap: list[tuple[float, int, Callable[[float, Any], None], Any]] = []
        self.later: list[tuple[float, int, Callable[[float, Any], None], Any]] = []
        self._horizon_s = -math.inf
        self._seq = itertools.count()
        self._channel_seq = itertools.count(1)
        self.calendar: list[DayInfo] = china_calendar(start, start + timedelta(days=days - 1))
        self.end_s = day_start_epoch(start + timedelta(days=days), self.tz)
        self.customers = CustomerBase(scenario.customers, self.np_rng["customers"])
        self.orders = OrderBook(scenario.orders, self.rng["orders"], self.tz)
        priorities = max(t.priority for t in scenario.customers.tiers) + 1
        self.queues = {name: QueueState(q, priorities) for name, q in scenario.queues.items()}
        self.campaigns = {name: CampaignState(c) for name, c in scenario.campaigns.items()}
        self.agents: list[AgentState] = []
        for profile in build_agents(scenario, self.rng["agents"]):
            queues = [q for q in self.queues.values() if q.spec.skill in profile.group.skills]
            campaigns = [self.campaigns[c] for c in profile.group.outbound]
            agent = AgentState(profile, queues, campaigns)
            self.agents.append(agent)
            for campaign in campaigns:
                campaign.agents.append(agent)
        self.router = Router(self.queues, self.agents, scenario.customers.last_agent_window_s)
        self.lines_in_use = 0
        self.active_calls = 0
        self.summary = Summary(scenario.name, seed, start.isoformat(), days, len(self.agents))
        self._recording_seq = itertools.count(1)
        self._attempt_seq = itertools.count(1)
        self._call_types = list(scenario.call_types.values())
        self._pacer: tuple[Callable[[float], None], float] | None = None
        self._common_day_factors: np.ndarray | None = None
        self._arrivals = self._generate_arrivals()
        self._setup_survey()
        self._carry_notes: list[str] = []
        self._setup_deferred()
        self._carry_over(carried)

    # ----------------------------------------------------------------- event plumbing
    def at(self, t: float, handler: Callable[[float, Any], None], arg: Any = None) -> None:
        """Schedule ``handler(t, arg)``; events at the same ``t`` run in scheduling order."""
        if t < self._horizon_s:
            heappush(self.heap, (t, next(self._seq), handler, arg))
        else:
            heappush(self.later, (t, next(self._seq), handler, arg))

    def _advance_horizon(self) -> None:
        """``heap`` ran dry: move the next ``HORIZON_STEP_S`` of ``later`` into it."""
        later = self.later
        heap = self.heap
        horizon = later[0][0] + HORIZON_STEP_S
        self._horizon_s = horizon
        heappush(heap, heappop(later))  # the earliest event moves whatever its time
        while later and later[0][0] < horizon:
            heappush(heap, heappop(later))

    def new_uniqueid(self, t: float) -> tuple[str, int]:
        """Asterisk's uniqueid: ``<epoch seconds>.<channel counter>``."""
        n = next(self._channel_seq)
        return f"{int(t)}.{n}", n

    def pace(self, pacer: Callable[[float], None], every_s: float = 60.0) -> None:
        """Call ``pacer(sim_time)`` every ``every_s`` simulated seconds (live mode)."""
        self._pacer = (pacer, every_s)

    def _on_tick(self, t: float, _arg: None) -> None:
        pacer, every_s = self._pacer
        pacer(t)
        if t + every_s < self.end_s:
            self.at(t + every_s, self._on_tick)

    def run(self, progress: Callable[[int], None] | None = None) -> Summary:
        """Process events until the last day ends and every call in progress has ended.

        ``progress(n)`` is called with the number of days completed, as each day ends.
        """
        first_day = day_start_epoch(self.start, self.tz)
        self.at(first_day, self._on_day_start, 0)
        if self._arrivals[0]:
            self.at(self._arrivals[0][0], self._on_arrival, 0)
        if self.deferred and self._contact_arrivals[0]:
            self.at(self._contact_arrivals[0][0], self._on_contact_arrival, 0)
        if self._pacer is not None:
            self.at(first_day, self._on_tick)
        heap = self.heap
        later = self.later
        pop = heappop
        end_s = self.end_s
        on_day_start = self._on_day_start  # bound once, not once per event
        while heap or later:
            if not heap:
                self._advance_horizon()
            t, _, handler, arg = pop(heap)
            if t >= end_s and self.active_calls == 0:
                break  # the last day is over and every call in progress has ended
            if progress is not None and handler == on_day_start and arg:
                progress(arg)  # days completed so far
            handler(t, arg)
        if progress is not None:
            progress(self.days)
        if self.deferred:
            self._finish_deferred()
        self._finish_summary()
        return self.summary

    # ----------------------------------------------------------------------- days
    def _on_day_start(self, t: float, day_index: int) -> None:
        info = self.calendar[day_index]
        self.writer.start_day(info.date)
        if day_index == 0:
            # The queue logger starts with the run; written after start_day so that a run
            # continuing a landing folder (append) writes it into the new day's file.
            self.writer.queue_log(ql.queuestart(t))
        next_start = day_start_epoch(info.date + timedelta(days=1), self.tz)
        if day_index + 1 < self.days:
            self.at(next_start, self._on_day_start, day_index + 1)
        self._schedule_agents(info, t)
        for when, record in self.orders.offline_orders_for_day(t, next_start, self.customers.ids):
            self.at(when, self._on_order_record, record)
        for campaign in self.campaigns.values():
            spec = campaign.spec
            active = info.date.weekday() in spec.weekdays and info.is_working_day
            campaign.remaining_today = spec.list_per_day if active else 0
            if active:
                self.at(t + spec.start_s, self._on_campaign_open, campaign)
        if self.deferred:
            for row in self._backlog.rows_until(day_index):
                self.writer.deferred_backlog(row)
            if self.scenario.center.open_s > 0:
                self.at(t + self.scenario.center.open_s, self._on_deferred_open)

    def _generate_arrivals(self) -> tuple[array, array]:
        """All first-attempt arrivals of the run, merged over call types in time order.

        Generated up front (vectorised; a year of a 300-agent center is a few million
        floats) and fed to the heap one at a time, so the heap stays small.
        """
        rng = self.np_rng["arrivals"]
        common = None
        if self.scenario.common_dispersion_cv > 0:
            cv = self.scenario.common_dispersion_cv
            common = rng.gamma(1 / cv**2, cv**2, size=len(self.calendar))
            self._common_day_factors = common
        times_parts, type_parts = [], []
        for type_index, call_type in enumerate(self._call_types):
            times = generate_arrivals(
                call_type.arrivals, self.calendar, self.tz, rng, common_day_factors=common
            )
            times_parts.append(times)
            type_parts.append(np.full(len(times), type_index, dtype=np.int32))
        times = np.concatenate(times_parts)
        order = np.argsort(times, kind="stable")
        # array.array: 8 bytes a time (a list of floats takes 32) and still hands out
        # plain Python floats, which the heap compares fastest.
        return array("d", times[order]), array("i", np.concatenate(type_parts)[order])

    def _schedule_agents(self, info: DayInfo, day_start_s: float) -> None:
        rng = self.rng["agents"]
        for agent in self.agents:
            if self.roster is not None:
                plan = self.roster.get((agent.id, info.date), [])
            else:
                plan = template_plan(agent.profile, info.date, day_start_s, rng)
            if not plan:
                continue
            group = agent.profile.group
            if group.p_absent and rng.random() < group.p_absent:
                continue  # unplanned absence: scheduled, never logs in
            shift = plan[0]
            late = group.late.sample(rng) if group.p_late and rng.random() < group.p_late else 0.0
            login_s = shift.start_s + late
            if login_s <= day_start_s:
                # A shift starting at midnight continues a shift ending at midnight: log
                # in before yesterday's logout fires, so the queue never looks empty.
                self._on_login(day_start_s, (agent, shift.end_s))
            else:
                self.at(login_s, self._on_login, (agent, shift.end_s))
            for activity in plan[1:]:
                self.at(activity.start_s, self._on_aux_due, (agent, activity))

    # ------------------------------------------------------------------- arrivals
    def _on_arrival(self, t: float, index: int) -> None:
        times, types = self._arrivals
        if index + 1 < len(times):
            self.at(times[index + 1], self._on_arrival, index + 1)
        call_type = self._call_types[types[index]]
        customer, number = self.customers.draw_caller(self.rng["customers"])
        self._start_call(t, call_type, customer, number)

    def inject_call(
        self, t: float, call_type: str, number: str, customer: int = -1, priority: int = 0
    ) -> None:
        """Schedule one extra inbound call (on top of the scenario's arrivals).

        For replaying a known arrival stream, what-if checks and tests of routing rules.
        ``customer`` is an index into the customer base (-1: a number the CRM does not know).
        """
        if call_type not in self.scenario.call_types:
            raise ValueError(f"unknown call type {call_type!r}")
        levels = max(t.priority for t in self.scenario.customers.tiers) + 1
        if not 0 <= priority < levels:
            raise ValueError(f"priority must be 0 to {levels - 1}, got {priority}")
        self.at(
            t, self._on_injected, (self.scenario.call_types[call_type], customer, number, priority)
        )

    def _on_injected(self, t: float, arg: tuple[CallType, int, str, int]) -> None:
        call_type, customer, number, priority = arg
        self._start_call(t, call_type, customer, number, priority)

    def _on_retrial(self, t: float, arg: tuple[CallType, int, str]) -> None:
        if t >= self.end_s:
            return
        self.summary.retrials += 1
        call_type, customer, number = arg
        self._start_call(t, call_type, customer, number)

    def _start_call(
        self, t: float, call_type: CallType, customer: int, number: str, priority: int = -1
    ) -> None:
        center = self.scenario.center
        call_id, n = self.new_uniqueid(t)
        if priority < 0:
            priority = self.customers.priorities[customer] if customer >= 0 else 0
        call = Call(call_id, f"PJSIP/trunk-{n:08x}", call_type, customer, number, priority, t)
        if self._survey is not None:
            last = self._last_call_by_number.get(number)
            call.repeat = last is not None and t - last <= self._survey.repeat_window_s
            self._last_call_by_number[number] = t
        self.summary.calls += 1
        if self.lines_in_use >= center.trunk_lines:
            self.summary.congestion += 1
            self._cdr(call, t, None, t, "", "Congestion", "", "CONGESTION", "ivr=;end=congestion")
            return
        self.lines_in_use += 1
        self.active_calls += 1
        local_s = self._local_seconds(t)
        if not (center.open_s <= local_s < center.close_s):
            self.summary.closed += 1
            self._closed_call(call, t)
            return
        walk = walk_ivr(self.scenario.ivr, self.scenario.ivr_root, call_type, self.rng["ivr"])
        call.ivr_userfield = "ivr=" + "/".join(walk.keys) + ";end=" + walk.outcome
        self.at(t + walk.duration_s, self._on_ivr_done, (call, walk))

    def _closed_call(self, call: Call, t: float) -> None:
        rng = self.rng["ivr"]
        greeting = 15.0 + rng.random() * 10
        if rng.random() < self.scenario.center.closed_voicemail_share:
            self.summary.voicemails += 1
            end = t + greeting + 20 + rng.expovariate(1 / 40)
            call.ivr_userfield = "ivr=closed;end=voicemail"
            self.at(
                end, self._on_hangup, (call, "VoiceMail", f"{self.scenario.center.did}@default")
            )
        else:
            call.ivr_userfield = "ivr=closed;end=hangup"
            self.at(t + greeting * rng.random(), self._on_hangup, (call, "Playback", "closed"))

    def _on_ivr_done(self, t: float, arg: tuple[Call, Any]) -> None:
        call, walk = arg
        outcome = walk.outcome
        if outcome == "queue":
            queue = self.queues[walk.queue]
            self.writer.queue_log(ql.did(t, call.call_id, self.scenario.center.did, queue.name))
            if queue.members:
                self._enqueue(call, queue, t)
            else:  # joinempty=no
                self._after_queue(call, queue, t)
            return
        if outcome == "dropped":
            self.summary.ivr_dropped += 1
            self._finish(call, t, "BackGround", walk.path[-1])
        elif outcome == "selfserved":
            self.summary.ivr_selfserved += 1
            self._finish(call, t, "Playback", walk.path[-1])
        elif outcome == "voicemail":
            self.summary.voicemails += 1
            rng = self.rng["ivr"]
            self.at(
                t + 20 + rng.expovariate(1 / 40),
                self._on_hangup,
                (call, "VoiceMail", f"{self.scenario.center.did}@default"),
            )
        else:
            self._finish(call, t, "Hangup", "")

    def _on_hangup(self, t: float, arg: tuple[Call, str, str]) -> None:
        call, app, data = arg
        if app == "VoiceMail" and self._voicemail is not None and t < self.end_s:
            self._new_contact(self._voicemail, t, call.customer, call.number, call.call_id)
        self._finish(call, t, app, data)

    # --------------------------------------------------------------------- queues
    def _enqueue(self, call: Call, queue: QueueState, t: float) -> None:
        call.visit += 1
        call.queue = queue
        call.enter_s = t
        call.tried = set()
        if call.first_enter_s < 0:
            call.first_enter_s = t
            call.patience_deadline_s = t + call.call_type.patience.sample(self.rng["patience"])
        position = self.router.position_on_entry(queue, call.priority)
        call.orig_position = position
        queue.stats.offered += 1
        self.writer.queue_log(ql.enterqueue(t, call.call_id, queue.name, call.number, position))
        spec = queue.spec
        if call.patience_deadline_s < self.end_s + 86_400:
            self.at(call.patience_deadline_s, self._on_patience, (call, call.visit))
        if spec.timeout_s is not None:
            self.at(t + spec.timeout_s, self._on_queue_timeout, (call, call.visit))
        call.state = WAITING
        agent = self.router.find_agent(queue, call, t)
        if agent is not None:
            self._ring(call, agent, t)
            return
        self.router.push(call)
        callback = spec.callback
        if callback is not None and queue.holdtime_s > callback.offer_when_wait_s:
            rng = self.rng["routing"]
            if rng.random() < callback.p_accept:
                self.at(t + 10 + rng.random() * 20, self._on_callback_key, (call, call.visit))

    def _on_patience(self, t: float, arg: tuple[Call, int]) -> None:
        call, visit = arg
        if call.visit != visit or call.state not in (WAITING, RINGING):
            return
        queue = call.queue
        rung_agent = None
        if call.state == RINGING:
            rung_agent = call.agent
            ring_ms = int((t - call.ring_start_s) * 1000)
            self.writer.queue_log(
                ql.ringcanceled(t, call.call_id, queue.name, rung_agent.id, ring_ms)
            )
            self._cdr_leg_no_answer(call, rung_agent, t)
            call.agent = None
            rung_agent.call = None
            position = 1
        else:
            position = self.router.leave(call)
        call.state = DONE
        waited = int(t) - int(call.enter_s)
        self.writer.queue_log(
            ql.abandon(t, call.call_id, queue.name, position, call.orig_position, waited)
        )
        queue.stats.abandoned += 1
        self._truth(call, "abandoned", t)
        ct = call.call_type
        if ct.p_retrial and self.rng["patience"].random() < ct.p_retrial:
            delay = ct.retrial_delay.sample(self.rng["patience"])
            self.at(t + delay, self._on_retrial, (ct, call.customer, call.number))
        self._finish(call, t, "Queue", queue.name)
        if rung_agent is not None:
            self._agent_ready(rung_agent, t)

    def _on_queue_timeout(self, t: float, arg: tuple[Call, int]) -> None:
        call, visit = arg
        if call.visit != visit or call.state != WAITING:
            return  # a ringing call finishes its ring first, as app_queue does
        queue = call.queue
        position = self.router.leave(call)
        waited = int(t) - int(call.enter_s)
        self.writer.queue_log(
            ql.exitwithtimeout(t, call.call_id, queue.name, position, call.orig_position, waited)
        )
        queue.stats.timed_out += 1
        call.waited_s += t - call.enter_s
        self._truth(call, "timeout", t)
        self._after_queue(call, queue, t)

    def _after_queue(self, call: Call, queue: QueueState, t: float, hops: int = 0) -> None:
        """Where the dialplan sends a caller who left ``queue`` without an agent."""
        target = queue.spec.on_timeout
        if target.startswith("queue:") and hops < len(self.queues):
            following = self.queues[target.removeprefix("queue:")]
            if following.members:
                self._enqueue(call, following, t)
            else:  # joinempty=no: Queue() refuses the caller, the dialplan goes on
                self._after_queue(call, following, t, hops + 1)
            return
        call.state = DONE
        if target == "voicemail":
            self.summary.voicemails += 1
            end = t + 20 + self.rng["ivr"].expovariate(1 / 40)
            self.at(end, self._on_hangup, (call, "VoiceMail", f"{queue.name}@default"))
        else:
            self._finish(call, t, "Queue", queue.name)

    def _empty_queue(self, queue: QueueState, t: float) -> None:
        """The last member left (leavewhenempty=yes): every waiting caller exits (EXITEMPTY)."""
        for call in self.router.waiting_calls(queue):
            position = self.router.leave(call)
            waited = int(t) - int(call.enter_s)
            self.writer.queue_log(
                ql.exitempty(t, call.call_id, queue.name, position, call.orig_position, waited)
            )
            queue.stats.exited_empty += 1
            call.waited_s += t - call.enter_s
            call.state = IN_IVR  # between queues; stale timers see a changed state
            self._truth(call, "exitempty", t)
            self._after_queue(call, queue, t)

    def _on_callback_key(self, t: float, arg: tuple[Call, int]) -> None:
        call, visit = arg
        if call.visit != visit or call.state != WAITING:
            return
        queue = call.queue
        spec = queue.spec.callback
        position = self.router.leave(call)
        waited = int(t) - int(call.enter_s)
        self.writer.queue_log(
            ql.exitwithkey(
                t, call.call_id, queue.name, spec.key, position, call.orig_position, waited
            )
        )
        call.state = DONE
        queue.stats.exited_with_key += 1
        self._truth(call, "exitwithkey", t)
        queue.callbacks.append(
            CallbackRequest(call.call_id, call.number, call.customer, queue.name, t, call.call_type)
        )
        self._finish(call, t + 3, "Queue", queue.name)
        self._wake_idle_for(queue, t)

    def _ring(self, call: Call, agent: AgentState, t: float) -> None:
        self.router.pool_remove(agent)
        call.state = RINGING
        call.agent = agent
        call.ring_start_s = t
        uid, n = self.new_uniqueid(t)
        call.ring_uid = uid
        call.ring_channel = f"PJSIP/{agent.channel_ext}-{n:08x}"
        agent.call = call
        self._set_state(agent, t, "ringing", "", call.call_id, call.queue.name)
        spec = call.queue.spec
        rng = self.rng["routing"]
        if spec.p_ring_no_answer and rng.random() < spec.p_ring_no_answer:
            self.at(t + spec.ring_timeout_s, self._on_ring_no_answer, (call, call.visit))
        else:
            ring = min(spec.ring.sample(rng), spec.ring_timeout_s)
            self.at(t + ring, self._on_answer, (call, call.visit))

    def _on_ring_no_answer(self, t: float, arg: tuple[Call, int]) -> None:
        call, visit = arg
        if call.visit != visit or call.state != RINGING:
            return
        agent = call.agent
        queue = call.queue
        ring_ms = int((t - call.ring_start_s) * 1000)
        self.writer.queue_log(ql.ringnoanswer(t, call.call_id, queue.name, agent.id, ring_ms))
        self._cdr_leg_no_answer(call, agent, t)
        call.tried.add(agent)
        call.agent = None
        agent.call = None
        call.state = WAITING
        next_agent = self.router.find_agent(queue, call, t)
        if next_agent is not None:
            self._ring(call, next_agent, t)
        else:
            self.router.push(call, front=True)
        self._agent_ready(agent, t)

    def _on_answer(self, t: float, arg: tuple[Call, int]) -> None:
        call, visit = arg
        if call.visit != visit or call.state != RINGING:
            return
        agent = call.agent
        queue = call.queue
        call.state = TALKING
        call.answer_s = t
        holdtime = ql.holdtime_s(call.enter_s, t)
        ring_s = int(t) - int(call.ring_start_s)
        call.agent_channel = call.ring_channel
        self.writer.queue_log(
            ql.connect(t, call.call_id, queue.name, agent.id, holdtime, call.ring_uid, ring_s)
        )
        queue.holdtime_s = (3 * queue.holdtime_s + (t - call.enter_s)) / 4
        call.waited_s += t - call.enter_s
        stats = queue.stats
        stats.answered += 1
        stats.wait_answered_s += t - call.enter_s
        if t - call.enter_s <= queue.spec.sl_target_s:
            stats.answered_within_target += 1
        rng = self.rng["service"]
        ct = call.call_type
        talk = ct.talk.sample(rng) * agent.profile.handle_factor
        hold = 0.0
        self._set_state(agent, t, "talking", "", call.call_id, queue.name)
        if ct.p_hold and rng.random() < ct.p_hold:
            hold = ct.hold.sample(rng)
            hold_start = t + talk * (0.2 + 0.5 * rng.random())
            self.at(hold_start, self._on_hold, (agent, call, hold_start + hold))
        call.talk_s = talk
        call.hold_s = hold
        self.at(t + talk + hold, self._on_talk_end, (call, agent))

    def _on_hold(self, t: float, arg: tuple[AgentState, Call, float]) -> None:
        agent, call, until = arg
        self._set_state(agent, t, "hold", "", call.call_id, call.queue.name)
        self.at(until, self._on_unhold, (agent, call))

    def _on_unhold(self, t: float, arg: tuple[AgentState, Call]) -> None:
        agent, call = arg
        if agent.call is call and agent.state == "hold":
            self._set_state(agent, t, "talking", "", call.call_id, call.queue.name)

    def _on_talk_end(self, t: float, arg: tuple[Call, AgentState]) -> None:
        call, agent = arg
        queue = call.queue
        ct = call.call_type
        rng = self.rng["service"]
        holdtime = ql.holdtime_s(call.enter_s, call.answer_s)
        calltime = int(t) - int(call.answer_s)
        acw = ct.acw.sample(rng)
        self._recording(call, agent, t)
        surveyed = False
        transfer = ct.p_transfer and rng.random() < ct.p_transfer and ct.transfer_to != queue.name
        if transfer:
            target = self.queues[ct.transfer_to]
            self.writer.queue_log(
                ql.blindtransfer(
                    t,
                    call.call_id,
                    queue.name,
                    agent.id,
                    target.name,
                    "ext-queues",
                    holdtime,
                    calltime,
                    call.orig_position,
                )
            )
        else:
            caller_first = rng.random() < ct.p_caller_hangup
            if self._survey is not None and self.rng["survey"].random() < self._survey.share:
                surveyed = True
                caller_first = False  # the agent hangs up to send the caller to the survey
            end = ql.completecaller if caller_first else ql.completeagent
            self.writer.queue_log(
                end(t, call.call_id, queue.name, agent.id, holdtime, calltime, call.orig_position)
            )
        self._truth(call, "answered", call.answer_s, agent, acw, target.name if transfer else "")
        self._cdr_leg_answered(call, agent, t)
        self.router.remember_last_agent(call.customer, agent, t)
        if ct.p_sale and rng.random() < ct.p_sale:
            customer_id = self.customers.ids[call.customer] if call.customer >= 0 else ""
            for when, record in self.orders.book_from_call(t, call.call_id, agent.id, customer_id):
                self.at(when, self._on_order_record, record)
        agent.call = None
        self._set_state(agent, t, "acw", "", call.call_id, queue.name)
        self.at(t + acw, self._on_acw_end, agent)
        if transfer:
            call.state = WAITING
            call.agent = None
            call.transfers += 1
            call.first_enter_s = -1.0  # a transferred caller's patience starts afresh
            self._enqueue(call, target, t)
        elif surveyed:
            call.state = DONE
            self._offer_survey(call, agent, t)
        else:
            call.state = DONE
            self._finish(call, t, "Queue", queue.name)

    def _on_acw_end(self, t: float, agent: AgentState) -> None:
        if agent.state == "acw":
            self._agent_ready(agent, t)

    # --------------------------------------------------------------------- agents
    def _set_state(
        self,
        agent: AgentState,
        t: float,
        state: str,
        reason: str = "",
        call_id: str = "",
        queue: str = "",
    ) -> None:
        agent.state = state
        agent.aux_reason = reason
        self.writer.agent_state(AgentStateEvent(t, agent.id, state, reason, call_id, queue))

    def _on_login(self, t: float, arg: tuple[AgentState, float]) -> None:
        agent, shift_end = arg
        if agent.logged_in:  # yesterday's shift runs into today's (24-hour coverage)
            agent.pending = [a for a in agent.pending if a.kind != "logout"]
            agent.shift_end_s = shift_end
            self.at(max(t, shift_end), self._on_logout_due, agent)
            return
        agent.logged_in = True
        agent.shift_end_s = shift_end
        for queue in agent.queues:
            self.writer.queue_log(ql.addmember(t, queue.name, agent.id))
            queue.members += 1
        self.at(max(t, shift_end), self._on_logout_due, agent)
        agent.state = "logging_in"
        self._agent_ready(agent, t)

    def _on_logout_due(self, t: float, agent: AgentState) -> None:
        if not agent.logged_in or t < agent.shift_end_s:
            return
        if agent.state in ("available", "aux"):
            self._logout(agent, t)
        else:
            agent.pending.append(Activity(t, t, "logout"))

    def _logout(self, agent: AgentState, t: float) -> None:
        self.router.pool_remove(agent)
        if agent.state == "aux":
            self._unpause_all(agent, t)
        agent.logged_in = False
        for queue in agent.queues:
            self.writer.queue_log(ql.removemember(t, queue.name, agent.id))
            queue.members -= 1
            if queue.members == 0:
                self._empty_queue(queue, t)
        agent.pending.clear()
        self._set_state(agent, t, "logged_out")

    def _unpause_all(self, agent: AgentState, t: float) -> None:
        """app_queue logs UNPAUSEALL on queue NONE, then UNPAUSE in each of the member's queues."""
        self.writer.queue_log(ql.unpauseall(t, agent.id, agent.aux_reason))
        for queue in agent.queues:
            self.writer.queue_log(ql.unpause(t, queue.name, agent.id, agent.aux_reason))

    def _on_aux_due(self, t: float, arg: tuple[AgentState, Activity]) -> None:
        agent, activity = arg
        if not agent.logged_in:
            return
        if agent.state == "available":
            self._start_aux(agent, activity, t)
        else:
            agent.pending.append(activity)

    def _start_aux(self, agent: AgentState, activity: Activity, t: float) -> None:
        self.router.pool_remove(agent)
        length = activity.end_s - activity.start_s
        self.writer.queue_log(ql.pauseall(t, agent.id, activity.kind))
        for queue in agent.queues:
            self.writer.queue_log(ql.pause(t, queue.name, agent.id, activity.kind))
        self._set_state(agent, t, "aux", activity.kind)
        self.at(t + length, self._on_aux_end, agent)

    def _on_aux_end(self, t: float, agent: AgentState) -> None:
        if agent.state != "aux" or not agent.logged_in:
            return
        self._unpause_all(agent, t)
        agent.state = "unpausing"
        self._agent_ready(agent, t)

    def _agent_ready(self, agent: AgentState, t: float) -> None:
        """An agent is free: pending aux or logout first, then waiting work, else idle."""
        if not agent.logged_in:
            return
        if agent.pending:
            activity = agent.pending.pop(0)
            if activity.kind == "logout" or t >= agent.shift_end_s:
                self._logout(agent, t)
            else:
                self._start_aux(agent, activity, t)
            return
        call = self.router.best_call_for(agent)
        if call is not None:
            self.router.take(call)
            self._ring(call, agent, t)
            return
        for queue in agent.queues:
            if queue.callbacks:
                self._dial_callback(agent, queue.callbacks.popleft(), t)
                return
        if agent.deferred and self._take_deferred(agent, t):
            return
        if agent.state != "available":
            self._set_state(agent, t, "available")
        self.router.pool_add(agent, t)
        for campaign in agent.campaigns:
            if self._campaign_open(campaign, t):
                self._dial_outbound(campaign, t)
                if not agent.in_pool:
                    return

    def _wake_idle_for(self, queue: QueueState, t: float) -> None:
        """A callback request arrived: an idle agent with the skill dials it now."""
        idle = self.router.idle_agents(queue.spec.skill)
        if idle:
            self.router.pool_remove(idle[0])
            self._agent_ready(idle[0], t)

    # ------------------------------------------------------- callbacks and outbound
    def _dial_callback(self, agent: AgentState, request: CallbackRequest, t: float) -> None:
        self.router.pool_remove(agent)
        spec = self.queues[request.queue].spec.callback
        rng = self.rng["outbound"]
        request.attempts += 1
        call_id, n = self.new_uniqueid(t)
        ring = 8 + rng.expovariate(1 / 10)
        answered = rng.random() < spec.p_answer
        self._set_state(agent, t, "dialing", "callback", call_id, request.queue)
        self.lines_in_use += 1
        self.active_calls += 1
        arg = (agent, request, call_id, n, t, answered)
        self.at(t + ring, self._on_callback_ring_end, arg)

    def _on_callback_ring_end(self, t: float, arg: tuple) -> None:
        agent, request, call_id, n, dial_s, answered = arg
        queue = self.queues[request.queue]
        spec = queue.spec.callback
        channel = f"PJSIP/{agent.channel_ext}-{n:08x}"
        if not answered:
            self._outbound_cdr(
                call_id,
                channel,
                agent.channel_ext,
                request.number,
                dial_s,
                None,
                t,
                "NO ANSWER",
                "callback",
            )
            self.lines_in_use -= 1
            self.active_calls -= 1
            if request.attempts < spec.max_attempts and t < self.end_s:
                delay = spec.retry_after.sample(self.rng["outbound"])
                self.at(t + delay, self._on_callback_retry, request)
            self._agent_ready(agent, t)
            return
        rng = self.rng["service"]
        ct = request.call_type
        talk = ct.talk.sample(rng) * agent.profile.handle_factor
        self._set_state(agent, t, "talking", "callback", call_id, queue.name)
        self.at(
            t + talk, self._on_callback_talk_end, (agent, request, call_id, channel, dial_s, t, ct)
        )

    def _on_callback_retry(self, t: float, request: CallbackRequest) -> None:
        queue = self.queues[request.queue]
        queue.callbacks.append(request)
        self._wake_idle_for(queue, t)

    def _on_callback_talk_end(self, t: float, arg: tuple) -> None:
        agent, request, call_id, channel, dial_s, answer_s, ct = arg
        self.summary.callbacks_completed += 1
        self._outbound_cdr(
            call_id,
            channel,
            agent.channel_ext,
            request.number,
            dial_s,
            answer_s,
            t,
            "ANSWERED",
            "callback",
        )
        self._record(
            call_id,
            agent,
            request.queue,
            "outbound",
            answer_s,
            t,
            0,
            0.0,
            f"out-{request.number}-{agent.channel_ext}",
        )
        self.lines_in_use -= 1
        self.active_calls -= 1
        self.router.remember_last_agent(request.customer, agent, t)
        acw = ct.acw.sample(self.rng["service"])
        self._set_state(agent, t, "acw", "callback", call_id, request.queue)
        self.at(t + acw, self._on_acw_end, agent)

    def _campaign_open(self, campaign: CampaignState, t: float) -> bool:
        if campaign.remaining_today <= 0 or t >= self.end_s:
            return False
        local_s = self._local_seconds(t)
        return campaign.spec.start_s <= local_s < campaign.spec.end_s

    def _on_campaign_open(self, t: float, campaign: CampaignState) -> None:
        for agent in campaign.agents:
            if agent.in_pool and self._campaign_open(campaign, t):
                self._dial_outbound(campaign, t)

    def _dial_outbound(self, campaign: CampaignState, t: float) -> None:
        """Place campaign calls for idle agents, by the campaign's dialing mode.

        preview: the agent reads the record for the preview time, then dials (reserved).
        progressive: one line per idle agent, the agent reserved while it rings.
        predictive: lines = idle agents x pacing (1 / answer rate, capped) minus calls in
        flight, agents not reserved; an answered call with no idle agent is abandoned.
        """
        spec = campaign.spec
        idle = [a for a in campaign.agents if a.in_pool]
        if not idle:
            return
        if spec.mode == "predictive":
            pacing = min(spec.max_pacing, 1.0 / max(spec.p_answer, 1e-6))
            lines = int(len(idle) * pacing) - campaign.in_flight
            for _ in range(max(0, min(lines, campaign.remaining_today))):
                self._place_outbound(campaign, None, t)
            return
        agent = idle[0]
        self.router.pool_remove(agent)
        self._set_state(agent, t, "dialing", spec.name)
        delay = spec.preview.sample(self.rng["outbound"]) if spec.mode == "preview" else 0.0
        self.at(t + delay, self._on_reserved_dial, (campaign, agent))

    def _on_reserved_dial(self, t: float, arg: tuple[CampaignState, AgentState]) -> None:
        campaign, agent = arg
        if not self._campaign_open(campaign, t):  # list done or window closed while previewing
            self._agent_ready(agent, t)
            return
        self._place_outbound(campaign, agent, t)

    def _place_outbound(self, campaign: CampaignState, agent: AgentState | None, t: float) -> None:
        spec = campaign.spec
        rng = self.rng["outbound"]
        campaign.remaining_today -= 1
        campaign.in_flight += 1
        customer = rng.randrange(self.scenario.customers.population)
        call_id, n = self.new_uniqueid(t)
        draw = rng.random()
        if draw < spec.p_answer:
            outcome, ring = "answered", min(spec.ring.sample(rng), spec.no_answer_after_s)
        elif draw < spec.p_answer + spec.p_busy:
            outcome, ring = "busy", 1.0 + rng.random() * 3
        else:
            outcome, ring = "no_answer", spec.no_answer_after_s
        self.lines_in_use += 1
        self.active_calls += 1
        self.at(
            t + ring, self._on_outbound_result, (campaign, agent, customer, call_id, n, t, outcome)
        )

    def _on_outbound_result(self, t: float, arg: tuple) -> None:
        campaign, agent, customer, call_id, n, dial_s, outcome = arg
        spec = campaign.spec
        campaign.in_flight -= 1
        number = self.customers.numbers[customer]
        if outcome == "answered" and agent is None:
            agent = next((a for a in campaign.agents if a.in_pool), None)
            if agent is None:
                outcome = "abandoned"
            else:
                self.router.pool_remove(agent)
        if outcome != "answered":
            end = t + (2.0 if outcome == "abandoned" else 0.0)
            disposition = {"busy": "BUSY", "no_answer": "NO ANSWER", "abandoned": "ANSWERED"}[
                outcome
            ]
            self._outbound_cdr(
                call_id,
                f"PJSIP/trunk-{n:08x}",
                spec.caller_id,
                number,
                dial_s,
                t if outcome == "abandoned" else None,
                end,
                disposition,
                spec.name,
            )
            answered_at = t if outcome == "abandoned" else None  # answered, nobody free
            self._attempt(
                campaign, call_id, customer, number, "", dial_s, outcome, answered_at, end
            )
            self.lines_in_use -= 1
            self.active_calls -= 1
            if agent is not None:
                self._agent_ready(agent, t)
            elif self._campaign_open(campaign, t):
                self._dial_outbound(campaign, t)
            return
        rng = self.rng["service"]
        talk = spec.talk.sample(rng) * agent.profile.handle_factor
        self._set_state(agent, t, "talking", spec.name, call_id, "")
        self.at(
            t + talk, self._on_outbound_talk_end, (campaign, agent, customer, call_id, n, dial_s, t)
        )

    def _on_outbound_talk_end(self, t: float, arg: tuple) -> None:
        campaign, agent, customer, call_id, n, dial_s, answer_s = arg
        spec = campaign.spec
        number = self.customers.numbers[customer]
        channel = f"PJSIP/{agent.channel_ext}-{n:08x}"
        self._outbound_cdr(
            call_id, channel, spec.caller_id, number, dial_s, answer_s, t, "ANSWERED", spec.name
        )
        self._attempt(
            campaign, call_id, customer, number, agent.id, dial_s, "answered", answer_s, t
        )
        self._record(
            call_id, agent, "", "outbound", answer_s, t, 0, 0.0, f"out-{number}-{agent.channel_ext}"
        )
        self.lines_in_use -= 1
        self.active_calls -= 1
        self._set_state(agent, t, "acw", spec.name, call_id, "")
        self.at(t + spec.acw.sample(self.rng["service"]), self._on_acw_end, agent)

    def _attempt(
        self,
        campaign: CampaignState,
        call_id: str,
        customer: int,
        number: str,
        agent_id: str,
        dial_s: float,
        outcome: str,
        answer_s: float | None,
        end_s: float,
    ) -> None:
        counts = self.summary.outbound_attempts
        counts[outcome] = counts.get(outcome, 0) + 1
        self.writer.outbound_attempt(
            OutboundAttempt(
                # The run's first day in the id keeps attempts of a continued landing
                # folder (simulate --append) apart from the earlier run's.
                f"OB{self._start_stamp}{next(self._attempt_seq):08d}",
                campaign.spec.name,
                campaign.spec.mode,
                call_id,
                self.customers.ids[customer],
                number,
                agent_id,
                dial_s,
                outcome,
                answer_s,
                end_s,
            )
        )

    # ------------------------------------------------------------------------ survey
    def _setup_survey(self) -> None:
        self._survey = self.scenario.active_survey
        self._last_call_by_number: dict[str, float] = {}
        if self._survey is not None:
            self.summary.surveys = {"offered": 0, "answered": 0}

    def _offer_survey(self, call: Call, agent: AgentState, t: float) -> None:
        """The caller is in the survey IVR: answer (or not), then hang up."""
        spec = self._survey
        rng = self.rng["survey"]
        answered = rng.random() < spec.p_response
        quality = agent.profile.quality
        eta = linear_predictor(spec, quality, call.waited_s, call.transfers, call.repeat)
        score = draw_score(spec, eta, rng) if answered else 0
        duration = 6.0 + 10.0 * rng.random() if answered else 1.0 + 7.0 * rng.random()
        queue = call.queue.name
        self.writer.survey(
            SurveyResponse(call.call_id, t, answered, score, spec.scale, agent.id, queue)
        )
        self.writer.survey_truth(
            SurveyTruth(
                call.call_id,
                t,
                agent.id,
                queue,
                call.waited_s,
                call.transfers,
                call.repeat,
                quality,
                eta,
                answered,
                score,
            )
        )
        self.summary.surveys["offered"] += 1
        self.summary.surveys["answered"] += answered
        self.at(t + duration, self._on_hangup, (call, "Read", "CSAT,custom/csat-survey,1"))

    # -------------------------------------------------------------- deferred contacts
    def _setup_deferred(self) -> None:
        scenario = self.scenario
        self.deferred = {name: ChannelState(c) for name, c in scenario.active_deferred.items()}
        self._voicemail = next(
            (c for c in self.deferred.values() if c.spec.kind == "voicemail"), None
        )
        if not self.deferred:
            return
        for agent in self.agents:
            agent.deferred = [
                self.deferred[n] for n in agent.profile.group.deferred if n in self.deferred
            ]
            for channel in agent.deferred:
                channel.agents.append(agent)
        clock = scenario.business_clock
        self.business = BusinessHours(
            self.tz,
            clock.open_s,
            clock.close_s,
            is_working_day if clock.days == "working" else every_day,
        )
        self._contact_seq = itertools.count(1)
        self._first_day_s = day_start_epoch(self.start, self.tz)
        self._open_items: dict[int, DeferredItem] = {}  # not yet exported, by creation
        day_starts = [day_start_epoch(d.date, self.tz) for d in self.calendar] + [self.end_s]
        self._backlog = HourlyBacklog(day_starts, [c.spec for c in self.deferred.values()])
        self._contact_channels = [c for c in self.deferred.values() if c.spec.arrivals]
        self._contact_arrivals = self._generate_contact_arrivals()

    def _carry_over(self, contacts: Sequence[Contact]) -> None:
        """Queue again the contacts an earlier run left open (``simulate --append``).

        ``contacts`` are the earlier export's ``open`` rows (``read_open_contacts``). Each
        keeps its contact_id, created and due times, first assigned/response times,
        attempts, handle seconds and last agent, and waits in its channel's queue at the
        run's start (oldest first, before the run's own contacts). Simplified: whatever
        the item was doing when the earlier period ended (an agent's session, a callback's
        retry delay, a customer's follow-up), it waits for its next session or attempt
        now; an interrupted session or attempt is not resumed, the next one counts on
        from ``attempts`` (so a callback that had used its last attempt gets one more).
        Its expiry (channels with ``expire_after_s``, no response yet) stays at its
        original time, unless that time is already past (it was being worked then).
        Counted in the backlog truth's open count from the first hour and in the
        summary's ``carried``; contacts of a channel the scenario lacks or disables are
        skipped and named in the summary's notes.
        """
        skipped: dict[str, int] = {}
        carried = 0
        order = sorted(contacts, key=lambda c: (c.created_s, c.contact_id))
        for n, contact in enumerate(order):
            channel = self.deferred.get(contact.queue)
            if channel is None or channel.spec.kind != contact.channel:
                key = f"{contact.queue} ({contact.channel})"
                skipped[key] = skipped.get(key, 0) + 1
                continue
            customer, number = self._carried_caller(contact)
            seq = n - len(order)  # negative: apart from the run's own, and first in ties
            item = DeferredItem(
                contact.contact_id,
                seq,
                channel,
                customer,
                number,
                contact.created_s,
                contact.due_s,
                contact.call_id,
            )
            item.first_assigned_s = contact.first_assigned_s
            item.first_response_s = contact.first_response_s
            item.attempts = contact.attempts
            item.handle_s = contact.handle_s
            item.agent_id = contact.agent_id
            self._open_items[item.seq] = item
            channel.counts["carried"] += 1
            self._backlog.open[channel.name] += 1
            channel.push(item)
            spec = channel.spec
            if spec.expire_after_s is not None and item.first_response_s is None:
                expire, t = spec.expire_after_s, item.created_s
                when = self.business.add(t, expire) if spec.business_hours else t + expire
                if when >= self._first_day_s:
                    self.at(when, self._on_contact_expire, item)
            carried += 1
        if carried:
            self._carry_notes.append(
                f"{carried:,} deferred contacts still open in the earlier run carried over"
            )
        for key in sorted(skipped):
            self._carry_notes.append(
                f"{skipped[key]:,} open deferred contacts of {key} not carried over: "
                "channel not in the scenario or disabled"
            )

    def _carried_caller(self, contact: Contact) -> tuple[int, str]:
        """A carried contact's customer index and number (the export has no number: a
        customer the CRM does not know gets one drawn from the contact id)."""
        ids = self.customers.ids
        cid = contact.customer_id
        if cid[1:].isdigit() and 0 < int(cid[1:]) <= len(ids) and ids[int(cid[1:]) - 1] == cid:
            index = int(cid[1:]) - 1
            return index, self.customers.numbers[index]
        return -1, self.customers.unknown_number(random.Random(contact.contact_id))

    def _generate_contact_arrivals(self) -> tuple[array, array]:
        """All deferred arrivals (e-mail, SMS, web callback requests), in time order.

        Same model as calls (``acd.arrivals``), from the deferred_arrivals stream; the
        busy-day factor shared by the call types applies to them too.
        """
        rng = self.np_rng["deferred_arrivals"]
        times_parts, type_parts = [np.empty(0)], [np.empty(0, dtype=np.int32)]
        for index, channel in enumerate(self._contact_channels):
            times = generate_arrivals(
                channel.spec.arrivals,
                self.calendar,
                self.tz,
                rng,
                common_day_factors=self._common_day_factors,
            )
            times_parts.append(times)
            type_parts.append(np.full(len(times), index, dtype=np.int32))
        times = np.concatenate(times_parts)
        order = np.argsort(times, kind="stable")
        return array("d", times[order]), array("i", np.concatenate(type_parts)[order])

    def _on_contact_arrival(self, t: float, index: int) -> None:
        times, types = self._contact_arrivals
        if index + 1 < len(times):
            self.at(times[index + 1], self._on_contact_arrival, index + 1)
        channel = self._contact_channels[types[index]]
        customer, number = self.customers.draw_caller(self.rng["deferred"])
        self._new_contact(channel, t, customer, number)

    def _new_contact(
        self, channel: ChannelState, t: float, customer: int, number: str, call_id: str = ""
    ) -> None:
        spec = channel.spec
        due = self.business.add(t, spec.target_s) if spec.business_hours else t + spec.target_s
        seq = next(self._contact_seq)
        # The run's first day in the id keeps contacts of a continued landing folder apart.
        contact_id = f"T{self._start_stamp}{seq:08d}"
        item = DeferredItem(contact_id, seq, channel, customer, number, t, due, call_id)
        self._open_items[item.seq] = item
        channel.counts["arrived"] += 1
        self._backlog.arrived(t, channel.name)
        channel.push(item)
        if spec.expire_after_s is not None:  # on the same clock as the target
            expire = spec.expire_after_s
            when = self.business.add(t, expire) if spec.business_hours else t + expire
            self.at(when, self._on_contact_expire, item)
        self._wake_deferred(channel, t)

    def _deferred_open(self, t: float) -> bool:
        """Deferred work starts only while the center is open and the period lasts."""
        if t >= self.end_s:
            return False
        center = self.scenario.center
        return center.open_s <= self._local_seconds(t) < center.close_s

    def _wake_deferred(self, channel: ChannelState, t: float) -> None:
        """Queued items of ``channel`` go to its idle agents, the longest idle first.

        An idle agent has no call waiting for them (it would have rung them), no voice
        callback request (it would have been dialled) and no aux due (it would have
        started), so they go straight to the deferred queues.
        """
        if not self._deferred_open(t):
            return
        while channel.head() is not None:
            idle = sorted((a for a in channel.agents if a.in_pool), key=lambda a: a.idle_since)
            agent = next((a for a in idle if self._reserve_kept(a)), None)
            if agent is None or not self._take_deferred(agent, t):
                return

    def _reserve_kept(self, agent: AgentState) -> bool:
        """Enough other agents stay idle in each of the agent's skills (deferred_reserve)."""
        reserve = agent.profile.group.deferred_reserve
        if not reserve:
            return True
        idle = self.router.idle
        for skill in agent.skills:
            idle_with_skill = 0  # a plain loop: this runs each time a deferred agent frees
            for _level, pool in idle[skill]:
                idle_with_skill += len(pool)
            if idle_with_skill - agent.in_pool < reserve:  # others than the agent
                return False
        return True

    def _on_deferred_open(self, t: float, _arg: None) -> None:
        for channel in self.deferred.values():
            self._wake_deferred(channel, t)

    def _take_deferred(self, agent: AgentState, t: float) -> bool:
        """A free agent with no call waiting starts the oldest item of their channels."""
        if not self._deferred_open(t) or not self._reserve_kept(agent):
            return False
        channel = oldest(agent.deferred)
        if channel is None:
            return False
        item = channel.pop()
        self.router.pool_remove(agent)
        item.state = WORKING
        item.agent_id = agent.id
        item.attempts += 1
        if item.first_assigned_s is None:
            item.first_assigned_s = t
        spec = channel.spec
        rng = self.rng["deferred"]
        if spec.is_callback:
            prep = spec.prep.sample(rng)
            if prep > 0:  # reading the request or listening to the message
                self._set_state(agent, t, "deferred", channel.name, item.id)
                self.at(t + prep, self._on_contact_dial, (agent, item, t))
            else:
                self._on_contact_dial(t, (agent, item, t))
        else:
            work = spec.handle.sample(rng) * agent.profile.handle_factor
            self._set_state(agent, t, "deferred", channel.name, item.id)
            self.at(t + work, self._on_session_end, (agent, item, t))
        return True

    def _on_session_end(self, t: float, arg: tuple[AgentState, DeferredItem, float]) -> None:
        agent, item, start = arg
        spec = item.channel.spec
        item.handle_s += t - start
        if item.first_response_s is None:
            item.first_response_s = t
        rng = self.rng["deferred"]
        if item.attempts < MAX_SESSIONS and spec.p_followup and rng.random() < spec.p_followup:
            item.state = PENDING  # the customer writes again later
            self.at(t + spec.followup_after.sample(rng), self._on_contact_requeue, item)
        else:
            self._close_contact(item, t, "resolved")
        self._agent_ready(agent, t)

    def _on_contact_dial(self, t: float, arg: tuple[AgentState, DeferredItem, float]) -> None:
        agent, item, start = arg
        spec = item.channel.spec
        rng = self.rng["deferred"]
        call_id, n = self.new_uniqueid(t)
        if item.first_response_s is None:
            item.first_response_s = t
        draw = rng.random()
        if draw < spec.p_answer:
            outcome, ring = "answered", min(spec.ring.sample(rng), spec.no_answer_after_s)
        elif draw < spec.p_answer + spec.p_busy:
            outcome, ring = "busy", 1.0 + rng.random() * 3
        else:
            outcome, ring = "no_answer", spec.no_answer_after_s
        self._set_state(agent, t, "dialing", item.channel.name, call_id)
        self.lines_in_use += 1
        self.active_calls += 1
        self.at(t + ring, self._on_contact_ring_end, (agent, item, call_id, n, t, start, outcome))

    def _contact_cdr(
        self,
        item: DeferredItem,
        agent: AgentState,
        call_id: str,
        channel: str,
        dial_s: float,
        answer_s: float | None,
        end_s: float,
        disposition: str,
    ) -> None:
        self._outbound_cdr(
            call_id,
            channel,
            agent.channel_ext,
            item.number,
            dial_s,
            answer_s,
            end_s,
            disposition,
            item.channel.name,
            userfield=f"contact={item.id}",
        )

    def _on_contact_ring_end(self, t: float, arg: tuple) -> None:
        agent, item, call_id, n, dial_s, start, outcome = arg
        spec = item.channel.spec
        rng = self.rng["deferred"]
        channel = f"PJSIP/{agent.channel_ext}-{n:08x}"
        if outcome != "answered":
            disposition = "BUSY" if outcome == "busy" else "NO ANSWER"
            self._contact_cdr(item, agent, call_id, channel, dial_s, None, t, disposition)
            self.lines_in_use -= 1
            self.active_calls -= 1
            item.handle_s += t - start
            if item.attempts < spec.max_attempts:
                item.state = PENDING
                self.at(t + spec.retry_after.sample(rng), self._on_contact_requeue, item)
            else:
                self._close_contact(item, t, "failed")
            self._agent_ready(agent, t)
            return
        talk = spec.handle.sample(rng) * agent.profile.handle_factor
        self._set_state(agent, t, "talking", item.channel.name, call_id)
        self.at(
            t + talk, self._on_contact_talk_end, (agent, item, call_id, channel, dial_s, t, start)
        )

    def _on_contact_talk_end(self, t: float, arg: tuple) -> None:
        agent, item, call_id, channel, dial_s, answer_s, start = arg
        spec = item.channel.spec
        rng = self.rng["deferred"]
        self._contact_cdr(item, agent, call_id, channel, dial_s, answer_s, t, "ANSWERED")
        self._record(
            call_id,
            agent,
            item.channel.name,
            "outbound",
            answer_s,
            t,
            0,
            0.0,
            f"out-{item.number}-{agent.channel_ext}",
            rng=rng,
        )
        self.lines_in_use -= 1
        self.active_calls -= 1
        self.router.remember_last_agent(item.customer, agent, t)
        acw = spec.acw.sample(rng)
        if acw > 0:
            self._set_state(agent, t, "acw", item.channel.name, call_id)
            self.at(t + acw, self._on_contact_acw_end, (agent, item, start))
        else:
            self._on_contact_acw_end(t, (agent, item, start))

    def _on_contact_acw_end(self, t: float, arg: tuple[AgentState, DeferredItem, float]) -> None:
        agent, item, start = arg
        item.handle_s += t - start
        self._close_contact(item, t, "resolved")
        self._agent_ready(agent, t)

    def _on_contact_requeue(self, t: float, item: DeferredItem) -> None:
        """A retry is due or the customer wrote again: the item queues again."""
        if item.state != PENDING or t >= self.end_s:
            return
        item.channel.push(item)
        self._wake_deferred(item.channel, t)

    def _on_contact_expire(self, t: float, item: DeferredItem) -> None:
        """Nobody responded in time: the customer gives up (web callback requests, ...)."""
        if t >= self.end_s or item.state != QUEUED or item.first_response_s is not None:
            return
        self._close_contact(item, t, "abandoned")

    def _close_contact(self, item: DeferredItem, t: float, outcome: str) -> None:
        item.state = CLOSED
        item.resolved_s = t
        item.outcome = outcome
        if t >= self.end_s:
            return  # after the period: the export lists it as open (_finish_deferred)
        channel = item.channel
        channel.counts[outcome] += 1
        self._backlog.closed(t, channel.name)
        del self._open_items[item.seq]
        self.writer.contact(self._contact_record(item, t))

    def _contact_record(self, item: DeferredItem, listed_s: float) -> Contact:
        """The export's row: what was known by the end of the period."""
        end = self.end_s

        def known(x: float | None) -> float | None:
            return x if x is not None and x < end else None

        resolved = known(item.resolved_s)
        customer_id = self.customers.ids[item.customer] if item.customer >= 0 else ""
        response = known(item.first_response_s)
        if response is not None and response >= self._first_day_s:  # responded in this run
            item.channel.counts["responded"] += 1
            item.channel.counts["responded_in_target"] += response <= item.due_s
        return Contact(
            item.id,
            item.channel.spec.kind,
            item.channel.name,
            customer_id,
            item.created_s,
            item.due_s,
            known(item.first_assigned_s),
            response,
            resolved,
            item.agent_id,
            item.outcome if resolved is not None else "open",
            item.attempts,
            item.handle_s,
            item.call_id,
            listed_s,
        )

    def _finish_deferred(self) -> None:
        """End of the period: list the items still open, close the hourly backlog."""
        for item in self._open_items.values():
            self.writer.contact(self._contact_record(item, self.end_s - 1.0))
        for row in self._backlog.rows_until(self.days):
            self.writer.deferred_backlog(row)
        for name, channel in self.deferred.items():
            counts = dict(channel.counts)
            counts["open"] = sum(1 for i in self._open_items.values() if i.channel is channel)
            self.summary.deferred[name] = counts

    # ----------------------------------------------------------- records and files
    def _finish(self, call: Call, t: float, lastapp: str, lastdata: str) -> None:
        """The caller hangs up: write the call's CDR rows, free its trunk line."""
        call.state = DONE
        for leg in call.cdr_legs:
            self.writer.cdr(leg)
        self._cdr(
            call,
            call.arrival_s,
            call.arrival_s,
            t,
            call.agent_channel,
            lastapp,
            lastdata,
            "ANSWERED",
            call.ivr_userfield,
            sequence=len(call.cdr_legs),
        )
        self.lines_in_use -= 1
        self.active_calls -= 1

    def _cdr(
        self,
        call: Call,
        start: float,
        answer: float | None,
        end: float,
        dstchannel: str,
        lastapp: str,
        lastdata: str,
        disposition: str,
        userfield: str,
        sequence: int = 0,
    ) -> None:
        duration, billsec = ql.cdr_durations(start, answer, end)
        self.writer.cdr(
            CdrRecord(
                "",
                call.number,
                self.scenario.center.did,
                "from-pstn",
                f'"{call.number}" <{call.number}>',
                call.channel,
                dstchannel,
                lastapp,
                lastdata,
                start,
                answer,
                end,
                duration,
                billsec,
                disposition,
                "DOCUMENTATION",
                call.call_id,
                userfield,
                "",
                call.call_id,
                sequence,
            )
        )

    def _cdr_leg_no_answer(self, call: Call, agent: AgentState, t: float) -> None:
        duration, billsec = ql.cdr_durations(call.ring_start_s, None, t)
        call.cdr_legs.append(
            CdrRecord(
                "",
                call.number,
                agent.channel_ext,
                "ext-queues",
                f'"{call.number}" <{call.number}>',
                call.channel,
                call.ring_channel,
                "Queue",
                call.queue.name,
                call.ring_start_s,
                None,
                t,
                duration,
                billsec,
                "NO ANSWER",
                "DOCUMENTATION",
                call.call_id,
                "",
                "",
                call.call_id,
                len(call.cdr_legs),
            )
        )

    def _cdr_leg_answered(self, call: Call, agent: AgentState, t: float) -> None:
        duration, billsec = ql.cdr_durations(call.ring_start_s, call.answer_s, t)
        call.cdr_legs.append(
            CdrRecord(
                "",
                call.number,
                agent.channel_ext,
                "ext-queues",
                f'"{call.number}" <{call.number}>',
                call.channel,
                call.ring_channel,
                "Queue",
                call.queue.name,
                call.ring_start_s,
                call.answer_s,
                t,
                duration,
                billsec,
                "ANSWERED",
                "DOCUMENTATION",
                call.call_id,
                "",
                "",
                call.call_id,
                len(call.cdr_legs),
            )
        )

    def _outbound_cdr(
        self,
        call_id: str,
        channel: str,
        src: str,
        dst: str,
        start: float,
        answer: float | None,
        end: float,
        disposition: str,
        campaign: str,
        userfield: str = "",
    ) -> None:
        duration, billsec = ql.cdr_durations(start, answer, end)
        self.writer.cdr(
            CdrRecord(
                campaign,
                src,
                dst,
                "from-internal",
                f'"{campaign}" <{src}>',
                channel,
                f"PJSIP/trunk-{call_id.rsplit('.', 1)[1].zfill(8)}",
                "Dial",
                f"PJSIP/{dst}@trunk,60",
                start,
                answer,
                end,
                duration,
                billsec,
                disposition,
                "DOCUMENTATION",
                call_id,
                userfield or f"campaign={campaign}",
                "",
                call_id,
                0,
            )
        )

    def _truth(
        self,
        call: Call,
        outcome: str,
        end_wait_s: float,
        agent: AgentState | None = None,
        acw_s: float = 0.0,
        transferred_to: str = "",
    ) -> None:
        self.writer.truth(
            CallTruth(
                call.call_id,
                call.queue.name,
                call.call_type.name,
                call.priority,
                call.enter_s,
                outcome,
                end_wait_s,
                end_wait_s - call.enter_s,
                int(end_wait_s) - int(call.enter_s),
                agent.id if agent else "",
                call.talk_s if agent else 0.0,
                call.hold_s if agent else 0.0,
                acw_s,
                transferred_to,
            )
        )

    def _recording(self, call: Call, agent: AgentState, t: float) -> None:
        hold_count = 1 if call.hold_s else 0
        self._record(
            call.call_id,
            agent,
            call.queue.name,
            "inbound",
            call.answer_s,
            t,
            hold_count,
            call.hold_s,
            f"q-{call.queue.name}-{call.number}",
        )

    def _record(
        self,
        call_id: str,
        agent: AgentState,
        queue: str,
        direction: str,
        start: float,
        end: float,
        hold_count: int,
        hold_s: float,
        stem: str,
        rng: random.Random | None = None,
    ) -> None:
        """Recording metadata. The signals lean on the agent's hidden quality z-score:
        better agents leave less dead air, talk over the customer less and let the
        customer talk more, so QA's automatic signals carry real information."""
        rng = rng or self.rng["recordings"]
        duration = end - start
        quality = agent.profile.quality
        talk_ratio = min(0.95, max(0.05, rng.gauss(0.50 - 0.03 * quality, 0.08)))
        silence = duration * min(0.6, max(0.0, rng.gauss(0.08 - 0.02 * quality, 0.03)))
        overtalk = duration * min(0.3, max(0.0, rng.gauss(0.03 - 0.008 * quality, 0.012)))
        seq = next(self._recording_seq)
        day_folder, stamp = self._freepbx_stamp(start)
        self.writer.recording(
            RecordingMeta(
                # the run's first day keeps a continued run's ids apart (simulate --append)
                f"R{self._start_stamp}{seq:09d}",
                call_id,
                agent.id,
                queue,
                direction,
                start,
                duration,
                f"{day_folder}/{stem}-{stamp}-{call_id}.wav",
                talk_ratio,
                silence,
                hold_count,
                hold_s,
                overtalk,
            )
        )

    def _on_order_record(self, t: float, record: Order | OrderEvent) -> None:
        if t >= self.end_s:
            return
        if isinstance(record, Order):
            self.summary.orders += 1
            self.writer.order(record)
        else:
            self.summary.order_events += 1
            self.writer.order_event(record)

    def agent_directory(self) -> list[tuple[str, str, dict[str, int], tuple[str, ...]]]:
        """The agent directory (``agents/agent_directory_*.csv``): id, team (the agent's
        group), skills with levels and the enabled deferred channels, in agent order."""
        active = self.scenario.active_deferred
        return [
            (
                a.id,
                a.profile.group.name,
                dict(a.profile.group.skills),
                tuple(c for c in a.profile.group.deferred if c in active),
            )
            for a in self.agents
        ]

    def agent_quality(self) -> list[AgentQuality]:
        """The agents' hidden attributes (``truth/agent_quality.csv``), in agent order."""
        return [
            AgentQuality(a.id, a.profile.group.name, a.profile.quality, a.profile.handle_factor)
            for a in self.agents
        ]

    def _finish_summary(self) -> None:
        for name, queue in self.queues.items():
            s = queue.stats
            handled = s.answered + s.abandoned + s.timed_out
            self.summary.queues[name] = {
                "offered": s.offered,
                "answered": s.answered,
                "abandoned": s.abandoned,
                "timed_out": s.timed_out,
                "exited_with_key": s.exited_with_key,
                "exited_empty": s.exited_empty,
                "service_level": round(s.answered_within_target / handled, 4) if handled else None,
                "asa_s": round(s.wait_answered_s / s.answered, 1) if s.answered else None,
                "sl_target_s": queue.spec.sl_target_s,
            }
        self.summary.calendar_notes = (
            sorted(
                {
                    f"{d.date.year}: holidays estimated (no official make-up days published)"
                    for d in self.calendar
                    if d.estimated
                }
            )
            + self._carry_notes
        )

    def _utc_offset_s(self, t: float) -> int:
        """The center's UTC offset at ``t``, cached per UTC quarter hour (offsets change
        on quarter-hour marks in every zone in use)."""
        key = int(t // 900)
        offset = self._offsets.get(key)
        if offset is None:
            delta = datetime.fromtimestamp(key * 900, self.zone).utcoffset()
            offset = int(delta.total_seconds()) if delta is not None else 0
            self._offsets[key] = offset
        return offset

    def _local_seconds(self, t: float) -> float:
        """Wall-clock seconds after local midnight at ``t``."""
        return (t + self._utc_offset_s(t)) % 86_400

    def _freepbx_stamp(self, t: float) -> tuple[str, str]:
        """FreePBX recording folder and stamp at ``t``: (``2026/09/01``, ``20260901-080000``).

        The date parts are formatted once per local day; only the time of day per call.
        """
        day, sod = divmod(int(t) + self._utc_offset_s(t), 86_400)
        names = self._stamp_days.get(day)
        if names is None:
            wall = time.gmtime(day * 86_400)
            names = self._stamp_days[day] = (
                f"{wall.tm_year:04d}/{wall.tm_mon:02d}/{wall.tm_mday:02d}",
                f"{wall.tm_year:04d}{wall.tm_mon:02d}{wall.tm_mday:02d}-",
            )
        folder, prefix = names
        hour, rest = divmod(sod, 3600)
        minute, second = divmod(rest, 60)
        return folder, f"{prefix}{hour:02d}{minute:02d}{second:02d}"
