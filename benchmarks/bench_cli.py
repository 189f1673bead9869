"""How long the command line takes to start: ``ics-abm --help``, ``validate`` and ``scenarios``.

Issue 14 asks for ``ics-abm --help`` and ``ics-abm validate`` under 0.5 s. Each command is run as a
new process (what a user waits for), interleaved with the baseline ``python -c pass`` (the
interpreter's own start) and ``python -c "import mesa"`` (what importing the model costs), so that
all of them see the same load. Reported per command: wall time and CPU time (user + system, of the
child) as min and median over the repeats, and the ratio of the medians to the baseline.

    .venv/bin/python benchmarks/bench_cli.py [--repeats 15] [--before OTHER/.venv/bin/ics-abm]

``--before`` adds ``--help`` and ``validate`` of another install (e.g. a checkout of an older commit)
to the same interleaved loop, for a like-for-like comparison.

The machine is shared: read the load average printed first.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe  # noqa: I001  (the folder of this script, put on the path above)

BIN = Path(sys.executable).parent


def _commands(before: str | None) -> dict[str, list[str]]:
    cli = [str(BIN / "ics-abm")]
    other = {} if before is None else {"before: ics-abm --help": [before, "--help"],
                                       "before: ics-abm validate FILE": [before, "validate", str(_FILE)]}
    return other | {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "python -c 'import mesa'": [sys.executable, "-c", "import mesa"],
        "ics-abm --help": [*cli, "--help"],
        "ics-abm validate FILE": [*cli, "validate", str(_FILE)],
        "ics-abm validate default": [*cli, "validate", "default"],
        "ics-abm scenarios": [*cli, "scenarios"],
    }


#: A scenario file every version accepts (the default system), for validate.
_FILE = Path(tempfile.mkdtemp()) / "bench.toml"
_FILE.write_text('[scenario]\nname = "bench"\ndescription = "the default system"\n', encoding="utf-8")


def _once(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command`` as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--before", help="the ics-abm of another install, timed in the same loop")
    args = parser.parse_args()
    commands = _commands(args.before)
    print(describe())
    print(f"cores available to this process: {len(os.sched_getaffinity(0))}; repeats: {args.repeats} (interleaved)")
    for command in commands.values():  # warm the file cache and the compiled bytecode
        _once(command)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, command in commands.items():
            wall, cpu = _once(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base = statistics.median(walls["python -c pass (baseline)"])
    print(f"{'command':<32} {'wall min':>9} {'wall med':>9} {'cpu min':>9} {'cpu med':>9} {'x baseline':>11}")
    for name in commands:
        w, c = walls[name], cpus[name]
        print(f"{name:<32} {min(w) * 1e3:>7.0f}ms {statistics.median(w) * 1e3:>7.0f}ms {min(c) * 1e3:>7.0f}ms "
              f"{statistics.median(c) * 1e3:>7.0f}ms {statistics.median(w) / base:>10.1f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
