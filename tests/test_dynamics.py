"""The dynamics the evidence describes (issue 10), asserted over many seeds.

Each test runs 40 seeds (common random numbers: the same seeds in every arm, spawned from root
seed 0, never chosen per test) and asserts a direction or a share with a statistical margin,
never a value of one lucky seed. The evidence is [003] (The King's Fund, 2018): in the first year
relationships "have also been strengthened" and partners work "more collaboratively ... in a
way that was not happening previously"; progress is slow, not a collapse; all eight first-wave
systems were working partnerships after a year (docs/model.md 1.3 and 6.3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from ics_abm import load_scenario
from ics_abm.engine.initial import StateTemplate
from ics_abm.experiments.batch import system_table
from ics_abm.experiments.sweeps.seeds import replicate_seeds
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEEDS = [int(s) for s in replicate_seeds(0, 40)]
ARCHETYPES = sorted(p.stem for p in SCENARIOS.glob("ics_*.toml"))
SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def _scenario(name: str = "default", **changes):
    """A shipped scenario with dotted-path changes, e.g. ``{"trust.initial": 0.5}``."""
    data = scenario_to_dict(load_scenario(SCENARIOS / f"{name}.toml"))
    for path, value in changes.items():
        section, key = path.split(".")
        data.setdefault(section, {})[key] = value
    return scenario_from_dict(data)


def _metric(scenario, name: str, steps: int):
    """``name`` as an array of shape (len(SEEDS), steps): one row per seed, one column per month."""
    table = system_table(scenario, SEEDS, steps, parallel=False)
    return table.pivot(index="run", columns="step", values=name).to_numpy()


def test_relationships_strengthen_in_year_one_under_the_2018_settings():
    trust = _metric(_scenario(), "mean_trust", 12)
    collaboration = _metric(_scenario(), "collaboration_rate", 12)
    rise = trust[:, 11] - trust[:, 0]
    assert stats.ttest_1samp(rise, 0.0, alternative="greater").pvalue < 0.01
    # "In most runs": a clear majority, with a binomial margin (80 % of runs on these seeds; 88 %
    # before organisations drew their own cost pressures, 6.1 step 5b).
    risen = int((rise > 0).sum())
    assert stats.binomtest(risen, len(rise), 0.5, alternative="greater").pvalue < 0.01, f"trust rose in {risen} of {len(rise)} runs"
    assert stats.ttest_1samp(collaboration[:, 11] - collaboration[:, 0], 0.0, alternative="greater").pvalue < 0.01


@pytest.mark.parametrize("name", ARCHETYPES)
def test_no_first_wave_archetype_collapses_in_three_years(name):
    trust = _metric(_scenario(name), "mean_trust", 36)
    collapsed = int((trust[:, 35] < 0.3).sum())
    # Issue 10 measured 46-100 % of seeds collapsed in three archetypes; allow 2 of 40 (5 %).
    assert collapsed <= 2, f"{name}: mean trust below 0.3 at month 36 in {collapsed} of {len(SEEDS)} runs"


@pytest.mark.parametrize("name", SHIPPED)
def test_collaboration_stays_below_certainty_in_every_shipped_scenario(name):
    # The day job crowds out system work (7.2): no system collaborates on every arc every month.
    collaboration = _metric(_scenario(name), "collaboration_rate", 120)
    assert np.nanmax(collaboration[:, 119]) < 0.97, f"{name}: collaboration {np.nanmax(collaboration[:, 119]):.3f}"


def test_the_surplus_of_a_collaborating_system_stays_bounded():
    # The surplus cap (7.15): above 2 % of its budget, a surplus is reinvested in services, so at
    # every year end an aligned system's balance is at most 2 % of its budget (the bound) and
    # money is reinvested in every run.
    scenario = _scenario("regulation_aligned")
    balance = _metric(scenario, "system_balance", 120)
    reinvested = _metric(scenario, "reinvested", 120)
    template = StateTemplate(scenario)
    budget = np.array([template.build(seed).organisations.budget.sum() for seed in SEEDS])
    assert np.all(reinvested[:, 11::12].sum(axis=1) > 0)
    cap = scenario.finance.surplus_cap * budget[:, None]
    assert np.all(balance[:, 11::12] <= cap * (1 + 1e-12)), (balance[:, 11::12] - cap).max()


@pytest.mark.parametrize("finance", ["separate", "pooled"])
def test_more_trust_means_more_collaboration_under_every_budget(finance):
    # Issue 10: pooled budgets reversed the effect of trust. Paired runs, month 1.
    low = _metric(_scenario(**{"finance.regime": finance, "trust.initial": 0.3}), "collaboration_rate", 1)[:, 0]
    high = _metric(_scenario(**{"finance.regime": finance, "trust.initial": 0.9}), "collaboration_rate", 1)[:, 0]
    result = stats.ttest_rel(high, low, alternative="greater")
    assert result.pvalue < 0.001 and (high - low).mean() > 0.1, (high - low).mean()


def test_a_local_authority_that_walks_away_comes_back():
    engagement = _metric(_scenario("facilitator_local_authority_walks_away"), "la_engagement", 48)
    assert stats.ttest_rel(engagement[:, 47], engagement[:, 11], alternative="greater").pvalue < 0.01


def test_local_authority_engagement_grows_where_relationships_and_narrative_are_good():
    # Councils held back as partners by political pressure (0.8) move towards full membership as
    # trust builds, and faster where the shared purpose and safety to challenge are stronger
    # (7.14; [003]: the NHS focus "appears to have become less of an issue over time").
    held_back = {"local_authority.engagement": "partner", "local_authority.political_pressure": 0.8}
    plain = _metric(_scenario(**held_back), "la_engagement", 60)
    good = _metric(_scenario(**held_back, **{"narrative.initial": 0.5, "leadership.safety": 0.6}), "la_engagement", 60)
    assert stats.ttest_rel(plain[:, 59], plain[:, 0], alternative="greater").pvalue < 0.01
    assert stats.ttest_rel(good[:, 59], plain[:, 59], alternative="greater").pvalue < 0.01


def test_an_all_or_nothing_control_total_is_rarely_signed_and_a_flexible_one_mostly():
    # SF7 as a level pattern: in the first financial year of the 2018 default, partners in
    # persistent deficit (6.1 step 5b) make linking all sustainability funding too risky, while
    # most systems sign a flexible linkage ([003]: "most ICSs have signed up to it").
    def first_year_signed(share):
        scenario = _scenario(**{"finance.regime": "control_total", "finance.linked_share": share})
        return _metric(scenario, "signed_up", 1)[:, 0]

    flexible, all_or_nothing = first_year_signed(0.25), first_year_signed(1.0)
    assert stats.binomtest(int(flexible.sum()), len(SEEDS), 0.5, alternative="greater").pvalue < 0.01
    assert stats.binomtest(int(all_or_nothing.sum()), len(SEEDS), 0.5, alternative="less").pvalue < 0.01


@pytest.mark.parametrize(
    "path, base",
    [("decision.noise", 0.03), ("trust.initial", 0.6), ("finance.stake_share", 0.004), ("trust.loss_rate", 0.25)],
)
@pytest.mark.parametrize("factor", [0.8, 1.2])
def test_no_knife_edge_within_twenty_percent_of_a_default(path, base, factor):
    # Issue 10 measured 2 %-98 % of runs stuck below trust 0.3 at month 120 under +-20 % of one
    # default. Here: at most a few runs, in every one of the eight variants.
    trust = _metric(_scenario(**{path: base * factor}), "mean_trust", 120)
    stuck = int((trust[:, 119] < 0.3).sum())
    assert stuck <= 2, f"{path} x {factor}: {stuck} of {len(SEEDS)} runs below trust 0.3 at month 120"


def test_conditional_commitment_holds_in_good_times_and_unravels_under_a_shock():
    # Issue 10: conditional commitment reached zero committed in 91 % of default runs. The
    # evidence needs both: calibrated conditionality is workable (SF7, SF40) and a shock at the
    # outset makes a conditional venture fail (SF36).
    # Where trust and finances hold (no partner with its own persistent deficit, 6.1 step 5b),
    # conditional commitment holds; a shock at the outset unravels it.
    holding = {"commitment.mode": "conditional", "finance.cost_pressure_spread": 0.0}
    calm = _metric(_scenario(**holding), "committed_share", 120)
    assert calm.min(axis=1).mean() > 0.9 and np.all(calm[:, 119] > 0.5)
    data = scenario_to_dict(_scenario(**holding))
    data["events"] = [{"month": 6, "kind": "financial_shock", "size": 0.05}]
    shocked = _metric(scenario_from_dict(data), "committed_share", 48)
    assert stats.ttest_rel(calm[:, 47], shocked[:, 47], alternative="greater").pvalue < 0.001
