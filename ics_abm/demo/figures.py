"""The demo's pictures: the relationship network, the live charts and the two futures.

Plain :class:`matplotlib.figure.Figure` objects (no pyplot: nothing is kept in a global registry,
figures can be drawn from the browser's worker threads, and no backend is needed: they are drawn
on Agg canvases explicitly), drawn from a :class:`~ics_abm.demo.snapshot.Snapshot`. The same
functions make the PNG files of an export.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ics_abm.demo.snapshot import Snapshot
from ics_abm.scenario.kinds import KIND_LABELS, KINDS

__all__ = [
    "KIND_COLOURS",
    "KIND_SHORT",
    "EVENT_SHORT",
    "network_figure",
    "live_axes",
    "charts_figure",
    "trust_matrix",
    "futures_figure",
    "to_png",
    "DPI",
]

#: Resolution of the pictures on screen and on disk (dots per inch).
DPI = 100
#: Sizes of the live pictures, inches.
NETWORK_SIZE = LIVE_SIZE = (6.0, 5.6)
#: One colour per kind (seaborn's colour-blind safe palette).
KIND_COLOURS = dict(zip(KINDS, sns.color_palette("colorblind", len(KINDS)).as_hex(), strict=True))
#: Short kind names for the heatmap axes.
KIND_SHORT = {
    "acute": "Acute",
    "primary_care_network": "PCN",
    "commissioner": "Commissioner",
    "community_mental_health": "Comm. & MH",
    "local_authority": "Council",
    "voluntary_sector": "Voluntary",
}
#: Short labels of events for the markers on the charts.
EVENT_SHORT = {
    "financial_shock": "financial shock",
    "winter_pressure": "winter",
    "regime_change": "regime change",
    "leadership_programme": "leadership programme",
    "leader_leaves": "leader leaves",
    "local_authority_walks_away": "council walks away",
    "altruistic_first_move": "altruistic move",
    "partner_entry": "partner joins",
    "partner_exit": "partner leaves",
    "set_values": "settings changed",
}
_TRUST_CMAP = "cividis"  # colour-blind safe (dark blue low, yellow high)
START_NOTE = "Press Step or ▶ to start"
_FUTURE_STYLES = ({"color": "#0b5394", "linestyle": "-"}, {"color": "#e69138", "linestyle": "--"})


def to_png(figure: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------


def _node_sizes(budget: np.ndarray) -> np.ndarray:
    # Area grows with the square root of the budget: budgets span two orders of magnitude
    # (a voluntary body's £5m, a commissioner's £600m) and area in proportion would hide the small.
    top = float(budget.max()) if budget.size else 1.0
    return 40.0 + 520.0 * np.sqrt(np.clip(budget, 0.0, None) / (top if top > 0 else 1.0))


def network_edges(snap: Snapshot) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Line segments, colours and widths of the relationships of ``snap``.

    Returns
    -------
    segments : ndarray, shape (r, 2, 2)
    colours : ndarray, shape (r, 4)
        RGBA by mutual trust (cividis: dark blue low, yellow high).
    widths : ndarray, shape (r,)
        Thick where both partners collaborated last month.
    """
    segments = snap.positions[snap.edges] if len(snap.edges) else np.zeros((0, 2, 2))
    colours = matplotlib.colormaps[_TRUST_CMAP](np.clip(snap.edge_trust, 0.0, 1.0))
    return segments, colours, np.where(snap.edge_mutual, 2.8, 0.8)


def draw_nodes(ax, snap: Snapshot) -> list:
    """Organisations coloured by kind and sized by budget; those not in the system hollow and grey.

    Returns the artists, so that a picture redrawn in place can remove them.
    """
    pos, sizes, active = snap.positions, _node_sizes(snap.budget), snap.active
    colours = np.array([KIND_COLOURS[KINDS[k]] for k in snap.kinds], dtype=object)
    artists = []
    if active.any():
        artists.append(ax.scatter(pos[active, 0], pos[active, 1], s=sizes[active], c=list(colours[active]),
                                  edgecolors="white", linewidths=0.9, zorder=2))
    if (~active).any():
        artists.append(ax.scatter(pos[~active, 0], pos[~active, 1], s=sizes[~active], facecolors="none",
                                  edgecolors="0.6", linewidths=1.0, linestyle="--", zorder=2))
    return artists


def network_frame(ax, kinds: np.ndarray, *, legend: bool = True, colorbar: bool = True, colorbar_ax=None) -> None:
    """What does not change from month to month: limits, the legend of kinds, the trust colour bar."""
    ax.set_xlim(-1.08, 1.08)
    ax.set_ylim(-1.08, 1.08)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if legend:
        present = [kind for kind in KINDS if (kinds == KINDS.index(kind)).any()]
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=KIND_COLOURS[kind],
                   markeredgecolor="white", label=KIND_LABELS[kind])
            for kind in present
        ]
        handles.append(Line2D([], [], color="0.3", linewidth=2.8, label="both collaborated last month"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2,
                  fontsize="x-small", frameon=False)
    if colorbar:
        mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=_TRUST_CMAP)
        if colorbar_ax is None:
            ax.figure.colorbar(mappable, ax=ax, shrink=0.55, pad=0.01, label="trust between partners")
        else:
            ax.figure.colorbar(mappable, cax=colorbar_ax, label="trust between partners")


