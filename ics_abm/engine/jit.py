"""Compilation options for every numba kernel in ics_abm, kept in one place.

``fastmath`` stays off: re-associating floating-point sums would break the bit-for-bit equality
of the serial and parallel kernels and the 1e-9 agreement with the reference implementation.
Set the environment variable ``NUMBA_DISABLE_JIT=1`` to run the kernels as plain Python (for
coverage or debugging); results are unchanged.
"""

from __future__ import annotations

import os

__all__ = ["JIT_SERIAL", "JIT_PARALLEL", "JIT_INLINE"]

_CACHE = os.environ.get("ICS_ABM_NUMBA_CACHE", "1") != "0"

#: Options for serial kernels.
JIT_SERIAL = {"nogil": True, "cache": _CACHE, "fastmath": False, "error_model": "numpy"}
#: Options for the ``parallel=True`` variant of a kernel (same source, ``prange`` over rows).
JIT_PARALLEL = {**JIT_SERIAL, "parallel": True}
#: Options for small helpers called from kernels.
JIT_INLINE = {"nogil": True, "cache": _CACHE, "fastmath": False, "error_model": "numpy", "inline": "always"}
