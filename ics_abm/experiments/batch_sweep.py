"""A sweep's runs computed by the batched kernel (:func:`ics_abm.experiments.sweeps.batch.simulate_batch`).

:func:`ics_abm.experiments.sweeps.batch.simulate_one_by_one` computes a task's runs one ``run()`` at a time
(about 15 ms per 120-month run of the default scenario, mostly Python); :func:`simulate_runs`
returns the same table, bit for bit, from one :func:`ics_abm.engine.batch.system_table` call (about 3 ms
per run). ``tests/test_batch.py`` checks the tables are identical.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ics_abm.engine.batch import system_table

__all__ = ["simulate_runs"]


def simulate_runs(base: dict, runs: Sequence, steps: int, *, parallel: bool = False):
    """The table of :func:`ics_abm.experiments.sweeps.batch.simulate_batch`, from one batched kernel call.

    Parameters
    ----------
    base : dict
        Base scenario data; each run sets its parameter values on a copy.
    runs : sequence of ics_abm.experiments.sweeps.RunSpec
    steps : int
        Months per run.
    parallel : bool
        Spread the runs over this process's cores (leave ``False`` in a pool of worker processes).

    Returns
    -------
    pandas.DataFrame, shape (len(runs) * steps, 2 + len(METRICS))
        ``run_id, step`` and the metrics, in run order then month order.
    """
    from ics_abm.scenario.loading import scenario_from_dict
    from ics_abm.experiments.sweeps.parameters import with_values

    scenarios, points = [], {}
    for spec in runs:  # the replicates of a point share one validated scenario
        if spec.point_id not in points:
            points[spec.point_id] = scenario_from_dict(with_values(base, spec.values), source="<sweep point>")
        scenarios.append(points[spec.point_id])
    frame = system_table(scenarios, [spec.seed for spec in runs], steps, parallel=parallel)
    frame["run"] = np.repeat(np.array([spec.run_id for spec in runs], dtype=np.int64), steps)
    return frame.rename(columns={"run": "run_id"})
