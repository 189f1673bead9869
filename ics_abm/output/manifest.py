"""What made a result directory: the manifest's common fields, provenance and file hashes.

Every result directory ends with ``manifest.json``: what made the results (package and library
versions, platform, command, timing, and what the kind of result adds) and the SHA-256 and size
of every other file. Its reproducible part (:func:`provenance`: without the fields that change
from one invocation to the next) is also stored in each Parquet file, so that a table on its own
says what made it and the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ics_abm._version import __version__
from ics_abm.output.directory import MANIFEST, ResultsError, fsync_path, write_bytes

__all__ = [
    "LIBRARIES",
    "MANIFEST",
    "VOLATILE",
    "environment",
    "file_record",
    "finish_manifest",
    "now_utc",
    "package_version",
    "provenance",
    "read_manifest",
    "to_json",
    "versions",
]

#: Libraries whose versions every manifest records.
LIBRARIES = (
    "numpy", "numba", "mesa", "networkx", "pandas", "pyarrow", "pydantic", "seaborn", "matplotlib",
)
#: Manifest fields that change from one invocation to the next even when the results do not
#: (``figures``: which figures were drawn, or how to draw them). They are left out of the Parquet
#: metadata so that the same inputs give the same bytes.
VOLATILE = ("command", "scenario_path", "started_utc", "wall_time_s", "files", "figures")


def package_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or ``None`` if it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def versions(extra: Iterable[str] = ()) -> dict[str, str | None]:
    """Versions of Python, the :data:`LIBRARIES` and the ``extra`` libraries."""
    return {"python": platform.python_version(), **{n: package_version(n) for n in (*LIBRARIES, *extra)}}


def environment(extra: Iterable[str] = ("scipy",)) -> dict:
    """Versions of ics_abm, Python and the libraries, and the platform, for a manifest."""
    return {"ics_abm_version": __version__, "versions": versions(extra), "platform": platform.platform()}


def now_utc() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def to_json(data: Mapping) -> bytes:
    """``data`` as indented UTF-8 JSON with a final newline (the manifest's format)."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def provenance(manifest: Mapping, volatile: Iterable[str] = VOLATILE) -> bytes:
    """The reproducible part of ``manifest`` (without the ``volatile`` fields), as JSON bytes."""
    volatile = set(volatile)
    return to_json({k: v for k, v in manifest.items() if k not in volatile})


def file_record(path: Path) -> dict:
    """SHA-256 and size in bytes of a file, as the manifest records them."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def finish_manifest(directory: Path, manifest: dict) -> None:
    """Record every file under ``directory`` in ``manifest`` and write it as the last file.

    Files in subdirectories are recorded by their relative path (``img/forest.png``). The
    directories are flushed to disk, deepest first, so that the manifest's promise holds.
    """
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest["files"] = {p.relative_to(directory).as_posix(): file_record(p) for p in files}
    write_bytes(directory / MANIFEST, to_json(manifest))
    for sub in sorted({p.parent for p in files} | {directory}, reverse=True):
        fsync_path(sub)


def read_manifest(out_dir: str | os.PathLike) -> dict:
    """Read the manifest of a results directory.

    Parameters
    ----------
    out_dir : str or os.PathLike

    Returns
    -------
    dict

    Raises
    ------
    ResultsError
        If the directory has no readable manifest.
    """
    path = Path(out_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{out_dir}: no {MANIFEST}; not an ics_abm results directory.") from None
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{path}: could not be read as JSON ({type(exc).__name__}).") from None
