"""Queues, agents and the routing rules of the ACD, without the clock.

``Router`` holds who is waiting and who is idle, and answers the two questions an ACD
asks: *a call arrives, which agent rings?* (``find_agent``) and *an agent is free, which
call do they take?* (``best_call_for``). It schedules nothing and writes nothing: the
engine (``acd/engine.py``) owns time and files, so these rules are plain code over plain
data, tested on their own in ``tests/acd/test_routing.py``.

The rules:
- Within a queue, a higher priority class is served first, FIFO within a class.
- An arriving call rings the idle agent with the best level in the queue's skill, the
  longest idle among equals (app_queue's ``leastrecent`` within its lowest penalty).
- A returning customer's last agent rings first when idle, skilled and recent enough
  (``last_agent_routing``).
- A freed agent takes, over all the queues of their skills, the call with the highest
  priority, then the queue where their own level is highest, then the longest wait.
- An agent who let a call ring out is not rung again for that call.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from acd.agents import Activity, AgentProfile
from acd.records import CdrRecord
from acd.scenario import CallType, Campaign, Queue

# Call states.
IN_IVR, WAITING, RINGING, TALKING, DONE = range(5)


class Call:
    """An inbound call (one Asterisk uniqueid) while the engine works on it."""

    __slots__ = (
        "agent",
        "agent_channel",
        "answer_s",
        "arrival_s",
        "call_id",
        "call_type",
        "cdr_legs",
        "channel",
        "customer",
        "enter_s",
        "first_enter_s",
        "hold_s",
        "ivr_userfield",
        "number",
        "orig_position",
        "patience_deadline_s",
        "priority",
        "queue",
        "repeat",
        "ring_channel",
        "ring_start_s",
        "ring_uid",
        "state",
        "talk_s",
        "token",
        "transfers",
        "tried",
        "visit",
        "waited_s",
    )

    def __init__(
        self,
        call_id: str,
        channel: str,
        call_type: CallType,
        customer: int,
        number: str,
        priority: int,
        arrival_s: float,
    ) -> None:
        self.call_id = call_id
        self.channel = channel
        self.call_type = call_type
        self.customer = customer
        self.number = number
        self.priority = priority
        self.arrival_s = arrival_s
        self.state = IN_IVR
        self.queue: QueueState | None = None
        self.visit = 0  # queue visits so far; stale timers carry an older number
        self.token = 0  # FIFO insertions so far; stale FIFO entries carry an older number
        self.enter_s = 0.0
        self.first_enter_s = -1.0
        self.patience_deadline_s = math.inf
        self.orig_position = 0
        self.tried: set[AgentState] = set()
        self.agent: AgentState | None = None
        self.ring_start_s = 0.0
        self.ring_channel = ""
        self.ring_uid = ""
        self.agent_channel = ""
        self.answer_s = 0.0
        self.talk_s = 0.0
        self.hold_s = 0.0
        self.cdr_legs: list[CdrRecord] = []
        self.ivr_userfield = ""
        self.waited_s = 0.0  # queue wait over the visits that ended so far
        self.transfers = 0
        self.repeat = False  # the number called shortly before (set when a survey runs)


@dataclass
class QueueStats:
    """Per-queue counts for the run summary (definitions in ``engine.Summary``)."""

    offered: int = 0
    answered: int = 0
    answered_within_target: int = 0
    abandoned: int = 0
    timed_out: int = 0
    exited_with_key: int = 0
    exited_empty: int = 0
    wait_answered_s: float = 0.0


@dataclass
class CallbackRequest:
    """A caller who left a queue asking to be called back."""

    call_id: str
    number: str
    customer: int
    queue: str
    requested_s: float
    call_type: CallType
    attempts: int = 0


class QueueState:
    """A queue's waiting callers (one FIFO per priority class) and its counters."""

    __slots__ = ("callbacks", "counts", "fifo", "holdtime_s", "members", "name", "spec", "stats")

    def __init__(self, spec: Queue, priorities: int) -> None:
        self.spec = spec
        self.name = spec.name
        self.fifo: list[deque[tuple[Call, int]]] = [deque() for _ in range(priorities)]
        self.counts = [0] * priorities  # valid waiting entries per priority
        self.callbacks: deque[CallbackRequest] = deque()
        self.stats = QueueStats()
        # The expected wait announced to callers: app_queue's running estimate, updated
        # at each answer as holdtime = (3 * holdtime + this wait) / 4.
        self.holdtime_s = 0.0
        self.members = 0  # agents logged in to the queue


@dataclass
class CampaignState:
    spec: Campaign
    remaining_today: int = 0
    in_flight: int = 0
    agents: list[AgentState] = field(default_factory=list)


class AgentState:
    """An agent while the engine runs: current state, pending aux work, pool membership."""

    __slots__ = (
        "aux_reason",
        "call",
        "campaigns",
        "channel_ext",
        "deferred",
        "id",
        "idle_since",
        "in_pool",
        "logged_in",
        "pending",
        "profile",
        "queues",
        "shift_end_s",
        "skills",
        "state",
    )

    def __init__(
        self, profile: AgentProfile, queues: list[QueueState], campaigns: list[CampaignState]
    ) -> None:
        self.profile = profile
        self.id = profile.agent_id
        self.channel_ext = profile.extension
        self.skills = dict(profile.group.skills)
        self.queues = queues
        self.campaigns = campaigns
        self.state = "logged_out"
        self.aux_reason = ""
        self.idle_since = 0.0
        self.in_pool = False
        self.logged_in = False
        self.call: Call | None = None
        self.pending: list[Activity] = []
        self.shift_end_s = 0.0
        self.deferred: list = []  # acd.deferred.ChannelState the agent works when no call waits


