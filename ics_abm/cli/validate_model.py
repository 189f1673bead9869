"""``ics-abm validate-model [--seeds N] [--seed S] [--out DIR] [--only SF1,SF4] [--docs DIR] [--posterior N]``.

Runs the stylized facts, writes the report directory and prints one line per fact. With
``--posterior N`` it also runs every fact under N parameter sets drawn from the calibrated
posterior (:mod:`ics_abm.experiments.validation.posterior_facts`) and reports each fact's pass
share; the exit code still follows the verdicts at the defaults. Exit code 0 if
every verdict is the expected one (every fact passes, except known discrepancies, which fail and
are reported as such), 1 if a fact fails unexpectedly or a known discrepancy no longer shows, 2 on
bad input (one sentence, no traceback).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, number, progress

__all__ = ["validate_model_command"]

_SEEDS_HELP = "Seeds per arm (the same seeds in both arms and for every fact), a whole number >= 30."
_SEED_HELP = "Root seed of the seeds, a whole number >= 0."
_OUT_HELP = "Report directory (default: results/validation-seed<seed>)."
_ONLY_HELP = "Comma-separated ids of the facts to run, e.g. SF1,SF4 (default: all)."
_ROBUST_HELP = ("Also measure every lever's effect and the one-at-a-time sensitivity of every assumption "
                "(+-20%), and report them (default: on when all facts run, off with --only).")
_POSTERIOR_HELP = ("Also run every fact under N parameter sets drawn from the calibrated posterior (each on its own "
                   "seeds) and report each fact's pass share.")
_POSTERIOR_FROM_HELP = "Draw from the posterior of this ics-abm calibrate folder (default: the one shipped with ics_abm)."
_WORKERS_HELP = "Worker processes for the posterior draws (1: in this process); results do not depend on it."
_DOCS_HELP = "Also install the report as DIR/validation.md with figures in DIR/img/validation/ (e.g. docs)."


def _fmt(value: float) -> str:
    return number(value, "+.3g")


def _posterior(source: Path | None):
    """The posterior to draw from, loaded before any run (a bad folder costs nothing)."""
    from ics_abm.experiments.calibration.posterior import posterior

    return posterior(source)


def _robust(frame, draws: int, seeds: int, seed: int, ids, workers: int, source: Path | None):
    from ics_abm.experiments.sweeps.executors import check_engine, open_engine
    from ics_abm.experiments.validation.posterior_facts import robust_facts

    check_engine(workers, None)
    provenance = frame.attrs.get("provenance", {})
    note = (f"calibration '{provenance.get('config_name', '?')}' (root seed {provenance.get('root_seed', '?')}, "
            f"{len(frame)} accepted parameter sets), " + ("the posterior shipped with ics_abm" if source is None
                                                           else f"from {source}") + f"; draws resampled with root seed {seed}")
    with open_engine(workers=workers) as engine, progress("posterior draws", draws, show=None) as update:
        table = robust_facts(frame, draws, seeds=seeds, seed=seed, only=ids, executor=engine.executor,
                             progress=None if update is None else (lambda done, total: update(done, total)))
    return table, note


def validate_model_command(
    seeds: Annotated[int, typer.Option(metavar="N", help=_SEEDS_HELP)] = 30,
    seed: Annotated[int, typer.Option(metavar="S", help=_SEED_HELP)] = 0,
    out: Annotated[Path | None, typer.Option(metavar="DIR", help=_OUT_HELP, show_default=False)] = None,
    only: Annotated[str | None, typer.Option(metavar="IDS", help=_ONLY_HELP, show_default=False)] = None,
    docs: Annotated[Path | None, typer.Option(metavar="DIR", help=_DOCS_HELP, show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report directory.")] = False,
    robustness: Annotated[bool | None, typer.Option("--robustness/--no-robustness", help=_ROBUST_HELP, show_default=False)] = None,
    posterior: Annotated[int | None, typer.Option(metavar="N", help=_POSTERIOR_HELP, show_default=False)] = None,
    posterior_from: Annotated[Path | None, typer.Option(metavar="DIR", help=_POSTERIOR_FROM_HELP,
                                                        show_default=False)] = None,
    workers: Annotated[int, typer.Option(metavar="N", help=_WORKERS_HELP)] = 1,
) -> None:
    """Test the model against the stylized facts and write the validation report."""
    with bad_input_is_an_error():
        from ics_abm.experiments.validation.facts import FACTS
        from ics_abm.experiments.validation.report import install_report, write_validation
        from ics_abm.experiments.validation.runner import MIN_SEEDS, select, validate
        from ics_abm.output.directory import check_out_dir

        if seeds < MIN_SEEDS:
            raise ValueError(f"--seeds must be a whole number >= {MIN_SEEDS} per arm, got {seeds}")
        if seed < 0:
            raise ValueError(f"--seed must be a whole number >= 0, got {seed}")
        ids = None if only is None else [i.strip() for i in only.split(",") if i.strip()]
        if ids is not None and not ids:
            raise ValueError(f"--only expected comma-separated fact ids such as SF1,SF4, got {only!r}")
        chosen = select(FACTS, ids)
        if docs is not None and not docs.is_dir():
            raise ValueError(f"--docs expected an existing directory, got {str(docs)!r}")
        if posterior is not None and posterior < 1:
            raise ValueError(f"--posterior must be a whole number of draws >= 1, got {posterior}")
        if posterior is None and posterior_from is not None:
            raise ValueError("--posterior-from needs --posterior N (how many draws), got no --posterior")
        drawn_from = _posterior(posterior_from) if posterior is not None else None
        out = Path("results") / f"validation-seed{seed}" if out is None else out
        check_out_dir(out, force)  # fail before the runs, not after them
        command = ["ics-abm", "validate-model", "--seeds", str(seeds), "--seed", str(seed), "--out", str(out)]
        command += (["--only", ",".join(ids)] if ids else []) + (["--docs", str(docs)] if docs else [])
        command += ["--force"] * force
        if posterior is not None:
            command += ["--posterior", str(posterior), "--workers", str(workers)]
            command += ["--posterior-from", str(posterior_from)] if posterior_from is not None else []
        robustness = ids is None if robustness is None else robustness
        command += [] if robustness == (ids is None) else ["--robustness" if robustness else "--no-robustness"]
        with progress("facts", len(chosen), show=None) as update:  # a bar on a terminal only
            results = validate(chosen, seeds=seeds, seed=seed, progress=update)
        levers = sensitivity = None
        if robustness:
            from ics_abm.experiments.validation.robustness import lever_effects
            from ics_abm.experiments.validation.robustness import sensitivity as one_at_a_time

            levers = lever_effects(results[0].seeds)
            sensitivity = one_at_a_time(results[0].seeds)
        robust, note = None, ""
        if drawn_from is not None:
            robust, note = _robust(drawn_from, posterior, seeds, seed, ids, workers, posterior_from)
        write_validation(results, out, command=shlex.join(command), force=force, levers=levers, sensitivity=sensitivity,
                         robust=robust, robust_note=note)
        if docs is not None:
            install_report(out, docs)
    width = max(len(r.fact.id) for r in results)
    for r in results:
        d = r.difference
        typer.echo(f"{'pass' if r.passed else ('FAIL*' if r.fact.discrepancy else 'FAIL')}  {r.fact.id:<{width}}  B − A {_fmt(d.mean)} "
                   f"(95% CI {_fmt(d.low)} to {_fmt(d.high)}), effect size {_fmt(d.effect_size)}  {r.fact.title}")
    if robust is not None:
        from ics_abm.experiments.validation.posterior_facts import pass_shares

        for row in pass_shares(robust).itertuples(index=False):
            typer.echo(f"posterior  {row.id:<{width}}  passes in {row.passed} of {row.draws} draws ({row.share:.0%}, "
                       f"95% CI {row.low:.0%} to {row.high:.0%})")
    failed = sum(not r.passed for r in results)
    unexpected = [r.fact.id for r in results if r.passed == bool(r.fact.discrepancy)]
    known = failed - sum(not r.passed and not r.fact.discrepancy for r in results)
    note = f" ({known} known discrepanc{'y' if known == 1 else 'ies'}, see the report)" if known else ""
    typer.echo(f"{len(results) - failed} of {len(results)} facts pass{note}. Report written to {out / 'validation.md'}")
    if unexpected:
        # A failure that is not a known discrepancy, or a known discrepancy that no longer shows.
        typer.echo(f"Unexpected verdicts: {', '.join(unexpected)}", err=True)
        raise typer.Exit(1)
