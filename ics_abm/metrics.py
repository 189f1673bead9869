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

import math
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
    plain : str
        Its name in a sentence of a briefing ("mean trust"); empty: the name with spaces.
    low, high : float
        The range the quantity can take in any run (``-inf``/``inf`` when unbounded); intervals
        of a comparison never leave it.
    better : int
        ``1`` if more is better for the system, ``-1`` if less is, ``0`` if neither is judged.
    headline : str
        The measure a briefing reports: ``"final"`` (the final month), ``"last_12_mean"`` (the
        mean of the last 12 months, for a noisy monthly rate) or ``"total"`` (the sum over every
        month, for a flow).
    total : str
        Plain name of the sum over months ("months signed up to the control total"); empty if
        the sum means nothing (a level, not a flow).
    total_unit : str
        Unit of that sum.
    never : str
        What it means that the headline is zero in every run ("never signs up to the control
        total"), written after "the system"; empty: no special phrase.
    """

    name: str
    unit: str
    meaning: str
    integer: bool = False
    plain: str = ""
    low: float = -math.inf
    high: float = math.inf
    better: int = 0
    headline: str = "final"
    total: str = ""
    total_unit: str = ""
    never: str = ""

_SYSTEM = (
    Metric("collaboration_rate", "share of arcs", "share of relationships (each direction) in which the organisation collaborated this month",
           plain="collaboration rate", low=0.0, high=1.0, better=1, headline="last_12_mean"),
    Metric("mutual_rate", "share of relationships", "share of relationships in which both partners collaborated this month",
           plain="mutual collaboration rate", low=0.0, high=1.0, better=1, headline="last_12_mean"),
    Metric("mean_trust", "[0, 1]", "mean trust over the live relationships, after the month",
           plain="mean trust", low=0.0, high=1.0, better=1),
    Metric("system_surplus", "£m per month", "sum of the organisations' net financial results this month",
           plain="system surplus", better=1, headline="last_12_mean", total="system surplus", total_unit="£m"),
    Metric("system_balance", "£m", "sum of the organisations' cumulative financial balances",
           plain="system balance", better=1),
    Metric("n_deficit", "organisations", "organisations with a negative balance", integer=True,
           plain="organisations in deficit", low=0.0, better=-1, never="has no organisation in deficit"),
    Metric("interventions", "per month", "regulator interventions this month", integer=True,
           plain="regulator interventions per month", low=0.0, better=-1, headline="total",
           total="regulator interventions", total_unit="interventions", never="has no regulator intervention"),
    Metric("integration_progress", "trusted joint-working index", "stock of trusted joint working, eroding slowly when collaboration stops",
           plain="integration progress", low=0.0, better=1),
    Metric("mean_altruism", "[0, 1]", "mean weight leaders put on the system's payoff (the system hat)",
           plain="mean altruism", low=0.0, high=1.0, better=1),
    Metric("mean_pressure", "[0, 1]", "mean regulator pressure on organisations",
           plain="mean regulator pressure", low=0.0, high=1.0, better=-1, headline="last_12_mean"),
    Metric("mean_capacity", "[0, 1]", "mean effective leader capacity for system work used this month",
           plain="leaders' capacity for system work", low=0.0, high=1.0),
    Metric("shared_narrative", "[0, 1]", "mean belief in the system's shared purpose",
           plain="belief in a shared purpose", low=0.0, high=1.0, better=1),
    Metric("committed_share", "[0, 1]", "share of active organisations committed to system working",
           plain="share of organisations committed", low=0.0, high=1.0, better=1),
    Metric("decision_open", "0/1", "1 if a hard decision is open after the month", integer=True,
           plain="a hard decision open", low=0.0, high=1.0),
    Metric("decisions_resolved", "count", "hard decisions resolved so far", integer=True,
           plain="hard decisions resolved", low=0.0, better=1, never="resolves no hard decision"),
    Metric("decisions_failed", "count", "hard decisions that broke down so far", integer=True,
           plain="hard decisions broken down", low=0.0, better=-1, never="has no hard decision break down"),
    Metric("decision_latency", "months", "months taken by a hard decision resolved this month (NaN if none)",
           plain="months to resolve a hard decision", low=0.0, better=-1, headline="last_12_mean"),
    Metric("signed_up", "0/1", "1 if the system is signed up to the control total this year", integer=True,
           plain="signed up to the control total", low=0.0, high=1.0, better=1, headline="total",
           total="months signed up to the control total", total_unit="months", never="never signs up to the control total"),
    Metric("transfers", "£m", "money given in end-of-year altruistic transfers this month",
           plain="transfers between partners", low=0.0, better=1, headline="total",
           total="money transferred between partners", total_unit="£m", never="makes no transfer between partners"),
    Metric("sustainability_funding", "£m", "sustainability funding paid this month",
           plain="sustainability funding", low=0.0, better=1, headline="total",
           total="sustainability funding received", total_unit="£m", never="receives no sustainability funding"),
    Metric("la_engagement", "0-3", "mean engagement of active local authorities: 0 absent, 1 partner, 2 full, 3 lead (NaN if none)",
           plain="local-authority engagement", low=0.0, high=3.0, better=1),
    Metric("winter_pressure", "[0, 1]", "winter pressure used this month", plain="winter pressure", low=0.0, high=1.0),
    Metric("safety", "[0, 1]", "psychological safety of the system's meetings",
           plain="psychological safety", low=0.0, high=1.0, better=1),
    Metric("leadership_capacity", "[0, 1]", "the system's leadership capacity used this month",
           plain="leadership capacity", low=0.0, high=1.0, better=1),
    Metric("active_organisations", "count", "organisations that are members of the system after the month", integer=True,
           plain="member organisations", low=0.0),
    Metric("joint_working", "[0, 1]", "trusted joint working added this month (before decay and hard decisions)",
           plain="joint working added", low=0.0, high=1.0, better=1, headline="last_12_mean"),
    Metric("reinvested", "£m", "surplus above the cap an organisation may hold, spent on services at a year end (7.15)",
           plain="surplus reinvested in services", low=0.0, headline="total",
           total="surplus reinvested in services", total_unit="£m", never="reinvests no surplus"),
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
