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
from typing import NamedTuple

import numba
import numpy as np
from numba import prange

from ._config import JIT_INLINE, JIT_PARALLEL, JIT_SERIAL
from .counter_rng import STREAM_DECISION, STREAM_INTERVENTION, uniform
from .motives import lens_differences, optimal_incentive
from .state import Arcs, Graph, Organisations, Params, Workspace, check_state, make_workspace

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
)
#: Per-step organisation outputs recorded when asked for.
ORG_TRAJECTORY_FIELDS: tuple[str, ...] = ("balance", "altruism", "pressure", "capacity", "net")

_N_KINDS = 6
_PUBLIC = 2


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


def _step_rows(orgs, graph, arcs, params, ws, key, t, progress, out, kind_trust_out, org_out):
    """One step, in place. Returns the new integration progress.

    ``out`` has shape (len(METRICS),), ``kind_trust_out`` shape (6, 6) and ``org_out`` shape
    (n, len(ORG_TRAJECTORY_FIELDS)) or (0, 5) when organisation trajectories are not recorded.
    """
    n = orgs.kind.shape[0]
    m = graph.target.shape[0]
    lo = min(min(params.reward, params.sucker), min(params.temptation, params.punishment))
    hi = max(max(params.reward, params.sucker), max(params.temptation, params.punishment))
    i_r = _normalised(params.reward, lo, hi)
    i_s = _normalised(params.sucker, lo, hi)
    i_t = _normalised(params.temptation, lo, hi)
    i_p = _normalised(params.punishment, lo, hi)
    i_m = _normalised((params.sucker + params.temptation) / 2.0, lo, hi)
    a_sys = i_r - i_m
    b_sys = i_m - i_p

    # 1. Derived organisation quantities (7.1 lens, 7.5 capacity, push and stress).
    for i in prange(n):
        r = orgs.principal[i]
        ws.capacity[i] = orgs.capacity[i] * (1.0 - params.capacity_cost * orgs.pressure[i])
        s = params.strength[r]
        phi = params.focus[r]
        stress = _stress(orgs.balance[i], orgs.budget[i], params.stress_scale)
        ws.push[i] = s * (phi - (1.0 - phi) * (1.0 + params.intervention_push * orgs.pressure[i])) - params.stress_weight * stress
        omega = optimal_incentive(orgs.power[i], orgs.affiliation[i], orgs.achievement[i])
        a, b = lens_differences(omega, i_r, i_s, i_t, i_p)
        ws.lens_a[i] = a
        ws.lens_b[i] = b

    # 2. Decisions on every arc (7.2), all from start-of-step state.
    for i in prange(n):
        r = orgs.principal[i]
        alpha = orgs.altruism[i]
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            j = graph.target[k]
            q = arcs.trust[k]
            advantage = (1.0 - alpha) * (q * ws.lens_a[i] + (1.0 - q) * ws.lens_b[i]) + alpha * (q * a_sys + (1.0 - q) * b_sys) + ws.push[i]
            r_j = orgs.principal[j]
            if r != _PUBLIC and r_j != _PUBLIC and r != r_j:
                advantage = advantage - params.conflict * params.strength[r] * (1.0 - params.focus[r])
            if params.noise > 0.0:
                u = uniform(key, t, k, STREAM_DECISION)
                advantage = advantage + params.noise * (math.log(u) - math.log(1.0 - u))
            arcs.action[k] = 1 if advantage > 0.0 else 0

    # 3-5. Payoffs (7.4), trust and memory (7.3, 7.7), finances (7.4): each organisation
    # reads its partners' actions and capacities and writes only its own arcs and row.
    for i in prange(n):
        pay = 0.0
        collaborating = 0.0
        mutual = 0.0
        trust_sum = 0.0
        progress_sum = 0.0
        for c in range(_N_KINDS):
            ws.kind_trust[i, c] = 0.0
            ws.kind_count[i, c] = 0.0
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            j = graph.target[k]
            own = arcs.action[k]
            partner = arcs.action[graph.reverse[k]]
            pay += arcs.stake[k] * _material(own, partner, params.reward, params.sucker, params.temptation, params.punishment)
            trust = arcs.trust[k]
            if partner == 1:
                gain = orgs.gain_rate[i] * (1.0 - params.distance_drag * arcs.distance[k]) * min(ws.capacity[i], ws.capacity[j])
                trust = trust + gain * (1.0 - trust)
            else:
                loss = min(1.0, orgs.loss_rate[i] * (1.0 + params.legacy_weight * arcs.memory[k]))
                trust = trust - loss * trust
            arcs.trust[k] = trust
            arcs.memory[k] = params.memory_retention * arcs.memory[k] + (1.0 - params.memory_retention) * (1.0 - partner)
            collaborating += own
            both = own * partner
            mutual += both
            trust_sum += trust
            progress_sum += both * trust
            ws.kind_trust[i, orgs.kind[j]] += trust
            ws.kind_count[i, orgs.kind[j]] += 1.0
        net = pay - orgs.budget[i] * orgs.cost_pressure[i] / 12.0
        orgs.balance[i] = orgs.balance[i] + net
        ws.net[i] = net
        ws.collaborating[i] = collaborating
        ws.mutual[i] = mutual
        ws.trust_sum[i] = trust_sum
        ws.progress_sum[i] = progress_sum

    system_balance = 0.0
    for i in range(n):
        system_balance += orgs.balance[i]

    # 6-7. Interventions and pressure (7.5), then altruism (7.6).
    for i in prange(n):
        r = orgs.principal[i]
        rate = params.rate[r]
        intervened = 0
        if rate > 0.0 and orgs.balance[i] < 0.0 and (not params.system_assessment or system_balance < 0.0):
            probability = rate * min(1.0, (-orgs.balance[i] / orgs.budget[i]) / params.intervention_threshold)
            if uniform(key, t, i, STREAM_INTERVENTION) < probability:
                intervened = 1
        ws.intervened[i] = intervened
        pressure = 1.0 if intervened == 1 else params.pressure_decay * orgs.pressure[i]
        orgs.pressure[i] = pressure
        degree = graph.indptr[i + 1] - graph.indptr[i]
        share_mutual = ws.mutual[i] / degree if degree > 0 else 0.0
        stress = _stress(orgs.balance[i], orgs.budget[i], params.stress_scale)
        alpha = orgs.altruism[i]
        orgs.altruism[i] = alpha + params.altruism_growth * (1.0 - alpha) * share_mutual - params.altruism_erosion * alpha * max(pressure, stress)

    # 8. Progress and outputs (7.8): sums over organisations in index order.
    total_collaborating = 0.0
    total_mutual = 0.0
    total_trust = 0.0
    total_progress = 0.0
    surplus = 0.0
    n_deficit = 0.0
    interventions = 0.0
    altruism_sum = 0.0
    pressure_sum = 0.0
    capacity_sum = 0.0
    for a in range(_N_KINDS):
        for b in range(_N_KINDS):
            kind_trust_out[a, b] = 0.0
    kind_count = np.zeros((_N_KINDS, _N_KINDS))
    for i in range(n):
        total_collaborating += ws.collaborating[i]
        total_mutual += ws.mutual[i]
        total_trust += ws.trust_sum[i]
        total_progress += ws.progress_sum[i]
        surplus += ws.net[i]
        if orgs.balance[i] < 0.0:
            n_deficit += 1.0
        interventions += ws.intervened[i]
        altruism_sum += orgs.altruism[i]
        pressure_sum += orgs.pressure[i]
        capacity_sum += ws.capacity[i]
        for c in range(_N_KINDS):
            kind_trust_out[orgs.kind[i], c] += ws.kind_trust[i, c]
            kind_count[orgs.kind[i], c] += ws.kind_count[i, c]
    increment = total_progress / m if m > 0 else 0.0
    progress = (1.0 - params.progress_decay) * progress + increment
    nan = np.nan
    out[0] = total_collaborating / m if m > 0 else nan
    out[1] = total_mutual / m if m > 0 else nan
    out[2] = total_trust / m if m > 0 else nan
    out[3] = surplus
    out[4] = system_balance
    out[5] = n_deficit
    out[6] = interventions
    out[7] = progress
    out[8] = altruism_sum / n if n > 0 else nan
    out[9] = pressure_sum / n if n > 0 else nan
    out[10] = capacity_sum / n if n > 0 else nan
    for a in range(_N_KINDS):
        for b in range(_N_KINDS):
            if kind_count[a, b] > 0.0:
                kind_trust_out[a, b] = kind_trust_out[a, b] / kind_count[a, b]
            else:
                kind_trust_out[a, b] = nan
    if org_out.shape[0] == n:
        for i in range(n):
            org_out[i, 0] = orgs.balance[i]
            org_out[i, 1] = orgs.altruism[i]
            org_out[i, 2] = orgs.pressure[i]
            org_out[i, 3] = ws.capacity[i]
            org_out[i, 4] = ws.net[i]
    return progress


