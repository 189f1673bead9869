"""7.3 Trust dynamics: trust grows when a partner collaborates and falls when it acts for itself.

What a partner did is seen through the time the two leaders spend together, so both growth and loss
are scaled by the smaller of the two leaders' capacity for system work; growth is also slowed by
cultural distance and loss sped up by the competition legacy (7.7). Partners who both sit at the
table also build trust by meeting (M2), whatever they did this month. Psychological safety buffers
the loss: where it is safe to challenge, a defection is worked through rather than resented (M5).
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.submodels.legacy import loss_multiplier, remember
from ics_abm.engine.submodels.participation import at_table, sits_at_table

__all__ = ["update_trust"]


@inline
def update_trust(orgs, graph, arcs, params, ws, safety):
    """7.3, 7.7 (phase 4): trust and legacy memory on every live arc, from this month's actions.

    Reads ``arcs.action`` and ``ws.capacity`` of this month; writes ``arcs.trust`` (in [0, 1])
    and ``arcs.memory``. The loss uses the memory before this month's update; the contact gain
    follows the experience update. ``safety`` is the system's psychological safety ``Ψ`` at the
    start of the step (7.16): where it is safe to challenge, a defection is talked through and
    costs less trust.
    """
    active = orgs.active
    committed = orgs.committed
    engagement = orgs.engagement
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
    buffered = 1.0 - params.safety_buffer * safety
    for i in prange(active.shape[0]):
        if active[i] != 1.0:
            continue
        seated = at_table(orgs, i)
        for k in range(indptr[i], indptr[i + 1]):
            j = target[k]
            if active[j] != 1.0:
                continue
            partner = action[reverse[k]]
            q = trust[k]
            together = min(w_capacity[i], w_capacity[j])
            understanding = 1.0 - params.distance_drag * distance[k]
            # Both outcomes are computed and one is kept (the same expressions as an if/else, so the
            # same numbers): the partner's action is a coin toss the processor cannot predict.
            gained = q + gain_rate[i] * understanding * together * (1.0 - q)
            loss = min(1.0, loss_rate[i] * together * loss_multiplier(memory[k], params.legacy_weight) * buffered)
            lost = q - loss * q
            q = gained if partner == 1 else lost
            if seated and sits_at_table(active[j], committed[j], engagement[j]):
                q = q + params.contact_rate * understanding * together * (1.0 - q)
            trust[k] = q
            memory[k] = remember(memory[k], params.memory_retention, partner)
