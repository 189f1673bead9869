"""ics_abm against the same rules written as an idiomatic Mesa 3 model (issue 16).

The baseline is ``tests/idiomatic_mesa.py::IdiomaticICS``: organisations are ``mesa.Agent``
subclasses holding their state as attributes and their relationships as per-agent dicts
``partner -> Tie``; the model steps them with AgentSet operations (``shuffle_do``, ``do``,
``select``, ``agents_by_type``), one method per phase of docs/model.md 7.0, and records the
system table with a ``mesa.DataCollector``. It uses the kernel's counter-based random numbers, so
``tests/test_idiomatic_mesa.py`` checks it equal to the kernel to 1e-9, and this script checks
it again on the benchmark's own sweep (every metric of every month of every seed) before it
prints any ratio.

A second, clearly labelled baseline is the test oracle ``tests/reference.py`` driven by a
``mesa.Model`` (dicts keyed by tuples, no Agent objects; ``--reference-repeats 0`` skips it).

Both sides run the same sweep of the default scenario (20 seeds x 120 months by default) in the
same process, one after the other. ics_abm's headline figure is
:func:`ics_abm.experiments.batch.system_table` (what a sweep stores: one tidy table of every run's
monthly outcomes, initial states included), serial; ``run_batch``, bare arrays and ``run()`` one
after another are shown too. Every line prints wall and CPU time, min / median of the repeats,
and the ratios of medians against the idiomatic Mesa baseline (one core each). Lines marked
``(2 threads)`` are NOT like for like in wall time (two cores against one); their CPU-time ratio is.

    .venv/bin/python benchmarks/bench_vs_mesa.py [--seeds 20] [--months 120] [--repeats 5] [--mesa-repeats 3]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import mesa
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.* (the independent implementations) and benchmarks._machine

from benchmarks._machine import Timings, describe, load
from ics_abm import load_scenario, run, run_batch
from ics_abm.engine.graph import arc_sources
from ics_abm.engine.initial import build_initial_state
from ics_abm.engine.state import SYSTEM_FIELDS, Organisations
from ics_abm.experiments.batch import advance_batch, system_table
from ics_abm.metrics import METRICS
from tests.idiomatic_mesa import IdiomaticICS
from tests.reference import reference_step


class Timing(Timings):
    """Wall and CPU times (s) of the repeats of one line, and the last result."""

    def __init__(self, function, repeats: int):
        super().__init__()
        self.load_before = load()
        for _ in range(repeats):
            self.result = self.time(function)
        self.load_after = load()

    def line(self, name: str, baseline: Timing | None) -> str:
        text = (f"{name:48s} wall min/med {min(self.walls):9.3f} / {self.wall:9.3f} s  "
                f"CPU min/med {min(self.cpus):9.3f} / {self.cpu:9.3f} s  load {self.load_before}->{self.load_after}")
        if baseline is not None:
            text += f"  vs idiomatic Mesa: wall {baseline.wall / self.wall:6.1f}x, CPU {baseline.cpu / self.cpu:6.1f}x"
        return text


class ReferenceModel(mesa.Model):
    """The test oracle (tests/reference.py: dicts, no Agent objects) stepped by a Mesa model."""

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
        self.outputs = []

    def step(self) -> None:
        self.orgs, self.arcs, self.state, outputs = reference_step(self.network, self.orgs, self.arcs, self.params, self.state, self.key,
                                                                   self.steps)
        self.outputs.append(outputs)


def idiomatic_sweep(scenario, seeds, months):
    """The sweep as a Mesa user runs it: a model per seed, stepped, its DataCollector's table kept."""
    tables = []
    for seed in seeds:
        model = IdiomaticICS(scenario, seed)
        for _ in range(months):
            model.step()
        tables.append(model.datacollector.get_model_vars_dataframe())
    return tables


def reference_sweep(scenario, seeds, months):
    models = [ReferenceModel(scenario, seed) for seed in seeds]
    for model in models:
        for _ in range(months):
            model.step()
    return models


