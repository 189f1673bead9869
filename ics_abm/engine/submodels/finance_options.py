"""7.15 Finance options: separate budgets, a system control total, or a pooled budget.

Under a control total the partners decide at the start of each financial year whether to sign up,
weighing the share of sustainability funding linked to the system's result against their trust and
stress; under a pooled budget each month's net results are shared in proportion to budgets. At a
year end, altruistic partners may give part of a surplus to partners in deficit, and sustainability
funding is paid on the organisation's or the system's result. Invest-to-save costs money first and
returns it after a lag.
"""

from __future__ import annotations

from ics_abm.engine.jit import inline, kernel
from ics_abm.engine.state import CONTROL_TOTAL, POOLED, SIGNED_UP
from ics_abm.engine.submodels.participation import at_table
from ics_abm.engine.submodels.regulators import stress

__all__ = ["sign_up", "investment", "pool_results", "year_end"]


@inline
def sign_up(orgs, params, ws, system, t, n_active, stress_sum):
    """7.15 (phase 0): at the start of a financial year, whether the system signs up to the control total.

    Each partner at the table agrees when the linked share it could lose is within its tolerance;
    the system signs up when enough of them agree. Writes ``system[SIGNED_UP]``.
    """
    if params.finance_regime != CONTROL_TOTAL or (t - 1) % 12 != 0:
        return
    mean_stress = stress_sum / n_active if n_active > 0 else 0.0
    seated = 0
    agree = 0
    for i in range(orgs.kind.shape[0]):
        if at_table(orgs, i):
            seated += 1
            chance = ws.mean_trust[i] * (1.0 - mean_stress)
            tolerance = params.risk_tolerance * (1.0 - stress(orgs.balance[i], orgs.budget[i], params.stress_scale))
            if params.linked_share * (1.0 - chance) <= tolerance:
                agree += 1
    system[SIGNED_UP] = 1.0 if seated > 0 and agree / seated >= params.signup_share else 0.0


@inline
def investment(params, t):
    """7.15: shares of budget put into invest-to-save in month ``t``, and returned in it."""
    invest = params.invest_share if t <= params.invest_months else 0.0
    invest_return = params.invest_return * params.invest_share if params.invest_lag < t <= params.invest_months + params.invest_lag else 0.0
    return invest, invest_return


@inline
def pool_results(orgs, params, ws):
    """7.15 (phase 5): under a pooled budget, a share of the month's net results is pooled and
    shared out in proportion to budgets; each organisation keeps the rest of its own result."""
    if params.finance_regime != POOLED:
        return
    pooled = 0.0
    budget_total = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            pooled += ws.net[i]
            budget_total += orgs.budget[i]
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] == 1.0:
            share = params.pooled_share
            ws.net[i] = (1.0 - share) * ws.net[i] + share * orgs.budget[i] * pooled / budget_total


@inline
def _transfers(orgs, graph, arcs, params, ws):
    """7.15 at a year end: altruistic gifts from surpluses to partners in deficit; returns the total (£m).

    Gifts are computed from the year results before any gift and collected in ``ws.gift``; each
    partner in deficit gets its share of the giver's offer scaled by the giver's trust in it (money
    goes where it is trusted to be used well), and a partner that receives raises its trust in the
    giver.
    """
    given = 0.0
    for i in range(orgs.kind.shape[0]):
        if orgs.active[i] != 1.0 or ws.year_result[i] <= 0.0:
            continue
        weight = 0.0
        deficits = 0.0
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            j = graph.target[k]
            if orgs.active[j] == 1.0 and ws.year_result[j] < 0.0:
                weight += arcs.trust[k] * -ws.year_result[j]
                deficits += -ws.year_result[j]
        if weight <= 0.0:
            continue
        offer = params.transfer_share * orgs.altruism[i] * ws.year_result[i]
        gift = offer * weight / deficits
        ws.gift[i] -= gift
        given += gift
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            j = graph.target[k]
            if orgs.active[j] == 1.0 and ws.year_result[j] < 0.0:
                share = offer * arcs.trust[k] * -ws.year_result[j] / deficits
                ws.gift[j] += share
                if share > 0.0:
                    back = graph.reverse[k]
                    arcs.trust[back] = arcs.trust[back] + params.transfer_trust_gain * (1.0 - arcs.trust[back])
    return given


@kernel
def year_end(orgs, graph, arcs, params, ws, signed):
    """7.15 at a year end: altruistic transfers, sustainability funding, then surpluses above the cap
    are spent on services. Returns the three totals (£m)."""
    n = orgs.kind.shape[0]
    for i in range(n):
        ws.year_result[i] = orgs.balance[i] - orgs.year_balance[i] if orgs.active[i] == 1.0 else 0.0
        ws.gift[i] = 0.0
    given = 0.0
    pooled = params.finance_regime == POOLED
    if params.transfers and (pooled or (params.finance_regime == CONTROL_TOTAL and signed)):
        given = _transfers(orgs, graph, arcs, params, ws)
    system_result = 0.0
    for i in range(n):
        if orgs.active[i] == 1.0:
            system_result += ws.year_result[i]
    system_ok = 1.0 if system_result >= 0.0 else 0.0
    funding = 0.0
    reinvested = 0.0
    for i in range(n):
        if orgs.active[i] != 1.0:
            continue
        orgs.balance[i] = orgs.balance[i] + ws.gift[i]
        own_ok = 1.0 if ws.year_result[i] + ws.gift[i] >= 0.0 else 0.0
        due = params.sustainability_share * orgs.budget[i]
        if pooled:
            paid = due * system_ok
        elif params.finance_regime == CONTROL_TOTAL and signed:
            paid = due * ((1.0 - params.linked_share) * own_ok + params.linked_share * system_ok)
        else:
            paid = due * own_ok
        orgs.balance[i] = orgs.balance[i] + paid
        funding += paid
        # A capped budget: a surplus above the cap is spent on services, not banked.
        cap = params.surplus_cap * orgs.budget[i]
        if orgs.balance[i] > cap:
            reinvested += orgs.balance[i] - cap
            orgs.balance[i] = cap  # exactly the cap: bal - (bal - cap) can round to 0 (or below)
        orgs.year_balance[i] = orgs.balance[i]
    return given, funding, reinvested
