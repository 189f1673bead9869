"""Comparing policy options on common random numbers (``ics-abm compare``, :func:`compare`).

A comparison runs a base scenario and one or more options for the same number of months on the
same seeds: replicate ``r`` of every option uses ``seeds[r]``, spawned from one root seed by
:func:`ics_abm.experiments.sweeps.seeds.replicate_seeds` (so replicate ``r`` here is replicate ``r`` of a sweep
with the same root seed). Every option therefore starts from the same graph, budgets and starting
trust and draws the same noise, so the difference between two options in replicate ``r`` is due
to the options alone, and differences are estimated from paired replicates: far more precisely
than from independent runs. Options must therefore be the same system (the same
``[organisations]`` and ``[network]``) under different policies.

Four tables, all tidy and long:

* ``table`` (the *outcomes*): ``option, replicate, seed, outcome, measure, value``, with the
  measures of :mod:`ics_abm.experiments.comparison.outcomes` (the final month, the mean of the
  last 12 months, and the sum over every month for a flow);
* ``trajectories``: ``option, replicate, seed, step, outcome, value`` for every metric of
  :data:`ics_abm.metrics.METRICS` and every month;
* ``summary``: per option, outcome and measure, the mean with its percentile bootstrap interval
  and the paired contrast with the base (:func:`ics_abm.experiments.comparison.summary.summarise`);
* ``contrasts``: every option against every other option
  (:func:`ics_abm.experiments.comparison.summary.contrasts`).

With ``posterior=N`` (``ics-abm compare --posterior N``) every replicate's parameters are also
drawn from the calibrated posterior, in a nested design of N draws x R seeds that every option
shares (:mod:`ics_abm.experiments.comparison.parametric`): ``table`` and ``trajectories`` gain a
``draw`` column after ``option``, the intervals of ``summary`` and ``contrasts`` are two-way
bootstrap intervals over draws and seeds, ``draws`` holds the parameter draws and ``uncertainty`` separates
the stochastic from the parametric spread, with the probability that each option beats the base.

:meth:`Comparison.report` writes the policy briefing (:mod:`ics_abm.experiments.comparison.briefing`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ics_abm.experiments.batch import system_table
from ics_abm.experiments.comparison.outcomes import DEFAULT_OUTCOMES, MEASURES, WINDOW, check_outcomes, run_measures
from ics_abm.experiments.comparison.summary import contrasts, summarise
from ics_abm.experiments.sweeps.posterior import PosteriorDraws
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.limits import MAX_REPLICATES, MAX_SEED, MAX_STEPS
from ics_abm.metrics import METRICS
from ics_abm.run import checked_arguments
from ics_abm.scenario.catalog import resolve_scenario
from ics_abm.scenario.loading import read_scenario, scenario_from_dict
from ics_abm.scenario.schema import Scenario
from ics_abm.simulation import Simulation

__all__ = [
    "DEFAULT_OUTCOMES",
    "MEASURES",
    "WINDOW",
    "Comparison",
    "Option",
    "check_outcomes",
    "check_same_system",
    "compare",
    "run_comparison",
    "summarise",
]

ScenarioLike = Scenario | Mapping | str | os.PathLike
#: The sections that make two scenarios the same system (the graph common random numbers pair).
SYSTEM_SECTIONS = ("organisations", "network")


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
    contrasts: pd.DataFrame
    wall_time_s: float
    domain: str | None = None
    draws: PosteriorDraws | None = None
    uncertainty: pd.DataFrame | None = None

    @property
    def runs_per_option(self) -> int:
        """Paired runs per option: replicates, times parameter draws with a posterior."""
        return len(self.seeds) * (self.draws.n if self.draws is not None else 1)

    @property
    def base(self) -> Option:
        """The base option (differences in ``summary`` are option minus base)."""
        return self.options[0]

    @property
    def labels(self) -> list[str]:
        """The options' labels, base first."""
        return [o.label for o in self.options]

    def report(self, out_dir: str | os.PathLike | None = None):
        """The policy briefing of this comparison, written to ``out_dir`` if given.

        Parameters
        ----------
        out_dir : str or os.PathLike, optional
            Directory to write ``briefing.html`` (self-contained), ``briefing.md`` and the
            figures it shows into (created if missing; files of the same name are replaced).

        Returns
        -------
        ics_abm.experiments.comparison.briefing.Briefing
            With ``markdown``, ``html`` and one ``verdicts`` sentence per option; shown as HTML
            in Jupyter.
        """
        from ics_abm.experiments.comparison.briefing import write_briefing

        return write_briefing(self, out_dir)


