"""ics_abm: agent-based simulation of partner behaviour and trust in NHS integrated care systems.

The public surface:

* :func:`load_scenario` reads and validates a scenario file;
* :func:`run` runs a scenario from a seed and returns tidy tables (:class:`RunResult`);
  :func:`run_batch` runs many seeds or parameter points in one compiled call, same numbers;
* :class:`ICSModel` is the Mesa model, :class:`Organisation` its agents (views over arrays);
* :data:`KINDS` lists the kinds of organisation;
* :func:`sweep` runs a parameter sweep (:mod:`ics_abm.experiments.sweeps`), :func:`load` reads its results;
* :func:`compare` compares policy options on common random numbers (:mod:`ics_abm.experiments.comparison.run`);
  :mod:`ics_abm.experiments.validation` tests the model against the stylized facts.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ics_abm")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from ics_abm.scenario.kinds import KINDS, PRINCIPALS  # noqa: E402
from ics_abm.model import ICSModel, Organisation  # noqa: E402
from ics_abm.run import RunResult, run  # noqa: E402
from ics_abm.experiments.batch import run_batch  # noqa: E402  (many runs in one compiled call)
from ics_abm.scenario.schema import Scenario  # noqa: E402
from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.loading import load_scenario

# The function shadows its module's name on the package; `from ics_abm.experiments.comparison.run import ...` still works.
from ics_abm.experiments.comparison.run import compare  # noqa: E402
from ics_abm.experiments.sweeps import SweepError, load, sweep  # noqa: E402

__all__ = [
    "__version__",
    "KINDS",
    "PRINCIPALS",
    "ICSModel",
    "Organisation",
    "RunResult",
    "run",
    "run_batch",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "compare",
    "SweepError",
    "load",
    "sweep",
]
