"""The module paths of ics_abm 0.1, kept working for one release with a DeprecationWarning.

Version 0.2 moved the flat package into sub-packages (docs/architecture.md). Code and notebooks
that import an old path, e.g. ``from ics_abm.kernel import METRICS``, keep working: the old name is
an alias module whose attributes are looked up in the new modules, and the first attribute read
from it warns once with the new path. The aliases will be removed in 0.3.

Everything here is import machinery: a :class:`importlib.abc.MetaPathFinder` that answers for the
old names only, so nothing is imported until an old path is used.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

__all__ = ["MOVED", "install"]

#: Old module (under ``ics_abm.``) -> the modules that now hold its names, searched in order.
MOVED: dict[str, tuple[str, ...]] = {
    "_config": ("engine.jit",),
    "batch": ("experiments.batch", "engine.batch"),
    "batch_build": ("engine.initial",),
    "batch_layout": ("engine.layout",),
    "batch_sweep": ("experiments.sweeps.batch",),
    "build": ("engine.initial",),
    "classic_games": ("engine.classic_games",),
    "cli_compare": ("cli.compare",),
    "cli_validate_model": ("cli.validate_model",),
    "compare": ("experiments.comparison.run",),
    "compare_output": ("experiments.comparison.output",),
    "compare_plots": ("experiments.comparison.figures",),
    "counter_rng": ("engine.rng",),
    "ema": ("experiments.ema",),
    "events": ("engine.events",),
    "experiment_output": ("output.manifest", "output.files", "output.directory"),
    "kernel": ("engine.step", "metrics", "engine.checks"),
    "kinds": ("scenario.kinds",),
    "motives": ("engine.submodels.motives",),
    "outputs": ("output.tables", "metrics"),
    "paired": ("experiments.paired",),
    "plotting": ("output.figures",),
    "regulation": ("engine.regulation",),
    "results": ("output.results",),
    "sbm": ("engine.block_model",),
    "scenario_errors": ("scenario.errors",),
    "state": ("engine.state", "engine.graph", "engine.checks"),
    "sweeps": ("experiments.sweeps",),
    "validation": ("experiments.validation",),
}
#: Old packages whose submodules moved with them (``ics_abm.sweeps.seeds`` -> ``ics_abm.experiments.sweeps.seeds``).
_PACKAGES = ("sweeps", "validation")
_PREFIX = "ics_abm."


def _targets(fullname: str) -> tuple[str, ...] | None:
    name = fullname[len(_PREFIX):] if fullname.startswith(_PREFIX) else None
    if name is None:
        return None
    if name in MOVED:
        return tuple(_PREFIX + target for target in MOVED[name])
    head, _, rest = name.partition(".")
    if head in _PACKAGES and rest:
        return (_PREFIX + MOVED[head][0] + "." + rest,)
    return None


class _Alias(types.ModuleType):
    """A deprecated module path: attributes come from the new modules, with one warning."""

    def __init__(self, name: str, targets: tuple[str, ...]):
        super().__init__(name, f"Deprecated alias of {', '.join(targets)} (removed in ics_abm 0.3).")
        self.__targets = targets
        self.__warned = False
        if name[len(_PREFIX):].split(".")[0] in _PACKAGES and "." not in name[len(_PREFIX):]:
            self.__path__ = []  # a package, so that its old submodule paths can be imported

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if not self.__warned:
            self.__warned = True
            warnings.warn(
                f"{self.__name__} is deprecated and will be removed in ics_abm 0.3; "
                f"import from {' or '.join(self.__targets)} instead",
                DeprecationWarning,
                stacklevel=2,
            )
        for target in self.__targets:
            module = importlib.import_module(target)
            if hasattr(module, attribute):
                return getattr(module, attribute)
        raise AttributeError(f"module {self.__name__!r} (now {', '.join(self.__targets)}) has no attribute {attribute!r}")

    def __dir__(self):
        names: set[str] = set()
        for target in self.__targets:
            names.update(dir(importlib.import_module(target)))
        return sorted(names)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old module paths (only those) and loads them as :class:`_Alias` modules."""

    def find_spec(self, fullname, path=None, target=None):
        targets = _targets(fullname)
        if targets is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname[len(_PREFIX):] in _PACKAGES)

    def create_module(self, spec):
        return _Alias(spec.name, _targets(spec.name) or ())

    def exec_module(self, module):
        pass


def install() -> None:
    """Make the old module paths importable (called once by ``ics_abm/__init__.py``)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.append(_Finder())  # last: real modules always win
    # ``ics_abm.compare`` is the comparison function on the package; importing the old module of
    # that name through the finder would overwrite it, so its alias is registered up front.
    sys.modules.setdefault(_PREFIX + "compare", _Alias(_PREFIX + "compare", _targets(_PREFIX + "compare") or ()))
