"""A comparison's directory: tables, figures, scenario copies and manifest, written atomically.

Layout (every table long: one row per option, ..., outcome and measure)::

    outcomes.parquet  outcomes.csv          option, replicate, seed, outcome, measure, value
    summary.parquet   summary.csv           per option: mean and paired contrast with the base, 95% bootstrap intervals
    contrasts.parquet contrasts.csv         every option against every other option
    trajectories.parquet  trajectories.csv  option, replicate, seed, step, outcome, value (every metric)
    trajectories.png  final_outcomes.png    the figures (ics_abm.experiments.comparison.figures), with figures=True
                                            (ics-abm compare --figures or --report)
    briefing.html  briefing.md              the policy briefing, with report=True (--report)
    scenarios/<i>-<label>.toml              each option's file, verbatim (0 is the base)
    manifest.json                           scenarios (text + SHA-256), seeds, steps, versions, files; its
                                            ``figures`` entry names the figures or says how to draw them

With parameter draws (``compare --posterior N``) ``outcomes`` and ``trajectories`` have a ``draw``
column after ``option``, and two more tables are written::

    uncertainty.parquet uncertainty.csv     per option against the base: mean difference, two-way bootstrap interval,
                                            parametric and stochastic spread, P(option beats the base)
    draws.parquet     draws.csv             draw, posterior_draw and the value of every parameter the draws set

and the manifest's ``posterior`` entry records the posterior's source and provenance (calibration
config, its root seed), the draws' seed and rows, the parameters drawn and the levers kept.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from ics_abm.experiments.comparison.outcomes import WINDOW
from ics_abm.experiments.comparison.run import Comparison
from ics_abm.experiments.comparison.statistics import BOOTSTRAP_SEED, CONFIDENCE, RESAMPLES
from ics_abm.output.directory import safe_name, write_bytes, write_directory
from ics_abm.output.files import write_table, write_text
from ics_abm.output.manifest import environment, finish_manifest, now_utc, provenance
from ics_abm.scenario.loading import scenario_hash, scenario_to_dict

__all__ = ["write_comparison", "FIGURES_ON_REQUEST", "INTERVAL_METHOD"]

#: The manifest's ``figures`` entry of a directory written without its figures.
FIGURES_ON_REQUEST = ("trajectories.png and final_outcomes.png were not drawn (they take matplotlib and seaborn about "
                      "3 s): add --figures (or --report, which embeds them in the briefing) to the command, or from "
                      "Python write_comparison(..., figures=True) or Comparison.report(out_dir)")

#: How the intervals are computed, as recorded in the manifest.
INTERVAL_METHOD = (
    f"{CONFIDENCE:.0%} percentile bootstrap interval of the mean over replicates (scipy.stats.bootstrap, "
    f"{RESAMPLES} resamples, generator seed {BOOTSTRAP_SEED}); differences are paired by replicate (option minus "
    "reference on the same seed), with counts of pairs higher/lower/same, probability of superiority, effect size "
    "mean/sd and the exact sign test"
)


def _option_record(option) -> dict:
    parameters = scenario_to_dict(option.scenario)
    if option.text is not None:
        digest = scenario_hash(option.text)
    else:  # given as an object: hash its canonical parameters instead of a file's text
        digest = scenario_hash(json.dumps(parameters, sort_keys=True))
    return {
        "label": option.label,
        "scenario": option.scenario.scenario.name,
        "path": option.path,
        "scenario_sha256": digest,
        "scenario_text": option.text,
        "parameters": parameters,
    }


#: How the intervals are computed with parameter draws (``compare --posterior``).
CLUSTER_INTERVAL_METHOD = (
    f"{CONFIDENCE:.0%} two-way (pigeonhole) percentile bootstrap interval over parameter draws and seeds (draws and "
    f"seeds resampled independently, as every draw runs on the same seeds; {RESAMPLES} resamples, generator seed "
    f"{BOOTSTRAP_SEED}); runs are paired by draw and "
    "seed (option minus reference with the same parameters and seed); counts, superiority, effect size and the sign "
    "test pool every pair; uncertainty.csv separates the parametric spread (sd across draws of the per-draw mean "
    "difference) from the stochastic (pooled within-draw sd) and gives P(beats), the share of draws whose mean "
    "difference is favourable"
)


def _manifest(comparison: Comparison, command, started: str | None, figures: list[str] | None) -> dict:
    manifest = _plain_manifest(comparison, command, started, figures)
    if comparison.draws is not None:
        manifest["interval"] = CLUSTER_INTERVAL_METHOD
        manifest["posterior"] = comparison.draws.record()
    return manifest


def _plain_manifest(comparison: Comparison, command, started: str | None, figures: list[str] | None) -> dict:
    return {
        **environment(),
        "kind": "comparison",
        "command": command if isinstance(command, str) else shlex.join(str(c) for c in command),
        "base": comparison.base.label,
        "options": [_option_record(o) for o in comparison.options],
        "seed": comparison.seed,
        "seeds": list(comparison.seeds),
        "replicates": len(comparison.seeds),
        "steps": comparison.steps,
        "outcomes": list(comparison.outcomes),
        "domain": comparison.domain,
        "measures": {"final": "value at the final month", "last_12_mean": f"mean over the last {WINDOW} months",
                     "total": "sum over every month (flows only)"},
        "interval": INTERVAL_METHOD,
        "started_utc": started or now_utc(),
        "wall_time_s": comparison.wall_time_s,
        "figures": figures if figures is not None else FIGURES_ON_REQUEST,
    }


def write_comparison(
    comparison: Comparison,
    out_dir: str | os.PathLike,
    *,
    command: str | Sequence[str] = "",
    force: bool = False,
    started: str | None = None,
    report: bool = False,
    figures: bool = True,
) -> Path:
    """Write a comparison's tables, figures, scenario copies and manifest to ``out_dir``, atomically.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ics_abm.experiments.comparison.run.run_comparison`.
    out_dir : str or os.PathLike
        The directory to create.
    command : str or sequence of str
        The command line that made it (recorded).
    force : bool
        Replace an existing results directory, only once the new one is complete.
    started : str, optional
        Start time (ISO 8601, UTC) to record; default now.
    report : bool
        Also write the policy briefing (``briefing.html``, ``briefing.md``); it shows the figures,
        so they are drawn with it whatever ``figures`` says.
    figures : bool
        Draw ``trajectories.png`` and ``final_outcomes.png`` (matplotlib and seaborn: about 3 s
        for two options, longer than the rest of a 30-replicate comparison; ``ics-abm compare``
        draws them only with ``--figures`` or ``--report``).

    Returns
    -------
    pathlib.Path
        The directory, absolute.
    """
    from ics_abm.experiments.comparison.briefing import FIGURES, figure_pngs, write_briefing

    drawn = figures or report
    manifest = _manifest(comparison, command, started, list(FIGURES) if drawn else None)
    reproducible = provenance(manifest)

    def fill(directory: Path) -> None:
        write_table(comparison.table, directory, "outcomes", reproducible)
        write_table(comparison.summary, directory, "summary", reproducible)
        write_table(comparison.contrasts, directory, "contrasts", reproducible)
        write_table(comparison.trajectories, directory, "trajectories", reproducible)
        if comparison.uncertainty is not None and comparison.draws is not None:
            write_table(comparison.uncertainty, directory, "uncertainty", reproducible)
            write_table(comparison.draws.table, directory, "draws", reproducible)
        for number, option in enumerate(comparison.options):  # numbered: base first, names cannot clash
            if option.text is not None:
                write_text(directory / "scenarios" / f"{number}-{safe_name(option.label)}.toml", option.text)
        pngs = figure_pngs(comparison) if drawn else {}
        for name, png in pngs.items():
            write_bytes(directory / name, png)
        if report:
            write_briefing(comparison, directory, pngs)
        finish_manifest(directory, manifest)

    return write_directory(out_dir, fill, force=force)
