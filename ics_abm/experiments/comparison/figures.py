"""Figures of a comparison: trajectories with bootstrap bands, and each outcome's paired differences.

Conventions (seaborn's whitegrid theme; a policy reader first):

* every option has its own colour *and* line style (the base dark grey and solid), from a
  colour-blind-safe palette with no two near-identical hues;
* options whose results are identical are flagged in the panel's title and the legend, never
  silently drawn on top of each other;
* option names are on the vertical axis or in the legend, wrapped, so they never overlap;
* an axis of a quantity that cannot be negative starts at zero; a difference axis always shows
  zero;
* bands and intervals are percentile bootstrap intervals of the mean
  (:mod:`ics_abm.experiments.comparison.statistics`), the same as the tables, and so never leave
  an outcome's range.

The figures are plain :class:`matplotlib.figure.Figure` objects (not pyplot's): they need no
backend to be saved and show in Jupyter as a cell's value.
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
from matplotlib.ticker import MaxNLocator

from ics_abm.experiments.comparison.outcomes import describe, headline, unit_words
from ics_abm.experiments.comparison.statistics import mean_bands
from ics_abm.metrics import SYSTEM_METRICS, label

__all__ = ["axis_label", "draw_bands", "identical_groups", "option_styles", "plot_final_outcomes", "plot_trajectories"]

#: Colour-blind palette order: the two oranges of seaborn's "colorblind" (1 and 3) are far apart.
_ORDER = (0, 1, 2, 4, 9, 5, 6, 8, 3, 7)
_DASHES = ("-", (0, (6, 2)), (0, (3, 1, 1, 1)), (0, (1, 1)), (0, (8, 2, 1, 2, 1, 2)), (0, (4, 4)), (0, (2, 3)))
_BASE_COLOUR = (0.25, 0.25, 0.25)


def axis_label(metric: str) -> str:
    """The metric's label with its unit (:func:`ics_abm.metrics.label`), wrapped to fit a small panel."""
    return textwrap.fill(label(metric), 28)


def draw_bands(ax: Axes, bands: pd.DataFrame, hue: str, order: list[str], palette: dict[str, tuple]) -> None:
    """Draw one line (mean) and band (interval) per group against the month (used by the validation figures).

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


def option_styles(labels: list[str]) -> dict[str, dict]:
    """Colour and line style of each option, the base (first) dark grey and solid.

    Returns
    -------
    dict
        ``{label: {"color": rgb, "linestyle": style}}``; no two options share a colour (up to
        ten) or a line style (up to seven).
    """
    colours = sns.color_palette("colorblind", 10)
    styles = {labels[0]: {"color": _BASE_COLOUR, "linestyle": "-"}}
    for i, name in enumerate(labels[1:]):
        styles[name] = {"color": colours[_ORDER[i % len(_ORDER)]], "linestyle": _DASHES[(i + 1) % len(_DASHES)]}
    return styles


def identical_groups(values: dict[str, np.ndarray]) -> list[list[str]]:
    """Groups of two or more options whose arrays are equal element for element (NaN equal to NaN)."""
    groups: list[list[str]] = []
    for name, array in values.items():
        for group in groups:
            if np.array_equal(values[group[0]], array, equal_nan=True):
                group.append(name)
                break
        else:
            groups.append([name])
    return [g for g in groups if len(g) > 1]


def _identical_note(groups: list[list[str]]) -> str:
    return "; ".join("identical: " + " = ".join(g) for g in groups)


def _wrap(name: str, width: int = 22) -> str:
    """An option's label on lines of at most ``width`` characters, broken after underscores."""
    lines, line = [], ""
    for word in name.split("_"):
        joined = f"{line}_{word}" if line else word
        if len(joined) > width and line:
            lines.append(line + "_")
            line = word
        else:
            line = joined
    return "\n".join([*lines, line])


def _zero_floor(ax: Axes, outcome: str, axis: str = "y") -> None:
    """Start the axis of a quantity that cannot be negative at zero (a small margin keeps a line at zero visible)."""
    metric = SYSTEM_METRICS[outcome]
    if metric.low == 0:
        low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
        high = high + 0.02 * (high - low) if high > 0 else 1.0  # points at the maximum stay inside
        (ax.set_ylim if axis == "y" else ax.set_xlim)(-0.02 * high, high)  # type: ignore[operator]
    elif metric.low < 0:
        (ax.axhline if axis == "y" else ax.axvline)(0, color="0.5", linewidth=0.8)


def _runs(part: pd.DataFrame) -> str | list[str]:
    """What identifies a run of one option: its replicate, or (draw, replicate) with parameter draws."""
    return ["draw", "replicate"] if "draw" in part.columns else "replicate"


