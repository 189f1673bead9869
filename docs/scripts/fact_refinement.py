"""The stylized facts over the shipped posterior: which accepted parameter sets keep each fact's direction.

Usage (from the repository root)::

    .venv/bin/python docs/scripts/fact_refinement.py --workers 2 --out results/fact-refinement
    .venv/bin/python docs/scripts/fact_refinement.py --facts all --reuse --ship   # every fact, reusing the shipped ones

``--facts`` defaults to the eight facts below the robust-fact target; ``all`` is every registered
fact. ``--reuse`` takes the facts already shipped (computed on the same seeds) from the package
and runs only the others.

Every accepted parameter set of the shipped posterior meets the seven level patterns. This script
adds the stylized facts as patterns (``"fact:<ID>"``, :mod:`ics_abm.experiments.calibration.fact_patterns`)
and evaluates them for every accepted set, on common seeds (``--seeds`` per arm, spawned from
``--seed``). Keeping the sets whose fact distance is 0 is exactly ABC rejection at epsilon 0 with
the level patterns *and* the facts in the distance (the shipped run was rejection sampling from
the prior, so the sets that also meet the facts are a sample of the joint posterior). Writes
``statistics.parquet`` (one row per set: its parameters, each fact's signed t statistic, the
fact distance) to ``--out`` and ``docs/img/calibration/facts.png``; prints the Markdown tables of
docs/calibration.md (share of sets meeting each fact; the parameters that most separate the sets
that meet every fact from the rest, by Kolmogorov-Smirnov).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: The OBS facts below the 90 % robust-fact target in docs/validation.md.
FRAGILE = ["SF15", "SF14", "SF21", "SF2c", "SF11b", "SF40", "SF9b", "SF11"]
FIGURE = Path("docs/img/calibration/facts.png")
#: Where ``--ship`` stores the statistics (``.parquet``) and their provenance (``.json``) in the package.
SHIPPED = Path("ics_abm/data/calibration") / "fact-refinement"


def _statistics(rows: list[dict], facts: list[str], seeds: list[int]) -> list[dict]:
    """Each fact's signed t statistic for each parameter set of ``rows`` (a task for a worker)."""
    from ics_abm.experiments.calibration.fact_patterns import fact_statistic
    from ics_abm.scenario.catalog import resolve_scenario
    from ics_abm.scenario.loading import load_scenario, scenario_to_dict

    default = scenario_to_dict(load_scenario(resolve_scenario("default")))
    out = []
    for row in rows:
        values = {k: v for k, v in row.items() if k != "draw"}
        out.append({"draw": row["draw"], **{f"fact:{f}": fact_statistic(f"fact:{f}", values, seeds, default) for f in facts}})
    return out


def evaluate(posterior: pd.DataFrame, facts: list[str], seeds: list[int], workers: int) -> pd.DataFrame:
    """The posterior's parameters with each fact's statistic and the fact distance (``fact_distance``)."""
    from ics_abm.experiments.calibration.posterior import parameter_columns

    columns = parameter_columns(posterior)
    rows = [{"draw": int(d), **{c: float(posterior.at[i, c]) for c in columns}} for i, d in enumerate(posterior["draw"])]
    chunks = [rows[i:i + 25] for i in range(0, len(rows), 25)]
    with cf.ProcessPoolExecutor(workers) as pool:
        results = [r for part in pool.map(_statistics, chunks, [facts] * len(chunks), [seeds] * len(chunks)) for r in part]
    stats = pd.DataFrame(results).set_index("draw").loc[posterior["draw"]].reset_index()
    table = posterior.merge(stats, on="draw")
    table["fact_distance"] = fact_distance(table, facts)
    return table


def fact_distance(table: pd.DataFrame, facts: list[str]) -> list[float]:
    """Each set's distance over the facts' statistics (:func:`ics_abm.experiments.calibration.patterns.distance`)."""
    from ics_abm.experiments.calibration.patterns import distance

    names = [f"fact:{f}" for f in facts]
    return [distance(dict(zip(names, values, strict=True))) for values in table[names].to_numpy()]


