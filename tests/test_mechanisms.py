"""Unit tests of the mechanisms of docs/model.md 7.10-7.16, each with scripted organisations.

Every test starts from the classic-games limit (all of 7.10-7.16 switched off, trust rates 0 so
that trust moves only through the mechanism under test), switches one mechanism on and checks
the documented rule exactly or its stated direction.
"""

from __future__ import annotations

import numpy as np
import pytest

from ics_abm.engine.classic_games import STRATEGIES, classic_system
from ics_abm.engine.state import SYSTEM_FIELDS
from ics_abm.engine.step import advance
from ics_abm.metrics import METRICS

NEUTRAL = (1.0, 1.0, 1.0)
POWER = (1.0, 0.0, 0.0)  # acts for itself under the donation game
AFFILIATION = (0.0, 1.0, 0.0)  # collaborates whatever the trust
DONATION = (2.0, -1.0, 3.0, 0.0)
LOCAL_AUTHORITY = 4


def _system(n=2, trust=0.8, motives=None, still=True):
    """``n`` fully connected organisations; with ``still`` trust changes only by the mechanism."""
    strategy = STRATEGIES["tit_for_tat"]._replace(initial_trust=trust)
    state = classic_system([strategy] * n, DONATION, motives=motives or [NEUTRAL] * n)
    if still:
        state[0].gain_rate[:] = 0.0
        state[0].loss_rate[:] = 0.0
    return state


def _step(state, params=None, first=1, steps=1):
    orgs, graph, arcs, base, system = state
    return advance(orgs, graph, arcs, params or base, system, key=3, first_step=first, n_steps=steps, record_organisations=True)


def _metric(trajectory, name, step=-1):
    return trajectory.system[step, METRICS.index(name)]


def _field(system, name):
    return system[SYSTEM_FIELDS.index(name)]


# 7.11 leadership ------------------------------------------------------------------------------


def test_turnover_resets_the_leader_and_cuts_trust_both_ways():
    orgs, graph, arcs, params, system = state = _system(trust=0.8)
    params = params._replace(turnover_rate=1.0, turnover_trust_loss=0.25, narrative_initial=0.3, settling_rate=0.1)
    orgs.belief[:] = 0.9
    _step(state, params)
    # Both leaders leave (rate 1): each arc is cut once for its source and once for its target.
    np.testing.assert_allclose(arcs.trust, 0.8 * 0.75 * 0.75)
    np.testing.assert_allclose(orgs.experience, 0.1)  # a newcomer (0) settles for one month
    np.testing.assert_allclose(orgs.belief, 0.3)


def test_a_newcomer_has_less_capacity_and_concentrated_leadership_rests_on_the_lead():
    orgs, graph, arcs, params, system = state = _system(n=3)
    orgs.capacity[:] = 0.6
    orgs.experience[:] = [0.0, 1.0, 1.0]
    system[SYSTEM_FIELDS.index("lead")] = 0
    params = params._replace(newcomer_penalty=0.5, concentration=1.0)
    trajectory = _step(state, params)
    np.testing.assert_allclose(trajectory.organisations[0, :, 3], [0.3, 0.6, 0.6])  # effective capacity
    assert _metric(trajectory, "leadership_capacity") == pytest.approx(0.3)


# 7.12 shared narrative ------------------------------------------------------------------------


@pytest.mark.parametrize("beliefs, mixed", [((0.4, 0.6), True), ((0.1, 0.9), False)])
def test_beliefs_converge_only_within_the_confidence_bound(beliefs, mixed):
    orgs, graph, arcs, params, system = state = _system(motives=[AFFILIATION, AFFILIATION])
    orgs.belief[:] = beliefs
    params = params._replace(convergence=0.5, confidence_bound=0.3)
    _step(state, params)
    if mixed:
        np.testing.assert_allclose(orgs.belief, [0.5, 0.5])
    else:
        np.testing.assert_allclose(orgs.belief, beliefs)


