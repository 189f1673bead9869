"""Sweep files: reading and validating one into a :class:`SweepSpec`.

A sweep file is TOML. It names a base scenario and says which of its parameters vary, how, and how
many replicates to run (``sweeps/example.toml`` shows every option)::

    [sweep]
    name = "regulation-under-uncertainty"
    scenario = "default"                     # a packaged scenario's name, or a file relative to this one
    steps = 120                              # months per run (default: the scenario's)
    replicates = 5                           # runs per design point, seeds spawned from root_seed
    root_seed = 20260101

    [constants]                              # set for every run
    "finance.stake_share" = 0.005

    [levers]                                 # policy options: every combination is run
    "regulation.regime" = ["misaligned", "aligned", "single"]

    [uncertainties]                          # what nobody controls: sampled by a design
    design = "lhs"                           # factorial, lhs, sobol or morris
    samples = 50
    [uncertainties.ranges]
    "legacy.strength" = [0.0, 1.0]

The file is checked in two steps: its shape by the pydantic models of
:mod:`~ics_abm.experiments.sweeps.schema` (unknown keys refused), then here every parameter and
value against the base scenario with the scenario validator itself. Any problem is a
:class:`~ics_abm.experiments.sweeps.errors.SweepError` whose text is one sentence naming the file,
the field, what was expected and what was given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ics_abm.experiments.sweeps.errors import SweepError, error_from_validation, show
from ics_abm.experiments.sweeps.parameters import FieldKind, field_kind, with_values
from ics_abm.experiments.sweeps.posterior import PosteriorDraws, PosteriorProblem, posterior_draws

# The schema's names are re-exported so that callers keep importing them from here.
from ics_abm.experiments.sweeps.schema import (  # noqa: F401
    DESIGNS,
    KNOWN_FIELDS,
    Range,
    Scalar,
    SweepFile,
    SweepInfo,
    Uncertainties,
    Values,
    is_number,
)

__all__ = ["DESIGNS", "SweepFile", "SweepSpec", "read_sweep"]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the file's settings resolved against its base scenario.

    Attributes
    ----------
    path : str
        The sweep file as given (``"<dict>"`` when made from data).
    text : str
        The sweep file's text (empty when made from data).
    name, description : str
    scenario_path : str
        The base scenario file, resolved against the sweep file's folder.
    scenario_text : str
        The base scenario file's text.
    base : dict
        The base scenario's data with the constants set; every run starts from it.
    steps : int
        Months per run.
    replicates : int
        Runs per design point.
    root_seed : int
        Root of the :class:`numpy.random.SeedSequence` that the replicates' seeds are spawned from.
    batch_size : int or None
        Runs per task (``None``: chosen from the number of runs).
    constants : dict
        Dotted path -> value, set for every run.
    levers : dict
        Dotted path -> tuple of options (crossed in full).
    design : str or None
        Design of the uncertainties (:data:`DESIGNS`), ``None`` when there are none.
    samples : int or None
        Sample size (see :class:`Uncertainties`).
    design_seed : int
        Seed of the sampler (``uncertainties.seed``, else ``root_seed``).
    second_order : bool
        Sobol' design with second-order indices.
    levels : int
        Morris grid levels.
    values : dict
        Dotted path -> tuple of values (factorial design).
    ranges : dict
        Dotted path -> (lower, upper) (sampled designs).
    kinds : dict
        Dotted path -> what the scenario field holds (``integer``, ``number``, ``string``,
        ``boolean``), for every lever and uncertainty.
    posterior : PosteriorDraws or None
        Design ``posterior``: the parameter draws (resampled with ``design_seed`` from the
        posterior of ``[uncertainties] source``), which set every calibrated parameter but the
        levers and constants.
    """

    path: str
    text: str
    name: str
    description: str
    scenario_path: str
    scenario_text: str
    base: dict
    steps: int
    replicates: int
    root_seed: int
    batch_size: int | None
    constants: dict = field(default_factory=dict)
    levers: dict = field(default_factory=dict)
    design: str | None = None
    samples: int | None = None
    design_seed: int = 0
    second_order: bool = False
    levels: int = 4
    values: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    posterior: PosteriorDraws | None = field(default=None, compare=False)

    @property
    def parameters(self) -> list[str]:
        """The varied parameters: levers, then uncertainties, in file order (a posterior's in its order)."""
        drawn = self.posterior.parameters if self.posterior is not None else ()
        return [*self.levers, *self.values, *self.ranges, *drawn]


