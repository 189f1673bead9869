"""What a run loads: no Mesa, matplotlib or seaborn on the paths that do not need them (issue 16).

A run's simulation is :class:`ics_abm.simulation.Simulation`, which gives the numbers of
:class:`ics_abm.ICSModel` without importing Mesa, and a results directory without its figure does
not import matplotlib. The package's ``__init__`` is not part of what is checked here (it imports
the public API eagerly; making it lazy belongs to the command-line start-up work), so the child
process stands in an empty package module for it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from ics_abm import ICSModel, load_scenario, run
from ics_abm.simulation import Simulation

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "default.toml"

_CHILD = """
import json, sys, types
package = types.ModuleType("ics_abm")
package.__path__ = [sys.argv[1] + "/ics_abm"]
sys.modules["ics_abm"] = package  # the package without its __init__ (see the module docstring)
from ics_abm.run import run
from ics_abm.output.results import write_results
result = run(sys.argv[1] + "/scenarios/default.toml", seed=1, steps=24)
write_results(result, sys.argv[2], scenario_path="default.toml", scenario_text="", command="test", figure=False)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_a_run_without_figure_imports_no_mesa_matplotlib_or_seaborn(tmp_path):
    done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not loaded & {"mesa", "matplotlib", "seaborn"}, sorted(loaded & {"mesa", "matplotlib", "seaborn"})
    assert not (tmp_path / "out" / "figure.png").exists()
    assert (tmp_path / "out" / "system.parquet").exists()


def test_simulation_and_icsmodel_give_the_same_numbers():
    scenario = load_scenario(SCENARIO)
    model, simulation = ICSModel(scenario, seed=7), Simulation(scenario, seed=7)
    for _ in range(30):
        model.step()
    simulation.simulate(30)
    for name in ("history", "trust_by_kind_history", "organisation_history"):
        a, b = getattr(model, name)(), getattr(simulation, name)()
        numeric = a.select_dtypes("number").columns
        assert np.array_equal(a[numeric].to_numpy(), b[numeric].to_numpy(), equal_nan=True), name
    assert run(scenario, seed=7, steps=30).system.equals(simulation.history())


def test_the_network_made_on_first_use_is_the_one_the_state_was_built_on():
    model = ICSModel(load_scenario(SCENARIO), seed=11)
    sources = np.repeat(np.arange(model.graph.indptr.size - 1), np.diff(model.graph.indptr))
    arcs = set(zip(sources.tolist(), model.graph.target.tolist()))
    edges = {(int(u), int(v)) for u, v in model.network.edges}
    assert arcs == edges | {(v, u) for u, v in edges}
    assert model.network is model.network  # made once
