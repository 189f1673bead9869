"""Checks of the engine's inputs, made once at the boundary: the kernels themselves never check.

Each check raises ``ValueError`` naming the array or parameter, what was expected and what was
found.
"""

from __future__ import annotations

import numpy as np

from ics_abm.engine.graph import arc_sources
from ics_abm.engine.state import SYSTEM_FIELDS, Arcs, Graph, Organisations, Params
from ics_abm.scenario.base import FINANCE_REGIMES

__all__ = ["check_state", "check_system", "check_params"]


def check_state(orgs: Organisations, graph: Graph, arcs: Arcs) -> None:
    """Check shapes, dtypes and invariants once, at the boundary of the kernel.

    Raises
    ------
    ValueError
        Naming the array, what was expected and what was found.
    """
    n = orgs.kind.shape[0]
    for name in Organisations._fields:
        array = getattr(orgs, name)
        expected = np.int64 if name in ("kind", "principal") else np.float64
        _expect(array, f"organisations.{name}", (n,), expected)
    m = graph.target.shape[0]
    _expect(graph.indptr, "graph.indptr", (n + 1,), np.int64)
    _expect(graph.target, "graph.target", (m,), np.int64)
    _expect(graph.reverse, "graph.reverse", (m,), np.int64)
    for name in ("trust", "distance", "memory", "stake"):
        _expect(getattr(arcs, name), f"arcs.{name}", (m,), np.float64)
    _expect(arcs.action, "arcs.action", (m,), np.int8)
    if graph.indptr[0] != 0 or graph.indptr[-1] != m or np.any(np.diff(graph.indptr) < 0):
        raise ValueError("graph.indptr must rise from 0 to the number of arcs")
    if m:
        if np.any((graph.target < 0) | (graph.target >= n)):
            raise ValueError("graph.target must hold organisation indices in [0, n)")
        source = arc_sources(graph)
        if (
            np.any((graph.reverse < 0) | (graph.reverse >= m))
            or not np.array_equal(graph.target[graph.reverse], source)
            or not np.array_equal(source[graph.reverse], graph.target)
        ):
            raise ValueError("graph.reverse must pair every arc i->j with the arc j->i")
    for name, lo, hi in (
        ("altruism", 0, 1), ("capacity", 0, 1), ("pressure", 0, 1), ("gain_rate", 0, 1), ("loss_rate", 0, 1),
        ("political", 0, 1), ("belief", 0, 1), ("experience", 0, 1), ("engagement", 0, 3),
    ):
        _expect_range(getattr(orgs, name), f"organisations.{name}", lo, hi)
    for name in ("trust", "distance", "memory"):
        _expect_range(getattr(arcs, name), f"arcs.{name}", 0, 1)
    for name in ("active", "committed", "unwilling"):
        if not np.all((getattr(orgs, name) == 0.0) | (getattr(orgs, name) == 1.0)):
            raise ValueError(f"organisations.{name} must hold only 0 and 1")
    if not np.all(orgs.engagement == np.round(orgs.engagement)):
        raise ValueError("organisations.engagement must hold whole numbers 0..3")
    if np.any(orgs.budget <= 0):
        raise ValueError("organisations.budget must be > 0")
    motives = np.stack([orgs.power, orgs.affiliation, orgs.achievement])
    if n and (np.any(motives < 0) or np.any(motives.sum(axis=0) <= 0)):
        raise ValueError("motive strengths must be >= 0 and not all zero for an organisation")
    if np.any((orgs.kind < 0) | (orgs.kind > 5)) or np.any((orgs.principal < 0) | (orgs.principal > 2)):
        raise ValueError("organisations.kind must be in 0..5 and principal in 0..2")


def check_system(system: np.ndarray, n: int) -> None:
    """Check the system state array of shape (len(SYSTEM_FIELDS),) for ``n`` organisations."""
    _expect(system, "system", (len(SYSTEM_FIELDS),), np.float64)
    values = dict(zip(SYSTEM_FIELDS, system.tolist()))
    for name in ("winter", "safety"):
        if not 0.0 <= values[name] <= 1.0:
            raise ValueError(f"system {name} must lie in [0, 1], got {values[name]}")
    for name in ("signed_up", "decision_open"):
        if values[name] not in (0.0, 1.0):
            raise ValueError(f"system {name} must be 0 or 1, got {values[name]}")
    for name in ("decision_loser", "lead"):
        if values[name] != int(values[name]) or not -1 <= values[name] < n:
            raise ValueError(f"system {name} must be -1 or an organisation index below {n}, got {values[name]}")
    if values["decision_open"] == 1.0 and values["decision_loser"] < 0:
        raise ValueError("an open hard decision must have a loser (system decision_loser >= 0)")


