"""Start-up as a user feels it: ``ics-abm run`` and ``ics-abm compare`` end to end, warm numba cache.

Run with ``.venv/bin/python benchmarks/bench_start.py [--before TREE]``. Each command runs in a
fresh process (``python -m ics_abm.cli``) ``--repeats`` times, interleaved; wall time and CPU time
(user + system of the child) are reported as min / median, with the 1-minute load. The baseline
measured in the same run is the interpreter starting and importing numpy, pandas and numba, which
every command pays. ``--before TREE`` also times the same commands on another source tree (e.g.
``git archive <commit> | tar -x -C /tmp/before``, its numba cache warmed first) with this venv.
Also reports which heavy libraries a default run and a default comparison import.
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


def _cli(tree: Path) -> list[str]:
    # -P: the current folder does not go before PYTHONPATH, so TREE is the code that runs.
    return ["env", f"PYTHONPATH={tree}", sys.executable, "-P", "-m", "ics_abm.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another source tree to time the same commands on")
    args = parser.parse_args()
    print(describe())
    out = Path(tempfile.mkdtemp(prefix="ics_abm_start_"))
    run = ["run", "default", "--steps", "120", "--out", str(out / "run"), "--force"]
    compare = ["compare", "default", "regulation_aligned", "--replicates", "30", "--out", str(out / "cmp"), "--force"]
    commands = {"baseline: python -c 'import numpy, pandas, numba'": [sys.executable, "-c", "import numpy, pandas, numba"]}
    trees = [("", ROOT)] + ([("before: ", args.before.resolve())] if args.before else [])
    for prefix, tree in trees:
        commands[f"{prefix}ics-abm run default"] = _cli(tree) + run
        commands[f"{prefix}ics-abm run default --figure"] = _cli(tree) + run + ["--figure"]
        commands[f"{prefix}ics-abm compare default regulation_aligned (30)"] = _cli(tree) + compare
        if not prefix:
            commands["ics-abm compare ... --figures"] = _cli(tree) + compare + ["--figures"]
    for argv in commands.values():  # warm the numba cache and the file cache
        once(argv)
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    loads = []
    for _ in range(args.repeats):
        for name, argv in commands.items():
            timings[name].append(once(argv))
        loads.append(load())
    base = statistics.median(w for w, _ in timings[next(iter(commands))])
    print(f"{'command':52s} {'wall min':>8s} {'wall med':>8s} {'cpu min':>8s} {'cpu med':>8s}  x baseline (median wall)")
    for name, values in timings.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(f"{name:52s} {min(walls):7.2f}s {statistics.median(walls):7.2f}s {min(cpus):7.2f}s {statistics.median(cpus):7.2f}s  "
              f"{statistics.median(walls) / base:5.1f}x")
    print(f"1-minute load after each round: {', '.join(loads)}")
    for label, argv in (("a default run", run), ("a default comparison", compare)):
        trace = subprocess.run([sys.executable, "-X", "importtime", "-m", "ics_abm.cli", *argv], cwd=ROOT,
                               capture_output=True, text=True, check=True).stderr
        loaded = {line.rsplit("|", 1)[-1].strip() for line in trace.splitlines() if "|" in line}
        # scipy's top level is imported by numba itself (a version check, a few ms): its heavy parts are listed.
        # A package counts when any of its modules is listed (scipy's lazy loader hides scipy.stats' own line).
        heavy = [name for name in ("mesa", "matplotlib", "seaborn", "scipy.linalg", "scipy.stats", "solara", "networkx")
                 if any(m == name or m.startswith(name + ".") for m in loaded)]
        print(f"heavy libraries {label} imports: {', '.join(heavy) or 'none'} (target: no Mesa, matplotlib or seaborn)")
    print(f"cores {os.cpu_count()}")


if __name__ == "__main__":
    main()
