"""Global sensitivity analysis of a finished sweep with SALib: Sobol' indices and Morris screening.

The sweep must have sampled its uncertainties with ``design = "sobol"`` (Saltelli's scheme) or
``design = "morris"``. The outcome of a run is the mean of one metric over its last months
(:mod:`.outcomes`); replicates of a point share their seeds with every other point (common random
numbers) and are averaged before the analysis, so the indices describe the expected outcome.
Levers are not factors of the analysis: the indices are computed for each policy (combination of
lever options) separately, which shows whether what matters depends on the policy.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ics_abm.experiments.sweeps.errors import SweepError
from ics_abm.experiments.sweeps.outcomes import point_outcomes

__all__ = ["analyse", "INDICES"]

#: Index columns of the result, per method.
INDICES = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "sigma", "mu_star_conf"),
}


def analyse(
    out: str | os.PathLike,
    metric: str = "mean_trust",
    last: int = 12,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of a metric to each uncertainty, per policy.

    Parameters
    ----------
    out : str or os.PathLike
        A finished sweep with a ``sobol`` or ``morris`` design.
    metric : str
        A metric of :data:`ics_abm.metrics.METRICS`.
    last : int
        The outcome of a run is the mean of ``metric`` over its last ``last`` months.
    conf_level : float
        Level of the bootstrap confidence intervals (the ``*_conf`` columns are half-widths).
    num_resamples : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap (the same seed gives the same intervals).

    Returns
    -------
    pandas.DataFrame
        One row per policy and uncertainty: ``method, metric, last, policy_id``, the lever
        options of the policy, ``parameter``, and :data:`INDICES` of the method (Sobol': first-
        order and total indices, dimensionless shares of the outcome's variance; Morris: mean,
        mean absolute value and standard deviation of the elementary effects, i.e. of the change
        in the outcome per change of the parameter by its whole range, in the metric's units,
        with the confidence half-width of ``mu_star``).

    Raises
    ------
    SweepError
        If the sweep's design is not sobol or morris, the metric is unknown, or the outcome is
        undefined (NaN) for some point.
    """
    from ics_abm.experiments.sweeps.load import read_manifest

    source = os.fspath(out)
    manifest = read_manifest(out)
    design = manifest["design"]
    method = (design.get("uncertainties") or {}).get("design")
    if method not in INDICES:
        raise SweepError(source, f"the sweep's uncertainties have design {method!r}; sensitivity indices need "
                                 "design 'sobol' or 'morris' (for other designs see ics_abm.experiments.ema.results and EMA "
                                 "Workbench's feature scoring)")
    problem = design["salib_problem"]
    points = point_outcomes(out, metric, last)
    undefined = points["value"].isna()
    if undefined.any():
        raise SweepError(source, f"metric {metric!r} is undefined (NaN) over the last {last} months at "
                                 f"{int(undefined.sum())} of {len(points)} points; choose another metric or a "
                                 "longer --last")
    sample = pd.read_parquet(os.path.join(source, "sample.parquet")).sort_values("sample_id")
    x = sample[problem["names"]].to_numpy(np.float64)
    levers = list(design["levers"])
    rows = []
    for policy_id, group in points.groupby("policy_id", sort=True):
        y = group.sort_values("sample_id")["value"].to_numpy(np.float64)
        indices = _salib(method, problem, x, y, design, conf_level, num_resamples, seed)
        options = group.iloc[0][levers].to_dict() if levers else {}
        for i, name in enumerate(problem["names"]):
            rows.append({"method": method, "metric": metric, "last": last, "policy_id": int(policy_id),
                         **options, "parameter": name, **{k: float(indices[k][i]) for k in INDICES[method]}})
    return pd.DataFrame(rows)


def _salib(method, problem, x, y, design, conf_level, num_resamples, seed) -> dict:
    import warnings

    salib_problem = {"num_vars": problem["num_vars"], "names": problem["names"], "bounds": problem["bounds"]}
    # A Generator, not the int: SALib's Sobol' analysis treats seed 0 as "no seed" (`if seed:`).
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a constant outcome gives 0/0: reported as NaN
        if method == "sobol":
            from SALib.analyze import sobol

            second = bool(design["uncertainties"].get("second_order", False))
            return sobol.analyze(salib_problem, y, calc_second_order=second, num_resamples=num_resamples,
                                 conf_level=conf_level, seed=rng)
        from SALib.analyze import morris

        return morris.analyze(salib_problem, x, y, num_resamples=num_resamples, conf_level=conf_level,
                              num_levels=int(design["uncertainties"].get("levels", 4)), seed=rng)
