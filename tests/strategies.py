"""Hypothesis strategies for systems: random graphs, states and parameters (one module for all).

States are drawn over their full ranges, including organisations that are inactive, withdrawn
or unwilling, local authorities in every engagement state, an open hard decision of any
reachable age and any loser, every finance regime, signed and unsigned control totals, and step
numbers that often hit a year end (``t % 12 == 0``) or a year start (``t % 12 == 1``) within the
few steps a comparison runs. The states are *reachable* where the specification constrains
them: unwilling organisations are never committed, only local authorities leave engagement 2,
other kinds have no political pressure, an open decision's age is below the patience, a closed
one has age 0 and loser −1 (and loss 0), and under a pooled budget ``sucker == temptation`` (the
replacement of 7.15 is applied when parameters are resolved, so ``Params`` carries it) while
``lens_sucker``/``lens_temptation`` keep the drawn payoffs (the lens keeps ``S`` and ``T``), and
``pooled_share`` and ``pooled_system_weight`` are 0 unless the budget is pooled (as
``ics_abm.engine.initial.resolve_params`` gives them).

The parameters added in version 0.3 (shadow of the future, purpose pull, crowding out, contact,
earned autonomy, burning platform, partial pooling, surplus cap) are drawn over their whole
ranges, often at 0 (off) and at their edges (1, a surplus cap of 0 or ``inf``, a maturity
progress below or above the drawn progress), so that every branch of the new rules is taken.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import strategies as st

from ics_abm.engine.graph import arc_sources, graph_from_networkx
from ics_abm.engine.state import SYSTEM_FIELDS, Arcs, Organisations, Params

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
LOCAL_AUTHORITY = 4


def _zero_or(strategy):
    """0 often, otherwise the strategy (mechanisms switched off and on)."""
    return st.one_of(st.just(0.0), strategy)


def _flag(p_one: int = 3, p_zero: int = 1):
    """A 0/1 float that is 1 in about p_one/(p_one + p_zero) of the draws."""
    return st.integers(1, p_one + p_zero).map(lambda v: 1.0 if v <= p_one else 0.0)


@st.composite
def graphs(draw, max_organisations: int = 10) -> nx.Graph:
    """Undirected graphs on 0..n-1 (n may be 0 or 1), any density, edges inserted in random order."""
    n = draw(st.integers(min_value=0, max_value=max_organisations))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(chosen)
    return graph


@st.composite
def organisation_rows(draw) -> dict:
    motives = draw(st.tuples(unit, unit, unit).filter(lambda m: sum(m) > 1e-6))
    budget = draw(st.floats(min_value=0.5, max_value=1000.0))
    kind = draw(st.integers(0, 5))
    balance = draw(st.floats(min_value=-0.2, max_value=0.2)) * budget
    unwilling = draw(_flag(1, 5))
    committed = 0.0 if unwilling == 1.0 else draw(_flag(4, 1))
    if kind == LOCAL_AUTHORITY:
        engagement = float(draw(st.integers(0, 3)))
        political = draw(unit)
    else:
        engagement = 2.0
        political = 0.0
    return {
        "kind": kind,
        "principal": draw(st.integers(0, 2)),
        "budget": budget,
        "balance": balance,
        "cost_pressure": draw(st.floats(min_value=-0.5, max_value=0.5)),
        "power": motives[0],
        "affiliation": motives[1],
        "achievement": motives[2],
        "altruism": draw(unit),
        "capacity": draw(unit),
        "pressure": draw(unit),
        "gain_rate": draw(unit),
        "loss_rate": draw(unit),
        "active": draw(_flag(5, 1)),
        "committed": committed,
        "unwilling": unwilling,
        "engagement": engagement,
        "political": political,
        "belief": draw(unit),
        "experience": draw(st.one_of(st.just(1.0), st.just(0.0), unit)),
        "year_balance": balance - draw(st.floats(min_value=-0.1, max_value=0.1)) * budget,
    }


@st.composite
def arc_rows(draw) -> dict:
    return {
        "trust": draw(unit),
        "distance": draw(unit),
        "memory": draw(unit),
        "stake": draw(st.floats(min_value=0.0, max_value=5.0)),
    }


def _payoffs_in_force(payoffs, regime):
    R, S, T, P = payoffs
    if regime == 2:
        S = T = (S + T) / 2
    return R, S, T, P


def _spread(payoffs) -> float:
    return max(payoffs) - min(payoffs)


def _edges_or(strategy, *edges):
    """The strategy, or one of the edge values, often."""
    return st.one_of(st.sampled_from(edges), strategy)


@st.composite
def params_dicts(draw, t: int | None = None) -> dict:
    """Rule parameters as the reference takes them (plain Python).

    ``t`` (the first step of the comparison), when given, makes the invest-to-save window
    (7.15) start or end near it, so that its boundaries are crossed.
    """
    regime = draw(st.integers(0, 2))
    drawn = draw(
        st.lists(st.floats(min_value=-5.0, max_value=5.0), min_size=4, max_size=4).filter(
            lambda p: _spread(_payoffs_in_force(p, regime)) > 1e-2 and _spread(p) > 1e-2
        )
    )
    payoffs = _payoffs_in_force(drawn, regime)  # pooled: Params carries S~ = T~ (7.15)
    pooled = regime == 2
    regulated = st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 2.0))
    strength = draw(regulated)
    focus = draw(st.tuples(unit, unit))
    rate = draw(st.tuples(unit, unit))
    thresholds = sorted(draw(st.tuples(unit, unit)))  # theta_A <= theta_F
    patience = draw(st.one_of(st.integers(1, 4), st.integers(1, 1200)))
    months = st.one_of(st.integers(0, 36), st.integers(0, 100_000))
    if t is None:
        invest_months = draw(months)
        invest_lag = draw(months)
    else:
        invest_months = draw(st.one_of(months, st.integers(max(0, t - 3), t + 3)))
        near_lag = st.integers(max(0, t - invest_months - 3), max(0, t - invest_months + 3))
        invest_lag = draw(st.one_of(months, st.integers(max(0, t - 3), t + 2), near_lag))
    return {
        "reward": payoffs[0],
        "sucker": payoffs[1],
        "temptation": payoffs[2],
        "punishment": payoffs[3],
        "lens_sucker": drawn[1],  # 7.15: the lens keeps S and T
        "lens_temptation": drawn[2],
        "noise": draw(_zero_or(st.floats(min_value=0.0, max_value=1.0))),
        "crowding_out": draw(_edges_or(unit, 0.0, 1.0)),
        "future_weight": draw(_zero_or(st.one_of(st.floats(0.0, 1.0), st.floats(0.0, 10.0)))),
        "purpose_weight": draw(_zero_or(st.one_of(st.floats(0.0, 1.0), st.floats(0.0, 10.0)))),
        "socialised_power": draw(_zero_or(st.floats(0.0, 1.0))),
        "distance_drag": draw(unit),
        "contact_rate": draw(_edges_or(unit, 0.0, 1.0)),
        "safety_buffer": draw(_edges_or(unit, 0.0, 1.0)),
        "lead_trust_loss": draw(_edges_or(unit, 0.0, 1.0)),
        "legacy_weight": draw(st.floats(0.0, 10.0)),
        "memory_retention": draw(unit),
        "altruism_growth": draw(unit),
        "altruism_erosion": draw(unit),
        "stress_scale": draw(st.floats(min_value=1e-3, max_value=1.0)),
        "stress_weight": draw(st.floats(0.0, 2.0)),
        "strength": (strength[0], strength[1], 0.0),
        "focus": (focus[0], focus[1], 0.0),
        "rate": (rate[0], rate[1], 0.0),
        "conflict": draw(st.floats(0.0, 3.0)),
        "intervention_threshold": draw(st.floats(min_value=1e-3, max_value=1.0)),
        "intervention_push": draw(st.floats(0.0, 3.0)),
        "capacity_cost": draw(unit),
        "pressure_decay": draw(unit),
        "system_assessment": draw(st.booleans()),
        "autonomy": draw(_edges_or(unit, 0.0, 1.0)),
        "maturity_progress": draw(st.one_of(st.floats(0.5, 60.0), st.floats(1e-3, 1000.0))),
        "progress_decay": draw(unit),
        # 7.11 leadership
        "concentration": draw(unit),
        "turnover_rate": draw(st.one_of(st.just(0.0), st.just(1.0), unit)),
        "turnover_trust_loss": draw(unit),
        "newcomer_penalty": draw(unit),
        "settling_rate": draw(unit),
        # 7.12 shared narrative
        "narrative_initial": draw(unit),
        "build_rate": draw(_zero_or(unit)),
        "convergence": draw(_zero_or(unit)),
        "confidence_bound": draw(unit),
        "narrative_decay": draw(_zero_or(unit)),
        "burning_platform": draw(_edges_or(unit, 0.0, 1.0)),
        # 7.13 hard decisions, governance and commitment
        "statutory": draw(st.booleans()),
        "decision_rate": draw(st.one_of(st.just(0.0), st.just(1.0), unit)),
        "patience": patience,
        "support_threshold": draw(unit),
        "narrative_weight": draw(st.one_of(st.floats(0.0, 2.0), st.floats(0.0, 10.0))),
        "safety_weight": draw(st.one_of(st.floats(0.0, 2.0), st.floats(0.0, 10.0))),
        "loss_weight": draw(st.one_of(st.floats(0.0, 2.0), st.floats(0.0, 10.0))),
        "vote_noise": draw(_zero_or(st.one_of(st.floats(0.0, 1.0), st.floats(0.0, 10.0)))),
        "deliberation": draw(_zero_or(st.floats(0.0, 1.0))),
        "majority": draw(unit),
        "resolved_trust_gain": draw(unit),
        "resolved_progress": draw(st.one_of(st.floats(0.0, 5.0), st.floats(0.0, 100.0))),
        "breakdown_trust_loss": draw(unit),
        "conditional": draw(st.booleans()),
        "commitment_trust_threshold": draw(_zero_or(unit)),
        "commitment_stress_threshold": draw(st.one_of(st.just(1.0), unit)),
        "reengage_margin": draw(_zero_or(unit)),
        # 7.14 local authorities
        "la_dynamic": draw(st.booleans()),
        "political_baseline": draw(unit),
        "political_decay": draw(unit),
        "political_weight": draw(st.one_of(st.floats(0.0, 2.0), st.floats(0.0, 10.0))),
        "absent_threshold": thresholds[0],
        "partner_threshold": draw(unit),
        "full_threshold": thresholds[1],
        # 7.15 finance options
        "finance_regime": regime,
        "linked_share": draw(unit),
        "sustainability_share": draw(_zero_or(st.one_of(st.floats(0.0, 0.1), unit))),
        "risk_tolerance": draw(unit),
        "signup_share": draw(unit),
        "transfers": draw(st.sampled_from([True, True, True, False])),
        "transfer_share": draw(unit),
        "transfer_trust_gain": draw(unit),
        "invest_share": draw(_zero_or(st.one_of(st.floats(0.0, 0.1), unit))),
        "invest_return": draw(st.one_of(st.floats(0.0, 3.0), st.floats(0.0, 100.0))),
        "invest_lag": invest_lag,
        "invest_months": invest_months,
        "pooled_share": draw(_edges_or(unit, 0.0, 1.0)) if pooled else 0.0,
        "pooled_system_weight": draw(_edges_or(unit, 0.0, 1.0)) if pooled else 0.0,
        "surplus_cap": draw(st.one_of(st.just(float("inf")), st.just(0.0), st.floats(0.0, 0.05), unit)),
        # 7.16 shocks
        "winter_capacity_loss": draw(unit),
        "winter_cost": draw(st.one_of(st.floats(0.0, 0.1), unit)),
        "winter_decay": draw(unit),
    }


@st.composite
def system_states(draw, n: int, patience: int) -> dict:
    """The system state of SYSTEM_FIELDS for ``n`` organisations (floats; indices -1 = none)."""
    is_open = n > 0 and draw(st.booleans())
    return {
        "progress": draw(st.one_of(st.just(0.0), st.floats(0.0, 50.0))),
        "winter": draw(_zero_or(unit)),
        "safety": draw(unit),
        "signed_up": draw(_flag(1, 1)),
        "decision_open": 1.0 if is_open else 0.0,
        "decision_age": float(draw(st.one_of(st.just(patience - 1), st.integers(0, patience - 1)))) if is_open else 0.0,
        "decision_loser": float(draw(st.integers(0, n - 1))) if is_open else -1.0,
        "decisions_resolved": float(draw(st.integers(0, 20))),
        "decisions_failed": float(draw(st.integers(0, 20))),
        "lead": float(draw(st.integers(-1, n - 1))) if n > 0 else -1.0,
        # The kernel's size of the open decision's loss, in (0, 1) (ics_abm.engine.state); not in
        # docs/model.md 7.13, so the reference carries it through unchanged.
        "decision_loss": draw(st.floats(1e-6, 1.0, exclude_max=True)) if is_open else 0.0,
    }


def step_numbers():
    """Step numbers ``t >= 1``, often two steps before to one step after a year end."""
    near_year_end = st.builds(lambda k, offset: max(1, 12 * k + offset), st.integers(0, 800), st.integers(-2, 1))
    return st.one_of(st.integers(1, 40), st.integers(1, 10_000), near_year_end)


@st.composite
def systems(draw, max_organisations: int = 10) -> dict:
    """A complete system for one comparison: graph, organisations, arcs, parameters, system
    state ("state", a dict over SYSTEM_FIELDS), key and first step."""
    graph = draw(graphs(max_organisations))
    orgs = {i: draw(organisation_rows()) for i in graph.nodes}
    arcs = {}
    for i, j in graph.edges:
        arcs[(i, j)] = draw(arc_rows())
        reverse = draw(arc_rows())
        reverse["stake"] = arcs[(i, j)]["stake"]  # a relationship has one stake
        arcs[(j, i)] = reverse
    t = draw(step_numbers())
    params = draw(params_dicts(t))
    return {
        "graph": graph,
        "orgs": orgs,
        "arcs": arcs,
        "params": params,
        "state": draw(system_states(graph.number_of_nodes(), params["patience"])),
        "key": draw(st.integers(0, 2**63 - 1)),
        "t": t,
    }


def state_array(state: dict) -> np.ndarray:
    """The system state as the kernel's float64 array, in SYSTEM_FIELDS order."""
    return np.array([float(state[name]) for name in SYSTEM_FIELDS], dtype=np.float64)


