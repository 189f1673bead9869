"""A comparison's directory: tables, figures, scenario copies and manifest, written atomically.

Layout::

    outcomes.parquet  outcomes.csv          one row per option, replicate and outcome
    summary.parquet   summary.csv           means, paired differences from the base, 95% t intervals
    trajectories.parquet  trajectories.csv  one row per option, replicate and month, every metric
    trajectories.png  final_outcomes.png    the figures (ics_abm.experiments.comparison.figures)
    scenarios/<i>-<label>.toml              each option's file, verbatim (0 is the base)
    manifest.json                           scenarios (text + SHA-256), seeds, steps, versions, files
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from ics_abm.experiments.comparison.run import WINDOW, Comparison
from ics_abm.experiments.paired import CONFIDENCE
from ics_abm.output.directory import safe_name, write_directory
from ics_abm.output.files import save_png, write_table, write_text
from ics_abm.output.manifest import environment, finish_manifest, now_utc, provenance
from ics_abm.scenario.loading import scenario_hash, scenario_to_dict

__all__ = ["write_comparison", "INTERVAL_METHOD"]

#: How the intervals are computed, as recorded in the manifest.
INTERVAL_METHOD = (
    f"{CONFIDENCE:.0%} Student t interval over replicates; differences are paired by replicate "
    "(option minus base on the same seed)"
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


def _manifest(comparison: Comparison, command, started: str | None) -> dict:
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
        "measures": {"final": "value at the final month", "last_12_mean": f"mean over the last {WINDOW} months"},
        "interval": INTERVAL_METHOD,
        "started_utc": started or now_utc(),
        "wall_time_s": comparison.wall_time_s,
    }


def write_comparison(
    comparison: Comparison,
    out_dir: str | os.PathLike,
    *,
    command: str | Sequence[str] = "",
    force: bool = False,
    started: str | None = None,
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

    Returns
    -------
    pathlib.Path
        The directory, absolute.
    """
    from ics_abm.experiments.comparison.figures import plot_final_outcomes, plot_trajectories
    from ics_abm.output.figures import DPI

    manifest = _manifest(comparison, command, started)
    reproducible = provenance(manifest)

    def fill(directory: Path) -> None:
        write_table(comparison.table, directory, "outcomes", reproducible)
        write_table(comparison.summary, directory, "summary", reproducible)
        write_table(comparison.trajectories, directory, "trajectories", reproducible)
        for number, option in enumerate(comparison.options):  # numbered: base first, names cannot clash
            if option.text is not None:
                write_text(directory / "scenarios" / f"{number}-{safe_name(option.label)}.toml", option.text)
        save_png(plot_trajectories(comparison), directory / "trajectories.png", DPI)
        save_png(plot_final_outcomes(comparison), directory / "final_outcomes.png", DPI)
        finish_manifest(directory, manifest)

    return write_directory(out_dir, fill, force=force)
