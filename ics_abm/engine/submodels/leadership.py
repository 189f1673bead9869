"""7.11 Leadership: leader turnover, effective capacity, the system's leadership, leaders settling.

A leader who leaves takes relationships with them (trust on the organisation's arcs is cut both
ways; the system's lead takes part of everyone's trust, the more so the more concentrated
leadership is) and a newcomer has less capacity for system work until settled. The system's leadership
capacity mixes the lead organisation's capacity with everyone's, by how concentrated leadership is.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline, kernel
from ics_abm.engine.rng import STREAM_TURNOVER, uniform

__all__ = ["lose_leader", "lead_loss", "leader_turnover", "effective_capacity", "leadership_capacity", "leaders_settle"]


@kernel
def lose_leader(orgs, graph, arcs, i, trust_loss, initial_belief, system_loss):
    """7.11: organisation ``i``'s leader leaves; trust on its arcs, both ways, is cut.

    Also used between steps by the ``leader_leaves`` event (7.16). ``system_loss`` is the share of
    trust lost on every live arc of the system first (the person-attached trust of the system's
    lead, :func:`lead_loss`; 0 for any other leader).
    """
    if system_loss > 0.0:
        for j in range(orgs.kind.shape[0]):
            if orgs.active[j] == 1.0:
                for k in range(graph.indptr[j], graph.indptr[j + 1]):
                    if orgs.active[graph.target[k]] == 1.0:
                        arcs.trust[k] = (1.0 - system_loss) * arcs.trust[k]
    orgs.experience[i] = 0.0
    orgs.belief[i] = initial_belief
    for k in range(graph.indptr[i], graph.indptr[i + 1]):
        arcs.trust[k] = (1.0 - trust_loss) * arcs.trust[k]
        arcs.trust[graph.reverse[k]] = (1.0 - trust_loss) * arcs.trust[graph.reverse[k]]


@kernel
def lead_loss(orgs, params, i, lead):
    """7.11: the share of trust on every live arc that leaves with ``i``'s leader.

    ``χ_L·λ_L·e_i`` if ``i`` is the lead organisation, else 0: how concentrated leadership is
    (``χ_L``) decides how much of the system's trust is attached to the lead's person, and a
    settled, respected leader (experience ``e_i``, read before it is reset) takes more with them.
    """
    if i != lead:
        return 0.0
    return params.concentration * params.lead_trust_loss * orgs.experience[i]


@inline
def leader_turnover(orgs, graph, arcs, params, key, t, lead):
    """7.11 (phase 0): each active organisation's leader leaves with the turnover rate.

    Serial, in index order: a departure changes arcs of other organisations too.
    """
    if params.turnover_rate > 0.0:
        for i in range(orgs.kind.shape[0]):
            if orgs.active[i] == 1.0 and uniform(key, t, i, STREAM_TURNOVER) < params.turnover_rate:
                lose_leader(orgs, graph, arcs, i, params.turnover_trust_loss, params.narrative_initial,
                            lead_loss(orgs, params, i, lead))


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
