"""Reading scenarios: files and dictionaries in, validated :class:`Scenario` objects out.

Every problem is a :class:`ics_abm.scenario.errors.ScenarioError` whose text is one sentence naming
the file, the field, what was expected and what was given.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import cache

from pydantic import ValidationError

from ics_abm.scenario.errors import ScenarioError, error_from_validation
from ics_abm.scenario.files import _parse_toml, _read_text, _source  # noqa: F401  (also imported from here)
from ics_abm.scenario.kinds import KINDS
from ics_abm.scenario.schema import Scenario

__all__ = [
    "expected_arcs",
    "organisation_counts",
    "load_scenario",
    "read_scenario",
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


def expected_arcs(scenario: Scenario) -> float:
    """Expected number of relationships at the start, counted both ways (for size estimates).

    From the organisation counts and the tie probabilities (``[network] tie_probability`` over the
    defaults of :data:`ics_abm.scenario.kinds.PAIR_TABLES`).
    """
    from ics_abm.scenario.kinds import PAIR_TABLES, pair_key

    counts = organisation_counts(scenario)
    table = dict(PAIR_TABLES["tie_probability"])
    table.update(scenario.network.tie_probability)
    edges = 0.0
    for i, a in enumerate(KINDS):
        for b in KINDS[i:]:
            pairs = counts[a] * (counts[a] - 1) / 2 if a == b else counts[a] * counts[b]
            edges += pairs * float(table[pair_key(a, b)])
    return 2 * edges


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


def read_scenario(path: str | os.PathLike) -> tuple[Scenario, str]:
    """Read a scenario file once: the validated scenario and the file's text exactly as on disk.

    Parameters
    ----------
    path : str or os.PathLike
        A scenario file, or the name of a packaged scenario (as :func:`load_scenario`).

    Returns
    -------
    (Scenario, str)
        What :func:`load_scenario` returns, and the text it was read from (to record with results).

    Raises
    ------
    ScenarioError
        As :func:`load_scenario`.
    """
    from ics_abm.scenario.catalog import resolve_scenario

    source = _source(path)
    text = _read_text(resolve_scenario(path))
    return scenario_from_dict(_parse_toml(text, source), source=source), text


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read, parse and validate a scenario file.

    Parameters
    ----------
    path : str or os.PathLike
        A TOML scenario file, or the name (or alias) of a scenario shipped with the package,
        such as ``"default"`` or ``"ics_dorset"`` (``ics-abm scenarios`` lists them; a file
        that exists wins over a name). It is named in error messages as given.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> load_scenario("ics_dorset").finance.regime
    'pooled'

    Raises
    ------
    ScenarioError
        If the name is neither a file nor a packaged scenario, or the file cannot be read (missing,
        not a regular file, larger than
        :data:`ics_abm.limits.MAX_FILE_BYTES`, not UTF-8), is not valid TOML (or nests deeper
        than :data:`ics_abm.limits.MAX_NESTING`) or does not follow the schema.
    TypeError
        If ``path`` is not a path.
    """
    return read_scenario(path)[0]


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
        valid scenario that can run (within the laptop bounds of :mod:`ics_abm.limits`, unless
        ``ICS_ABM_ALLOW_LARGE=1``).
    """
    results: list[tuple[str, ScenarioError | None]] = []
    for path in paths:
        try:
            _runnable(load_scenario(path), _source(path))
        except ScenarioError as exc:
            results.append((os.fspath(path), exc))
        else:
            results.append((os.fspath(path), None))
    return results


def _runnable(scenario: Scenario, source: str) -> None:
    """A ScenarioError unless ``scenario`` fits the laptop bounds of :mod:`ics_abm.limits` (or they are lifted)."""
    from ics_abm.limits import check_run_size

    try:
        check_run_size(sum(organisation_counts(scenario).values()), scenario.scenario.steps, source,
                       arcs=expected_arcs(scenario))
    except ValueError as exc:
        raise ScenarioError(source, str(exc).removeprefix(f"{source}: "), "organisations") from None
