"""What every section of a scenario file is built from: the base model and the shared field types."""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)
from pydantic_core import PydanticCustomError

from ics_abm.scenario.kinds import KINDS, PRINCIPALS, pair_key

__all__ = ["MAX_ORGANISATIONS", "REGIMES", "FINANCE_REGIMES", "SCENARIO_GROUPS", "PairKey", "PairTable", "KindName", "Principal",
           "ScenarioAlias", "ScenarioGroup"]

#: Finance regimes (7.15), in the order the engine numbers them (``Params.finance_regime``).
FINANCE_REGIMES: tuple[str, ...] = ("separate", "control_total", "pooled")

#: Largest number of organisations a scenario may ask for (all kinds together).
MAX_ORGANISATIONS = 200_000

#: Regulation regimes, ``docs/model.md`` section 7.5.
REGIMES: tuple[str, ...] = ("none", "misaligned", "aligned", "single")

Regime = Literal["none", "misaligned", "aligned", "single"]
FinanceRegime = Literal["separate", "control_total", "pooled"]
KindName = Literal[KINDS]  # type: ignore[valid-type]
Principal = Literal[PRINCIPALS]  # type: ignore[valid-type]

#: The groups of the scenario catalogue (``[scenario] group``): the core files, the eight
#: first-wave ICS archetypes, the regulation and finance options, the facilitator stories for
#: leadership sessions, and a user's own files.
SCENARIO_GROUPS: tuple[str, ...] = ("core", "ics", "regulation", "finance", "facilitator", "custom")
ScenarioGroup = Literal["core", "ics", "regulation", "finance", "facilitator", "custom"]
#: Another name of a scenario: what a user may type for it on the command line.
ScenarioAlias = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


def _list_to_tuple(value: object) -> object:
    """A TOML array as a tuple (scenarios are frozen and hashable); anything else for the type check."""
    return tuple(value) if isinstance(value, list) else value


# --------------------------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------------------------


def _check_pair(value: str) -> str:
    parts = value.split("/")
    if len(parts) != 2 or parts[0] not in KINDS or parts[1] not in KINDS:
        guess = [difflib.get_close_matches(p, KINDS, n=1, cutoff=0.6) for p in parts]
        hint = ""
        if len(parts) == 2 and all(guess):
            suggestion = f"{guess[0][0]}/{guess[1][0]}"
            if suggestion != value:
                hint = f" (did you mean '{suggestion}'?)"
        raise PydanticCustomError(
            "scenario_pair_key",
            "has an unknown pair of kinds {given}{hint}; expected two kind names joined by '/', "
            "each one of {kinds}",
            {"given": repr(value), "hint": hint, "kinds": ", ".join(KINDS)},
        )
    return pair_key(parts[0], parts[1])


def _no_duplicate_pairs(value: Any) -> Any:
    if not isinstance(value, dict):
        return value  # the dict validator reports the wrong type
    seen: dict[str, str] = {}
    for key in value:
        if not isinstance(key, str):
            continue
        parts = key.split("/")
        if len(parts) != 2 or parts[0] not in KINDS or parts[1] not in KINDS:
            continue  # the key validator reports it
        canonical = pair_key(parts[0], parts[1])
        if canonical in seen:
            raise PydanticCustomError(
                "scenario_duplicate_pair",
                "has the pair {given} twice (also as {other}); expected each pair of kinds once, "
                "in either order",
                {"given": repr(key), "other": repr(seen[canonical])},
            )
        seen[canonical] = key
    return value


#: A pair of kinds, ``"kind_a/kind_b"`` in either order, normalised with :func:`pair_key`.
PairKey = Annotated[str, AfterValidator(_check_pair)]
#: A per-pair table of values in [0, 1].
PairTable = Annotated[
    dict[PairKey, Annotated[float, Field(ge=0, le=1)]], BeforeValidator(_no_duplicate_pairs)
]


class Section(BaseModel):
    """Base of every scenario model: unknown keys refused, immutable, strict, finite floats."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


