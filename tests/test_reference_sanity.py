"""Hand-computed sanity tests of the pure-Python reference (tests/reference.py) alone.

Every expected number below is worked out by hand from docs/model.md section 7, in the comments.
"""

from __future__ import annotations

import copy
import math

import networkx as nx
import pytest

try:  # tests/ as a package, or the repository root on sys.path
    from tests.reference import (
        reference_arc_index,
        reference_decisions,
        reference_interventions,
        reference_lens,
        reference_mix,
        reference_omega,
        reference_open_hard_decision,
        reference_step,
        reference_trust_update,
        reference_uniform,
    )
except ImportError:  # pytest "prepend" import mode puts tests/ itself on sys.path
    from reference import (  # type: ignore[no-redef]
        reference_arc_index,
        reference_decisions,
        reference_interventions,
        reference_lens,
        reference_mix,
        reference_omega,
        reference_open_hard_decision,
        reference_step,
        reference_trust_update,
        reference_uniform,
    )

APPROX = dict(rel=1e-12, abs=1e-12)


def make_params(**overrides):
    params = {
        # donation game: R=2, S=-1, T=3, P=0 -> x_lo=-1, x_hi=3, I_R=0.75, I_S=0, I_T=1, I_P=0.25,
        # I_M = I(1) = 0.5, a_Y = b_Y = 0.25
        "reward": 2.0,
        "sucker": -1.0,
        "temptation": 3.0,
        "punishment": 0.0,
        "noise": 0.0,
        "distance_drag": 0.5,
        "legacy_weight": 0.5,
        "memory_retention": 0.5,
        "altruism_growth": 0.2,
        "altruism_erosion": 0.1,
        "stress_scale": 0.1,
        "stress_weight": 0.3,
        "strength": (0.3, 0.3, 0.0),
        "focus": (0.5, 0.5, 0.0),
        "rate": (0.0, 0.0, 0.0),
        "conflict": 0.0,
        "intervention_threshold": 0.05,
        "intervention_push": 1.0,
        "capacity_cost": 0.5,
        "pressure_decay": 0.9,
        "system_assessment": False,
        "progress_decay": 0.1,
        # 7.11-7.16: every mechanism switched off (7.0: then the model is the one of 7.1-7.8)
        "concentration": 0.5,
        "turnover_rate": 0.0,
        "turnover_trust_loss": 0.3,
        "newcomer_penalty": 0.5,
        "settling_rate": 0.1,
        "narrative_initial": 0.3,
        "build_rate": 0.0,
        "convergence": 0.0,
        "confidence_bound": 0.3,
        "narrative_decay": 0.0,
        "statutory": False,
        "decision_rate": 0.0,
        "patience": 6,
        "support_threshold": 0.5,
        "narrative_weight": 0.0,
        "safety_weight": 0.0,
        "loss_weight": 0.0,
        "vote_noise": 0.0, "deliberation": 0.0,
        "majority": 0.5,
        "resolved_trust_gain": 0.0,
        "resolved_progress": 0.0,
        "breakdown_trust_loss": 0.0,
        "conditional": False,
        "commitment_trust_threshold": 0.2,
        "commitment_stress_threshold": 0.8,
        "reengage_margin": 0.1,
        "la_dynamic": False,
        "political_baseline": 0.0,
        "political_decay": 0.0,
        "political_weight": 0.0,
        "absent_threshold": 0.1,
        "partner_threshold": 0.2,
        "full_threshold": 0.4,
        "finance_regime": 0,
        "linked_share": 0.5,
        "sustainability_share": 0.0,
        "risk_tolerance": 0.3,
        "signup_share": 0.5,
        "transfers": False,
        "transfer_share": 0.5,
        "transfer_trust_gain": 0.2,
        "invest_share": 0.0,
        "invest_return": 1.5,
        "invest_lag": 12,
        "invest_months": 0,
        "winter_capacity_loss": 0.3,
        "winter_cost": 0.02,
        "winter_decay": 0.8,
        # the rules of version 0.3, switched off (pooling, where the regime is pooled, is full)
        "crowding_out": 0.0,
        "future_weight": 0.0,
        "purpose_weight": 0.0,
        "socialised_power": 0.0,
        "contact_rate": 0.0,
        "safety_buffer": 0.0,
        "lead_trust_loss": 0.0,
        "autonomy": 0.0,
        "maturity_progress": 20.0,
        "burning_platform": 0.0,
        "pooled_share": 1.0,
        "pooled_system_weight": 0.0,
        "surplus_cap": math.inf,
    }
    params.update(overrides)
    # 7.15: the lens keeps the scenario's S and T; by default they are the material ones.
    params.setdefault("lens_sucker", params["sucker"])
    params.setdefault("lens_temptation", params["temptation"])
    return params


def make_org(**overrides):
    org = {
        "kind": 0,
        "principal": 2,
        "budget": 120.0,
        "balance": 0.0,
        "cost_pressure": 0.0,
        "power": 0.0,
        "affiliation": 0.0,
        "achievement": 1.0,
        "altruism": 0.0,
        "capacity": 0.5,
        "pressure": 0.0,
        "gain_rate": 0.1,
        "loss_rate": 0.2,
        "active": 1.0,
        "committed": 1.0,
        "unwilling": 0.0,
        "engagement": 2.0,
        "political": 0.0,
        "belief": 0.5,
        "experience": 1.0,
        "year_balance": 0.0,
    }
    org.update(overrides)
    return org


def make_system(progress=0.0, **overrides):
    """System state (SYSTEM_FIELDS) with no open decision, no winter, no lead."""
    system = {
        "progress": progress,
        "winter": 0.0,
        "safety": 0.5,
        "signed_up": 0.0,
        "decision_open": 0.0,
        "decision_age": 0.0,
        "decision_loser": -1.0,
        "decisions_resolved": 0.0,
        "decisions_failed": 0.0,
        "lead": -1.0,
        "decision_loss": 0.0,
    }
    system.update(overrides)
    return system


def make_arc(**overrides):
    arc = {"trust": 0.5, "distance": 0.0, "memory": 0.0, "stake": 1.0}
    arc.update(overrides)
    return arc


# ---------------------------------------------------------------------------------------------
# 7.9 generator
# ---------------------------------------------------------------------------------------------


def test_mix_is_splitmix64_finaliser():
    # mix(0) is the first output of the standard SplitMix64 generator seeded with 0.
    assert reference_mix(0) == 0xE220A8397B1DCDAF
    assert 0 <= reference_mix((1 << 64) - 1) < (1 << 64)


def test_uniform_deterministic_in_open_interval_and_formula():
    values = set()
    for key in (0, 1, 12345, (1 << 63) - 1):
        for t in (1, 2, 100):
            for index in (0, 1, 7, 10_000):
                for stream in (0, 1):
                    u = reference_uniform(key, t, index, stream)
                    assert 0.0 < u < 1.0
                    assert reference_uniform(key, t, index, stream) == u
                    values.add(u)
    assert len(values) == 4 * 3 * 4 * 2  # no collisions: every argument matters

    # Explicit chain for key=5, t=3, index=2, stream=1.
    mask = (1 << 64) - 1
    z = 5 ^ ((1 * 0xD1B54A32D192ED03) & mask)
    h = reference_mix(reference_mix(reference_mix(z) ^ 3) ^ 2)
    assert reference_uniform(5, 3, 2, 1) == ((h >> 12) + 0.5) * 2.0**-52
    # stream 0: key is not scrambled by the stream constant
    h0 = reference_mix(reference_mix(reference_mix(5) ^ 3) ^ 2)
    assert reference_uniform(5, 3, 2, 0) == ((h0 >> 12) + 0.5) / 2**52


# ---------------------------------------------------------------------------------------------
# 7.1 lens
# ---------------------------------------------------------------------------------------------


def test_omega_anchors_and_merrick_classification():
    assert reference_omega(1.0, 0.0, 0.0) == pytest.approx(29 / 30)
    assert reference_omega(0.0, 1.0, 0.0) == pytest.approx(1 / 30)
    assert reference_omega(0.0, 0.0, 1.0) == 0.5
    assert reference_omega(2.0, 2.0, 2.0) == pytest.approx(0.5)
    # power 2, affiliation 1, achievement 1: (2*29/30 + 0.5 + 1/30)/4 = (58/30 + 16/30)/4 = 74/120
    assert reference_omega(2.0, 1.0, 1.0) == pytest.approx(74 / 120)

    # Ordinal PD T=4 > R=3 > P=2 > S=1: I(x) = (x-1)/3 -> I_R=2/3, I_T=1, I_S=0, I_P=1/3;
    # m_hi = 5/6, m_lo = 1/6.
    pd = make_params(reward=3.0, sucker=1.0, temptation=4.0, punishment=2.0)
    a, b = reference_lens(pd, 29 / 30)  # Omega = 3.9: always defect
    assert a < 0 and b < 0
    a, b = reference_lens(pd, 1 / 30)  # Omega = 1.1: always cooperate
    assert a > 0 and b > 0
    omega = 1.6 / 3  # Omega = 2.6: reciprocator, theta* = (omega - 1/6)/(5/6 - 1/6) = 0.55
    a, b = reference_lens(pd, omega)
    assert a > 0 and b < 0
    assert -b / (a - b) == pytest.approx(0.55)


# ---------------------------------------------------------------------------------------------
# A full step on two organisations, by hand
# ---------------------------------------------------------------------------------------------


