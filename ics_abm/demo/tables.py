"""Small HTML tables for the browser: headline numbers, trust between kinds, events, two futures.

The browser draws these at once (no picture to render each month) and they stay sharp on a
projector. Every value is escaped; nothing here comes from a user except file and scenario names.
"""

from __future__ import annotations

import html

import matplotlib
import numpy as np
import pandas as pd

from ics_abm.demo.figures import EVENT_SHORT, KIND_SHORT
from ics_abm.demo.snapshot import Snapshot
from ics_abm.scenario.kinds import KIND_LABELS

__all__ = ["money", "title_html", "headline_html", "trust_table_html", "event_log_html", "compare_html"]

_CELL = "padding:2px 6px;border:1px solid #ddd;text-align:right"
_HEAD = "padding:2px 6px;border:1px solid #ddd;background:#f3f3f3"
_TRUST_CMAP = matplotlib.colormaps["RdYlGn"]


def _table(rows: list[str], caption: str = "", classes: str = "") -> str:
    cap = f"<caption style='caption-side:top;text-align:left;font-weight:500'>{html.escape(caption)}</caption>"
    return (f"<table class='{classes}' style='border-collapse:collapse;font-size:13px'>"
            f"{cap if caption else ''}{''.join(rows)}</table>")


def money(value: float) -> str:
    """£ millions with the sign in front: "−£1.8m"."""
    return f"{'−' if value < 0 else ''}£{abs(value):,.1f}m"


def title_html(snap: Snapshot) -> str:
    """"Month N", large, then the scenario and seed."""
    return (f"<span class='ics-month' style='font-size:28px;font-weight:500'>Month {snap.month}</span>"
            f"<span style='font-size:18px;color:#555'> &nbsp;·&nbsp; {html.escape(snap.scenario)}, "
            f"seed {snap.seed}</span>")


def headline_html(snap: Snapshot) -> str:
    """The latest month's headline numbers, one row (empty-handed before the first step)."""
    if snap.month == 0 or not len(snap.system):
        return "<div style='color:#666'>Press <b>Step</b> or <b>▶</b> in the sidebar to start the clock.</div>"
    last = snap.system.iloc[-1]
    items = [
        ("collaboration_rate", "collaborating", f"{100 * last['collaboration_rate']:.0f} %"),
        ("mutual_rate", "mutual", f"{100 * last['mutual_rate']:.0f} %"),
        ("mean_trust", "mean trust", f"{last['mean_trust']:.2f}"),
        ("system_balance", "system balance", money(last["system_balance"])),
        ("n_deficit", "in deficit", f"{int(last['n_deficit'])} of {int(snap.active.sum())}"),
        ("integration_progress", "integration progress", f"{last['integration_progress']:.1f}"),
    ]
    # data-value carries the exact number (repr), for tests and for anyone reading the page's source.
    cells = "".join(
        f"<div style='display:inline-block;margin:0 18px 4px 0'><div style='font-size:12px;color:#666'>"
        f"{html.escape(label)}</div><div class='ics-metric' data-metric='{name}' data-value='{float(last[name])!r}' "
        f"style='font-size:20px;font-weight:500'>{html.escape(text)}</div></div>"
        for name, label, text in items
    )
    return f"<div class='ics-headline'>{cells}</div>"


def trust_table_html(matrix: pd.DataFrame, month: int) -> str:
    """Mean trust between kinds (rows trust columns), cells coloured red (low) to green (high)."""
    columns = [f"<th style='{_HEAD}' title='{html.escape(KIND_LABELS[k])}'>{KIND_SHORT[k]}</th>"
               for k in matrix.columns]
    rows = [f"<tr><th style='{_HEAD}'>trusts →</th>{''.join(columns)}</tr>"]
    for kind, values in matrix.iterrows():
        cells = []
        for value in values.to_numpy(dtype=float):
            if np.isfinite(value):
                colour = matplotlib.colors.to_hex(_TRUST_CMAP(value))
                text = "#000" if 0.25 < value < 0.8 else "#fff"
                cells.append(f"<td style='{_CELL};background:{colour};color:{text}'>{value:.2f}</td>")
            else:
                cells.append(f"<td style='{_CELL};color:#999'>–</td>")
        label = f"<th style='{_HEAD};text-align:left' title='{html.escape(KIND_LABELS[kind])}'>{KIND_SHORT[kind]}</th>"
        rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    caption = f"Trust between kinds, month {month}" + (" (starts after the first step)" if month == 0 else "")
    return _table(rows, caption, "ics-trust-table")


def event_log_html(events: list) -> str:
    """The events so far, latest first."""
    if not events:
        return "<div class='ics-event-log' style='color:#666'>No events yet.</div>"
    rows = [f"<tr><th style='{_HEAD}'>month</th><th style='{_HEAD}'>event</th></tr>"]
    for event in reversed(events):
        name = EVENT_SHORT.get(event["kind"], event["kind"])
        rows.append(f"<tr><td style='{_CELL}'>{int(event['month'])}</td>"
                    f"<td style='{_CELL};text-align:left'>{html.escape(name)}</td></tr>")
    return _table(rows, "Events (latest first; each acts before the month shown)", "ics-event-log")


def compare_html(table: pd.DataFrame) -> str:
    """Two futures' outcomes at the end (:func:`ics_abm.demo.branching.compare`)."""
    rows = [f"<tr><th style='{_HEAD}'>outcome at the end</th>"
            + "".join(f"<th style='{_HEAD}'>{html.escape(c)}</th>" for c in table.columns) + "</tr>"]
    for label, values in table.iterrows():
        cells = "".join(f"<td style='{_CELL}'>{v:,.2f}</td>" for v in values.to_numpy(dtype=float))
        rows.append(f"<tr><th style='{_HEAD};text-align:left'>{html.escape(str(label))}</th>{cells}</tr>")
    return _table(rows, "", "ics-compare")
