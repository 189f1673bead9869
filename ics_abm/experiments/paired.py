"""Means and paired differences with t intervals, for experiments run on common random numbers.

When two scenarios are run on the same seeds, replicate ``r`` of one is paired with replicate
``r`` of the other: both start from the same graph, budgets and starting trust and draw the
same noise. The difference is therefore estimated from the per-replicate differences
``d_r = b_r - a_r``, whose spread excludes everything the two runs share; this is far more
precise than comparing two independent samples.

Intervals are **Student t intervals**: ``mean(d) ± t(1 - (1 - confidence)/2, n - 1) · sd(d)/√n``,
with ``sd`` the sample standard deviation (``ddof=1``). They assume that the mean of the ``n``
replicates is roughly normal, which holds for the bounded outcomes of this model from about 30
replicates on. Pairs in which either value is NaN (an undefined outcome) are left out and counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CONFIDENCE", "Interval", "PairedDifference", "grouped_intervals", "mean_interval", "paired_difference"]

#: Confidence level of every interval the package reports.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its t interval.

    Attributes
    ----------
    n : int
        Number of values used (NaN values left out).
    mean, low, high : float
        The mean and the interval's bounds; NaN if ``n == 0`` (bounds NaN if ``n < 2``).
    sd : float
        Sample standard deviation (``ddof=1``); NaN if ``n < 2``.
    """

    n: int
    mean: float
    low: float
    high: float
    sd: float


@dataclass(frozen=True)
class PairedDifference(Interval):
    """The mean of paired differences ``b - a`` with its t interval and a standardised effect size.

    Attributes
    ----------
    dropped : int
        Pairs left out because a value was NaN.
    effect_size : float
        ``mean / sd`` of the differences (Cohen's d_z, unitless). ``±inf`` when every difference
        is the same non-zero number; NaN when they are all zero or ``n < 2``.
    """

    dropped: int = 0
    effect_size: float = math.nan

    def excludes_zero(self, direction: str) -> bool:
        """Whether the interval lies strictly on the ``direction`` side of zero.

        Parameters
        ----------
        direction : {"increase", "decrease"}
            ``"increase"``: ``low > 0``; ``"decrease"``: ``high < 0``.
        """
        if direction == "increase":
            return bool(self.low > 0)
        if direction == "decrease":
            return bool(self.high < 0)
        raise ValueError(f"direction must be 'increase' or 'decrease', got {direction!r}")


def _t_quantile(p: float, df):
    """Student t quantile (scipy.stats imported on first use: it is slow to import)."""
    from scipy import stats

    return stats.t.ppf(p, df)


def _half_width(sd: float, n: int, confidence: float) -> float:
    if n < 2:
        return math.nan
    if sd == 0.0:
        return 0.0  # identical values: the interval is the point (t·0 would be 0 anyway; no NaN risk)
    return float(_t_quantile(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n))


def _check_confidence(confidence: float) -> float:
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence}")
    return confidence


def mean_interval(values, confidence: float = CONFIDENCE) -> Interval:
    """Mean of ``values`` with its t interval.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per replicate; NaN values are left out.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
    """
    confidence = _check_confidence(confidence)
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    x = x[~np.isnan(x)]
    n = int(x.size)
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n >= 2 else math.nan
    half = _half_width(sd, n, confidence)
    return Interval(n=n, mean=mean, low=mean - half, high=mean + half, sd=sd)


def paired_difference(a, b, confidence: float = CONFIDENCE) -> PairedDifference:
    """Mean paired difference ``b - a`` with its t interval and effect size.

    Parameters
    ----------
    a, b : array_like of float, shape (n,)
        Outcomes of the two arms, ``a[r]`` and ``b[r]`` from the same seed.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    PairedDifference

    Examples
    --------
    >>> d = paired_difference([1.0, 2.0, 3.0], [1.5, 2.5, 3.5])
    >>> d.mean, d.low, d.high
    (0.5, 0.5, 0.5)
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"paired outcomes must have the same length, got {a.size} and {b.size}")
    diff = b - a
    kept = ~np.isnan(diff)
    interval = mean_interval(diff[kept], confidence)
    if interval.n < 2:
        effect = math.nan
    elif interval.sd > 0:
        effect = interval.mean / interval.sd
    else:
        effect = math.nan if interval.mean == 0 else math.copysign(math.inf, interval.mean)
    return PairedDifference(
        n=interval.n, mean=interval.mean, low=interval.low, high=interval.high, sd=interval.sd,
        dropped=int((~kept).sum()), effect_size=effect,
    )


def grouped_intervals(frame: pd.DataFrame, by: list[str], value: str, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean of ``value`` with its t interval in every group of ``frame`` (e.g. per option and month).

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy data, one row per replicate within each group.
    by : list of str
        Grouping columns.
    value : str
        The column to summarise; NaN values are left out.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per group, in order of first appearance: the ``by`` columns, then ``n, mean, low,
        high`` (bounds equal to the mean where every value is the same, NaN where ``n < 2``).
    """
    confidence = _check_confidence(confidence)
    groups = frame.groupby(by, sort=False)[value].agg(n="count", mean="mean", sd="std").reset_index()
    n = groups["n"].to_numpy()
    quantile = np.full(n.shape, np.nan)
    several = n >= 2
    quantile[several] = _t_quantile(0.5 + confidence / 2.0, n[several] - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = quantile * groups["sd"].to_numpy() / np.sqrt(n)
    half = np.where(several & (groups["sd"].to_numpy() == 0), 0.0, half)
    groups["low"] = groups["mean"] - half
    groups["high"] = groups["mean"] + half
    return groups.drop(columns="sd")
