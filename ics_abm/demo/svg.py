"""The live pictures as SVG text, drawn by the browser: the relationship network and line charts.

Why SVG and not PNG: the browser draws vector shapes itself, so a month costs the server a few
milliseconds of string formatting and ~20 KB on the websocket (a matplotlib PNG cost ~90 ms to draw
and encode and ~200 KB to send), the text stays sharp on a projector, and its size is set in
pixels. The JavaScript charting components that ship inside Python packages here (Vega through
altair) load their code from a CDN, which the offline demo cannot use.

Colours are colour-blind safe: kinds use seaborn's ``colorblind`` palette (Okabe-Ito-like), trust
uses matplotlib's ``cividis`` (dark blue = low, yellow = high), which reads the same to people with
red-green colour blindness and in greyscale.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np

from ics_abm.demo.snapshot import Snapshot
from ics_abm.scenario.kinds import KINDS

__all__ = ["KIND_COLOURS", "TRUST_COLOURS", "trust_colour", "network_svg", "Series", "Band", "line_chart_svg",
           "nice_ticks"]

#: One colour per kind (the "colorblind" palette of seaborn, as hex, fixed here so no import of seaborn).
KIND_COLOURS: dict[str, str] = dict(zip(KINDS, ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161"),
                                        strict=True))
#: 101 colours of cividis, for trust 0.00 .. 1.00.
TRUST_COLOURS: tuple[str, ...] = tuple(matplotlib.colors.to_hex(matplotlib.colormaps["cividis"](x))
                                       for x in np.linspace(0.0, 1.0, 101))


def trust_colour(value: float) -> str:
    """Colour of a trust value in [0, 1] (cividis)."""
    return TRUST_COLOURS[int(round(100 * min(1.0, max(0.0, float(value)))))]


def _node_radius(budget: np.ndarray) -> np.ndarray:
    # Area grows with the square root of the budget: budgets span two orders of magnitude and
    # area in proportion would hide the small organisations.
    top = float(budget.max()) if budget.size else 1.0
    return 4.0 + 13.0 * np.sqrt(np.sqrt(np.clip(budget, 0.0, None) / (top if top > 0 else 1.0)))


def network_svg(snap: Snapshot, size: int = 520) -> str:
    """The relationship network of ``snap`` as an ``<svg>`` element.

    Organisations are circles coloured by kind and sized by budget (hollow and grey when not in
    the system); relationships are lines coloured by the two partners' mean trust (cividis), thick
    where both worked together last month.

    Parameters
    ----------
    snap : Snapshot
    size : int
        Width and height of the drawing in SVG units (pixels at 100 % zoom).
    """
    half = size / 2.0
    scale = half - 22.0
    xy = snap.positions * np.array([scale, -scale]) + half  # y grows downwards in SVG
    parts = [f"<svg class='ics-network' viewBox='0 0 {size} {size}' preserveAspectRatio='xMidYMid meet' "
             "xmlns='http://www.w3.org/2000/svg' role='img' aria-label='relationship network'>"]
    for (i, j), trust, both in zip(snap.edges, snap.edge_trust, snap.edge_mutual, strict=True):
        width = 3.2 if both else 1.0
        parts.append(f"<line x1='{xy[i, 0]:.1f}' y1='{xy[i, 1]:.1f}' x2='{xy[j, 0]:.1f}' y2='{xy[j, 1]:.1f}' "
                     f"stroke='{trust_colour(trust)}' stroke-width='{width}' stroke-opacity='0.85'/>")
    radius = _node_radius(snap.budget)
    for i in range(len(snap.kinds)):
        x, y, r = xy[i, 0], xy[i, 1], radius[i]
        if snap.active[i]:
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' fill='{KIND_COLOURS[KINDS[snap.kinds[i]]]}' "
                         "stroke='white' stroke-width='1.5'/>")
        else:
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' fill='none' stroke='#999' "
                         "stroke-width='1.5' stroke-dasharray='3 2'/>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    """One line of a chart.

    Attributes
    ----------
    label : str
        Legend text.
    x, y : ndarray of float, shape (n,)
    colour : str
    dashed : bool
    """

    label: str
    x: np.ndarray
    y: np.ndarray
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded range around a line (e.g. 10th to 90th percentile over seeds), same x as the line."""

    x: np.ndarray
    low: np.ndarray
    high: np.ndarray
    colour: str