def test_two_orgs_one_sided_collaboration():
    g = nx.Graph()
    g.add_nodes_from([0, 1])
    g.add_edge(0, 1)
    orgs = {
        # neutral profile omega = 0.5: a = -(0.25)^2 + 0.5^2 = 0.1875, b = -0.25 + 0.0625 = -0.1875
        0: make_org(kind=3, power=1.0, affiliation=1.0, achievement=1.0, altruism=0.5,
                    capacity=0.5, pressure=0.1, cost_pressure=0.1, gain_rate=0.1, loss_rate=0.2),
        # power profile omega = 29/30: a = -(13/60)^2 + (1/30)^2 < 0, b = -(29/30)^2 + (43/60)^2 < 0
        1: make_org(kind=0, power=1.0, affiliation=0.0, achievement=0.0, altruism=0.0,
                    capacity=0.8, pressure=0.0, cost_pressure=0.1, gain_rate=0.1, loss_rate=0.3),
    }
    arcs = {
        (0, 1): make_arc(trust=0.6, distance=0.4, memory=0.4, stake=1.0),
        (1, 0): make_arc(trust=0.4, distance=0.4, memory=0.2, stake=1.0),
    }
    params = make_params()
    orgs_before, arcs_before = copy.deepcopy(orgs), copy.deepcopy(arcs)
    new_orgs, new_arcs, new_system, out = reference_step(g, orgs, arcs, params, make_system(0.5), 42, 1)
    assert orgs == orgs_before and arcs == arcs_before  # inputs not mutated

    # Decisions. Both public (s = 0) with zero balance (sigma = 0): Delta = 0, Gamma = 0.
    # A_01 = 0.5*(0.6*0.1875 - 0.4*0.1875) + 0.5*(0.6*0.25 + 0.4*0.25) = 0.01875 + 0.125 > 0
    # A_10 = 0.4*a_1 + 0.6*b_1 < 0
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0

    # Payoffs, stake 1: pay_0 = S = -1, pay_1 = T = 3; cost B*cp/12 = 120*0.1/12 = 1
    assert new_orgs[0]["net"] == pytest.approx(-2.0, **APPROX)
    assert new_orgs[1]["net"] == pytest.approx(2.0, **APPROX)
    assert new_orgs[0]["balance"] == pytest.approx(-2.0, **APPROX)
    assert new_orgs[1]["balance"] == pytest.approx(2.0, **APPROX)

    # h_0 = 0.5*(1 - 0.5*0.1) = 0.475, h_1 = 0.8*(1 - 0) = 0.8
    assert new_orgs[0]["effective_capacity"] == pytest.approx(0.475, **APPROX)
    assert new_orgs[1]["effective_capacity"] == pytest.approx(0.8, **APPROX)

    # Trust 0->1: partner defected: l = min(1, 0.2*min(0.475, 0.8)*(1 + 0.5*0.4)) = 0.114;
    # 0.6 - 0.114*0.6 = 0.5316 (no contact: contact_rate 0)
    assert new_arcs[(0, 1)]["trust"] == pytest.approx(0.5316, **APPROX)
    # Trust 1->0: partner collaborated: g = 0.1*(1 - 0.5*0.4)*min(0.8, 0.475) = 0.038;
    # 0.4 + 0.038*0.6 = 0.4228
    assert new_arcs[(1, 0)]["trust"] == pytest.approx(0.4228, **APPROX)
    # Memory, mu = 0.5: 0.5*0.4 + 0.5*1 = 0.7 ; 0.5*0.2 + 0.5*0 = 0.1
    assert new_arcs[(0, 1)]["memory"] == pytest.approx(0.7, **APPROX)
    assert new_arcs[(1, 0)]["memory"] == pytest.approx(0.1, **APPROX)
    # other arc fields carried over
    assert new_arcs[(0, 1)]["stake"] == 1.0 and new_arcs[(0, 1)]["distance"] == 0.4

    # No regulator (rate 0): p' = 0.9*p
    assert new_orgs[0]["intervened"] == 0 and new_orgs[1]["intervened"] == 0
    assert new_orgs[0]["pressure"] == pytest.approx(0.09, **APPROX)
    assert new_orgs[1]["pressure"] == 0.0

    # Altruism: w = 0; sigma'_0 = clip(2/(0.1*120)) = 1/6 (sigma_0 at the start was 0);
    # max(p'=0.09, 1/6) = 1/6; alpha'_0 = 0.5 - 0.1*0.5/6 = 0.5 - 1/120 ; alpha'_1 = 0
    assert new_orgs[0]["altruism"] == pytest.approx(0.5 - 1 / 120, **APPROX)
    assert new_orgs[1]["altruism"] == 0.0

    # Progress: no mutual collaboration, inc = 0: 0.9*0.5 = 0.45
    assert new_system["progress"] == pytest.approx(0.45, **APPROX)
    assert out["integration_progress"] == new_system["progress"]

    assert out["collaboration_rate"] == pytest.approx(0.5, **APPROX)
    assert out["mutual_rate"] == 0.0
    assert out["mean_trust"] == pytest.approx((0.5316 + 0.4228) / 2, **APPROX)
    assert out["system_surplus"] == pytest.approx(0.0, **APPROX)
    assert out["system_balance"] == pytest.approx(0.0, **APPROX)
    assert out["n_deficit"] == 1
    assert out["interventions"] == 0
    assert out["mean_altruism"] == pytest.approx((0.5 - 1 / 120) / 2, **APPROX)
    assert out["mean_pressure"] == pytest.approx(0.045, **APPROX)
    assert out["mean_capacity"] == pytest.approx(0.6375, **APPROX)
    tbk = out["trust_by_kind"]
    assert len(tbk) == 6 and all(len(row) == 6 for row in tbk)
    assert tbk[3][0] == pytest.approx(0.5316, **APPROX)  # org 0 (kind 3) -> org 1 (kind 0)
    assert tbk[0][3] == pytest.approx(0.4228, **APPROX)
    nan_cells = [(a, b) for a in range(6) for b in range(6) if math.isnan(tbk[a][b])]
    assert len(nan_cells) == 34


def _regulated_pair(**param_overrides):
    """Two affiliation-lens organisations under misaligned regulators (hand-computed below)."""
    g = nx.Graph()
    g.add_edge(1, 0)
    orgs = {
        # omega = 1/30: a = (58/60)^2 - (43/60)^2 = 1515/3600, b = (13/60)^2 - (2/60)^2 = 165/3600
        0: make_org(kind=0, principal=0, power=0.0, affiliation=1.0, achievement=0.0,
                    budget=120.0, balance=-1.0, cost_pressure=0.3, altruism=0.1,
                    capacity=0.6, pressure=0.5, gain_rate=0.25),
        1: make_org(kind=2, principal=1, power=0.0, affiliation=1.0, achievement=0.0,
                    budget=240.0, balance=10.0, cost_pressure=0.0, altruism=0.4,
                    capacity=0.5, pressure=0.0, gain_rate=0.5),
    }
    arcs = {
        (0, 1): make_arc(trust=0.5, distance=0.2, memory=0.5, stake=0.5),
        (1, 0): make_arc(trust=0.5, distance=0.2, memory=0.5, stake=0.5),
    }
    params = make_params(
        strength=(0.1, 0.1, 0.0), focus=(0.2, 0.6, 0.0), rate=(1.0, 1.0, 0.0), conflict=0.5,
        intervention_threshold=0.02, intervention_push=1.0, capacity_cost=0.4,
        memory_retention=0.8, stress_weight=0.3, stress_scale=0.1, pressure_decay=0.9,
        altruism_growth=0.2, altruism_erosion=0.1, progress_decay=0.1,
    )
    params.update(param_overrides)
    return g, orgs, arcs, params


def test_regulated_pair_mutual_collaboration_and_intervention():
    g, orgs, arcs, params = _regulated_pair()
    key, t = 7, 3
    # pi_0 = 1 below; the intervention happens iff U < 1
    assert reference_uniform(key, t, 0, 1) < 1.0
    new_orgs, new_arcs, new_system, out = reference_step(g, orgs, arcs, params, make_system(0.2), key, t)

    # Lens at q = 0.5: 0.5*(1515 + 165)/3600 = 0.2333...; system lens 0.25.
    # Org 0: sigma = 1/(0.1*120) = 1/12; Delta = 0.1*(0.2 - 0.8*(1 + 0.5)) - 0.3/12 = -0.125;
    #   Gamma = -0.5*0.1*0.8 = -0.04; A = 0.9*0.2333 + 0.1*0.25 - 0.125 - 0.04 = 0.07 > 0
    # Org 1: Delta = 0.1*(0.6 - 0.4) = 0.02, Gamma = -0.5*0.1*0.4 = -0.02;
    #   A = 0.6*0.2333 + 0.4*0.25 = 0.24 > 0
    assert new_arcs[(0, 1)]["action"] == 1 and new_arcs[(1, 0)]["action"] == 1

    # Payoffs: 0.5*R = 1 each. net_0 = 1 - 120*0.3/12 = -2, net_1 = 1 - 0 = 1
    assert new_orgs[0]["net"] == pytest.approx(-2.0, **APPROX)
    assert new_orgs[1]["net"] == pytest.approx(1.0, **APPROX)
    assert new_orgs[0]["balance"] == pytest.approx(-3.0, **APPROX)
    assert new_orgs[1]["balance"] == pytest.approx(11.0, **APPROX)

    # h_0 = 0.6*(1 - 0.4*0.5) = 0.48, h_1 = 0.5; min = 0.48
    # g_01 = 0.25*(1 - 0.5*0.2)*0.48 = 0.108 -> 0.5 + 0.108*0.5 = 0.554
    # g_10 = 0.5*0.9*0.48 = 0.216 -> 0.5 + 0.216*0.5 = 0.608
    assert new_arcs[(0, 1)]["trust"] == pytest.approx(0.554, **APPROX)
    assert new_arcs[(1, 0)]["trust"] == pytest.approx(0.608, **APPROX)
    # memory: 0.8*0.5 + 0.2*0 = 0.4
    assert new_arcs[(0, 1)]["memory"] == pytest.approx(0.4, **APPROX)
    assert new_arcs[(1, 0)]["memory"] == pytest.approx(0.4, **APPROX)

    # Intervention on 0: pi = 1*min(1, (3/120)/0.02) = 1 -> intervened, p' = 1.
    # Org 1 in surplus: not eligible, p' = 0.9*0 = 0.
    assert new_orgs[0]["intervened"] == 1 and new_orgs[1]["intervened"] == 0
    assert new_orgs[0]["pressure"] == 1.0
    assert new_orgs[1]["pressure"] == 0.0

    # Altruism, w = 1 for both:
    # alpha'_0 = 0.1 + 0.2*0.9*1 - 0.1*0.1*max(1, 0.25) = 0.27
    # alpha'_1 = 0.4 + 0.2*0.6*1 - 0.1*0.4*max(0, 0) = 0.52
    assert new_orgs[0]["altruism"] == pytest.approx(0.27, **APPROX)
    assert new_orgs[1]["altruism"] == pytest.approx(0.52, **APPROX)

    # Progress: inc = (1/2)*(0.554 + 0.608) = 0.581; 0.9*0.2 + 0.581 = 0.761
    assert new_system["progress"] == pytest.approx(0.761, **APPROX)
    assert out["collaboration_rate"] == 1.0 and out["mutual_rate"] == 1.0
    assert out["mean_trust"] == pytest.approx(0.581, **APPROX)
    assert out["system_surplus"] == pytest.approx(-1.0, **APPROX)
    assert out["system_balance"] == pytest.approx(8.0, **APPROX)
    assert out["n_deficit"] == 1
    assert out["interventions"] == 1
    assert out["mean_altruism"] == pytest.approx(0.395, **APPROX)
    assert out["mean_pressure"] == pytest.approx(0.5, **APPROX)
    assert out["mean_capacity"] == pytest.approx(0.49, **APPROX)
    assert out["trust_by_kind"][0][2] == pytest.approx(0.554, **APPROX)
    assert out["trust_by_kind"][2][0] == pytest.approx(0.608, **APPROX)
    assert math.isnan(out["trust_by_kind"][0][0])