def _check_parameter(source: str, table: str, path: str, base: dict, value: Any) -> None:
    """Check one parameter value against the scenario validator; raise a SweepError if refused."""
    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import scenario_from_dict

    try:
        scenario_from_dict(with_values(base, {path: value}), source=source)
    except ScenarioError as exc:
        where = f"parameter '{path}' in {table}"
        if field_kind(path) is None:
            raise SweepError(source, f"{where} is not a scenario parameter: {exc.problem}", path) from None
        raise SweepError(source, f"{where} cannot be {show(value)}: {exc.problem}", path) from None


def _as_kind(kind: FieldKind | None, value: Any) -> Any:
    # Whole numbers written for a real-valued field are numbers, so each column has one type.
    if kind == "number" and is_number(value):
        return float(value)
    return value


def _resolve_scenario(source: str, sweep_path: str, given: str) -> tuple[str, str, dict]:
    from ics_abm.scenario.catalog import _looks_like_a_name, list_scenarios
    from ics_abm.scenario.loading import _parse_toml, _read_text, scenario_from_dict, scenario_to_dict

    folder = Path(sweep_path).parent if sweep_path != "<dict>" else Path.cwd()
    path = Path(given) if Path(given).is_absolute() else folder / given
    if not path.is_file() and _looks_like_a_name(given):  # the name of a packaged scenario ("default")
        path = next((entry.path for entry in list_scenarios() if given == entry.name or given in entry.aliases), path)
    if not path.is_file():
        raise SweepError(source, f"field 'sweep.scenario' names {given!r}, which is not a file (looked for {path})",
                         "sweep.scenario")
    text = _read_text(path)  # the same reading, with the same limits, as any scenario file
    data = _parse_toml(text, os.fspath(path))
    if not isinstance(data.get("scenario"), dict):
        # Not a scenario at all: say so without quoting its content (it may be any file).
        raise SweepError(source, f"field 'sweep.scenario' names {given!r}, which is not a scenario file (it has "
                                 "no [scenario] table)", "sweep.scenario")
    scenario = scenario_from_dict(data, source=os.fspath(path))  # one-sentence errors naming the scenario file
    return os.fspath(path), text, scenario_to_dict(scenario)


