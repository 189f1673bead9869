"""The relationship graph's stochastic block model, edge for edge as networkx draws it, at scale.

:func:`ics_abm.engine.initial.build_initial_state` draws the relationship graph with
``networkx.stochastic_block_model(sizes, p, seed=graph_seed, sparse=True)``. That generator is a
Python loop that adds one edge at a time to a ``networkx.Graph`` (about 2 µs and a few hundred
bytes per edge), which is most of the set-up time of a small system and minutes and gigabytes for
100,000 organisations. :func:`block_model_edges` returns **the same edges in the same order** as
arrays:

* the random numbers are those of the ``random.Random(graph_seed)`` networkx makes: CPython's
  Mersenne Twister (seeding by ``init_by_array``, ``genrand_uint32``, ``random()``'s 53-bit
  doubles) is written out below in numba, word for word;
* each block's nodes are enumerated in the iteration order of the ``set`` networkx keeps them in
  (made here the same way), pairs in ``itertools.combinations``/``product`` order;
* the geometric skip ``floor(log(u) / log(1 - p))`` is computed by a numba loop with the C
  library's ``log``, as ``math.log`` does.

``tests/test_batch.py`` checks the edges against networkx for many seeds, block sizes and
probabilities (including sets whose iteration order is not sorted).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ics_abm.engine.jit import inline, kernel

__all__ = ["BlockModel", "block_model_edges", "csr_from_edges", "python_random"]

_DONE, _NEED_ROOM = 0, 1
# Resumable state of the edge loop (an int64 array, so a call can stop and continue).
_PAIR, _POS, _EDGES, _ROW, _ROW_START = range(5)

# CPython's Mersenne Twister (Modules/_randommodule.c), in uint64 arithmetic masked to 32 bits.
_N, _M = 624, 397
_MASK32 = np.uint64(0xFFFFFFFF)
_UPPER, _LOWER, _MATRIX_A = np.uint64(0x80000000), np.uint64(0x7FFFFFFF), np.uint64(0x9908B0DF)
_U1, _U30, _U11, _U7, _U15, _U18, _U5, _U6 = (np.uint64(k) for k in (1, 30, 11, 7, 15, 18, 5, 6))


@kernel
def _seed_mt(key):
    """``random.Random(seed)``'s state: ``init_by_array`` of the seed's 32-bit words ``key``.

    Returns a uint64 array of 625: the 624 state words, then the index of the next word.
    """
    mt = np.empty(_N + 1, dtype=np.uint64)
    mt[0] = np.uint64(19650218)
    for i in range(1, _N):  # init_genrand(19650218)
        mt[i] = (np.uint64(1812433253) * (mt[i - 1] ^ (mt[i - 1] >> _U30)) + np.uint64(i)) & _MASK32
    i, j = 1, 0
    for _ in range(max(_N, key.shape[0])):
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> _U30)) * np.uint64(1664525))) + key[j] + np.uint64(j)) & _MASK32
        i += 1
        j += 1
        if i >= _N:
            mt[0] = mt[_N - 1]
            i = 1
        if j >= key.shape[0]:
            j = 0
    for _ in range(_N - 1):
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> _U30)) * np.uint64(1566083941))) - np.uint64(i)) & _MASK32
        i += 1
        if i >= _N:
            mt[0] = mt[_N - 1]
            i = 1
    mt[0] = _UPPER
    mt[_N] = np.uint64(_N)
    return mt


@kernel
def _next_word(mt):
    """``genrand_uint32``: the next 32-bit output; ``mt`` (from :func:`_seed_mt`) advances in place."""
    if mt[_N] >= np.uint64(_N):
        for kk in range(_N):
            y = (mt[kk] & _UPPER) | (mt[(kk + 1) % _N] & _LOWER)
            mt[kk] = mt[(kk + _M) % _N] ^ (y >> _U1) ^ (_MATRIX_A if y & _U1 else np.uint64(0))
        mt[_N] = np.uint64(0)
    y = mt[mt[_N]]
    mt[_N] += _U1
    y ^= y >> _U11
    y ^= (y << _U7) & np.uint64(0x9D2C5680)
    y ^= (y << _U15) & np.uint64(0xEFC60000)
    y ^= y >> _U18
    return y & _MASK32


@kernel
def _random(mt):
    """``random.random()``: 53 random bits over 2**53 (exact in float64)."""
    a = _next_word(mt) >> _U5
    b = _next_word(mt) >> _U6
    return (np.float64(a) * 67108864.0 + np.float64(b)) * (1.0 / 9007199254740992.0)


@kernel
def _edges_loop(order, block_ptr, pairs, probs, mt, state, edges):
    """Emit edges until done or out of room; ``mt`` and ``state`` are updated in place.

    ``order`` holds every block's nodes in set-iteration order (block ``b`` at
    ``order[block_ptr[b]:block_ptr[b+1]]``); ``pairs`` (P, 2) the block pairs with ``p > 0`` in
    ``combinations_with_replacement`` order, ``probs`` their probabilities. Returns the status.
    """
    while state[_PAIR] < pairs.shape[0]:
        b1 = pairs[state[_PAIR], 0]
        b2 = pairs[state[_PAIR], 1]
        lo1 = block_ptr[b1]
        s1 = block_ptr[b1 + 1] - lo1
        lo2 = block_ptr[b2]
        s2 = block_ptr[b2 + 1] - lo2
        same = b1 == b2
        total = s1 * (s1 - 1) // 2 if same else s1 * s2
        if state[_EDGES] == edges.shape[0] and state[_POS] < total:
            return _NEED_ROOM  # checked before a draw, so that none is lost
        p = probs[state[_PAIR]]
        if p == 1.0:
            index = state[_POS]  # every pair, no draws
        else:
            # networkx: skip = floor(log(u) / log(1 - p)); consume skip pairs, take the next.
            # Kept as a float: it may exceed the int64 range when p is tiny.
            skip = np.floor(math.log(_random(mt)) / math.log(1.0 - p))
            if skip >= np.float64(total - state[_POS]):
                index = total
            else:
                index = state[_POS] + np.int64(skip)
        if index >= total:
            state[_PAIR] += 1
            state[_POS] = 0
            state[_ROW] = 0
            state[_ROW_START] = 0
            continue
        if same:
            # combinations(order, 2): row a holds (a, a+1..s-1), s-1-a pairs.
            while index >= state[_ROW_START] + (s1 - 1 - state[_ROW]):
                state[_ROW_START] += s1 - 1 - state[_ROW]
                state[_ROW] += 1
            a = state[_ROW]
            b = a + 1 + (index - state[_ROW_START])
            edges[state[_EDGES], 0] = order[lo1 + a]
            edges[state[_EDGES], 1] = order[lo1 + b]
        else:
            edges[state[_EDGES], 0] = order[lo1 + index // s2]
            edges[state[_EDGES], 1] = order[lo2 + index % s2]
        state[_EDGES] += 1
        state[_POS] = index + 1
    return _DONE


def _seed_words(seed: int) -> np.ndarray:
    """The 32-bit words CPython's ``random.seed`` feeds to ``init_by_array`` for an int seed."""
    value = abs(int(seed))
    words = []
    while True:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
        if value == 0:
            break
    return np.array(words, dtype=np.uint64)


