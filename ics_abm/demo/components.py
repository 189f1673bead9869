"""The demo's browser components (solara): the sidebar's controls and the three tabs of the main area.

Every component that shows the model reads Mesa's ``update_counter``, which Mesa's Step and Play
buttons bump after each step, so it redraws once per month. The pictures are SVG text
(:mod:`ics_abm.demo.svg`) the browser draws; nothing is rendered to an image while the room
watches.
"""

from __future__ import annotations

import html
from pathlib import Path

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from ics_abm.demo.branching import SEEDS, WHAT_IFS, Branches, branch, compare
from ics_abm.demo.export import SaveLimit, export_session
from ics_abm.demo.levers import LEVER_CONTROLS, REGIME_CHOICES, Levers, describe_levers, lever_text
from ics_abm.demo.session import DEMO_EVENTS
from ics_abm.demo.snapshot import Snapshot, take_snapshot
from ics_abm.demo.stories import STORIES, play_chapter
from ics_abm.demo.tables import event_log_html, futures_html, headline_html, network_legend_html, title_html
from ics_abm.demo.views import charts_html, futures_charts_html, network_html

__all__ = ["Dashboard", "Controls", "STYLE"]

#: The page's style: large type for the back of the room, and a main view that fits the screen.
STYLE = """
.v-application, .v-application .v-btn, .v-application .v-label, .v-application .v-select__selection,
.v-application input, .v-application .v-list-item__title { font-size: 16px !important; }
.v-application .v-btn { text-transform: none; letter-spacing: 0; }
.ics-live { display: grid; grid-template-columns: minmax(0, 1.05fr) minmax(0, 1fr) minmax(230px, 0.62fr);
            gap: 10px; height: calc(100vh - 270px); min-height: 400px; }
.ics-live > div { min-height: 0; overflow: hidden; }
.ics-network-box svg.ics-network { width: 100%; height: calc(100vh - 445px); min-height: 200px; }
.ics-chart-box svg.ics-chart { width: 100%; height: calc((100vh - 425px) / 3); min-height: 90px; display: block; }
.ics-panel-title { font-size: 16px; font-weight: 600; margin: 0 !important; line-height: 1.35; }
.v-application .v-tab { font-size: 16px !important; text-transform: none; letter-spacing: 0; }
.v-application .v-tabs { margin: 0; }
.v-application .v-tabs-bar { height: 40px; }
.v-application main .v-content__wrap > .container, .v-application main > div > .container { padding-top: 6px !important; }
.ics-legend { font-size: 14px; color: #333; line-height: 1.25; }
.ics-side-note { font-size: 15px; color: #444; }
.ics-live.ics-with-story { grid-template-columns: minmax(0, 0.9fr) minmax(0, 0.8fr) minmax(300px, 1.05fr); }
/* during a story the right column ends on screen and the story takes what it needs of it; the event
   buttons fold away below. Were the chapter ever taller than the column, it scrolls, and a shadow at
   the box's edge shows there is more (the shadow stays only while there is more to scroll to). */
.ics-with-story .ics-side { max-height: calc(100vh - 318px); }
.ics-story-box { display: flex; flex-direction: column; flex: 0 1 auto; min-height: 120px; }
.ics-caption { font-size: 16px; line-height: 1.35; border-left: 4px solid #0173b2; padding: 6px 10px;
               overflow-y: auto; min-height: 0; background-color: #eef4fb;
               background-image: linear-gradient(#eef4fb 30%, rgba(238, 244, 251, 0)),
                 linear-gradient(rgba(238, 244, 251, 0), #eef4fb 70%),
                 radial-gradient(farthest-side at 50% 0, rgba(0, 0, 0, .3), rgba(0, 0, 0, 0)),
                 radial-gradient(farthest-side at 50% 100%, rgba(0, 0, 0, .3), rgba(0, 0, 0, 0));
               background-position: top, bottom, top, bottom; background-repeat: no-repeat;
               background-size: 100% 36px, 100% 36px, 100% 14px, 100% 14px;
               background-attachment: local, local, scroll, scroll; }
.ics-side .v-expansion-panel-header { font-size: 16px; font-weight: 600; min-height: 40px; padding: 8px 12px; }
.ics-caption details summary { cursor: pointer; color: #333; }
/* a lever's label (with its value and unit) above its slider, so the slider keeps its width */
div[class*='ics-lever-'] .v-input__slot { flex-wrap: wrap; }
div[class*='ics-lever-'] .v-label { width: 100%; max-width: 100%; white-space: normal; margin-bottom: 2px; }
div[class*='ics-lever-'] .v-slider { width: 100%; flex: 1 0 100%; }
.ics-events-box .v-btn { margin: 0 6px 6px 0; }
.ics-event-log { font-size: 15px; overflow-y: auto; max-height: 22vh; }
.ics-futures { display: grid; grid-template-columns: minmax(0, 1fr) max-content; gap: 0 24px; align-items: start; }
/* the words above and below the table wrap to the table's width instead of widening it */
.ics-compare-words, .ics-compare-note { width: 0; min-width: 100%; }
.ics-compare-words { font-size: 16px; }
.ics-compare-note { font-size: 15px; color: #444; }
table.ics-compare { font-size: 15px; }
/* on a projector's full-HD screen the table grows with the charts */
@media (min-width: 1600px) and (min-height: 900px) {
  .ics-compare-words, table.ics-compare { font-size: 19px; }
  .ics-compare-note { font-size: 17px; }
}
.ics-futures-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 16px; }
.ics-futures-grid svg.ics-future-chart { width: 100%; height: calc((100vh - 600px) / 2); min-height: 80px; }
"""


