"""Serial against parallel step, side by side, with and without a busy process on the other core.

Run with ``.venv/bin/python benchmarks/bench_parallel.py``. For systems from the default scenario's
25 organisations upwards (the default mix of kinds scaled, the default tie probabilities, so the
arcs grow with the square of the organisations) it times ``advance`` over ``--months`` months:

* ``serial``: the serial step;
* ``parallel (forced)``: the ``parallel=True`` compilation whatever the size (what ``run(parallel=True)``
  did before issue 16), timed after the other two (numba's threads spin after a parallel region
  and would slow a serial timing that followed);
* ``parallel=True (auto)``: what ``ics_abm.run(..., parallel=True)`` and ``ICSModel`` do now
  (:func:`ics_abm.engine.dispatch.step_in_parallel`: the parallel step only above a size threshold).

Everything is measured twice: with the machine as it is, then with a busy process (a Python loop,
started and stopped by this script) competing for a core. Each figure is the min and median of
``--repeats`` timings, wall and CPU time (all threads of this process); each ratio is against the
serial step measured in the same block. The check printed last is the issue's: the automatic
choice is never more than 1.5x slower than serial (median wall time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe, load  # noqa: E402

from ics_abm import ICSModel, load_scenario  # noqa: E402
from ics_abm.engine.dispatch import parallel_min_arcs, step_in_parallel  # noqa: E402
from ics_abm.engine.state import Arcs, Organisations  # noqa: E402
from ics_abm.engine.step import advance  # noqa: E402
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict  # noqa: E402

BUSY = "while True:\n    pass\n"


def system(organisations: int):
    """A model of about ``organisations`` organisations: the default mix scaled, default tie probabilities."""
    data = scenario_to_dict(load_scenario(ROOT / "scenarios" / "default.toml"))
    total = sum(data["organisations"].values())
    data["organisations"] = {kind: max(1, round(count * organisations / total)) for kind, count in data["organisations"].items()}
    return ICSModel(scenario_from_dict(data, source="benchmark"), seed=0, agents=False)


def timer(model, months: int, parallel: bool):
    state = (model.organisations, model.graph, model.arcs, model.params, model.system)

    def once() -> tuple[float, float]:
        orgs = Organisations(*[a.copy() for a in state[0]])
        arcs = Arcs(*[a.copy() for a in state[2]])
        wall, cpu = time.perf_counter(), time.process_time()
        advance(orgs, state[1], arcs, state[3], state[4].copy(), key=model.key, first_step=1, n_steps=months, parallel=parallel)
        return time.perf_counter() - wall, time.process_time() - cpu

    once()  # compile or load the cache
    return once


def summary(timings: list[tuple[float, float]]) -> dict:
    walls, cpus = zip(*timings)
    return {"wall_min": min(walls), "wall_med": statistics.median(walls), "cpu_min": min(cpus), "cpu_med": statistics.median(cpus)}


def row(label: str, m: dict, months: int, serial: dict | None) -> str:
    ratio = f"{m['wall_med'] / serial['wall_med']:6.2f}x" if serial else "   1.00x"
    return (f"  {label:24s} wall min/med {m['wall_min'] / months * 1e3:8.3f} / {m['wall_med'] / months * 1e3:8.3f} ms/month  "
            f"CPU min/med {m['cpu_min'] / months * 1e3:8.3f} / {m['cpu_med'] / months * 1e3:8.3f} ms/month  vs serial {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 300, 1000, 2000])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(describe())
    print(f"threshold: parallel step from {parallel_min_arcs():,} arcs; {args.months} months per timing, {args.repeats} repeats")
    models = {n: system(n) for n in args.sizes}
    timers = {n: {p: timer(models[n], args.months, p) for p in (False, True)} for n in args.sizes}
    worst = 0.0
    for busy in (False, True):
        process = subprocess.Popen([sys.executable, "-c", BUSY]) if busy else None
        try:
            if process is not None:
                time.sleep(1.0)
            print(f"\n{'WITH a busy process on the other core' if busy else 'machine as it is'} (load {load()}):")
            for n, model in models.items():
                arcs = int(model.graph.target.shape[0])
                auto = step_in_parallel(arcs, True)
                # Serial and the automatic choice interleaved, so that a change of load hits both alike;
                # the forced parallel step in a block of its own afterwards, because after a parallel
                # region numba's worker threads spin for a while and slow whatever runs next.
                runs: dict[str, list[tuple[float, float]]] = {"serial": [], "forced": [], "auto": []}
                for _ in range(args.repeats):
                    runs["serial"].append(timers[n][False]())
                    runs["auto"].append(timers[n][auto]())
                for _ in range(args.repeats):
                    runs["forced"].append(timers[n][True]())
                time.sleep(0.5)
                serial, forced, chosen = (summary(runs[k]) for k in ("serial", "forced", "auto"))
                print(f" {model.organisations.kind.shape[0]} organisations, {arcs:,} arcs (auto: {'parallel' if auto else 'serial'}):")
                print(row("serial", serial, args.months, None))
                print(row("parallel (forced)", forced, args.months, serial))
                print(row("parallel=True (auto)", chosen, args.months, serial))
                worst = max(worst, chosen["wall_med"] / serial["wall_med"])
        finally:
            if process is not None:
                process.kill()
                process.wait()
    print(f"\nworst median ratio of parallel=True (auto) to serial: {worst:.2f}x (target <= 1.5x: {'met' if worst <= 1.5 else 'NOT met'}); "
          f"load now {load()}; cores {os.cpu_count()}")


if __name__ == "__main__":
    main()
