"""Stylized facts on the partners' engagement: local authorities, commitment and leaders' belief.

A disengaged local authority holds back common cause and the shared vision (SF2, SF2c), and
political opposition keeps local authorities out (SF21); unwilling or conditionally committed NHS
partners hold the venture back (SF2b, SF36); leaders not persuaded of system working brake progress
(SF31). Mechanisms: docs/model.md 7.10, 7.12, 7.13 and 7.14.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import Arm, StylizedFact
from ics_abm.experiments.validation.facts.baselines import DEFAULT, DEFAULT_SYSTEM, RARE_EVENTS
from ics_abm.experiments.validation.outcomes import at_month

__all__ = ["PARTNER_FACTS"]

# One shock for both arms of SF36, so that only how partners commit differs between them.
_FINANCIAL_SHOCK = [{"month": 6, "kind": "financial_shock", "size": 0.05}]

# Engagement is held fixed in both arms, so that the difference is membership, not its drift.
_LA_FULL_MEMBERS = Arm("local authorities full members", {"local_authority.dynamic": False})
_LA_ABSENT = Arm("local authorities absent", {"local_authority.engagement": "absent", "local_authority.dynamic": False})

#: The facts on the partners' engagement, commitment and belief, in registry order.
PARTNER_FACTS: tuple[StylizedFact, ...] = (
    StylizedFact(
        id="SF2", title="A disengaged local authority holds back common cause", tag="OBS",
        evidence="Some ICSs have found it more difficult than others to establish common cause among partner "
        "organisations, either because some NHS organisations have been unwilling to commit or because local "
        "authorities have yet to be fully engaged.",
        source="[003]",
        experiment="Local authorities full members against absent (engagement held fixed); integration "
        "progress at month 24.",
        base=DEFAULT_SYSTEM, a=_LA_FULL_MEMBERS, b=_LA_ABSENT,
        steps=24, outcome=at_month("integration_progress", 24), expected="decrease",
    ),
    StylizedFact(
        id="SF2b", title="Unwilling NHS partners leave fewer hard decisions agreed", tag="OBS",
        evidence="some NHS organisations have been unwilling to commit", source="[003]",
        experiment="Every partner committed against acute trusts unwilling to commit; hard decisions resolved "
        "by month 36.",
        base=DEFAULT_SYSTEM, a=DEFAULT, b=Arm("acute trusts unwilling", {"commitment.unwilling": ["acute"]}),
        steps=36, outcome=at_month("decisions_resolved", 36), expected="decrease", min_seeds=RARE_EVENTS,
    ),
    StylizedFact(
        id="SF2c", title="A disengaged local authority weakens the shared vision", tag="OBS",
        evidence="The absence of a clear narrative has made it harder to secure buy-in from staff, communities "
        "and local politicians.",
        source="[003]",
        experiment="Local authorities full members against absent (engagement held fixed); shared narrative at "
        "month 24.",
        base=DEFAULT_SYSTEM, a=_LA_FULL_MEMBERS, b=_LA_ABSENT,
        steps=24, outcome=at_month("shared_narrative", 24), expected="decrease",
    ),
    StylizedFact(
        id="SF21", title="Political opposition holds local authorities back from full membership", tag="OBS",
        evidence="Party-political opposition to STPs and ICSs… have meant that some local authorities feel unable "
        "to formally participate in ICSs.",
        source="[003]",
        experiment="Political pressure on local authorities 0.1 against 0.7; mean engagement of local "
        "authorities (0 absent … 3 lead) at month 24.",
        base=DEFAULT_SYSTEM, a=Arm("little opposition", {"local_authority.political_pressure": 0.1}),
        b=Arm("strong opposition", {"local_authority.political_pressure": 0.7}), steps=24,
        outcome=at_month("la_engagement", 24), expected="decrease",
    ),
    StylizedFact(
        id="SF31", title="Sceptical leaders brake progress", tag="OBS",
        evidence="Not all organisational leaders are yet persuaded that system working will bring benefits, and "
        "this is acting as a brake on progress.",
        source="[003]",
        experiment="Leaders' starting belief in the shared purpose (narrative.initial) 0.6 against 0.1 "
        "(sceptics); integration progress at month 60.",
        base=DEFAULT_SYSTEM, a=Arm("persuaded leaders", {"narrative.initial": 0.6}),
        b=Arm("sceptical leaders", {"narrative.initial": 0.1}), steps=60,
        outcome=at_month("integration_progress", 60), expected="decrease",
    ),
    StylizedFact(
        id="SF36", title="Conditional commitment at the outset makes the venture fail", tag="ASSERT",
        evidence="there is a danger that system leaders will put conditions on their commitment to integrated "
        "care. Such a mindset at the outset means that the new venture will fail.",
        source="[000]",
        experiment="The same financial shock at month 6 (5% of budgets) to unconditional against conditional "
        "committers; integration progress at month 48.",
        base=DEFAULT_SYSTEM, a=Arm("unconditional", {"events": _FINANCIAL_SHOCK}),
        b=Arm("conditional", {"events": _FINANCIAL_SHOCK, "commitment.mode": "conditional"}), steps=48,
        outcome=at_month("integration_progress", 48), expected="decrease",
    ),
)
