"""7.3 Trust dynamics: trust grows when a partner collaborates and falls when it acts for itself.

Growth is slowed by cultural distance and limited by the smaller of the two leaders' capacity for
system work; loss is sped up by the competition legacy (7.7).
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.submodels.legacy import loss_multiplier, remember

__all__ = ["update_trust"]


@inline
def update_trust(orgs, graph, arcs, params, ws):
    """7.3, 7.7 (phase 4): trust and legacy memory on every live arc, from this month's actions.

    Reads ``arcs.action`` and ``ws.capacity`` of this month; writes ``arcs.trust`` (in [0, 1])
    and ``arcs.memory``. The loss uses the memory before this month's update.
    """
    active = orgs.active
    gain_rate = orgs.gain_rate
    loss_rate = orgs.loss_rate
    indptr = graph.indptr
    target = graph.target
    reverse = graph.reverse
    action = arcs.action
    distance = arcs.distance
    memory = arcs.memory
    trust = arcs.trust
    w_capacity = ws.capacity
    for i in prange(active.shape[0]):
        if active[i] != 1.0:
            continue
        for k in range(indptr[i], indptr[i + 1]):
            j = target[k]
            if active[j] != 1.0:
                continue
            partner = action[reverse[k]]
            q = trust[k]
            if partner == 1:
                gain = gain_rate[i] * (1.0 - params.distance_drag * distance[k]) * min(w_capacity[i], w_capacity[j])
                q = q + gain * (1.0 - q)
            else:
                loss = min(1.0, loss_rate[i] * loss_multiplier(memory[k], params.legacy_weight))
                q = q - loss * q
            trust[k] = q
            memory[k] = remember(memory[k], params.memory_retention, partner)
