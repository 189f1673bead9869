"""The two pictures the demo redraws every month, kept and updated in place.

Making a matplotlib figure afresh costs most of its time in creating axes and tick objects; a
painter makes its figure once (per browser session, and per model for the network, whose layout
belongs to the model) and then only changes the data, so a month is drawn in a fraction of the
time. Pictures for an export are made afresh by :mod:`ics_abm.demo.figures`; both use the same
drawing rules.
"""

from __future__ import annotations

import io
import threading

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from ics_abm.demo.figures import (
    DPI,
    LINE_PANELS,
    NETWORK_SIZE,
    START_NOTE,
    draw_nodes,
    live_axes,
    mark_events,
    month_axis,
    network_axes,
    network_edges,
    network_frame,
    network_title,
    panel_title,
)
from ics_abm.demo.snapshot import Snapshot

__all__ = ["NetworkPainter", "LinePainter"]


class NetworkPainter:
    """The relationship network of one model, redrawn in place.

    What never changes (legend, colour bar) is drawn once and kept as a bitmap; each month only
    the relationships, the organisations and the title are drawn over a copy of it ("blitting").

    Parameters
    ----------
    kinds : ndarray of int
        Kind of each organisation (fixes the legend).
    """

    def __init__(self, kinds) -> None:
        self._lock = threading.Lock()  # a browser session may redraw from two threads (play, a click)
        self.figure = Figure(figsize=NETWORK_SIZE, dpi=DPI)
        self._canvas = FigureCanvasAgg(self.figure)
        self._ax, colorbar_ax = network_axes(self.figure)
        network_frame(self._ax, kinds, colorbar_ax=colorbar_ax)
        self._edges = LineCollection([], alpha=0.85, zorder=1, animated=True)
        self._ax.add_collection(self._edges)
        self._title = self._ax.set_title("", fontsize="medium", animated=True)
        self._canvas.draw()  # everything that is not animated
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)

    def render(self, snap: Snapshot) -> bytes:
        """The network of ``snap`` as PNG bytes."""
        with self._lock:
            segments, colours, widths = network_edges(snap)
            self._edges.set_segments(segments)
            self._edges.set_color(colours)
            self._edges.set_linewidth(widths)
            self._title.set_text(network_title(snap.month))
            self._canvas.restore_region(self._background)
            self._ax.draw_artist(self._edges)
            nodes = draw_nodes(self._ax, snap)
            for artist in nodes:
                self._ax.draw_artist(artist)
                artist.remove()
            self._ax.draw_artist(self._title)
            return _png(self._canvas)


def _png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG bytes (as drawn: no second drawing pass, unlike ``savefig``)."""
    width, height = canvas.get_width_height()
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buffer, format="png")
    return buffer.getvalue()


class LinePainter:
    """The three live line charts (:data:`~ics_abm.demo.figures.LINE_PANELS`) of one model, redrawn in place.

    The axes (ticks, labels, event markers) are drawn only when they change, and kept as a
    bitmap in between; each month only the lines and titles are drawn over it. So that the axes
    change rarely, the month axis grows a year at a time and a y axis only grows, to round numbers.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.figure, self._axes = live_axes()
        self.figure.set_dpi(DPI)
        self._canvas = FigureCanvasAgg(self.figure)
        self._lines: list[list] = []
        self._notes = []
        self._ylims: list[tuple[float, float] | None] = []
        for ax, (_, series, limits) in zip(self._axes, LINE_PANELS, strict=True):
            lines = [ax.plot([], [], label=label, color=colour, animated=True)[0] for _, label, colour in series]
            if any(label for _, label, _ in series):
                ax.legend(fontsize="x-small", loc="lower left", ncol=3, frameon=False)
            ax.title.set_animated(True)
            ax.title.set_fontsize("medium")
            self._notes.append(ax.text(0.5, 0.5, START_NOTE, transform=ax.transAxes, ha="center",
                                       va="center", color="0.4"))
            self._lines.append(lines)
            fixed = limits is not None and limits[1] is not None
            self._ylims.append(tuple(limits) if fixed else None)
            month_axis(ax, 12)  # whole months, labelled        self._axes[1].axhline(0.0, color="0.3", linewidth=0.8)
        self._markers: list = []
        self._frame = None
        self._background = None

    def _grow_ylim(self, index: int, snap: Snapshot) -> tuple[float, float]:
        """Panel ``index``'s y limits: fixed, or grown to round numbers to hold the data."""
        _, series, limits = LINE_PANELS[index]
        current = self._ylims[index]
        if limits is not None and limits[1] is not None:
            return current
        values = np.concatenate([snap.system[column].to_numpy(dtype=float) for column, _, _ in series]) \
            if len(snap.system) else np.zeros(1)
        values = values[np.isfinite(values)]
        lo = min(0.0, float(values.min())) if values.size else 0.0
        hi = max(0.0, float(values.max())) if values.size else 1.0
        if limits is not None:
            lo = limits[0]
        lo, hi = -_round_up(-lo), _round_up(hi)
        if hi - lo <= 0:
            hi = lo + 1.0
        if current is not None:
            lo, hi = min(lo, current[0]), max(hi, current[1])
        self._ylims[index] = (lo, hi)
        return lo, hi

    def render(self, snap: Snapshot) -> bytes:
        """The line charts of ``snap`` as PNG bytes."""
        with self._lock:
            system = snap.system
            for index, lines in enumerate(self._lines):
                _, series, _ = LINE_PANELS[index]
                for line, (column, _, _) in zip(lines, series, strict=True):
                    x = system["step"].to_numpy() if len(system) else []
                    y = system[column].to_numpy() if len(system) else []
                    line.set_data(x, y)
                    line.set_marker("o" if len(system) == 1 else "None")  # one month is a point, not a line
            months = 12 * (snap.month // 12 + 1)  # the axis grows a year at a time
            ylims = tuple(self._grow_ylim(index, snap) for index in range(len(self._axes)))
            events = tuple((event["month"], event["kind"]) for event in snap.events if event["month"] <= months)
            frame = (months, ylims, events, snap.month == 0)
            if frame != self._frame:
                self._draw_frame(snap, months, ylims)
                self._frame = frame
            else:
                self._canvas.restore_region(self._background)
            for index, (ax, lines) in enumerate(zip(self._axes, self._lines, strict=True)):
                ax.title.set_text(panel_title(index, snap))
                for line in lines:
                    ax.draw_artist(line)
                ax.draw_artist(ax.title)
            return _png(self._canvas)

    def _draw_frame(self, snap: Snapshot, months: int, ylims: tuple) -> None:
        for artist in self._markers:
            artist.remove()
        self._markers = []
        for index, (ax, note) in enumerate(zip(self._axes, self._notes, strict=True)):
            ax.set_xlim(0.5, months + 0.5)
            ax.set_ylim(*ylims[index])
            note.set_visible(snap.month == 0)
            self._markers += mark_events(ax, snap.events, months - 1, labels=index == 0)
            ax.label_outer()
        self._canvas.draw()  # all but the animated lines and titles
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)


def _round_up(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= ``value`` (0 for <= 0)."""
    if value <= 0:
        return 0.0
    power = 10.0 ** np.floor(np.log10(value))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= value:
            return factor * power
    return 10.0 * power
