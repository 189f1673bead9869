"""Honest statistics of a comparison: bootstrap intervals that stay in range, paired counts, tests.

The outcomes of the model are bounded (trust in [0, 1], counts >= 0), skewed and often bimodal,
so no interval here assumes normality:

* the interval of a mean is the **percentile bootstrap** interval (:func:`scipy.stats.bootstrap`,
  ``method="percentile"``, a fixed seed :data:`BOOTSTRAP_SEED` so that every number is
  reproducible). Each bootstrap mean is a mean of observed values, so the interval never leaves
  the observed range, let alone the outcome's possible range;
* the difference between two options is estimated from the **paired** differences (replicate
  ``r`` of both options uses the same seed), with the bootstrap interval of their mean, the
  counts of pairs in which the option is higher, lower or the same, the **probability of
  superiority** ``P(option > reference) + P(tie)/2`` over paired runs, the standardised effect
  size ``mean/sd`` of the differences (Cohen's d_z), and the **exact sign test** of "higher and
  lower equally likely" (:func:`scipy.stats.binomtest`);
* with parameter draws (``compare --posterior``: every option runs N draws x R seeds, the same
  for every option), draws and seeds are crossed, and intervals are **two-way (pigeonhole)
  bootstrap** intervals (:func:`crossed_interval`): draws and seeds resampled independently.
  scipy.stats.bootstrap resamples one factor only, so this one is written with numpy.

Pairs in which either value is NaN (an undefined outcome) are left out. A paired difference
smaller than :data:`TIE_TOLERANCE` times the larger of the two values (or of 1) is rounding in
the last digits of a sum (options that add the same money in another order), and counted as 0.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ics_abm.experiments.paired import CONFIDENCE  # the package's one confidence level

__all__ = ["BOOTSTRAP_SEED", "CONFIDENCE", "RESAMPLES", "TIE_TOLERANCE", "Contrast", "Level", "contrast", "crossed_grid",
           "crossed_interval", "level", "mean_bands", "tied_to_zero"]

#: Bootstrap resamples of each interval.
RESAMPLES = 9999
#: Relative size below which a paired difference is floating-point rounding, counted as no difference.
TIE_TOLERANCE = 1e-9
#: Seed of the bootstrap's generator (a fresh generator per interval: results do not depend on order).
BOOTSTRAP_SEED = 20180601


@dataclass(frozen=True)
class Level:
    """The mean of one option's outcome over replicates, with its bootstrap interval.

    Attributes
    ----------
    n : int
        Values used (NaN left out).
    mean, low, high : float
        Mean and interval (NaN if ``n == 0``; bounds NaN if ``n < 2``).
    """

    n: int
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Contrast:
    """An option against a reference on paired runs.

    Attributes
    ----------
    n : int
        Pairs used.
    difference, low, high : float
        Mean of (option - reference) over pairs, and its bootstrap interval.
    higher, lower, same : int
        Pairs in which the option's value is above, below, equal to the reference's.
    superiority : float
        ``(higher + same/2) / n``: the chance that the option's value beats the reference's in a
        paired run (0.5: neither tends to be higher).
    effect_size : float
        ``difference / sd`` of the differences; ``±inf`` if they are all the same non-zero
        number, NaN if all zero.
    p_value : float
        Exact two-sided sign test of ``higher`` against ``lower`` (1 if there is no non-tie).
    """

    n: int
    difference: float
    low: float
    high: float
    higher: int
    lower: int
    same: int
    superiority: float
    effect_size: float
    p_value: float

    @property
    def identical(self) -> bool:
        """Whether the two options gave the same value in every pair."""
        return self.n > 0 and self.same == self.n

    @property
    def clear(self) -> bool:
        """Whether the interval lies strictly on one side of zero."""
        return bool(self.low > 0 or self.high < 0)

    def reversed(self) -> Contrast:
        """The same contrast seen from the reference (reference - option): exact, no new bootstrap."""
        return Contrast(self.n, -self.difference, -self.high, -self.low, self.lower, self.higher, self.same,
                        1.0 - self.superiority if self.n else math.nan, -self.effect_size, self.p_value)


def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    return x[~np.isnan(x)]


def crossed_grid(values, crossed) -> np.ndarray:
    """Values laid out on the grid of a crossed design: one row per parameter draw, one column per seed.

    Parameters
    ----------
    values : array_like of float, shape (n,)
    crossed : tuple of two array_like, shape (n,) each
        The draw and the replicate (seed) of each value.

    Returns
    -------
    numpy.ndarray, shape (draws, replicates)
        NaN where a value is NaN or missing.
    """
    draws, replicates = (np.asarray(a).reshape(-1) for a in crossed)
    frame = pd.DataFrame({"d": draws, "r": replicates, "x": np.asarray(values, dtype=np.float64).reshape(-1)})
    return frame.pivot(index="d", columns="r", values="x").to_numpy(dtype=np.float64)


def crossed_interval(grid: np.ndarray, confidence: float) -> tuple[float, float]:
    """Two-way (pigeonhole) percentile bootstrap interval of the mean of a draws x seeds grid.

    Draws and seeds are crossed (every draw runs on the same seeds), so both are random factors:
    each resample draws rows (parameter draws) and columns (seeds) independently with
    replacement and takes the mean of the cells it picked (NaN cells left out); the interval holds
    the parametric and the stochastic uncertainty, and the seeds shared by every draw are not
    mistaken for independent information (Owen 2007, "The pigeonhole bootstrap"). Clipped to the
    observed range, like every interval here.
    """
    defined = ~np.isnan(grid)
    x = grid[defined]
    if x.size < 2:
        return math.nan, math.nan
    low_x, high_x = float(x.min()), float(x.max())
    if low_x == high_x:
        return low_x, high_x
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n_draws, n_seeds = grid.shape
    rows = rng.multinomial(n_draws, np.full(n_draws, 1.0 / n_draws), size=RESAMPLES).astype(np.float64)
    cols = rng.multinomial(n_seeds, np.full(n_seeds, 1.0 / n_seeds), size=RESAMPLES).astype(np.float64)
    weight = np.einsum("bi,ij,bj->b", rows, defined.astype(np.float64), cols)
    total = np.einsum("bi,ij,bj->b", rows, np.where(defined, grid, 0.0), cols)
    means = total[weight > 0] / weight[weight > 0]
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return min(max(float(low), low_x), high_x), min(max(float(high), low_x), high_x)


def _interval(x: np.ndarray, confidence: float, crossed=None) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``x``, clipped to ``[min x, max x]`` (rounding only).

    With ``crossed`` (the draw and the seed of each value of ``x``: ``compare --posterior``), the
    two-way bootstrap of :func:`crossed_interval`.
    """
    if crossed is not None:
        return crossed_interval(crossed_grid(x, crossed), confidence)
    if x.size < 2:
        return math.nan, math.nan
    low_x, high_x = float(x.min()), float(x.max())
    if low_x == high_x:
        return low_x, high_x
    from scipy import stats  # slow to import: on first use

    result = stats.bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=RESAMPLES, method="percentile",
                             rng=np.random.default_rng(BOOTSTRAP_SEED), vectorized=True)
    ci = result.confidence_interval
    return min(max(float(ci.low), low_x), high_x), min(max(float(ci.high), low_x), high_x)


