"""What a comparison measures in each run, and how each measure is named, bounded and written.

An *outcome* is a system metric of :data:`ics_abm.metrics.SYSTEM_METRICS`; a *measure* reduces
its monthly series in one run to one number:

* ``final``: the value at the final month;
* ``last_12_mean``: the mean over the last 12 months (over every month if the run is shorter);
* ``total``: the sum over every month, only for flows (a metric with a ``total`` name in the
  table: months signed up to the control total, money transferred, regulator interventions).

Every name, unit, range and direction ("more is better") is read from the one metric table,
:mod:`ics_abm.metrics`. :data:`DOMAINS` gives the outcomes that matter to each kind of policy
question; :data:`DEFAULT_OUTCOMES` is their union.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ics_abm.metrics import METRICS, SYSTEM_METRICS, Metric

__all__ = [
    "DEFAULT_OUTCOMES",
    "DOMAINS",
    "MEASURES",
    "WINDOW",
    "bounds",
    "check_outcomes",
    "describe",
    "format_value",
    "headline",
    "horizon",
    "measures_of",
    "run_measures",
    "unit",
    "unit_words",
]

#: Months averaged for the ``last_12_mean`` measure.
WINDOW = 12
#: Every measure, in table order.
MEASURES: tuple[str, ...] = ("final", "last_12_mean", "total")
#: The outcomes that matter to each kind of policy question.
DOMAINS: dict[str, tuple[str, ...]] = {
    "regulation": ("interventions", "mean_pressure", "mean_trust", "collaboration_rate", "integration_progress", "n_deficit"),
    "finance": ("signed_up", "transfers", "n_deficit", "system_balance", "mean_trust", "collaboration_rate",
                "integration_progress"),
    "governance": ("decisions_resolved", "decisions_failed", "committed_share", "mean_trust", "collaboration_rate",
                   "integration_progress"),
}
#: Outcomes reported when neither outcomes nor a domain are chosen.
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "signed_up", "transfers", "interventions", "n_deficit", "system_balance", "mean_trust", "collaboration_rate",
    "integration_progress",
)


def check_outcomes(outcomes: Sequence[str] | None = None, domain: str | None = None) -> tuple[str, ...]:
    """The outcome metrics to report, checked against :data:`ics_abm.metrics.METRICS`.

    Parameters
    ----------
    outcomes : sequence of str, optional
        Metric names; ``None`` (or empty) gives the domain's outcomes.
    domain : {"regulation", "finance", "governance"}, optional
        The policy question; without it (and without outcomes), :data:`DEFAULT_OUTCOMES`.

    Returns
    -------
    tuple of str
        The names, in the order given, without repeats.

    Raises
    ------
    ValueError
        If a name is not a metric or the domain is unknown (one sentence, with the closest name).
    """
    if domain is not None and domain not in DOMAINS:
        raise ValueError(f"domain '{domain}' is not known{_hint(domain, DOMAINS)}; expected one of {', '.join(DOMAINS)}")
    if not outcomes:
        chosen = DOMAINS[domain] if domain is not None else DEFAULT_OUTCOMES
        return tuple(m for m in chosen if m in METRICS)
    for name in outcomes:
        if name not in METRICS:
            raise ValueError(f"outcome '{name}' is not a metric{_hint(name, METRICS)}; expected one of {', '.join(METRICS)}")
    return tuple(dict.fromkeys(outcomes))


def _hint(name: str, known) -> str:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _metric(outcome: str) -> Metric:
    return SYSTEM_METRICS[outcome]


def measures_of(outcome: str) -> tuple[str, ...]:
    """The measures tabulated for ``outcome``: ``final`` and ``last_12_mean``, and ``total`` for a flow."""
    return MEASURES if _metric(outcome).total else MEASURES[:2]


def run_measures(system: pd.DataFrame, outcomes: Sequence[str]) -> list[tuple[str, str, float]]:
    """Every measure of every outcome in one run.

    Parameters
    ----------
    system : pandas.DataFrame
        A run's system table, one row per month.
    outcomes : sequence of str
        Metric names.

    Returns
    -------
    list of (outcome, measure, value)
        NaN months are left out of a mean or a sum (NaN if every month is NaN).
    """
    rows = []
    for outcome in outcomes:
        series = system[outcome].to_numpy(dtype=np.float64)
        window = series[-WINDOW:]
        values = {
            "final": float(series[-1]),
            "last_12_mean": float(np.nanmean(window)) if np.isfinite(window).any() else math.nan,
            "total": float(np.nansum(series)) if np.isfinite(series).any() else math.nan,
        }
        rows.extend((outcome, measure, values[measure]) for measure in measures_of(outcome))
    return rows


def bounds(outcome: str, measure: str, steps: int) -> tuple[float, float]:
    """The range ``(low, high)`` a measure of ``outcome`` can take in a run of ``steps`` months."""
    metric = _metric(outcome)
    if measure != "total":
        return metric.low, metric.high
    return tuple(b if math.isinf(b) or b == 0 else b * steps for b in (metric.low, metric.high))  # type: ignore[return-value]


def horizon(steps: int) -> str:
    """The horizon in words: ``"10 years"``, ``"1 year"``, ``"18 months"``."""
    if steps % 12 == 0:
        years = steps // 12
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{steps} month" + ("s" if steps != 1 else "")


def describe(outcome: str, measure: str, steps: int) -> str:
    """An outcome's measure in plain words: ``"mean trust at 10 years"``, ``"regulator interventions over 10 years"``."""
    metric = _metric(outcome)
    plain = metric.plain or outcome.replace("_", " ")
    if measure == "total":
        return f"{metric.total or 'total ' + plain} over {horizon(steps)}"
    if measure == "last_12_mean":
        prefix = "" if plain.startswith("mean ") else "mean "
        return f"{prefix}{plain} over the last {min(WINDOW, steps)} months"
    return f"{plain} at {horizon(steps)}"


