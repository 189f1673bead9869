"""Many runs at once: replicates (seeds) and parameter points advanced side by side, same numbers.

The public entry points are :func:`advance_batch` (arrays), :func:`run_batch` (one
:class:`ics_abm.RunResult` per run) and :func:`system_table` (the system outcomes of all runs as
one tidy table, what a sweep stores); they validate their inputs once.

The numbers are those of :func:`ics_abm.run`, bit for bit:

* initial states are built by the one builder of :mod:`ics_abm.engine.initial`, with the same
  draws from ``numpy.random.default_rng(seed)`` (what ``mesa.Model(rng=seed)`` makes);
* the runs are packed into one struct of arrays and advanced by the batch driver
  (:data:`ics_abm.engine.batch.advance_runs`), which steps each run with the same compiled step
  loop as a single run; the counter-based random numbers depend only on run key, step, index and
  stream;
* runs are advanced together up to the next month at which any of them has a scheduled event (or
  a month at a time during a regime change); there the events are applied in Python, per run, by
  :class:`ics_abm.ICSModel`'s own methods and :mod:`ics_abm.engine.events`, as in a single run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ics_abm.engine.batch import advance_runs
from ics_abm.engine.checks import check_params, check_state, check_system
from ics_abm.engine.initial import StateTemplate
from ics_abm.engine.layout import ARCS, ORGANISATIONS, PARAMS, WORKSPACE
from ics_abm.engine.state import Graph, Params
from ics_abm.metrics import METRICS, ORG_TRAJECTORY_FIELDS
from ics_abm.simulation import Simulation

__all__ = ["BatchTrajectory", "advance_batch", "run_batch", "system_table"]

_N_KINDS = 6


# --------------------------------------------------------------------------------------------
# A batch: packed runs, and each run as ICSModel's event handling sees it
# --------------------------------------------------------------------------------------------


class _Run:
    """One run of a batch where ``ICSModel``'s event handling sees it: the same attributes,
    arrays that are views into the packed state, and ``ICSModel``'s own methods."""

    _before_month = Simulation._before_month
    _apply = Simulation._apply
    _begin_regime_change = Simulation._begin_regime_change
    _regulators = Simulation._regulators
    _set_regulators = Simulation._set_regulators
    _pair_counts = Simulation._pair_counts
    _labels = Simulation._labels

    def __init__(self, scenario, seed, organisations, graph, arcs, params, system):
        self.scenario_config = scenario
        self.seed = seed
        self.organisations, self.graph, self.arcs, self.params, self.system = organisations, graph, arcs, params, system
        self.months_simulated = 0
        self.event_log: list[dict] = []
        self._schedule = sorted(scenario.events, key=lambda event: event.month)  # stable, as ICSModel
        self._dormant = set(np.flatnonzero(organisations.active == 0.0).tolist())
        self._regime_change = None