def test_leaders_build_belief_unless_the_partner_is_absent_or_withdrawn():
    orgs, graph, arcs, params, system = state = _system(n=3)
    orgs.capacity[:] = 1.0
    orgs.belief[:] = 0.0
    orgs.kind[:] = LOCAL_AUTHORITY
    orgs.engagement[:] = [2.0, 1.0, 2.0]
    orgs.committed[:] = [1.0, 1.0, 0.0]
    _step(state, params._replace(build_rate=0.1))
    # Full, partner (half), withdrawn; and the table is only half inclusive, (1 + 0.5 + 0)/3 (7.12).
    np.testing.assert_allclose(orgs.belief, [0.1 * 0.5, 0.05 * 0.5, 0.0])


def test_belief_is_built_at_full_rate_only_at_an_inclusive_table():
    # 7.12: with every member at the table as a full member, I = 1 and build is the leader's rate.
    orgs, graph, arcs, params, system = state = _system(n=3)
    orgs.capacity[:] = 1.0
    orgs.belief[:] = 0.0
    orgs.kind[:] = LOCAL_AUTHORITY
    orgs.engagement[:] = 2.0
    _step(state, params._replace(build_rate=0.1))
    np.testing.assert_allclose(orgs.belief, [0.1, 0.1, 0.1])


# 7.13 hard decisions, governance, commitment --------------------------------------------------


def _decision_system(trusts, **changes):
    """Three organisations with one open hard decision whose loser is organisation 2."""
    orgs, graph, arcs, params, system = _system(n=3, motives=[AFFILIATION] * 3)
    for i, trust in enumerate(trusts):
        arcs.trust[graph.indptr[i] : graph.indptr[i + 1]] = trust
    system[SYSTEM_FIELDS.index("decision_open")] = 1.0
    system[SYSTEM_FIELDS.index("decision_loser")] = 2.0
    system[SYSTEM_FIELDS.index("decision_loss")] = 0.5  # a decision of average size: its size 2L is 1
    defaults = {"support_threshold": 0.5, "patience": 3, "resolved_trust_gain": 0.2, "resolved_progress": 1.5, "breakdown_trust_loss": 0.5}
    params = params._replace(**{**defaults, **changes})
    return (orgs, graph, arcs, params, system), params


def test_a_hard_decision_everyone_supports_is_resolved_and_raises_trust_more_than_routine_work():
    state, params = _decision_system([0.8, 0.8, 0.8])
    orgs, graph, arcs, _, system = state
    trajectory = _step(state, params)
    assert _metric(trajectory, "decisions_resolved") == 1 and _metric(trajectory, "decision_latency") == 1
    assert _field(system, "decision_open") == 0.0
    np.testing.assert_allclose(arcs.trust, 0.8 + 0.2 * 0.2)
    # Mutual work at the raised trust (trust after phase 5 enters progress) plus the decision.
    assert _metric(trajectory, "integration_progress") == pytest.approx((0.8 + 0.2 * 0.2) + 1.5)


@pytest.mark.parametrize("statutory, resolved", [(False, False), (True, True)])
def test_consensus_needs_everyone_but_a_statutory_body_decides_by_majority(statutory, resolved):
    state, params = _decision_system([0.8, 0.8, 0.3], statutory=statutory, majority=0.6)
    trajectory = _step(state, params)
    assert _metric(trajectory, "decisions_resolved") == int(resolved)
    assert _field(state[4], "decision_open") == float(not resolved)


@pytest.mark.parametrize("blocker", ["withdrawn", "unwilling"])
def test_a_member_that_has_stepped_back_blocks_a_consensus_but_a_partner_authority_has_no_vote(blocker):
    state, params = _decision_system([0.8, 0.8, 0.8])
    orgs = state[0]
    orgs.committed[1] = 0.0
    if blocker == "unwilling":
        orgs.unwilling[1] = 1.0
    assert _metric(_step(state, params), "decisions_resolved") == 0
    state, params = _decision_system([0.8, 0.8, 0.1])
    state[0].kind[2] = LOCAL_AUTHORITY
    state[0].engagement[2] = 1.0  # a partner: at the table, but without a vote
    assert _metric(_step(state, params), "decisions_resolved") == 1


