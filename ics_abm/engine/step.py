"""The step kernel: one month of decisions, payoffs, trust, finances, regulators and altruism.

docs/model.md, section 7, is the specification; each block below cites its subsection. The rule
source ``_step_rows`` is compiled twice, serially and with ``parallel=True`` (``prange`` over
organisations); every parallel iteration writes only its own organisation's rows and arcs, and
all sums over organisations are taken afterwards in a fixed order, so both variants give the same
numbers bit for bit. The public entry point :func:`advance` validates its inputs once; the
kernels themselves never do.
"""

from __future__ import annotations

import math
import types
from typing import NamedTuple

import numba
import numpy as np
from numba import prange

from ics_abm.engine.jit import JIT_INLINE, JIT_PARALLEL, JIT_SERIAL
from ics_abm.engine.rng import STREAM_DECISION, STREAM_HARD_DECISION, STREAM_INTERVENTION, STREAM_TURNOVER, STREAM_VOTE, uniform
from ics_abm.engine.submodels.motives import lens_differences, optimal_incentive
from ics_abm.engine.state import Arcs, Graph, Organisations, Params, Workspace, check_state, check_system, make_workspace

__all__ = ["METRICS", "ORG_TRAJECTORY_FIELDS", "advance", "Trajectory"]

#: Per-step system outputs, in column order (docs/model.md, section 7.8).
METRICS: tuple[str, ...] = (
    "collaboration_rate",
    "mutual_rate",
    "mean_trust",
    "system_surplus",
    "system_balance",
    "n_deficit",
    "interventions",
    "integration_progress",
    "mean_altruism",
    "mean_pressure",
    "mean_capacity",
    "shared_narrative",
    "committed_share",
    "decision_open",
    "decisions_resolved",
    "decisions_failed",
    "decision_latency",
    "signed_up",
    "transfers",
    "sustainability_funding",
    "la_engagement",
    "winter_pressure",
    "safety",
    "leadership_capacity",
    "active_organisations",
    "joint_working",
)
#: Per-step organisation outputs recorded when asked for ("capacity" is the effective capacity).
ORG_TRAJECTORY_FIELDS: tuple[str, ...] = (
    "balance", "altruism", "pressure", "capacity", "net", "committed", "belief", "engagement", "experience", "active",
)

_N_KINDS = 6
_PUBLIC = 2
_LOCAL_AUTHORITY = 4
_SEPARATE, _CONTROL_TOTAL, _POOLED = 0, 1, 2
# Indices into the system state array (ics_abm.engine.state.SYSTEM_FIELDS).
_PROGRESS, _WINTER, _SAFETY, _SIGNED, _OPEN, _AGE, _LOSER, _RESOLVED, _FAILED, _LEAD = range(10)


@numba.njit(**JIT_INLINE)
def _normalised(x, lo, hi):
    return (x - lo) / (hi - lo)


@numba.njit(**JIT_INLINE)
def _stress(balance, budget, stress_scale):
    # 7.5: deficit as a share of budget, relative to the deficit that counts as full stress.
    return min(1.0, max(0.0, -balance / (stress_scale * budget)))


@numba.njit(**JIT_INLINE)
def _material(own, partner, reward, sucker, temptation, punishment):
    # 7.4: payoff per unit stake of the row organisation.
    if own == 1:
        return reward if partner == 1 else sucker
    return temptation if partner == 1 else punishment


@numba.njit(**JIT_INLINE)
def _at_table(orgs, i):
    # 7.10: a member, committed, and not absent.
    return orgs.active[i] == 1.0 and orgs.committed[i] == 1.0 and orgs.engagement[i] >= 1.0


@numba.njit(**JIT_INLINE)
def _engagement_weight(engagement):
    # 7.10: absent 0, partner 0.5, full member and lead 1.
    if engagement < 0.5:
        return 0.0
    if engagement < 1.5:
        return 0.5
    return 1.0


@numba.njit(**JIT_INLINE)
def _logistic(u):
    return math.log(u) - math.log(1.0 - u)


@numba.njit(**JIT_SERIAL)
def _lose_leader(orgs, graph, arcs, i, trust_loss, initial_belief):
    """7.11: organisation ``i``'s leader leaves; trust on its arcs, both ways, is cut."""
    orgs.experience[i] = 0.0
    orgs.belief[i] = initial_belief
    for k in range(graph.indptr[i], graph.indptr[i + 1]):
        arcs.trust[k] = (1.0 - trust_loss) * arcs.trust[k]
        arcs.trust[graph.reverse[k]] = (1.0 - trust_loss) * arcs.trust[graph.reverse[k]]