def headline(outcome: str) -> str:
    """The measure a briefing reports for ``outcome`` (the metric table's ``headline``)."""
    metric = _metric(outcome)
    return metric.headline if metric.headline != "total" or metric.total else "final"


def unit(outcome: str, measure: str) -> str:
    """The unit of an outcome's measure, as the metric table writes it."""
    metric = _metric(outcome)
    return metric.total_unit if measure == "total" else metric.unit


def unit_words(outcome: str, measure: str) -> str:
    """The unit of an outcome's measure for an axis: ``"scale 0 to 1"`` for a range, else the unit."""
    text = unit(outcome, measure)
    if text.startswith("[") or text == "0-3":
        return "scale " + text.strip("[]").replace(", ", " to ").replace("-", " to ")
    if text == "0/1":
        return "share of runs" if measure == "final" else "share of months"
    return text


def _is_share(text_unit: str) -> bool:
    return text_unit.startswith("share")


def format_value(value: float, outcome: str, measure: str, *, signed: bool = False, with_unit: bool = True,
                 difference: bool = False) -> str:
    """A number as a briefing writes it: money as ``£1,868m``, shares as per cent, counts with their unit.

    Parameters
    ----------
    value : float
    outcome, measure : str
    signed : bool
        Write ``+`` before a positive value.
    with_unit : bool
        Append the unit (unless it is a range such as ``[0, 1]`` or an index, which need none).
    difference : bool
        The value is a difference: a share is written in percentage points, not per cent.

    Returns
    -------
    str
        ``"n/a"`` for NaN.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    value = float(value)
    text_unit = unit(outcome, measure)
    if _is_share(text_unit):
        value *= 100
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    magnitude = abs(value)
    body = f"{magnitude:,.0f}" if magnitude >= 100 else _digits(magnitude)
    if text_unit.startswith("£m"):
        return f"{sign}£{body}m" + (text_unit[2:] if with_unit else "")
    number = sign + body
    if _is_share(text_unit):
        return number + ((" percentage points" if difference else "%") if with_unit else "")
    if not with_unit or text_unit.startswith("[") or "index" in text_unit or text_unit in ("0/1", "0-3", "count", ""):
        return number
    return f"{number} {text_unit}"


def _digits(magnitude: float) -> str:
    """Three significant digits, never an exponent (0.000127, 1.35, 42.1); ``~0`` below one millionth."""
    if magnitude == 0:
        return "0"
    if magnitude < 1e-6:
        return "~0"
    return np.format_float_positional(magnitude, precision=3, unique=False, fractional=False, trim="-")
