"""End-to-end sweep: 10,000 runs x 120 months of the default scenario, Parquet output included (issue 4).

The sweep is built with the sweep runner's own pieces (:mod:`ics_abm.experiments.sweeps`: the design and its
seeds, ``BatchTask``s of ``--batch-size`` runs, the same Parquet file per task written atomically
where it is computed, the same executors). Each task is computed by the batched kernel
(:func:`ics_abm.experiments.sweeps.batch.run_batch`, the function the sweep runner's workers run); the path
before the batched kernel, one ``run()`` per run (:func:`ics_abm.experiments.sweeps.batch.simulate_one_by_one`),
is timed too, on a subset, as the baseline).

Engines, each timed on the whole sweep:

* ``serial``: in this process, one core (the sweep runner's ``workers=1``);
* ``threads``: in this process, the batched kernel's ``prange`` over runs (parallel=True);
* ``pool``: a process pool of 2 spawned workers (the runner's ``workers=2``), serial kernel each;
* ``dask``: a Dask ``LocalCluster`` of 2 worker processes x 1 thread, through ``Client.get_executor``.

Pool and Dask workers are started and warmed up (imports, numba cache loaded) before the clock
starts; their start-up time is printed separately. Runs per second and parallel efficiency
(rate with 2 workers / (2 x serial rate)) are printed, and every engine's result files are checked
to hold identical tables.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 10000] [--months 120] [--engines serial,threads,pool,dask]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import types
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import cpu_seconds, describe, load
from ics_abm.experiments.sweeps import (
    build_design,
    spec_from_dict,
    store,
)
from ics_abm.experiments.sweeps.batch import BatchTask, batch_table, run_batch, simulate_one_by_one


def _tasks(design, out: Path) -> list[BatchTask]:
    spec = design.spec
    return [
        BatchTask(batch=b, path=os.fspath(store.batch_path(out, b)), base=spec.base, steps=spec.steps, root_seed=spec.root_seed,
                  runs=tuple(design.run(r) for r in design.batch_run_ids(b)),
                  parameters=tuple((p, spec.kinds[p]) for p in spec.parameters),
                  provenance={"sweep": spec.name, "design_sha256": design.digest})
        for b in range(design.n_batches)
    ]


def _warm_up(_: int = 0) -> int:
    """Import ics_abm and load the compiled kernels (from numba's cache) in a worker."""
    from ics_abm import load_scenario
    from ics_abm.experiments.batch import advance_batch

    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    advance_batch(scenario, [0, 1], 2, parallel=False)
    time.sleep(0.5)  # so that every worker of a pool gets one of the warm-up calls
    return os.getpid()


def _run_tasks(executor: cf.Executor, function, tasks, in_flight: int) -> int:
    """Submit the tasks keeping ``in_flight`` of them queued, as the sweep runner does; rows written."""
    rows, pending, futures = 0, list(reversed(tasks)), set()
    while pending or futures:
        while pending and len(futures) < in_flight:
            futures.add(executor.submit(function, pending.pop()))
        done, futures = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        rows += sum(future.result().rows for future in done)
    return rows


def _threads_task(task):
    return run_batch(task, parallel=True)


def _baseline_task(task):
    """The path before the batched kernel: one ``run()`` per run, the same Parquet file."""
    table = batch_table(task, simulate_one_by_one(task.base, task.runs, task.steps))
    store.write_parquet(table, Path(task.path), task.provenance)
    return types.SimpleNamespace(rows=table.num_rows)


class _Inline(cf.Executor):
    def submit(self, fn, /, *args, **kwargs):
        future = cf.Future()
        future.set_result(fn(*args, **kwargs))
        return future


def run_engine(name: str, design, out: Path, workers: int) -> dict:
    tasks = _tasks(design, out)
    (out / store.RUNS).mkdir(parents=True, exist_ok=True)
    setup = 0.0
    started = time.perf_counter()
    if name in ("serial", "threads", "baseline"):
        _warm_up()
        function = {"serial": run_batch, "threads": _threads_task, "baseline": _baseline_task}[name]
        setup = time.perf_counter() - started
        cpu0, started = cpu_seconds(), time.perf_counter()
        rows = _run_tasks(_Inline(), function, tasks, 1)
        wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu0
    elif name == "pool":
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_warm_up, range(workers)))
            setup = time.perf_counter() - started
            started = time.perf_counter()
            rows = _run_tasks(pool, run_batch, tasks, 2 * workers)
            wall, cpu = time.perf_counter() - started, float("nan")
    elif name == "dask":
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          host="127.0.0.1") as cluster, Client(cluster) as client:
            client.run(_warm_up)
            setup = time.perf_counter() - started
            started = time.perf_counter()
            rows = _run_tasks(client.get_executor(pure=False), run_batch, tasks, 2 * workers + 2)
            wall, cpu = time.perf_counter() - started, float("nan")
    else:
        raise ValueError(f"unknown engine {name!r}")
    files = sorted((out / store.RUNS).glob("*.parquet"))
    return {"engine": name, "runs": design.n_runs, "rows": rows, "wall_s": wall, "setup_s": setup, "cpu_s": cpu,
            "rate": design.n_runs / wall, "bytes": sum(f.stat().st_size for f in files), "files": files}


