"""The scenario schema: one pydantic model per section of a scenario file.

A scenario is a TOML file (read with the standard library's :mod:`tomllib`) that sets the size of
the system, per-kind and per-pair overrides and every parameter of ``docs/model.md`` section 7.
Every section except ``[scenario]`` is optional. The file is validated by the pydantic models
below; any problem is reported as a :class:`ScenarioError` whose text is one sentence naming the
file, the field, what was expected and what was given, for example::

    scenarios/bad.toml: field 'trust.loss_rate' expected a number between 0 and 1, got 1.5.

The models hold configuration as data only. A per-kind or per-pair value that the file does not
give is ``None`` (or absent from the pair table) and is filled in later by the model from
:data:`ics_abm.scenario.kinds.KIND_DEFAULTS` and :data:`ics_abm.scenario.kinds.PAIR_TABLES`; the regulation regime is
resolved by the model (``docs/model.md`` section 7.5), not here.

``scenarios/default.toml`` writes out every parameter with its default value, unit and meaning.
"""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, model_validator
from pydantic_core import PydanticCustomError

from ics_abm.limits import MAX_SEED
from ics_abm.scenario.base import (  # noqa: F401  (re-exported names of the schema)
    FINANCE_REGIMES,
    MAX_ORGANISATIONS,
    REGIMES,
    SCENARIO_GROUPS,
    FinanceRegime,
    KindName,
    PairTable,
    Principal,
    Regime,
    ScenarioAlias,
    ScenarioGroup,
    Section,
    _list_to_tuple,
)
from ics_abm.scenario.events import Event
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.mechanisms import Commitment, Governance, Leadership, LocalAuthority, Narrative, Shocks

__all__ = [
    "MAX_ORGANISATIONS",
    "REGIMES",
    "SCENARIO_GROUPS",

    "ScenarioInfo",
    "Organisations",
    "KindOverrides",
    "Kinds",
    "Network",
    "Trust",
    "Legacy",
    "Decision",
    "Payoffs",
    "Finance",
    "Altruism",
    "Regulation",
    "Progress",
    "Scenario",
]


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


class ScenarioInfo(Section):
    """``[scenario]``: name and run length.

    Attributes
    ----------
    name : str
        Short name of the scenario (required, not blank).
    description : str
        Free text; its first line is what ``ics-abm scenarios`` shows.
    group : str
        Its group in the catalogue (:mod:`ics_abm.scenario.catalog`), one of :data:`SCENARIO_GROUPS`.
    aliases : tuple of str
        Other names it answers to where a scenario name is accepted (e.g. ``["regulation_misaligned"]``).
    steps : int
        Number of monthly steps to run, 1 to 100000.
    seed : int
        Seed of the model's random generator, >= 0.
    """

    name: str = Field(min_length=1, pattern=r"\S", description="scenario name")
    description: str = Field("", description="free text")
    group: ScenarioGroup = Field("custom", description="catalogue group")
    aliases: Annotated[tuple[ScenarioAlias, ...], BeforeValidator(_list_to_tuple), PlainSerializer(list)] = Field((), description="other names")
    steps: int = Field(120, ge=1, le=100_000, description="months to run")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="random seed")


class Organisations(Section):
    """``[organisations]``: number of organisations of each kind (>= 0; at most 200000 in all).

    Plain data: use :func:`organisation_counts` for a ``{kind: count}`` dictionary in kind order.
    The total is checked where the section is used (:class:`Scenario`).
    """

    acute: int = Field(0, ge=0)
    primary_care_network: int = Field(0, ge=0)
    commissioner: int = Field(0, ge=0)
    community_mental_health: int = Field(0, ge=0)
    local_authority: int = Field(0, ge=0)
    voluntary_sector: int = Field(0, ge=0)


#: The system of a scenario file without ``[organisations]``: the default system of 25
#: organisations (``scenarios/default.toml``, docs/model.md 6.3).
DEFAULT_SYSTEM = {"acute": 3, "primary_care_network": 8, "commissioner": 3, "community_mental_health": 2,
                  "local_authority": 4, "voluntary_sector": 5}


