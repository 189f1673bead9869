"""The scenario presets the demo offers: the scenario catalogue's files in a directory, plus one given.

The grouping, the order, the one-line descriptions and the merging of duplicate files (aliases)
are the scenario catalogue's (:mod:`ics_abm.scenario.catalog`); this module only picks the files
of the preset folder and puts the start scenario first. A facilitator drops a ``.toml`` file into
the folder and it appears in the picker; a file that does not validate is left out with its
one-sentence error (printed when the demo starts), never silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.loading import load_scenario
from ics_abm.scenario.schema import Scenario

__all__ = ["Preset", "Catalogue", "find_catalogue", "default_presets_dir", "GROUP_TITLES"]

#: The groups of the scenario catalogue, in picker order, with the titles the room reads.
GROUP_TITLES: dict[str, str] = {
    "core": "Core",
    "ics": "ICS",
    "regulation": "Regulation",
    "finance": "Finance",
    "facilitator": "Story",
    "custom": "Your own",
}


@dataclass(frozen=True)
class Preset:
    """One scenario file offered in the picker.

    Attributes
    ----------
    name : str
        What the picker shows: the file name without ``.toml`` (unique within a catalogue).
    path : pathlib.Path
        The file.
    description : str
        The scenario's ``[scenario] description``.
    group : str
        Its group in :mod:`ics_abm.scenario.catalog` (``core``, ``ics``, ``regulation``, ``finance``,
        ``facilitator``), or "" for a file the catalogue does not know.
    """

    name: str
    path: Path
    description: str
    group: str = ""

    @property
    def label(self) -> str:
        """What the picker shows: the group's title and the name in words ("ICS · Berkshire west")."""
        words = self.name
        if self.group and words.startswith(self.group + "_"):
            words = words[len(self.group) + 1:]
        words = words.replace("_", " ")
        words = words[:1].upper() + words[1:]
        return f"{GROUP_TITLES.get(self.group, self.group.title())} · {words}" if self.group else words

    def load(self) -> Scenario:
        """The validated scenario (read again, so an edited file is picked up on reset)."""
        return load_scenario(self.path)


@dataclass(frozen=True)
class Catalogue:
    """The presets on offer and the one selected at start.

    Attributes
    ----------
    presets : tuple of Preset
        In picker order: the start preset first, then by name.
    problems : tuple of str
        One sentence per scenario file that was left out because it does not validate.
    """

    presets: tuple[Preset, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        """Preset names, in picker order."""
        return [preset.name for preset in self.presets]

    @property
    def labels(self) -> list[str]:
        """Preset labels, in picker order (grouped)."""
        return [preset.label for preset in self.presets]

    @property
    def groups(self) -> list[str]:
        """The groups present, in picker order."""
        return list(dict.fromkeys(preset.group for preset in self.presets if preset.group))

    def label_of(self, name: str) -> str:
        """The label of preset ``name``."""
        return self.get(name).label

    def name_of(self, label: str) -> str:
        """The name of the preset labelled ``label``."""
        return next(preset.name for preset in self.presets if preset.label == label)

    def has(self, name: str) -> bool:
        """Whether a preset is called ``name``."""
        return any(preset.name == name for preset in self.presets)

    @property
    def start(self) -> Preset:
        """The preset the demo starts with."""
        return self.presets[0]

    def get(self, name: str) -> Preset:
        """The preset called ``name``.

        Raises
        ------
        KeyError
            With the names on offer.
        """
        for preset in self.presets:
            if preset.name == name:
                return preset
        raise KeyError(f"there is no preset {name!r}; expected one of {', '.join(self.names)}")


def default_presets_dir() -> Path:
    """``scenarios/`` in the working directory if there is one, else the scenarios shipped in the package."""
    here = Path("scenarios")
    if here.is_dir():
        return here
    from ics_abm.scenario.catalog import packaged_scenarios_dir

    return packaged_scenarios_dir()


def _unique_name(path: Path, taken: set[str]) -> str:
    name, n = path.stem, 2
    while name in taken:  # a start file named like a preset in the directory
        name, n = f"{path.stem} ({n})", n + 1
    return name


def find_catalogue(directory: str | os.PathLike | None = None, start: str | os.PathLike | None = None) -> Catalogue:
    """Collect the presets of ``directory`` and put ``start`` first.

    Parameters
    ----------
    directory : path, optional
        The facilitator's own folder of scenario files, offered beside the packaged scenarios
        (default :func:`default_presets_dir`, the packaged folder itself). Files that do not
        validate are left out and reported in :attr:`Catalogue.problems`.
    start : path, optional
        The scenario to start with (default ``default.toml`` of the directory if present, else
        the first by name). It need not be in ``directory``.

    Returns
    -------
    Catalogue

    Raises
    ------
    ScenarioError
        If ``start`` does not validate (the facilitator named it, so it is an error, not a skip).
    ValueError
        If there is no valid scenario at all.
    """
    from ics_abm.scenario.catalog import scan_scenarios

    folder = Path(default_presets_dir() if directory is None else directory)
    found: list[Preset] = []
    problems: list[str] = []
    # The packaged scenarios and the facilitator's own (a file of theirs with a packaged name
    # replaces it); a folder that is not there is an error, one sentence (scan_scenarios).
    entries, skipped = scan_scenarios(folder)
    problems += skipped
    for entry in entries:
        try:
            scenario = load_scenario(entry.path)  # all of it, not just [scenario]: a bad preset is left out now
        except ScenarioError as exc:
            problems.append(str(exc))
            continue
        found.append(Preset(entry.name, entry.path, scenario.scenario.description, entry.group))
    if start is not None:
        start_path = Path(start)
        scenario = load_scenario(start_path)  # raises: the facilitator asked for this file
        same = [p for p in found if p.path.resolve() == start_path.resolve()]
        if same:
            first = same[0]
            found.remove(first)
        else:
            first = Preset(_unique_name(start_path, {p.name for p in found}), start_path, scenario.scenario.description,
                           getattr(scenario.scenario, "group", ""))
        found.insert(0, first)
    elif found:
        default = [p for p in found if p.name == "default"]
        if default:
            found.remove(default[0])
            found.insert(0, default[0])
    if not found:
        raise ValueError(f"no valid scenario file in {folder}; give one, e.g. ics-abm demo default")
    return Catalogue(tuple(found), tuple(problems))