def _load(item: ScenarioLike) -> Option:
    if isinstance(item, Scenario):
        return Option(item.scenario.name, item)
    if isinstance(item, Mapping):
        scenario = scenario_from_dict(dict(item))
        return Option(scenario.scenario.name, scenario)
    given = os.fspath(item)
    scenario, text = read_scenario(given)  # a file or a packaged scenario's name; errors name it as given
    path = os.fspath(resolve_scenario(given))
    return Option(Path(given).stem or scenario.scenario.name, scenario, path, text)


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


def check_same_system(options: Sequence[Option]) -> None:
    """Refuse options that are not the base's system under another policy.

    Parameters
    ----------
    options : sequence of Option
        The base first.

    Raises
    ------
    ValueError
        One sentence naming the first option whose ``[organisations]`` or ``[network]`` differs
        from the base's.
    """
    base = options[0]
    for option in options[1:]:
        for section in SYSTEM_SECTIONS:
            ours, theirs = (getattr(o.scenario, section).model_dump() for o in (base, option))
            if ours != theirs:
                keys = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
                detail = ", ".join(f"{k} {ours.get(k)} vs {theirs.get(k)}" for k in keys[:3])
                raise ValueError(
                    f"option '{option.label}' is not the same system as the base '{base.label}' ([{section}] differs: "
                    f"{detail}); a comparison pairs runs of one system under different policies"
                )


