"""Result directories, written atomically.

A run's results go into one directory::

    system.parquet  system.csv  trust_by_kind.parquet  trust_by_kind.csv
    organisations.parquet  organisations.csv  figure.png  scenario.toml  manifest.json

The directory is built under a hidden sibling (``.<name>.<pid>-<random>.partial``), every file is
fsynced, and the finished directory is renamed into place with one :func:`os.replace`. So the
target either does not exist, or is the previous complete directory, or is the new complete one:
a crash or Ctrl-C never leaves a half-written results directory, and a replaced directory (with
``force=True``) is removed only after its successor is in place.

``manifest.json`` says what made the results (package and library versions, scenario text and
hash, resolved parameters, seed, command, timing) and holds the SHA-256 and size of every other
file. Each parquet file carries the reproducible part of the manifest as schema metadata under the
key ``b"ics_abm"``, so a parquet file on its own says what made it.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import json
import os
import platform
import re
import secrets
import shlex
import shutil
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ics_abm import __version__
from ics_abm.run import RunResult
from ics_abm.scenario.loading import scenario_hash

__all__ = [
    "MANIFEST",
    "PARQUET_METADATA_KEY",
    "TABLES",
    "ResultsError",
    "check_out_dir",
    "read_manifest",
    "write_directory",
    "write_results",
]

#: Name of the manifest file in a results directory.
MANIFEST = "manifest.json"
#: Key of the provenance JSON in each parquet file's schema metadata.
PARQUET_METADATA_KEY = b"ics_abm"
#: The tables of a :class:`~ics_abm.run.RunResult`, each written as parquet and CSV.
TABLES = ("system", "trust_by_kind", "organisations")
#: Libraries whose versions are recorded.
LIBRARIES = (
    "numpy", "numba", "mesa", "networkx", "pandas", "pyarrow", "pydantic", "seaborn", "matplotlib",
)
#: Manifest fields that change from one invocation to the next even when the results do not.
#: They are left out of the parquet metadata so that the same scenario and seed give the same bytes.
_VOLATILE = ("command", "scenario_path", "started_utc", "wall_time_s", "files")


class ResultsError(ValueError):
    """A results directory that cannot be written or read; its text is one sentence."""


# --------------------------------------------------------------------------------------------
# The target directory
# --------------------------------------------------------------------------------------------


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    """Names of our temporary siblings of ``target``: ``.<name>.<pid>-<random>.(partial|old)``."""
    return re.compile(rf"^\.{re.escape(target.name)}\.(?P<pid>\d+)-[0-9a-f]+\.(?P<what>partial|old)$")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` may still be writing (its directories are then left alone).

    This process's own leftovers are from a write that failed (each write removes its own
    partial directory on error, but a crash between renames can leave an ``.old``): not alive.
    """
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (or no such pid at all)
        return False
    except (PermissionError, OSError):
        return True  # exists but not ours, or cannot tell: err on the side of not deleting
    return True


def _clean_leftovers(target: Path) -> None:
    """Remove what an interrupted earlier write left beside ``target``.

    A ``.partial`` directory is an unfinished write: deleted. An ``.old`` directory is a previous
    complete result moved aside by ``force``; if the interruption came before the new one was
    renamed in (``target`` missing), the newest one is put back, otherwise it is stale: deleted.
    """
    pattern = _leftover_pattern(target)
    try:
        entries = list(target.parent.iterdir())
    except FileNotFoundError:
        return
    partial, old = [], []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _alive(int(match["pid"])):
            continue
        (partial if match["what"] == "partial" else old).append(entry)
    for entry in partial:
        shutil.rmtree(entry, ignore_errors=True)
    old.sort(key=lambda p: ((p / MANIFEST).is_file(), p.stat().st_mtime))
    if old and not os.path.lexists(target) and (old[-1] / MANIFEST).is_file():
        os.replace(old.pop(), target)  # restore the previous complete results
    for entry in old:
        shutil.rmtree(entry, ignore_errors=True)


def check_out_dir(out_dir: str | os.PathLike, force: bool = False) -> Path:
    """Check that results may be written to ``out_dir``, before spending time on a run.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The results directory.
    force : bool
        Allow replacing an existing results directory.

    Returns
    -------
    pathlib.Path
        ``out_dir`` as an absolute path (symbolic links not resolved).

    Raises
    ------
    ResultsError
        If ``out_dir`` is a file, or a non-empty directory and ``force`` is false, or a non-empty
        directory without a manifest (not an ics_abm results directory: never replaced, so that a
        mistyped ``--out`` cannot delete unrelated files).
    """
    target = Path(os.path.abspath(out_dir))
    _clean_leftovers(target)
    if os.path.lexists(target) and not target.is_dir():
        raise ResultsError(f"{out_dir}: exists and is not a directory; choose another output directory.")
    if not target.is_dir() or not any(target.iterdir()):
        return target
    if not force:
        raise ResultsError(f"{out_dir}: directory exists and is not empty; use --force to replace it.")
    if not (target / MANIFEST).is_file():
        raise ResultsError(
            f"{out_dir}: directory is not empty and holds no {MANIFEST}, so it is not an ics_abm "
            "results directory and will not be replaced even with --force."
        )
    return target


# --------------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------------


