"""The registry of stylized facts (shared/design/seeds_digest.md, section 3) the model is tested on.

Adding a fact is one entry in :data:`FACTS`: a :class:`~ics_abm.experiments.validation.fact.StylizedFact`
with its evidence, two arms that change a base scenario, a horizon, an outcome
(:mod:`ics_abm.experiments.validation.outcomes`) and the expected direction of B − A. Conventions:

* arm B is the condition the fact names (more history, organisation-focused regulators, balanced
  books, more power...), arm A the comparison, so ``expected`` reads as the fact does;
* an id with a letter suffix (``SF1b``) is a further test of the same fact; ``SF14a`` and
  ``SF40a``/``SF40b`` test the part of SF14 and SF40 that the core mechanisms can express;
* horizons are as short as the fact allows (the suite runs in CI), and no number here was chosen
  by looking at one seed: every fact is judged over at least 30 seeds per arm.

A fact that fails is left registered and reported; it is not re-tuned until it passes.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import Arm, StylizedFact, for_each_kind, kind_default
from ics_abm.experiments.validation.outcomes import at_month, change, constant, half_time, mean_over, progress_gain, setbacks, total_over

__all__ = ["DEFAULT_SYSTEM", "FACTS", "BALANCED_BOOKS", "facts_by_id"]

#: The default ICS of docs/model.md 6.3 (25 organisations, every parameter at its default).
DEFAULT_SYSTEM: dict = {
    "scenario": {"name": "default system"},
    "organisations": {
        "acute": 3, "primary_care_network": 8, "commissioner": 3,
        "community_mental_health": 2, "local_authority": 4, "voluntary_sector": 5,
    },
}

#: Every partner in balance at the start, with costs growing no faster than its allocation.
BALANCED_BOOKS: dict = {**for_each_kind("initial_balance", 0.0), **for_each_kind("cost_pressure", 0.0)}

_SF1_QUOTE = (
    "ICSs that are furthest ahead in their work are those that were already working as systems and have "
    "given priority to strengthening relationships and trust between partner organisations and their leaders."
)
_SF5_QUOTE = (
    "Where partner organisations were meeting core targets and achieving financial balance, systems were "
    "generally able to make faster progress on the development of the ICS."
)
_SF37_QUOTE = (
    "if this motivation still dominates behaviour in an ICS, then serious relationship problems will "
    "quickly emerge."
)
_SF39_QUOTE = (
    "regulatory intervention will then be the exception rather than the rule, but this is some way off in "
    "most areas."
)
_SF40_QUOTE = "depending on the level of shared risk the organisations involved are willing or able to take."

_LOW_TRUST = Arm("little history (initial trust 0.45)", {"trust.initial": 0.45})
_HIGH_TRUST = Arm("history of joint working (initial trust 0.75)", {"trust.initial": 0.75})
_DEFAULT = Arm("default system")
_BALANCED = Arm("balanced books", BALANCED_BOOKS)
_MORE_POWER = Arm("power motive doubled", for_each_kind("power", lambda kind: 2 * kind_default("power", kind)))

FACTS: tuple[StylizedFact, ...] = (
    StylizedFact(
        id="SF1", title="A history of collaboration puts a system further ahead after a year", tag="OBS",
        evidence=_SF1_QUOTE, source="[003]",
        experiment="Starting trust before the competition legacy (trust.initial) 0.45 against 0.75; "
        "integration progress at month 12.",
        base=DEFAULT_SYSTEM, a=_LOW_TRUST, b=_HIGH_TRUST, steps=12,
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
        base=DEFAULT_SYSTEM, a=_DEFAULT,
        b=Arm("leader capacity x1.5", for_each_kind("capacity", lambda k: min(1.0, 1.5 * kind_default("capacity", k)))),
        steps=12, outcome=at_month("integration_progress", 12), expected="increase",
    ),
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
        id="SF5", title="Partners in financial balance draw fewer regulator interventions", tag="OBS",
        evidence=_SF5_QUOTE, source="[003]",
        experiment="The default finances (acute trusts start in deficit; costs outgrow allocations by 1.5-3% "
        "a year) against every partner in balance with costs within its allocation; interventions over "
        "months 1-24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=_BALANCED, steps=24,
        outcome=total_over("interventions", 1, 24), expected="decrease",
    ),
    StylizedFact(
        id="SF5b", title="Partners in financial balance make faster progress", tag="OBS",
        evidence=_SF5_QUOTE, source="[003]",
        experiment="As SF5; integration progress at month 24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=_BALANCED, steps=24,
        outcome=at_month("integration_progress", 24), expected="increase",
    ),
    StylizedFact(
        id="SF5c", title="Partners in financial balance keep more leader time for system work", tag="OBS",
        evidence=_SF5_QUOTE, source="[003]",
        experiment="As SF5; mean effective leader capacity over months 1-24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=_BALANCED, steps=24,
        outcome=mean_over("mean_capacity", 1, 24), expected="increase",
    ),
    StylizedFact(
        id="SF9",
        title="Collaboration takes longer than expected: integration is gained faster in year 5 than in year 1",
        tag="OBS",
        evidence="Collaboration had often taken longer to develop than expected · much of the impact is likely "
        "to emerge in the long term rather than the short or medium term",
        source="[003]",
        experiment="Within each run of the default system: the monthly gain of integration progress (trusted "
        "joint working added, before decay) in year 1 (A) against year 5 (B).",
        base=DEFAULT_SYSTEM, a=Arm("year 1", outcome=progress_gain(1, 12)),
        b=Arm("year 5", outcome=progress_gain(49, 60)), steps=60,
        outcome=progress_gain(1, 12), expected="increase",
    ),
    StylizedFact(
        id="SF9b", title="Relationship indicators move before outcome indicators", tag="OBS",
        evidence="evidence of measurable change is limited · much of the impact is likely to emerge in the long "
        "term rather than the short or medium term",
        source="[003]",
        experiment="Within each run of the default system: the month by which mean trust (A) and integration "
        "progress (B) have made half of their move from month 1 to their level in months 49-60.",
        base=DEFAULT_SYSTEM, a=Arm("mean trust", outcome=half_time("mean_trust", 49, 60)),
        b=Arm("integration progress", outcome=half_time("integration_progress", 49, 60)), steps=60,
        outcome=half_time("mean_trust", 49, 60), expected="increase",
    ),
    StylizedFact(
        id="SF10", title="Progress is non-linear: setbacks occur", tag="OBS",
        evidence="step forward, step back, step forward, step back · progress is unlikely to be linear.",
        source="[003]",
        experiment="One sample against the monotone null: the number of setbacks of integration progress (a "
        "fall of more than 1% below its highest level so far) over ten years of the default system, against "
        "0, the number on a smooth monotone trajectory.",
        base=DEFAULT_SYSTEM, a=Arm("monotone null", outcome=constant(0.0, "0 setbacks (a monotone trajectory)")),
        b=Arm("default system"), steps=120,
        outcome=setbacks("integration_progress", 0.01), expected="increase",
    ),
    StylizedFact(
        id="SF14a", title="Altruism towards the system grows where trust is high (SF14, partly)", tag="OBS",
        evidence="Both the Frimley and Dorset ICSs… have moved money between organisations in order to achieve "
        "financial balance · this is taking time and some ICSs have made less progress than others.",
        source="[003]",
        experiment="Starting trust 0.45 against 0.75; mean altruism (weight on the system's payoff) at month 36. "
        "Transfers of money themselves are tested by SF14.",
        base=DEFAULT_SYSTEM, a=_LOW_TRUST, b=_HIGH_TRUST, steps=36,
        outcome=at_month("mean_altruism", 36), expected="increase",
    ),
    StylizedFact(
        id="SF37", title="Power-dominant leadership slows the growth of trust", tag="ASSERT",
        evidence=_SF37_QUOTE, source="[000]",
        experiment="The power motive of every kind at its default against doubled (other motives unchanged); "
        "change in mean trust from month 1 to month 24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=_MORE_POWER, steps=24,
        outcome=change("mean_trust", 1, 24), expected="decrease",
    ),
    StylizedFact(
        id="SF37b", title="Power-dominant leadership brings more defection", tag="ASSERT",
        evidence=_SF37_QUOTE, source="[000]",
        experiment="As SF37; mean collaboration rate over months 1-24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=_MORE_POWER, steps=24,
        outcome=mean_over("collaboration_rate", 1, 24), expected="decrease",
    ),
    StylizedFact(
        id="SF39", title="In a mature system regulatory intervention is the exception", tag="ASSERT",
        evidence=_SF39_QUOTE, source="[002a]",
        experiment="The default system against a mature one (initial trust 0.8, competition legacy 0.1); "
        "interventions over months 13-36.",
        base=DEFAULT_SYSTEM, a=_DEFAULT,
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
        discrepancy="Within a run of the default system, cost pressure (7.4) keeps adding to the deficits of "
        "organisations that do not collaborate enough to cover it, so interventions on organisations in deficit "
        "rise over ten years even while integration progress builds. Maturity lowers interventions between "
        "systems (SF39) but not within one: the model has no earned autonomy, no regulator that steps back as "
        "a system matures (section 9).",
    ),
    StylizedFact(
        id="SF40a", title="Partners share more risk when they trust each other more (SF40, partly)", tag="OBS",
        evidence=_SF40_QUOTE, source="[003]",
        experiment="Starting trust 0.45 against 0.75; mean collaboration rate (sharing risk and effort) over "
        "months 1-12.",
        base=DEFAULT_SYSTEM, a=_LOW_TRUST, b=_HIGH_TRUST, steps=12,
        outcome=mean_over("collaboration_rate", 1, 12), expected="increase",
    ),
    StylizedFact(
        id="SF40b", title="Partners share more risk when they have financial headroom (SF40, partly)", tag="OBS",
        evidence=_SF40_QUOTE, source="[003]",
        experiment="The default finances against every partner in balance (as SF5); mean collaboration rate "
        "over months 1-24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=_BALANCED, steps=24,
        outcome=mean_over("collaboration_rate", 1, 24), expected="increase",
    ),
)


# Facts that need the mechanisms of docs/model.md 7.10-7.16 (governance, commitment, narrative,
# finance options, leadership, local authorities, events).

_CONTROL_TOTAL = {"finance.regime": "control_total"}
_MATURE = {"trust.initial": 0.8, "legacy.strength": 0.2}  # a system where hard issues can be agreed
_FINANCIAL_SHOCK = [{"month": 6, "kind": "financial_shock", "size": 0.05}]


def _regime_change(provider_lag: int, commissioner_lag: int) -> list[dict]:
    return [{"month": 1, "kind": "regime_change", "regime": "aligned", "provider_lag": provider_lag, "commissioner_lag": commissioner_lag}]


MECHANISM_FACTS: tuple[StylizedFact, ...] = (
    StylizedFact(
        id="SF2", title="A disengaged local authority holds back common cause", tag="OBS",
        evidence="Some ICSs have found it more difficult than others to establish common cause among partner "
        "organisations, either because some NHS organisations have been unwilling to commit or because local "
        "authorities have yet to be fully engaged.",
        source="[003]",
        experiment="Local authorities full members against absent (engagement held fixed); integration "
        "progress at month 24.",
        base=DEFAULT_SYSTEM, a=Arm("local authorities full members", {"local_authority.dynamic": False}),
        b=Arm("local authorities absent", {"local_authority.engagement": "absent", "local_authority.dynamic": False}),
        steps=24, outcome=at_month("integration_progress", 24), expected="decrease",
    ),
    StylizedFact(
        id="SF2b", title="Unwilling NHS partners leave fewer hard decisions agreed", tag="OBS",
        evidence="some NHS organisations have been unwilling to commit", source="[003]",
        experiment="Every partner committed against acute trusts unwilling to commit; hard decisions resolved "
        "by month 36.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=Arm("acute trusts unwilling", {"commitment.unwilling": ["acute"]}),
        steps=36, outcome=at_month("decisions_resolved", 36), expected="decrease",
    ),
    StylizedFact(
        id="SF2c", title="A disengaged local authority weakens the shared vision", tag="OBS",
        evidence="The absence of a clear narrative has made it harder to secure buy-in from staff, communities "
        "and local politicians.",
        source="[003]",
        experiment="Local authorities full members against absent (engagement held fixed); shared narrative at "
        "month 24.",
        base=DEFAULT_SYSTEM, a=Arm("local authorities full members", {"local_authority.dynamic": False}),
        b=Arm("local authorities absent", {"local_authority.engagement": "absent", "local_authority.dynamic": False}),
        steps=24, outcome=at_month("shared_narrative", 24), expected="decrease",
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
    StylizedFact(
        id="SF7", title="An all-or-nothing system control total is rejected, a flexible one adopted", tag="OBS",
        evidence="many were unwilling to do so on this basis… The revised scheme offered greater flexibility… "
        "and most ICSs have signed up to it.",
        source="[003]",
        experiment="System control total with linked share p = 0.25 against p = 1; share of the first three "
        "financial years signed up (months 1, 13, 25).",
        base=DEFAULT_SYSTEM, a=Arm("p = 0.25", {**_CONTROL_TOTAL, "finance.linked_share": 0.25}),
        b=Arm("p = 1 (all or nothing)", {**_CONTROL_TOTAL, "finance.linked_share": 1.0}), steps=36,
        outcome=mean_over("signed_up", 1, 36), expected="decrease",
    ),
    StylizedFact(
        id="SF11", title="Consensus among more partners fails more often", tag="OBS",
        evidence="reaching consensus often requires a lengthy process of discussion and negotiation, and "
        "agreement will not always be possible.",
        source="[003]",
        experiment="A system where hard issues can be agreed (starting trust 0.8, legacy 0.2) of 25 partners "
        "against the same mix doubled (50); hard decisions that broke down by month 60.",
        base={**DEFAULT_SYSTEM}, a=Arm("25 partners", _MATURE),
        b=Arm("50 partners", {**_MATURE, **{f"organisations.{k}": 2 * v for k, v in DEFAULT_SYSTEM["organisations"].items()}}),
        steps=60, outcome=at_month("decisions_failed", 60), expected="increase",
    ),
    StylizedFact(
        id="SF11b", title="More dispersed preferences make consensus fail more often", tag="OBS",
        evidence="reaching consensus often requires a lengthy process of discussion and negotiation, and "
        "agreement will not always be possible.",
        source="[003]",
        experiment="Spread of partners' views on a hard decision (governance.vote_noise) 0.02 against 0.2; hard "
        "decisions that broke down by month 60.",
        base=DEFAULT_SYSTEM, a=Arm("views close", {"governance.vote_noise": 0.02}),
        b=Arm("views dispersed", {"governance.vote_noise": 0.2}), steps=60,
        outcome=at_month("decisions_failed", 60), expected="increase",
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
        outcome=at_month("decisions_resolved", 12), expected="increase",
        discrepancy="A hard decision opened in the first months meets the highest trust of the run, before "
        "the year-one dip that defections and the competition legacy cause (7.3, 7.7), so the model resolves "
        "more hard decisions in year 1 than in years 4-5. The seeds report the opposite: in year 1 governance "
        "had not been put to the test. The model has no deferral of hard decisions while a system forms.",
    ),
    StylizedFact(
        id="SF14", title="Altruistic transfers appear where trust is high and the control total is shared", tag="OBS",
        evidence="Both the Frimley and Dorset ICSs… have moved money between organisations in order to achieve "
        "financial balance · this is taking time and some ICSs have made less progress than others.",
        source="[003]",
        experiment="System control total (p = 0.25) with starting trust 0.45 and legacy 0.5, against trust "
        "0.85 and legacy 0.1; money moved in end-of-year transfers over three years (£m).",
        base=DEFAULT_SYSTEM, a=Arm("low trust", {**_CONTROL_TOTAL, "finance.linked_share": 0.25, "trust.initial": 0.45}),
        b=Arm("high trust", {**_CONTROL_TOTAL, "finance.linked_share": 0.25, "trust.initial": 0.85, "legacy.strength": 0.1}),
        steps=36, outcome=total_over("transfers", 1, 36), expected="increase",
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
        id="SF16", title="Winter pressure sets progress back", tag="OBS",
        evidence="a little bit behind where we would want to be… some of that is a symptom of the winter we've "
        "just experienced",
        source="[003]",
        experiment="No shock against a winter-pressure event at month 9; integration progress at month 24.",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=Arm("winter at month 9", {"events": [{"month": 9, "kind": "winter_pressure", "size": 1.0}]}),
        steps=24, outcome=at_month("integration_progress", 24), expected="decrease",
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
        id="SF26", title="Boards' caution over financial losses brakes hard decisions (partly)", tag="OBS",
        evidence="it's mostly created not around the models of care, but more around the financial implications "
        "of those",
        source="[003]",
        experiment="A system where hard issues can be agreed (starting trust 0.8, legacy 0.2): the weight the "
        "losing organisation puts on a concentrated financial loss (governance.loss_weight, the caution its "
        "board brings to the vote) 0.05 against 0.6; hard decisions resolved by month 60. Non-executive "
        "directors are not modelled apart from their organisation (docs/model.md section 9), and the fact's "
        "other half, that care-model changes are not braked, is not tested.",
        base=DEFAULT_SYSTEM, a=Arm("little caution", {**_MATURE, "governance.loss_weight": 0.05}),
        b=Arm("boards cautious about losses", {**_MATURE, "governance.loss_weight": 0.6}), steps=60,
        outcome=at_month("decisions_resolved", 60), expected="decrease",
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
    StylizedFact(
        id="SF38", title="Invest to save shows costs long before it shows results", tag="ASSERT",
        evidence="This could take over a decade to see significant results", source="[000]",
        experiment="No investment against 1% of budgets a year invested in prevention (return after 120 "
        "months); system balance at month 36 (£m).",
        base=DEFAULT_SYSTEM, a=_DEFAULT, b=Arm("invest to save", {"finance.invest_share": 0.01}), steps=36,
        outcome=at_month("system_balance", 36), expected="decrease",
    ),
    StylizedFact(
        id="SF40", title="Sign-up to the control total rises with trust", tag="OBS",
        evidence=_SF40_QUOTE, source="[003]",
        experiment="System control total (p = 0.5) with starting trust 0.45 against 0.8; share of the first two "
        "financial years signed up.",
        base=DEFAULT_SYSTEM, a=Arm("low trust", {**_CONTROL_TOTAL, "trust.initial": 0.45}),
        b=Arm("high trust", {**_CONTROL_TOTAL, "trust.initial": 0.8}), steps=24,
        outcome=mean_over("signed_up", 1, 24), expected="increase",
    ),
)

FACTS = FACTS + MECHANISM_FACTS


def facts_by_id() -> dict[str, StylizedFact]:
    """The registry as ``{id: fact}``."""
    return {fact.id: fact for fact in FACTS}


# Ids are how facts are chosen (--only) and named in reports: they must be unique.
if len(facts_by_id()) != len(FACTS):
    raise RuntimeError("stylized-fact ids in FACTS must be unique")
