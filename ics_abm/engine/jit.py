"""How every numba kernel of the engine is compiled: the options, the variants and the cache.

Three decorators cover every compiled function of :mod:`ics_abm.engine`:

* :func:`inline` for a submodel or a small helper (``inline="always"``: numba copies its body into
  the caller before compiling, so a ``prange`` loop in a submodel becomes part of the caller's
  parallel region when the caller is compiled with ``parallel=True``, and a plain loop otherwise);
* :func:`kernel` for a function compiled once, serially;
* :func:`variants` for a function compiled twice from the same source, serially and with
  ``parallel=True`` (the step loop of :mod:`ics_abm.engine.step`, the batch driver).

``fastmath`` stays off: re-associating floating-point sums would break the bit-for-bit equality of
the serial, parallel and batched drivers and the 1e-9 agreement with the reference implementation.
Set ``NUMBA_DISABLE_JIT=1`` to run everything as plain Python (for coverage or debugging; results
are unchanged) and ``ICS_ABM_NUMBA_CACHE=0`` to compile afresh in every process.

The cache
---------
numba's on-disk cache (``cache=True``) has two blind spots that matter here, and this module is the
one place that works around them:

1. Its index key is the signature and the bytecode, not the compile options, so a function
   compiled serially and with ``parallel=True`` shares one entry, and either variant may load the
   other's machine code (numba issue #6845).
2. It notices a change to the file of the function it caches, but not to the functions that
   function calls (or inlines) from other files: editing ``submodels/trust.py`` would leave a
   cached step running the old trust rule.

So every engine kernel gets a cache whose files are named after the variant (``...serial``,
``...parallel``) and whose freshness stamp includes a hash of the source of every module of
:mod:`ics_abm.engine`: any change to the engine recompiles every kernel, and each variant only
ever loads its own code. ``tests/test_jit.py`` checks both.

Loading from the cache is also made cheaper. numba "refreshes" its compilation target before it
looks in the cache: it imports and registers the implementation of every function it can compile
(numpy's, math's, typed containers, ...; ``numba.np.arraymath`` imports ``scipy.linalg`` for its
BLAS check), about 0.3-0.5 s of CPU, a third of a warm ``ics-abm run`` (issue 16). Machine code
loaded from the cache needs none of that, only numba's runtime (NRT: allocation, reference
counts), which the engine's cache initialises itself; the modules whose helpers the loaded code
calls are imported by numba as it unpickles the code. A cache miss compiles as before, and
numba's compiler refreshes the target first, as always.

Shipped machine code
--------------------
Compiling the engine takes about a minute of CPU (the step loop inlines every submodel), which a
new user would pay on their first run. So the package ships the engine's machine code, compiled
ahead of time for a generic x86-64 CPU (``NUMBA_CPU_NAME=generic``, no optional instruction sets)
by ``tools/build_compiled_kernels.py``, in ``ics_abm/engine/compiled/`` as numba cache files with
the same stamp (the engine's source). A kernel whose own cache has no entry loads the shipped code
when the stamp, numba's version, the Python version and the platform all match, and compiles as
before otherwise (another CPU architecture or Python, a changed engine). The numbers are the same
bit for bit: ``fastmath`` is off, so the compiler may use other instructions but not other
arithmetic (``tests/test_compiled_kernels.py`` compares a run on shipped code with one compiled
here). Set ``ICS_ABM_SHIPPED_KERNELS=0`` to ignore the shipped code.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, NamedTuple

import numba
from numba.core.caching import FunctionCache, IndexDataCacheFile

__all__ = ["SERIAL", "PARALLEL", "INLINE", "COMPILED", "ENGINE_FINGERPRINT", "engine_fingerprint", "Variants", "inline",
           "kernel", "variants"]

_CACHE = os.environ.get("ICS_ABM_NUMBA_CACHE", "1") != "0"
_SHIPPED = os.environ.get("ICS_ABM_SHIPPED_KERNELS", "1") != "0"
# Set by tools/build_compiled_kernels.py in the process that compiles the shipped code: every
# engine kernel then saves to (and loads from) the shipped folder instead of its own cache.
_BUILDING = os.environ.get("ICS_ABM_BUILDING_KERNELS") == "1"

#: Folder of the engine's shipped machine code (numba cache files for a generic CPU).
COMPILED = Path(__file__).resolve().parent / "compiled"
#: The CPU the shipped code is compiled for, as it appears in numba's cache key (name, features).
GENERIC_CPU = ("generic", "")

#: Options of every serial kernel.
SERIAL: dict = {"nogil": True, "fastmath": False, "error_model": "numpy"}
#: Options of the ``parallel=True`` variant of a kernel (same source, ``prange`` loops threaded).
PARALLEL: dict = {**SERIAL, "parallel": True}
#: Options of submodels and helpers, whose bodies are copied into their callers.
INLINE: dict = {**SERIAL, "inline": "always"}


def engine_fingerprint(root: Path | None = None) -> str:
    """sha256 of the source of every module below ``root`` (default: ics_abm.engine), paths and bytes in path order."""
    root = Path(__file__).resolve().parent if root is None else root
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: Hash of the engine's source: part of every engine kernel's cache stamp.
ENGINE_FINGERPRINT = engine_fingerprint()


def _module_fingerprint() -> str:
    # Read at each cache's creation (not bound at import), so a test can stand in another engine.
    return ENGINE_FINGERPRINT


class _EngineCache(FunctionCache):
    """numba's function cache, with files per variant and the engine's source in the stamp."""

    def __init__(self, py_func, variant: str):
        super().__init__(py_func)
        stamp = (self._impl.locator.get_source_stamp(), _module_fingerprint())
        name = f"{self._impl.filename_base}.{variant}"
        self._shipped_file = IndexDataCacheFile(cache_path=os.fspath(COMPILED), filename_base=name, source_stamp=stamp)
        if _BUILDING:
            self._cache_file = self._shipped_file
        else:
            self._cache_file = IndexDataCacheFile(cache_path=self._cache_path, filename_base=name, source_stamp=stamp)

    def load_overload(self, sig, target_context):
        """numba's ``FunctionCache.load_overload`` without the target's refresh (see the module docstring).

        numba calls ``target_context.refresh()`` here, which registers every implementation it
        could compile; loading machine code needs only the runtime it calls (NRT), initialised here.
        """
        from numba.core.runtime import rtsys

        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            data = self._load_overload(sig, target_context)
            if data is None and _SHIPPED and not _BUILDING and self._enabled:
                data = self._load_shipped(sig, target_context)
            return data

    def _load_shipped(self, sig, target_context):
        """The shipped machine code for ``sig`` (see the module docstring), or None."""
        key = self._index_key(sig, _GenericCodegen(target_context.codegen()))
        data = self._shipped_file.load(key)
        return None if data is None else self._impl.rebuild(target_context, data)


class _GenericCodegen:
    """Stands in for numba's codegen in a cache key: this process's target triple, a generic CPU."""

    def __init__(self, codegen) -> None:
        self._triple = codegen.magic_tuple()[0]

    def magic_tuple(self) -> tuple:
        return (self._triple, *GENERIC_CPU)


class _LazyEngineCache:
    """An :class:`_EngineCache` made when the dispatcher first uses it (to load or save code).

    Making one finds and tests its folder (0.5 ms); a run imports about 60 kernels and calls a
    handful, so they are made on demand (issue 16: start-up).
    """

    def __init__(self, py_func, variant: str):
        self._arguments: tuple | None = (py_func, variant)
        self._cache: _EngineCache | None = None

    def __getattr__(self, name: str):
        if self._cache is None:
            assert self._arguments is not None
            self._cache, self._arguments = _EngineCache(*self._arguments), None
        return getattr(self._cache, name)


def _compile(function, options: dict, variant: str):
    dispatcher = numba.njit(**options)(function)
    if _CACHE and hasattr(dispatcher, "enable_caching"):  # not under NUMBA_DISABLE_JIT=1
        # What Dispatcher.enable_caching does, with the engine's cache in place of numba's.
        dispatcher._cache = _LazyEngineCache(dispatcher.py_func, variant)
    return dispatcher


def inline(function):
    """Compile ``function`` to be inlined into its callers (submodels and helpers).

    Called directly (as the tests do) it is an ordinary serial compiled function.
    """
    return _compile(function, INLINE, "inline")


def kernel(function):
    """Compile ``function`` once, serially, with the engine's cache."""
    return _compile(function, SERIAL, "serial")


class Variants(NamedTuple):
    """The serial and ``parallel=True`` compilations of one source; same numbers, bit for bit."""

    serial: Any  # numba dispatchers
    parallel: Any


def variants(function) -> Variants:
    """Compile ``function`` serially and with ``parallel=True``, each with its own cache entry.

    Every ``prange`` loop of ``function`` and of the submodels it inlines must write only its own
    rows, with sums over rows taken afterwards in index order, so both give the same numbers.
    """
    return Variants(_compile(function, SERIAL, "serial"), _compile(function, PARALLEL, "parallel"))
