"""The numba kernel against the independent pure-Python reference (tests/reference.py).

Both are written from docs/model.md, section 7. On random graphs, states and parameters
(including empty and single-organisation systems) they must agree to 1e-9 over several steps,
decisions exactly. The parallel kernel runs the same contract by inheritance.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from ics_abm.kernel import METRICS, ORG_TRAJECTORY_FIELDS, advance
from ics_abm.kinds import KINDS
from tests.reference import reference_step
from tests.strategies import systems, to_arrays

STEPS = 3
TOLERANCE = 1e-9
_PARAMS = {
    "reward": 2.0, "sucker": -1.0, "temptation": 3.0, "punishment": 0.0, "noise": 0.05,
    "distance_drag": 0.5, "legacy_weight": 0.5, "memory_retention": 0.94, "altruism_growth": 0.02,
    "altruism_erosion": 0.05, "stress_scale": 0.05, "stress_weight": 0.1, "strength": (0.05, 0.05, 0.0),
    "focus": (0.2, 0.35, 0.0), "rate": (0.2, 0.2, 0.0), "conflict": 1.0, "intervention_threshold": 0.02,
    "intervention_push": 1.0, "capacity_cost": 0.5, "pressure_decay": 0.8, "system_assessment": False,
    "progress_decay": 0.02,
}


def _quiet_organisation() -> dict:
    return {
        "kind": 4, "principal": 0, "budget": 10.0, "balance": -1.0, "cost_pressure": 0.02, "power": 0.3,
        "affiliation": 0.3, "achievement": 0.4, "altruism": 0.2, "capacity": 0.5, "pressure": 0.4,
        "gain_rate": 0.15, "loss_rate": 0.25,
    }


def _close(actual, expected, what):
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), f"{what}: expected NaN, got {actual}"
    else:
        assert math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE), f"{what}: kernel {actual!r} != reference {expected!r}"


class TestSerialKernel:
    # Variants subclass this contract; the executor differs on purpose (the `parallel` flag).
    parallel = False

    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.differing_executors])
    @given(system=systems())
    def test_kernel_equals_reference(self, system):
        self._check(system)

    @pytest.mark.parametrize("n", [0, 1])
    def test_empty_and_single_organisation_systems(self, n):
        system = {
            "graph": nx.empty_graph(n),
            "orgs": {i: _quiet_organisation() for i in range(n)},
            "arcs": {},
            "params": _PARAMS,
            "progress": 1.5,
            "key": 3,
            "t": 1,
        }
        self._check(system)

    def _check(self, system):
        orgs, graph, arcs, params, keys = to_arrays(system)
        ref_orgs, ref_arcs, ref_progress = system["orgs"], system["arcs"], system["progress"]
        progress = system["progress"]
        for step in range(STEPS):
            t = system["t"] + step
            trajectory = advance(
                orgs, graph, arcs, params, key=system["key"], first_step=t, n_steps=1,
                progress=progress, parallel=self.parallel, record_organisations=True,
            )
            progress = trajectory.progress
            ref_orgs, ref_arcs, ref_progress, outputs = reference_step(
                system["graph"], ref_orgs, ref_arcs, system["params"], ref_progress, system["key"], t
            )
            where = f"step {step + 1}"
            for k, arc in enumerate(keys):
                assert arcs.action[k] == ref_arcs[arc]["action"], f"{where}: decision on arc {arc}"
                _close(arcs.trust[k], ref_arcs[arc]["trust"], f"{where}: trust {arc}")
                _close(arcs.memory[k], ref_arcs[arc]["memory"], f"{where}: memory {arc}")
            for i, row in ref_orgs.items():
                for name in ("balance", "altruism", "pressure"):
                    _close(getattr(orgs, name)[i], row[name], f"{where}: {name} of {i}")
                for f, name in enumerate(ORG_TRAJECTORY_FIELDS):
                    expected = row["effective_capacity"] if name == "capacity" else row[name]
                    _close(trajectory.organisations[0, i, f], expected, f"{where}: recorded {name} of {i}")
            _close(progress, ref_progress, f"{where}: progress")
            for c, name in enumerate(METRICS):
                _close(trajectory.system[0, c], float(outputs[name]), f"{where}: {name}")
            for a in range(len(KINDS)):
                for b in range(len(KINDS)):
                    _close(trajectory.trust_by_kind[0, a, b], outputs["trust_by_kind"][a][b], f"{where}: trust {a}->{b}")


class TestParallelKernel(TestSerialKernel):
    parallel = True


def test_serial_and_parallel_are_bit_identical_on_a_large_random_system():
    rng = np.random.default_rng(7)

    graph = nx.gnm_random_graph(300, 3000, seed=3)
    system = {
        "graph": graph,
        "orgs": {
            i: {
                "kind": int(rng.integers(6)), "principal": int(rng.integers(3)), "budget": float(rng.uniform(1, 500)),
                "balance": float(rng.normal()), "cost_pressure": 0.02, "power": float(rng.random()),
                "affiliation": float(rng.random()), "achievement": float(rng.random()) + 0.01,
                "altruism": float(rng.random()), "capacity": float(rng.random()), "pressure": 0.0,
                "gain_rate": 0.15, "loss_rate": 0.25,
            }
            for i in range(300)
        },
        "arcs": {},
        "params": _PARAMS,
    }
    for i, j in graph.edges:
        stake = float(rng.uniform(0, 2))
        for arc in ((i, j), (j, i)):
            system["arcs"][arc] = {"trust": float(rng.random()), "distance": float(rng.random()), "memory": 0.3, "stake": stake}
    serial = to_arrays(system)
    parallel = to_arrays(system)
    out_serial = advance(*serial[:4], key=11, first_step=1, n_steps=60, record_organisations=True)
    out_parallel = advance(*parallel[:4], key=11, first_step=1, n_steps=60, parallel=True, record_organisations=True)
    for a, b in zip(out_serial[:3], out_parallel[:3]):
        assert np.array_equal(a, b, equal_nan=True)
    for a, b in zip(serial[0] + serial[2], parallel[0] + parallel[2]):
        assert np.array_equal(a, b)
