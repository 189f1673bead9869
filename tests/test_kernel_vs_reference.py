"""The numba kernel against the independent pure-Python reference (tests/reference.py).

Both are written from docs/model.md, section 7. On random graphs, states and parameters
(including empty and single-organisation systems) they must agree to 1e-9 over several steps,
decisions exactly. The parallel kernel runs the same contract by inheritance. Pinned cases drive
each mechanism of 7.10-7.16 deterministically, and check (on the reference) that it really fires.
"""

from __future__ import annotations

import copy
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from ics_abm.engine.state import ORG_FLOAT_FIELDS, SYSTEM_FIELDS, make_workspace
from ics_abm.engine.step import advance
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS
from ics_abm.scenario.kinds import KINDS
from tests import reference
from tests.reference import reference_step
from tests.strategies import systems, to_arrays

STEPS = 3
TOLERANCE = 1e-9

# Calibrated-looking defaults with every mechanism of 7.10-7.16 switched off (7.0: then the model
# is the one of 7.1-7.8), and the 0.3 rules of 7.2, 7.3 and 7.5 at their defaults; pinned cases
# switch mechanisms on one at a time.
_PARAMS = {
    "reward": 2.0, "sucker": -1.0, "temptation": 3.0, "punishment": 0.0, "noise": 0.05,
    "lens_sucker": -1.0, "lens_temptation": 3.0, "crowding_out": 0.3, "future_weight": 0.2, "purpose_weight": 0.3, "socialised_power": 0.5,
    "contact_rate": 0.03, "safety_buffer": 0.0, "lead_trust_loss": 0.0, "autonomy": 0.8, "maturity_progress": 20.0, "distance_drag": 0.5, "legacy_weight": 0.5, "memory_retention": 0.94, "altruism_growth": 0.02,
    "altruism_erosion": 0.05, "stress_scale": 0.05, "stress_weight": 0.1, "strength": (0.05, 0.05, 0.0),
    "focus": (0.2, 0.35, 0.0), "rate": (0.2, 0.2, 0.0), "conflict": 1.0, "intervention_threshold": 0.02,
    "intervention_push": 1.0, "capacity_cost": 0.5, "pressure_decay": 0.8, "system_assessment": False,
    "progress_decay": 0.02,
    # 7.11
    "concentration": 0.5, "turnover_rate": 0.0, "turnover_trust_loss": 0.3, "newcomer_penalty": 0.5,
    "settling_rate": 0.1,
    # 7.12
    "narrative_initial": 0.3, "build_rate": 0.05, "convergence": 0.3, "confidence_bound": 0.3,
    "narrative_decay": 0.01, "burning_platform": 0.0,
    # 7.13
    "statutory": False, "decision_rate": 0.0, "patience": 6, "support_threshold": 0.4,
    "narrative_weight": 0.5, "safety_weight": 0.2, "loss_weight": 0.5, "vote_noise": 0.0, "deliberation": 0.0, "majority": 0.5,
    "resolved_trust_gain": 0.1, "resolved_progress": 1.0, "breakdown_trust_loss": 0.2, "conditional": False,
    "commitment_trust_threshold": 0.2, "commitment_stress_threshold": 0.8, "reengage_margin": 0.1,
    # 7.14
    "la_dynamic": False, "political_baseline": 0.3, "political_decay": 0.1, "political_weight": 0.5,
    "absent_threshold": 0.1, "partner_threshold": 0.2, "full_threshold": 0.4,
    # 7.15
    "finance_regime": 0, "linked_share": 0.5, "sustainability_share": 0.0, "risk_tolerance": 0.3,
    "signup_share": 0.5, "transfers": False, "transfer_share": 0.5, "transfer_trust_gain": 0.2,
    "invest_share": 0.0, "invest_return": 1.5, "invest_lag": 12, "invest_months": 0,
    "pooled_share": 0.0, "pooled_system_weight": 0.0, "surplus_cap": math.inf,
    # 7.16
    "winter_capacity_loss": 0.3, "winter_cost": 0.02, "winter_decay": 0.8,
}

_STATE = {
    "progress": 1.5, "winter": 0.0, "safety": 0.5, "signed_up": 0.0, "decision_open": 0.0,
    "decision_age": 0.0, "decision_loser": -1.0, "decisions_resolved": 0.0, "decisions_failed": 0.0,
    "lead": -1.0, "decision_loss": 0.0,
}