def test_the_loser_of_a_decision_weighs_its_loss_against_its_altruism():
    state, params = _decision_system([0.8, 0.8, 0.6], loss_weight=0.4)
    state[0].altruism[2] = 0.0
    assert _metric(_step(state, params), "decisions_resolved") == 0  # 0.6 - 0.5 - 0.4*0.5 < 0
    state, params = _decision_system([0.8, 0.8, 0.6], loss_weight=0.4)
    state[0].altruism[2] = 0.9
    assert _metric(_step(state, params), "decisions_resolved") == 1  # 0.6 - 0.5 - 0.4*0.5*0.1 > 0
    # The size of the loss counts: a small loss (L = 0.1) is accepted without altruism.
    state, params = _decision_system([0.8, 0.8, 0.6], loss_weight=0.4)
    state[0].altruism[2] = 0.0
    state[4][SYSTEM_FIELDS.index("decision_loss")] = 0.1
    assert _metric(_step(state, params), "decisions_resolved") == 1  # 0.6 - 0.5 - 0.4*0.1 > 0


@pytest.mark.parametrize(
    "conditional, statutory, walks_away",
    [(True, False, True), (False, False, False), (True, True, False)],
)
def test_breakdown_cuts_trust_and_conditional_dissenters_walk_away_from_a_coalition(conditional, statutory, walks_away):
    state, params = _decision_system([0.8, 0.8, 0.3], patience=1, conditional=conditional, statutory=statutory, majority=1.0)
    orgs, graph, arcs, _, system = state
    trajectory = _step(state, params)
    assert _metric(trajectory, "decisions_failed") == 1
    np.testing.assert_allclose(arcs.trust[graph.indptr[2] : graph.indptr[3]], 0.3 * 0.5)
    # A step back: the decision's progress is taken off (and progress never goes below 0).
    assert _metric(trajectory, "integration_progress") == 0.0
    assert orgs.committed[2] == (0.0 if walks_away else 1.0)
    assert orgs.committed[0] == 1.0


def test_conditional_partners_withdraw_below_the_threshold_act_for_themselves_and_re_engage():
    orgs, graph, arcs, params, system = state = _system(motives=[AFFILIATION, AFFILIATION], trust=0.2)
    params = params._replace(conditional=True, commitment_trust_threshold=0.3, reengage_margin=0.1, commitment_stress_threshold=1.0)
    _step(state, params)
    np.testing.assert_array_equal(orgs.committed, [0.0, 0.0])
    _step(state, params, first=2)
    np.testing.assert_array_equal(arcs.action, [0, 0])  # withdrawn: not at the table
    arcs.trust[:] = 0.35  # above the threshold but inside the margin: stays out
    _step(state, params, first=3)
    np.testing.assert_array_equal(orgs.committed, [0.0, 0.0])
    arcs.trust[:] = 0.45
    _step(state, params, first=4)
    np.testing.assert_array_equal(orgs.committed, [1.0, 1.0])


def test_unwilling_organisations_never_commit_nor_collaborate():
    orgs, graph, arcs, params, system = state = _system(motives=[AFFILIATION, AFFILIATION], trust=1.0)
    orgs.unwilling[0] = 1.0
    orgs.committed[0] = 0.0
    _step(state, params._replace(conditional=True))
    np.testing.assert_array_equal(arcs.action, [0, 1])
    assert orgs.committed[0] == 0.0