def _key(model, snap: Snapshot) -> list:
    # What a picture depends on: the model object (a reset makes a new one), the month, and
    # the events so far (an event acts at once, before the next step).
    return [model, snap.month, len(snap.events)]


@solara.component
def Controls(model: solara.Reactive, params: solara.Reactive, catalogue, story: solara.Reactive):
    """The sidebar below Mesa's Reset / Play / Step: preset, seed, story and levers."""
    # No update_counter here: what the sidebar shows changes only with Reset (a new model) or the story.
    current = model.value
    values = params.value

    def set_param(name):
        return lambda value: params.set({**params.value, name: value})

    groups = catalogue.groups
    solara.Select("Starting system", values=catalogue.labels, value=catalogue.label_of(values["preset"]),
                  on_value=lambda label: set_param("preset")(catalogue.name_of(label)), classes=["ics-preset"])
    chosen = catalogue.get(values["preset"])
    solara.Text(chosen.description or "", classes=["ics-side-note", "ics-preset-description"])
    if groups:
        solara.Text(f"{len(catalogue.presets)} systems in {len(groups)} groups.", classes=["ics-side-note"])
    solara.InputText("Luck (seed): a whole number", value=str(values["seed"]), on_value=set_param("seed"),
                     continuous_update=False)
    with solara.Details("Levers: change the system", expand=False):
        solara.Select("Regulators", values=list(REGIME_CHOICES), value=_regime_label(values["regime"]),
                      on_value=lambda label: set_param("regime")(REGIME_CHOICES[label]))
        for name, control in LEVER_CONTROLS.items():
            if control["type"] != "SliderFloat":
                continue
            value = float(values[name])
            with solara.Div(classes=[f"ics-lever-{name}"]):
                solara.SliderFloat(f"{control['label']}: {lever_text(name, value)}", value=value,
                                   min=control["min"], max=control["max"], step=control["step"],
                                   on_value=set_param(name), thumb_label=False)
        solara.Button("Back to neutral", text=True, on_click=lambda: params.set(
            {**params.value, **{name: control["value"] for name, control in LEVER_CONTROLS.items()}}))
    pending = _pending(current, values)
    if pending:
        solara.Warning(f"Changed: {', '.join(pending)}. Press Reset to start again with it.",
                       dense=True, classes=["ics-pending"])
    StoryPicker(model, params, catalogue, story)


def _regime_label(regime: str) -> str:
    return next(label for label, value in REGIME_CHOICES.items() if value == regime)


def _pending(model, values: dict) -> list[str]:
    """What the controls say that the running model does not (applied by Reset)."""
    changes = []
    if getattr(model, "preset", None) is not None and model.preset.name != values["preset"]:
        changes.append("starting system")
    if str(values["seed"]).strip() != str(model.seed):
        changes.append("luck (seed)")
    levers = Levers(**{name: values[name] for name in LEVER_CONTROLS})
    if levers != getattr(model, "levers", levers):
        changes.append("levers")
    return changes


