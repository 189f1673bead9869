"""Scenarios: the schema of a scenario file, reading and validating it, and the kinds of organisation.

* :mod:`ics_abm.scenario.schema`: one pydantic model per section of a scenario file;
* :mod:`ics_abm.scenario.loading`: files and dictionaries in, a validated :class:`Scenario` out;
* :mod:`ics_abm.scenario.errors`: :class:`ScenarioError`, one sentence per problem;
* :mod:`ics_abm.scenario.kinds`: the kinds of organisation, their defaults and the pair tables.
"""

from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.loading import (
    load_scenario,
    organisation_counts,
    scenario_from_dict,
    scenario_hash,
    scenario_to_dict,
    validate_files,
)
from ics_abm.scenario.schema import Event, Scenario

__all__ = [
    "Event",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "organisation_counts",
    "scenario_from_dict",
    "scenario_hash",
    "scenario_to_dict",
    "validate_files",
]
