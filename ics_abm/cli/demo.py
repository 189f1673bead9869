"""``ics-abm demo [SCENARIO | --preset NAME] [--host H] [--port P]``: start the live demo in the browser.

Kept free of heavy imports: ``ics-abm --help`` must stay quick, so solara, Mesa's visualisation
and the model are imported only when the command runs.
"""

from __future__ import annotations

import errno
import importlib.util
import socket
from pathlib import Path
from typing import Annotated

import typer

from ics_abm.cli.common import bad_input_is_an_error, sentence
from ics_abm.demo.settings import DEFAULT_OUT_DIR

__all__ = ["demo_command"]

#: Import names of the packages of the ``demo`` extra that the server needs.
_NEEDED = ("solara", "solara_assets", "ipyvuetify", "uvicorn", "altair")

_HELP_SCENARIO = ("Scenario to start with: a file or a shipped scenario's name (default: default); the presets "
                  "are offered too.")
_HELP_PRESET = "The same as SCENARIO: the preset to start with, e.g. --preset ics_dorset."
_HELP_HOST = ("Address to listen on; 0.0.0.0 lets others in the room join: the demo prints the address to share "
              "and a join code they must type, and limits saves.")
_HELP_PRESETS = "A folder of your own scenario files, offered beside the shipped presets (ics-abm scenarios lists those)."


def _check_address(host: str, port: int) -> None:
    """Raise ValueError (one sentence) unless the server can listen on ``host:port``."""
    if not 1 <= port <= 65535:
        raise ValueError(f"--port must be a whole number from 1 to 65535, got {port}")
    not_ours = f"--host {host!r} is not an address of this computer; expected 127.0.0.1 (this computer only) or 0.0.0.0 (the room)"
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError, ValueError):
        raise ValueError(not_ours) from None
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will (uvicorn sets it): connections of a demo stopped a moment ago, still
        # in TIME_WAIT, must not make the port look taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ValueError(f"port {port} on {host} is in use (is a demo already running?); "
                                 "choose another with --port") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ValueError(not_ours) from None
            reason = (exc.strerror or type(exc).__name__).lower()
            raise ValueError(f"cannot listen on {host} port {port} ({reason}); choose another --host or --port") from None


def demo_command(
    scenario: Annotated[
        Path | None, typer.Argument(metavar="SCENARIO", help=_HELP_SCENARIO, show_default=False)
    ] = None,
    host: Annotated[str, typer.Option(metavar="H", help=_HELP_HOST)] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="P", help="Port to listen on.")] = 8765,
    preset: Annotated[str | None, typer.Option(metavar="NAME", help=_HELP_PRESET, show_default=False)] = None,
    presets: Annotated[Path | None, typer.Option(metavar="DIR", help=_HELP_PRESETS, show_default=False)] = None,
    out: Annotated[Path, typer.Option(metavar="DIR", help="Folder for saved sessions.")] = DEFAULT_OUT_DIR,
    max_saves: Annotated[int | None, typer.Option(metavar="N", help="Sessions that may be saved in all "
                                                  "(default: no limit on this computer, 20 with a room).",
                                                  show_default=False)] = None,
) -> None:
    """Start the facilitator's live demo in the browser (works offline)."""
    from ics_abm.demo.presets import find_catalogue
    from ics_abm.demo.settings import DemoSettings

    with bad_input_is_an_error():
        if preset is not None and scenario is not None:
            raise ValueError(f"give the scenario to start with once, as SCENARIO or --preset, got {str(scenario)!r} "
                             f"and --preset {preset!r}")
        if max_saves is not None and max_saves < 0:
            raise ValueError(f"--max-saves must be a whole number >= 0, got {max_saves}")
        given = scenario if preset is None else preset
        if given is not None:  # a file, or a shipped (or --presets) scenario's name
            from ics_abm.scenario.catalog import resolve_scenario

            scenario = resolve_scenario(given, extra_dir=presets if presets is not None and presets.is_dir() else None)
        settings = DemoSettings(scenario, presets, out, max_saves=max_saves)
        catalogue = find_catalogue(presets, scenario)  # check before starting: errors as one sentence
        _check_address(host, port)
    for problem in catalogue.problems:
        typer.echo(f"Warning: preset left out: {sentence(ValueError(problem))}", err=True)
    typer.echo(f"Presets: {', '.join(catalogue.names)} (starting with '{catalogue.start.name}').")
    missing = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
    if missing:  # installed without the demo's extra
        typer.echo(f"Error: the demo needs packages that are not installed ({', '.join(missing)}); "
                   "install them with: pip install 'ics_abm[demo]'.", err=True)
        raise typer.Exit(1)
    from ics_abm.demo.server import serve

    try:
        serve(settings, host, port, say=typer.echo)
    except KeyboardInterrupt:
        typer.echo("Demo stopped.")