def _quiet_organisation(**overrides) -> dict:
    row = {
        "kind": 4, "principal": 0, "budget": 10.0, "balance": -1.0, "cost_pressure": 0.02, "power": 0.3,
        "affiliation": 0.3, "achievement": 0.4, "altruism": 0.2, "capacity": 0.5, "pressure": 0.4,
        "gain_rate": 0.15, "loss_rate": 0.25, "active": 1.0, "committed": 1.0, "unwilling": 0.0,
        "engagement": 2.0, "political": 0.3, "belief": 0.3, "experience": 1.0, "year_balance": -1.0,
    }
    row.update(overrides)
    return row


def _close(actual, expected, what):
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), f"{what}: expected NaN, got {actual}"
    else:
        assert math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE), f"{what}: kernel {actual!r} != reference {expected!r}"


def test_reference_system_fields_match_the_state_module():
    assert reference.SYSTEM_FIELDS == SYSTEM_FIELDS


def test_reference_reports_exactly_the_kernel_metrics():
    _, _, _, outputs = reference_step(nx.empty_graph(0), {}, {}, _PARAMS, _STATE, 1, 1)
    assert set(outputs) - {"trust_by_kind"} == set(METRICS)


def _run_reference(system, steps):
    """The reference alone over ``steps`` steps: list of (orgs, arcs, state, outputs)."""
    orgs, arcs, state = system["orgs"], system["arcs"], system["state"]
    history = []
    for step in range(steps):
        orgs, arcs, state, outputs = reference_step(system["graph"], orgs, arcs, system["params"], state, system["key"], system["t"] + step)
        history.append((orgs, arcs, state, outputs))
    return history


def _compare_outputs(trajectory, row, ref_orgs, outputs, where):
    """Row ``row`` of a kernel trajectory against one reference step."""
    for i, ref in ref_orgs.items():
        for f, name in enumerate(ORG_TRAJECTORY_FIELDS):
            expected = ref["effective_capacity"] if name == "capacity" else ref[name]
            _close(trajectory.organisations[row, i, f], expected, f"{where}: recorded {name} of {i}")
    for c, name in enumerate(METRICS):
        _close(trajectory.system[row, c], float(outputs[name]), f"{where}: {name}")
    for a in range(len(KINDS)):
        for b in range(len(KINDS)):
            _close(trajectory.trust_by_kind[row, a, b], outputs["trust_by_kind"][a][b], f"{where}: trust {a}->{b}")


def _compare_state(orgs, arcs, state, keys, ref_orgs, ref_arcs, ref_state, where):
    """The kernel's state arrays against the reference's state after a step."""
    for k, arc in enumerate(keys):
        assert arcs.action[k] == ref_arcs[arc]["action"], f"{where}: decision on arc {arc}"
        _close(arcs.trust[k], ref_arcs[arc]["trust"], f"{where}: trust {arc}")
        _close(arcs.memory[k], ref_arcs[arc]["memory"], f"{where}: memory {arc}")
    for i, ref in ref_orgs.items():
        for name in ORG_FLOAT_FIELDS:
            _close(getattr(orgs, name)[i], ref[name], f"{where}: {name} of {i}")
    for s, name in enumerate(SYSTEM_FIELDS):
        _close(state[s], float(ref_state[name]), f"{where}: system {name}")


def check_kernel_against_reference(system, parallel=False, steps=STEPS):
    """Step by step (one ``advance`` call per step), then all steps in one ``advance`` call."""
    orgs, graph, arcs, params, state, keys = to_arrays(system)
    n = system["graph"].number_of_nodes()
    history = _run_reference(system, steps)
    for step, (ref_orgs, ref_arcs, ref_state, outputs) in enumerate(history):
        t = system["t"] + step
        trajectory = advance(
            orgs, graph, arcs, params, state, key=system["key"], first_step=t, n_steps=1,
            parallel=parallel, record_organisations=True,
        )
        assert trajectory.system.shape == (1, len(METRICS))
        assert trajectory.trust_by_kind.shape == (1, len(KINDS), len(KINDS))
        assert trajectory.organisations.shape == (1, n, len(ORG_TRAJECTORY_FIELDS))
        where = f"step {step + 1} (t={t})"
        _compare_state(orgs, arcs, state, keys, ref_orgs, ref_arcs, ref_state, where)
        _compare_outputs(trajectory, 0, ref_orgs, outputs, where)

    orgs, graph, arcs, params, state, keys = to_arrays(system)
    trajectory = advance(
        orgs, graph, arcs, params, state, key=system["key"], first_step=system["t"], n_steps=steps,
        parallel=parallel, record_organisations=True, workspace=make_workspace(n),
    )
    assert trajectory.system.shape == (steps, len(METRICS))
    for step, (ref_orgs, _, _, outputs) in enumerate(history):
        _compare_outputs(trajectory, step, ref_orgs, outputs, f"one call, step {step + 1}")
    ref_orgs, ref_arcs, ref_state, _ = history[-1]
    _compare_state(orgs, arcs, state, keys, ref_orgs, ref_arcs, ref_state, "one call, end")


