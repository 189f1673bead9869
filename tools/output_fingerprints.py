"""Fingerprints (sha256) of every output the model makes for the shipped scenarios.

A refactoring that must not change any number is checked by running this before and after and
comparing the two JSON files::

    .venv/bin/python tools/output_fingerprints.py > before.json
    # ... the change ...
    .venv/bin/python tools/output_fingerprints.py > after.json
    diff before.json after.json && echo "bit-identical"

It covers ``run`` (serial and parallel kernels) of every shipped scenario over its full horizon
for seeds 0-2 with every table, ``run_batch`` (serial and parallel batches, organisations
recorded) of the same runs, and a sweep-shaped ``system_table`` of the default scenario.
Hashes are of the tables' bytes (values, column names, dtypes and row order), so a difference in
the last bit of any number shows.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ics_abm import load_scenario, run, run_batch

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)


def table_hash(frame: pd.DataFrame) -> str:
    """sha256 of a table's column names, dtypes and the bytes of every column, in order."""
    digest = hashlib.sha256()
    for name in frame.columns:
        column = frame[name]
        digest.update(f"{name}:{column.dtype}\n".encode())
        values = column.to_numpy()
        if values.dtype.kind in "biufcmM":  # numbers: every bit, NaN payloads included
            digest.update(np.ascontiguousarray(values).tobytes())
        else:  # strings and other objects: their text (an object array's bytes are pointers)
            digest.update("\x1f".join(map(str, column.tolist())).encode())
    return digest.hexdigest()


def result_hashes(result) -> dict[str, str]:
    return {name: table_hash(getattr(result, name)) for name in ("system", "trust_by_kind", "organisations")}


def main() -> int:
    try:  # the module's home moved in the house-keeping of the engine; both are accepted
        from ics_abm.experiments.batch import system_table
    except ImportError:
        from ics_abm.experiments.batch import system_table
    out: dict[str, object] = {}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        entry: dict[str, object] = {}
        for seed in SEEDS:
            serial = run(scenario, seed=seed)
            parallel = run(scenario, seed=seed, parallel=True)
            entry[f"run/seed{seed}"] = result_hashes(serial)
            entry[f"run-parallel/seed{seed}"] = result_hashes(parallel)
        steps = int(scenario.scenario.steps)
        for parallel in (False, True):
            batch = run_batch(scenario, list(SEEDS), steps, record_organisations=True, parallel=parallel)
            entry[f"run_batch-{'parallel' if parallel else 'serial'}"] = [result_hashes(r) for r in batch]
        out[path.stem] = entry
    default = load_scenario(ROOT / "scenarios" / "default.toml")
    out["system_table/default/seeds0-19"] = table_hash(system_table(default, list(range(20)), 120, parallel=True))
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