@pytest.mark.parametrize("progress, rate", [(4.0, 0.3), (2.0, 0.15), (0.0, 0.0)])
def test_a_decision_opens_with_the_documented_probability_and_picks_an_active_loser(progress, rate):
    # rho_D = 0.3 times the maturity min(1, progress / P_M), P_M = 4 (7.13)
    opened, losers, sizes = 0, set(), []
    for t in range(1, 401):
        orgs, graph, arcs, params, system = state = _system(n=4)
        orgs.active[1] = 0.0
        system[SYSTEM_FIELDS.index("progress")] = progress
        _step(state, params._replace(decision_rate=0.3, patience=50, support_threshold=1.0, maturity_progress=4.0), first=t)
        if _field(system, "decision_open") == 1.0:
            opened += 1
            losers.add(int(_field(system, "decision_loser")))
            sizes.append(_field(system, "decision_loss"))
    assert abs(opened / 400 - rate) <= 4 * np.sqrt(rate * (1 - rate) / 400)
    if rate > 0:
        assert losers == {0, 2, 3}  # no NHS provider here: any active organisation can lose
        assert 0.0 < min(sizes) and max(sizes) < 1.0 and abs(np.mean(sizes) - 0.5) < 4 * np.sqrt(1 / 12 / len(sizes))


def test_the_loser_of_a_decision_is_an_nhs_provider_in_proportion_to_budget():
    counts = np.zeros(4)
    for t in range(1, 801):
        orgs, graph, arcs, params, system = state = _system(n=4)
        orgs.principal[:] = [0, 1, 0, 0]  # 1 answers to the commissioner regulator: never the loser
        orgs.budget[:] = [1.0, 5.0, 1.0, 2.0]
        system[SYSTEM_FIELDS.index("progress")] = 1.0
        _step(state, params._replace(decision_rate=1.0, patience=50, support_threshold=1.0, maturity_progress=1.0), first=t)
        counts[int(_field(system, "decision_loser"))] += 1
    assert counts[1] == 0
    share = counts / counts.sum()
    for i, expected in ((0, 0.25), (2, 0.25), (3, 0.5)):
        assert abs(share[i] - expected) < 4 * np.sqrt(expected * (1 - expected) / 800)


# 7.14 local authorities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, trust, political, dynamic, expected",
    [
        (2.0, 0.5, 0.0, True, 2.0),  # score 0.5 >= full threshold
        (2.0, 0.5, 0.6, True, 1.0),  # political pressure holds it at partner though trust is fine
        (2.0, 0.1, 0.2, True, 0.0),  # absent
        (3.0, 0.5, 0.6, True, 3.0),  # a lead stays lead while score >= partner threshold
        (3.0, 0.2, 0.6, True, 1.0),  # ... and drops to partner below it
        (2.0, 0.1, 0.9, False, 2.0),  # static engagement
    ],
)
def test_local_authority_engagement_follows_trust_and_political_pressure(start, trust, political, dynamic, expected):
    orgs, graph, arcs, params, system = state = _system(trust=trust)
    orgs.kind[:] = LOCAL_AUTHORITY
    orgs.engagement[:] = start
    orgs.political[:] = political
    params = params._replace(
        la_dynamic=dynamic, political_baseline=political, political_decay=0.5, political_weight=0.5,
        absent_threshold=0.05, partner_threshold=0.15, full_threshold=0.3,
    )
    _step(state, params)
    np.testing.assert_array_equal(orgs.engagement, [expected, expected])


def test_political_pressure_relaxes_towards_its_baseline_and_absent_authorities_stay_away():
    orgs, graph, arcs, params, system = state = _system(motives=[AFFILIATION, AFFILIATION])
    orgs.kind[:] = LOCAL_AUTHORITY
    orgs.political[:] = 1.0
    orgs.engagement[:] = [0.0, 2.0]
    _step(state, params._replace(political_baseline=0.2, political_decay=0.25))
    np.testing.assert_allclose(orgs.political, 1.0 + 0.25 * (0.2 - 1.0))
    np.testing.assert_array_equal(arcs.action, [0, 1])


# 7.15 finance options ------------------------------------------------------------------------