def _step_rows(orgs, graph, arcs, params, ws, system, key, t, out, kind_trust_out, org_out):
    """One step, in place (docs/model.md, 7.0 phases 0-12).

    ``system`` has shape (len(SYSTEM_FIELDS),), ``out`` shape (len(METRICS),), ``kind_trust_out``
    shape (6, 6) and ``org_out`` shape (n, len(ORG_TRAJECTORY_FIELDS)) or (0, ...) when
    organisation trajectories are not recorded. Loops marked ``prange`` write only their own
    organisation's row and arcs; every sum over organisations is taken serially in index order.
    """
    # Every array is read and written through a local name: numba can lose writes made through a
    # named tuple's attribute inside prange (numba issues #5872, #7135).
    a_action = arcs.action
    a_distance = arcs.distance
    a_memory = arcs.memory
    a_stake = arcs.stake
    a_trust = arcs.trust
    o_achievement = orgs.achievement
    o_active = orgs.active
    o_affiliation = orgs.affiliation
    o_altruism = orgs.altruism
    o_balance = orgs.balance
    o_belief = orgs.belief
    o_budget = orgs.budget
    o_capacity = orgs.capacity
    o_committed = orgs.committed
    o_cost_pressure = orgs.cost_pressure
    o_engagement = orgs.engagement
    o_experience = orgs.experience
    o_gain_rate = orgs.gain_rate
    o_kind = orgs.kind
    o_loss_rate = orgs.loss_rate
    o_political = orgs.political
    o_power = orgs.power
    o_pressure = orgs.pressure
    o_principal = orgs.principal
    o_unwilling = orgs.unwilling
    w_belief = ws.belief
    w_capacity = ws.capacity
    w_collaborating = ws.collaborating
    w_intervened = ws.intervened
    w_kind_count = ws.kind_count
    w_kind_trust = ws.kind_trust
    w_lens_a = ws.lens_a
    w_lens_b = ws.lens_b
    w_live = ws.live
    w_mean_trust = ws.mean_trust
    w_mutual = ws.mutual
    w_net = ws.net
    w_progress_sum = ws.progress_sum
    w_push = ws.push
    w_trust_sum = ws.trust_sum
    w_vote = ws.vote
    n = o_kind.shape[0]
    lo = min(min(params.reward, params.sucker), min(params.temptation, params.punishment))
    hi = max(max(params.reward, params.sucker), max(params.temptation, params.punishment))
    i_r = _normalised(params.reward, lo, hi)
    i_s = _normalised(params.sucker, lo, hi)
    i_t = _normalised(params.temptation, lo, hi)
    i_p = _normalised(params.punishment, lo, hi)
    i_m = _normalised((params.sucker + params.temptation) / 2.0, lo, hi)
    a_sys = i_r - i_m
    b_sys = i_m - i_p
    winter = system[_WINTER]
    safety = system[_SAFETY]
    lead = int(system[_LEAD])

    # 0. Leader turnover (7.11), in index order: it writes arcs of other organisations.
    if params.turnover_rate > 0.0:
        for i in range(n):
            if o_active[i] == 1.0 and uniform(key, t, i, STREAM_TURNOVER) < params.turnover_rate:
                _lose_leader(orgs, graph, arcs, i, params.turnover_trust_loss, params.narrative_initial)

    # Start-of-step mean trust over live arcs and beliefs (7.10, 7.12).
    for i in prange(n):
        total = 0.0
        live = 0.0
        if o_active[i] == 1.0:
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                if o_active[graph.target[k]] == 1.0:
                    total += a_trust[k]
                    live += 1.0
        w_live[i] = live
        w_mean_trust[i] = total / live if live > 0.0 else 0.0
        w_belief[i] = o_belief[i]
    n_active = 0
    stress_sum = 0.0
    for i in range(n):
        if o_active[i] == 1.0:
            n_active += 1
            stress_sum += _stress(o_balance[i], o_budget[i], params.stress_scale)

    # 0. A hard decision may open (7.13).
    if system[_OPEN] == 0.0 and n_active > 0 and uniform(key, t, 0, STREAM_HARD_DECISION) < params.decision_rate:
        rank = int(uniform(key, t, 1, STREAM_HARD_DECISION) * n_active)
        seen = 0
        for i in range(n):
            if o_active[i] == 1.0:
                if seen == rank:
                    system[_LOSER] = float(i)
                    break
                seen += 1
        system[_OPEN] = 1.0
        system[_AGE] = 0.0

    # 0. Sign-up to the control total at the start of a financial year (7.15).
    if params.finance_regime == _CONTROL_TOTAL and (t - 1) % 12 == 0:
        mean_stress = stress_sum / n_active if n_active > 0 else 0.0
        at_table = 0
        agree = 0
        for i in range(n):
            if _at_table(orgs, i):
                at_table += 1
                chance = w_mean_trust[i] * (1.0 - mean_stress)
                tolerance = params.risk_tolerance * (1.0 - _stress(o_balance[i], o_budget[i], params.stress_scale))
                if params.linked_share * (1.0 - chance) <= tolerance:
                    agree += 1
        system[_SIGNED] = 1.0 if at_table > 0 and agree / at_table >= params.signup_share else 0.0

    # 1. Derived organisation quantities (7.1 lens; 7.5, 7.11 capacity; push and stress).
    for i in prange(n):
        r = o_principal[i]
        w_capacity[i] = (
            o_capacity[i]
            * (1.0 - params.capacity_cost * o_pressure[i])
            * (1.0 - params.winter_capacity_loss * winter)
            * (1.0 - params.newcomer_penalty * (1.0 - o_experience[i]))
        )
        s = params.strength[r]
        phi = params.focus[r]
        stress = _stress(o_balance[i], o_budget[i], params.stress_scale)
        w_push[i] = s * (phi - (1.0 - phi) * (1.0 + params.intervention_push * o_pressure[i])) - params.stress_weight * stress
        omega = optimal_incentive(o_power[i], o_affiliation[i], o_achievement[i])
        a, b = lens_differences(omega, i_r, i_s, i_t, i_p)
        w_lens_a[i] = a
        w_lens_b[i] = b
    capacity_active = 0.0
    for i in range(n):
        if o_active[i] == 1.0:
            capacity_active += w_capacity[i]
    mean_capacity = capacity_active / n_active if n_active > 0 else 0.0
    lead_capacity = w_capacity[lead] if lead >= 0 and o_active[lead] == 1.0 else mean_capacity
    leadership = params.concentration * lead_capacity + (1.0 - params.concentration) * mean_capacity if n_active > 0 else 0.0

    # 1. Votes on an open hard decision (7.13), from start-of-step values.
    decision_open = system[_OPEN] == 1.0
    loser = int(system[_LOSER])
    for i in prange(n):
        vote = -1
        if decision_open and o_active[i] == 1.0 and o_engagement[i] >= 2.0:
            vote = 0  # a member that has stepped back cannot be part of a consensus
        if vote == 0 and o_committed[i] == 1.0:
            support = (w_mean_trust[i] - params.support_threshold) + params.narrative_weight * (w_belief[i] - 0.5) + params.safety_weight * safety
            if i == loser:
                support = support - params.loss_weight * (1.0 - o_altruism[i])
            if params.vote_noise > 0.0:
                support = support + params.vote_noise * _logistic(uniform(key, t, i, STREAM_VOTE))
            vote = 1 if support > 0.0 else 0
        w_vote[i] = vote
    voters = 0
    supporters = 0
    for i in range(n):
        if w_vote[i] >= 0:
            voters += 1
            supporters += w_vote[i]
    resolved = False
    broke_down = False
    latency = np.nan
    if decision_open:
        if params.statutory:
            resolved = voters > 0 and supporters / voters >= params.majority
        else:
            resolved = voters > 0 and supporters == voters
        if resolved:
            latency = system[_AGE] + 1.0
        else:
            system[_AGE] = system[_AGE] + 1.0
            broke_down = system[_AGE] >= params.patience

    # 2. Decisions on every arc (7.2, 7.10), all from start-of-step state.
    for i in prange(n):
        r = o_principal[i]
        alpha = o_altruism[i]
        deciding = _at_table(orgs, i)
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            j = graph.target[k]
            if not deciding or o_active[j] != 1.0:
                a_action[k] = 0
                continue
            q = a_trust[k]
            advantage = (1.0 - alpha) * (q * w_lens_a[i] + (1.0 - q) * w_lens_b[i]) + alpha * (q * a_sys + (1.0 - q) * b_sys) + w_push[i]
            r_j = o_principal[j]
            if r != _PUBLIC and r_j != _PUBLIC and r != r_j:
                advantage = advantage - params.conflict * params.strength[r] * (1.0 - params.focus[r])
            if params.noise > 0.0:
                advantage = advantage + params.noise * _logistic(uniform(key, t, k, STREAM_DECISION))
            a_action[k] = 1 if advantage > 0.0 else 0

    # 3-4. Payoffs (7.4), trust and memory (7.3, 7.7) on live arcs; net results (7.15).
    invest = params.invest_share if t <= params.invest_months else 0.0
    invest_return = params.invest_return * params.invest_share if params.invest_lag < t <= params.invest_months + params.invest_lag else 0.0
    for i in prange(n):
        pay = 0.0
        collaborating = 0.0
        mutual = 0.0
        if o_active[i] == 1.0:
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                j = graph.target[k]
                if o_active[j] != 1.0:
                    continue
                own = a_action[k]
                partner = a_action[graph.reverse[k]]
                pay += a_stake[k] * _material(own, partner, params.reward, params.sucker, params.temptation, params.punishment)
                trust = a_trust[k]
                if partner == 1:
                    gain = o_gain_rate[i] * (1.0 - params.distance_drag * a_distance[k]) * min(w_capacity[i], w_capacity[j])
                    trust = trust + gain * (1.0 - trust)
                else:
                    loss = min(1.0, o_loss_rate[i] * (1.0 + params.legacy_weight * a_memory[k]))
                    trust = trust - loss * trust
                a_trust[k] = trust
                a_memory[k] = params.memory_retention * a_memory[k] + (1.0 - params.memory_retention) * (1.0 - partner)
                collaborating += own
                mutual += own * partner
            budget = o_budget[i]
            w_net[i] = (
                pay
                - budget * o_cost_pressure[i] / 12.0
                - params.winter_cost * winter * budget / 12.0
                - invest * budget / 12.0
                + invest_return * budget / 12.0
            )
        else:
            w_net[i] = 0.0
        w_collaborating[i] = collaborating
        w_mutual[i] = mutual

    # 4b. The hard decision's effect on trust (7.13), serially over live arcs.
    if resolved or broke_down:
        for i in range(n):
            if o_active[i] != 1.0:
                continue
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                if o_active[graph.target[k]] == 1.0:
                    if resolved:
                        a_trust[k] = a_trust[k] + params.resolved_trust_gain * (1.0 - a_trust[k])
                    else:
                        a_trust[k] = (1.0 - params.breakdown_trust_loss) * a_trust[k]
    if resolved or broke_down:
        system[_OPEN] = 0.0
        system[_AGE] = 0.0
        system[_LOSER] = -1.0
        if resolved:
            system[_RESOLVED] = system[_RESOLVED] + 1.0
        else:
            system[_FAILED] = system[_FAILED] + 1.0

    # 5. Finances (7.4, 7.15): pooling, balances, and at a year end transfers and funding.
    if params.finance_regime == _POOLED:
        pooled = 0.0
        budget_total = 0.0
        for i in range(n):
            if o_active[i] == 1.0:
                pooled += w_net[i]
                budget_total += o_budget[i]
        for i in range(n):
            if o_active[i] == 1.0:
                w_net[i] = o_budget[i] * pooled / budget_total
    for i in range(n):
        if o_active[i] == 1.0:
            o_balance[i] = o_balance[i] + w_net[i]
    given = 0.0
    funding = 0.0
    if t % 12 == 0:
        given, funding = _year_end(orgs, graph, arcs, params, ws, system[_SIGNED] == 1.0)

    # Trust after phase 5: sums for the outputs, progress and the mean trust q̄'.
    for i in prange(n):
        trust_sum = 0.0
        progress_sum = 0.0
        for c in range(_N_KINDS):
            w_kind_trust[i, c] = 0.0
            w_kind_count[i, c] = 0.0
        if o_active[i] == 1.0:
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                j = graph.target[k]
                if o_active[j] != 1.0:
                    continue
                trust = a_trust[k]
                trust_sum += trust
                progress_sum += a_action[k] * a_action[graph.reverse[k]] * trust
                w_kind_trust[i, o_kind[j]] += trust
                w_kind_count[i, o_kind[j]] += 1.0
        w_trust_sum[i] = trust_sum
        w_progress_sum[i] = progress_sum

    system_balance = 0.0
    for i in range(n):
        if o_active[i] == 1.0:
            system_balance += o_balance[i]

    # 6-12. Interventions and pressure (7.5), altruism (7.6), beliefs (7.12), commitment (7.13),
    # local authorities (7.14), leaders settle (7.11): each organisation writes only its row.
    walk_away = broke_down and params.conditional and not params.statutory
    for i in prange(n):
        w_intervened[i] = 0
        if o_active[i] != 1.0:
            continue
        r = o_principal[i]
        rate = params.rate[r]
        intervened = 0
        if rate > 0.0 and o_balance[i] < 0.0 and (not params.system_assessment or system_balance < 0.0):
            probability = rate * min(1.0, (-o_balance[i] / o_budget[i]) / params.intervention_threshold)
            if uniform(key, t, i, STREAM_INTERVENTION) < probability:
                intervened = 1
        w_intervened[i] = intervened
        pressure = 1.0 if intervened == 1 else params.pressure_decay * o_pressure[i]
        o_pressure[i] = pressure
        live = w_live[i]
        share_mutual = w_mutual[i] / live if live > 0.0 else 0.0
        stress = _stress(o_balance[i], o_budget[i], params.stress_scale)
        alpha = o_altruism[i]
        o_altruism[i] = alpha + params.altruism_growth * (1.0 - alpha) * share_mutual - params.altruism_erosion * alpha * max(pressure, stress)

        x = w_belief[i]
        build = params.build_rate * ((1.0 - params.concentration) * w_capacity[i] + params.concentration * lead_capacity)
        build = build * _engagement_weight(o_engagement[i]) * o_committed[i] * (1.0 - x)
        mix = 0.0
        if live > 0.0:
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                j = graph.target[k]
                if o_active[j] == 1.0 and a_action[k] * a_action[graph.reverse[k]] == 1 and abs(w_belief[j] - x) < params.confidence_bound:
                    mix += w_belief[j] - x
            mix = params.convergence / live * mix
        o_belief[i] = min(1.0, max(0.0, x + build + mix - params.narrative_decay * x))

        mean_trust = w_trust_sum[i] / live if live > 0.0 else 0.0
        if o_unwilling[i] == 1.0:
            o_committed[i] = 0.0
        elif params.conditional and not params.statutory:
            if o_committed[i] == 1.0:
                if mean_trust < params.commitment_trust_threshold or stress > params.commitment_stress_threshold:
                    o_committed[i] = 0.0
            elif mean_trust >= params.commitment_trust_threshold + params.reengage_margin and stress <= params.commitment_stress_threshold:
                o_committed[i] = 1.0
            if walk_away and w_vote[i] == 0:
                o_committed[i] = 0.0

        if o_kind[i] == _LOCAL_AUTHORITY:
            political = o_political[i] + params.political_decay * (params.political_baseline - o_political[i])
            o_political[i] = political
            if params.la_dynamic:
                score = mean_trust - params.political_weight * political
                if o_engagement[i] == 3.0:
                    o_engagement[i] = 3.0 if score >= params.partner_threshold else 1.0
                elif score < params.absent_threshold:
                    o_engagement[i] = 0.0
                elif score < params.full_threshold:
                    o_engagement[i] = 1.0
                else:
                    o_engagement[i] = 2.0
        o_experience[i] = o_experience[i] + params.settling_rate * (1.0 - o_experience[i])
    system[_WINTER] = params.winter_decay * winter

    # 12. Progress and outputs (7.8): sums over organisations in index order.
    total_collaborating = 0.0
    total_mutual = 0.0
    total_trust = 0.0
    total_progress = 0.0
    live_arcs = 0.0
    surplus = 0.0
    n_deficit = 0.0
    interventions = 0.0
    altruism_sum = 0.0
    pressure_sum = 0.0
    belief_sum = 0.0
    committed_sum = 0.0
    engagement_sum = 0.0
    n_la = 0.0
    for a in range(_N_KINDS):
        for b in range(_N_KINDS):
            kind_trust_out[a, b] = 0.0
    kind_count = np.zeros((_N_KINDS, _N_KINDS))
    for i in range(n):
        if o_active[i] != 1.0:
            continue
        total_collaborating += w_collaborating[i]
        total_mutual += w_mutual[i]
        total_trust += w_trust_sum[i]
        total_progress += w_progress_sum[i]
        live_arcs += w_live[i]
        surplus += w_net[i]
        if o_balance[i] < 0.0:
            n_deficit += 1.0
        interventions += w_intervened[i]
        altruism_sum += o_altruism[i]
        pressure_sum += o_pressure[i]
        belief_sum += o_belief[i]
        committed_sum += o_committed[i]
        if o_kind[i] == _LOCAL_AUTHORITY:
            engagement_sum += o_engagement[i]
            n_la += 1.0
        for c in range(_N_KINDS):
            kind_trust_out[o_kind[i], c] += w_kind_trust[i, c]
            kind_count[o_kind[i], c] += w_kind_count[i, c]
    increment = total_progress / live_arcs if live_arcs > 0.0 else 0.0
    progress = (1.0 - params.progress_decay) * system[_PROGRESS] + increment
    if resolved:
        progress = progress + params.resolved_progress
    elif broke_down:
        progress = max(0.0, progress - params.resolved_progress)  # step forward, step back
    system[_PROGRESS] = progress
    nan = np.nan
    per_arc = 1.0 / live_arcs if live_arcs > 0.0 else nan
    per_org = 1.0 / n_active if n_active > 0 else nan
    out[0] = total_collaborating * per_arc
    out[1] = total_mutual * per_arc
    out[2] = total_trust * per_arc
    out[3] = surplus
    out[4] = system_balance
    out[5] = n_deficit
    out[6] = interventions
    out[7] = progress
    out[8] = altruism_sum * per_org
    out[9] = pressure_sum * per_org
    out[10] = capacity_active * per_org
    out[11] = belief_sum * per_org
    out[12] = committed_sum * per_org
    out[13] = system[_OPEN]
    out[14] = system[_RESOLVED]
    out[15] = system[_FAILED]
    out[16] = latency
    out[17] = system[_SIGNED]
    out[18] = given
    out[19] = funding
    out[20] = engagement_sum / n_la if n_la > 0.0 else nan
    out[21] = winter
    out[22] = safety
    out[23] = leadership
    out[24] = float(n_active)
    out[25] = increment
    for a in range(_N_KINDS):
        for b in range(_N_KINDS):
            if kind_count[a, b] > 0.0:
                kind_trust_out[a, b] = kind_trust_out[a, b] / kind_count[a, b]
            else:
                kind_trust_out[a, b] = nan
    if org_out.shape[0] == n:
        for i in range(n):
            org_out[i, 0] = o_balance[i]
            org_out[i, 1] = o_altruism[i]
            org_out[i, 2] = o_pressure[i]
            org_out[i, 3] = w_capacity[i]
            org_out[i, 4] = w_net[i]
            org_out[i, 5] = o_committed[i]
            org_out[i, 6] = o_belief[i]
            org_out[i, 7] = o_engagement[i]
            org_out[i, 8] = o_experience[i]
            org_out[i, 9] = o_active[i]


