"""The initial state of a system from a validated scenario (docs/model.md, section 6): the one builder.

:class:`StateTemplate` resolves once what a scenario fixes (kinds, per-kind attributes, pair
tables, parameters); :meth:`StateTemplate.build` adds what a run's generator draws, in the order of
7.9: graph seed, budget jitter, initial-trust jitter, run key, own cost pressure. The relationship graph is the
stochastic block model over kinds, drawn by :class:`ics_abm.engine.block_model.BlockModel`, which
returns networkx's own edges for the same seed without building a networkx graph (a 10,000-
organisation system in a fraction of networkx's time); the networkx graph is made from those edges
when a model wants one. Single runs, Mesa models and batches all start here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ics_abm.engine.block_model import BlockModel, csr_from_edges
from ics_abm.engine.graph import arc_sources
from ics_abm.engine.regulation import resolve_regime
from ics_abm.engine.state import Arcs, Graph, Organisations, Params, empty_organisations, new_system
from ics_abm.scenario.base import FINANCE_REGIMES
from ics_abm.scenario.kinds import KIND_DEFAULTS, KINDS, PAIR_TABLES, PRINCIPALS, pair_key, pair_matrix

if TYPE_CHECKING:  # imported where a networkx graph is made (_networkx_graph): runs do without it
    import networkx as nx

__all__ = ["ENGAGEMENT_STATES", "StateTemplate", "InitialState", "build_initial_state", "dormant_counts",
           "initial_system", "kind_attributes", "lead_organisation", "pair_tables", "resolve_params",
           "set_starting_states"]


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
    system : ndarray of float64, shape (len(SYSTEM_FIELDS),)
        System state at the start (docs/model.md, 7.8, 7.11-7.16).
    """

    organisations: Organisations
    graph: Graph
    arcs: Arcs
    params: Params
    network: nx.Graph
    key: int
    system: np.ndarray


def kind_attributes(scenario) -> dict[str, dict[str, object]]:
    """Per-kind attributes: :data:`~ics_abm.scenario.kinds.KIND_DEFAULTS` with the scenario's overrides."""
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


#: Engagement states of local authorities (7.14), in code order 0-3.
ENGAGEMENT_STATES: tuple[str, ...] = ("absent", "partner", "full", "lead")


