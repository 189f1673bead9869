"""``ics-abm compare BASE OPTION... [--replicates N] [--steps N] [--seed S] [--out DIR]``.

Runs every option on the same seeds (:func:`ics_abm.experiments.comparison.run.run_comparison`),
writes the comparison's directory and prints each option's paired difference from the base.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, number, progress
from ics_abm.output.directory import safe_name

__all__ = ["compare_command"]

#: Comparisons of more run-months than this always get a progress bar, terminal or not.
PROGRESS_MIN_MONTHS = 50_000

_SCENARIOS_HELP = "The base scenario file, then one or more option files (TOML)."
_REPLICATES_HELP = "Runs per option, a whole number >= 2; replicate r of every option uses the same seed."
_STEPS_HELP = "Months per run, >= 1 (default: the base scenario's steps, for every option)."
_SEED_HELP = "Root seed, a whole number >= 0; the replicates' seeds are spawned from it."
_OUT_HELP = "Output directory (default: results/compare-<base>-seed<seed>)."
_OUTCOME_HELP = "Metric to compare (repeat, or separate by commas; default: the main outcomes)."


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _fmt(value: float) -> str:
    large = value is not None and abs(value) >= 1000
    return number(value, "+,.0f" if large else "+.3g")  # no exponents for £m


def _report(out: Path, comparison) -> str:
    summary = comparison.summary
    rows = summary[(summary["measure"] == "final") & (summary["option"] != comparison.base.label)]
    width = max(len(o.label) for o in comparison.options)
    lines = [
        f"Results written to {out}",
        f"Difference from '{comparison.base.label}' at month {comparison.steps} "
        f"(mean of {len(comparison.seeds)} paired replicates, 95% t interval):",
    ]
    order = {o.label: i for i, o in enumerate(comparison.options)}
    for row in sorted(rows.itertuples(), key=lambda r: order[r.option]):  # grouped by option
        lines.append(
            f"  {row.option:<{width}}  {row.outcome:<22} {_fmt(row.difference)} "
            f"({_fmt(row.difference_low)} to {_fmt(row.difference_high)})"
        )
    lines.append(f"Wall time {comparison.wall_time_s:.1f} s.")
    return "\n".join(lines)


def _default_out(base: Path, seed: int) -> Path:
    return Path("results") / f"compare-{safe_name(base.stem)}-seed{seed}"


def compare_command(
    scenarios: Annotated[
        list[Path] | None, typer.Argument(metavar="BASE OPTION...", help=_SCENARIOS_HELP, show_default=False)
    ] = None,
    replicates: Annotated[int, typer.Option(metavar="N", help=_REPLICATES_HELP)] = 30,
    steps: Annotated[int | None, typer.Option(metavar="N", help=_STEPS_HELP, show_default=False)] = None,
    seed: Annotated[int, typer.Option(metavar="S", help=_SEED_HELP)] = 0,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
    outcome: Annotated[list[str] | None, typer.Option(metavar="METRIC", help=_OUTCOME_HELP, show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output directory.")] = False,
) -> None:
    """Compare policy options with a base scenario on the same seeds: tables, figures, manifest."""
    with bad_input_is_an_error():
        files = list(scenarios or [])
        if len(files) < 2:
            raise ValueError(f"expected a base scenario file and at least one option file, got {len(files)} file(s)")
        # Checked before anything is loaded or run, so that a typo costs nothing.
        if replicates < 2:
            raise ValueError(f"--replicates must be a whole number >= 2 (an interval needs two), got {replicates}")
        if steps is not None and steps < 1:
            raise ValueError(f"--steps must be a whole number >= 1, got {steps}")
        if seed < 0:
            raise ValueError(f"--seed must be a whole number >= 0, got {seed}")
        from ics_abm.experiments.comparison.output import write_comparison
        from ics_abm.experiments.comparison.run import check_outcomes, run_comparison
        from ics_abm.output.directory import check_out_dir
        from ics_abm.scenario.loading import load_scenario

        outcomes = check_outcomes(_split(outcome))
        base_steps = load_scenario(files[0]).scenario.steps  # also reports a bad base file first
        out = _default_out(files[0], seed) if out is None else out
        check_out_dir(out, force)  # fail before the runs, not after them
        steps_used = base_steps if steps is None else steps
        command = ["ics-abm", "compare", *map(str, files), "--replicates", str(replicates), "--steps",
                   str(steps_used), "--seed", str(seed), "--out", str(out)]
        command += [a for m in _split(outcome) for a in ("--outcome", m)] + ["--force"] * force
        runs = replicates * len(files)
        with progress("runs", runs, show=runs * steps_used > PROGRESS_MIN_MONTHS or sys.stderr.isatty()) as update:
            comparison = run_comparison(files[0], files[1:], replicates=replicates, steps=steps_used,
                                        seed=seed, outcomes=outcomes, progress=update)
        write_comparison(comparison, out, command=command, force=force)
    typer.echo(_report(out, comparison))
