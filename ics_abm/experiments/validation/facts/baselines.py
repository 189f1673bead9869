"""The base system and the arms that facts of several themes share.

A fact changes one thing in :data:`DEFAULT_SYSTEM`; the arms here are the comparisons that recur
across themes (the default itself, little against much shared history, balanced books), so that
every fact using them runs exactly the same scenario, and shares its runs in the run cache of
:func:`~ics_abm.experiments.validation.runner.run_fact`.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import Arm, for_each_kind

__all__ = ["RARE_EVENTS", "BALANCED", "BALANCED_BOOKS", "DEFAULT", "DEFAULT_SYSTEM", "HIGH_TRUST", "LOW_TRUST"]

#: The default ICS of docs/model.md 6.3 (25 organisations, every parameter at its default).
DEFAULT_SYSTEM: dict = {
    "scenario": {"name": "default system"},
    "organisations": {
        "acute": 3, "primary_care_network": 8, "commissioner": 3,
        "community_mental_health": 2, "local_authority": 4, "voluntary_sector": 5,
    },
}

#: Every partner in balance at the start, with costs growing no faster than its allocation.
BALANCED_BOOKS: dict = {**for_each_kind("initial_balance", 0.0), **for_each_kind("cost_pressure", 0.0)}

#: The default system, unchanged.
DEFAULT = Arm("default system")
#: Little shared history against a history of joint working (starting trust 0.45 against 0.75).
LOW_TRUST = Arm("little history (initial trust 0.45)", {"trust.initial": 0.45})
HIGH_TRUST = Arm("history of joint working (initial trust 0.75)", {"trust.initial": 0.75})
#: Every partner in financial balance (:data:`BALANCED_BOOKS`).
BALANCED = Arm("balanced books", BALANCED_BOOKS)


#: Seeds per arm for facts whose outcome counts rare events (hard decisions, year-end transfers: well
#: under one a run): about 200 runs give an 80% chance of telling a standardised effect of 0.2 from
#: noise at the 5% level, ((1.96 + 0.84) / 0.2)² ≈ 196 (StylizedFact.min_seeds).
RARE_EVENTS = 200
