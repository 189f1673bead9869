"""Events and shocks that act between steps (docs/model.md, section 7.16).

An event is one of the validated ``[[events]]`` tables of a scenario (:data:`EVENT_KINDS`); the
model applies scheduled events at the start of their month, and :meth:`ICSModel.inject` applies
one now. Every function here changes the model's state arrays in place and draws no random
numbers, so an event keeps a run reproducible and a forked run identical up to the event.
"""

from __future__ import annotations

import numpy as np

from ics_abm.engine.graph import arc_sources
from ics_abm.engine.state import SYSTEM_FIELDS
from ics_abm.engine.submodels import leadership
from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import scenario_from_dict
from ics_abm.scenario.schema import Event

__all__ = ["EVENT_KINDS", "make_event", "apply_event", "shock_buffer"]

#: Kinds of event, in the order of the table in docs/model.md, 7.16.
EVENT_KINDS: tuple[str, ...] = tuple(
    member.model_fields["kind"].annotation.__args__[0] for member in Event.__origin__.__args__
)
_WINTER, _SAFETY, _LEAD = (SYSTEM_FIELDS.index(name) for name in ("winter", "safety", "lead"))
_LOCAL_AUTHORITY = KINDS.index("local_authority")


def make_event(kind: str, month: int, **options):
    """A validated event of ``kind`` acting at ``month``.

    Raises
    ------
    ScenarioError
        One sentence naming the option, what was expected and what was given.
    """
    data = {"month": month, "kind": kind, **options}
    try:
        return scenario_from_dict({"scenario": {"name": "event"}, "events": [data]}, source="event").events[0]
    except ScenarioError as exc:  # name the option as the caller wrote it, not its place in a file
        field = exc.field.removeprefix("events.0.") if exc.field else None
        raise ScenarioError("event", exc.problem.replace("'events.0.", "'").replace("'events.0'", "'event'"), field) from None


def shock_buffer(model) -> float:
    """``b = 1 − β_N·N``: the share of an outside shock that the shared narrative does not absorb."""
    orgs = model.organisations
    active = orgs.active == 1.0
    narrative = float(orgs.belief[active].mean()) if active.any() else 0.0
    return 1.0 - model.scenario_config.narrative.shock_buffer * narrative


def apply_event(model, event) -> None:
    """Apply one validated event to ``model``'s state now (before its next step)."""
    handler = _HANDLERS[event.kind]
    handler(model, event)


def _financial_shock(model, event) -> None:
    orgs = model.organisations
    hit = orgs.active == 1.0
    if event.organisation_kind is not None:
        hit &= orgs.kind == KINDS.index(event.organisation_kind)
    orgs.balance[hit] -= shock_buffer(model) * event.size * orgs.budget[hit]


def _winter_pressure(model, event) -> None:
    model.system[_WINTER] = max(model.system[_WINTER], shock_buffer(model) * event.size)


def _regime_change(model, event) -> None:
    model._begin_regime_change(event)


def _leadership_programme(model, event) -> None:
    orgs = model.organisations
    active = orgs.active == 1.0
    moved = event.size * orgs.power[active]
    orgs.power[active] -= moved
    orgs.affiliation[active] += moved / 2.0
    orgs.achievement[active] += moved / 2.0
    model.system[_SAFETY] += event.size * (1.0 - model.system[_SAFETY])


def lose_leader(model, i: int) -> None:
    """7.11: organisation ``i``'s leader leaves; trust on its arcs, out and in, is cut (and, if
    ``i`` is the lead, part of the trust on every live arc)."""
    # The kernel's own rule for turnover, so that an injected departure is exactly a turnover.
    orgs, params = model.organisations, model.params
    system_loss = leadership.lead_loss(orgs, params, i, int(model.system[_LEAD]))
    leadership.lose_leader(orgs, model.graph, model.arcs, i, params.turnover_trust_loss, params.narrative_initial, system_loss)


def _live(model) -> np.ndarray:
    active = model.organisations.active == 1.0
    return active[arc_sources(model.graph)] & active[model.graph.target]