def draw_network(ax, snap: Snapshot, title: str, *, legend: bool = True, colorbar: bool = True,
                 colorbar_ax=None) -> None:
    """Draw the relationship network of ``snap`` on ``ax``.

    Organisations are coloured by kind and sized by budget; relationships are coloured by mutual
    trust (cividis: dark blue low, yellow high) and drawn thick where both partners collaborated last month.
    Organisations not (or no longer) in the system are hollow grey circles.
    """
    network_frame(ax, snap.kinds, legend=legend, colorbar=colorbar, colorbar_ax=colorbar_ax)
    segments, colours, widths = network_edges(snap)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths, alpha=0.85, zorder=1))
    draw_nodes(ax, snap)
    ax.set_title(title, fontsize="medium")


def network_axes(figure: Figure) -> tuple:
    """The network's axes and colour-bar axes at fixed places (no layout engine: see :func:`live_axes`)."""
    return figure.add_axes((0.0, 0.17, 0.86, 0.77)), figure.add_axes((0.87, 0.3, 0.025, 0.5))


def network_figure(snap: Snapshot) -> Figure:
    """The relationship network at the snapshot's month (node size: budget)."""
    figure = Figure(figsize=NETWORK_SIZE)
    ax, cax = network_axes(figure)
    draw_network(ax, snap, network_title(snap.month), colorbar_ax=cax)
    return figure


def network_title(month: int) -> str:
    """Title of the network picture."""
    return f"Relationships, month {month} (size: budget)"


# --------------------------------------------------------------------------------------------
# The live charts
# --------------------------------------------------------------------------------------------


def mark_events(ax, events: list, month: int, *, labels: bool) -> list:
    """Dotted vertical lines at the months events acted (labelled on the top panel); returns the artists."""
    artists = []
    seen: dict[int, list[str]] = {}
    for event in events:
        if 1 <= event["month"] <= month + 1:  # an event injected now acts before the next month
            seen.setdefault(event["month"], []).append(EVENT_SHORT.get(event["kind"], event["kind"]))
    for at, names in seen.items():
        artists.append(ax.axvline(at - 0.5, color="0.35", linestyle=":", linewidth=1.0, zorder=0))
        if labels:
            artists.append(ax.annotate(", ".join(names), xy=(at - 0.5, 1.0), xycoords=("data", "axes fraction"),
                                       rotation=90, va="top", ha="right", fontsize="x-small", color="0.25"))
    return artists


def month_axis(ax, month: int) -> None:
    """Whole months from 1 to at least 12 (so the first year does not stretch across the panel)."""
    ax.set_xlim(0.5, max(month, 12) + 1.0)  # room for the marker of an event injected now
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # months are whole
    ax.set_xlabel("Month")


def _waiting(ax, month: int) -> None:
    ax.text(0.5, 0.5, START_NOTE, transform=ax.transAxes, ha="center", va="center", color="0.4")
    month_axis(ax, month)


def trust_matrix(snap: Snapshot) -> pd.DataFrame:
    """Mean trust from row kind to column kind at the snapshot's month (NaN: no relationship).

    Rows and columns are the kinds with an organisation in the system, in :data:`KINDS` order.
    """
    present = [kind for kind in KINDS if (snap.kinds[snap.active] == KINDS.index(kind)).any()] or list(KINDS)
    frame = snap.trust_by_kind
    matrix = frame.pivot_table(index="from_kind", columns="to_kind", values="mean_trust", aggfunc="mean") \
        if len(frame) else pd.DataFrame()
    return matrix.reindex(index=present, columns=present).astype(float)


