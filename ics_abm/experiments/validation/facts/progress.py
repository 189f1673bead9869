"""Stylized facts on how integration progresses over time: slowly, relationships first, with setbacks.

Progress builds faster once a system has formed than in its first year (SF9), trust moves before
integration does (SF9b), the path is not smooth (SF10) and a winter's pressure sets it back (SF16).
Most are within-run contrasts: both arms are the default system, measured over different months.
Mechanisms: docs/model.md 7.8 and 7.16.
"""

from __future__ import annotations

from ics_abm.experiments.validation.fact import Arm, StylizedFact
from ics_abm.experiments.validation.facts.baselines import DEFAULT, DEFAULT_SYSTEM, RARE_EVENTS
from ics_abm.experiments.validation.outcomes import (
    at_month,
    constant,
    half_time,
    progress_gain,
    setbacks,
)

__all__ = ["PROGRESS_FACTS"]

#: The facts on the course of progress over time, in registry order.
PROGRESS_FACTS: tuple[StylizedFact, ...] = (
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
        min_seeds=RARE_EVENTS,  # a small effect (about 0.2 standardised on 200 seeds): needs the same power
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
        id="SF16", title="Winter pressure sets progress back", tag="OBS",
        evidence="a little bit behind where we would want to be… some of that is a symptom of the winter we've "
        "just experienced",
        source="[003]",
        experiment="No shock against a winter-pressure event at month 9; integration progress at month 24.",
        base=DEFAULT_SYSTEM, a=DEFAULT, b=Arm("winter at month 9", {"events": [{"month": 9, "kind": "winter_pressure", "size": 1.0}]}),
        steps=24, outcome=at_month("integration_progress", 24), expected="decrease",
    ),
)
