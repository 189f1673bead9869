"""Reading an input file safely: a regular file of a sensible size, UTF-8, TOML of a sensible depth.

The one way the package reads its scenario and sweep files (:mod:`ics_abm.scenario.loading`,
:mod:`ics_abm.scenario.catalog`, :mod:`ics_abm.experiments.sweeps.spec`). Every problem is a
one-sentence :class:`ics_abm.scenario.errors.ScenarioError` naming the file.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from collections.abc import Iterable
from typing import Any

from ics_abm.limits import MAX_FILE_BYTES, MAX_NESTING
from ics_abm.scenario.errors import ScenarioError

__all__: list[str] = []  # private helpers, imported by name within the package


_TOML_POSITION = re.compile(r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)\s*$")


def _nesting(data: object) -> int:
    """How deeply ``data`` nests tables and arrays (1 for a flat table), counted without recursion.

    Stops counting past :data:`ics_abm.limits.MAX_NESTING` (the answer is then that limit + 1).
    """
    deepest, stack = 0, [(data, 1)]
    children: Iterable[Any]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _toml_error(exc: tomllib.TOMLDecodeError, source: str) -> ScenarioError:
    message = " ".join(str(exc).split())
    match = _TOML_POSITION.match(message)
    if match is None:
        where, message = "", message
    elif match["line"]:
        where, message = f" (line {match['line']}, column {match['col']})", match["msg"]
    else:
        where, message = " (at the end of the file)", match["msg"]
    return ScenarioError(source, f"not valid TOML{where}: {message.rstrip('.')}")


def _parse_toml(text: str, source: str) -> dict:
    """Parse a file's text as TOML; every failure is a one-sentence :class:`ScenarioError`.

    Line endings are read as in any text file: CR LF, LF and a lone CR (old Mac files) all end a
    line (TOML itself knows only the first two). Tables and arrays may nest at most
    :data:`ics_abm.limits.MAX_NESTING` levels.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, source) from None
    except RecursionError:
        raise ScenarioError(source, f"nests arrays or tables too deeply; expected at most {MAX_NESTING} "
                                    "levels") from None
    except ValueError as exc:  # an integer beyond Python's limit on digits read from text
        digits = sys.get_int_max_str_digits()
        if "digits" in str(exc):
            raise ScenarioError(source, f"holds a whole number with more than {digits} digits; expected "
                                        "numbers of a sensible size") from None
        raise ScenarioError(source, f"not valid TOML: {' '.join(str(exc).split())}") from None
    if _nesting(data) > MAX_NESTING:
        raise ScenarioError(source, f"nests tables or arrays (or dotted keys) more than {MAX_NESTING} levels "
                                    f"deep; expected at most {MAX_NESTING}")
    return data


def _source(path: object) -> str:
    """``path`` as text for messages (quoted if it holds control characters); a TypeError unless it is a path."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"expected a file path (str or os.PathLike), got {type(path).__name__} {path!r:.60}")
    shown = os.fspath(path)
    if not isinstance(shown, str):
        raise TypeError(f"expected a file path given as text, got {type(shown).__name__} {shown!r:.60}")
    return shown if shown.isprintable() else repr(shown)


def _open_regular(path: str | os.PathLike, source: str) -> int:
    """A descriptor of ``path`` open for reading, checked to be a regular file of a sensible size.

    Opened without blocking, so that a FIFO cannot hang the reader; devices (``/dev/zero``), FIFOs
    and sockets are refused before anything is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except ValueError:  # embedded NUL
        raise ScenarioError(source, "is not a valid file name (it contains a NUL character)") from None
    except FileNotFoundError:
        raise ScenarioError(source, "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(source, "is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(source, "could not be read (permission denied)") from None
    except OSError as exc:
        raise ScenarioError(source, f"could not be read ({exc.strerror or type(exc).__name__})") from None
    info = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(info.st_mode):
        problem = "is a directory, not a scenario file"
    elif not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file (a pipe, device or socket); expected a TOML file"
    elif info.st_size > MAX_FILE_BYTES:
        problem = f"is {info.st_size:,} bytes long; expected a TOML file of at most {MAX_FILE_BYTES:,} bytes"
    if problem is not None:
        os.close(fd)
        raise ScenarioError(source, problem)
    return fd


def _read_text(path: str | os.PathLike) -> str:
    """The text of a scenario or sweep file exactly as on disk (line endings kept).

    The one way the package reads its input files: a regular file of at most
    :data:`ics_abm.limits.MAX_FILE_BYTES` bytes of UTF-8. Every problem is a one-sentence
    :class:`ScenarioError` naming the file.
    """
    source = _source(path)
    fd = _open_regular(path, source)
    try:
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(source, f"could not be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(source, f"is more than {MAX_FILE_BYTES:,} bytes long; expected a TOML file of at most "
                                    f"{MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, f"is not UTF-8 text (bad byte at position {exc.start})") from None
