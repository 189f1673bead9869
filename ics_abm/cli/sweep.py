"""``ics-abm sweep SWEEP.toml [--workers N | --scheduler ADDRESS] [--out DIR] [--resume] [--dry-run]``.

Runs a parameter sweep (:func:`ics_abm.sweep`) and says where its results are. Ctrl-C keeps the
runs finished so far and prints the command that continues the sweep (exit code 130).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, check_out_option, fail
from ics_abm.limits import ALLOW_LARGE_ENV, allowing_large, describe_size, run_estimate

__all__ = ["sweep_command"]

_SWEEP_HELP = "A sweep file (TOML) or the name of a shipped example (ics-abm scenarios), e.g. example."
_WORKERS_HELP = "Local worker processes (1: run in this process)."
_SCHEDULER_HELP = "Run on a Dask cluster: address of its scheduler, e.g. tcp://10.0.0.5:8786."
_OUT_HELP = "Results folder (default: results/sweep-<name>); with Dask, on a filesystem the workers share."
_RESUME_HELP = "Continue the sweep in --out: keep complete result files, run the missing ones."
_LARGE_HELP = f"Allow a sweep bigger than a laptop can do (the estimate is shown first); the same as {ALLOW_LARGE_ENV}=1."


#: Sweeps estimated to take longer than this (s) say how big they are before they start.
ANNOUNCE_SECONDS = 60.0


def _estimate(design, workers: int) -> tuple[str, float]:
    """The size of the whole sweep (time on ``workers`` processes, memory of one run), and its seconds."""
    from ics_abm.experiments.sweeps.design import largest_system

    memory, seconds = run_estimate(largest_system(design.spec), design.spec.steps)
    total = seconds * design.n_runs / max(1, workers)
    return f"Estimated: {describe_size(memory, total)} per worker ({workers} worker{'s' * (workers != 1)}).", total


def _describe(design) -> str:
    spec = design.spec
    parts = [f"{len(design.policies)} polic{'y' if len(design.policies) == 1 else 'ies'}"]
    if spec.design == "posterior":
        parts.append(f"{len(design.sample)} parameter draws (posterior)")
    elif spec.design is not None:
        parts.append(f"{len(design.sample)} samples ({spec.design})")
    parts.append(f"{spec.replicates} replicate{'s' * (spec.replicates != 1)}")
    return (f"Sweep '{spec.name}' ({spec.path}): {' x '.join(parts)} = {design.n_runs} runs of {spec.steps} months, "
            f"in {design.n_batches} batches of up to {design.batch_size} runs.")


def sweep_command(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP.toml", help=_SWEEP_HELP, show_default=False)],
    workers: Annotated[int, typer.Option(metavar="N", help=_WORKERS_HELP)] = 1,
    scheduler: Annotated[str | None, typer.Option(metavar="ADDRESS", help=_SCHEDULER_HELP)] = None,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help=_RESUME_HELP)] = False,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
                                                  help="Show a progress bar (default: on a terminal).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the sweep file, show its size, run nothing.")]
    = False,
    allow_large: Annotated[bool, typer.Option("--allow-large", help=_LARGE_HELP)] = False,
) -> None:
    """Run a parameter sweep; results go to a Parquet dataset that ics_abm.load reads."""
    with bad_input_is_an_error(), allowing_large(allow_large):
        from ics_abm.experiments.sweeps.design import build_design
        from ics_abm.experiments.sweeps.executors import check_engine
        from ics_abm.experiments.sweeps.runner import default_out, sweep
        from ics_abm.experiments.sweeps.spec import read_sweep

        check_out_option(out)
        spec = read_sweep(sweep_file)
        design = build_design(spec)
        if dry_run:
            typer.echo(_describe(design))
            typer.echo(_estimate(design, max(1, workers))[0])
            typer.echo("Nothing was run (--dry-run).")
            return
        check_engine(workers, None if scheduler is None else scheduler)  # before any file is written
        estimate, seconds = _estimate(design, workers)
        if seconds > ANNOUNCE_SECONDS:
            typer.echo(estimate, err=True)
        out = default_out(spec.name) if out is None else out
        command = ["ics-abm", "sweep", str(sweep_file), "--out", str(out)]
        command += ["--workers", str(workers)] * (workers != 1) + ["--scheduler", scheduler] * bool(scheduler)
        try:
            result = sweep(spec, out, workers=workers, scheduler=scheduler, resume=resume, progress=progress,
                           command=command + ["--resume"] * resume)
        except KeyboardInterrupt:
            again = shlex.join([*command, "--resume"])
            raise fail(f"interrupted; the runs finished so far are kept in {out}; continue with: {again}",
                       code=130) from None
    already = result.runs - result.computed
    typer.echo(_describe(design))
    typer.echo(f"Results in {out}: {result.computed} runs computed now"
               + (f", {already} were already done" if already else "") + ".")
    if result.computed:
        typer.echo(f"Wall time {result.wall_time_s:.1f} s ({result.runs_per_second:.1f} runs/s, {result.engine}).")
    typer.echo(f"Load with: ics_abm.load({str(out)!r})")