def to_arrays(system: dict):
    """The same system as the kernel's arrays.

    Returns ``(Organisations, Graph, Arcs, Params, state, keys)``: ``state`` is the float64 system
    array of shape (len(SYSTEM_FIELDS),), ``keys`` the ``(i, j)`` of every arc in CSR order.
    """
    graph = graph_from_networkx(system["graph"])
    n = system["graph"].number_of_nodes()
    rows = [system["orgs"][i] for i in range(n)]
    orgs = Organisations(
        **{
            name: np.array([row[name] for row in rows], dtype=np.int64 if name in ("kind", "principal") else np.float64).reshape(n)
            for name in Organisations._fields
        }
    )
    source = arc_sources(graph)
    keys = list(zip(source.tolist(), graph.target.tolist()))
    arcs = Arcs(
        **{name: np.array([system["arcs"][k][name] for k in keys], dtype=np.float64).reshape(len(keys)) for name in ("trust", "distance", "memory", "stake")},
        action=np.zeros(len(keys), dtype=np.int8),
    )
    p = dict(system["params"])
    for name in ("strength", "focus", "rate"):
        p[name] = np.array(p[name], dtype=np.float64)
    for name in ("system_assessment", "statutory", "conditional", "la_dynamic", "transfers"):
        p[name] = bool(p[name])
    for name in ("finance_regime", "patience", "invest_lag", "invest_months"):
        p[name] = int(p[name])
    return orgs, graph, arcs, Params(**p), state_array(system["state"]), keys


