"""``ics-abm calibrate CONFIG.toml [--workers N] [--scheduler ADDR|local] [--out DIR] [--resume]``.

Runs a pattern-oriented ABC-SMC calibration (:func:`ics_abm.experiments.calibration.calibrate`).
Ctrl-C or a kill keeps every finished generation; ``--resume`` continues with the next.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, check_out_option, fail

__all__ = ["calibrate_command"]

_CONFIG_HELP = "A calibration config (TOML) or the name of a shipped one: ci (a smoke test), small (the shipped result in CI time) or default (the shipped posterior)."
_SCHEDULER_HELP = "Run on Dask: a scheduler's address (tcp://host:8786), or 'local' for a LocalCluster of --workers."


@contextlib.contextmanager
def _engine(workers: int, scheduler: str | None):
    from ics_abm.experiments.sweeps.executors import check_engine, open_engine

    if scheduler == "local":
        from distributed import LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with open_engine(scheduler=cluster.scheduler_address) as engine:
                yield engine
        return
    check_engine(workers, scheduler)
    with open_engine(workers=workers, scheduler=scheduler) as engine:
        yield engine


def calibrate_command(
    config_file: Annotated[Path, typer.Argument(metavar="CONFIG.toml", help=_CONFIG_HELP, show_default=False)],
    workers: Annotated[int, typer.Option(metavar="N", help="Local worker processes (1: in this process).")] = 1,
    scheduler: Annotated[str | None, typer.Option(metavar="ADDRESS", help=_SCHEDULER_HELP)] = None,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help="Output folder (default: results/calibrate-<name>).",
                                             show_default=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the calibration in --out after its last finished "
                                                          "generation.")] = False,
) -> None:
    """Calibrate the [A] parameters against the evidence's patterns (ABC-SMC with pyabc)."""
    with bad_input_is_an_error():
        from ics_abm.experiments.calibration.config import read_config

        check_out_option(out)
        config = read_config(config_file)
        try:
            import pyabc  # noqa: F401
        except ImportError:
            raise fail("ics-abm calibrate needs pyabc: pip install \"ics_abm[calibrate]\".") from None
        from ics_abm.experiments.calibration.smc import calibrate
        from ics_abm.output.directory import safe_name

        out = Path("results") / f"calibrate-{safe_name(config.settings.name)}" if out is None else out
        start, cpu = time.perf_counter(), time.process_time()
        with _engine(workers, scheduler) as engine:
            result = calibrate(config, out, engine.executor, resume=resume)
    typer.echo(f"Calibration '{config.settings.name}' in {out}: {result.generations} generations, "
               + (f"({result.resumed_from} already done), " if result.resumed_from else "")
               + f"{result.evaluations} evaluations now, {time.perf_counter() - start:.1f} s wall, "
               f"{time.process_time() - cpu:.1f} s CPU in this process.")
    typer.echo(f"Load with: ics_abm.experiments.calibration.load_calibration({str(out)!r})")
