"""How much the model's levers move it, and how smoothly it answers a change of one assumption.

Two tables for the validation report (issue 10), both on common random numbers (every arm runs
the same seeds):

* **Lever effects** (:func:`lever_effects`): each lever a facilitator or policy team pulls (the
  shared narrative, psychological safety, distributed leadership, the loss of a leader, the
  competition legacy, aligned regulators, pooled budgets, a control total) against the default
  system, as the paired difference in mean trust, collaboration and integration progress at one,
  three and ten years, with a percentile bootstrap interval
  (:func:`ics_abm.experiments.comparison.statistics.contrast`).
* **One-at-a-time sensitivity** (:func:`sensitivity`): every non-zero numeric default of the
  scenario schema (the [A] assumptions of docs/model.md and a few evidence-based values) is set
  20 % lower and 20 % higher, and two headline shares are compared with the default's: runs left
  in a low-trust state at ten years (mean trust below 0.3) and runs in which trust rose over year
  one. A change of at most 15 points of either share, either way, is called *smooth*: no knife
  edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ics_abm.experiments.batch import system_table
from ics_abm.experiments.comparison.statistics import contrast
from ics_abm.experiments.validation.fact import with_changes
from ics_abm.experiments.validation.facts.baselines import DEFAULT_SYSTEM
from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

__all__ = [
    "LEVERS", "LEVER_MONTHS", "LEVER_OUTCOMES", "LOW_TRUST", "SMOOTH_POINTS", "Lever",
    "assumption_paths", "lever_effects", "sensitivity",
]

#: Outcomes and months of the lever-effects table.
LEVER_OUTCOMES = ("mean_trust", "collaboration_rate", "integration_progress")
LEVER_MONTHS = (12, 36, 120)
#: Mean trust below which a run counts as stuck in a low-trust state (issue 10).
LOW_TRUST = 0.3
#: Largest change, in percentage points, of the low-trust share that counts as smooth.
SMOOTH_POINTS = 15.0
#: Horizon of the sensitivity table (months).
HORIZON = 120
#: Sections of a scenario that are not model assumptions (sizes, names, events, kinds' tables).
_NOT_ASSUMPTIONS = ("scenario", "organisations", "kinds", "events")


@dataclass(frozen=True)
class Lever:
    """A lever as a change to the default system (dotted paths, as for a stylized fact).

    Attributes
    ----------
    name : str
        What a facilitator would call it.
    changes : mapping
        Dotted-path changes of the lever's arm, e.g. ``{"narrative.initial": 0.5}``.
    baseline : mapping
        Changes of the arm it is compared with (default: the default system itself).
    evidence : str
        Why the seeds expect it to matter, with the source.
    """

    name: str
    changes: dict[str, Any]
    evidence: str
    baseline: dict[str, Any] = field(default_factory=dict)


LEVERS: tuple[Lever, ...] = (
    Lever("shared narrative (starting belief 0.3 → 0.5)", {"narrative.initial": 0.5},
          "\"the thing that's bound us together has been the vision\" [003] (M6)"),
    Lever("psychological safety (0.3 → 0.6)", {"leadership.safety": 0.6},
          "conditions \"in which it is safe to challenge\" [003] (M5)"),
    Lever("distributed leadership (concentration 1 → 0)", {"leadership.concentration": 0.0},
          "\"A collective leadership model ... critical to ensuring sustainability\" [003] (M27, S25)",
          baseline={"leadership.concentration": 1.0}),
    Lever("a respected leader leaves (month 24)", {"events": [{"month": 24, "kind": "leader_leaves"}]},
          "respected leaders \"approaching the end of their career\" [003] (M27, S24)"),
    Lever("no competition legacy (0.5 → 0)", {"legacy.strength": 0.0},
          "25 years of the internal market [000], [003] (M7)"),
    Lever("aligned regulators (misaligned → aligned)", {"regulation.regime": "aligned"},
          "regulators \"giving two different messages\" [003] (M14)"),
    Lever("pooled budget (separate → pooled)", {"finance.regime": "pooled"},
          "Dorset's and Frimley's shared financial plans [003] (M22)"),
    Lever("system control total (p = 0.5)", {"finance.regime": "control_total"},
          "system control totals, signed by most first-wave systems [003] (M21)"),
)


def _months(scenario_data: dict, seeds: Sequence[int], steps: int) -> pd.DataFrame:
    """The monthly system table of one arm: one row per seed and month.

    Raises
    ------
    ScenarioError
        If the changed data is not a valid scenario (a value outside its field's range).
    """
    return system_table(scenario_from_dict(scenario_data), list(seeds), steps, parallel=False)


def _at(table: pd.DataFrame, metric: str, month: int) -> np.ndarray:
    """``metric`` at ``month`` in every run, in run (seed) order; shape (runs,)."""
    rows = table[table["step"] == month].sort_values("run")
    return rows[metric].to_numpy(dtype=np.float64)


def lever_effects(seeds: Sequence[int], levers: Sequence[Lever] = LEVERS) -> pd.DataFrame:
    """Every lever's paired effect on trust, collaboration and progress at one, three and ten years.

    Parameters
    ----------
    seeds : sequence of int
        The seeds of both arms of every lever (common random numbers).
    levers : sequence of Lever

    Returns
    -------
    pandas.DataFrame
        One row per lever, outcome and month: ``lever, outcome, month, baseline, difference, low,
        high, higher, lower, n`` (``difference`` = lever − baseline, mean over seeds, with its 95 %
        percentile bootstrap interval ``low``-``high``; ``higher``/``lower``: paired runs in which
        the lever's value is above/below the baseline's).
    """
    steps = max(LEVER_MONTHS)
    cache: dict[str, pd.DataFrame] = {}

    def arm(changes: dict[str, Any]) -> pd.DataFrame:
        key = repr(sorted(changes.items()))
        if key not in cache:
            cache[key] = _months(with_changes(DEFAULT_SYSTEM, changes), seeds, steps)
        return cache[key]

    rows = []
    for lever in levers:
        base, moved = arm(lever.baseline), arm({**lever.baseline, **lever.changes})
        for outcome in LEVER_OUTCOMES:
            for month in LEVER_MONTHS:
                a, b = _at(base, outcome, month), _at(moved, outcome, month)
                c = contrast(a, b)
                rows.append({"lever": lever.name, "outcome": outcome, "month": month, "baseline": float(np.nanmean(a)),
                             "difference": c.difference, "low": c.low, "high": c.high, "higher": c.higher,
                             "lower": c.lower, "n": c.n})
    return pd.DataFrame(rows)


def assumption_paths(data: dict | None = None) -> list[tuple[str, float]]:
    """The dotted paths and values of every non-zero numeric default of a scenario's mechanisms.

    Booleans, whole-number settings (months, counts), tables of pairs and the sections in
    ``_NOT_ASSUMPTIONS`` are left out: a change of 20 % is not defined for them.
    """
    if data is None:
        data = scenario_to_dict(scenario_from_dict(DEFAULT_SYSTEM))
    paths = []
    for section, values in data.items():
        if section in _NOT_ASSUMPTIONS or not isinstance(values, dict):
            continue
        for name, value in values.items():
            if isinstance(value, float) and value != 0.0:
                paths.append((f"{section}.{name}", value))
    return paths


def _measures(table: pd.DataFrame) -> dict[str, float]:
    """The headline measures of one variant: the share of runs in a low-trust state at ten years,
    the share in which trust rose over year one, and mean trust at ten years."""
    final = _at(table, "mean_trust", HORIZON)
    rise = _at(table, "mean_trust", 12) - _at(table, "mean_trust", 1)
    return {"share": float(np.mean(final < LOW_TRUST)), "rise": float(np.mean(rise > 0)), "trust": float(np.mean(final))}


def sensitivity(seeds: Sequence[int], factor: float = 0.2) -> pd.DataFrame:
    """One-at-a-time sensitivity of two headline shares to every numeric assumption.

    Parameters
    ----------
    seeds : sequence of int
        Seeds of every variant (common random numbers).
    factor : float
        Relative change: each default is multiplied by ``1 - factor`` and ``1 + factor``.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter, default, low_value, high_value``; at the default, the
        low and the high value: the low-trust share (mean trust below :data:`LOW_TRUST` at month
        :data:`HORIZON`; ``share_*``), the share of runs in which trust rose over year one
        (``rise_*``) and mean trust at month :data:`HORIZON` (``trust_*``); the largest change of
        either share in points (``change_points``) and ``smooth`` (``change_points <=
        SMOOTH_POINTS``). A side whose value lies outside the field's range is NaN.
    """
    default = _measures(_months(DEFAULT_SYSTEM, seeds, HORIZON))
    rows = []
    for path, value in assumption_paths():
        row: dict[str, Any] = {"parameter": path, "default": value, **{f"{m}_default": v for m, v in default.items()}}
        for side, multiplier in (("low", 1.0 - factor), ("high", 1.0 + factor)):
            changed = value * multiplier
            row[f"{side}_value"] = changed
            try:
                measured = _measures(_months(with_changes(DEFAULT_SYSTEM, {path: changed}), seeds, HORIZON))
            except ScenarioError:  # outside the field's range: that side is not defined
                measured = dict.fromkeys(default, np.nan)
            row.update({f"{m}_{side}": v for m, v in measured.items()})
        changes = [abs(row[f"{m}_{s}"] - default[m]) for m in ("share", "rise") for s in ("low", "high")
                   if not np.isnan(row[f"{m}_{s}"])]
        row["change_points"] = 100.0 * max(changes) if changes else np.nan
        row["smooth"] = bool(row["change_points"] <= SMOOTH_POINTS) if changes else True
        rows.append(row)
    return pd.DataFrame(rows)
