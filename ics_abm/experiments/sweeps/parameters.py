"""Sweep parameters: dotted paths into a scenario's data.

A sweep parameter is named by its place in the scenario file: ``"legacy.strength"`` is
``strength`` in the ``[legacy]`` section, ``"kinds.acute.altruism"`` is ``altruism`` in
``[kinds.acute]``, ``"network.tie_probability.acute/voluntary_sector"`` one entry of a pair table.
Parameters are handled generically, so that a section or field added to the scenario schema can be
swept without changing this package; what a parameter accepts is decided by the scenario validator
(:func:`ics_abm.scenario.schema.scenario_from_dict`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from ics_abm.scenario.errors import _resolve  # one reading of the scenario's JSON schema

__all__ = ["FieldKind", "flatten", "with_values", "field_kind", "value_at"]

_MISSING = object()

#: What a scenario field holds, from its JSON schema.
FieldKind = Literal["integer", "number", "string", "boolean"]


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables as one level of dotted keys.

    ``{"legacy": {"strength": [0, 1]}}`` (what ``legacy.strength = [0, 1]`` parses to) and
    ``{"legacy.strength": [0, 1]}`` (what the quoted key ``"legacy.strength" = [0, 1]`` parses to)
    both become ``{"legacy.strength": [0, 1]}``. Leaves (anything that is not a table) are kept as
    they are.

    Parameters
    ----------
    table : mapping
        A parsed TOML table.
    prefix : str
        Dotted path of ``table`` itself.

    Returns
    -------
    dict
        Dotted path -> leaf value, in file order.
    """
    flat: dict[str, Any] = {}
    # Depth first with an explicit stack (no recursion, however deep the tables), in file order.
    stack = [(prefix, iter(table.items()))]
    while stack:
        path_prefix, items = stack[-1]
        for key, value in items:
            path = f"{path_prefix}{key}"
            if isinstance(value, Mapping):
                stack.append((f"{path}.", iter(value.items())))
                break
            flat[path] = value
        else:
            stack.pop()
    return flat


def with_values(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """A copy of scenario data ``base`` with each dotted path in ``values`` set.

    Parameters
    ----------
    base : mapping
        Scenario data as nested dicts (:func:`ics_abm.scenario.schema.scenario_to_dict`).
    values : mapping of str to Any
        Dotted path -> value. Missing intermediate tables are created.

    Returns
    -------
    dict
        New nested dicts; ``base`` is not changed.
    """
    data = copy.deepcopy(dict(base))
    for path, value in values.items():
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[leaf] = value
    return data


@cache
def _schema() -> dict:
    from ics_abm.scenario.schema import Scenario

    return Scenario.model_json_schema()


def field_kind(path: str) -> FieldKind | None:
    """What the scenario field at a dotted path holds.

    Parameters
    ----------
    path : str
        Dotted path, e.g. ``"legacy.strength"``.

    Returns
    -------
    {'integer', 'number', 'string', 'boolean'} or None
        From the scenario schema; ``None`` if the path names no single-valued field (the scenario
        validator then says what is wrong with it).
    """
    schema = _schema()
    node = _resolve(schema, schema)
    for part in path.split("."):
        if node is None:
            return None
        if part in node.get("properties", {}):
            node = _resolve(node["properties"][part], schema)
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"], schema)
        else:
            return None
    if node is None:
        return None
    if "enum" in node or "const" in node:
        return "string" if all(isinstance(v, str) for v in node.get("enum", [node.get("const")])) else None
    kind = node.get("type")
    return kind if kind in ("integer", "number", "string", "boolean") else None


def value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of scenario data, or a private sentinel if there is none."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node