def _same_tables(a: list[Path], b: list[Path]) -> bool:
    return len(a) == len(b) and all(pq.read_table(x).equals(pq.read_table(y)) for x, y in zip(a, b))


def _design(runs: int, months: int, batch_size: int):
    return build_design(spec_from_dict({
        "sweep": {"name": "bench", "scenario": str(ROOT / "scenarios" / "default.toml"), "steps": months,
                  "replicates": runs, "root_seed": 20261123, "batch_size": batch_size},
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="serial,threads,pool,dask")
    parser.add_argument("--baseline-runs", type=int, default=250, help="runs of the run()-per-run baseline (0: skip)")
    parser.add_argument("--keep", type=Path, help="keep the result folders under this directory")
    args = parser.parse_args()
    print(describe())
    design = _design(args.runs, args.months, args.batch_size)
    print(f"sweep: default scenario, {design.n_runs} runs x {args.months} months, {design.n_batches} tasks of "
          f"{args.batch_size} runs, one Parquet file per task")
    root = Path(tempfile.mkdtemp(prefix="ics-bench-", dir=args.keep))
    results = []
    try:
        if args.baseline_runs:
            small = _design(args.baseline_runs, args.months, args.batch_size)
            base = run_engine("baseline", small, root / "baseline", 1)
            print(f"baseline: the sweep's own task (one run() per run), serial: {base['rate']:.1f} runs/s "
                  f"({small.n_runs} runs in {base['wall_s']:.1f} s); load average {load()}")
        for name in args.engines.split(","):
            result = run_engine(name, design, root / name, args.workers)
            results.append(result)
            extra = f", {result['cpu_s'] / result['wall_s']:.2f} cores busy" if result["cpu_s"] == result["cpu_s"] else ""
            print(f"{name:8s} {result['wall_s']:7.1f} s  {result['rate']:7.0f} runs/s  (start-up and warm-up "
                  f"{result['setup_s']:.1f} s before the clock{extra}; {result['rows']:,} rows, "
                  f"{result['bytes'] / 2**20:.1f} MiB Parquet); load average {load()}", flush=True)
        by_name = {r["engine"]: r for r in results}
        if "serial" in by_name:
            serial = by_name["serial"]["rate"]
            for name in ("threads", "pool", "dask"):
                if name in by_name:
                    rate = by_name[name]["rate"]
                    print(f"{name}: {rate / serial:.2f}x serial, parallel efficiency {rate / (args.workers * serial):.0%} "
                          f"(target >= 80%)")
            if args.baseline_runs:
                print(f"batched kernel vs the sweep's run()-per-run task, serial: {serial / base['rate']:.1f}x")
        best = min(results, key=lambda r: r["wall_s"])
        print(f"fastest: {best['engine']} {best['wall_s']:.1f} s for {design.n_runs} runs (target < 60 s: "
              f"{'met' if best['wall_s'] < 60 else 'not met'})")
        first = results[0]["files"]
        same = all(_same_tables(first, r["files"]) for r in results[1:])
        print(f"result tables identical across engines: {same}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