def _series(comparison, outcome: str) -> dict[str, np.ndarray]:
    """``{option: replicate x month values}``; for a flow reported as a total, the running total."""
    part = comparison.trajectories[comparison.trajectories["outcome"] == outcome]
    running = headline(outcome) == "total"
    series = {}
    for name in comparison.labels:
        values = part[part["option"] == name].pivot(index=_runs(part), columns="step", values="value").to_numpy()
        series[name] = np.nancumsum(values, axis=1) if running else values
    return series


def _trajectory_label(outcome: str) -> tuple[str, str]:
    """Panel title and y label of an outcome's trajectory."""
    metric = SYSTEM_METRICS[outcome]
    if headline(outcome) == "total":
        return f"{metric.total[0].upper()}{metric.total[1:]} so far", textwrap.fill(f"running total ({metric.total_unit})", 30)
    plain = metric.plain or outcome.replace("_", " ")
    return plain[0].upper() + plain[1:], textwrap.fill(f"{plain} ({unit_words(outcome, 'final')})", 30)


def _note(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.25", fontsize="small",
            bbox={"facecolor": "white", "edgecolor": "0.7", "boxstyle": "round"})


def _constant_note(outcome: str, values: list[np.ndarray]) -> str:
    """A note for a panel in which nothing moves: every value of every option is the same number."""
    flat = np.concatenate([v.reshape(-1) for v in values])
    flat = flat[~np.isnan(flat)]
    if flat.size == 0 or flat.min() != flat.max():
        return ""
    never = SYSTEM_METRICS[outcome].never
    if flat[0] == 0 and never:
        return textwrap.fill(f"Zero in every run: the system {never} under any option.", 34)
    return textwrap.fill(f"{flat[0]:.3g} in every run under every option.", 34)


def _everywhere_identical(comparison) -> dict[str, str]:
    """``{option: earlier option}`` for options identical to an earlier one on every outcome shown."""
    same: dict[str, str] = {}
    for i, name in enumerate(comparison.labels):
        for earlier in comparison.labels[:i]:
            if all(np.array_equal(s[name], s[earlier], equal_nan=True)
                   for s in (_series(comparison, o) for o in comparison.outcomes)):
                same[name] = earlier
                break
    return same


