"""Figures of a comparison: trajectories with 95% bands, and the distribution of final outcomes.

Bands and error bars are the t intervals of :mod:`ics_abm.experiments.paired` (the same numbers as the
summary table), computed here rather than by seaborn's bootstrap so that figure and table agree.
Axis labels name each metric with its unit (:func:`ics_abm.metrics.label`). The figures are plain
:class:`matplotlib.figure.Figure` objects (not pyplot's): they need no backend to be saved and
show in Jupyter as a cell's value.
"""

from __future__ import annotations

import math
import textwrap
import warnings

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ics_abm.experiments.paired import grouped_intervals
from ics_abm.metrics import label

__all__ = ["axis_label", "draw_bands", "plot_final_outcomes", "plot_trajectories"]

_MEASURE_LABELS = {"final": "final month", "last_12_mean": "mean of last 12 months"}


def axis_label(metric: str) -> str:
    """The metric's label with its unit (:func:`ics_abm.metrics.label`), wrapped to fit a small panel."""
    return textwrap.fill(label(metric), 28)


def draw_bands(ax: Axes, bands: pd.DataFrame, hue: str, order: list[str], palette: dict[str, tuple]) -> None:
    """Draw one line (mean) and band (interval) per group against the month.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    bands : pandas.DataFrame
        Columns ``step``, ``hue``, ``mean``, ``low``, ``high`` (:func:`ics_abm.experiments.paired.grouped_intervals`).
    hue : str
        Column naming the group.
    order : list of str
        Groups in legend order.
    palette : dict
        Colour of each group.
    """
    for group in order:
        part = bands[bands[hue] == group]
        ax.plot(part["step"], part["mean"], color=palette[group], label=group, linewidth=1.6)
        ax.fill_between(part["step"], part["low"], part["high"], color=palette[group], alpha=0.2, linewidth=0)


def _palette(labels: list[str]) -> dict[str, tuple]:
    return dict(zip(labels, sns.color_palette("colorblind", len(labels)), strict=True))


def _grid(n: int, ncols: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def plot_trajectories(comparison) -> Figure:
    """Mean trajectory of each outcome per option, with its 95% t band over replicates.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome metric, months on the x axis.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    labels = [o.label for o in comparison.options]
    palette = _palette(labels)
    fig, axes = _grid(len(comparison.outcomes), 3, 5.2, 3.6)
    for ax, metric in zip(axes, comparison.outcomes, strict=False):
        bands = grouped_intervals(comparison.trajectories, ["option", "step"], metric)
        draw_bands(ax, bands, "option", labels, palette)
        ax.set(xlabel="Month", ylabel=axis_label(metric), title=metric.replace("_", " "))
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(labels), 4), title="option")
    fig.suptitle(
        f"Mean over {len(comparison.seeds)} replicates (same seeds for every option), with 95% t interval",
        fontsize="large",
    )
    return fig


def plot_final_outcomes(comparison, measure: str = "final") -> Figure:
    """Distribution of each outcome per option, and of its paired difference from the base.

    Left column: the outcome in every replicate per option (box and points). Right column: the
    difference option minus base in the same replicate (points), with the mean and its 95% t
    interval (black), and a line at zero.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison
    measure : {"final", "last_12_mean"}
        Which per-replicate measure to show.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sns.set_theme(style="whitegrid", context="notebook")
    labels = [o.label for o in comparison.options]
    base = labels[0]
    others = labels[1:]
    palette = _palette(labels)
    n = len(comparison.outcomes)
    fig = Figure(figsize=(12, 2.9 * n + 0.6), layout="constrained")
    axes = fig.subplots(n, 2, squeeze=False)
    table = comparison.table
    for (left, right), metric in zip(axes, comparison.outcomes, strict=True):
        part = table[table["outcome"] == metric]
        with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib's deprecated `vert`; not ours to fix
            warnings.filterwarnings("ignore", message=".*vert: bool", category=DeprecationWarning)
            sns.boxplot(data=part, x="option", y=measure, hue="option", order=labels, palette=palette,
                        ax=left, fliersize=0, boxprops={"alpha": 0.35}, legend=False)
        sns.stripplot(data=part, x="option", y=measure, hue="option", order=labels, palette=palette,
                      ax=left, size=3, jitter=0.2, legend=False)
        title = f"{metric.replace('_', ' ')}: {_MEASURE_LABELS[measure]}"
        left.set(xlabel="", ylabel=axis_label(metric), title=title)
        wide = part.pivot(index="replicate", columns="option", values=measure)
        diffs = wide[others].sub(wide[base], axis=0).melt(var_name="option", value_name="difference")
        sns.stripplot(data=diffs, x="option", y="difference", hue="option", order=others, palette=palette,
                      ax=right, size=3, jitter=0.2, legend=False)
        summary = comparison.summary
        rows = summary[(summary["outcome"] == metric) & (summary["measure"] == measure)].set_index("option")
        for x, option in enumerate(others):
            row = rows.loc[option]
            right.errorbar(x, row["difference"], yerr=[[row["difference"] - row["difference_low"]],
                                                        [row["difference_high"] - row["difference"]]],
                           fmt="o", color="black", capsize=5, markersize=5, zorder=5)
        right.axhline(0, color="0.3", linewidth=0.8)
        right.set(xlabel="", ylabel=f"difference from {base}", title="paired difference, mean and 95% t interval")
    fig.suptitle(f"{len(comparison.seeds)} replicates per option, {comparison.steps} months; base: {base}",
                 fontsize="large")
    return fig
