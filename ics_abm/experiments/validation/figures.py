"""Figures of the validation report: a forest plot of every fact, and one small figure per fact.

Plain :class:`matplotlib.figure.Figure` objects (not pyplot's): they need no backend to be saved.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from ics_abm.experiments.comparison.figures import axis_label, draw_bands
from ics_abm.experiments.paired import grouped_intervals
from ics_abm.experiments.validation.runner import FactResult

__all__ = ["plot_fact", "plot_forest", "oriented_effect"]

_PASS, _FAIL = "#1b7837", "#b2182b"


def oriented_effect(result: FactResult) -> tuple[float, float, float]:
    """Standardised effect and interval, signed so that positive is the expected direction.

    Returns
    -------
    tuple of float
        ``(effect, low, high)`` in standard deviations of the paired differences: the mean
        difference and its interval divided by that standard deviation, times -1 for an expected
        decrease. NaN when the standard deviation is 0 or undefined.
    """
    d = result.difference
    sign = 1.0 if result.fact.expected == "increase" else -1.0
    if not d.sd or math.isnan(d.sd):
        return math.nan, math.nan, math.nan
    low, high = sorted((sign * d.low / d.sd, sign * d.high / d.sd))
    return sign * d.mean / d.sd, low, high


def plot_forest(results: list[FactResult]) -> Figure:
    """Every fact's standardised effect with its 95% interval, positive = the expected direction.

    The x axis is symmetric-logarithmic (linear within ±1), because the effects of the facts
    range over two orders of magnitude. Facts whose paired differences have no spread (all equal)
    have no standardised effect and are marked at zero with a note.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    fig = Figure(figsize=(10, 0.42 * len(results) + 1.6), layout="constrained")
    ax = fig.subplots()
    labels = []
    for y, result in enumerate(results):
        effect, low, high = oriented_effect(result)
        colour = _PASS if result.passed else _FAIL
        if math.isnan(effect):
            ax.plot([0], [y], marker="x", color=colour, markersize=8)
            d = result.difference
            note = "no spread: every difference is " + ("0" if d.mean == 0 else f"{d.mean:.3g}")
            ax.annotate(note, (0, y), xytext=(8, -4), textcoords="offset points", fontsize="small", color=colour)
        else:
            ax.errorbar(effect, y, xerr=[[effect - low], [high - effect]], fmt="o", color=colour, capsize=3)
        labels.append(f"{result.fact.id}  " + textwrap.shorten(result.fact.title, 60, placeholder="…"))
    ax.axvline(0, color="0.3", linewidth=0.9)
    ax.set_xscale("symlog", linthresh=1.0)
    ticks = [t for s in (-1, 1) for t in (s * 1, s * 3, s * 10, s * 30, s * 100)] + [0]
    lo, hi = ax.get_xlim()
    ax.xaxis.set_major_locator(FixedLocator(sorted(t for t in ticks if lo <= t <= hi)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}".replace("-", "−")))
    ax.set_yticks(range(len(results)), labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("standardised effect in the expected direction\n(mean / sd of the paired differences B − A; "
                  "symmetric log scale)")
    n = results[0].difference.n + results[0].difference.dropped if results else 0
    ax.set_title(f"Effect and 95% t interval, {n} seeds per arm\n(green: pass, red: fail)", fontsize="medium")
    return fig


def plot_fact(result: FactResult) -> Figure:
    """One fact: the illustrating metric per arm (mean and 95% band), and the paired differences.

    Left: one panel per metric the arms' outcomes are read from, each arm's mean trajectory with
    its 95% t band over seeds, the months the outcome reads shaded in the arm's colour. Arms that
    are the same runs (a within-run contrast) are drawn once. Right: B − A per seed, with the mean
    and its 95% t interval.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    fact = result.fact
    arms = (fact.a, fact.b)
    palette = dict(zip((fact.a.label, fact.b.label), sns.color_palette("colorblind", 2), strict=True))
    traj = result.trajectories
    metrics = list(dict.fromkeys(traj["metric"])) if len(traj) else []
    fig = Figure(figsize=(4.6 * (len(metrics) + 1), 3.4), layout="constrained")
    axes = fig.subplots(1, len(metrics) + 1, squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=False):
        part = traj[traj["metric"] == metric]
        drawn = list(dict.fromkeys(part["arm"]))
        if result.same_runs and len(drawn) == 2:
            part = part[part["arm"] == drawn[0]]  # the same runs: one band
            shown = {drawn[0]: f"{fact.a.label} / {fact.b.label} (same runs)"}
        else:
            shown = {arm: arm for arm in drawn}
        bands = grouped_intervals(part, ["arm", "step"], "value")
        bands["arm"] = bands["arm"].map(shown)
        colours = {shown[a]: palette[a] for a in shown}
        draw_bands(ax, bands, "arm", list(shown.values()), colours)
        for arm in arms:
            months = fact.outcome_of(arm).months
            if months is not None and fact.outcome_of(arm).metric == metric:
                ax.axvspan(months[0] - 0.5, months[1] + 0.5, color=palette[arm.label], alpha=0.12, linewidth=0)
        ax.set(xlabel="Month", ylabel=axis_label(metric), title=metric.replace("_", " "))
        ax.legend(fontsize="x-small", loc="best")
    right = axes[0][-1]
    diffs = result.b - result.a
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, diffs.size)  # fixed: the figure is reproducible
    right.scatter(jitter, diffs, s=10, color="0.45", alpha=0.7)
    d = result.difference
    colour = _PASS if result.passed else _FAIL
    right.errorbar([0], [d.mean], yerr=[[d.mean - d.low], [d.high - d.mean]], fmt="o", color=colour, capsize=6)
    right.axhline(0, color="0.3", linewidth=0.8)
    right.set_xlim(-0.6, 0.6)
    right.set_xticks([])
    right.set(ylabel="B − A", title=f"paired difference, {'pass' if result.passed else 'FAIL'}")
    fig.suptitle(f"{fact.id}: {textwrap.shorten(fact.title, 90, placeholder='…')}", fontsize="medium")
    return fig
