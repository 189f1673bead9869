"""What-if branching: two futures of the running simulation, from the same state and seed.

:meth:`ics_abm.ICSModel.fork` copies the model with its future randomness, so two forks stepped
with no change stay identical; any difference between the two futures is caused by the change
made at the fork, not by chance. That is the point to make to a room: "same system, same luck,
one decision different".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ics_abm.demo.session import DEMO_EVENTS, lock_of

__all__ = ["WhatIf", "WHAT_IFS", "Future", "Branches", "branch", "compare", "OUTCOMES"]


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

#: Outcomes compared at the end of two futures: column of the system table -> label.
OUTCOMES: dict[str, str] = {
    "collaboration_rate": "Collaborating (share of relationships)",
    "mutual_rate": "Mutual collaboration (share)",
    "mean_trust": "Mean trust (0–1)",
    "system_balance": "System balance (£m)",
    "n_deficit": "Organisations in deficit",
    "integration_progress": "Integration progress",
}


@dataclass(frozen=True)
class Future:
    """One future: the change made at the fork and the model stepped to the end."""

    key: str
    label: str
    model: object


@dataclass(frozen=True)
class Branches:
    """Two futures forked from one model at ``start_month`` and run for ``months`` months."""

    start_month: int
    months: int
    first: Future
    second: Future


def branch(model, first: str = "carry_on", second: str = "align", months: int = 24) -> Branches:
    """Fork ``model`` twice, make one change in each fork, and run both for ``months`` months.

    Parameters
    ----------
    model : ics_abm.ICSModel
        The running simulation; it is not changed.
    first, second : str
        Keys of :data:`WHAT_IFS`.
    months : int
        Months to run each future, >= 1.

    Returns
    -------
    Branches

    Raises
    ------
    KeyError
        For an unknown what-if.
    ValueError
        If ``months`` < 1.
    """
    if int(months) < 1:
        raise ValueError(f"months must be a whole number >= 1, got {months}")
    changes = [WHAT_IFS[key] for key in (first, second)]  # KeyError before any work
    with lock_of(model):
        start = int(model.months_simulated)
        forks = [model.fork(), model.fork()]
    futures = []
    for key, change, fork in zip((first, second), changes, forks, strict=True):
        change.apply(fork)
        for _ in range(int(months)):
            fork.step()
        futures.append(Future(key, change.label, fork))
    return Branches(start, int(months), futures[0], futures[1])


def compare(branches: Branches) -> pd.DataFrame:
    """The outcomes of both futures at their last month, and B minus A.

    Returns
    -------
    pandas.DataFrame
        Index: outcome labels of :data:`OUTCOMES`; columns ``A``, ``B``, ``B - A``.
    """
    last = [future.model.history().iloc[-1] for future in (branches.first, branches.second)]
    rows = {label: (float(last[0][name]), float(last[1][name])) for name, label in OUTCOMES.items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["A", "B"])
    table["B - A"] = table["B"] - table["A"]
    return table