def test_system_assessment_blocks_intervention_when_system_in_surplus():
    g, orgs, arcs, params = _regulated_pair(system_assessment=True)
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, make_system(0.2), 7, 3)
    # system balance after finance = 8 > 0: nobody eligible; p'_0 = 0.9*0.5
    assert out["interventions"] == 0
    assert new_orgs[0]["pressure"] == pytest.approx(0.45, **APPROX)
    # alpha'_0 = 0.1 + 0.18 - 0.01*max(0.45, 0.25) = 0.2755
    assert new_orgs[0]["altruism"] == pytest.approx(0.2755, **APPROX)


def test_zero_rate_means_not_eligible_and_partial_probability():
    g, orgs, arcs, params = _regulated_pair(rate=(0.0, 1.0, 0.0))
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, make_system(0.2), 7, 3)
    assert out["interventions"] == 0 and new_orgs[0]["pressure"] == pytest.approx(0.45, **APPROX)

    # rho = 0.5, delta_I = 0.1: pi_0 = 0.5*min(1, 0.025/0.1) = 0.125, drawn on stream 1, index 0
    hits = 0
    for t in range(1, 41):
        g, orgs, arcs, params = _regulated_pair(rate=(0.5, 0.5, 0.0), intervention_threshold=0.1)
        new_orgs, _, _, _ = reference_step(g, orgs, arcs, params, make_system(0.2), 99, t)
        expected = 1 if reference_uniform(99, t, 0, 1) < 0.125 else 0
        assert new_orgs[0]["intervened"] == expected
        assert new_orgs[0]["pressure"] == (1.0 if expected else pytest.approx(0.45, **APPROX))
        hits += expected
    assert 0 < hits < 40


def _neutral_pair(principal_0, principal_1):
    # achievement-only profiles: omega = 0.5 exactly, a = 0.1875, b = -0.1875 exactly, so at
    # q = 0.5 and alpha = 0 the lens term is exactly 0.
    g = nx.Graph()
    g.add_edge(0, 1)
    orgs = {0: make_org(principal=principal_0), 1: make_org(principal=principal_1)}
    arcs = {(0, 1): make_arc(), (1, 0): make_arc()}
    return g, orgs, arcs


def test_conflict_term_only_between_different_regulators():
    # s = 0.1 both; phi_0 = 0.9, phi_1 = 0.5; p = 0, sigma = 0.
    # Delta_0 = 0.1*(0.9 - 0.1) = 0.08 ; Delta_1 = 0.1*(0.5 - 0.5) = 0 (tie -> act for itself)
    base = dict(strength=(0.1, 0.1, 0.0), focus=(0.9, 0.5, 0.0), conflict=10.0)
    params = make_params(**base)

    # provider (0) vs commissioner (1): Gamma_01 = -10*0.1*(1 - 0.9) = -0.1 -> A_01 = -0.02
    g, orgs, arcs = _neutral_pair(0, 1)
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 0
    assert new_arcs[(1, 0)]["action"] == 0

    # same without conflict: A_01 = 0.08 > 0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(**{**base, "conflict": 0.0}), make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0  # A_10 = 0 exactly: tie means act for itself

    # provider vs public: no conflict even with chi = 10; public push = -w*sigma = 0
    g, orgs, arcs = _neutral_pair(0, 2)
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0

    # Gamma uses the arc owner's regulator: chi = 1, alpha_1 = 0.1 (lens 0.1*0.25 = 0.025)
    # A_01 = 0.08 - 1*0.1*(1 - 0.9) = 0.07 > 0 ; A_10 = 0.025 + 0 - 1*0.1*(1 - 0.5) = -0.025 < 0
    g, orgs, arcs = _neutral_pair(0, 1)
    orgs[1]["altruism"] = 0.1
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(**{**base, "conflict": 1.0}), make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0

    # both provider: same regulator, no conflict
    g, orgs, arcs = _neutral_pair(0, 0)
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 1


def test_noise_uses_csr_arc_numbering():
    # Edges inserted out of order; CSR numbering is sorted (source, target):
    # (0,2) -> 0, (1,2) -> 1, (2,0) -> 2, (2,1) -> 3
    g = nx.Graph()
    g.add_nodes_from([2, 1, 0])
    g.add_edge(2, 0)
    g.add_edge(1, 2)
    assert reference_arc_index(g) == {(0, 2): 0, (1, 2): 1, (2, 0): 2, (2, 1): 3}
    orgs = {i: make_org() for i in range(3)}  # A_k = 0 exactly on every arc
    arcs = {a: make_arc() for a in [(0, 2), (2, 0), (1, 2), (2, 1)]}

    # tau = 0: every arc is a tie -> act for itself
    _, new_arcs, _, out = reference_step(g, orgs, arcs, make_params(noise=0.0), make_system(0.0), 3, 1)
    assert all(new_arcs[a]["action"] == 0 for a in arcs)
    assert out["collaboration_rate"] == 0.0

    # tau > 0 and A = 0: c_k = [ln u - ln(1-u) > 0] = [u > 1/2], u = U(key, t, k, 0)
    numbering = {(0, 2): 0, (1, 2): 1, (2, 0): 2, (2, 1): 3}
    patterns = set()
    mutual_patterns = set()
    for key in (3, 11, 2**62 + 5):
        for t in (1, 2, 3, 4, 5):
            new_orgs, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(noise=0.7), make_system(0.0), key, t)
            got = tuple(new_arcs[a]["action"] for a in sorted(numbering))
            want = tuple(1 if reference_uniform(key, t, numbering[a], 0) > 0.5 else 0
                         for a in sorted(numbering))
            assert got == want
            patterns.add(got)
            # alpha = 0, p' = 0, sigma' = 0: alpha'_i = eta+ * w_i = 0.2 * (#mutual partners)/deg(i)
            c = dict(zip(sorted(numbering), got))
            mutual_02 = c[(0, 2)] * c[(2, 0)]
            mutual_12 = c[(1, 2)] * c[(2, 1)]
            assert new_orgs[0]["altruism"] == pytest.approx(0.2 * mutual_02, **APPROX)
            assert new_orgs[1]["altruism"] == pytest.approx(0.2 * mutual_12, **APPROX)
            assert new_orgs[2]["altruism"] == pytest.approx(0.2 * (mutual_02 + mutual_12) / 2, **APPROX)
            mutual_patterns.add((mutual_02, mutual_12))
    assert len(patterns) > 3  # the noise really varies the decisions
    assert (1, 0) in mutual_patterns or (0, 1) in mutual_patterns  # node 2 with w = 1/2 occurs


def test_empty_graph():
    g = nx.Graph()
    new_orgs, new_arcs, new_system, out = reference_step(g, {}, {}, make_params(), make_system(0.4), 1, 1)
    assert new_orgs == {} and new_arcs == {}
    assert new_system["progress"] == pytest.approx(0.36, **APPROX)  # 0.9*0.4 + 0
    for name in ("collaboration_rate", "mutual_rate", "mean_trust", "mean_altruism",
                 "mean_pressure", "mean_capacity"):
        assert math.isnan(out[name]), name
    assert out["n_deficit"] == 0 and out["interventions"] == 0
    assert out["system_surplus"] == 0.0 and out["system_balance"] == 0.0
    assert all(math.isnan(x) for row in out["trust_by_kind"] for x in row)


def test_single_isolated_organisation():
    g = nx.Graph()
    g.add_node(0)
    orgs = {0: make_org(principal=0, budget=60.0, balance=0.0, cost_pressure=0.2,
                        altruism=0.5, capacity=0.4, pressure=0.5)}
    params = make_params(rate=(0.5, 0.0, 0.0), intervention_threshold=0.01, capacity_cost=0.5)
    key, t = 1, 6
    assert reference_uniform(key, t, 0, 1) < 0.5  # this key intervenes (starting balance is 0)
    new_orgs, new_arcs, new_system, out = reference_step(g, orgs, arcs := {}, params, make_system(1.0), key, t)
    assert arcs == {} and new_arcs == {}
    # net = 0 - 60*0.2/12 = -1 ; balance' = -1
    assert new_orgs[0]["net"] == pytest.approx(-1.0, **APPROX)
    assert new_orgs[0]["balance"] == pytest.approx(-1.0, **APPROX)
    # pi = 0.5*min(1, (1/60)/0.01) = 0.5
    expected = 1
    assert new_orgs[0]["intervened"] == expected
    p_new = 1.0 if expected else 0.45
    assert new_orgs[0]["pressure"] == pytest.approx(p_new, **APPROX)
    # h = 0.4*(1 - 0.5*0.5) = 0.3
    assert new_orgs[0]["effective_capacity"] == pytest.approx(0.3, **APPROX)
    # deg 0 -> w = 0; sigma' = clip(1/(0.1*60)) = 1/6; alpha' = 0.5 - 0.1*0.5*max(p', 1/6)
    assert new_orgs[0]["altruism"] == pytest.approx(0.5 - 0.05 * max(p_new, 1 / 6), **APPROX)
    assert new_system["progress"] == pytest.approx(0.9, **APPROX)
    for name in ("collaboration_rate", "mutual_rate", "mean_trust"):
        assert math.isnan(out[name])
    assert out["mean_capacity"] == pytest.approx(0.3, **APPROX)
    assert out["mean_pressure"] == pytest.approx(p_new, **APPROX)
    assert out["n_deficit"] == 1 and out["interventions"] == expected
    assert out["system_surplus"] == pytest.approx(-1.0, **APPROX)
    assert out["system_balance"] == pytest.approx(-1.0, **APPROX)


def test_push_under_intervention_and_financial_stress():
    # Neutral pair (lens term exactly 0); org 0 answers to a system-leaning provider regulator
    # s = 0.1, phi = 0.9; the partner is public. Push Delta_0 = 0.1*(0.9 - 0.1*(1 + kappa_I*p_0)) - w*sigma_0.
    params = make_params(strength=(0.1, 0.1, 0.0), focus=(0.9, 0.5, 0.0), intervention_push=10.0,
                         stress_weight=0.3, stress_scale=0.1)
    g, orgs, arcs = _neutral_pair(0, 2)
    # p_0 = 0, sigma_0 = 0: Delta_0 = 0.08 > 0 -> collaborate
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    # p_0 = 1: Delta_0 = 0.1*(0.9 - 0.1*11) = -0.02 < 0 -> act for itself
    orgs[0]["pressure"] = 1.0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 0
    # p_0 = 0, balance -6 of 120: sigma_0 = 6/(0.1*120) = 0.5; Delta_0 = 0.08 - 0.15 < 0
    orgs[0]["pressure"] = 0.0
    orgs[0]["balance"] = -6.0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 0
    # public org 1 in deficit: Delta_1 = -w*sigma_1 < 0 even though A would otherwise be 0
    orgs[0]["balance"] = 0.0
    orgs[1]["balance"] = -6.0
    orgs[1]["altruism"] = 0.5  # A_10 = 0.5*0.25 - 0.3*0.5 = -0.025 < 0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(1, 0)]["action"] == 0
    orgs[1]["balance"] = -2.0  # sigma_1 = 1/6: A_10 = 0.125 - 0.05 > 0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, make_system(0.0), 1, 1)
    assert new_arcs[(1, 0)]["action"] == 1