class _Batch:
    """The packed state of a batch of runs, and each run's view of it (:class:`_Run`)."""

    def __init__(self, scenarios, seeds, steps, record_organisations):
        templates: dict[int, StateTemplate] = {}
        states = []
        for scenario, seed in zip(scenarios, seeds):
            template = templates.get(id(scenario))
            if template is None:
                template = templates[id(scenario)] = StateTemplate(scenario)
                check_params(template.params)
            states.append(template.build(seed))
        sizes = np.array([s.organisations.kind.shape[0] for s in states], dtype=np.int64)
        arc_sizes = np.array([s.graph.target.shape[0] for s in states], dtype=np.int64)
        self.org_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.arc_ptr = np.concatenate([[0], np.cumsum(arc_sizes)]).astype(np.int64)
        self.orgs = ORGANISATIONS.pack([s.organisations for s in states])
        self.arcs = ARCS.pack([s.arcs for s in states])
        self.ws = tuple(np.zeros_like(group) for group in WORKSPACE.empty(int(self.org_ptr[-1])))
        self.indptr = np.concatenate([s.graph.indptr for s in states]).astype(np.int64)
        self.target = np.concatenate([s.graph.target for s in states]).astype(np.int64)
        self.reverse = np.concatenate([s.graph.reverse for s in states]).astype(np.int64)
        self.params = PARAMS.pack_items([s.params for s in states])
        self.system = np.stack([s.system for s in states]).astype(np.float64)
        self.keys = np.array([s.key for s in states], dtype=np.int64)
        n_runs = len(states)
        self.out = np.empty((n_runs, steps, len(METRICS)), dtype=np.float64)
        self.kind_trust = np.empty((n_runs, steps, _N_KINDS, _N_KINDS), dtype=np.float64)
        self.live_pairs = np.zeros((n_runs, steps, _N_KINDS, _N_KINDS), dtype=np.int64)  # per month, as ICSModel
        per_run = sizes * steps * len(ORG_TRAJECTORY_FIELDS) if record_organisations else np.zeros_like(sizes)
        self.org_out_ptr = np.concatenate([[0], np.cumsum(per_run)]).astype(np.int64)
        self.org_out = np.empty(int(self.org_out_ptr[-1]), dtype=np.float64)
        self.runs = [self._view(r, scenario, seed, state.params) for r, (scenario, seed, state) in enumerate(zip(scenarios, seeds, states))]
        self._check(scenarios)

    def _check(self, scenarios) -> None:
        """The checks :func:`ics_abm.engine.step.advance` makes, once: every invariant on the first run of
        each scenario (the others are built by the same code), and for every run the values its
        seed draws (finite numbers; trust in [0, 1]; budgets > 0)."""
        first: dict[int, int] = {}
        for r, scenario in enumerate(scenarios):
            first.setdefault(id(scenario), r)
        for r in first.values():
            run = self.runs[r]
            check_state(run.organisations, run.graph, run.arcs)
            check_system(run.system, run.organisations.kind.shape[0])
        for group in (*self.orgs, *self.arcs, self.system):
            if group.dtype == np.float64 and not np.all(np.isfinite(group)):
                raise ValueError("the initial state of a run holds NaN or inf")
        trust, budget = ARCS.field(self.arcs, "trust"), ORGANISATIONS.field(self.orgs, "budget")
        if trust.size and (trust.min() < 0.0 or trust.max() > 1.0) or np.any(budget <= 0.0):
            raise ValueError("the initial state of a run has trust outside [0, 1] or a budget <= 0")

    def _view(self, r: int, scenario, seed: int, params: Params) -> _Run:
        o0, o1 = int(self.org_ptr[r]), int(self.org_ptr[r + 1])
        a0, a1 = int(self.arc_ptr[r]), int(self.arc_ptr[r + 1])
        graph = Graph(self.indptr[o0 + r : o1 + r + 1], self.target[a0:a1], self.reverse[a0:a1])
        return _Run(scenario, seed, ORGANISATIONS.rows(self.orgs, o0, o1), graph, ARCS.rows(self.arcs, a0, a1), params, self.system[r])

    def set_params(self, r: int, params: Params) -> None:
        """Run ``r`` continues with ``params`` (after a regime change moved its regulators)."""
        PARAMS.set_item(self.params, r, params)

    def organisation_rows(self, r: int) -> np.ndarray:
        """Run ``r``'s organisation outputs, shape (S, n_r, F), or (S, 0, F) when not recorded."""
        n = int(self.org_ptr[r + 1] - self.org_ptr[r])
        rows = self.org_out[self.org_out_ptr[r] : self.org_out_ptr[r + 1]]
        return rows.reshape(self.out.shape[1], n if rows.size else 0, len(ORG_TRAJECTORY_FIELDS))

    def advance(self, first_step: int, n_steps: int, parallel: bool) -> None:
        kernel = advance_runs.parallel if parallel else advance_runs.serial
        kernel(self.orgs, self.indptr, self.target, self.reverse, self.arcs, self.ws, self.params, self.system, self.keys,
               self.org_ptr, self.arc_ptr, np.int64(first_step), np.int64(first_step - 1), np.int64(n_steps),
               self.out, self.kind_trust, self.org_out, self.org_out_ptr)


def _simulate(batch: _Batch, steps: int, parallel: bool, live_pairs: bool = False) -> None:
    """Advance every run ``steps`` months, stopping where any run has an event to apply; ``live_pairs``:
    also record each run's live arcs per pair of kinds per month (for ``run_batch``'s trust-by-kind tables)."""
    eventful = [r for r, run in enumerate(batch.runs) if run._schedule]
    month = 1
    while month <= steps:
        span = steps - month + 1
        for r in eventful:  # as ICSModel._simulate, for each run
            run = batch.runs[r]
            run.months_simulated = month - 1
            before, applied = run.params, len(run.event_log)
            run._before_month(month)  # ICSModel's own: events due, regulators along a regime change
            if run.params is not before:
                check_params(run.params)
                batch.set_params(r, run.params)
            if len(run.event_log) > applied:  # as advance() would check the state after an event
                check_state(run.organisations, run.graph, run.arcs)
                check_system(run.system, run.organisations.kind.shape[0])
            if run._regime_change is not None:
                span = 1
            if run._schedule:
                span = min(span, run._schedule[0].month - month)
        for r, run in enumerate(batch.runs if live_pairs else ()):  # live relationships change only where events act
            batch.live_pairs[r, month - 1:month - 1 + span] = run._pair_counts(live=True)
        batch.advance(month, span, parallel)
        month += span
    for run in batch.runs:
        run.months_simulated = steps


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


