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
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import replace

from ics_abm.demo.settings import DemoSettings

__all__ = ["serve", "solara_environment", "OFFLINE_CDN", "warm_up", "share_address", "ROOM_SAVES"]

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


#: Saves allowed in all when serving a room (each is a folder of a few hundred KB).
ROOM_SAVES = 20


def share_address(host: str) -> str:
    """The address of this computer that others on the network can reach, for ``--host host``.

    For ``0.0.0.0`` it is the address of the interface that would carry traffic off this
    computer (found by "connecting" a UDP socket, which sends nothing); if there is none, the
    computer's name.
    """
    if host not in ("0.0.0.0", "::", ""):
        return host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed on, nothing is sent
            return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()


def warm_up(settings: DemoSettings) -> float:
    """Build and step a model and draw its pictures once, so the first click in the room is quick.

    The first step compiles the numba kernel (or loads it from numba's cache) and the first
    picture loads matplotlib's fonts. Returns the seconds it took.
    """
    started = time.perf_counter()
    from ics_abm.demo.branching import branch
    from ics_abm.demo.presets import find_catalogue
    from ics_abm.demo.session import DemoModel
    from ics_abm.demo.snapshot import take_snapshot
    from ics_abm.demo.views import charts_html, network_html

    model = DemoModel(find_catalogue(settings.presets_dir, settings.scenario))
    model.step()
    snap = take_snapshot(model)
    network_html(snap)
    charts_html(snap)
    branch(model, months=1, seeds=1)
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
    from ics_abm.demo.guard import JoinCode, LocalOnly, is_loopback, new_join_code

    room = not is_loopback(host)
    code = new_join_code() if room else ""
    if room:
        address = f"http://{share_address(host)}:{port}/"
        settings = replace(settings, room_address=f"{address}  code {code}",
                           max_saves=ROOM_SAVES if settings.max_saves is None else settings.max_saves)
        os.environ.update(settings.to_environment())
    say("Preparing the model (the first time on a computer this compiles it and takes a while)...")
    say(f"Ready in {warm_up(settings):.1f} s.")
    import uvicorn

    say(f"ICS live demo at http://localhost:{port}/ on this computer  (Ctrl+C to stop)")
    if room:
        say(f"Share with the room: {address}  join code {code}")
        say(f"Others need the join code; each browser gets its own simulation; at most {settings.max_saves} saves "
            "in all.")
    from solara.server.starlette import app

    # Served to the room, solara's diagnostics stay on this computer and others need the join
    # code (ics_abm.demo.guard).
    served = JoinCode(LocalOnly(app), code) if room else LocalOnly(app)
    config = uvicorn.Config(served, host=host, port=port, log_level="warning",
                            access_log=False, ws_ping_interval=20, ws_ping_timeout=60)
    uvicorn.Server(config).run()
