"""The sweep runner as users call it: ``ics_abm.sweep(...)`` end to end, on each engine.

Run with ``.venv/bin/python benchmarks/bench_sweep_runner.py [--runs N]``. The same sweep
(``--runs`` replicates of the default scenario, 120 months each, one Parquet file per batch) is
timed through the public API on three engines in one invocation, so the ratios are measured side
by side:

* serial: in this process (``workers=1``);
* process pool: 2 spawned worker processes (``workers=2``);
* Dask: a ``LocalCluster`` of 2 worker processes, one thread each, on the loopback interface.

Each parallel engine is timed *cold* (what ``ics-abm sweep`` costs, worker start-up included:
starting Python, importing ics_abm, loading or compiling the numba kernels) and *warm* (workers
started beforehand: the steady state of a long sweep). A further row runs the same number of
bare ``ics_abm.run`` calls split over the 2 warm pool processes (no design, tasks or Parquet): the
most two processes do on this machine, against which the engines' own overhead shows. Serial is
timed first and last and the faster is the reference. The files of every engine are checked to be
identical, bit for bit.

The machine is shared: other programs' load lowers the parallel figures. The load average is
printed, and so is the CPU time per run of each engine (this process and its live workers), which
shows an engine's own overhead whatever else runs.

``benchmarks/bench_sweep.py`` times the same sweep machinery with each task computed by the
batched kernel (issue 4, part 6); this script times what ``ics_abm.sweep`` does today.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ics_abm  # noqa: E402
from benchmarks._machine import describe  # noqa: E402
from ics_abm.experiments.sweeps.store import batch_files  # noqa: E402

TARGET_RUNS, TARGET_SECONDS = 10_000, 60.0


def _sweep_file(folder: Path, runs: int) -> Path:
    path = folder / "bench.toml"
    scenario = (ROOT / "scenarios" / "default.toml").as_posix()
    path.write_text(f'[sweep]\nname = "bench"\nscenario = "{scenario}"\nsteps = 120\nreplicates = {runs}\n'
                    "root_seed = 1\n", encoding="utf-8")
    return path


def _warm_up(_: int = 0) -> int:
    """Import and compile in a worker (the same work as a run's first month)."""
    from ics_abm import load_scenario, run

    run(load_scenario(ROOT / "scenarios" / "default.toml"), seed=0, steps=1)
    time.sleep(0.5)  # hold this worker so that the next warm-up task goes to the other one
    return os.getpid()


def _bare_runs(count: int, first_seed: int) -> int:
    """``count`` runs of the default scenario with ics_abm.run and nothing else."""
    from ics_abm import load_scenario, run

    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    for seed in range(first_seed, first_seed + count):
        run(scenario, seed=seed, steps=120)
    return count


def _tree_cpu() -> float:
    """CPU seconds (user + system) used so far by this process and its live descendants."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _digest(out: Path) -> str:
    digest = hashlib.sha256()
    for path in batch_files(out).values():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _timed(label: str, sweep_path: Path, work: Path, cpu: bool = True, **engine) -> dict:
    out = work / label.replace(" ", "_")
    before = _tree_cpu()
    started = time.perf_counter()
    result = ics_abm.sweep(sweep_path, out, progress=False, **engine)
    wall = time.perf_counter() - started
    cpu_ms = (_tree_cpu() - before) / result.runs * 1e3 if cpu else None
    return {"label": label, "wall": wall, "runs": result.runs, "rate": result.runs / wall, "digest": _digest(out),
            "cpu_ms": cpu_ms}


def _measure(runs: int, work: Path) -> list[dict]:
    sweep_path = _sweep_file(work, runs)
    _warm_up()  # this process: compile before timing the serial engine
    rows = [_timed("serial", sweep_path, work)]
    # Cold: the pool's workers start inside the timing and are gone by its end, so no CPU figure.
    rows.append(_timed("process pool 2 cold", sweep_path, work, cpu=False, workers=2))
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_warm_up, range(2)))
        rows.append(_timed("process pool 2 warm", sweep_path, work, executor=pool))
        before, started = _tree_cpu(), time.perf_counter()
        list(pool.map(_bare_runs, [runs // 2, runs - runs // 2], [0, runs // 2]))
        wall = time.perf_counter() - started
        bare = {"label": "2 processes, bare runs", "wall": wall, "runs": runs, "rate": runs / wall, "digest": None,
                "cpu_ms": (_tree_cpu() - before) / runs * 1e3}

    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.run(_warm_up)
        start_up = time.perf_counter() - started
        warm = _timed("dask 2 warm", sweep_path, work, executor=client.get_executor(pure=False))
    rows.append({**warm, "label": "dask 2 cold", "wall": warm["wall"] + start_up,
                 "rate": warm["runs"] / (warm["wall"] + start_up), "cpu_ms": None})
    rows += [warm, bare]
    again = _timed("serial again", sweep_path, work)
    if again["wall"] < rows[0]["wall"]:  # the faster serial timing is the reference
        rows[0], again = {**again, "label": "serial"}, {**rows[0], "label": "serial again"}
    return [*rows, again]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs in the sweep (default 1000)")
    args = parser.parse_args()
    print(describe())
    work = Path(tempfile.mkdtemp(prefix="bench_sweep_runner_"))
    try:
        design = ics_abm.experiments.sweeps.build_design(ics_abm.experiments.sweeps.read_sweep(_sweep_file(work, args.runs)))
        print(f"sweep: {args.runs} runs of the default scenario x 120 months through ics_abm.sweep, "
              f"{design.n_batches} batches of {design.batch_size} runs, Parquet output")
        rows = _measure(args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    serial = rows[0]
    assert all(r["digest"] in (serial["digest"], None) for r in rows), "engines wrote different files"
    print(f"{'engine':24s} {'wall s':>8s} {'runs/s':>8s} {'speed-up':>9s} {'efficiency':>10s} {'CPU ms/run':>10s}")
    for row in rows:
        speedup = row["rate"] / serial["rate"]
        efficiency = "" if row["label"].startswith("serial") else f"{speedup / 2:.0%}"
        cpu = "" if row["cpu_ms"] is None else f"{row['cpu_ms']:.1f}"
        print(f"{row['label']:24s} {row['wall']:8.2f} {row['rate']:8.1f} {speedup:8.2f}x {efficiency:>10s} {cpu:>10s}")
    best = max(r["rate"] for r in rows if r["digest"] is not None)  # sweeps only, not the bare runs
    print(f"all engines wrote identical files (sha256 {serial['digest'][:16]}...); "
          f"load average now {os.getloadavg()[0]:.2f}")
    print(f"{TARGET_RUNS} runs at the best sweep rate measured ({best:.1f} runs/s): {TARGET_RUNS / best:.0f} s "
          f"(target < {TARGET_SECONDS:.0f} s: {'met' if TARGET_RUNS / best < TARGET_SECONDS else 'NOT met'})")


if __name__ == "__main__":
    main()