def _check_counts(replicates: int, steps: int | None, seed: int) -> None:
    if int(replicates) != replicates or replicates < 2:
        raise ValueError(
            f"replicates must be a whole number >= 2 (an interval needs at least two), got {replicates}"
        )
    if replicates > MAX_REPLICATES:  # issue 15: bounded like every size (ics_abm.limits)
        raise ValueError(f"replicates must be a whole number from 2 to {MAX_REPLICATES:,}, got {replicates}")
    if steps is not None and (int(steps) != steps or not 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {steps}")
    if int(seed) != seed or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to 2**64 - 1, got {seed}")


def _system_table(scenario: Scenario, seed: int, steps: int) -> pd.DataFrame:
    """One run's system table (:func:`ics_abm.run`'s ``system``; arguments checked by the caller), for posterior draws."""
    model = Simulation(scenario, seed)
    model.simulate(steps)  # one call: the months are the same in one call as in run()'s chunks of 12
    return model.history()


def _long_trajectories(runs: list[tuple]) -> pd.DataFrame:
    """The runs' system tables as one long table: option, replicate, seed, step, outcome, value.

    ``runs`` holds ``(option, replicate, seed, system table)`` with the options in order and each
    option's replicates in order; rows come out by option, replicate, outcome (in the order of
    :data:`ics_abm.metrics.METRICS`), then step: the order ``pandas.melt`` and a stable sort gave,
    built directly with numpy (the melt and sort took about a tenth of a comparison's time).
    With parameter draws, ``runs`` holds ``(option, draw, replicate, seed, system table)`` and the
    table has a ``draw`` column after ``option``.
    """
    metrics = list(METRICS)
    with_draws = bool(runs) and len(runs[0]) == 5
    draws = [run[1] for run in runs] if with_draws else []
    values, steps, options, replicates, seeds = [], [], [], [], []
    for *head, replicate, seed, system in runs:
        option = head[0]
        table = system[metrics].to_numpy(dtype=np.float64)  # integer metrics as the table holds them
        values.append(table.T.reshape(-1))  # outcome-major, step-minor
        steps.append(np.tile(system["step"].to_numpy(dtype=np.int64), len(metrics)))
        options.append(option)
        replicates.append(replicate)
        seeds.append(seed)
    per_run = np.array([v.size for v in values], dtype=np.int64)
    n_steps = per_run // len(metrics) if len(runs) else per_run
    drawn = {"draw": np.repeat(np.array(draws, dtype=np.int64), per_run)} if with_draws else {}
    return pd.DataFrame({
        "option": np.repeat(np.array(options, dtype=object), per_run),
        **drawn,
        "replicate": np.repeat(np.array(replicates, dtype=np.int64), per_run),
        "seed": np.repeat(np.array(seeds, dtype=np.int64), per_run),
        "step": np.concatenate(steps) if runs else np.empty(0, dtype=np.int64),
        "outcome": np.concatenate([np.repeat(np.array(metrics, dtype=object), n) for n in n_steps]) if runs
        else np.empty(0, dtype=object),
        "value": np.concatenate(values) if runs else np.empty(0, dtype=np.float64),
    })


def compare(
    base: ScenarioLike,
    options: Sequence[ScenarioLike],
    *,
    replicates: int = 30,
    steps: int | None = None,
    seed: int = 0,
    outcomes: Sequence[str] | None = None,
    domain: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    posterior: int | None = None,
    posterior_source: str | os.PathLike | None = None,
) -> Comparison:
    """Compare policy options with a base scenario on common random numbers.

    Every option (and the base) is run ``replicates`` times, replicate ``r`` of each on the same
    seed. Each outcome is measured in every run (:mod:`ics_abm.experiments.comparison.outcomes`);
    the summary gives each option's mean with its percentile bootstrap interval and its paired
    contrast with the base; ``contrasts`` gives every option against every other.

    Parameters
    ----------
    base : Scenario, mapping, str or os.PathLike
        The base scenario (a scenario file, parsed scenario data, or a validated scenario).
    options : sequence of the same
        The options compared with it (at least one), the same system as the base.
    replicates : int
        Runs per option, >= 2; replicate ``r`` of every option uses the same seed.
    steps : int, optional
        Months per run (default: the base scenario's ``steps``, used for every option so that all
        are compared over the same horizon).
    seed : int
        Root seed; the replicates' seeds are ``replicate_seeds(seed, replicates)``.
    outcomes : sequence of str, optional
        Metrics to tabulate (default: the domain's, see ``domain``); trajectories keep every metric.
    domain : {"regulation", "finance", "governance"}, optional
        The policy question, which chooses the default outcomes
        (:data:`ics_abm.experiments.comparison.outcomes.DOMAINS`); without it, :data:`DEFAULT_OUTCOMES`.
    progress : callable, optional
        Called as ``progress(done, total)`` after each run (``total = replicates·(1 + len(options))``,
        times ``posterior`` with parameter draws).
    posterior : int, optional
        Parameter draws, >= 2: run every option on ``posterior`` draws from the calibrated
        posterior x ``replicates`` seeds, the same draws and seeds for every option
        (:mod:`ics_abm.experiments.comparison.parametric`). Default none: the scenarios' own values.
    posterior_source : str or os.PathLike, optional
        A folder written by ``ics-abm calibrate`` to draw from (default: the shipped posterior).

    Returns
    -------
    Comparison
        Its ``summary``, ``contrasts``, ``table`` and ``trajectories``; ``report()`` writes the briefing.

    Raises
    ------
    ScenarioError
        If a scenario file cannot be read or does not validate.
    ValueError
        If there is no option, an option is another system, or a count, outcome or domain is
        out of range.

    Examples
    --------
    >>> from ics_abm import compare
    >>> result = compare("scenarios/default.toml", ["scenarios/regulation_aligned.toml"],
    ...                  replicates=5, steps=24)  # doctest: +SKIP
    >>> result.summary.query("outcome == 'mean_trust' and measure == 'final'")  # doctest: +SKIP
    >>> drawn = compare("default", ["regulation_aligned"], replicates=5, posterior=8,
    ...                 posterior_source="results/calibrate-ci")  # doctest: +SKIP
    >>> drawn.uncertainty[["option", "outcome", "measure", "parametric_sd", "stochastic_sd", "p_beats"]]  # doctest: +SKIP
    """
    _check_counts(replicates, steps, seed)
    if isinstance(options, (str, os.PathLike, Mapping, Scenario)) or len(options) == 0:
        raise ValueError("expected a list of at least one option to compare with the base, got none")
    if posterior is not None and (isinstance(posterior, bool) or int(posterior) != posterior or posterior < 2
                                  or posterior > MAX_REPLICATES):
        raise ValueError(f"posterior must be a whole number of parameter draws from 2 to {MAX_REPLICATES:,} (an "
                         f"interval over draws needs two), got {posterior!r}")
    if posterior is None and posterior_source is not None:
        raise ValueError(f"posterior_source was given ({posterior_source}) without posterior; expected posterior=N too")
    chosen = check_outcomes(outcomes, domain)
    loaded = _unique_labels([_load(base), *(_load(o) for o in options)])
    check_same_system(loaded)
    steps = int(loaded[0].scenario.scenario.steps if steps is None else steps)
    seeds = [int(s) for s in replicate_seeds(seed, int(replicates))]
    started = time.perf_counter()
    if posterior is not None:
        return _compare_drawn(loaded, int(posterior), posterior_source, seed, seeds, steps, chosen, domain, progress,
                              started)
    total, done = len(seeds) * len(loaded), 0
    rows: list[tuple] = []
    systems: list[tuple[str, int, int, pd.DataFrame]] = []
    per_batch = max(1, 120_000 // steps)  # runs advanced together: a few tens of MB of outputs at most
    for option in loaded:
        checked_arguments(option.scenario, seeds[0], steps)  # what run() checks (size limits), once per option
        for first in range(0, len(seeds), per_batch):
            # The batch driver: each run's rows are run()'s system table bit for bit (test_batch), without
            # a model, tables and checks per run (issue 16: about a tenth of a comparison's time).
            batch = system_table(option.scenario, seeds[first:first + per_batch], steps, parallel=False)
            for k, run_seed in enumerate(seeds[first:first + per_batch]):
                system = batch.iloc[k * steps:(k + 1) * steps]
                rows.extend((option.label, first + k, run_seed, *measured) for measured in run_measures(system, chosen))
                systems.append((option.label, first + k, run_seed, system))
                done += 1
                if progress is not None:
                    progress(done, total)
    table = pd.DataFrame(rows, columns=["option", "replicate", "seed", "outcome", "measure", "value"])
    return Comparison(
        options=loaded,
        seed=int(seed),
        seeds=tuple(seeds),
        steps=steps,
        outcomes=chosen,
        table=table,
        trajectories=_long_trajectories(systems),
        summary=summarise(table, loaded[0].label),
        contrasts=contrasts(table),
        wall_time_s=time.perf_counter() - started,
        domain=domain,
    )


def _compare_drawn(loaded, n, source, seed, seeds, steps, chosen, domain, progress, started) -> Comparison:
    """:func:`compare` with ``n`` common parameter draws (:mod:`ics_abm.experiments.comparison.parametric`)."""
    from ics_abm.experiments.comparison.parametric import comparison_draws, run_draws, uncertainty

    draws = comparison_draws(loaded, n, int(seed), source)  # once, here: no run depends on who computes it
    rows, systems = run_draws(loaded, draws, seeds, steps, chosen, _system_table, progress)
    table = pd.DataFrame(rows, columns=["option", "draw", "replicate", "seed", "outcome", "measure", "value"])
    base = loaded[0].label
    return Comparison(options=loaded, seed=int(seed), seeds=tuple(seeds), steps=steps, outcomes=chosen, table=table,
                      trajectories=_long_trajectories(systems), summary=summarise(table, base),
                      contrasts=contrasts(table), wall_time_s=time.perf_counter() - started, domain=domain,
                      draws=draws, uncertainty=uncertainty(table, base))


#: The name of version 0.1 (same function).
run_comparison = compare
