"""The robustness sections of the validation report: what changed, lever effects, sensitivity.

:func:`render_robustness` turns the tables of :mod:`ics_abm.experiments.validation.robustness`
into Markdown for ``docs/validation.md``. The section "What changed in the model and why" is
written by hand here, because it compares this version with an earlier one that the package no
longer contains; its figure is made by ``docs/scripts/before_after.py`` from both versions.
"""

from __future__ import annotations

import math

import pandas as pd

from ics_abm.experiments.validation.robustness import LEVER_MONTHS, LEVERS, LOW_TRUST, SMOOTH_POINTS
from ics_abm.metrics import label

__all__ = ["CHANGES", "render_robustness"]

#: Figure of the model before and after issue 10, relative to the installed report (docs/).
BEFORE_AFTER = "img/model-changes/before-after.png"

CHANGES = f"""## What changed in the model and why (issue 10)

The model before issue 10 (version 0.1.0) ran year one the wrong way: under the 2018 settings mean trust fell from
0.45 to 0.27 in every run, acute trusts were locked into defection, outcomes sat on knife edges of
hand-set parameters, aligned regulators drove every run to collaboration 1.00 and a cumulative
surplus of about £2 billion, and pooled budgets reversed the effect of trust. The study describes
relationships that "have also been strengthened" in the first year, slow and non-linear progress,
and eight working partnerships [003]. Each change below is a mechanism with its evidence in
docs/model.md:

* **Trust is also built by meeting** (7.3, `trust.contact_rate`): "face-to-face meetings enable
  leaders to build understanding and rapport" [003]; trust lost to a defection is scaled by the
  capacity the two partners can give the relationship.
* **Decisions weigh the future and the shared purpose** (7.2): the shadow of the future
  (`decision.future_weight`), the pull of a shared purpose that sceptics lack
  (`decision.purpose_weight`, [003]: sceptics are "a brake on progress"), and the day job that
  crowds out system work (`decision.crowding_out`), so that collaboration stays below certainty.
* **The motive lens keeps the incentives of Payment by Results** under a pooled budget (7.1), and a
  pooled budget moves part of each result to the system (7.15, `finance.pooled_share`,
  `finance.pooled_system_weight`): more trust now means more collaboration under every budget.
* **Earned autonomy** (7.5, `regulation.autonomy`): regulators step back as a system matures.
* **A burning platform** (7.12, `narrative.burning_platform`): financial stress also builds
  belief in the case for change, so financial pressure is double-edged (SF6, SF6b).
* **A capped budget** (7.15, `finance.surplus_cap`): surpluses above 2 % of budget are reinvested
  in services at the year end.
* **Hard decisions grow with maturity and fall on providers** (7.13): they open as a system
  matures, the loss falls on an NHS provider in proportion to its budget, its size is drawn, and
  the loser's resistance grows with it. The weight of the loss (`governance.loss_weight`) was set
  by hand against the level pattern of [003] that most areas reached consensus on hard issues
  though "agreement will not always be possible": about one decision in ten opened by month 60 breaks down, one in twenty over ten years (200 seeds; with the views and deliberation below and socialised power).
* **Psychological safety buffers the cost of a defection** (7.3, `trust.safety_buffer`): where it
  is safe to challenge, conflicts are worked through (M5).
* **The system's lead carries part of everyone's trust** (7.11, `leadership.lead_trust_loss`):
  when a settled lead leaves, trust falls across the system in proportion to how concentrated
  leadership is; distributed leadership is the hedge (M27, S24). The `leader_leaves` event now
  removes the lead's leader.
* **Voluntary-sector capacity** 0.50 → 0.35 (3.1): the seeds describe thin resources.
* **Each organisation has its own cost pressure** (6.1, `finance.cost_pressure_spread`): some
  partners carry "unachievable individual control totals" [003] (M23). Partners in persistent
  deficit make a shared control total risky, so sign-up now rises with trust and an
  all-or-nothing control total is rarely signed (SF7, SF40), and trusting systems have deficits
  for their surpluses to cover (SF14).
* **A vision is built in an inclusive way or not at all** (7.12): leaders build belief at the
  rate of the share of the system at the table, so an absent council or an unwilling NHS partner
  slows everyone's belief (M6; SF2c follows from this rule).
* **Views on a hard decision are kept and worn down by discussion** (7.13,
  `governance.vote_noise`, `governance.deliberation`): each voter's view of a proposal is drawn
  once and discussion brings it closer to yes each month, so consensus among more partners or
  wider views takes longer and fails more often (SF11, SF11b), "a lengthy process of discussion
  and negotiation" [003].
* **Leaders who believe in the system socialise their power** (7.1, `decision.socialised_power`):
  "leaders will need to control their power motivation and focus on affiliation and achievement
  through the work of others" [000]; the acute provider's lead "laying down his sword" [003]. A
  share of the power motive, growing with belief in the shared purpose, counts as achievement, so
  acute trusts are no longer locked into defection by their profile: they collaborate on 7 % of
  their relationships in year 1 and 72 % in year 10 of the default system (docs/model.md 3.2).
* **Money goes where it is trusted** (7.15): a year-end gift to a partner in deficit is scaled by
  the giver's trust in it ([003]: "concerns about sharing financial risk with organisations in
  deficit"), so a low-trust system that signs a control total moves less money than a
  high-trust one.

![Mean trust and collaboration before and after, default scenario, seeds 0-39]({BEFORE_AFTER})

**Facts that follow directly from a rule written for them** are consequences, not corroboration:
SF31 (the purpose term of 7.2 measured from the midpoint: sceptics hold back), SF39b (earned
autonomy, 7.5), SF6b (the burning platform, 7.12), SF12 (hard decisions open with maturity, 7.13)
and SF2c (inclusive vision-building, 7.12). SF14 follows from the trust-scaled gift (7.15), and
"no kind locked into defection" (tests/test_dynamics.py) from socialised power (7.1). SF40 and
SF7 rest on the spread of organisations' own cost pressure, added from M23 with those facts in
view; their directions come from the sign-up rule of 7.15, which did not change. SF11 and SF11b follow from kept
views and deliberation (7.13) through the maximum of more or wider draws, not through a term
for them. SF10 (setbacks) passes because hard decisions break down, at a rate set against a level
pattern, not against SF10.

**Seeds.** Facts whose outcome counts rare events (hard decisions, year-end transfers: well under
one a run: SF2b, SF11, SF11b, SF12, SF14, SF26) or whose effect is small (SF9b, about 0.2
standardised) run on 200 seeds rather than 30: about 200 runs give an 80% chance of telling a
standardised effect of 0.2 from noise at the 5% level. SF9b was moved to 200 seeds after it
failed on 30 (its interval then just included zero); it is a power choice, stated here so that
it can be judged. SF40's low-trust arm moved from starting trust 0.45 to 0.3 with socialised power
(7.1): systems starting at 0.45 then signed the control total in 98 % of their first two years
(60 seeds, at the hand-set defaults of 0.1.0), a ceiling at which no direction can show; at 0.3
they signed in 68 %, at 0.8 in 100 %.
"""