@numba.njit(**JIT_SERIAL)
def _year_end(orgs, graph, arcs, params, ws, signed):
    """7.15 at a year end: altruistic transfers, then sustainability funding. Returns both totals (£m)."""
    n = orgs.kind.shape[0]
    for i in range(n):
        ws.year_result[i] = orgs.balance[i] - orgs.year_balance[i] if orgs.active[i] == 1.0 else 0.0
        ws.gift[i] = 0.0
    given = 0.0
    pooled = params.finance_regime == _POOLED
    if params.transfers and (pooled or (params.finance_regime == _CONTROL_TOTAL and signed)):
        # Gifts are computed from the year results before any gift, then applied together.
        for i in range(n):
            if orgs.active[i] != 1.0 or ws.year_result[i] <= 0.0:
                continue
            weight = 0.0
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                j = graph.target[k]
                if orgs.active[j] == 1.0 and ws.year_result[j] < 0.0:
                    weight += arcs.trust[k] * -ws.year_result[j]
            if weight <= 0.0:
                continue
            gift = params.transfer_share * orgs.altruism[i] * ws.year_result[i]
            ws.gift[i] -= gift
            given += gift
            for k in range(graph.indptr[i], graph.indptr[i + 1]):
                j = graph.target[k]
                if orgs.active[j] == 1.0 and ws.year_result[j] < 0.0:
                    share = gift * arcs.trust[k] * -ws.year_result[j] / weight
                    ws.gift[j] += share
                    if share > 0.0:
                        back = graph.reverse[k]
                        arcs.trust[back] = arcs.trust[back] + params.transfer_trust_gain * (1.0 - arcs.trust[back])
    system_result = 0.0
    for i in range(n):
        if orgs.active[i] == 1.0:
            system_result += ws.year_result[i]
    system_ok = 1.0 if system_result >= 0.0 else 0.0
    funding = 0.0
    for i in range(n):
        if orgs.active[i] != 1.0:
            continue
        orgs.balance[i] = orgs.balance[i] + ws.gift[i]
        own_ok = 1.0 if ws.year_result[i] + ws.gift[i] >= 0.0 else 0.0
        due = params.sustainability_share * orgs.budget[i]
        if pooled:
            paid = due * system_ok
        elif params.finance_regime == _CONTROL_TOTAL and signed:
            paid = due * ((1.0 - params.linked_share) * own_ok + params.linked_share * system_ok)
        else:
            paid = due * own_ok
        orgs.balance[i] = orgs.balance[i] + paid
        funding += paid
        orgs.year_balance[i] = orgs.balance[i]
    return given, funding


