"""One month of the model, composed of the submodels of docs/model.md section 7, and the step loop.

:func:`step` calls the submodels (:mod:`ics_abm.engine.submodels`, one module per subsection) in the
order of 7.0. Every submodel is inlined into the step loop :data:`advance_steps`, which is compiled
twice from this one source (:func:`ics_abm.engine.jit.variants`): serially, and with
``parallel=True``, where each submodel's ``prange`` loop over organisations runs on the cores.
Every such loop writes only its own organisation's rows and arcs, and every sum over organisations
is taken afterwards in index order, so the two variants give the same numbers bit for bit. The
single-run driver :func:`advance` and the batch driver (:mod:`ics_abm.engine.batch`) both call
:data:`advance_steps`; :func:`advance` is the public entry point and validates its inputs once,
the kernels never do.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ics_abm.engine.checks import check_params, check_state, check_system
from ics_abm.engine.jit import inline, variants
from ics_abm.engine.state import (
    LEAD,
    PROGRESS,
    SAFETY,
    SIGNED_UP,
    WINTER,
    Arcs,
    Graph,
    Organisations,
    Params,
    Workspace,
    make_workspace,
)
from ics_abm.engine.submodels.altruism import update_altruism
from ics_abm.engine.submodels.decision import decide
from ics_abm.engine.submodels.events import winter_decays
from ics_abm.engine.submodels.finance_options import investment, pool_results, sign_up, year_end
from ics_abm.engine.submodels.governance import commitment, count_votes, decision_outcome, open_hard_decision, vote
from ics_abm.engine.submodels.leadership import effective_capacity, leader_turnover, leaders_settle, leadership_capacity
from ics_abm.engine.submodels.local_authority import update_engagement
from ics_abm.engine.submodels.motives import motive_lenses, normalised_payoffs
from ics_abm.engine.submodels.narrative import update_beliefs
from ics_abm.engine.submodels.outcomes import book_results, payoffs
from ics_abm.engine.submodels.participation import count_active, inclusiveness, start_of_step
from ics_abm.engine.submodels.progress import record_organisations, record_outputs, system_balance, trust_after_finance
from ics_abm.engine.submodels.regulators import interventions, regulator_push
from ics_abm.engine.submodels.trust import update_trust
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS

__all__ = ["step", "advance_steps", "advance", "Trajectory"]

_N_KINDS = 6


@inline
def step(orgs, graph, arcs, params, ws, system, key, t, out, kind_trust_out, org_out):
    """One month, in place: the phases 0-12 of docs/model.md 7.0.

    Parameters
    ----------
    orgs, graph, arcs, params, ws
        State, graph, rule parameters and scratch arrays (:mod:`ics_abm.engine.state`).
    system : ndarray of float64, shape (len(SYSTEM_FIELDS),)
        System state, updated in place.
    key : int
        Run key for the counter-based random numbers (7.9).
    t : int
        Step number, from 1.
    out : ndarray of float64, shape (len(METRICS),)
    kind_trust_out : ndarray of float64, shape (6, 6)
    org_out : ndarray of float64, shape (n, len(ORG_TRAJECTORY_FIELDS)) or (0, ...)
        The month's outputs (7.8); organisation outputs only when ``org_out`` has ``n`` rows.
    """
    i_r, i_s, i_t, i_p, a_sys, b_sys = normalised_payoffs(params)
    winter = system[WINTER]
    safety = system[SAFETY]
    # 0. Leader turnover (7.11); start-of-step values (7.10); a hard decision may open (7.13);
    #    sign-up to the control total at the start of a financial year (7.15).
    leader_turnover(orgs, graph, arcs, params, key, t, int(system[LEAD]))
    start_of_step(orgs, graph, arcs, ws)
    n_active, stress_sum = count_active(orgs, params)
    inclusive = inclusiveness(orgs)
    open_hard_decision(orgs, params, system, key, t, n_active)
    sign_up(orgs, params, ws, system, t, n_active, stress_sum)
    # 1. Derived quantities (7.11 capacity, 7.5 push, 7.1 lenses) and the votes (7.13).
    effective_capacity(orgs, params, ws, winter)
    regulator_push(orgs, params, ws)
    motive_lenses(orgs, params, ws, i_r, i_s, i_t, i_p)
    capacity_active, lead_capacity, leadership = leadership_capacity(orgs, params, ws, int(system[LEAD]), n_active)
    vote(orgs, params, ws, system, key, t, safety)
    resolved, broke_down, latency = count_votes(params, ws, system)
    # 2. Decisions on every arc (7.2). 3-4. Payoffs (7.4); trust and legacy memory (7.3, 7.7);
    #    4b. the hard decision's effect (7.13).
    decide(orgs, graph, arcs, params, ws, key, t, a_sys, b_sys, i_r - i_p)
    invest, invest_return = investment(params, t)
    payoffs(orgs, graph, arcs, params, ws, winter, invest, invest_return)
    update_trust(orgs, graph, arcs, params, ws, safety)
    size = decision_outcome(orgs, graph, arcs, params, system, resolved, broke_down)
    # 5. Finances (7.4, 7.15): pooling, balances, and at a year end transfers and funding.
    pool_results(orgs, params, ws)
    book_results(orgs, ws)
    given, funding, reinvested = 0.0, 0.0, 0.0
    if t % 12 == 0:
        given, funding, reinvested = year_end(orgs, graph, arcs, params, ws, system[SIGNED_UP] == 1.0)
    trust_after_finance(orgs, graph, arcs, ws)
    balance = system_balance(orgs)
    # 6-11. Interventions (7.5), altruism (7.6), beliefs (7.12), commitment (7.13), local
    #       authorities (7.14), leaders settle (7.11), winter decays (7.16).
    interventions(orgs, params, ws, key, t, balance, system[PROGRESS])
    update_altruism(orgs, params, ws)
    update_beliefs(orgs, graph, arcs, params, ws, lead_capacity, stress_sum / n_active if n_active > 0 else 0.0, inclusive)
    commitment(orgs, params, ws, broke_down)
    update_engagement(orgs, params, ws)
    leaders_settle(orgs, params)
    winter_decays(params, system, winter)
    # 12. Integration progress and outputs (7.8).
    monthly = np.array((balance, given, funding, latency, winter, safety, leadership, capacity_active, reinvested))
    record_outputs(orgs, params, ws, system, monthly, resolved, broke_down, size, out, kind_trust_out)
    record_organisations(orgs, ws, org_out)


def _advance_steps(orgs, graph, arcs, params, ws, system, key, first_step, out, kind_trust_out, org_out):
    """Advance ``out.shape[0]`` months from step number ``first_step``, in place."""
    for s in range(out.shape[0]):
        step(orgs, graph, arcs, params, ws, system, key, first_step + s, out[s], kind_trust_out[s], org_out[s])


#: The step loop, compiled serially (``.serial``, also what each run of a batch calls) and with
#: ``parallel=True`` (``.parallel``): one source, same numbers.
advance_steps = variants(_advance_steps)


class Trajectory(NamedTuple):
    """Outputs of :func:`advance` for ``s`` steps.

    Attributes
    ----------
    system : ndarray of float64, shape (s, len(METRICS))
        System outputs per step, columns as in :data:`ics_abm.metrics.METRICS`.
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
        Use the ``parallel=True`` compilation (same numbers, bit for bit).
    record_organisations : bool
        Also return per-organisation trajectories.
    workspace : Workspace, optional
        Preallocated scratch arrays (allocated when omitted).

    Returns
    -------
    Trajectory
    """
    check_state(orgs, graph, arcs)
    check_params(params)
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
    kernel = advance_steps.parallel if parallel else advance_steps.serial
    kernel(orgs, graph, arcs, params, ws, system, np.int64(key), np.int64(first_step), out, kind_trust, org_out)
    return Trajectory(system=out, trust_by_kind=kind_trust, organisations=org_out)