def _total_within_limit(organisations: Organisations) -> Organisations:
    total = sum(getattr(organisations, kind) for kind in KINDS)
    if total < 1:
        raise PydanticCustomError(
            "scenario_no_organisations",
            "expected at least 1 organisation in total (or no [organisations] section, for the default "
            "system of 25), got {given}",
            {"given": total},
        )
    if total > MAX_ORGANISATIONS:
        raise PydanticCustomError(
            "scenario_too_many_organisations",
            "expected at most {limit} organisations in total, got {given}",
            {"limit": MAX_ORGANISATIONS, "given": total},
        )
    return organisations


class KindOverrides(Section):
    """``[kinds.<kind>]``: overrides of the per-kind defaults in :data:`ics_abm.scenario.kinds.KIND_DEFAULTS`.

    Every field is optional; ``None`` means "use the kind's default". The meaning of each field is
    documented on :class:`ics_abm.scenario.kinds.KindDefaults`. If ``power``, ``affiliation`` and
    ``achievement`` are all given they must not all be 0 (a mix of given values and defaults is
    checked when the model applies the defaults).
    """

    budget: float | None = Field(None, gt=0, description="£m per year")
    initial_balance: float | None = Field(None, ge=-1, le=1, description="share of budget")
    cost_pressure: float | None = Field(None, ge=-0.5, le=0.5, description="share of budget per year")
    power: float | None = Field(None, ge=0)
    affiliation: float | None = Field(None, ge=0)
    achievement: float | None = Field(None, ge=0)
    altruism: float | None = Field(None, ge=0, le=1)
    capacity: float | None = Field(None, ge=0, le=1)
    principal: Principal | None = None

    @model_validator(mode="after")
    def _motives_not_all_zero(self) -> KindOverrides:
        motives = (self.power, self.affiliation, self.achievement)
        if all(m is not None for m in motives) and not any(motives):
            raise PydanticCustomError(
                "scenario_motives_all_zero",
                "has power, affiliation and achievement all equal to {given}; expected at least "
                "one motive strength above 0",
                {"given": 0},
            )
        return self


class Kinds(Section):
    """``[kinds]``: one optional :class:`KindOverrides` table per kind (``None`` = no overrides)."""

    acute: KindOverrides | None = None
    primary_care_network: KindOverrides | None = None
    commissioner: KindOverrides | None = None
    community_mental_health: KindOverrides | None = None
    local_authority: KindOverrides | None = None
    voluntary_sector: KindOverrides | None = None


class Network(Section):
    """``[network]``: the relationship graph.

    Attributes
    ----------
    tie_probability : dict[str, float]
        Per-pair overrides of the probability of a relationship, in [0, 1]; keys normalised by
        :func:`ics_abm.scenario.kinds.pair_key`. Pairs not given use ``PAIR_TABLES["tie_probability"]``.
    cultural_distance : dict[str, float]
        Per-pair overrides of cultural distance, in [0, 1].
    budget_spread : float
        Relative spread of budgets around the kind's budget, in [0, 2].
    """

    tie_probability: PairTable = Field(default_factory=dict)
    cultural_distance: PairTable = Field(default_factory=dict)
    budget_spread: float = Field(0.2, ge=0, le=2)


class Trust(Section):
    """``[trust]``: trust dynamics (``docs/model.md`` 7.3, 7.7), rates per month."""

    initial: float = Field(0.52, ge=0, le=1)
    initial_spread: float = Field(0.1, ge=0, le=0.5)
    gain_rate: float = Field(0.15, ge=0, le=1)
    loss_rate: float = Field(0.25, ge=0, le=1)
    distance_drag: float = Field(0.5, ge=0, le=1)
    contact_rate: float = Field(0.05, ge=0, le=1)
    safety_buffer: float = Field(0.5, ge=0, le=1)


