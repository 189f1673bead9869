"""The Mesa model of an integrated care system, and organisations as thin views over its arrays.

The model owns time and randomness (``Model(rng=seed)``); its state lives in the struct of arrays
of :mod:`ics_abm.state`, advanced by :func:`ics_abm.kernel.advance`. An :class:`Organisation` is a
Mesa agent that holds only its row index: reading or setting ``agent.altruism`` reads or writes
``model.organisations.altruism[agent.index]``, so there is never a second copy of the state.
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np

from .build import build_initial_state
from .kernel import METRICS, ORG_TRAJECTORY_FIELDS, advance
from .kinds import KINDS, PRINCIPALS
from .state import arc_sources, make_workspace

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

    def __init__(self, model: ICSModel, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def kind(self) -> str:
        """Kind of organisation, one of :data:`ics_abm.kinds.KINDS`."""
        return KINDS[self.model.organisations.kind[self.index]]

    @property
    def principal(self) -> str:
        """Who the organisation answers to, one of :data:`ics_abm.kinds.PRINCIPALS`."""
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
    scenario : ics_abm.scenario.Scenario
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
        The state arrays and resolved parameters (:mod:`ics_abm.state`).
    network : networkx.Graph
        The relationship graph; node ``i`` is organisation ``i``.
    progress : float
        Integration progress.

    Examples
    --------
    >>> from ics_abm import ICSModel, load_scenario
    >>> model = ICSModel(load_scenario("scenarios/default.toml"), seed=1)
    >>> model.step()
    >>> 0.0 <= model.history()["mean_trust"].iloc[-1] <= 1.0
    True
    """

    def __init__(self, scenario, seed: int | None = None, *, parallel: bool = False, agents: bool = True):
        seed = int(scenario.scenario.seed if seed is None else seed)
        if seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed}")
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
        self.progress = 0.0
        self._workspace = make_workspace(self.organisations.kind.shape[0])
        self._system: list[np.ndarray] = []
        self._trust_by_kind: list[np.ndarray] = []
        self._organisation_rows: list[np.ndarray] = []
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
        # Several months in one kernel call, outside Mesa's clock: used by ``ics_abm.run``, whose
        # model is never stepped through Mesa. Same numbers as ``months`` calls of ``step()``.
        first = len(self._system) + 1
        trajectory = advance(
            self.organisations, self.graph, self.arcs, self.params,
            key=self.key, first_step=first, n_steps=int(months), progress=self.progress,
            parallel=self.parallel, record_organisations=True, workspace=self._workspace,
        )
        self.progress = trajectory.progress
        self._system.extend(trajectory.system)
        self._trust_by_kind.extend(trajectory.trust_by_kind)
        self._organisation_rows.extend(trajectory.organisations)

    @property
    def months_simulated(self) -> int:
        """Number of months simulated so far."""
        return len(self._system)

    def history(self):
        """System outputs per month as a tidy :class:`pandas.DataFrame` (one row per step)."""
        from .outputs import system_frame

        return system_frame(np.array(self._system).reshape(-1, len(METRICS)), self._labels())

    def trust_by_kind_history(self):
        """Mean trust per month and ordered pair of kinds, tidy (one row per step and pair)."""
        from .outputs import trust_by_kind_frame

        return trust_by_kind_frame(np.array(self._trust_by_kind).reshape(-1, 6, 6), self._pair_counts(), self._labels())

    def organisation_history(self):
        """Organisation outputs per month, tidy (one row per step and organisation)."""
        from .outputs import organisation_frame

        rows = np.array(self._organisation_rows).reshape(-1, self.organisations.kind.shape[0], len(ORG_TRAJECTORY_FIELDS))
        return organisation_frame(rows, self.organisations.kind, self._labels())

    def _labels(self) -> dict[str, object]:
        return {"scenario": self.scenario_config.scenario.name, "seed": self.seed}

    def _pair_counts(self) -> np.ndarray:
        counts = np.zeros((6, 6), dtype=np.int64)
        source = arc_sources(self.graph)
        np.add.at(counts, (self.organisations.kind[source], self.organisations.kind[self.graph.target]), 1)
        return counts
