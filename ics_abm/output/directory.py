"""Atomic writing on disk: whole directories and single files, never seen half-written.

Every result the package leaves behind (a run's results, a comparison, a validation report, a
sweep's files, a demo export, the installed documentation report) is written through this module:

* :func:`write_directory` builds a directory under a hidden sibling
  (``.<name>.<pid>-<random>.partial``), flushes it to disk and renames it into place with one
  :func:`os.replace`. The target either does not exist, or is the previous complete directory, or
  is the new complete one: a crash or Ctrl-C never leaves a half-written directory, and a replaced
  directory (``force=True``) is removed only after its successor is in place. Leftovers of an
  interrupted write are cleaned up (or the previous results restored) by the next write.
* :func:`write_atomically` writes one file under a hidden temporary name in its final folder and
  renames it into place, so that a file with its final name is always complete. The temporary
  name says which host and process wrote it, so :func:`remove_dead_temporaries` can tell the
  leftovers of killed writers from files still being written (a sweep's workers share a folder).
* :func:`write_bytes` and :func:`fsync_path` flush what is written inside a staged directory.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "MANIFEST",
    "ResultsError",
    "check_out_dir",
    "fsync_path",
    "remove_dead_temporaries",
    "replace_directory",
    "safe_name",
    "write_atomically",
    "write_bytes",
    "write_directory",
    "WriteError",
    "write_failure",
]

#: Name of the manifest file that marks a directory as one of ours (and so replaceable).
MANIFEST = "manifest.json"

_HOST = socket.gethostname().replace(".", "_")  # no dots: they separate the parts of a temporary name
_TEMPORARY = re.compile(r"^\..+\.(?P<host>[^.]+)-(?P<pid>\d+)-[0-9a-f]+\.tmp$")


class ResultsError(ValueError):
    """A results directory that cannot be written or read; its text is one sentence."""


class WriteError(ResultsError, OSError):
    """Results that could not be written (a full disk, a read-only folder): one sentence naming the folder.

    Both a :class:`ResultsError` (bad input to the commands: one sentence, exit code 2) and an
    :class:`OSError` (what it is, for callers that catch those).
    """


def write_failure(folder: str | os.PathLike, what: str, exc: OSError) -> WriteError:
    """A failed write as one sentence naming the folder, e.g. when the disk is full."""
    found = re.search(r"\[errno (\d+)\]", str(exc), re.IGNORECASE)  # pyarrow's wording
    code = exc.errno or (int(found[1]) if found else None)
    reason = (os.strerror(code) if code else exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
    hint = "; free some space and run again" if code in (errno.ENOSPC, errno.EDQUOT) else ""
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "; choose a folder you can write to"
    return WriteError(f"{os.fspath(folder)}: could not write {what} ({reason[0].lower()}{reason[1:]}){hint}.")


def safe_name(name: str, fallback: str = "scenario") -> str:
    """``name`` made safe as one file or folder name (a name, never a path), or ``fallback``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or fallback


# --------------------------------------------------------------------------------------------
# Flushing to disk
# --------------------------------------------------------------------------------------------


def fsync_path(path: Path) -> None:
    """Flush a file (or, on POSIX, a directory's list of entries) to disk."""
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


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and flush it to disk (not atomic: for staged directories)."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# --------------------------------------------------------------------------------------------
# Single files
# --------------------------------------------------------------------------------------------


