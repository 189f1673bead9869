"""A stylized fact run under given parameter values: the values a fact leaves to its caller.

A fact is an experiment: its arms (and sometimes its base) set the parameters it is about, e.g.
``trust.initial`` 0.3 against 0.8. Run under a parameter set (a posterior draw in
``validate-model --posterior``, a particle when a calibration has facts among its patterns), the set
changes a parameter only where the fact's base scenario leaves it at the default scenario's value;
the fact's own settings, and then its arms' changes, win.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ics_abm.experiments.validation.fact import StylizedFact

__all__ = ["fact_under_draw"]


def fact_under_draw(fact: StylizedFact, values: Mapping[str, float], default: Mapping[str, Any]) -> StylizedFact:
    """``fact`` with a draw's ``values`` set wherever its base leaves the default scenario's value.

    Parameters
    ----------
    fact : StylizedFact
    values : mapping
        Dotted parameter path -> value (one row of a posterior draw).
    default : mapping
        The default scenario as data (``scenario_to_dict``).
    """
    from ics_abm.experiments.sweeps.parameters import value_at, with_values
    from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

    # A fact's base may give only what it changes; the validated scenario has every value.
    base = scenario_to_dict(scenario_from_dict(fact.base_data(), source=f"fact {fact.id}"))
    kept = {path: float(v) for path, v in values.items() if value_at(base, path) == value_at(default, path)}
    return dataclasses.replace(fact, base=with_values(base, kept))
