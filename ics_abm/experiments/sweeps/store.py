"""A sweep's results directory: layout, atomic files and checks of what is complete.

Layout::

    OUT/manifest.json      what made the results (design, seeds, versions) and progress
    OUT/sweep.toml         the sweep file, verbatim
    OUT/scenario.toml      the base scenario file, verbatim
    OUT/design.parquet     one row per run: ids, seed, spawn key, batch, parameters
    OUT/sample.parquet     the uncertainty sample as drawn (sampled designs only)
    OUT/runs/batch-000000.parquet ...   results, one file per batch (task)

Every file is written atomically (:func:`ics_abm.output.directory.write_atomically`: under a
hidden temporary name in its final folder, flushed to disk and renamed into place): a file with a
final name is always complete, whatever moment the writer was killed at. A batch file is also
*checked* before a resumed sweep trusts it (:func:`batch_is_complete`): readable footer, the
sweep's design digest and batch number in its metadata, and exactly the expected run ids, each
with one row per month.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ics_abm.output.directory import MANIFEST, write_atomically, write_bytes
from ics_abm.output.files import PARQUET_METADATA_KEY, with_provenance

__all__ = [
    "MANIFEST", "RUNS", "DESIGN", "SAMPLE", "SWEEP_COPY", "SCENARIO_COPY", "SETUP_FILES",
    "batch_path", "write_parquet", "write_json", "read_json", "batch_is_complete", "batch_files",
]

RUNS = "runs"
DESIGN = "design.parquet"
SAMPLE = "sample.parquet"
SWEEP_COPY = "sweep.toml"
SCENARIO_COPY = "scenario.toml"
#: Files written when a sweep starts, before any run.
SETUP_FILES = (MANIFEST, SWEEP_COPY, SCENARIO_COPY, DESIGN, SAMPLE)

_BATCH = re.compile(r"^batch-(\d+)\.parquet$")


def batch_path(out: Path, batch: int) -> Path:
    """Where batch ``batch`` of the sweep in ``out`` is stored."""
    return Path(out) / RUNS / f"batch-{batch:06d}.parquet"


def batch_files(out: Path) -> dict[int, Path]:
    """The batch files present (complete or not) in ``out``, by batch number."""
    folder = Path(out) / RUNS
    if not folder.is_dir():
        return {}
    found = {}
    for entry in folder.iterdir():
        match = _BATCH.match(entry.name)
        if match:
            found[int(match[1])] = entry
    return dict(sorted(found.items()))


def write_parquet(table: pa.Table, path: Path, provenance: dict) -> None:
    """Write ``table`` as Parquet, atomically, with ``provenance`` as JSON under ``b"ics_abm"``."""
    table = with_provenance(table, json.dumps(provenance, sort_keys=True).encode())
    write_atomically(path, lambda p: pq.write_table(table, p))


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON, atomically."""
    text = (json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    write_atomically(path, lambda p: write_bytes(p, text))


def read_json(path: Path) -> dict:
    """Read a JSON file (``OSError`` or ``ValueError`` if it cannot be read)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def provenance_of(path: Path) -> dict | None:
    """The ``b"ics_abm"`` metadata of a Parquet file, or ``None`` if it has none or is unreadable."""
    try:
        meta = pq.read_schema(path).metadata or {}
        return json.loads(meta[PARQUET_METADATA_KEY])
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None


def batch_is_complete(path: Path, batch: int, run_ids: range, steps: int, digest: str, version: str) -> bool:
    """Whether a batch file holds exactly the results it should.

    Parameters
    ----------
    path : pathlib.Path
        The batch file.
    batch : int
        Its batch number.
    run_ids : range
        The run ids it must hold.
    steps : int
        Months per run: each run id must have exactly this many rows.
    digest : str
        The sweep's design digest, which the file's metadata must carry.
    version : str
        The ics_abm version that must have written it.

    Returns
    -------
    bool
        False for a missing, unreadable, truncated or foreign file.
    """
    try:
        meta = provenance_of(path)
        if meta is None or (meta.get("design_sha256"), meta.get("batch"), meta.get("ics_abm_version")) != (
            digest, batch, version
        ):
            return False
        parquet = pq.ParquetFile(path)
        if parquet.metadata.num_rows != len(run_ids) * steps:
            return False
        ids = parquet.read(columns=["run_id"]).column("run_id").to_numpy()
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return False
    found, counts = np.unique(ids, return_counts=True)
    expected = np.arange(run_ids.start, run_ids.stop, dtype=np.int64)
    return bool(np.array_equal(found, expected) and np.all(counts == steps))