@solara.component
def StoryPicker(model: solara.Reactive, params: solara.Reactive, catalogue, story: solara.Reactive):
    """Pick a guided story, start it, and step through its chapters with Next."""
    titles = {item.title: key for key, item in STORIES.items()}
    picked = solara.use_reactive(next(iter(titles)))
    state = story.value

    def start() -> None:
        key = titles[picked.value]
        chosen = STORIES[key]
        name = next((p for p in chosen.presets if catalogue.has(p)), catalogue.start.name)
        neutral = {name_: control["value"] for name_, control in LEVER_CONTROLS.items()}
        params.set({**params.value, **neutral, "preset": name})
        model.set(type(model.value)(**{**params.value}))
        story.set({"key": key, "done": 0, "captions": []})

    def next_chapter() -> None:
        chosen = STORIES[state["key"]]
        chapter = chosen.chapters[state["done"]]
        sentences = play_chapter(model.value, chapter)
        story.set({**state, "done": state["done"] + 1, "captions": [*state["captions"], (chapter.title, sentences)]})
        force_update()

    with solara.Card("Guided story", margin=0, classes=["ics-story-card"]):
        solara.Select("Story", values=list(titles), value=picked)
        with solara.Row(gap="6px"):
            solara.Button("Start story", on_click=start, color="primary", outlined=True, classes=["ics-story-start"])
            if state is not None:
                solara.Button("Free play", text=True, on_click=lambda: story.set(None))
        if state is not None:
            chapters = STORIES[state["key"]].chapters
            left = len(chapters) - state["done"]
            # A short, fixed label: the chapter's title is in the story panel (a long label would widen the sidebar).
            solara.Button(f"Next chapter ({state['done'] + 1} of {len(chapters)})" if left else "Story finished",
                          on_click=next_chapter, color="primary", disabled=not left, classes=["ics-story-next"])


@solara.component
def StoryPanel(story: dict):
    """The story's scene and captions: what the facilitator reads out."""
    chosen = STORIES[story["key"]]
    parts = [f"<div class='ics-caption ics-story'><b>{html.escape(chosen.title)}</b>"]
    done = story["captions"]
    for number, (title, sentences) in enumerate(done, start=1):
        text = (f"<div class='ics-chapter-caption'><b>{number}. {html.escape(title)}.</b> "
                + " ".join(html.escape(s) for s in sentences) + "</div>")
        # Earlier chapters fold away so that the latest caption is what the room reads.
        parts.append(text if number == len(done) else f"<details><summary>{number}. {html.escape(title)}</summary>"
                     f"{text}</details>")
    if story["done"] < len(chosen.chapters):
        chapter = chosen.chapters[story["done"]]
        parts.append(f"<div class='ics-story-coming'><i>Next: {html.escape(chapter.title)}. {html.escape(chapter.scene)} "
                     f"({chapter.months} months)</i></div>")
    else:
        parts.append("<div class='ics-story-coming'><i>The story is over: carry on with the buttons, or pick another "
                     "story.</i></div>")
    solara.HTML(unsafe_innerHTML="".join(parts) + "</div>", classes=["ics-story-box"])


_EVENTS_TITLE = "Make something happen now"


@solara.component
def EventButtons(model, titled: bool = True):
    """One button per event; an event acts now, before the next step."""
    error = solara.use_reactive("")

    def inject(kind: str) -> None:
        try:
            model.inject(kind)
        except ValueError as exc:  # a ScenarioError is a ValueError: one sentence for the room
            error.set(str(exc))
            return
        error.set("")
        force_update()  # redraw the network and the event log now, not at the next step

    if titled:
        solara.HTML(unsafe_innerHTML=f"<p class='ics-panel-title'>{_EVENTS_TITLE}</p>")
    with solara.Div(classes=["ics-events-box"]):
        for kind, (label, meaning) in DEMO_EVENTS.items():
            with solara.Tooltip(meaning):
                solara.Button(label, on_click=lambda kind=kind: inject(kind), outlined=True, color="primary",
                              small=True, classes=[f"ics-event-{kind}"])
    if error.value:
        solara.Error(error.value)


@solara.component
def Live(model, snap: Snapshot, story: dict | None):
    """The main view: network, charts, and the events column."""
    key = _key(model, snap)
    network = solara.use_memo(lambda: network_html(snap), key)
    charts = solara.use_memo(lambda: charts_html(snap), key)
    with solara.Div(classes=["ics-live"] + (["ics-with-story"] if story is not None else [])):
        with solara.Div(classes=["ics-network-box"]):
            solara.HTML(unsafe_innerHTML=network)
            solara.HTML(unsafe_innerHTML=network_legend_html(snap.kinds, snap.active))
        with solara.Div(classes=["ics-chart-box"]):
            solara.HTML(unsafe_innerHTML=charts)
        with solara.Column(gap="8px", style={"min-height": "0"}, classes=["ics-side"]):
            if story is None:
                EventButtons(model)
                solara.HTML(unsafe_innerHTML=event_log_html(snap.events))
            else:
                # The chapter is what the room reads: it gets the column; the buttons are a click away.
                StoryPanel(story)
                with solara.Details(_EVENTS_TITLE, expand=False):
                    EventButtons(model, titled=False)
                    solara.HTML(unsafe_innerHTML=event_log_html(snap.events))


