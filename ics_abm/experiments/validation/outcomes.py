"""Outcomes of a run that stylized facts are stated in: a number per run, read from its tables.

An :class:`Outcome` is a named function of a :class:`~ics_abm.run.RunResult` returning one float,
plus what is needed to check and draw it: the metrics it reads, the last month it reads (so that
a fact's horizon can be checked), and the metric whose trajectory illustrates it. The
constructors below cover the usual forms; any function of a run can be wrapped directly::

    Outcome("share of acute arcs in mutual collaboration at month 12", my_function, metric=None)

Months are numbered from 1 (the first month simulated), as in the ``step`` column, and ranges
include both ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ics_abm.run import RunResult

__all__ = [
    "Outcome",
    "at_month",
    "change",
    "constant",
    "final",
    "half_time",
    "mean_over",
    "progress_gain",
    "setbacks",
    "total_over",
]


@dataclass(frozen=True)
class Outcome:
    """A number per run.

    Attributes
    ----------
    description : str
        What it is, in words, with its unit or scale, e.g. ``"integration progress at month 12"``.
    measure : callable
        ``measure(result) -> float`` for a :class:`~ics_abm.run.RunResult`.
    metric : str or None
        The system metric whose trajectory illustrates the outcome in the report (``None``: none).
    reads : tuple of str
        The system metrics ``measure`` reads (checked against :data:`ics_abm.metrics.METRICS`).
    last_month : int
        The latest month ``measure`` needs (0 if it needs none, or only the final month).
    months : tuple of (int, int) or None
        The months ``first, last`` the outcome is read from, shaded in the report's figures
        (``None``: the whole run or no particular months).
    """

    description: str
    measure: Callable[[RunResult], float]
    metric: str | None = None
    reads: tuple[str, ...] = ()
    last_month: int = 0
    months: tuple[int, int] | None = None

    def __call__(self, result: RunResult) -> float:
        return float(self.measure(result))


def _series(result: RunResult, metric: str) -> np.ndarray:
    return result.system[metric].to_numpy(dtype=np.float64)


def _check_months(first: int, last: int) -> None:
    if not 1 <= first <= last:
        raise ValueError(f"months must satisfy 1 <= first <= last, got first={first}, last={last}")


def _name(metric: str) -> str:
    return metric.replace("_", " ")


def final(metric: str) -> Outcome:
    """The metric at the run's final month."""
    return Outcome(f"{_name(metric)} at the final month", lambda r: _series(r, metric)[-1], metric, (metric,))


def at_month(metric: str, month: int) -> Outcome:
    """The metric at ``month`` (1-based)."""
    _check_months(month, month)
    return Outcome(
        f"{_name(metric)} at month {month}", lambda r: _series(r, metric)[month - 1], metric, (metric,), month,
        (month, month),
    )


def _nanmean(x: np.ndarray) -> float:
    defined = x[~np.isnan(x)]
    return float(defined.mean()) if defined.size else math.nan


def mean_over(metric: str, first: int, last: int) -> Outcome:
    """Mean of the metric over months ``first..last``.

    Months in which the metric is undefined (NaN, e.g. ``decision_latency`` in a month without a
    decision) are left out; the outcome is NaN if it is undefined in every month.
    """
    _check_months(first, last)
    return Outcome(
        f"mean {_name(metric)} over months {first}–{last}",
        lambda r: _nanmean(_series(r, metric)[first - 1 : last]), metric, (metric,), last, (first, last),
    )


def total_over(metric: str, first: int, last: int) -> Outcome:
    """Sum of a monthly count or flow (e.g. interventions) over months ``first..last``."""
    _check_months(first, last)
    return Outcome(
        f"total {_name(metric)} over months {first}–{last}",
        lambda r: _series(r, metric)[first - 1 : last].sum(), metric, (metric,), last, (first, last),
    )


def change(metric: str, first: int, last: int, per_year: bool = False) -> Outcome:
    """Change of the metric from month ``first`` to month ``last`` (value at ``last`` minus at ``first``).

    With ``per_year``, the change is divided by the years between the two months, ``(last - first)/12``.
    """
    _check_months(first, last)
    years = (last - first) / 12.0 if per_year else 1.0
    if per_year and years <= 0:
        raise ValueError(f"a change per year needs last > first, got months {first} and {last}")
    unit = " per year" if per_year else ""
    return Outcome(
        f"change in {_name(metric)} from month {first} to month {last}{unit}",
        lambda r: (_series(r, metric)[last - 1] - _series(r, metric)[first - 1]) / years, metric, (metric,), last,
        (first, last),
    )


def _count_setbacks(x: np.ndarray, drop: float) -> int:
    # A setback starts when the series falls more than `drop` (a share) below its running peak; it
    # is counted once and re-armed only when a new peak is reached, so a long slide is one setback.
    count, peak, down = 0, -math.inf, False
    for value in x:
        if value > peak:
            peak, down = value, False
        elif not down and peak > 0 and value < (1.0 - drop) * peak:
            count, down = count + 1, True
    return count


def setbacks(metric: str, drop: float) -> Outcome:
    """Number of setbacks: falls of more than ``drop`` (a share, e.g. 0.01) below the running peak.

    A setback is counted when the metric first falls below ``(1 - drop)`` times its highest value
    so far; another is counted only after the metric has reached a new peak. A monotone
    non-decreasing trajectory has none.
    """
    if not 0 < drop < 1:
        raise ValueError(f"drop must be a share strictly between 0 and 1, got {drop}")
    return Outcome(
        f"number of setbacks of {_name(metric)} (falls of more than {drop:.0%} below its running peak)",
        lambda r: _count_setbacks(_series(r, metric), drop), metric, (metric,),
    )


def half_time(metric: str, first: int, last: int) -> Outcome:
    """Month by which the metric has first made half of its move from month 1 to its level in months ``first..last``.

    The level is the mean over ``first..last``; the half-way point is ``x1 + (level - x1)/2``
    with ``x1`` the value at month 1, and the outcome is the first month at which the metric is at
    or beyond it in the direction of the move (a fall counts as a move). NaN if the metric does
    not move at all.
    """
    _check_months(first, last)

    def measure(result: RunResult) -> float:
        x = _series(result, metric)[:last]
        level = x[first - 1 : last].mean()
        direction = np.sign(level - x[0])
        if direction == 0:
            return math.nan
        reached = np.nonzero(direction * (x - (x[0] + 0.5 * (level - x[0]))) >= 0)[0]
        return float(reached[0] + 1)

    return Outcome(
        f"month by which {_name(metric)} has made half its move from month 1 to its months {first}–{last} level",
        measure, metric, (metric,), last, (first, last),
    )


def progress_gain(first: int, last: int) -> Outcome:
    """Mean monthly trusted joint working added to integration progress over months ``first..last``.

    The ``joint_working`` output of docs/model.md 7.8 (``inc``): what month ``t`` adds to progress
    before decay and before hard decisions step it forward or back, i.e. the rate of progress
    rather than its accumulated stock.
    """
    _check_months(first, last)
    return Outcome(
        f"mean monthly trusted joint working added to integration progress over months {first}–{last}",
        lambda r: float(_series(r, "joint_working")[first - 1 : last].mean()),
        "joint_working", ("joint_working",), last, (first, last),
    )


def constant(value: float, description: str) -> Outcome:
    """The same number for every run: a null to test one arm against (e.g. 0 setbacks if monotone)."""
    return Outcome(description, lambda r: value)
