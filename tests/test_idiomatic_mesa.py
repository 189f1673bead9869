"""The idiomatic Mesa 3 model (tests/idiomatic_mesa.py) computes what the kernel computes.

The baseline of ``benchmarks/bench_vs_mesa.py`` is only a fair baseline if it implements the same
rules: here it runs the same scenarios and seeds as :func:`ics_abm.experiments.batch.system_table`
and every metric of the system table agrees to 1e-9, month by month.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pytest

from ics_abm import load_scenario
from ics_abm.experiments.batch import system_table
from ics_abm.metrics import METRICS
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict
from tests.idiomatic_agents import LocalAuthority, Organisation
from tests.idiomatic_mesa import IdiomaticICS

ROOT = Path(__file__).resolve().parent.parent


def _scenario(name: str):
    return load_scenario(ROOT / "scenarios" / f"{name}.toml")


def _variant(name: str, **sections):
    """The default system with some sections changed."""
    data = scenario_to_dict(_scenario("default"))
    data["scenario"]["name"] = name
    for section, values in sections.items():
        data[section] = {**data.get(section, {}), **values}
    return scenario_from_dict(data)


def _conditional():
    """Conditional commitment, leading local authorities, frequent hard decisions and turnover."""
    return _variant("conditional", commitment={"mode": "conditional", "unwilling": ["voluntary_sector"]},
                    local_authority={"engagement": "lead"}, governance={"decision_rate": 0.5, "patience": 4},
                    leadership={"turnover_rate": 0.05})


def _statutory():
    """Statutory governance (majority votes) with frequent hard decisions."""
    return _variant("statutory", governance={"kind": "statutory", "decision_rate": 0.5, "majority": 0.6})


CASES = [
    ("default", lambda: _scenario("default"), [0, 7], 36),
    ("finance_pooled", lambda: _scenario("finance_pooled"), [6], 36),  # a seed where a decision resolves by month 36
    ("finance_control_total_p050", lambda: _scenario("finance_control_total_p050"), [5], 36),
    ("conditional", _conditional, [11], 36),
    ("statutory", _statutory, [12], 24),
]


#: What each case exercises (so that agreement is not agreement on mechanisms that never acted).
EXERCISED = {
    "default": ("interventions", "sustainability_funding", "reinvested"),
    "finance_pooled": ("decisions_resolved",),
    "finance_control_total_p050": ("transfers", "signed_up"),
    "conditional": ("decisions_failed", "walked_away", "la_lead"),
    "statutory": ("decisions_resolved", "decision_latency"),
}


def _exercised(table, what: str) -> bool:
    if what == "walked_away":
        return bool((table["committed_share"] < 1).any())
    if what == "la_lead":
        return bool((table["la_engagement"] > 2).any())
    return bool((table[what].fillna(0) > 0).any())


def _run(scenario, seed: int, months: int):
    model = IdiomaticICS(scenario, seed)
    for _ in range(months):
        model.step()
    return model, model.datacollector.get_model_vars_dataframe()


@pytest.mark.parametrize(("name", "make", "seeds", "months"), CASES, ids=[case[0] for case in CASES])
def test_idiomatic_mesa_equals_the_kernel(name, make, seeds, months):
    scenario = make()
    kernel = system_table(scenario, seeds, months, parallel=False)
    for r, seed in enumerate(seeds):
        model, table = _run(scenario, seed, months)
        assert list(table.columns) == list(METRICS)
        assert len(table) == months
        expected = kernel[kernel["run"] == r]
        for metric in METRICS:
            np.testing.assert_allclose(table[metric].to_numpy(dtype=float), expected[metric].to_numpy(dtype=float),
                                       rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=f"{name} seed {seed}: {metric}")
    for what in EXERCISED[name]:
        assert _exercised(table, what), f"{name}: {what} never happened; the case does not test it"


def test_idiomatic_mesa_is_a_mesa_model():
    """Agents are Mesa agents holding their state; local authorities are their own agent type."""
    model, _ = _run(_scenario("default"), 0, 2)
    assert isinstance(model, mesa.Model) and model.steps == 2
    assert len(model.agents) == 25
    assert all(isinstance(agent, Organisation) for agent in model.agents)
    assert len(model.agents_by_type[LocalAuthority]) == 4
    ties = sum(len(agent.ties) for agent in model.agents)
    assert ties > 0 and all(tie.reverse.reverse is tie for agent in model.agents for tie in agent.ties.values())


def test_idiomatic_mesa_refuses_events():
    data = scenario_to_dict(_scenario("default"))
    data["events"] = [{"month": 3, "kind": "winter_pressure", "size": 0.5}]
    with pytest.raises(ValueError, match="events"):
        IdiomaticICS(scenario_from_dict(data), 0)
