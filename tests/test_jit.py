"""The engine's compilation (ics_abm.engine.jit): variants that load only their own code, and a
cache that notices a change anywhere in the engine.

numba's own cache keys neither ``parallel=True`` (numba issue #6845) nor the source of functions a
kernel calls; both would make a test pass against stale or wrong machine code without a sign.
Each check runs in fresh processes with a private cache directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numba
import pytest

from ics_abm.engine.jit import ENGINE_FINGERPRINT, engine_fingerprint

KERNEL = textwrap.dedent('''
    import numba
    import numpy as np
    from numba import prange

    from ics_abm.engine.jit import variants


    def _threads(out):
        for i in prange(out.shape[0]):
            out[i] = numba.get_thread_id()


    threads = variants(_threads)
''')

PROBE = textwrap.dedent('''
    import json, sys
    import numpy as np
    import ics_abm.engine.jit as jit
    if len(sys.argv) > 1:
        jit.ENGINE_FINGERPRINT = sys.argv[1]  # as if another file of the engine had changed
    import kern
    report = {}
    # The parallel variant first: it starts numba's threading layer, which the serial variant's
    # get_thread_id() needs when it is loaded from the cache (loaded alone it would crash).
    for name in ("parallel", "serial"):
        dispatcher = getattr(kern.threads, name)
        out = np.zeros(4096)
        dispatcher(out)
        report[name] = {"max_thread": int(out.max()), "hits": sum(dispatcher.stats.cache_hits.values()),
                        "misses": sum(dispatcher.stats.cache_misses.values())}
    print(json.dumps(report))
''')


def _probe(tmp_path, *args) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "NUMBA_NUM_THREADS": "2",
           "PYTHONPATH": str(tmp_path), "ICS_ABM_NUMBA_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="no compilation to cache under NUMBA_DISABLE_JIT")
def test_serial_and_parallel_variants_each_load_their_own_cached_code(tmp_path):
    (tmp_path / "kern.py").write_text(KERNEL)
    first = _probe(tmp_path)
    assert first["serial"]["misses"] == 1 and first["parallel"]["misses"] == 1, first
    again = _probe(tmp_path)
    assert again["serial"]["hits"] == 1 and again["parallel"]["hits"] == 1, again
    for report in (first, again):
        assert report["serial"]["max_thread"] == 0, report  # prange runs as a plain loop
        assert report["parallel"]["max_thread"] >= 1, report  # prange really runs on two threads


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="no compilation to cache under NUMBA_DISABLE_JIT")
def test_a_change_anywhere_in_the_engine_recompiles(tmp_path):
    (tmp_path / "kern.py").write_text(KERNEL)
    _probe(tmp_path)
    assert _probe(tmp_path)["serial"]["hits"] == 1
    changed = _probe(tmp_path, "another engine")
    assert changed["serial"]["misses"] == 1 and changed["parallel"]["misses"] == 1, changed


def test_the_fingerprint_covers_every_engine_module(tmp_path):
    engine = tmp_path / "engine"
    (engine / "submodels").mkdir(parents=True)
    (engine / "step.py").write_text("x = 1\n")
    (engine / "submodels" / "trust.py").write_text("y = 1\n")
    before = engine_fingerprint(engine)
    (engine / "submodels" / "trust.py").write_text("y = 2\n")
    assert engine_fingerprint(engine) != before
    assert len(ENGINE_FINGERPRINT) == 64