# ---------------------------------------------------------------------------------------------
# 7.10-7.16, by hand
# ---------------------------------------------------------------------------------------------
#
# Helper setting: achievement-only profiles (omega = 0.5, a = 0.1875, b = -0.1875 under the
# donation game), principal public (no push), zero balance (no stress). With altruism 0.5 the
# perceived advantage is 0.5*0.1875*(2q - 1) + 0.125 > 0 for every trust q: everyone at the
# table collaborates on every live arc. Gain and loss rates 0 keep trust fixed through phase 4.

STEADY = dict(altruism=0.5, gain_rate=0.0, loss_rate=0.0)


def _system(n, edges, trust=0.5, **org_overrides):
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    orgs = {i: make_org(**{**STEADY, **org_overrides}) for i in range(n)}
    arcs = {}
    for i, j in g.edges:
        arcs[(i, j)] = make_arc(trust=trust, stake=0.0)
        arcs[(j, i)] = make_arc(trust=trust, stake=0.0)
    return g, orgs, arcs


def test_new_outputs_on_the_empty_graph():
    _, _, new_system, out = reference_step(nx.Graph(), {}, {}, make_params(decision_rate=1.0), make_system(), 1, 12)
    for name in ("shared_narrative", "committed_share", "la_engagement", "decision_latency"):
        assert math.isnan(out[name]), name
    assert out["leadership_capacity"] == 0.0  # H = 0 without active organisations (7.11)
    assert out["active_organisations"] == 0
    assert new_system["decision_open"] == 0.0  # no decision opens when n_A = 0 (7.13)
    assert out["transfers"] == 0.0 and out["sustainability_funding"] == 0.0


def test_inputs_are_not_mutated_and_state_is_carried():
    g, orgs, arcs = _system(3, [(0, 1), (1, 2)])
    params = make_params(turnover_rate=1.0, decision_rate=1.0, conditional=True, la_dynamic=True, finance_regime=1)
    system = make_system(0.3, winter=0.5, lead=1.0)
    before = copy.deepcopy((orgs, arcs, system))
    new_orgs, new_arcs, new_system, _ = reference_step(g, orgs, arcs, params, system, 9, 12)
    assert (orgs, arcs, system) == before
    assert set(new_system) == set(system)
    assert new_system["lead"] == 1.0  # fixed at set-up
    assert new_system["safety"] == 0.5  # changes only through events
    assert new_system["winter"] == pytest.approx(0.4, **APPROX)  # W' = 0.8*0.5


def test_gate_inactive_and_not_at_the_table():
    # 0 active and at the table; 1 inactive; 2 withdrawn (committed 0); 3 an absent local authority.
    g, orgs, arcs = _system(4, [(0, 1), (0, 2), (0, 3)], trust=0.5, gain_rate=0.3, loss_rate=0.4)
    orgs[1].update(active=0.0, balance=-3.0, pressure=0.5, altruism=0.7, cost_pressure=0.2)
    orgs[2].update(committed=0.0)
    orgs[3].update(kind=4, engagement=0.0)
    for arc in arcs.values():
        arc["stake"] = 1.0
    params = make_params(noise=0.5, rate=(1.0, 1.0, 0.0))
    new_orgs, new_arcs, _, out = reference_step(g, orgs, arcs, params, make_system(), 4, 5)
    # Arcs to/from the inactive organisation are not live: c = 0, trust and memory unchanged.
    for arc in ((0, 1), (1, 0)):
        assert new_arcs[arc]["action"] == 0
        assert new_arcs[arc]["trust"] == 0.5 and new_arcs[arc]["memory"] == 0.0
    # The inactive organisation's balance, pressure and altruism do not change; net is 0.
    assert new_orgs[1]["balance"] == -3.0 and new_orgs[1]["pressure"] == 0.5 and new_orgs[1]["altruism"] == 0.7
    assert new_orgs[1]["net"] == 0.0 and new_orgs[1]["intervened"] == 0
    # Organisations not at the table act for themselves on their (live) arcs; their trust moves.
    assert new_arcs[(2, 0)]["action"] == 0 and new_arcs[(3, 0)]["action"] == 0
    # Sums over live arcs (0-2, 0-3: m_L = 4) and active organisations (n_A = 3).
    assert out["active_organisations"] == 3
    c = [new_arcs[a]["action"] for a in ((0, 2), (2, 0), (0, 3), (3, 0))]
    assert out["collaboration_rate"] == pytest.approx(sum(c) / 4, **APPROX)
    assert out["mean_altruism"] == pytest.approx(sum(new_orgs[i]["altruism"] for i in (0, 2, 3)) / 3, **APPROX)
    # Live arcs of 0 pay: (0,2) and (0,3) only; cost 0; P = 0, so pay_0 = stake*M over live arcs.
    assert new_orgs[0]["net"] == pytest.approx(sum(
        {(1, 1): 2.0, (1, 0): -1.0, (0, 1): 3.0, (0, 0): 0.0}[(new_arcs[(0, j)]["action"], new_arcs[(j, 0)]["action"])]
        for j in (2, 3)), **APPROX)
    # engagement weight and LA output: one active LA with engagement 0
    assert out["la_engagement"] == 0.0
    assert out["committed_share"] == pytest.approx(2 / 3, **APPROX)


def test_deffuant_mixing_only_within_the_confidence_bound_and_between_mutual_collaborators():
    # Complete graph on 3, everyone collaborates; beliefs 0.25, 0.375, 0.75 (exact in binary);
    # beta = 0 (no building), decay 0, mu = 0.5, |L(i)| = 2: mix_i = 0.25 * sum of close differences.
    g, orgs, arcs = _system(3, [(0, 1), (0, 2), (1, 2)])
    for i, x in enumerate((0.25, 0.375, 0.75)):
        orgs[i]["belief"] = x

    # eps = 0.2: only the pair (0, 1) is close (0.125); (1, 2) is 0.375 apart, (0, 2) 0.5.
    new_orgs, new_arcs, _, out = reference_step(g, orgs, arcs, make_params(convergence=0.5, confidence_bound=0.2), make_system(), 1, 1)
    assert all(a["action"] == 1 for a in new_arcs.values())
    assert new_orgs[0]["belief"] == pytest.approx(0.25 + 0.25 * 0.125, **APPROX)
    assert new_orgs[1]["belief"] == pytest.approx(0.375 - 0.25 * 0.125, **APPROX)
    assert new_orgs[2]["belief"] == 0.75
    assert out["shared_narrative"] == pytest.approx((0.28125 + 0.34375 + 0.75) / 3, **APPROX)

    # eps = 0.5: (1, 2) mixes too; (0, 2) is exactly 0.5 apart and the bound is strict.
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, make_params(convergence=0.5, confidence_bound=0.5), make_system(), 1, 1)
    assert new_orgs[0]["belief"] == pytest.approx(0.28125, **APPROX)
    assert new_orgs[1]["belief"] == pytest.approx(0.375 + 0.25 * (-0.125 + 0.375), **APPROX)
    assert new_orgs[2]["belief"] == pytest.approx(0.75 + 0.25 * (-0.375), **APPROX)

    # Organisation 2 not at the table: it collaborates with nobody, so nobody mixes with it, but
    # |L(i)| still counts its arc (mix divides by the number of live arcs).
    orgs[2]["committed"] = 0.0
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, make_params(convergence=0.5, confidence_bound=0.5), make_system(), 1, 1)
    assert new_orgs[1]["belief"] == pytest.approx(0.375 - 0.25 * 0.125, **APPROX)
    assert new_orgs[2]["belief"] == 0.75


def test_belief_building_leadership_capacity_and_the_lead():
    # Isolated organisations, h_i = capacity (p = 0, W = 0, e = 1): 0.2, 0.4, 0.9. chi_L = 0.25.
    g, orgs, _ = _system(3, [])
    for i, cap in enumerate((0.2, 0.4, 0.9)):
        orgs[i]["capacity"] = cap
    orgs[1].update(kind=4, engagement=1.0)  # a partner builds at half weight
    params = make_params(concentration=0.25, build_rate=0.5)

    # lead 2: H = 0.25*0.9 + 0.75*(1.5/3) = 0.6
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(lead=2.0), 1, 1)
    assert out["leadership_capacity"] == pytest.approx(0.6, **APPROX)
    assert out["mean_capacity"] == pytest.approx(0.5, **APPROX)
    # The table is inclusive to I = (1 + 0.5 + 1)/3 = 5/6 (organisation 1 is only a partner, 7.12).
    # build_0 = 0.5*(0.75*0.2 + 0.25*0.9)*(5/6)*1*1*(1 - 0.5) = 0.078125
    assert new_orgs[0]["belief"] == pytest.approx(0.578125, **APPROX)
    # build_1 = 0.5*(0.75*0.4 + 0.225)*(5/6)*0.5*1*0.5 = 0.0546875
    assert new_orgs[1]["belief"] == pytest.approx(0.5546875, **APPROX)

    # no lead: h_lead is read as the mean of h over active organisations (7.11): H = 0.5
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(lead=-1.0), 1, 1)
    assert out["leadership_capacity"] == pytest.approx(0.5, **APPROX)
    # build_0 = 0.5*(0.75*0.2 + 0.25*0.5)*(5/6)*0.5 = 0.0572916...
    assert new_orgs[0]["belief"] == pytest.approx(0.5 + 0.06875 * 5 / 6, **APPROX)
    # an inactive lead: the same fallback, the mean over the active ones (0.2, 0.4): H = 0.3
    orgs[2]["active"] = 0.0
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(lead=2.0), 1, 1)
    assert out["leadership_capacity"] == pytest.approx(0.3, **APPROX)
    assert out["mean_capacity"] == pytest.approx(0.3, **APPROX)
    # build_0 = 0.5*(0.75*0.2 + 0.25*0.3)*I*0.5 with I = (1 + 0.5)/2 over the active ones = 0.0421875
    assert new_orgs[0]["belief"] == pytest.approx(0.5421875, **APPROX)
    assert new_orgs[2]["belief"] == 0.5  # inactive beliefs do not change
    assert new_orgs[2]["effective_capacity"] == pytest.approx(0.9, **APPROX)  # recorded anyway [R3]
    # a withdrawn organisation builds nothing
    orgs[0]["committed"] = 0.0
    new_orgs, _, _, _ = reference_step(g, orgs, {}, params, make_system(lead=2.0), 1, 1)
    assert new_orgs[0]["belief"] == 0.5