# ---------------------------------------------------------------------------------------------
# Pinned cases: each returns (system, fires) with fires(history) -> bool checked on the reference.
# ---------------------------------------------------------------------------------------------


def _system(n, edges, params=None, state=None, orgs=None, trust=0.8, t=1, key=5):
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    rows = {i: _quiet_organisation(kind=i % 6, principal=i % 3, balance=0.5, year_balance=0.5, pressure=0.0) for i in range(n)}
    for i, overrides in (orgs or {}).items():
        rows[i].update(overrides)
    arcs = {}
    for i, j in graph.edges:
        for arc in ((i, j), (j, i)):
            arcs[arc] = {"trust": trust, "distance": 0.2, "memory": 0.1, "stake": 0.4}
    return {
        "graph": graph, "orgs": rows, "arcs": arcs, "params": {**_PARAMS, "noise": 0.0, **(params or {})},
        "state": {**_STATE, "lead": 0.0, **(state or {})}, "key": key, "t": t,
    }


def _complete(n):
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def _decision_resolved_informal():
    system = _system(4, _complete(4), params={"decision_rate": 1.0, "maturity_progress": 1.0, "support_threshold": 0.3})
    return system, lambda h: h[0][3]["decisions_resolved"] == 1.0 and h[0][3]["decision_latency"] == 1.0


def _decision_statutory_majority():
    # The loser (whoever it is) opposes: a huge loss weight. Statutory majority 0.5 resolves it.
    system = _system(4, _complete(4), params={"decision_rate": 1.0, "maturity_progress": 1.0, "support_threshold": 0.3, "loss_weight": 10.0,
                                              "statutory": True, "majority": 0.5})
    return system, lambda h: h[0][3]["decisions_resolved"] == 1.0


def _decision_informal_blocked_by_loser():
    system = _system(4, _complete(4), params={"decision_rate": 1.0, "maturity_progress": 1.0, "support_threshold": 0.3, "loss_weight": 10.0,
                                              "patience": 2})
    # Open at step 1, ages to 1, breaks down at step 2 (age + 1 = patience).
    return system, lambda h: h[0][2]["decision_open"] == 1.0 and h[1][2]["decisions_failed"] == 1.0


def _breakdown_with_walk_away():
    # Informal governance, conditional commitment, an open decision at age 0 with patience 1 and
    # loser 2 who opposes: it breaks down at once and the loser walks away. Re-engagement needs
    # mean trust >= 0.95, withdrawal needs mean trust < 0.1: nobody else moves.
    system = _system(
        4, _complete(4),
        params={"patience": 1, "support_threshold": 0.3, "loss_weight": 10.0, "conditional": True,
                "commitment_trust_threshold": 0.1, "reengage_margin": 0.85, "commitment_stress_threshold": 1.0},
        state={"decision_open": 1.0, "decision_age": 0.0, "decision_loser": 2.0, "decision_loss": 0.5},
    )
    return system, lambda h: h[0][3]["decisions_failed"] == 1.0 and h[0][0][2]["committed"] == 0.0 and h[0][0][0]["committed"] == 1.0


def _breakdown_statutory_no_walk_away():
    system = _system(
        3, _complete(3),
        params={"patience": 1, "support_threshold": 0.3, "loss_weight": 10.0, "conditional": True, "statutory": True,
                "majority": 1.0},
        state={"decision_open": 1.0, "decision_age": 0.0, "decision_loser": 1.0, "decision_loss": 0.5},
    )
    return system, lambda h: h[0][3]["decisions_failed"] == 1.0 and all(r["committed"] == 1.0 for r in h[0][0].values())


