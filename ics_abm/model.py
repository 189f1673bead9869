"""The Mesa model of an integrated care system, and organisations as thin views over its arrays.

The model owns time and randomness (``Model(rng=seed)``); its state lives in the struct of arrays
of :mod:`ics_abm.engine.state`, advanced by :func:`ics_abm.engine.step.advance`. An :class:`Organisation` is a
Mesa agent that holds only its row index: reading or setting ``agent.altruism`` reads or writes
``model.organisations.altruism[agent.index]``, so there is never a second copy of the state.
"""

from __future__ import annotations

import copy

import mesa
import networkx as nx
import numpy as np

from ics_abm.engine.events import apply_event, make_event
from ics_abm.engine.graph import arc_sources
from ics_abm.engine.initial import ENGAGEMENT_STATES, build_initial_state, resolve_params
from ics_abm.engine.regulation import blend_regimes, resolve_regime
from ics_abm.engine.state import SYSTEM_FIELDS, make_workspace
from ics_abm.engine.step import advance
from ics_abm.limits import MAX_SEED, whole_number
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS
from ics_abm.scenario.kinds import KINDS, PRINCIPALS

__all__ = ["ICSModel", "Organisation"]


class _Column:
    """Descriptor mapping an agent attribute onto one cell of an organisation array.

    The pattern of Mesa's ``PropertyDescriptor`` for property layers: the value lives in the
    model's array, the agent only knows its row.
    """

    def __init__(self, field: str, doc: str, lo: float | None = None, hi: float | None = None):
        self.field, self.lo, self.hi = field, lo, hi
        self.__doc__ = doc

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return float(getattr(agent.model.organisations, self.field)[agent.index])

    def __set__(self, agent, value) -> None:
        value = float(value)
        if not np.isfinite(value) or (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise ValueError(f"{self.field} must be a finite number in [{self.lo}, {self.hi}], got {value}")
        getattr(agent.model.organisations, self.field)[agent.index] = value


class Organisation(mesa.Agent):
    """One organisation of the system: a view onto row ``index`` of the model's arrays.

    Attributes are read from and written to the model's arrays (docs/model.md, section 2).
    """

    budget = _Column("budget", "Annual budget, £m.", 1e-12, None)
    balance = _Column("balance", "Financial balance, £m (negative = deficit).")
    cost_pressure = _Column("cost_pressure", "Cost growth beyond the capped allocation, share of budget per year.", -0.5, 0.5)
    power = _Column("power", "Power motive strength (>= 0).", 0.0, None)
    affiliation = _Column("affiliation", "Affiliation motive strength (>= 0).", 0.0, None)
    achievement = _Column("achievement", "Achievement motive strength (>= 0).", 0.0, None)
    altruism = _Column("altruism", "Weight on the system's payoff, in [0, 1].", 0.0, 1.0)
    capacity = _Column("capacity", "Base leader capacity for system work, in [0, 1].", 0.0, 1.0)
    pressure = _Column("pressure", "Regulator pressure state, in [0, 1].", 0.0, 1.0)
    gain_rate = _Column("gain_rate", "Trust gain rate per month, in [0, 1].", 0.0, 1.0)
    loss_rate = _Column("loss_rate", "Trust loss rate per month, in [0, 1].", 0.0, 1.0)
    belief = _Column("belief", "Belief in the system's shared purpose, in [0, 1] (7.12).", 0.0, 1.0)
    experience = _Column("experience", "How settled the leader is in the system, in [0, 1] (7.11).", 0.0, 1.0)
    political = _Column("political", "Political pressure on a local authority, in [0, 1] (7.14).", 0.0, 1.0)

    @property
    def active(self) -> bool:
        """Whether the organisation is a member of the system now (7.10)."""
        return bool(self.model.organisations.active[self.index] == 1.0)

    @property
    def committed(self) -> bool:
        """Whether the organisation is committed to system working (7.13)."""
        return bool(self.model.organisations.committed[self.index] == 1.0)

    @property
    def engagement(self) -> str:
        """Engagement state: ``absent``, ``partner``, ``full`` or ``lead`` (7.14)."""
        return ENGAGEMENT_STATES[int(self.model.organisations.engagement[self.index])]

    def __init__(self, model: ICSModel, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def kind(self) -> str:
        """Kind of organisation, one of :data:`ics_abm.scenario.kinds.KINDS`."""
        return KINDS[self.model.organisations.kind[self.index]]

    @property
    def principal(self) -> str:
        """Who the organisation answers to, one of :data:`ics_abm.scenario.kinds.PRINCIPALS`."""
        return PRINCIPALS[self.model.organisations.principal[self.index]]

    @property
    def in_deficit(self) -> bool:
        """Whether the financial balance is negative."""
        return self.balance < 0.0

    @property
    def partners(self) -> list[Organisation]:
        """Organisations this one has a relationship with, in index order."""
        graph = self.model.graph
        return [self.model.organisation(j) for j in graph.target[graph.indptr[self.index] : graph.indptr[self.index + 1]]]

    def trust_in(self, other: Organisation) -> float:
        """Trust of this organisation in ``other``, in [0, 1]."""
        return float(self.model.arcs.trust[self._arc(other)])

    def collaborates_with(self, other: Organisation) -> bool:
        """Whether this organisation collaborated with ``other`` in the last step."""
        return bool(self.model.arcs.action[self._arc(other)])

    def _arc(self, other: Organisation) -> int:
        graph = self.model.graph
        lo, hi = graph.indptr[self.index], graph.indptr[self.index + 1]
        k = lo + int(np.searchsorted(graph.target[lo:hi], other.index))
        if k >= hi or graph.target[k] != other.index:
            raise KeyError(f"organisation {self.index} has no relationship with organisation {other.index}")
        return k

    def __repr__(self) -> str:
        return f"Organisation(index={self.index}, kind={self.kind!r}, balance={self.balance:.2f})"


class ICSModel(mesa.Model):
    """An integrated care system: organisations on a relationship graph, one step per month.

    Parameters
    ----------
    scenario : ics_abm.scenario.schema.Scenario
        A validated scenario (see :func:`ics_abm.load_scenario`).
    seed : int, optional
        Seed of the model's generator; defaults to the scenario's ``scenario.seed``.
    parallel : bool
        Use the parallel kernel (identical results).
    agents : bool
        Create the Mesa agent views (set False in sweeps, where nothing looks at them).

    Attributes
    ----------
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

    Examples
    --------
    >>> from ics_abm import ICSModel, load_scenario
    >>> model = ICSModel(load_scenario("scenarios/default.toml"), seed=1)
    >>> model.step()
    >>> 0.0 <= model.history()["mean_trust"].iloc[-1] <= 1.0
    True
    """

    def __init__(self, scenario, seed: int | None = None, *, parallel: bool = False, agents: bool = True):
        seed = whole_number(scenario.scenario.seed if seed is None else seed, "seed", 0, MAX_SEED)
        super().__init__(rng=seed)
        self.seed = seed
        self.scenario_config = scenario
        self.parallel = bool(parallel)
        initial = build_initial_state(scenario, self.rng)
        self.organisations = initial.organisations
        self.graph = initial.graph
        self.arcs = initial.arcs
        self.params = initial.params
        self.network: nx.Graph = initial.network
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
        self._views: dict[int, Organisation] = {}
        if agents:
            for i in range(self.organisations.kind.shape[0]):
                self.organisation(i)

    def organisation(self, index: int) -> Organisation:
        """The agent view of organisation ``index`` (created on first use)."""
        index = int(index)
        if not 0 <= index < self.organisations.kind.shape[0]:
            raise IndexError(f"there is no organisation {index} in a system of {self.organisations.kind.shape[0]}")
        if index not in self._views:
            self._views[index] = Organisation(self, index)
        return self._views[index]

    def step(self) -> None:
        """Advance one month (Mesa's ``model.step()``; ``model.run_for(n)`` advances n months)."""
        self._simulate(1)

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
            parallel=self.parallel, record_organisations=True, workspace=self._workspace,
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

    def fork(self) -> ICSModel:
        """An independent copy with the same state, history and future randomness (what-if branching).

        Stepping the copy and the original with the same changes gives identical results; a
        change made to one (an event, :meth:`set_values`) does not touch the other.
        """
        clone = ICSModel.__new__(ICSModel)
        mesa.Model.__init__(clone, rng=self.seed)
        owned_by_mesa = set(clone.__dict__)
        clone.rng.bit_generator.state = copy.deepcopy(self.rng.bit_generator.state)
        clone.random.setstate(self.random.getstate())
        clone.running = self.running
        # Bring Mesa's clock (time, steps and its step schedule) to the same point without
        # simulating: its scheduled steps call the no-op, the months are copied below.
        user_step, clone._user_step = clone._user_step, lambda: None
        if self.time > clone.time:
            clone._advance_time(self.time)
        clone._user_step = user_step
        for name, value in self.__dict__.items():
            if name not in owned_by_mesa and name != "_views":
                clone.__dict__[name] = copy.deepcopy(value)
        clone._views = {}
        for index in self._views:
            clone.organisation(index)
        return clone

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
