"""The diagnostics of docs/calibration.md: marginals, pair plot, prior and posterior predictive checks.

Usage (from the repository root)::

    .venv/bin/python docs/scripts/calibration_diagnostics.py            # the shipped posterior
    .venv/bin/python docs/scripts/calibration_diagnostics.py --source results/calibrate-default

writes ``docs/img/calibration/{marginals,pairs,predictive}.png`` and prints the Markdown tables
of docs/calibration.md (marginals, predictive checks). The predictive checks run every pattern
for parameter sets drawn from the posterior and, for comparison, from the prior, each on new
seeds (root seed ``--seed``, not the calibration's).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path("docs/img/calibration")


def _defaults(names: list[str]) -> dict[str, float]:
    from ics_abm.experiments.validation.robustness import assumption_paths

    values = dict(assumption_paths())
    return {name: float(values[name]) for name in names}


def plot_marginals(frame: pd.DataFrame, table: pd.DataFrame, path: Path, top: int = 12) -> None:
    """Posterior histograms of the ``top`` most constrained parameters, prior box and default marked."""
    import matplotlib.pyplot as plt

    rows = table.head(top)
    fig, axes = plt.subplots(3, 4, figsize=(13, 8.5), constrained_layout=True)
    for ax, row in zip(axes.flat, rows.itertuples(index=False)):
        values = frame[row.parameter].to_numpy()
        ax.hist(values, bins=20, range=(row.prior_low, row.prior_high), weights=frame["weight"], density=True,
                color="#4c72b0", alpha=0.8, label="posterior")
        ax.axhline(1.0 / (row.prior_high - row.prior_low), color="0.3", ls="--", lw=1, label="prior (uniform)")
        ax.axvline(row.default, color="#c44e52", lw=1.5, label="default (docs/model.md)")
        ax.axvspan(row.q05, row.q95, color="#4c72b0", alpha=0.08)
        ax.set_title(f"{row.parameter}\nKS {row.ks:.2f}", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(rows):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="upper right")
    fig.suptitle("Posterior marginals of the most constrained parameters (shaded: central 90 %)", fontsize=12)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_pairs(frame: pd.DataFrame, names: list[str], path: Path) -> None:
    """Pair plot of the posterior sample over ``names``."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    grid = sns.pairplot(frame[names], corner=True, plot_kws={"s": 6, "alpha": 0.4, "edgecolor": "none"},
                        diag_kws={"bins": 20}, height=2.2)
    for ax in grid.axes.flat:
        if ax is not None:
            ax.xaxis.label.set_size(8)
            ax.yaxis.label.set_size(8)
            ax.tick_params(labelsize=7)
    grid.figure.suptitle("Posterior pair plot of the five most constrained parameters", y=1.01)
    grid.figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(grid.figure)


def plot_predictive(prior: pd.DataFrame, post: pd.DataFrame, patterns: list[str], path: Path) -> None:
    """Each pattern's statistic in prior and posterior predictive draws, with its target range."""
    import matplotlib.pyplot as plt

    from ics_abm.experiments.calibration.patterns import PATTERNS

    fig, axes = plt.subplots(2, 4, figsize=(14, 6.5), constrained_layout=True)
    for ax, name in zip(axes.flat, patterns):
        low, high = PATTERNS[name].target
        both = np.concatenate([prior[name].dropna(), post[name].dropna()])
        edges = np.linspace(min(both.min(), low), max(both.max(), high), 21)
        ax.axvspan(low, high, color="#55a868", alpha=0.15, label="target")
        ax.hist(prior[name], bins=edges, color="0.6", alpha=0.7, label="prior predictive")
        ax.hist(post[name], bins=edges, color="#4c72b0", alpha=0.7, label="posterior predictive")
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8)
    last = axes.flat[len(patterns)] if len(patterns) < axes.size else None
    if last is not None:
        shares = pd.DataFrame({
            "prior": [np.mean(prior[n].between(*PATTERNS[n].target)) for n in patterns],
            "posterior": [np.mean(post[n].between(*PATTERNS[n].target)) for n in patterns]}, index=patterns)
        shares.plot.barh(ax=last, color=["0.6", "#4c72b0"], legend=False)
        last.set_xlim(0, 1)
        last.set_title("share of draws inside the target", fontsize=10)
        last.tick_params(labelsize=7)
        last.invert_yaxis()
        last.legend(fontsize=7, loc="lower right")
    for ax in list(axes.flat)[len(patterns) + 1:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Predictive checks: every pattern on new seeds, prior against posterior draws", fontsize=12)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _markdown(table: pd.DataFrame) -> str:
    def cell(value) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=None, help="calibration folder (default: the shipped posterior)")
    parser.add_argument("--config", default="default", help="its calibration config (name or file)")
    parser.add_argument("--draws", type=int, default=200, help="predictive draws from the posterior and the prior")
    parser.add_argument("--seed", type=int, default=7, help="root seed of the draws and their (new) seeds")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from ics_abm.experiments.calibration import read_config
    from ics_abm.experiments.calibration.diagnostics import marginals, predictive_check, prior_draws, within_targets
    from ics_abm.experiments.calibration.posterior import parameter_columns, posterior
    from ics_abm.experiments.sweeps.executors import open_engine

    config = read_config(args.config)
    frame = posterior(args.source)
    OUT.mkdir(parents=True, exist_ok=True)
    names = parameter_columns(frame)
    table = marginals(frame, config, _defaults(names))
    plot_marginals(frame, table, OUT / "marginals.png")
    plot_pairs(frame, table["parameter"].head(5).tolist(), OUT / "pairs.png")
    patterns = list(config.settings.patterns)
    started = time.perf_counter()
    with open_engine(workers=args.workers) as engine:
        post = predictive_check(frame, config, args.draws, args.seed, engine.executor)
        prior = predictive_check(prior_draws(config, args.draws, args.seed), config, args.draws, args.seed,
                                 engine.executor)
    wall = time.perf_counter() - started
    plot_predictive(prior, post, patterns, OUT / "predictive.png")
    checks = within_targets(post, patterns).merge(
        within_targets(prior, patterns)[["pattern", "median", "share_inside"]], on="pattern",
        suffixes=("_posterior", "_prior"))
    print(f"<!-- docs/scripts/calibration_diagnostics.py --draws {args.draws} --seed {args.seed}: "
          f"{2 * args.draws} predictive draws in {wall:.0f} s wall ({args.workers} workers) -->\n")
    print("All draws meet every pattern (posterior):", float(np.mean(post["distance"] == 0)),
          " (prior):", float(np.mean(prior["distance"] == 0)), "\n")
    print(_markdown(checks), "\n")
    shown = table.assign(default_inside=table["default_inside"].map({True: "yes", False: "**no**"}))
    print(_markdown(shown))


if __name__ == "__main__":
    main()
