"""Stylized facts on relationships and trust: shared history, leaders' time and their motives.

Systems that already worked together get further, faster (SF1); leaders driven by power rather
than by the system's goals erode trust and defect more (SF37); trust feeds the altruism that
later moves money between partners (SF14a). Mechanisms: docs/model.md 7.1, 7.3, 7.6, 7.7 and 7.11.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import (
    Arm,
    StylizedFact,
    for_each_kind,
    kind_default,
)
from ics_abm.experiments.validation.facts.baselines import (
    DEFAULT,
    DEFAULT_SYSTEM,
    HIGH_TRUST,
    LOW_TRUST,
)
from ics_abm.experiments.validation.outcomes import at_month, change, mean_over

__all__ = ["RELATIONSHIP_FACTS"]

# Quotations that several tests of one fact share (the letter-suffixed ids test the same fact).
_SF1_QUOTE = (
    "ICSs that are furthest ahead in their work are those that were already working as systems and have "
    "given priority to strengthening relationships and trust between partner organisations and their leaders."
)
_SF37_QUOTE = (
    "if this motivation still dominates behaviour in an ICS, then serious relationship problems will "
    "quickly emerge."
)

# Only the power motive moves; the other motives keep their defaults, so the arm isolates power.
_MORE_POWER = Arm("power motive doubled", for_each_kind("power", lambda kind: 2 * kind_default("power", kind)))

#: The facts on relationships and trust, in registry order.
RELATIONSHIP_FACTS: tuple[StylizedFact, ...] = (
    StylizedFact(
        id="SF1", title="A history of collaboration puts a system further ahead after a year", tag="OBS",
        evidence=_SF1_QUOTE, source="[003]",
        experiment="Starting trust before the competition legacy (trust.initial) 0.45 against 0.75; "
        "integration progress at month 12.",
        base=DEFAULT_SYSTEM, a=LOW_TRUST, b=HIGH_TRUST, steps=12,
        outcome=at_month("integration_progress", 12), expected="increase",
    ),
    StylizedFact(
        id="SF1b", title="A lighter legacy of competition puts a system further ahead after a year", tag="OBS",
        evidence=_SF1_QUOTE, source="[003]",
        experiment="Competition legacy (legacy.strength) 0.8 against 0.2; integration progress at month 12.",
        base=DEFAULT_SYSTEM, a=Arm("heavy legacy (0.8)", {"legacy.strength": 0.8}),
        b=Arm("light legacy (0.2)", {"legacy.strength": 0.2}), steps=12,
        outcome=at_month("integration_progress", 12), expected="increase",
    ),
    StylizedFact(
        id="SF1c", title="Leaders with more time for relationships put a system further ahead after a year",
        tag="OBS", evidence=_SF1_QUOTE, source="[003]",
        experiment="Leader capacity for system work of every kind at its default against 1.5 times it "
        "(at most 1); integration progress at month 12.",
        base=DEFAULT_SYSTEM, a=DEFAULT,
        b=Arm("leader capacity x1.5", for_each_kind("capacity", lambda k: min(1.0, 1.5 * kind_default("capacity", k)))),
        steps=12, outcome=at_month("integration_progress", 12), expected="increase",
    ),
    StylizedFact(
        id="SF14a", title="Altruism towards the system grows where trust is high (SF14, partly)", tag="OBS",
        evidence="Both the Frimley and Dorset ICSs… have moved money between organisations in order to achieve "
        "financial balance · this is taking time and some ICSs have made less progress than others.",
        source="[003]",
        experiment="Starting trust 0.45 against 0.75; mean altruism (weight on the system's payoff) at month 36. "
        "Transfers of money themselves are tested by SF14.",
        base=DEFAULT_SYSTEM, a=LOW_TRUST, b=HIGH_TRUST, steps=36,
        outcome=at_month("mean_altruism", 36), expected="increase",
    ),
    StylizedFact(
        id="SF37", title="Power-dominant leadership slows the growth of trust", tag="ASSERT",
        evidence=_SF37_QUOTE, source="[000]",
        experiment="The power motive of every kind at its default against doubled (other motives unchanged); "
        "change in mean trust from month 1 to month 24.",
        base=DEFAULT_SYSTEM, a=DEFAULT, b=_MORE_POWER, steps=24,
        outcome=change("mean_trust", 1, 24), expected="decrease",
    ),
    StylizedFact(
        id="SF37b", title="Power-dominant leadership brings more defection", tag="ASSERT",
        evidence=_SF37_QUOTE, source="[000]",
        experiment="As SF37; mean collaboration rate over months 1-24.",
        base=DEFAULT_SYSTEM, a=DEFAULT, b=_MORE_POWER, steps=24,
        outcome=mean_over("collaboration_rate", 1, 24), expected="decrease",
    ),
)
