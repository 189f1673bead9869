"""A sweep's unit of work computed by the batched kernel: drop-ins for :mod:`ics_abm.sweeps.batch`.

:func:`ics_abm.sweeps.batch.simulate_batch` computes a task's runs one ``run()`` at a time
(about 15 ms per 120-month run of the default scenario, mostly Python); :func:`simulate_runs`
returns the same table, bit for bit, from one :func:`ics_abm.batch.system_table` call (about 3 ms
per run). :func:`run_task` is :func:`ics_abm.sweeps.batch.run_batch` with it: same Parquet file,
same summary. ``tests/test_batch.py`` checks the tables are identical.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .batch import system_table

__all__ = ["run_task", "simulate_runs"]


def simulate_runs(base: dict, runs: Sequence, steps: int, *, parallel: bool = False):
    """The table of :func:`ics_abm.sweeps.batch.simulate_batch`, from one batched kernel call.

    Parameters
    ----------
    base : dict
        Base scenario data; each run sets its parameter values on a copy.
    runs : sequence of ics_abm.sweeps.RunSpec
    steps : int
        Months per run.
    parallel : bool
        Spread the runs over this process's cores (leave ``False`` in a pool of worker processes).

    Returns
    -------
    pandas.DataFrame, shape (len(runs) * steps, 2 + len(METRICS))
        ``run_id, step`` and the metrics, in run order then month order.
    """
    from .scenario import scenario_from_dict
    from .sweeps.parameters import with_values

    scenarios, points = [], {}
    for spec in runs:  # the replicates of a point share one validated scenario
        if spec.point_id not in points:
            points[spec.point_id] = scenario_from_dict(with_values(base, spec.values), source="<sweep point>")
        scenarios.append(points[spec.point_id])
    frame = system_table(scenarios, [spec.seed for spec in runs], steps, parallel=parallel)
    frame["run"] = np.repeat(np.array([spec.run_id for spec in runs], dtype=np.int64), steps)
    return frame.rename(columns={"run": "run_id"})


def run_task(task, *, parallel: bool = False):
    """Compute a sweep task's runs with the batched kernel and store them (:func:`ics_abm.sweeps.batch.run_batch`).

    Parameters
    ----------
    task : ics_abm.sweeps.batch.BatchTask
    parallel : bool
        As for :func:`simulate_runs`.

    Returns
    -------
    ics_abm.sweeps.batch.BatchSummary
    """
    from . import __version__
    from .sweeps.batch import BatchSummary, batch_table
    from .sweeps.store import write_parquet

    started = time.perf_counter()
    table = batch_table(task, simulate_runs(task.base, task.runs, task.steps, parallel=parallel))
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