def _renamed(function, name: str):
    """A copy of ``function`` under another name.

    numba's cache keys a compiled function by its name and source line, so compiling one function
    object twice (serial and ``parallel=True``) would let each variant load the other's machine
    code from the cache (numba issue #6845); the parallel variant is compiled from this copy.
    """
    copy = types.FunctionType(function.__code__, function.__globals__, name, function.__defaults__, function.__closure__)
    copy.__qualname__ = name
    return copy


_step_serial = numba.njit(**JIT_SERIAL)(_step_rows)
_step_parallel = numba.njit(**JIT_PARALLEL)(_renamed(_step_rows, "_step_rows_parallel"))


# One run loop per variant, each naming its step kernel: a loop that received the step function as
# an argument could not be cached by numba and would be recompiled in every process.
@numba.njit(**JIT_SERIAL)
def _run_serial(orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out, org_out):
    """Advance ``out.shape[0]`` steps from step number ``first_step``, in place (serial kernel)."""
    for s in range(out.shape[0]):
        _step_serial(orgs, graph, arcs, params, ws, system, key, first_step + s, out[s], kind_trust_out[s], org_out[s])


@numba.njit(**JIT_SERIAL)
def _run_parallel(orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out, org_out):
    """As :func:`_run_serial`, with the ``parallel=True`` step kernel."""
    for s in range(out.shape[0]):
        _step_parallel(orgs, graph, arcs, params, ws, system, key, first_step + s, out[s], kind_trust_out[s], org_out[s])


