"""Stylized facts on governance: hard decisions taken by consensus among the partners.

Consensus takes longer among more partners and fails more often among more dispersed views (SF11); governance is not
put to the test in the first year (SF12); tackling hard issues strengthens relationships where trust
is adequate (SF15); boards' caution over financial losses brakes hard decisions (SF26). Mechanism:
docs/model.md 7.13.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import Arm, StylizedFact
from ics_abm.experiments.validation.facts.baselines import DEFAULT_SYSTEM, RARE_EVENTS
from ics_abm.experiments.validation.outcomes import at_month, change, mean_over

__all__ = ["GOVERNANCE_FACTS"]

_SF11_QUOTE = (
    "reaching consensus often requires a lengthy process of discussion and negotiation, and "
    "agreement will not always be possible."
)

# Hard decisions rarely resolve at the default trust, so facts about how consensus fails or is
# braked start from a system where hard issues can be agreed at all.
_MATURE = {"trust.initial": 0.8, "legacy.strength": 0.2}
#: The facts on governance and hard decisions, in registry order.
GOVERNANCE_FACTS: tuple[StylizedFact, ...] = (
    StylizedFact(
        id="SF11", title="Consensus among more partners takes longer", tag="OBS",
        evidence=_SF11_QUOTE, source="[003]",
        experiment="A system where hard issues can be agreed (starting trust 0.8, legacy 0.2) of 25 partners "
        "against the same mix doubled (50); mean months a resolved hard decision took, over ten years (the "
        "digest's reading of SF11: under unanimity, latency rises with the number of partners).",
        base={**DEFAULT_SYSTEM}, a=Arm("25 partners", _MATURE),
        b=Arm("50 partners", {**_MATURE, **{f"organisations.{k}": 2 * v for k, v in DEFAULT_SYSTEM["organisations"].items()}}),
        steps=120, outcome=mean_over("decision_latency", 1, 120), expected="increase", min_seeds=RARE_EVENTS,
    ),
    StylizedFact(
        id="SF11b", title="More dispersed preferences make consensus fail more often", tag="OBS",
        evidence=_SF11_QUOTE, source="[003]",
        experiment="Spread of partners' views on a hard decision (governance.vote_noise) 0.02 against 0.2; hard "
        "decisions that broke down by month 60.",
        base=DEFAULT_SYSTEM, a=Arm("views close", {"governance.vote_noise": 0.02}),
        b=Arm("views dispersed", {"governance.vote_noise": 0.2}), steps=60,
        outcome=at_month("decisions_failed", 60), expected="increase", min_seeds=RARE_EVENTS,
    ),
    StylizedFact(
        id="SF12", title="Governance is not put to the test in the first year", tag="OBS",
        evidence="governance of ICSs has not yet been put to the test. · I don't think we're quite there yet on "
        "saying: 'Right, we're going to do that anyway…'",
        source="[003]",
        experiment="Within each run of the default system: hard decisions resolved per year in year 1 (A) "
        "against years 4-5 (B).",
        base=DEFAULT_SYSTEM, a=Arm("year 1", outcome=at_month("decisions_resolved", 12)),
        b=Arm("years 4-5, per year", outcome=change("decisions_resolved", 36, 60, per_year=True)), steps=60,
        outcome=at_month("decisions_resolved", 12), expected="increase", min_seeds=RARE_EVENTS,
    ),
    StylizedFact(
        id="SF15", title="Where trust is adequate, tackling hard issues together strengthens relationships", tag="OBS",
        evidence="The relationships have got better the harder the challenges are, because they have to bring "
        "tricky conversations to the table.",
        source="[003]",
        experiment="A high-trust system (starting trust 0.85, legacy 0.1) without hard decisions against the "
        "default rate of hard decisions; mean trust at month 36.",
        base=DEFAULT_SYSTEM, a=Arm("no hard decisions", {"trust.initial": 0.85, "legacy.strength": 0.1, "governance.decision_rate": 0.0}),
        b=Arm("hard decisions", {"trust.initial": 0.85, "legacy.strength": 0.1}), steps=36,
        outcome=at_month("mean_trust", 36), expected="increase",
    ),
    StylizedFact(
        id="SF26", title="Boards' caution over financial losses brakes hard decisions (partly)", tag="OBS",
        evidence="it's mostly created not around the models of care, but more around the financial implications "
        "of those",
        source="[003]",
        experiment="A system where hard issues can be agreed (starting trust 0.8, legacy 0.2): the weight the "
        "losing organisation puts on a concentrated financial loss (governance.loss_weight, the caution its "
        "board brings to the vote, per unit size of loss) 0.1 against 1.2; hard decisions resolved by month 60. Non-executive "
        "directors are not modelled apart from their organisation (docs/model.md section 9), and the fact's "
        "other half, that care-model changes are not braked, is not tested.",
        base=DEFAULT_SYSTEM, a=Arm("little caution", {**_MATURE, "governance.loss_weight": 0.1}),
        b=Arm("boards cautious about losses", {**_MATURE, "governance.loss_weight": 1.2}), steps=60,
        outcome=at_month("decisions_resolved", 60), expected="decrease", min_seeds=RARE_EVENTS,
    ),
)
