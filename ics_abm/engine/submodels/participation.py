"""7.10 Who takes part: active organisations, live arcs, and the gates on deciding.

An arc is live when both ends are active; an organisation is at the table when it is active,
committed and not absent. Mean trust and beliefs at the start of the step are taken here, once, for
the rules that read them (7.12, 7.13, 7.15).
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.submodels.regulators import stress

__all__ = ["at_table", "sits_at_table", "engagement_weight", "start_of_step", "count_active", "inclusiveness"]


@inline
def sits_at_table(active, committed, engagement):
    """7.10: whether an organisation in these states takes decisions: a member, committed, and not absent.

    Takes the three values, not the named tuple, for use inside loops over arcs: every inlined
    call that passes ``orgs`` copies the tuple, which increments and decrements the reference
    count of each of its arrays (about 100 ns per call, measured; issue 16).
    """
    return active == 1.0 and committed == 1.0 and engagement >= 1.0


@inline
def at_table(orgs, i):
    """7.10: whether organisation ``i`` takes decisions (:func:`sits_at_table`); once per organisation, not per arc."""
    return sits_at_table(orgs.active[i], orgs.committed[i], orgs.engagement[i])


@inline
def engagement_weight(engagement):
    """7.10: how much an engagement state counts: absent 0, partner 0.5, full member and lead 1."""
    if engagement < 0.5:
        return 0.0
    if engagement < 1.5:
        return 0.5
    return 1.0


@inline
def start_of_step(orgs, graph, arcs, ws):
    """7.10, 7.12: live arcs, mean trust over them and beliefs at the start of the step.

    Writes ``ws.live`` (number of live arcs of each organisation), ``ws.mean_trust`` (mean trust
    over them, 0 when there are none) and ``ws.belief`` (a copy of the beliefs), float64 of shape
    (n,); inactive organisations have no live arcs.
    """
    active = orgs.active
    belief = orgs.belief
    trust = arcs.trust
    indptr = graph.indptr
    target = graph.target
    w_live = ws.live
    w_mean_trust = ws.mean_trust
    w_belief = ws.belief
    for i in prange(active.shape[0]):
        total = 0.0
        live = 0.0
        if active[i] == 1.0:
            for k in range(indptr[i], indptr[i + 1]):
                if active[target[k]] == 1.0:
                    total += trust[k]
                    live += 1.0
        w_live[i] = live
        w_mean_trust[i] = total / live if live > 0.0 else 0.0
        w_belief[i] = belief[i]


@inline
def count_active(orgs, params):
    """7.10, 7.5: the number of active organisations and the sum of their financial stress."""
    n_active = 0
    stress_sum = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            n_active += 1
            stress_sum += stress(orgs.balance[i], orgs.budget[i], params.stress_scale)
    return n_active, stress_sum


@inline
def inclusiveness(orgs):
    """7.10, 7.12: how inclusive the table is, in [0, 1].

    The mean over active organisations of ``engagement_weight(engagement_i)·committed_i``: 1 when
    every member is at the table as a full member, lower for each partner that is only a partner
    (0.5), absent or withdrawn (0); 0 when no organisation is active. Read at the start of the step.
    """
    n_active = 0
    total = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            n_active += 1
            total += engagement_weight(orgs.engagement[i]) * orgs.committed[i]
    return total / n_active if n_active > 0 else 0.0
