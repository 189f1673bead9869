"""Compile the engine's kernels ahead of time, for a generic x86-64 CPU, into ics_abm/engine/compiled/.

Run ``.venv/bin/python tools/build_compiled_kernels.py`` after changing anything in
``ics_abm/engine`` (``tests/test_compiled_kernels.py`` fails until you do) or after moving to
another numba or Python version. It empties the folder, then runs the paths users take (the
Python API, and ``ics-abm run``, ``compare``, ``sweep``, ``validate-model`` and ``calibrate`` as
commands) in fresh processes with ``NUMBA_CPU_NAME=generic`` and every engine kernel saving into
the folder (:mod:`ics_abm.engine.jit`, "Shipped machine code"), and writes ``manifest.json``: the
engine's fingerprint, the numba, llvmlite and Python versions, the platform and the files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPILED = ROOT / "ics_abm" / "engine" / "compiled"

# The Python API's paths: one run (serial and parallel step), every shipped scenario (their
# events), the batch drivers (serial and parallel), a Mesa model's step, the demo's warm-up, a
# large system (the block-model graph builder).
API = r"""
import ics_abm
from ics_abm.demo.server import warm_up
from ics_abm.demo.settings import DemoSettings
from ics_abm.experiments.batch import run_batch, system_table
from ics_abm.scenario.catalog import list_scenarios
scenario = ics_abm.load_scenario("scenarios/default.toml")
ics_abm.run(scenario, 1, 12)
ics_abm.run(scenario, 1, 12, parallel=True)
for entry in list_scenarios():
    ics_abm.run(entry.name, 1, 13)
warm_up(DemoSettings())
for parallel in (False, True):
    system_table(scenario, [1, 2], 12, parallel=parallel)
    run_batch(scenario, [1, 2], 12, record_organisations=True, parallel=parallel)
model = ics_abm.ICSModel(scenario, seed=1)
model.step()
large = scenario.model_copy(update={"organisations": scenario.organisations.model_copy(
    update={"primary_care_network": 2000})})
ics_abm.run(large, 1, 2)
"""


def _commands(out: Path) -> list[list[str]]:
    cli = [sys.executable, "-m", "ics_abm.cli"]
    return [
        [sys.executable, "-c", API],
        [*cli, "run", "scenarios/default.toml", "--steps", "12", "--out", str(out / "run")],
        [*cli, "compare", "default", "regulation_aligned", "--replicates", "2", "--steps", "12", "--out", str(out / "compare")],
        [*cli, "sweep", "sweeps/example.toml", "--out", str(out / "sweep")],
        [*cli, "validate-model", "--seeds", "30", "--only", "SF14,SF39", "--no-robustness", "--out", str(out / "validation")],
        [*cli, "calibrate", "ci", "--out", str(out / "calibration")],
    ]


def main() -> int:
    for old in [*COMPILED.glob("*.nbi"), *COMPILED.glob("*.nbc")]:
        old.unlink()
    COMPILED.mkdir(exist_ok=True)
    env = {**os.environ, "NUMBA_CPU_NAME": "generic", "ICS_ABM_BUILDING_KERNELS": "1", "ICS_ABM_NUMBA_CACHE": "1"}
    env.pop("NUMBA_CPU_FEATURES", None)  # numba then uses none beyond the generic CPU's
    with tempfile.TemporaryDirectory() as tmp:
        for command in _commands(Path(tmp)):
            shown = " ".join(command[2:4]) if command[1] == "-m" else "the Python API"
            print(f"compiling: {shown} ...", flush=True)
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            # validate-model exits 1 when a fact fails; its kernels are compiled all the same.
            if done.returncode not in (0, 1):
                print(done.stdout[-2000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
                return done.returncode
    import llvmlite
    import numba

    from ics_abm._version import __version__
    from ics_abm.engine.jit import ENGINE_FINGERPRINT

    files = sorted(p.name for p in COMPILED.iterdir() if p.suffix in (".nbi", ".nbc"))
    manifest = {
        "engine_fingerprint": ENGINE_FINGERPRINT, "ics_abm": __version__, "numba": numba.__version__,
        "llvmlite": llvmlite.__version__, "python": platform.python_version(),
        "platform": f"{sys.platform}-{platform.machine()}", "cpu": "generic",
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "files": files,
    }
    (COMPILED / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    size = sum((COMPILED / f).stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB, in {COMPILED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
