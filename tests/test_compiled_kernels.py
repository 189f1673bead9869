"""The engine's shipped machine code (ics_abm/engine/compiled, ics_abm.engine.jit "Shipped machine code").

A new user's first run loads the engine compiled ahead of time for a generic CPU instead of
compiling it (about a minute of CPU). These tests check that the shipped code is the current
engine's, that a process with an empty cache really runs on it (nothing compiled), and that it
gives the same numbers, bit for bit, as the engine compiled on this machine.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import pkgutil
import platform
import re
import subprocess
import sys

import numba
import pytest

import ics_abm.engine
from ics_abm.engine.jit import COMPILED, ENGINE_FINGERPRINT

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="nothing is compiled under NUMBA_DISABLE_JIT")

REBUILD = "rebuild it with: .venv/bin/python tools/build_compiled_kernels.py"

# A run (serial and parallel step loop) and both batch drivers, as a user's first commands make them: a digest of every table,
# and the cache hits and misses of the kernels they call.
PROBE = r"""
import hashlib, json
import pandas as pd
import ics_abm
from ics_abm.engine.batch import advance_runs
from ics_abm.engine.step import advance_steps
from ics_abm.experiments.batch import system_table

scenario = ics_abm.load_scenario("default")
result = ics_abm.run(scenario, 3, 120, parallel=False)
tables = {"run." + name: getattr(result, name) for name in ("system", "trust_by_kind", "organisations")}
tables["run parallel.system"] = ics_abm.run(scenario, 3, 120, parallel=True).system
for parallel in (False, True):
    tables[f"batch.parallel={parallel}"] = system_table(scenario, [3, 4, 5], 120, parallel=parallel)
digests = {name: hashlib.sha256(pd.util.hash_pandas_object(t, index=True).values.tobytes()).hexdigest()
           for name, t in tables.items()}
stats = {}
for name, dispatcher in {"step loop": advance_steps.serial, "parallel step loop": advance_steps.parallel,
                         "batch serial": advance_runs.serial.dispatcher,
                         "batch parallel": advance_runs.parallel.dispatcher}.items():
    stats[name] = {"hits": sum(dispatcher.stats.cache_hits.values()),
                   "misses": sum(dispatcher.stats.cache_misses.values())}
print(json.dumps({"digests": digests, "stats": stats}))
"""


def _manifest() -> dict:
    return json.loads((COMPILED / "manifest.json").read_text(encoding="utf-8"))


def _probe(tmp_path, name: str, shipped: bool) -> dict:
    # A parallel threshold of 0 makes run(parallel=True) take the parallel step at any size, busy or not.
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / name), "ICS_ABM_NUMBA_CACHE": "1",
           "ICS_ABM_SHIPPED_KERNELS": "1" if shipped else "0", "ICS_ABM_PARALLEL_MIN_ARCS": "0", "NUMBA_NUM_THREADS": "2"}
    env.pop("NUMBA_CPU_NAME", None)
    env.pop("NUMBA_CPU_FEATURES", None)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_shipped_code_is_the_current_engines():
    manifest = _manifest()
    assert manifest["engine_fingerprint"] == ENGINE_FINGERPRINT, f"the engine changed since its code was shipped; {REBUILD}"
    assert manifest["cpu"] == "generic"
    indexes = sorted(COMPILED.glob("*.nbi"))
    assert indexes and sorted(p.name for p in COMPILED.iterdir() if p.suffix in (".nbi", ".nbc")) == manifest["files"]
    for index in indexes:
        with index.open("rb") as handle:
            version = pickle.load(handle)
            (_, fingerprint), overloads = pickle.loads(handle.read())
        assert version == manifest["numba"] and fingerprint == ENGINE_FINGERPRINT, f"{index.name} is stale; {REBUILD}"
        for key in overloads:
            assert key[1][1:] == ("generic", ""), f"{index.name} holds code for CPU {key[1][1:]}; {REBUILD}"


def _engine_kernels() -> set[str]:
    """``module.function-line.variant`` of every engine kernel compiled on its own (not inlined)."""
    names = set()
    for info in pkgutil.walk_packages(ics_abm.engine.__path__, "ics_abm.engine."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            for dispatcher in (value, *value) if isinstance(value, tuple) else (value,):
                function = getattr(dispatcher, "py_func", None)
                options = getattr(dispatcher, "targetoptions", {})
                if function is None or function.__module__ != info.name or options.get("inline") == "always":
                    continue
                variant = "parallel" if options.get("parallel") else "serial"
                names.add(f"{info.name.rsplit('.', 1)[1]}.{function.__qualname__}-{function.__code__.co_firstlineno}.{variant}")
    return names


def test_every_engine_kernel_has_shipped_code():
    shipped = {re.sub(r"\.py3\d+", "", index.name).removesuffix(".nbi") for index in COMPILED.glob("*.nbi")}
    kernels = _engine_kernels()
    assert len(kernels) >= 10 and kernels <= shipped, f"no shipped code for {sorted(kernels - shipped)}; {REBUILD}"


def test_a_first_run_loads_the_shipped_code_and_gives_the_numbers_compiled_here(tmp_path):
    manifest = _manifest()
    shipped = _probe(tmp_path, "fresh-install", shipped=True)
    compiled_here = _probe(tmp_path, "compiled-here", shipped=False)
    # Compiled on this machine, for its own CPU: every kernel a miss.
    assert all(s["misses"] >= 1 and s["hits"] == 0 for s in compiled_here["stats"].values()), compiled_here["stats"]
    same_toolchain = (manifest["numba"] == numba.__version__ and manifest["python"] == platform.python_version()
                      and manifest["platform"] == f"{sys.platform}-{platform.machine()}")
    if same_toolchain:  # the shipped code applies: nothing is compiled
        assert all(s["hits"] >= 1 and s["misses"] == 0 for s in shipped["stats"].values()), shipped["stats"]
    else:  # it does not: the engine compiles, as without it
        assert all(s["misses"] >= 1 for s in shipped["stats"].values()), shipped["stats"]
    assert shipped["digests"] == compiled_here["digests"]