def _fsync_path(path: Path) -> None:
    """Flush a file (or, on POSIX, a directory entry list) to disk."""
    flags = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        if path.is_dir():
            return  # directories cannot be opened on some platforms (Windows)
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not path.is_dir():
            raise
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_parquet(frame: pd.DataFrame, path: Path, provenance: bytes) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), PARQUET_METADATA_KEY: provenance})
    pq.write_table(table, path)
    _fsync_path(path)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # Explicit line ending so the bytes do not depend on the platform.
    _write_bytes(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def _write_figure(result: RunResult, path: Path) -> None:
    import matplotlib.pyplot as plt

    from ics_abm.output.figures import plot_run

    figure = plot_run(result, path)
    plt.close(figure)
    _fsync_path(path)


def _file_record(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


# --------------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------------


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _manifest(result: RunResult, scenario_path, scenario_text: str, command, started) -> dict:
    meta = result.metadata
    wall = meta.get("wall_time_s")
    if started is None:  # the run started wall_time_s before now
        started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=wall or 0.0)
    return {
        "ics_abm_version": __version__,
        "command": command if isinstance(command, str) else shlex.join(str(c) for c in command),
        "scenario": meta.get("scenario"),
        "scenario_path": os.fspath(scenario_path),
        "scenario_sha256": scenario_hash(scenario_text),
        "scenario_text": scenario_text,
        "parameters": meta.get("parameters"),
        "seed": meta.get("seed"),
        "steps": meta.get("steps"),
        "organisations": meta.get("organisations"),
        "relationships": meta.get("relationships"),
        "versions": {"python": platform.python_version(), **{n: _package_version(n) for n in LIBRARIES}},
        "platform": platform.platform(),
        "started_utc": started.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "wall_time_s": wall,
    }


def _dumps(data: dict) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def _fill(directory: Path, result: RunResult, manifest: dict, scenario_text: str) -> None:
    """Write every file into ``directory``, the manifest (with the files' hashes) last."""
    provenance = _dumps({k: v for k, v in manifest.items() if k not in _VOLATILE})
    for name in TABLES:
        frame = getattr(result, name)
        _write_parquet(frame, directory / f"{name}.parquet", provenance)
        _write_csv(frame, directory / f"{name}.csv")
    _write_bytes(directory / "scenario.toml", scenario_text.encode("utf-8"))
    _write_figure(result, directory / "figure.png")
    manifest["files"] = {p.name: _file_record(p) for p in sorted(directory.iterdir())}
    _write_bytes(directory / MANIFEST, _dumps(manifest))
    _fsync_path(directory)


def _sibling(target: Path, what: str) -> Path:
    """Create an empty hidden directory beside ``target`` for this process, ``.<name>.<pid>-<hex>.<what>``.

    ``os.mkdir`` (not :func:`tempfile.mkdtemp`, which makes it private, mode 0700) so that the
    results directory gets the usual permissions under the user's umask.
    """
    while True:
        candidate = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.{what}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def _move_into_place(staged: Path, target: Path, force: bool) -> None:
    """Rename ``staged`` to ``target``.

    Without ``force`` a single rename, which POSIX makes atomic and which fails if ``target`` has
    become a non-empty directory meanwhile (another run got there first). With ``force`` an
    existing ``target`` is moved aside first and deleted last.
    """
    if not force or not os.path.lexists(target):
        try:
            os.replace(staged, target)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise ResultsError(f"{target}: directory exists and is not empty; use --force to replace it.") from None
            raise
    else:
        aside = _sibling(target, "old")
        os.replace(target, aside)  # aside is an empty directory: replaced by the old results
        try:
            os.replace(staged, target)
        except BaseException:
            os.replace(aside, target)  # put the previous results back (a hard crash: next write does)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    _fsync_path(target.parent)


def write_results(
    result: RunResult,
    out_dir: str | os.PathLike,
    *,
    scenario_path: str | os.PathLike,
    scenario_text: str,
    command: str | Sequence[str],
    force: bool = False,
    started: datetime.datetime | None = None,
) -> Path:
    """Write a run's results to ``out_dir``, atomically.

    Parameters
    ----------
    result : RunResult
        The run (:func:`ics_abm.run`).
    out_dir : str or os.PathLike
        The results directory; its parent is created if needed.
    scenario_path : str or os.PathLike
        The scenario file, recorded as given.
    scenario_text : str
        The scenario file's text, copied verbatim to ``scenario.toml`` and hashed.
    command : str or sequence of str
        The command line that made the results (a sequence is shell-quoted).
    force : bool
        Replace an existing results directory (only once the new one is complete).
    started : datetime.datetime, optional
        When the run started (default: ``wall_time_s`` before now); recorded in UTC.

    Returns
    -------
    pathlib.Path
        The results directory, absolute.

    Raises
    ------
    ResultsError
        If ``out_dir`` may not be written (see :func:`check_out_dir`) or its parent cannot be
        created.
    OSError
        If writing fails (disk full, ...); ``out_dir`` is then unchanged.
    """
    manifest = _manifest(result, scenario_path, scenario_text, command, started)
    return write_directory(out_dir, lambda staged: _fill(staged, result, manifest, scenario_text), force=force)


def write_directory(out_dir: str | os.PathLike, fill: Callable[[Path], None], *, force: bool = False) -> Path:
    """Create ``out_dir`` atomically, its content written by ``fill(staging_directory)``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The directory to create (its parent is created if needed).
    fill : callable
        Writes every file into the empty directory it is given, manifest last
        (:func:`finish_manifest`).
    force : bool
        Replace an existing experiment or results directory (one with a manifest), only once the
        new one is complete.

    Returns
    -------
    pathlib.Path
        ``out_dir``, absolute.

    Raises
    ------
    ResultsError
        If ``out_dir`` may not be written (:func:`check_out_dir`).
    """
    target = check_out_dir(out_dir, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = _sibling(target, "partial")
    except OSError as exc:
        raise ResultsError(f"{out_dir}: could not be created ({_reason(exc)}).") from exc
    try:
        fill(staged)
        _fsync_path(staged)
        _move_into_place(staged, target, force)
    except BaseException:  # including KeyboardInterrupt: never leave a partial directory behind
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return target


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


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
