"""ics_abm against the same rules written as plain per-agent Python in a Mesa model (issue 4).

The baseline is ``tests/reference.py::reference_step``, the independent pure-Python reference of
docs/model.md section 7: loops over organisations and, for each, over its networkx neighbours,
with Python floats and dicts, i.e. how a Mesa agent's ``step`` would be written. It is driven by
a ``mesa.Model`` subclass (Mesa owns the clock and the generator; the initial state is built from
the model's ``rng`` exactly as ics_abm builds it). Mesa's own agent activation is *not* added on
top (the reference steps all organisations in one call), so the ratio is, if anything, in the
baseline's favour.

Both sides run the same sweep of the default scenario (20 seeds x 120 months by default) in the
same process; ics_abm's headline figure is :func:`ics_abm.experiments.batch.system_table` (what a sweep stores:
one tidy table of every run's monthly outcomes, initial states built from the seeds included),
with ``run_batch`` (a pandas ``RunResult`` per run), bare arrays and one ``run()`` after another
shown too; the script checks that they computed the same thing (final balances and the last
month's mean trust agree to 1e-9) before printing ratios. Timings are medians of repeats.

    .venv/bin/python benchmarks/bench_vs_mesa.py [--seeds 20] [--months 120] [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import mesa
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.reference (the independent implementation) and benchmarks._machine

from benchmarks._machine import describe, load
from ics_abm import load_scenario, run, run_batch
from ics_abm.engine.graph import arc_sources
from ics_abm.engine.initial import build_initial_state
from ics_abm.engine.state import SYSTEM_FIELDS, Organisations
from ics_abm.experiments.batch import advance_batch, system_table
from tests.reference import reference_step


def timed(function, repeats: int) -> tuple[float, list[float], float]:
    """Median wall time of ``repeats`` calls, all of them (s), and the median CPU time (all threads, s)."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return float(np.median(walls)), walls, float(np.median(cpus))


class _Idle(mesa.Agent):
    def step(self) -> None:
        pass


def mesa_activation_per_month(organisations: int, phases: int, months: int = 2000) -> float:
    """Seconds per month that Mesa's own agent activation would add: ``phases`` calls of
    ``agents.shuffle_do("step")`` on ``organisations`` agents whose step does nothing."""
    model = mesa.Model(rng=0)
    for _ in range(organisations):
        _Idle(model)
    started = time.perf_counter()
    for _ in range(months):
        for _ in range(phases):
            model.agents.shuffle_do("step")
    return (time.perf_counter() - started) / months