def nice_ticks(lo: float, hi: float, n: int = 4) -> np.ndarray:
    """About ``n`` round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not np.isfinite(lo) or not np.isfinite(hi) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(f * power for f in (1.0, 2.0, 2.5, 5.0, 10.0) if f * power >= raw)
    start = np.floor(lo / step) * step
    return np.round(np.arange(start, hi + step * 0.999, step), 10)


def _fmt(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def _path(x: np.ndarray, y: np.ndarray, px, py) -> str:
    points = [f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, y, strict=True) if np.isfinite(b)]
    return "M" + " L".join(points) if points else ""


def line_chart_svg(series: Sequence[Series], *, x_range: tuple[float, float], y_range: tuple[float, float],
                   width: int = 460, height: int = 150, x_label: str = "month", markers: Sequence = (),
                   bands: Sequence[Band] = (), zero_line: bool = False, classes: str = "ics-chart",
                   font: int = 14) -> str:
    """A small line chart as an ``<svg>`` element (legend and title are left to the page's HTML).

    Parameters
    ----------
    series : sequence of Series
    x_range, y_range : (float, float)
        Axis limits; callers choose them (from zero for shares and counts, so that a difference
        is never exaggerated by a cut axis).
    width, height : int
        Size in SVG units (pixels at 100 % zoom).
    x_label : str
    markers : sequence of (float, str)
        Dotted vertical lines at x, with a short label (events).
    bands : sequence of Band
        Shaded ranges drawn under the lines.
    zero_line : bool
        Draw a solid line at y = 0 (money).
    classes : str
        CSS classes of the element.
    font : int
        Tick label size, SVG units.
    """
    left, right, top, bottom = 52.0, 10.0, 8.0, 34.0
    (x0, x1), (y0, y1) = x_range, y_range
    if x1 <= x0:
        x1 = x0 + 1.0
    if y1 <= y0:
        y1 = y0 + 1.0

    def px(x):
        return left + (float(x) - x0) / (x1 - x0) * (width - left - right)

    def py(y):
        return height - bottom - (float(y) - y0) / (y1 - y0) * (height - top - bottom)

    parts = [f"<svg class='{classes}' viewBox='0 0 {width} {height}' xmlns='http://www.w3.org/2000/svg' "
             f"style='font-family:sans-serif;font-size:{font}px' role='img'>"]
    for tick in nice_ticks(y0, y1, 3):
        if y0 - 1e-9 <= tick <= y1 + 1e-9:
            parts.append(f"<line x1='{left}' x2='{width - right}' y1='{py(tick):.1f}' y2='{py(tick):.1f}' stroke='#e3e3e3'/>"
                         f"<text x='{left - 5}' y='{py(tick) + font / 3:.1f}' text-anchor='end' fill='#444'>{_fmt(tick)}</text>")
    for tick in nice_ticks(x0, x1, 6):
        if x0 <= tick <= x1 and float(tick).is_integer():
            parts.append(f"<text x='{px(tick):.1f}' y='{height - bottom + font + 3:.1f}' text-anchor='middle' "
                         f"fill='#444'>{int(tick)}</text>")
    parts.append(f"<text x='{width - right}' y='{height - 3}' text-anchor='end' fill='#444'>{html.escape(x_label)}</text>")
    parts.append(f"<line x1='{left}' x2='{left}' y1='{top}' y2='{height - bottom}' stroke='#888'/>"
                 f"<line x1='{left}' x2='{width - right}' y1='{height - bottom}' y2='{height - bottom}' stroke='#888'/>")
    if zero_line and y0 < 0 < y1:
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{py(0):.1f}' y2='{py(0):.1f}' stroke='#333'/>")
    for number, (at, text) in enumerate(markers):
        if x0 <= at <= x1:
            row = top + font * (1 + number % 2)  # alternate rows, so that labels of close events do not overlap
            parts.append(f"<line x1='{px(at):.1f}' x2='{px(at):.1f}' y1='{top}' y2='{height - bottom}' stroke='#555' "
                         f"stroke-dasharray='2 3'/><text x='{px(at) + 3:.1f}' y='{row}' fill='#333' "
                         f"font-size='{font - 2}'>{html.escape(text)}</text>")
    for band in bands:
        upper = [f"{px(a):.1f},{py(b):.1f}" for a, b in zip(band.x, band.high, strict=True)]
        lower = [f"{px(a):.1f},{py(b):.1f}" for a, b in zip(band.x[::-1], band.low[::-1], strict=True)]
        if upper:
            parts.append(f"<path d='M{' L'.join(upper + lower)} Z' fill='{band.colour}' fill-opacity='0.22' stroke='none'/>")
    for line in series:
        d = _path(line.x, line.y, px, py)
        if not d:
            continue
        dash = " stroke-dasharray='7 4'" if line.dashed else ""
        parts.append(f"<path d='{d}' fill='none' stroke='{line.colour}' stroke-width='2.5'{dash}/>")
        if len(line.x) == 1:
            parts.append(f"<circle cx='{px(line.x[0]):.1f}' cy='{py(line.y[0]):.1f}' r='3.5' fill='{line.colour}'/>")
    parts.append("</svg>")
    return "".join(parts)