def _year_end_transfers_signed_control_total():
    # t = 12: year end. Org 0 made a surplus over the year, 1 and 2 deficits; the control total
    # is signed. Transfers go before sustainability funding.
    orgs = {
        0: {"balance": 3.0, "year_balance": 0.0, "altruism": 0.6},
        1: {"balance": -5.0, "year_balance": 0.0},
        2: {"balance": -6.0, "year_balance": -0.5},
        3: {"balance": 0.2, "year_balance": 0.0},
    }
    system = _system(
        4, [(0, 1), (0, 2), (0, 3), (1, 2)], orgs=orgs, t=12,
        params={"finance_regime": 1, "transfers": True, "sustainability_share": 0.02, "linked_share": 0.5},
        state={"signed_up": 1.0},
    )
    return system, lambda h: h[0][3]["transfers"] > 0 and h[0][3]["sustainability_funding"] > 0


def _sign_up_at_year_start():
    # t = 13 is the start of the second financial year; trust 0.8, no stress: everybody agrees.
    system = _system(4, _complete(4), t=11, params={"finance_regime": 1, "risk_tolerance": 0.5})
    return system, lambda h: h[0][2]["signed_up"] == 0.0 and h[2][2]["signed_up"] == 1.0


def _pooled_budget():
    system = _system(
        5, _complete(5), t=11,
        params={"finance_regime": 2, "sucker": 1.0, "temptation": 1.0, "transfers": True, "sustainability_share": 0.01,
                "pooled_share": 0.5, "pooled_system_weight": 0.15},
        orgs={0: {"balance": 2.0, "year_balance": 0.0, "altruism": 0.8}, 1: {"balance": -2.0, "year_balance": 0.0}},
    )
    return system, lambda h: h[1][3]["sustainability_funding"] > 0


def _invest_to_save(t):
    def case():
        system = _system(3, _complete(3), t=t, params={"invest_share": 0.05, "invest_months": 3, "invest_lag": 2, "invest_return": 2.0})
        return system, lambda h: True
    return case


def _la_transitions():
    # Local authorities (kind 4) in every engagement state; low trust so that the lead falls to
    # partner; dynamic engagement.
    orgs = {
        0: {"kind": 4, "engagement": 3.0, "political": 0.9},
        1: {"kind": 4, "engagement": 0.0, "political": 0.0},
        2: {"kind": 4, "engagement": 1.0, "political": 0.1},
        3: {"kind": 4, "engagement": 2.0, "political": 0.5},
        4: {"kind": 0},
    }
    system = _system(5, _complete(5), orgs=orgs, trust=0.45, state={"lead": 0.0},
                     params={"la_dynamic": True, "political_weight": 0.5, "partner_threshold": 0.3,
                             "absent_threshold": 0.1, "full_threshold": 0.35})
    return system, lambda h: h[0][0][0]["engagement"] == 1.0 and h[0][0][1]["engagement"] != 0.0


def _turnover_rate_one():
    system = _system(4, _complete(4), params={"turnover_rate": 1.0, "turnover_trust_loss": 0.4}, state={"lead": 1.0})
    return system, lambda h: all(r["experience"] == pytest.approx(0.1) for r in h[0][0].values())


def _inactive_and_unwilling():
    orgs = {1: {"active": 0.0}, 2: {"unwilling": 1.0, "committed": 0.0}, 3: {"kind": 4, "engagement": 0.0}}
    system = _system(5, _complete(5), orgs=orgs, params={"noise": 0.3, "decision_rate": 1.0, "maturity_progress": 1.0, "conditional": True},
                     state={"lead": 0.0, "winter": 0.6})
    return system, lambda h: all(h[s][1][(1, 0)]["action"] == 0 and h[s][1][(2, 0)]["action"] == 0 for s in range(len(h)))


def _inactive_lead():
    # The lead has left (partner exit of the lead organisation): 7.11 reads h_lead as the mean of
    # h over active organisations, in H and in belief building.
    system = _system(4, _complete(4), orgs={1: {"active": 0.0}}, params={"concentration": 0.7, "build_rate": 0.2},
                     state={"lead": 1.0})
    return system, lambda h: h[0][3]["leadership_capacity"] > 0


def _narrative_mixing():
    orgs = {i: {"belief": b, "altruism": 0.9, "power": 0.0} for i, b in enumerate((0.1, 0.2, 0.5, 0.55, 0.9))}
    system = _system(5, _complete(5), orgs=orgs, params={"convergence": 0.5, "confidence_bound": 0.2}, state={"lead": 0.0})
    return system, lambda h: h[0][3]["shared_narrative"] > 0


