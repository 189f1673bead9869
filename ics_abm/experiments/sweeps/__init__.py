"""Parameter sweeps: designs, resumable runs on any executor, and their results.

The public surface:

* :func:`read_sweep` reads and validates a sweep file (:class:`SweepSpec`);
* :func:`build_design` expands it into runs (:class:`Design`): levers crossed in full,
  uncertainties crossed, sampled (Latin hypercube, Sobol'/Saltelli, Morris) or drawn from the
  calibrated posterior (design ``posterior``, :mod:`.posterior`), replicates with seeds spawned
  from one root seed;
* :func:`sweep` runs it in this process, a local process pool or a Dask cluster, writing one
  Parquet file per batch of runs; ``resume=True`` finishes an interrupted sweep;
* :func:`load` and :func:`dataset` read the results back (tidy, filtered on disk);
* :class:`SweepError` is every problem with a sweep file or folder, as one sentence.

See ``docs/sweeps.md``.
"""

from ics_abm.experiments.sweeps.design import Design, RunSpec, build_design
from ics_abm.experiments.sweeps.errors import SweepError
from ics_abm.experiments.sweeps.load import dataset, load, read_design, read_manifest
from ics_abm.experiments.sweeps.runner import SweepResult, sweep
from ics_abm.experiments.sweeps.spec import DESIGNS, SweepSpec, read_sweep, spec_from_dict

__all__ = [
    "DESIGNS",
    "Design",
    "RunSpec",
    "SweepError",
    "SweepResult",
    "SweepSpec",
    "build_design",
    "dataset",
    "load",
    "read_design",
    "read_manifest",
    "read_sweep",
    "spec_from_dict",
    "sweep",
]
