"""Events (docs/model.md 7.16), scheduled or injected, and what-if branching of a running model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ics_abm import ICSModel, ScenarioError, load_scenario, run
from ics_abm.engine.events import EVENT_KINDS
from ics_abm.engine.state import SYSTEM_FIELDS
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

SMALL = {
    "scenario": {"name": "small", "steps": 24},
    "organisations": {"acute": 2, "primary_care_network": 2, "commissioner": 1, "community_mental_health": 1, "local_authority": 2, "voluntary_sector": 2},
}


def _model(seed=4, **sections):
    return ICSModel(scenario_from_dict({**SMALL, **sections}), seed=seed)


def _kind(name):
    return KINDS.index(name)


def test_event_kinds_are_the_documented_ones():
    assert EVENT_KINDS == (
        "financial_shock", "winter_pressure", "regime_change", "leadership_programme", "leader_leaves",
        "local_authority_walks_away", "altruistic_first_move", "partner_entry", "partner_exit",
    )


def test_a_scheduled_event_equals_the_same_event_injected_at_that_month():
    scheduled = run(scenario_from_dict({**SMALL, "events": [{"month": 7, "kind": "financial_shock", "size": 0.05}]}), seed=2)
    model = _model(seed=2)
    for _ in range(6):
        model.step()
    model.inject("financial_shock", size=0.05)
    for _ in range(18):
        model.step()
    assert model.history().drop(columns="scenario").equals(scenario_history(scheduled))
    assert model.event_log == [{"month": 7, "kind": "financial_shock", "options": {"size": 0.05}}]


def scenario_history(result):
    return result.system.drop(columns="scenario")


def test_financial_shock_is_buffered_by_the_shared_narrative():
    model = _model()
    budget, before = model.organisations.budget.copy(), model.organisations.balance.copy()
    model.organisations.belief[:] = 0.8
    model.inject("financial_shock", size=0.1)
    buffer = 1.0 - model.scenario_config.narrative.shock_buffer * 0.8
    np.testing.assert_allclose(model.organisations.balance, before - buffer * 0.1 * budget)


def test_financial_shock_can_hit_one_kind():
    model = _model()
    before = model.organisations.balance.copy()
    model.inject("financial_shock", size=0.1, organisation_kind="acute")
    changed = model.organisations.balance != before
    np.testing.assert_array_equal(changed, model.organisations.kind == _kind("acute"))


def test_winter_pressure_sets_the_system_state_and_slows_trust_building():
    calm, winter = _model(), _model()
    winter.inject("winter_pressure", size=1.0)
    assert winter.system[SYSTEM_FIELDS.index("winter")] == pytest.approx(1.0 - 0.5 * 0.3)  # buffered by the initial narrative
    calm.step()
    winter.step()
    assert winter.history()["mean_capacity"].iloc[0] < calm.history()["mean_capacity"].iloc[0]


def test_leadership_programme_moves_power_to_affiliation_and_achievement_and_raises_safety():
    model = _model()
    orgs = model.organisations
    power, affiliation, achievement = orgs.power.copy(), orgs.affiliation.copy(), orgs.achievement.copy()
    safety = model.system[SYSTEM_FIELDS.index("safety")]
    model.inject("leadership_programme", size=0.4)
    np.testing.assert_allclose(orgs.power, 0.6 * power)
    np.testing.assert_allclose(orgs.affiliation, affiliation + 0.2 * power)
    np.testing.assert_allclose(orgs.achievement, achievement + 0.2 * power)
    assert model.system[SYSTEM_FIELDS.index("safety")] == pytest.approx(safety + 0.4 * (1 - safety))


def test_the_system_leader_leaves_and_takes_part_of_everyones_trust():
    model = _model()
    graph, arcs, params = model.graph, model.arcs, model.params
    lead = int(model.system[SYSTEM_FIELDS.index("lead")])
    assert lead >= 0
    experience = model.organisations.experience[lead]
    trust = arcs.trust.copy()
    model.inject("leader_leaves")
    # 7.11: every live arc loses chi_L * lambda_L * e_lead of its trust, the lead's arcs then lambda_T
    system = 1 - params.concentration * params.lead_trust_loss * experience
    assert system < 1
    touched = (np.repeat(np.arange(10), np.diff(graph.indptr)) == lead) | (graph.target == lead)
    np.testing.assert_allclose(arcs.trust[touched], trust[touched] * system * (1 - params.turnover_trust_loss))
    np.testing.assert_allclose(arcs.trust[~touched], trust[~touched] * system)
    assert model.organisation(lead).experience == 0.0


def test_without_a_lead_the_most_respected_leader_leaves():
    model = _model()
    model.system[SYSTEM_FIELDS.index("lead")] = -1.0
    graph, arcs = model.graph, model.arcs
    incoming = np.bincount(graph.target, weights=arcs.trust, minlength=10) / np.bincount(graph.target, minlength=10)
    respected = int(np.argmax(incoming))
    trust = arcs.trust.copy()
    model.inject("leader_leaves")
    touched = (np.repeat(np.arange(10), np.diff(graph.indptr)) == respected) | (graph.target == respected)
    np.testing.assert_allclose(arcs.trust[touched], trust[touched] * (1 - model.params.turnover_trust_loss))
    np.testing.assert_array_equal(arcs.trust[~touched], trust[~touched])
    assert model.organisation(respected).experience == 0.0


@pytest.mark.parametrize("which, count", [("largest", 1), ("all", 2)])
def test_a_local_authority_walks_away(which, count):
    model = _model()
    model.inject("local_authority_walks_away", which=which)
    authorities = model.organisations.kind == _kind("local_authority")
    assert (model.organisations.engagement[authorities] == 0.0).sum() == count
    if which == "largest":
        largest = np.flatnonzero(authorities)[np.argmax(model.organisations.budget[authorities])]
        assert model.organisation(largest).engagement == "absent" and model.organisation(largest).political == 1.0
    model.step()
    absent = np.flatnonzero(model.organisations.engagement == 0.0)
    for i in absent:
        assert not any(model.organisation(i).collaborates_with(p) for p in model.organisation(i).partners)


def test_altruistic_first_move_by_the_lead_gives_and_is_trusted_more():
    model = _model()
    lead = int(model.system[SYSTEM_FIELDS.index("lead")])
    orgs, graph, arcs = model.organisations, model.graph, model.arcs
    assert lead == int(np.argmax(orgs.budget * orgs.power))
    partners = graph.target[graph.indptr[lead] : graph.indptr[lead + 1]]
    balance, power = orgs.balance.copy(), orgs.power[lead]
    back = graph.reverse[graph.indptr[lead] : graph.indptr[lead + 1]]
    trust_in_lead = arcs.trust[back].copy()
    model.inject("altruistic_first_move", size=0.01)
    gift = 0.01 * orgs.budget[lead]
    assert orgs.balance[lead] == pytest.approx(balance[lead] - gift)
    np.testing.assert_allclose(orgs.balance[partners], balance[partners] + gift / partners.size)
    assert orgs.altruism[lead] >= 0.8 and orgs.power[lead] == pytest.approx(power / 2)
    assert np.all(arcs.trust[back] > trust_in_lead)


def test_partner_entry_activates_an_organisation_created_at_set_up_with_newcomer_trust():
    model = _model(events=[{"month": 3, "kind": "partner_entry", "organisation_kind": "voluntary_sector"}])
    orgs = model.organisations
    newcomer = int(np.flatnonzero(orgs.active == 0.0)[0])
    assert orgs.kind[newcomer] == _kind("voluntary_sector")
    model.step()
    model.step()
    assert model.history()["active_organisations"].tolist() == [10, 10]
    model.step()
    assert model.history()["active_organisations"].iloc[-1] == 11
    assert model.organisation(newcomer).active


def test_partner_entry_without_a_dormant_organisation_is_refused():
    with pytest.raises(ValueError, match="no dormant voluntary_sector"):
        _model().inject("partner_entry", organisation_kind="voluntary_sector")


def test_partner_exit_removes_the_weakest_and_shakes_its_partners():
    model = _model()
    orgs, graph, arcs = model.organisations, model.graph, model.arcs
    acute = np.flatnonzero(orgs.kind == _kind("acute"))
    orgs.balance[acute] = [-1.0, -3.0]
    leaver = int(acute[1])
    trust = arcs.trust.copy()
    model.inject("partner_exit", organisation_kind="acute")
    assert not model.organisation(leaver).active
    for j in graph.target[graph.indptr[leaver] : graph.indptr[leaver + 1]]:
        np.testing.assert_allclose(arcs.trust[graph.indptr[j] : graph.indptr[j + 1]], trust[graph.indptr[j] : graph.indptr[j + 1]] * 0.9)
    model.step()
    assert model.history()["active_organisations"].iloc[-1] == 9


def test_regime_change_moves_regulators_with_their_regional_lags():
    model = _model(events=[{"month": 2, "kind": "regime_change", "regime": "aligned", "provider_lag": 3, "commissioner_lag": 1}])
    old = model.params.focus.copy()
    target = model.scenario_config.regulation.system_focus
    focus = []
    for _ in range(7):
        model.step()
        focus.append(model.params.focus[:2].copy())
    # Month d after the event (d = 0 in its month): fraction min(1, (d + 1)/(lag + 1)).
    for month, seen in zip(range(1, 8), focus):
        d = month - 2
        if d < 0:
            np.testing.assert_allclose(seen, old[:2])
            continue
        fraction = np.minimum(1.0, (d + 1) / (np.array([3, 1]) + 1.0))
        np.testing.assert_allclose(seen, old[:2] + (target - old[:2]) * fraction)
    assert model.params.conflict == 0.0 and model.scenario_config.regulation.regime == "aligned"


def test_bad_events_are_refused_in_one_sentence():
    model = _model()
    with pytest.raises(ScenarioError, match=r"^event: field 'kind' expected one of .* \(did you mean 'winter_pressure'\?\)\.$"):
        model.inject("winter_presure")
    with pytest.raises(ScenarioError, match=r"field 'size' expected a number between 0 and 1, got 2"):
        model.inject("financial_shock", size=2)
    with pytest.raises(ScenarioError, match=r"scenarios/x.toml: field 'events.0.regime' is required but missing\."):
        scenario_from_dict({**SMALL, "events": [{"month": 1, "kind": "regime_change"}]}, source="scenarios/x.toml")


def test_fork_gives_identical_futures_and_independent_branches():
    model = _model()
    for _ in range(5):
        model.step()
    branch = model.fork()
    assert branch.steps == model.steps == 5
    for _ in range(5):
        model.step()
        branch.step()
    assert model.history().equals(branch.history())
    assert model.organisation_history().equals(branch.organisation_history())
    branch.set_values({"regulation.regime": "aligned"})
    for _ in range(12):
        model.step()
        branch.step()
    assert model.params.focus[0] != branch.params.focus[0]
    assert not model.history().equals(branch.history())
    assert model.history().iloc[:10].equals(branch.history().iloc[:10])
    assert [e["kind"] for e in branch.event_log] == ["set_values"] and model.event_log == []


def test_set_values_refuses_what_acts_only_at_set_up_and_bad_values():
    model = _model()
    with pytest.raises(ValueError, match="acts only when a system is set up"):
        model.set_values({"organisations.acute": 4})
    with pytest.raises(ScenarioError, match="did you mean 'regime'"):
        model.set_values({"regulation.regim": "aligned"})
    before = scenario_to_dict(model.scenario_config)
    with pytest.raises(ScenarioError):
        model.set_values({"legacy.strength": 3.0})
    assert scenario_to_dict(model.scenario_config) == before  # nothing half-applied


def test_every_shipped_scenario_with_events_runs():
    for path in sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        if scenario.events:
            result = run(scenario, seed=1, steps=min(scenario.scenario.steps, 36))
            assert len(result.system) == min(scenario.scenario.steps, 36)