def _turnover_on_arcs_to_inactive():
    # Readings R1 of tests/reference.py: turnover cuts trust on every arc of i, live or not.
    system = _system(3, [(0, 1), (0, 2)], orgs={2: {"active": 0.0}}, params={"turnover_rate": 1.0, "turnover_trust_loss": 0.4})
    return system, lambda h: h[0][1][(2, 0)]["trust"] == pytest.approx(0.8 * 0.6)


def _punishment_on_non_live_arcs():
    # R4: with P != 0 an arc to an inactive partner pays nothing.
    system = _system(3, [(0, 1), (0, 2)], orgs={2: {"active": 0.0}}, params={"punishment": 0.5})
    return system, lambda h: h[0][0][2]["balance"] == system["orgs"][2]["balance"]


def _signed_up_outside_control_total():
    # R11: signed_up is only set by a control total's sign-up; a year end follows the year start.
    system = _system(3, _complete(3), t=12, params={"finance_regime": 2, "sucker": 1.0, "temptation": 1.0,
                                                     "transfers": True, "sustainability_share": 0.05, "pooled_share": 1.0},
                     orgs={0: {"balance": 3.0, "year_balance": 0.0}, 1: {"balance": -3.0, "year_balance": 0.0}},
                     state={"signed_up": 1.0})
    return system, lambda h: all(x[2]["signed_up"] == 1.0 for x in h)


def _year_end_with_inactive():
    # R13: an inactive organisation gets no funding and keeps its year balance.
    system = _system(3, _complete(3), t=12, orgs={2: {"active": 0.0, "balance": 3.0, "year_balance": -2.0}},
                     params={"sustainability_share": 0.05})
    return system, lambda h: h[0][0][2]["year_balance"] == -2.0 and h[0][3]["sustainability_funding"] > 0


def _patience_boundary(age):
    def case():
        # R5: breaks down when age + 1 >= patience (here patience 6: at age 5, not at age 4).
        system = _system(3, _complete(3), params={"patience": 6, "support_threshold": 0.95},
                         state={"decision_open": 1.0, "decision_age": age, "decision_loser": 1.0, "decision_loss": 0.5})
        return system, lambda h: h[0][2]["decisions_failed"] == (1.0 if age == 5.0 else 0.0)
    return case


def _deliberation_wins_over():
    # 7.13: discussion wears objections down: a decision every voter opposes at the start (support
    # threshold 0.95) is resolved once it has been discussed long enough (deliberation 0.2 a month,
    # age 4), before its patience runs out.
    system = _system(3, _complete(3), params={"patience": 6, "support_threshold": 0.95, "deliberation": 0.2},
                     state={"decision_open": 1.0, "decision_age": 4.0, "decision_loser": 1.0, "decision_loss": 0.5})
    return system, lambda h: h[0][2]["decisions_resolved"] == 1.0 and h[0][2]["decisions_failed"] == 0.0


def _transfer_edge_cases():
    # R9: a giver without altruism gives nothing (no trust raise); a deficit partner the giver
    # does not trust at all receives nothing and raises no trust.
    orgs = {0: {"balance": 10.0, "year_balance": 0.0, "altruism": 0.0, "gain_rate": 0.0, "loss_rate": 0.0},
            1: {"balance": -5.0, "year_balance": 0.0, "gain_rate": 0.0, "loss_rate": 0.0},
            2: {"balance": 10.0, "year_balance": 0.0, "altruism": 0.6, "gain_rate": 0.0, "loss_rate": 0.0},
            3: {"balance": -5.0, "year_balance": 0.0, "gain_rate": 0.0, "loss_rate": 0.0},
            4: {"balance": -5.0, "year_balance": 0.0, "gain_rate": 0.0, "loss_rate": 0.0}}
    system = _system(5, [(0, 1), (2, 3), (2, 4)], orgs=orgs, t=12, trust=0.5,
                     params={"finance_regime": 1, "transfers": True, "contact_rate": 0.0}, state={"signed_up": 1.0})
    for arc in system["arcs"].values():
        arc["stake"] = 0.0
    system["arcs"][(2, 4)]["trust"] = 0.0
    return system, lambda h: (h[0][1][(1, 0)]["trust"] == 0.5 and h[0][1][(4, 2)]["trust"] == 0.5
                              and h[0][1][(3, 2)]["trust"] > 0.5 and h[0][3]["transfers"] > 0)


