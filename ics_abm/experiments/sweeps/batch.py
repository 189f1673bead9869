"""The unit of work of a sweep: a batch of runs -> one Parquet file, written where it is computed.

A task (:class:`BatchTask`) carries everything its runs need (base scenario data, months, run
specifications), so a worker needs nothing but an installed ics_abm and the results folder. It
writes its file atomically (:func:`ics_abm.experiments.sweeps.store.write_parquet`) and returns only a small
:class:`BatchSummary`. Running a task twice (a worker presumed dead that was only slow, a resumed
sweep) writes the same bytes to the same name, so a run can never appear twice.

:func:`simulate_batch` is the one place where runs are computed: a kernel that advances many
replicates at once can replace its loop without changing anything else.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ics_abm.experiments.sweeps.design import RunSpec

__all__ = ["BatchTask", "BatchSummary", "ID_COLUMNS", "simulate_batch", "simulate_one_by_one", "batch_table", "run_batch"]

#: Identifier columns at the head of every result row, in order.
ID_COLUMNS = ("run_id", "point_id", "policy_id", "sample_id", "replicate", "root_seed", "spawn_key", "seed")
_ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "boolean": pa.bool_()}


@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs to compute and store one batch.

    Attributes
    ----------
    batch : int
        Batch number.
    path : str
        The batch file to write (on a filesystem the worker sees).
    base : dict
        Base scenario data (constants applied).
    steps : int
        Months per run.
    root_seed : int
        Root of the seed sequence (stored in every row).
    runs : tuple of RunSpec
        The runs, in run-id order.
    parameters : tuple of (str, str or None)
        Varied parameters and what their scenario field holds (column types).
    provenance : dict
        Sweep name and design digest, stored in the file's metadata.
    """

    batch: int
    path: str
    base: dict
    steps: int
    root_seed: int
    runs: tuple[RunSpec, ...]
    parameters: tuple[tuple[str, str | None], ...]
    provenance: dict


@dataclass(frozen=True)
class BatchSummary:
    """What a task returns: small, whatever the size of its results.

    Attributes
    ----------
    batch : int
    runs : int
        Runs computed.
    rows : int
        Rows written.
    seconds : float
        Wall time of the task on the worker.
    worker : str
        ``host:pid`` of the process that ran it.
    ics_abm_version : str
        Version of ics_abm on the worker.
    """

    batch: int
    runs: int
    rows: int
    seconds: float
    worker: str
    ics_abm_version: str


def simulate_batch(base: dict, runs: Sequence[RunSpec], steps: int, parallel: bool = False) -> pd.DataFrame:
    """Run every run of a batch with the batched kernel; the monthly system outcomes in one table.

    The same table, bit for bit, as :func:`simulate_one_by_one` (one :func:`ics_abm.run` per run),
    from one :func:`ics_abm.experiments.batch.system_table` call (about 3 ms per run of the default
    scenario against about 15 ms one by one; ``tests/test_batch.py`` checks the tables are equal).

    Parameters
    ----------
    base : dict
        Base scenario data; each run sets its parameter values on a copy.
    runs : sequence of RunSpec
    steps : int
        Months per run.
    parallel : bool
        Spread the runs over this process's cores (leave ``False`` in a pool of worker processes).

    Returns
    -------
    pandas.DataFrame, shape (len(runs) * steps, 2 + len(METRICS))
        ``run_id, step`` and the metrics, in run order then month order.
    """
    from ics_abm.experiments.batch import system_table
    from ics_abm.experiments.sweeps.parameters import with_values
    from ics_abm.scenario.loading import scenario_from_dict

    scenarios, points = [], {}
    for spec in runs:  # the replicates of a point share one validated scenario
        if spec.point_id not in points:
            points[spec.point_id] = scenario_from_dict(with_values(base, spec.values), source="<sweep point>")
        scenarios.append(points[spec.point_id])
    frame = system_table(scenarios, [spec.seed for spec in runs], steps, parallel=parallel)
    frame["run"] = np.repeat(np.array([spec.run_id for spec in runs], dtype=np.int64), steps)
    return frame.rename(columns={"run": "run_id"})


