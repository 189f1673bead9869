"""ics_abm: agent-based simulation of partner behaviour and trust in NHS integrated care systems.

The public surface:

* :func:`load_scenario` reads and validates a scenario file (:class:`Scenario`; problems are a
  :class:`ScenarioError`, one sentence each);
* :func:`run` runs a scenario from a seed and returns tidy tables (:class:`RunResult`);
  :func:`run_batch` runs many seeds or parameter points in one compiled call, same numbers;
* :class:`ICSModel` is the Mesa model, :class:`Organisation` its agents (views over arrays);
* :data:`KINDS` lists the kinds of organisation;
* :func:`sweep` runs a parameter sweep (:mod:`ics_abm.experiments.sweeps`), :func:`load` reads its results;
* :func:`compare` compares policy options on common random numbers (:mod:`ics_abm.experiments.comparison`);
  :mod:`ics_abm.experiments.validation` tests the model against the stylized facts.

The layers (docs/architecture.md): :mod:`ics_abm.scenario` (files in), :mod:`ics_abm.engine`
(arrays and the monthly step), :mod:`ics_abm.model` and :mod:`ics_abm.run` (a Mesa model, one
run), :mod:`ics_abm.experiments` (many runs), :mod:`ics_abm.output` (tables, files, figures),
:mod:`ics_abm.cli` and :mod:`ics_abm.demo`. The module paths of version 0.1 (``ics_abm.kernel``,
``ics_abm.plotting``, ...) still import, with a DeprecationWarning, until 0.3.
"""

from ics_abm import _compat
from ics_abm._version import __version__
from ics_abm.experiments.batch import run_batch
from ics_abm.experiments.comparison.run import compare
from ics_abm.experiments.sweeps import SweepError, load, sweep
from ics_abm.model import ICSModel, Organisation
from ics_abm.run import RunResult, run
from ics_abm.scenario import Scenario, ScenarioError, load_scenario
from ics_abm.scenario.kinds import KINDS, PRINCIPALS

_compat.install()

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
