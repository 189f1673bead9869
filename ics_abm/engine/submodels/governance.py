"""7.13 Hard decisions, governance and commitment.

Now and then, more often as the system matures, a hard decision opens: a reconfiguration of
services that costs one NHS provider a loss of some size; the full members vote on it each month. Informal governance needs consensus, statutory governance a
majority. A resolved decision raises trust and progress; one that runs out of patience breaks down,
cuts trust and steps progress back, and under conditional commitment the dissenters walk away.
Conditional commitment also follows trust and financial stress month by month.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.rng import STREAM_HARD_DECISION, STREAM_VOTE, logistic, uniform
from ics_abm.engine.state import (
    DECISION_AGE,
    DECISION_LOSER,
    DECISION_LOSS,
    DECISION_OPEN,
    DECISIONS_FAILED,
    DECISIONS_RESOLVED,
    PROGRESS,
)
from ics_abm.engine.submodels.regulators import stress

__all__ = ["open_hard_decision", "vote", "count_votes", "decision_outcome", "commitment"]


_PROVIDER_REGULATOR = 0  # index of "provider_regulator" in ics_abm.scenario.kinds.PRINCIPALS


@inline
def _draw_loser(orgs, u):
    """7.13: the organisation a reconfiguration hits, drawn with probability in proportion to budget
    among active NHS providers (among all active organisations if there is none); ``u`` in (0, 1)."""
    providers = 0.0
    everyone = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            everyone += orgs.budget[i]
            if orgs.principal[i] == _PROVIDER_REGULATOR:
                providers += orgs.budget[i]
    only_providers = providers > 0.0
    target = u * (providers if only_providers else everyone)
    loser = -1
    cumulative = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0 and (orgs.principal[i] == _PROVIDER_REGULATOR or not only_providers):
            loser = i  # the last eligible one if rounding leaves the target beyond the total
            cumulative += orgs.budget[i]
            if target < cumulative:
                break
    return loser


@inline
def open_hard_decision(orgs, params, system, key, t, n_active):
    """7.13 (phase 0): a hard decision may open, more often the more mature the system (7.5).

    Its loser is drawn by :func:`_draw_loser` and the size of its loss uniformly in (0, 1).
    """
    maturity = min(1.0, system[PROGRESS] / params.maturity_progress)
    if system[DECISION_OPEN] == 0.0 and n_active > 0 and uniform(key, t, 0, STREAM_HARD_DECISION) < params.decision_rate * maturity:
        system[DECISION_LOSER] = float(_draw_loser(orgs, uniform(key, t, 1, STREAM_HARD_DECISION)))
        system[DECISION_LOSS] = uniform(key, t, 2, STREAM_HARD_DECISION)
        system[DECISION_OPEN] = 1.0
        system[DECISION_AGE] = 0.0


@inline
def vote(orgs, params, ws, system, key, t, safety):
    """7.13 (phase 1): each full member's vote on an open decision, from start-of-step values.

    A voter's view of the proposal (the logistic term) is drawn once, in the month the decision
    opened, and kept while it is discussed; discussion raises every voter's support by
    ``params.deliberation`` a month.

    Writes ``ws.vote`` (int64, shape (n,)): -1 does not vote, 0 against, 1 for. A member that has
    stepped back from commitment votes against (it blocks a consensus) and draws no random number.
    """
    active = orgs.active
    engagement = orgs.engagement
    committed = orgs.committed
    altruism = orgs.altruism
    w_mean_trust = ws.mean_trust
    w_belief = ws.belief
    w_vote = ws.vote
    decision_open = system[DECISION_OPEN] == 1.0
    loser = int(system[DECISION_LOSER])
    loss = system[DECISION_LOSS]
    # Months the decision has been discussed before this vote (0 in the month it opened), and the
    # month it opened: a voter's view of the proposal is drawn once, for that month, and kept.
    age = system[DECISION_AGE]
    opened = t - int(age)
    for i in prange(active.shape[0]):
        choice = -1
        if decision_open and active[i] == 1.0 and engagement[i] >= 2.0:
            choice = 0  # a member that has stepped back cannot be part of a consensus
        if choice == 0 and committed[i] == 1.0:
            support = (w_mean_trust[i] - params.support_threshold) + params.narrative_weight * (w_belief[i] - 0.5) + params.safety_weight * safety + params.deliberation * age
            if i == loser:
                support = support - params.loss_weight * loss * (1.0 - altruism[i])
            if params.vote_noise > 0.0:
                support = support + params.vote_noise * logistic(uniform(key, opened, i, STREAM_VOTE))
            choice = 1 if support > 0.0 else 0
        w_vote[i] = choice


@inline
def count_votes(params, ws, system):
    """7.13 (phase 1): whether the open decision resolves or breaks down this month.

    Ages an unresolved decision by a month in ``system``.

    Returns
    -------
    resolved, broke_down : bool
    latency : float
        Months the decision took when resolved, NaN otherwise.
    """
    voters = 0
    supporters = 0
    for i in range(ws.vote.shape[0]):
        if ws.vote[i] >= 0:
            voters += 1
            supporters += ws.vote[i]
    resolved = False
    broke_down = False
    latency = np.nan
    if system[DECISION_OPEN] == 1.0:
        if params.statutory:
            resolved = voters > 0 and supporters / voters >= params.majority
        else:
            resolved = voters > 0 and supporters == voters
        if resolved:
            latency = system[DECISION_AGE] + 1.0
        else:
            system[DECISION_AGE] = system[DECISION_AGE] + 1.0
            broke_down = system[DECISION_AGE] >= params.patience
    return resolved, broke_down, latency


@inline
def decision_outcome(orgs, graph, arcs, params, system, resolved, broke_down):
    """7.13 (phase 4b): a resolved decision raises trust on every live arc, a breakdown cuts it, both
    in proportion to the size of the loss at stake; it closes.

    Returns
    -------
    float
        The decision's size ``2 * loss`` (1 for a decision of average size), 0 if none closed.
    """
    if not (resolved or broke_down):
        return 0.0
    size = 2.0 * system[DECISION_LOSS]  # a decision of average size has the full effect
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] != 1.0:
            continue
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            if orgs.active[graph.target[k]] == 1.0:
                if resolved:
                    arcs.trust[k] = arcs.trust[k] + min(1.0, size * params.resolved_trust_gain) * (1.0 - arcs.trust[k])
                else:
                    arcs.trust[k] = (1.0 - min(1.0, size * params.breakdown_trust_loss)) * arcs.trust[k]
    system[DECISION_OPEN] = 0.0
    system[DECISION_AGE] = 0.0
    system[DECISION_LOSER] = -1.0
    system[DECISION_LOSS] = 0.0
    if resolved:
        system[DECISIONS_RESOLVED] = system[DECISIONS_RESOLVED] + 1.0
    else:
        system[DECISIONS_FAILED] = system[DECISIONS_FAILED] + 1.0
    return size


@inline
def commitment(orgs, params, ws, broke_down):
    """7.13 (phase 9): conditional commitment follows trust and stress; dissenters walk away at a breakdown.

    Only under conditional commitment and informal governance; an unwilling organisation is never
    committed. Reads the trust after phase 5 (``ws.trust_sum / ws.live``) and the balance after
    finance.
    """
    active = orgs.active
    unwilling = orgs.unwilling
    committed = orgs.committed
    balance = orgs.balance
    budget = orgs.budget
    w_trust_sum = ws.trust_sum
    w_live = ws.live
    w_vote = ws.vote
    informal_conditional = params.conditional and not params.statutory
    walk_away = broke_down and informal_conditional
    for i in prange(active.shape[0]):
        if active[i] != 1.0:
            continue
        live = w_live[i]
        mean_trust = w_trust_sum[i] / live if live > 0.0 else 0.0
        own_stress = stress(balance[i], budget[i], params.stress_scale)
        if unwilling[i] == 1.0:
            committed[i] = 0.0
        elif informal_conditional:
            if committed[i] == 1.0:
                if mean_trust < params.commitment_trust_threshold or own_stress > params.commitment_stress_threshold:
                    committed[i] = 0.0
            elif mean_trust >= params.commitment_trust_threshold + params.reengage_margin and own_stress <= params.commitment_stress_threshold:
                committed[i] = 1.0
            if walk_away and w_vote[i] == 0:
                committed[i] = 0.0