def check_equal(scenario, seeds, months, tables, models) -> None:
    """Every metric of every month of every seed equal to 1e-9 (NaN where NaN), or stop."""
    kernel = system_table(scenario, seeds, months, parallel=False)
    for r, table in enumerate(tables):
        expected = kernel[kernel["run"] == r]
        for metric in METRICS:
            np.testing.assert_allclose(table[metric].to_numpy(dtype=float), expected[metric].to_numpy(dtype=float), rtol=1e-9,
                                       atol=1e-9, equal_nan=True, err_msg=f"seed {seeds[r]}: {metric}")
    print(f"check: idiomatic Mesa = system_table for all {len(METRICS)} metrics x {months} months x {len(seeds)} seeds (1e-9)")
    if models:
        batch = advance_batch(scenario, seeds, months, parallel=False, record_organisations=True)
        for r, model in enumerate(models):
            balances = batch.organisations[r][-1, :, 0]
            assert np.allclose(balances, [model.orgs[i]["balance"] for i in range(balances.size)], rtol=1e-9, atol=1e-9)
            assert math.isclose(batch.system[r, -1, 2], model.outputs[-1]["mean_trust"], rel_tol=1e-9, abs_tol=1e-9)
        print("check: reference-in-Mesa final balances and mean trust of every seed agree to 1e-9")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each ics_abm line")
    parser.add_argument("--mesa-repeats", type=int, default=3, help="repeats of the idiomatic Mesa baseline")
    parser.add_argument("--reference-repeats", type=int, default=1, help="repeats of the reference-in-Mesa line (0: skip)")
    args = parser.parse_args()
    print(describe())
    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    seeds, months = list(range(args.seeds)), args.months
    print(f"sweep: default scenario, {len(seeds)} seeds x {months} months")

    # Compile (or load the cache) before timing.
    run_batch(scenario, seeds[:2], months, parallel=False)
    system_table(scenario, seeds[:2], months, parallel=True)
    run(scenario, 0, months)

    mesa_line = Timing(lambda: idiomatic_sweep(scenario, seeds, months), args.mesa_repeats)
    lines = {
        "system_table (one tidy table), serial": Timing(lambda: system_table(scenario, seeds, months, parallel=False), args.repeats),
        "advance_batch (arrays, no tables), serial": Timing(lambda: advance_batch(scenario, seeds, months, parallel=False), args.repeats),
        "run_batch (three tables per run), serial": Timing(lambda: run_batch(scenario, seeds, months, parallel=False), args.repeats),
        "run() per seed, one after another": Timing(lambda: [run(scenario, s, months) for s in seeds], args.repeats),
        "system_table, parallel (2 threads)": Timing(lambda: system_table(scenario, seeds, months, parallel=True), args.repeats),
    }
    reference = None
    if args.reference_repeats > 0:
        reference = Timing(lambda: reference_sweep(scenario, seeds, months), args.reference_repeats)

    # The sides must have computed the same thing for a ratio to mean anything.
    check_equal(scenario, seeds, months, mesa_line.result, reference.result if reference else [])

    print("\nBaseline: the idiomatic Mesa 3 model (tests/idiomatic_mesa.py), one core. Ratios are of medians, "
          "like for like (one core each) except the wall-time ratio of rows marked (2 threads).")
    print(mesa_line.line("BASELINE idiomatic Mesa (Agents, AgentSet, DataCollector)", None))
    if reference is not None:
        print(reference.line("reference-in-Mesa (test oracle, dicts, no Agents)", mesa_line))
    for name, timing in lines.items():
        print(timing.line(name, mesa_line))
    headline = lines["system_table (one tidy table), serial"]
    runs = len(seeds)
    print(f"\nlike for like (one core each): a sweep's output (system_table, serial) is {mesa_line.wall / headline.wall:.0f}x the "
          f"idiomatic Mesa model in wall time and {mesa_line.cpu / headline.cpu:.0f}x in CPU time")
    print(f"throughput: idiomatic Mesa {runs / mesa_line.cpu:.1f} runs per CPU-second; system_table serial "
          f"{runs / headline.cpu:.0f} runs per CPU-second (min {runs / min(headline.cpus):.0f} at the fastest repeat)")


if __name__ == "__main__":
    main()