class Trajectory(NamedTuple):
    """Outputs of :func:`advance` for ``s`` steps.

    Attributes
    ----------
    system : ndarray of float64, shape (s, len(METRICS))
        System outputs per step, columns as in :data:`METRICS`.
    trust_by_kind : ndarray of float64, shape (s, 6, 6)
        Mean trust from kind ``a`` (row) to kind ``b`` (column); NaN where there are no arcs.
    organisations : ndarray of float64, shape (s, n, len(ORG_TRAJECTORY_FIELDS)) or (s, 0, ...)
        Organisation outputs per step when recorded.
    """

    system: np.ndarray
    trust_by_kind: np.ndarray
    organisations: np.ndarray


def advance(
    orgs: Organisations,
    graph: Graph,
    arcs: Arcs,
    params: Params,
    system: np.ndarray,
    *,
    key: int,
    first_step: int,
    n_steps: int,
    parallel: bool = False,
    record_organisations: bool = False,
    workspace: Workspace | None = None,
) -> Trajectory:
    """Advance the state ``n_steps`` months in place and return the outputs.

    Parameters
    ----------
    orgs, graph, arcs : Organisations, Graph, Arcs
        The state; ``orgs`` and ``arcs`` are updated in place.
    params : Params
        Resolved rule parameters.
    system : ndarray of float64, shape (len(SYSTEM_FIELDS),)
        System state (integration progress, winter pressure, the open hard decision, ...), in
        the order of :data:`ics_abm.engine.state.SYSTEM_FIELDS`; updated in place.
    key : int
        Run key in [0, 2**63) for the counter-based random numbers.
    first_step : int
        Number (>= 1) of the first step to compute; step numbers enter the random numbers, so a
        run split into chunks gives the same result as one call.
    n_steps : int
        Number of months to advance (>= 0).
    parallel : bool
        Use the ``parallel=True`` kernel (same numbers, bit for bit).
    record_organisations : bool
        Also return per-organisation trajectories.
    workspace : Workspace, optional
        Preallocated scratch arrays (allocated when omitted).

    Returns
    -------
    Trajectory
    """
    check_state(orgs, graph, arcs)
    _check_params(params)
    check_system(system, orgs.kind.shape[0])
    if not (0 <= int(key) < 2**63):
        raise ValueError(f"key must be in [0, 2**63), got {key}")
    if first_step < 1 or n_steps < 0:
        raise ValueError(f"first_step must be >= 1 and n_steps >= 0, got {first_step} and {n_steps}")
    n = orgs.kind.shape[0]
    ws = workspace if workspace is not None else make_workspace(n)
    out = np.empty((n_steps, len(METRICS)), dtype=np.float64)
    kind_trust = np.empty((n_steps, _N_KINDS, _N_KINDS), dtype=np.float64)
    org_out = np.empty((n_steps, n if record_organisations else 0, len(ORG_TRAJECTORY_FIELDS)), dtype=np.float64)
    run_loop = _run_parallel if parallel else _run_serial
    run_loop(orgs, graph, arcs, params, ws, system, np.int64(key), np.int64(first_step), out, kind_trust, org_out)
    return Trajectory(system=out, trust_by_kind=kind_trust, organisations=org_out)