def shipped_statistics(args) -> pd.DataFrame:
    """The shipped statistics, refused unless they were computed on the seeds asked for."""
    import json

    provenance = json.loads(SHIPPED.with_suffix(".json").read_text(encoding="utf-8"))
    if (provenance["seeds_per_arm"], provenance["root_seed"]) != (args.seeds, args.seed):
        raise SystemExit(f"--reuse: {SHIPPED}.json has {provenance['seeds_per_arm']} seeds from root "
                         f"{provenance['root_seed']}, not {args.seeds} from {args.seed}")
    return pd.read_parquet(SHIPPED.with_suffix(".parquet"))


def separating(table: pd.DataFrame, kept: pd.Series, top: int = 12) -> pd.DataFrame:
    """The parameters whose distributions differ most between the ``kept`` sets and the rest (two-sample KS)."""
    from scipy import stats

    from ics_abm.experiments.calibration.posterior import parameter_columns

    met = kept
    rows = []
    for name in [c for c in parameter_columns(table) if not c.startswith("fact") and c != "fact_distance"]:
        result = stats.ks_2samp(table.loc[met, name], table.loc[~met, name])
        rows.append({"parameter": name, "median_kept": float(table.loc[met, name].median()),
                     "median_rest": float(table.loc[~met, name].median()), "ks": float(result.statistic),
                     "p": float(result.pvalue)})
    return pd.DataFrame(rows).sort_values("ks", ascending=False).head(top).reset_index(drop=True)


