"""7.8 Integration progress and outputs.

Integration progress is a stock of trusted joint working: mutual collaboration weighted by trust
adds to it each month, it erodes slowly when collaboration stops, and hard decisions step it forward
or back. The month's outputs (the metrics of :mod:`ics_abm.metrics`) are sums over organisations
taken in index order, so every driver reports the same numbers bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.state import DECISION_OPEN, DECISIONS_FAILED, DECISIONS_RESOLVED, PROGRESS, SIGNED_UP

__all__ = ["trust_after_finance", "system_balance", "integration_progress", "record_outputs", "record_organisations"]

_N_KINDS = 6


@inline
def trust_after_finance(orgs, graph, arcs, ws):
    """7.8 (after phase 5): per organisation, sums of trust over live arcs and trusted joint working.

    Writes ``ws.trust_sum`` (sum of trust'), ``ws.progress_sum`` (sum of trust' over arcs in mutual
    collaboration), and ``ws.kind_trust`` / ``ws.kind_count`` (trust' summed and counted by the
    partner's kind, shape (n, 6)).
    """
    active = orgs.active
    kind = orgs.kind
    indptr = graph.indptr
    target = graph.target
    reverse = graph.reverse
    action = arcs.action
    trust = arcs.trust
    w_trust_sum = ws.trust_sum
    w_progress_sum = ws.progress_sum
    w_kind_trust = ws.kind_trust
    w_kind_count = ws.kind_count
    for i in prange(active.shape[0]):
        trust_sum = 0.0
        progress_sum = 0.0
        for c in range(_N_KINDS):
            w_kind_trust[i, c] = 0.0
            w_kind_count[i, c] = 0.0
        if active[i] == 1.0:
            for k in range(indptr[i], indptr[i + 1]):
                j = target[k]
                if active[j] != 1.0:
                    continue
                q = trust[k]
                trust_sum += q
                progress_sum += action[k] * action[reverse[k]] * q
                w_kind_trust[i, kind[j]] += q
                w_kind_count[i, kind[j]] += 1.0
        w_trust_sum[i] = trust_sum
        w_progress_sum[i] = progress_sum


@inline
def system_balance(orgs):
    """7.8: the sum of the active organisations' balances (£m)."""
    total = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            total += orgs.balance[i]
    return total


@inline
def integration_progress(params, system, increment, resolved, broke_down, size):
    """7.8 (phase 12): progress' = max(0, (1 − δ_p)·progress + inc ± size·g_P), written to ``system``."""
    progress = (1.0 - params.progress_decay) * system[PROGRESS] + increment
    if resolved:
        progress = progress + size * params.resolved_progress
    elif broke_down:
        progress = max(0.0, progress - size * params.resolved_progress)  # step forward, step back
    system[PROGRESS] = progress
    return progress


@inline
def _kind_means(orgs, ws, kind_trust_out):
    """Mean trust' from kind a (row) to kind b (column) over live arcs; NaN where there are none."""
    kind_count = np.zeros((_N_KINDS, _N_KINDS))
    for a in range(_N_KINDS):
        for b in range(_N_KINDS):
            kind_trust_out[a, b] = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] != 1.0:
            continue
        for c in range(_N_KINDS):
            kind_trust_out[orgs.kind[i], c] += ws.kind_trust[i, c]
            kind_count[orgs.kind[i], c] += ws.kind_count[i, c]
    for a in range(_N_KINDS):
        for b in range(_N_KINDS):
            if kind_count[a, b] > 0.0:
                kind_trust_out[a, b] = kind_trust_out[a, b] / kind_count[a, b]
            else:
                kind_trust_out[a, b] = np.nan


@inline
def record_outputs(orgs, params, ws, system, monthly, resolved, broke_down, size, out, kind_trust_out):
    """7.8 (phase 12): integration progress, then the month's metrics into ``out`` and ``kind_trust_out``.

    Parameters
    ----------
    monthly : ndarray of float64, shape (9,)
        What earlier phases computed for the outputs: system balance, transfers, sustainability
        funding, decision latency, winter, safety, leadership capacity, sum of effective capacity,
        surplus reinvested in services.
    out : ndarray of float64, shape (len(METRICS),)
        Columns in the order of :data:`ics_abm.metrics.METRICS`.
    kind_trust_out : ndarray of float64, shape (6, 6)
    """
    totals = np.zeros(14)  # collaborating, mutual, trust, progress, live arcs, net, deficit, interventions,
    n_active = 0.0         # altruism, pressure, belief, committed, LA engagement, local authorities
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] != 1.0:
            continue
        n_active += 1.0
        totals[0] += ws.collaborating[i]
        totals[1] += ws.mutual[i]
        totals[2] += ws.trust_sum[i]
        totals[3] += ws.progress_sum[i]
        totals[4] += ws.live[i]
        totals[5] += ws.net[i]
        if orgs.balance[i] < 0.0:
            totals[6] += 1.0
        totals[7] += ws.intervened[i]
        totals[8] += orgs.altruism[i]
        totals[9] += orgs.pressure[i]
        totals[10] += orgs.belief[i]
        totals[11] += orgs.committed[i]
        if orgs.kind[i] == 4:  # local authority (7.14)
            totals[12] += orgs.engagement[i]
            totals[13] += 1.0
    _kind_means(orgs, ws, kind_trust_out)
    live_arcs = totals[4]
    increment = totals[3] / live_arcs if live_arcs > 0.0 else 0.0
    progress = integration_progress(params, system, increment, resolved, broke_down, size)
    per_arc = 1.0 / live_arcs if live_arcs > 0.0 else np.nan
    per_org = 1.0 / n_active if n_active > 0.0 else np.nan
    out[0] = totals[0] * per_arc
    out[1] = totals[1] * per_arc
    out[2] = totals[2] * per_arc
    out[3] = totals[5]
    out[4] = monthly[0]
    out[5] = totals[6]
    out[6] = totals[7]
    out[7] = progress
    out[8] = totals[8] * per_org
    out[9] = totals[9] * per_org
    out[10] = monthly[7] * per_org
    out[11] = totals[10] * per_org
    out[12] = totals[11] * per_org
    out[13] = system[DECISION_OPEN]
    out[14] = system[DECISIONS_RESOLVED]
    out[15] = system[DECISIONS_FAILED]
    out[16] = monthly[3]
    out[17] = system[SIGNED_UP]
    out[18] = monthly[1]
    out[19] = monthly[2]
    out[20] = totals[12] / totals[13] if totals[13] > 0.0 else np.nan
    out[21] = monthly[4]
    out[22] = monthly[5]
    out[23] = monthly[6]
    out[24] = n_active
    out[25] = increment
    out[26] = monthly[8]


@inline
def record_organisations(orgs, ws, org_out):
    """7.8: the month's per-organisation outputs (:data:`ics_abm.metrics.ORG_TRAJECTORY_FIELDS`).

    ``org_out`` has shape (n, 10), or (0, 10) when organisation trajectories are not recorded.
    """
    if org_out.shape[0] != orgs.kind.shape[0]:
        return
    for i in range(orgs.kind.shape[0]):
        org_out[i, 0] = orgs.balance[i]
        org_out[i, 1] = orgs.altruism[i]
        org_out[i, 2] = orgs.pressure[i]
        org_out[i, 3] = ws.capacity[i]
        org_out[i, 4] = ws.net[i]
        org_out[i, 5] = orgs.committed[i]
        org_out[i, 6] = orgs.belief[i]
        org_out[i, 7] = orgs.engagement[i]
        org_out[i, 8] = orgs.experience[i]
        org_out[i, 9] = orgs.active[i]
