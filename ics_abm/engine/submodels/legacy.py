"""7.7 Competition legacy: the memory of a partner's defections that makes trust fall faster.

Twenty-five years of the internal market left each relationship a memory of defection; while it
lasts, trust lost to a partner acting for itself is lost faster. The memory fades by its retention
and grows with every defection.
"""

from __future__ import annotations

from ics_abm.engine.jit import inline

__all__ = ["loss_multiplier", "remember"]


@inline
def loss_multiplier(memory, legacy_weight):
    """7.7: how much faster trust is lost on an arc with this memory, ``1 + λ·memory``."""
    return 1.0 + legacy_weight * memory


@inline
def remember(memory, retention, partner):
    """7.7: the arc's memory after a month in which the partner played ``partner`` (1 collaborated)."""
    return retention * memory + (1.0 - retention) * (1.0 - partner)