@st.composite
def submodel_cases(draw, max_organisations: int = 8) -> dict:
    """A system (as :func:`systems`) plus arbitrary values for what a step derives before a submodel reads it.

    So that each submodel can be tested on its own, on inputs independent of the earlier phases
    of the step: this step's decisions ``action`` (0/1 on every arc), effective capacities
    ``capacity`` (``h_i``), regulator pushes ``push`` (``Δ_i``), lens differences ``lens_a`` and
    ``lens_b``, start-of-step mean trust ``mean_trust`` (``q̄_i``), net results ``net`` (£m),
    interventions ``intervened`` (0/1), votes ``votes`` (−1 not a voter, 0 against, 1 for; only
    active members with engagement >= 2 vote, and one that is not committed votes against), the
    hard decision's ``outcome`` ("none", "resolved" or "broke_down"), the lead's capacity
    ``lead_capacity`` and the month's reported values ``monthly`` (transfers, funding, latency,
    winter, safety, leadership capacity, surplus reinvested), and the mean stress at the start of
    the step ``mean_stress`` (``σ̄``, 7.12) and how inclusive the table is, ``inclusive`` (``I``, 7.12).
    """
    system = draw(systems(max_organisations))
    n = system["graph"].number_of_nodes()
    arcs = sorted(system["arcs"])

    def per_org(strategy):
        return {i: draw(strategy) for i in range(n)}

    def vote(row):
        if row["active"] != 1.0 or row["engagement"] < 2.0:
            return -1
        return draw(st.integers(0, 1)) if row["committed"] == 1.0 else 0

    return {
        **system,
        "action": {arc: draw(st.integers(0, 1)) for arc in arcs},
        "capacity": per_org(unit),
        "push": per_org(st.floats(min_value=-0.5, max_value=0.5)),
        "lens_a": per_org(st.floats(min_value=-1.0, max_value=1.0)),
        "lens_b": per_org(st.floats(min_value=-1.0, max_value=1.0)),
        "mean_trust": per_org(unit),
        "net": per_org(st.floats(min_value=-50.0, max_value=50.0)),
        "intervened": per_org(st.integers(0, 1)),
        "votes": {i: vote(system["orgs"][i]) for i in range(n)},
        "outcome": draw(st.sampled_from(("none", "resolved", "broke_down"))),
        "lead_capacity": draw(unit),
        "mean_stress": draw(_edges_or(unit, 0.0, 1.0)),
        "inclusive": draw(_edges_or(unit, 0.0, 1.0)),
        "monthly": {
            "transfers": draw(st.floats(0.0, 10.0)),
            "sustainability_funding": draw(st.floats(0.0, 10.0)),
            "decision_latency": draw(st.one_of(st.just(float("nan")), st.integers(1, 1200).map(float))),
            "winter_pressure": draw(unit),
            "safety": draw(unit),
            "leadership_capacity": draw(unit),
            "reinvested": draw(st.one_of(st.just(0.0), st.floats(0.0, 10.0))),
        },
    }