def _expect(array: np.ndarray, name: str, shape: tuple[int, ...], dtype) -> None:
    if not isinstance(array, np.ndarray) or array.shape != shape or array.dtype != dtype:
        got = f"{type(array).__name__} {getattr(array, 'dtype', '?')} {getattr(array, 'shape', '?')}"
        raise ValueError(f"{name} must be a {np.dtype(dtype)} array of shape {shape}, got {got}")
    if dtype == np.float64 and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")


def _expect_range(array: np.ndarray, name: str, lo: float, hi: float) -> None:
    if array.size and (array.min() < lo or array.max() > hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got values in [{array.min()}, {array.max()}]")


def check_params(params: Params) -> None:
    """Check the resolved rule parameters (shapes of the per-principal arrays, ranges, choices)."""
    for name in ("strength", "focus", "rate"):
        array = getattr(params, name)
        if not isinstance(array, np.ndarray) or array.shape != (3,) or array.dtype != np.float64:
            raise ValueError(f"params.{name} must be a float64 array of shape (3,), got {array!r}")
        if array[2] != 0.0:
            raise ValueError(f"params.{name}[2] (the public principal) must be 0, got {array[2]}")
        if np.any(array < 0.0) or (name != "strength" and np.any(array > 1.0)):
            raise ValueError(f"params.{name} must be >= 0{'' if name == 'strength' else ' and <= 1'}, got {array}")
    values = (params.reward, params.sucker, params.temptation, params.punishment)
    if max(values) == min(values):
        raise ValueError("the payoff matrix must not have all four entries equal")
    lens = (params.reward, params.lens_sucker, params.lens_temptation, params.punishment)
    if max(lens) == min(lens):
        raise ValueError("the payoff matrix seen through the lens must not have all four entries equal")
    if params.noise < 0 or params.legacy_weight < 0 or params.conflict < 0 or params.intervention_push < 0 or params.stress_weight < 0:
        raise ValueError("noise, legacy_weight, conflict, intervention_push and stress_weight must be >= 0")
    if params.stress_scale <= 0 or params.intervention_threshold <= 0:
        raise ValueError("stress_scale and intervention_threshold must be > 0")
    for name in _UNIT_PARAMS:
        value = getattr(params, name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"params.{name} must be in [0, 1], got {value}")
    if not params.maturity_progress > 0.0 or not params.surplus_cap >= 0.0:
        raise ValueError("params.maturity_progress must be > 0 and params.surplus_cap >= 0")
    for name in ("future_weight", "purpose_weight", "contact_rate", "burning_platform", "narrative_weight", "safety_weight", "loss_weight", "vote_noise", "deliberation", "resolved_progress", "political_weight", "invest_return"):
        if not getattr(params, name) >= 0.0:
            raise ValueError(f"params.{name} must be >= 0, got {getattr(params, name)}")
    if params.finance_regime not in range(len(FINANCE_REGIMES)):
        raise ValueError(f"params.finance_regime must be 0, 1 or 2, got {params.finance_regime}")
    if params.patience < 1 or params.invest_lag < 0 or params.invest_months < 0:
        raise ValueError("params.patience must be >= 1, invest_lag and invest_months >= 0")


_UNIT_PARAMS = (
    "socialised_power", "distance_drag", "memory_retention", "altruism_growth", "altruism_erosion", "capacity_cost", "pressure_decay",
    "progress_decay", "concentration", "turnover_rate", "turnover_trust_loss", "newcomer_penalty", "settling_rate",
    "narrative_initial", "build_rate", "convergence", "confidence_bound", "narrative_decay", "decision_rate",
    "majority", "resolved_trust_gain", "breakdown_trust_loss", "commitment_trust_threshold",
    "commitment_stress_threshold", "reengage_margin", "political_baseline", "political_decay",
    "linked_share", "sustainability_share", "risk_tolerance", "signup_share", "transfer_share",
    "transfer_trust_gain", "invest_share", "winter_capacity_loss", "winter_cost", "winter_decay",
    "autonomy", "crowding_out", "pooled_share", "pooled_system_weight", "safety_buffer", "lead_trust_loss",
)
