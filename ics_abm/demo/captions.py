"""Captions in plain words of what happened in a stretch of a run, computed from the run itself.

A caption compares two :class:`Mark` s of the same model (before and after some months): the
events in the model's event log between them, hard decisions resolved or broken down, the pair of
kinds whose trust moved most, how much working together and the money moved. Nothing is canned:
the same chapter of a story gives another caption when the model or the seed gives another run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ics_abm.demo.session import lock_of
from ics_abm.demo.wording import EVENT_WORDS, KIND_PLURAL, REGIME_WORDS, money
from ics_abm.engine.graph import arc_sources
from ics_abm.scenario.kinds import KINDS

__all__ = ["Mark", "mark", "kind_trust", "caption"]

#: Changes smaller than these are "hardly changed" (trust 0-1; shares 0-1; £m).
SMALL_TRUST, SMALL_SHARE, SMALL_MONEY = 0.01, 0.01, 0.5


@dataclass(frozen=True)
class Mark:
    """What a caption compares, at one month.

    Attributes
    ----------
    month : int
    values : dict of str to float, or None
        The history's columns at ``month`` (None at month 0, before any step).
    kind_trust : ndarray of float64, shape (6, 6)
        Mean trust of row kind in column kind over live relationships (NaN: none).
    n_events : int
        Length of the model's event log.
    """

    month: int
    values: dict | None
    kind_trust: np.ndarray
    n_events: int


def kind_trust(model) -> np.ndarray:
    """Mean trust of each kind in each kind over relationships between active organisations, shape (6, 6)."""
    orgs, graph = model.organisations, model.graph
    source, target = arc_sources(graph), graph.target
    live = (orgs.active[source] == 1.0) & (orgs.active[target] == 1.0)
    rows, cols = orgs.kind[source[live]], orgs.kind[target[live]]
    total, count = np.zeros((len(KINDS), len(KINDS))), np.zeros((len(KINDS), len(KINDS)))
    np.add.at(total, (rows, cols), model.arcs.trust[live])
    np.add.at(count, (rows, cols), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1.0), np.nan)


def mark(model) -> Mark:
    """A :class:`Mark` of ``model`` now (holding its lock)."""
    with lock_of(model):
        month = int(model.months_simulated)
        values = None
        if month:
            values = {key: float(value) for key, value in model.history().iloc[-1].items()
                      if isinstance(value, (int, float, np.integer, np.floating))}
        return Mark(month, values, kind_trust(model), len(model.event_log))


def _pair_change(before: np.ndarray, after: np.ndarray) -> tuple[int, int, float, float] | None:
    """The unordered pair of kinds whose mutual trust (mean of both directions) moved most."""
    best = None
    for i in range(len(KINDS)):
        for j in range(i, len(KINDS)):
            old = np.nanmean([before[i, j], before[j, i]]) if np.isfinite([before[i, j], before[j, i]]).any() else np.nan
            new = np.nanmean([after[i, j], after[j, i]]) if np.isfinite([after[i, j], after[j, i]]).any() else np.nan
            if np.isfinite(old) and np.isfinite(new) and (best is None or abs(new - old) > abs(best[3] - best[2])):
                best = (i, j, float(old), float(new))
    return best


def _event_words(event: dict) -> str:
    regime = event.get("options", {}).get("regulation.regime")
    if event["kind"] == "set_values" and regime is not None:
        return f"the switch to {REGIME_WORDS.get(regime, regime)}"
    return EVENT_WORDS.get(event["kind"], event["kind"].replace("_", " "))


#: Events that, on their face, should lower trust (-1) or raise it (+1); used only to say "after"
#: or "despite" in a caption, never to change a number.
_EXPECTED = {"financial_shock": -1, "winter_pressure": -1, "leader_leaves": -1, "local_authority_walks_away": -1,
             "partner_exit": -1, "leadership_programme": 1, "altruistic_first_move": 1, "partner_entry": 0,
             "regime_change": 0}


def _expected(event: dict) -> int:
    regime = event.get("options", {}).get("regulation.regime")
    if event["kind"] == "set_values":
        return {"aligned": 1, "single": 1, "misaligned": -1}.get(str(regime), 0)
    return _EXPECTED.get(event["kind"], 0)


def _organisations(n: float) -> str:
    return f"{n:.0f} organisation{'' if n == 1 else 's'}"


def _between(i: int, j: int) -> str:
    if i == j:
        return f"among {KIND_PLURAL[KINDS[i]]}"
    return f"between {KIND_PLURAL[KINDS[i]]} and {KIND_PLURAL[KINDS[j]]}"


def _moved(old: float, new: float, small: float, show) -> str:
    if abs(new - old) < small:
        return f"hardly changed, at {show(new)}"
    return f"{'rose' if new > old else 'fell'} from {show(old)} to {show(new)}"


def caption(before: Mark, after: Mark, events: list[dict]) -> list[str]:
    """What happened between ``before`` and ``after``, in plain sentences.

    Parameters
    ----------
    before, after : Mark
        Marks of the same model, ``after`` later.
    events : list of dict
        The model's event log (``month``, ``kind``, ``options``).

    Returns
    -------
    list of str
        The first sentence says which months and what happened; then the reasons the run shows.
    """
    happened = [event for event in events[before.n_events:after.n_events]]
    span = (f"Month {after.month}" if after.month == before.month + 1
            else f"Months {before.month + 1} to {after.month}")
    sentences = []
    what = [f"{_event_words(e)} (month {e['month']})" for e in happened]
    sentences.append(f"{span}: " + ("; ".join(what) if what else "no event from outside") + ".")
    why = []
    if after.values is not None:
        old = before.values or {}
        failed = after.values.get("decisions_failed", 0.0) - old.get("decisions_failed", 0.0)
        resolved = after.values.get("decisions_resolved", 0.0) - old.get("decisions_resolved", 0.0)
        if failed >= 1:
            why.append("a hard decision broke down" if failed == 1 else f"{failed:.0f} hard decisions broke down")
            sentences.append(f"{'A hard decision' if failed == 1 else f'{failed:.0f} hard decisions'} "
                             "(a service change some partners lose from) broke down.")
        if resolved >= 1:
            sentences.append(f"{'A hard decision was' if resolved == 1 else f'{resolved:.0f} hard decisions were'} "
                             "agreed and carried out.")
    pair = _pair_change(before.kind_trust, after.kind_trust)
    if pair is not None:
        i, j, old_trust, new_trust = pair
        text = f"Trust {_between(i, j)} {_moved(old_trust, new_trust, SMALL_TRUST, lambda v: f'{v:.2f}')}"
        if abs(new_trust - old_trust) >= SMALL_TRUST:
            text += ", the biggest change between kinds"
            direction = 1 if new_trust > old_trust else -1
            if why and direction < 0:
                text += f", after {why[0]}"
            elif happened and _expected(happened[-1]):
                word = "after" if _expected(happened[-1]) == direction else "despite"
                text += f", {word} {_event_words(happened[-1])}"
        sentences.append(text + ".")
    if after.values is not None:
        new = after.values
        if before.values is None:
            sentences.append(f"Partners worked together in {100 * new['collaboration_rate']:.0f} % of relationships; "
                             f"all organisations together hold {money(new['system_balance'])}, "
                             f"{_organisations(new['n_deficit'])} in deficit.")
        else:
            old = before.values
            work = _moved(old["collaboration_rate"], new["collaboration_rate"], SMALL_SHARE,
                          lambda v: f"{100 * v:.0f} % of relationships")
            cash = _moved(old["system_balance"], new["system_balance"], SMALL_MONEY, money)
            deficit = (f"{_organisations(new['n_deficit'])} in deficit (was {old['n_deficit']:.0f})"
                       if new["n_deficit"] != old["n_deficit"] else f"still {_organisations(new['n_deficit'])} in deficit")
            sentences.append(f"Working together {work}; all organisations' money {cash}, {deficit}.")
    return sentences
