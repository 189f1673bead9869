"""The demo's live pictures as HTML: titles and legends in page text, marks in SVG (:mod:`ics_abm.demo.svg`).

Axes are honest: shares and trust run from 0 to their maximum, money always shows zero, and the
month axis grows a year at a time so the lines do not jump about while the room watches.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from ics_abm.demo.branching import Branches
from ics_abm.demo.figures import EVENT_SHORT
from ics_abm.demo.snapshot import Snapshot
from ics_abm.demo.svg import Band, Series, line_chart_svg, network_svg, nice_ticks

__all__ = ["network_html", "charts_html", "futures_charts_html", "LIVE_PANELS", "FUTURE_COLOURS"]

#: The live charts: (title, ((column, legend, colour, dashed, scale), ...), fixed y range or None).
LIVE_PANELS: tuple = (
    ("Working together, % of relationships",
     (("collaboration_rate", "one side or both", "#0173b2", False, 100.0),
      ("mutual_rate", "both sides", "#029e73", True, 100.0)), (0.0, 100.0)),
    ("Trust, average (0 = none, 1 = full)", (("mean_trust", None, "#de8f05", False, 1.0),), (0.0, 1.0)),
    ("Money: all organisations' balance, £m", (("system_balance", None, "#cc78bc", False, 1.0),), None),
)
#: Titles of the what-if charts (short: four share the width of half a laptop screen).
_FUTURE_TITLES = {
    "collaboration_rate": "Working together, %",
    "mean_trust": "Trust (0 to 1)",
    "system_balance": "Money, £m",
    "n_deficit": "In deficit",
}
#: Future A solid blue, future B dashed orange (colour-blind safe, and told apart by the dash too).
FUTURE_COLOURS = ("#0173b2", "#d55e00")


def _title(text: str, legend: Sequence[tuple[str, str, bool]] = ()) -> str:
    keys = "".join(f" &nbsp;<span style='white-space:nowrap;font-weight:400;font-size:15px'><span style='display:"
                   f"inline-block;width:24px;vertical-align:middle;border-top:3px {'dashed' if dashed else 'solid'} "
                   f"{colour}'></span> {html.escape(label)}</span>" for label, colour, dashed in legend)
    return f"<p class='ics-panel-title'>{html.escape(text)}{keys}</p>"


def network_html(snap: Snapshot) -> str:
    """The network's title and picture."""
    return _title(f"Who works with whom, month {snap.month}") + network_svg(snap)


def _range(values: np.ndarray, with_zero: bool = True) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    lo = float(values.min()) if values.size else 0.0
    hi = float(values.max()) if values.size else 1.0
    if with_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    ticks = nice_ticks(lo, hi, 3)
    return float(ticks[0]), float(max(ticks[-1], ticks[0] + 1e-9))


def charts_html(snap: Snapshot) -> str:
    """The three live charts (titles and legends in HTML, lines in SVG)."""
    system = snap.system
    months = 12 * (snap.month // 12 + 1)  # the month axis grows a year at a time
    x = system["step"].to_numpy(dtype=float) if len(system) else np.zeros(0)
    markers = [(event["month"] - 0.5, "regulators" if event["kind"] == "set_values" else EVENT_SHORT.get(event["kind"], ""))
               for event in snap.events]
    parts = []
    for title, columns, fixed in LIVE_PANELS:
        series = [Series(label or title, x, system[column].to_numpy(dtype=float) * scale if len(system) else x,
                         colour, dashed) for column, label, colour, dashed, scale in columns]
        y_range = fixed if fixed is not None else _range(np.concatenate([s.y for s in series] + [np.zeros(1)]))
        legend = [(label, colour, dashed) for _, label, colour, dashed, _ in columns if label]
        parts.append(_title(title, legend))
        parts.append(line_chart_svg(series, x_range=(0.5, months + 0.5), y_range=y_range, markers=markers,
                                    zero_line=fixed is None, classes="ics-chart", width=340, height=125, font=13))
    if snap.month == 0:
        parts.append("<div class='ics-side-note'>The lines start after the first month.</div>")
    return "".join(parts)


def futures_charts_html(branches: Branches) -> str:
    """Each outcome of both futures: the middle run as a line, 8 runs in 10 as a shaded band."""
    x = np.arange(branches.start_month + 1, branches.start_month + branches.months + 1, dtype=float)
    cells = []
    for name in ("collaboration_rate", "mean_trust", "system_balance", "n_deficit"):
        scale = 100.0 if name == "collaboration_rate" else 1.0
        series, bands, values = [], [], []
        for future, colour, dashed in zip((branches.first, branches.second), FUTURE_COLOURS, (False, True),
                                          strict=True):
            paths = future.paths[name] * scale
            middle, low, high = (np.percentile(paths, q, axis=0) for q in (50, 10, 90))
            series.append(Series(future.label, x, middle, colour, dashed))
            bands.append(Band(x, low, high, colour))
            values.append(paths)
        if name == "collaboration_rate":
            y_range = (0.0, 100.0)
        elif name == "mean_trust":
            y_range = (0.0, 1.0)
        else:
            y_range = _range(np.concatenate([v.ravel() for v in values]))  # includes zero
        cells.append("<div>" + _title(_FUTURE_TITLES[name]) + line_chart_svg(
            series, x_range=(x[0] - 0.5, x[-1] + 0.5), y_range=y_range, bands=bands, zero_line=name == "system_balance",
            classes="ics-future-chart", width=240, height=130, font=13) + "</div>")
    note = (f"<div class='ics-side-note'>Lines: the middle of the {branches.seeds} runs; shaded: 8 runs in 10. "
            "Every axis starts at zero (money: shows zero).</div>")
    # The key to A and B is in the words above the table (tables.futures_html), level with these charts.
    return "<div class='ics-futures-grid'>" + "".join(cells) + "</div>" + note