def plot_trajectories(comparison) -> Figure:
    """Mean trajectory of each outcome per option, with its 95% bootstrap band over replicates.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome metric, months on the x axis, the legend below.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    labels = comparison.labels
    styles = option_styles(labels)
    n = len(comparison.outcomes)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(5.0 * ncols, 3.7 * nrows + 0.9), layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False).flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, outcome in zip(axes, comparison.outcomes):
        series = _series(comparison, outcome)
        for name in labels:
            mean, low, high = mean_bands(series[name])
            steps = np.arange(1, mean.size + 1)
            ax.plot(steps, mean, label=name, linewidth=1.8, **styles[name])
            ax.fill_between(steps, low, high, color=styles[name]["color"], alpha=0.15, linewidth=0)
        note = _identical_note(identical_groups(series))
        title, ylabel = _trajectory_label(outcome)
        ax.set_title(title + (f"\n{textwrap.fill(note, 50)}" if note else ""), fontsize="medium")
        ax.set(xlabel="Month", ylabel=ylabel, xlim=(1, max(comparison.steps, 2)))
        _zero_floor(ax, outcome)
        if constant := _constant_note(outcome, list(series.values())):
            _note(ax, constant)
    handles, names = axes[0].get_legend_handles_labels()
    same = _everywhere_identical(comparison)
    names = [f"{name} (identical to {same[name]})" if name in same else name for name in names]
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(labels), 3), title="option",
               handlelength=3.5)
    fig.suptitle(f"Mean over {comparison.runs_per_option} runs per option (the same seeds for every option), "
                 "with 95% bootstrap band", fontsize="large")
    return fig


def _strip(ax: Axes, values: list[np.ndarray], colours: list, seed: int = 0) -> None:
    """Points at y = 0, 1, ... (one row per array), jittered vertically by a fixed amount."""
    rng = np.random.default_rng(seed)
    for y, (x, colour) in enumerate(zip(values, colours)):
        ax.scatter(x, y + rng.uniform(-0.18, 0.18, len(x)), s=14, color=colour, alpha=0.75, linewidths=0, zorder=3)


def _interval(ax: Axes, y: int, row: pd.Series) -> None:
    ax.plot([row["difference_low"], row["difference_high"]], [y, y], color="black", linewidth=2.2, zorder=5)
    ax.plot([row["difference"]], [y], marker="D", color="black", markersize=6, zorder=6)


def _better_words(outcome: str, row: pd.Series) -> str:
    better = SYSTEM_METRICS[outcome].better
    pairs = int(row["higher"] + row["lower"] + row["same"])
    if pairs == 0:
        return "undefined in every run"
    if row["same"] == pairs:
        return "identical in every run"
    if better == 0:
        return f"higher in {int(row['higher'])}/{pairs}"
    wins = row["higher"] if better > 0 else row["lower"]
    return f"better in {int(wins)}/{pairs}"


def plot_final_outcomes(comparison, measure: str | None = None) -> Figure:
    """Each outcome per option (left) and its paired difference from the base (right).

    Left: the outcome in every run, per option (box and points). Right: the difference option
    minus base in the same run (points), with the mean (diamond) and its 95% bootstrap interval
    (bar), a line at zero, and how many paired runs favour the option.

    Parameters
    ----------
    comparison : ics_abm.experiments.comparison.run.Comparison
    measure : {"final", "last_12_mean", "total"}, optional
        Which per-run measure; default each outcome's headline measure (the metric table's).

    Returns
    -------
    matplotlib.figure.Figure
    """
    sns.set_theme(style="whitegrid", context="notebook")
    labels = comparison.labels
    base, others = labels[0], labels[1:]
    styles = option_styles(labels)
    n, k = len(comparison.outcomes), len(labels)
    height = max(2.3, 0.55 * k + 1.4)
    fig = Figure(figsize=(12, height * n + 0.8), layout="constrained")
    axes = fig.subplots(n, 2, squeeze=False, width_ratios=[1, 1])
    for (left, right), outcome in zip(axes, comparison.outcomes):
        chosen = measure or SYSTEM_METRICS[outcome].headline
        if chosen == "total" and not SYSTEM_METRICS[outcome].total:
            chosen = "final"
        part = comparison.table[(comparison.table["outcome"] == outcome) & (comparison.table["measure"] == chosen)]
        wide = part.pivot(index=_runs(part), columns="option", values="value")[labels]
        defined = part[np.isfinite(part["value"])]
        if len(defined):
            with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib's deprecated `vert`; not ours to fix
                warnings.filterwarnings("ignore", message=".*vert: bool", category=DeprecationWarning)
                sns.boxplot(data=defined, x="value", y="option", hue="option", order=labels, hue_order=labels,
                            orient="h", palette={o: styles[o]["color"] for o in labels}, ax=left, fliersize=0,
                            boxprops={"alpha": 0.3}, legend=False, width=0.6)
        else:
            _note(left, "Undefined in every run under every option.")
        _strip(left, [wide[o].to_numpy() for o in labels], [styles[o]["color"] for o in labels])
        left.set_yticks(range(k), [_wrap(o) for o in labels])
        left.set_ylim(k - 0.5, -0.5)
        note = _identical_note(identical_groups({o: wide[o].to_numpy() for o in labels}))
        what = describe(outcome, chosen, comparison.steps)
        left.set_title(what[0].upper() + what[1:] + (f"\n{textwrap.fill(note, 60)}" if note else ""), fontsize="medium")
        left.set(xlabel=unit_words(outcome, chosen), ylabel="")
        _zero_floor(left, outcome, axis="x")
        if constant := _constant_note(outcome, [wide[o].to_numpy() for o in labels]):
            _note(left, constant)
        diffs = [wide[o].to_numpy() - wide[base].to_numpy() for o in others]
        _strip(right, diffs, [styles[o]["color"] for o in others], seed=1)
        rows = comparison.summary[(comparison.summary["outcome"] == outcome)
                                  & (comparison.summary["measure"] == chosen)].set_index("option")
        for y, name in enumerate(others):
            _interval(right, y, rows.loc[name])
        right.axvline(0, color="0.3", linewidth=1.0, zorder=2)
        right.set_yticks(range(len(others)),
                         [f"{_wrap(o)}\n{_better_words(outcome, rows.loc[o])}" for o in others])
        right.set_ylim(len(others) - 0.5, -0.5)
        low, high = right.get_xlim()
        pad = 0.05 * max(high - low, 1e-9)
        right.set_xlim(min(low, -pad), max(high, pad))
        for axes in (left, right):  # small units (e.g. pressure 0.0025) would run their tick labels together
            axes.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        right.set(xlabel=textwrap.fill(f"option minus base ({unit_words(outcome, chosen)})", 45), ylabel="")
        right.set_title(textwrap.fill(f"Paired difference from {base}", 45) + "\n(each run, mean and 95% interval)",
                        fontsize="medium")
    fig.suptitle(f"{comparison.runs_per_option} runs per option over {comparison.steps} months; base: {base}",
                 fontsize="large")
    return fig