class Legacy(Section):
    """``[legacy]``: the internal market's competition legacy (``docs/model.md`` 7.7).

    ``exposure`` holds per-pair overrides in [0, 1] of ``PAIR_TABLES["legacy_exposure"]``.
    ``memory_half_life`` is in months.
    """

    strength: float = Field(0.5, ge=0, le=1)
    memory_weight: float = Field(1.0, ge=0, le=10)
    memory_half_life: float = Field(12.0, gt=0, le=1200, description="months")
    exposure: PairTable = Field(default_factory=dict)


class Decision(Section):
    """``[decision]``: decision noise ``τ``, the shadow of the future and the pull of the shared
    purpose (``docs/model.md`` 7.2), in normalised payoff units."""

    noise: float = Field(0.03, ge=0, le=10)
    crowding_out: float = Field(0.3, ge=0, le=1)
    future_weight: float = Field(0.2, ge=0, le=10)
    purpose_weight: float = Field(0.1, ge=0, le=10)
    socialised_power: float = Field(1.0, ge=0, le=1)


class Payoffs(Section):
    """``[payoffs]``: material payoff matrix per unit of stake (``docs/model.md`` 7.4).

    The four values must not all be equal (payoffs are normalised by their range).
    """

    reward: float = Field(2.0, ge=-1e6, le=1e6)
    sucker: float = Field(-1.0, ge=-1e6, le=1e6)
    temptation: float = Field(3.0, ge=-1e6, le=1e6)
    punishment: float = Field(0.0, ge=-1e6, le=1e6)

    @model_validator(mode="after")
    def _not_all_equal(self) -> Payoffs:
        if self.reward == self.sucker == self.temptation == self.punishment:
            raise PydanticCustomError(
                "scenario_payoffs_all_equal",
                "has reward, sucker, temptation and punishment all equal to {given}; expected at "
                "least two different values",
                {"given": repr(self.reward)},
            )
        return self


class Finance(Section):
    """``[finance]``: stakes, stress and finance options (``docs/model.md`` 7.4, 7.5, 7.15).

    ``regime`` is one of :data:`FINANCE_REGIMES`. Shares are of the annual budget; months are
    whole months.
    """

    stake_share: float = Field(0.004, ge=0, le=1)
    stress_scale: float = Field(0.05, gt=0, le=10)
    stress_weight: float = Field(0.1, ge=0, le=10)
    regime: FinanceRegime = "separate"
    linked_share: float = Field(0.5, ge=0, le=1)
    sustainability_share: float = Field(0.01, ge=0, le=1)
    risk_tolerance: float = Field(0.39, ge=0, le=1)
    signup_share: float = Field(0.75, ge=0, le=1)
    transfers: bool = True
    transfer_share: float = Field(0.5, ge=0, le=1)
    transfer_trust_gain: float = Field(0.2, ge=0, le=1)
    invest_share: float = Field(0.0, ge=0, le=1)
    invest_return: float = Field(1.5, ge=0, le=100)
    invest_lag: int = Field(120, ge=0, le=100_000, description="months")
    invest_months: int = Field(120, ge=0, le=100_000, description="months")
    pooled_share: float = Field(0.5, ge=0, le=1)
    pooled_system_weight: float = Field(0.15, ge=0, le=1)
    surplus_cap: float = Field(0.02, ge=0, le=1)
    cost_pressure_spread: float = Field(0.01, ge=0, le=0.5)


class Altruism(Section):
    """``[altruism]``: growth and erosion of altruism per month (``docs/model.md`` 7.6)."""

    growth: float = Field(0.02, ge=0, le=1)
    erosion: float = Field(0.05, ge=0, le=1)


