"""Pattern-oriented ABC-SMC with pyabc, on the project's executors, streamed to disk and resumable.

Layout of an output folder ``OUT``:

* ``config.toml``: the config's text (a ``--resume`` must give the same);
* ``calibration.db``: pyabc's SQLite history, written by pyabc after each finished generation;
* ``generations/generation-NNN.parquet``: each finished generation as a tidy table (``generation,
  particle, weight, distance`` and one column per parameter), written atomically (a temporary file
  renamed into place) right after pyabc has stored it;
* ``slots/sample-NNN/slot-NNNNN.pkl``: each particle slot of the generation in progress (``NNN`` is
  pyabc's generation + 1; 000 is the prior sample an adaptive threshold starts from), as it
  finishes (written atomically), reused by ``--resume`` and removed when the generation is stored;
* ``posterior.parquet``: the last generation, written (atomically) only when the run is complete,
  so that a folder with it is a finished calibration and one without it is not.

Each generation is run by a fresh :class:`pyabc.ABCSMC` loaded from the history (``ABCSMC.load``,
then ``run(max_nr_populations=1)``; pyabc continues at ``history.max_t + 1``), so an uninterrupted
run and one resumed after a kill take the same path: a resumed run redoes only the generation that
was in progress, and within it only the particle slots that had not finished. Sampling (the
``DeterministicSampler`` of :func:`_sampler_class`) gives each particle slot of generation
``t`` its own seed spawned from ``(root_seed, t + 1, slot)`` and keeps drawing in that slot until
one is accepted, so the accepted population does not depend on the number of workers.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ics_abm.experiments.calibration.config import CalibrationConfig, CalibrationError
from ics_abm.experiments.calibration.fact_patterns import fact_statistic, is_fact
from ics_abm.experiments.calibration.patterns import ARMS, PATTERNS, distance, summaries
from ics_abm.experiments.sweeps.seeds import replicate_seeds, seed_of

__all__ = ["CalibrationResult", "calibrate", "load_calibration"]

_DB, _CONFIG, _POSTERIOR, _GENERATIONS = "calibration.db", "config.toml", "posterior.parquet", "generations"
#: Finished particle slots of the generation in progress (one pickle each), so that a kill loses
#: only the slots being run; a generation's folder is removed once pyabc has stored it.
_SLOTS = "slots"


class PatternModel:
    """The simulator pyabc calls: a parameter set -> the patterns' statistics on the common seeds."""

    def __init__(self, config: CalibrationConfig) -> None:
        settings = config.settings
        self.base, self.steps = config.base, settings.steps
        self.names = tuple(settings.patterns)
        self.seeds = [int(s) for s in replicate_seeds(settings.root_seed, settings.seeds)]
        self.levels = tuple(n for n in self.names if not is_fact(n))
        self.facts = tuple(n for n in self.names if is_fact(n))
        self.arms = tuple(dict.fromkeys(PATTERNS[n].arm for n in self.levels))
        # The facts' seeds, the same for every particle: spawned from (root seed, 0xFAC7), apart from the levels'.
        fact_root = seed_of(np.random.SeedSequence(settings.root_seed, spawn_key=(0xFAC7,)))
        self.fact_seeds = [int(s) for s in replicate_seeds(fact_root, settings.fact_seeds or settings.seeds)]
        self._default: dict | None = None

    def __call__(self, parameters) -> dict[str, float]:
        from ics_abm.experiments.batch import system_table
        from ics_abm.experiments.sweeps.parameters import with_values
        from ics_abm.scenario.errors import ScenarioError
        from ics_abm.scenario.loading import scenario_from_dict

        values = {k: float(v) for k, v in dict(parameters).items()}
        try:
            scenarios = {arm: scenario_from_dict(with_values(with_values(self.base, values), ARMS[arm]))
                         for arm in self.arms}
        except ScenarioError:
            # Each bound is checked alone (config.py); a combination the scenario refuses (e.g. the
            # payoff ordering of docs/model.md 7.2) lies outside the model: the prior is truncated
            # to valid scenarios by rejecting it (every statistic NaN, the largest distance).
            return {name: float("nan") for name in self.names}
        tables = {arm: system_table(scenario, self.seeds, self.steps, parallel=False)
                  for arm, scenario in scenarios.items()}
        stats = summaries(tables, self.steps, self.levels)
        for name in self.facts:
            stats[name] = fact_statistic(name, values, self.fact_seeds, self._default_scenario())
        return {name: stats[name] for name in self.names}

    def _default_scenario(self) -> dict:
        if self._default is None:
            from ics_abm.scenario.catalog import resolve_scenario
            from ics_abm.scenario.loading import load_scenario, scenario_to_dict

            self._default = scenario_to_dict(load_scenario(resolve_scenario("default")))
        return self._default


