"""Calibration configs: one TOML file, validated once at the boundary into a :class:`CalibrationConfig`.

::

    [calibration]
    name = "ci"
    scenario = "default"          # a packaged scenario's name, or a file relative to this one
    steps = 36                    # months per run (at least 24)
    seeds = 3                     # seeds per evaluation, the same for every particle
    population_size = 12
    generations = 2
    minimum_epsilon = 0.0         # stop early when the distance threshold reaches it
    epsilon = [3.0, 1.5]          # optional schedule (one threshold per generation); default: median
    root_seed = 11
    patterns = ["trust_rises_year1", "setbacks"]   # default: every pattern

    [prior."trust.gain_rate"]     # a uniform box per parameter, with its reason
    range = [0.075, 0.3]
    reason = "half to twice the hand-set default"

Every problem is a :class:`CalibrationError` whose text is one sentence naming the file, the field,
what was expected and what was given.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ics_abm.experiments.calibration.fact_patterns import fact_id, fact_ids, is_fact
from ics_abm.experiments.calibration.patterns import MIN_STEPS, PATTERNS
from ics_abm.experiments.sweeps.errors import show
from ics_abm.experiments.sweeps.parameters import field_kind, with_values
from ics_abm.limits import MAX_ROOT_SEED

__all__ = ["CalibrationConfig", "CalibrationError", "config_from_dict", "read_config"]


class CalibrationError(ValueError):
    """A calibration config (or output folder) that cannot be used; its text is one sentence."""

    def __init__(self, path: str, problem: str, field: str | None = None) -> None:
        self.path, self.field = str(path), field
        self.problem = re.sub(r"\s+", " ", problem).strip().rstrip(".")
        super().__init__(f"{self.path}: {self.problem}.")

    def __reduce__(self):
        return (type(self), (self.path, self.problem, self.field))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Prior(_Section):
    """``[prior."<path>"]``: a uniform box and why."""

    range: tuple[float, float]
    reason: str = Field(min_length=1, pattern=r"\S")

    @field_validator("range", mode="before")
    @classmethod
    def _floats(cls, value: Any) -> Any:
        numbers = isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
        if not numbers:
            raise ValueError(f"expected a range [lower, upper] of two finite numbers, got {show(value)}")
        return (float(value[0]), float(value[1]))

    @model_validator(mode="after")
    def _ordered(self) -> Prior:
        if not self.range[0] < self.range[1]:
            raise ValueError(f"expected a lower bound below the upper bound, got {list(self.range)}")
        return self


class Settings(_Section):
    """``[calibration]``."""

    name: str = Field(min_length=1, pattern=r"\S")
    description: str = ""
    scenario: str = Field(min_length=1, pattern=r"\S")
    steps: int = Field(ge=MIN_STEPS, le=1200)
    seeds: int = Field(ge=1, le=10_000)
    population_size: int = Field(ge=2, le=1_000_000)
    generations: int = Field(ge=1, le=1000)
    minimum_epsilon: float = Field(0.0, ge=0.0)
    # negative thresholds accept nothing (distances are >= 0): such a run would never end
    epsilon: list[Annotated[float, Field(ge=0.0)]] | None = None
    root_seed: int = Field(0, ge=0, le=MAX_ROOT_SEED)
    patterns: list[str] = Field(default_factory=lambda: list(PATTERNS), min_length=1)
    # Seeds per arm of the stylized facts among the patterns (default: ``seeds``).
    fact_seeds: int | None = Field(None, ge=2, le=10_000)

    @field_validator("patterns")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        for name in value:
            if is_fact(name):
                if fact_id(name) not in fact_ids():
                    raise ValueError(f"expected 'fact:' followed by a registered fact's id "
                                     f"({', '.join(fact_ids())}), got {name!r}")
            elif name not in PATTERNS:
                raise ValueError(f"expected pattern names from {', '.join(PATTERNS)}, or 'fact:<ID>' for a "
                                 f"stylized fact, got {name!r}")
        if len(set(value)) != len(value):
            raise ValueError(f"expected each pattern once, got {value}")
        return value

    @model_validator(mode="after")
    def _schedule(self) -> Settings:
        if self.epsilon is not None and len(self.epsilon) != self.generations:
            raise ValueError(f"expected one epsilon per generation ({self.generations}), got {len(self.epsilon)}")
        return self


class _File(_Section):
    calibration: Settings
    prior: dict[str, Prior] = Field(min_length=1)


@dataclass(frozen=True)
class CalibrationConfig:
    """A validated calibration config.

    Attributes
    ----------
    path, text : str
        The config file and its text (kept with the results, to check a ``--resume``).
    settings : Settings
    prior : dict
        Dotted parameter path -> :class:`Prior`, in file order.
    base : dict
        The base scenario's data.
    """

    path: str
    text: str
    settings: Settings
    prior: dict[str, Prior]
    base: dict


def _first_error(exc: ValidationError, source: str) -> CalibrationError:
    err = exc.errors(include_url=False)[0]
    loc = tuple(str(p) for p in err["loc"])
    field = ".".join(loc)
    if loc[:1] == ("prior",) and len(loc) > 1:
        where = f"prior '{loc[1]}'" + (f" field '{'.'.join(loc[2:])}'" if len(loc) > 2 else "")
    else:
        where = f"field '{field}'" if len(loc) > 1 else f"section [{field}]"
    kind, given = err["type"], err.get("input")
    if kind == "missing":
        problem = f"{where} is required but missing"
    elif kind == "extra_forbidden":
        problem = f"{where} is not a known field"
    elif kind == "value_error":
        problem = f"{where} {err['msg'].removeprefix('Value error, ')}"
    elif kind in ("too_short", "string_too_short", "string_pattern_mismatch", "model_type", "dict_type"):
        expected = {"too_short": f"at least {err.get('ctx', {}).get('min_length', 1)} item(s)",
                    "model_type": "a table", "dict_type": "a table"}.get(kind, "a text that is not blank")
        problem = f"{where} expected {expected}, got {show(given)}"
    else:
        problem = f"{where} expected {err['msg'].lower().removeprefix('input should be ')}, got {show(given)}"
    return CalibrationError(source, problem, field or None)


def _base_scenario(source: str, given: str) -> dict:
    from ics_abm.scenario.catalog import _looks_like_a_name, list_scenarios
    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import _parse_toml, _read_text, scenario_from_dict, scenario_to_dict

    folder = Path(source).parent if source != "<dict>" else Path.cwd()
    path = Path(given) if Path(given).is_absolute() else folder / given
    if not path.is_file() and _looks_like_a_name(given):
        path = next((e.path for e in list_scenarios() if given == e.name or given in e.aliases), path)
    if not path.is_file():
        raise CalibrationError(source, f"field 'calibration.scenario' expected a scenario file or the name of a "
                                       f"shipped scenario, got {given!r}", "calibration.scenario")
    try:
        data = _parse_toml(_read_text(path), os.fspath(path))
        return scenario_to_dict(scenario_from_dict(data, source=os.fspath(path)))
    except ScenarioError as exc:  # the config names a file that is not a valid scenario
        raise CalibrationError(source, f"field 'calibration.scenario' expected a valid scenario file, got {given!r}, "
                                       f"which is not ({exc.problem})", "calibration.scenario") from None


def config_from_dict(data: Any, source: str = "<dict>", text: str = "") -> CalibrationConfig:
    """Validate parsed config data (see the module docstring); raise :class:`CalibrationError` if wrong."""
    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import scenario_from_dict

    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, source) from None
    base = _base_scenario(source, parsed.calibration.scenario)
    for path, prior in parsed.prior.items():
        if field_kind(path) != "number" or path.startswith("scenario."):
            raise CalibrationError(source, f"prior '{path}' expected the dotted path of a real-valued scenario "
                                           f"parameter (e.g. 'trust.gain_rate'), got {path!r}", f"prior.{path}")
        for bound in prior.range:
            try:
                scenario_from_dict(with_values(base, {path: bound}), source=source)
            except ScenarioError as exc:
                raise CalibrationError(source, f"prior '{path}' field 'range' expected bounds the scenario accepts, "
                                               f"got {list(prior.range)} ({exc.problem})", f"prior.{path}") from None
    dimensions, size = len(parsed.prior), parsed.calibration.population_size
    if parsed.calibration.generations > 1 and size <= dimensions:
        # Generations after the first perturb accepted particles with a Gaussian kernel fitted to
        # them: fewer particles than parameters + 1 give a singular covariance and NaN weights.
        raise CalibrationError(source, f"field 'calibration.population_size' expected at least {dimensions + 1} (one more "
                                       f"than the {dimensions} parameters of the prior) when there is more than one "
                                       f"generation, got {size}", "calibration.population_size")
    return CalibrationConfig(os.fspath(source), text, parsed.calibration, dict(parsed.prior), base)


def read_config(path: str | os.PathLike) -> CalibrationConfig:
    """Read and validate a calibration config file, or a shipped one by name (``"ci"``, ``"small"``, ``"default"``)."""
    from importlib.resources import files

    from ics_abm.scenario.errors import ScenarioError
    from ics_abm.scenario.loading import _parse_toml, _read_text

    given = os.fspath(path)
    shipped = files("ics_abm") / "data" / "calibration" / f"{given}.toml"
    resolved = str(shipped) if not Path(given).exists() and re.fullmatch(r"[a-z_]+", given) and shipped.is_file() else given
    try:
        text = _read_text(resolved)
        data = _parse_toml(text, resolved)
    except ScenarioError as exc:
        raise CalibrationError(exc.path, exc.problem) from None
    return config_from_dict(data, source=resolved, text=text)
