"""One set of bounds for everything a user can ask for: file sizes, nesting, seeds, sizes of jobs.

Every entry point (scenario and sweep files, the command line, the Python API) checks its input
against these bounds, so that bad input gets one sentence naming what was expected and what was
given, rather than a crash, a hang or a computer that runs out of memory.

Two kinds of bound:

* **Hard bounds** hold always: a whole number must be one (not ``True``, ``1.5`` or ``"3"``), a
  seed must fit the 64 bits that the random generator and the Parquet files store, a file must be
  a regular file of at most :data:`MAX_FILE_BYTES` nested at most :data:`MAX_NESTING` levels.
* **Laptop bounds** (:data:`LAPTOP_MEMORY_BYTES`, :data:`LAPTOP_SWEEP_RUNS`) keep a job within
  what a laptop can do. A bigger machine lifts them explicitly: ``--allow-large`` on the command
  line, or the environment variable ``ICS_ABM_ALLOW_LARGE=1`` (also for the Python API).

Kept light (the standard library only): every command imports it.
"""

from __future__ import annotations

import contextlib
import numbers
import os
from collections.abc import Iterator

__all__ = [
    "ALLOW_LARGE_ENV",
    "LAPTOP_MEMORY_BYTES",
    "LAPTOP_SWEEP_RUNS",
    "allowing_large",
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "MAX_REPLICATES",
    "MAX_ROOT_SEED",
    "MAX_SEED",
    "MAX_STEPS",
    "MAX_SWEEP_RUNS",
    "MAX_WORKERS",
    "check_run_size",
    "check_sweep_size",
    "describe_size",
    "large_allowed",
    "run_estimate",
    "whole_number",
]

#: Largest scenario or sweep file read, bytes (the shipped ones are below 20 kB).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Deepest nesting of tables and arrays in a file (a scenario needs 4 levels).
MAX_NESTING = 32
#: Largest seed: seeds are stored as unsigned 64-bit integers.
MAX_SEED = 2**64 - 1
#: Largest root seed of a sweep: stored in the results' signed 64-bit ``root_seed`` column.
MAX_ROOT_SEED = 2**63 - 1
#: Most months in one run (the scenario schema's bound).
MAX_STEPS = 100_000
#: Most replicates of a comparison (``ics-abm compare --replicates``).
MAX_REPLICATES = 10_000
#: Most local worker processes of a sweep.
MAX_WORKERS = 1024
#: Most runs in one sweep design even with the override (the design table must fit in memory).
MAX_SWEEP_RUNS = 20_000_000
#: Estimated memory of one run that a laptop is assumed to have to spare, bytes.
LAPTOP_MEMORY_BYTES = 4 * 1024**3
#: Most runs of a sweep on a laptop (about a day on two cores at 120 months per run).
LAPTOP_SWEEP_RUNS = 200_000
#: Environment variable that lifts the laptop bounds (``1``, ``true`` or ``yes``).
ALLOW_LARGE_ENV = "ICS_ABM_ALLOW_LARGE"

# Measured on a laptop (default scenario, whose network has about n**2 / 2 arcs: 10,000
# organisations took 6.4 GB and 110 s for two months): memory grows with the relationships (arcs)
# and with the organisation-months kept; time likewise.
_BYTES_PER_ARC = 128
_BYTES_PER_ORGANISATION_MONTH = 160
_BYTES_BASE = 200 * 1024**2
_SECONDS_PER_ARC_MONTH = 1.2e-6
_SECONDS_PER_ORGANISATION_MONTH = 2e-6

_OVERRIDE = f"give --allow-large (or set {ALLOW_LARGE_ENV}=1) on a machine big enough"


def large_allowed(allow: bool | None = None) -> bool:
    """Whether the laptop bounds are lifted: ``allow`` if given, else :data:`ALLOW_LARGE_ENV`."""
    if allow is not None:
        return bool(allow)
    return os.environ.get(ALLOW_LARGE_ENV, "").strip().lower() in ("1", "true", "yes")