class ReferenceModel(mesa.Model):
    """The rules as plain Python per organisation (tests/reference.py), stepped by Mesa."""

    def __init__(self, scenario, seed: int):
        super().__init__(rng=seed)
        initial = build_initial_state(scenario, self.rng)
        orgs, graph, arcs = initial.organisations, initial.graph, initial.arcs
        self.network = initial.network
        self.key = initial.key
        self.orgs = {i: {name: (int if name in ("kind", "principal") else float)(getattr(orgs, name)[i]) for name in Organisations._fields}
                     for i in range(orgs.kind.size)}
        source = arc_sources(graph)
        self.arcs = {(int(i), int(j)): {name: float(getattr(arcs, name)[k]) for name in ("trust", "distance", "memory", "stake")}
                     for k, (i, j) in enumerate(zip(source, graph.target))}
        params = initial.params._asdict()
        for name in ("strength", "focus", "rate"):
            params[name] = tuple(float(x) for x in params[name])
        self.params = params
        self.state = dict(zip(SYSTEM_FIELDS, initial.system.tolist()))
        self.months = 0
        self.outputs = []

    def step(self) -> None:
        self.months += 1
        self.orgs, self.arcs, self.state, outputs = reference_step(self.network, self.orgs, self.arcs, self.params, self.state, self.key, self.months)
        self.outputs.append(outputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reference-repeats", type=int, default=1)
    args = parser.parse_args()
    print(describe())
    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    seeds, months = list(range(args.seeds)), args.months
    print(f"sweep: default scenario, {len(seeds)} seeds x {months} months")

    # Compile (or load the cache) before timing.
    run_batch(scenario, seeds[:2], months, parallel=False)
    run_batch(scenario, seeds[:2], months, parallel=True)
    run(scenario, 0, months)

    results = {}
    results["run_batch, serial"] = timed(lambda: run_batch(scenario, seeds, months, parallel=False), args.repeats)
    results["run_batch, parallel (2 threads)"] = timed(lambda: run_batch(scenario, seeds, months, parallel=True), args.repeats)
    results["advance_batch (arrays, no tables), serial"] = timed(lambda: advance_batch(scenario, seeds, months, parallel=False), args.repeats)
    results["system_table (one tidy table), serial"] = timed(lambda: system_table(scenario, seeds, months, parallel=False), args.repeats)
    results["system_table, parallel (2 threads)"] = timed(lambda: system_table(scenario, seeds, months, parallel=True), args.repeats)
    results["run() per seed, one after another"] = timed(lambda: [run(scenario, s, months) for s in seeds], args.repeats)
    load_before = load()

    def reference_sweep():
        models = [ReferenceModel(scenario, seed) for seed in seeds]
        started = time.perf_counter()
        for model in models:
            for _ in range(months):
                model.step()
        return models, time.perf_counter() - started

    reference_times, stepping_times, reference_cpu = [], [], []
    for _ in range(args.reference_repeats):
        started, cpu = time.perf_counter(), time.process_time()
        models, stepping = reference_sweep()
        reference_times.append(time.perf_counter() - started)
        reference_cpu.append(time.process_time() - cpu)
        stepping_times.append(stepping)
    reference_s = float(np.median(reference_times))
    reference_cpu_s = float(np.median(reference_cpu))
    reference_stepping_s = float(np.median(stepping_times))

    # The two sides must have computed the same thing for the ratio to mean anything.
    batch = advance_batch(scenario, seeds, months, parallel=False, record_organisations=True)
    for r, model in enumerate(models):
        balances = batch.organisations[r][-1, :, 0]
        expected = [model.orgs[i]["balance"] for i in range(balances.size)]
        assert np.allclose(balances, expected, rtol=1e-9, atol=1e-9), f"seed {seeds[r]}: balances differ"
        assert math.isclose(batch.system[r, -1, 2], model.outputs[-1]["mean_trust"], rel_tol=1e-9, abs_tol=1e-9)
    print("check: final balances and mean trust of every seed agree with the reference to 1e-9")

    print("\nThe baseline is the test oracle tests/reference.py (dicts keyed by tuples, no Agent objects) driven by a "
          "mesa.Model, not an idiomatic Mesa implementation; it runs on one core. Rows marked (2 threads) are NOT like "
          "for like: their wall-time ratio compares two cores with one; their CPU-time ratio is like for like.")
    print(f"reference (Python per organisation, in a mesa.Model): {reference_s:.2f} s wall, {reference_cpu_s:.2f} s CPU "
          f"({reference_stepping_s:.2f} s of it stepping, {reference_stepping_s / (len(seeds) * months) * 1e3:.2f} ms per month); "
          f"load average {load_before} -> {load()}")
    for name, (median, times, cpu) in results.items():
        print(f"{name:45s} wall min/med {min(times) * 1e3:8.1f} / {median * 1e3:8.1f} ms, CPU med {cpu * 1e3:8.1f} ms  "
              f"ratio wall {reference_s / median:5.0f}x, CPU {reference_cpu_s / cpu:5.0f}x")
    serial = results["system_table (one tidy table), serial"][0]
    print(f"\nlike for like (one core each): ics_abm's sweep output (one tidy table of all runs) {reference_s / serial:.0f}x "
          f"the reference in wall time, {reference_cpu_s / results['system_table (one tidy table), serial'][2]:.0f}x in CPU time")
    activation = mesa_activation_per_month(25, 8)
    print(f"Mesa agent activation not included in the baseline: {activation * 1e6:.0f} us per month for 25 agents x 8 phases "
          f"({activation / (reference_stepping_s / (len(seeds) * months)):.1%} of the reference's month)")
    kernel_per_month = results["advance_batch (arrays, no tables), serial"][0] / (len(seeds) * months)
    print(f"stepping only: reference {reference_stepping_s / (len(seeds) * months) * 1e6:.0f} us per month, "
          f"advance_batch (set-up included) {kernel_per_month * 1e6:.1f} us per month: {reference_stepping_s / (len(seeds) * months) / kernel_per_month:.0f}x")


if __name__ == "__main__":
    main()
