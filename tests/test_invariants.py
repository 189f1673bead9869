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
from ics_abm.engine.events import EVENT_KINDS
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import scenario_from_dict

unit = st.floats(0.0, 1.0)


@st.composite
def scenario_dicts(draw):
    counts = {kind: draw(st.integers(0, 6)) for kind in KINDS}
    if not any(counts.values()):  # a scenario needs at least one organisation (issue 15)
        counts[draw(st.sampled_from(KINDS))] = 1
    return {
        "scenario": {"name": "random"},
        "organisations": counts,
        "trust": {"initial": draw(unit), "initial_spread": draw(st.floats(0, 0.5)), "gain_rate": draw(unit), "loss_rate": draw(unit), "distance_drag": draw(unit)},
        "legacy": {"strength": draw(unit), "memory_weight": draw(st.floats(0, 10)), "memory_half_life": draw(st.floats(0.5, 120))},
        "decision": {"noise": draw(st.floats(0, 1))},
        "altruism": {"growth": draw(unit), "erosion": draw(unit)},
        "regulation": {
            "regime": draw(st.sampled_from(["none", "misaligned", "aligned", "single"])),
            "strength": draw(st.floats(0, 2)), "intervention_rate": draw(unit), "intervention_capacity_cost": draw(unit),
            "pressure_decay": draw(unit), "conflict": draw(st.floats(0, 5)),
        },
        "progress": {"decay": draw(unit)},
        "leadership": {"concentration": draw(unit), "turnover_rate": draw(st.floats(0, 0.3)), "turnover_trust_loss": draw(unit), "newcomer_penalty": draw(unit), "safety": draw(unit)},
        "narrative": {"initial": draw(unit), "build_rate": draw(unit), "convergence": draw(unit), "confidence_bound": draw(unit), "decay": draw(unit), "shock_buffer": draw(unit)},
        "governance": {"kind": draw(st.sampled_from(["informal", "statutory"])), "decision_rate": draw(unit), "patience": draw(st.integers(1, 12)), "vote_noise": draw(st.floats(0, 1)), "deliberation": draw(st.floats(0, 1)), "majority": draw(unit), "resolved_trust_gain": draw(unit), "breakdown_trust_loss": draw(unit)},
        "commitment": {"mode": draw(st.sampled_from(["unconditional", "conditional"])), "trust_threshold": draw(unit), "stress_threshold": draw(unit), "unwilling": draw(st.lists(st.sampled_from(KINDS), max_size=2, unique=True))},
        "local_authority": {"engagement": draw(st.sampled_from(["absent", "partner", "full", "lead"])), "dynamic": draw(st.booleans()), "political_pressure": draw(unit)},
        "shocks": {"winter_capacity_loss": draw(unit), "winter_cost": draw(st.floats(0, 0.2)), "winter_decay": draw(unit), "entry_trust": draw(unit), "exit_trust_loss": draw(unit)},
        "events": draw(st.lists(events(), max_size=4)),
    } | {"finance": {
        "stake_share": draw(st.floats(0, 0.05)), "stress_scale": draw(st.floats(0.001, 1)), "stress_weight": draw(st.floats(0, 2)),
        "regime": draw(st.sampled_from(["separate", "control_total", "pooled"])), "linked_share": draw(unit),
        "sustainability_share": draw(st.floats(0, 0.05)), "transfers": draw(st.booleans()), "transfer_share": draw(unit),
        "invest_share": draw(st.floats(0, 0.05)), "invest_lag": draw(st.integers(0, 24)), "invest_months": draw(st.integers(0, 24)),
    }}


@st.composite
def events(draw):
    kind = draw(st.sampled_from(EVENT_KINDS))
    event = {"month": draw(st.integers(1, 18)), "kind": kind}
    if kind in ("financial_shock", "winter_pressure", "leadership_programme", "altruistic_first_move"):
        event["size"] = draw(st.floats(0, 0.2))
    if kind == "regime_change":
        event |= {"regime": draw(st.sampled_from(["none", "misaligned", "aligned", "single"])), "provider_lag": draw(st.integers(0, 12)), "commissioner_lag": draw(st.integers(0, 12))}
    if kind in ("partner_entry", "partner_exit"):
        event["organisation_kind"] = draw(st.sampled_from(KINDS))
    return event


@settings(max_examples=60)
@given(data=scenario_dicts(), seed=st.integers(0, 2**32))
def test_state_stays_valid(data, seed):
    model = ICSModel(scenario_from_dict(data), seed=seed, agents=False)
    orgs, arcs = model.organisations, model.arcs
    balance_before = orgs.balance.sum()
    model._simulate(18)
    history = model.history()
    for name in ("altruism", "pressure", "capacity", "belief", "experience", "political"):
        values = getattr(orgs, name)
        assert np.all((values >= 0) & (values <= 1)), name
    for name in ("active", "committed"):
        assert set(np.unique(getattr(orgs, name))) <= {0.0, 1.0}, name
    assert set(np.unique(orgs.engagement)) <= {0.0, 1.0, 2.0, 3.0}
    assert np.all(orgs.committed[orgs.unwilling == 1.0] == 0.0)
    for name in ("trust", "memory"):
        values = getattr(arcs, name)
        assert np.all((values >= 0) & (values <= 1)), name
    for array in (*orgs, *arcs):
        assert not np.any(np.isnan(array))
    n = orgs.kind.size
    defined = ["system_surplus", "system_balance", "n_deficit", "interventions", "integration_progress", "transfers", "sustainability_funding",
               "reinvested"]
    assert (history["reinvested"] >= 0).all()
    assert not history[defined].isna().any().any()
    # Means are NaN exactly when taken over nothing (no active organisation, no live arc).
    nobody = history["active_organisations"] == 0
    assert (history["mean_altruism"].isna() == nobody).all()
    assert history["collaboration_rate"].dropna().between(0, 1).all()
    assert history["active_organisations"].between(0, n).all()
    assert (history["decision_latency"].dropna() >= 1).all()
    assert history["n_deficit"].between(0, n).all() and history["interventions"].between(0, n).all()
    assert (history["mutual_rate"].dropna() <= history["collaboration_rate"].dropna() + 1e-12).all()
    # 7.4, 7.15: unless a financial shock takes money out, the balances of all organisations
    # change by exactly the recorded monthly surpluses plus sustainability funding minus the
    # surplus above the cap spent on services (transfers, pooling and first-move gifts are
    # zero-sum; inactive organisations' balances are frozen).
    if not any(event["kind"] == "financial_shock" for event in data["events"]):
        expected = (balance_before + history["system_surplus"].sum() + history["sustainability_funding"].sum()
                    - history["reinvested"].sum())
        assert np.isclose(orgs.balance.sum(), expected, rtol=1e-9, atol=1e-9)