class Regulation(Section):
    """``[regulation]``: regulators and interventions (``docs/model.md`` 7.5).

    ``regime`` is one of :data:`REGIMES`; which of the other values apply depends on it and is
    resolved by the model.
    """

    regime: Regime = "misaligned"
    strength: float = Field(0.05, ge=0, le=10)
    provider_focus: float = Field(0.2, ge=0, le=1)
    commissioner_focus: float = Field(0.35, ge=0, le=1)
    system_focus: float = Field(0.8, ge=0, le=1)
    conflict: float = Field(1.0, ge=0, le=10)
    intervention_rate: float = Field(0.2, ge=0, le=1)
    intervention_threshold: float = Field(0.02, gt=0, le=1)
    intervention_push: float = Field(1.0, ge=0, le=10)
    intervention_capacity_cost: float = Field(0.5, ge=0, le=1)
    pressure_decay: float = Field(0.8, ge=0, le=1)
    single_oversight_cost_factor: float = Field(0.5, ge=0, le=1)
    autonomy: float = Field(0.8, ge=0, le=1)


class Progress(Section):
    """``[progress]``: decay of integration progress per month, and the progress at which a system
    counts as mature (``docs/model.md`` 7.8)."""
    maturity: float = Field(15.0, gt=0, le=1000)

    decay: float = Field(0.02, ge=0, le=1)


class Scenario(Section):
    """A whole scenario file. Only ``[scenario]`` (with ``name``) is required.

    Attributes
    ----------
    scenario : ScenarioInfo
    organisations : Organisations
    kinds : Kinds
    network : Network
    trust : Trust
    legacy : Legacy
    decision : Decision
    payoffs : Payoffs
    finance : Finance
    altruism : Altruism
    regulation : Regulation
    progress : Progress
    leadership : Leadership
    narrative : Narrative
    governance : Governance
    commitment : Commitment
    local_authority : LocalAuthority
    shocks : Shocks
    events : list of events
        Scheduled events (``[[events]]``), each acting at the start of its ``month``.
    """

    scenario: ScenarioInfo
    organisations: Annotated[Organisations, AfterValidator(_total_within_limit)] = Field(
        default_factory=lambda: Organisations(**DEFAULT_SYSTEM)
    )
    kinds: Kinds = Field(default_factory=Kinds)
    network: Network = Field(default_factory=Network)
    trust: Trust = Field(default_factory=Trust)
    legacy: Legacy = Field(default_factory=Legacy)
    decision: Decision = Field(default_factory=Decision)
    payoffs: Payoffs = Field(default_factory=Payoffs)
    finance: Finance = Field(default_factory=Finance)
    altruism: Altruism = Field(default_factory=Altruism)
    regulation: Regulation = Field(default_factory=Regulation)
    progress: Progress = Field(default_factory=Progress)
    leadership: Leadership = Field(default_factory=Leadership)
    narrative: Narrative = Field(default_factory=Narrative)
    governance: Governance = Field(default_factory=Governance)
    commitment: Commitment = Field(default_factory=Commitment)
    local_authority: LocalAuthority = Field(default_factory=LocalAuthority)
    shocks: Shocks = Field(default_factory=Shocks)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pooled_payoffs_differ(self) -> Scenario:
        # 7.15: a pooled budget replaces S and T by their mean; the payoffs in force must differ.
        p = self.payoffs
        if self.finance.regime == "pooled" and p.reward == p.punishment == (p.sucker + p.temptation) / 2:
            raise PydanticCustomError(
                "scenario_pooled_payoffs_equal",
                "under a pooled budget has reward, punishment and the mean of sucker and temptation all equal "
                "to {given}; expected the payoffs in force to differ",
                {"given": repr(p.reward)},
            )
        return self


# The per-kind models must follow kinds.KINDS exactly (names and order).
if tuple(Organisations.model_fields) != KINDS or tuple(Kinds.model_fields) != KINDS:
    raise RuntimeError("Organisations and Kinds fields must match ics_abm.scenario.kinds.KINDS")
if get_args(Regulation.model_fields["regime"].annotation) != REGIMES:
    raise RuntimeError("Regulation.regime must list REGIMES")
if get_args(Finance.model_fields["regime"].annotation) != FINANCE_REGIMES or get_args(ScenarioGroup) != SCENARIO_GROUPS:
    raise RuntimeError("Finance.regime must list FINANCE_REGIMES, ScenarioGroup SCENARIO_GROUPS")


