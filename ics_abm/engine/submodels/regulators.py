"""7.5 Regulators: financial stress, the regulators' push, interventions and pressure.

Each organisation answers to a principal (provider regulator, commissioner regulator, or the
public) whose regulator pushes it towards or away from system working by its strength and focus;
an organisation in deficit may be intervened on, which sets its pressure to 1.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline
from ics_abm.engine.rng import STREAM_INTERVENTION, uniform

__all__ = ["stress", "regulator_push", "interventions"]


@inline
def stress(balance, budget, stress_scale):
    """7.5: deficit as a share of budget, relative to the deficit that counts as full stress, in [0, 1]."""
    return min(1.0, max(0.0, -balance / (stress_scale * budget)))


@inline
def regulator_push(orgs, params, ws):
    """7.5: each organisation's push ``Δ_i`` from its regulator and its own financial stress.

    Writes ``ws.push`` (float64, shape (n,)).
    """
    principal = orgs.principal
    pressure = orgs.pressure
    balance = orgs.balance
    budget = orgs.budget
    w_push = ws.push
    for i in prange(principal.shape[0]):
        r = principal[i]
        s = params.strength[r]
        phi = params.focus[r]
        own_stress = stress(balance[i], budget[i], params.stress_scale)
        w_push[i] = s * (phi - (1.0 - phi) * (1.0 + params.intervention_push * pressure[i])) - params.stress_weight * own_stress


@inline
def interventions(orgs, params, ws, key, t, system_balance, progress):
    """7.5 (phase 6): interventions on organisations in deficit, and regulator pressure.

    Parameters
    ----------
    system_balance : float
        The system's balance after finance (£m).
    progress : float
        Integration progress at the start of the step (7.8): a maturing system earns autonomy.

    Writes ``ws.intervened`` (1 where intervened this month) and ``orgs.pressure``: 1 when
    intervened, otherwise decayed. Under system assessment only a system in deficit is intervened on.
    """
    active = orgs.active
    principal = orgs.principal
    balance = orgs.balance
    budget = orgs.budget
    pressure = orgs.pressure
    w_intervened = ws.intervened
    maturity = min(1.0, progress / params.maturity_progress)
    autonomy = 1.0 - params.autonomy * maturity
    for i in prange(active.shape[0]):
        w_intervened[i] = 0
        if active[i] != 1.0:
            continue
        rate = params.rate[principal[i]] * autonomy
        intervened = 0
        if rate > 0.0 and balance[i] < 0.0 and (not params.system_assessment or system_balance < 0.0):
            probability = rate * min(1.0, (-balance[i] / budget[i]) / params.intervention_threshold)
            if uniform(key, t, i, STREAM_INTERVENTION) < probability:
                intervened = 1
        w_intervened[i] = intervened
        pressure[i] = 1.0 if intervened == 1 else params.pressure_decay * pressure[i]
