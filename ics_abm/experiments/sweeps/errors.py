"""One-sentence errors for sweep files and sweep directories.

A researcher who mistypes a sweep file gets one sentence naming the file, the field, what was
expected and what was given, like the scenario files' errors (:mod:`ics_abm.scenario.errors`)::

    sweeps/bad.toml: parameter 'legacy.strength' in [uncertainties.ranges] expected a lower
    bound below the upper bound, got [0.8, 0.2].

(one line in reality).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import ValidationError

__all__ = ["SweepError", "error_from_validation"]


class SweepError(ValueError):
    """A sweep file or sweep directory that cannot be used; its text is one sentence.

    Parameters
    ----------
    path : str
        The sweep file or results directory the problem is about.
    problem : str
        What is wrong, without the path and without the final full stop.
    field : str or None
        The offending field or parameter (``"sweep.replicates"``, ``"legacy.strength"``), if any.
    """

    def __init__(self, path: str, problem: str, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        self.problem = re.sub(r"\s+", " ", problem).strip().rstrip(".")
        super().__init__(f"{self.path}: {self.problem}.")

    def __reduce__(self):  # picklable, so that it can cross process boundaries
        return (type(self), (self.path, self.problem, self.field))


# --------------------------------------------------------------------------------------------
# pydantic errors -> one sentence
# --------------------------------------------------------------------------------------------

#: Sections whose keys are scenario parameters (dotted paths), and how to name them.
_PARAMETER_TABLES = {
    ("constants",): "[constants]",
    ("levers",): "[levers]",
    ("uncertainties", "values"): "[uncertainties.values]",
    ("uncertainties", "ranges"): "[uncertainties.ranges]",
}

_TYPE_WORDS = ((bool, "a boolean"), (int, "a whole number"), (float, "a number"), (str, "a string"),
               (list, "a list"), (dict, "a table"))


def show(value: Any) -> str:
    """A short one-line rendering of a value from a TOML file, with its type in words."""
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    word = next((w for t, w in _TYPE_WORDS if isinstance(value, t)), f"a {type(value).__name__}")
    return f"{text} ({word})"


def _subject(loc: tuple) -> str:
    for prefix, name in _PARAMETER_TABLES.items():
        if loc[: len(prefix)] == prefix and len(loc) > len(prefix):
            return f"parameter '{loc[len(prefix)]}' in {name}"
    if len(loc) == 1:
        return f"section [{loc[0]}]"
    return f"field '{'.'.join(str(p) for p in loc)}'" if loc else "the sweep file"


def _expected(kind: str, ctx: dict, given: Any) -> str:
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        return f"{'a whole number' if isinstance(given, int) else 'a number'} {bounds[kind]} {limit}"
    words = {
        "int_type": "a whole number", "int_parsing": "a whole number", "float_type": "a number",
        "string_type": "a string", "bool_type": "true or false", "dict_type": "a table",
        "list_type": "a list", "model_type": "a table", "string_too_short": "a non-empty string",
        "string_pattern_mismatch": "a non-blank string", "finite_number": "a finite number",
    }
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '?')}"
    return words.get(kind, "a valid value")


def _describe(err: dict, known: dict[tuple, list[str]]) -> str:
    kind, loc, given = err["type"], tuple(err["loc"]), err.get("input")
    subject = _subject(loc)
    if kind.startswith("sweep_"):  # our own validators word their messages
        return f"{subject} {err['msg']}"
    if kind == "missing":
        return f"{subject} is required but missing"
    if kind == "extra_forbidden":
        names = known.get(loc[:-1], [])
        what = "section" if len(loc) == 1 else "field"
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        subject = f"{what} '{'.'.join(str(p) for p in loc)}'" if len(loc) > 1 else f"section [{loc[0]}]"
        return f"{subject} is not a known {what}{hint}; expected one of {', '.join(names)}"
    if kind == "literal_error" and loc[-1:] == ("design",):
        return f"{subject} names an unknown design; expected one of {err['ctx']['expected']}, got {show(given)}"
    return f"{subject} expected {_expected(kind, err.get('ctx') or {}, given)}, got {show(given)}"


def error_from_validation(exc: ValidationError, source: str, known: dict[tuple, list[str]]) -> SweepError:
    """The first problem of a pydantic validation error as a :class:`SweepError`.

    Parameters
    ----------
    exc : pydantic.ValidationError
    source : str
        The sweep file, as given by the user.
    known : dict
        For each table location (tuple of keys), the names it accepts, to suggest corrections.
    """
    errors = exc.errors(include_url=False)
    problem = _describe(errors[0], known)
    if len(errors) > 1:
        more = len(errors) - 1
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    loc = tuple(errors[0]["loc"])
    return SweepError(source, problem, ".".join(str(p) for p in loc) or None)