def _draw_trust_heatmap(ax, snap: Snapshot) -> None:
    matrix = trust_matrix(snap)
    values = matrix.to_numpy()
    ax.imshow(np.ma.masked_invalid(values), cmap=_TRUST_CMAP, vmin=0.0, vmax=1.0, aspect="auto")
    for (r, c), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize="x-small",
                    color="black" if value > 0.45 else "white")
    labels = [KIND_SHORT[kind] for kind in matrix.index]
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", rotation_mode="anchor", fontsize="x-small")
    ax.set_yticks(range(len(labels)), labels, fontsize="x-small")
    ax.set_xlabel("trusted kind", fontsize="small")
    ax.set_ylabel("trusting kind", fontsize="small")
    ax.grid(False)
    title = f"Trust between kinds, month {snap.month}"
    if snap.month == 0:
        ax.text(0.5, 0.5, START_NOTE, transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_title(title, fontsize="medium")


#: The live line charts: (title, ((column, legend label or None, colour), ...), y limits).
LINE_PANELS: tuple = (
    ("Collaboration and trust (share, 0–1)",
     (("collaboration_rate", "collaborating", "#0b5394"), ("mutual_rate", "mutual", "#6aa84f"),
      ("mean_trust", "mean trust", "#cc0000")),
     (0.0, 1.02)),
    ("System balance, £m", (("system_balance", None, "#134f5c"),), None),
    ("Integration progress (trusted joint working)", (("integration_progress", None, "#674ea7"),), (0.0, None)),
)


def panel_title(index: int, snap: Snapshot) -> str:
    """Title of line panel ``index``; the finances panel says how many are in deficit."""
    title = LINE_PANELS[index][0]
    if index == 1 and len(snap.system):
        return f"{title} ({int(snap.system['n_deficit'].iloc[-1])} of {int(snap.active.sum())} in deficit)"
    return title


def draw_panel(ax, snap: Snapshot, index: int) -> None:
    """Draw line panel ``index`` of :data:`LINE_PANELS` for ``snap``."""
    _, series, limits = LINE_PANELS[index]
    system = snap.system
    if len(system):
        for column, label, colour in series:
            ax.plot(system["step"], system[column], label=label, color=colour, marker="o" if len(system) == 1 else None)
        if any(label for _, label, _ in series):
            ax.legend(fontsize="x-small", loc="lower left", ncol=3, frameon=False)
        month_axis(ax, snap.month)
    else:
        _waiting(ax, snap.month)
    if index == 1:
        ax.axhline(0.0, color="0.3", linewidth=0.8)
    if limits is not None:
        ax.set_ylim(*limits)
    ax.set_title(panel_title(index, snap), fontsize="medium")


def live_axes() -> tuple[Figure, list]:
    """The live line charts' figure and its three axes, one above the other, sharing the month axis.

    Fixed margins, not a layout engine (which draws a figure several times): this figure is drawn
    for an export (the live page draws SVG instead, :mod:`ics_abm.demo.views`). Trust between
    kinds is shown beside it as a table (:func:`trust_matrix`), which the browser draws faster.
    """
    figure = Figure(figsize=LIVE_SIZE)
    axes = list(figure.subplots(3, 1, sharex=True))
    figure.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.09, hspace=0.42)
    for ax in axes:
        ax.tick_params(labelsize="x-small")
        ax.label_outer()
    return figure, axes


def charts_figure(snap: Snapshot) -> Figure:
    """Four charts for an export: collaboration and trust, trust between kinds, finances, progress."""
    figure = Figure(figsize=(11.0, 7.4), layout="constrained")
    (a, b), (c, d) = figure.subplots(2, 2)
    _draw_trust_heatmap(b, snap)
    for index, ax in enumerate((a, c, d)):
        draw_panel(ax, snap, index)
        mark_events(ax, snap.events, snap.month, labels=index == 0)
        ax.tick_params(labelsize="x-small")
    figure.suptitle(f"Scenario '{snap.scenario}', seed {snap.seed}, month {snap.month}")
    return figure


# --------------------------------------------------------------------------------------------
# Two futures
# --------------------------------------------------------------------------------------------

_FUTURE_METRICS = {
    "collaboration_rate": "Collaborating (share)",
    "mean_trust": "Mean trust",
    "system_balance": "System balance, £m",
    "integration_progress": "Integration progress",
}


def futures_figure(start_month: int, first: tuple[str, Snapshot], second: tuple[str, Snapshot]) -> Figure:
    """Two futures side by side: each one's network at the end, and their paths compared.

    Parameters
    ----------
    start_month : int
        The month at which the simulation was forked.
    first, second : (str, Snapshot)
        Each future's label and its state at the end.
    """
    figure = Figure(figsize=(12.0, 8.0), layout="constrained")
    grid = figure.add_gridspec(2, 4, height_ratios=(1.5, 1.0))
    for column, ((label, snap), letter) in enumerate(zip((first, second), "AB", strict=True)):
        ax = figure.add_subplot(grid[0, 2 * column : 2 * column + 2])
        draw_network(ax, snap, f"Future {letter}: {label}\nmonth {snap.month}",
                     legend=column == 0, colorbar=column == 1)
    for i, (metric, title) in enumerate(_FUTURE_METRICS.items()):
        ax = figure.add_subplot(grid[1, i])
        for (label, snap), letter, style in zip((first, second), "AB", _FUTURE_STYLES, strict=True):
            system = snap.system
            if len(system):
                ax.plot(system["step"], system[metric], label=f"{letter}: {label}", **style)
        ax.axvline(start_month + 0.5, color="0.3", linestyle=":", linewidth=1.0)
        ax.annotate("fork", xy=(start_month + 0.5, 1.0), xycoords=("data", "axes fraction"),
                    ha="right", va="top", fontsize="x-small", rotation=90, color="0.3")
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("Month")
        ax.tick_params(labelsize="x-small")
        if i == 0:
            ax.legend(fontsize="x-small", loc="lower left", frameon=False)
    figure.suptitle(f"Two futures from month {start_month}: same state, same seed", fontsize="large")
    return figure
