"""Initial states for many runs, fast: the arrays of :func:`ics_abm.engine.initial.build_initial_state`, bit for bit.

``build_initial_state`` builds one run's state through networkx (the stochastic block model, a
copy of the graph, node attributes), which costs about 5 ms for the default scenario and tens of
seconds for 10,000 organisations. A sweep needs only the arrays. :class:`StateTemplate` resolves
everything a scenario fixes once (kinds, per-kind attributes, pair tables, parameters);
:meth:`StateTemplate.build` then makes one seed's state with the same random draws, in the same
order (docs/model.md, 7.9: graph seed, budget jitter, initial-trust jitter, run key) and the same
floating-point expressions, and draws the graph with :class:`ics_abm.engine.block_model.BlockModel`, which
returns networkx's edges. The only difference is that ``network`` is ``None``.

``tests/test_batch.py`` compares every array with ``build_initial_state`` for the shipped
scenarios, scenarios with dormant partners and unwilling kinds, and many seeds; a change to
``build_initial_state`` that is not mirrored here fails those tests.
"""

from __future__ import annotations

import numpy as np

from ics_abm.engine.initial import (
    InitialState,
    dormant_counts,
    initial_system,
    kind_attributes,
    pair_tables,
    resolve_params,
    set_starting_states,
)
from ics_abm.scenario.kinds import KINDS, PRINCIPALS
from ics_abm.engine.block_model import BlockModel, csr_from_edges
from ics_abm.engine.state import Arcs, Organisations, arc_sources, empty_organisations

__all__ = ["StateTemplate"]

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

    def build(self, seed: int) -> InitialState:
        """The initial state of the run with ``seed``: ``build_initial_state(scenario, default_rng(seed))``
        without the networkx graph (``network`` is ``None``).

        Parameters
        ----------
        seed : int
            The seed of the run's generator, ``numpy.random.default_rng(seed)``, as
            ``mesa.Model(rng=seed)`` makes it.

        Returns
        -------
        InitialState
            Fresh arrays (nothing is shared with the template or another build).
        """
        scenario, n = self.scenario, self.n
        rng = np.random.default_rng(seed)
        # 7.9 draw 1: the graph seed; the stochastic block model over kinds, blocks in kind order.
        graph_seed = int(rng.integers(0, 2**31 - 1))
        edges = self._blocks.edges(graph_seed) if self._blocks is not None else np.empty((0, 2), dtype=np.int64)
        graph = csr_from_edges(n, edges)  # = ics_abm.engine.state.graph_from_edges, compiled

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
        orgs.year_balance[:] = orgs.balance

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
        system = initial_system(scenario, orgs)
        return InitialState(orgs, graph, arcs, self.params, None, key, system)
