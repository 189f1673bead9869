"""Writing an experiment's directory (a comparison, a validation report) atomically.

The same guarantees as a run's results (:mod:`ics_abm.output.results`), from the same helpers: the
directory is filled under a hidden sibling and renamed into place only when complete, so an
interrupted experiment never leaves a half-written directory, and an existing one is replaced
(with ``force``) only by a complete successor. Tables are written as parquet (with the
reproducible part of the manifest as schema metadata) and CSV; the manifest, written last, holds
the SHA-256 and size of every other file, including those in subdirectories.
"""

from __future__ import annotations

import datetime
import platform
from pathlib import Path

import pandas as pd

from ics_abm import __version__

# Private helpers of results.py, shared on purpose: one implementation of atomic writing.
from ics_abm.output.results import (
    LIBRARIES,
    MANIFEST,
    _dumps,
    _file_record,
    _fsync_path,
    _package_version,
    _write_bytes,
    _write_csv,
    _write_parquet,
    write_directory,
)

__all__ = ["environment", "finish_manifest", "now_utc", "write_directory", "write_table", "write_text"]

#: Manifest fields that change between invocations even when the results do not.
VOLATILE = ("command", "started_utc", "wall_time_s", "files")


def environment() -> dict:
    """Versions of Python, ics_abm and the libraries, and the platform, for a manifest."""
    return {
        "ics_abm_version": __version__,
        "versions": {"python": platform.python_version(), **{n: _package_version(n) for n in (*LIBRARIES, "scipy")}},
        "platform": platform.platform(),
    }


def now_utc() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def write_table(frame: pd.DataFrame, directory: Path, name: str, manifest: dict) -> None:
    """Write ``frame`` as ``name.parquet`` and ``name.csv`` in ``directory``.

    The parquet file carries the reproducible part of ``manifest`` as schema metadata.
    """
    provenance = _dumps({k: v for k, v in manifest.items() if k not in VOLATILE})
    _write_parquet(frame, directory / f"{name}.parquet", provenance)
    _write_csv(frame, directory / f"{name}.csv")


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` (parents created) and flush it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes(path, text.encode("utf-8"))


def finish_manifest(directory: Path, manifest: dict) -> None:
    """Record every file under ``directory`` in ``manifest`` and write it as the last file."""
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest["files"] = {p.relative_to(directory).as_posix(): _file_record(p) for p in files}
    _write_bytes(directory / MANIFEST, _dumps(manifest))
    for sub in sorted({p.parent for p in files}, reverse=True):
        _fsync_path(sub)