_step_serial = numba.njit(**JIT_SERIAL)(_step_rows)
_step_parallel = numba.njit(**JIT_PARALLEL)(_step_rows)


def _run_rows(step, orgs, graph, arcs, params, ws, key, first_step, progress, out, kind_trust_out, org_out):
    """Advance ``out.shape[0]`` steps from step number ``first_step``; returns the progress."""
    for s in range(out.shape[0]):
        progress = step(orgs, graph, arcs, params, ws, key, first_step + s, progress, out[s], kind_trust_out[s], org_out[s])
    return progress


_run_compiled = numba.njit(**JIT_SERIAL)(_run_rows)


class Trajectory(NamedTuple):
    """Outputs of :func:`advance` for ``s`` steps.

    Attributes
    ----------
    system : ndarray of float64, shape (s, len(METRICS))
        System outputs per step, columns as in :data:`METRICS`.
    trust_by_kind : ndarray of float64, shape (s, 6, 6)
        Mean trust from kind ``a`` (row) to kind ``b`` (column); NaN where there are no arcs.
    organisations : ndarray of float64, shape (s, n, len(ORG_TRAJECTORY_FIELDS)) or (s, 0, 5)
        Organisation outputs per step when recorded.
    progress : float
        Integration progress after the last step.
    """

    system: np.ndarray
    trust_by_kind: np.ndarray
    organisations: np.ndarray
    progress: float


