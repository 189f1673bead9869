"""The figure of a run's main outputs (docs/model.md, section 7.8): six seaborn panels.

Undefined values (NaN: no relationships, or no relationships between two kinds) are left blank,
never drawn as zero.

The figure is a plain :class:`matplotlib.figure.Figure`, not one of pyplot's: it is not kept in
pyplot's registry (nothing to close), and it is saved without a backend being chosen, so this
module leaves the choice of backend to its user (the command line chooses Agg; Jupyter shows the
figure when it is a cell's value).
"""

from __future__ import annotations

import os
import textwrap

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ics_abm.run import RunResult
from ics_abm.scenario.kinds import KIND_LABELS, KINDS

__all__ = ["plot_run", "DPI"]

#: Resolution of saved figures (dots per inch).
DPI = 120
_MONTH = "Month"


def _lines(ax, system: pd.DataFrame, series: dict[str, str], ylabel: str, title: str) -> None:
    """Plot ``series`` ({column: legend label}) of the system table against the month."""
    long = system.melt(id_vars="step", value_vars=list(series), var_name="series", value_name="value")
    long["series"] = long["series"].map(series)
    if long["value"].notna().any():
        sns.lineplot(data=long, x="step", y="value", hue="series" if len(series) > 1 else None, ax=ax)
        if len(series) > 1:
            ax.legend(title=None, fontsize="small", loc="best")
    else:  # nothing to draw: keep the month axis of the other panels
        _note(ax, "undefined (no relationships)")
        ax.set_xlim(1, max(int(system["step"].max()), 2) if len(system) else 2)
    ax.set(xlabel=_MONTH, ylabel=ylabel, title=title)


def _note(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.4")


def _short_label(kind: str) -> str:
    return textwrap.fill(KIND_LABELS[kind], 16)


def _final_trust_matrix(result: RunResult) -> pd.DataFrame:
    """Mean trust from row kind to column kind at the final month; NaN where there is no relationship."""
    present = [k for k in KINDS if k in set(result.organisations["kind"])] or list(KINDS)
    trust = result.trust_by_kind
    final = trust[trust["step"] == trust["step"].max()] if len(trust) else trust
    matrix = final.pivot_table(index="from_kind", columns="to_kind", values="mean_trust", aggfunc="mean")
    matrix = matrix.reindex(index=present, columns=present).astype(float)
    labels = [_short_label(k) for k in present]
    return pd.DataFrame(matrix.to_numpy(), index=labels, columns=labels)


def _trust_heatmap(ax, result: RunResult, months: int) -> None:
    matrix = _final_trust_matrix(result)
    sns.heatmap(
        matrix,
        ax=ax,
        vmin=0,
        vmax=1,
        cmap="viridis",
        annot=bool(matrix.notna().to_numpy().any()),  # annotating an all-blank map has nothing to say
        fmt=".2f",
        annot_kws={"fontsize": "x-small"},
        square=False,
        cbar_kws={"label": "mean trust [0, 1]"},
        linewidths=0.5,
        linecolor="white",
    )
    ax.grid(False)  # the whitegrid lines would show through blank (NaN) cells
    if matrix.isna().all().all():
        _note(ax, "no relationships")
    ax.set(xlabel="trusted kind", ylabel="trusting kind", title=f"Trust between kinds, month {months}")
    ax.tick_params(axis="both", labelsize="x-small")
    # Slanted column labels: six wrapped kind names do not fit side by side.
    ax.set_xticklabels(ax.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor")
    ax.tick_params(axis="y", labelrotation=0)


def plot_run(result: RunResult, path: str | os.PathLike | None = None) -> Figure:
    """Six panels of a run's main outputs.

    Collaboration and mutual-collaboration rates, mean trust, trust between pairs of kinds at the
    final month (heatmap), system balance, organisations in deficit and regulator interventions,
    and integration progress, all per month.

    Parameters
    ----------
    result : RunResult
        A run (:func:`ics_abm.run`).
    path : str or os.PathLike, optional
        If given, the figure is saved there as PNG at :data:`DPI` dots per inch.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not registered with pyplot: nothing to close).
    """
    sns.set_theme(style="whitegrid", context="notebook")
    system = result.system
    months = int(system["step"].max()) if len(system) else 0
    meta = result.metadata
    name = meta.get("scenario", system["scenario"].iloc[0] if len(system) else "?")
    seed = meta.get("seed", system["seed"].iloc[0] if len(system) else "?")

    # The heatmap column is wider: it carries kind labels and a colour bar.
    fig = Figure(figsize=(18, 10), layout="constrained")
    axes = fig.subplots(2, 3, width_ratios=(1, 1, 1.3))
    fig.get_layout_engine().set(h_pad=0.12)  # room between the heatmap's labels and the panel below
    (a, b, c), (d, e, f) = axes
    _lines(a, system, {"collaboration_rate": "collaborating (arcs)", "mutual_rate": "mutual (relationships)"},
           "share [0, 1]", "Collaboration")
    a.set_ylim(-0.02, 1.02)
    _lines(b, system, {"mean_trust": "mean trust"}, "mean trust [0, 1]", "Mean trust")
    b.set_ylim(-0.02, 1.02)
    _trust_heatmap(c, result, months)
    _lines(d, system, {"system_balance": "system balance"}, "balance (£m)", "System financial balance")
    d.axhline(0, color="0.3", linewidth=0.8)
    _lines(e, system, {"n_deficit": "organisations in deficit", "interventions": "regulator interventions"},
           "organisations; interventions per month", "Deficits and interventions")
    e.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of organisations
    _lines(f, system, {"integration_progress": "integration progress"}, "index (trusted joint working)",
           "Integration progress")
    fig.suptitle(f"Scenario '{name}', seed {seed}, {months} months", fontsize="x-large")
    if path is not None:
        fig.savefig(path, dpi=DPI, format="png")
    return fig
