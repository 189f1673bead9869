"""Validation of the model against the stylized facts of the seed documents.

* :class:`StylizedFact` declares a fact, its evidence and the two-arm experiment that tests it;
  the registry of facts is :data:`FACTS` (``ics_abm/experiments/validation/facts/``: one entry per fact);
* :func:`run_fact` runs one fact on common random numbers and judges it; :func:`validate` runs
  them all (``ics-abm validate-model``);
* :func:`write_validation` writes the report (Markdown, figures, tables); ``docs/validation.md``
  holds the latest one.

Example
-------
>>> from ics_abm.experiments.validation import validate, summary_table
>>> results = validate(only=["SF1"], seeds=30)
>>> bool(results[0].passed)  # doctest: +SKIP
True
"""

from ics_abm.experiments.validation.fact import Arm, StylizedFact, for_each_kind, kind_default, with_changes
from ics_abm.experiments.validation.facts import FACTS, facts_by_id
from ics_abm.experiments.validation.outcomes import Outcome
from ics_abm.experiments.validation.report import install_report, write_validation
from ics_abm.experiments.validation.runner import (
    MIN_SEEDS,
    FactResult,
    fact_seeds,
    outcomes_table,
    run_fact,
    summary_table,
    validate,
)

__all__ = [
    "Arm",
    "FACTS",
    "FactResult",
    "MIN_SEEDS",
    "Outcome",
    "StylizedFact",
    "fact_seeds",
    "facts_by_id",
    "for_each_kind",
    "install_report",
    "kind_default",
    "outcomes_table",
    "run_fact",
    "summary_table",
    "validate",
    "with_changes",
    "write_validation",
]
