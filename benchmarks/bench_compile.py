"""Cold-cache compilation: what the first ``run()`` and the first batch of a process cost.

Run with ``.venv/bin/python benchmarks/bench_compile.py``. Each repeat is a fresh process with
``ICS_ABM_NUMBA_CACHE=0`` (the engine compiles afresh, :mod:`ics_abm.engine.jit`) that imports
ics_abm, makes one 120-month run of the default scenario, then one batch of 4 runs with the
serial batch driver and one with the parallel one (``system_table``): CPU and wall time of each phase, min /
median of ``--repeats``. The baseline measured in the same loop is the same script with the
warm cache (everything loaded from disk), so compilation is the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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
print(json.dumps({"phases": [[b[0] - a[0], b[1] - a[1]] for a, b in zip(marks, marks[1:])],
                  "serial_step_signatures": len(advance_steps.serial.signatures),
                  "parallel_step_signatures": len(advance_steps.parallel.signatures)}))
"""
PHASES = ("import", "first run()", "first batch, serial driver", "first batch, parallel driver")


def once(cold: bool) -> dict:
    env = {**os.environ, "ICS_ABM_NUMBA_CACHE": "0" if cold else "1"}
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    once(cold=False)  # fill the on-disk cache, so that the warm rows load it
    results: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(args.repeats):
        for cold in (False, True):
            results[cold].append(once(cold))
            print(f"  ({'cold' if cold else 'warm'} repeat done, load {load()})", flush=True)
    for cold in (False, True):
        label = "cold cache (ICS_ABM_NUMBA_CACHE=0)" if cold else "warm cache (baseline)"
        print(label)
        for p, phase in enumerate(PHASES):
            walls = [r["phases"][p][0] for r in results[cold]]
            cpus = [r["phases"][p][1] for r in results[cold]]
            print(f"  {phase:42s} wall min/med {min(walls):7.2f} / {statistics.median(walls):7.2f} s  "
                  f"CPU min/med {min(cpus):7.2f} / {statistics.median(cpus):7.2f} s")
        signatures = results[cold][-1]
        print(f"  step signatures compiled: serial {signatures['serial_step_signatures']}, "
              f"parallel {signatures['parallel_step_signatures']}")
    cold_cpu = statistics.median(sum(c for _, c in r["phases"][1:]) for r in results[True])
    warm_cpu = statistics.median(sum(c for _, c in r["phases"][1:]) for r in results[False])
    print(f"compilation (cold minus warm, run + batch, median CPU): {cold_cpu - warm_cpu:.1f} s; load {load()}")


if __name__ == "__main__":
    main()
