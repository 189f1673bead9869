"""Invariants of the model over random valid scenarios (hypothesis).

Trust, altruism, pressure and memory stay in [0, 1]; no state or output becomes NaN (outputs are
NaN only where docs/model.md 7.8 says a mean is over an empty set); money is conserved as the
rules say; counts are whole numbers within bounds.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ics_abm import ICSModel
from ics_abm.kinds import KINDS
from ics_abm.scenario import scenario_from_dict

unit = st.floats(0.0, 1.0)


@st.composite
def scenario_dicts(draw):
    counts = {kind: draw(st.integers(0, 6)) for kind in KINDS}
    return {
        "scenario": {"name": "random"},
        "organisations": counts,
        "trust": {"initial": draw(unit), "initial_spread": draw(st.floats(0, 0.5)), "gain_rate": draw(unit), "loss_rate": draw(unit), "distance_drag": draw(unit)},
        "legacy": {"strength": draw(unit), "memory_weight": draw(st.floats(0, 10)), "memory_half_life": draw(st.floats(0.5, 120))},
        "decision": {"noise": draw(st.floats(0, 1))},
        "finance": {"stake_share": draw(st.floats(0, 0.05)), "stress_scale": draw(st.floats(0.001, 1)), "stress_weight": draw(st.floats(0, 2))},
        "altruism": {"growth": draw(unit), "erosion": draw(unit)},
        "regulation": {
            "regime": draw(st.sampled_from(["none", "misaligned", "aligned", "single"])),
            "strength": draw(st.floats(0, 2)), "intervention_rate": draw(unit), "intervention_capacity_cost": draw(unit),
            "pressure_decay": draw(unit), "conflict": draw(st.floats(0, 5)),
        },
        "progress": {"decay": draw(unit)},
    }


@settings(max_examples=60)
@given(data=scenario_dicts(), seed=st.integers(0, 2**32))
def test_state_stays_valid(data, seed):
    model = ICSModel(scenario_from_dict(data), seed=seed, agents=False)
    orgs, arcs = model.organisations, model.arcs
    balance_before = orgs.balance.sum()
    model._simulate(18)
    history = model.history()
    for name in ("altruism", "pressure", "capacity"):
        values = getattr(orgs, name)
        assert np.all((values >= 0) & (values <= 1)), name
    for name in ("trust", "memory"):
        values = getattr(arcs, name)
        assert np.all((values >= 0) & (values <= 1)), name
    for array in (*orgs, *arcs):
        assert not np.any(np.isnan(array))
    n, m = orgs.kind.size, arcs.trust.size
    defined = ["system_surplus", "system_balance", "n_deficit", "interventions", "integration_progress"]
    if m:
        defined += ["collaboration_rate", "mutual_rate", "mean_trust"]
    if n:
        defined += ["mean_altruism", "mean_pressure", "mean_capacity"]
    assert not history[defined].isna().any().any()
    assert history["n_deficit"].between(0, n).all() and history["interventions"].between(0, n).all()
    if m:
        assert history["collaboration_rate"].between(0, 1).all()
        assert (history["mutual_rate"] <= history["collaboration_rate"] + 1e-12).all()
    # 7.4: the system balance changes by exactly the recorded monthly surpluses.
    assert np.isclose(orgs.balance.sum(), balance_before + history["system_surplus"].sum(), rtol=1e-9, atol=1e-9)