def test_leader_turnover_with_rate_one():
    # 0 and 1 active and related; 2 inactive, related to 0. lambda_T = 0.2, x_0 = 0.3, nu = 0.4,
    # settling 0.25, kappa = 0.5.
    g, orgs, arcs = _system(3, [(0, 1), (0, 2)], trust=0.5)
    orgs[2].update(active=0.0, experience=0.7, belief=0.9)
    params = make_params(turnover_rate=1.0, turnover_trust_loss=0.2, narrative_initial=0.3,
                         newcomer_penalty=0.4, settling_rate=0.25)
    new_orgs, new_arcs, _, out = reference_step(g, orgs, arcs, params, make_system(), 8, 2)
    # both ends lost their leader: 0.5*0.8*0.8; trust rates 0 keep it there
    assert new_arcs[(0, 1)]["trust"] == pytest.approx(0.32, **APPROX)
    assert new_arcs[(1, 0)]["trust"] == pytest.approx(0.32, **APPROX)
    # every arc out of and into 0, also the non-live ones to the inactive 2 [R2]
    assert new_arcs[(0, 2)]["trust"] == pytest.approx(0.4, **APPROX)
    assert new_arcs[(2, 0)]["trust"] == pytest.approx(0.4, **APPROX)
    # h = 0.5*(1 - 0.4*(1 - 0)) = 0.3; e' = 0 + 0.25*(1 - 0) = 0.25; x' = x_0 (no building/mixing)
    for i in (0, 1):
        assert new_orgs[i]["effective_capacity"] == pytest.approx(0.3, **APPROX)
        assert new_orgs[i]["experience"] == pytest.approx(0.25, **APPROX)
        assert new_orgs[i]["belief"] == pytest.approx(0.3, **APPROX)
    assert new_orgs[2]["experience"] == 0.7 and new_orgs[2]["belief"] == 0.9
    assert out["mean_trust"] == pytest.approx(0.32, **APPROX)  # live arcs only


def test_winter_pressure_acts_on_capacity_and_costs_then_decays():
    g, orgs, _ = _system(1, [], capacity=0.5, budget=100.0)
    params = make_params(winter_capacity_loss=0.4, winter_cost=0.12, winter_decay=0.8)
    new_orgs, _, new_system, out = reference_step(g, orgs, {}, params, make_system(winter=0.5), 1, 1)
    assert new_orgs[0]["effective_capacity"] == pytest.approx(0.5 * 0.8, **APPROX)
    assert new_orgs[0]["net"] == pytest.approx(-0.12 * 0.5 * 100 / 12, **APPROX)
    assert out["winter_pressure"] == 0.5  # W used in this step
    assert new_system["winter"] == pytest.approx(0.4, **APPROX)


@pytest.mark.parametrize("t, expected_net", [(1, -1.0), (2, -1.0), (3, 0.5), (4, 1.5), (5, 1.5), (6, 0.0)])
def test_invest_to_save_window(t, expected_net):
    # f_I*B/12 = 0.1*120/12 = 1 invested in steps 1..3; return 1.5*1 in steps 1+2 .. 3+2.
    g, orgs, _ = _system(1, [])
    params = make_params(invest_share=0.1, invest_return=1.5, invest_months=3, invest_lag=2)
    new_orgs, _, _, _ = reference_step(g, orgs, {}, params, make_system(), 1, t)
    assert new_orgs[0]["net"] == pytest.approx(expected_net, **APPROX)


def test_pooled_net_results():
    # Isolated organisations: net_i = -B_i*cp_i/12 = -1, 0, +1.5 (sum 0.5, budgets 720 active).
    g, orgs, _ = _system(4, [])
    for i, (budget, cp) in enumerate(((120.0, 0.1), (240.0, 0.0), (360.0, -0.05), (1000.0, 0.3))):
        orgs[i].update(budget=budget, cost_pressure=cp)
    orgs[3]["active"] = 0.0
    new_orgs, _, _, out = reference_step(g, orgs, {}, make_params(finance_regime=2), make_system(), 1, 1)
    for i, expected in enumerate((120 * 0.5 / 720, 240 * 0.5 / 720, 360 * 0.5 / 720, 0.0)):
        assert new_orgs[i]["net"] == pytest.approx(expected, **APPROX)
        assert new_orgs[i]["balance"] == pytest.approx(expected, **APPROX)
    assert out["system_surplus"] == pytest.approx(0.5, **APPROX)


def test_pooled_payoffs_replace_the_off_diagonal():
    # S~ = T~ = (S + T)/2 = 1 in the material payoff: one-sided collaboration pays both 1*stake.
    g = nx.Graph()
    g.add_edge(0, 1)
    # 1 is not at the table, so it acts for itself (under pooled payoffs even a pure power profile
    # would collaborate: I_R = 1 is the top of the normalised scale)
    orgs = {0: make_org(altruism=1.0), 1: make_org(committed=0.0)}
    arcs = {(0, 1): make_arc(stake=2.0), (1, 0): make_arc(stake=2.0)}
    new_orgs, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(finance_regime=2), make_system(), 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1 and new_arcs[(1, 0)]["action"] == 0
    assert new_orgs[0]["net"] == pytest.approx(2.0, **APPROX)  # pooled: 120*(2 + 2)/240
    # Idempotent when Params already carries the replaced values [R12].
    replaced = make_params(finance_regime=2, sucker=1.0, temptation=1.0, lens_sucker=-1.0, lens_temptation=3.0)
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, replaced, make_system(), 1, 1)
    assert new_orgs[0]["net"] == pytest.approx(2.0, **APPROX)
    # The lens keeps S and T under a pooled budget [R14]: the same lens as under separate budgets.
    assert reference_lens(replaced, 0.3) == reference_lens(make_params(), 0.3)
    assert reference_lens(make_params(finance_regime=2), 0.3) == reference_lens(make_params(), 0.3)


def _year_end(balances, year_balances, **param_overrides):
    """Isolated organisations (net 0) at a year end, budget 100, f_S = 0.01 (F = 1)."""
    g, orgs, _ = _system(len(balances), [], budget=100.0)
    for i, (bal, ybal) in enumerate(zip(balances, year_balances)):
        orgs[i].update(balance=bal, year_balance=ybal)
    params = make_params(sustainability_share=0.01, **param_overrides)
    return g, orgs, params


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
def test_sustainability_funding_control_total_signed(p):
    # y = +1, -2, +0.5: the system misses its total (sum -0.5): sys = 0.
    g, orgs, params = _year_end((1.0, -2.0, 3.5), (0.0, 0.0, 3.0), finance_regime=1, linked_share=p)
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(signed_up=1.0), 1, 12)
    paid = [1 - p, 0.0, 1 - p]  # F*((1 - p)*own + p*sys)
    for i in range(3):
        assert new_orgs[i]["balance"] - orgs[i]["balance"] == pytest.approx(paid[i], **APPROX)
        assert new_orgs[i]["year_balance"] == new_orgs[i]["balance"]  # ybal <- bal after funding
    assert out["sustainability_funding"] == pytest.approx(sum(paid), **APPROX)
    # y = +1, -1, +0.5: the system meets its total: sys = 1.
    g, orgs, params = _year_end((1.0, -1.0, 3.5), (0.0, 0.0, 3.0), finance_regime=1, linked_share=p)
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(signed_up=1.0), 1, 12)
    paid = [1.0, p, 1.0]
    for i in range(3):
        assert new_orgs[i]["balance"] - orgs[i]["balance"] == pytest.approx(paid[i], **APPROX)


@pytest.mark.parametrize("regime, signed, expected", [
    (0, 0.0, (1.0, 0.0, 1.0)),  # separate: own
    (0, 1.0, (1.0, 0.0, 1.0)),  # signed_up has no effect outside control_total [R14]
    (1, 0.0, (1.0, 0.0, 1.0)),  # control total not signed: own
    (2, 0.0, (0.0, 0.0, 0.0)),  # pooled: sys (= 0 here)
])
def test_sustainability_funding_by_regime(regime, signed, expected):
    g, orgs, params = _year_end((1.0, -2.0, 3.5), (0.0, 0.0, 3.0), finance_regime=regime)
    new_orgs, _, new_system, out = reference_step(g, orgs, {}, params, make_system(signed_up=signed), 1, 24)
    for i in range(3):
        assert new_orgs[i]["balance"] - orgs[i]["balance"] == pytest.approx(expected[i], **APPROX)
    assert new_system["signed_up"] == signed
    # not a year end: nothing paid, the financial year goes on
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(signed_up=signed), 1, 23)
    assert out["sustainability_funding"] == 0.0
    assert all(new_orgs[i]["year_balance"] == orgs[i]["year_balance"] for i in range(3))


def _transfer_system():
    # Edges 0-1, 0-2, 0-3, 3-4; net 0 everywhere (stake 0, cp 0); trust fixed by rates 0.
    # Year results y = bal - ybal: 0: +10, 1: -1, 2: -3, 3: +1, 4: -5.
    g, orgs, arcs = _system(5, [(0, 1), (0, 2), (0, 3), (3, 4)], trust=0.5)
    for i, bal in enumerate((10.0, -1.0, -3.0, 1.0, -5.0)):
        orgs[i]["balance"] = bal
    arcs[(0, 1)]["trust"] = 0.5
    arcs[(0, 2)]["trust"] = 0.25
    arcs[(0, 3)]["trust"] = 0.8
    return g, orgs, arcs


