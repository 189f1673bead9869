"""The sections of a scenario file for the mechanisms of docs/model.md 7.11-7.16.

``[leadership]``, ``[narrative]``, ``[governance]``, ``[commitment]``, ``[local_authority]`` and
``[shocks]``: each model holds its section's values as data, validated once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ics_abm.scenario.base import KindName, Section

__all__ = ["Leadership", "Narrative", "Governance", "Commitment", "LocalAuthority", "Shocks"]


class Leadership(Section):
    """``[leadership]``: lead organisation, turnover, experience and safety (7.11, 7.16)."""

    concentration: float = Field(0.5, ge=0, le=1)
    turnover_rate: float = Field(0.01, ge=0, le=1, description="per month")
    turnover_trust_loss: float = Field(0.15, ge=0, le=1)
    lead_trust_loss: float = Field(0.2, ge=0, le=1)
    newcomer_penalty: float = Field(0.5, ge=0, le=1)
    settling_rate: float = Field(0.1, ge=0, le=1, description="per month")
    safety: float = Field(0.3, ge=0, le=1)


class Narrative(Section):
    """``[narrative]``: beliefs in the shared purpose, bounded confidence (7.12)."""

    initial: float = Field(0.3, ge=0, le=1)
    build_rate: float = Field(0.02, ge=0, le=1, description="per month")
    convergence: float = Field(0.3, ge=0, le=1)
    confidence_bound: float = Field(0.3, ge=0, le=1)
    decay: float = Field(0.01, ge=0, le=1, description="per month")
    burning_platform: float = Field(0.02, ge=0, le=1, description="per month")
    shock_buffer: float = Field(0.5, ge=0, le=1)


class Governance(Section):
    """``[governance]``: hard decisions and how they are settled (7.13)."""

    kind: Literal["informal", "statutory"] = "informal"
    decision_rate: float = Field(0.056, ge=0, le=1, description="per month")
    patience: int = Field(12, ge=1, le=1200, description="months")
    support_threshold: float = Field(0.15, ge=0, le=1)
    narrative_weight: float = Field(0.3, ge=0, le=10)
    safety_weight: float = Field(0.3, ge=0, le=10)
    loss_weight: float = Field(1.2, ge=0, le=10)
    vote_noise: float = Field(0.15, ge=0, le=10)
    deliberation: float = Field(0.04, ge=0, le=10, description="per month")
    majority: float = Field(0.5, ge=0, le=1)
    resolved_trust_gain: float = Field(0.1, ge=0, le=1)
    resolved_progress: float = Field(1.0, ge=0, le=100)
    breakdown_trust_loss: float = Field(0.03, ge=0, le=1)


class Commitment(Section):
    """``[commitment]``: unconditional or conditional commitment (7.13).

    ``unwilling`` lists kinds whose organisations never commit.
    """

    mode: Literal["unconditional", "conditional"] = "unconditional"
    trust_threshold: float = Field(0.2, ge=0, le=1)
    stress_threshold: float = Field(0.8, ge=0, le=1)
    reengage_margin: float = Field(0.1, ge=0, le=1)
    unwilling: list[KindName] = Field(default_factory=list)


class LocalAuthority(Section):
    """``[local_authority]``: engagement states and political pressure (7.14)."""

    engagement: Literal["absent", "partner", "full", "lead"] = "full"
    dynamic: bool = True
    political_pressure: float = Field(0.2, ge=0, le=1)
    political_decay: float = Field(0.1, ge=0, le=1, description="per month")
    political_weight: float = Field(0.5, ge=0, le=10)
    absent_threshold: float = Field(0.05, ge=0, le=1)
    partner_threshold: float = Field(0.15, ge=0, le=1)
    full_threshold: float = Field(0.2, ge=0, le=1)

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> LocalAuthority:
        if self.absent_threshold > self.full_threshold:
            raise PydanticCustomError(
                "scenario_thresholds_unordered",
                "has absent_threshold {absent} above full_threshold {full}; expected absent_threshold <= "
                "full_threshold",
                {"absent": self.absent_threshold, "full": self.full_threshold},
            )
        return self


class Shocks(Section):
    """``[shocks]``: how winter, entries and exits act (7.16)."""

    winter_capacity_loss: float = Field(0.5, ge=0, le=1)
    winter_cost: float = Field(0.01, ge=0, le=1, description="share of budget per year at full winter pressure")
    winter_decay: float = Field(0.7, ge=0, le=1)
    entry_trust: float = Field(0.3, ge=0, le=1)
    exit_trust_loss: float = Field(0.1, ge=0, le=1)


# Events (7.16): one table per event in ``[[events]]``, told apart by ``kind``.


