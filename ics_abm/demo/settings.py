"""What ``ics-abm demo`` tells the browser app: start scenario, preset folder, export folder.

The server hands these to the app through environment variables, because solara imports the
app module itself (by name) when the first browser connects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DemoSettings", "DEFAULT_OUT_DIR"]

#: Where exports go unless ``--out`` says otherwise (``results/`` is kept out of git).
DEFAULT_OUT_DIR = Path("results") / "demo"

_SCENARIO, _PRESETS, _OUT = "ICS_ABM_DEMO_SCENARIO", "ICS_ABM_DEMO_PRESETS", "ICS_ABM_DEMO_OUT"
_ROOM, _SAVES = "ICS_ABM_DEMO_ROOM", "ICS_ABM_DEMO_MAX_SAVES"


@dataclass(frozen=True)
class DemoSettings:
    """Settings of a demo server.

    Attributes
    ----------
    scenario : pathlib.Path or None
        Scenario to start with (None: the preset folder's ``default.toml``).
    presets_dir : pathlib.Path or None
        Folder of presets (None: ``scenarios/``).
    out_dir : pathlib.Path
        Folder for exports.
    room_address : str
        The address to share when serving a room ("" on this computer only), shown on screen.
    max_saves : int or None
        Saves allowed for the life of the server (None: no limit).
    """

    scenario: Path | None = None
    presets_dir: Path | None = None
    out_dir: Path = DEFAULT_OUT_DIR
    room_address: str = ""
    max_saves: int | None = None

    def to_environment(self) -> dict[str, str]:
        """The settings as environment variables (absolute paths: the server may change directory)."""
        env = {_OUT: str(self.out_dir.resolve()), _ROOM: self.room_address,
               _SAVES: "" if self.max_saves is None else str(self.max_saves)}
        if self.scenario is not None:
            env[_SCENARIO] = str(self.scenario.resolve())
        if self.presets_dir is not None:
            env[_PRESETS] = str(self.presets_dir.resolve())
        return env

    @classmethod
    def from_environment(cls) -> DemoSettings:
        """The settings the server left in the environment (defaults where it left none)."""
        def path(name: str) -> Path | None:
            value = os.environ.get(name)
            return Path(value) if value else None

        saves = os.environ.get(_SAVES, "")
        return cls(path(_SCENARIO), path(_PRESETS), path(_OUT) or DEFAULT_OUT_DIR, os.environ.get(_ROOM, ""),
                   int(saves) if saves.isdigit() else None)
