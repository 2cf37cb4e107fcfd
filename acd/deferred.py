"""Deferred contacts while the engine runs: items, their help-desk queues, hourly backlog.

A deferred contact (e-mail, SMS, web callback request, voicemail) waits in its channel's
queue until an agent with the channel in their group's ``deferred`` list is free and no
call waits for them (voice first, see ``acd/engine.py``). Agents take the oldest queued
item over all their channels, oldest by creation time (FIFO; an item back from a retry
delay or a customer's follow-up keeps its creation time, so it comes first).

Item states: QUEUED (waiting for an agent), WORKING (an agent has it), PENDING (a retry
delay or the customer's follow-up is due later) and CLOSED (resolved, failed or abandoned).
Plain code over plain data: it schedules nothing and writes nothing.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right

from acd.records import BacklogHour
from acd.scenario import DeferredChannel

QUEUED, WORKING, PENDING, CLOSED = range(4)

#: An e-mail/SMS thread gets at most this many work sessions (follow-ups included).
MAX_SESSIONS = 5


class DeferredItem:
    """One deferred contact while the engine works on it."""

    __slots__ = (
        "agent_id",
        "attempts",
        "call_id",
        "channel",
        "created_s",
        "customer",
        "due_s",
        "first_assigned_s",
        "first_response_s",
        "handle_s",
        "id",
        "number",
        "outcome",
        "resolved_s",
        "seq",
        "state",
    )

    def __init__(
        self,
        contact_id: str,
        seq: int,
        channel: ChannelState,
        customer: int,
        number: str,
        created_s: float,
        due_s: float,
        call_id: str = "",
    ) -> None:
        self.seq = seq
        self.id = contact_id
        self.channel = channel
        self.customer = customer
        self.number = number
        self.created_s = created_s
        self.due_s = due_s
        self.call_id = call_id
        self.state = QUEUED
        self.first_assigned_s: float | None = None
        self.first_response_s: float | None = None
        self.resolved_s: float | None = None
        self.agent_id = ""
        self.outcome = "open"
        self.attempts = 0
        self.handle_s = 0.0


class ChannelState:
    """A deferred channel's queue (a heap on creation time) and the agents who work it."""

    __slots__ = ("agents", "counts", "heap", "name", "spec")

    def __init__(self, spec: DeferredChannel) -> None:
        self.spec = spec
        self.name = spec.name
        self.heap: list[tuple[float, int, DeferredItem]] = []
        self.agents: list = []  # AgentState, in agent order
        self.counts = dict.fromkeys(
            (
                "arrived",
                "carried",
                "resolved",
                "failed",
                "abandoned",
                "responded",
                "responded_in_target",
            ),
            0,
        )

    def push(self, item: DeferredItem) -> None:
        item.state = QUEUED
        heapq.heappush(self.heap, (item.created_s, item.seq, item))

    def head(self) -> DeferredItem | None:
        """The oldest queued item (entries of items closed while queued are dropped)."""
        heap = self.heap
        while heap and heap[0][2].state != QUEUED:
            heapq.heappop(heap)
        return heap[0][2] if heap else None

    def pop(self) -> DeferredItem:
        return heapq.heappop(self.heap)[2]


def oldest(channels: list[ChannelState]) -> ChannelState | None:
    """The channel whose head item was created first (ties: created earlier in the run)."""
    best: ChannelState | None = None
    best_key: tuple[float, int] | None = None
    for channel in channels:
        item = channel.head()
        if item is not None and (best_key is None or (item.created_s, item.seq) < best_key):
            best, best_key = channel, (item.created_s, item.seq)
    return best


class HourlyBacklog:
    """Arrivals and closes per channel and local hour, and the open count they imply.

    Hours are 3600-second steps from each local midnight (``day_starts``: the midnights of
    the simulated days and the one ending the period); the last hour of a day may be
    shorter or longer on a daylight-saving day.
    """

    def __init__(self, day_starts: list[float], channels: list[DeferredChannel]) -> None:
        self.day_starts = day_starts
        self.channels = [(c.kind, c.name) for c in channels]
        self.counts: dict[tuple[float, str], list[int]] = {}
        self.open = {name: 0 for _kind, name in self.channels}
        self.emitted_days = 0

    def hour_of(self, t: float) -> float:
        i = bisect_right(self.day_starts, t) - 1
        start = self.day_starts[i]
        return start + 3600.0 * int((t - start) // 3600)

    def arrived(self, t: float, queue: str) -> None:
        self.counts.setdefault((self.hour_of(t), queue), [0, 0])[0] += 1

    def closed(self, t: float, queue: str) -> None:
        self.counts.setdefault((self.hour_of(t), queue), [0, 0])[1] += 1

    def rows_until(self, day_index: int) -> list[BacklogHour]:
        """Rows of the days not emitted yet before ``day_index`` (hours, then channels)."""
        rows: list[BacklogHour] = []
        while self.emitted_days < min(day_index, len(self.day_starts) - 1):
            d = self.emitted_days
            hour, day_end = self.day_starts[d], self.day_starts[d + 1]
            while hour < day_end:
                for kind, name in self.channels:
                    arrived, closed = self.counts.pop((hour, name), (0, 0))
                    start = self.open[name]
                    end = start + arrived - closed
                    self.open[name] = end
                    rows.append(BacklogHour(hour, kind, name, start, arrived, closed, end))
                hour += 3600.0
            self.emitted_days += 1
        return rows
