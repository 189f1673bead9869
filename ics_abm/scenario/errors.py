"""One-sentence messages for scenario problems, built from pydantic's error records.

A user who mistypes a scenario file gets one sentence naming the file, the field, what was expected
and what was given (scikit-learn's "The 'x' parameter of f must be .... Got ... instead."). The
wording of "expected" comes from the field's JSON schema (type, bounds, enum), so no per-field
table of messages has to be kept in step with the schema.
"""

from __future__ import annotations

import datetime
import difflib
import re
from typing import Any

from pydantic import ValidationError

__all__ = ["ScenarioError", "error_from_validation"]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class ScenarioError(ValueError):
    """A scenario file (or dictionary) that cannot be used.

    Its text is one sentence, ``"<path>: <problem>."``, fit to show to a user as it is.

    Parameters
    ----------
    path : str
        The file name (or the ``source`` given to :func:`scenario_from_dict`).
    problem : str
        What is wrong, without the file name and without the final period.
    field : str or None
        Dotted name of the offending field (``"trust.loss_rate"``), or ``None`` when the problem
        is not about one field (file not found, invalid TOML).

    Attributes
    ----------
    path : str
        As given.
    field : str or None
        As given.
    problem : str
        As given.
    """

    def __init__(self, path: str, problem: str, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        self.problem = re.sub(r"[\r\n]+", " ", problem)  # one line, whatever went in
        super().__init__(f"{self.path}: {self.problem}.")

    def __reduce__(self):  # keep the exception picklable (worker processes)
        return (type(self), (self.path, self.problem, self.field))


# --------------------------------------------------------------------------------------------
# Error formatting: pydantic error dicts -> one sentence
# --------------------------------------------------------------------------------------------

_MISSING_POSITION = 1 << 30


def _resolve(node: dict | None, schema: dict) -> dict | None:
    """Follow ``$ref`` and drop the ``null`` branch of an optional field."""
    defs = schema.get("$defs", {})
    while node is not None:
        if "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1])
        elif "anyOf" in node:
            branches = [b for b in node["anyOf"] if b.get("type") != "null"]
            node = branches[0] if len(branches) == 1 else None
        else:
            return node
    return None


def _schema_at(loc: tuple, schema: dict) -> dict | None:
    """The JSON-schema node that describes the value at ``loc``, or ``None``."""
    node = _resolve(schema, schema)
    for part in loc:
        if node is None:
            return None
        if part in node.get("properties", {}):
            node = _resolve(node["properties"][part], schema)
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"], schema)
        else:
            return None
    return node


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _range(lo: Any, lo_strict: bool, hi: Any, hi_strict: bool) -> str:
    if lo is not None and hi is not None:
        if not lo_strict and not hi_strict:
            return f" between {_num(lo)} and {_num(hi)}"
        return f" {'>' if lo_strict else '>='} {_num(lo)} and {'<' if hi_strict else '<='} {_num(hi)}"
    if lo is not None:
        return f" {'>' if lo_strict else '>='} {_num(lo)}"
    if hi is not None:
        return f" {'<' if hi_strict else '<='} {_num(hi)}"
    return ""


def _describe(node: dict | None, ctx: dict, schema: dict) -> str:
    """What a value should be, from the field's schema (or, failing that, the error's ctx)."""
    if node is None:
        if "expected" in ctx:
            return f"one of {ctx['expected']}"
        lo = ctx.get("gt", ctx.get("ge"))
        hi = ctx.get("lt", ctx.get("le"))
        return "a value" + _range(lo, "gt" in ctx, hi, "lt" in ctx)
    if "enum" in node or "const" in node:
        values = node.get("enum", [node.get("const")])
        return "one of " + ", ".join(repr(v) for v in values)
    kind = node.get("type")
    lo_strict = "exclusiveMinimum" in node
    hi_strict = "exclusiveMaximum" in node
    lo = node.get("exclusiveMinimum", node.get("minimum"))
    hi = node.get("exclusiveMaximum", node.get("maximum"))
    if kind == "integer":
        return "a whole number" + _range(lo, lo_strict, hi, hi_strict)
    if kind == "number":
        return "a number" + _range(lo, lo_strict, hi, hi_strict)
    if kind == "string":
        return "a non-empty string" if node.get("minLength") else "a string"
    if kind == "array":
        items = node.get("items", {})
        if "discriminator" in items or items.get("type") == "object":
            return "a list of tables (one [[...]] table each)"
        return "a list of " + _describe(_resolve(items, schema), {}, schema).replace("one of", "values from", 1) if items else "a list"
    if kind == "object":
        values = node.get("additionalProperties")
        if isinstance(values, dict):
            return f"a table of kind pairs ('kind_a/kind_b') to {_describe(_resolve(values, schema), {}, schema)}"
        return "a table"
    return "a value"


_TYPE_WORDS = (
    (bool, "a boolean"),
    (int, "a whole number"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
    (dict, "a table"),
    (datetime.datetime, "a date and time"),
    (datetime.date, "a date"),
    (datetime.time, "a time of day"),
)


def _show(value: Any, annotate: bool) -> str:
    """A short, one-line rendering of a given value, TOML-like."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        return repr(value)
    elif isinstance(value, (datetime.date, datetime.time)):  # TOML dates and times
        text = value.isoformat()
    else:
        text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if not annotate:
        return text
    word = next((w for t, w in _TYPE_WORDS if isinstance(value, t)), f"a {type(value).__name__}")
    return f"{text} ({word})"


def _known_names(parent: dict | None) -> list[str]:
    return list((parent or {}).get("properties", {}))


def _tagged_union(loc: tuple, schema: dict) -> tuple[tuple, dict]:
    """Drop the tag pydantic puts in the location of a member of a tagged union (``[[events]]``).

    Returns the location as the user wrote it (``events.0.size``) and the schema to describe it
    with: the whole schema, or the event's own model when the location is inside one event.
    """
    for i in range(len(loc) - 2):
        if isinstance(loc[i + 1], int) and isinstance(loc[i + 2], str):
            items = (_schema_at(loc[: i + 1], schema) or {}).get("items", {})
            mapping = items.get("discriminator", {}).get("mapping", {})
            if loc[i + 2] in mapping:
                member = _resolve({"$ref": mapping[loc[i + 2]]}, schema)
                return loc[: i + 2] + loc[i + 3 :], {**(member or {}), "$defs": schema.get("$defs", {})}
    return loc, schema


def _describe_error(err: Any, schema: dict) -> tuple[str | None, str]:
    """One pydantic error dict -> (dotted field, problem without the final period)."""
    kind = err["type"]
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    given = err.get("input")
    loc, member = _tagged_union(loc, schema)
    if member is not schema:  # describe fields inside one event with that event's model
        inner_err = {**err, "loc": loc[2:]}
        field, problem = _describe_error(inner_err, member)
        prefix = ".".join(str(p) for p in loc[:2])
        inner = ".".join(str(p) for p in loc[2:])
        problem = problem.replace(f"field '{inner}'", f"field '{prefix}.{inner}'", 1)
        return f"{prefix}.{inner}", problem.replace("is not a known section", "is not a known field", 1)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = str(ctx.get("discriminator", "'kind'")).strip("'")
        field = ".".join(str(p) for p in loc + (tag,))
        if kind == "union_tag_not_found":
            return field, f"field '{field}' is required but missing"
        names = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        close = difflib.get_close_matches(str(ctx.get("tag")), names, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return field, f"field '{field}' expected one of {', '.join(repr(n) for n in names)}, got {_show(ctx.get('tag'), annotate=False)}{hint}"
    if loc and loc[-1] == "[key]":  # a bad key of a pair table: the table is the field
        loc = loc[:-2]
    field = ".".join(str(p) for p in loc) or None
    subject = f"field '{field}'" if field else "the scenario"

    if kind.startswith("scenario_"):  # our own validators; their wording is ours
        return field, f"{subject} {err['msg']}"
    if kind == "missing":
        return field, f"{subject} is required but missing"
    if kind == "extra_forbidden":
        names = _known_names(_schema_at(loc[:-1], schema))
        what = "section" if len(loc) == 1 else "kind" if loc[:-1] == ("kinds",) else "field"
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return field, f"{subject} is not a known {what}{hint}; expected one of {', '.join(names)}"

    node = _schema_at(loc, schema)
    expected = _describe(node, ctx, schema)
    if kind == "finite_number":
        expected = expected.replace("a number", "a finite number", 1)
    expects_text = node is not None and node.get("type") == "string"
    return field, f"{subject} expected {expected}, got {_show(given, annotate=not expects_text)}"


def _position(data: Any, loc: tuple, order: dict[int, dict] | None = None) -> tuple[int, ...]:
    """Where ``loc`` is in the input, as key indices (for reporting errors in file order).

    ``order`` caches each table's key positions (by ``id``), so that ordering many errors of one
    large table takes linear, not quadratic, time.
    """
    order = {} if order is None else order
    position = []
    node = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, dict) and part in node:
            if id(node) not in order:
                order[id(node)] = {key: index for index, key in enumerate(node)}
            position.append(order[id(node)][part])
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        elif isinstance(node, dict) and node.get("kind") == part:
            continue  # the tag of a tagged-union member (an event's kind)
        else:
            position.append(_MISSING_POSITION)
            break
    return tuple(position)


def error_from_validation(exc: ValidationError, data: Any, source: str, schema: dict) -> ScenarioError:
    """The first problem of a pydantic validation error (in input order) as a :class:`ScenarioError`.

    Parameters
    ----------
    exc : pydantic.ValidationError
    data : Any
        The input that failed, to order the problems as they appear in the file.
    source : str
        File name (or other source name) for the message.
    schema : dict
        JSON schema of the model, which says what each field expects.
    """
    errors = exc.errors(include_url=False)
    order: dict[int, dict] = {}
    first = min(errors, key=lambda e: _position(data, tuple(e["loc"]), order))
    field, problem = _describe_error(first, schema)
    more = len(errors) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ScenarioError(source, problem, field)