def _finance_system(year_results, regime, signed=False, **changes):
    """Three organisations at a year end (step 12) with the given results for the year (£m)."""
    orgs, graph, arcs, params, system = state = _system(n=3, motives=[POWER] * 3, trust=0.5)
    arcs.stake[:] = 0.0  # no payoffs: the year result is what we set
    orgs.budget[:] = 100.0
    orgs.year_balance[:] = 0.0
    orgs.balance[:] = year_results
    orgs.altruism[:] = 1.0
    system[SYSTEM_FIELDS.index("signed_up")] = float(signed)
    params = params._replace(**{"finance_regime": regime, "sustainability_share": 0.01, "linked_share": 0.5, "stress_scale": 10.0, **changes})
    return state, params


@pytest.mark.parametrize(
    "regime, signed, expected",
    [
        (0, False, [1.0, 1.0, 0.0]),  # separate: own result only
        (1, False, [1.0, 1.0, 0.0]),  # control total not signed: as separate
        (1, True, [1.0, 1.0, 0.5]),  # signed, p = 0.5, system in surplus: half for the one in deficit
        (2, False, [1.0, 1.0, 1.0]),  # pooled: everyone gets it when the system meets its total
    ],
)
def test_sustainability_funding_follows_the_finance_regime(regime, signed, expected):
    state, params = _finance_system([2.0, 1.0, -0.5], regime, signed, transfers=False)
    trajectory = _step(state, params, first=12)
    orgs = state[0]
    np.testing.assert_allclose(orgs.balance - np.array([2.0, 1.0, -0.5]), expected)
    assert _metric(trajectory, "sustainability_funding") == pytest.approx(sum(expected))
    np.testing.assert_allclose(orgs.year_balance, orgs.balance)


def test_no_funding_at_other_months_and_the_system_total_decides_under_pooling():
    state, params = _finance_system([2.0, 1.0, -0.5], 0)
    assert _metric(_step(state, params, first=11), "sustainability_funding") == 0.0
    state, params = _finance_system([0.5, 0.5, -3.0], 2, transfers=False)
    assert _metric(_step(state, params, first=12), "sustainability_funding") == 0.0


def test_year_end_transfers_go_to_partners_in_deficit_in_proportion_to_trust_and_deficit():
    state, params = _finance_system([4.0, -1.0, -3.0], 1, signed=True, transfers=True, transfer_share=0.5, transfer_trust_gain=0.2, sustainability_share=0.0)
    orgs, graph, arcs, _, system = state
    arcs.trust[graph.indptr[0] : graph.indptr[1]] = [0.5, 1.0]  # giver's trust in 1 and 2
    trajectory = _step(state, params, first=12)
    offer = 0.5 * 1.0 * 4.0
    # Each partner's share of the deficits (1 and 3 of 4), scaled by the giver's trust in it.
    received = offer * np.array([0.5 * 1.0, 1.0 * 3.0]) / 4.0
    gift = received.sum()
    np.testing.assert_allclose(orgs.balance, [4.0 - gift, -1.0 + received[0], -3.0 + received[1]])
    assert _metric(trajectory, "transfers") == pytest.approx(gift)
    # Receivers' trust in the giver rises; the giver's trust is unchanged.
    for receiver in (1, 2):
        k = graph.indptr[receiver]  # the receiver's arc to organisation 0
        assert graph.target[k] == 0 and arcs.trust[k] == pytest.approx(0.5 + 0.2 * 0.5)


def test_transfers_need_a_signed_control_total_or_a_pooled_budget():
    state, params = _finance_system([4.0, -1.0, -3.0], 1, signed=False, transfers=True, sustainability_share=0.0)
    assert _metric(_step(state, params, first=12), "transfers") == 0.0


