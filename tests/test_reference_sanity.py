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
        reference_lens,
        reference_mix,
        reference_omega,
        reference_step,
        reference_uniform,
    )
except ImportError:  # pytest "prepend" import mode puts tests/ itself on sys.path
    from reference import (  # type: ignore[no-redef]
        reference_arc_index,
        reference_lens,
        reference_mix,
        reference_omega,
        reference_step,
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
    }
    params.update(overrides)
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
    }
    org.update(overrides)
    return org


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
    new_orgs, new_arcs, new_progress, out = reference_step(g, orgs, arcs, params, 0.5, 42, 1)
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

    # Trust 0->1: partner defected: l = min(1, 0.2*(1 + 0.5*0.4)) = 0.24; 0.6 - 0.24*0.6 = 0.456
    assert new_arcs[(0, 1)]["trust"] == pytest.approx(0.456, **APPROX)
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
    assert new_progress == pytest.approx(0.45, **APPROX)
    assert out["integration_progress"] == new_progress

    assert out["collaboration_rate"] == pytest.approx(0.5, **APPROX)
    assert out["mutual_rate"] == 0.0
    assert out["mean_trust"] == pytest.approx((0.456 + 0.4228) / 2, **APPROX)
    assert out["system_surplus"] == pytest.approx(0.0, **APPROX)
    assert out["system_balance"] == pytest.approx(0.0, **APPROX)
    assert out["n_deficit"] == 1
    assert out["interventions"] == 0
    assert out["mean_altruism"] == pytest.approx((0.5 - 1 / 120) / 2, **APPROX)
    assert out["mean_pressure"] == pytest.approx(0.045, **APPROX)
    assert out["mean_capacity"] == pytest.approx(0.6375, **APPROX)
    tbk = out["trust_by_kind"]
    assert len(tbk) == 6 and all(len(row) == 6 for row in tbk)
    assert tbk[3][0] == pytest.approx(0.456, **APPROX)  # org 0 (kind 3) -> org 1 (kind 0)
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
    new_orgs, new_arcs, new_progress, out = reference_step(g, orgs, arcs, params, 0.2, key, t)

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
    assert new_progress == pytest.approx(0.761, **APPROX)
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
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, 0.2, 7, 3)
    # system balance after finance = 8 > 0: nobody eligible; p'_0 = 0.9*0.5
    assert out["interventions"] == 0
    assert new_orgs[0]["pressure"] == pytest.approx(0.45, **APPROX)
    # alpha'_0 = 0.1 + 0.18 - 0.01*max(0.45, 0.25) = 0.2755
    assert new_orgs[0]["altruism"] == pytest.approx(0.2755, **APPROX)


def test_zero_rate_means_not_eligible_and_partial_probability():
    g, orgs, arcs, params = _regulated_pair(rate=(0.0, 1.0, 0.0))
    new_orgs, _, _, out = reference_step(g, orgs, arcs, params, 0.2, 7, 3)
    assert out["interventions"] == 0 and new_orgs[0]["pressure"] == pytest.approx(0.45, **APPROX)

    # rho = 0.5, delta_I = 0.1: pi_0 = 0.5*min(1, 0.025/0.1) = 0.125, drawn on stream 1, index 0
    hits = 0
    for t in range(1, 41):
        g, orgs, arcs, params = _regulated_pair(rate=(0.5, 0.5, 0.0), intervention_threshold=0.1)
        new_orgs, _, _, _ = reference_step(g, orgs, arcs, params, 0.2, 99, t)
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
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 0
    assert new_arcs[(1, 0)]["action"] == 0

    # same without conflict: A_01 = 0.08 > 0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(**{**base, "conflict": 0.0}), 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0  # A_10 = 0 exactly: tie means act for itself

    # provider vs public: no conflict even with chi = 10; public push = -w*sigma = 0
    g, orgs, arcs = _neutral_pair(0, 2)
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0

    # Gamma uses the arc owner's regulator: chi = 1, alpha_1 = 0.1 (lens 0.1*0.25 = 0.025)
    # A_01 = 0.08 - 1*0.1*(1 - 0.9) = 0.07 > 0 ; A_10 = 0.025 + 0 - 1*0.1*(1 - 0.5) = -0.025 < 0
    g, orgs, arcs = _neutral_pair(0, 1)
    orgs[1]["altruism"] = 0.1
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(**{**base, "conflict": 1.0}), 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    assert new_arcs[(1, 0)]["action"] == 0

    # both provider: same regulator, no conflict
    g, orgs, arcs = _neutral_pair(0, 0)
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
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
    _, new_arcs, _, out = reference_step(g, orgs, arcs, make_params(noise=0.0), 0.0, 3, 1)
    assert all(new_arcs[a]["action"] == 0 for a in arcs)
    assert out["collaboration_rate"] == 0.0

    # tau > 0 and A = 0: c_k = [ln u - ln(1-u) > 0] = [u > 1/2], u = U(key, t, k, 0)
    numbering = {(0, 2): 0, (1, 2): 1, (2, 0): 2, (2, 1): 3}
    patterns = set()
    mutual_patterns = set()
    for key in (3, 11, 2**62 + 5):
        for t in (1, 2, 3, 4, 5):
            new_orgs, new_arcs, _, _ = reference_step(g, orgs, arcs, make_params(noise=0.7), 0.0, key, t)
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
    new_orgs, new_arcs, new_progress, out = reference_step(g, {}, {}, make_params(), 0.4, 1, 1)
    assert new_orgs == {} and new_arcs == {}
    assert new_progress == pytest.approx(0.36, **APPROX)  # 0.9*0.4 + 0
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
    new_orgs, new_arcs, new_progress, out = reference_step(g, orgs, arcs := {}, params, 1.0, key, t)
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
    assert new_progress == pytest.approx(0.9, **APPROX)
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
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 1
    # p_0 = 1: Delta_0 = 0.1*(0.9 - 0.1*11) = -0.02 < 0 -> act for itself
    orgs[0]["pressure"] = 1.0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 0
    # p_0 = 0, balance -6 of 120: sigma_0 = 6/(0.1*120) = 0.5; Delta_0 = 0.08 - 0.15 < 0
    orgs[0]["pressure"] = 0.0
    orgs[0]["balance"] = -6.0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(0, 1)]["action"] == 0
    # public org 1 in deficit: Delta_1 = -w*sigma_1 < 0 even though A would otherwise be 0
    orgs[0]["balance"] = 0.0
    orgs[1]["balance"] = -6.0
    orgs[1]["altruism"] = 0.5  # A_10 = 0.5*0.25 - 0.3*0.5 = -0.025 < 0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(1, 0)]["action"] == 0
    orgs[1]["balance"] = -2.0  # sigma_1 = 1/6: A_10 = 0.125 - 0.05 > 0
    _, new_arcs, _, _ = reference_step(g, orgs, arcs, params, 0.0, 1, 1)
    assert new_arcs[(1, 0)]["action"] == 1
