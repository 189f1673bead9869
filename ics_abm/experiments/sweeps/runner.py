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
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ics_abm._version import __version__
from ics_abm.experiments.sweeps import store
from ics_abm.experiments.sweeps.batch import BatchSummary, BatchTask, run_batch
from ics_abm.experiments.sweeps.design import Design, build_design
from ics_abm.experiments.sweeps.errors import SweepError
from ics_abm.experiments.sweeps.executors import Engine, open_engine
from ics_abm.experiments.sweeps.spec import SweepSpec, read_sweep
from ics_abm.output.directory import remove_dead_temporaries, safe_name, write_atomically
from ics_abm.output.files import write_text
from ics_abm.output.manifest import now_utc, versions
from ics_abm.output.progress import progress_bar
from ics_abm.scenario.loading import scenario_hash

__all__ = ["SweepResult", "sweep", "default_out"]

#: Libraries whose versions a sweep's manifest records, beyond those of a single run.
_SWEEP_LIBRARIES = ("SALib", "dask", "distributed")
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
# The results folder
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
        "progress": {"status": "starting", "batches_done": 0, "runs_done": 0, "updated_utc": now_utc()},
    }


def _set_up(out: Path, design: Design, command) -> dict:
    """Write the files that describe the sweep (manifest last: its presence means set up)."""
    spec = design.spec
    (out / store.RUNS).mkdir(parents=True, exist_ok=True)
    write_atomically(out / store.SWEEP_COPY, lambda p: write_text(p, spec.text))
    write_atomically(out / store.SCENARIO_COPY, lambda p: write_text(p, spec.scenario_text))
    provenance = {"sweep": spec.name, "design_sha256": design.digest}
    store.write_parquet(pa.Table.from_pandas(design.runs(), preserve_index=False), out / store.DESIGN, provenance)
    if design.problem is not None:
        store.write_parquet(pa.Table.from_pandas(design.sample, preserve_index=False), out / store.SAMPLE, provenance)
    manifest = _manifest(design, command)
    store.write_json(out / store.MANIFEST, manifest)
    return manifest


def _open_folder(out: Path, design: Design, resume: bool, command) -> dict:
    """Check ``out`` and return its manifest: a fresh one, or the one of the sweep being resumed."""
    if os.path.lexists(out) and not out.is_dir():
        raise SweepError(str(out), "exists and is not a directory; choose another --out")
    entries = [e for e in out.iterdir()] if out.is_dir() else []
    manifest_path = out / store.MANIFEST
    if entries and not resume:
        raise SweepError(str(out), "directory exists and is not empty; use --resume to continue the sweep in it, "
                                   "or choose another --out")
    if not manifest_path.is_file():
        ours = set(store.SETUP_FILES) | {store.RUNS}
        foreign = [e.name for e in entries if e.name not in ours and not e.name.startswith(".")]
        has_results = bool(store.batch_files(out))
        if foreign or has_results:
            raise SweepError(str(out), f"directory is not empty and holds no {store.MANIFEST}, so it is not an "
                                       "ics_abm sweep folder; choose another --out")
        return _set_up(out, design, command)  # nothing, or an interrupted set-up: start afresh
    try:
        manifest = store.read_json(manifest_path)
    except (OSError, ValueError) as exc:
        raise SweepError(str(manifest_path), f"could not be read ({type(exc).__name__})") from None
    if manifest.get("kind") != "ics_abm sweep":
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


def _done_batches(out: Path, design: Design) -> set[int]:
    """Batches whose file is complete; files that are not are deleted (they will be redone)."""
    spec, done = design.spec, set()
    remove_dead_temporaries(out / store.RUNS)
    for batch, path in store.batch_files(out).items():
        if batch < design.n_batches and store.batch_is_complete(
            path, batch, design.batch_run_ids(batch), spec.steps, design.digest, __version__
        ):
            done.add(batch)
        else:
            path.unlink(missing_ok=True)
    return done


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
        Bad sweep file, an unusable ``out``, or a batch that kept failing (one sentence).
    ics_abm.ScenarioError
        An invalid base scenario.

    Examples
    --------
    >>> import ics_abm
    >>> done = ics_abm.sweep("sweeps/example.toml", "results/example", workers=2)  # doctest: +SKIP
    >>> table = ics_abm.load("results/example")                                     # doctest: +SKIP
    """
    started = time.perf_counter()
    spec = sweep_file if isinstance(sweep_file, SweepSpec) else read_sweep(sweep_file)
    design = build_design(spec)
    out = Path(os.path.abspath(out if out is not None else default_out(spec.name)))
    manifest = _open_folder(out, design, resume, command)
    done = _done_batches(out, design)
    todo = [b for b in range(design.n_batches) if b not in done]
    runs_done = sum(len(design.batch_run_ids(b)) for b in done)
    last_write = [0.0]

    def record(status: str, engine: str | None = None, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - last_write[0] < _MANIFEST_EVERY:
            return
        last_write[0] = now
        manifest["progress"] = {"status": status, "batches_done": len(done), "batches": design.n_batches,
                                "runs_done": runs_done, "runs": design.n_runs, "updated_utc": now_utc(),
                                **({"engine": engine} if engine else {})}
        store.write_json(out / store.MANIFEST, manifest)

    with open_engine(workers, scheduler, executor) as engine, \
            progress_bar("runs", design.n_runs, show=progress, done=runs_done, rate=True) as bar:
        record("running", engine.describe, force=True)

        def on_done(summary: BatchSummary) -> None:
            nonlocal runs_done
            if summary.ics_abm_version != __version__:
                store.batch_path(out, summary.batch).unlink(missing_ok=True)
                raise SweepError(str(out), f"worker {summary.worker} runs ics_abm {summary.ics_abm_version} but this "
                                           f"is {__version__}; install the same version on every worker")
            done.add(summary.batch)
            runs_done += summary.runs
            bar.advance(summary.runs)
            record("running", engine.describe)

        try:
            _execute(engine, out, design, todo, on_done, max_attempts)
        except BaseException as exc:
            record("interrupted" if isinstance(exc, KeyboardInterrupt) else "failed", engine.describe, force=True)
            raise
        engine_name = engine.describe

    missing = [b for b in range(design.n_batches) if not store.batch_is_complete(
        store.batch_path(out, b), b, design.batch_run_ids(b), spec.steps, design.digest, __version__)]
    if missing:
        record("failed", engine_name, force=True)
        raise SweepError(str(out), f"{len(missing)} of {design.n_batches} result files are missing or incomplete "
                                   f"after the sweep (first: batch {missing[0]}); if the workers are on other "
                                   "machines, --out must be on a filesystem they share; run again with --resume")
    wall = time.perf_counter() - started
    manifest["finished_utc"] = now_utc()
    manifest["wall_time_s"] = wall
    record("complete", engine_name, force=True)
    return SweepResult(out=out, design=design, runs=design.n_runs, computed=sum(
        len(design.batch_run_ids(b)) for b in todo), batches=design.n_batches, wall_time_s=wall, engine=engine_name)