def test_pooling_shares_the_month_in_proportion_to_budgets():
    orgs, graph, arcs, params, system = state = _system(n=2, motives=[POWER, POWER])
    orgs.budget[:] = [1.0, 3.0]
    orgs.cost_pressure[:] = [1.2, 0.0]  # only organisation 0 has costs: -0.1 per month
    # full pooling: each bears the system's result in proportion to its budget
    trajectory = _step(state, params._replace(finance_regime=2, pooled_share=1.0))
    np.testing.assert_allclose(trajectory.organisations[0, :, 4], [-0.025, -0.075])
    # partial pooling (7.15): half its own result, half its share of the system's
    orgs, graph, arcs, params, system = state = _system(n=2, motives=[POWER, POWER])
    orgs.budget[:] = [1.0, 3.0]
    orgs.cost_pressure[:] = [1.2, 0.0]
    trajectory = _step(state, params._replace(finance_regime=2, pooled_share=0.5))
    np.testing.assert_allclose(trajectory.organisations[0, :, 4], [-0.0625, -0.0375])


@pytest.mark.parametrize("p, signs", [(0.25, True), (1.0, False)])
def test_sign_up_falls_with_the_linked_share(p, signs):
    orgs, graph, arcs, params, system = state = _system(n=3, trust=0.6)
    params = params._replace(finance_regime=1, linked_share=p, risk_tolerance=0.3, signup_share=1.0)
    trajectory = _step(state, params, first=1)
    # P = 0.6 (no stress); agree iff p * 0.4 <= 0.3.
    assert _metric(trajectory, "signed_up") == float(signs)


def test_invest_to_save_costs_now_and_returns_after_the_lag():
    orgs, graph, arcs, params, system = state = _system(n=2, motives=[POWER, POWER])
    arcs.stake[:] = 0.0
    orgs.budget[:] = 12.0
    params = params._replace(invest_share=0.1, invest_return=2.0, invest_lag=3, invest_months=2)
    trajectory = _step(state, params, first=1, steps=6)
    net = trajectory.organisations[:, 0, 4]
    np.testing.assert_allclose(net, [-0.1, -0.1, 0.0, 0.2, 0.2, 0.0])


# 7.16 winter -------------------------------------------------------------------------------------


def test_winter_takes_capacity_and_money_then_decays():
    orgs, graph, arcs, params, system = state = _system(n=2, motives=[POWER, POWER])
    arcs.stake[:] = 0.0
    orgs.capacity[:] = 1.0
    orgs.budget[:] = 12.0
    system[SYSTEM_FIELDS.index("winter")] = 0.8
    trajectory = _step(state, params._replace(winter_capacity_loss=0.5, winter_cost=0.1, winter_decay=0.5), steps=2)
    np.testing.assert_allclose(trajectory.organisations[:, 0, 3], [0.6, 0.8])
    np.testing.assert_allclose(trajectory.organisations[:, 0, 4], [-0.08, -0.04])
    assert _field(system, "winter") == pytest.approx(0.2)


# 7.10 inactive organisations ---------------------------------------------------------------------


def test_inactive_organisations_take_no_part_and_are_left_out_of_the_outputs():
    orgs, graph, arcs, params, system = state = _system(n=3, motives=[AFFILIATION] * 3, still=False)
    orgs.active[2] = 0.0
    before = arcs.trust.copy()
    trajectory = _step(state, params)
    inactive = (np.repeat(np.arange(3), np.diff(graph.indptr)) == 2) | (graph.target == 2)
    assert np.all(arcs.action[inactive] == 0) and np.all(arcs.action[~inactive] == 1)
    np.testing.assert_array_equal(arcs.trust[inactive], before[inactive])
    assert _metric(trajectory, "collaboration_rate") == 1.0
    assert _metric(trajectory, "active_organisations") == 2


def test_joint_working_is_what_a_month_adds_to_progress_before_decay():
    orgs, graph, arcs, params, system = state = _system(n=4, motives=[AFFILIATION, AFFILIATION, NEUTRAL, POWER], still=False)
    params = params._replace(progress_decay=0.05)
    trajectory = _step(state, params, steps=6)
    progress = trajectory.system[:, METRICS.index("integration_progress")]
    previous = np.concatenate(([0.0], progress[:-1]))
    np.testing.assert_allclose(trajectory.system[:, METRICS.index("joint_working")], progress - 0.95 * previous, atol=1e-12)