def test_transfer_split_proportional_to_trust_times_deficit():
    g, orgs, arcs = _transfer_system()
    params = make_params(finance_regime=1, transfers=True, transfer_share=0.4, transfer_trust_gain=0.2)
    new_orgs, new_arcs, _, out = reference_step(g, orgs, arcs, params, make_system(signed_up=1.0), 1, 12)
    # Offer G_0 = 0.4*0.5*10 = 2 to 1 and 2, in deficit by 1 and 3 (D_0 = 4), each share scaled by
    # 0's trust in it (0.5 and 0.25): 2*0.5*1/4 = 0.25 and 2*0.25*3/4 = 0.375. 3 (not in deficit)
    # gets nothing. G_3 = 0.4*0.5*1 = 0.2 to 4, trusted 0.5: 0.1.
    expected = {0: 10.0 - 0.625, 1: -1.0 + 0.25, 2: -3.0 + 0.375, 3: 1.0 - 0.1, 4: -5.0 + 0.1}
    for i, bal in expected.items():
        assert new_orgs[i]["balance"] == pytest.approx(bal, **APPROX)
    assert out["transfers"] == pytest.approx(0.725, **APPROX)
    assert out["system_balance"] == pytest.approx(2.0, **APPROX)  # transfers conserve money
    # each receiver raises its trust in the giver: 0.5 + 0.2*0.5; other arcs unchanged
    for arc in ((1, 0), (2, 0), (4, 3)):
        assert new_arcs[arc]["trust"] == pytest.approx(0.6, **APPROX)
    for arc, q in (((3, 0), 0.5), ((0, 1), 0.5), ((0, 2), 0.25), ((0, 3), 0.8), ((3, 4), 0.5)):
        assert new_arcs[arc]["trust"] == q

    # Pooled budgets transfer too; separate budgets and an unsigned control total do not.
    _, _, _, out = reference_step(g, orgs, arcs, {**params, "finance_regime": 2}, make_system(), 1, 12)
    assert out["transfers"] == pytest.approx(0.725, **APPROX)
    for regime, signed in ((0, 1.0), (1, 0.0)):
        _, _, _, out = reference_step(g, orgs, arcs, {**params, "finance_regime": regime}, make_system(signed_up=signed), 1, 12)
        assert out["transfers"] == 0.0
    _, _, _, out = reference_step(g, orgs, arcs, {**params, "transfers": False}, make_system(signed_up=1.0), 1, 12)
    assert out["transfers"] == 0.0
    # not at a year end
    _, _, _, out = reference_step(g, orgs, arcs, params, make_system(signed_up=1.0), 1, 11)
    assert out["transfers"] == 0.0


def test_transfers_then_funding_on_the_year_result_after_transfers():
    # [R12] With transfer share 1 the offer is G_0 = 0.5*10 = 5: 1 (y = -1, trusted 0.5) gets
    # 5*0.5*1/4 = 0.625 and is still in deficit, 2 (y = -3, trusted 0.25) gets 0.9375; with its
    # gift of G_3*0.5 = 0.25, 4 stays in deficit too. Own results decide the unlinked funding.
    g, orgs, arcs = _transfer_system()
    params = make_params(finance_regime=1, linked_share=0.0, transfers=True, transfer_share=1.0,
                         sustainability_share=0.01)
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, make_system(signed_up=1.0), 1, 12)
    # budgets 120: F = 1.2. After gifts: 0: 10 - 1.5625, 1: -0.375, 2: -2.0625, 3: 0.75, 4: -4.75
    expected = {0: 8.4375 + 1.2, 1: -0.375, 2: -2.0625, 3: 0.75 + 1.2, 4: -4.75}
    for i, bal in expected.items():
        assert new_orgs[i]["balance"] == pytest.approx(bal, **APPROX)
        assert new_orgs[i]["year_balance"] == new_orgs[i]["balance"]
    assert out["sustainability_funding"] == pytest.approx(2 * 1.2, **APPROX)


def test_sign_up_rule():
    # Complete graph on 3 with trust 0.6: q_bar = 0.6. Budgets 120, sigma_s 0.1; org 0 has
    # balance -2.4: sigma_0 = 0.2, others 0. sigma_bar = 0.2/3. P = 0.6*(1 - 1/15) = 0.56.
    # p = 0.5: p*(1 - P) = 0.22. r_S = 0.25: r_0 = 0.2 (disagrees), r_1 = r_2 = 0.25 (agree).
    g, orgs, arcs = _system(3, [(0, 1), (0, 2), (1, 2)], trust=0.6)
    orgs[0]["balance"] = -2.4
    for share, signs in ((0.6, 1.0), (0.7, 0.0)):
        params = make_params(finance_regime=1, linked_share=0.5, risk_tolerance=0.25, signup_share=share)
        _, _, new_system, out = reference_step(g, orgs, arcs, params, make_system(signed_up=1.0 - signs), 1, 13)
        assert new_system["signed_up"] == signs and out["signed_up"] == signs
    # only at the start of a financial year: at t = 14 the state carries over
    _, _, new_system, _ = reference_step(g, orgs, arcs, params, make_system(signed_up=1.0), 1, 14)
    assert new_system["signed_up"] == 1.0
    # only organisations at the table count: 2 an absent local authority -> 1 of 2 agree
    orgs[2].update(kind=4, engagement=0.0)
    params = make_params(finance_regime=1, linked_share=0.5, risk_tolerance=0.25, signup_share=0.6)
    _, _, new_system, _ = reference_step(g, orgs, arcs, params, make_system(), 1, 1)
    assert new_system["signed_up"] == 0.0
    # nobody at the table: the system does not sign
    for i in range(3):
        orgs[i]["committed"] = 0.0
    _, _, new_system, _ = reference_step(g, orgs, arcs, make_params(finance_regime=1, signup_share=0.0), make_system(signed_up=1.0), 1, 1)
    assert new_system["signed_up"] == 0.0


def _decision_system(**param_overrides):
    # Complete graph on 3, trust 0.6 (q_bar 0.6), beliefs 0.5, safety 0.5, altruism 0.5.
    # S_i = (0.6 - 0.5) + w_N*0 + 0.4*0.5 - lambda_D*L*0.5*[loser] = 0.3 - 0.4*[loser] (lambda_D 1.6,
    # a decision of average size L = 0.5, so that its size 2L is 1 and g_D, l_D, g_P apply as set).
    g, orgs, arcs = _system(3, [(0, 1), (0, 2), (1, 2)], trust=0.6)
    params = make_params(**{
        "support_threshold": 0.5, "narrative_weight": 1.0, "safety_weight": 0.4, "loss_weight": 1.6,
        "resolved_trust_gain": 0.5, "resolved_progress": 1.0, "breakdown_trust_loss": 0.25, "patience": 3,
        **param_overrides,
    })
    return g, orgs, arcs, params


def test_hard_decision_informal_blocked_statutory_resolved():
    g, orgs, arcs, params = _decision_system()
    open_decision = make_system(0.0, decision_open=1.0, decision_age=0.0, decision_loser=1.0, decision_loss=0.5)
    # informal: the loser opposes (S = -0.1): not resolved, ages to 1 (patience 3)
    _, new_arcs, new_system, out = reference_step(g, orgs, arcs, params, open_decision, 1, 1)
    assert new_system["decision_open"] == 1.0 and new_system["decision_age"] == 1.0
    assert new_system["decision_loser"] == 1.0 and math.isnan(out["decision_latency"])
    assert new_arcs[(0, 1)]["trust"] == 0.6
    # statutory, majority 0.6: 2 of 3 support -> resolved; trust 0.6 + 0.5*0.4 = 0.8 on every live arc
    statutory = {**params, "statutory": True, "majority": 0.6}
    _, new_arcs, new_system, out = reference_step(g, orgs, arcs, statutory, {**open_decision, "decision_age": 4.0}, 1, 1)
    assert all(a["trust"] == pytest.approx(0.8, **APPROX) for a in new_arcs.values())
    assert new_system["decision_open"] == 0.0 and new_system["decisions_resolved"] == 1.0
    assert new_system["decision_age"] == 0.0 and new_system["decision_loser"] == -1.0  # [R6]
    assert out["decision_latency"] == 5.0  # age + 1
    # progress' = 0.9*0 + inc + g_P: everyone collaborates, inc = 0.8
    assert new_system["progress"] == pytest.approx(1.8, **APPROX)
    # statutory, majority 0.7: 2/3 < 0.7 -> not resolved
    _, _, new_system, _ = reference_step(g, orgs, arcs, {**statutory, "majority": 0.7}, open_decision, 1, 1)
    assert new_system["decision_open"] == 1.0
    # a partner (engagement 1) does not vote: with the loser a partner, the others agree
    orgs[1].update(kind=4, engagement=1.0)
    _, _, new_system, _ = reference_step(g, orgs, arcs, params, open_decision, 1, 1)
    assert new_system["decisions_resolved"] == 1.0


def test_hard_decision_breakdown_and_walk_away():
    g, orgs, arcs, params = _decision_system(conditional=True, commitment_trust_threshold=0.1, reengage_margin=0.5,
                                             commitment_stress_threshold=1.0)
    state = make_system(0.0, decision_open=1.0, decision_age=2.0, decision_loser=1.0, decision_loss=0.5)  # age 2 + 1 = patience
    new_orgs, new_arcs, new_system, out = reference_step(g, orgs, arcs, params, state, 1, 1)
    assert new_system["decision_open"] == 0.0 and new_system["decisions_failed"] == 1.0
    assert all(a["trust"] == pytest.approx(0.45, **APPROX) for a in new_arcs.values())  # (1 - 0.25)*0.6
    # the loser walks away; re-engaging needs q_bar' >= 0.6 > 0.45
    assert [new_orgs[i]["committed"] for i in range(3)] == [1.0, 0.0, 1.0]
    assert out["committed_share"] == pytest.approx(2 / 3, **APPROX)
    # statutory governance: no walk-away
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, {**params, "statutory": True, "majority": 1.0}, state, 1, 1)
    assert all(new_orgs[i]["committed"] == 1.0 for i in range(3))
    # unconditional commitment: no walk-away
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, {**params, "conditional": False}, state, 1, 1)
    assert all(new_orgs[i]["committed"] == 1.0 for i in range(3))
    # The walk-away overrides the commitment rule of phase 9: with theta_C + m_C <= 0.45 the rule
    # alone would keep the loser committed, but it walked away.
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, {**params, "commitment_trust_threshold": 0.4, "reengage_margin": 0.0}, state, 1, 1)
    assert [new_orgs[i]["committed"] for i in range(3)] == [1.0, 0.0, 1.0]
    # A breakdown is a step back: progress' = max(0, 0.9*progress + inc - g_P), inc = 0.45 (all
    # collaborate on every live arc, trust' 0.45 after the breakdown).
    assert out["joint_working"] == pytest.approx(0.45, **APPROX)
    assert new_system["progress"] == 0.0  # 0 + 0.45 - 1 < 0
    _, _, new_system, out = reference_step(g, orgs, arcs, params, {**state, "progress": 5.0}, 1, 1)
    assert new_system["progress"] == pytest.approx(0.9 * 5.0 + 0.45 - 1.0, **APPROX)
    assert out["integration_progress"] == new_system["progress"]