def _transfer_brings_receiver_to_balance():
    # 7.15: own_i is taken from the year result after the transfers. Org 0 offers its whole surplus
    # (altruism 1, transfer share 1) to its one partner in deficit, 1, and, trusting it fully,
    # gives all of it: 1's year result goes from -4 to +6, so under a signed control total 1 is
    # then paid the unlinked share of its funding too.
    orgs = {0: {"balance": 10.0, "year_balance": 0.0, "altruism": 1.0},
            1: {"balance": -4.0, "year_balance": 0.0},
            2: {"balance": 1.0, "year_balance": 0.0, "altruism": 0.0}}
    system = _system(3, [(0, 1), (1, 2)], orgs=orgs, t=12, trust=1.0,
                     params={"finance_regime": 1, "transfers": True, "transfer_share": 1.0, "sustainability_share": 0.05,
                             "linked_share": 0.5},
                     state={"signed_up": 1.0})
    for arc in system["arcs"].values():
        arc["stake"] = 0.0
    for row in system["orgs"].values():
        row["cost_pressure"] = 0.0
    # 1's balance: -4 + 10 + F (own met, system met) = 6 + 0.05 * 10.
    return system, lambda h: h[0][0][1]["balance"] == pytest.approx(6.5) and h[0][3]["transfers"] == pytest.approx(10.0)


def _withdrawn_voter_blocks_consensus():
    system = _system(4, _complete(4), orgs={3: {"committed": 0.0}},
                     params={"decision_rate": 1.0, "maturity_progress": 1.0, "support_threshold": 0.3, "patience": 1, "conditional": True,
                             "commitment_trust_threshold": 0.1, "reengage_margin": 0.1})
    # The withdrawn member 3 votes against, the decision breaks down at once (patience 1); the
    # commitment rule alone would re-engage 3 (mean trust >= 0.2) but it walked away.
    return system, lambda h: h[0][2]["decisions_failed"] == 1.0 and h[0][0][3]["committed"] == 0.0


def _crowding_out():
    # 7.2: every organisation would collaborate (affiliation profiles, high altruism), but with
    # c_O = 1 and capacity 0.5 about half of the would-be collaborations are crowded out.
    orgs = {i: {"power": 0.0, "affiliation": 1.0, "achievement": 0.0, "altruism": 0.9, "principal": 2} for i in range(5)}
    system = _system(5, _complete(5), orgs=orgs, params={"crowding_out": 1.0})
    return system, lambda h: 0 < sum(a["action"] for a in h[0][1].values()) < len(h[0][1])


def _shadow_of_the_future_and_purpose():
    # 7.2: neutral profiles (omega = 1/2) without altruism, push or noise: A = 0.1875*(2q - 1) +
    # phi_F*q*0.5 + w_x*(x - 0.5). At q = 0.4 the lens alone says act for itself (-0.0375); the
    # shadow of the future (phi_F = 0.2: +0.04) tips it; a sceptic's belief below 0.5 tips it back.
    orgs = {i: {"power": 1.0, "affiliation": 1.0, "achievement": 1.0, "altruism": 0.0, "principal": 2, "balance": 0.5,
                "belief": 0.5} for i in range(4)}
    orgs[3]["belief"] = 0.3  # w_x*(0.3 - 0.5) = -0.06
    system = _system(4, _complete(4), orgs=orgs, trust=0.4,
                     params={"future_weight": 0.2, "purpose_weight": 0.3, "crowding_out": 0.0, "strength": (0.0, 0.0, 0.0),
                             "build_rate": 0.0, "convergence": 0.0, "narrative_decay": 0.0})
    return system, lambda h: h[0][1][(0, 1)]["action"] == 1 and h[0][1][(3, 0)]["action"] == 0


def _contact_builds_trust():
    # 7.3: gain and loss rates 0; only contact moves trust, and only between partners at the table.
    orgs = {i: {"gain_rate": 0.0, "loss_rate": 0.0} for i in range(4)}
    orgs[3]["committed"] = 0.0
    system = _system(4, _complete(4), orgs=orgs, trust=0.5, params={"contact_rate": 0.5})
    return system, lambda h: h[0][1][(0, 1)]["trust"] > 0.5 and h[0][1][(0, 3)]["trust"] == 0.5


def _safety_buffers_loss():
    # 7.3: nobody collaborates (power-driven, no noise); with safety 1 and buffer 1 no trust is lost.
    orgs = {i: {"power": 1.0, "affiliation": 0.0, "achievement": 0.0, "gain_rate": 0.0} for i in range(3)}
    system = _system(3, _complete(3), orgs=orgs, trust=0.3, state={"safety": 1.0},
                     params={"safety_buffer": 1.0, "contact_rate": 0.0, "turnover_rate": 0.0})
    return system, lambda h: all(a["trust"] == 0.3 for a in h[0][1].values())


