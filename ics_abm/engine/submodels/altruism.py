"""7.6 Altruism ("the system hat"): grows with mutual collaboration, erodes under pressure and stress."""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.submodels.regulators import stress

__all__ = ["update_altruism"]


@inline
def update_altruism(orgs, params, ws):
    """7.6 (phase 7): every active organisation's altruism, in [0, 1].

    Grows with the share of its live relationships in mutual collaboration this month
    (``ws.mutual / ws.live``); erodes with the larger of its regulator pressure (after this month's
    interventions) and its financial stress (after finance).
    """
    active = orgs.active
    altruism = orgs.altruism
    pressure = orgs.pressure
    balance = orgs.balance
    budget = orgs.budget
    w_mutual = ws.mutual
    w_live = ws.live
    for i in prange(active.shape[0]):
        if active[i] != 1.0:
            continue
        live = w_live[i]
        share_mutual = w_mutual[i] / live if live > 0.0 else 0.0
        own_stress = stress(balance[i], budget[i], params.stress_scale)
        alpha = altruism[i]
        altruism[i] = alpha + params.altruism_growth * (1.0 - alpha) * share_mutual - params.altruism_erosion * alpha * max(pressure[i], own_stress)
