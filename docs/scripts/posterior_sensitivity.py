"""Global sensitivity on the posterior (issue 11, point 5): Morris screening over its central 90% box.

Which calibrated parameters drive the headline outcomes (:data:`HEADLINE`: mean trust, the
collaboration rate and integration progress, each the mean of its last 12 months of a 10-year
run) over the parameter sets the evidence allows?

Method. For each calibrated parameter the posterior's weighted 5th and 95th percentiles give a
range; the box of those ranges is screened with the Morris method by the project's own sweep
machinery: this script writes a sweep file (``design = "morris"`` over ``[uncertainties.ranges]``)
into the output folder, runs it with :func:`ics_abm.experiments.sweeps.sweep` and analyses it
with :func:`ics_abm.experiments.sweeps.sensitivity.analyse` (SALib), once per outcome. Morris
assumes independent inputs, and the box ignores the posterior's correlations: it screens the
model over a region that contains the posterior, not the posterior itself. Every point runs the
same seeds (common random numbers) and its outcome is the mean over them.

Usage (from the repository root)::

    .venv/bin/python docs/scripts/posterior_sensitivity.py --posterior /work/calib/default \\
        --out results/posterior-sensitivity --trajectories 150 --workers 2

It writes ``OUT/posterior-morris.toml`` (the sweep), the sweep's results, ``OUT/box.csv``,
``OUT/indices.csv`` (every parameter, every outcome), ``OUT/table.md`` (the top parameters per
outcome) and the figures ``docs/img/calibration/sensitivity-<outcome>.png`` (``--img``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

#: The headline outcomes (metrics of :data:`ics_abm.metrics.METRICS`) and how they are named.
HEADLINE = {"mean_trust": "mean trust", "collaboration_rate": "collaboration rate",
            "integration_progress": "integration progress"}
#: Share of the posterior's mass outside the box on each side.
TAIL = 0.05
ROOT = Path(__file__).resolve().parents[2]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` with importance ``weights`` (midpoint rule, linear between).

    Parameters
    ----------
    values, weights : ndarray, shape (n,)
        Weights >= 0, not all zero.
    q : float
        In [0, 1].
    """
    values, weights = np.asarray(values, np.float64), np.asarray(weights, np.float64)
    kept = weights > 0  # a value of weight 0 is not in the posterior
    order = np.argsort(values[kept], kind="stable")
    v, w = values[kept][order], weights[kept][order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cdf, v))


def posterior_box(frame: pd.DataFrame, parameters: list[str] | None = None, tail: float = TAIL) -> pd.DataFrame:
    """The central ``1 - 2 tail`` range of each parameter of a posterior, weighted.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :func:`ics_abm.experiments.calibration.posterior` table.
    parameters : list of str, optional
        Dotted scenario paths (default: every parameter of ``frame``).
    tail : float
        Mass left out on each side (0.05: the 5th to the 95th percentile).

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter, low, median, high`` (in the parameter's units).
    """
    from ics_abm.experiments.calibration.posterior import parameter_columns

    weights = frame["weight"].to_numpy(np.float64)
    rows = []
    for name in parameters or parameter_columns(frame):
        values = frame[name].to_numpy(np.float64)
        rows.append({"parameter": name, "low": weighted_quantile(values, weights, tail),
                     "median": weighted_quantile(values, weights, 0.5),
                     "high": weighted_quantile(values, weights, 1.0 - tail)})
    return pd.DataFrame(rows)