def _the_lead_leaves():
    # 7.11: turnover rate 1, the lead (0) leaves first: every live arc loses chi_L*lambda_L*e_0.
    system = _system(4, _complete(4), params={"turnover_rate": 1.0, "turnover_trust_loss": 0.0, "concentration": 1.0,
                                              "lead_trust_loss": 0.5}, state={"lead": 0.0})
    # Without it a month's losses take at most loss_rate * capacity (0.25 * 0.5) of trust 0.8: > 0.69.
    return system, lambda h: h[0][3]["mean_trust"] < 0.45


def _earned_autonomy():
    # 7.5: deep deficits, full intervention rate; a fully mature system (progress >= P_M) with
    # autonomy 1 is never intervened on, an immature one is.
    orgs = {i: {"balance": -5.0, "pressure": 0.0} for i in range(4)}
    params = {"rate": (1.0, 1.0, 0.0), "autonomy": 1.0, "maturity_progress": 2.0}
    mature = _system(4, _complete(4), orgs=orgs, params=params, state={"progress": 40.0})
    return mature, lambda h: all(x[3]["interventions"] == 0 for x in h)


def _partial_autonomy():
    orgs = {i: {"balance": -5.0, "pressure": 0.0, "principal": i % 2} for i in range(6)}
    system = _system(6, _complete(6), orgs=orgs, params={"rate": (1.0, 1.0, 0.0), "autonomy": 0.5, "maturity_progress": 4.0},
                     state={"progress": 2.0}, key=17)
    return system, lambda h: any(x[3]["interventions"] > 0 for x in h)


def _burning_platform():
    # 7.12: no leader building; system stress builds belief through the burning platform.
    orgs = {i: {"balance": -1.0, "belief": 0.3} for i in range(3)}
    system = _system(3, _complete(3), orgs=orgs, params={"build_rate": 0.0, "burning_platform": 0.5, "convergence": 0.0,
                                                         "narrative_decay": 0.0})
    return system, lambda h: h[0][3]["shared_narrative"] > 0.3


def _surplus_cap():
    # 7.15: at the year end balances above u_S*B are spent on services and reported.
    orgs = {0: {"balance": 3.0, "year_balance": 0.0}, 1: {"balance": 0.05, "year_balance": 0.0},
            2: {"balance": 2.0, "year_balance": 0.0, "active": 0.0}}
    system = _system(3, _complete(3), orgs=orgs, t=12, params={"surplus_cap": 0.02, "sustainability_share": 0.01})
    return system, lambda h: h[0][3]["reinvested"] > 0 and h[0][0][0]["balance"] == pytest.approx(0.2) and h[0][0][2]["balance"] == 2.0


PINNED = {
    "turnover_on_arcs_to_inactive": _turnover_on_arcs_to_inactive,
    "punishment_on_non_live_arcs": _punishment_on_non_live_arcs,
    "signed_up_outside_control_total": _signed_up_outside_control_total,
    "year_end_with_inactive": _year_end_with_inactive,
    "patience_boundary_age4": _patience_boundary(4.0),
    "patience_boundary_age5": _patience_boundary(5.0),
    "deliberation_wins_over": _deliberation_wins_over,
    "transfer_edge_cases": _transfer_edge_cases,
    "transfer_brings_receiver_to_balance": _transfer_brings_receiver_to_balance,
    "withdrawn_voter_blocks_consensus": _withdrawn_voter_blocks_consensus,
    "decision_resolved_informal": _decision_resolved_informal,
    "decision_statutory_majority": _decision_statutory_majority,
    "decision_informal_blocked_by_loser": _decision_informal_blocked_by_loser,
    "breakdown_with_walk_away": _breakdown_with_walk_away,
    "breakdown_statutory_no_walk_away": _breakdown_statutory_no_walk_away,
    "year_end_transfers_signed_control_total": _year_end_transfers_signed_control_total,
    "sign_up_at_year_start": _sign_up_at_year_start,
    "pooled_budget": _pooled_budget,
    "la_transitions": _la_transitions,
    "turnover_rate_one": _turnover_rate_one,
    "inactive_and_unwilling": _inactive_and_unwilling,
    "inactive_lead": _inactive_lead,
    "narrative_mixing": _narrative_mixing,
    "crowding_out": _crowding_out,
    "shadow_of_the_future_and_purpose": _shadow_of_the_future_and_purpose,
    "contact_builds_trust": _contact_builds_trust,
    "safety_buffers_loss": _safety_buffers_loss,
    "the_lead_leaves": _the_lead_leaves,
    "earned_autonomy": _earned_autonomy,
    "partial_autonomy": _partial_autonomy,
    "burning_platform": _burning_platform,
    "surplus_cap": _surplus_cap,
    **{f"invest_to_save_t{t}": _invest_to_save(t) for t in (1, 2, 3, 4)},
}

