"""Reading scenarios: files and dictionaries in, validated :class:`Scenario` objects out.

Every problem is a :class:`ics_abm.scenario.errors.ScenarioError` whose text is one sentence naming
the file, the field, what was expected and what was given.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from ics_abm.scenario.errors import ScenarioError, error_from_validation
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.schema import Scenario

__all__ = [
    "organisation_counts",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_hash",
    "validate_files",
]


def organisation_counts(scenario: Scenario) -> dict[str, int]:
    """Number of organisations of each kind.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    dict[str, int]
        ``{kind: count}`` for every kind, in the order of :data:`ics_abm.scenario.kinds.KINDS`.
    """
    return {kind: getattr(scenario.organisations, kind) for kind in KINDS}


@cache
def _json_schema() -> dict:
    return Scenario.model_json_schema()


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def scenario_from_dict(data: dict, source: str = "<dict>") -> Scenario:
    """Validate parsed scenario data.

    Parameters
    ----------
    data : dict
        The scenario as nested dictionaries, as :func:`tomllib.loads` returns it.
    source : str
        Name used in error messages in place of a file name.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the data do not follow the schema; the first problem (in input order) is reported and
        the number of further problems is given.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise error_from_validation(exc, data, str(source), _json_schema()) from None


_TOML_POSITION = re.compile(r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)\s*$")


def _parse_toml(text: str, source: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = " ".join(str(exc).split())
        match = _TOML_POSITION.match(message)
        if match is None:
            where, message = "", message
        elif match["line"]:
            where, message = f" (line {match['line']}, column {match['col']})", match["msg"]
        else:
            where, message = " (at the end of the file)", match["msg"]
        raise ScenarioError(source, f"not valid TOML{where}: {message.rstrip('.')}") from None


def _read_text(path: str | os.PathLike) -> str:
    source = os.fspath(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(source, "is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(source, "could not be read (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, f"is not UTF-8 text (bad byte at position {exc.start})") from None
    except OSError as exc:
        raise ScenarioError(source, f"could not be read ({exc.strerror or type(exc).__name__})") from None


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read, parse and validate a scenario file.

    Parameters
    ----------
    path : str or os.PathLike
        A TOML scenario file. It is named in error messages as given.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid TOML or does not follow the schema.
    """
    source = os.fspath(path)
    text = _read_text(path)
    return scenario_from_dict(_parse_toml(text, source), source=source)


def scenario_to_dict(scenario: Scenario) -> dict:
    """The scenario as plain data (every value written out, overrides that are not given left out).

    The result contains only dicts, strings, ints and floats (it can be written as TOML) and
    ``scenario_from_dict(scenario_to_dict(s)) == s``.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    dict
    """
    return scenario.model_dump(mode="python", exclude_none=True)


def scenario_hash(text: str) -> str:
    """SHA-256 of a scenario file's text (UTF-8), as 64 hex digits, to record what was run.

    Parameters
    ----------
    text : str
        The file's text, e.g. ``Path(path).read_text(encoding="utf-8")``.

    Returns
    -------
    str
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate_files(paths: Iterable[str | os.PathLike]) -> list[tuple[str, ScenarioError | None]]:
    """Validate several scenario files (for ``ics-abm validate FILE...``).

    Parameters
    ----------
    paths : iterable of str or os.PathLike

    Returns
    -------
    list of (str, ScenarioError or None)
        For each path, in order: the path as given and its error, or ``None`` if the file is a
        valid scenario.
    """
    results: list[tuple[str, ScenarioError | None]] = []
    for path in paths:
        try:
            load_scenario(path)
        except ScenarioError as exc:
            results.append((os.fspath(path), exc))
        else:
            results.append((os.fspath(path), None))
    return results
