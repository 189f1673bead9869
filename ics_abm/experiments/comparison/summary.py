"""The statistical tables of a comparison: per-option summaries and every pairwise contrast.

Both are computed from the tidy outcomes table (columns ``option, replicate, seed, outcome,
measure, value``) with :mod:`ics_abm.experiments.comparison.statistics`: bootstrap intervals
that stay within each outcome's range, paired counts, probability of superiority, effect size
and the exact sign test.

With parameter draws (``compare --posterior``: a ``draw`` column), a run is a (draw, replicate)
pair, every option's run ``(d, r)`` has the same parameters and seed, and the intervals are
**two-way bootstrap** intervals over draws and seeds (both resampled, as they are crossed:
:func:`ics_abm.experiments.comparison.statistics.crossed_interval`), so they hold the parametric
uncertainty as well as the stochastic; counts, superiority, effect size and the sign test pool
every pair.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from ics_abm.experiments.comparison.statistics import CONFIDENCE, Contrast, contrast, level

__all__ = ["CONTRAST_COLUMNS", "SUMMARY_COLUMNS", "contrasts", "summarise"]

_CONTRAST_STATS = ["difference", "difference_low", "difference_high", "higher", "lower", "same", "superiority",
                   "effect_size", "p_value"]
#: Columns of :func:`summarise`.
SUMMARY_COLUMNS = ["option", "outcome", "measure", "replicates", "mean", "mean_low", "mean_high", *_CONTRAST_STATS]
#: Columns of :func:`contrasts`.
CONTRAST_COLUMNS = ["option", "reference", "outcome", "measure", "pairs", *_CONTRAST_STATS]


def _wide(table: pd.DataFrame) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """``(outcome, measure, run x option values)`` for each outcome and measure, in table order.

    A run is a replicate, or with parameter draws (a ``draw`` column, ``compare --posterior``) a
    (draw, replicate) pair.
    """
    index = ["draw", "replicate"] if "draw" in table.columns else "replicate"
    for (outcome, measure), part in table.groupby(["outcome", "measure"], sort=False):
        yield str(outcome), str(measure), part.pivot(index=index, columns="option", values="value")


def _crossed(wide: pd.DataFrame):
    """The (draw, replicate) of each row of a wide table (``None`` without draws)."""
    if "draw" not in (wide.index.names or []):
        return None
    return wide.index.get_level_values("draw").to_numpy(), wide.index.get_level_values("replicate").to_numpy()


def _options(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["option"]))


def _row(c: Contrast) -> dict:
    return {"difference": c.difference, "difference_low": c.low, "difference_high": c.high, "higher": c.higher,
            "lower": c.lower, "same": c.same, "superiority": c.superiority, "effect_size": c.effect_size,
            "p_value": c.p_value}


def _all_contrasts(wide: pd.DataFrame, options: list[str], confidence: float) -> dict[tuple[str, str], Contrast]:
    """``{(option, reference): Contrast}`` for every ordered pair; each unordered pair bootstrapped once."""
    found = {}
    crossed = _crossed(wide)
    for i, reference in enumerate(options):
        found[(reference, reference)] = contrast(wide[reference], wide[reference], confidence, crossed)
        for option in options[i + 1:]:
            c = contrast(wide[reference], wide[option], confidence, crossed)
            found[(option, reference)] = c
            found[(reference, option)] = c.reversed()
    return found


def contrasts(table: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Every option against every other, outcome and measure, on paired runs.

    Parameters
    ----------
    table : pandas.DataFrame
        The outcomes table of a comparison.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of distinct options (``option`` against ``reference``), outcome
        and measure; columns :data:`CONTRAST_COLUMNS`. ``difference`` is the mean over pairs of
        (option - reference); the row of (reference, option) is its exact mirror image.
    """
    options = _options(table)
    rows = []
    for outcome, measure, wide in _wide(table):
        found = _all_contrasts(wide, options, confidence)
        for option in options:
            for reference in options:
                if option != reference:
                    c = found[(option, reference)]
                    rows.append({"option": option, "reference": reference, "outcome": outcome, "measure": measure,
                                 "pairs": c.n, **_row(c)})
    return pd.DataFrame(rows, columns=CONTRAST_COLUMNS)


def summarise(table: pd.DataFrame, base: str, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Each option's mean and its contrast with the base, per outcome and measure.

    Parameters
    ----------
    table : pandas.DataFrame
        The outcomes table of a comparison: columns ``option, replicate, seed, outcome, measure,
        value``.
    base : str
        Label of the base option.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per option (in table order), outcome and measure; columns
        :data:`SUMMARY_COLUMNS`: the mean over replicates with its percentile bootstrap interval,
        and the paired contrast with the base (the base's own row: difference 0, ``same`` every
        pair).
    """
    options = _options(table)
    rows = []
    for outcome, measure, wide in _wide(table):
        crossed = _crossed(wide)
        for option in options:
            mean = level(wide[option], confidence, crossed)
            rows.append({"option": option, "outcome": outcome, "measure": measure, "replicates": mean.n,
                         "mean": mean.mean, "mean_low": mean.low, "mean_high": mean.high,
                         **_row(contrast(wide[base], wide[option], confidence, crossed))})
    order = {o: i for i, o in enumerate(options)}
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return frame.sort_values("option", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
