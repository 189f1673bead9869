"""Stylized facts as calibration patterns: each fact's direction, under the particle's parameters.

A calibration config may list registered facts among its patterns as ``"fact:<ID>"`` (for example
``"fact:SF14"``). The fact is run as ``ics-abm validate-model --posterior`` runs it under a
posterior draw (:func:`ics_abm.experiments.validation.fact_values.fact_under_draw`): the
particle's values are set wherever the fact's own scenario leaves the default, the fact's settings
and its arms' changes win, and both arms run on the same seeds, the same seeds for every particle
(common random numbers). Its statistic is the **signed t statistic** of the paired difference,

    t = s * mean(B - A) / (sd(B - A) / sqrt(n)),   s = +1 if the fact expects an increase, -1 if a decrease,

and its target is ``t >= 1``: the mean difference lies at least one standard error on the side of
zero the evidence gives (a one-sided margin of about 84 %). No difference at all (t = 0) misses by
one unit; the wrong direction misses by more, capped at :data:`MAX_MISS` units so that one
reversed fact cannot swamp every other pattern. ``validate-model``'s verdict (a 95 % interval
excluding zero on 30 or more seeds) is stricter; a calibration cannot afford its seeds, so it asks
for the direction with a margin and leaves the verdict to ``validate-model --posterior``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["FACT_PREFIX", "MAX_MISS", "TARGET", "fact_id", "fact_ids", "fact_statistic", "is_fact"]

#: How a fact is named in a config's ``patterns`` list: ``"fact:SF14"``.
FACT_PREFIX = "fact:"
#: A fact pattern is met when its signed t statistic is at least this.
TARGET = (1.0, math.inf)
#: The most a fact pattern adds to the distance (its t far on the wrong side, or not computable).
MAX_MISS = 5.0


def is_fact(name: str) -> bool:
    """Whether the pattern ``name`` is a stylized fact (``"fact:<ID>"``)."""
    return name.startswith(FACT_PREFIX)


def fact_id(name: str) -> str:
    """The fact's id in pattern ``name`` (``"fact:SF14"`` -> ``"SF14"``)."""
    return name.removeprefix(FACT_PREFIX)


def fact_ids() -> list[str]:
    """The ids of every registered fact, in registry order."""
    from ics_abm.experiments.validation.facts import FACTS

    return [fact.id for fact in FACTS]


def signed_t(differences_mean: float, sd: float, n: int, expected: str) -> float:
    """The signed t statistic of a paired difference (module docstring); 0 when there is no difference at all.

    NaN (not computable) with fewer than two pairs: a fact whose outcome is undefined in most runs
    (a rare event) cannot show a direction on them.
    """
    sign = 1.0 if expected == "increase" else -1.0
    if n < 2 or not math.isfinite(differences_mean) or math.isnan(sd):
        return math.nan
    if sd > 0:
        return sign * differences_mean / (sd / math.sqrt(n))
    return 0.0 if differences_mean == 0 else math.copysign(math.inf, sign * differences_mean)


def fact_statistic(name: str, values: Mapping[str, float], seeds: Sequence[int], default: Mapping) -> float:
    """The signed t statistic of fact pattern ``name`` under the parameter values ``values``.

    Parameters
    ----------
    name : str
        ``"fact:<ID>"``.
    values : mapping
        Dotted parameter path -> value (a particle).
    seeds : sequence of int
        The run seeds, the same for both arms and every particle (at least 2).
    default : mapping
        The default scenario as data (``scenario_to_dict``): a value is set where the fact leaves this one's.

    Returns
    -------
    float
        NaN if an arm's scenario refuses the values (the particle lies outside the model).
    """
    from ics_abm.experiments.validation.fact_values import fact_under_draw
    from ics_abm.experiments.validation.facts import FACTS
    from ics_abm.experiments.validation.runner import run_fact
    from ics_abm.scenario.errors import ScenarioError

    fact = next(f for f in FACTS if f.id == fact_id(name))
    try:
        result = run_fact(fact_under_draw(fact, values, default), list(seeds))
    except ScenarioError:
        return math.nan
    difference = result.difference
    return signed_t(difference.mean, difference.sd, difference.n, fact.expected)
