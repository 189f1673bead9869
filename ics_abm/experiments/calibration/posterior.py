"""The calibrated posterior: load it (shipped, or from a calibration folder) and draw parameter sets.

The package ships the result of one documented calibration run (docs/calibration.md) as
``ics_abm/data/calibration/posterior-default.parquet`` with its provenance in
``posterior-default.json``. :func:`posterior` returns it as a tidy table, one row per accepted
parameter set; :func:`draw_parameters` resamples it by weight, the same draws for the same seed,
whoever calls it (so every option of a comparison and every worker of a sweep sees the same
parameter sets).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from ics_abm.experiments.calibration.config import CalibrationError

__all__ = ["SHIPPED", "draw_parameters", "parameter_columns", "posterior"]

#: Stem of the shipped posterior's files in ``ics_abm/data/calibration``.
SHIPPED = "posterior-default"
#: Columns of :func:`posterior` that are not parameters.
_BOOKKEEPING = ("draw", "weight", "distance")


def _shipped() -> tuple[pd.DataFrame, dict]:
    from importlib.resources import files

    folder = files("ics_abm") / "data" / "calibration"
    with (folder / f"{SHIPPED}.parquet").open("rb") as handle:
        frame = pd.read_parquet(handle)
    provenance = json.loads((folder / f"{SHIPPED}.json").read_text(encoding="utf-8"))
    return frame, provenance


def _from_folder(out: Path) -> tuple[pd.DataFrame, dict]:
    from ics_abm.experiments.calibration.smc import load_calibration

    table = load_calibration(out)
    last = table[table["generation"] == table["generation"].max()]
    frame = last.drop(columns=["generation", "particle"]).reset_index(drop=True)
    config = (out / "config.toml").read_text(encoding="utf-8") if (out / "config.toml").exists() else ""
    settings = tomllib.loads(config).get("calibration", {}) if config else {}
    summary = out / "summary.json"
    provenance = {"source": os.fspath(out), "config": config, "config_name": settings.get("name"),
                  "root_seed": settings.get("root_seed"), "generation": int(last["generation"].iloc[0]),
                  "complete": (out / "posterior.parquet").exists(),
                  **(json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {})}
    return frame, provenance


def posterior(source: str | os.PathLike | None = None) -> pd.DataFrame:
    """The accepted parameter sets of a calibration, as a tidy table.

    Parameters
    ----------
    source : path, optional
        A folder written by ``ics-abm calibrate`` (its last finished generation is used); by
        default the posterior shipped with the package.

    Returns
    -------
    pandas.DataFrame
        One row per accepted parameter set: ``draw`` (0, 1, ...), ``weight`` (importance weight,
        summing to 1), ``distance`` (to the patterns, 0 inside every target range) and one column
        per calibrated parameter, named by its dotted scenario path (``trust.gain_rate``).
        ``frame.attrs["provenance"]`` holds the config, root seed, package version and acceptance
        figures of the run that made it.

    Raises
    ------
    CalibrationError
        If ``source`` holds no finished generation.
    """
    frame, provenance = _shipped() if source is None else _from_folder(Path(source))
    frame = frame.drop(columns=[c for c in ("draw",) if c in frame.columns])
    frame.insert(0, "draw", np.arange(len(frame), dtype=np.int64))
    weights = frame["weight"].to_numpy(dtype=np.float64)
    frame["weight"] = weights / weights.sum()
    frame.attrs["provenance"] = provenance
    return frame


def parameter_columns(frame: pd.DataFrame) -> list[str]:
    """The parameter columns of a :func:`posterior` table (dotted scenario paths), in order."""
    return [c for c in frame.columns if c not in _BOOKKEEPING]


def draw_parameters(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets resampled from a posterior by weight.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :func:`posterior` table.
    n : int
        Number of draws, >= 1.
    seed : int
        Seed of the resampling (>= 0). The same ``frame`` and ``seed`` give the same draws, and the
        first ``k`` of ``n`` draws are the ``k`` draws of ``n = k``.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows: ``sample`` (0..n-1), ``draw`` (the row of ``frame`` drawn) and the parameters.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise CalibrationError("<posterior>", f"the number of posterior draws expected a whole number >= 1, got {n!r}")
    weights = frame["weight"].to_numpy(dtype=np.float64)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0x9057,)))
    # Inverse-CDF on one uniform per draw: draw k does not depend on how many follow it.
    cdf = np.cumsum(weights / weights.sum())
    rows = np.minimum(np.searchsorted(cdf, rng.random(int(n)), side="right"), len(frame) - 1)
    chosen = frame.iloc[rows][["draw", *parameter_columns(frame)]].reset_index(drop=True)
    chosen.insert(0, "sample", np.arange(int(n), dtype=np.int64))
    return chosen
