"""A stable layout of the relationship network: computed once per model, deterministically.

Organisations start in one sector of a circle per kind (acute trusts together, councils together)
and a force-directed layout (Kamada-Kawai, which has no randomness) then pulls partners closer. The
same graph always gets the same picture, and nodes never jump between months.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ics_abm.scenario.kinds import KINDS

__all__ = ["stable_layout", "cached_layout"]

#: Layouts already computed, by graph (a Reset with the same preset and seed rebuilds the same graph).
_CACHE: dict[bytes, np.ndarray] = {}
_CACHE_SIZE = 64


def cached_layout(network: nx.Graph, kinds: np.ndarray) -> np.ndarray:
    """:func:`stable_layout`, remembered per graph: Reset must be quick, and the layout is most of it.

    Returns a copy (callers may not change the remembered one).
    """
    edges = np.array(sorted((min(u, v), max(u, v)) for u, v in network.edges()), dtype=np.int64).reshape(-1, 2)
    key = np.asarray(kinds, dtype=np.int64).tobytes() + b"|" + edges.tobytes()
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = stable_layout(network, kinds)
    return _CACHE[key].copy()


def stable_layout(network: nx.Graph, kinds: np.ndarray) -> np.ndarray:
    """Positions of the organisations, in [-1, 1] x [-1, 1].

    Parameters
    ----------
    network : networkx.Graph
        The relationship graph; node ``i`` is organisation ``i``.
    kinds : ndarray of int, shape (n_organisations,)
        Index of each organisation's kind in :data:`ics_abm.scenario.kinds.KINDS`.

    Returns
    -------
    ndarray of float64, shape (n_organisations, 2)
    """
    n = int(kinds.shape[0])
    if n == 0:
        return np.zeros((0, 2))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((u, v) for u, v in network.edges() if u < n and v < n)
    # Start each kind in its own sector so that kinds stay recognisable groups.
    start = {}
    for kind in range(len(KINDS)):
        members = np.flatnonzero(kinds == kind)
        for rank, i in enumerate(members):
            angle = 2 * np.pi * (kind + (rank + 0.5) / max(len(members), 1) * 0.8) / len(KINDS)
            radius = 0.55 + 0.35 * (rank % 2)
            start[int(i)] = (radius * np.cos(angle), radius * np.sin(angle))
    if n == 1:
        return np.zeros((1, 2))
    # Kamada-Kawai spreads nodes evenly (spring layouts bunch dense cores); organisations with no
    # relationship sit at distance "far" so that they stay on the rim instead of flying off.
    placed = nx.kamada_kawai_layout(graph, pos=start, dist=_distances(graph))
    positions = np.array([placed[i] for i in range(n)], dtype=np.float64)
    positions = positions - (positions.max(axis=0) + positions.min(axis=0)) / 2.0  # centred box
    scale = np.abs(positions).max()
    return positions / scale if scale > 0 else positions


def _distances(graph: nx.Graph) -> dict[int, dict[int, float]]:
    """Shortest-path lengths, with unconnected pairs one step beyond the longest path."""
    lengths = dict(nx.all_pairs_shortest_path_length(graph))
    far = 1 + max((d for row in lengths.values() for d in row.values()), default=1)
    return {u: {v: float(lengths[u].get(v, far)) for v in graph} for u in graph}
