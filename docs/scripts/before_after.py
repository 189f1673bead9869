"""The figure "before and after" of docs/validation.md: the default scenario in two versions.

Runs ``scenarios/default.toml`` of this checkout and of an earlier one (each with its own code
and its own default scenario) for seeds 0-39 and 120 months, and draws mean trust,
collaboration and integration progress month by month: the mean over seeds and the band of the
10th to 90th percentile. The earlier version runs in a subprocess with its checkout first on
``sys.path``, so that the two packages never meet in one interpreter.

Usage (from the repository root)::

    git worktree add /tmp/before 87f5100        # the last commit before issue 10
    .venv/bin/python docs/scripts/before_after.py --before /tmp/before

writes ``docs/img/model-changes/before-after.png``.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

METRICS = ("mean_trust", "collaboration_rate", "integration_progress")
TITLES = ("Mean trust", "Collaboration rate", "Integration progress (index)")
_RUN = """
import sys
from ics_abm import load_scenario
from ics_abm.experiments.batch import system_table
table = system_table(load_scenario("scenarios/default.toml"), list(range({seeds})), {steps}, parallel=False)
table[["run", "step", {metrics}]].to_csv(sys.stdout, index=False)
"""


def trajectories(checkout: Path, seeds: int, steps: int) -> pd.DataFrame:
    """The system table of the default scenario of ``checkout``, run by its own code."""
    code = _RUN.format(seeds=seeds, steps=steps, metrics=", ".join(repr(m) for m in METRICS))
    out = subprocess.run([sys.executable, "-c", code], cwd=checkout, env={"PYTHONPATH": str(checkout)},
                         capture_output=True, text=True, check=True)
    return pd.read_csv(io.StringIO(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the earlier version")
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--out", type=Path, default=Path("docs/img/model-changes/before-after.png"))
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def commit(path: Path) -> str:
        return subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()

    versions = {f"before (commit {commit(args.before)})": args.before.resolve(),
                f"after (commit {commit(Path.cwd())})": Path.cwd()}
    tables = {name: trajectories(path, args.seeds, args.steps) for name, path in versions.items()}
    fig, axes = plt.subplots(1, len(METRICS), figsize=(13, 4), constrained_layout=True)
    colours = ("#999999", "#0072B2")  # grey for the old model, blue for the new (colour-blind safe)
    for ax, metric, title in zip(axes, METRICS, TITLES, strict=True):
        for (name, table), colour in zip(tables.items(), colours, strict=True):
            by_month = table.groupby("step")[metric]
            ax.fill_between(by_month.quantile(0.1).index, by_month.quantile(0.1), by_month.quantile(0.9),
                            color=colour, alpha=0.25, linewidth=0)
            ax.plot(by_month.mean().index, by_month.mean(), color=colour, label=name, linewidth=2)
        ax.set_title(title)
        ax.set_xlabel("month")
        if metric != "integration_progress":
            ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right", frameon=False)
    fig.suptitle(f"Default scenario (2018 settings), seeds 0-{args.seeds - 1}: mean and 10th-90th percentile")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    for name, table in tables.items():
        month = table.pivot(index="run", columns="step", values="mean_trust")
        rose = (month[12] > month[1]).mean()
        print(f"{name}: mean trust {month[1].mean():.3f} at month 1, {month[12].mean():.3f} at month 12 "
              f"(rose in {rose:.0%} of runs), {month[args.steps].mean():.3f} at month {args.steps}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
