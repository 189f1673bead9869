"""The shape of a sweep file: pydantic models of its tables and checks of their values.

This is the first of the two checks of a sweep file (:mod:`ics_abm.experiments.sweeps.spec`
describes the file and makes the second, against the base scenario): each table's keys and the
type, range and consistency of its values, with unknown keys refused. The value checks raise
errors in our own wording, which :func:`~ics_abm.experiments.sweeps.errors.error_from_validation`
turns into one sentence naming the file and the field.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ics_abm.experiments.sweeps.errors import show
from ics_abm.experiments.sweeps.parameters import flatten
from ics_abm.limits import MAX_ROOT_SEED

__all__ = [
    "DESIGNS", "KNOWN_FIELDS", "Range", "Scalar", "SweepFile", "SweepInfo", "Uncertainties", "Values", "is_number",
]

#: Designs for the uncertainties (the choices of ``Uncertainties.design``).
DESIGNS: tuple[str, ...] = ("factorial", "lhs", "sobol", "morris", "posterior")

# --------------------------------------------------------------------------------------------
# Value checks (our own wording: the generic union errors of pydantic are unreadable)
# --------------------------------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """Whether ``value`` is an int or a float (``True`` and ``False`` are not numbers here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar(value: Any) -> Any:
    ok = isinstance(value, (bool, str)) or (is_number(value) and math.isfinite(value))
    if not ok:
        raise PydanticCustomError(
            "sweep_scalar", "expected a string, a finite number or a boolean, got {given}", {"given": show(value)}
        )
    return value


def _values(value: Any) -> tuple:
    if not isinstance(value, list):
        raise PydanticCustomError("sweep_values", "expected a list of values, got {given}", {"given": show(value)})
    if not value:
        raise PydanticCustomError("sweep_values", "expected a non-empty list of values, got []", {})
    for item in value:
        _scalar(item)
    families = {"number" if is_number(v) else type(v).__name__ for v in value}
    if len(families) > 1:
        raise PydanticCustomError(
            "sweep_values", "expected values of one type (all numbers, all strings or all booleans), got {given}",
            {"given": show(value)},
        )
    seen = set()
    for item in value:
        key = (type(item) is bool, item)
        if key in seen:
            raise PydanticCustomError(
                "sweep_values", "expected each value once, got {item} twice in {given}",
                {"item": show(item), "given": show(value)},
            )
        seen.add(key)
    return tuple(value)


def _range(value: Any) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2 and all(is_number(v) and math.isfinite(v) for v in value)):
        raise PydanticCustomError(
            "sweep_range", "expected a range [lower, upper] of two finite numbers, got {given}", {"given": show(value)}
        )
    lo, hi = value
    if not lo < hi:
        raise PydanticCustomError(
            "sweep_range", "expected a lower bound below the upper bound, got [{lo}, {hi}]", {"lo": lo, "hi": hi}
        )
    return (lo, hi)


def _flat_table(value: Any) -> Any:
    # `legacy.strength = ...` (nested tables) and `"legacy.strength" = ...` mean the same.
    return flatten(value) if isinstance(value, dict) else value


Scalar = Annotated[Any, BeforeValidator(_scalar)]
Values = Annotated[Any, BeforeValidator(_values)]
Range = Annotated[Any, BeforeValidator(_range)]


def _table(item):
    return Annotated[dict[str, item], BeforeValidator(_flat_table)]


# --------------------------------------------------------------------------------------------
# The file's shape
# --------------------------------------------------------------------------------------------


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class SweepInfo(_Section):
    """``[sweep]``: what to run and how often."""

    name: str = Field(min_length=1, pattern=r"\S")
    description: str = ""
    scenario: str = Field(min_length=1, pattern=r"\S")
    steps: int | None = Field(None, ge=1, le=100_000)
    replicates: int = Field(1, ge=1, le=1_000_000)
    root_seed: int = Field(0, ge=0, le=MAX_ROOT_SEED)
    batch_size: int | None = Field(None, ge=1, le=100_000)