def with_prior(box: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``box`` with the calibration's prior range of each parameter and ``share``: the box's width
    as a share of the prior's (a uniform marginal, i.e. a parameter the patterns did not narrow,
    gives about 0.9)."""
    config = tomllib.loads(frame.attrs.get("provenance", {}).get("config") or "")
    ranges = {path: table.get("range", [np.nan, np.nan]) for path, table in config.get("prior", {}).items()}
    box = box.copy()
    box["prior_low"] = [float(ranges.get(p, [np.nan, np.nan])[0]) for p in box["parameter"]]
    box["prior_high"] = [float(ranges.get(p, [np.nan, np.nan])[1]) for p in box["parameter"]]
    box["share"] = (box["high"] - box["low"]) / (box["prior_high"] - box["prior_low"])
    return box


def _toml_value(value) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(float(value)) if isinstance(value, float) else str(value)


def sweep_toml(box: pd.DataFrame, scenario: str, steps: int, trajectories: int, replicates: int,
               root_seed: int = 20261206, levels: int = 4, description: str = "") -> str:
    """The text of a Morris sweep file over ``box`` (docs/sweeps.md).

    Parameters whose box is a single value (no spread in the posterior) are set as constants at
    their median instead of sampled.
    """
    lines = ["# Morris screening over the posterior's central 90% box (docs/calibration-sensitivity.md);",
             "# written by docs/scripts/posterior_sensitivity.py.", "[sweep]", 'name = "posterior-morris"',
             f"description = {_toml_value(description or 'Morris screening of the posterior box')}",
             f"scenario = {_toml_value(scenario)}", f"steps = {int(steps)}", f"replicates = {int(replicates)}",
             f"root_seed = {int(root_seed)}"]
    fixed = box[~(box["low"] < box["high"])]
    if len(fixed):
        lines += ["", "[constants]"] + [f"{_toml_value(r.parameter)} = {r.median!r}" for r in fixed.itertuples()]
    lines += ["", "[uncertainties]", 'design = "morris"', f"samples = {int(trajectories)}", f"levels = {int(levels)}",
              "", "[uncertainties.ranges]"]
    lines += [f"{_toml_value(r.parameter)} = [{r.low!r}, {r.high!r}]" for r in box.itertuples() if r.low < r.high]
    return "\n".join(lines) + "\n"


def _calibration_of(frame: pd.DataFrame) -> dict:
    """The base scenario, run length, seeds and root seed of the calibration behind a posterior table."""
    provenance = frame.attrs.get("provenance", {})
    settings = tomllib.loads(provenance.get("config") or "").get("calibration", {})
    scenario = settings.get("scenario", "default")
    source = provenance.get("source")
    if source and (Path(source) / scenario).is_file():  # a file next to the calibration's config
        scenario = os.fspath((Path(source) / scenario).resolve())
    return {"scenario": scenario, "steps": int(settings.get("steps", 120)), "seeds": int(settings.get("seeds", 10)),
            "root_seed": int(settings.get("root_seed", 0))}


def posterior_sensitivity(source: str | os.PathLike | None, out: str | os.PathLike, *,
                          parameters: list[str] | None = None, trajectories: int = 20, replicates: int | None = None,
                          steps: int | None = None, last: int = 12, workers: int = 1,
                          metrics: tuple[str, ...] = tuple(HEADLINE), root_seed: int | None = None) -> pd.DataFrame:
    """Run the Morris screening of a posterior's box and return the indices of every outcome.

    Parameters
    ----------
    source : path or None
        A calibration folder (``ics-abm calibrate --out``), or None for the shipped posterior.
    out : path
        New (or empty) folder for the sweep file, the sweep's results and the tables.
    parameters : list of str, optional
        Screen only these parameters (the others stay at the base scenario's values).
    trajectories : int
        Morris trajectories r; the sweep has ``r (D + 1)`` points for D parameters.
    replicates : int, optional
        Seeds per point (the same at every point); the outcome of a point is their mean. Default:
        the calibration's number of seeds.
    steps : int, optional
        Months per run (default: the calibration's run length).
    last : int
        The outcome of a run is the mean of the metric over its last ``last`` months.
    workers : int
        Local worker processes of the sweep.
    metrics : tuple of str
        Outcomes to analyse.
    root_seed : int, optional
        Root seed of the sweep's replicates and of the Morris sample. Default: the calibration's,
        so that with the default ``replicates`` every point runs exactly the calibration's seeds
        (both spawn them from the root seed in the same way).

    Returns
    -------
    pandas.DataFrame
        One row per outcome and parameter: ``metric, parameter, mu, mu_star, sigma,
        mu_star_conf`` (SALib's Morris indices in the outcome's units per move across the whole
        box), ``low, high`` (the box), ``rank`` (1 = largest ``mu_star`` within the outcome);
        ``attrs`` holds the run's size and times.
    """
    from ics_abm.experiments.calibration.posterior import posterior
    from ics_abm.experiments.sweeps import read_sweep, sweep
    from ics_abm.experiments.sweeps.sensitivity import analyse

    frame = posterior(source)
    box = posterior_box(frame, parameters)
    calibration = _calibration_of(frame)
    replicates = calibration["seeds"] if replicates is None else replicates
    root_seed = calibration["root_seed"] if root_seed is None else root_seed
    steps = steps or calibration["steps"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with_prior(box, frame).to_csv(out / "box.csv", index=False)
    path = out / "posterior-morris.toml"
    path.write_text(sweep_toml(box, calibration["scenario"], steps, trajectories, replicates, root_seed,
                               description=f"posterior of {source or 'the package'}"), encoding="utf-8")
    started, cpu = time.perf_counter(), time.process_time()
    result = sweep(read_sweep(path), out / "sweep", workers=workers, progress=False)
    wall = time.perf_counter() - started
    tables = [analyse(out / "sweep", metric, last, seed=root_seed % 2**32) for metric in metrics]
    indices = pd.concat(tables, ignore_index=True)[["metric", "parameter", "mu", "mu_star", "sigma", "mu_star_conf"]]
    indices = indices.merge(box[["parameter", "low", "high"]], on="parameter", how="left")
    indices["rank"] = indices.groupby("metric")["mu_star"].rank(ascending=False, method="first").astype(int)
    indices = indices.sort_values(["metric", "rank"], key=lambda c: c.map(list(metrics).index)
                                  if c.name == "metric" else c).reset_index(drop=True)
    indices.attrs.update({"runs": result.runs, "points": result.runs // replicates, "parameters": len(box),
                          "trajectories": trajectories, "replicates": replicates, "sweep_wall_s": wall,
                          "sweep_cpu_s_main": time.process_time() - cpu, "workers": workers, "steps": steps,
                          "last": last, "root_seed": root_seed})
    indices.to_csv(out / "indices.csv", index=False)
    return indices


def markdown_table(indices: pd.DataFrame, top: int = 10) -> str:
    """The ``top`` parameters of each outcome by ``mu_star`` as one markdown table."""
    lines = ["| outcome | rank | parameter | μ* ± 95% | μ | σ | box (5th–95th percentile) |",
             "|---|---|---|---|---|---|---|"]
    for metric, group in indices.groupby("metric", sort=False):
        for row in group.nsmallest(top, "rank").itertuples():
            lines.append(f"| {HEADLINE.get(metric, metric)} | {row.rank} | `{row.parameter}` | "
                         f"{row.mu_star:.3f} ± {row.mu_star_conf:.3f} | {row.mu:+.3f} | {row.sigma:.3f} | "
                         f"{_short(row.low)}–{_short(row.high)} |")
    return "\n".join(lines) + "\n"


def rank_table(indices: pd.DataFrame, top: int = 5) -> str:
    """Markdown: every parameter in some outcome's top ``top``, with its rank for each outcome."""
    ranks = indices.pivot(index="parameter", columns="metric", values="rank")
    ranks = ranks[[m for m in indices["metric"].unique()]]
    chosen = ranks[(ranks <= top).any(axis=1)]
    chosen = chosen.loc[chosen.mean(axis=1).sort_values(kind="stable").index]
    names = [HEADLINE.get(m, m) for m in chosen.columns]
    lines = ["| parameter | " + " | ".join(f"rank: {n}" for n in names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| `{p}` | " + " | ".join(str(int(r)) for r in row) + " |" for p, row in chosen.iterrows()]
    return "\n".join(lines) + "\n"


def _short(x: float) -> str:
    return f"{x:.3g}" if math.isfinite(x) else "nan"


def plot_top(indices: pd.DataFrame, metric: str, path: str | os.PathLike | None = None, top: int = 15):
    """Bars of ``mu_star`` (with its 95% half-width) of the ``top`` parameters for one outcome.

    Bars are coloured by the sign of ``mu``: raises the outcome (|mu| >= mu_star / 2 and mu > 0),
    lowers it (mu < 0), or mixed (effects of both signs); sigma is drawn as a dot.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    group = indices[indices["metric"] == metric].nsmallest(top, "rank").iloc[::-1]
    mixed = group["mu"].abs() < 0.5 * group["mu_star"]
    colours = np.where(mixed, "0.65", np.where(group["mu"] > 0, "#2b6cb0", "#c53030"))
    figure = Figure(figsize=(8.0, 0.34 * len(group) + 1.6), layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(group))
    ax.barh(y, group["mu_star"], xerr=group["mu_star_conf"], color=colours, ecolor="0.25", capsize=2)
    ax.plot(group["sigma"], y, "o", color="black", ms=4, label="σ (spread of the effects)")
    ax.set_yticks(y, group["parameter"], fontsize=9)
    ax.set_xlim(left=0)
    name = HEADLINE.get(metric, metric)
    ax.set_xlabel(f"μ*: mean |change in {name}| when the parameter moves across its whole box", fontsize=9)
    from matplotlib.patches import Patch

    kinds = {"#2b6cb0": "raises it (μ > 0)", "#c53030": "lowers it (μ < 0)", "0.65": "either way (|μ| < μ*/2)"}
    handles = [Patch(color=c, label=label) for c, label in kinds.items() if c in set(colours)]
    handles += ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    n = indices.loc[indices["metric"] == metric, "parameter"].nunique()
    steps, last = indices.attrs.get("steps", 120), indices.attrs.get("last", 12)
    horizon = f"{steps // 12} years" if steps % 12 == 0 else f"{steps} months"
    figure.suptitle(f"Morris screening of {name} (mean of the last {last} months of {horizon})\n"
                    f"top {len(group)} of {n} parameters over the posterior's central 90% box; "
                    "whiskers: 95% interval of μ*", fontsize=10)
    if path is not None:
        figure.savefig(path, dpi=150)
    return figure


def main() -> None:
    """Run the screening, print the table and write the figures (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", help="a calibration folder (default: the shipped posterior)")
    parser.add_argument("--out", default="results/posterior-sensitivity", type=Path)
    parser.add_argument("--trajectories", type=int, default=150, help="Morris trajectories (150: about 5 min on 2 cores)")
    parser.add_argument("--replicates", type=int, help="seeds per point (default: the calibration's)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=15, help="parameters per figure")
    parser.add_argument("--table-top", type=int, default=10, help="parameters per outcome in table.md")
    parser.add_argument("--img", type=Path, default=ROOT / "docs" / "img" / "calibration")
    args = parser.parse_args()
    indices = posterior_sensitivity(args.posterior, args.out, trajectories=args.trajectories,
                                    replicates=args.replicates, workers=args.workers)
    table = rank_table(indices) + "\n" + markdown_table(indices, args.table_top)
    (args.out / "table.md").write_text(table, encoding="utf-8")
    args.img.mkdir(parents=True, exist_ok=True)
    for metric in indices["metric"].unique():
        plot_top(indices, metric, args.img / f"sensitivity-{metric.replace('_', '-')}.png", args.top)
    print(table)
    print(json.dumps(indices.attrs))


if __name__ == "__main__":
    main()
