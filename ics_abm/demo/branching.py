"""What-if branching: two futures of the running simulation, from the same state, on many seeds.

:meth:`ics_abm.ICSModel.fork` copies the model with its future randomness, so two forks stepped
with no change stay identical; any difference between the two futures is caused by the change
made at the fork, not by chance. That is the point to make to a room: "same system, same luck,
one decision different". Each future is run on :data:`SEEDS` replicates of luck (the same
replicates for both futures), so the room sees the spread chance alone gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ics_abm.demo.session import DEMO_EVENTS, lock_of
from ics_abm.metrics import METRICS, SYSTEM_METRICS

__all__ = ["WhatIf", "WHAT_IFS", "Future", "Branches", "branch", "compare", "OUTCOMES", "SEEDS", "replicate_key"]


@dataclass(frozen=True)
class WhatIf:
    """One change that can be made at the fork.

    Attributes
    ----------
    label : str
        What the facilitator reads, e.g. "Align the regulators now".
    apply : callable
        ``apply(model)`` makes the change on a forked model.
    """

    label: str
    apply: Callable[[object], None]


def _regime(regime: str) -> Callable[[object], None]:
    return lambda model: model.set_values({"regulation.regime": regime})


def _event(kind: str) -> Callable[[object], None]:
    return lambda model: model.inject(kind)


#: The changes on offer at the fork, in menu order.
WHAT_IFS: dict[str, WhatIf] = {
    "carry_on": WhatIf("Carry on as now", lambda model: None),
    "align": WhatIf("Align the regulators now", _regime("aligned")),
    "single": WhatIf("One oversight body now", _regime("single")),
    "misalign": WhatIf("Regulators give two messages (misaligned)", _regime("misaligned")),
    **{kind: WhatIf(label, _event(kind)) for kind, (label, _) in DEMO_EVENTS.items()},
}

#: Outcomes compared at the end of two futures: column of the system table -> label with unit.
OUTCOMES: dict[str, str] = {
    "collaboration_rate": "Working together (% of relationships)",
    "mean_trust": "Trust (average, 0 = none, 1 = full)",
    "system_balance": "Money: all organisations' balance (£m)",
    "n_deficit": "Organisations in deficit",
    "integration_progress": "Integration built (index from 0)",
}

#: Futures per what-if: each replicate runs both futures on the same random numbers.
SEEDS = 20


@dataclass(frozen=True)
class Future:
    """One future: the change made at the fork, and its outcomes on every replicate.

    Attributes
    ----------
    key, label : str
        The what-if (:data:`WHAT_IFS`).
    model : ICSModel
        Replicate 0: the future on the running model's own random numbers (drawn in a picture).
    paths : dict of str to ndarray, shape (seeds, months)
        Each outcome of :data:`OUTCOMES`, month by month after the fork, per replicate.
    """

    key: str
    label: str
    model: object
    paths: dict


@dataclass(frozen=True)
class Branches:
    """Two futures forked from one model at ``start_month``, run for ``months`` months on ``seeds`` replicates."""

    start_month: int
    months: int
    first: Future
    second: Future
    seeds: int = 1

    @property
    def identical(self) -> bool:
        """Whether both futures are the same on every replicate (the change made no difference)."""
        return all(np.array_equal(self.first.paths[name], self.second.paths[name], equal_nan=True)
                   for name in OUTCOMES)


def replicate_key(key: int, replicate: int) -> int:
    """The run key of replicate ``replicate`` of a fork of a model with run key ``key``.

    Replicate 0 keeps ``key`` (the future the running model would have); the others get keys
    derived from ``key`` and their number, so the same fork gives the same replicates every time.
    """
    if replicate == 0:
        return int(key)
    state = np.random.SeedSequence([int(key), int(replicate)]).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))  # < 2**63, as the model's own keys


def branch(model, first: str = "carry_on", second: str = "align", months: int = 24, seeds: int = SEEDS) -> Branches:
    """Fork ``model``, make one change in each fork, and run both for ``months`` months on ``seeds`` replicates.

    Replicate ``r`` of future A and replicate ``r`` of future B start from the same state and
    draw the same random numbers (common random numbers), so their difference is caused by the
    change alone; the spread over replicates is the luck the room should not read as an effect.

    Parameters
    ----------
    model : ics_abm.ICSModel
        The running simulation; it is not changed.
    first, second : str
        Keys of :data:`WHAT_IFS`.
    months : int
        Months to run each future, >= 1.
    seeds : int
        Replicates, >= 1.

    Returns
    -------
    Branches

    Raises
    ------
    KeyError
        For an unknown what-if.
    ValueError
        If ``months`` or ``seeds`` < 1.
    """
    if int(months) < 1:
        raise ValueError(f"months must be a whole number >= 1, got {months}")
    if int(seeds) < 1:
        raise ValueError(f"seeds must be a whole number >= 1, got {seeds}")
    changes = [WHAT_IFS[key] for key in (first, second)]  # KeyError before any work
    with lock_of(model):
        start = int(model.months_simulated)
        base = model.fork()
    # The replicates need no Mesa agent views and no networkx copy of the graph (nothing reads
    # them: the kernel works on the arrays, the pictures on the kept layout), nor the demo's
    # catalogue; without them a fork copies a tenth as much, which keeps 40 forks quick.
    base._views = {}
    base._network = None  # the networkx graph is made again on first use (Simulation.network)
    base.__dict__.pop("catalogue", None)
    futures = []
    for key, change in zip((first, second), changes, strict=True):
        paths: dict[str, list] = {name: [] for name in OUTCOMES}
        shown = None
        for replicate in range(int(seeds)):
            fork = base.fork()
            fork.key = replicate_key(base.key, replicate)
            change.apply(fork)
            # Several months per kernel call: the same numbers as stepping month by month.
            fork._simulate(int(months))
            # The month rows as the kernel wrote them (what history() tabulates, without pandas).
            rows = np.asarray(fork._system[start:], dtype=float)
            for name in OUTCOMES:
                paths[name].append(rows[:, METRICS.index(name)])
            if replicate == 0:
                shown = fork
        futures.append(Future(key, change.label, shown, {name: np.array(rows) for name, rows in paths.items()}))
    return Branches(start, int(months), futures[0], futures[1], int(seeds))


def compare(branches: Branches) -> pd.DataFrame:
    """The outcomes of both futures at their last month, over replicates.

    Returns
    -------
    pandas.DataFrame
        Index: outcome labels of :data:`OUTCOMES`. Columns ``A`` and ``B`` (medians over
        replicates), ``B - A`` (median of the paired differences), ``low`` and ``high`` (10th and
        90th percentiles of the paired differences), ``B higher`` (replicates in which B ended
        higher than A, of ``seeds``) and ``B better`` (replicates in which B ended better for the
        system: higher, or lower where less is better, as for organisations in deficit; the
        direction is the metric table's ``better``).
    """
    rows = {}
    for name, label in OUTCOMES.items():
        a, b = branches.first.paths[name][:, -1], branches.second.paths[name][:, -1]
        difference = b - a
        better = SYSTEM_METRICS[name].better * difference
        rows[label] = (float(np.median(a)), float(np.median(b)), float(np.median(difference)),
                       float(np.percentile(difference, 10)), float(np.percentile(difference, 90)),
                       int(np.sum(difference > 0)), int(np.sum(better > 0)))
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["A", "B", "B - A", "low", "high", "B higher", "B better"])
