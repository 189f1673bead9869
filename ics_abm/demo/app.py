"""The demo page: Mesa's ``SolaraViz`` (sidebar: play, step, reset, preset, seed, levers) and the dashboard.

Each browser that connects gets its own model, so people in the room who open the address on
their own laptops can experiment without disturbing the facilitator's screen. ``solara`` imports
this module by name (``SOLARA_APP=ics_abm.demo.app``) and renders :func:`Page`.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from ics_abm.demo.components import Dashboard
from ics_abm.demo.levers import LEVER_CONTROLS
from ics_abm.demo.presets import Catalogue, find_catalogue
from ics_abm.demo.session import DemoModel
from ics_abm.demo.settings import DemoSettings

__all__ = ["Page", "model_params"]

#: Milliseconds between months while playing: slow enough for a room to follow.
PLAY_INTERVAL_MS = 400


def model_params(catalogue: Catalogue) -> dict:
    """Mesa ``model_params`` for :class:`DemoModel`: preset picker, seed field and levers.

    The catalogue is a fixed parameter (no ``type``), passed to every model Reset makes.
    """
    seed = str(catalogue.start.load().scenario.seed)
    return {
        "catalogue": catalogue,
        "preset": {"type": "Select", "label": "Preset (applies on Reset)", "value": catalogue.start.name,
                   "values": catalogue.names},
        "seed": {"type": "InputText", "label": "Seed (whole number)", "value": seed},
        **LEVER_CONTROLS,
    }


@solara.component
def Page():
    """One browser session: a model of its own, Mesa's controls, and the dashboard."""
    settings = solara.use_memo(DemoSettings.from_environment, [])
    catalogue = solara.use_memo(lambda: find_catalogue(settings.presets_dir, settings.scenario), [])
    params = solara.use_memo(lambda: model_params(catalogue), [])
    first = solara.use_memo(lambda: DemoModel(catalogue, seed=params["seed"]["value"]), [])
    model = solara.use_reactive(first)
    solara.Title("ICS live demo")
    SolaraViz(model, components=[], model_params=params, name="Integrated care system: live demo",
              play_interval=PLAY_INTERVAL_MS)
    Dashboard(model, settings.out_dir, catalogue.problems)
