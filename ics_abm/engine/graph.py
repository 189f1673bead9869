"""The relationship graph as compressed sparse rows of arcs, from networkx or from an edge list.

Every relationship ``{i, j}`` is two arcs, ``i→j`` and ``j→i`` (docs/model.md, 7.0); arcs are sorted
by source, then target, and each knows its reverse. See :class:`ics_abm.engine.state.Graph`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ics_abm.engine.state import Graph

if TYPE_CHECKING:  # a run never needs networkx (0.15 s to import): only a model that shows its graph
    import networkx as nx

__all__ = ["graph_from_networkx", "graph_from_edges", "arc_sources"]


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
