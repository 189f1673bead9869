"""The model's state as a struct of arrays, and the relationship graph in CSR form.

Every array here is the single copy of that piece of state: Mesa agents (``ics_abm.model``) are
views onto rows of :class:`Organisations`, and the kernel (``ics_abm.engine.step``) updates the arrays
in place. Names and meanings follow docs/model.md, section 2 ("Entities, state variables").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ics_abm.scenario.base import FINANCE_REGIMES  # the finance regimes (7.15), numbered as in Params.finance_regime

__all__ = [
    "Organisations",
    "Graph",
    "Arcs",
    "Params",
    "SYSTEM_FIELDS",
    "FINANCE_REGIMES",
    "Workspace",
    "ORG_FLOAT_FIELDS",
    "empty_organisations",
    "EXTENSIONS_OFF",
    "new_system",
    "make_workspace",
]


class Organisations(NamedTuple):
    """State of the ``n`` organisations, one row each.

    Attributes
    ----------
    kind : ndarray of int64, shape (n,)
        Index into :data:`ics_abm.scenario.kinds.KINDS`.
    principal : ndarray of int64, shape (n,)
        Index into :data:`ics_abm.scenario.kinds.PRINCIPALS`.
    budget : ndarray of float64, shape (n,)
        Annual budget, £m, > 0.
    balance : ndarray of float64, shape (n,)
        Cumulative financial balance, £m (negative = deficit).
    cost_pressure : ndarray of float64, shape (n,)
        Cost growth beyond the capped allocation, share of budget per year.
    power, affiliation, achievement : ndarray of float64, shape (n,)
        McClelland motive strengths, >= 0, not all zero in a row.
    altruism : ndarray of float64, shape (n,)
        Weight on the system's payoff, in [0, 1].
    capacity : ndarray of float64, shape (n,)
        Base leader capacity for system work, in [0, 1].
    pressure : ndarray of float64, shape (n,)
        Regulator pressure state, in [0, 1] (1 = intervened on this month).
    gain_rate, loss_rate : ndarray of float64, shape (n,)
        Trust gain and loss rates per month, in [0, 1].
    active : ndarray of float64, shape (n,)
        1 if the organisation is a member of the system, 0 if it has left or not yet entered (7.10).
    committed : ndarray of float64, shape (n,)
        1 if committed to system working, 0 if withdrawn (7.13).
    unwilling : ndarray of float64, shape (n,)
        1 if the organisation never commits (its kind is in ``commitment.unwilling``), else 0.
    engagement : ndarray of float64, shape (n,)
        0 absent, 1 partner, 2 full member, 3 lead (7.14); 2 for every kind but local authorities.
    political : ndarray of float64, shape (n,)
        Political pressure on a local authority, in [0, 1] (0 for other kinds).
    belief : ndarray of float64, shape (n,)
        Belief in the system's shared purpose, in [0, 1] (7.12).
    experience : ndarray of float64, shape (n,)
        How settled the leader is in the system, in [0, 1] (7.11).
    year_balance : ndarray of float64, shape (n,)
        Balance at the start of the financial year, £m (7.15).
    """

    kind: np.ndarray
    principal: np.ndarray
    budget: np.ndarray
    balance: np.ndarray
    cost_pressure: np.ndarray
    power: np.ndarray
    affiliation: np.ndarray
    achievement: np.ndarray
    altruism: np.ndarray
    capacity: np.ndarray
    pressure: np.ndarray
    gain_rate: np.ndarray
    loss_rate: np.ndarray
    active: np.ndarray
    committed: np.ndarray
    unwilling: np.ndarray
    engagement: np.ndarray
    political: np.ndarray
    belief: np.ndarray
    experience: np.ndarray
    year_balance: np.ndarray


#: Float-valued organisation fields (all except ``kind`` and ``principal``).
ORG_FLOAT_FIELDS: tuple[str, ...] = Organisations._fields[2:]


class Graph(NamedTuple):
    """Relationship graph as compressed sparse rows of directed arcs.

    Arcs of organisation ``i`` are ``indptr[i]:indptr[i+1]``, sorted by target. Every
    relationship ``{i, j}`` appears as the two arcs ``i→j`` and ``j→i``.

    Attributes
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    target : ndarray of int64, shape (m,)
        Partner organisation of each arc.
    reverse : ndarray of int64, shape (m,)
        Index of the arc ``j→i`` for arc ``i→j``.
    """

    indptr: np.ndarray
    target: np.ndarray
    reverse: np.ndarray


class Arcs(NamedTuple):
    """State of the ``m`` directed arcs.

    Attributes
    ----------
    trust : ndarray of float64, shape (m,)
        Trust of the source in the target, in [0, 1].
    distance : ndarray of float64, shape (m,)
        Cultural distance of the pair, in [0, 1].
    memory : ndarray of float64, shape (m,)
        Competition-legacy memory of the target's defections, in [0, 1].
    stake : ndarray of float64, shape (m,)
        Money at stake in the relationship, £m per month, >= 0.
    action : ndarray of int8, shape (m,)
        Last decision of the source towards the target: 1 collaborate, 0 act for itself.
    """

    trust: np.ndarray
    distance: np.ndarray
    memory: np.ndarray
    stake: np.ndarray
    action: np.ndarray


#: System-level state, in the order of the float64 array of shape (len(SYSTEM_FIELDS),) that the
#: kernel updates in place (docs/model.md, 7.8 and 7.11-7.16). ``decision_loser`` and ``lead``
#: are organisation indices stored as floats (-1 = none); ``decision_loss`` is the size in (0, 1)
#: of the open decision's loss.
SYSTEM_FIELDS: tuple[str, ...] = (
    "progress",
    "winter",
    "safety",
    "signed_up",
    "decision_open",
    "decision_age",
    "decision_loser",
    "decisions_resolved",
    "decisions_failed",
    "lead",
    "decision_loss",
)



class Params(NamedTuple):
    """Scalar parameters of the rules, resolved from a scenario (docs/model.md, section 7).

    ``strength``, ``focus`` and ``rate`` are float64 arrays of shape (3,) indexed by principal
    (the ``public`` entry is 0). ``statutory``, ``conditional``, ``la_dynamic`` and ``transfers``
    are booleans; ``finance_regime`` is an index into :data:`FINANCE_REGIMES`; ``invest_lag`` and
    ``invest_months`` are whole months; all other fields are floats. Symbols and scenario names
    are in the parameter tables of sections 7.1-7.16.
    """

    reward: float
    sucker: float
    temptation: float
    punishment: float
    lens_sucker: float
    lens_temptation: float
    noise: float
    crowding_out: float
    future_weight: float
    purpose_weight: float
    socialised_power: float
    distance_drag: float
    contact_rate: float
    safety_buffer: float
    legacy_weight: float
    memory_retention: float
    altruism_growth: float
    altruism_erosion: float
    stress_scale: float
    stress_weight: float
    strength: np.ndarray
    focus: np.ndarray
    rate: np.ndarray
    conflict: float
    intervention_threshold: float
    intervention_push: float
    capacity_cost: float
    pressure_decay: float
    system_assessment: bool
    autonomy: float
    maturity_progress: float
    progress_decay: float
    # 7.11 leadership
    concentration: float
    turnover_rate: float
    turnover_trust_loss: float
    lead_trust_loss: float
    newcomer_penalty: float
    settling_rate: float
    # 7.12 shared narrative
    narrative_initial: float
    build_rate: float
    convergence: float
    confidence_bound: float
    narrative_decay: float
    burning_platform: float
    # 7.13 hard decisions, governance and commitment
    statutory: bool
    decision_rate: float
    patience: int
    support_threshold: float
    narrative_weight: float
    safety_weight: float
    loss_weight: float
    vote_noise: float
    deliberation: float
    majority: float
    resolved_trust_gain: float
    resolved_progress: float
    breakdown_trust_loss: float
    conditional: bool
    commitment_trust_threshold: float
    commitment_stress_threshold: float
    reengage_margin: float
    # 7.14 local authorities
    la_dynamic: bool
    political_baseline: float
    political_decay: float
    political_weight: float
    absent_threshold: float
    partner_threshold: float
    full_threshold: float
    # 7.15 finance options
    finance_regime: int
    linked_share: float
    sustainability_share: float
    risk_tolerance: float
    signup_share: float
    transfers: bool
    transfer_share: float
    transfer_trust_gain: float
    invest_share: float
    invest_return: float
    invest_lag: int
    invest_months: int
    pooled_share: float
    pooled_system_weight: float
    surplus_cap: float
    # 7.16 shocks
    winter_capacity_loss: float
    winter_cost: float
    winter_decay: float


class Workspace(NamedTuple):
    """Scratch arrays the kernel writes per step (no state lives here).

    Per-organisation arrays have shape (n,); ``kind_trust`` and ``kind_count`` have shape (n, 6).
    ``mean_trust`` is the start-of-step mean trust over live arcs, ``live`` the number of live arcs,
    ``belief`` the start-of-step beliefs, ``vote`` the votes on an open hard decision
    (-1 not a voter, 0 against, 1 for).
    """

    capacity: np.ndarray
    push: np.ndarray
    lens_a: np.ndarray
    lens_b: np.ndarray
    net: np.ndarray
    collaborating: np.ndarray
    mutual: np.ndarray
    trust_sum: np.ndarray
    progress_sum: np.ndarray
    intervened: np.ndarray
    mean_trust: np.ndarray
    live: np.ndarray
    belief: np.ndarray
    vote: np.ndarray
    year_result: np.ndarray
    gift: np.ndarray
    kind_trust: np.ndarray
    kind_count: np.ndarray


def empty_organisations(n: int) -> Organisations:
    """``n`` rows for builders to fill: zeros, except that every organisation is an active,
    committed full member with a settled leader (``active = committed = experience = 1``,
    ``engagement = 2``)."""
    ints = {name: np.zeros(n, dtype=np.int64) for name in ("kind", "principal")}
    floats = {name: np.zeros(n, dtype=np.float64) for name in ORG_FLOAT_FIELDS}
    for name in ("active", "committed", "experience"):
        floats[name][:] = 1.0
    floats["engagement"][:] = 2.0
    return Organisations(**ints, **floats)


#: Parameter values that switch the mechanisms of docs/model.md 7.10-7.16 off, leaving the model
#: of 7.1-7.8 (used by the classic-games limit and by tests of the core submodels).
EXTENSIONS_OFF: dict[str, object] = {
    "concentration": 0.0, "turnover_rate": 0.0, "turnover_trust_loss": 0.0, "lead_trust_loss": 0.0, "newcomer_penalty": 0.0,
    "settling_rate": 0.0, "narrative_initial": 0.0, "build_rate": 0.0, "convergence": 0.0,
    "confidence_bound": 0.0, "narrative_decay": 0.0, "burning_platform": 0.0, "statutory": False, "decision_rate": 0.0, "patience": 1,
    "support_threshold": 0.0, "narrative_weight": 0.0, "safety_weight": 0.0, "loss_weight": 0.0,
    "vote_noise": 0.0, "deliberation": 0.0, "majority": 0.5, "resolved_trust_gain": 0.0, "resolved_progress": 0.0,
    "breakdown_trust_loss": 0.0, "conditional": False, "commitment_trust_threshold": 0.0,
    "commitment_stress_threshold": 1.0, "reengage_margin": 0.0, "la_dynamic": False, "political_baseline": 0.0,
    "political_decay": 0.0, "political_weight": 0.0, "absent_threshold": 0.0, "partner_threshold": 0.0,
    "full_threshold": 0.0, "finance_regime": 0, "linked_share": 0.0, "sustainability_share": 0.0,
    "risk_tolerance": 0.0, "signup_share": 1.0, "transfers": False, "transfer_share": 0.0,
    "transfer_trust_gain": 0.0, "invest_share": 0.0, "invest_return": 0.0, "invest_lag": 0, "invest_months": 0,
    "pooled_share": 0.0, "pooled_system_weight": 0.0, "surplus_cap": float("inf"),
    "winter_capacity_loss": 0.0, "winter_cost": 0.0, "winter_decay": 0.0,
}


def new_system(lead: int = -1, safety: float = 0.0) -> np.ndarray:
    """A system state at the start: float64 of shape (len(SYSTEM_FIELDS),), no decision open."""
    values = dict.fromkeys(SYSTEM_FIELDS, 0.0)
    values.update(safety=float(safety), decision_loser=-1.0, lead=float(lead))
    return np.array([values[name] for name in SYSTEM_FIELDS], dtype=np.float64)


def make_workspace(n: int, n_kinds: int = 6) -> Workspace:
    """Allocate the kernel's scratch arrays for ``n`` organisations."""
    per_org = {name: np.zeros(n, dtype=np.float64) for name in Workspace._fields if name not in ("kind_trust", "kind_count")}
    per_org["intervened"] = np.zeros(n, dtype=np.int64)
    per_org["vote"] = np.zeros(n, dtype=np.int64)
    return Workspace(
        **per_org,
        kind_trust=np.zeros((n, n_kinds), dtype=np.float64),
        kind_count=np.zeros((n, n_kinds), dtype=np.float64),
    )

#: Positions of the system fields in the system array (the kernel's names for them).
(PROGRESS, WINTER, SAFETY, SIGNED_UP, DECISION_OPEN, DECISION_AGE, DECISION_LOSER,
 DECISIONS_RESOLVED, DECISIONS_FAILED, LEAD, DECISION_LOSS) = range(len(SYSTEM_FIELDS))
#: Finance regimes (7.15) as the kernel sees them (indices into FINANCE_REGIMES).
SEPARATE, CONTROL_TOTAL, POOLED = range(len(FINANCE_REGIMES))
