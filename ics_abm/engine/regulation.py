"""Regulation regimes: how a scenario's ``[regulation]`` table becomes per-principal parameters.

docs/model.md, section 7.5 (the regime table). Regulators are not agents: each is a payoff shift
on the organisations that answer to it plus an intervention process on those in deficit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["REGIMES", "RegulatorSettings", "blend_regimes", "resolve_regime"]

#: Regimes a scenario can name.
REGIMES: tuple[str, ...] = ("none", "misaligned", "aligned", "single")


class RegulatorSettings(NamedTuple):
    """Per-principal regulator parameters (index 0 provider, 1 commissioner, 2 public).

    Attributes
    ----------
    strength, focus, rate : ndarray of float64, shape (3,)
        Push strength (normalised payoff units), focus in [0, 1] (0 organisational, 1 system)
        and intervention rate per month.
    conflict : float
        Extra push towards self-interest on provider–commissioner arcs (misaligned only).
    capacity_cost : float
        Share of leader capacity an intervention takes.
    system_assessment : bool
        Whether an organisation is assessed on the system's position (single oversight).
    """

    strength: np.ndarray
    focus: np.ndarray
    rate: np.ndarray
    conflict: float
    capacity_cost: float
    system_assessment: bool


def resolve_regime(regulation) -> RegulatorSettings:
    """Per-principal settings for a validated ``scenario.regulation`` table.

    Parameters
    ----------
    regulation : ics_abm.scenario.schema.Regulation
        Its ``regime`` is one of :data:`REGIMES`.

    Returns
    -------
    RegulatorSettings
    """
    regime = regulation.regime
    if regime not in REGIMES:
        raise ValueError(f"regulation.regime must be one of {REGIMES}, got {regime!r}")
    zeros = np.zeros(3)
    if regime == "none":
        return RegulatorSettings(zeros.copy(), zeros.copy(), zeros.copy(), 0.0, 0.0, False)
    strength = np.array([regulation.strength, regulation.strength, 0.0])
    rate = np.array([regulation.intervention_rate, regulation.intervention_rate, 0.0])
    if regime == "misaligned":
        focus = np.array([regulation.provider_focus, regulation.commissioner_focus, 0.0])
        return RegulatorSettings(strength, focus, rate, float(regulation.conflict), float(regulation.intervention_capacity_cost), False)
    focus = np.array([regulation.system_focus, regulation.system_focus, 0.0])
    if regime == "aligned":
        return RegulatorSettings(strength, focus, rate, 0.0, float(regulation.intervention_capacity_cost), False)
    cost = regulation.intervention_capacity_cost * regulation.single_oversight_cost_factor
    return RegulatorSettings(strength, focus, rate, 0.0, float(cost), True)


def blend_regimes(old: RegulatorSettings, new: RegulatorSettings, fraction: np.ndarray) -> RegulatorSettings:
    """Settings part-way through a regime change with regional lags (docs/model.md, 7.16).

    Parameters
    ----------
    old, new : RegulatorSettings
        Before and after the change.
    fraction : ndarray of float64, shape (3,)
        How far each principal's regulator has moved, in [0, 1] (the public entry is ignored).

    Returns
    -------
    RegulatorSettings
        Strength, focus and rate moved by each regulator's fraction; the conflict weight by the
        slower regulator's; capacity cost and assessment are national policy and switch at once.
    """
    def blend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        mixed = a + (b - a) * fraction
        mixed[2] = 0.0
        return mixed

    slower = float(min(fraction[0], fraction[1]))
    return RegulatorSettings(
        strength=blend(old.strength, new.strength),
        focus=blend(old.focus, new.focus),
        rate=blend(old.rate, new.rate),
        conflict=old.conflict + (new.conflict - old.conflict) * slower,
        capacity_cost=new.capacity_cost,
        system_assessment=new.system_assessment,
    )
