"""7.4 Collaboration outcomes and finances: what each relationship pays, and each month's net result.

Each relationship is a prisoner's dilemma over the money at stake in it; an organisation's net
result for the month is what its relationships paid less its cost growth beyond the capped
allocation, winter costs and money put into invest-to-save schemes (plus their returns, 7.15).
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline

__all__ = ["material", "payoffs", "book_results"]


@inline
def material(own, partner, reward, sucker, temptation, punishment):
    """7.4: payoff per unit stake of the organisation that played ``own`` against ``partner``."""
    if own == 1:
        return reward if partner == 1 else sucker
    return temptation if partner == 1 else punishment


@inline
def payoffs(orgs, graph, arcs, params, ws, winter, invest, invest_return):
    """7.4, 7.15 (phases 3 and 5): payoffs over live arcs and each organisation's net result.

    Parameters
    ----------
    winter : float
        Winter pressure this month (7.16).
    invest, invest_return : float
        Share of budget put into invest-to-save this month, and returned this month (7.15).

    Writes, per organisation (float64, shape (n,)): ``ws.net`` (£m this month; 0 for an inactive
    one), ``ws.collaborating`` (live arcs on which it collaborated) and ``ws.mutual`` (live arcs on
    which both did).
    """
    active = orgs.active
    budget = orgs.budget
    cost_pressure = orgs.cost_pressure
    indptr = graph.indptr
    target = graph.target
    reverse = graph.reverse
    action = arcs.action
    stake = arcs.stake
    w_net = ws.net
    w_collaborating = ws.collaborating
    w_mutual = ws.mutual
    for i in prange(active.shape[0]):
        pay = 0.0
        collaborating = 0.0
        mutual = 0.0
        if active[i] == 1.0:
            for k in range(indptr[i], indptr[i + 1]):
                if active[target[k]] != 1.0:
                    continue
                own = action[k]
                partner = action[reverse[k]]
                pay += stake[k] * material(own, partner, params.reward, params.sucker, params.temptation, params.punishment)
                collaborating += own
                mutual += own * partner
            b = budget[i]
            w_net[i] = (
                pay
                - b * cost_pressure[i] / 12.0
                - params.winter_cost * winter * b / 12.0
                - invest * b / 12.0
                + invest_return * b / 12.0
            )
        else:
            w_net[i] = 0.0
        w_collaborating[i] = collaborating
        w_mutual[i] = mutual


@inline
def book_results(orgs, ws):
    """7.4 (phase 5): each active organisation's net result is added to its balance."""
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            orgs.balance[i] = orgs.balance[i] + ws.net[i]
