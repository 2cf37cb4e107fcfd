"""Property tests of the queue bookkeeping in ``acd.routing.Router`` (no clock, no files)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from acd.distributions import Duration
from acd.routing import DONE, WAITING, Call, QueueState, Router
from acd.scenario import Queue

QUEUE_SPEC = Queue(
    name="q",
    skill="q",
    sl_target_s=20,
    timeout_s=None,
    on_timeout="hangup",
    ring=Duration("fixed", 0),
    ring_timeout_s=15,
    p_ring_no_answer=0,
    callback=None,
    last_agent_routing=False,
)

# A script of operations: ("join", priority) or ("leave", index among the callers present).
operations = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 3)),
        st.tuples(st.just("leave"), st.integers(0, 50)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_positions_follow_priority_then_arrival(script):
    queue = QueueState(QUEUE_SPEC, priorities=4)
    router = Router({"q": queue}, [], last_agent_window_s=0)
    present: list[Call] = []
    for step, (op, value) in enumerate(script):
        if op == "join":
            call = Call(f"c{step}", "", None, -1, "", value, float(step))
            call.queue = queue
            call.enter_s = float(step)
            expected_position = sum(1 for c in present if c.priority >= value) + 1
            assert router.position_on_entry(queue, value) == expected_position
            call.state = WAITING
            router.push(call)
            present.append(call)
        elif present:
            call = present[value % len(present)]
            # Independent reference: served order is priority high to low, then arrival.
            order = sorted(present, key=lambda c: (-c.priority, c.enter_s))
            assert router.leave(call) == order.index(call) + 1
            call.state = DONE
            present.remove(call)
        expected = sorted(present, key=lambda c: (-c.priority, c.enter_s))
        assert router.waiting_calls(queue) == expected
        assert sum(queue.counts) == len(present)
