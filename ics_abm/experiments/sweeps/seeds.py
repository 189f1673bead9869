"""Seeds of a sweep's replicates, spawned from one root :class:`numpy.random.SeedSequence`.

Replicate ``r`` of every design point runs from the same seed (common random numbers): options
and sampled points are compared on the same random draws, so differences between them are not
drowned in run-to-run noise. The seed of replicate ``r`` is the first 63 bits of the state of
``SeedSequence(root_seed, spawn_key=(r,))`` (the ``r``-th child of ``SeedSequence(root_seed)``),
so any row of the results can be reproduced from its ``root_seed`` and ``spawn_key`` alone.
"""

from __future__ import annotations

import numpy as np

__all__ = ["replicate_seeds", "seed_of"]


def seed_of(sequence: np.random.SeedSequence) -> int:
    """The model seed drawn from a seed sequence: a whole number in [0, 2**63).

    63 bits, not 64, so that the seed fits a signed 64-bit column in every table format.
    """
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replicate_seeds(root_seed: int, replicates: int) -> np.ndarray:
    """Seeds of replicates ``0 .. replicates-1``.

    Parameters
    ----------
    root_seed : int
        Entropy of the root seed sequence, >= 0.
    replicates : int
        Number of replicates, >= 1.

    Returns
    -------
    ndarray of int64, shape (replicates,)
        ``seeds[r]`` is spawned with key ``(r,)``; adding replicates does not change earlier seeds.

    Examples
    --------
    >>> seeds = replicate_seeds(7, 3)
    >>> int(seeds[2]) == seed_of(np.random.SeedSequence(7, spawn_key=(2,)))
    True
    """
    children = np.random.SeedSequence(int(root_seed)).spawn(int(replicates))
    return np.array([seed_of(child) for child in children], dtype=np.int64)