def _num(x: float, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.{digits}g}"


def _ranking(levers: pd.DataFrame, outcome: str = "mean_trust", month: int = 36) -> str:
    """One sentence: the levers ordered by the size of their effect on ``outcome`` at ``month``."""
    rows = levers[(levers["outcome"] == outcome) & (levers["month"] == month)]
    rows = rows.reindex(rows["difference"].abs().sort_values(ascending=False).index)
    ranked = "; ".join(f"{r.lever} {_num(r.difference)}" for r in rows.itertuples())
    return f"**In the model**, ranked by the size of their effect on {label(outcome)} at {month // 12} years: {ranked}."


_RELATIONAL = ("no competition legacy", "shared narrative", "psychological safety", "distributed leadership",
               "a respected leader leaves")
_REGULATION, _FINANCE = ("aligned regulators",), ("pooled budget", "system control total")


def _against_the_ordering(levers: pd.DataFrame, outcome: str = "mean_trust", month: int = 36) -> str:
    """One sentence: which relational levers are at least as large as aligning regulators, which
    are not, and which finance options are larger than a relational lever (sizes as in :func:`_ranking`)."""
    rows = levers[(levers["outcome"] == outcome) & (levers["month"] == month)]
    size = {lever.split(" (")[0]: abs(d) for lever, d in zip(rows["lever"], rows["difference"], strict=True)}
    if not all(name in size for name in _RELATIONAL + _REGULATION + _FINANCE):
        return ""
    regulation = max(size[name] for name in _REGULATION)
    holds = [name for name in _RELATIONAL if size[name] >= regulation]
    short = [name for name in _RELATIONAL if size[name] < regulation]
    smallest = min(size[name] for name in _RELATIONAL)
    above = [name for name in _FINANCE if size[name] > smallest]
    return ("**Against that ordering**: at least as large as aligning regulators: "
            f"{', '.join(holds) or 'none'}; smaller: {', '.join(short) or 'none'}. Finance options larger "
            f"than the smallest relational lever: {', '.join(above) or 'none'}. Where the model departs from "
            "the expected ordering it is reported, not tuned away: no sizes were set to produce an ordering.")


