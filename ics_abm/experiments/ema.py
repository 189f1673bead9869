"""EMA Workbench adapter: ics_abm as an EMA ``Model``, and sweep results in EMA's format.

Policy teams who use the EMA Workbench (``pip install ema_workbench``) for exploratory modelling
get ics_abm without glue:

* :func:`model` returns an ``ema_workbench.Model`` (or ``ReplicatorModel``) whose levers,
  uncertainties and outcomes are named by scenario parameters and metrics, ready for
  ``perform_experiments``, optimisation, PRIM scenario discovery and feature scoring;
* :func:`model_from_sweep` builds it from a sweep file's ``[levers]`` and ``[uncertainties]``;
* :func:`results` reads a finished ``ics-abm sweep`` (resumable, distributed) in the
  ``(experiments, outcomes)`` form that EMA's analysis functions take.

Each outcome is the mean of a metric of :data:`ics_abm.metrics.METRICS` over the last ``last``
months of a run. EMA names must be Python identifiers, so ``"legacy.strength"`` is called
``legacy_strength`` in EMA and mapped back to the scenario path (EMA's ``variable_name``).

Examples
--------
>>> from ema_workbench import perform_experiments                       # doctest: +SKIP
>>> from ema_workbench.analysis import prim                             # doctest: +SKIP
  >>> from ics_abm import load_scenario; from ics_abm.experiments import ema                            # doctest: +SKIP
>>> m = ema.model(load_scenario("scenarios/default.toml"),
...               levers={"regulation.regime": ["misaligned", "aligned", "single"]},
...               uncertainties={"legacy.strength": (0.0, 1.0), "trust.gain_rate": (0.05, 0.3)},
...               outcomes=["mean_trust", "collaboration_rate"], replications=4)  # doctest: +SKIP
>>> experiments, outcomes = perform_experiments(m, scenarios=200, policies=3)  # doctest: +SKIP
>>> box = prim.Prim(experiments[["legacy_strength", "trust_gain_rate"]],
...                 outcomes["mean_trust"] < 0.4, threshold=0.8).find_box()  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ics_abm.experiments.sweeps.outcomes import check_metric, final_mean
from ics_abm.experiments.sweeps.parameters import field_kind, with_values
from ics_abm.experiments.sweeps.seeds import replicate_seeds

__all__ = ["Experiment", "model", "model_from_sweep", "results", "ema_name"]


def _workbench():
    try:
        with warnings.catch_warnings():  # EMA warns at import about optional back-ends (ipyparallel, mpi)
            warnings.simplefilter("ignore")
            import ema_workbench
    except ImportError:
        raise ImportError("ics_abm.experiments.ema needs the EMA Workbench: pip install 'ics_abm[ema]'") from None
    return ema_workbench


def ema_name(path: str) -> str:
    """EMA's name for a scenario parameter: the dotted path as a Python identifier.

    >>> ema_name("network.tie_probability.acute/voluntary_sector")
    'network_tie_probability_acute_voluntary_sector'
    """
    name = re.sub(r"\W", "_", path)
    return f"p_{name}" if not name.isidentifier() else name


def _coerce(kind: str | None, value: Any) -> Any:
    # EMA samples numpy scalars; the scenario schema is strict about Python types.
    if isinstance(value, np.generic):
        value = value.item()
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    return value


class Experiment:
    """One ics_abm run as EMA calls it: keyword arguments in, a dict of outcomes out.

    Picklable (a plain class at module level), so EMA's multiprocessing evaluator can ship it.

    Parameters
    ----------
    base : dict
        Base scenario data.
    steps : int
        Months per run.
    metrics : sequence of str
        Metrics to return.
    last : int
        Each outcome is the mean of its metric over the last ``last`` months.
    seed : int
        Seed when EMA gives none (models without replications).
    kinds : dict
        Dotted path -> what the scenario field holds, to convert EMA's values.
    """

    def __init__(self, base: dict, steps: int, metrics: Sequence[str], last: int, seed: int, kinds: dict):
        self.base, self.steps, self.metrics, self.last = base, int(steps), tuple(metrics), int(last)
        self.seed, self.kinds = int(seed), dict(kinds)

    def __call__(self, seed: int | None = None, **values) -> dict[str, float]:
        from ics_abm.run import run
        from ics_abm.scenario.loading import scenario_from_dict

        settings = {path: _coerce(self.kinds.get(path), value) for path, value in values.items()}
        scenario = scenario_from_dict(with_values(self.base, settings), source="<EMA experiment>")
        system = run(scenario, self.seed if seed is None else int(seed), self.steps).system
        return {metric: final_mean(system, metric, self.last) for metric in self.metrics}


def _parameters(ema, spec: Mapping[str, Any] | None, role: str) -> list:
    made = []
    for path, values in (spec or {}).items():
        kind = field_kind(path)
        name = ema_name(path)
        if isinstance(values, tuple) and len(values) == 2 and kind in ("integer", "number"):
            lo, hi = values
            cls = ema.IntegerParameter if kind == "integer" else ema.RealParameter
            made.append(cls(name, lo, hi, variable_name=path))
        elif isinstance(values, (list, tuple)) and len(values) >= 2:
            made.append(ema.CategoricalParameter(name, list(values), variable_name=path))
        else:
            raise ValueError(f"{role} {path!r} must be a (lower, upper) tuple for a numeric field or a list of at "
                             f"least two options, got {values!r}")
    return made


def model(
    scenario,
    *,
    levers: Mapping[str, Any] | None = None,
    uncertainties: Mapping[str, Any] | None = None,
    outcomes: Sequence[str] | None = None,
    steps: int | None = None,
    last: int = 12,
    replications: int = 1,
    root_seed: int = 0,
    name: str = "ics_abm",
):
    """ics_abm as an EMA Workbench model.

    Parameters
    ----------
    scenario : ics_abm.Scenario or str or os.PathLike
        The base scenario (or its file).
    levers, uncertainties : mapping, optional
        Dotted scenario path -> ``(lower, upper)`` (a real or whole-number range, by the field's
        type) or a list of options (categorical).
    outcomes : sequence of str, optional
        Metrics of :data:`ics_abm.metrics.METRICS` (default: all), each a ``ScalarOutcome``.
    steps : int, optional
        Months per run (default: the scenario's).
    last : int
        Each outcome is the mean of its metric over the last ``last`` months of a run.
    replications : int
        Runs per experiment, with seeds spawned from ``root_seed`` and shared by every
        experiment (common random numbers); outcomes are their mean. 1 gives a plain ``Model``.
    root_seed : int
        Root of the seed sequence.
    name : str
        The model's name in EMA (a Python identifier).

    Returns
    -------
    ema_workbench.Model or ema_workbench.ReplicatorModel
    """
    from ics_abm.metrics import METRICS
    from ics_abm.scenario.loading import load_scenario, scenario_to_dict
    from ics_abm.scenario.schema import Scenario

    ema = _workbench()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    base = scenario_to_dict(scenario)
    steps = int(scenario.scenario.steps if steps is None else steps)
    metrics = list(METRICS) if outcomes is None else list(outcomes)
    for metric in metrics:
        check_metric("ics_abm.experiments.ema.model", metric, last, steps)
    if replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications}")
    seeds = replicate_seeds(root_seed, replications)
    paths = [*(levers or {}), *(uncertainties or {})]
    kinds = {path: field_kind(path) for path in paths}
    experiment = Experiment(base, steps, metrics, last, int(seeds[0]), kinds)
    if replications == 1:
        made = ema.Model(name, function=experiment)
        made.outcomes = [ema.ScalarOutcome(m) for m in metrics]
    else:
        made = ema.ReplicatorModel(name, function=experiment)
        made.replications = [{"seed": int(s)} for s in seeds]
        made.outcomes = [ema.ScalarOutcome(m, function=np.mean) for m in metrics]
    made.levers = _parameters(ema, levers, "lever")
    made.uncertainties = _parameters(ema, uncertainties, "uncertainty")
    return made


def model_from_sweep(sweep_file: str | os.PathLike, *, outcomes: Sequence[str] | None = None, last: int = 12,
                     name: str = "ics_abm"):
    """An EMA model with the levers, uncertainties, base scenario, months and replicates of a sweep file.

    ``[levers]`` become categorical levers; ``[uncertainties.ranges]`` real or whole-number
    uncertainties, ``[uncertainties.values]`` categorical ones. The sweep file's design is not
    used: EMA samples the parameters itself.
    """
    from ics_abm.experiments.sweeps.spec import read_sweep
    from ics_abm.scenario.loading import scenario_from_dict

    spec = read_sweep(sweep_file)
    return model(
        scenario_from_dict(spec.base, source=spec.scenario_path),
        levers={p: list(v) for p, v in spec.levers.items()},
        uncertainties={**{p: list(v) for p, v in spec.values.items()}, **{p: tuple(v) for p, v in spec.ranges.items()}},
        outcomes=outcomes, steps=spec.steps, last=last, replications=spec.replicates, root_seed=spec.root_seed,
        name=name,
    )


def results(out: str | os.PathLike, metrics: Sequence[str] | None = None, last: int = 12):
    """A finished sweep in EMA's ``(experiments, outcomes)`` form, one experiment per run.

    Parameters
    ----------
    out : str or os.PathLike
        The sweep's results folder.
    metrics : sequence of str, optional
        Outcomes to return (default: all metrics).
    last : int
        Each outcome is the mean of its metric over the last ``last`` months.

    Returns
    -------
    experiments : pandas.DataFrame
        One row per run, in run-id order: each parameter under its EMA name (text options as
        ``category`` dtype, as PRIM and feature scoring expect), ``policy`` (the policy id),
        ``scenario`` (the sample id), ``replicate``, ``seed`` and ``run_id``.
    outcomes : dict of str to ndarray of float64, shape (n_runs,)
        Metric -> outcome of each run, aligned with ``experiments``.
    """
    from ics_abm.experiments.sweeps.load import read_manifest
    from ics_abm.experiments.sweeps.outcomes import run_outcomes
    from ics_abm.metrics import METRICS

    manifest = read_manifest(out)
    metrics = list(METRICS) if metrics is None else list(metrics)
    runs = None
    values = {}
    for metric in metrics:
        table = run_outcomes(out, metric, last)
        values[metric] = table["value"].to_numpy(np.float64)
        runs = table if runs is None else runs
    kinds = manifest["design"]["kinds"]
    experiments = pd.DataFrame({ema_name(p): runs[p] for p in kinds})
    for path, kind in kinds.items():
        if kind in ("string", "boolean"):
            experiments[ema_name(path)] = experiments[ema_name(path)].astype("category")
    experiments["policy"] = runs["policy_id"].to_numpy()
    experiments["scenario"] = runs["sample_id"].to_numpy()
    experiments["replicate"] = runs["replicate"].to_numpy()
    experiments["seed"] = runs["seed"].to_numpy()
    experiments["run_id"] = runs["run_id"].to_numpy()
    return experiments, values