class BatchTrajectory(NamedTuple):
    """Outputs of :func:`advance_batch` for ``R`` runs of ``S`` months.

    Attributes
    ----------
    system : ndarray of float64, shape (R, S, len(METRICS))
        System outputs per run and month, columns as in :data:`ics_abm.metrics.METRICS`.
    trust_by_kind : ndarray of float64, shape (R, S, 6, 6)
        Mean trust from kind ``a`` to kind ``b`` per run and month; NaN where there are no arcs.
    organisations : list of ndarray of float64, shape (S, n_r, len(ORG_TRAJECTORY_FIELDS))
        Organisation outputs of each run (``n_r`` is 0 when not recorded).
    kinds : list of ndarray of int64, shape (n_r,)
        Kind of each organisation of each run.
    pair_counts : ndarray of int64, shape (R, 6, 6)
        Number of arcs from kind ``a`` to kind ``b`` in each run.
    relationships : ndarray of int64, shape (R,)
        Relationships (undirected) of each run.
    event_logs : list of list of dict
        The events each run applied (as :attr:`ics_abm.ICSModel.event_log`).
    """

    system: np.ndarray
    trust_by_kind: np.ndarray
    organisations: list
    kinds: list
    pair_counts: np.ndarray
    relationships: np.ndarray
    event_logs: list


def _check_inputs(scenario, seeds, steps, function: str):
    from ics_abm.scenario.schema import Scenario

    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence | np.ndarray):
        raise TypeError(f"The 'seeds' parameter of {function} must be a sequence of whole numbers >= 0. Got {seeds!r} instead.")
    seeds = list(seeds)
    if not seeds:
        raise ValueError(f"The 'seeds' parameter of {function} must hold at least one seed. Got an empty sequence instead.")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"The 'seeds' parameter of {function} must hold whole numbers >= 0. Got {seed!r} instead.")
    seeds = [int(seed) for seed in seeds]
    if isinstance(scenario, Scenario):
        scenarios = [scenario] * len(seeds)
    elif isinstance(scenario, Sequence) and all(isinstance(s, Scenario) for s in scenario) and len(scenario) == len(seeds):
        scenarios = list(scenario)
    else:
        raise TypeError(
            f"The 'scenario' parameter of {function} must be a Scenario or a sequence of Scenarios, one per seed "
            f"({len(seeds)}). Got {type(scenario).__name__} instead."
        )
    if steps is None:
        wanted = {int(s.scenario.steps) for s in scenarios}
        if len(wanted) != 1:
            raise ValueError(f"The 'steps' parameter of {function} must be given when the scenarios' steps differ. Got {sorted(wanted)}.")
        steps = wanted.pop()
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"The 'steps' parameter of {function} must be a whole number >= 1. Got {steps!r} instead.")
    return scenarios, seeds, int(steps)


def advance_batch(scenario, seeds: Sequence[int], steps: int | None = None, *, record_organisations: bool = False,
                  parallel: bool = True) -> BatchTrajectory:
    """Run ``len(seeds)`` runs in one compiled call; the same numbers as :func:`ics_abm.run`, bit for bit.

    Parameters
    ----------
    scenario : Scenario or sequence of Scenario
        One validated scenario for every run, or one per run (parameter points; systems may
        differ in size and events).
    seeds : sequence of int
        Seed of each run (>= 0), as ``run(scenario, seed)`` takes it.
    steps : int, optional
        Months to simulate (default: the scenarios' ``scenario.steps``, which must then agree).
    record_organisations : bool
        Also return per-organisation trajectories.
    parallel : bool
        Spread the runs over the cores (``prange`` over runs); ``False`` runs them in turn in one
        thread (for a process that is itself one of several workers). Same numbers either way.

    Returns
    -------
    BatchTrajectory

    Raises
    ------
    TypeError, ValueError
        One sentence naming the parameter, what was expected and what was given.

    Examples
    --------
    >>> from ics_abm import load_scenario
    >>> batch = advance_batch(load_scenario("scenarios/default.toml"), seeds=[0, 1, 2], steps=24)
    >>> batch.system.shape[:2], batch.relationships.shape
    ((3, 24), (3,))
    """
    scenarios, seeds, steps = _check_inputs(scenario, seeds, steps, "advance_batch")
    batch = _Batch(scenarios, seeds, steps, bool(record_organisations))
    _simulate(batch, steps, bool(parallel))
    return BatchTrajectory(
        system=batch.out,
        trust_by_kind=batch.kind_trust,
        organisations=[batch.organisation_rows(r) for r in range(len(batch.runs))],
        kinds=[run.organisations.kind for run in batch.runs],
        pair_counts=np.stack([run._pair_counts() for run in batch.runs]),
        relationships=np.diff(batch.arc_ptr) // 2,
        event_logs=[run.event_log for run in batch.runs],
    )


