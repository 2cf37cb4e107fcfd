"""The IVR: a caller's walk through the menu tree, decided up front.

The walk depends only on the caller's intent (their call type's DTMF keys), the menu
tree and random draws, not on the queues' state, so the engine can compute it in one
call at arrival and schedule a single event for its end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from acd.scenario import CallType, IvrNode


@dataclass(frozen=True, slots=True)
class IvrWalk:
    """Where a caller's IVR visit ends, after ``duration_s`` seconds.

    ``outcome``: ``queue`` (go to ``queue``), ``dropped`` (hung up in a menu),
    ``selfserved`` (completed in a self-service node), ``voicemail``, ``hangup``.
    ``path`` lists the nodes visited and ``keys`` the DTMF keys pressed.
    """

    outcome: str
    queue: str
    duration_s: float
    path: tuple[str, ...]
    keys: tuple[str, ...]


def walk_ivr(
    nodes: dict[str, IvrNode], root: str, call_type: CallType, rng: random.Random
) -> IvrWalk:
    """Walk the caller of ``call_type`` from ``root`` until the IVR hands them on.

    In a menu, the caller hangs up with the node's ``dropout`` probability; otherwise
    presses the next key of their call type (the first key is wrong with probability
    ``misroute``: a uniformly chosen other choice). With no key left, the menu's
    ``fallback`` (the "no input" branch) applies. A self-service node completes with
    ``p_complete``; otherwise the caller goes on to its ``fallback``.
    """
    node = nodes[root]
    elapsed = 0.0
    path: list[str] = []
    keys: list[str] = []
    key_index = 0
    for _ in range(32):  # a menu loop in a user's scenario must not hang the engine
        path.append(node.name)
        elapsed += node.prompt.sample(rng)
        if node.dropout and rng.random() < node.dropout:
            return IvrWalk("dropped", "", elapsed, tuple(path), tuple(keys))
        kind = node.kind
        if kind == "queue":
            return IvrWalk("queue", node.queue, elapsed, tuple(path), tuple(keys))
        if kind == "voicemail":
            return IvrWalk("voicemail", "", elapsed, tuple(path), tuple(keys))
        if kind == "hangup":
            return IvrWalk("hangup", "", elapsed, tuple(path), tuple(keys))
        if kind == "selfservice":
            if rng.random() < node.p_complete:
                return IvrWalk("selfserved", "", elapsed, tuple(path), tuple(keys))
            node = nodes[node.fallback]
            continue
        # menu
        if key_index < len(call_type.ivr_keys):
            key = call_type.ivr_keys[key_index]
            if key_index == 0 and call_type.misroute and rng.random() < call_type.misroute:
                others = [c.key for c in node.choices if c.key != key]
                if others:
                    key = rng.choice(others)
            key_index += 1
            target = next((c.target for c in node.choices if c.key == key), "")
            keys.append(key)
            node = nodes[target] if target else nodes[node.fallback or root]
        elif node.fallback:
            node = nodes[node.fallback]
        else:
            return IvrWalk("hangup", "", elapsed, tuple(path), tuple(keys))
    return IvrWalk("hangup", "", elapsed, tuple(path), tuple(keys))
