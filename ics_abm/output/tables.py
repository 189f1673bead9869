"""Tidy tables of a run's outputs (one observation per row, one variable per column).

Three tables, each labelled with the scenario name and seed that made it:

* ``system``: one row per month, the metrics of docs/model.md, section 7.8;
* ``trust_by_kind``: one row per month and ordered pair of kinds (``from_kind`` trusts ``to_kind``);
* ``organisations``: one row per month and organisation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ics_abm.metrics import INTEGER_METRICS, METRICS, ORG_TRAJECTORY_FIELDS
from ics_abm.scenario.kinds import KINDS

__all__ = ["system_frame", "trust_by_kind_frame", "organisation_frame", "INTEGER_METRICS"]


def _labelled(frame: pd.DataFrame, labels: dict[str, object]) -> pd.DataFrame:
    for position, (name, value) in enumerate(labels.items()):
        frame.insert(position, name, value)
    return frame


def system_frame(system: np.ndarray, labels: dict[str, object]) -> pd.DataFrame:
    """System outputs, shape ``(s, len(METRICS))``, as a table with a 1-based ``step`` column."""
    frame = pd.DataFrame(system, columns=list(METRICS))
    for name in INTEGER_METRICS:
        frame[name] = frame[name].astype(np.int64)
    frame.insert(0, "step", np.arange(1, system.shape[0] + 1, dtype=np.int64))
    return _labelled(frame, labels)


def trust_by_kind_frame(trust: np.ndarray, pair_counts: np.ndarray, labels: dict[str, object]) -> pd.DataFrame:
    """Mean trust per step and ordered pair of kinds that has at least one relationship.

    Parameters
    ----------
    trust : ndarray, shape (s, 6, 6)
        Mean trust from kind ``a`` to kind ``b``.
    pair_counts : ndarray of int, shape (6, 6) or (s, 6, 6)
        Number of arcs from kind ``a`` to kind ``b``, the same every month or month by month
        (live relationships: between organisations that are members that month). A pair with
        none in a month is left out of that month, so ``mean_trust`` is never NaN beside a
        non-zero ``n_relationships``.
    labels : dict
        Columns to prepend (scenario, seed).
    """
    steps = trust.shape[0]
    counts = np.broadcast_to(np.asarray(pair_counts), (steps, 6, 6))
    a_idx, b_idx = np.nonzero(counts.any(axis=0))
    frame = pd.DataFrame(
        {
            "step": np.repeat(np.arange(1, steps + 1, dtype=np.int64), a_idx.size),
            "from_kind": np.tile(np.array(KINDS, dtype=object)[a_idx], steps),
            "to_kind": np.tile(np.array(KINDS, dtype=object)[b_idx], steps),
            "mean_trust": trust[:, a_idx, b_idx].reshape(-1),
            "n_relationships": counts[:, a_idx, b_idx].astype(np.int64).reshape(-1),
        }
    )
    if not (frame["n_relationships"] > 0).all():
        frame = frame[frame["n_relationships"] > 0].reset_index(drop=True)
    return _labelled(frame, labels)


def organisation_frame(rows: np.ndarray, kinds: np.ndarray, labels: dict[str, object]) -> pd.DataFrame:
    """Organisation outputs, shape ``(s, n, len(ORG_TRAJECTORY_FIELDS))``, one row per step and organisation."""
    steps, n = rows.shape[0], rows.shape[1]
    frame = pd.DataFrame(rows.reshape(steps * n, -1), columns=list(ORG_TRAJECTORY_FIELDS))
    frame.insert(0, "kind", np.tile(np.array(KINDS, dtype=object)[kinds], steps))
    frame.insert(0, "organisation", np.tile(np.arange(n, dtype=np.int64), steps))
    frame.insert(0, "step", np.repeat(np.arange(1, steps + 1, dtype=np.int64), n))
    return _labelled(frame, labels)
