"""The model's state as a struct of arrays, and the relationship graph in CSR form.

Every array here is the single copy of that piece of state: Mesa agents (``ics_abm.model``) are
views onto rows of :class:`Organisations`, and the kernel (``ics_abm.kernel``) updates the arrays
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
    "Workspace",
    "ORG_FLOAT_FIELDS",
    "graph_from_networkx",
    "arc_sources",
    "empty_organisations",
    "make_workspace",
    "check_state",
]


class Organisations(NamedTuple):
    """State of the ``n`` organisations, one row each.

    Attributes
    ----------
    kind : ndarray of int64, shape (n,)
        Index into :data:`ics_abm.kinds.KINDS`.
    principal : ndarray of int64, shape (n,)
        Index into :data:`ics_abm.kinds.PRINCIPALS`.
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


class Params(NamedTuple):
    """Scalar parameters of the rules, resolved from a scenario (docs/model.md, section 7).

    ``strength``, ``focus`` and ``rate`` are float64 arrays of shape (3,) indexed by principal
    (the ``public`` entry is 0). All other fields are floats.
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


class Workspace(NamedTuple):
    """Scratch arrays the kernel writes per step (no state lives here).

    Per-organisation arrays have shape (n,); ``kind_trust`` and ``kind_count`` have shape (n, 6).
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
    kind_trust: np.ndarray
    kind_count: np.ndarray


def empty_organisations(n: int) -> Organisations:
    """Organisations with ``n`` zero rows (kind and principal 0), for builders to fill."""
    ints = {name: np.zeros(n, dtype=np.int64) for name in ("kind", "principal")}
    floats = {name: np.zeros(n, dtype=np.float64) for name in ORG_FLOAT_FIELDS}
    return Organisations(**ints, **floats)


def make_workspace(n: int, n_kinds: int = 6) -> Workspace:
    """Allocate the kernel's scratch arrays for ``n`` organisations."""
    per_org = {name: np.zeros(n, dtype=np.float64) for name in Workspace._fields if name not in ("kind_trust", "kind_count")}
    per_org["intervened"] = np.zeros(n, dtype=np.int64)
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
    ):
        _expect_range(getattr(orgs, name), f"organisations.{name}", lo, hi)
    for name in ("trust", "distance", "memory"):
        _expect_range(getattr(arcs, name), f"arcs.{name}", 0, 1)
    if np.any(orgs.budget <= 0):
        raise ValueError("organisations.budget must be > 0")
    motives = np.stack([orgs.power, orgs.affiliation, orgs.achievement])
    if n and (np.any(motives < 0) or np.any(motives.sum(axis=0) <= 0)):
        raise ValueError("motive strengths must be >= 0 and not all zero for an organisation")
    if np.any((orgs.kind < 0) | (orgs.kind > 5)) or np.any((orgs.principal < 0) | (orgs.principal > 2)):
        raise ValueError("organisations.kind must be in 0..5 and principal in 0..2")


def _expect(array: np.ndarray, name: str, shape: tuple[int, ...], dtype) -> None:
    if not isinstance(array, np.ndarray) or array.shape != shape or array.dtype != dtype:
        got = f"{type(array).__name__} {getattr(array, 'dtype', '?')} {getattr(array, 'shape', '?')}"
        raise ValueError(f"{name} must be a {np.dtype(dtype)} array of shape {shape}, got {got}")
    if dtype == np.float64 and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")


def _expect_range(array: np.ndarray, name: str, lo: float, hi: float) -> None:
    if array.size and (array.min() < lo or array.max() > hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got values in [{array.min()}, {array.max()}]")
