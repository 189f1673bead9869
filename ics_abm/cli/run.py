"""``ics-abm run SCENARIO [--seed N] [--steps N] [--out DIR] [--force] [--parallel] [--figure]``.

Runs one scenario and writes its results directory (:mod:`ics_abm.output.results`), then prints a
short summary of the final month. ``figure.png`` is drawn only with ``--figure``: importing
matplotlib and seaborn and drawing it took 2.3 s, longer than the rest of a default run together
(benchmarks/RESULTS.md, 2026-12-06); ``--no-figure``, the default since then, is still accepted.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, check_out_option, number, progress
from ics_abm.limits import ALLOW_LARGE_ENV, MAX_SEED, MAX_STEPS, allowing_large, describe_size, whole_number
from ics_abm.output.directory import safe_name

__all__ = ["run_command"]

#: Runs longer than this many months always get a progress bar, terminal or not.
PROGRESS_MIN_STEPS = 240
#: Runs estimated to take longer than this (s) say how big they are before they start.
ANNOUNCE_SECONDS = 60.0

_SCENARIO_HELP = "A scenario file (TOML) or the name of a shipped scenario (ics-abm scenarios), e.g. default."
_SEED_HELP = "Random seed, a whole number from 0 to 2**64 - 1 (default: the scenario's seed)."
_STEPS_HELP = "Months to simulate, 1 to 100000 (default: the scenario's steps)."
_LARGE_HELP = ("Allow a run bigger than a laptop's memory (the estimate is shown first); the same as "
               f"{ALLOW_LARGE_ENV}=1.")
_PARALLEL_HELP = ("Kept for scripts: the parallel kernel is used automatically where the system is large enough "
                  "to gain from it, with or without this flag (same results).")
_FIGURE_HELP = ("Also draw figure.png (matplotlib and seaborn: adds about 2-3 s). Without it every other file is "
                "written; --no-figure (the default) is accepted for scripts.")
_OUT_HELP = "Results directory (default: results/<scenario name>-seed<seed>)."


def _default_out(name: str, seed: int) -> Path:
    return Path("results") / f"{safe_name(name)}-seed{seed}"


def _command(scenario: Path, seed: int, steps: int, out: Path, force: bool, parallel: bool, figure: bool = False) -> list[str]:
    """The command line that reproduces the run, with every value resolved."""
    argv = ["ics-abm", "run", str(scenario), "--seed", str(seed), "--steps", str(steps), "--out", str(out)]
    return argv + ["--force"] * force + ["--parallel"] * parallel + ["--figure"] * figure


def _summary(out: Path, result, wall: float, figure: bool) -> str:
    last = result.system.iloc[-1]
    meta = result.metadata
    return (
        f"Results written to {out}" + ("" if figure else " (no figure.png: add --figure to draw one)") + "\n"
        f"Month {int(last['step'])} of scenario '{meta['scenario']}' (seed {meta['seed']}): "
        f"mean trust {number(last['mean_trust'])}, collaboration rate {number(last['collaboration_rate'])}, "
        f"{int(last['n_deficit'])} of {meta['organisations']} organisations in deficit.\n"
        f"Wall time {wall:.1f} s."
    )


def _announce(scenario, steps: int) -> None:
    """Say how big a long run is before it starts (on standard error)."""
    from ics_abm.limits import run_estimate
    from ics_abm.scenario.loading import expected_arcs, organisation_counts

    organisations = sum(organisation_counts(scenario).values())
    memory, seconds = run_estimate(organisations, steps, expected_arcs(scenario))
    if seconds > ANNOUNCE_SECONDS:
        typer.echo(f"A run of {organisations:,} organisations for {steps:,} months: {describe_size(memory, seconds)} "
                   "(estimated).", err=True)


def run_command(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help=_SCENARIO_HELP, show_default=False)],
    seed: Annotated[int | None, typer.Option(metavar="N", help=_SEED_HELP)] = None,
    steps: Annotated[int | None, typer.Option(metavar="N", help=_STEPS_HELP)] = None,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing results directory.")] = False,
    parallel: Annotated[bool, typer.Option("--parallel", help=_PARALLEL_HELP)] = False,
    allow_large: Annotated[bool, typer.Option("--allow-large", help=_LARGE_HELP)] = False,
    figure: Annotated[bool, typer.Option("--figure/--no-figure", help=_FIGURE_HELP)] = False,
) -> None:
    """Run a scenario and write its results (tables, manifest; figure.png with --figure) to a directory."""
    with bad_input_is_an_error(), allowing_large(allow_large):
        # Checked here (not by typer) so that the message is one line, like every other error.
        if seed is not None:
            whole_number(seed, "--seed", 0, MAX_SEED)
        if steps is not None:
            whole_number(steps, "--steps", 1, MAX_STEPS)
        check_out_option(out)
        from ics_abm.output.results import check_out_dir, write_results
        from ics_abm.run import checked_arguments, run
        from ics_abm.scenario.loading import read_scenario

        loaded, text = read_scenario(scenario)  # the text recorded is the text that was run
        loaded, seed, steps = checked_arguments(loaded, seed, steps, source=str(scenario))
        out = _default_out(loaded.scenario.name, seed) if out is None else out
        check_out_dir(out, force)  # fail before the run, not after it
        _announce(loaded, steps)
        started = datetime.datetime.now(datetime.UTC)
        clock = time.perf_counter()
        with progress("months", steps, show=steps > PROGRESS_MIN_STEPS or sys.stderr.isatty()) as update:
            result = run(loaded, seed, steps, parallel=parallel or None, progress=update)
        write_results(
            result,
            out,
            scenario_path=scenario,
            scenario_text=text,
            command=_command(scenario, seed, steps, out, force, parallel, figure),
            force=force,
            started=started,
            figure=figure,
        )
    typer.echo(_summary(out, result, time.perf_counter() - clock, figure))
