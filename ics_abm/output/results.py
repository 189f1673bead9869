"""A run's results directory: its tables, scenario copy, manifest and (on request) figure.

A run's results go into one directory::

    system.parquet  system.csv  trust_by_kind.parquet  trust_by_kind.csv
    organisations.parquet  organisations.csv  scenario.toml  manifest.json
    figure.png  (with figure=True, ``ics-abm run --figure``)

The manifest's ``figures`` entry names the figure, or says how to draw it when it was not drawn.

The directory is written atomically (:func:`ics_abm.output.directory.write_directory`): it either
does not exist, or is the previous complete directory, or is the new complete one; a crash or
Ctrl-C never leaves a half-written results directory, and a replaced directory (with
``force=True``) is removed only after its successor is in place.

``manifest.json`` says what made the results (package and library versions, scenario text and
hash, resolved parameters, seed, command, timing) and holds the SHA-256 and size of every other
file. Each parquet file carries the reproducible part of the manifest as schema metadata under the
key ``b"ics_abm"``, so a parquet file on its own says what made it (:mod:`ics_abm.output.manifest`).

:data:`MANIFEST`, :class:`ResultsError`, :func:`check_out_dir`, :func:`write_directory` and
:func:`read_manifest` are re-exported from the modules that define them, for callers of this one.
"""

from __future__ import annotations

import datetime
import os
import platform
import shlex
from collections.abc import Sequence
from pathlib import Path

from ics_abm._version import __version__
from ics_abm.output.directory import MANIFEST, ResultsError, check_out_dir, write_directory
from ics_abm.output.files import PARQUET_METADATA_KEY, save_png, write_table, write_text
from ics_abm.output.manifest import finish_manifest, provenance, read_manifest, versions
from ics_abm.run import RunResult
from ics_abm.scenario.loading import scenario_hash

__all__ = [
    "MANIFEST",
    "PARQUET_METADATA_KEY",
    "FIGURE_ON_REQUEST",
    "TABLES",
    "ResultsError",
    "check_out_dir",
    "read_manifest",
    "write_directory",
    "write_results",
]

#: The tables of a :class:`~ics_abm.run.RunResult`, each written as parquet and CSV.
TABLES = ("system", "trust_by_kind", "organisations")


def _write_figure(result: RunResult, path: Path) -> None:
    from ics_abm.output.figures import DPI, plot_run  # seaborn is imported only when a figure is made

    save_png(plot_run(result), path, DPI)


#: The manifest's ``figures`` entry of a directory written without its figure.
FIGURE_ON_REQUEST = ("figure.png was not drawn (it takes matplotlib about 2-3 s): add --figure to the command, or "
                     "from Python write_results(..., figure=True) or ics_abm.output.figures.plot_run(result)")


def _manifest(result: RunResult, scenario_path, scenario_text: str, command, started, figure: bool) -> dict:
    meta = result.metadata
    wall = meta.get("wall_time_s")
    if started is None:  # the run started wall_time_s before now
        started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=wall or 0.0)
    return {
        "ics_abm_version": __version__,
        "command": command if isinstance(command, str) else shlex.join(str(c) for c in command),
        "scenario": meta.get("scenario"),
        "scenario_path": os.fspath(scenario_path),
        "scenario_sha256": scenario_hash(scenario_text),
        "scenario_text": scenario_text,
        "parameters": meta.get("parameters"),
        "seed": meta.get("seed"),
        "steps": meta.get("steps"),
        "organisations": meta.get("organisations"),
        "relationships": meta.get("relationships"),
        "versions": versions(),
        "platform": platform.platform(),
        "started_utc": started.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "wall_time_s": wall,
        "figures": ["figure.png"] if figure else FIGURE_ON_REQUEST,
    }


def _fill(directory: Path, result: RunResult, manifest: dict, scenario_text: str, figure: bool = True) -> None:
    """Write every file into ``directory``, the manifest (with the files' hashes) last."""
    reproducible = provenance(manifest)
    for name in TABLES:
        write_table(getattr(result, name), directory, name, reproducible)
    write_text(directory / "scenario.toml", scenario_text)
    if figure:
        _write_figure(result, directory / "figure.png")
    finish_manifest(directory, manifest)


def write_results(
    result: RunResult,
    out_dir: str | os.PathLike,
    *,
    scenario_path: str | os.PathLike,
    scenario_text: str,
    command: str | Sequence[str],
    force: bool = False,
    started: datetime.datetime | None = None,
    figure: bool = True,
) -> Path:
    """Write a run's results to ``out_dir``, atomically.

    Parameters
    ----------
    result : RunResult
        The run (:func:`ics_abm.run`).
    out_dir : str or os.PathLike
        The results directory; its parent is created if needed.
    scenario_path : str or os.PathLike
        The scenario file, recorded as given.
    scenario_text : str
        The scenario file's text, copied verbatim to ``scenario.toml`` and hashed.
    command : str or sequence of str
        The command line that made the results (a sequence is shell-quoted).
    force : bool
        Replace an existing results directory (only once the new one is complete).
    started : datetime.datetime, optional
        When the run started (default: ``wall_time_s`` before now); recorded in UTC.
    figure : bool
        Also draw ``figure.png`` (matplotlib and seaborn: about 2-3 s of a run's start-up and
        drawing; without it the directory has every other file).

    Returns
    -------
    pathlib.Path
        The results directory, absolute.

    Raises
    ------
    ResultsError
        If ``out_dir`` may not be written (see :func:`check_out_dir`) or its parent cannot be
        created.
    OSError
        If writing fails (disk full, ...); ``out_dir`` is then unchanged.
    """
    manifest = _manifest(result, scenario_path, scenario_text, command, started, figure)
    return write_directory(out_dir, lambda staged: _fill(staged, result, manifest, scenario_text, figure), force=force)
