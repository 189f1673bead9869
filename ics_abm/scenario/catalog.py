"""The scenario catalogue: the scenarios and sweep examples shipped with the package, by name.

The scenario files live in the package (``ics_abm/data/scenarios/*.toml``, found with
:mod:`importlib.resources`, so they are there in an installed wheel as in a checkout; the
repository's ``scenarios/`` is a link to that folder). Each file says itself what the catalogue
shows: its ``[scenario]`` table has a ``description`` (the first line is shown), a ``group`` (one
of :data:`ics_abm.scenario.schema.SCENARIO_GROUPS`) and optionally ``aliases``, other names it
answers to. The file name without ``.toml`` is the scenario's name.

A name can be given wherever a scenario file is accepted::

    >>> from ics_abm.scenario.catalog import resolve_scenario
    >>> resolve_scenario("default").name
    'default.toml'
    >>> resolve_scenario("regulation_misaligned").name  # an alias: the same scenario as default
    'default.toml'

A path to an existing file always wins over a name, so a user's ``default`` file in the current
folder is never shadowed by the packaged one.

The sweep examples (``ics_abm/data/sweeps/*.toml``) are found the same way
(:func:`list_sweeps`, :func:`resolve_sweep`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import os
import shutil
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ics_abm.scenario.errors import ScenarioError

__all__ = [
    "ScenarioEntry",
    "SweepEntry",
    "copy_scenario",
    "list_scenarios",
    "list_sweeps",
    "packaged_scenarios_dir",
    "packaged_sweeps_dir",
    "resolve_scenario",
    "resolve_sweep",
]

#: The order groups are listed in (``ics-abm scenarios``): the core files first, a user's own last.
GROUP_ORDER = ("core", "ics", "regulation", "finance", "facilitator", "custom")


@dataclass(frozen=True)
class ScenarioEntry:
    """One scenario of the catalogue.

    Attributes
    ----------
    name : str
        What to type for it: the file name without ``.toml``.
    group : str
        Its ``[scenario] group``: ``core``, ``ics`` (the eight first-wave ICS archetypes),
        ``regulation``, ``finance``, ``facilitator`` (stories for leadership sessions) or
        ``custom`` (a user's own file that names no group).
    description : str
        The first line of its ``[scenario] description``.
    path : pathlib.Path
        The file.
    aliases : tuple of str
        Other names that resolve to this file (``[scenario] aliases``).
    """

    name: str
    group: str
    description: str
    path: Path
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SweepEntry:
    """One sweep example shipped with the package.

    Attributes
    ----------
    name : str
        The file name without ``.toml`` (``ics-abm sweep example``).
    description : str
        The first line of its ``[sweep] description``.
    path : pathlib.Path
        The file.
    """

    name: str
    description: str
    path: Path


# --------------------------------------------------------------------------------------------
# Where the packaged files are
# --------------------------------------------------------------------------------------------

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def _data_dir(folder: str) -> Path:
    """A packaged data folder as a real directory (extracted to a temporary one if the package is zipped)."""
    resource = importlib.resources.files("ics_abm").joinpath("data", folder)
    if isinstance(resource, Path):
        return resource
    return Path(_extracted.enter_context(importlib.resources.as_file(resource)))  # pragma: no cover (zip imports)


@cache
def packaged_scenarios_dir() -> Path:
    """The folder of the scenario files shipped with the package."""
    return _data_dir("scenarios")


@cache
def packaged_sweeps_dir() -> Path:
    """The folder of the sweep examples shipped with the package."""
    return _data_dir("sweeps")


# --------------------------------------------------------------------------------------------
# Reading the catalogue
# --------------------------------------------------------------------------------------------


def _first_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0].strip() if lines else ""


def _entry(path: Path) -> ScenarioEntry:
    """The catalogue entry of one scenario file, its ``[scenario]`` table validated by the schema.

    Raises
    ------
    ScenarioError
        If the file cannot be read or its ``[scenario]`` table does not follow the schema.
    """
    from pydantic import ValidationError

    from ics_abm.scenario.errors import error_from_validation
    from ics_abm.scenario.files import _parse_toml, _read_text
    from ics_abm.scenario.schema import Scenario

    source = os.fspath(path)
    data = _parse_toml(_read_text(path), source)
    # Only the [scenario] table is checked here (the other sections all have defaults); a full
    # check is what loading the file does.
    header = {"scenario": data.get("scenario")}
    try:
        info = Scenario.model_validate(header).scenario
    except ValidationError as exc:
        raise error_from_validation(exc, header, source, _json_schema()) from None
    return ScenarioEntry(path.stem, info.group, _first_line(info.description), path, tuple(info.aliases))


@cache
def _json_schema() -> dict:
    from ics_abm.scenario.schema import Scenario

    return Scenario.model_json_schema()


@cache
def _packaged() -> tuple[ScenarioEntry, ...]:
    folder = packaged_scenarios_dir()
    return tuple(_entry(path) for path in sorted(folder.glob("*.toml")))


def _sort_key(entry: ScenarioEntry) -> tuple[int, int, str]:
    group = GROUP_ORDER.index(entry.group) if entry.group in GROUP_ORDER else len(GROUP_ORDER)
    return (group, entry.name != "default", entry.name)


def scan_scenarios(extra_dir: str | os.PathLike | None = None) -> tuple[list[ScenarioEntry], list[str]]:
    """The catalogue and the files left out of it, with why.

    Parameters
    ----------
    extra_dir : str or os.PathLike, optional
        A folder of the user's own scenario files (``*.toml``) to add. A file there with the
        name of a packaged scenario (or of one of its aliases) replaces it in the catalogue.

    Returns
    -------
    entries : list of ScenarioEntry
        By group (core, ics, regulation, finance, facilitator, custom), ``default`` first, then
        by name.
    problems : list of str
        One sentence per file in ``extra_dir`` that was left out because its ``[scenario]``
        table is not valid.

    Raises
    ------
    ScenarioError
        If ``extra_dir`` is not a folder.
    """
    entries = {entry.name: entry for entry in _packaged()}
    problems: list[str] = []
    if extra_dir is not None:
        folder = Path(extra_dir)
        if not folder.is_dir():
            raise ScenarioError(os.fspath(extra_dir), "is not a folder; expected a folder of scenario files (*.toml)")
        for path in sorted(folder.glob("*.toml")):
            try:
                entry = _entry(path)
            except ScenarioError as exc:
                problems.append(str(exc))
                continue
            for other in list(entries.values()):  # the user's file replaces the packaged name or alias
                if other.name == entry.name or entry.name in other.aliases:
                    del entries[other.name]
            entries[entry.name] = entry
    return sorted(entries.values(), key=_sort_key), problems


def list_scenarios(extra_dir: str | os.PathLike | None = None) -> list[ScenarioEntry]:
    """The packaged scenarios, plus the scenario files in ``extra_dir``; each scenario once.

    Parameters
    ----------
    extra_dir : str or os.PathLike, optional
        A folder of the user's own scenario files (``*.toml``). Files whose ``[scenario]``
        table is not valid are left out (:func:`scan_scenarios` says why).

    Returns
    -------
    list of ScenarioEntry
        By group (core, ics, regulation, finance, facilitator, custom), ``default`` first, then
        by name. Aliases are not listed as scenarios of their own (see
        :attr:`ScenarioEntry.aliases`).

    Examples
    --------
    >>> [entry.name for entry in list_scenarios() if entry.group == "core"][0]
    'default'
    """
    return scan_scenarios(extra_dir)[0]


def _names(entries: list[ScenarioEntry]) -> dict[str, ScenarioEntry]:
    """Every name and alias -> its entry (a name wins over another scenario's alias)."""
    table = {alias: entry for entry in entries for alias in entry.aliases}
    table.update({entry.name: entry for entry in entries})
    return table


def _looks_like_a_name(given: str) -> bool:
    return bool(given) and os.sep not in given and (os.altsep is None or os.altsep not in given) \
        and not given.endswith(".toml")


def _check_path_type(name_or_path: object) -> str:
    if isinstance(name_or_path, bytes) or not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"expected a scenario name or file path (str or os.PathLike), got "
                        f"{type(name_or_path).__name__} {name_or_path!r:.60}")
    given = os.fspath(name_or_path)
    if not isinstance(given, str):
        raise TypeError(f"expected a file path given as text, got {type(given).__name__} {given!r:.60}")
    return given


def resolve_scenario(name_or_path: str | os.PathLike, extra_dir: str | os.PathLike | None = None) -> Path:
    """The scenario file meant by a path or a name.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A path to a scenario file (it wins if it exists), or the name or alias of a packaged
        scenario (``"default"``, ``"ics_dorset"``; see ``ics-abm scenarios``).
    extra_dir : str or os.PathLike, optional
        A folder of the user's own scenarios whose names are accepted too (they win over packaged
        ones of the same name).

    Returns
    -------
    pathlib.Path
        The file: the path as given, or a packaged (or ``extra_dir``) file.

    Raises
    ------
    ScenarioError
        ``"<given>: file not found."`` for a path (it has a folder separator or ends in
        ``.toml``) that does not exist, or, for a name that is neither a file nor a scenario
        name, one sentence listing the known names.
    TypeError
        If ``name_or_path`` is neither text nor a path.
    """
    given = _check_path_type(name_or_path)
    if given and os.path.lexists(given):
        return Path(given)  # what is there is for the loader to judge (a folder, a FIFO, ...)
    if not _looks_like_a_name(given):
        raise ScenarioError(given if given.isprintable() else repr(given), "file not found")
    entries = list_scenarios(extra_dir)
    names = _names(entries)
    if given in names:
        return names[given].path
    shown = given if given.isprintable() else repr(given)
    raise ScenarioError(shown, "is neither a scenario file nor the name of a packaged scenario; expected a path "
                               f"to a TOML file or one of {', '.join(entry.name for entry in entries)} (ics-abm "
                               "scenarios lists them)")


def copy_scenario(name: str, folder: str | os.PathLike, force: bool = False) -> Path:
    """Copy a packaged scenario (or sweep example) into ``folder`` to start one's own.

    Parameters
    ----------
    name : str
        A scenario name or alias, or the name of a sweep example.
    folder : str or os.PathLike
        Where to put the copy (created if missing); the copy keeps the packaged file's name.
    force : bool
        Replace a file of that name already in ``folder``.

    Returns
    -------
    pathlib.Path
        The copy.

    Raises
    ------
    ScenarioError
        For an unknown name, or a file already in the way (without ``force``).
    """
    sweeps = {entry.name: entry.path for entry in list_sweeps()}
    source = sweeps[name] if name in sweeps and name not in _names(list_scenarios()) else resolve_scenario(name)
    if not _looks_like_a_name(name) and name not in sweeps:
        raise ScenarioError(name, "is not a name; expected a packaged scenario or sweep name (ics-abm scenarios "
                                  "lists them)")
    target_dir = Path(folder)
    if target_dir.exists() and not target_dir.is_dir():
        raise ScenarioError(os.fspath(folder), "is not a folder; expected a folder to copy the scenario into")
    target = target_dir / source.name
    if target.exists() and not force:
        raise ScenarioError(os.fspath(target), "already exists; expected a new file (use --force to replace it)")
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


# --------------------------------------------------------------------------------------------
# Sweep examples
# --------------------------------------------------------------------------------------------


def list_sweeps() -> list[SweepEntry]:
    """The sweep examples shipped with the package, by name.

    Returns
    -------
    list of SweepEntry
    """
    entries = []
    for path in sorted(packaged_sweeps_dir().glob("*.toml")):
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("sweep", {})
        entries.append(SweepEntry(path.stem, _first_line(table.get("description", "")), path))
    return entries


def resolve_sweep(name_or_path: str | os.PathLike) -> Path:
    """The sweep file meant by a path or the name of a packaged example.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A path to a sweep file (it wins if it exists) or a packaged example's name (``"example"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ScenarioError
        As :func:`resolve_scenario`, with the sweep examples' names.
    """
    given = _check_path_type(name_or_path)
    if given and os.path.lexists(given):
        return Path(given)
    if not _looks_like_a_name(given):
        raise ScenarioError(given if given.isprintable() else repr(given), "file not found")
    entries = list_sweeps()
    for entry in entries:
        if entry.name == given:
            return entry.path
    shown = given if given.isprintable() else repr(given)
    raise ScenarioError(shown, "is neither a sweep file nor the name of a packaged sweep example; expected a path "
                               f"to a TOML file or one of {', '.join(entry.name for entry in entries)}")