def python_random(seed: int, count: int) -> np.ndarray:
    """The first ``count`` values of ``random.Random(seed).random()`` (used by the tests)."""
    mt = _seed_mt(_seed_words(seed))
    return np.array([_random(mt) for _ in range(count)])


class BlockModel:
    """A stochastic block model's structure, to draw networkx's edges for many seeds.

    Parameters
    ----------
    sizes : sequence of int
        Block sizes (>= 0); nodes are ``0 … sum(sizes) − 1``, block by block.
    p : sequence of sequences of float, shape (len(sizes), len(sizes))
        Symmetric tie probabilities in [0, 1]; only the upper triangle is read, as networkx does.

    Attributes
    ----------
    nodes : ndarray of int64, shape (n,)
        The nodes in the order networkx adds them (block by block, each in set-iteration order).
    """

    def __init__(self, sizes: Sequence[int], p: Sequence[Sequence[float]]):
        sizes = [int(s) for s in sizes]
        if any(s < 0 for s in sizes) or len(p) != len(sizes) or any(len(row) != len(sizes) for row in p):
            raise ValueError(f"sizes must be >= 0 and p a square matrix of the same size, got {sizes} and {p}")
        self.n = int(sum(sizes))
        self._block_ptr = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        # The same sets networkx makes, iterated the same way (not always sorted for large ids).
        self.nodes = np.fromiter(
            (node for b in range(len(sizes)) for node in set(range(int(self._block_ptr[b]), int(self._block_ptr[b + 1])))),
            dtype=np.int64,
            count=self.n,
        )
        pairs, probs, expected = [], [], 0.0
        for b1 in range(len(sizes)):
            for b2 in range(b1, len(sizes)):
                prob = float(p[b1][b2])
                if not 0.0 <= prob <= 1.0:
                    raise ValueError(f"tie probabilities must lie in [0, 1], got {prob}")
                if prob > 0.0:
                    pairs.append((b1, b2))
                    probs.append(prob)
                    expected += prob * (sizes[b1] * (sizes[b1] - 1) // 2 if b1 == b2 else sizes[b1] * sizes[b2])
        self._pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        self._probs = np.array(probs, dtype=np.float64)
        self._room = int(expected + 8.0 * math.sqrt(expected) + 64)

    def edges(self, seed: int) -> np.ndarray:
        """The edges networkx draws with ``seed``, in its order: int64 of shape (e, 2), networkx's ``(u, v)``."""
        mt = _seed_mt(_seed_words(seed))
        state = np.zeros(5, dtype=np.int64)
        edges = np.empty((self._room, 2), dtype=np.int64)
        while _edges_loop(self.nodes, self._block_ptr, self._pairs, self._probs, mt, state, edges) == _NEED_ROOM:
            edges = np.concatenate([edges, np.empty((edges.shape[0] // 2 + 64, 2), dtype=np.int64)])
        return edges[: state[_EDGES]]


def block_model_edges(sizes: Sequence[int], p: Sequence[Sequence[float]], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and edges of ``networkx.stochastic_block_model(sizes, p, seed=seed, sparse=True)``.

    Parameters
    ----------
    sizes, p
        As for :class:`BlockModel`.
    seed : int
        The seed networkx would get (an ``int``; networkx makes ``random.Random(seed)``).

    Returns
    -------
    nodes : ndarray of int64, shape (n,)
        The nodes in the order networkx adds them (block by block, each in set-iteration order).
    edges : ndarray of int64, shape (e, 2)
        The edges in the order networkx adds them, each as networkx's ``(u, v)`` tuple.

    Examples
    --------
    >>> import networkx as nx
    >>> nodes, edges = block_model_edges([3, 4], [[0.5, 0.2], [0.2, 0.9]], seed=7)
    >>> g = nx.stochastic_block_model([3, 4], [[0.5, 0.2], [0.2, 0.9]], seed=7, sparse=True)
    >>> sorted(map(tuple, np.sort(edges, axis=1).tolist())) == sorted(tuple(sorted(e)) for e in g.edges())
    True
    """
    model = BlockModel(sizes, p)
    return model.nodes, model.edges(seed)


@inline
def _lower_bound(values, lo, hi, x):
    # np.searchsorted(values[lo:hi], x) + lo (side "left"), written out: numba's searchsorted lives
    # in numba.np.arraymath, whose import (on loading this kernel from the cache) imports scipy.linalg
    # for numba's BLAS check, about 0.2 s of every run's start-up (issue 16).
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@kernel
def _csr(n, edges):
    # Arcs sorted by source, then target; the reverse of i->j found by binary search in j's row.
    indptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(edges.shape[0]):
        indptr[edges[e, 0] + 1] += 1
        indptr[edges[e, 1] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    m = indptr[n]
    target = np.empty(m, dtype=np.int64)
    fill = indptr[:-1].copy()
    for e in range(edges.shape[0]):
        u, v = edges[e, 0], edges[e, 1]
        target[fill[u]] = v
        fill[u] += 1
        target[fill[v]] = u
        fill[v] += 1
    for i in range(n):
        target[indptr[i] : indptr[i + 1]] = np.sort(target[indptr[i] : indptr[i + 1]])
    reverse = np.empty(m, dtype=np.int64)
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            j = target[k]
            reverse[k] = _lower_bound(target, indptr[j], indptr[j + 1], i)
    return indptr, target, reverse


def csr_from_edges(n: int, edges: np.ndarray):
    """:func:`ics_abm.engine.state.graph_from_edges` in one compiled pass (the same arrays, faster).

    Parameters
    ----------
    n : int
        Number of organisations.
    edges : ndarray of int64, shape (e, 2)
        Undirected edges between distinct organisations, each once.

    Returns
    -------
    ics_abm.engine.state.Graph
    """
    from ics_abm.engine.state import Graph

    indptr, target, reverse = _csr(np.int64(n), np.ascontiguousarray(edges, dtype=np.int64))
    return Graph(indptr=indptr, target=target, reverse=reverse)
