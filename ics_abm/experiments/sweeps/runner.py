"""Running a sweep: set up the results folder, run the batches that are not done, check them all.

The runner only ever talks to a :class:`concurrent.futures.Executor` (:mod:`.executors`), keeps a
bounded number of tasks in flight, and keys everything by batch number, never by the order in
which tasks finish. Nothing is lost:

* a batch is done when its file is complete (:func:`.store.batch_is_complete`), not when a task
  said so, so ``resume=True`` redoes exactly the batches whose file is missing or incomplete;
* a task lost to its worker (a killed process-pool worker, a Dask worker that died) is submitted
  again, up to ``max_attempts`` times; a process pool broken by a dead worker is replaced;
* at the end every batch file is checked again.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ics_abm._version import __version__
from ics_abm.experiments.sweeps import store
from ics_abm.experiments.sweeps.batch import BatchSummary, BatchTask, run_batch
from ics_abm.experiments.sweeps.design import Design, build_design
from ics_abm.experiments.sweeps.errors import SweepError
from ics_abm.experiments.sweeps.executors import Engine, check_engine, open_engine
from ics_abm.experiments.sweeps.folder import done_batches, open_sweep_folder, owner, remove_temporaries
from ics_abm.experiments.sweeps.spec import SweepSpec, read_sweep
from ics_abm.output.directory import ResultsError, safe_name
from ics_abm.output.manifest import now_utc
from ics_abm.output.progress import progress_bar

__all__ = ["SweepResult", "sweep", "default_out"]

#: Seconds between progress updates of the manifest.
_MANIFEST_EVERY = 2.0


@dataclass(frozen=True)
class SweepResult:
    """What a finished sweep did.

    Attributes
    ----------
    out : pathlib.Path
        The results folder.
    design : Design
        The design that was run.
    runs : int
        Runs in the sweep.
    computed : int
        Runs computed by this call (the others were already done).
    batches : int
        Batches (result files) in the sweep.
    wall_time_s : float
        Wall time of this call, s.
    engine : str
        Where the tasks ran.
    """

    out: Path
    design: Design
    runs: int
    computed: int
    batches: int
    wall_time_s: float
    engine: str

    @property
    def runs_per_second(self) -> float:
        """Runs computed per second of wall time in this call."""
        return self.computed / self.wall_time_s if self.wall_time_s > 0 else float("nan")

    def load(self, **options):
        """The results as a tidy DataFrame (:func:`ics_abm.load`)."""
        from ics_abm.experiments.sweeps.load import load

        return load(self.out, **options)


def default_out(name: str) -> Path:
    """``results/sweep-<name>``, with the name made safe as a folder name."""
    return Path("results") / f"sweep-{safe_name(name, 'sweep')}"


# --------------------------------------------------------------------------------------------
# Running tasks
# --------------------------------------------------------------------------------------------


def _task(out: Path, design: Design, batch: int) -> BatchTask:
    spec = design.spec
    return BatchTask(
        batch=batch,
        path=os.fspath(store.batch_path(out, batch)),
        base=spec.base,
        steps=spec.steps,
        root_seed=spec.root_seed,
        runs=tuple(design.run(r) for r in design.batch_run_ids(batch)),
        parameters=tuple((p, spec.kinds[p]) for p in spec.parameters),
        provenance={"sweep": spec.name, "design_sha256": design.digest},
    )


def _lost_to_infrastructure(exc: BaseException) -> bool:
    """Whether a task failed because its worker was lost (worth retrying), not because of its input."""
    if isinstance(exc, ResultsError):  # a full disk or a read-only folder: trying again would not help
        return False
    return isinstance(exc, (cf.BrokenExecutor, cf.CancelledError, OSError)) or type(exc).__name__ == "KilledWorker"


def _reason(error: BaseException) -> str:
    """An exception in a few words, for the middle of a sentence."""
    text = " ".join(str(error).split()).rstrip(". ")
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _execute(engine: Engine, out: Path, design: Design, todo: list[int], on_done, max_attempts: int) -> None:
    """Run the batches in ``todo``; call ``on_done(summary)`` as each one is stored."""
    pending = collections.deque(todo)
    attempts: collections.Counter[int] = collections.Counter()
    in_flight: dict[cf.Future, tuple[int, int]] = {}  # future -> (batch, executor generation)
    generation = 0
    try:
        while pending or in_flight:
            while pending and len(in_flight) < engine.slots:
                batch = pending.popleft()
                attempts[batch] += 1
                in_flight[engine.executor.submit(run_batch, _task(out, design, batch))] = (batch, generation)
            finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: in_flight[f][0]):
                batch, made_by = in_flight.pop(future)
                error = future.exception()
                if error is None:
                    on_done(future.result())
                    continue
                if not _lost_to_infrastructure(error):
                    raise error
                if attempts[batch] >= max_attempts:
                    raise SweepError(str(out), f"batch {batch} failed {attempts[batch]} times, the last time "
                                               f"with {_reason(error)}; fix the cause and run again with "
                                               "--resume") from error
                pending.append(batch)
                if isinstance(error, cf.BrokenExecutor) and made_by == generation:
                    if engine.restart is None:
                        raise SweepError(str(out), f"the executor broke ({_reason(error)}); run again with "
                                                   "--resume") from error
                    engine.executor.shutdown(wait=False, cancel_futures=True)
                    engine.executor = engine.restart()
                    generation += 1
    finally:
        for future in in_flight:
            future.cancel()


def sweep(
    sweep_file: str | os.PathLike | SweepSpec,
    out: str | os.PathLike | None = None,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    executor: cf.Executor | None = None,
    resume: bool = False,
    progress: bool | None = None,
    max_attempts: int = 3,
    command: list[str] | None = None,
) -> SweepResult:
    """Run a sweep and store its results as a Parquet dataset.

    Parameters
    ----------
    sweep_file : str, os.PathLike or SweepSpec
        A sweep file (TOML, see ``sweeps/example.toml``) or an already validated one.
    out : str or os.PathLike, optional
        Results folder (default ``results/sweep-<name>``). Must be empty or absent unless
        ``resume``; with Dask it must be on a filesystem the workers share.
    workers : int
        Local worker processes; 1 runs in this process.
    scheduler : str, optional
        Address of a Dask scheduler (``"tcp://host:8786"``); overrides ``workers``.
    executor : concurrent.futures.Executor, optional
        Run the tasks on this executor (e.g. ``distributed.Client(...).get_executor()``);
        overrides ``workers`` and ``scheduler``. It is not shut down.
    resume : bool
        Continue the sweep already in ``out``: batches whose file is complete are kept, the others
        run. ``out`` must hold the same sweep (same design digest).
    progress : bool, optional
        Draw a progress bar on standard error (default: if it is a terminal).
    max_attempts : int
        Times a batch is tried when its worker is lost before the sweep gives up.
    command : list of str, optional
        Command line to record in the manifest.

    Returns
    -------
    SweepResult

    Raises
    ------
    SweepError
        Bad sweep file, a design too big (:mod:`ics_abm.limits`), an unusable ``out`` (a file,
        another sweep's folder, or one in which another sweep is running now: the folder is
        locked while a sweep runs in it), or a batch that kept failing (one sentence).
    ics_abm.ScenarioError
        An invalid base scenario.
    TypeError, ValueError
        ``workers`` not a whole number from 1 to 1,024, or a ``scheduler`` that is not an address
        or does not answer; checked before anything is written.

    Examples
    --------
    >>> import ics_abm
    >>> done = ics_abm.sweep("sweeps/example.toml", "results/example", workers=2)  # doctest: +SKIP
    >>> table = ics_abm.load("results/example")                                     # doctest: +SKIP
    """
    started = time.perf_counter()
    workers = check_engine(workers, scheduler)
    if out is not None and not str(out).strip():
        raise SweepError("--out", "must name a folder, got an empty string")
    spec = sweep_file if isinstance(sweep_file, SweepSpec) else read_sweep(sweep_file)
    design = build_design(spec)
    out = Path(os.path.abspath(out if out is not None else default_out(spec.name)))
    # The engine first (a scheduler that cannot be reached leaves nothing behind), then the folder.
    with open_engine(workers, scheduler, executor) as engine, \
            open_sweep_folder(out, design, resume, command) as manifest:
        done = done_batches(out, design)
        todo = [b for b in range(design.n_batches) if b not in done]
        computed = sum(len(design.batch_run_ids(b)) for b in todo)
        record = _recorder(out, design, manifest, done, engine.describe)
        status = "failed"
        try:
            with progress_bar("runs", design.n_runs, show=progress, done=design.n_runs - computed, rate=True) as bar:
                record("running", force=True)
                _execute(engine, out, design, todo, _on_done(out, done, bar, record), max_attempts)
            status = _final_check(out, design)
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            with _uninterrupted():
                _stop(engine, status)  # no worker may write once the status is final
                try:
                    remove_temporaries(out, every_host=status == "complete")
                    if status == "complete":
                        manifest["finished_utc"] = now_utc()
                        manifest["wall_time_s"] = time.perf_counter() - started
                    record(status, force=True)
                except (OSError, ValueError):
                    if status == "complete":
                        raise
                    # A full disk: the error already on its way says so; once this process has
                    # ended, read_manifest reports the sweep "interrupted" (nobody holds its lock).
        engine_name = engine.describe
    return SweepResult(out=out, design=design, runs=design.n_runs, computed=computed, batches=design.n_batches,
                       wall_time_s=time.perf_counter() - started, engine=engine_name)


def _recorder(out: Path, design: Design, manifest: dict, done: set[int], engine: str):
    """``record(status, force=False)``: write the sweep's progress to its manifest (at most every 2 s unless forced)."""
    last_write = [0.0]

    def record(status: str, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - last_write[0] < _MANIFEST_EVERY:
            return
        last_write[0] = now
        runs_done = sum(len(design.batch_run_ids(b)) for b in done)
        manifest["progress"] = {"status": status, "batches_done": len(done), "batches": design.n_batches,
                                "runs_done": runs_done, "runs": design.n_runs, "updated_utc": now_utc(),
                                "engine": engine, **owner()}
        store.write_json(out / store.MANIFEST, manifest)

    return record


def _on_done(out: Path, done: set[int], bar, record):
    """The callback of :func:`_execute`: check the worker's version, count the batch, record progress."""

    def on_done(summary: BatchSummary) -> None:
        if summary.ics_abm_version != __version__:
            store.batch_path(out, summary.batch).unlink(missing_ok=True)
            raise SweepError(str(out), f"worker {summary.worker} runs ics_abm {summary.ics_abm_version} but this "
                                       f"is {__version__}; install the same version on every worker")
        done.add(summary.batch)
        bar.advance(summary.runs)
        record("running")

    return on_done


def _final_check(out: Path, design: Design) -> str:
    """``"complete"`` if every batch file is complete; otherwise a SweepError naming the first missing one."""
    spec = design.spec
    missing = [b for b in range(design.n_batches) if not store.batch_is_complete(
        store.batch_path(out, b), b, design.batch_run_ids(b), spec.steps, design.digest, __version__)]
    if missing:
        raise SweepError(str(out), f"{len(missing)} of {design.n_batches} result files are missing or incomplete "
                                   f"after the sweep (first: batch {missing[0]}); if the workers are on other "
                                   "machines, --out must be on a filesystem they share; run again with --resume")
    return "complete"


def _stop(engine: Engine, status: str) -> None:
    """After a failure or an interrupt, stop the workers at once: none may write after the final status."""
    if status == "complete" or engine.restart is None:
        return  # done, or not ours to stop (Dask cancels its futures; a given executor is the caller's)
    processes = getattr(engine.executor, "_processes", None) or {}
    for process in list(processes.values()):  # a local process pool: its workers are killed
        with contextlib.suppress(Exception):
            process.kill()
    with contextlib.suppress(Exception):
        engine.executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) while the final state is written; it takes effect afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives SIGINT as KeyboardInterrupt
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: held.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held and callable(previous):
        previous(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt now
