"""Unit tests of each submodel (docs/model.md, section 7) with scripted partners.

A scripted partner is an organisation whose behaviour is fixed by its parameters: an
always-defecting partner has a power lens (never collaborates), an always-collaborating one an
affiliation lens. Each test checks a documented rate or direction exactly.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ics_abm.engine.classic_games import STRATEGIES, classic_system
from ics_abm.engine.step import advance
from ics_abm.engine.submodels.motives import OMEGA_AFFILIATION, OMEGA_POWER

POWER = (1.0, 0.0, 0.0)  # always acts for itself under the donation game
AFFILIATION = (0.0, 1.0, 0.0)  # always collaborates
NEUTRAL = (1.0, 1.0, 1.0)
DONATION = (2.0, -1.0, 3.0, 0.0)


def _pair(me_motives, partner_motives, my_trust=0.8, partner_trust=0.8, payoffs=DONATION):
    """Two organisations in the classic limit (no regulators, noise, stress or legacy)."""
    strategies = [STRATEGIES["tit_for_tat"]._replace(initial_trust=my_trust), STRATEGIES["tit_for_tat"]._replace(initial_trust=partner_trust)]
    return classic_system(strategies, payoffs, motives=[me_motives, partner_motives])


def _run(state, steps, first=1, **kwargs):
    orgs, graph, arcs, params, system = state
    return advance(orgs, graph, arcs, params, system, key=5, first_step=first, n_steps=steps, record_organisations=True, **kwargs)


def test_scripted_partners_behave_as_scripted():
    orgs, graph, arcs, params, system = state = _pair(NEUTRAL, POWER)
    _run(state, 1)
    assert arcs.action[1] == 0  # the power-lens partner acts for itself even when trusted
    orgs, graph, arcs, params, system = state = _pair(NEUTRAL, AFFILIATION, partner_trust=0.0)
    _run(state, 1)
    assert arcs.action[1] == 1  # the affiliation-lens partner collaborates even without trust


@pytest.mark.parametrize("loss_rate", [0.1, 0.25, 0.6])
def test_always_defecting_partner_drives_trust_down_at_the_documented_rate(loss_rate):
    # 7.3 with no legacy memory weight: trust_t = trust_0 * (1 - loss_rate) ** t.
    orgs, graph, arcs, params, system = state = _pair(NEUTRAL, POWER, my_trust=0.9)
    orgs.loss_rate[0] = loss_rate
    trust = []
    for t in range(1, 13):
        _run(state, 1, first=t)
        trust.append(arcs.trust[0])
    expected = 0.9 * (1.0 - loss_rate) ** np.arange(1, 13)
    np.testing.assert_allclose(trust, expected, rtol=1e-12)


def test_legacy_memory_makes_past_defection_weigh():
    # 7.3/7.7: loss rate gamma- * (1 + lambda * mem), memory an exponential average of defections.
    orgs, graph, arcs, params, system = _pair(NEUTRAL, POWER, my_trust=0.9)
    params = params._replace(legacy_weight=0.5, memory_retention=0.8)
    arcs.memory[0] = 0.4
    orgs.loss_rate[0] = 0.2
    trust, memory = 0.9, 0.4
    for t in range(1, 8):
        advance(orgs, graph, arcs, params, system, key=5, first_step=t, n_steps=1)
        trust = trust - min(1.0, 0.2 * (1.0 + 0.5 * memory)) * trust
        memory = 0.8 * memory + 0.2 * 1.0
        assert arcs.trust[0] == pytest.approx(trust, rel=1e-12)
        assert arcs.memory[0] == pytest.approx(memory, rel=1e-12)


def test_trust_gain_is_slowed_by_cultural_distance_and_limited_by_the_busier_leader():
    orgs, graph, arcs, params, system = _pair(NEUTRAL, AFFILIATION, my_trust=0.2)
    params = params._replace(distance_drag=0.5)
    arcs.distance[:] = 0.6
    orgs.gain_rate[0] = 0.3
    orgs.capacity[:] = [0.9, 0.4]
    advance(orgs, graph, arcs, params, system, key=5, first_step=1, n_steps=1)
    gain = 0.3 * (1.0 - 0.5 * 0.6) * min(0.9, 0.4)
    assert arcs.trust[0] == pytest.approx(0.2 + gain * (1 - 0.2), rel=1e-12)


def test_trust_is_lost_faster_than_gained_with_default_rates():
    from ics_abm.scenario.schema import Trust

    defaults = Trust()
    assert defaults.loss_rate > defaults.gain_rate


def test_one_sided_collaboration_costs_the_collaborator_and_mutual_creates_benefit():
    orgs, graph, arcs, params, system = state = _pair(AFFILIATION, POWER)
    _run(state, 1)
    assert orgs.balance[0] == pytest.approx(-1.0)  # sucker's payoff on a stake of 1
    assert orgs.balance[1] == pytest.approx(3.0)
    orgs, graph, arcs, params, system = state = _pair(AFFILIATION, AFFILIATION)
    _run(state, 1)
    np.testing.assert_allclose(orgs.balance, [2.0, 2.0])  # system benefit 4 > 0


def test_money_is_conserved_as_the_rules_say():
    # 7.4: the change in system balance is the payoffs made inside the cap minus cost pressure;
    # with a zero-sum matrix and no cost pressure the system balance is constant.
    rng = np.random.default_rng(2)
    graph = nx.gnm_random_graph(40, 200, seed=1)
    strategies = [STRATEGIES[name] for name in rng.choice(sorted(STRATEGIES), 40)]
    orgs, csr, arcs, params, system = classic_system(strategies, payoffs=(0.0, -2.0, 2.0, 0.0), graph=graph)
    params = params._replace(noise=0.3)
    stakes = rng.uniform(0.1, 3.0, arcs.stake.size)
    arcs.stake[:] = np.maximum(stakes, stakes[csr.reverse])  # one stake per relationship
    before = orgs.balance.sum()
    trajectory = advance(orgs, csr, arcs, params, system, key=9, first_step=1, n_steps=50)
    assert orgs.balance.sum() == pytest.approx(before, abs=1e-9)
    assert 0.0 < np.nanmean(trajectory.system[:, 0]) < 1.0  # both kinds of move happened
    # With cost pressure, the system drifts by exactly the pressure.
    orgs.cost_pressure[:] = 0.06
    balance = orgs.balance.sum()
    advance(orgs, csr, arcs, params, system, key=9, first_step=51, n_steps=12)
    assert orgs.balance.sum() == pytest.approx(balance - 0.06 * orgs.budget.sum(), rel=1e-12)


def test_organisations_fall_into_deficit_under_cost_pressure_without_collaboration():
    orgs, graph, arcs, params, system = state = _pair(POWER, POWER)
    orgs.cost_pressure[:] = 0.12
    trajectory = _run(state, 3)
    assert trajectory.system[-1, 5] == 2  # n_deficit
    np.testing.assert_allclose(orgs.balance, -3 * 0.12 / 12)


def _regulated_pair(pressure, rate=0.0):
    """A provider and a commissioner under misaligned regulators, trusting each other."""
    orgs, graph, arcs, params, system = _pair(NEUTRAL, NEUTRAL, my_trust=0.62, partner_trust=0.62)
    orgs.principal[:] = [0, 1]
    orgs.pressure[:] = pressure
    orgs.capacity[:] = 0.6
    params = params._replace(
        strength=np.array([0.05, 0.05, 0.0]), focus=np.array([0.2, 0.35, 0.0]), rate=np.array([rate, rate, 0.0]),
        intervention_push=1.0, capacity_cost=0.5, pressure_decay=0.8, intervention_threshold=0.02,
    )
    return orgs, graph, arcs, params, system


def test_regulator_intervention_lowers_collaboration_and_takes_leader_time():
    calm = _regulated_pair(pressure=0.0)
    intervened = _regulated_pair(pressure=1.0)
    out_calm = _run(calm, 1)
    out_intervened = _run(intervened, 1)
    assert out_calm.system[0, 0] == 1.0  # both collaborate at trust 0.62
    assert out_intervened.system[0, 0] == 0.0  # under intervention both act for themselves
    assert out_intervened.system[0, 10] == pytest.approx(0.6 * 0.5)  # mean capacity halved


def test_interventions_hit_organisations_in_deficit_and_set_pressure():
    orgs, graph, arcs, params, system = state = _regulated_pair(pressure=0.0, rate=1.0)
    orgs.balance[:] = [-5.0, 5.0]  # a deficit far beyond the threshold, even after this month's payoff
    trajectory = _run(state, 1)
    assert trajectory.system[0, 6] == 1  # one intervention
    np.testing.assert_array_equal(orgs.pressure, [1.0, 0.0])


def test_single_oversight_assesses_on_the_system_position():
    orgs, graph, arcs, params, system = _regulated_pair(pressure=0.0, rate=1.0)
    params = params._replace(system_assessment=True)
    orgs.balance[:] = [-0.5, 5.0]  # the system as a whole is in surplus
    trajectory = advance(orgs, graph, arcs, params, system, key=5, first_step=1, n_steps=1)
    assert trajectory.system[0, 6] == 0


def test_misaligned_conflict_pushes_provider_commissioner_pairs_apart():
    orgs, graph, arcs, params, system = _regulated_pair(pressure=0.0)
    calm = _run((orgs, graph, arcs, params._replace(conflict=0.0), system), 1).system[0, 0]
    orgs, graph, arcs, params, system = _regulated_pair(pressure=0.0)
    conflicted = _run((orgs, graph, arcs, params._replace(conflict=3.0), system), 1).system[0, 0]
    assert calm == 1.0 and conflicted == 0.0


def test_full_altruism_collaborates_without_trust():
    orgs, graph, arcs, params, system = state = _pair(POWER, POWER, my_trust=0.0, partner_trust=0.0)
    orgs.altruism[0] = 1.0
    _run(state, 1)
    np.testing.assert_array_equal(arcs.action, [1, 0])


def test_altruism_grows_with_mutual_collaboration_and_erodes_under_pressure():
    orgs, graph, arcs, params, system = _pair(AFFILIATION, AFFILIATION)
    params = params._replace(altruism_growth=0.1, altruism_erosion=0.2)
    orgs.altruism[:] = 0.3
    advance(orgs, graph, arcs, params, system, key=5, first_step=1, n_steps=1)
    np.testing.assert_allclose(orgs.altruism, 0.3 + 0.1 * 0.7)
    orgs, graph, arcs, params, system = _pair(POWER, POWER)
    params = params._replace(altruism_growth=0.1, altruism_erosion=0.2, pressure_decay=1.0)
    orgs.altruism[:] = 0.3
    orgs.pressure[:] = 0.5
    advance(orgs, graph, arcs, params, system, key=5, first_step=1, n_steps=1)
    np.testing.assert_allclose(orgs.altruism, 0.3 - 0.2 * 0.3 * 0.5)


def test_financial_stress_pushes_towards_self_interest():
    orgs, graph, arcs, params, system = _pair(NEUTRAL, NEUTRAL, my_trust=0.6, partner_trust=0.6)
    params = params._replace(stress_weight=0.5, stress_scale=0.05)
    orgs.balance[0] = -0.05 * orgs.budget[0]  # full stress
    advance(orgs, graph, arcs, params, system, key=5, first_step=1, n_steps=1)
    np.testing.assert_array_equal(arcs.action, [0, 1])


def test_progress_accumulates_trusted_joint_working_and_decays():
    orgs, graph, arcs, params, system = _pair(AFFILIATION, AFFILIATION, my_trust=1.0, partner_trust=1.0)
    params = params._replace(progress_decay=0.1)
    system[0] = 2.0  # progress
    advance(orgs, graph, arcs, params, system, key=5, first_step=1, n_steps=3)
    expected = 2.0
    for _ in range(3):
        expected = 0.9 * expected + 1.0
    assert system[0] == pytest.approx(expected)


def test_lens_extremes_match_anchor_constants():
    assert OMEGA_POWER == pytest.approx(29 / 30) and OMEGA_AFFILIATION == pytest.approx(1 / 30)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"noise": -0.1}, "noise"),
        ({"focus": np.array([0.2, 1.5, 0.0])}, "focus"),
        ({"rate": np.array([0.2, 0.2, 0.3])}, "public"),
        ({"reward": 1.0, "sucker": 1.0, "temptation": 1.0, "punishment": 1.0}, "payoff"),
        ({"capacity_cost": 2.0}, "capacity_cost"),
    ],
)
def test_the_kernel_wrapper_refuses_bad_parameters(change, message):
    orgs, graph, arcs, params, system = _pair(NEUTRAL, NEUTRAL)
    with pytest.raises(ValueError, match=message):
        advance(orgs, graph, arcs, params._replace(**change), system, key=1, first_step=1, n_steps=1)


def test_the_kernel_wrapper_refuses_inconsistent_state():
    orgs, graph, arcs, params, system = _pair(NEUTRAL, NEUTRAL)
    bad = arcs._replace(trust=np.array([0.5, 1.2]))
    with pytest.raises(ValueError, match="arcs.trust"):
        advance(orgs, graph, bad, params, system, key=1, first_step=1, n_steps=1)
    with pytest.raises(ValueError, match="reverse"):
        advance(orgs, graph._replace(reverse=np.array([0, 1])), arcs, params, system, key=1, first_step=1, n_steps=1)
