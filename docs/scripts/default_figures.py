"""Figures of the default scenario quoted in docs/model.md, section 6.3.

Runs ``scenarios/default.toml`` for seeds 0-19 and 120 months with :func:`ics_abm.run`, a few
variants of it (regulators aligned or absent, no competition legacy, the strongest legacy, and a
system control total at three linked shares), and prints every number that section 6.3 states,
together with the expected values before jitter that it derives from the tables of section 3.

Usage (from the repository root)::

    .venv/bin/python docs/scripts/default_figures.py            # seeds 0-19, 120 months
    .venv/bin/python docs/scripts/default_figures.py --seeds 5  # a quicker look

A run is a pure function of scenario, seed and steps (docs/model.md, 7.9), so the output is the
same on every machine with the same version of the package. It takes about 15 seconds once the
kernel has been compiled.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import pandas as pd

from ics_abm import ICSModel, load_scenario, run
from ics_abm.engine.initial import kind_attributes, pair_tables
from ics_abm.engine.state import SYSTEM_FIELDS
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.loading import organisation_counts, scenario_from_dict, scenario_to_dict

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.toml"


def with_changes(data: dict, changes: dict) -> dict:
    """A copy of scenario data with dotted-path changes (``{"legacy.strength": 1.0}``)."""
    data = copy.deepcopy(data)
    for path, value in changes.items():
        *tables, name = path.split(".")
        table = data
        for part in tables:
            table = table.setdefault(part, {})
        table[name] = value
    return data


def spread(values) -> str:
    """Mean, minimum, 10th and 90th percentile and maximum across seeds."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return "undefined in every seed"
    p10, p90 = np.percentile(v, [10, 90])
    return f"mean {v.mean():.3f}, min {v.min():.3f}, p10 {p10:.3f}, p90 {p90:.3f}, max {v.max():.3f} (n = {v.size})"


def at(system: pd.DataFrame, column: str, month: int) -> np.ndarray:
    """One value per seed of ``column`` at ``month``."""
    return system.loc[system.step == month].sort_values("seed")[column].to_numpy(dtype=float)


def total(system: pd.DataFrame, column: str, first: int, last: int) -> np.ndarray:
    """Per seed, the sum of ``column`` over months ``first``-``last``."""
    window = system.loc[(system.step >= first) & (system.step <= last)]
    return window.groupby("seed")[column].sum().to_numpy(dtype=float)


def runs(scenario, seeds, steps) -> pd.DataFrame:
    return pd.concat([run(scenario, seed=s, steps=steps).system for s in seeds], ignore_index=True)


def expected_values(scenario) -> None:
    """Expected values before jitter, from the tables of section 3 (no random numbers)."""
    counts = organisation_counts(scenario)
    n = np.array([counts[k] for k in KINDS], dtype=float)
    tables = pair_tables(scenario)
    p, x = tables["tie_probability"], tables["legacy_exposure"]
    attrs = kind_attributes(scenario)
    budget = np.array([attrs[k]["budget"] for k in KINDS])
    cost = np.array([attrs[k]["cost_pressure"] for k in KINDS])
    partners = n[None, :] - np.eye(len(KINDS))  # possible partners of kind b for one organisation of kind a
    arcs = n[:, None] * partners * p  # expected arcs from kind a to kind b
    relationships = arcs.sum() / 2.0
    start = scenario.trust.initial * (1.0 - scenario.legacy.strength * x)
    print("Expected values before jitter (tables of section 3):")
    print(f"  relationships {relationships:.1f}, mean degree {2 * relationships / n.sum():.2f}")
    print(f"  starting trust: all arcs {(arcs * start).sum() / arcs.sum():.3f}; "
          + "; ".join(f"{k} arcs {(arcs[a] * start[a]).sum() / arcs[a].sum():.3f}" for a, k in enumerate(KINDS)))
    print(f"  starting trust before jitter ranges from {start.min():.3f} to {start.max():.3f} over pairs of kinds")
    reward = scenario.payoffs.reward
    share = scenario.finance.stake_share
    print("  at full mutual collaboration, monthly payoff against monthly cost pressure (£m), and the share "
          "of stake in mutual collaboration that breaks even:")
    for a, kind in enumerate(KINDS):
        pay = reward * share / 12.0 * (partners[a] * p[a] * np.minimum(budget[a], budget)).sum()
        pressure = budget[a] * cost[a] / 12.0
        print(f"    {kind:<24} payoff {pay:7.3f}  cost {pressure:7.3f}  ratio {pay / pressure:4.2f}  "
              f"break-even share {pressure / pay:4.2f}")
    print()


def set_up(scenario, seeds) -> None:
    """The drawn set-up of each seed (before step 1)."""
    relationships, trust, leads = [], [], []
    for s in seeds:
        model = ICSModel(scenario, seed=s)
        relationships.append(model.graph.target.shape[0] / 2)
        trust.append(float(np.mean(model.arcs.trust)))
        lead = int(model.system[SYSTEM_FIELDS.index("lead")])
        leads.append(KINDS[int(model.organisations.kind[lead])] if lead >= 0 else "none")
    print("Drawn set-up, per seed:")
    print(f"  relationships: {spread(relationships)}")
    print(f"  mean starting trust: {spread(trust)}")
    print(f"  lead organisation's kind: {pd.Series(leads).value_counts().to_dict()}")
    print()


