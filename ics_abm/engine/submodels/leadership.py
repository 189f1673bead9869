"""7.11 Leadership: leader turnover, effective capacity, the system's leadership, leaders settling.

A leader who leaves takes relationships with them (trust on the organisation's arcs is cut both
ways) and a newcomer has less capacity for system work until settled. The system's leadership
capacity mixes the lead organisation's capacity with everyone's, by how concentrated leadership is.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline, kernel
from ics_abm.engine.rng import STREAM_TURNOVER, uniform

__all__ = ["lose_leader", "leader_turnover", "effective_capacity", "leadership_capacity", "leaders_settle"]


@kernel
def lose_leader(orgs, graph, arcs, i, trust_loss, initial_belief):
    """7.11: organisation ``i``'s leader leaves; trust on its arcs, both ways, is cut.

    Also used between steps by the ``leader_leaves`` event (7.16).
    """
    orgs.experience[i] = 0.0
    orgs.belief[i] = initial_belief
    for k in range(graph.indptr[i], graph.indptr[i + 1]):
        arcs.trust[k] = (1.0 - trust_loss) * arcs.trust[k]
        arcs.trust[graph.reverse[k]] = (1.0 - trust_loss) * arcs.trust[graph.reverse[k]]


@inline
def leader_turnover(orgs, graph, arcs, params, key, t):
    """7.11 (phase 0): each active organisation's leader leaves with the turnover rate.

    Serial, in index order: a departure changes arcs of other organisations too.
    """
    if params.turnover_rate > 0.0:
        for i in range(orgs.kind.shape[0]):
            if orgs.active[i] == 1.0 and uniform(key, t, i, STREAM_TURNOVER) < params.turnover_rate:
                lose_leader(orgs, graph, arcs, i, params.turnover_trust_loss, params.narrative_initial)


@inline
def effective_capacity(orgs, params, ws, winter):
    """7.11 (replacing 7.5): the capacity ``h_i`` each leader has for system work this month.

    Base capacity, less what regulator pressure, winter and a new leader's inexperience take.
    Writes ``ws.capacity`` (float64, shape (n,), in [0, 1]).
    """
    capacity = orgs.capacity
    pressure = orgs.pressure
    experience = orgs.experience
    w_capacity = ws.capacity
    for i in prange(capacity.shape[0]):
        w_capacity[i] = (
            capacity[i]
            * (1.0 - params.capacity_cost * pressure[i])
            * (1.0 - params.winter_capacity_loss * winter)
            * (1.0 - params.newcomer_penalty * (1.0 - experience[i]))
        )


@inline
def leadership_capacity(orgs, params, ws, lead, n_active):
    """7.11: the system's leadership capacity ``H``.

    Returns
    -------
    capacity_active, lead_capacity, leadership : float
        Sum of ``h_i`` over active organisations; the lead's ``h`` (the mean when there is no
        active lead); ``H = χ_L·h_lead + (1 − χ_L)·mean h`` (0 with no active organisation).
    """
    capacity_active = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            capacity_active += ws.capacity[i]
    mean_capacity = capacity_active / n_active if n_active > 0 else 0.0
    lead_capacity = ws.capacity[lead] if lead >= 0 and orgs.active[lead] == 1.0 else mean_capacity
    leadership = params.concentration * lead_capacity + (1.0 - params.concentration) * mean_capacity if n_active > 0 else 0.0
    return capacity_active, lead_capacity, leadership


@inline
def leaders_settle(orgs, params):
    """7.11 (phase 11): every active organisation's leader grows more settled in the system."""
    active = orgs.active
    experience = orgs.experience
    for i in prange(active.shape[0]):
        if active[i] == 1.0:
            experience[i] = experience[i] + params.settling_rate * (1.0 - experience[i])
