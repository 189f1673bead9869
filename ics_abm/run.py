"""A run is a plain function: validated scenario + seed -> tidy tables."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ics_abm._version import __version__
from ics_abm.limits import MAX_SEED, MAX_STEPS, check_run_size, whole_number
from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.schema import Scenario
from ics_abm.simulation import Simulation

__all__ = ["RunResult", "checked_arguments", "run"]

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


def checked_arguments(scenario, seed, steps, source: str | None = None) -> tuple[Scenario, int, int]:
    """The arguments of :func:`run` checked (see there), defaults filled in.

    ``source`` names the scenario in messages (default: its file, or ``scenario '<name>'``).

    Returns
    -------
    (Scenario, int, int)
        The scenario (loaded if a path was given), the seed and the months.
    """
    from ics_abm.scenario.loading import expected_arcs, load_scenario, organisation_counts

    if isinstance(scenario, (str, os.PathLike)):
        source = source or os.fspath(scenario)
        scenario = load_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario (ics_abm.load_scenario) or the path of a scenario file, "
                        f"got {type(scenario).__name__}")
    seed = whole_number(scenario.scenario.seed if seed is None else seed, "seed", 0, MAX_SEED)
    steps = whole_number(scenario.scenario.steps if steps is None else steps, "steps", 1, MAX_STEPS)
    name = source or f"scenario '{scenario.scenario.name}'"
    try:
        check_run_size(sum(organisation_counts(scenario).values()), steps, name, arcs=expected_arcs(scenario))
    except ValueError as exc:  # as ics-abm validate reports it: a ScenarioError about the organisations
        raise ScenarioError(name, str(exc).removeprefix(f"{name}: "), "organisations") from None
    return scenario, seed, steps


def run(
    scenario,
    seed: int | None = None,
    steps: int | None = None,
    *,
    parallel: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run a scenario for ``steps`` months from ``seed``.

    Parameters
    ----------
    scenario : ics_abm.scenario.schema.Scenario, str or os.PathLike
        A validated scenario (:func:`ics_abm.load_scenario`), or the path of a scenario file.
    seed : int, optional
        Seed of the model's generator, 0 to 2**64 - 1 (default: the scenario's ``scenario.seed``).
        Only whole numbers are accepted (not ``True``, ``1.5`` or ``"3"``).
    steps : int, optional
        Months to simulate, 1 to 100,000 (default: the scenario's ``scenario.steps``).
    parallel : bool or None
        ``None`` (default) or ``True``: the parallel kernel where the system is large enough for
        it to pay (:func:`ics_abm.engine.dispatch.step_in_parallel`); ``False``: always serial.
        Identical results either way.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk of months.

    Returns
    -------
    RunResult
        Same scenario + seed + steps gives identical tables.

    Raises
    ------
    TypeError
        If ``scenario`` is neither a scenario nor a path, or ``seed`` or ``steps`` is not a whole number.
    ValueError
        If ``seed`` or ``steps`` is out of range.
    ics_abm.ScenarioError
        If ``scenario`` is a path that is not a valid scenario file, or the run would need more
        memory than a laptop has to spare (:func:`ics_abm.limits.check_run_size`; lifted by
        ``ICS_ABM_ALLOW_LARGE=1``).

    Examples
    --------
    >>> from ics_abm import load_scenario, run
    >>> result = run(load_scenario("scenarios/default.toml"), seed=3, steps=24)
    >>> len(result.system)
    24
    """
    from ics_abm.scenario.loading import scenario_to_dict

    scenario, seed, steps = checked_arguments(scenario, seed, steps)
    started = time.perf_counter()
    model = Simulation(scenario, seed, parallel=parallel)  # ICSModel's numbers, without Mesa
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
