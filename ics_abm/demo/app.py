"""The demo page: a sidebar (Reset, Play, Step; starting system, luck, levers, stories) and the main view.

Mesa's ``ModelController`` gives Reset, Play and Step; the technical controls of Mesa's
``SolaraViz`` (play interval, render interval, threads) are left out, and the rest of the page is
the demo's own (:mod:`ics_abm.demo.components`). Each browser that connects gets its own model, so
people in the room who open the address on their own laptops can experiment without disturbing
the facilitator's screen. ``solara`` imports this module by name (``SOLARA_APP=ics_abm.demo.app``)
and renders :func:`Page`.
"""

from __future__ import annotations

import functools

import solara
from mesa.visualization.solara_viz import ModelController

from ics_abm.demo.components import STYLE, Controls, Dashboard
from ics_abm.demo.export import SaveLimit
from ics_abm.demo.levers import LEVER_CONTROLS
from ics_abm.demo.presets import Catalogue, find_catalogue
from ics_abm.demo.session import DemoModel
from ics_abm.demo.settings import DemoSettings

__all__ = ["Page", "model_params", "PLAY_INTERVAL_MS"]

#: Milliseconds of pause between months while playing (a month itself takes a few tens more).
PLAY_INTERVAL_MS = 60


def model_params(catalogue: Catalogue) -> dict:
    """The keyword arguments Reset passes to :class:`DemoModel`: catalogue, preset, seed, levers."""
    return {
        "catalogue": catalogue,
        "preset": catalogue.start.name,
        "seed": str(catalogue.start.load().scenario.seed),
        **{name: control["value"] for name, control in LEVER_CONTROLS.items()},
    }


@functools.lru_cache(maxsize=4)
def _catalogue(settings: DemoSettings) -> Catalogue:
    return find_catalogue(settings.presets_dir, settings.scenario)


#: Saves left for the life of the server (shared by every browser), when serving a room.
_SAVES: dict[int | None, SaveLimit] = {}


def _save_limit(allowed: int | None) -> SaveLimit:
    return _SAVES.setdefault(allowed, SaveLimit(allowed))


@solara.component
def Page():
    """One browser session: a model of its own, the controls, and the dashboard."""
    settings = solara.use_memo(DemoSettings.from_environment, [])
    catalogue = _catalogue(settings)
    params = solara.use_reactive(solara.use_memo(lambda: model_params(catalogue), []))
    first = solara.use_memo(lambda: DemoModel(**params.value), [])
    model = solara.use_reactive(first)
    story = solara.use_reactive(None)
    # Mesa's controller reads these as reactive values; the room never sees them.
    interval, every, threads = solara.use_reactive(PLAY_INTERVAL_MS), solara.use_reactive(1), solara.use_reactive(False)
    solara.Title("ICS live demo")
    solara.Style(STYLE)
    with solara.AppBar():
        solara.AppBarTitle("Integrated care system: live demo")
        if settings.room_address:
            solara.Text(f"Join at {settings.room_address}", style={"font-size": "18px", "margin-left": "24px"})
    with solara.Sidebar():
        with solara.Column(gap="8px"):
            ModelController(model, model_parameters=params, play_interval=interval, render_interval=every,
                            use_threads=threads)
            Controls(model, params, catalogue, story)
    Dashboard(model, settings.out_dir, catalogue.problems, story, _save_limit(settings.max_saves))
