"""Experiment designs: the table of runs a sweep file asks for.

Levers (options a decision maker controls) and uncertainties (what nobody controls) are kept
apart, as in EMA Workbench: every combination of lever options (a *policy*) is run on the same
sample of uncertainties, and replicate ``r`` of every point uses the same seed (common random
numbers, :mod:`ics_abm.experiments.sweeps.seeds`). The uncertainties are crossed in full (``factorial``) or
sampled with SALib (``lhs``, ``sobol`` by Saltelli's scheme, ``morris`` trajectories).

Numbering, fixed by the design alone (never by the order in which runs finish):

* ``policy_id``: combinations of lever options, the last lever varying fastest;
* ``sample_id``: rows of the uncertainty sample, in the sampler's order (which SALib's analyses
  rely on);
* ``point_id = policy_id * n_samples + sample_id``;
* ``run_id = point_id * replicates + replicate``;
* design ``posterior``: ``sample_id`` is the parameter draw ``d`` (every policy runs every draw,
  replicate ``r`` of each on seed ``r``: common parameter draws and common random numbers), and
  ``posterior_draw`` is the row of the posterior it came from;
* batch ``b`` holds runs ``b * batch_size`` to ``(b + 1) * batch_size - 1``: the replicates of a
  point are in the same batch where possible, ready for a kernel that runs many replicates at once.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.experiments.sweeps.spec import SweepSpec
from ics_abm.limits import check_run_size, check_sweep_size

__all__ = ["Design", "RunSpec", "build_design", "auto_batch_size"]

#: When ``batch_size`` is not given: at most about 256 batches (enough to balance tens of workers),
#: at least 8 (two rounds for four workers), and no fewer than 16 runs per batch where that allows
#: 8, so that the fixed cost of a task (dispatch, one Parquet file) stays small beside its runs.
_MAX_BATCHES, _MIN_BATCHES, _MIN_RUNS, _MAX_RUNS = 256, 8, 16, 1000


def auto_batch_size(n_runs: int) -> int:
    """Runs per batch when the sweep file does not say (see the constants above)."""
    size = max(math.ceil(n_runs / _MAX_BATCHES), min(_MIN_RUNS, math.ceil(n_runs / _MIN_BATCHES)))
    return max(1, min(_MAX_RUNS, size))


@dataclass(frozen=True)
class RunSpec:
    """One run, as a task carries it to a worker.

    Attributes
    ----------
    run_id, point_id, policy_id, sample_id, replicate : int
        Identifiers (see the module docstring).
    seed : int
        Model seed, in [0, 2**63).
    values : dict
        Dotted path -> value of every varied parameter at this point.
    posterior_draw : int or None
        Design ``posterior``: the row of the posterior whose parameters the run uses.
    """

    run_id: int
    point_id: int
    policy_id: int
    sample_id: int
    replicate: int
    seed: int
    values: dict
    posterior_draw: int | None = None


def _salib_problem(spec: SweepSpec) -> dict:
    """The SALib problem: one variable per range; whole-number fields sampled on [lo, hi + 1)."""
    bounds = [[lo, hi + 1] if spec.kinds[path] == "integer" else [lo, hi] for path, (lo, hi) in spec.ranges.items()]
    return {"num_vars": len(spec.ranges), "names": list(spec.ranges),
            "bounds": [[float(a), float(b)] for a, b in bounds]}


def _sample(spec: SweepSpec) -> np.ndarray:
    """The uncertainty sample as drawn, shape (n_samples, n_uncertainties)."""
    problem = _salib_problem(spec)
    if spec.design == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, spec.samples, seed=spec.design_seed)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, spec.samples, calc_second_order=spec.second_order, seed=spec.design_seed)
    if spec.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.design_seed)
    raise ValueError(f"not a sampled design: {spec.design!r}")


def _applied(spec: SweepSpec, path: str, column: np.ndarray) -> list:
    """Sampled values as the scenario takes them: whole-number fields floored into [lo, hi]."""
    if spec.kinds[path] == "integer":
        lo, hi = spec.ranges[path]
        return [int(v) for v in np.clip(np.floor(column), lo, hi).astype(np.int64)]
    return [float(v) for v in column]


@dataclass(frozen=True)
class Design:
    """The runs of a sweep.

    Attributes
    ----------
    spec : SweepSpec
        The validated sweep file.
    policies : pandas.DataFrame
        One row per combination of lever options: ``policy_id`` and one column per lever.
    sample : pandas.DataFrame
        One row per sample of uncertainties: ``sample_id`` and one column per uncertainty, as
        drawn (before whole-number fields are floored); what the sensitivity analyses use.
    points : pandas.DataFrame
        One row per design point: ``point_id, policy_id, sample_id`` and every varied parameter
        as the scenario receives it.
    seeds : ndarray of int64, shape (replicates,)
        Seed of each replicate (the same at every point).
    batch_size : int
        Runs per batch (task).
    problem : dict or None
        The SALib problem of a sampled design (names, bounds).
    """

    spec: SweepSpec
    policies: pd.DataFrame
    sample: pd.DataFrame
    points: pd.DataFrame
    seeds: np.ndarray
    batch_size: int
    problem: dict | None

    @property
    def n_runs(self) -> int:
        """Number of runs: points x replicates."""
        return len(self.points) * self.spec.replicates

    @property
    def n_batches(self) -> int:
        """Number of batches (tasks)."""
        return math.ceil(self.n_runs / self.batch_size)

    def batch_run_ids(self, batch: int) -> range:
        """Run ids of batch ``batch``."""
        return range(batch * self.batch_size, min((batch + 1) * self.batch_size, self.n_runs))

    def run(self, run_id: int) -> RunSpec:
        """The specification of run ``run_id``."""
        point_id, replicate = divmod(int(run_id), self.spec.replicates)
        row = self._point_rows[point_id]
        return RunSpec(
            run_id=int(run_id),
            point_id=point_id,
            policy_id=row["policy_id"],
            sample_id=row["sample_id"],
            replicate=replicate,
            seed=int(self.seeds[replicate]),
            values={p: row[p] for p in self.spec.parameters},
            posterior_draw=int(row["posterior_draw"]) if "posterior_draw" in row else None,
        )

    @cached_property
    def _point_rows(self) -> list[dict]:
        return self.points.to_dict("records")

    def runs(self) -> pd.DataFrame:
        """One row per run: ``run_id, point_id, policy_id, sample_id, replicate, root_seed,
        spawn_key, seed, batch`` (design ``posterior``: then ``posterior_draw``) and the varied parameters."""
        replicates = self.spec.replicates
        frame = self.points.loc[self.points.index.repeat(replicates)].reset_index(drop=True)
        replicate = np.tile(np.arange(replicates, dtype=np.int64), len(self.points))
        run_id = np.arange(len(frame), dtype=np.int64)
        ids = pd.DataFrame({
            "run_id": run_id,
            "point_id": frame["point_id"].to_numpy(np.int64),
            "policy_id": frame["policy_id"].to_numpy(np.int64),
            "sample_id": frame["sample_id"].to_numpy(np.int64),
            "replicate": replicate,
            "root_seed": np.full(len(frame), self.spec.root_seed, dtype=np.int64),
            "spawn_key": replicate,
            "seed": self.seeds[replicate],
            "batch": run_id // self.batch_size,
        })
        if "posterior_draw" in frame.columns:
            ids["posterior_draw"] = frame["posterior_draw"].to_numpy(np.int64)
        return pd.concat([ids, frame[self.spec.parameters]], axis=1)

    @cached_property
    def digest(self) -> str:
        """SHA-256 of everything that decides the results: base scenario, steps, points, seeds,
        batching. Two sweeps with the same digest write the same files."""
        spec = self.spec
        content = {
            "base": spec.base,
            "steps": spec.steps,
            "kinds": spec.kinds,
            "points": self.points.to_dict("split"),
            "root_seed": spec.root_seed,
            "seeds": [int(s) for s in self.seeds],
            "batch_size": self.batch_size,
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def planned_runs(spec: SweepSpec) -> int:
    """Runs the design of ``spec`` will have, counted before anything is drawn or expanded."""
    policies = math.prod(len(v) for v in spec.levers.values())
    d = len(spec.ranges)
    samples = {
        None: 1,
        "factorial": math.prod(len(v) for v in spec.values.values()),
        "lhs": spec.samples or 0,
        "sobol": (spec.samples or 0) * ((2 * d + 2) if spec.second_order else (d + 2)),
        "morris": (spec.samples or 0) * (d + 1),
        "posterior": spec.posterior.n if spec.posterior is not None else 0,
    }.get(spec.design, spec.samples or 0)
    return policies * samples * spec.replicates


def largest_system(spec: SweepSpec) -> int:
    """The most organisations any run of ``spec`` starts with (each kind at its largest swept count)."""
    counts = dict(spec.base.get("organisations", {}))
    for table in (spec.constants, spec.levers, spec.values, spec.ranges):
        for path, value in table.items():
            if path.startswith("organisations."):
                options = value if isinstance(value, (tuple, list)) else (value,)
                counts[path.split(".", 1)[1]] = max(int(v) for v in options)
    return sum(int(v) for v in counts.values())


def build_design(spec: SweepSpec) -> Design:
    """Expand a validated sweep into its design.

    Parameters
    ----------
    spec : SweepSpec

    Returns
    -------
    Design

    Raises
    ------
    SweepError
        If a combination of values is not a valid scenario (each value on its own was checked
        when the file was read), naming the first such point; or if the design has more runs
        than a laptop can do (:func:`ics_abm.limits.check_sweep_size`; ``ICS_ABM_ALLOW_LARGE=1``
        lifts that bound).
    """
    from ics_abm.experiments.sweeps.errors import SweepError

    try:
        check_sweep_size(planned_runs(spec), spec.path)
        check_run_size(largest_system(spec), spec.steps, spec.path)
    except ValueError as exc:
        raise SweepError(spec.path, str(exc).removeprefix(f"{spec.path}: ")) from None
    levers = list(spec.levers)
    policy_rows = list(itertools.product(*spec.levers.values()))
    policies = pd.DataFrame(policy_rows, columns=levers)
    policies.insert(0, "policy_id", np.arange(len(policies), dtype=np.int64))

    problem = None
    if spec.design is None:
        sample, applied = pd.DataFrame(index=range(1)), pd.DataFrame(index=range(1))
    elif spec.design == "factorial":
        sample = pd.DataFrame(list(itertools.product(*spec.values.values())), columns=list(spec.values))
        applied = sample.copy()
    elif spec.design == "posterior" and spec.posterior is not None:
        drawn = spec.posterior.table  # drawn once, here in the parent: tasks carry the values
        sample = drawn[["posterior_draw", *spec.posterior.parameters]].reset_index(drop=True)
        applied = sample.copy()
    else:
        problem = _salib_problem(spec)
        drawn = _sample(spec)
        sample = pd.DataFrame(drawn, columns=list(spec.ranges))
        applied = pd.DataFrame({p: _applied(spec, p, drawn[:, i]) for i, p in enumerate(spec.ranges)})
    sample.insert(0, "sample_id", np.arange(len(sample), dtype=np.int64))
    applied.insert(0, "sample_id", np.arange(len(applied), dtype=np.int64))

    points = policies.merge(applied, how="cross")
    points.insert(0, "point_id", np.arange(len(points), dtype=np.int64))
    drawn_from = ["posterior_draw"] if "posterior_draw" in points.columns else []
    points = points[["point_id", "policy_id", "sample_id", *drawn_from, *spec.parameters]]
    for path in spec.parameters:  # one column type per parameter, from the scenario field
        points[path] = points[path].astype({"integer": "int64", "number": "float64", "boolean": "bool"}.get(
            spec.kinds[path], "object"))

    n_runs = len(points) * spec.replicates
    design = Design(
        spec=spec,
        policies=policies,
        sample=sample,
        points=points,
        seeds=replicate_seeds(spec.root_seed, spec.replicates),
        batch_size=spec.batch_size or auto_batch_size(n_runs),
        problem=problem,
    )
    _check_points(design)
    return design


def _check_points(design: Design) -> None:
    """Every point must be a valid scenario (values were checked one at a time when read)."""
    from ics_abm.experiments.sweeps.errors import SweepError
    from ics_abm.experiments.sweeps.parameters import with_values
    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import scenario_from_dict

    spec = design.spec
    if len(spec.parameters) < 2 and spec.posterior is None:
        return  # each value was already checked with every other parameter at its base value
    for row in design.points.to_dict("records"):
        values = {p: row[p] for p in spec.parameters}
        try:
            scenario_from_dict(with_values(spec.base, values), source=spec.path)
        except ScenarioError as exc:
            shown = ", ".join(f"{p}={v!r}" for p, v in values.items())
            if "posterior_draw" in row:
                shown += f", from row {row['posterior_draw']} of the posterior"
            raise SweepError(spec.path, f"design point {row['point_id']} ({shown}) is not a valid scenario: "
                                        f"{exc.problem}") from None