def system_table(scenario, seeds: Sequence[int], steps: int | None = None, *, parallel: bool = True):
    """The monthly system outcomes of many runs as one tidy table (what a sweep stores).

    Parameters
    ----------
    scenario, seeds, steps, parallel
        As for :func:`advance_batch`.

    Returns
    -------
    pandas.DataFrame, shape (len(seeds) * steps, 2 + len(METRICS))
        ``run`` (the run's position in ``seeds``), ``step`` and the metrics of
        :data:`ics_abm.metrics.METRICS` (counts as int64, as in :func:`ics_abm.run`'s system
        table), in run order then month order; run ``r``'s rows equal the ``step`` and metric
        columns of ``run(scenario_r, seeds[r], steps).system`` bit for bit.

    Examples
    --------
    >>> from ics_abm import load_scenario
    >>> table = system_table(load_scenario("scenarios/default.toml"), [1, 2], steps=12, parallel=False)
    >>> table.shape[0], table["run"].unique().tolist()
    (24, [0, 1])
    """
    import pandas as pd

    from ics_abm.output.tables import INTEGER_METRICS

    scenarios, seeds, steps = _check_inputs(scenario, seeds, steps, "system_table")
    batch = _Batch(scenarios, seeds, steps, False)
    _simulate(batch, steps, bool(parallel))
    n_runs = len(seeds)
    frame = pd.DataFrame(batch.out.reshape(n_runs * steps, len(METRICS)), columns=list(METRICS))
    for name in INTEGER_METRICS:
        frame[name] = frame[name].astype(np.int64)
    frame.insert(0, "step", np.tile(np.arange(1, steps + 1, dtype=np.int64), n_runs))
    frame.insert(0, "run", np.repeat(np.arange(n_runs, dtype=np.int64), steps))
    return frame


def run_batch(scenario, seeds: Sequence[int], steps: int | None = None, *, record_organisations: bool = False,
              parallel: bool = True) -> list:
    """Run ``len(seeds)`` runs at once; one :class:`ics_abm.RunResult` per run, as :func:`ics_abm.run` makes it.

    The ``system`` and ``trust_by_kind`` tables equal those of ``run(scenario, seed, steps)``
    bit for bit, and so does ``organisations`` when ``record_organisations`` is true (otherwise
    it has the columns and no rows). ``metadata["wall_time_s"]`` is the wall time of the whole
    batch and ``metadata["batch_runs"]`` the number of runs in it.

    Parameters
    ----------
    scenario, seeds, steps, record_organisations, parallel
        As for :func:`advance_batch`.

    Returns
    -------
    list of RunResult
        In the order of ``seeds``.

    Examples
    --------
    >>> from ics_abm import load_scenario, run
    >>> scenario = load_scenario("scenarios/default.toml")
    >>> results = run_batch(scenario, seeds=[3, 4], steps=12)
    >>> results[0].system.equals(run(scenario, seed=3, steps=12).system)
    True
    """
    from ics_abm._version import __version__
    from ics_abm.output.tables import organisation_frame, system_frame, trust_by_kind_frame
    from ics_abm.run import RunResult
    from ics_abm.scenario.loading import scenario_to_dict

    started = time.perf_counter()
    scenarios, seeds, steps = _check_inputs(scenario, seeds, steps, "run_batch")
    batch = _Batch(scenarios, seeds, steps, bool(record_organisations))
    _simulate(batch, steps, bool(parallel), live_pairs=True)
    wall = time.perf_counter() - started
    parameters: dict[int, dict] = {}
    results = []
    empty = None
    for r, (point, run) in enumerate(zip(scenarios, batch.runs)):
        if id(point) not in parameters:
            parameters[id(point)] = scenario_to_dict(point)
        labels = run._labels()
        metadata = {
            "scenario": point.scenario.name,
            "seed": run.seed,
            "steps": steps,
            "organisations": int(run.organisations.kind.shape[0]),
            "relationships": int(run.graph.target.shape[0] // 2),
            "parameters": parameters[id(point)],
            "ics_abm_version": __version__,
            "wall_time_s": wall,
            "batch_runs": len(batch.runs),
        }
        if record_organisations:
            organisations = organisation_frame(batch.organisation_rows(r), run.organisations.kind, labels)
        else:  # the columns and dtypes of the table, no rows
            if empty is None:
                empty = organisation_frame(np.zeros((1, 1, len(ORG_TRAJECTORY_FIELDS))), np.zeros(1, dtype=np.int64), labels).iloc[:0]
            organisations = empty.copy()
        results.append(RunResult(
            system=system_frame(batch.out[r], labels),
            trust_by_kind=trust_by_kind_frame(batch.kind_trust[r], batch.live_pairs[r], labels),
            organisations=organisations,
            metadata=metadata,
        ))
    return results