@solara.component
def WhatIf(model, branches: solara.Reactive):
    """Fork the running simulation into two futures on many seeds and show them with their spread."""
    labels = {key: what.label for key, what in WHAT_IFS.items()}
    keys = {label: key for key, label in labels.items()}
    first = solara.use_reactive(labels["carry_on"])
    second = solara.use_reactive(labels["align"])
    months = solara.use_reactive(24)
    error = solara.use_reactive("")

    def fork() -> None:
        try:
            branches.set(branch(model, keys[first.value], keys[second.value], months.value))
        except ValueError as exc:
            error.set(str(exc))
            return
        error.set("")

    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select("Future A", values=list(keys), value=first, style={"min-width": "250px"})
        solara.Select("Future B", values=list(keys), value=second, style={"min-width": "250px"})
        with solara.Div(style={"min-width": "220px"}):
            solara.SliderInt(f"Months ahead: {months.value}", value=months, min=6, max=60, step=6)
        solara.Button(f"Run both futures ({SEEDS} times each)", on_click=fork, color="primary", classes=["ics-fork"])
    solara.Text(f"Both start from month {model.months_simulated}; each runs {SEEDS} times with different luck, "
                "the same luck for A and B.", classes=["ics-side-note"])
    if error.value:
        solara.Error(error.value)
    result: Branches | None = branches.value
    charts = solara.use_memo(lambda: futures_charts_html(result) if result is not None else "", [result])
    if result is not None:
        # The table takes the width its numbers need (nothing wraps or runs together); the charts the rest.
        with solara.Div(classes=["ics-futures"]):
            solara.HTML(unsafe_innerHTML=charts)
            solara.HTML(unsafe_innerHTML=futures_html(result, compare(result)))


@solara.component
def Export(model, branches: solara.Reactive, out_dir: Path, limit: SaveLimit):
    """Save the charts and a Markdown summary of the session."""
    saved = solara.use_reactive("")
    error = solara.use_reactive("")

    def save() -> None:
        if not limit.take():
            error.set(f"This demo allows {limit.allowed} saves and they are used; the facilitator can save "
                      "more from their own computer.")
            return
        try:
            result = export_session(model, out_dir, branches.value)
        except OSError as exc:
            error.set(f"Could not save the session: {exc.strerror or type(exc).__name__}.")
            return
        error.set("")
        saved.set(f"Saved in the folder {result.directory.name} (inside the demo's save folder): "
                  + ", ".join(path.name for path in result.files))

    solara.Text("Pictures (PNG) and a summary (Markdown) of this session go into a new folder in the "
                "demo's save folder on the facilitator's computer.", classes=["ics-side-note"])
    solara.Button("Save charts and summary", on_click=save, color="primary", classes=["ics-save"])
    if saved.value:
        solara.Success(saved.value, classes=["ics-export-result"])
    if error.value:
        solara.Error(error.value, classes=["ics-export-error"])


@solara.component
def Dashboard(model: solara.Reactive, out_dir: Path, problems: tuple[str, ...], story: solara.Reactive,
              limit: SaveLimit):
    """The main area: the month and headline numbers, then tabs: live system, what if, save."""
    update_counter.get()  # subscribe: Mesa bumps it after every step
    current = model.value
    branches = solara.use_reactive(None)
    tab = solara.use_reactive(0)
    solara.use_effect(lambda: branches.set(None), [current])  # a reset forgets the old futures
    snap = take_snapshot(current, trust_by_kind=False)
    regulation = current.scenario_config.regulation
    with solara.Column(gap="6px", style={"padding": "0 10px"}):
        for problem in problems:
            solara.Warning(f"Preset left out: {problem}")
        for warning in getattr(current, "warnings", []):
            solara.Warning(warning)
        levers = describe_levers(current.levers) if hasattr(current, "levers") else []
        solara.HTML(unsafe_innerHTML=title_html(snap, regulation.regime, levers)
                    + headline_html(snap))
        with solara.lab.Tabs(value=tab):
            with solara.lab.Tab("The system now", classes=["ics-tab-live"]):
                if tab.value == 0:
                    Live(current, snap, story.value)
            with solara.lab.Tab("What if?", classes=["ics-tab-whatif"]):
                if tab.value == 1:
                    WhatIf(current, branches)
            with solara.lab.Tab("Save", classes=["ics-tab-save"]):
                if tab.value == 2:
                    Export(current, branches, out_dir, limit)