def tied_to_zero(reference: np.ndarray, option: np.ndarray) -> np.ndarray:
    """Paired differences ``option - reference``, rounding-sized ones (:data:`TIE_TOLERANCE`) set to 0.0."""
    d = option - reference
    d[np.abs(d) <= TIE_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(reference), np.abs(option)))] = 0.0
    return d


def level(values, confidence: float = CONFIDENCE, crossed=None) -> Level:
    """Mean of ``values`` (one per replicate, NaN left out) with its percentile bootstrap interval.

    With ``crossed`` (the parameter draw and the replicate of each value, two arrays of shape
    (n,)), the interval is the two-way bootstrap's over draws and seeds (:func:`crossed_interval`).

    Examples
    --------
    >>> level([0.2, 0.2, 0.2])
    Level(n=3, mean=0.2, low=0.2, high=0.2)
    """
    raw = np.asarray(values, dtype=np.float64).reshape(-1)
    x = _clean(raw)
    mean = float(np.clip(x.mean(), x.min(), x.max())) if x.size else math.nan
    low, high = _interval(raw if crossed is not None else x, confidence, crossed)
    return Level(int(x.size), mean, low, high)


def contrast(reference, option, confidence: float = CONFIDENCE, crossed=None) -> Contrast:
    """``option`` against ``reference`` on paired runs (``reference[r]`` and ``option[r]`` share a seed).

    Parameters
    ----------
    reference, option : array_like of float, shape (n,)
    confidence : float
        Confidence level of the interval, in (0, 1).
    crossed : tuple of two array_like, shape (n,) each, optional
        The parameter draw and the replicate of each pair (``compare --posterior``): the interval
        is then the two-way bootstrap over draws and seeds (:func:`crossed_interval`); the counts
        and tests still pool every pair.

    Returns
    -------
    Contrast

    Examples
    --------
    >>> c = contrast([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    >>> c.difference, c.low, c.high, c.identical
    (0.0, 0.0, 0.0, True)
    """
    a = np.asarray(reference, dtype=np.float64).reshape(-1)
    b = np.asarray(option, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"paired outcomes must have the same length, got {a.size} and {b.size}")
    raw = tied_to_zero(a, b)
    d = _clean(raw)
    n = int(d.size)
    if n == 0:
        return Contrast(0, math.nan, math.nan, math.nan, 0, 0, 0, math.nan, math.nan, math.nan)
    higher, lower = int((d > 0).sum()), int((d < 0).sum())
    mean = float(np.clip(d.mean(), d.min(), d.max()))
    low, high = _interval(raw if crossed is not None else d, confidence, crossed)
    sd = float(d.std(ddof=1)) if n >= 2 else math.nan
    if n < 2 or (sd == 0 and mean == 0):
        effect = math.nan
    else:
        effect = mean / sd if sd > 0 else math.copysign(math.inf, mean)
    if higher + lower:
        from scipy import stats

        p_value = float(stats.binomtest(higher, higher + lower, 0.5).pvalue)
    else:
        p_value = 1.0
    return Contrast(n, mean, low, high, higher, lower, n - higher - lower, (higher + (n - higher - lower) / 2) / n,
                    effect, p_value)


