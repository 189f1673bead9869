"""Cold-cache compilation: what the first ``run()`` and the first batch of a process cost.

Run with ``.venv/bin/python benchmarks/bench_compile.py``. Each repeat runs, in fresh processes,
the same steps (import ics_abm; one 120-month run of the default scenario; a batch of 4 runs with
the serial batch driver and one with the parallel one, ``system_table``) in three conditions,
interleaved:

* **compiled here** (the baseline, as before the engine's code was shipped): an empty cache and
  ``ICS_ABM_SHIPPED_KERNELS=0``, so every kernel is compiled for this machine;
* **fresh install**: an empty cache, the shipped machine code on (``ics_abm/engine/compiled``,
  :mod:`ics_abm.engine.jit`), as a new user's first run;
* **warm cache**: the engine's own cache filled by an earlier process.

CPU and wall time of each phase, min / median of ``--repeats``; compilation is a condition's time
minus the warm cache's, and the ratio of the fresh install's to the baseline's is printed. Each
process then times 20 runs of 120 months with the serial batch driver, 7 times: the speed of the
machine code it runs (the shipped code is compiled for a generic CPU, the rest for this one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import describe, load  # noqa: E402

CHILD = r"""
import json, resource, time
def clock():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), u.ru_utime + u.ru_stime
marks = [clock()]
from ics_abm.experiments.batch import system_table
from ics_abm.run import run
from ics_abm.scenario.loading import load_scenario
marks.append(clock())
scenario = load_scenario("scenarios/default.toml")
run(scenario, 1, 120)
marks.append(clock())
system_table(scenario, [1, 2, 3, 4], 120, parallel=False)
marks.append(clock())
system_table(scenario, [1, 2, 3, 4], 120, parallel=True)
marks.append(clock())
from ics_abm.engine.step import advance_steps
throughput = []  # the machine code's speed: 20 runs of 120 months, serial batch driver, CPU s
for _ in range(7):
    start = clock()
    system_table(scenario, list(range(20)), 120, parallel=False)
    throughput.append(clock()[1] - start[1])
print(json.dumps({"phases": [[b[0] - a[0], b[1] - a[1]] for a, b in zip(marks, marks[1:])], "throughput": throughput,
                  "serial_step_signatures": len(advance_steps.serial.signatures),
                  "parallel_step_signatures": len(advance_steps.parallel.signatures)}))
"""
PHASES = ("import", "first run()", "first batch, serial driver", "first batch, parallel driver")
CONDITIONS = {"compiled here (baseline)": {"ICS_ABM_SHIPPED_KERNELS": "0"},
              "fresh install (shipped code)": {"ICS_ABM_SHIPPED_KERNELS": "1"},
              "warm cache": {"ICS_ABM_SHIPPED_KERNELS": "1"}}


def once(condition: str, warm_cache: str) -> dict:
    env = {**os.environ, "ICS_ABM_NUMBA_CACHE": "1", **CONDITIONS[condition]}
    with tempfile.TemporaryDirectory() as empty:
        env["NUMBA_CACHE_DIR"] = warm_cache if condition == "warm cache" else empty
        done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _compile_cpu(result: dict) -> float:
    return sum(cpu for _, cpu in result["phases"][1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    results: dict[str, list[dict]] = {condition: [] for condition in CONDITIONS}
    with tempfile.TemporaryDirectory() as warm_cache:
        env = {**os.environ, "ICS_ABM_NUMBA_CACHE": "1", "ICS_ABM_SHIPPED_KERNELS": "0", "NUMBA_CACHE_DIR": warm_cache}
        subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, check=True)  # fill it
        for _ in range(args.repeats):
            for condition in CONDITIONS:
                results[condition].append(once(condition, warm_cache))
                print(f"  ({condition} repeat done, load {load()})", flush=True)
    for condition, runs in results.items():
        print(condition)
        for p, phase in enumerate(PHASES):
            walls = [r["phases"][p][0] for r in runs]
            cpus = [r["phases"][p][1] for r in runs]
            print(f"  {phase:42s} wall min/med {min(walls):7.2f} / {statistics.median(walls):7.2f} s  "
                  f"CPU min/med {min(cpus):7.2f} / {statistics.median(cpus):7.2f} s")
        rates = sorted(20 / min(r["throughput"]) for r in runs)  # best of 7 per process
        print(f"  then: system_table, 20 runs x 120 months, serial: {min(rates):.0f} / {statistics.median(rates):.0f} "
              f"runs per CPU-second (min / median over processes of each process's best of 7)")
        print(f"  step signatures compiled or loaded: serial {runs[-1]['serial_step_signatures']}, "
              f"parallel {runs[-1]['parallel_step_signatures']}")
    warm = statistics.median(_compile_cpu(r) for r in results["warm cache"])
    baseline = [_compile_cpu(r) - warm for r in results["compiled here (baseline)"]]
    shipped = [_compile_cpu(r) - warm for r in results["fresh install (shipped code)"]]
    print(f"compilation (run + batches minus the warm cache's, CPU min/median): compiled here "
          f"{min(baseline):.2f} / {statistics.median(baseline):.2f} s, fresh install {min(shipped):.2f} / "
          f"{statistics.median(shipped):.2f} s; ratio of medians {statistics.median(shipped) / statistics.median(baseline):.3f}; "
          f"load {load()}")


if __name__ == "__main__":
    main()
