"""The demo's browser components (solara), beside Mesa's sidebar controls.

Every component that shows the model reads Mesa's ``update_counter``, which Mesa's Step and Play
buttons bump after each step, so it redraws once per month; pictures are memoised on the model,
the month and the number of events, so an unrelated redraw never renders a picture again.
"""

from __future__ import annotations

from pathlib import Path

import solara
from mesa.visualization.utils import force_update, update_counter

from ics_abm.demo.branching import WHAT_IFS, Branches, branch, compare
from ics_abm.demo.export import export_session
from ics_abm.demo.figures import futures_figure, to_png, trust_matrix
from ics_abm.demo.levers import describe_levers
from ics_abm.demo.painters import LinePainter, NetworkPainter
from ics_abm.demo.session import DEMO_EVENTS
from ics_abm.demo.snapshot import Snapshot, take_snapshot
from ics_abm.demo.tables import compare_html, event_log_html, headline_html, title_html, trust_table_html

__all__ = ["Dashboard"]


def _key(model, snap: Snapshot) -> list:
    # What a picture depends on: the model object (a reset makes a new one), the month, and
    # the events so far (an event acts at once, before the next step).
    return [model, snap.month, len(snap.events)]


@solara.component
def Header(model, snap: Snapshot):
    """Month, scenario and seed in large type, the headline numbers, and what this run is."""
    preset = getattr(model, "preset", None)
    solara.HTML(unsafe_innerHTML=title_html(snap))
    solara.HTML(unsafe_innerHTML=headline_html(snap))
    regulation, legacy = model.scenario_config.regulation, model.scenario_config.legacy
    levers = describe_levers(model.levers) if hasattr(model, "levers") else []
    about = [
        (preset.description if preset is not None else model.scenario_config.scenario.description),
        f"Regulators: {regulation.regime}. Competition legacy {legacy.strength:.2f}.",
        "Levers: " + ("; ".join(levers) if levers else "none (the preset as written)") + ".",
    ]
    solara.Text(" ".join(part for part in about if part), style={"color": "#555", "font-size": "13px"})
    for warning in getattr(model, "warnings", []):
        solara.Warning(warning)


@solara.component
def EventButtons(model):
    """One button per event; an event acts now, before the next step."""
    error = solara.use_reactive(None)

    def inject(kind: str) -> None:
        try:
            model.inject(kind)
        except ValueError as exc:  # a ScenarioError is a ValueError: one sentence for the room
            error.set(str(exc))
            return
        error.set(None)
        force_update()  # redraw the network and the event log now, not at the next step

    with solara.Card("Events: happen now, before the next month", margin=0, classes=["ics-events"]):
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            for kind, (label, meaning) in DEMO_EVENTS.items():
                with solara.Tooltip(meaning):
                    solara.Button(label, on_click=lambda kind=kind: inject(kind), outlined=True, color="primary",
                                  classes=[f"ics-event-{kind}"])
        if error.value:
            solara.Error(error.value)


@solara.component
def Picture(make, dependencies: list, classes: list[str]):
    """A matplotlib figure as a PNG, made again only when ``dependencies`` change."""
    png = solara.use_memo(lambda: to_png(make()), dependencies)
    solara.Image(png, width="100%", classes=classes)


@solara.component
def LivePictures(model, snap: Snapshot):
    """The network and the line charts, side by side, redrawn in place once a month."""
    # One painter pair per model: the layout and the axes' ranges belong to the run.
    network = solara.use_memo(lambda: NetworkPainter(snap.kinds), [model])
    lines = solara.use_memo(LinePainter, [model])
    key = _key(model, snap)
    network_png = solara.use_memo(lambda: network.render(snap), key)
    lines_png = solara.use_memo(lambda: lines.render(snap), key)
    with solara.Columns([1, 1]):
        solara.Image(network_png, width="100%", classes=["ics-network"])
        solara.Image(lines_png, width="100%", classes=["ics-charts"])


@solara.component
def WhatIf(model, branches: solara.Reactive):
    """Fork the running simulation into two futures and show them side by side."""
    labels = {key: what.label for key, what in WHAT_IFS.items()}
    keys = {label: key for key, label in labels.items()}
    first = solara.use_reactive(labels["carry_on"])
    second = solara.use_reactive(labels["align"])
    months = solara.use_reactive(24)
    error = solara.use_reactive(None)

    def fork() -> None:
        try:
            branches.set(branch(model, keys[first.value], keys[second.value], months.value))
        except ValueError as exc:
            error.set(str(exc))
            return
        error.set(None)

    with solara.Card("What if? Two futures from this moment, same state and same luck", margin=0,
                     classes=["ics-whatif"]):
        with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Select("Future A", values=list(keys), value=first, style={"min-width": "260px"})
            solara.Select("Future B", values=list(keys), value=second, style={"min-width": "260px"})
            solara.SliderInt("Months ahead", value=months, min=6, max=60, step=6)
            solara.Text(f"{months.value} months")
            solara.Button("Fork into two futures", on_click=fork, color="primary", classes=["ics-fork"])
        if error.value:
            solara.Error(error.value)
        result: Branches | None = branches.value
        if result is not None:
            def make():
                ends = [(future.label, take_snapshot(future.model)) for future in (result.first, result.second)]
                return futures_figure(result.start_month, ends[0], ends[1])

            Picture(make, [result], ["ics-futures"])
            solara.HTML(unsafe_innerHTML=compare_html(compare(result)))


@solara.component
def Export(model, branches: solara.Reactive, out_dir: Path):
    """Save the charts and a Markdown summary of the session."""
    saved = solara.use_reactive(None)
    error = solara.use_reactive(None)

    def save() -> None:
        try:
            result = export_session(model, out_dir, branches.value)
        except OSError as exc:
            error.set(f"Could not save to {out_dir}: {exc.strerror or exc}.")
            return
        error.set(None)
        saved.set(f"Saved to {result.directory}: " + ", ".join(path.name for path in result.files))

    with solara.Card("Save this session", margin=0, classes=["ics-export"]):
        solara.Text(f"Pictures (PNG) and a summary (Markdown) go into a new folder in {out_dir}.",
                    style={"color": "#555"})
        solara.Button("Save charts and summary", on_click=save, color="primary", classes=["ics-save"])
        if saved.value:
            solara.Success(saved.value, classes=["ics-export-result"])
        if error.value:
            solara.Error(error.value)


@solara.component
def Dashboard(model: solara.Reactive, out_dir: Path, problems: tuple[str, ...] = ()):
    """The main area: header, events, network and charts, trust table, what-if and export."""
    update_counter.get()  # subscribe: Mesa bumps it after every step
    current = model.value
    branches = solara.use_reactive(None)
    solara.use_effect(lambda: branches.set(None), [current])  # a reset forgets the old futures
    snap = take_snapshot(current)
    with solara.Column(gap="12px", style={"padding": "4px 12px"}):
        for problem in problems:
            solara.Warning(f"Preset left out: {problem}")
        Header(current, snap)
        EventButtons(current)
        LivePictures(current, snap)
        with solara.Columns([3, 2]):
            solara.HTML(unsafe_innerHTML=trust_table_html(trust_matrix(snap), snap.month))
            solara.HTML(unsafe_innerHTML=event_log_html(snap.events))
        WhatIf(current, branches)
        Export(current, branches, out_dir)
