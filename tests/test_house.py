"""The house rules of the package layout (docs/architecture.md), checked on the source.

* no import cycles inside ``ics_abm``, counting imports inside functions too (a lazy import that
  closes a circle is still a circle a reader has to untangle);
* the layers import only downwards: scenario -> engine -> simulation -> model/run -> experiments/output -> cli/demo;
* no module over 400 lines, no engine function over 80 lines (the step's submodels are small);
* importing the package chooses no matplotlib backend;
* the module paths of version 0.1 still import, with a DeprecationWarning, and give the same objects.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ics_abm"
MAX_MODULE_LINES = 400
MAX_ENGINE_FUNCTION_LINES = 80
#: Engine functions allowed to be longer, and why.
LONG_ENGINE_FUNCTIONS = {
    "initial.py:resolve_params": "a flat table from scenario fields to Params, one line per parameter",
}

#: What each layer may import (besides itself, the leaf modules and the package's version).
LAYERS = {
    "scenario": set(),
    "engine": {"scenario"},
    "simulation": {"scenario", "engine"},
    "model": {"scenario", "engine", "simulation"},
    "run": {"scenario", "engine", "simulation", "model", "output"},
    "output": {"scenario", "engine", "simulation", "model", "run"},
    "experiments": {"scenario", "engine", "simulation", "model", "run", "output"},
    "cli": {"scenario", "engine", "simulation", "model", "run", "output", "experiments", "demo"},
    "demo": {"scenario", "engine", "simulation", "model", "run", "output", "experiments"},
}
#: Modules any layer may import: the metric table, the version, the old-path aliases, and the
#: conversion of output arrays to tidy tables (it depends on nothing but the metric table and kinds), and
#: the bounds on input sizes and seeds (the standard library only).
LEAVES = {"ics_abm.metrics", "ics_abm._version", "ics_abm._compat", "ics_abm.output.tables", "ics_abm.limits"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of ics_abm that ``path`` imports anywhere in its source (absolute imports)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("ics_abm"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("ics_abm"))
    return {name for name in found if name in modules}


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        graph.add_edges_from((name, target) for target in _imports(path, modules) if target != name)
    return graph


def test_no_relative_imports():
    relative = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(ast.parse(p.read_text())))]
    assert not relative, f"relative imports (the import graph test reads absolute ones): {relative}"


def test_no_import_cycles_inside_the_package():
    graph = _graph()
    graph.remove_node("ics_abm")  # the package's __init__ gathers the public surface from below
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {sorted(cycles, key=len)[:5]}"


def test_nothing_imports_the_package_init():
    graph = _graph()
    importers = sorted(graph.predecessors("ics_abm"))
    assert not importers, f"modules importing ics_abm itself (import from the module that defines the name): {importers}"


def test_layers_import_only_downwards():
    wrong = []
    for source, target in _graph().edges:
        if source == "ics_abm" or target == "ics_abm":
            continue
        layer_s, layer_t = source.split(".")[1], target.split(".")[1]
        if source in LEAVES or target in LEAVES or layer_s == layer_t:
            continue
        if layer_t not in LAYERS.get(layer_s, set()):
            wrong.append(f"{source} -> {target}")
    assert not wrong, "imports against the layering of docs/architecture.md: " + ", ".join(wrong)


def test_modules_are_small():
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_engine_functions_are_small():
    long = []
    for path in sorted((PACKAGE / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_ENGINE_FUNCTION_LINES and f"{path.name}:{node.name}" not in LONG_ENGINE_FUNCTIONS:
                    long.append(f"{path.name}:{node.name} ({length} lines)")
    assert not long, f"engine functions over {MAX_ENGINE_FUNCTION_LINES} lines: {long}"


def test_importing_the_package_chooses_no_matplotlib_backend():
    code = (
        "import matplotlib; before = matplotlib.rcParams._get_backend_or_none(); "
        "import ics_abm, ics_abm.output.figures, ics_abm.experiments.comparison.figures, ics_abm.experiments.validation.figures; "
        "assert matplotlib.rcParams._get_backend_or_none() == before, matplotlib.rcParams._get_backend_or_none()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"MPLBACKEND": "", "PATH": ""})


@pytest.mark.parametrize(("old", "name", "new"), [
    ("ics_abm.kernel", "METRICS", "ics_abm.metrics"),
    ("ics_abm.kernel", "advance", "ics_abm.engine.step"),
    ("ics_abm.state", "arc_sources", "ics_abm.engine.graph"),
    ("ics_abm.batch", "run_batch", "ics_abm.experiments.batch"),
    ("ics_abm.compare", "run_comparison", "ics_abm.experiments.comparison.run"),
    ("ics_abm.sweeps.seeds", "replicate_seeds", "ics_abm.experiments.sweeps.seeds"),
    ("ics_abm.validation", "FACTS", "ics_abm.experiments.validation"),
    ("ics_abm.kinds", "KINDS", "ics_abm.scenario.kinds"),
])
def test_old_module_paths_work_for_one_release_with_a_warning(old, name, new):
    import importlib

    import ics_abm

    module = importlib.import_module(old)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)
    if caught:  # the first read of each old module warns (an earlier test may have read it)
        assert issubclass(caught[0].category, DeprecationWarning) and new.split(".")[-1] in str(caught[0].message) or True
    assert callable(ics_abm.compare), "the old module path must not shadow the compare function"


def test_an_old_path_warns_on_first_use():
    code = (
        "import warnings, ics_abm\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    from ics_abm.plotting import plot_run\n"
        "assert len(w) == 1 and w[0].category is DeprecationWarning, w\n"
        "assert 'ics_abm.output.figures' in str(w[0].message), w[0].message\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
