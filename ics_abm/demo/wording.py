"""The demo's words: what each number on screen is called, its unit, and whether it got better.

A room of NHS and council leaders reads the screen without a glossary, so every number carries a
plain name, a unit or a plain meaning, and a cue against the first month (an arrow and the word
"better" or "worse", not colour alone). The direction that counts as better comes from the model's
table of outputs (:data:`ics_abm.metrics.SYSTEM_METRICS`), not from this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ics_abm.metrics import SYSTEM_METRICS

__all__ = ["Headline", "HEADLINES", "EVENT_WORDS", "REGIME_WORDS", "money", "cue", "headline_items", "KIND_PLURAL"]


def money(value: float) -> str:
    """£ millions with the sign in front: "−£1.8m"."""
    return f"{'−' if value < 0 else ''}£{abs(value):,.1f}m"


@dataclass(frozen=True)
class Headline:
    """One headline number.

    Attributes
    ----------
    metric : str
        Column of the model's history.
    name : str
        What the room reads.
    unit : str
        Unit or plain meaning, shown under the number.
    show : callable
        ``show(value, n_organisations) -> str``.
    change : callable
        ``change(new, old) -> str``: the change since the first month, with its unit.
    """

    metric: str
    name: str
    unit: str
    show: Callable[[float, int], str]
    change: Callable[[float, float], str]


def _points(new: float, old: float) -> str:
    return f"{100 * (new - old):+.0f} pts".replace("-", "−")


def _plain(digits: int) -> Callable[[float, float], str]:
    return lambda new, old: f"{new - old:+.{digits}f}".replace("-", "−")


#: The headline numbers, left to right.
HEADLINES: tuple[Headline, ...] = (
    Headline("collaboration_rate", "Working together", "of relationships",
             lambda v, n: f"{100 * v:.0f} %", _points),
    Headline("mean_trust", "Trust", "average: 0 none, 1 full", lambda v, n: f"{v:.2f}", _plain(2)),
    Headline("system_balance", "Money", "all organisations together", lambda v, n: money(v),
             lambda new, old: ("+" if new >= old else "−") + money(abs(new - old))),
    Headline("n_deficit", "In deficit", "organisations in the red", lambda v, n: f"{v:.0f} of {n}", _plain(0)),
    Headline("integration_progress", "Integration", "joint working built up",
             lambda v, n: f"{v:.1f}", _plain(1)),
)


def cue(metric: str, new: float, old: float, tolerance: float = 1e-9) -> tuple[str, str]:
    """An arrow and a word for the change of ``metric`` from ``old`` to ``new``.

    Returns
    -------
    (str, str)
        ``("▲", "better")``, ``("▼", "worse")``, ``("▲", "up")`` for a metric that is neither better
        nor worse when higher, or ``("=", "no change")``.
    """
    if not (math.isfinite(new) and math.isfinite(old)) or abs(new - old) <= tolerance:
        return "=", "no change"
    arrow = "▲" if new > old else "▼"
    better = SYSTEM_METRICS[metric].better
    if better == 0:
        return arrow, "up" if new > old else "down"
    return arrow, "better" if (new > old) == (better > 0) else "worse"


def headline_items(first: dict, last: dict, n_organisations: int, first_month: int) -> list[dict]:
    """The headline numbers of the latest month with their cue against ``first_month``.

    Parameters
    ----------
    first, last : dict
        Values of the history's columns at the first and latest month.
    n_organisations : int
        Organisations in the system now.
    first_month : int
        The month ``first`` is from (said in the cue: "since month 1").

    Returns
    -------
    list of dict
        Keys ``metric``, ``name``, ``unit``, ``text``, ``value``, ``arrow``, ``word``, ``change``, ``since``.
    """
    items = []
    for headline in HEADLINES:
        new, old = float(last[headline.metric]), float(first[headline.metric])
        arrow, word = cue(headline.metric, new, old)
        items.append({
            "metric": headline.metric, "name": headline.name, "unit": headline.unit,
            "text": headline.show(new, n_organisations), "value": new, "arrow": arrow, "word": word,
            "change": headline.change(new, old), "since": f"since month {first_month}",
        })
    return items


#: Events in plain words (the log, the chart markers and the captions).
EVENT_WORDS: dict[str, str] = {
    "financial_shock": "a financial shock",
    "winter_pressure": "winter pressure",
    "regime_change": "a change of regulators",
    "leadership_programme": "a leadership programme",
    "leader_leaves": "a respected leader left",
    "local_authority_walks_away": "a council walked away",
    "altruistic_first_move": "an altruistic first move",
    "partner_entry": "a new partner joined",
    "partner_exit": "a partner left",
    "set_values": "the regulators changed",
}

#: The regulator regimes in plain words.
REGIME_WORDS: dict[str, str] = {
    "none": "no regulators",
    "misaligned": "two regulators, two messages",
    "aligned": "two regulators, one message",
    "single": "one oversight body",
}

#: Kinds of organisation, plural, for sentences ("trust between acute trusts and councils").
KIND_PLURAL: dict[str, str] = {
    "acute": "acute trusts",
    "primary_care_network": "primary care networks",
    "commissioner": "commissioners",
    "community_mental_health": "community and mental health trusts",
    "local_authority": "councils",
    "voluntary_sector": "voluntary groups",
}