def _lever_table(levers: pd.DataFrame) -> list[str]:
    lines = [
        "## Lever effects",
        "",
        "Each lever against the default system (or the baseline named in brackets), on the same seeds. "
        "Cells give the mean paired difference (lever − baseline) with its 95% percentile bootstrap "
        "interval, at 1, 3 and 10 years.",
        "",
        "**The ordering the evidence expects.** [003] puts relationships first: \"Developing relationships "
        "was frequently identified as the most important element of the work done so far\", which \"in "
        "most cases ... builds on existing relationships and a history of collaborative working\", and "
        "trust is \"the fundamental foundation on which they will succeed or fail\". Regulation and "
        "finance come next, as barriers to remove (regulators \"giving two different messages\"; system "
        "control totals \"a step in the right direction\") rather than as drivers. The seeds give no "
        "sizes, so the expected ordering is: the relational levers (legacy, narrative, safety, "
        "leadership) at least as large as aligning regulators, and both larger than the finance options; "
        "among soft levers no order is stated. The levers' steps are not of equal size (a belief of 0.3 → "
        "0.5 is not a \"unit\" of safety), so the ordering is read at the steps named.",
        "",
        _ranking(levers),
        "",
        _against_the_ordering(levers),
        "",
    ]
    evidence = {lever.name: lever.evidence for lever in LEVERS}
    for outcome, group in levers.groupby("outcome", sort=False):
        lines += [f"**{label(outcome)}**", "", "| lever | " + " | ".join(f"{m // 12} yr" for m in LEVER_MONTHS) + " | evidence |",
                  "|---|" + "---|" * len(LEVER_MONTHS) + "---|"]
        for lever, rows in group.groupby("lever", sort=False):
            cells = []
            for month in LEVER_MONTHS:
                r = rows[rows["month"] == month].iloc[0]
                cells.append(f"{_num(r['difference'])} ({_num(r['low'])} to {_num(r['high'])})")
            lines.append(f"| {lever} | " + " | ".join(cells) + f" | {evidence.get(lever, '')} |")
        lines.append("")
    return lines


def _shares(row, measure: str) -> str:
    values = (row[f"{measure}_low"], row[f"{measure}_default"], row[f"{measure}_high"])
    return " / ".join("–" if math.isnan(v) else f"{100 * v:.0f} %" for v in values)


def _sensitivity_table(sensitivity: pd.DataFrame) -> list[str]:
    game = sensitivity["parameter"].str.startswith("payoffs.")
    assumed = sensitivity[~game]
    rough, rough_game = assumed[~assumed["smooth"]], sensitivity[game & ~sensitivity["smooth"]]
    lines = [
        "## Sensitivity: one assumption at a time, ±20 %",
        "",
        f"Every non-zero numeric default of the scenario schema, set 20 % lower and 20 % higher, on the "
        f"same seeds. Two headline shares are measured: runs in a low-trust state at ten years (mean trust "
        f"below {LOW_TRUST}) and runs in which mean trust rose over year one. A change of at most "
        f"{SMOOTH_POINTS:g} points of either share, either way, is smooth. "
        f"**{int(assumed['smooth'].sum())} of {len(assumed)} assumptions are smooth**"
        f" (tests/test_dynamics.py checks it on 30 seeds)"
        + (f"; not smooth: {', '.join(f'`{p}`' for p in rough['parameter'])}." if len(rough) else ".")
        + (f" The {int(game.sum())} non-zero payoffs are listed too but are not assumptions: they define the "
           "donation game (benefit 3, cost 1; docs/model.md 7.4), and changing one alone changes the game rather "
           "than a magnitude within it" + (f"; not smooth: {', '.join(f'`{p}`' for p in rough_game['parameter'])}."
                                           if len(rough_game) else ".") if game.any() else ""),
        "",
        "| assumption | default | low trust at 10 yr: −20 % / default / +20 % | trust rose in year 1 | mean trust at 10 yr | largest change (points) |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in sensitivity.sort_values("change_points", ascending=False).iterrows():
        trusts = " / ".join("–" if math.isnan(v) else f"{v:.3f}" for v in (r["trust_low"], r["trust_default"], r["trust_high"]))
        lines.append(f"| `{r['parameter']}` | {r['default']:g} | {_shares(r, 'share')} | {_shares(r, 'rise')} | {trusts} "
                     f"| {r['change_points']:.0f} |")
    lines += ["", "A dash marks a side outside the field's range (the change is not defined there).", ""]
    return lines


def render_robustness(levers: pd.DataFrame | None, sensitivity: pd.DataFrame | None) -> str:
    """The Markdown of the robustness sections (empty if neither table was computed)."""
    if levers is None and sensitivity is None:
        return ""
    lines = [CHANGES]
    if levers is not None:
        lines += _lever_table(levers)
    if sensitivity is not None:
        lines += _sensitivity_table(sensitivity)
    return "\n".join(lines)
