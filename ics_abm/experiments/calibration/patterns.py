"""The patterns a calibration fits: documented summary statistics over a set of seeds, and the distance.

A :class:`Pattern` is a level or direction the evidence reports, turned into one number computed
from the runs of a parameter set on a fixed set of seeds (common random numbers: every particle
runs the same seeds), and a **target range** that number should lie in. Runs come from up to four
*arms* of the base scenario (:data:`ARMS`), run with :func:`ics_abm.experiments.batch.system_table`.

The **distance** of a parameter set (:func:`distance`) is the sum over the patterns of how far each
statistic lies outside its target range, in units of the pattern's ``scale``::

    d = sum_i gap_i / scale_i,   gap_i = max(low_i - s_i, 0, s_i - high_i)

so it is exactly zero when every statistic is inside its range and grows linearly outside. A
statistic that cannot be computed (NaN) counts as one full scale away. Stylized facts can be
patterns too (``"fact:SF14"``, :mod:`ics_abm.experiments.calibration.fact_patterns`): their
statistic is a signed t statistic with target ``t >= 1``, a miss counted in units of t and capped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ics_abm.experiments.calibration.fact_patterns import MAX_MISS, TARGET, is_fact

__all__ = ["ARMS", "PATTERNS", "MIN_STEPS", "Pattern", "distance", "summaries", "target_of"]

#: Fewest months a calibration run may have: the patterns read year 1 and the last 12 months.
MIN_STEPS = 24
_CONTROL_TOTAL = {"finance.regime": "control_total"}
#: Changes to the base scenario of each arm (applied after the particle's parameters, so they win).
ARMS: dict[str, dict] = {
    "base": {},
    "flexible": {**_CONTROL_TOTAL, "finance.linked_share": 0.25},
    "all_or_nothing": {**_CONTROL_TOTAL, "finance.linked_share": 1.0},
    "mature": {**_CONTROL_TOTAL, "finance.linked_share": 0.25, "trust.initial": 0.85, "legacy.strength": 0.1},
}


@dataclass(frozen=True)
class Pattern:
    """One pattern: a statistic over the runs of one arm, and the range the evidence allows.

    Attributes
    ----------
    name : str
        Its key in a calibration config's ``patterns`` list.
    statistic : str
        What is computed, in words.
    evidence : str
        The quotation it rests on, with its source.
    arm : str
        The arm of :data:`ARMS` whose runs it reads.
    measure : callable
        ``measure(table, steps) -> float`` on the arm's ``system_table``.
    target : (float, float)
        The range the statistic should lie in (both ends included).
    scale : float
        The unit in which a miss is counted in the distance (1 for shares).
    """

    name: str
    statistic: str
    evidence: str
    arm: str
    measure: Callable[[pd.DataFrame, int], float]
    target: tuple[float, float]
    scale: float = 1.0


def _matrix(table: pd.DataFrame, metric: str) -> np.ndarray:
    """``metric`` as an array (runs, months), months 1..steps in order."""
    wide = table.pivot(index="run", columns="step", values=metric)
    return wide.sort_index(axis=1).to_numpy(dtype=np.float64)


def _trust_rise(table: pd.DataFrame, steps: int) -> np.ndarray:
    trust = _matrix(table, "mean_trust")
    return trust[:, 11] - trust[:, 0]


def _share_trust_rises(table: pd.DataFrame, steps: int) -> float:
    return float(np.mean(_trust_rise(table, steps) > 0.0))


def _mean_trust_rise(table: pd.DataFrame, steps: int) -> float:
    return float(np.mean(_trust_rise(table, steps)))


def _share_with_setback(table: pd.DataFrame, steps: int) -> float:
    progress = _matrix(table, "integration_progress")
    peak = np.maximum.accumulate(progress, axis=1)
    return float(np.mean(np.any(progress < 0.99 * peak, axis=1)))


def _signed_share(table: pd.DataFrame, steps: int) -> float:
    return float(np.mean(_matrix(table, "signed_up")[:, : min(36, steps)]))


def _share_with_transfers(table: pd.DataFrame, steps: int) -> float:
    return float(np.mean(_matrix(table, "transfers").sum(axis=1) > 0.0))


def _share_interventions_fall(table: pd.DataFrame, steps: int) -> float:
    interventions = _matrix(table, "interventions")
    return float(np.mean(interventions[:, :12].sum(axis=1) > interventions[:, -12:].sum(axis=1)))


PATTERNS: dict[str, Pattern] = {p.name: p for p in (
    Pattern("trust_rises_year1", "share of runs in which mean trust is higher at month 12 than at month 1",
            "relationships strengthen: \"relationships ... have also been strengthened\" [003] (docs/model.md 6.3)",
            "base", _share_trust_rises, (0.6, 1.0)),
    Pattern("trust_rise_modest", "mean rise of mean trust from month 1 to month 12",
            "modestly: \"Collaboration had often taken longer to develop than expected\" [003] (SF9)",
            "base", _mean_trust_rise, (0.0, 0.1), 0.1),
    Pattern("setbacks", "share of runs in which integration progress falls more than 1 % below its running peak",
            "\"step forward, step back, step forward, step back\"; \"progress is unlikely to be linear.\" [003] (SF10)",
            "base", _share_with_setback, (0.3, 1.0)),
    Pattern("signup_flexible", "share of the first three years (or the run) signed up to a control total with linked share 0.25",
            "\"The revised scheme offered greater flexibility… and most ICSs have signed up to it.\" [003] (SF7)",
            "flexible", _signed_share, (0.5, 1.0)),
    Pattern("signup_all_or_nothing", "share of the first three years (or the run) signed up to a control total with linked share 1",
            "\"many were unwilling to do so on this basis\" [003] (SF7)",
            "all_or_nothing", _signed_share, (0.0, 0.5)),
    Pattern("transfers_some", "share of mature systems (trust 0.85, legacy 0.1, control total) that make a transfer",
            "\"Both the Frimley and Dorset ICSs… have moved money between organisations\"; \"some ICSs have made less "
            "progress than others.\" [003] (SF14)", "mature", _share_with_transfers, (0.05, 0.95)),
    Pattern("interventions_fall", "share of runs with fewer interventions in the last 12 months than in the first 12",
            "\"regulatory intervention will then be the exception rather than the rule\" [002a] (SF39)",
            "base", _share_interventions_fall, (0.5, 1.0)),
)}


def summaries(tables: Mapping[str, pd.DataFrame], steps: int, names: Sequence[str]) -> dict[str, float]:
    """The statistics of the level patterns ``names`` from each arm's ``system_table`` (runs on the same seeds)."""
    return {name: PATTERNS[name].measure(tables[PATTERNS[name].arm], steps) for name in names}


def target_of(name: str) -> tuple[float, float]:
    """The target range of pattern ``name`` (a level pattern of :data:`PATTERNS` or a ``"fact:<ID>"``)."""
    return TARGET if is_fact(name) else PATTERNS[name].target


def distance(stats: Mapping[str, float], targets: Mapping[str, tuple[float, float]] | None = None) -> float:
    """How far ``stats`` lie outside their target ranges (module docstring); 0 inside every range.

    Parameters
    ----------
    stats : mapping
        Pattern name -> statistic (as :func:`summaries` and
        :func:`~ics_abm.experiments.calibration.fact_patterns.fact_statistic` give).
    targets : mapping, optional
        Pattern name -> (low, high), overriding the patterns' own targets.
    """
    total = 0.0
    for name, value in stats.items():
        low, high = (targets or {}).get(name, target_of(name))
        value = float(value)
        if is_fact(name):
            total += MAX_MISS if math.isnan(value) else min(max(low - value, 0.0, value - high), MAX_MISS)
            continue
        scale = PATTERNS[name].scale
        gap = scale if math.isnan(value) else max(low - value, 0.0, value - high)
        total += gap / scale
    return total
