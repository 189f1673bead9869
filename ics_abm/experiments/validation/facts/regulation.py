"""Stylized facts on regulation: what regulators focus on, whether they agree, and when they step in.

Regulators who hold organisations to account for their own performance, or who give different
messages, hold collaboration back (SF4); regional teams that lag a national change keep
organisations inward-looking (SF3); in a mature system intervention is the exception (SF39).
Mechanisms: docs/model.md 7.5 and 7.16.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import Arm, StylizedFact
from ics_abm.experiments.validation.facts.baselines import DEFAULT, DEFAULT_SYSTEM
from ics_abm.experiments.validation.outcomes import at_month, mean_over, total_over

__all__ = ["REGULATION_FACTS"]

_SF39_QUOTE = (
    "regulatory intervention will then be the exception rather than the rule, but this is some way off in "
    "most areas."
)


def _regime_change(provider_lag: int, commissioner_lag: int) -> list[dict]:
    """A national move to aligned regulation at month 1, reaching each regulator after its lag (months)."""
    return [{
        "month": 1, "kind": "regime_change", "regime": "aligned",
        "provider_lag": provider_lag, "commissioner_lag": commissioner_lag,
    }]


#: The facts on regulation, in registry order.
REGULATION_FACTS: tuple[StylizedFact, ...] = (
    StylizedFact(
        id="SF4", title="Regulators focused on organisational performance reduce collaboration, trust held constant",
        tag="OBS",
        evidence="one regulator or another has simply reminded them, 'That's all very fine, but just remember "
        "that you will be held to account for the performance of your individual organisation'.",
        source="[003]",
        experiment="Two regulators whose focus (provider_focus and commissioner_focus) is 0.8 (system) against "
        "0.2 (organisation); collaboration rate in month 1, when both arms have the same starting trust.",
        base=DEFAULT_SYSTEM,
        a=Arm("system-focused (0.8)", {"regulation.provider_focus": 0.8, "regulation.commissioner_focus": 0.8}),
        b=Arm("organisation-focused (0.2)", {"regulation.provider_focus": 0.2, "regulation.commissioner_focus": 0.2}),
        steps=12, outcome=at_month("collaboration_rate", 1), expected="decrease",
    ),
    StylizedFact(
        id="SF4b", title="Two regulators giving different messages hold collaboration back in the first year",
        tag="OBS", evidence="we've got two regulators giving two different messages", source="[003]",
        experiment="Regulators aligned on the system against misaligned (the default); mean collaboration rate "
        "over months 1-12.",
        base=DEFAULT_SYSTEM, a=Arm("aligned regulators", {"regulation.regime": "aligned"}),
        b=Arm("misaligned regulators"), steps=12,
        outcome=mean_over("collaboration_rate", 1, 12), expected="decrease",
    ),
    StylizedFact(
        id="SF39", title="In a mature system regulatory intervention is the exception", tag="ASSERT",
        evidence=_SF39_QUOTE, source="[002a]",
        experiment="The default system against a mature one (initial trust 0.8, competition legacy 0.1); "
        "interventions over months 13-36.",
        base=DEFAULT_SYSTEM, a=DEFAULT,
        b=Arm("mature system", {"trust.initial": 0.8, "legacy.strength": 0.1}), steps=36,
        outcome=total_over("interventions", 13, 36), expected="decrease",
    ),
    StylizedFact(
        id="SF39b", title="As a system matures, regulatory intervention falls", tag="ASSERT",
        evidence=_SF39_QUOTE, source="[002a]",
        experiment="Within each run of the default system, as integration progress builds up: interventions "
        "over months 1-24 (A) against months 97-120 (B).",
        base=DEFAULT_SYSTEM, a=Arm("years 1-2", outcome=total_over("interventions", 1, 24)),
        b=Arm("years 9-10", outcome=total_over("interventions", 97, 120)), steps=120,
        outcome=total_over("interventions", 1, 24), expected="decrease",
    ),
    StylizedFact(
        id="SF3", title="Regional regulators lagging national alignment keep organisations inward-looking", tag="OBS",
        evidence="Regulators and national bodies have been slow to align how they work with ICSs, and this is "
        "particularly evident in the way in which regional teams of NHS England and NHS Improvement relate to "
        "NHS commissioners and providers.",
        source="[003]",
        experiment="National alignment at month 1 reaching every regulator at once, against regional lags of "
        "12 months (provider regulator) and 6 months (commissioner regulator); mean collaboration rate over "
        "months 1-12.",
        base=DEFAULT_SYSTEM, a=Arm("aligned at once", {"events": _regime_change(0, 0)}),
        b=Arm("regional lag", {"events": _regime_change(12, 6)}), steps=12,
        outcome=mean_over("collaboration_rate", 1, 12), expected="decrease",
    ),
)
