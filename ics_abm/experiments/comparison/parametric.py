"""Parameter uncertainty in a comparison (``ics-abm compare --posterior N``): the nested design and its spread.

**Design.** ``N`` parameter draws from the calibrated posterior
(:func:`ics_abm.experiments.sweeps.posterior.posterior_draws`, seeded by the comparison's root
seed, computed once before any run) times ``R`` replicate seeds
(:func:`ics_abm.experiments.sweeps.seeds.replicate_seeds` of the same root seed, as without
draws). Every option runs every pair ``(d, r)``: draw ``d``'s parameters with seed ``r``, so run
``(d, r)`` of two options differs only by the options (common parameter draws and common random
numbers). A draw sets every calibrated parameter except the *levers*: parameters the options set
differently from each other, which keep each option's own value.

**Spread.** For an option against the base, on one outcome and measure, let ``x[d, r]`` be the
paired difference (option minus base) in run ``(d, r)``, rounding-sized differences counted as 0
(:func:`ics_abm.experiments.comparison.statistics.tied_to_zero`), and ``m[d]`` its mean over the
replicates of draw ``d``. The table :func:`uncertainty` gives

* ``difference``: the mean paired difference over every run ``(d, r)`` (the mean of ``m[d]`` when
  no value is undefined), with its 95% **two-way bootstrap** interval: draws and seeds are
  crossed (every draw runs on the same seeds), so each resample picks draws and seeds
  independently with replacement (the pigeonhole bootstrap, Owen 2007;
  :func:`ics_abm.experiments.comparison.statistics.crossed_interval`); resampling draws alone
  would miss the seed-to-seed uncertainty that every draw shares;
* ``parametric_sd``: the standard deviation of ``m[d]`` across draws (``ddof=1``), the spread due
  to the parameters. The draws share their seeds, so noise common to every draw cancels out of
  it; what noise is left (how differently one seed plays out under two parameter sets) is at
  most ``stochastic_sd/sqrt(R)``;
* ``stochastic_sd``: the pooled within-draw standard deviation, ``sqrt(mean_d var_r x[d, r])``
  (``ddof=1`` within each draw), the spread from seed to seed at fixed parameters;
* ``p_beats``: the share of draws whose ``m[d]`` lies strictly on the favourable side of zero
  (higher for an outcome where more is better or that has no direction, lower where less is
  better; ``favourable`` says which): the probability, over the posterior, that the option beats
  the base. It measures how robust the effect's direction is to the parameters, at the
  comparison's seeds (which every draw shares): with few seeds the interval, which also counts
  the seeds' uncertainty, can include zero while ``p_beats`` is 1; read both.

An option against itself gives exactly 0.0 for the difference, its interval and both spreads,
and ``p_beats`` 0.0.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ics_abm.experiments.comparison.outcomes import run_measures
from ics_abm.experiments.comparison.statistics import CONFIDENCE, crossed_interval, tied_to_zero
from ics_abm.experiments.sweeps.posterior import PosteriorDraws, differing, posterior_draws
from ics_abm.metrics import SYSTEM_METRICS

__all__ = ["UNCERTAINTY_COLUMNS", "comparison_draws", "favourable", "run_draws", "uncertainty"]

#: Columns of :func:`uncertainty`.
UNCERTAINTY_COLUMNS = ["option", "outcome", "measure", "draws", "replicates", "difference", "difference_low",
                       "difference_high", "parametric_sd", "stochastic_sd", "favourable", "p_beats"]


def comparison_draws(options, n: int, seed: int, source=None) -> PosteriorDraws:
    """The common parameter draws of a comparison: the posterior's parameters, levers kept.

    Parameters
    ----------
    options : sequence of ics_abm.experiments.comparison.run.Option
        The base first.
    n : int
        Draws, >= 2.
    seed : int
        The comparison's root seed (also the seed of the resampling).
    source : str or os.PathLike, optional
        A calibration folder; default the shipped posterior.

    Returns
    -------
    PosteriorDraws
        Its ``kept`` are the levers: calibrated parameters the options set differently.
    """
    from ics_abm.experiments.calibration.posterior import parameter_columns
    from ics_abm.experiments.sweeps.posterior import load_posterior
    from ics_abm.scenario.loading import scenario_to_dict

    calibrated = parameter_columns(load_posterior(source, "--posterior-source"))
    levers = differing([scenario_to_dict(o.scenario) for o in options], calibrated)
    return posterior_draws(source, n, seed, keep=levers)


def run_draws(options, draws: PosteriorDraws, seeds: list[int], steps: int, outcomes,
              simulate: Callable, progress: Callable[[int, int], None] | None = None) -> tuple[list, list]:
    """Run every option on every (draw, seed) pair.

    Parameters
    ----------
    options : sequence of Option
    draws : PosteriorDraws
    seeds : list of int
        The replicates' seeds.
    steps : int
    outcomes : sequence of str
    simulate : callable
        ``simulate(scenario, seed, steps) -> system table`` (one run).
    progress : callable, optional
        ``progress(done, total)`` after each run.

    Returns
    -------
    rows : list of tuple
        ``(option, draw, replicate, seed, outcome, measure, value)``.
    systems : list of tuple
        ``(option, draw, replicate, seed, system table)``, by option, draw, replicate.
    """
    from ics_abm.experiments.sweeps.parameters import with_values
    from ics_abm.run import checked_arguments
    from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

    total, done = len(options) * draws.n * len(seeds), 0
    rows: list[tuple] = []
    systems: list[tuple] = []
    for option in options:
        data = scenario_to_dict(option.scenario)
        for d in range(draws.n):
            scenario = scenario_from_dict(with_values(data, draws.values(d)), source=f"{option.label} (draw {d})")
            if d == 0:
                checked_arguments(scenario, seeds[0], steps)
            for replicate, run_seed in enumerate(seeds):
                system = simulate(scenario, run_seed, steps)
                rows.extend((option.label, d, replicate, run_seed, *m) for m in run_measures(system, outcomes))
                systems.append((option.label, d, replicate, run_seed, system))
                done += 1
                if progress is not None:
                    progress(done, total)
    return rows, systems


def favourable(outcome: str) -> str:
    """``"lower"`` for an outcome where less is better, else ``"higher"`` (more is better, or no direction)."""
    return "lower" if SYSTEM_METRICS[outcome].better < 0 else "higher"


def _spread(x: np.ndarray, direction: str, confidence: float) -> dict:
    """The statistics of one option against the base from paired differences ``x``, shape (draws, replicates)."""
    kept = [row[~np.isnan(row)] for row in x]  # each draw's defined differences
    m = np.array([k.mean() if k.size else math.nan for k in kept])
    defined = m[~np.isnan(m)]
    within = [k.var(ddof=1) for k in kept if k.size >= 2]
    low, high = crossed_interval(x, confidence)
    pooled = x[~np.isnan(x)]
    beats = (defined > 0) if direction == "higher" else (defined < 0)
    return {
        "draws": int(defined.size), "replicates": int(x.shape[1]),
        "difference": float(np.clip(pooled.mean(), pooled.min(), pooled.max())) if pooled.size else math.nan,
        "difference_low": low, "difference_high": high,
        "parametric_sd": float(defined.std(ddof=1)) if defined.size >= 2 else math.nan,
        "stochastic_sd": float(math.sqrt(np.mean(within))) if within else math.nan,
        "favourable": direction, "p_beats": float(beats.mean()) if defined.size else math.nan,
    }


def uncertainty(table: pd.DataFrame, base: str, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Each option against the base with the stochastic and parametric spread separated.

    Parameters
    ----------
    table : pandas.DataFrame
        The outcomes table of a comparison with parameter draws: ``option, draw, replicate, seed,
        outcome, measure, value``.
    base : str
        The base option's label.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per option (base first, against itself), outcome and measure; columns
        :data:`UNCERTAINTY_COLUMNS` (see the module docstring).
    """
    options = list(dict.fromkeys(table["option"]))
    rows = []
    for (outcome, measure), part in table.groupby(["outcome", "measure"], sort=False):
        wide = part.pivot(index=["draw", "replicate"], columns="option", values="value")
        n_draws = wide.index.get_level_values("draw").nunique()
        reference = wide[base].to_numpy(np.float64)
        for option in options:
            x = tied_to_zero(reference, wide[option].to_numpy(np.float64)).reshape(n_draws, -1)
            rows.append({"option": option, "outcome": str(outcome), "measure": str(measure),
                         **_spread(x, favourable(str(outcome)), confidence)})
    order = {o: i for i, o in enumerate(options)}
    frame = pd.DataFrame(rows, columns=UNCERTAINTY_COLUMNS)
    return frame.sort_values("option", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