def spec_from_dict(data: dict, source: str = "<dict>", text: str = "") -> SweepSpec:
    """Validate parsed sweep data (see :func:`read_sweep`).

    Parameters
    ----------
    data : dict
        The sweep file as nested dicts (as :func:`tomllib.loads` returns it).
    source : str
        The file name, for messages and to resolve the relative scenario path.
    text : str
        The file's text, recorded with the results.

    Returns
    -------
    SweepSpec

    Raises
    ------
    SweepError
        If anything is wrong with the sweep (one sentence).
    ics_abm.ScenarioError
        If the base scenario file is invalid (one sentence naming the scenario file).
    """
    try:
        parsed = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise error_from_validation(exc, source, KNOWN_FIELDS) from None
    info, unc = parsed.sweep, parsed.uncertainties
    scenario_path, scenario_text, scenario_data = _resolve_scenario(source, source, info.scenario)

    tables = {
        "[constants]": parsed.constants,
        "[levers]": parsed.levers,
        "[uncertainties.values]": unc.values if unc else {},
        "[uncertainties.ranges]": unc.ranges if unc else {},
    }
    seen: dict[str, str] = {}
    for table, entries in tables.items():
        for path in entries:
            if path == "scenario" or path.startswith("scenario."):
                raise SweepError(source, f"parameter '{path}' in {table} cannot be swept: the [scenario] section "
                                         "(name, steps, seed) is set by the sweep itself; use steps and root_seed "
                                         "in [sweep]", path)
            if path in seen:
                raise SweepError(source, f"parameter '{path}' is in both {seen[path]} and {table}; expected each "
                                         "parameter in one place", path)
            seen[path] = table

    kinds = {path: field_kind(path) for path in seen}
    constants = {p: _as_kind(kinds[p], v) for p, v in parsed.constants.items()}
    for path, value in constants.items():
        _check_parameter(source, "[constants]", path, scenario_data, value)
    base = with_values(scenario_data, constants)

    listed: dict[str, dict[str, tuple]] = {"[levers]": {}, "[uncertainties.values]": {}}
    for table in listed:
        for path, options in tables[table].items():
            options = tuple(_as_kind(kinds[path], v) for v in options)
            for value in options:
                _check_parameter(source, table, path, base, value)
            listed[table][path] = options

    ranges: dict[str, tuple] = {}
    for path, (lo, hi) in tables["[uncertainties.ranges]"].items():
        where = f"parameter '{path}' in [uncertainties.ranges]"
        kind = kinds[path]
        if kind in ("string", "boolean"):
            raise SweepError(source, f"{where} takes {'text' if kind == 'string' else 'true/false'} values, which "
                                     "cannot be sampled from a range; list its values under [levers] or "
                                     "[uncertainties.values]", path)
        if kind == "integer" and not all(isinstance(v, int) for v in (lo, hi)):
            raise SweepError(source, f"{where} is a whole-number field; expected whole-number bounds, got "
                                     f"[{lo!r}, {hi!r}]", path)
        lo, hi = _as_kind(kind, lo), _as_kind(kind, hi)
        for value in (lo, hi):
            _check_parameter(source, "[uncertainties.ranges]", path, base, value)
        ranges[path] = (lo, hi)

    design_seed = unc.seed if unc and unc.seed is not None else info.root_seed
    drawn = None
    if unc is not None and unc.design == "posterior":
        drawn = _posterior(source, unc.source, int(unc.draws or 0), design_seed,
                           keep=(*listed["[levers]"], *constants))
    return SweepSpec(
        path=source,
        text=text,
        name=info.name,
        description=info.description,
        scenario_path=scenario_path,
        scenario_text=scenario_text,
        base=base,
        steps=info.steps if info.steps is not None else int(scenario_data["scenario"]["steps"]),
        replicates=info.replicates,
        root_seed=info.root_seed,
        batch_size=info.batch_size,
        constants=constants,
        levers=listed["[levers]"],
        design=unc.design if unc else None,
        samples=unc.samples if unc else None,
        design_seed=design_seed,
        second_order=bool(unc and unc.second_order),
        levels=(unc.levels if unc and unc.levels is not None else 4),
        values=listed["[uncertainties.values]"],
        ranges=ranges,
        kinds={**{p: kinds[p] for p in (*listed["[levers]"], *listed["[uncertainties.values]"], *ranges)},
               **({p: field_kind(p) for p in drawn.parameters} if drawn is not None else {})},
        posterior=drawn,
    )


def _posterior(source: str, given: str | None, n: int, seed: int, keep) -> PosteriorDraws:
    """The draws of design ``posterior``; ``given`` (``[uncertainties] source``) is read from the sweep file's folder."""
    folder = Path(source).parent if source != "<dict>" else Path.cwd()
    where = None if given is None else (Path(given) if Path(given).is_absolute() else folder / given)
    try:
        return posterior_draws(where, n, seed, keep=keep, field="uncertainties.source")
    except PosteriorProblem as exc:
        problem = exc.problem.replace(repr(os.fspath(where)), repr(given)) if where is not None else exc.problem
        raise SweepError(source, f"field '{exc.field}' {problem}", exc.field) from None


def read_sweep(path: str | os.PathLike) -> SweepSpec:
    """Read, parse and validate a sweep file.

    Parameters
    ----------
    path : str or os.PathLike
        A TOML sweep file (named in messages as given), or the name of a sweep example shipped
        with the package (``"example"``, ``"sobol"``).

    Returns
    -------
    SweepSpec

    Raises
    ------
    SweepError
        If the file cannot be read, is not TOML, or is not a valid sweep (one sentence).
    ics_abm.ScenarioError
        If its base scenario is not a valid scenario (one sentence naming the scenario file).

    Examples
    --------
    >>> from ics_abm.experiments.sweeps import read_sweep
    >>> spec = read_sweep("sweeps/example.toml")
    >>> spec.parameters
    ['regulation.regime', 'legacy.strength', 'trust.gain_rate']
    """
    from ics_abm.scenario.catalog import resolve_sweep
    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import _parse_toml, _read_text, _source

    source = _source(path)
    try:
        resolved = resolve_sweep(path)  # a file, or the name of a packaged example ("example")
        if os.fspath(resolved) != os.fspath(path):
            source = os.fspath(resolved)  # relative paths in the file are read from its folder
        text = _read_text(resolved)
        data = _parse_toml(text, source)
    except ScenarioError as exc:  # the file itself (not found, not UTF-8, not TOML): same wording
        raise SweepError(exc.path, exc.problem) from None
    return spec_from_dict(data, source=source, text=text)
