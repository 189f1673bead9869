"""Comparing policy options on common random numbers (``ics-abm compare``, :func:`compare`).

A comparison runs a base scenario and one or more options for the same number of months on the
same seeds: replicate ``r`` of every option uses ``seeds[r]``, spawned from one root seed by
:func:`ics_abm.experiments.sweeps.seeds.replicate_seeds` (so replicate ``r`` here is replicate ``r`` of a sweep
with the same root seed). Every option therefore starts from the same graph, budgets and starting
trust and draws the same noise, so the difference between an option and the base in
replicate ``r`` is due to the option alone, and the differences are estimated from paired
replicates (:mod:`ics_abm.experiments.paired`): far more precisely than from independent runs.

Three tables, all tidy:

* ``trajectories``: one row per option, replicate and month, with every metric of
  :data:`ics_abm.metrics.METRICS` (the run's ``system`` table, labelled);
* ``table`` (the *outcomes*): one row per option, replicate and outcome metric, with the value at
  the final month (``final``) and the mean over the last 12 months (``last_12_mean``; over every
  month if the run is shorter);
* ``summary``: one row per option, outcome and measure (``final`` or ``last_12_mean``) with the
  mean over replicates and its 95% t interval, and the mean paired difference from the base
  (option minus base) with its 95% t interval and standardised effect size (mean/sd of the
  differences). The base's own rows have difference exactly 0.
"""

from __future__ import annotations

import difflib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ics_abm.experiments.paired import CONFIDENCE, mean_interval, paired_difference
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.metrics import METRICS
from ics_abm.run import run
from ics_abm.scenario.loading import load_scenario, scenario_from_dict
from ics_abm.scenario.schema import Scenario

__all__ = [
    "DEFAULT_OUTCOMES",
    "MEASURES",
    "WINDOW",
    "Comparison",
    "Option",
    "check_outcomes",
    "compare",
    "run_comparison",
    "summarise",
]

#: Outcomes reported when none are chosen (those of them that the kernel reports).
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "integration_progress", "mean_trust", "collaboration_rate", "n_deficit", "interventions", "system_balance",
)
#: Months averaged for the ``last_12_mean`` measure.
WINDOW = 12
#: The per-replicate measures of each outcome.
MEASURES: tuple[str, ...] = ("final", "last_12_mean")

ScenarioLike = Scenario | Mapping | str | os.PathLike


@dataclass(frozen=True)
class Option:
    """One scenario of a comparison.

    Attributes
    ----------
    label : str
        Unique name in the comparison: the file's stem, or the scenario's name (``-2``, ``-3``...
        appended if two options would share one).
    scenario : Scenario
        The validated scenario.
    path : str or None
        The file it was read from, as given; ``None`` if it was given as an object.
    text : str or None
        The file's text, exactly as read; ``None`` if it was given as an object.
    """

    label: str
    scenario: Scenario
    path: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Comparison:
    """Everything a comparison produced (see the module docstring for the tables)."""

    options: tuple[Option, ...]  # the base first
    seed: int
    seeds: tuple[int, ...]
    steps: int
    outcomes: tuple[str, ...]
    table: pd.DataFrame
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    wall_time_s: float

    @property
    def base(self) -> Option:
        """The base option (differences are option minus base)."""
        return self.options[0]


def check_outcomes(outcomes: Sequence[str] | None) -> tuple[str, ...]:
    """The outcome metrics to report, checked against :data:`ics_abm.metrics.METRICS`.

    Parameters
    ----------
    outcomes : sequence of str, optional
        Metric names; ``None`` (or empty) gives :data:`DEFAULT_OUTCOMES` (those that exist).

    Returns
    -------
    tuple of str
        The names, in the order given, without repeats.

    Raises
    ------
    ValueError
        If a name is not a metric (one sentence, with the closest metric if there is one).
    """
    if not outcomes:
        return tuple(m for m in DEFAULT_OUTCOMES if m in METRICS)
    for name in outcomes:
        if name not in METRICS:
            close = difflib.get_close_matches(str(name), METRICS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"outcome '{name}' is not a metric{hint}; expected one of {', '.join(METRICS)}")
    return tuple(dict.fromkeys(outcomes))


def _load(item: ScenarioLike) -> Option:
    if isinstance(item, Scenario):
        return Option(item.scenario.name, item)
    if isinstance(item, Mapping):
        scenario = scenario_from_dict(dict(item))
        return Option(scenario.scenario.name, scenario)
    path = os.fspath(item)
    scenario = load_scenario(path)  # a ScenarioError names the file and the problem
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    return Option(Path(path).stem or scenario.scenario.name, scenario, path, text)


def _unique_labels(options: list[Option]) -> tuple[Option, ...]:
    seen: set[str] = set()
    unique = []
    for option in options:
        label, k = option.label, 1
        while label in seen:
            k += 1
            label = f"{option.label}-{k}"
        seen.add(label)
        unique.append(Option(label, option.scenario, option.path, option.text))
    return tuple(unique)


