"""A consistent copy of what the demo draws, taken under the model's lock.

The browser may step the model in one thread while drawing in another; drawing from a snapshot
means a picture never mixes two months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ics_abm.demo.layout import stable_layout
from ics_abm.demo.session import lock_of
from ics_abm.engine.graph import arc_sources

__all__ = ["Snapshot", "take_snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """The state of a model at one moment, for drawing.

    Attributes
    ----------
    month : int
        Months simulated.
    scenario : str
        Scenario name.
    seed : int
    system : pandas.DataFrame
        ``model.history()``: one row per month.
    trust_by_kind : pandas.DataFrame
        Mean trust per ordered pair of kinds at the latest month (empty before the first step).
    kinds : ndarray of int64, shape (n,)
    budget : ndarray of float64, shape (n,)
        Annual budgets, £m.
    active : ndarray of bool, shape (n,)
        Whether each organisation is in the system now (not yet entered or exited: False).
    positions : ndarray of float64, shape (n, 2)
    edges : ndarray of int64, shape (r, 2)
        Relationships ``(i, j)`` with ``i < j`` between active organisations.
    edge_trust : ndarray of float64, shape (r,)
        Mean of the trust of ``i`` in ``j`` and of ``j`` in ``i``, in [0, 1].
    edge_mutual : ndarray of bool, shape (r,)
        Whether both collaborated with each other in the last month.
    events : list of dict
        The model's event log (month, kind, options).
    """

    month: int
    scenario: str
    seed: int
    system: pd.DataFrame
    trust_by_kind: pd.DataFrame
    kinds: np.ndarray
    budget: np.ndarray
    active: np.ndarray
    positions: np.ndarray
    edges: np.ndarray
    edge_trust: np.ndarray
    edge_mutual: np.ndarray
    events: list


def take_snapshot(model, *, trust_by_kind: bool = True) -> Snapshot:
    """Copy what is drawn from ``model`` (an :class:`~ics_abm.ICSModel`), holding its lock.

    ``trust_by_kind=False`` leaves :attr:`Snapshot.trust_by_kind` empty: the live page does not
    show it, and tabulating it is a third of the work of a snapshot.
    """
    with lock_of(model):
        orgs, graph, arcs = model.organisations, model.graph, model.arcs
        system = model.history()
        month = int(model.months_simulated)
        trust = model.trust_by_kind_history() if trust_by_kind else pd.DataFrame()
        kinds = orgs.kind.copy()
        budget = orgs.budget.copy()
        active = orgs.active == 1.0
        source = arc_sources(graph)
        trust_arcs, action, reverse = arcs.trust.copy(), arcs.action.copy(), graph.reverse.copy()
        target = graph.target.copy()
        events = [dict(entry) for entry in getattr(model, "event_log", [])]
        positions = getattr(model, "positions", None)
        if positions is None:  # a plain ICSModel (a fork): same layout rule
            positions = stable_layout(model.network, kinds)
        name, seed = model.scenario_config.scenario.name, int(model.seed)
    keep = (source < target) & active[source] & active[target]
    edges = np.column_stack([source[keep], target[keep]]).astype(np.int64)
    back = reverse[keep]
    edge_trust = (trust_arcs[keep] + trust_arcs[back]) / 2.0
    edge_mutual = (action[keep] == 1) & (action[back] == 1)
    latest = trust[trust["step"] == month] if len(trust) else trust
    return Snapshot(
        month, name, seed, system, latest.reset_index(drop=True), kinds, budget, active,
        np.asarray(positions, dtype=np.float64), edges, edge_trust, edge_mutual, events,
    )
