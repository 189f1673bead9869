"""7.12 Shared narrative: beliefs in the system's shared purpose, built by leaders and mixed by partners.

Leaders build belief with the time they have for system work (their own, or the lead's when
leadership is concentrated), in proportion to how engaged and committed their organisation is and
to how inclusive the table is;
partners who work together pull each other's beliefs closer when they are close enough already
(bounded confidence, Deffuant); belief decays without that work.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.submodels.participation import engagement_weight

__all__ = ["update_beliefs"]


@inline
def update_beliefs(orgs, graph, arcs, params, ws, lead_capacity, mean_stress, inclusive):
    """7.12 (phase 8): every active organisation's belief, from start-of-step beliefs (``ws.belief``).

    Parameters
    ----------
    lead_capacity : float
        The lead organisation's effective capacity this month (7.11).
    mean_stress : float
        Mean financial stress of the active organisations at the start of the step (7.5): the
        burning platform that makes the case for change.
    inclusive : float
        How inclusive the table is at the start of the step (7.10, :func:`inclusiveness`): a
        vision agreed "in an inclusive way" is built at the full rate, one agreed by part of the
        system at that part's rate.

    Writes ``orgs.belief`` (in [0, 1]).
    """
    active = orgs.active
    belief = orgs.belief
    engagement = orgs.engagement
    committed = orgs.committed
    indptr = graph.indptr
    target = graph.target
    reverse = graph.reverse
    action = arcs.action
    w_belief = ws.belief
    w_capacity = ws.capacity
    w_live = ws.live
    for i in prange(active.shape[0]):
        if active[i] != 1.0:
            continue
        x = w_belief[i]
        build = params.build_rate * ((1.0 - params.concentration) * w_capacity[i] + params.concentration * lead_capacity)
        build = (build + params.burning_platform * mean_stress) * inclusive * engagement_weight(engagement[i]) * committed[i] * (1.0 - x)
        live = w_live[i]
        mix = 0.0
        if live > 0.0:
            for k in range(indptr[i], indptr[i + 1]):
                j = target[k]
                if active[j] == 1.0 and action[k] * action[reverse[k]] == 1 and abs(w_belief[j] - x) < params.confidence_bound:
                    mix += w_belief[j] - x
            mix = params.convergence / live * mix
        belief[i] = min(1.0, max(0.0, x + build + mix - params.narrative_decay * x))