def simulate_one_by_one(base: dict, runs: Sequence[RunSpec], steps: int) -> pd.DataFrame:
    """Run every run of a batch, one :func:`ics_abm.run` each; the monthly system outcomes in one table.

    The plain path that :func:`simulate_batch` must equal (tests/test_batch.py).

    Parameters
    ----------
    base : dict
        Base scenario data; each run sets its parameter values on a copy.
    runs : sequence of RunSpec
    steps : int
        Months per run.

    Returns
    -------
    pandas.DataFrame, shape (len(runs) * steps, 2 + len(METRICS))
        ``run_id, step`` and the metrics of :data:`ics_abm.metrics.METRICS`, in run order then
        month order. Same runs give the same numbers, bit for bit, in any process.
    """
    from ics_abm.experiments.sweeps.parameters import with_values
    from ics_abm.metrics import METRICS
    from ics_abm.run import run
    from ics_abm.scenario.loading import scenario_from_dict

    frames = []
    scenario, point = None, None
    for spec in runs:
        if spec.point_id != point:  # the replicates of a point share one validated scenario
            scenario = scenario_from_dict(with_values(base, spec.values), source="<sweep point>")
            point = spec.point_id
        system = run(scenario, spec.seed, steps).system
        frame = system[["step", *METRICS]].copy()
        frame.insert(0, "run_id", np.int64(spec.run_id))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def batch_table(task: BatchTask, outcomes: pd.DataFrame) -> pa.Table:
    """The batch's tidy result table: identifiers, parameters, ``step`` and metrics per row.

    Parameters
    ----------
    task : BatchTask
    outcomes : pandas.DataFrame
        :func:`simulate_batch`'s output for ``task.runs``.

    Returns
    -------
    pyarrow.Table
        Columns :data:`ID_COLUMNS` (design ``posterior``: then ``posterior_draw``), the parameters (named by their dotted paths, typed from the
        scenario fields), ``step`` and the metrics; one row per run and month.
    """
    counts = outcomes.groupby("run_id", sort=False).size()
    by_run = {spec.run_id: spec for spec in task.runs}
    order = [by_run[int(r)] for r in counts.index]
    repeat = counts.to_numpy()

    def column(values, kind=None):
        array = np.repeat(np.asarray(values, dtype=object if kind in ("string", None) else None), repeat)
        return pa.array(array, type=_ARROW_TYPES.get(kind))

    columns = {
        "run_id": column([s.run_id for s in order], "integer"),
        "point_id": column([s.point_id for s in order], "integer"),
        "policy_id": column([s.policy_id for s in order], "integer"),
        "sample_id": column([s.sample_id for s in order], "integer"),
        "replicate": column([s.replicate for s in order], "integer"),
        "root_seed": column([task.root_seed] * len(order), "integer"),
        "spawn_key": column([s.replicate for s in order], "integer"),
        "seed": column([s.seed for s in order], "integer"),
    }
    if order and order[0].posterior_draw is not None:  # design posterior: which draw each run used
        columns["posterior_draw"] = column([s.posterior_draw for s in order], "integer")
    for path, kind in task.parameters:
        columns[path] = column([s.values[path] for s in order], kind)
    table = pa.table(columns)
    rest = pa.Table.from_pandas(outcomes.drop(columns="run_id"), preserve_index=False)
    for name in rest.column_names:
        table = table.append_column(name, rest.column(name))
    return table


def run_batch(task: BatchTask, parallel: bool = False) -> BatchSummary:
    """Compute a batch and store it (the function workers run).

    Parameters
    ----------
    task : BatchTask
    parallel : bool
        Spread the batch's runs over this process's cores (leave ``False`` in a pool of worker
        processes); the numbers are the same.

    Returns
    -------
    BatchSummary
    """
    from ics_abm._version import __version__
    from ics_abm.experiments.sweeps.store import write_parquet

    started = time.perf_counter()
    table = batch_table(task, simulate_batch(task.base, task.runs, task.steps, parallel=parallel))
    provenance = {**task.provenance, "batch": task.batch, "ics_abm_version": __version__,
                  "run_ids": [task.runs[0].run_id, task.runs[-1].run_id], "steps": task.steps}
    path = Path(task.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(table, path, provenance)
    return BatchSummary(
        batch=task.batch,
        runs=len(task.runs),
        rows=table.num_rows,
        seconds=time.perf_counter() - started,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        ics_abm_version=__version__,
    )
