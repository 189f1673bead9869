"""Calibration throughput: simulations per second per core of a particle evaluation (issue 11).

The calibration path is :class:`ics_abm.experiments.calibration.smc.PatternModel`, the simulator
pyabc calls for every particle: the particle's parameters are applied to the base scenario, each
arm the config's patterns need (up to four) is run on the config's common seeds with the batched
:func:`ics_abm.experiments.batch.system_table` (serial), and the patterns' statistics are
computed. The baseline is the same work one run at a time: the same scenarios, one
``ics_abm.run(scenario, seed, steps, parallel=False)`` per arm and seed, their system tables
stacked into the same tables, then the same statistics. Both run in this process, one core each
(numba limited to one thread), on the same particles drawn from the config's prior, repeats
interleaved (calibration, baseline, calibration, ...) so that a change of load hits both. Before
any ratio is printed the two paths are checked to give identical statistics for every particle.

Printed per line: wall and CPU time per repeat (min / median), simulations (runs of ``steps``
months) per CPU-second, i.e. per core, and the ratio of the medians, with the 1-minute load
before and after.

    .venv/bin/python benchmarks/bench_calibration.py [--config default] [--particles 5] [--repeats 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core each, like for like (before numba is imported)

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import Timings, describe, load
from ics_abm import run
from ics_abm.experiments.calibration import distance, read_config
from ics_abm.experiments.calibration.patterns import ARMS, summaries
from ics_abm.experiments.calibration.smc import PatternModel
from ics_abm.experiments.sweeps.parameters import with_values
from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.loading import scenario_from_dict


class Timing(Timings):
    """Wall and CPU times (s) of the repeats of one line, interleaved with the other lines, and the load."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []

    def time(self, function):
        self.loads.append(load())
        result = super().time(function)
        self.loads.append(load())
        return result

    def line(self, name: str, runs: int) -> str:
        return (f"{name:44s} wall min/med {min(self.walls):7.3f} / {self.wall:7.3f} s  "
                f"CPU min/med {min(self.cpus):7.3f} / {self.cpu:7.3f} s  "
                f"{runs / self.cpu:6.0f} sims per CPU-s (best {runs / min(self.cpus):.0f})  "
                f"load {min(self.loads)}-{max(self.loads)}")


def draw_particles(config, n: int, seed: int) -> list[dict[str, float]]:
    """``n`` parameter sets drawn uniformly from the config's prior that every arm's scenario accepts."""
    rng = np.random.default_rng(seed)
    particles = []
    while len(particles) < n:
        values = {path: float(rng.uniform(*prior.range)) for path, prior in config.prior.items()}
        try:
            for arm in ARMS.values():
                scenario_from_dict(with_values(with_values(config.base, values), arm))
        except ScenarioError:
            continue  # the calibration rejects it without running anything: not a simulation
        particles.append(values)
    return particles


def one_at_a_time(model: PatternModel, values: dict[str, float]) -> dict[str, float]:
    """The baseline: the same arms and seeds as ``model(values)``, one ``run()`` per run."""
    tables = {}
    for arm in model.arms:
        scenario = scenario_from_dict(with_values(with_values(model.base, values), ARMS[arm]))
        frames = [run(scenario, seed, model.steps, parallel=False).system.assign(run=r)
                  for r, seed in enumerate(model.seeds)]
        tables[arm] = pd.concat(frames, ignore_index=True)
    return summaries(tables, model.steps, model.names)


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in
                                        ((float(a[k]), float(b[k])) for k in a))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="default", help="a calibration config (default: the shipped 'default')")
    parser.add_argument("--particles", type=int, default=5, help="particles evaluated per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11, help="seed of the particles' draw from the prior")
    args = parser.parse_args()
    print(describe())
    config = read_config(args.config)
    model = PatternModel(config)
    particles = draw_particles(config, args.particles, args.seed)
    runs = len(particles) * len(model.arms) * len(model.seeds)
    print(f"config '{config.settings.name}': {len(config.prior)} parameters, {len(model.names)} patterns, "
          f"{len(model.arms)} arms x {len(model.seeds)} seeds x {model.steps} months per particle; "
          f"{len(particles)} particles = {runs} simulations per repeat; {args.repeats} repeats, interleaved")

    # Compile (or load numba's cache) and check before timing: the two paths must agree exactly.
    batched = [model(p) for p in particles]
    single = [one_at_a_time(model, p) for p in particles]
    for i, (a, b) in enumerate(zip(batched, single, strict=True)):
        if not _same(a, b):
            raise SystemExit(f"particle {i}: the two paths disagree: {a} != {b}")
    print(f"check: identical statistics from both paths for all {len(particles)} particles "
          f"({sum(1 for s in batched if distance(s) == 0.0)} of them inside every pattern's target)")

    calibration, baseline = Timing(), Timing()
    for _ in range(args.repeats):
        calibration.time(lambda: [model(p) for p in particles])
        baseline.time(lambda: [one_at_a_time(model, p) for p in particles])
    print("\nBaseline: one ics_abm.run() per simulation, then the same statistics. One core each.")
    print(baseline.line("BASELINE run() one at a time", runs))
    print(calibration.line("PatternModel (batched system_table), serial", runs))
    print(f"\ncalibration path vs one at a time (ratio of medians): wall {baseline.wall / calibration.wall:.1f}x, "
          f"CPU {baseline.cpu / calibration.cpu:.1f}x; {runs / calibration.cpu:.0f} against "
          f"{runs / baseline.cpu:.0f} simulations per CPU-second (per core); "
          f"{calibration.cpu / len(particles) * 1000:.0f} ms CPU per particle evaluation")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
