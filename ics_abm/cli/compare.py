"""``ics-abm compare BASE OPTION... [--replicates N] [--steps N] [--seed S] [--posterior N [--posterior-source DIR]] [--out DIR] [--figures] [--report]``.

Runs every option on the same seeds (:func:`ics_abm.experiments.comparison.run.compare`), writes
the comparison's directory (with ``--figures``, its two figures; with ``--report``, the policy
briefing and the figures it shows) and prints the verdict on each option against the base, one
sentence per outcome. The figures are drawn only on request: matplotlib, seaborn and two
figures took about 3 s of CPU, more than the 60 runs and the statistics of 2 options x 30
replicates together (benchmarks/RESULTS.md, 2026-12-06 afternoon).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, progress
from ics_abm.output.directory import safe_name

__all__ = ["compare_command"]

#: Comparisons of more run-months than this always get a progress bar, terminal or not.
PROGRESS_MIN_MONTHS = 50_000

_SCENARIOS_HELP = "The base scenario, then one or more options: files (TOML) or shipped scenario names."
_REPLICATES_HELP = "Runs per option, a whole number >= 2; replicate r of every option uses the same seed."
_STEPS_HELP = "Months per run, >= 1 (default: the base scenario's steps, for every option)."
_SEED_HELP = "Root seed, a whole number >= 0; the replicates' seeds are spawned from it."
_OUT_HELP = "Output directory (default: results/compare-<base>-seed<seed>)."
_OUTCOME_HELP = "Metric to compare (repeat, or separate by commas; default: the domain's outcomes)."
_DOMAIN_HELP = "The policy question, which chooses the default outcomes: regulation, finance or governance."
_REPORT_HELP = "Also write the policy briefing: briefing.html (self-contained) and briefing.md, with the figures."
_POSTERIOR_HELP = ("Also draw each run's parameters from the calibrated posterior: N draws (>= 2) x --replicates seeds, "
                   "the same draws and seeds for every option; parameters the options set differently keep their values.")
_SOURCE_HELP = "The posterior to draw from: a folder written by ics-abm calibrate (default: the shipped posterior)."
_FIGURES_HELP = "Also draw trajectories.png and final_outcomes.png (matplotlib and seaborn: adds about 3 s)."


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _report(out: Path, comparison, briefing: bool, figures: bool = False) -> str:
    from ics_abm.experiments.comparison.wording import judgements, verdict

    base = comparison.base.label
    written = " (briefing.html, briefing.md, figures)" if briefing else " (figures)" if figures else \
        " (no figures: add --figures or --report to draw them)"
    lines = [f"Results written to {out}{written}"]
    if comparison.draws is None:
        lines.append(f"Against '{base}', {len(comparison.seeds)} paired runs per option over {comparison.steps} months "
                     "(mean difference, 95% bootstrap interval):")
    else:
        draws = comparison.draws
        lines.append(f"Against '{base}', {draws.n} parameter draws from the posterior of calibration "
                     f"'{draws.provenance.get('config_name') or draws.source}' x {len(comparison.seeds)} seeds = "
                     f"{comparison.runs_per_option} paired runs per option over {comparison.steps} months (mean "
                     "difference, 95% bootstrap interval over draws and seeds); the draws set "
                     f"{', '.join(draws.parameters) or 'no parameter'}"
                     + (f"; levers kept at each option's value: {', '.join(draws.kept)}" if draws.kept else "") + ":")
    for option in comparison.labels[1:]:
        judged = judgements(comparison, option, base)
        lines.append(verdict(option, base, judged))
        lines += [f"  - {j.sentence}" for j in judged]
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
    domain: Annotated[str | None, typer.Option(metavar="DOMAIN", help=_DOMAIN_HELP, show_default=False)] = None,
    report: Annotated[bool, typer.Option("--report", help=_REPORT_HELP)] = False,
    figures: Annotated[bool, typer.Option("--figures", help=_FIGURES_HELP)] = False,
    posterior: Annotated[int | None, typer.Option(metavar="N", help=_POSTERIOR_HELP, show_default=False)] = None,
    posterior_source: Annotated[Path | None, typer.Option(metavar="DIR", help=_SOURCE_HELP, show_default=False)]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output directory.")] = False,
) -> None:
    """Compare policy options with a base scenario on the same seeds: verdicts, tables; figures and briefing on request."""
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
        if posterior is not None and posterior < 2:
            raise ValueError(f"--posterior must be a whole number of parameter draws >= 2 (an interval over draws "
                             f"needs two), got {posterior}")
        if posterior is None and posterior_source is not None:
            raise ValueError(f"--posterior-source was given ({posterior_source}) without --posterior; expected "
                             "--posterior N as well")
        from ics_abm.experiments.comparison.outcomes import check_outcomes
        from ics_abm.experiments.comparison.output import write_comparison
        from ics_abm.experiments.comparison.run import Option, check_same_system, compare
        from ics_abm.output.directory import check_out_dir
        from ics_abm.scenario.loading import load_scenario

        outcomes = check_outcomes(_split(outcome), domain)
        loaded = [load_scenario(f) for f in files]  # reports a bad file, the base first
        check_same_system([Option(f.stem, s) for f, s in zip(files, loaded)])  # before any run
        base_steps = loaded[0].scenario.steps
        out = _default_out(files[0], seed) if out is None else out
        check_out_dir(out, force)  # fail before the runs, not after them
        if posterior is not None:  # a bad posterior fails before the runs too
            from ics_abm.experiments.sweeps.posterior import PosteriorProblem, load_posterior

            try:
                load_posterior(posterior_source, "--posterior-source")
            except PosteriorProblem as exc:
                where = posterior_source if posterior_source is not None else "ics-abm compare"
                raise ValueError(f"{where}: {exc}") from None
        steps_used = base_steps if steps is None else steps
        command = ["ics-abm", "compare", *map(str, files), "--replicates", str(replicates), "--steps",
                   str(steps_used), "--seed", str(seed), "--out", str(out)]
        command += [a for m in _split(outcome) for a in ("--outcome", m)] + (["--domain", domain] if domain else [])
        command += ["--posterior", str(posterior)] * (posterior is not None)
        command += ["--posterior-source", str(posterior_source)] * (posterior_source is not None)
        command += ["--figures"] * figures + ["--report"] * report + ["--force"] * force
        runs = replicates * len(files) * (posterior or 1)
        with progress("runs", runs, show=runs * steps_used > PROGRESS_MIN_MONTHS or sys.stderr.isatty()) as update:
            comparison = compare(files[0], files[1:], replicates=replicates, steps=steps_used, seed=seed,
                                 outcomes=outcomes, domain=domain, progress=update, posterior=posterior,
                                 posterior_source=posterior_source)
        write_comparison(comparison, out, command=command, force=force, report=report, figures=figures)
    typer.echo(_report(out, comparison, report, figures))