def write_atomically(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through ``write(temporary_path)``, then rename it into place.

    The temporary name, ``.<name>.<host>-<pid>-<random>.tmp``, is hidden (so Parquet datasets
    skip it), unique to the writer, and says which process wrote it (:func:`remove_dead_temporaries`).
    ``write`` must not rely on the file name's extension (pass a format explicitly).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        write(temporary)
        fsync_path(temporary)
        os.replace(temporary, path)
        fsync_path(path.parent)  # make the rename itself durable
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise write_failure(path.parent, path.name, exc) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def remove_dead_temporaries(folder: str | os.PathLike, every_host: bool = False) -> int:
    """Delete temporary files left in ``folder`` by killed writers on this host.

    Files of live processes, or written on other hosts (a cluster's workers, whose processes
    cannot be checked from here), are left alone unless ``every_host``; they are hidden and never
    read as results. ``every_host`` is for a caller that knows no writer can still be at work
    (a sweep that is complete): every temporary file of this module's naming is then removed.

    Returns
    -------
    int
        Number of files removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        match = _TEMPORARY.match(entry.name)
        if match and (every_host or (match["host"] == _HOST and not _alive(int(match["pid"])))):
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


# --------------------------------------------------------------------------------------------
# Whole directories
# --------------------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    """Whether process ``pid`` may still be writing (its files are then left alone).

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


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    """Names of our temporary siblings of ``target``: ``.<name>.<pid>-<random>.(partial|old)``."""
    return re.compile(rf"^\.{re.escape(target.name)}\.(?P<pid>\d+)-[0-9a-f]+\.(?P<what>partial|old)$")


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


def _sibling(target: Path, what: str) -> Path:
    """Create an empty hidden directory beside ``target`` for this process, ``.<name>.<pid>-<hex>.<what>``.

    ``os.mkdir`` (not :func:`tempfile.mkdtemp`, which makes it private, mode 0700) so that the
    directory gets the usual permissions under the user's umask.
    """
    while True:
        candidate = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.{what}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def _move_into_place(staged: Path, target: Path, replace: bool) -> None:
    """Rename ``staged`` to ``target``.

    Without ``replace`` a single rename, which POSIX makes atomic and which fails if ``target``
    has become a non-empty directory meanwhile (another writer got there first). With ``replace``
    an existing ``target`` is moved aside first and deleted last.
    """
    if not replace or not os.path.lexists(target):
        try:
            os.replace(staged, target)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise ResultsError(f"{target}: directory exists and is not empty; use --force to replace it.") from None
            raise
    else:
        aside = _sibling(target, "old")
        os.replace(target, aside)  # aside is an empty directory: replaced by the old one
        try:
            os.replace(staged, target)
        except BaseException:
            os.replace(aside, target)  # put the previous one back (a hard crash: the next write does)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    fsync_path(target.parent)


def _stage(target: Path, fill: Callable[[Path], None], replace: bool, shown: str | os.PathLike) -> Path:
    """Fill a staged sibling of ``target`` and move it into place (the staged copy is removed on error)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = _sibling(target, "partial")
    except OSError as exc:
        raise ResultsError(f"{shown}: could not be created ({(exc.strerror or type(exc).__name__).lower()}).") from exc
    try:
        fill(staged)
        fsync_path(staged)
        _move_into_place(staged, target, replace)
    except OSError as exc:
        shutil.rmtree(staged, ignore_errors=True)
        raise write_failure(shown, "the results", exc) from exc
    except BaseException:  # including KeyboardInterrupt: never leave a partial directory behind
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return target


def write_directory(out_dir: str | os.PathLike, fill: Callable[[Path], None], *, force: bool = False) -> Path:
    """Create the results directory ``out_dir`` atomically, its content written by ``fill(staging_directory)``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The directory to create (its parent is created if needed).
    fill : callable
        Writes every file into the empty directory it is given, manifest last
        (:func:`ics_abm.output.manifest.finish_manifest`).
    force : bool
        Replace an existing results directory (one with a manifest), only once the new one is
        complete.

    Returns
    -------
    pathlib.Path
        ``out_dir``, absolute.

    Raises
    ------
    ResultsError
        If ``out_dir`` may not be written (:func:`check_out_dir`) or its parent cannot be created.
    """
    return _stage(check_out_dir(out_dir, force), fill, force, out_dir)


def replace_directory(path: str | os.PathLike, fill: Callable[[Path], None]) -> Path:
    """Replace the directory ``path`` (whatever it holds) by one written by ``fill``, atomically.

    For directories the package owns outright (the figures it installs into the documentation),
    where no manifest says so: unlike :func:`write_directory`, nothing is checked first.

    Returns
    -------
    pathlib.Path
        ``path``, absolute.
    """
    target = Path(os.path.abspath(path))
    _clean_leftovers(target)
    return _stage(target, fill, True, path)
