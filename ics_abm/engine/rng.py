"""Counter-based uniform random numbers (docs/model.md, section 7.9).

A uniform number is a pure function of ``(key, t, index, stream)``: no generator state is carried
between calls, so the serial, parallel and batched kernels draw exactly the same numbers whatever
order rows are processed in. The ``key`` is drawn once from the Mesa model's generator, which
therefore owns all randomness of a run.
"""

from __future__ import annotations

import math

import numpy as np

from ics_abm.engine.jit import inline

__all__ = ["uniform", "logistic", "STREAM_DECISION", "STREAM_INTERVENTION", "STREAM_TURNOVER", "STREAM_HARD_DECISION", "STREAM_VOTE", "STREAM_CROWDING"]

#: Stream of decision noise (index = arc).
STREAM_DECISION = 0
#: Stream of regulator interventions (index = organisation).
STREAM_INTERVENTION = 1
#: Stream of leader turnover (index = organisation).
STREAM_TURNOVER = 2
#: Stream of the opening of hard decisions (index 0: whether one opens; 1: the loser).
STREAM_HARD_DECISION = 3
#: Stream of the votes on hard decisions (index = organisation).
STREAM_VOTE = 4
#: Stream of the day job crowding out collaboration (index = arc).
STREAM_CROWDING = 5

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_STREAM_MUL = np.uint64(0xD1B54A32D192ED03)
_S30, _S27, _S31, _S12 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(12)
_TWO_POW_MINUS_52 = 1.0 / 4503599627370496.0


@inline
def _mix(z):
    # splitmix64 finaliser; uint64 arithmetic wraps modulo 2**64 in numba.
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _MUL1
    z = (z ^ (z >> _S27)) * _MUL2
    return z ^ (z >> _S31)


@inline
def uniform(key, t, index, stream):
    """Uniform number in (0, 1) for ``(key, t, index, stream)``.

    Parameters
    ----------
    key : int
        Run key in [0, 2**63), drawn from the model's generator.
    t : int
        Step number (>= 1).
    index : int
        Arc index (stream 0) or organisation index (stream 1).
    stream : int
        Which use the number is for.

    Returns
    -------
    float
        ``((h >> 12) + 0.5) * 2**-52`` for the 64-bit hash ``h``: 52 bits, so the
        addition is exact and the result is never 0 or 1.
    """
    h = _mix(np.uint64(key) ^ (np.uint64(stream) * _STREAM_MUL))
    h = _mix(h ^ np.uint64(t))
    h = _mix(h ^ np.uint64(index))
    return (np.float64(h >> _S12) + 0.5) * _TWO_POW_MINUS_52


@inline
def logistic(u):
    """The logistic quantile ``log(u) - log(1 - u)`` of a uniform ``u`` in (0, 1) (7.2, 7.13 noise)."""
    return math.log(u) - math.log(1.0 - u)
