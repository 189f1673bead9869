"""One run of the model without Mesa: the state arrays, events between steps, and the outputs.

:class:`Simulation` is what :func:`ics_abm.run` and the batch runners need: it builds the state of
month 0 (:func:`ics_abm.engine.initial.build_initial_state`), advances it with the compiled step
(:func:`ics_abm.engine.step.advance`, serial or parallel as :mod:`ics_abm.engine.dispatch`
chooses), applies scheduled and injected events between steps and keeps the outputs of every
month. It does not import Mesa (about a second of start-up, issue 16):
:class:`ics_abm.model.ICSModel` is this class and a ``mesa.Model``, with agent views and Mesa's
clock; both give the same numbers, since Mesa's ``Model(rng=seed)`` is ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np

from ics_abm.engine.dispatch import step_in_parallel
from ics_abm.engine.events import apply_event, make_event
from ics_abm.engine.graph import arc_sources
from ics_abm.engine.initial import StateTemplate, resolve_params
from ics_abm.engine.regulation import blend_regimes, resolve_regime
from ics_abm.engine.state import SYSTEM_FIELDS, make_workspace
from ics_abm.engine.step import advance
from ics_abm.limits import MAX_SEED, whole_number
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Simulation"]


class Simulation:
    """An integrated care system advanced month by month, without Mesa (see :class:`ics_abm.ICSModel`).

    Parameters
    ----------
    scenario : ics_abm.scenario.schema.Scenario
        A validated scenario (see :func:`ics_abm.load_scenario`).
    seed : int, optional
        Seed of the generator that draws the initial state and the run key; defaults to the
        scenario's ``scenario.seed``.
    parallel : bool or None
        ``None`` (default) or ``True``: the parallel kernel where the system is large enough for
        it to pay (:func:`ics_abm.engine.dispatch.step_in_parallel`); ``False``: always serial.
        Identical results either way.

    Attributes
    ----------
    rng : numpy.random.Generator
        The generator the initial state was drawn from.
    organisations, graph, arcs, params
        The state arrays and resolved parameters (:mod:`ics_abm.engine.state`).
    system : ndarray of float64, shape (len(SYSTEM_FIELDS),)
        System state (integration progress, winter pressure, the open hard decision, ...).
    network : networkx.Graph
        The relationship graph; node ``i`` is organisation ``i`` (organisations created dormant
        for a scheduled partner entry are nodes too, inactive until they enter).
    event_log : list of dict
        Every event applied so far and every parameter change: ``month`` (the month at whose
        start it acted), ``kind``, ``options``.
    """

    def __init__(self, scenario, seed: int | None = None, *, parallel: bool | None = None):
        seed = whole_number(scenario.scenario.seed if seed is None else seed, "seed", 0, MAX_SEED)
        self.rng = np.random.default_rng(seed)  # what mesa.Model(rng=seed) makes: the same numbers
        self._set_up(scenario, seed, parallel)

    def _set_up(self, scenario, seed: int, parallel: bool | None) -> None:
        """The state of month 0 from ``scenario``, drawn from ``self.rng``."""
        self.seed = seed
        self.scenario_config = scenario
        self.parallel = None if parallel is None else bool(parallel)
        # The arrays only: the networkx graph (seconds at 10,000 organisations) is made when first
        # asked for (``network``), from a copy of the generator as it was here; same draws.
        self._template = StateTemplate(scenario)
        self._rng_at_set_up = copy.deepcopy(self.rng)
        initial = self._template.build(self.rng, network=False)
        self.organisations = initial.organisations
        self.graph = initial.graph
        self.arcs = initial.arcs
        self.params = initial.params
        self._network: nx.Graph | None = None
        self.key = initial.key
        self.system = initial.system
        self.event_log: list[dict] = []
        self._schedule = sorted(scenario.events, key=lambda event: event.month)  # stable: listed order kept
        self._dormant = set(np.flatnonzero(self.organisations.active == 0.0).tolist())
        self._regime_change: tuple | None = None
        self._workspace = make_workspace(self.organisations.kind.shape[0])
        self._system: list[np.ndarray] = []
        self._trust_by_kind: list[np.ndarray] = []
        self._organisation_rows: list[np.ndarray] = []
        self._live_pairs: list[np.ndarray] = []  # per month: live arcs per ordered pair of kinds

    @property
    def network(self) -> nx.Graph:
        """The relationship graph as a :class:`networkx.Graph` (made on first use, then kept)."""
        if self._network is None:
            # build() draws the graph seed first (7.9) and makes the networkx graph from these edges.
            graph_seed = int(copy.deepcopy(self._rng_at_set_up).integers(0, 2**31 - 1))
            template = self._template
            edges = template._blocks.edges(graph_seed) if template._blocks is not None else np.empty((0, 2), dtype=np.int64)
            self._network = template._networkx_graph(edges)
        return self._network

    def simulate(self, months: int) -> None:
        """Advance ``months`` months (the numbers of as many single steps)."""
        self._simulate(months)

    def _simulate(self, months: int) -> None:
        # Several months per kernel call, outside Mesa's clock: used by ``ics_abm.run``, whose
        # model is never stepped through Mesa. Calls are split where events act or regulators
        # are part-way through a regime change; the numbers are those of ``months`` step() calls.
        end = self.months_simulated + int(months)
        while self.months_simulated < end:
            month = self.months_simulated + 1
            self._before_month(month)
            span = 1 if self._regime_change is not None else end - month + 1
            upcoming = [event.month for event in self._schedule if event.month > month]
            if upcoming:
                span = min(span, upcoming[0] - month)
            self._advance(span)

    def _advance(self, months: int) -> None:
        trajectory = advance(
            self.organisations, self.graph, self.arcs, self.params, self.system,
            key=self.key, first_step=self.months_simulated + 1, n_steps=int(months),
            parallel=step_in_parallel(self.graph.target.shape[0], self.parallel), record_organisations=True,
            workspace=self._workspace,
        )
        self._system.extend(trajectory.system)
        self._trust_by_kind.extend(trajectory.trust_by_kind)
        self._organisation_rows.extend(trajectory.organisations)
        self._live_pairs.extend([self._pair_counts(live=True)] * int(months))  # events act between spans only

    def _before_month(self, month: int) -> None:
        """Apply the events scheduled for ``month`` and move regulators along a regime change."""
        while self._schedule and self._schedule[0].month <= month:
            self._apply(self._schedule.pop(0))
        if self._regime_change is not None:
            start, old, new, lags = self._regime_change
            fraction = np.minimum(1.0, (month - start + 1) / (lags + 1.0))
            self._set_regulators(blend_regimes(old, new, fraction))
            if np.all(fraction[:2] >= 1.0):
                self._regime_change = None

    def _apply(self, event) -> None:
        apply_event(self, event)
        options = event.model_dump(exclude={"month", "kind"}, exclude_none=True)
        self.event_log.append({"month": self.months_simulated + 1, "kind": event.kind, "options": options})

    def _begin_regime_change(self, event) -> None:
        old = self._regulators()
        regulation = self.scenario_config.regulation.model_copy(update={"regime": event.regime})
        self.scenario_config = self.scenario_config.model_copy(update={"regulation": regulation})
        lags = np.array([event.provider_lag, event.commissioner_lag, 0.0], dtype=np.float64)
        self._regime_change = (self.months_simulated + 1, old, resolve_regime(regulation), lags)

    def _regulators(self):
        from ics_abm.engine.regulation import RegulatorSettings

        p = self.params
        return RegulatorSettings(p.strength.copy(), p.focus.copy(), p.rate.copy(), p.conflict, p.capacity_cost, p.system_assessment)

    def _set_regulators(self, settings) -> None:
        self.params = self.params._replace(
            strength=settings.strength, focus=settings.focus, rate=settings.rate, conflict=float(settings.conflict),
            capacity_cost=float(settings.capacity_cost), system_assessment=bool(settings.system_assessment),
        )

    # -- interventions a facilitator or an analyst makes on a running model ---------------------

    def inject(self, kind: str, **options) -> None:
        """Apply an event now, before the next step (docs/model.md, 7.16).

        Parameters
        ----------
        kind : str
            One of :data:`ics_abm.engine.events.EVENT_KINDS`.
        **options
            The event's options as in a scenario's ``[[events]]`` table (``size``, ``regime``,
            ``provider_lag``, ``organisation_kind``, ``which``...).

        Raises
        ------
        ics_abm.ScenarioError
            If the kind or an option is not valid (one sentence).
        """
        month = self.months_simulated + 1
        event = make_event(kind, month, **options)
        self._apply(event)
        if event.kind == "regime_change":
            self._before_month(month)  # the regulators' first move acts on the next step

    def set_values(self, changes: dict) -> None:
        """Change rule parameters from the next step on, e.g. ``{"regulation.regime": "aligned"}``.

        Parameters
        ----------
        changes : dict
            Dotted scenario paths and new values. Only values the rules read during a run can
            change; values that act only at set-up (organisations, kinds, network, trust, stakes,
            starting states, events) need a new model.

        Raises
        ------
        ValueError
            A one-sentence :class:`ics_abm.ScenarioError` for a bad path or value, or a
            ``ValueError`` for a value that acts only at set-up.
        """
        from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

        data = scenario_to_dict(self.scenario_config)
        for path, value in changes.items():
            if path.split(".")[0] in _SET_UP_ONLY or path in _SET_UP_ONLY:
                raise ValueError(f"'{path}' acts only when a system is set up; start a new model (reset) to change it")
            node = data
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        self.scenario_config = scenario_from_dict(data, source="set_values")
        self.params = resolve_params(self.scenario_config)
        self._regime_change = None
        self.event_log.append({"month": self.months_simulated + 1, "kind": "set_values", "options": dict(changes)})

    @property
    def months_simulated(self) -> int:
        """Number of months simulated so far."""
        return len(self._system)

    def history(self):
        """System outputs per month as a tidy :class:`pandas.DataFrame` (one row per step)."""
        from ics_abm.output.tables import system_frame

        return system_frame(np.array(self._system).reshape(-1, len(METRICS)), self._labels())

    def trust_by_kind_history(self):
        """Mean trust per month and ordered pair of kinds, tidy (one row per step and pair)."""
        from ics_abm.output.tables import trust_by_kind_frame as frame

        return frame(np.array(self._trust_by_kind).reshape(-1, 6, 6), np.array(self._live_pairs).reshape(-1, 6, 6),
                     self._labels())

    def organisation_history(self):
        """Organisation outputs per month, tidy (one row per step and organisation)."""
        from ics_abm.output.tables import organisation_frame

        rows = np.array(self._organisation_rows).reshape(-1, self.organisations.kind.shape[0], len(ORG_TRAJECTORY_FIELDS))
        return organisation_frame(rows, self.organisations.kind, self._labels())

    @property
    def progress(self) -> float:
        """Integration progress after the last step (7.8)."""
        return float(self.system[SYSTEM_FIELDS.index("progress")])

    def _labels(self) -> dict[str, object]:
        return {"scenario": self.scenario_config.scenario.name, "seed": self.seed}

    def _pair_counts(self, live: bool = False) -> np.ndarray:
        """Arcs per ordered pair of kinds; ``live``: only those between active organisations."""
        counts, source, target = np.zeros((6, 6), dtype=np.int64), arc_sources(self.graph), self.graph.target
        if live:
            keep = (self.organisations.active[source] == 1.0) & (self.organisations.active[target] == 1.0)
            source, target = source[keep], target[keep]
        np.add.at(counts, (self.organisations.kind[source], self.organisations.kind[target]), 1)
        return counts


# Scenario sections and fields that act only at set-up (ICSModel.set_values refuses them).
_SET_UP_ONLY = (
    "scenario", "organisations", "kinds", "network", "trust", "events", "finance.stake_share", "leadership.safety",
    "local_authority.engagement", "commitment.unwilling",
)