class Router:
    """Waiting calls per queue and idle agents per skill level; see the module docstring."""

    def __init__(
        self, queues: dict[str, QueueState], agents: list[AgentState], last_agent_window_s: float
    ) -> None:
        self.queues = queues
        self.last_agent_window_s = last_agent_window_s
        # idle[skill] = [(level, {agent: None}), ...] best level first; a dict keeps its
        # insertion order, i.e. the order agents became idle: the first is the longest idle.
        self.idle: dict[str, list[tuple[int, dict[AgentState, None]]]] = {}
        for skill in sorted({s for a in agents for s in a.skills}):
            levels = sorted({a.skills[skill] for a in agents if skill in a.skills}, reverse=True)
            self.idle[skill] = [(level, {}) for level in levels]
        self.last_agent: dict[int, tuple[AgentState, float]] = {}

    # -- idle agents -------------------------------------------------------------------
    def pool_add(self, agent: AgentState, t: float) -> None:
        """The agent becomes idle (the most recently idle of their levels)."""
        agent.in_pool = True
        agent.idle_since = t
        for skill, level in agent.skills.items():
            for pool_level, pool in self.idle[skill]:
                if pool_level == level:
                    pool[agent] = None
                    break

    def pool_remove(self, agent: AgentState) -> None:
        if not agent.in_pool:
            return
        agent.in_pool = False
        for skill, level in agent.skills.items():
            for pool_level, pool in self.idle[skill]:
                if pool_level == level:
                    pool.pop(agent, None)
                    break

    def idle_agents(self, skill: str) -> list[AgentState]:
        """Idle agents with ``skill``, in the order ``find_agent`` would ring them."""
        return [agent for _level, pool in self.idle.get(skill, ()) for agent in pool]

    def remember_last_agent(self, customer: int, agent: AgentState, t: float) -> None:
        if customer >= 0:
            self.last_agent[customer] = (agent, t)

    def find_agent(self, queue: QueueState, call: Call, t: float) -> AgentState | None:
        """The idle agent an arriving (or re-offered) call should ring, or None."""
        skill = queue.spec.skill
        if queue.spec.last_agent_routing and call.customer >= 0:
            last = self.last_agent.get(call.customer)
            if last is not None:
                agent, when = last
                if (
                    t - when <= self.last_agent_window_s
                    and agent.in_pool
                    and skill in agent.skills
                    and agent not in call.tried
                ):
                    return agent
        for _level, pool in self.idle.get(skill, ()):
            for agent in pool:
                if agent not in call.tried:
                    return agent
        return None

    # -- waiting calls -----------------------------------------------------------------
    def position_on_entry(self, queue: QueueState, priority: int) -> int:
        """Where a caller of ``priority`` joins: after everyone of equal or higher priority."""
        return sum(queue.counts[priority:]) + 1

    def push(self, call: Call, front: bool = False) -> None:
        """Put a waiting call in its queue's FIFO (``front``: back where it was, after a
        ring-no-answer)."""
        queue = call.queue
        call.token += 1
        fifo = queue.fifo[call.priority]
        if front:
            fifo.appendleft((call, call.token))
        else:
            fifo.append((call, call.token))
        queue.counts[call.priority] += 1

    def leave(self, call: Call) -> int:
        """Take a waiting call out of its queue; returns its position then (1 = next).

        The FIFO entry itself goes stale (the call's state or token changes) and is
        skipped later: removing from the middle of a deque would cost O(n) every time.
        """
        queue = call.queue
        prio = call.priority
        ahead = sum(queue.counts[prio + 1 :])
        for other, token in queue.fifo[prio]:
            if other is call:
                break
            if other.state == WAITING and other.token == token:
                ahead += 1
        queue.counts[prio] -= 1
        return ahead + 1

    def take(self, call: Call) -> None:
        """A waiting call ``best_call_for`` picked leaves the queue to ring its agent."""
        call.queue.counts[call.priority] -= 1

    def waiting_calls(self, queue: QueueState) -> list[Call]:
        """Callers waiting in ``queue``, in the order they will be served."""
        return [
            call
            for fifo in reversed(queue.fifo)
            for call, token in fifo
            if call.state == WAITING and call.token == token
        ]

    def best_call_for(self, agent: AgentState) -> Call | None:
        """The waiting call a freed agent takes: priority, own skill level, longest wait."""
        best: Call | None = None
        best_key: tuple[int, int, float] | None = None
        for queue in agent.queues:
            level = agent.skills[queue.spec.skill]
            for prio in range(len(queue.fifo) - 1, -1, -1):
                if not queue.counts[prio]:
                    continue
                fifo = queue.fifo[prio]
                while fifo:  # drop stale entries at the head
                    call, token = fifo[0]
                    if call.state == WAITING and call.token == token:
                        break
                    fifo.popleft()
                candidate = next(
                    (
                        call
                        for call, token in fifo
                        if call.state == WAITING and call.token == token and agent not in call.tried
                    ),
                    None,
                )
                if candidate is None:
                    continue  # every caller of this class already rang this agent out
                key = (prio, level, -candidate.enter_s)
                if best_key is None or key > best_key:
                    best, best_key = candidate, key
                break
        return best