class Uncertainties(_Section):
    """``[uncertainties]``: a design over what nobody controls.

    ``factorial`` crosses explicit ``values``; ``lhs`` (Latin hypercube), ``sobol`` (Saltelli's
    scheme, for Sobol' indices) and ``morris`` (trajectories, for elementary effects) sample the
    ``ranges`` with SALib. ``samples`` is the number of points (lhs), the base sample size N
    (sobol: N(D+2) points, N(2D+2) with ``second_order``) or the number of trajectories (morris:
    N(D+1) points).

    ``posterior`` draws ``draws`` parameter sets from a calibrated posterior (``source``: a folder
    written by ``ics-abm calibrate``, relative to the sweep file; default the shipped posterior),
    resampled with ``seed``; draw ``d`` is sample ``d`` of every policy, and replicate ``r`` of it
    runs on seed ``r`` (:mod:`ics_abm.experiments.sweeps.posterior`).
    """

    design: Literal["factorial", "lhs", "sobol", "morris", "posterior"]
    samples: int | None = Field(None, ge=1, le=10_000_000)
    draws: int | None = Field(None, ge=1, le=10_000_000)
    source: str | None = Field(None, min_length=1, pattern=r"\S")
    seed: int | None = Field(None, ge=0, le=MAX_ROOT_SEED)
    second_order: bool | None = None
    levels: int | None = Field(None, ge=2, le=1000)
    values: _table(Values) = Field(default_factory=dict)
    ranges: _table(Range) = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Uncertainties:
        def fail(message: str, **ctx):
            raise PydanticCustomError("sweep_design", message, ctx)

        design = self.design
        if design != "posterior" and (self.draws is not None or self.source is not None):
            fail("has '{name}', which applies to design 'posterior' only",
                 name="draws" if self.draws is not None else "source")
        if design == "posterior":
            if self.values or self.ranges:
                fail("with design 'posterior' takes no [uncertainties.values] or [uncertainties.ranges] (the "
                     "posterior's parameter sets are the sample; put other varied parameters under [levers])")
            if self.samples is not None:
                fail("with design 'posterior' takes 'draws', the number of parameter draws, not 'samples' (got "
                     "samples = {given})", given=self.samples)
            if self.draws is None:
                fail("with design 'posterior' needs 'draws', the number of parameter draws from the posterior")
        elif design == "factorial":
            if not self.values:
                fail("with design 'factorial' needs a [uncertainties.values] table of lists; got none")
            if self.ranges:
                fail("with design 'factorial' takes lists in [uncertainties.values], not [uncertainties.ranges]")
            if self.samples is not None:
                fail("with design 'factorial' takes no 'samples' (every combination of values is run)")
        else:
            if not self.ranges:
                fail("with design '{design}' needs a [uncertainties.ranges] table of [lower, upper]; got none",
                     design=design)
            if self.values:
                fail("with design '{design}' takes [uncertainties.ranges], not [uncertainties.values] "
                     "(lists are for design 'factorial' or [levers])", design=design)
            if self.samples is None:
                fail("with design '{design}' needs 'samples', the size of the sample", design=design)
        if design == "sobol" and self.samples & (self.samples - 1):
            fail("with design 'sobol' needs 'samples' to be a power of 2 (Sobol' sequences converge only "
                 "then), got {given}", given=self.samples)
        if self.second_order is not None and design != "sobol":
            fail("has 'second_order', which applies to design 'sobol' only")
        if self.levels is not None and design != "morris":
            fail("has 'levels', which applies to design 'morris' only")
        return self


class SweepFile(_Section):
    """A whole sweep file; only ``[sweep]`` (with ``name`` and ``scenario``) is required."""

    sweep: SweepInfo
    constants: _table(Scalar) = Field(default_factory=dict)
    levers: _table(Values) = Field(default_factory=dict)
    uncertainties: Uncertainties | None = None


#: Names each table accepts, for "did you mean" hints.
KNOWN_FIELDS = {
    (): list(SweepFile.model_fields),
    ("sweep",): list(SweepInfo.model_fields),
    ("uncertainties",): list(Uncertainties.model_fields),
}