def test_hard_decision_opens_with_a_loser_drawn_by_budget_among_nhs_providers():
    g, orgs, arcs, params = _decision_system(decision_rate=1.0, patience=5, maturity_progress=10.0)
    orgs[1]["active"] = 0.0  # active organisations in index order: 0, 2
    orgs[0].update(principal=0, budget=100.0)
    orgs[2].update(principal=0, budget=300.0)
    mature = 10.0  # maturity 1: the decision rate applies in full
    for key in range(1, 30):
        t = 7
        new_system = reference_open_hard_decision(orgs, params, make_system(mature), key, t)
        # 0 holds the first quarter of the providers' budget, 2 the rest
        expected = 0.0 if reference_uniform(key, t, 1, 3) * 400.0 < 100.0 else 2.0
        assert new_system["decision_loser"] == expected
        assert new_system["decision_open"] == 1.0 and new_system["decision_age"] == 0.0
        assert new_system["decision_loss"] == reference_uniform(key, t, 2, 3)
    # Only NHS providers lose while there is one: 2 is no longer one, 0 loses every time.
    orgs[2].update(principal=1)
    for key in range(1, 30):
        new_system = reference_open_hard_decision(orgs, params, make_system(mature), key, 7)
        assert new_system["decision_loser"] == 0.0
    new_system = reference_open_hard_decision(orgs, {**params, "decision_rate": 0.0}, make_system(mature), 1, 7)
    assert new_system["decision_open"] == 0.0


def test_hard_decisions_open_only_as_the_system_matures():
    g, orgs, arcs, params = _decision_system(decision_rate=1.0, patience=5, maturity_progress=10.0)
    # 7.13: opening probability rho_D * min(1, progress / P_M); none at progress 0
    opened = [reference_open_hard_decision(orgs, params, make_system(0.0), key, 7)["decision_open"] for key in range(1, 30)]
    assert opened == [0.0] * 29
    half = [reference_open_hard_decision(orgs, params, make_system(5.0), key, 7)["decision_open"] for key in range(1, 200)]
    expected = [1.0 if reference_uniform(key, 7, 0, 3) < 0.5 else 0.0 for key in range(1, 200)]
    assert half == expected and 0 < sum(half) < len(half)


def test_commitment_withdrawal_and_reengagement():
    # conditional + informal: withdraw if q_bar' < 0.5 or sigma' > 0.5; re-engage if q_bar' >= 0.6
    # and sigma' <= 0.5. Pairs 0-1 (trust 0.4) and 2-3 (trust 0.7); 4 unwilling, related to 2? no.
    g, orgs, arcs = _system(5, [(0, 1), (2, 3)], trust=0.4)
    for arc in ((2, 3), (3, 2)):
        arcs[arc]["trust"] = 0.7
    orgs[1]["committed"] = 0.0
    orgs[3].update(committed=0.0, balance=-9.0)  # sigma = 9/12 > 0.5 (budget 120, sigma_s 0.1)
    orgs[4].update(unwilling=1.0, committed=0.0)
    params = make_params(conditional=True, commitment_trust_threshold=0.5, commitment_stress_threshold=0.5,
                         reengage_margin=0.1)
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, make_system(), 1, 1)
    # 0: committed, q 0.4 < 0.5 -> withdraws; 1: withdrawn, 0.4 < 0.6 -> stays out;
    # 2: committed, q 0.7 -> stays; 3: withdrawn, q 0.7 >= 0.6 but stressed -> stays out; 4 unwilling
    assert [new_orgs[i]["committed"] for i in range(5)] == [0.0, 0.0, 1.0, 0.0, 0.0]
    orgs[3]["balance"] = 0.0
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, make_system(), 1, 1)
    assert new_orgs[3]["committed"] == 1.0 and new_orgs[4]["committed"] == 0.0
    assert out["committed_share"] == pytest.approx(2 / 5, **APPROX)
    # statutory governance: nobody moves (no withdrawal, no re-engagement)
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, {**params, "statutory": True}, make_system(), 1, 1)
    assert [new_orgs[i]["committed"] for i in range(5)] == [orgs[i]["committed"] for i in range(5)]


@pytest.mark.parametrize("engagement, trust, expected", [
    (3.0, 0.55, 3.0),  # score 0.25 >= theta_P: the lead stays lead
    (3.0, 0.45, 1.0),  # score 0.15 < theta_P: lead -> partner
    (3.0, 0.35, 1.0),  # score 0.05 < theta_A: still partner, never absent straight from lead
    (2.0, 0.35, 0.0),  # score < theta_A: absent
    (2.0, 0.55, 1.0),  # theta_A <= score < theta_F: partner
    (0.0, 0.75, 2.0),  # score 0.45 >= theta_F: full member (never lead)
    (1.0, 0.75, 2.0),
])
def test_local_authority_transitions(engagement, trust, expected):
    # LA 0 related to an acute trust 1; political 0.5 -> 0.5 + 0.5*(0.1 - 0.5) = 0.3; w_pi = 1:
    # score = q_bar' - 0.3. theta_A 0.1, theta_P 0.2, theta_F 0.4.
    g, orgs, arcs = _system(2, [(0, 1)], trust=trust)
    orgs[0].update(kind=4, engagement=engagement, political=0.5)
    params = make_params(la_dynamic=True, political_baseline=0.1, political_decay=0.5, political_weight=1.0,
                         absent_threshold=0.1, partner_threshold=0.2, full_threshold=0.4)
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, make_system(), 1, 1)
    assert new_orgs[0]["political"] == pytest.approx(0.3, **APPROX)
    assert new_orgs[0]["engagement"] == expected
    assert out["la_engagement"] == expected
    assert new_orgs[1]["engagement"] == 2.0 and new_orgs[1]["political"] == 0.0  # not a local authority
    # static engagement: pressure still moves, engagement does not
    new_orgs, _, _, _ = reference_step(g, orgs, arcs, {**params, "la_dynamic": False}, make_system(), 1, 1)
    assert new_orgs[0]["engagement"] == engagement
    assert new_orgs[0]["political"] == pytest.approx(0.3, **APPROX)


def test_a_member_that_stepped_back_votes_against():
    # 7.13: voters are the active organisations with engagement >= 2; one that is not committed
    # does not support. With loss weight 0 every committed voter has S = 0.3 > 0 and supports.
    g, orgs, arcs, params = _decision_system(loss_weight=0.0)
    orgs[2].update(committed=0.0)
    state = make_system(0.0, decision_open=1.0, decision_age=0.0, decision_loser=0.0, decision_loss=0.5)
    # informal: the withdrawn member blocks the consensus
    _, _, new_system, _ = reference_step(g, orgs, arcs, params, state, 1, 1)
    assert new_system["decision_open"] == 1.0 and new_system["decisions_resolved"] == 0.0
    # statutory, majority 0.6: 2 of 3 voters support
    _, _, new_system, _ = reference_step(g, orgs, arcs, {**params, "statutory": True, "majority": 0.6}, state, 1, 1)
    assert new_system["decisions_resolved"] == 1.0
    # the same for an unwilling organisation; an absent local authority has no vote at all
    orgs[2].update(unwilling=1.0)
    _, _, new_system, _ = reference_step(g, orgs, arcs, params, state, 1, 1)
    assert new_system["decision_open"] == 1.0
    orgs[2].update(unwilling=0.0, committed=1.0, kind=4, engagement=0.0)
    _, _, new_system, _ = reference_step(g, orgs, arcs, params, state, 1, 1)
    assert new_system["decisions_resolved"] == 1.0
    # a resolved decision is a step forward: progress' = 0.9*0 + inc + g_P; trust 0.6 -> 0.8 on
    # live arcs, and arcs of 2 (an absent LA, acting for itself) are not mutual: inc = (2*0.8)/6
    _, _, new_system, out = reference_step(g, orgs, arcs, params, state, 1, 1)
    assert out["joint_working"] == pytest.approx(2 * 0.8 / 6, **APPROX)
    assert new_system["progress"] == pytest.approx(2 * 0.8 / 6 + 1.0, **APPROX)


# ---------------------------------------------------------------------------------------------
# The rules of version 0.3 (7.2, 7.3, 7.5, 7.12, 7.15), by hand
# ---------------------------------------------------------------------------------------------


def _decide_pair(trust, altruism=0.0, belief=0.5, h=1.0, key=1, t=1, **param_overrides):
    """Decisions of a neutral pair (a = 0.1875, b = -0.1875, no push), both ways at ``trust``."""
    g, orgs, arcs = _neutral_pair(2, 2)
    for i in (0, 1):
        orgs[i].update(altruism=altruism, belief=belief)
    for arc in arcs.values():
        arc["trust"] = trust
    lens_a = {0: 0.1875, 1: 0.1875}
    lens_b = {0: -0.1875, 1: -0.1875}
    push = {0: 0.0, 1: 0.0}
    return reference_decisions(g, orgs, arcs, make_params(**param_overrides), lens_a, lens_b, push, {0: h, 1: h}, key, t)


def test_shadow_of_the_future():
    # Donation game: I_R = 0.75, I_P = 0.25. q = 0.4: lens 0.1875*(2*0.4 - 1) = -0.0375 < 0;
    # phi_F*q*(I_R - I_P) = 0.2*0.4*0.5 = 0.04 tips it (A = 0.0025); phi_F = 0.15 does not (0.03).
    assert _decide_pair(0.4)[(0, 1)] == 0
    assert _decide_pair(0.4, future_weight=0.2)[(0, 1)] == 1
    assert _decide_pair(0.4, future_weight=0.15)[(0, 1)] == 0
    # the term grows with trust: at q = 0 it is 0 (lens -0.1875)
    assert _decide_pair(0.0, future_weight=10.0)[(0, 1)] == 0
    assert _decide_pair(0.1, future_weight=10.0)[(0, 1)] == 1  # -0.15 + 10*0.1*0.5 > 0


def test_purpose_pull_is_measured_from_the_midpoint_of_belief():
    # q = 0.5: lens term 0. w_x*(x_i - 0.5), whatever the starting belief narrative.initial.
    assert _decide_pair(0.5, belief=0.55, purpose_weight=0.5, narrative_initial=0.7)[(0, 1)] == 1  # +0.025
    # a sceptic holds back even when its belief has grown from a low start (x_0 = 0.1)
    assert _decide_pair(0.5, belief=0.45, purpose_weight=0.5, narrative_initial=0.1)[(0, 1)] == 0  # -0.025
    # x_i = 0.5: no pull, a tie (A = 0) means acting for itself
    assert _decide_pair(0.5, belief=0.5, purpose_weight=0.5, narrative_initial=0.3)[(0, 1)] == 0


