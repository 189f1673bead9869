"""The ``[[events]]`` of a scenario file (docs/model.md 7.16): one model per kind of event."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
)

from ics_abm.scenario.base import KindName, Regime, Section

__all__ = ["Event", "FinancialShock", "WinterPressure", "RegimeChange", "LeadershipProgramme", "LeaderLeaves",
           "LocalAuthorityWalksAway", "AltruisticFirstMove", "PartnerEntry", "PartnerExit"]


class _Event(Section):
    month: int = Field(ge=1, le=100_000, description="month at whose start the event acts")


class FinancialShock(_Event):
    kind: Literal["financial_shock"]
    size: float = Field(0.02, ge=0, le=1, description="share of annual budget")
    organisation_kind: KindName | None = None


class WinterPressure(_Event):
    kind: Literal["winter_pressure"]
    size: float = Field(1.0, ge=0, le=1)


class RegimeChange(_Event):
    kind: Literal["regime_change"]
    regime: Regime
    provider_lag: int = Field(0, ge=0, le=1200, description="months")
    commissioner_lag: int = Field(0, ge=0, le=1200, description="months")


class LeadershipProgramme(_Event):
    kind: Literal["leadership_programme"]
    size: float = Field(0.3, ge=0, le=1)


class LeaderLeaves(_Event):
    kind: Literal["leader_leaves"]


class LocalAuthorityWalksAway(_Event):
    kind: Literal["local_authority_walks_away"]
    which: Literal["largest", "all"] = "largest"


class AltruisticFirstMove(_Event):
    kind: Literal["altruistic_first_move"]
    size: float = Field(0.005, ge=0, le=1, description="share of the lead's annual budget given")


class PartnerEntry(_Event):
    kind: Literal["partner_entry"]
    organisation_kind: KindName


class PartnerExit(_Event):
    kind: Literal["partner_exit"]
    organisation_kind: KindName


Event = Annotated[
    FinancialShock | WinterPressure | RegimeChange | LeadershipProgramme | LeaderLeaves
    | LocalAuthorityWalksAway | AltruisticFirstMove | PartnerEntry | PartnerExit,
    Field(discriminator="kind"),
]