def resolve_params(scenario) -> Params:
    """Rule parameters of a scenario (docs/model.md, section 7)."""
    regulators = resolve_regime(scenario.regulation)
    payoffs = scenario.payoffs
    finance = scenario.finance
    lens_sucker, lens_temptation = float(payoffs.sucker), float(payoffs.temptation)
    sucker, temptation = lens_sucker, lens_temptation
    pooled = finance.regime == "pooled"
    if pooled:
        # 7.15: with Payment by Results suspended, acting for oneself no longer pays on its own;
        # leaders' motives still see the game they have played for 25 years (the lens keeps S, T).
        sucker = temptation = (sucker + temptation) / 2.0
    leadership, narrative, governance = scenario.leadership, scenario.narrative, scenario.governance
    commitment, authority, shocks = scenario.commitment, scenario.local_authority, scenario.shocks
    return Params(
        reward=float(payoffs.reward),
        sucker=sucker,
        temptation=temptation,
        punishment=float(payoffs.punishment),
        lens_sucker=lens_sucker,
        lens_temptation=lens_temptation,
        noise=float(scenario.decision.noise),
        crowding_out=float(scenario.decision.crowding_out),
        future_weight=float(scenario.decision.future_weight),
        purpose_weight=float(scenario.decision.purpose_weight),
        socialised_power=float(scenario.decision.socialised_power),
        distance_drag=float(scenario.trust.distance_drag),
        contact_rate=float(scenario.trust.contact_rate),
        safety_buffer=float(scenario.trust.safety_buffer),
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
        autonomy=float(scenario.regulation.autonomy) if regulators.rate.any() else 0.0,
        maturity_progress=float(scenario.progress.maturity),
        progress_decay=float(scenario.progress.decay),
        concentration=float(leadership.concentration),
        turnover_rate=float(leadership.turnover_rate),
        turnover_trust_loss=float(leadership.turnover_trust_loss),
        lead_trust_loss=float(leadership.lead_trust_loss),
        newcomer_penalty=float(leadership.newcomer_penalty),
        settling_rate=float(leadership.settling_rate),
        narrative_initial=float(narrative.initial),
        build_rate=float(narrative.build_rate),
        convergence=float(narrative.convergence),
        confidence_bound=float(narrative.confidence_bound),
        narrative_decay=float(narrative.decay),
        burning_platform=float(narrative.burning_platform),
        statutory=governance.kind == "statutory",
        decision_rate=float(governance.decision_rate),
        patience=int(governance.patience),
        support_threshold=float(governance.support_threshold),
        narrative_weight=float(governance.narrative_weight),
        safety_weight=float(governance.safety_weight),
        loss_weight=float(governance.loss_weight),
        vote_noise=float(governance.vote_noise),
        deliberation=float(governance.deliberation),
        majority=float(governance.majority),
        resolved_trust_gain=float(governance.resolved_trust_gain),
        resolved_progress=float(governance.resolved_progress),
        breakdown_trust_loss=float(governance.breakdown_trust_loss),
        conditional=commitment.mode == "conditional",
        commitment_trust_threshold=float(commitment.trust_threshold),
        commitment_stress_threshold=float(commitment.stress_threshold),
        reengage_margin=float(commitment.reengage_margin),
        la_dynamic=bool(authority.dynamic),
        political_baseline=float(authority.political_pressure),
        political_decay=float(authority.political_decay),
        political_weight=float(authority.political_weight),
        absent_threshold=float(authority.absent_threshold),
        partner_threshold=float(authority.partner_threshold),
        full_threshold=float(authority.full_threshold),
        finance_regime=FINANCE_REGIMES.index(finance.regime),
        linked_share=float(finance.linked_share),
        sustainability_share=float(finance.sustainability_share),
        risk_tolerance=float(finance.risk_tolerance),
        signup_share=float(finance.signup_share),
        transfers=bool(finance.transfers),
        transfer_share=float(finance.transfer_share),
        transfer_trust_gain=float(finance.transfer_trust_gain),
        invest_share=float(finance.invest_share),
        invest_return=float(finance.invest_return),
        invest_lag=int(finance.invest_lag),
        invest_months=int(finance.invest_months),
        pooled_share=float(finance.pooled_share) if pooled else 0.0,
        pooled_system_weight=float(finance.pooled_system_weight) if pooled else 0.0,
        surplus_cap=float(finance.surplus_cap),
        winter_capacity_loss=float(shocks.winter_capacity_loss),
        winter_cost=float(shocks.winter_cost),
        winter_decay=float(shocks.winter_decay),
    )


def set_starting_states(orgs: Organisations, scenario, kinds: np.ndarray, counts, dormant) -> None:
    """7.10-7.16: membership, commitment, engagement, beliefs and experience at the start, in place.

    ``counts`` and ``dormant`` are organisations per kind (in KINDS order), all and dormant; the
    dormant ones are the last of their kind.
    """
    block_end = np.cumsum(counts)
    orgs.active[:] = 1.0
    for kind, extra in enumerate(dormant):
        orgs.active[block_end[kind] - extra : block_end[kind]] = 0.0  # the last of their kind
    unwilling = [KINDS.index(kind) for kind in scenario.commitment.unwilling]
    orgs.unwilling[:] = np.isin(kinds, unwilling)
    orgs.committed[:] = 1.0 - orgs.unwilling
    is_authority = kinds == KINDS.index("local_authority")
    orgs.engagement[:] = np.where(is_authority, ENGAGEMENT_STATES.index(scenario.local_authority.engagement), 2)
    orgs.political[:] = np.where(is_authority, scenario.local_authority.political_pressure, 0.0)
    orgs.belief[:] = scenario.narrative.initial
    orgs.experience[:] = 1.0


def dormant_counts(scenario) -> list[int]:
    """Organisations per kind (in KINDS order) created dormant for scheduled partner entries."""
    counts = [0] * len(KINDS)
    for event in scenario.events:
        if event.kind == "partner_entry":
            counts[KINDS.index(event.organisation_kind)] += 1
    return counts


