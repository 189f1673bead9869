"""The Mesa model: agents are thin views over the state arrays; the model owns time and randomness."""

from __future__ import annotations

import numpy as np
import pytest

from ics_abm import KINDS, ICSModel, Organisation, load_scenario, run
from ics_abm.engine.graph import arc_sources
from ics_abm.scenario.loading import organisation_counts

DEFAULT = "scenarios/default.toml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(DEFAULT)


def test_organisations_are_mesa_agents_of_every_kind(scenario):
    model = ICSModel(scenario, seed=1)
    agents = list(model.agents_by_type[Organisation])
    assert len(agents) == sum(organisation_counts(scenario).values()) == len(model.agents)
    assert {agent.kind for agent in agents} == set(KINDS)
    counts = {kind: sum(agent.kind == kind for agent in agents) for kind in KINDS}
    assert counts == organisation_counts(scenario)
    assert 20 <= len(agents) <= 35


def test_agent_attributes_read_and_write_the_arrays(scenario):
    model = ICSModel(scenario, seed=1)
    agent = model.organisation(4)
    assert agent.altruism == model.organisations.altruism[4]
    agent.altruism = 0.77
    assert model.organisations.altruism[4] == 0.77  # no second copy of the state
    model.organisations.balance[4] = -12.5
    assert agent.balance == -12.5 and agent.in_deficit
    with pytest.raises(ValueError, match="altruism"):
        agent.altruism = 1.5
    partner = agent.partners[0]
    arc = model.graph.indptr[4] + list(model.graph.target[model.graph.indptr[4] : model.graph.indptr[5]]).index(partner.index)
    assert agent.trust_in(partner) == model.arcs.trust[arc]
    stranger = next(model.organisation(j) for j in range(len(model.agents)) if j != 4 and model.organisation(j) not in agent.partners)
    with pytest.raises(KeyError):
        agent.trust_in(stranger)


def test_setting_motives_through_an_agent_changes_behaviour(scenario):
    base = ICSModel(scenario, seed=3)
    changed = ICSModel(scenario, seed=3)
    for agent in changed.agents:
        agent.power, agent.affiliation, agent.achievement = 1.0, 0.0, 0.0
    for _ in range(6):
        base.step()
        changed.step()
    assert changed.history()["collaboration_rate"].mean() < base.history()["collaboration_rate"].mean()


def test_mesa_clock_and_rng_belong_to_the_model(scenario):
    model = ICSModel(scenario, seed=5)
    assert isinstance(model.rng, np.random.Generator)
    model.step()
    model.run_for(4)
    assert model.steps == 5 and model.months_simulated == 5
    assert len(model.history()) == 5


def test_stepping_through_mesa_equals_a_run_of_the_same_seed(scenario):
    model = ICSModel(scenario, seed=8)
    for _ in range(30):
        model.step()
    result = run(scenario, seed=8, steps=30)
    assert model.history().equals(result.system)
    assert model.trust_by_kind_history().equals(result.trust_by_kind)


def test_relationship_graph_is_the_networkx_graph_of_the_arrays(scenario):
    model = ICSModel(scenario, seed=2)
    assert 2 * model.network.number_of_edges() == model.graph.target.shape[0]
    for i in model.network.nodes:
        assert sorted(model.network.neighbors(i)) == list(model.graph.target[model.graph.indptr[i] : model.graph.indptr[i + 1]])
        assert model.network.nodes[i]["kind"] == model.organisation(i).kind


def test_trust_is_widest_apart_between_health_and_social_care(scenario):
    from ics_abm.scenario.kinds import KINDS as K

    model = ICSModel(scenario, seed=2)
    kind = model.organisations.kind
    source = arc_sources(model.graph)
    la = K.index("local_authority")
    health = np.isin(kind[source], [0, 1, 2, 3])
    nhs_la = health & (kind[model.graph.target] == la)
    nhs_nhs = health & np.isin(kind[model.graph.target], [0, 1, 2, 3])
    assert model.arcs.distance[nhs_la].min() > model.arcs.distance[nhs_nhs].max()


def test_negative_seed_is_refused(scenario):
    with pytest.raises(ValueError, match="seed"):
        ICSModel(scenario, seed=-1)
