"""Build the initial state of a system from a validated scenario (docs/model.md, section 6).

All random draws come from the generator passed in (the Mesa model's ``rng``), in the order of
section 7.9: graph seed, budget jitter, initial-trust jitter, run key.
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np

from .kinds import KIND_DEFAULTS, KINDS, PAIR_TABLES, PRINCIPALS, pair_key, pair_matrix
from .regulation import resolve_regime
from .state import Arcs, Graph, Organisations, Params, arc_sources, empty_organisations, graph_from_networkx

__all__ = ["InitialState", "build_initial_state", "resolve_params", "kind_attributes", "pair_tables"]


class InitialState(NamedTuple):
    """Everything a run starts from.

    Attributes
    ----------
    organisations : Organisations
    graph : Graph
        CSR arcs of ``network``.
    arcs : Arcs
    params : Params
    network : networkx.Graph
        The relationship graph (nodes ``0 … n−1`` with a ``kind`` attribute).
    key : int
        Run key for the counter-based random numbers.
    """

    organisations: Organisations
    graph: Graph
    arcs: Arcs
    params: Params
    network: nx.Graph
    key: int


def kind_attributes(scenario) -> dict[str, dict[str, object]]:
    """Per-kind attributes: :data:`~ics_abm.kinds.KIND_DEFAULTS` with the scenario's overrides."""
    resolved = {}
    for kind in KINDS:
        values = dict(KIND_DEFAULTS[kind].__dict__)
        overrides = getattr(scenario.kinds, kind)
        if overrides is not None:
            values.update({k: v for k, v in overrides.model_dump().items() if v is not None})
        if values["power"] + values["affiliation"] + values["achievement"] <= 0:
            raise ValueError(f"kinds.{kind}: the motive strengths power, affiliation and achievement must not all be 0")
        resolved[kind] = values
    return resolved


def pair_tables(scenario) -> dict[str, np.ndarray]:
    """Per-pair ``(6, 6)`` matrices: tie probability, cultural distance, legacy exposure."""
    sources = {
        "tie_probability": scenario.network.tie_probability,
        "cultural_distance": scenario.network.cultural_distance,
        "legacy_exposure": scenario.legacy.exposure,
    }
    tables = {}
    for name, overrides in sources.items():
        table = dict(PAIR_TABLES[name])
        for key, value in overrides.items():
            a, b = key.split("/")
            table[pair_key(a, b)] = float(value)
        tables[name] = pair_matrix(table)
    return tables


def resolve_params(scenario) -> Params:
    """Rule parameters of a scenario (docs/model.md, section 7)."""
    regulators = resolve_regime(scenario.regulation)
    payoffs = scenario.payoffs
    return Params(
        reward=float(payoffs.reward),
        sucker=float(payoffs.sucker),
        temptation=float(payoffs.temptation),
        punishment=float(payoffs.punishment),
        noise=float(scenario.decision.noise),
        distance_drag=float(scenario.trust.distance_drag),
        legacy_weight=float(scenario.legacy.strength * scenario.legacy.memory_weight),
        memory_retention=float(2.0 ** (-1.0 / scenario.legacy.memory_half_life)),
        altruism_growth=float(scenario.altruism.growth),
        altruism_erosion=float(scenario.altruism.erosion),
        stress_scale=float(scenario.finance.stress_scale),
        stress_weight=float(scenario.finance.stress_weight),
        strength=regulators.strength,
        focus=regulators.focus,
        rate=regulators.rate,
        conflict=regulators.conflict,
        intervention_threshold=float(scenario.regulation.intervention_threshold),
        intervention_push=float(scenario.regulation.intervention_push),
        capacity_cost=regulators.capacity_cost,
        pressure_decay=float(scenario.regulation.pressure_decay),
        system_assessment=regulators.system_assessment,
        progress_decay=float(scenario.progress.decay),
    )


def build_initial_state(scenario, rng: np.random.Generator) -> InitialState:
    """Organisations, relationship graph, arcs and parameters of a scenario.

    Parameters
    ----------
    scenario : ics_abm.scenario.Scenario
        A validated scenario.
    rng : numpy.random.Generator
        The Mesa model's generator; every random draw of the set-up comes from it.

    Returns
    -------
    InitialState
    """
    counts = [int(getattr(scenario.organisations, kind)) for kind in KINDS]
    n = sum(counts)
    kinds = np.repeat(np.arange(len(KINDS), dtype=np.int64), counts)
    attributes = kind_attributes(scenario)
    tables = pair_tables(scenario)

    # 7.9 draw 1: the graph seed. Stochastic block model over kinds, blocks in kind order.
    graph_seed = int(rng.integers(0, 2**31 - 1))
    present = [c for c in counts if c > 0]
    present_kinds = [k for k, c in enumerate(counts) if c > 0]
    if present:
        probabilities = tables["tie_probability"][np.ix_(present_kinds, present_kinds)].tolist()
        network = nx.stochastic_block_model(present, probabilities, seed=graph_seed, sparse=True)
        network = nx.Graph(network)  # plain graph; drop block metadata
    else:
        network = nx.Graph()
    for i in range(n):
        network.nodes[i]["kind"] = KINDS[kinds[i]]
    graph = graph_from_networkx(network)

    orgs = empty_organisations(n)
    orgs.kind[:] = kinds
    for field in ("cost_pressure", "power", "affiliation", "achievement", "altruism", "capacity"):
        getattr(orgs, field)[:] = [attributes[KINDS[k]][field] for k in kinds]
    orgs.principal[:] = [PRINCIPALS.index(attributes[KINDS[k]]["principal"]) for k in kinds]
    # 7.9 draw 2: budgets, lognormal jitter around the kind's budget (mean-preserving).
    spread = float(scenario.network.budget_spread)
    base_budget = np.array([attributes[KINDS[k]]["budget"] for k in kinds], dtype=np.float64)
    jitter = rng.standard_normal(n)
    orgs.budget[:] = base_budget * np.exp(spread * jitter - spread**2 / 2.0)
    orgs.balance[:] = [attributes[KINDS[k]]["initial_balance"] for k in kinds]
    orgs.balance[:] *= orgs.budget
    orgs.gain_rate[:] = scenario.trust.gain_rate
    orgs.loss_rate[:] = scenario.trust.loss_rate

    # 7.7 and 7.9 draw 3: initial trust damaged by the competition legacy, and the memory of it.
    m = graph.target.shape[0]
    source = arc_sources(graph)
    source_kind = kinds[source]
    target_kind = kinds[graph.target]
    exposure = tables["legacy_exposure"][source_kind, target_kind]
    legacy = float(scenario.legacy.strength)
    spread0 = float(scenario.trust.initial_spread)
    trust_jitter = rng.uniform(-spread0, spread0, size=m)
    trust = np.clip(scenario.trust.initial * (1.0 - legacy * exposure) + trust_jitter, 0.0, 1.0)
    stake = scenario.finance.stake_share * np.minimum(orgs.budget[source], orgs.budget[graph.target]) / 12.0
    arcs = Arcs(
        trust=trust.astype(np.float64),
        distance=tables["cultural_distance"][source_kind, target_kind].astype(np.float64),
        memory=(legacy * exposure).astype(np.float64),
        stake=stake.astype(np.float64),
        action=np.zeros(m, dtype=np.int8),
    )
    # 7.9 draw 4: the run key.
    key = int(rng.integers(0, 2**63 - 1, dtype=np.int64))
    return InitialState(orgs, graph, arcs, resolve_params(scenario), network, key)