def _measures(system: pd.DataFrame, outcomes: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """``{metric: (final value, mean over the last WINDOW months)}`` of one run's system table."""
    last = system.iloc[-WINDOW:]
    return {m: (float(system[m].iloc[-1]), float(last[m].mean())) for m in outcomes}


def summarise(table: pd.DataFrame, base: str, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Means and paired differences from the base, per option, outcome and measure.

    Parameters
    ----------
    table : pandas.DataFrame
        The outcomes table of a comparison: columns ``option, replicate, seed, outcome`` and the
        :data:`MEASURES`, one row per option, replicate and outcome.
    base : str
        Label of the base option.
    confidence : float
        Confidence level of the t intervals.

    Returns
    -------
    pandas.DataFrame
        One row per option (in table order), outcome and measure, columns ``option, outcome,
        measure, replicates, mean, mean_low, mean_high, difference, difference_low,
        difference_high, effect_size``. ``difference`` is the mean over replicates of (option
        minus base) in the same replicate; its interval is the t interval of those paired
        differences; ``effect_size`` is their mean divided by their standard deviation.
    """
    rows = []
    options = list(dict.fromkeys(table["option"]))
    for outcome in dict.fromkeys(table["outcome"]):
        part = table[table["outcome"] == outcome]
        for measure in MEASURES:
            wide = part.pivot(index="replicate", columns="option", values=measure)
            for option in options:
                level = mean_interval(wide[option], confidence)
                diff = paired_difference(wide[base], wide[option], confidence)
                rows.append({
                    "option": option, "outcome": outcome, "measure": measure, "replicates": level.n,
                    "mean": level.mean, "mean_low": level.low, "mean_high": level.high,
                    "difference": diff.mean, "difference_low": diff.low, "difference_high": diff.high,
                    "effect_size": diff.effect_size,
                })
    return pd.DataFrame(rows)


def _check_counts(replicates: int, steps: int | None, seed: int) -> None:
    if int(replicates) != replicates or replicates < 2:
        raise ValueError(
            f"replicates must be a whole number >= 2 (an interval needs at least two), got {replicates}"
        )
    if steps is not None and (int(steps) != steps or steps < 1):
        raise ValueError(f"steps must be a whole number >= 1, got {steps}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed}")


def run_comparison(
    base: ScenarioLike,
    options: Sequence[ScenarioLike],
    *,
    replicates: int = 30,
    steps: int | None = None,
    seed: int = 0,
    outcomes: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run the base and every option on the same seeds and tabulate their outcomes.

    Parameters
    ----------
    base : Scenario, mapping, str or os.PathLike
        The base scenario (a scenario file, parsed scenario data, or a validated scenario).
    options : sequence of the same
        The options compared with it (at least one).
    replicates : int
        Runs per option, >= 2; replicate ``r`` of every option uses the same seed.
    steps : int, optional
        Months per run (default: the base scenario's ``steps``, used for every option so that all
        are compared over the same horizon).
    seed : int
        Root seed; the replicates' seeds are ``replicate_seeds(seed, replicates)``.
    outcomes : sequence of str, optional
        Metrics to tabulate (default :data:`DEFAULT_OUTCOMES`); trajectories keep every metric.
    progress : callable, optional
        Called as ``progress(done, total)`` after each run (``total = replicates·(1 + len(options))``).

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        If a scenario file cannot be read or does not validate.
    ValueError
        If there is no option, or a count or outcome is out of range.
    """
    _check_counts(replicates, steps, seed)
    if isinstance(options, (str, os.PathLike, Mapping, Scenario)) or len(options) == 0:
        raise ValueError("expected a list of at least one option to compare with the base, got none")
    chosen = check_outcomes(outcomes)
    loaded = _unique_labels([_load(base), *(_load(o) for o in options)])
    steps = int(loaded[0].scenario.scenario.steps if steps is None else steps)
    seeds = [int(s) for s in replicate_seeds(seed, int(replicates))]
    started = time.perf_counter()
    total, done = len(seeds) * len(loaded), 0
    rows, systems = [], []
    for option in loaded:
        for replicate, run_seed in enumerate(seeds):
            system = run(option.scenario, seed=run_seed, steps=steps).system
            for metric, (final, window) in _measures(system, chosen).items():
                rows.append((option.label, replicate, run_seed, metric, final, window))
            system.insert(0, "replicate", replicate)
            system.insert(0, "option", option.label)
            systems.append(system)
            done += 1
            if progress is not None:
                progress(done, total)
    table = pd.DataFrame(rows, columns=["option", "replicate", "seed", "outcome", *MEASURES])
    return Comparison(
        options=loaded,
        seed=int(seed),
        seeds=tuple(seeds),
        steps=steps,
        outcomes=chosen,
        table=table,
        trajectories=pd.concat(systems, ignore_index=True),
        summary=summarise(table, loaded[0].label),
        wall_time_s=time.perf_counter() - started,
    )


def compare(
    base: ScenarioLike,
    options: Sequence[ScenarioLike],
    *,
    replicates: int = 30,
    steps: int | None = None,
    seed: int = 0,
    outcomes: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Compare policy options with a base scenario on common random numbers: the summary table.

    Every option (and the base) is run ``replicates`` times, replicate ``r`` of each on the same
    seed. For each outcome metric the summary gives, per option, the mean over replicates of its
    final-month value and of its mean over the last 12 months, each with a 95% **t interval**, and
    the mean **paired** difference from the base (option minus base, replicate by replicate) with
    the 95% t interval of those differences and the effect size mean/sd of the differences.
    Parameters as :func:`run_comparison`, which also returns the per-replicate table and the
    trajectories.

    Returns
    -------
    pandas.DataFrame
        One row per option (base first), outcome and measure; columns ``option, outcome, measure,
        replicates, mean, mean_low, mean_high, difference, difference_low, difference_high,
        effect_size`` (see :func:`summarise`).

    Examples
    --------
    >>> from ics_abm import compare
    >>> summary = compare("scenarios/default.toml", ["scenarios/aligned_regulators.toml"],
    ...                   replicates=10, steps=24)
    >>> summary.query("outcome == 'mean_trust' and measure == 'final'")[["option", "difference"]]  # doctest: +SKIP
    """
    return run_comparison(
        base, options, replicates=replicates, steps=steps, seed=seed, outcomes=outcomes, progress=progress
    ).summary
