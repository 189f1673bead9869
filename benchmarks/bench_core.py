"""Core benchmarks: a 120-month run of the default scenario, and the kernel against the reference.

Run with ``.venv/bin/python benchmarks/bench_core.py`` (after ``./dev test`` or ``./dev run`` has
set up .venv). Every figure is a median of repeated timings after compilation, and each speed-up is
a ratio measured side by side in this run, on the same inputs. Targets (issue 2): a 120-month run
of the default scenario under 1 s, and the kernel at least 100x faster than the reference at 300
organisations.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.reference, the independent implementation

from ics_abm import ICSModel, __version__, load_scenario, run  # noqa: E402
from ics_abm.engine.graph import arc_sources
from ics_abm.engine.state import SYSTEM_FIELDS, Arcs, Organisations  # noqa: E402
from ics_abm.engine.step import advance  # noqa: E402
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict  # noqa: E402
from tests.reference import reference_step  # noqa: E402


def _median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_default_run(repeats: int) -> dict:
    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    run(scenario, seed=0, steps=120)  # compile (or load the cache)
    full = _median_time(lambda: run(scenario, seed=0, steps=120), repeats)
    model = ICSModel(scenario, seed=0, agents=False)
    state = (model.organisations, model.graph, model.arcs, model.params, model.system)

    def kernel_only():
        orgs = Organisations(*[a.copy() for a in state[0]])
        arcs = Arcs(*[a.copy() for a in state[2]])
        advance(orgs, state[1], arcs, state[3], state[4].copy(), key=model.key, first_step=1, n_steps=120)

    kernel = _median_time(kernel_only, repeats)
    return {"run_s": full, "kernel_s": kernel, "organisations": int(model.organisations.kind.size), "relationships": int(model.graph.target.size // 2)}


def _reference_inputs(model):
    orgs, graph, arcs = model.organisations, model.graph, model.arcs
    n = orgs.kind.size
    ref_orgs = {i: {name: (int if name in ("kind", "principal") else float)(getattr(orgs, name)[i]) for name in Organisations._fields} for i in range(n)}
    source = arc_sources(graph)
    ref_arcs = {(int(i), int(j)): {name: float(getattr(arcs, name)[k]) for name in ("trust", "distance", "memory", "stake")} for k, (i, j) in enumerate(zip(source, graph.target))}
    p = model.params._asdict()
    for name in ("strength", "focus", "rate"):
        p[name] = tuple(float(x) for x in p[name])
    system = dict(zip(SYSTEM_FIELDS, (float(x) for x in model.system)))
    return ref_orgs, ref_arcs, p, system


def bench_kernel_vs_reference(n_target: int, steps: int, repeats: int) -> dict:
    base = load_scenario(ROOT / "scenarios" / "default.toml")
    data = scenario_to_dict(base)
    total = sum(data["organisations"].values())
    data["organisations"] = {kind: round(count * n_target / total) for kind, count in data["organisations"].items()}
    scenario = scenario_from_dict(data, source="benchmark")
    model = ICSModel(scenario, seed=0, agents=False)
    ref_orgs, ref_arcs, ref_params, ref_system = _reference_inputs(model)
    state = (model.organisations, model.graph, model.arcs, model.params, model.system)

    def kernel(parallel=False):
        orgs = Organisations(*[a.copy() for a in state[0]])
        arcs = Arcs(*[a.copy() for a in state[2]])
        advance(orgs, state[1], arcs, state[3], state[4].copy(), key=model.key, first_step=1, n_steps=steps, parallel=parallel)
        return orgs, arcs

    def reference():
        orgs, arcs, system = copy.deepcopy(ref_orgs), copy.deepcopy(ref_arcs), dict(ref_system)
        for t in range(1, steps + 1):
            orgs, arcs, system, _ = reference_step(model.network, orgs, arcs, ref_params, system, model.key, t)
        return orgs, arcs

    kernel(), kernel(parallel=True)  # compile
    kernel_s = _median_time(kernel, repeats * 5)
    parallel_s = _median_time(lambda: kernel(parallel=True), repeats * 5)
    reference_s = _median_time(reference, repeats)
    # The two must compute the same thing for the ratio to mean anything.
    k_orgs, k_arcs = kernel()
    r_orgs, _ = reference()
    assert np.allclose(k_orgs.balance, [r_orgs[i]["balance"] for i in range(k_orgs.balance.size)], rtol=1e-9, atol=1e-9)
    return {
        "organisations": int(model.organisations.kind.size),
        "relationships": int(model.graph.target.size // 2),
        "steps": steps,
        "kernel_s": kernel_s,
        "parallel_s": parallel_s,
        "reference_s": reference_s,
        "ratio": reference_s / kernel_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--steps", type=int, default=3, help="months per timing in the kernel/reference comparison")
    args = parser.parse_args()
    print(f"ics_abm {__version__}; Python {platform.python_version()}; {platform.platform()}")
    print(f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    default = bench_default_run(args.repeats)
    print(
        f"default scenario ({default['organisations']} organisations, {default['relationships']} relationships), 120 months: "
        f"run() {default['run_s'] * 1e3:.1f} ms (target < 1000 ms: {'met' if default['run_s'] < 1 else 'NOT met'}); "
        f"kernel alone {default['kernel_s'] * 1e3:.2f} ms"
    )
    result = bench_kernel_vs_reference(args.organisations, args.steps, args.repeats)
    print(
        f"kernel vs reference, {result['organisations']} organisations, {result['relationships']} relationships, {result['steps']} months: "
        f"kernel {result['kernel_s'] * 1e3:.2f} ms (parallel kernel {result['parallel_s'] * 1e3:.2f} ms, "
        f"{result['kernel_s'] / result['parallel_s']:.2f}x on {os.cpu_count()} cores), reference {result['reference_s'] * 1e3:.0f} ms, "
        f"ratio {result['ratio']:.0f}x (target >= 100x: {'met' if result['ratio'] >= 100 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
