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
from ics_abm.experiments.validation.fact import for_each_kind, with_changes
from ics_abm.experiments.validation.facts.baselines import DEFAULT_SYSTEM
from ics_abm.experiments.validation.robustness import LEVERS, lever_effects, sensitivity
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import scenario_from_dict, scenario_to_dict
from ics_abm.simulation import Simulation

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEEDS = [int(s) for s in replicate_seeds(0, 40)]
ARCHETYPES = sorted(p.stem for p in SCENARIOS.glob("ics_*.toml"))
SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
# the relational levers of docs/validation.md and the sign of their expected effect on trust
SOFT_LEVERS = {"shared narrative": 1, "psychological safety": 1, "distributed leadership": 1,
               "a respected leader leaves": -1}


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
    # "In most runs": a clear majority, with a binomial margin (37 of 40 runs on these seeds with
    # socialised power, 7.1; 32 of 40 before it).
    risen = int((rise > 0).sum())
    assert stats.binomtest(risen, len(rise), 0.5, alternative="greater").pvalue < 0.01, f"trust rose in {risen} of {len(rise)} runs"
    assert stats.ttest_1samp(collaboration[:, 11] - collaboration[:, 0], 0.0, alternative="greater").pvalue < 0.01


def _collaboration_by_kind(scenario, seeds, months: int) -> np.ndarray:
    """Share of each kind's relationships on which it collaborated, shape (len(seeds), months, 6)."""
    shares = np.full((len(seeds), months, len(KINDS)), np.nan)
    for row, seed in enumerate(seeds):
        simulation = Simulation(scenario, seed)
        indptr = simulation.graph.indptr
        kind_of_arc = simulation.organisations.kind[np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))]
        for month in range(months):
            simulation.simulate(1)
            for kind in range(len(KINDS)):
                mine = kind_of_arc == kind
                if mine.any():
                    shares[row, month, kind] = simulation.arcs.action[mine].mean()
    return shares


def test_no_kind_of_organisation_is_locked_into_defection():
    # Issue 10: acute trusts' thresholds sat above any starting trust, so they never collaborated.
    # With socialised power (7.1) they join in as their leaders come to believe in the system:
    # every kind collaborates more in year 5 than in year 1, and on at least a quarter of its
    # relationships in the last year of a ten-year run, in a clear majority of runs (30 seeds).
    # The horizon is the run's, not a year of the study: the evidence gives no date by which
    # partners join ("Collaboration had often taken longer to develop than expected" [003]). Until
    # issue 11 this test asked for a quarter in year 5; at the calibrated defaults (starting trust
    # 0.52, docs/calibration.md) acute trusts reach it in year 5 in 17 of these 30 runs, in year 6
    # in 25 and in year 7 in all 30 (on 7 % of their relationships in year 1, 74 % in year 10).
    seeds = SEEDS[:30]
    shares = _collaboration_by_kind(_scenario(), seeds, 120)
    year_1, year_5, year_10 = shares[:, :12].mean(axis=1), shares[:, 48:60].mean(axis=1), shares[:, 108:].mean(axis=1)
    for kind, name in enumerate(KINDS):
        if name in ("local_authority", "voluntary_sector"):
            continue  # they collaborate from the start (threshold below starting trust, 3.2)
        assert stats.ttest_rel(year_5[:, kind], year_1[:, kind], alternative="greater").pvalue < 0.01, name
    joined = (year_10 >= 0.25).sum(axis=0)
    for kind, name in enumerate(KINDS):
        assert stats.binomtest(int(joined[kind]), len(seeds), 0.5, alternative="greater").pvalue < 0.01, (name, joined[kind])


def test_financial_pressure_is_double_edged_and_its_net_effect_not_monotone_everywhere():
    # SF6 (digest): pressure drains money and capacity (7.4, 7.5) and builds belief in the case for
    # change (the burning platform, 7.12). At the default weight of the burning platform less
    # pressure does better (SF6); where the platform weighs more (0.6), moderate pressure (2 % of
    # budget a year) beats none and heavy pressure (4 %) is worse again: an inverted U.
    def progress(cost_pressure: float, burning_platform: float) -> np.ndarray:
        changes = {**for_each_kind("initial_balance", 0.0), **for_each_kind("cost_pressure", cost_pressure),
                   "narrative.burning_platform": burning_platform}
        table = system_table(scenario_from_dict(with_changes(DEFAULT_SYSTEM, changes)), SEEDS, 60, parallel=False)
        return table[table["step"] == 60].sort_values("run")["integration_progress"].to_numpy()

    assert stats.ttest_rel(progress(0.0, 0.02), progress(0.04, 0.02), alternative="greater").pvalue < 0.01
    none, moderate, heavy = progress(0.0, 0.6), progress(0.02, 0.6), progress(0.04, 0.6)
    assert stats.ttest_rel(moderate, none, alternative="greater").pvalue < 0.01, (moderate - none).mean()
    assert stats.ttest_rel(moderate, heavy, alternative="greater").pvalue < 0.01, (moderate - heavy).mean()


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


