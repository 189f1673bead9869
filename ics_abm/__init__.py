"""ics_abm: agent-based simulation of partner behaviour and trust in NHS integrated care systems.

The public surface:

* :func:`load_scenario` reads and validates a scenario file;
* :func:`run` runs a scenario from a seed and returns tidy tables (:class:`RunResult`);
* :class:`ICSModel` is the Mesa model, :class:`Organisation` its agents (views over arrays);
* :data:`KINDS` lists the kinds of organisation.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ics_abm")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from .kinds import KINDS, PRINCIPALS  # noqa: E402
from .model import ICSModel, Organisation  # noqa: E402
from .run import RunResult, run  # noqa: E402
from .scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__all__ = [
    "__version__",
    "KINDS",
    "PRINCIPALS",
    "ICSModel",
    "Organisation",
    "RunResult",
    "run",
    "Scenario",
    "ScenarioError",
    "load_scenario",
]