def _leader_leaves(model, event) -> None:
    # S24: "remove the central leader": the system's lead; the most respected if it has none.
    lead = int(model.system[_LEAD])
    if lead >= 0 and model.organisations.active[lead] == 1.0:
        lose_leader(model, lead)
        return
    graph, arcs = model.graph, model.arcs
    live = _live(model)
    n = model.organisations.kind.shape[0]
    incoming = np.bincount(graph.target[live], weights=arcs.trust[live], minlength=n)
    count = np.bincount(graph.target[live], minlength=n)
    if not count.any():
        return
    mean = np.where(count > 0, incoming / np.maximum(count, 1), -np.inf)
    lose_leader(model, int(np.argmax(mean)))  # the most respected; first index among equals


def _local_authority_walks_away(model, event) -> None:
    orgs = model.organisations
    authorities = np.flatnonzero((orgs.active == 1.0) & (orgs.kind == _LOCAL_AUTHORITY))
    if authorities.size == 0:
        return
    if event.which == "largest":
        authorities = authorities[[int(np.argmax(orgs.budget[authorities]))]]
    orgs.engagement[authorities] = 0.0
    orgs.political[authorities] = 1.0


def _altruistic_first_move(model, event) -> None:
    orgs, graph, arcs = model.organisations, model.graph, model.arcs
    lead = int(model.system[_LEAD])
    if lead < 0 or orgs.active[lead] != 1.0:
        return
    orgs.altruism[lead] = max(orgs.altruism[lead], 0.8)
    orgs.power[lead] = orgs.power[lead] / 2.0
    out = np.arange(graph.indptr[lead], graph.indptr[lead + 1])
    out = out[orgs.active[graph.target[out]] == 1.0]
    if out.size == 0:
        return
    gift = event.size * orgs.budget[lead]
    orgs.balance[lead] -= gift
    orgs.balance[graph.target[out]] += gift / out.size
    back = graph.reverse[out]
    gain = model.params.transfer_trust_gain
    arcs.trust[back] = arcs.trust[back] + gain * (1.0 - arcs.trust[back])


def _partner_entry(model, event) -> None:
    orgs, graph, arcs = model.organisations, model.graph, model.arcs
    kind = KINDS.index(event.organisation_kind)
    waiting = [i for i in sorted(model._dormant) if orgs.kind[i] == kind]
    if not waiting:
        raise ValueError(
            f"no dormant {event.organisation_kind} organisation is left to enter; a partner entry "
            "must be scheduled in the scenario's [[events]] so that one is created at set-up"
        )
    i = waiting[0]
    model._dormant.discard(i)
    orgs.active[i] = 1.0
    orgs.experience[i] = 0.0
    orgs.belief[i] = model.params.narrative_initial
    out = np.arange(graph.indptr[i], graph.indptr[i + 1])
    arcs.trust[out] = model.scenario_config.shocks.entry_trust
    arcs.trust[graph.reverse[out]] = model.scenario_config.shocks.entry_trust


def _partner_exit(model, event) -> None:
    orgs, graph, arcs = model.organisations, model.graph, model.arcs
    candidates = np.flatnonzero((orgs.active == 1.0) & (orgs.kind == KINDS.index(event.organisation_kind)))
    if candidates.size == 0:
        return
    i = int(candidates[np.argmin(orgs.balance[candidates])])  # the weakest; first index among equals
    partners = graph.target[graph.indptr[i] : graph.indptr[i + 1]]
    partners = partners[orgs.active[partners] == 1.0]
    orgs.active[i] = 0.0
    keep = 1.0 - model.scenario_config.shocks.exit_trust_loss
    for j in partners:
        arcs.trust[graph.indptr[j] : graph.indptr[j + 1]] *= keep


_HANDLERS = {
    "financial_shock": _financial_shock,
    "winter_pressure": _winter_pressure,
    "regime_change": _regime_change,
    "leadership_programme": _leadership_programme,
    "leader_leaves": _leader_leaves,
    "local_authority_walks_away": _local_authority_walks_away,
    "altruistic_first_move": _altruistic_first_move,
    "partner_entry": _partner_entry,
    "partner_exit": _partner_exit,
}
if tuple(_HANDLERS) != EVENT_KINDS:
    raise RuntimeError("every event kind of ics_abm.scenario.schema.Event needs a handler, in the same order")
