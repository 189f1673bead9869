"""A sweep's results folder: set up, locked while a sweep runs in it, cleaned, its state told truly.

* **Lock.** A sweep holds an exclusive :func:`fcntl.flock` on the folder itself for as long as it
  runs in it (set-up included), so that two ``--resume`` of one folder cannot both compute: the
  second is refused with one sentence. The lock is the folder's own, so no lock file is ever left
  behind, and the operating system releases it when the process ends, however it ends.
* **Set-up** writes the files that describe the sweep, manifest last (its presence means "set
  up"). A set-up that fails (a full disk) removes what it wrote, and the folder if it made it; one
  that was killed is recognised by the next sweep (our set-up files, no manifest, no results, no
  lock holder) and redone.
* **Clean-up** removes the temporary files of killed writers from the whole folder (``runs/`` and
  the folder itself, where the manifest is rewritten) when a sweep opens it and when it ends.
* **State.** The manifest's ``progress.status`` is written at each change; a reader that finds
  ``"starting"`` or ``"running"`` while nobody holds the lock knows the sweep was killed and is
  told ``"interrupted"`` (:func:`true_status`).
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from ics_abm._version import __version__
from ics_abm.experiments.sweeps import store
from ics_abm.experiments.sweeps.design import Design
from ics_abm.experiments.sweeps.errors import SweepError
from ics_abm.output.directory import remove_dead_temporaries, write_atomically
from ics_abm.output.files import write_text
from ics_abm.output.manifest import now_utc, versions
from ics_abm.scenario.loading import scenario_hash

try:  # POSIX; elsewhere sweeps run unlocked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["done_batches", "is_locked", "open_sweep_folder", "remove_temporaries", "true_status"]

#: Libraries whose versions a sweep's manifest records, beyond those of a single run.
_SWEEP_LIBRARIES = ("SALib", "dask", "distributed")
#: Statuses that claim a sweep is working in the folder now.
_LIVE = ("starting", "running")


# --------------------------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------------------------


def _try_lock(out: Path) -> int | None:
    """A descriptor of ``out`` holding its exclusive lock, or ``None`` if another process holds it."""
    fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    if fcntl is None:  # pragma: no cover
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_locked(out: str | os.PathLike) -> bool:
    """Whether a sweep is running in ``out`` now (some process holds its lock)."""
    try:
        fd = _try_lock(Path(out))
    except OSError:
        return False
    if fd is None:
        return True
    os.close(fd)  # closing releases the lock
    return False


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    fd = _try_lock(out)
    if fd is None:
        raise SweepError(str(out), "is in use by another sweep running now (two sweeps in one folder would compute "
                                   "the same runs twice); wait for it to finish, or choose another --out")
    try:
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Clean-up and state
# --------------------------------------------------------------------------------------------


def remove_temporaries(out: Path, every_host: bool = False) -> int:
    """Remove killed writers' temporary files from the folder and ``runs/`` (see :func:`remove_dead_temporaries`).

    ``every_host`` also removes those written on other hosts: only safe when nothing can still be
    writing (the sweep is complete and holds the lock).
    """
    return remove_dead_temporaries(out, every_host) + remove_dead_temporaries(out / store.RUNS, every_host)


def true_status(out: str | os.PathLike, progress: dict) -> dict:
    """``progress`` (of a manifest) as it really is: a live status with nobody holding the lock is ``interrupted``."""
    if progress.get("status") in _LIVE and not is_locked(out):
        return {**progress, "status": "interrupted", "stopped": "the process running the sweep ended without "
                                                                "finishing (it was killed); continue with --resume"}
    return progress


def owner() -> dict:
    """Who is running the sweep: host and process id (recorded with its progress)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


# --------------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------------


def _manifest(design: Design, command) -> dict:
    from ics_abm.metrics import METRICS

    spec = design.spec
    uncertainties = None
    if spec.design is not None:
        uncertainties = {"design": spec.design, "samples": spec.samples, "seed": spec.design_seed,
                         "values": {p: list(v) for p, v in spec.values.items()},
                         "ranges": {p: list(v) for p, v in spec.ranges.items()}}
        if spec.design == "sobol":
            uncertainties["second_order"] = spec.second_order
        if spec.design == "morris":
            uncertainties["levels"] = spec.levels
        if spec.posterior is not None:  # source, provenance, seed, rows drawn, parameters set and kept
            uncertainties = {"design": spec.design, "draws": spec.posterior.n, "seed": spec.design_seed,
                             "posterior": spec.posterior.record()}
    return {
        "kind": "ics_abm sweep",
        "name": spec.name,
        "description": spec.description,
        "ics_abm_version": __version__,
        "command": command,
        "sweep_path": spec.path,
        "sweep_sha256": scenario_hash(spec.text),
        "scenario_path": spec.scenario_path,
        "scenario_sha256": scenario_hash(spec.scenario_text),
        "design": {
            "digest": design.digest,
            "constants": spec.constants,
            "levers": {p: list(v) for p, v in spec.levers.items()},
            "uncertainties": uncertainties,
            "kinds": spec.kinds,
            "salib_problem": design.problem,
            "policies": len(design.policies),
            "samples": len(design.sample),
            "points": len(design.points),
            "replicates": spec.replicates,
            "runs": design.n_runs,
            "steps": spec.steps,
            "batch_size": design.batch_size,
            "batches": design.n_batches,
        },
        "seeds": {
            "root_seed": spec.root_seed,
            "rule": "seed of replicate r = SeedSequence(root_seed, spawn_key=(r,)).generate_state(1, uint64)[0] >> 1",
            "spawn_keys": [[r] for r in range(spec.replicates)],
            "seeds": [int(s) for s in design.seeds],
        },
        "base_scenario": spec.base,
        "metrics": list(METRICS),
        "versions": versions(_SWEEP_LIBRARIES),
        "platform": platform.platform(),
        "started_utc": now_utc(),
        "resumed_utc": [],
        "progress": {"status": "starting", "batches_done": 0, "runs_done": 0, "updated_utc": now_utc(), **owner()},
    }


