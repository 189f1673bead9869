"""7.2 Decision: on every relationship, collaborate or act for itself.

An organisation at the table weighs collaborating through its motive lens and, by its altruism,
through the system's eyes, at its trust in the partner; its regulator's push, the conflict between
two regulators with different messages, and decision noise are added. It collaborates when the
advantage is positive. Every decision of a month is taken from the state at its start.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.rng import STREAM_DECISION, logistic, uniform
from ics_abm.engine.submodels.participation import at_table

__all__ = ["decide"]

_PUBLIC = 2  # the principal without a regulator (ics_abm.scenario.kinds.PRINCIPALS)


@inline
def decide(orgs, graph, arcs, params, ws, key, t, a_sys, b_sys):
    """7.2, 7.10 (phase 2): the action on every arc, 1 collaborate or 0 act for itself.

    Parameters
    ----------
    a_sys, b_sys : float
        The system's value differences (7.2), from :func:`~ics_abm.engine.submodels.motives.normalised_payoffs`.

    Writes ``arcs.action`` (int8, shape (m,)); an organisation not at the table, or facing an
    inactive partner, acts for itself and draws no random number. Reads ``ws.lens_a``,
    ``ws.lens_b`` and ``ws.push`` of this month.
    """
    principal = orgs.principal
    altruism = orgs.altruism
    active = orgs.active
    indptr = graph.indptr
    target = graph.target
    action = arcs.action
    trust = arcs.trust
    lens_a = ws.lens_a
    lens_b = ws.lens_b
    push = ws.push
    for i in prange(principal.shape[0]):
        r = principal[i]
        alpha = altruism[i]
        deciding = at_table(orgs, i)
        for k in range(indptr[i], indptr[i + 1]):
            j = target[k]
            if not deciding or active[j] != 1.0:
                action[k] = 0
                continue
            q = trust[k]
            advantage = (1.0 - alpha) * (q * lens_a[i] + (1.0 - q) * lens_b[i]) + alpha * (q * a_sys + (1.0 - q) * b_sys) + push[i]
            r_j = principal[j]
            if r != _PUBLIC and r_j != _PUBLIC and r != r_j:
                advantage = advantage - params.conflict * params.strength[r] * (1.0 - params.focus[r])
            if params.noise > 0.0:
                advantage = advantage + params.noise * logistic(uniform(key, t, k, STREAM_DECISION))
            action[k] = 1 if advantage > 0.0 else 0
