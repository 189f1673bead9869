"""Diagnostics of a calibration: how far the posterior moved from the prior, and predictive checks.

* :func:`marginals`: per parameter, the prior box, the posterior's weighted median and central
  90 % interval, where the hand-set default lies in it, and the Kolmogorov-Smirnov distance of
  the posterior marginal from the uniform prior (scipy.stats.kstest): 0 when the patterns say
  nothing about the parameter, larger when they constrain it.
* :func:`predictive_check`: the patterns' statistics for parameter sets drawn from a
  distribution (the posterior, or the prior for comparison), each run on **new** seeds (not the
  calibration's), so that a pattern met only by the luck of the calibration seeds shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ics_abm.experiments.calibration.config import CalibrationConfig
from ics_abm.experiments.calibration.patterns import distance, target_of
from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns

__all__ = ["marginals", "predictive_check", "prior_draws", "within_targets"]


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)])


def marginals(frame: pd.DataFrame, config: CalibrationConfig, defaults: dict[str, float]) -> pd.DataFrame:
    """One row per calibrated parameter: prior box, posterior summary, the default's place in it.

    Returns
    -------
    pandas.DataFrame
        ``parameter, prior_low, prior_high, default, median, q05, q95, default_inside, ks`` sorted
        by ``ks`` (most constrained first); ``default_inside`` says whether the default lies in the
        posterior's central 90 % interval ``[q05, q95]``; ``ks`` is the KS statistic of the
        posterior marginal against the uniform prior.
    """
    from scipy.stats import kstest, uniform

    weights = frame["weight"].to_numpy(dtype=np.float64)
    rows = []
    for name in parameter_columns(frame):
        values = frame[name].to_numpy(dtype=np.float64)
        low, high = config.prior[name].range
        q05, median, q95 = (_weighted_quantile(values, weights, q) for q in (0.05, 0.5, 0.95))
        ks = kstest(values, uniform(loc=low, scale=high - low).cdf).statistic
        rows.append({"parameter": name, "prior_low": low, "prior_high": high, "default": defaults[name],
                     "median": median, "q05": q05, "q95": q95, "default_inside": q05 <= defaults[name] <= q95,
                     "ks": float(ks)})
    return pd.DataFrame(rows).sort_values("ks", ascending=False, ignore_index=True)


def prior_draws(config: CalibrationConfig, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn uniformly from the config's prior box, as a :func:`posterior`-like table."""
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0x9A10,)))
    data = {name: rng.uniform(*prior.range, size=int(n)) for name, prior in config.prior.items()}
    return pd.DataFrame({"draw": np.arange(int(n)), "weight": 1.0 / n, "distance": np.nan, **data})


def _statistics(values: dict[str, float], config: CalibrationConfig, root_seed: int) -> dict[str, float]:
    import dataclasses

    from ics_abm.experiments.calibration.smc import PatternModel

    settings = config.settings.model_copy(update={"root_seed": int(root_seed)})
    return PatternModel(dataclasses.replace(config, settings=settings))(values)


def predictive_check(frame: pd.DataFrame, config: CalibrationConfig, draws: int, seed: int,
                     executor: Any = None) -> pd.DataFrame:
    """The patterns' statistics of ``draws`` parameter sets of ``frame``, each on new seeds.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :func:`~ics_abm.experiments.calibration.posterior.posterior` table (or :func:`prior_draws`).
    config : CalibrationConfig
        The calibration's config: its arms, horizon and number of seeds are used.
    draws : int
        Parameter sets drawn (by weight, with ``seed``).
    seed : int
        Root seed of the draws and of their seeds; draw ``k`` runs on the seeds spawned from
        ``(seed, k)``, never the calibration's (use a ``seed`` other than the config's root seed).
    executor : concurrent.futures.Executor, optional
        Where the draws run; results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``sample, draw``, one column per pattern (its statistic) and
        ``distance`` (0 when every pattern is met).
    """
    from ics_abm.experiments.sweeps.executors import InlineExecutor
    from ics_abm.experiments.sweeps.seeds import seed_of

    chosen = draw_parameters(frame, draws, seed)
    names = parameter_columns(frame)
    executor = InlineExecutor() if executor is None else executor
    roots = [seed_of(np.random.SeedSequence(int(seed), spawn_key=(0x99C, k))) for k in range(int(draws))]
    futures = [executor.submit(_statistics, {n: float(row[n]) for n in names}, config, root)
               for (_, row), root in zip(chosen.iterrows(), roots)]
    rows = [{"sample": int(s), "draw": int(d), **f.result()} for s, d, f in zip(chosen["sample"], chosen["draw"], futures)]
    table = pd.DataFrame(rows)
    table["distance"] = [distance({p: row[p] for p in config.settings.patterns}) for _, row in table.iterrows()]
    return table


def within_targets(table: pd.DataFrame, patterns: list[str]) -> pd.DataFrame:
    """Per pattern: its target, the median statistic and the share of draws inside the target.

    Returns
    -------
    pandas.DataFrame
        ``pattern, low, high, median, share_inside``.
    """
    rows = []
    for name in patterns:
        low, high = target_of(name)
        values = table[name].to_numpy(dtype=np.float64)
        rows.append({"pattern": name, "low": low, "high": high, "median": float(np.nanmedian(values)),
                     "share_inside": float(np.mean((values >= low) & (values <= high)))})
    return pd.DataFrame(rows)
