"""Where parallelism pays: the automatic choice between the serial and the parallel step.

The parallel step (:data:`ics_abm.engine.step.advance_steps` ``.parallel``) opens several
parallel regions a month (one per submodel loop over organisations), and every thread waits at
the end of each region for the slowest. On a small system a region is a few microseconds of work,
so thread start-up and waiting cost more than they save, and when another program holds one of
the cores a thread that cannot get it holds everyone up for a scheduler time slice, every region:
``benchmarks/bench_parallel.py`` measured the default system (25 organisations) 30-700x slower
in parallel with the other core busy, and 300 organisations 11-42x slower. The parallel step is therefore used only for systems with at
least :func:`parallel_min_arcs` arcs, where a month is enough work per region to pay for it;
below that a request for parallelism gets the serial step (same numbers, bit for bit). Nor is it
used while the machine is busy (a 1-minute load average above the cores less half a core, the
rule of ``make --max-load``): on the shared 2-core machine at a load of 6-9 the parallel step was
1.7x slower than the serial one even at 2 million arcs.

Many runs are spread over the cores one run per thread (:data:`ics_abm.engine.batch.advance_runs`),
one parallel region per chunk of months; that choice is left to the caller (not re-measured in issue 16).
"""

from __future__ import annotations

import os

import numba

__all__ = ["PARALLEL_MIN_ARCS", "PARALLEL_MIN_ARCS_ENV", "parallel_min_arcs", "threads", "machine_is_busy", "step_in_parallel"]

#: Arcs (two per relationship) from which the parallel step is used when parallelism is allowed.
#: On the project's shared 2-core machine the parallel step did not beat the serial one at any
#: size up to 2.2 million arcs while other programs kept the load at 4-9, and lost up to 700x on
#: small systems (``benchmarks/bench_parallel.py``, RESULTS.md 2026-12-06); on an idle machine it
#: was 2x faster from about 50,000 arcs (``bench_large_graph.py``). The threshold is set above
#: the sizes where it lost most; :func:`machine_is_busy` keeps it serial under such load.
PARALLEL_MIN_ARCS = 1_000_000
#: Environment variable that overrides :data:`PARALLEL_MIN_ARCS` (0: parallel whenever allowed).
PARALLEL_MIN_ARCS_ENV = "ICS_ABM_PARALLEL_MIN_ARCS"


def parallel_min_arcs() -> int:
    """The threshold in arcs: :data:`PARALLEL_MIN_ARCS`, or the whole number in ``ICS_ABM_PARALLEL_MIN_ARCS``."""
    text = os.environ.get(PARALLEL_MIN_ARCS_ENV, "").strip()
    if not text:
        return PARALLEL_MIN_ARCS
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{PARALLEL_MIN_ARCS_ENV} must be a whole number of arcs >= 0, got {text!r}") from None
    if value < 0:
        raise ValueError(f"{PARALLEL_MIN_ARCS_ENV} must be a whole number of arcs >= 0, got {text!r}")
    return value


def threads() -> int:
    """Threads numba's parallel regions would use (``NUMBA_NUM_THREADS`` / :func:`numba.set_num_threads`)."""
    return int(numba.get_num_threads())


def machine_is_busy() -> bool:
    """Whether the 1-minute load average exceeds the cores this process may use, less half a core.

    A process that computes counts 1 towards the load itself, so on 2 cores a load up to 1.5 leaves
    at least half a core for a second thread. Where the load is unknown (not POSIX), not busy.
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return load > cores - 0.5


def step_in_parallel(n_arcs: int, parallel: bool | None = None) -> bool:
    """Whether a system of ``n_arcs`` arcs is advanced by the parallel step.

    Parameters
    ----------
    n_arcs : int
        Arcs of the system (``graph.target.shape[0]``, twice its relationships).
    parallel : bool or None
        ``False``: never. ``None`` (automatic) or ``True`` (parallelism wanted): where it pays,
        i.e. with more than one thread, at least :func:`parallel_min_arcs` arcs and the machine
        not busy (:func:`machine_is_busy`). With a threshold of 0 (``ICS_ABM_PARALLEL_MIN_ARCS=0``),
        whenever there is more than one thread, busy or not.

    Returns
    -------
    bool
    """
    if parallel is False:
        return False
    threshold = parallel_min_arcs()
    if threads() < 2 or int(n_arcs) < threshold:
        return False
    return threshold == 0 or not machine_is_busy()
