"""7.2 Decision: on every relationship, collaborate or act for itself.

An organisation at the table weighs collaborating through its motive lens and, by its altruism,
through the system's eyes, at its trust in the partner; it values keeping a trusted relationship on
the path of mutual collaboration (the shadow of the future) and is pulled by its belief in the
shared purpose; its regulator's push, the conflict between two regulators with different messages,
and decision noise are added. It collaborates when the advantage is positive. Every decision of a
month is taken from the state at its start. An organisation that would collaborate may find that
the day job leaves no time for it this month: the less capacity its leaders have for system work,
the more often (M26).
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.rng import STREAM_CROWDING, STREAM_DECISION, logistic, uniform
from ics_abm.engine.submodels.participation import at_table

__all__ = ["decide"]

_PUBLIC = 2  # the principal without a regulator (ics_abm.scenario.kinds.PRINCIPALS)


@inline
def decide(orgs, graph, arcs, params, ws, key, t, a_sys, b_sys, future):
    """7.2, 7.10 (phase 2): the action on every arc, 1 collaborate or 0 act for itself.

    Parameters
    ----------
    a_sys, b_sys : float
        The system's value differences (7.2), from :func:`~ics_abm.engine.submodels.motives.normalised_payoffs`.
    future : float
        ``I_R - I_P``: the normalised value of mutual collaboration over mutual defection.

    Writes ``arcs.action`` (int8, shape (m,)); an organisation not at the table, or facing an
    inactive partner, acts for itself and draws no random number. Reads ``ws.capacity``. Reads ``ws.lens_a``,
    ``ws.lens_b``, ``ws.push`` and the start-of-step beliefs ``ws.belief`` of this month.
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
    w_belief = ws.belief
    w_capacity = ws.capacity
    for i in prange(principal.shape[0]):
        r = principal[i]
        # Under a pooled budget part of every organisation's result is the system's (7.15).
        alpha = altruism[i] + params.pooled_system_weight * (1.0 - altruism[i])
        purpose = params.purpose_weight * (w_belief[i] - 0.5)  # sceptics (x < 0.5) hold back (7.2)
        crowded_out = params.crowding_out * (1.0 - w_capacity[i])
        deciding = at_table(orgs, i)
        for k in range(indptr[i], indptr[i + 1]):
            j = target[k]
            if not deciding or active[j] != 1.0:
                action[k] = 0
                continue
            q = trust[k]
            advantage = (1.0 - alpha) * (q * lens_a[i] + (1.0 - q) * lens_b[i]) + alpha * (q * a_sys + (1.0 - q) * b_sys)
            advantage = advantage + params.future_weight * q * future + purpose + push[i]
            r_j = principal[j]
            if r != _PUBLIC and r_j != _PUBLIC and r != r_j:
                advantage = advantage - params.conflict * params.strength[r] * (1.0 - params.focus[r])
            if params.noise > 0.0:
                advantage = advantage + params.noise * logistic(uniform(key, t, k, STREAM_DECISION))
            # Crowded out if U(key, t, k, 5) < crowded_out. The number is a pure function of its
            # counter, so drawing it for every arc (not only where the organisation would
            # collaborate) gives the same actions, without a hard-to-predict branch per arc; with
            # crowded_out <= 0 the test is false (U > 0), as is "draw only when crowded_out > 0".
            crowded = uniform(key, t, k, STREAM_CROWDING) < crowded_out
            action[k] = 1 if (advantage > 0.0) & (not crowded) else 0
