"""What a run loads: no Mesa, matplotlib, seaborn or networkx on the paths that do not need them (issue 16).

A run's simulation is :class:`ics_abm.simulation.Simulation`, which gives the numbers of
:class:`ics_abm.ICSModel` without importing Mesa; a results directory without its figure does not
import matplotlib (the figure is drawn only with ``--figure``); networkx is imported only where a
networkx graph is made. The child process runs ``ics-abm run default`` through the real package
(its ``__init__`` is lazy), once as it is and once with ``--no-figure`` (kept for scripts).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ics_abm import ICSModel, load_scenario, run
from ics_abm.simulation import Simulation

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "default.toml"

_CHILD = """
import json, sys
from ics_abm.cli.application import main
sys.argv = ["ics-abm", "run", "default", "--steps", "24", "--seed", "1", "--out", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""
_HEAVY = {"mesa", "matplotlib", "seaborn", "networkx"}


@pytest.mark.parametrize("flags", [(), ("--no-figure",)], ids=["default", "no-figure"])
def test_a_default_run_imports_no_mesa_matplotlib_seaborn_or_networkx(tmp_path, flags):
    done = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path / "out"), *flags], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not loaded & _HEAVY, sorted(loaded & _HEAVY)
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