def mean_bands(values: np.ndarray, confidence: float = CONFIDENCE, resamples: int = 1999) -> tuple[np.ndarray, ...]:
    """Mean over replicates of a set of series, with a percentile bootstrap band (figures).

    Parameters
    ----------
    values : numpy.ndarray, shape (replicates, months)
    confidence : float
    resamples : int
        Fewer than for the tables: a band is drawn, not read off.

    Returns
    -------
    mean, low, high : numpy.ndarray, shape (months,)
        The band is clipped to each month's observed range and equals the mean where every
        replicate agrees.
    """
    x = np.asarray(values, dtype=np.float64)
    with warnings.catch_warnings(action="ignore", category=RuntimeWarning):  # all-NaN months: NaN
        mean = np.nanmean(x, axis=0)
        lo_x, hi_x = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    if x.shape[0] < 2 or np.isnan(x).any():  # bands of incomplete months would mislead: none
        return mean, mean.copy(), mean.copy()
    from scipy import stats

    ci = stats.bootstrap((x,), np.mean, axis=0, confidence_level=confidence, n_resamples=resamples,
                         method="percentile", rng=np.random.default_rng(BOOTSTRAP_SEED), vectorized=True,
                         batch=200).confidence_interval
    low = np.where(lo_x == hi_x, mean, np.clip(ci.low, lo_x, hi_x))
    high = np.where(lo_x == hi_x, mean, np.clip(ci.high, lo_x, hi_x))
    return mean, low, high

