"""Small HTML pieces for the browser: the title line, headline numbers, legends, events, two futures.

The browser draws these at once and they stay sharp on a projector. Every value is escaped;
nothing here comes from a user except scenario names.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ics_abm.demo.branching import Branches
from ics_abm.demo.snapshot import Snapshot
from ics_abm.demo.svg import KIND_COLOURS, TRUST_COLOURS
from ics_abm.demo.views import FUTURE_COLOURS
from ics_abm.demo.wording import EVENT_WORDS, REGIME_WORDS, headline_items, money
from ics_abm.scenario.kinds import KIND_LABELS, KINDS

__all__ = ["money", "title_html", "headline_html", "network_legend_html", "event_log_html", "futures_html"]

#: Colours of the better / worse cue (blue and orange: told apart by colour-blind viewers; the
#: arrow and the word carry the meaning too).
_CUE_COLOURS = {"better": "#0173b2", "worse": "#d55e00"}


def title_html(snap: Snapshot, regime: str, levers: list[str]) -> str:
    """"Month N" in large type, then the system, the luck (seed), the regulators and the levers."""
    lever_text = "; ".join(levers) if levers else "none"
    return (f"<div class='ics-title' style='display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 14px'>"
            f"<span class='ics-month' style='font-size:28px;font-weight:600;line-height:1.1'>Month {snap.month}</span>"
            f"<span style='font-size:18px'>{html.escape(snap.scenario)} · luck (seed) {snap.seed} · regulators: "
            f"{html.escape(REGIME_WORDS.get(regime, regime))} · levers: <span class='ics-levers'>"
            f"{html.escape(lever_text)}</span>{' · arrows: since month 1' if snap.month else ''}</span></div>")


def headline_html(snap: Snapshot) -> str:
    """The latest month's headline numbers with units and a cue against month 1."""
    if snap.month == 0 or not len(snap.system):
        return ("<div class='ics-headline' style='font-size:18px;color:#333;padding:6px 0'>Press <b>Step</b> "
                "(one month) or <b>▶</b> (keep going) in the panel on the left to start the clock.</div>")
    first, last = snap.system.iloc[0].to_dict(), snap.system.iloc[-1].to_dict()
    items = headline_items(first, last, int(snap.active.sum()), int(snap.system["step"].iloc[0]))
    cells = []
    for item in items:
        colour = _CUE_COLOURS.get(item["word"], "#555")
        cue = f"{item['arrow']} {item['change']}, {item['word']}" if item["word"] != "no change" else "= no change"
        # data-value carries the exact number (repr), for tests and for anyone reading the page's source.
        cells.append(
            f"<div style='flex:1 1 0;min-width:0' title='{html.escape(item['unit'])}'>"
            f"<div style='font-size:16px;font-weight:600;white-space:nowrap'>{html.escape(item['name'])}</div>"
            f"<div><span class='ics-metric' data-metric='{item['metric']}' "
            f"data-value='{item['value']!r}' style='font-size:24px;font-weight:600;white-space:nowrap'>{html.escape(item['text'])}</span> "
            f"<span class='ics-cue' style='font-size:14px;color:{colour};display:inline-block'>{html.escape(cue)}</span></div>"
            f"<div style='font-size:14px;color:#444;line-height:1.2'>{html.escape(item['unit'])}</div></div>")
    return f"<div class='ics-headline' style='display:flex;gap:4px 14px'>{''.join(cells)}</div>"


#: Kinds as the legend names them (short, so the legend takes two lines on a laptop).
LEGEND_NAMES = {
    "acute": "Acute trust",
    "primary_care_network": "GP network",
    "commissioner": "Commissioner",
    "community_mental_health": "Community & mental health",
    "local_authority": "Council",
    "voluntary_sector": "Voluntary sector",
}


def network_legend_html(kinds: np.ndarray, active: np.ndarray) -> str:
    """What the network's colours, sizes and lines mean."""
    present = [kind for kind in KINDS if (kinds == KINDS.index(kind)).any()]
    dots = " &nbsp;".join(f"<span style='white-space:nowrap'><span style='display:inline-block;width:13px;height:13px;"
                    f"border-radius:50%;background:{KIND_COLOURS[kind]}' title='{html.escape(KIND_LABELS[kind])}'></span> "
                    f"{html.escape(LEGEND_NAMES[kind])}</span>"
                    for kind in present)
    gradient = ", ".join(TRUST_COLOURS[::20])
    hollow = " Dashed circle: not in the system." if (~active).any() else ""
    return (f"<div class='ics-legend'>{dots}<br>Size: budget. Lines: trust "
            f"<span style='white-space:nowrap'>low <span style='display:inline-block;width:70px;height:11px;"
            f"background:linear-gradient(to right, {gradient})'></span> high</span>, thick if both worked "
            f"together last month.{hollow}</div>")


