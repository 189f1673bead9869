"""Scalar outcomes of runs: the mean of a metric over the last months of each run.

Sensitivity analyses and EMA Workbench need one number per run. ics_abm's is the mean of a
metric of :data:`ics_abm.metrics.METRICS` over the last ``last`` months (``last=1``: the final
month; the default 12 smooths month-to-month noise over the final year).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ics_abm.experiments.sweeps.errors import SweepError

__all__ = ["final_mean", "run_outcomes", "point_outcomes"]


def check_metric(source: str, metric: str, last: int, steps: int) -> None:
    """Raise a SweepError unless ``metric`` is a metric and ``1 <= last <= steps``."""
    from ics_abm.metrics import METRICS

    if metric not in METRICS:
        import difflib

        close = difflib.get_close_matches(metric, METRICS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SweepError(source, f"metric {metric!r} is not a metric{hint}; expected one of {', '.join(METRICS)}")
    if not 1 <= last <= steps:
        raise SweepError(source, f"--last must be a whole number of months from 1 to {steps} (the run length), "
                                 f"got {last}")


def final_mean(system: pd.DataFrame, metric: str, last: int = 12) -> float:
    """Mean of ``metric`` over the last ``last`` months of one run's system table.

    Parameters
    ----------
    system : pandas.DataFrame
        One run: ``step`` and the metrics (:attr:`ics_abm.RunResult.system`).
    metric : str
    last : int
        Months, >= 1.

    Returns
    -------
    float
        NaN if the metric is undefined in all of those months.
    """
    tail = system.loc[system["step"] > system["step"].max() - last, metric]
    return float(tail.mean()) if tail.notna().any() else float("nan")


def run_outcomes(out: str | os.PathLike, metric: str, last: int = 12) -> pd.DataFrame:
    """One row per run of a finished sweep: ids, parameters and the outcome ``value``.

    Only the last ``last`` months of the one metric are read from disk.

    Returns
    -------
    pandas.DataFrame
        The columns of ``design.parquet`` (run_id, point_id, policy_id, sample_id, replicate, seeds,
        batch, parameters) and ``value``, sorted by run_id.
    """
    from ics_abm.experiments.sweeps.load import load, read_design, read_manifest

    manifest = read_manifest(out)
    steps = int(manifest["design"]["steps"])
    check_metric(os.fspath(out), metric, last, steps)
    rows = load(out, columns=[metric], filters=[("step", ">", steps - last)])
    values = rows.groupby("run_id", sort=True)[metric].mean()  # NaN months skipped; all-NaN -> NaN
    design = read_design(out)
    design["value"] = values.reindex(design["run_id"]).to_numpy(np.float64)
    return design


def point_outcomes(out: str | os.PathLike, metric: str, last: int = 12) -> pd.DataFrame:
    """One row per design point: ``point_id, policy_id, sample_id``, the parameters and ``value``,
    the mean over the point's replicates of :func:`run_outcomes`."""
    runs = run_outcomes(out, metric, last)
    keys = ["point_id", "policy_id", "sample_id"]
    parameters = [c for c in runs.columns if c not in {*keys, "run_id", "replicate", "root_seed", "spawn_key",
                                                        "seed", "batch", "value"}]
    first = runs.groupby("point_id", sort=True)[["policy_id", "sample_id", *parameters]].first()
    first["value"] = runs.groupby("point_id", sort=True)["value"].mean()
    first["replicates"] = runs.groupby("point_id", sort=True)["value"].size()
    return first.reset_index()
