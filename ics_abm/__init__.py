"""ics_abm: agent-based simulation of partner behaviour and trust in NHS integrated care systems.

The public surface:

* :func:`load_scenario` reads and validates a scenario file, or a packaged scenario by name
  (:class:`Scenario`; problems are a :class:`ScenarioError`, one sentence each);
  :func:`list_scenarios` lists the packaged scenarios (:class:`ScenarioEntry`) and
  :func:`resolve_scenario` finds the file of a name;
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

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

from ics_abm import _compat
from ics_abm._version import __version__

if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names are imported when first used
    from ics_abm.experiments.batch import run_batch
    from ics_abm.experiments.calibration.posterior import posterior
    from ics_abm.experiments.comparison.run import compare
    from ics_abm.experiments.sweeps import SweepError, load, sweep
    from ics_abm.model import ICSModel, Organisation
    from ics_abm.run import RunResult, run
    from ics_abm.scenario import Scenario, ScenarioError, load_scenario
    from ics_abm.scenario.catalog import ScenarioEntry, list_scenarios, resolve_scenario
    from ics_abm.scenario.kinds import KINDS, PRINCIPALS

_compat.install()

#: Public name -> the module that defines it. Imported lazily (PEP 562), so that ``import ics_abm``
#: and ``ics-abm --help`` do not pay for Mesa, numba, pandas and matplotlib until they are used.
_LAZY = {
    "KINDS": "ics_abm.scenario.kinds",
    "PRINCIPALS": "ics_abm.scenario.kinds",
    "ICSModel": "ics_abm.model",
    "Organisation": "ics_abm.model",
    "RunResult": "ics_abm.run",
    "run": "ics_abm.run",
    "run_batch": "ics_abm.experiments.batch",
    "Scenario": "ics_abm.scenario",
    "ScenarioError": "ics_abm.scenario",
    "load_scenario": "ics_abm.scenario",
    "ScenarioEntry": "ics_abm.scenario.catalog",
    "list_scenarios": "ics_abm.scenario.catalog",
    "resolve_scenario": "ics_abm.scenario.catalog",
    "compare": "ics_abm.experiments.comparison.run",
    "SweepError": "ics_abm.experiments.sweeps",
    "load": "ics_abm.experiments.sweeps",
    "sweep": "ics_abm.experiments.sweeps",
    "posterior": "ics_abm.experiments.calibration.posterior",
}

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
    "ScenarioEntry",
    "list_scenarios",
    "resolve_scenario",
    "compare",
    "SweepError",
    "load",
    "sweep",
    "posterior",
]


def __getattr__(name: str) -> object:
    """Import a public name on first use (PEP 562) and keep it in the package's namespace."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ics_abm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """The package's module type: a submodule never hides the public name it shares (``ics_abm.run``).

    Importing the submodule :mod:`ics_abm.run` sets the package attribute ``run``; with the
    names imported lazily that would replace the function :func:`run` by the module. The
    function is kept instead, as when the names were imported eagerly.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and name in _LAZY and value.__name__ == f"{self.__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