def test_transfers_appear_with_trust_and_a_shared_budget_not_everywhere():
    # [003]: Frimley and Dorset "have moved money between organisations in order to achieve financial
    # balance"; "some ICSs have made less progress than others". Separate budgets never transfer
    # (7.15); a trusting system under a shared control total (the Frimley archetype) transfers in
    # some runs but not all, with a binomial 99 % interval inside (0, 1).
    assert np.all(_metric(_scenario(), "transfers", 60) == 0.0)
    transferred = int((_metric(_scenario("ics_frimley"), "transfers", 60).sum(axis=1) > 0).sum())
    interval = stats.binomtest(transferred, len(SEEDS)).proportion_ci(confidence_level=0.99)
    assert 0.0 < interval.low and interval.high < 1.0, f"transfers in {transferred} of {len(SEEDS)} runs"


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


def test_each_soft_lever_has_an_effect_of_a_plausible_size():
    # Issue 10 measured the soft levers as nearly inert (a leader leaving moved mean trust at ten
    # years by -0.0016). At three years, on 40 common seeds, each now moves mean trust the way
    # its evidence says with a 95 % interval clear of zero, by at least 0.01 and at most 0.25
    # (a quarter of the scale is more than any one lever of docs/validation.md is credited with).
    soft = [lever for lever in LEVERS if lever.name.split(" (")[0] in SOFT_LEVERS]
    assert len(soft) == len(SOFT_LEVERS)
    table = lever_effects(SEEDS, soft)
    at_three = table[(table["outcome"] == "mean_trust") & (table["month"] == 36)].set_index("lever")
    for lever in soft:
        row, sign = at_three.loc[lever.name], SOFT_LEVERS[lever.name.split(" (")[0]]
        assert sign * row["low"] > 0 and sign * row["high"] > 0, f"{lever.name}: interval {row['low']:+.3f} to {row['high']:+.3f}"
        assert 0.01 <= sign * row["difference"] <= 0.25, f"{lever.name}: {row['difference']:+.4f}"


def test_hard_decisions_are_graded_and_break_down_more_often_the_larger_the_loss():
    # 7.13: most hard decisions are agreed ("many areas have managed to reach consensus on
    # challenging issues" [003]) but not all ("agreement will not always be possible"), and a
    # loser that weighs its loss more resists more. Over ten years of 40 runs: some but few break
    # down under informal governance, and more when the loss weighs twice as much as by default.
    def counts(**changes):
        last = system_table(_scenario(**changes), SEEDS, 120, parallel=False).query("step == 120")
        return int(last["decisions_resolved"].sum()), int(last["decisions_failed"].sum())

    resolved, failed = counts()
    assert resolved >= 50 and 0 < failed < 0.3 * (resolved + failed)
    light, heavy = counts(**{"governance.loss_weight": 0.6}), counts(**{"governance.loss_weight": 2.4})
    assert heavy[1] / sum(heavy) > light[1] / sum(light)
    assert stats.fisher_exact([[heavy[1], heavy[0]], [light[1], light[0]]], alternative="greater").pvalue < 0.01


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


def test_every_assumption_changes_the_headline_shares_smoothly():
    # Issue 10's smoothness target over every numeric default of the schema (the table of
    # docs/validation.md, "Sensitivity"): 20 % lower or higher moves neither the low-trust share
    # at ten years nor the year-one rise share by more than SMOOTH_POINTS, on 30 common seeds.
    # The four payoffs are excluded and only recorded: they are the donation game's definition
    # (benefit 3, cost 1; Case 2017, docs/model.md 7.4), not [A] magnitudes, and changing one
    # alone changes the game (temptation x 1.2 moves the year-one rise share by about 27 points).
    table = sensitivity([int(s) for s in replicate_seeds(0, 30)])
    assumed = table[~table["parameter"].str.startswith("payoffs.")]
    assert len(assumed) >= 80
    rough = assumed[~assumed["smooth"]]
    assert rough.empty, rough[["parameter", "change_points"]].to_string()


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
