"""Figures of sensitivity indices (seaborn): Sobol' bars, Morris mu*-sigma plane; one panel per policy.

A plain :class:`matplotlib.figure.Figure` (not pyplot's): it needs no backend to be saved and
shows in Jupyter as a cell's value.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ics_abm.experiments.sweeps.sensitivity import INDICES
from ics_abm.output.figures import DPI

__all__ = ["plot_sensitivity"]


def _policy_label(frame: pd.DataFrame) -> str:
    fixed = set(INDICES["sobol"]) | set(INDICES["morris"]) | {"method", "metric", "last", "policy_id", "parameter"}
    levers = [c for c in frame.columns if c not in fixed]
    if not levers:
        return "all runs"
    row = frame.iloc[0]
    return ", ".join(f"{c} = {row[c]}" for c in levers)


def _sobol(ax, frame: pd.DataFrame) -> None:
    import seaborn as sns

    long = frame.melt(id_vars="parameter", value_vars=["S1", "ST"], var_name="index", value_name="value")
    conf = frame.melt(id_vars="parameter", value_vars=["S1_conf", "ST_conf"], var_name="index", value_name="conf")
    sns.barplot(data=long, y="parameter", x="value", hue="index", errorbar=None, orient="h", ax=ax,
                order=list(frame["parameter"]), hue_order=["S1", "ST"])
    # SALib's bootstrap half-widths, drawn on the bars seaborn placed (one container per index)
    for container, name in zip(ax.containers, ["S1_conf", "ST_conf"], strict=False):
        half = conf[conf["index"] == name]["conf"].to_numpy()
        centres = [bar.get_y() + bar.get_height() / 2 for bar in container]
        widths = [bar.get_width() for bar in container]
        ax.errorbar(widths, centres, xerr=half, fmt="none", ecolor="0.2", capsize=3, lw=1)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set(xlabel="Sobol' index (share of variance)", ylabel="")
    ax.legend(title=None, labels=["first order (S1)", "total (ST)"] if len(ax.containers) == 2 else None,
              fontsize="small")


def _morris(ax, frame: pd.DataFrame, top: float) -> None:
    import seaborn as sns

    sns.scatterplot(data=frame, x="mu_star", y="sigma", hue="parameter", s=60, ax=ax, legend=False)
    ax.errorbar(frame["mu_star"], frame["sigma"], xerr=frame["mu_star_conf"], fmt="none", ecolor="0.5", lw=1)
    for _, row in frame.iterrows():
        ax.annotate(row["parameter"], (row["mu_star"], row["sigma"]), textcoords="offset points", xytext=(5, 4),
                    fontsize="small")
    ax.plot([0, top], [0, top], ls=":", color="0.6", lw=1)  # sigma = mu*: effects that vary as much as they act
    ax.set(xlabel="μ* (mean |elementary effect|)", ylabel="σ (spread of elementary effects)",
           xlim=(0, top), ylim=(0, top))


def plot_sensitivity(indices: pd.DataFrame, path: str | os.PathLike | None = None) -> Figure:
    """Draw :func:`ics_abm.experiments.sweeps.sensitivity.analyse`'s table, one panel per policy.

    Parameters
    ----------
    indices : pandas.DataFrame
        The table of indices (one method, one metric).
    path : str or os.PathLike, optional
        Save the figure there (PNG).

    Returns
    -------
    matplotlib.figure.Figure
    """
    method, metric, last = indices["method"].iloc[0], indices["metric"].iloc[0], int(indices["last"].iloc[0])
    policies = [g for _, g in indices.groupby("policy_id", sort=True)]
    n_params = indices["parameter"].nunique()
    height = max(3.0, 0.45 * n_params + 1.5) if method == "sobol" else 4.0
    figure = Figure(figsize=(5.0 * len(policies), height), layout="constrained")
    axes = figure.subplots(1, len(policies), squeeze=False, sharex=method == "sobol")
    if method == "morris":  # one scale for every panel, so that policies can be compared by eye
        reach = np.r_[(indices["mu_star"] + indices["mu_star_conf"]).to_numpy(), indices["sigma"].to_numpy()]
        top = 1.1 * float(np.nanmax(reach)) if np.isfinite(reach).any() and np.nanmax(reach) > 0 else 1.0
    for ax, group in zip(axes[0], policies, strict=True):
        if method == "sobol":
            _sobol(ax, group)
        else:
            _morris(ax, group, top)
        ax.set_title(_policy_label(group), fontsize="medium")
    what = "Sobol' indices" if method == "sobol" else "Morris screening"
    window = "final month" if last == 1 else f"mean of the last {last} months"
    figure.suptitle(f"{what} of {metric} ({window})")
    if path is not None:
        figure.savefig(path, dpi=DPI)
    return figure