def test_pooled_budget_raises_the_weight_on_the_system():
    # q = 0.2: lens -0.1125; system term 0.25 (a_Y = b_Y = 0.25). alpha = 0.
    # pooled, w_P = 0.5: alpha~ = 0.5: 0.5*(-0.1125) + 0.5*0.25 = 0.06875 > 0
    assert _decide_pair(0.2, finance_regime=2, pooled_system_weight=0.5)[(0, 1)] == 1
    # w_P = 0.1: alpha~ = 0.1: -0.10125 + 0.025 < 0
    assert _decide_pair(0.2, finance_regime=2, pooled_system_weight=0.1)[(0, 1)] == 0
    # alpha = 0.2, w_P = 0.25: alpha~ = 0.2 + 0.25*0.8 = 0.4: 0.6*(-0.1125) + 0.4*0.25 = 0.0325 > 0,
    # where alpha alone (0.2) gives 0.8*(-0.1125) + 0.05 = -0.04 < 0
    assert _decide_pair(0.2, altruism=0.2, finance_regime=2, pooled_system_weight=0.25)[(0, 1)] == 1
    assert _decide_pair(0.2, altruism=0.2, finance_regime=2)[(0, 1)] == 0
    # w_P = 0 under every other regime [R15]
    for regime in (0, 1):
        assert _decide_pair(0.2, finance_regime=regime, pooled_system_weight=0.5)[(0, 1)] == 0


def test_crowding_out_draws_stream_5_only_for_would_be_collaborators():
    # Complete graph on 5, everybody would collaborate (a = b = 0.5). c_O = 0.8, h_i = 0.5:
    # crowded out if U(key, t, k, 5) < 0.4.
    g = nx.complete_graph(5)
    orgs = {i: make_org() for i in range(5)}
    arcs = {(i, j): make_arc() for i in range(5) for j in range(5) if i != j}
    ones = dict.fromkeys(range(5), 0.5)
    zero = dict.fromkeys(range(5), 0.0)
    index = reference_arc_index(g)
    crowded = 0
    for key in range(1, 6):
        h = {i: (0.5 if i < 4 else 1.0) for i in range(5)}
        action = reference_decisions(g, orgs, arcs, make_params(crowding_out=0.8), ones, ones, zero, h, key, 3)
        for (i, j), k in index.items():
            if i == 4:  # full capacity: c_O*(1 - h) = 0, never crowded out
                assert action[(i, j)] == 1
            else:
                expected = 0 if reference_uniform(key, 3, k, 5) < 0.8 * 0.5 else 1
                assert action[(i, j)] == expected
                crowded += 1 - expected
    assert crowded > 0
    # c_O = 0: nobody is crowded out; an organisation that would act for itself stays at 0
    action = reference_decisions(g, orgs, arcs, make_params(), ones, ones, zero, dict.fromkeys(range(5), 0.0), 1, 3)
    assert all(c == 1 for c in action.values())
    minus = dict.fromkeys(range(5), -0.5)
    action = reference_decisions(g, orgs, arcs, make_params(crowding_out=1.0), minus, minus, zero, ones, 1, 3)
    assert all(c == 0 for c in action.values())


def test_trust_loss_scaled_by_capacity_and_contact_at_the_table():
    # q = 0.5, d = 0.4, kappa_d = 0.5 (1 - 0.2 = 0.8), h = (0.5, 0.8): min 0.5. gamma_C = 0.25:
    # contact factor 0.25*0.8*0.5 = 0.1.
    g = nx.Graph()
    g.add_edge(0, 1)
    orgs = {0: make_org(gain_rate=0.1, loss_rate=0.2), 1: make_org(gain_rate=0.1, loss_rate=0.2)}
    arcs = {(0, 1): make_arc(trust=0.5, distance=0.4, memory=0.4), (1, 0): make_arc(trust=0.5, distance=0.4, memory=0.4)}
    params = make_params(contact_rate=0.25, legacy_weight=0.5)
    h = {0: 0.5, 1: 0.8}
    # 1 collaborated, 0 acted for itself.
    trust, _ = reference_trust_update(g, orgs, arcs, params, {(0, 1): 0, (1, 0): 1}, h)
    # 0->1 (partner collaborated): g = 0.1*0.8*0.5 = 0.04: 0.52; contact: 0.52 + 0.1*0.48 = 0.568
    assert trust[(0, 1)] == pytest.approx(0.568, **APPROX)
    # 1->0 (partner defected): l = min(1, 0.2*0.5*(1 + 0.5*0.4)) = 0.12: 0.44; contact: 0.44 + 0.1*0.56
    assert trust[(1, 0)] == pytest.approx(0.496, **APPROX)
    # 1 not at the table (withdrawn): no contact either way
    orgs[1]["committed"] = 0.0
    trust, _ = reference_trust_update(g, orgs, arcs, params, {(0, 1): 0, (1, 0): 1}, h)
    assert trust[(0, 1)] == pytest.approx(0.52, **APPROX)
    assert trust[(1, 0)] == pytest.approx(0.44, **APPROX)
    # the loss is capped at 1: gamma^- = 1, h = 1, lambda*mem = 0.2: l = 1, trust 0
    orgs = {0: make_org(loss_rate=1.0), 1: make_org(loss_rate=1.0)}
    trust, _ = reference_trust_update(g, orgs, arcs, params, {(0, 1): 0, (1, 0): 0}, {0: 1.0, 1: 1.0})
    assert trust[(0, 1)] == pytest.approx(0.0 + 0.25 * 0.8 * 1.0 * 1.0, **APPROX)  # then contact from 0


@pytest.mark.parametrize("autonomy, progress, probability", [
    (0.5, 10.0, 0.75),  # M = 10/20: 1 - 0.5*0.5
    (0.5, 40.0, 0.5),  # M = min(1, 2) = 1
    (1.0, 20.0, 0.0),  # a fully mature system with full autonomy: never
    (0.8, 0.0, 1.0),  # M = 0: the full rate
])
def test_earned_autonomy(autonomy, progress, probability):
    # One organisation at the full deficit rate: rho_r = 1, (6/120)/0.05 = 1.
    orgs = {0: make_org(principal=0, balance=-6.0, pressure=0.3)}
    params = make_params(rate=(1.0, 1.0, 0.0), autonomy=autonomy, maturity_progress=20.0)
    for key in range(1, 40):
        intervened, pressure = reference_interventions(orgs, params, key, 5, progress)
        assert intervened[0] == (1 if reference_uniform(key, 5, 0, 1) < probability else 0)
        assert pressure[0] == (1.0 if intervened[0] else pytest.approx(0.27, **APPROX))


def test_burning_platform_builds_belief_from_start_of_step_stress():
    # Isolated organisations, budget 120, sigma_s 0.1: sigma = 0.5, 0, 1 (clipped) for balances
    # -6, 0, -24; an inactive one (balance -24) does not count: sigma_bar = 0.5. beta = 0,
    # beta_B = 0.4, the table inclusive to I = (1 + 1 + 0.5)/3 = 5/6:
    # build = 0.4*0.5*I*w_E*committed*(1 - 0.5) = 0.1*I*w_E.
    g, orgs, _ = _system(4, [])
    for i, balance in enumerate((-6.0, 0.0, -24.0, -24.0)):
        orgs[i].update(balance=balance, belief=0.5)
    orgs[2].update(kind=4, engagement=1.0)  # a partner: w_E = 0.5
    orgs[3]["active"] = 0.0
    new_orgs, _, _, out = reference_step(g, orgs, {}, make_params(burning_platform=0.4), make_system(), 1, 1)
    full, partner = 0.5 + 0.1 * 5 / 6, 0.5 + 0.05 * 5 / 6
    assert [new_orgs[i]["belief"] for i in range(4)] == pytest.approx([full, full, partner, 0.5], **APPROX)
    assert out["shared_narrative"] == pytest.approx((2 * full + partner) / 3, **APPROX)
    # withdrawn: builds nothing
    orgs[0]["committed"] = 0.0
    new_orgs, _, _, _ = reference_step(g, orgs, {}, make_params(burning_platform=0.4), make_system(), 1, 1)
    assert new_orgs[0]["belief"] == 0.5


def test_partial_pooling():
    # As test_pooled_net_results: net = -1, 0, 1.5 (sum 0.5 over budgets 720), 3 inactive.
    # rho_P = 0.25: net_i = 0.75*net_i + 0.25*B_i*0.5/720.
    g, orgs, _ = _system(4, [])
    for i, (budget, cp) in enumerate(((120.0, 0.1), (240.0, 0.0), (360.0, -0.05), (1000.0, 0.3))):
        orgs[i].update(budget=budget, cost_pressure=cp)
    orgs[3]["active"] = 0.0
    new_orgs, _, _, out = reference_step(g, orgs, {}, make_params(finance_regime=2, pooled_share=0.25), make_system(), 1, 1)
    for i, expected in enumerate((-0.75 + 0.25 / 12, 0.25 / 6, 1.125 + 0.0625, 0.0)):
        assert new_orgs[i]["net"] == pytest.approx(expected, **APPROX)
    assert out["system_surplus"] == pytest.approx(0.5, **APPROX)
    # rho_P = 0: every organisation keeps its own result; other regimes never pool [R15]
    for params in (make_params(finance_regime=2, pooled_share=0.0), make_params(finance_regime=1, pooled_share=1.0)):
        new_orgs, _, _, _ = reference_step(g, orgs, {}, params, make_system(), 1, 1)
        for i, expected in enumerate((-1.0, 0.0, 1.5, 0.0)):
            assert new_orgs[i]["net"] == pytest.approx(expected, **APPROX)


@pytest.mark.parametrize("cap, expected, reinvested", [
    (math.inf, (2.0, -2.0, 4.5), 0.0),
    (0.03, (2.0, -2.0, 3.0), 1.5),  # cap 3 (budget 100): 4.5 -> 3
    (0.0, (0.0, -2.0, 0.0), 6.5),  # no surplus at all is carried
])
def test_surplus_cap_after_funding(cap, expected, reinvested):
    # Separate budgets: y = 1, -2, 0.5 -> funding 1, 0, 1 -> balances 2, -2, 4.5 before the cap.
    # An inactive organisation with a large balance is not capped [R16].
    g, orgs, params = _year_end((1.0, -2.0, 3.5, 50.0), (0.0, 0.0, 3.0, 0.0), surplus_cap=cap)
    orgs[3]["active"] = 0.0
    new_orgs, _, _, out = reference_step(g, orgs, {}, params, make_system(), 1, 12)
    for i in range(3):
        assert new_orgs[i]["balance"] == pytest.approx(expected[i], **APPROX)
        assert new_orgs[i]["year_balance"] == new_orgs[i]["balance"]  # ybal <- bal after the cap
    assert new_orgs[3]["balance"] == 50.0
    assert out["reinvested"] == pytest.approx(reinvested, **APPROX)
    assert out["sustainability_funding"] == pytest.approx(2.0, **APPROX)
    # money: balance change = surplus + funding - reinvested
    total_change = sum(new_orgs[i]["balance"] - orgs[i]["balance"] for i in range(4))
    assert total_change == pytest.approx(out["system_surplus"] + 2.0 - reinvested, **APPROX)
    # not a year end: nothing is spent
    _, _, _, out = reference_step(g, orgs, {}, params, make_system(), 1, 11)
    assert out["reinvested"] == 0.0