@contextlib.contextmanager
def allowing_large(allow: bool) -> Iterator[None]:
    """Lift the laptop bounds for the ``with`` block if ``allow`` (``--allow-large``), then restore them.

    Through the environment, so that worker processes started meanwhile inherit it.
    """
    before = os.environ.get(ALLOW_LARGE_ENV)
    if allow:
        os.environ[ALLOW_LARGE_ENV] = "1"
    try:
        yield
    finally:
        if allow and before is None:
            os.environ.pop(ALLOW_LARGE_ENV, None)
        elif allow:
            os.environ[ALLOW_LARGE_ENV] = before  # type: ignore[assignment]


def whole_number(value: object, name: str, low: int, high: int | None = None) -> int:
    """``value`` checked to be a whole number from ``low`` to ``high``.

    Parameters
    ----------
    value : object
        What was given. ``True``/``False``, floats (even ``3.0``) and strings are refused: the API
        never truncates or converts silently.
    name : str
        How the value is named in the message, e.g. ``"seed"`` or ``"--steps"``.
    low, high : int
        Inclusive bounds (``high`` ``None``: no upper bound).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If it is out of range.
    """
    expected = f"a whole number >= {low}" if high is None else f"a whole number from {low} to {high:,}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {expected}, got {_shown(value)}")
    number = int(value)
    if number < low or (high is not None and number > high):
        raise ValueError(f"{name} must be {expected}, got {_shown(number)}")
    return number


def _shown(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"a whole number of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def run_estimate(organisations: int, steps: int, arcs: float | None = None) -> tuple[float, float]:
    """Estimated peak memory (bytes) and wall time (s) of one run.

    Parameters
    ----------
    organisations : int
        Organisations at the start (events may add a few).
    steps : int
        Months.
    arcs : float, optional
        Expected relationships, counted both ways (default ``organisations**2 / 2``, a dense network
        like the default system's; :func:`ics_abm.scenario.loading.expected_arcs` for a scenario's own).
    """
    arcs = organisations * organisations / 2 if arcs is None else arcs
    memory = _BYTES_BASE + _BYTES_PER_ARC * arcs + _BYTES_PER_ORGANISATION_MONTH * organisations * steps
    seconds = (_SECONDS_PER_ARC_MONTH * arcs + _SECONDS_PER_ORGANISATION_MONTH * organisations) * steps
    return float(memory), float(seconds)


def describe_size(memory: float, seconds: float) -> str:
    """``"about 1.2 GB of memory and 3 minutes"`` (for messages and size estimates)."""
    if seconds < 90:
        when = f"{max(seconds, 1):.0f} s"
    elif seconds < 5400:
        when = f"{seconds / 60:.0f} minutes"
    else:
        when = f"{seconds / 3600:.1f} hours"
    return f"about {memory / 1024**3:.1f} GB of memory and {when}"


def check_run_size(organisations: int, steps: int, source: str, allow: bool | None = None,
                   arcs: float | None = None) -> tuple[float, float]:
    """Refuse a run that would not fit on a laptop unless the laptop bounds are lifted (see :func:`run_estimate`).

    Returns
    -------
    (float, float)
        The estimate of :func:`run_estimate`.

    Raises
    ------
    ValueError
        One sentence naming ``source``, the size and the override.
    """
    memory, seconds = run_estimate(organisations, steps, arcs)
    if memory > LAPTOP_MEMORY_BYTES and not large_allowed(allow):
        raise ValueError(
            f"{source}: a run of {organisations:,} organisations for {steps:,} months needs "
            f"{describe_size(memory, seconds)}; expected at most {LAPTOP_MEMORY_BYTES / 1024**3:.0f} GB "
            f"(what a laptop has to spare); {_OVERRIDE}"
        )
    return memory, seconds


def check_sweep_size(runs: int, source: str, allow: bool | None = None) -> None:
    """Refuse a sweep design with more runs than a laptop (or, with the override, memory) can hold.

    Raises
    ------
    ValueError
        One sentence naming ``source``, the number of runs and the override.
    """
    if runs > MAX_SWEEP_RUNS:
        raise ValueError(f"{source}: the design has {runs:,} runs; expected at most {MAX_SWEEP_RUNS:,} "
                         "(its table must fit in memory); split the sweep or sample fewer points")
    if runs > LAPTOP_SWEEP_RUNS and not large_allowed(allow):
        raise ValueError(f"{source}: the design has {runs:,} runs; expected at most {LAPTOP_SWEEP_RUNS:,} on a "
                         f"laptop (about a day on two cores); {_OVERRIDE}")
