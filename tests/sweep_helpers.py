"""Shared pieces of the sweep tests: tiny scenarios, sweep files, and ways to compare results."""

from __future__ import annotations

import collections
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ics_abm.experiments.sweeps import dataset
from ics_abm.experiments.sweeps.store import batch_files

#: A small system (8 organisations) so that runs take milliseconds.
TINY_SCENARIO = """\
[scenario]
name = "tiny"
steps = 24

[organisations]
acute = 2
primary_care_network = 2
commissioner = 1
local_authority = 2
voluntary_sector = 1
"""


def write_sweep(folder: Path, body: str, *, name: str = "sweep.toml", scenario: str = TINY_SCENARIO) -> Path:
    """Write ``scenario.toml`` and a sweep file whose ``[sweep]`` section starts with name and scenario.

    ``body`` continues the ``[sweep]`` section (replicates, seeds, ...) and adds the other tables.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.toml").write_text(scenario, encoding="utf-8")
    path = folder / name
    path.write_text(f'[sweep]\nname = "test"\nscenario = "scenario.toml"\n{body}', encoding="utf-8")
    return path


def sorted_table(out: Path) -> pa.Table:
    """All results of a sweep as one Arrow table in run, month order (no pandas conversion)."""
    return dataset(out).to_table().sort_by([("run_id", "ascending"), ("step", "ascending")])


def file_hashes(out: Path) -> dict[str, str]:
    """Batch file name -> SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in batch_files(out).values()}


def rows_per_run(out: Path) -> collections.Counter:
    """run_id -> number of rows, over every batch file present (complete sweep or not)."""
    counts: collections.Counter = collections.Counter()
    for path in batch_files(out).values():
        counts.update(pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist())
    return counts


# 60 runs of the default-sized system over 120 months, 2 per batch: a few seconds of work.
LONGER = """\
replicates = 4
root_seed = 6
batch_size = 2
[uncertainties]
design = "lhs"
samples = 15
[uncertainties.ranges]
"legacy.strength" = [0.0, 1.0]
"trust.gain_rate" = [0.05, 0.3]
"""