def event_log_html(events: list) -> str:
    """The events so far, latest first, in plain words."""
    if not events:
        return "<div class='ics-event-log' style='color:#444'>Nothing has happened from outside yet.</div>"
    rows = []
    for event in reversed(events):
        regime = event.get("options", {}).get("regulation.regime")
        words = (f"regulators now: {REGIME_WORDS.get(regime, regime)}" if event["kind"] == "set_values" and regime
                 else EVENT_WORDS.get(event["kind"], event["kind"].replace("_", " ")))
        rows.append(f"<div>Month {int(event['month'])}: {html.escape(words)}</div>")
    return ("<div class='ics-event-log'><div class='ics-panel-title'>What happened (latest first)</div>"
            + "".join(rows) + "</div>")


def _value(label: str, value: float) -> str:
    if "£m" in label:
        return money(value)
    if "%" in label:
        return f"{100 * value:.0f} %"
    if "deficit" in label:
        return f"{value:.0f}"
    return f"{value:.2f}"


def _difference(label: str, value: float) -> str:
    """A signed difference; one that rounds to zero has no sign ("0", not "−0" or "+0")."""
    if "£m" in label:
        text = money(abs(value))
    elif "%" in label:
        text = f"{abs(100 * value):.0f}"
    elif "deficit" in label:
        text = f"{abs(value):.0f}"
    else:
        text = f"{abs(value):.2f}"
    sign = "" if not text.strip("£m0.") else "−" if value < 0 else "+"
    return sign + text + (" points" if "%" in label else "")


def _spread(label: str, low: float, high: float) -> str:
    """8 runs in 10: "+2 to +5 points" (the unit once, at the end)."""
    unit = " points"
    return (_difference(label, low).removesuffix(unit) + " to " + _difference(label, high)
            if "%" in label else f"{_difference(label, low)} to {_difference(label, high)}")


#: The outcomes as the what-if table names them (short: the table shares the width with charts).
_SHORT = {
    "Working together (% of relationships)": "Working together",
    "Trust (average, 0 = none, 1 = full)": "Trust (0 to 1)",
    "Money: all organisations' balance (£m)": "Money",
    "Organisations in deficit": "In deficit",
    "Integration built (index from 0)": "Integration",
}
#: The table's look: a rule under the header, cells padded, numbers right-aligned, nothing wrapped.
_TABLE_STYLE = "line-height:1.3;border-collapse:collapse;white-space:nowrap;font-variant-numeric:tabular-nums"
_CELL = "padding:3px 5px;text-align:right"
_FIRST = "padding:3px 5px 3px 0;text-align:left"


def _key(colour: str, dashed: bool) -> str:
    """A future's line in the charts, as a key in running text."""
    return (f"<span style='display:inline-block;width:24px;margin-right:4px;vertical-align:middle;"
            f"border-top:3px {'dashed' if dashed else 'solid'} {colour}'></span>")


def futures_html(branches: Branches, table: pd.DataFrame) -> str:
    """Two futures' outcomes at the end, in words: medians, B − A and its spread over the seeds."""
    seeds = branches.seeds
    end = branches.start_month + branches.months
    head = (f"<div class='ics-compare-words' style='margin-bottom:4px'><b>Month {end}</b>, {seeds} runs each. "
            f"{_key(FUTURE_COLOURS[0], False)}A: {html.escape(branches.first.label)}. "
            f"{_key(FUTURE_COLOURS[1], True)}B: {html.escape(branches.second.label)}.</div>")
    if branches.identical:
        return (head + "<div class='ics-no-difference' style='font-size:22px;font-weight:600;margin-top:8px'>"
                "No difference: the two futures are identical in every run.</div>")
    titles = ("A", "B", "B − A", "8 runs in 10", "B better in")
    rows = [f"<tr style='border-bottom:2px solid #999'><th style='{_FIRST}'>At the end</th>"
            + "".join(f"<th style='{_CELL}'>{html.escape(title)}</th>" for title in titles) + "</tr>"]
    for label, row in table.iterrows():
        label = str(label)
        same = row["low"] == 0 and row["high"] == 0 and row["B - A"] == 0
        cells = (_value(label, row["A"]), _value(label, row["B"]),
                 "no difference" if same else _difference(label, row["B - A"]),
                 "" if same else _spread(label, row["low"], row["high"]), f"{int(row['B better'])} of {seeds}")
        rows.append(f"<tr style='border-bottom:1px solid #ddd'><td style='{_FIRST}'>{html.escape(_SHORT.get(label, label))}"
                    "</td>" + "".join(f"<td style='{_CELL}'>{html.escape(cell)}</td>" for cell in cells) + "</tr>")
    note = (f"<div class='ics-compare-note' style='margin-top:4px'>B − A: how far B ends above A in "
            f"the middle run; 8 runs in 10 land in the range next to it. B better in: how many of the {seeds} runs "
            "end better with B (fewer organisations in deficit; more of the rest).</div>")
    return (head + f"<table class='ics-compare' style='{_TABLE_STYLE}'>" + "".join(rows) + "</table>" + note)