def lead_organisation(orgs: Organisations) -> int:
    """The lead organisation of 7.11 (-1 if no organisation is active)."""
    active = orgs.active == 1.0
    leading = np.flatnonzero(active & (orgs.kind == KINDS.index("local_authority")) & (orgs.engagement == 3.0))
    if leading.size:
        return int(leading[0])
    if not active.any():
        return -1
    weight = np.where(active, orgs.budget * orgs.power, -np.inf)
    return int(np.argmax(weight))  # first index among equals


def initial_system(scenario, orgs: Organisations) -> np.ndarray:
    """System state at the start, float64 of shape (len(SYSTEM_FIELDS),)."""
    return new_system(lead=lead_organisation(orgs), safety=scenario.leadership.safety)


#: Organisation fields that are the same for every seed of a scenario.
_CONSTANT_FIELDS = (
    "kind", "principal", "cost_pressure", "power", "affiliation", "achievement", "altruism", "capacity",
    "gain_rate", "loss_rate", "active", "unwilling", "committed", "engagement", "political", "belief", "experience",
)


class StateTemplate:
    """What a scenario fixes about a run's initial state; :meth:`build` adds what a seed draws.

    Parameters
    ----------
    scenario : ics_abm.scenario.schema.Scenario
        A validated scenario.

    Examples
    --------
    >>> from ics_abm import load_scenario
    >>> template = StateTemplate(load_scenario("scenarios/default.toml"))
    >>> state = template.build(0)
    >>> state.organisations.kind.shape, state.network is None
    ((25,), True)
    """

    def __init__(self, scenario):
        self.scenario = scenario
        dormant = dormant_counts(scenario)
        counts = [int(getattr(scenario.organisations, kind)) + extra for kind, extra in zip(KINDS, dormant)]
        self.n = n = sum(counts)
        kinds = np.repeat(np.arange(len(KINDS), dtype=np.int64), counts)
        attributes = kind_attributes(scenario)
        self.tables = tables = pair_tables(scenario)
        self.block_sizes = [c for c in counts if c > 0]
        present_kinds = [k for k, c in enumerate(counts) if c > 0]
        self.block_probabilities = tables["tie_probability"][np.ix_(present_kinds, present_kinds)].tolist()
        self._blocks = BlockModel(self.block_sizes, self.block_probabilities) if self.block_sizes else None

        orgs = empty_organisations(n)
        orgs.kind[:] = kinds
        by_kind = {field: np.array([attributes[kind][field] for kind in KINDS], dtype=np.float64)
                   for field in ("cost_pressure", "power", "affiliation", "achievement", "altruism", "capacity", "budget", "initial_balance")}
        for field in ("cost_pressure", "power", "affiliation", "achievement", "altruism", "capacity"):
            getattr(orgs, field)[:] = by_kind[field][kinds]
        principal = np.array([PRINCIPALS.index(attributes[kind]["principal"]) for kind in KINDS], dtype=np.int64)
        orgs.principal[:] = principal[kinds]
        orgs.gain_rate[:] = scenario.trust.gain_rate
        orgs.loss_rate[:] = scenario.trust.loss_rate
        set_starting_states(orgs, scenario, kinds, counts, dormant)
        self._constant = {field: getattr(orgs, field) for field in _CONSTANT_FIELDS}
        self._base_budget = by_kind["budget"][kinds]
        self._initial_balance = by_kind["initial_balance"][kinds]
        self.params = resolve_params(scenario)

    def build(self, seed: int | np.random.Generator, *, network: bool = False) -> InitialState:
        """The initial state of one run.

        Parameters
        ----------
        seed : int or numpy.random.Generator
            The run's generator, or the seed of ``numpy.random.default_rng(seed)`` (what
            ``mesa.Model(rng=seed)`` makes). Every draw of the set-up comes from it, in the order
            of 7.9: graph seed, budget jitter, initial-trust jitter, run key, own cost pressure.
        network : bool
            Also make the relationship graph as a networkx graph (what a Mesa model shows and the
            demo draws); ``network`` is ``None`` otherwise (sweeps need only the arrays).

        Returns
        -------
        InitialState
            Fresh arrays (nothing is shared with the template or another build).
        """
        scenario, n = self.scenario, self.n
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        # 7.9 draw 1: the graph seed; the stochastic block model over kinds, blocks in kind order.
        graph_seed = int(rng.integers(0, 2**31 - 1))
        edges = self._blocks.edges(graph_seed) if self._blocks is not None else np.empty((0, 2), dtype=np.int64)
        graph = csr_from_edges(n, edges)  # = ics_abm.engine.graph.graph_from_edges, compiled
        relationships = self._networkx_graph(edges) if network else None

        orgs = Organisations(**{field: np.empty(n, dtype=np.int64 if field in ("kind", "principal") else np.float64)
                                for field in Organisations._fields})
        for field, values in self._constant.items():
            getattr(orgs, field)[:] = values
        # 7.9 draw 2: budgets, lognormal jitter around the kind's budget (mean-preserving).
        spread = float(scenario.network.budget_spread)
        jitter = rng.standard_normal(n)
        orgs.budget[:] = self._base_budget * np.exp(spread * jitter - spread**2 / 2.0)
        orgs.balance[:] = self._initial_balance
        orgs.balance[:] *= orgs.budget
        orgs.pressure[:] = 0.0

        # 7.7 and 7.9 draw 3: initial trust damaged by the competition legacy, and the memory of it.
        m = graph.target.shape[0]
        kinds = orgs.kind
        source = arc_sources(graph)
        source_kind = kinds[source]
        target_kind = kinds[graph.target]
        exposure = self.tables["legacy_exposure"][source_kind, target_kind]
        legacy = float(scenario.legacy.strength)
        spread0 = float(scenario.trust.initial_spread)
        trust_jitter = rng.uniform(-spread0, spread0, size=m)
        trust = np.clip(scenario.trust.initial * (1.0 - legacy * exposure) + trust_jitter, 0.0, 1.0)
        stake = scenario.finance.stake_share * np.minimum(orgs.budget[source], orgs.budget[graph.target]) / 12.0
        arcs = Arcs(
            trust=trust.astype(np.float64),
            distance=self.tables["cultural_distance"][source_kind, target_kind].astype(np.float64),
            memory=(legacy * exposure).astype(np.float64),
            stake=stake.astype(np.float64),
            action=np.zeros(m, dtype=np.int8),
        )
        # 7.9 draw 4: the run key.
        key = int(rng.integers(0, 2**63 - 1, dtype=np.int64))
        # 7.9 draw 5 (6.1 step 5b): each organisation's own cost pressure; it has run a year of it.
        shift = float(scenario.finance.cost_pressure_spread) * rng.standard_normal(n)
        orgs.cost_pressure[:] += shift
        orgs.balance[:] -= shift * orgs.budget
        orgs.year_balance[:] = orgs.balance
        system = initial_system(scenario, orgs)
        return InitialState(orgs, graph, arcs, self.params, relationships, key, system)

    def _networkx_graph(self, edges: np.ndarray) -> nx.Graph:
        """The graph ``networkx.stochastic_block_model`` makes from the same draws, node and edge order included."""
        import networkx as nx

        network = nx.Graph()
        if self._blocks is not None:
            block = np.repeat(np.arange(len(self.block_sizes)), self.block_sizes)
            network.add_nodes_from((int(i), {"block": int(block[i])}) for i in self._blocks.nodes)
            network.add_edges_from(map(tuple, edges.tolist()))
            network = nx.Graph(network)  # as the model always did: a plain copy
        kinds = self._constant["kind"]
        for i in range(self.n):
            network.nodes[i]["kind"] = KINDS[kinds[i]]
        return network


def build_initial_state(scenario, rng: np.random.Generator) -> InitialState:
    """Organisations, relationship graph (networkx too), arcs and parameters of a scenario.

    The state of ``StateTemplate(scenario).build(rng, network=True)``: one builder serves single
    runs, Mesa models and batches alike.

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
    return StateTemplate(scenario).build(rng, network=True)