def advance(
    orgs: Organisations,
    graph: Graph,
    arcs: Arcs,
    params: Params,
    *,
    key: int,
    first_step: int,
    n_steps: int,
    progress: float = 0.0,
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
    key : int
        Run key in [0, 2**63) for the counter-based random numbers.
    first_step : int
        Number (>= 1) of the first step to compute; step numbers enter the random numbers, so a
        run split into chunks gives the same result as one call.
    n_steps : int
        Number of months to advance (>= 0).
    progress : float
        Integration progress before the first step.
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
    if not (0 <= int(key) < 2**63):
        raise ValueError(f"key must be in [0, 2**63), got {key}")
    if first_step < 1 or n_steps < 0:
        raise ValueError(f"first_step must be >= 1 and n_steps >= 0, got {first_step} and {n_steps}")
    n = orgs.kind.shape[0]
    ws = workspace if workspace is not None else make_workspace(n)
    out = np.empty((n_steps, len(METRICS)), dtype=np.float64)
    kind_trust = np.empty((n_steps, _N_KINDS, _N_KINDS), dtype=np.float64)
    org_out = np.empty((n_steps, n if record_organisations else 0, len(ORG_TRAJECTORY_FIELDS)), dtype=np.float64)
    step = _step_parallel if parallel else _step_serial
    progress = _run_compiled(step, orgs, graph, arcs, params, ws, np.int64(key), np.int64(first_step), float(progress), out, kind_trust, org_out)
    return Trajectory(system=out, trust_by_kind=kind_trust, organisations=org_out, progress=float(progress))


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
    for name in ("distance_drag", "memory_retention", "altruism_growth", "altruism_erosion", "capacity_cost", "pressure_decay", "progress_decay"):
        value = getattr(params, name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"params.{name} must be in [0, 1], got {value}")