class PatternDistance:
    """pyabc's distance: :func:`~ics_abm.experiments.calibration.patterns.distance` (observed data unused)."""

    def __call__(self, x, x_0) -> float:
        return distance(x)


def _slot(pickled, entropy: tuple[int, int, int]):
    """One particle slot: draw and simulate with the slot's own seed until one particle is accepted."""
    import cloudpickle

    simulate_one = cloudpickle.loads(pickled)
    state = np.random.SeedSequence(entropy[0], spawn_key=entropy[1:]).generate_state(2)
    np.random.seed(int(state[0]))
    random.seed(int(state[1]))
    from pyabc.population import Sample

    sample, evaluations = Sample(record_rejected=False), 0
    while True:
        particle = simulate_one()
        evaluations += 1
        sample.append(particle)
        if particle.accepted:
            return sample, evaluations


def _sampler_class():
    from pyabc.sampler import Sampler

    class DeterministicSampler(Sampler):
        """A pyabc sampler on any :class:`concurrent.futures.Executor`, independent of the worker count."""

        def __init__(self, executor, root_seed: int, store: Path | None = None) -> None:
            super().__init__()
            self.executor, self.root_seed, self.store = executor, int(root_seed), store
            self.reused_slots_ = 0

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
            import concurrent.futures as cf
            import functools
            import pickle

            import cloudpickle

            pickled = cloudpickle.dumps(simulate_one)
            # pyabc's sample t: -1 is the prior sample some thresholds calibrate on, then the generations.
            folder = None if self.store is None else self.store / f"sample-{t + 1:03d}"
            results: dict[int, tuple] = {}
            if folder is not None:  # slots finished before a kill: the same seed gives the same slot
                folder.mkdir(parents=True, exist_ok=True)
                for path in folder.glob("slot-*.pkl"):
                    results[int(path.stem[5:])] = pickle.loads(path.read_bytes())
            self.reused_slots_ = len(results)

            def store(slot: int, future) -> None:
                # Written as the slot finishes, not after the generation: an in-process executor runs
                # each slot inside submit(), so a loop over the finished futures would come too late.
                if folder is not None and not future.cancelled() and future.exception() is None:
                    partial = folder / f"slot-{slot:05d}.pkl.partial"
                    partial.write_bytes(pickle.dumps(future.result()))
                    os.replace(partial, folder / f"slot-{slot:05d}.pkl")

            futures = {}
            for slot in range(n):
                if slot not in results:
                    future = self.executor.submit(_slot, pickled, (self.root_seed, t + 1, slot))
                    future.add_done_callback(functools.partial(store, slot))
                    futures[future] = slot
            for future in cf.as_completed(futures):
                results[futures[future]] = future.result()
            sample = self._create_empty_sample()
            for slot in range(n):  # in slot order: the population does not depend on finishing order
                sample += results[slot][0]
            self.nr_evaluations_ = sum(e for _, e in results.values())
            return sample

    return DeterministicSampler


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` did: the folder, generations done now and before, evaluations now."""

    out: Path
    generations: int
    resumed_from: int
    evaluations: int


def _atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    frame.to_parquet(partial, index=False)
    os.replace(partial, path)


def _generation(history, t: int) -> pd.DataFrame:
    parameters, weights = history.get_distribution(m=0, t=t)
    distances = history.get_weighted_distances(t=t)["distance"].to_numpy()
    frame = pd.DataFrame({"generation": t, "particle": np.arange(len(weights)), "weight": np.asarray(weights),
                          "distance": distances})
    for name in parameters.columns:
        frame[name] = parameters[name].to_numpy(dtype=np.float64)
    return frame


def _export(history, out: Path) -> int:
    """Write the tidy file of every finished generation that has none yet; return how many are finished."""
    finished = int(history.max_t) + 1 if history.n_populations else 0
    folder = out / _GENERATIONS
    folder.mkdir(exist_ok=True)
    for t in range(finished):
        path = folder / f"generation-{t:03d}.parquet"
        if not path.exists():
            _atomic_parquet(_generation(history, t), path)
    return finished


def _prepare(config: CalibrationConfig, out: Path, resume: bool) -> bool:
    """Check (and make) the output folder; return whether a history is there to continue."""
    db = out / _DB
    if resume:
        if not db.exists():
            return False
        kept = (out / _CONFIG).read_text(encoding="utf-8") if (out / _CONFIG).exists() else ""
        if kept != config.text:
            raise CalibrationError(os.fspath(out), f"--resume expected the config the calibration was started with "
                                                   f"({out / _CONFIG}), got a different {config.path}")
        return True
    if out.exists() and any(out.iterdir()):
        raise CalibrationError(os.fspath(out), "the output folder already holds files; expected a new or empty folder "
                                               "(or --resume to continue a calibration there)")
    return False


def _abc(config: CalibrationConfig, sampler):
    import pyabc

    settings = config.settings
    prior = pyabc.Distribution(**{p: pyabc.RV("uniform", b.range[0], b.range[1] - b.range[0])
                                  for p, b in config.prior.items()})
    eps = pyabc.ListEpsilon(settings.epsilon) if settings.epsilon else pyabc.MedianEpsilon()
    return pyabc.ABCSMC(PatternModel(config), prior, PatternDistance(), population_size=settings.population_size,
                        sampler=sampler, eps=eps)


def calibrate(config: CalibrationConfig, out: str | os.PathLike, executor, resume: bool = False) -> CalibrationResult:
    """Run (or continue) the calibration of ``config`` into ``out`` on ``executor`` (module docstring).

    Raises
    ------
    CalibrationError
        If ``out`` is in the way, or ``--resume`` is given another config.
    """
    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    out = Path(out)
    existing = _prepare(config, out, resume)
    out.mkdir(parents=True, exist_ok=True)
    if not existing:
        (out / _CONFIG).write_text(config.text, encoding="utf-8")
    db = "sqlite:///" + os.path.abspath(out / _DB)
    sampler = _sampler_class()(executor, config.settings.root_seed, out / _SLOTS)
    settings, evaluations = config.settings, 0
    abc = _abc(config, sampler)
    history = abc.load(db, 1) if existing else abc.new(db, {name: 0.0 for name in settings.patterns})
    before = done = _export(history, out)
    while done < settings.generations:
        if abc is None:  # each generation from the stored history, as a resumed run does
            abc = _abc(config, sampler)
            abc.load(db, 1)
        history = abc.run(minimum_epsilon=settings.minimum_epsilon, max_nr_populations=1)
        abc = None
        evaluations += sampler.nr_evaluations_
        finished = _export(history, out)
        shutil.rmtree(out / _SLOTS, ignore_errors=True)  # the finished generation is in the history now
        if finished == done:  # pyabc stopped without a new generation
            break
        done = finished
        if history.get_all_populations()["epsilon"].iloc[-1] <= settings.minimum_epsilon:
            break
    if done == 0:
        raise CalibrationError(os.fspath(out), "pyabc finished no generation; expected at least one")
    _atomic_parquet(_generation(history, done - 1), out / _POSTERIOR)
    (out / "summary.json").write_text(json.dumps({"generations": done, "evaluations_now": evaluations}), encoding="utf-8")
    return CalibrationResult(out, done, before, evaluations)


def _files(out: Path) -> Iterator[Path]:
    yield from sorted((out / _GENERATIONS).glob("generation-*.parquet"))


def load_calibration(out: str | os.PathLike) -> pd.DataFrame:
    """Every finished generation of a calibration folder as one tidy DataFrame.

    Returns
    -------
    pandas.DataFrame
        ``generation, particle, weight, distance`` and one column per parameter; weights sum to 1
        within each generation.
    """
    files = list(_files(Path(out)))
    if not files:
        raise CalibrationError(os.fspath(out), "holds no finished generation; expected the folder of ics-abm calibrate")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
