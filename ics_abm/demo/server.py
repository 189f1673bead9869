"""Serve the demo, offline: solara's server (uvicorn) with every asset from the installed packages.

Rooms where the demo is run often have no reliable Wi-Fi, so nothing may come from the internet
at run time:

* the browser loads JavaScript, CSS and fonts only from this server: solara's asset proxy is on,
  and it serves them from ``solara-assets`` (installed with the same version as ``solara``);
* an asset missing from ``solara-assets`` would make the server fetch it from a public CDN; the
  CDN is pointed at a closed loopback port instead, so a missing asset fails at once and visibly
  (a 404, caught by the browser tests) rather than depending on the network;
* solara's usage telemetry, its version check and its "success" ping are off (production mode).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable

from ics_abm.demo.settings import DemoSettings

__all__ = ["serve", "solara_environment", "OFFLINE_CDN", "warm_up"]

#: Where solara would fetch an asset it does not have: a closed port on this machine.
OFFLINE_CDN = "http://127.0.0.1:9/ics-abm-demo-offline/"


def solara_environment() -> dict[str, str]:
    """Environment variables that make solara serve offline, quietly, in production mode."""
    return {
        "SOLARA_APP": "ics_abm.demo.app",
        "SOLARA_MODE": "production",
        "SOLARA_ASSETS_PROXY": "true",
        "SOLARA_ASSETS_CDN": OFFLINE_CDN,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_THEME_SHOW_BANNER": "false",
        "SOLARA_THEME_TITLE": "ICS live demo",
    }


def _apply_to_loaded_solara() -> None:
    # solara reads its settings from the environment when first imported; if something imported
    # it earlier in this process, set the same values on the loaded settings objects.
    import solara.server.settings as server_settings
    import solara.settings

    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = OFFLINE_CDN
    server_settings.main.mode = "production"
    server_settings.telemetry.mixpanel_enable = False
    server_settings.theme.show_banner = False
    server_settings.theme.title = "ICS live demo"


def warm_up(settings: DemoSettings) -> float:
    """Build and step a model and draw its pictures once, so the first click in the room is quick.

    The first step compiles the numba kernel (or loads it from numba's cache) and the first
    picture loads matplotlib's fonts. Returns the seconds it took.
    """
    started = time.perf_counter()
    from ics_abm.demo.painters import LinePainter, NetworkPainter
    from ics_abm.demo.presets import find_catalogue
    from ics_abm.demo.session import DemoModel
    from ics_abm.demo.snapshot import take_snapshot

    model = DemoModel(find_catalogue(settings.presets_dir, settings.scenario))
    model.step()
    snap = take_snapshot(model)
    NetworkPainter(snap.kinds).render(snap)
    LinePainter().render(snap)
    return time.perf_counter() - started


def serve(settings: DemoSettings, host: str = "127.0.0.1", port: int = 8765, *,
          say: Callable[[str], None] = print) -> None:
    """Run the demo server until interrupted (Ctrl+C).

    Parameters
    ----------
    settings : DemoSettings
        Start scenario, preset folder and export folder.
    host : str
        Address to listen on: ``127.0.0.1`` (this computer only) or ``0.0.0.0`` (the room).
    port : int
        Port to listen on.
    say : callable
        Where progress messages go.
    """
    os.environ.update(settings.to_environment())
    os.environ.update(solara_environment())
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    _apply_to_loaded_solara()
    # solara warns, on the first connection, that plain http cannot have cross-site cookies; the
    # demo is never embedded in another site, so the warning would only puzzle a facilitator.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    say("Preparing the model (the first time on a computer this compiles it and takes a while)...")
    say(f"Ready in {warm_up(settings):.1f} s.")
    import uvicorn

    shown = "localhost" if host in ("127.0.0.1", "localhost", "0.0.0.0") else host
    say(f"ICS live demo at http://{shown}:{port}/  (Ctrl+C to stop)")
    if host == "0.0.0.0":
        say("Listening on every network interface: others in the room can open http://<this computer's address>:"
            f"{port}/ ; each browser gets its own simulation.")
    from solara.server.starlette import app

    from ics_abm.demo.guard import LocalOnly

    # Served to the room, solara's diagnostics stay on this computer (ics_abm.demo.guard).
    config = uvicorn.Config(LocalOnly(app), host=host, port=port, log_level="warning",
                            access_log=False, ws_ping_interval=20, ws_ping_timeout=60)
    uvicorn.Server(config).run()