def _check_params(params: Params) -> None:
    for name in ("strength", "focus", "rate"):
        array = getattr(params, name)
        if not isinstance(array, np.ndarray) or array.shape != (3,) or array.dtype != np.float64:
            raise ValueError(f"params.{name} must be a float64 array of shape (3,), got {array!r}")
        if array[2] != 0.0:
            raise ValueError(f"params.{name}[2] (the public principal) must be 0, got {array[2]}")
        if np.any(array < 0.0) or (name != "strength" and np.any(array > 1.0)):
            raise ValueError(f"params.{name} must be >= 0{'' if name == 'strength' else ' and <= 1'}, got {array}")
    values = (params.reward, params.sucker, params.temptation, params.punishment)
    if max(values) == min(values):
        raise ValueError("the payoff matrix must not have all four entries equal")
    if params.noise < 0 or params.legacy_weight < 0 or params.conflict < 0 or params.intervention_push < 0 or params.stress_weight < 0:
        raise ValueError("noise, legacy_weight, conflict, intervention_push and stress_weight must be >= 0")
    if params.stress_scale <= 0 or params.intervention_threshold <= 0:
        raise ValueError("stress_scale and intervention_threshold must be > 0")
    for name in _UNIT_PARAMS:
        value = getattr(params, name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"params.{name} must be in [0, 1], got {value}")
    for name in ("narrative_weight", "safety_weight", "loss_weight", "vote_noise", "resolved_progress", "political_weight", "invest_return"):
        if not getattr(params, name) >= 0.0:
            raise ValueError(f"params.{name} must be >= 0, got {getattr(params, name)}")
    if params.finance_regime not in (_SEPARATE, _CONTROL_TOTAL, _POOLED):
        raise ValueError(f"params.finance_regime must be 0, 1 or 2, got {params.finance_regime}")
    if params.patience < 1 or params.invest_lag < 0 or params.invest_months < 0:
        raise ValueError("params.patience must be >= 1, invest_lag and invest_months >= 0")


_UNIT_PARAMS = (
    "distance_drag", "memory_retention", "altruism_growth", "altruism_erosion", "capacity_cost", "pressure_decay",
    "progress_decay", "concentration", "turnover_rate", "turnover_trust_loss", "newcomer_penalty", "settling_rate",
    "narrative_initial", "build_rate", "convergence", "confidence_bound", "narrative_decay", "decision_rate",
    "majority", "resolved_trust_gain", "breakdown_trust_loss", "commitment_trust_threshold",
    "commitment_stress_threshold", "reengage_margin", "political_baseline", "political_decay",
    "linked_share", "sustainability_share", "risk_tolerance", "signup_share", "transfer_share",
    "transfer_trust_gain", "invest_share", "winter_capacity_loss", "winter_cost", "winter_decay",
)