def default_runs(system: pd.DataFrame, steps: int) -> None:
    years = steps // 12
    print(f"Default scenario, {system.seed.nunique()} seeds x {steps} months (one value per seed):")
    for month in (1, 12, 24, 60, steps):
        print(f"  mean trust, month {month:>3}: {spread(at(system, 'mean_trust', month))}")
    trough = system.loc[system.groupby("seed").mean_trust.idxmin()]
    print(f"  lowest mean trust of each run: {spread(trough.mean_trust)}; month of it: {spread(trough.step)}")
    for column in ("collaboration_rate", "mutual_rate", "integration_progress", "shared_narrative",
                   "mean_altruism", "leadership_capacity", "la_engagement", "n_deficit"):
        for month in (12, steps):
            print(f"  {column}, month {month}: {spread(at(system, column, month))}")
    for first in (1, 12 * (years // 2) + 1 if years >= 2 else 1, steps - 11):
        print(f"  interventions in months {first}-{first + 11}: {spread(total(system, 'interventions', first, first + 11))}")
    resolved = at(system, "decisions_resolved", steps)
    failed = at(system, "decisions_failed", steps)
    print(f"  hard decisions resolved by month {steps}: {spread(resolved)}")
    print(f"  hard decisions broken down by month {steps}: {spread(failed)}")
    print(f"  hard decisions resolved in year 1: {spread(at(system, 'decisions_resolved', 12))}")
    half = min(60, steps)
    early = at(system, "decisions_resolved", half)
    print(f"  hard decisions resolved by month {half}: {spread(early)}; in all runs: {early.sum():.0f} "
          f"by month {half}, {resolved.sum() - early.sum():.0f} after it")
    latency = system.decision_latency.dropna()
    print(f"  latency of resolved decisions (months, all seeds pooled): mean {latency.mean():.2f}, "
          f"median {latency.median():.1f}, max {latency.max():.0f} (n = {latency.size})")
    below_full = system.loc[system.la_engagement < 2.0]
    print(f"  months in which local authorities' mean engagement was below full membership: "
          f"{len(below_full)} of {len(system)} run-months, in {below_full.seed.nunique()} of "
          f"{system.seed.nunique()} runs")
    print(f"  committed share, all months: min {system.committed_share.min():.3f}; "
          f"active organisations: {sorted(system.active_organisations.unique().tolist())}; "
          f"signed up in any month: {int(system.signed_up.max())}")


def final_engagement(scenario, seeds, steps) -> None:
    """Engagement states of the local authorities after the last month (7.14)."""
    from ics_abm.engine.initial import ENGAGEMENT_STATES

    states = []
    for s in seeds:
        model = ICSModel(scenario, seed=s)
        model.run_for(steps)
        orgs = model.organisations
        authority = orgs.kind == KINDS.index("local_authority")
        states += [ENGAGEMENT_STATES[int(e)] for e in orgs.engagement[authority]]
    counts = pd.Series(states).value_counts().to_dict()
    print(f"  local authorities' engagement after month {steps} ({len(states)} local authorities in all runs): {counts}")
    print()


def variants(base: dict, seeds, steps) -> None:
    print(f"Variants of the default scenario, mean trust and collaboration rate at month {steps}:")
    for label, changes in (
        ("aligned regulators", {"regulation.regime": "aligned"}),
        ("no regulators", {"regulation.regime": "none"}),
        ("no competition legacy", {"legacy.strength": 0.0}),
        ("legacy strength 1", {"legacy.strength": 1.0}),
    ):
        scenario = scenario_from_dict(with_changes(base, changes), source=label)
        system = runs(scenario, seeds, steps)
        print(f"  {label}: mean trust {spread(at(system, 'mean_trust', steps))}")
        print(f"  {label}: collaboration rate {spread(at(system, 'collaboration_rate', steps))}")
    print()


def sign_up(base: dict, seeds) -> None:
    print("System control total: share of the first three financial years signed up (months 1, 13, 25):")
    for linked in (0.25, 0.5, 1.0):
        changes = {"finance.regime": "control_total", "finance.linked_share": linked}
        scenario = scenario_from_dict(with_changes(base, changes), source=f"control total p = {linked}")
        system = runs(scenario, seeds, 25)
        signed = system.loc[system.step.isin([1, 13, 25]), "signed_up"]
        print(f"  p = {linked}: {100 * signed.mean():.0f} % of {signed.size} financial years")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0 .. N-1 (default 20)")
    parser.add_argument("--steps", type=int, default=120, help="months per run (default 120)")
    args = parser.parse_args()
    seeds = range(args.seeds)
    scenario = load_scenario(DEFAULT)
    base = scenario_to_dict(scenario)
    expected_values(scenario)
    set_up(scenario, seeds)
    default_runs(runs(scenario, seeds, args.steps), args.steps)
    final_engagement(scenario, seeds, args.steps)
    variants(base, seeds, args.steps)
    sign_up(base, seeds)


if __name__ == "__main__":
    main()
