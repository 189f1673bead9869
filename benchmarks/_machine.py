"""What every benchmark prints first: the machine, the software and how busy the machine was."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import time
from pathlib import Path


def describe() -> str:
    """One paragraph: date, CPU model and count, RAM, load, Python and library versions."""
    import numba
    import numpy

    from ics_abm import __version__

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        ram = f"{mem_kib / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return (
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {cpu}, nproc {os.cpu_count()}, {ram}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python {platform.python_version()}, "
        f"numba {numba.__version__} ({numba.config.THREADING_LAYER} threading layer, {numba.get_num_threads()} threads), "
        f"numpy {numpy.__version__}, ics_abm {__version__}"
    )


def load() -> str:
    """The 1-minute load average now (other processes compete for the cores when it exceeds ours)."""
    return f"{os.getloadavg()[0]:.2f}"


def timed(function, repeats: int) -> tuple[float, list[float]]:
    """Median wall time of ``repeats`` calls, and all of them (s)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def cpu_seconds() -> float:
    """CPU time of this process so far (user + system, all threads), s."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timings:
    """Wall and CPU seconds (this process, all threads) of repeated calls, with their medians."""

    def __init__(self) -> None:
        self.walls: list[float] = []
        self.cpus: list[float] = []

    def time(self, function):
        """Call ``function()``, record its wall and CPU time, and return its result."""
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        self.walls.append(time.perf_counter() - wall)
        self.cpus.append(time.process_time() - cpu)
        return result

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)
