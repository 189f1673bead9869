"""``ics-abm compare BASE OPTION... [--replicates N] [--steps N] [--seed S] [--out DIR]``.

Registered on the ``ics-abm`` application by :mod:`ics_abm.cli.app`. Bad input is reported as one
sentence with exit code 2, like every other command.
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["compare_command"]

#: Comparisons of more run-months than this always get a progress bar, terminal or not.
PROGRESS_MIN_MONTHS = 50_000

_SCENARIOS_HELP = "The base scenario file, then one or more option files (TOML)."
_REPLICATES_HELP = "Runs per option, a whole number >= 2; replicate r of every option uses the same seed."
_STEPS_HELP = "Months per run, >= 1 (default: the base scenario's steps, for every option)."
_SEED_HELP = "Root seed, a whole number >= 0; the replicates' seeds are spawned from it."
_OUT_HELP = "Output directory (default: results/compare-<base>-seed<seed>)."
_OUTCOME_HELP = "Metric to compare (repeat, or separate by commas; default: the main outcomes)."


@contextlib.contextmanager
def _progress(total_runs: int, steps: int) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar over runs on standard error, for terminals and long comparisons."""
    from ics_abm.cli.app import progress_bar

    with progress_bar("runs", total_runs, show=total_runs * steps > PROGRESS_MIN_MONTHS or sys.stderr.isatty()) as update:
        yield update


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _fmt(value: float) -> str:
    if value is None or math.isnan(value):
        return "undefined"
    return f"{value:+,.0f}" if abs(value) >= 1000 else f"{value:+.3g}"  # no exponents for £m


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
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", base.stem).strip("._") or "scenario"
    return Path("results") / f"compare-{safe}-seed{seed}"


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
    from ics_abm.cli.app import _bad_input_is_an_error  # here, not at import: cli imports this module

    with _bad_input_is_an_error():
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
        from ics_abm.experiments.comparison.run import check_outcomes, run_comparison
        from ics_abm.experiments.comparison.output import write_comparison
        from ics_abm.output.results import check_out_dir
        from ics_abm.scenario.loading import load_scenario

        outcomes = check_outcomes(_split(outcome))
        base_steps = load_scenario(files[0]).scenario.steps  # also reports a bad base file first
        out = _default_out(files[0], seed) if out is None else out
        check_out_dir(out, force)  # fail before the runs, not after them
        steps_used = base_steps if steps is None else steps
        command = ["ics-abm", "compare", *map(str, files), "--replicates", str(replicates), "--steps",
                   str(steps_used), "--seed", str(seed), "--out", str(out)]
        command += [a for m in _split(outcome) for a in ("--outcome", m)] + ["--force"] * force
        with _progress(replicates * len(files), steps_used) as progress:
            comparison = run_comparison(files[0], files[1:], replicates=replicates, steps=steps_used,
                                        seed=seed, outcomes=outcomes, progress=progress)
        write_comparison(comparison, out, command=command, force=force)
    typer.echo(_report(out, comparison))
