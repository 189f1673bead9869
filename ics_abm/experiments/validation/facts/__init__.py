"""The registry of stylized facts (docs/evidence/stylized-facts.md) the model is tested on.

The facts are declared by theme, one module each:

* :mod:`~ics_abm.experiments.validation.facts.relationships`: relationships and trust;
* :mod:`~ics_abm.experiments.validation.facts.progress`: how integration progresses over time;
* :mod:`~ics_abm.experiments.validation.facts.regulation`: regulators and their interventions;
* :mod:`~ics_abm.experiments.validation.facts.finance`: financial balance, shared risk, control totals;
* :mod:`~ics_abm.experiments.validation.facts.governance`: hard decisions taken by consensus;
* :mod:`~ics_abm.experiments.validation.facts.partners`: engagement, commitment and leaders' belief;

with the base system and the arms they share in :mod:`~ics_abm.experiments.validation.facts.baselines`.
This package assembles them into :data:`FACTS`, in the order of :data:`ORDER`.

Adding a fact is one entry in its theme's tuple, a
:class:`~ics_abm.experiments.validation.fact.StylizedFact` with its evidence, two arms that change
a base scenario, a horizon, an outcome (:mod:`ics_abm.experiments.validation.outcomes`) and the
expected direction of B − A, and its id in :data:`ORDER`. Conventions:

* arm B is the condition the fact names (more history, organisation-focused regulators, balanced
  books, more power...), arm A the comparison, so ``expected`` reads as the fact does;
* an id with a letter suffix (``SF1b``) is a further test of the same fact; ``SF14a`` and
  ``SF40a``/``SF40b`` test the part of SF14 and SF40 that the core mechanisms can express;
* horizons are as short as the fact allows (the suite runs in CI), and no number here was chosen
  by looking at one seed: every fact is judged over at least 30 seeds per arm.

A fact that fails is left registered and reported; it is not re-tuned until it passes.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import StylizedFact
from ics_abm.experiments.validation.facts.baselines import (
    BALANCED_BOOKS,
    DEFAULT_SYSTEM,
)
from ics_abm.experiments.validation.facts.finance import FINANCE_FACTS
from ics_abm.experiments.validation.facts.governance import GOVERNANCE_FACTS
from ics_abm.experiments.validation.facts.partners import PARTNER_FACTS
from ics_abm.experiments.validation.facts.progress import PROGRESS_FACTS
from ics_abm.experiments.validation.facts.regulation import REGULATION_FACTS
from ics_abm.experiments.validation.facts.relationships import RELATIONSHIP_FACTS

__all__ = ["BALANCED_BOOKS", "DEFAULT_SYSTEM", "FACTS", "facts_by_id"]

#: The order of :data:`FACTS`, which reports, tables and the test suite show: first the facts the
#: core mechanisms (docs/model.md 7.1-7.9) can express, then those that need the mechanisms of
#: 7.10-7.16. A new fact goes at the end, so that earlier reports keep their order.
ORDER: tuple[str, ...] = (
    # core mechanisms
    "SF1", "SF1b", "SF1c", "SF4", "SF4b", "SF5", "SF5b", "SF5c", "SF9", "SF9b", "SF10", "SF14a",
    "SF37", "SF37b", "SF39", "SF39b", "SF40a", "SF40b",
    # governance, commitment, narrative, finance options, leadership, local authorities, events
    "SF2", "SF2b", "SF2c", "SF3", "SF7", "SF11", "SF11b", "SF12", "SF14", "SF15", "SF16", "SF21",
    "SF26", "SF31", "SF36", "SF38", "SF40",
    # added in issue 10: financial pressure is double-edged
    "SF6", "SF6b",
)


def _in_order(*themes: tuple[StylizedFact, ...]) -> tuple[StylizedFact, ...]:
    """The facts of every theme, in :data:`ORDER`.

    Raises
    ------
    RuntimeError
        If two facts share an id, or :data:`ORDER` and the themes do not name the same facts.
    """
    declared = [fact for theme in themes for fact in theme]
    by_id = {fact.id: fact for fact in declared}
    # Ids are how facts are chosen (--only) and named in reports: they must be unique.
    if len(by_id) != len(declared) or len(set(ORDER)) != len(ORDER):
        raise RuntimeError("stylized-fact ids in FACTS must be unique")
    if set(ORDER) != set(by_id):
        # A fact missing from ORDER would silently go untested; one missing from its theme, unrun.
        raise RuntimeError(
            f"ORDER and the themes of stylized facts must name the same facts; only in ORDER: "
            f"{sorted(set(ORDER) - set(by_id))}, only in a theme: {sorted(set(by_id) - set(ORDER))}"
        )
    return tuple(by_id[fact_id] for fact_id in ORDER)


#: Every registered fact, in :data:`ORDER`.
FACTS: tuple[StylizedFact, ...] = _in_order(
    RELATIONSHIP_FACTS, PROGRESS_FACTS, REGULATION_FACTS, FINANCE_FACTS, GOVERNANCE_FACTS, PARTNER_FACTS
)


def facts_by_id() -> dict[str, StylizedFact]:
    """The registry as ``{id: fact}``."""
    # Reads the module's FACTS at call time, so that a replaced registry (tests) is the one used.
    return {fact.id: fact for fact in FACTS}
