"""7.16 Events, shocks and psychological safety: the part that acts inside a step.

Events themselves act between steps (:mod:`ics_abm.engine.events`); within a step only winter
pressure changes, decaying month by month. Psychological safety is a constant of the system state
read by the votes (7.13).
"""

from __future__ import annotations

from ics_abm.engine.jit import inline
from ics_abm.engine.state import WINTER

__all__ = ["winter_decays"]


@inline
def winter_decays(params, system, winter):
    """7.16 (phase 11): winter pressure after this month, from the ``winter`` this month used."""
    system[WINTER] = params.winter_decay * winter
