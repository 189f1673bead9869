"""Start-up as a user feels it: ``ics-abm run`` of the default scenario end to end, warm numba cache.

Run with ``.venv/bin/python benchmarks/bench_start.py``. Each command runs in a fresh process
``--repeats`` times, interleaved; wall time and CPU time (user + system of the child) are
reported as min / median. The baseline measured in the same run is the interpreter starting and
importing numpy, pandas and numba, which every command pays. Also reports which heavy libraries a
``--no-figure`` run imports (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import describe, load  # noqa: E402

BIN = Path(sys.executable).parent


def once(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(describe())
    out = Path(tempfile.mkdtemp(prefix="ics_abm_start_")) / "out"
    run = [str(BIN / "ics-abm"), "run", "scenarios/default.toml", "--steps", "120", "--out", str(out), "--force"]
    commands = {
        "baseline: python -c 'import numpy, pandas, numba'": [sys.executable, "-c", "import numpy, pandas, numba"],
        "ics-abm run default --no-figure": run + ["--no-figure"],
        "ics-abm run default (with figure.png)": run,
    }
    for argv in commands.values():  # warm the numba cache and the file cache
        once(argv)
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, argv in commands.items():
            timings[name].append(once(argv))
    base = statistics.median(w for w, _ in timings[next(iter(commands))])
    for name, values in timings.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(f"  {name:52s} wall min/med {min(walls):6.2f} / {statistics.median(walls):6.2f} s  "
              f"CPU min/med {min(cpus):6.2f} / {statistics.median(cpus):6.2f} s  ({statistics.median(walls) / base:4.1f}x baseline)  load {load()}")
    trace = subprocess.run([sys.executable, "-X", "importtime", str(BIN / "ics-abm"), *run[1:], "--no-figure"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in trace.splitlines() if "|" in line}
    heavy = [name for name in ("mesa", "matplotlib", "seaborn", "scipy", "solara", "networkx") if name in loaded]
    print(f"heavy libraries a --no-figure run imports: {', '.join(heavy) or 'none'} (target: no Mesa, matplotlib or seaborn)")
    print(f"cores {os.cpu_count()}")


if __name__ == "__main__":
    main()
