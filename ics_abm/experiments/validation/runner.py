"""Running stylized facts: both arms on the same seeds, the paired effect, its interval, a verdict.

For each seed both arms are run (once, if they are the same scenario) and the fact's outcome is
measured in each; the effect is the mean over seeds of the paired difference B − A, with its 95%
**Student t interval** (:mod:`ics_abm.experiments.paired`) and the standardised effect size mean/sd of the
differences. The fact **passes** if and only if the interval excludes zero on the expected side.
A zero-width interval at zero (the arms never differ) therefore fails, as does an effect in the
wrong direction or one too small to tell from noise with the seeds given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ics_abm.experiments.paired import PairedDifference, paired_difference
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.experiments.validation.fact import StylizedFact
from ics_abm.run import RunResult, run
from ics_abm.scenario.loading import scenario_to_dict
from ics_abm.scenario.schema import Scenario

__all__ = ["MIN_SEEDS", "FactResult", "fact_seeds", "run_fact", "select", "summary_table", "outcomes_table", "validate"]

#: Seeds per arm below which :func:`validate` refuses to judge a fact.
MIN_SEEDS = 30


@dataclass(frozen=True)
class FactResult:
    """The measured effect of one fact.

    Attributes
    ----------
    fact : StylizedFact
    seeds : tuple of int
        The run seeds, shared by both arms (spawned from ``root_seed``).
    root_seed : int
    a, b : numpy.ndarray of float, shape (n_seeds,)
        The outcome in each arm, per seed.
    difference : PairedDifference
        Mean of ``b - a`` with its 95% t interval and effect size.
    passed : bool
        Whether the interval excludes zero in the expected direction.
    trajectories : pandas.DataFrame
        The metric that illustrates each arm's outcome, per month: columns ``arm, metric, seed,
        step, value`` (empty if no outcome names a metric).
    same_runs : bool
        Whether both arms are the same scenario (a within-run contrast, run once per seed).
    wall_time_s : float
    """

    fact: StylizedFact
    seeds: tuple[int, ...]
    root_seed: int
    a: np.ndarray
    b: np.ndarray
    difference: PairedDifference
    passed: bool
    trajectories: pd.DataFrame
    same_runs: bool
    wall_time_s: float


def _seed_list(seeds: int | Sequence[int], root: int) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        return [int(s) for s in replicate_seeds(root, int(seeds))]
    return [int(s) for s in seeds]


#: Runs shared between facts: ``{(scenario as JSON, seed, steps): RunResult}``.
RunCache = MutableMapping[tuple[str, int, int], RunResult]


def _run(scenario: Scenario, seed: int, steps: int, cache: RunCache | None) -> RunResult:
    # A run is a pure function of scenario, seed and steps, so a cached run is the same run:
    # facts that share an arm (SF5, SF5b, SF5c...) need not repeat it.
    if cache is None:
        return run(scenario, seed=seed, steps=steps)
    key = (json.dumps(scenario_to_dict(scenario), sort_keys=True), seed, steps)
    if key not in cache:
        cache[key] = run(scenario, seed=seed, steps=steps)
    return cache[key]


def run_fact(
    fact: StylizedFact, seeds: int | Sequence[int] = MIN_SEEDS, *, seed: int = 0, cache: RunCache | None = None
) -> FactResult:
    """Run both arms of ``fact`` on the same seeds and judge it.

    Parameters
    ----------
    fact : StylizedFact
    seeds : int or sequence of int
        Number of seeds (spawned from ``seed``), or the run seeds themselves; at least 2.
    seed : int
        Root seed when ``seeds`` is a number.
    cache : mutable mapping, optional
        Runs already made (e.g. by other facts), keyed by scenario, seed and steps; new runs are
        added to it. ``None``: no caching.

    Returns
    -------
    FactResult

    Raises
    ------
    ScenarioError
        If an arm's scenario does not validate.
    ValueError
        If fewer than two seeds are given.
    """
    started = time.perf_counter()
    seed_list = _seed_list(seeds, seed)
    if len(seed_list) < 2:
        raise ValueError(f"fact {fact.id}: expected at least 2 seeds for an interval, got {len(seed_list)}")
    arms = (fact.a, fact.b)
    scenarios = [fact.scenario(arm) for arm in arms]
    outcomes = [fact.outcome_of(arm) for arm in arms]
    same_runs = scenarios[1] == scenarios[0]
    values = np.empty((2, len(seed_list)))
    frames = []
    for j, run_seed in enumerate(seed_list):
        result_a = _run(scenarios[0], run_seed, fact.steps, cache)
        # The same scenario in both arms (a within-run contrast) is run once: same seed, same run.
        result_b = result_a if same_runs else _run(scenarios[1], run_seed, fact.steps, cache)
        for i, (arm, outcome, result) in enumerate(zip(arms, outcomes, (result_a, result_b), strict=True)):
            values[i, j] = outcome(result)
            if outcome.metric is not None:
                frames.append(pd.DataFrame({
                    "arm": arm.label, "metric": outcome.metric, "seed": run_seed,
                    "step": result.system["step"].to_numpy(), "value": result.system[outcome.metric].to_numpy(),
                }))
    difference = paired_difference(values[0], values[1])
    columns = ["arm", "metric", "seed", "step", "value"]
    return FactResult(
        fact=fact,
        seeds=tuple(seed_list),
        root_seed=int(seed),
        a=values[0],
        b=values[1],
        difference=difference,
        passed=difference.excludes_zero(fact.expected),
        trajectories=pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns),
        same_runs=same_runs,
        wall_time_s=time.perf_counter() - started,
    )


def select(facts: Iterable[StylizedFact], only: Iterable[str] | None = None) -> list[StylizedFact]:
    """The facts whose ids are in ``only`` (all if ``None``), in registry order.

    Raises
    ------
    ValueError
        If an id in ``only`` is not a registered fact.
    """
    facts = list(facts)
    if only is None:
        return facts
    wanted = [i.strip() for i in only if i.strip()]
    known = [f.id for f in facts]
    for fact_id in wanted:
        if fact_id not in known:
            raise ValueError(f"'{fact_id}' is not a registered stylized fact; expected one of {', '.join(known)}")
    return [f for f in facts if f.id in wanted]


def fact_seeds(fact: StylizedFact, seeds: int, root: int = 0) -> list[int]:
    """The run seeds of ``fact``: the first ``max(seeds, fact.min_seeds)`` seeds spawned from ``root``.

    Every fact shares its first ``seeds`` seeds with every other; a fact that counts rare events
    runs on more (:attr:`StylizedFact.min_seeds`).
    """
    return [int(s) for s in replicate_seeds(root, max(int(seeds), int(fact.min_seeds)))]


def validate(
    facts: Iterable[StylizedFact] | None = None,
    *,
    seeds: int = MIN_SEEDS,
    seed: int = 0,
    only: Iterable[str] | None = None,
    progress: Callable[[int, int, StylizedFact], None] | None = None,
) -> list[FactResult]:
    """Run every registered stylized fact (or those in ``only``) and judge each.

    Parameters
    ----------
    facts : iterable of StylizedFact, optional
        Default: the registry :data:`ics_abm.experiments.validation.facts.FACTS`.
    seeds : int
        Seeds per arm, at least :data:`MIN_SEEDS`; the same seeds for every fact.
    seed : int
        Root seed of the seeds.
    only : iterable of str, optional
        Ids of the facts to run.
    progress : callable, optional
        Called as ``progress(done, total, fact)`` after each fact.

    Returns
    -------
    list of FactResult
        In registry order.
    """
    if facts is None:
        from ics_abm.experiments.validation.facts import FACTS

        facts = FACTS
    if int(seeds) != seeds or seeds < MIN_SEEDS:
        raise ValueError(f"seeds must be a whole number >= {MIN_SEEDS} per arm, got {seeds}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed}")
    chosen = select(facts, only)
    results, cache = [], {}
    for done, fact in enumerate(chosen, start=1):
        result = run_fact(fact, fact_seeds(fact, int(seeds), seed), seed=seed, cache=cache)
        results.append(result)
        if progress is not None:
            progress(done, len(chosen), fact)
    return results


def summary_table(results: Sequence[FactResult]) -> pd.DataFrame:
    """One row per fact: ``id, title, tag, expected, seeds, mean_a, mean_b, difference, low, high,
    effect_size, passed``."""
    return pd.DataFrame([
        {
            "id": r.fact.id, "title": r.fact.title, "tag": r.fact.tag, "expected": r.fact.expected,
            "seeds": r.difference.n, "mean_a": float(np.nanmean(r.a)), "mean_b": float(np.nanmean(r.b)),
            "difference": r.difference.mean, "low": r.difference.low, "high": r.difference.high,
            "effect_size": r.difference.effect_size, "passed": r.passed,
        }
        for r in results
    ])


def outcomes_table(results: Sequence[FactResult]) -> pd.DataFrame:
    """One row per fact and seed: ``id, seed, a, b, difference`` (``b - a``)."""
    return pd.concat(
        [pd.DataFrame({"id": r.fact.id, "seed": np.asarray(r.seeds), "a": r.a, "b": r.b, "difference": r.b - r.a})
         for r in results],
        ignore_index=True,
    ) if results else pd.DataFrame(columns=["id", "seed", "a", "b", "difference"])