class TestSerialKernel:
    # Variants subclass this contract; the executor differs on purpose (the `parallel` flag).
    parallel = False

    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.differing_executors])
    @given(system=systems())
    def test_kernel_equals_reference(self, system):
        check_kernel_against_reference(system, self.parallel)

    @pytest.mark.parametrize("n", [0, 1])
    def test_empty_and_single_organisation_systems(self, n):
        system = {
            "graph": nx.empty_graph(n),
            "orgs": {i: _quiet_organisation() for i in range(n)},
            "arcs": {},
            "params": _PARAMS,
            "state": {**_STATE, "lead": 0.0 if n else -1.0},  # set-up always finds a lead (7.11)
            "key": 3,
            "t": 1,
        }
        check_kernel_against_reference(system, self.parallel)

    @pytest.mark.parametrize("case", sorted(PINNED))
    def test_pinned_mechanism(self, case):
        system, fires = PINNED[case]()
        assert fires(_run_reference(copy.deepcopy(system), system.get("steps", STEPS))), f"{case}: the mechanism does not fire"
        check_kernel_against_reference(system, self.parallel, steps=system.get("steps", STEPS))


class TestParallelKernel(TestSerialKernel):
    parallel = True


def test_serial_and_parallel_are_bit_identical_on_a_large_random_system():
    rng = np.random.default_rng(7)

    n = 300
    graph = nx.gnm_random_graph(n, 3000, seed=3)
    orgs = {}
    for i in range(n):
        kind = int(rng.integers(6))
        balance = float(rng.normal())
        orgs[i] = {
            "kind": kind, "principal": int(rng.integers(3)), "budget": float(rng.uniform(1, 500)),
            "balance": balance, "cost_pressure": 0.02, "power": float(rng.random()),
            "affiliation": float(rng.random()), "achievement": float(rng.random()) + 0.01,
            "altruism": float(rng.random()), "capacity": float(rng.random()), "pressure": 0.0,
            "gain_rate": 0.15, "loss_rate": 0.25, "active": float(rng.random() < 0.95),
            "committed": 1.0, "unwilling": 0.0, "engagement": float(rng.integers(4)) if kind == 4 else 2.0,
            "political": float(rng.random()) if kind == 4 else 0.0, "belief": float(rng.random()),
            "experience": float(rng.random()), "year_balance": balance,
        }
    params = {
        **_PARAMS, "turnover_rate": 0.02, "decision_rate": 0.2, "vote_noise": 0.1, "deliberation": 0.1, "conditional": True,
        "la_dynamic": True, "finance_regime": 1, "transfers": True, "sustainability_share": 0.01,
        "invest_share": 0.01, "invest_months": 24, "invest_lag": 12,
    }
    system = {"graph": graph, "orgs": orgs, "arcs": {}, "params": params,
              "state": {**_STATE, "winter": 0.5, "lead": 0.0}, "key": 11, "t": 1}
    for i, j in graph.edges:
        stake = float(rng.uniform(0, 2))
        for arc in ((i, j), (j, i)):
            system["arcs"][arc] = {"trust": float(rng.random()), "distance": float(rng.random()), "memory": 0.3, "stake": stake}
    serial = to_arrays(system)
    parallel = to_arrays(system)
    out_serial = advance(*serial[:5], key=11, first_step=1, n_steps=60, record_organisations=True)
    out_parallel = advance(*parallel[:5], key=11, first_step=1, n_steps=60, parallel=True, record_organisations=True)
    for a, b in zip(out_serial[:3], out_parallel[:3]):
        assert np.array_equal(a, b, equal_nan=True)
    for a, b in zip(serial[0] + serial[2], parallel[0] + parallel[2]):
        assert np.array_equal(a, b)
    assert np.array_equal(serial[4], parallel[4])
