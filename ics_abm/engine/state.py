"""The model's state as a struct of arrays, and the relationship graph in CSR form.

Every array here is the single copy of that piece of state: Mesa agents (``ics_abm.model``) are
views onto rows of :class:`Organisations`, and the kernel (``ics_abm.engine.step``) updates the arrays
in place. Names and meanings follow docs/model.md, section 2 ("Entities, state variables").
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np

__all__ = [
    "Organisations",
    "Graph",
    "Arcs",
    "Params",
    "SYSTEM_FIELDS",
    "FINANCE_REGIMES",
    "Workspace",
    "ORG_FLOAT_FIELDS",
    "graph_from_networkx",
    "arc_sources",
    "empty_organisations",
    "EXTENSIONS_OFF",
    "new_system",
    "make_workspace",
    "check_state",
    "check_system",
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
#: are organisation indices stored as floats (-1 = none).
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
)

#: Finance regimes (7.15), in the order of ``Params.finance_regime``.
FINANCE_REGIMES: tuple[str, ...] = ("separate", "control_total", "pooled")


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
    noise: float
    distance_drag: float
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
    progress_decay: float
    # 7.11 leadership
    concentration: float
    turnover_rate: float
    turnover_trust_loss: float
    newcomer_penalty: float
    settling_rate: float
    # 7.12 shared narrative
    narrative_initial: float
    build_rate: float
    convergence: float
    confidence_bound: float
    narrative_decay: float
    # 7.13 hard decisions, governance and commitment
    statutory: bool
    decision_rate: float
    patience: int
    support_threshold: float
    narrative_weight: float
    safety_weight: float
    loss_weight: float
    vote_noise: float
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
    "concentration": 0.0, "turnover_rate": 0.0, "turnover_trust_loss": 0.0, "newcomer_penalty": 0.0,
    "settling_rate": 0.0, "narrative_initial": 0.0, "build_rate": 0.0, "convergence": 0.0,
    "confidence_bound": 0.0, "narrative_decay": 0.0, "statutory": False, "decision_rate": 0.0, "patience": 1,
    "support_threshold": 0.0, "narrative_weight": 0.0, "safety_weight": 0.0, "loss_weight": 0.0,
    "vote_noise": 0.0, "majority": 0.5, "resolved_trust_gain": 0.0, "resolved_progress": 0.0,
    "breakdown_trust_loss": 0.0, "conditional": False, "commitment_trust_threshold": 0.0,
    "commitment_stress_threshold": 1.0, "reengage_margin": 0.0, "la_dynamic": False, "political_baseline": 0.0,
    "political_decay": 0.0, "political_weight": 0.0, "absent_threshold": 0.0, "partner_threshold": 0.0,
    "full_threshold": 0.0, "finance_regime": 0, "linked_share": 0.0, "sustainability_share": 0.0,
    "risk_tolerance": 0.0, "signup_share": 1.0, "transfers": False, "transfer_share": 0.0,
    "transfer_trust_gain": 0.0, "invest_share": 0.0, "invest_return": 0.0, "invest_lag": 0, "invest_months": 0,
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


def graph_from_networkx(graph: nx.Graph) -> Graph:
    """CSR arcs of an undirected networkx graph whose nodes are ``0 … n−1``.

    Parameters
    ----------
    graph : networkx.Graph
        Undirected, no self-loops, nodes exactly ``range(n)``.

    Returns
    -------
    Graph
        Arcs sorted by source, then target.
    """
    n = graph.number_of_nodes()
    if set(graph.nodes) != set(range(n)):
        raise ValueError(f"graph nodes must be 0..{n - 1}, got {sorted(graph.nodes)[:5]}...")
    if graph.is_directed():
        raise ValueError("the relationship graph must be undirected (each relationship is two arcs)")
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    if np.any(edges[:, 0] == edges[:, 1]):
        raise ValueError("the relationship graph must not contain self-loops")
    return graph_from_edges(n, edges)


def graph_from_edges(n: int, edges: np.ndarray) -> Graph:
    """CSR arcs from an ``(e, 2)`` array of undirected edges between distinct organisations."""
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    np.cumsum(indptr, out=indptr)
    # The reverse of arc (s, d) is the arc (d, s): find it by sorting the (d, s) pairs.
    arc_ids = np.arange(src.shape[0], dtype=np.int64)
    reverse_order = np.lexsort((src, dst))
    reverse = np.empty_like(arc_ids)
    reverse[reverse_order] = arc_ids
    return Graph(indptr=indptr, target=dst.astype(np.int64), reverse=reverse)


def arc_sources(graph: Graph) -> np.ndarray:
    """Source organisation of every arc, int64 array of shape (m,) (CSR rows expanded)."""
    return np.repeat(np.arange(graph.indptr.shape[0] - 1, dtype=np.int64), np.diff(graph.indptr))


def check_state(orgs: Organisations, graph: Graph, arcs: Arcs) -> None:
    """Check shapes, dtypes and invariants once, at the boundary of the kernel.

    Raises
    ------
    ValueError
        Naming the array, what was expected and what was found.
    """
    n = orgs.kind.shape[0]
    for name in Organisations._fields:
        array = getattr(orgs, name)
        expected = np.int64 if name in ("kind", "principal") else np.float64
        _expect(array, f"organisations.{name}", (n,), expected)
    m = graph.target.shape[0]
    _expect(graph.indptr, "graph.indptr", (n + 1,), np.int64)
    _expect(graph.target, "graph.target", (m,), np.int64)
    _expect(graph.reverse, "graph.reverse", (m,), np.int64)
    for name in ("trust", "distance", "memory", "stake"):
        _expect(getattr(arcs, name), f"arcs.{name}", (m,), np.float64)
    _expect(arcs.action, "arcs.action", (m,), np.int8)
    if graph.indptr[0] != 0 or graph.indptr[-1] != m or np.any(np.diff(graph.indptr) < 0):
        raise ValueError("graph.indptr must rise from 0 to the number of arcs")
    if m:
        if np.any((graph.target < 0) | (graph.target >= n)):
            raise ValueError("graph.target must hold organisation indices in [0, n)")
        source = arc_sources(graph)
        if (
            np.any((graph.reverse < 0) | (graph.reverse >= m))
            or not np.array_equal(graph.target[graph.reverse], source)
            or not np.array_equal(source[graph.reverse], graph.target)
        ):
            raise ValueError("graph.reverse must pair every arc i->j with the arc j->i")
    for name, lo, hi in (
        ("altruism", 0, 1), ("capacity", 0, 1), ("pressure", 0, 1), ("gain_rate", 0, 1), ("loss_rate", 0, 1),
        ("political", 0, 1), ("belief", 0, 1), ("experience", 0, 1), ("engagement", 0, 3),
    ):
        _expect_range(getattr(orgs, name), f"organisations.{name}", lo, hi)
    for name in ("trust", "distance", "memory"):
        _expect_range(getattr(arcs, name), f"arcs.{name}", 0, 1)
    for name in ("active", "committed", "unwilling"):
        if not np.all((getattr(orgs, name) == 0.0) | (getattr(orgs, name) == 1.0)):
            raise ValueError(f"organisations.{name} must hold only 0 and 1")
    if not np.all(orgs.engagement == np.round(orgs.engagement)):
        raise ValueError("organisations.engagement must hold whole numbers 0..3")
    if np.any(orgs.budget <= 0):
        raise ValueError("organisations.budget must be > 0")
    motives = np.stack([orgs.power, orgs.affiliation, orgs.achievement])
    if n and (np.any(motives < 0) or np.any(motives.sum(axis=0) <= 0)):
        raise ValueError("motive strengths must be >= 0 and not all zero for an organisation")
    if np.any((orgs.kind < 0) | (orgs.kind > 5)) or np.any((orgs.principal < 0) | (orgs.principal > 2)):
        raise ValueError("organisations.kind must be in 0..5 and principal in 0..2")


def check_system(system: np.ndarray, n: int) -> None:
    """Check the system state array of shape (len(SYSTEM_FIELDS),) for ``n`` organisations."""
    _expect(system, "system", (len(SYSTEM_FIELDS),), np.float64)
    values = dict(zip(SYSTEM_FIELDS, system.tolist()))
    for name in ("winter", "safety"):
        if not 0.0 <= values[name] <= 1.0:
            raise ValueError(f"system {name} must lie in [0, 1], got {values[name]}")
    for name in ("signed_up", "decision_open"):
        if values[name] not in (0.0, 1.0):
            raise ValueError(f"system {name} must be 0 or 1, got {values[name]}")
    for name in ("decision_loser", "lead"):
        if values[name] != int(values[name]) or not -1 <= values[name] < n:
            raise ValueError(f"system {name} must be -1 or an organisation index below {n}, got {values[name]}")
    if values["decision_open"] == 1.0 and values["decision_loser"] < 0:
        raise ValueError("an open hard decision must have a loser (system decision_loser >= 0)")


def _expect(array: np.ndarray, name: str, shape: tuple[int, ...], dtype) -> None:
    if not isinstance(array, np.ndarray) or array.shape != shape or array.dtype != dtype:
        got = f"{type(array).__name__} {getattr(array, 'dtype', '?')} {getattr(array, 'shape', '?')}"
        raise ValueError(f"{name} must be a {np.dtype(dtype)} array of shape {shape}, got {got}")
    if dtype == np.float64 and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")


def _expect_range(array: np.ndarray, name: str, lo: float, hi: float) -> None:
    if array.size and (array.min() < lo or array.max() > hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got values in [{array.min()}, {array.max()}]")
