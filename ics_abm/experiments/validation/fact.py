"""A stylized fact as a declarative two-arm experiment.

A :class:`StylizedFact` says what was observed or asserted (with its evidence), and how the
model is put to the test: a base scenario, two arms A and B that change it (dotted paths into the
scenario data, e.g. ``{"trust.initial": 0.8}``), a horizon, the outcome measured in each arm and
the direction in which B should differ from A. Both arms are run on the same seeds (common
random numbers), and the fact holds when the interval of the paired difference B − A lies on the
expected side of zero (:mod:`ics_abm.experiments.validation.runner`).

Within-run contrasts use the same scenario in both arms with a different outcome per arm (e.g.
year-1 against year-5 progress); one-sample tests compare an outcome with a null value through
:func:`ics_abm.experiments.validation.outcomes.constant` in arm A.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ics_abm.experiments.validation.outcomes import Outcome
from ics_abm.scenario.kinds import KIND_DEFAULTS, KINDS
from ics_abm.scenario.loading import load_scenario, scenario_from_dict, scenario_to_dict
from ics_abm.scenario.schema import Scenario

__all__ = ["Arm", "StylizedFact", "DIRECTIONS", "TAGS", "for_each_kind", "kind_default", "with_changes"]

#: Tags of the digest: OBS = observed in the King's Fund study [003]; ASSERT = an author's claim.
TAGS = ("OBS", "ASSERT")
#: Expected direction of the difference B − A.
DIRECTIONS = ("increase", "decrease")


def with_changes(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict:
    """A copy of scenario data with dotted-path changes applied.

    Parameters
    ----------
    base : mapping
        Scenario data as nested mappings (as :func:`tomllib.loads` gives it).
    changes : mapping of str to value
        ``{"section.field": value}`` or deeper (``"kinds.acute.power"``); missing tables are
        created. Values are not checked here: the result is validated as a scenario.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        If a path is empty or goes through a value that is not a table.

    Examples
    --------
    >>> with_changes({"trust": {"initial": 0.6}}, {"trust.initial": 0.8, "legacy.strength": 0.2})
    {'trust': {'initial': 0.8}, 'legacy': {'strength': 0.2}}
    """
    data = copy.deepcopy(dict(base))
    for path, value in changes.items():
        parts = str(path).split(".")
        if not all(parts):
            raise ValueError(f"change {path!r} is not a dotted path of field names like 'trust.initial'")
        table = data
        for depth, part in enumerate(parts[:-1]):
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                where = ".".join(parts[: depth + 1])
                raise ValueError(f"change {path!r} goes through {where!r}, which is a value, not a table")
        table[parts[-1]] = copy.deepcopy(value)
    return data


def for_each_kind(field_name: str, value: Any | Callable[[str], Any]) -> dict[str, Any]:
    """The same change for every kind: ``{"kinds.<kind>.<field>": value}``.

    Parameters
    ----------
    field_name : str
        A per-kind field (``power``, ``cost_pressure``, ...).
    value : value or callable
        The value, or ``value(kind) -> value`` (e.g. ``lambda k: 2 * default("power", k)``).
    """
    return {f"kinds.{kind}.{field_name}": value(kind) if callable(value) else value for kind in KINDS}


def kind_default(field_name: str, kind: str) -> float:
    """The default of a per-kind field (``ics_abm.scenario.kinds.KIND_DEFAULTS``), e.g. to scale it."""
    return getattr(KIND_DEFAULTS[kind], field_name)


@dataclass(frozen=True)
class Arm:
    """One arm of a fact's experiment.

    Attributes
    ----------
    label : str
        Short name, shown in the report (e.g. ``"low trust"``).
    changes : mapping of str to value
        Dotted-path changes of the fact's base scenario (:func:`with_changes`).
    outcome : Outcome or None
        The outcome measured in this arm; ``None`` uses the fact's outcome.
    """

    label: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    outcome: Outcome | None = None


@dataclass(frozen=True)
class StylizedFact:
    """A stylized fact and the experiment that tests it (see the module docstring).

    Attributes
    ----------
    id : str
        The digest's number, e.g. ``"SF1"`` (a letter suffix for a further test of the same fact).
    title : str
        The fact in a sentence.
    tag : {"OBS", "ASSERT"}
    evidence : str
        A quotation from the seed documents.
    source : str
        Its key, e.g. ``"[003]"``.
    experiment : str
        The experiment in words, for readers of the report.
    base : mapping or str or os.PathLike
        The base scenario: scenario data, or a scenario file (read when the fact is run).
    a, b : Arm
        The two arms; the difference is B − A.
    steps : int
        Months per run.
    outcome : Outcome
        What is measured (in both arms unless an arm sets its own).
    expected : {"increase", "decrease"}
        Expected sign of B − A.
    min_seeds : int
        Seeds per arm this fact needs at least (0: the number asked for). Outcomes that count rare
        events (hard decisions, year-end transfers: well under one a run) or whose standardised
        effect is small (about 0.2) need about 200 runs for an 80% chance of telling a real effect
        from noise at the 5% level ((1.96 + 0.84)² / 0.2² ≈ 196); the fact then runs on the first
        ``min_seeds`` seeds of the same root, so it still shares its first seeds with every other fact.
    discrepancy : str
        Empty, or why the model is known not to reproduce the fact. A fact with a discrepancy is
        still run and reported (as a failure, with this text); the tests expect it to fail, so
        that a change which makes it pass is noticed and the note removed.
    """

    id: str
    title: str
    tag: str
    evidence: str
    source: str
    experiment: str
    base: Mapping[str, Any] | str | os.PathLike
    a: Arm
    b: Arm
    steps: int
    outcome: Outcome
    expected: str
    discrepancy: str = ""
    min_seeds: int = 0

    def __post_init__(self) -> None:
        if not self.id or not self.id.strip():
            raise ValueError("a stylized fact needs a non-empty id such as 'SF1'")
        if self.tag not in TAGS:
            raise ValueError(f"fact {self.id}: tag must be one of {', '.join(TAGS)}, got {self.tag!r}")
        if self.expected not in DIRECTIONS:
            raise ValueError(f"fact {self.id}: expected must be one of {', '.join(DIRECTIONS)}, got {self.expected!r}")
        if int(self.min_seeds) != self.min_seeds or self.min_seeds < 0:
            raise ValueError(f"fact {self.id}: min_seeds must be a whole number >= 0, got {self.min_seeds}")
        if int(self.steps) != self.steps or self.steps < 1:
            raise ValueError(f"fact {self.id}: steps must be a whole number >= 1, got {self.steps}")
        for arm in (self.a, self.b):
            if self.outcome_of(arm).last_month > self.steps:
                raise ValueError(
                    f"fact {self.id}: arm '{arm.label}' reads month {self.outcome_of(arm).last_month}, "
                    f"expected at most the fact's {self.steps} steps"
                )

    def outcome_of(self, arm: Arm) -> Outcome:
        """The outcome measured in ``arm``."""
        return self.outcome if arm.outcome is None else arm.outcome

    def base_data(self) -> dict:
        """The base scenario as data (a file is read and validated, then written out as data)."""
        if isinstance(self.base, Mapping):
            return copy.deepcopy(dict(self.base))
        return scenario_to_dict(load_scenario(self.base))

    def scenario(self, arm: Arm) -> Scenario:
        """The validated scenario of ``arm``: the base with the arm's changes.

        Both arms get the scenario name of the fact, so that arms without changes are the same
        scenario (and are run once).

        Raises
        ------
        ScenarioError
            If the changed scenario does not validate; the message names the fact and arm.
        """
        data = with_changes(self.base_data(), {**arm.changes, "scenario.name": self.id})
        return scenario_from_dict(data, source=f"fact {self.id}, arm '{arm.label}'")

    def reads(self) -> tuple[str, ...]:
        """Every system metric the fact's outcomes read."""
        return tuple(dict.fromkeys(m for arm in (self.a, self.b) for m in self.outcome_of(arm).reads))
