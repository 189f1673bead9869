"""A run is a plain function: validated scenario + seed -> tidy tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ics_abm._version import __version__
from ics_abm.model import ICSModel

__all__ = ["RunResult", "run"]

#: Months simulated per kernel call when reporting progress (does not change results).
_CHUNK = 12


@dataclass(frozen=True)
class RunResult:
    """Outputs of one run.

    Attributes
    ----------
    system : pandas.DataFrame
        One row per month: ``scenario, seed, step`` and the metrics of docs/model.md, 7.8.
    trust_by_kind : pandas.DataFrame
        One row per month and ordered pair of kinds: ``from_kind, to_kind, mean_trust, n_relationships``.
    organisations : pandas.DataFrame
        One row per month and organisation: ``organisation, kind, balance, altruism, pressure, capacity, net``.
    metadata : dict
        Scenario name, seed, steps, resolved parameters, package version, wall time (s).
    """

    system: pd.DataFrame
    trust_by_kind: pd.DataFrame
    organisations: pd.DataFrame
    metadata: dict = field(default_factory=dict)


def run(
    scenario,
    seed: int | None = None,
    steps: int | None = None,
    *,
    parallel: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run a scenario for ``steps`` months from ``seed``.

    Parameters
    ----------
    scenario : ics_abm.scenario.schema.Scenario
        A validated scenario (:func:`ics_abm.load_scenario`).
    seed : int, optional
        Seed of the model's generator (default: the scenario's ``scenario.seed``).
    steps : int, optional
        Months to simulate (default: the scenario's ``scenario.steps``).
    parallel : bool
        Use the parallel kernel (identical results).
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk of months.

    Returns
    -------
    RunResult
        Same scenario + seed + steps gives identical tables.

    Examples
    --------
    >>> from ics_abm import load_scenario, run
    >>> result = run(load_scenario("scenarios/default.toml"), seed=3, steps=24)
    >>> len(result.system)
    24
    """
    from ics_abm.scenario.loading import scenario_to_dict

    steps = int(scenario.scenario.steps if steps is None else steps)
    if steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps}")
    started = time.perf_counter()
    model = ICSModel(scenario, seed, parallel=parallel, agents=False)
    done = 0
    while done < steps:
        chunk = min(_CHUNK, steps - done)
        model._simulate(chunk)
        done += chunk
        if progress is not None:
            progress(done, steps)
    metadata = {
        "scenario": scenario.scenario.name,
        "seed": model.seed,
        "steps": steps,
        "organisations": int(model.organisations.kind.shape[0]),
        "relationships": int(model.graph.target.shape[0] // 2),
        "parameters": scenario_to_dict(scenario),
        "ics_abm_version": __version__,
        "wall_time_s": time.perf_counter() - started,
    }
    return RunResult(
        system=model.history(),
        trust_by_kind=model.trust_by_kind_history(),
        organisations=model.organisation_history(),
        metadata=metadata,
    )