def _remove_setup(out: Path) -> None:
    """Remove the set-up files (manifest first, so the folder never looks set up meanwhile)."""
    for name in store.SETUP_FILES:
        (out / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (out / store.RUNS).rmdir()  # only if empty: results are never deleted here
    remove_temporaries(out)


def _set_up(out: Path, design: Design, command) -> dict:
    """Write the files that describe the sweep (manifest last: its presence means set up).

    On any failure what was written is removed again, so a folder is either set up or not.
    """
    spec = design.spec
    try:
        (out / store.RUNS).mkdir(exist_ok=True)
        write_atomically(out / store.SWEEP_COPY, lambda p: write_text(p, spec.text))
        write_atomically(out / store.SCENARIO_COPY, lambda p: write_text(p, spec.scenario_text))
        provenance = {"sweep": spec.name, "design_sha256": design.digest}
        store.write_parquet(pa.Table.from_pandas(design.runs(), preserve_index=False), out / store.DESIGN, provenance)
        if design.problem is not None:
            store.write_parquet(pa.Table.from_pandas(design.sample, preserve_index=False), out / store.SAMPLE,
                                provenance)
        manifest = _manifest(design, command)
        store.write_json(out / store.MANIFEST, manifest)
    except BaseException:
        _remove_setup(out)
        raise
    return manifest


def _interrupted_setup(out: Path, entries: list[Path]) -> bool:
    """Whether ``out`` holds only the leftovers of a set-up that never finished (no manifest, no results)."""
    ours = set(store.SETUP_FILES) | {store.RUNS}
    return not (out / store.MANIFEST).is_file() and not store.batch_files(out) and all(
        e.name in ours or e.name.startswith(".") for e in entries)


def _check_manifest(out: Path, design: Design) -> dict:
    manifest_path = out / store.MANIFEST
    try:
        manifest = store.read_json(manifest_path)
    except (OSError, ValueError) as exc:
        raise SweepError(str(manifest_path), f"could not be read ({type(exc).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "ics_abm sweep":
        raise SweepError(str(out), "holds the results of a single run, not of a sweep; choose another --out")
    if manifest.get("design", {}).get("digest") != design.digest:
        raise SweepError(str(out), f"holds a different sweep ('{manifest.get('name')}', another design, seeds or "
                                   f"base scenario) than {design.spec.path}; resume it with the sweep file that "
                                   "made it, or choose another --out")
    if manifest.get("ics_abm_version") != __version__:
        raise SweepError(str(out), f"was started with ics_abm {manifest.get('ics_abm_version')} and this is "
                                   f"{__version__}; results of two model versions would be mixed, so start a new "
                                   "sweep in another --out")
    manifest["resumed_utc"] = [*manifest.get("resumed_utc", []), now_utc()]
    return manifest


def _open(out: Path, design: Design, resume: bool, command) -> dict:
    """Check the locked folder ``out`` and return its manifest: a fresh one, or the one being resumed."""
    remove_temporaries(out)
    entries = list(out.iterdir())
    if not entries or _interrupted_setup(out, entries):
        _remove_setup(out)
        return _set_up(out, design, command)  # nothing, or an interrupted set-up: start afresh
    if not resume:
        raise SweepError(str(out), "directory exists and is not empty; use --resume to continue the sweep in it, "
                                   "or choose another --out")
    if not (out / store.MANIFEST).is_file():
        raise SweepError(str(out), f"directory is not empty and holds no {store.MANIFEST}, so it is not an "
                                   "ics_abm sweep folder; choose another --out")
    return _check_manifest(out, design)


@contextlib.contextmanager
def open_sweep_folder(out: Path, design: Design, resume: bool, command) -> Iterator[dict]:
    """The sweep folder ``out``, set up or checked, locked for as long as the ``with`` block runs.

    Yields
    ------
    dict
        The manifest (fresh, or of the sweep being resumed).

    Raises
    ------
    SweepError
        If ``out`` is a file, cannot be created, holds something else, or another sweep runs in it.
    """
    if os.path.lexists(out) and not out.is_dir():
        raise SweepError(str(out), "exists and is not a directory; choose another --out")
    created = not os.path.lexists(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SweepError(str(out), f"could not be created ({(exc.strerror or type(exc).__name__).lower()}); choose "
                                   "another --out") from None
    with _locked(out):
        try:
            manifest = _open(out, design, resume, command)
        except BaseException:
            if created:
                shutil.rmtree(out, ignore_errors=True)  # the folder was ours: leave nothing behind
            raise
        yield manifest


def done_batches(out: Path, design: Design) -> set[int]:
    """Batches whose file is complete; files that are not are deleted (they will be redone)."""
    spec, done = design.spec, set()
    for batch, path in store.batch_files(out).items():
        if batch < design.n_batches and store.batch_is_complete(
            path, batch, design.batch_run_ids(batch), spec.steps, design.digest, __version__
        ):
            done.add(batch)
        else:
            path.unlink(missing_ok=True)
    return done
