"""The one table of what the model reports: every output's name, unit, meaning and type.

Everything that names an output reads it from here: the step kernel's column order
(:data:`METRICS`, :data:`ORG_TRAJECTORY_FIELDS`), the tidy tables and their integer columns, the
labels of figures and the data dictionary in the documentation (docs/model.md, 7.8, is checked
against this table by ``tests/test_docs_defaults.py``).

Examples
--------
>>> from ics_abm.metrics import METRICS, SYSTEM_METRICS
>>> METRICS[:3]
('collaboration_rate', 'mutual_rate', 'mean_trust')
>>> SYSTEM_METRICS["system_balance"].unit
'£m'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

__all__ = [
    "Metric",
    "SYSTEM_METRICS",
    "METRICS",
    "INTEGER_METRICS",
    "ORGANISATION_FIELDS",
    "ORG_TRAJECTORY_FIELDS",
    "label",
]


class Metric(NamedTuple):
    """One reported quantity.

    Attributes
    ----------
    name : str
        Column name in every table.
    unit : str
        Unit or range, as docs/model.md 7.8 writes it.
    meaning : str
        What it is, in plain words.
    integer : bool
        Stored as int64 in tables (counts and 0/1 flags).
    """

    name: str
    unit: str
    meaning: str
    integer: bool = False


_SYSTEM = (
    Metric("collaboration_rate", "share of arcs", "share of relationships (each direction) in which the organisation collaborated this month"),
    Metric("mutual_rate", "share of relationships", "share of relationships in which both partners collaborated this month"),
    Metric("mean_trust", "[0, 1]", "mean trust over the live relationships, after the month"),
    Metric("system_surplus", "£m per month", "sum of the organisations' net financial results this month"),
    Metric("system_balance", "£m", "sum of the organisations' cumulative financial balances"),
    Metric("n_deficit", "organisations", "organisations with a negative balance", integer=True),
    Metric("interventions", "per month", "regulator interventions this month", integer=True),
    Metric("integration_progress", "trusted joint-working index", "stock of trusted joint working, eroding slowly when collaboration stops"),
    Metric("mean_altruism", "[0, 1]", "mean weight leaders put on the system's payoff (the system hat)"),
    Metric("mean_pressure", "[0, 1]", "mean regulator pressure on organisations"),
    Metric("mean_capacity", "[0, 1]", "mean effective leader capacity for system work used this month"),
    Metric("shared_narrative", "[0, 1]", "mean belief in the system's shared purpose"),
    Metric("committed_share", "[0, 1]", "share of active organisations committed to system working"),
    Metric("decision_open", "0/1", "1 if a hard decision is open after the month", integer=True),
    Metric("decisions_resolved", "count", "hard decisions resolved so far", integer=True),
    Metric("decisions_failed", "count", "hard decisions that broke down so far", integer=True),
    Metric("decision_latency", "months", "months taken by a hard decision resolved this month (NaN if none)"),
    Metric("signed_up", "0/1", "1 if the system is signed up to the control total this year", integer=True),
    Metric("transfers", "£m", "money given in end-of-year altruistic transfers this month"),
    Metric("sustainability_funding", "£m", "sustainability funding paid this month"),
    Metric("la_engagement", "0-3", "mean engagement of active local authorities: 0 absent, 1 partner, 2 full, 3 lead (NaN if none)"),
    Metric("winter_pressure", "[0, 1]", "winter pressure used this month"),
    Metric("safety", "[0, 1]", "psychological safety of the system's meetings"),
    Metric("leadership_capacity", "[0, 1]", "the system's leadership capacity used this month"),
    Metric("active_organisations", "count", "organisations that are members of the system after the month", integer=True),
    Metric("joint_working", "[0, 1]", "trusted joint working added this month (before decay and hard decisions)"),
)

#: Every system output of a month, by name, in the kernel's column order (docs/model.md, 7.8).
SYSTEM_METRICS = MappingProxyType({metric.name: metric for metric in _SYSTEM})
#: Names of the system outputs, in the kernel's column order.
METRICS: tuple[str, ...] = tuple(SYSTEM_METRICS)
#: System outputs stored as int64 (counts and 0/1 flags).
INTEGER_METRICS: tuple[str, ...] = tuple(m.name for m in _SYSTEM if m.integer)

_ORGANISATION = (
    Metric("balance", "£m", "cumulative financial balance (negative = deficit)"),
    Metric("altruism", "[0, 1]", "weight the leader puts on the system's payoff"),
    Metric("pressure", "[0, 1]", "regulator pressure (1 = intervened on this month)"),
    Metric("capacity", "[0, 1]", "effective leader capacity used this month"),
    Metric("net", "£m per month", "net financial result this month (after pooling)"),
    Metric("committed", "0/1", "1 if committed to system working"),
    Metric("belief", "[0, 1]", "belief in the system's shared purpose"),
    Metric("engagement", "0-3", "0 absent, 1 partner, 2 full member, 3 lead (local authorities; 2 for others)"),
    Metric("experience", "[0, 1]", "how settled the leader is in the system"),
    Metric("active", "0/1", "1 if a member of the system"),
)

#: Per-organisation outputs of a month, by name, in the kernel's column order.
ORGANISATION_FIELDS = MappingProxyType({metric.name: metric for metric in _ORGANISATION})
#: Names of the per-organisation outputs, in the kernel's column order.
ORG_TRAJECTORY_FIELDS: tuple[str, ...] = tuple(ORGANISATION_FIELDS)


def label(name: str) -> str:
    """A readable axis label for a system or organisation output: its name in words and its unit.

    Parameters
    ----------
    name : str
        An output's name; an unknown name is returned with underscores as spaces.

    Returns
    -------
    str

    Examples
    --------
    >>> label("system_balance")
    'system balance (£m)'
    """
    metric = SYSTEM_METRICS.get(name) or ORGANISATION_FIELDS.get(name)
    words = name.replace("_", " ")
    if metric is None:
        return words
    return f"{words} {metric.unit}" if metric.unit.startswith("[") else f"{words} ({metric.unit})"