def plot(table: pd.DataFrame, facts: list[str], path: Path) -> None:
    """Each fact's signed t over the posterior's sets (target t >= 1 marked)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    long = table.melt(value_vars=[f"fact:{f}" for f in facts], var_name="fact", value_name="t")
    long["fact"] = long["fact"].str.removeprefix("fact:")
    long["t"] = long["t"].clip(-10, 20)
    fig, ax = plt.subplots(figsize=(max(10.0, 0.42 * len(facts)), 4.8), constrained_layout=True)
    sns.boxplot(data=long, x="fact", y="t", color="#9ecae1", fliersize=2, ax=ax)
    ax.axhline(1.0, color="#c44e52", lw=1.5, label="target: t >= 1 (direction of the evidence, one SE margin)")
    ax.axhline(0.0, color="0.4", lw=0.8, ls="--")
    if len(facts) > 12:  # ids such as SF14a SF37 SF37b run together side by side
        ax.tick_params(axis="x", rotation=60)
    ax.set_xlabel("stylized fact (docs/validation.md)")
    ax.set_ylabel("signed t of the paired difference (clipped to [-10, 20])")
    ax.set_title(f"The stylized facts over the {len(table)} accepted parameter sets of the shipped posterior")
    ax.legend(loc="lower left", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _figure(name: str) -> Path:
    """The figure of a refinement stored as ``name`` (``facts.png`` for the shipped one)."""
    return FIGURE if name == SHIPPED.name else FIGURE.with_name(f"{name}.png")


def ship(table: pd.DataFrame, facts: list[str], args) -> None:
    """Store each set's fact statistics (by ``draw`` of the shipped posterior) and how they were made."""
    import json
    import subprocess

    columns = ["draw", *[f"fact:{f}" for f in facts], "fact_distance"]
    target = SHIPPED.with_name(args.name)
    table[columns].to_parquet(target.with_suffix(".parquet"), index=False)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    provenance = {"script": "docs/scripts/fact_refinement.py", "facts": facts, "seeds_per_arm": args.seeds,
                  "root_seed": args.seed, "statistic": "signed t of the paired difference, target t >= 1",
                  "keep": args.keep, "commit": commit, "posterior": "posterior-default"}
    if getattr(args, "reuse", False):  # the earlier facts' record stays with them
        earlier = json.loads(SHIPPED.with_suffix(".json").read_text(encoding="utf-8"))
        reused = [f for f in earlier["facts"] if f in facts]
        provenance["reused"] = {"facts": reused, **{k: v for k, v in earlier.items() if k in ("commit", "note", "amended")}}
        provenance["note"] = (f"the facts not in 'reused' computed on the tree of commit {commit}; every calibrated "
                              "parameter comes from the posterior draw, so the defaults do not enter")
    target.with_suffix(".json").write_text(json.dumps(provenance, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    from ics_abm.experiments.calibration.fact_patterns import fact_ids
    from ics_abm.experiments.calibration.posterior import posterior
    from ics_abm.experiments.sweeps.seeds import replicate_seeds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", default=",".join(FRAGILE), help="comma-separated fact ids, or 'all' (every registered fact)")
    parser.add_argument("--reuse", action="store_true",
                        help=f"take the facts already in {SHIPPED}.parquet from it (same seeds) and run only the others")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per arm")
    parser.add_argument("--seed", type=int, default=20261207, help="root seed of the seeds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/fact-refinement"))
    parser.add_argument("--keep", type=float, default=0.1, help="share of sets kept, closest first (ABC's quantile epsilon)")
    parser.add_argument("--report-only", action="store_true", help="read --out/statistics.parquet instead of running")
    parser.add_argument("--ship", action="store_true", help=f"also store the facts' statistics in {SHIPPED.parent}/NAME")
    parser.add_argument("--name", default=SHIPPED.name, help="the stored statistics' name (and figure's, if not the default)")
    args = parser.parse_args()
    if args.report_only:
        table = pd.read_parquet(args.out / "statistics.parquet")
        stored = [c.removeprefix("fact:") for c in table.columns if c.startswith("fact:")]
        facts = [f for f in fact_ids() if f in stored]  # the registry's order
        plot(table, facts, _figure(args.name))
        report(table, facts, args.keep)
        if args.ship:
            ship(table, facts, args)
        return
    facts = fact_ids() if args.facts == "all" else args.facts.split(",")
    seeds = [int(s) for s in replicate_seeds(args.seed, args.seeds)]
    known = shipped_statistics(args) if args.reuse else pd.DataFrame({"draw": posterior()["draw"]})
    todo = [f for f in facts if f"fact:{f}" not in known.columns]
    started = time.perf_counter()
    table = evaluate(posterior(), todo, seeds, args.workers)
    elapsed = time.perf_counter() - started
    table = table.drop(columns="fact_distance").merge(known[["draw", *[f"fact:{f}" for f in facts if f not in todo]]],
                                                      on="draw", validate="one_to_one")
    table["fact_distance"] = fact_distance(table, facts)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(args.out / "statistics.parquet", index=False)
    plot(table, facts, _figure(args.name))
    report(table, facts, args.keep, f"{len(table)} parameter sets x {len(todo)} facts run (of {len(facts)}) x 2 arms x "
           f"{args.seeds} seeds in {elapsed:.0f} s wall")
    if args.ship:
        ship(table, facts, args)


def report(table: pd.DataFrame, facts: list[str], keep: float, header: str = "") -> None:
    """Print the Markdown tables of docs/calibration.md from an evaluated ``table``."""
    from calibration_diagnostics import _markdown  # the sibling script's table format

    epsilon = float(table["fact_distance"].quantile(keep))
    kept = table["fact_distance"] <= epsilon
    shares = pd.DataFrame({"fact": facts,
                           "share_all": [float(np.mean(table[f"fact:{f}"] >= 1.0)) for f in facts],
                           "median_t": [float(table[f"fact:{f}"].median()) for f in facts],
                           "share_kept": [float(np.mean(table.loc[kept, f"fact:{f}"] >= 1.0)) for f in facts]})
    print(header)
    print(f"sets meeting every fact: {int((table['fact_distance'] == 0).sum())}; kept (fact distance <= "
          f"{epsilon:.3g}, the closest {keep:.0%}): {int(kept.sum())}")
    print(_markdown(shares), "\n")
    print(_markdown(separating(table, kept)))


if __name__ == "__main__":
    main()
