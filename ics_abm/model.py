"""The Mesa model of an integrated care system, and organisations as thin views over its arrays.

The model owns time and randomness (``Model(rng=seed)``); its state lives in the struct of arrays
of :mod:`ics_abm.engine.state`, advanced by :func:`ics_abm.engine.step.advance`; all of that is
:class:`ics_abm.simulation.Simulation`, which runs without Mesa, and :class:`ICSModel` adds Mesa's
clock and agents to it. An :class:`Organisation` is a
Mesa agent that holds only its row index: reading or setting ``agent.altruism`` reads or writes
``model.organisations.altruism[agent.index]``, so there is never a second copy of the state.
"""

from __future__ import annotations

import copy

import mesa
import numpy as np

from ics_abm.engine.initial import ENGAGEMENT_STATES
from ics_abm.limits import MAX_SEED, whole_number
from ics_abm.scenario.kinds import KINDS, PRINCIPALS
from ics_abm.simulation import Simulation

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


class ICSModel(Simulation, mesa.Model):
    """An integrated care system: organisations on a relationship graph, one step per month.

    Parameters
    ----------
    scenario : ics_abm.scenario.schema.Scenario
        A validated scenario (see :func:`ics_abm.load_scenario`).
    seed : int, optional
        Seed of the model's generator; defaults to the scenario's ``scenario.seed``.
    parallel : bool or None
        ``None`` (default) or ``True``: the parallel kernel where the system is large enough for
        it to pay (:func:`ics_abm.engine.dispatch.step_in_parallel`); ``False``: always serial.
        Identical results either way.
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

    def __init__(self, scenario, seed: int | None = None, *, parallel: bool | None = None, agents: bool = True):
        seed = whole_number(scenario.scenario.seed if seed is None else seed, "seed", 0, MAX_SEED)
        mesa.Model.__init__(self, rng=seed)
        self._set_up(scenario, seed, parallel)
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
