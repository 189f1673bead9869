"""What every ``ics-abm`` command shares: one-sentence errors, the progress bar, number formats.

Bad input (a scenario that does not validate, a missing file, a negative seed, an output
directory in the way) is reported as one sentence, ``Error: ...``, on standard error with exit
code :data:`EXIT_BAD_INPUT`; never as a Python traceback.

Kept light (typer only): every command module imports it, and ``ics-abm --help`` must stay quick.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import typer

__all__ = [
    "EXIT_BAD_INPUT", "EXIT_INTERNAL", "bad_input_is_an_error", "check_out_option", "fail", "internal_error",
    "number", "one_line", "progress", "sentence",
]

#: Exit code for bad input (the same as command-line usage errors).
EXIT_BAD_INPUT = 2
#: Exit code for an unexpected error (a bug in ics_abm, not bad input).
EXIT_INTERNAL = 1


def one_line(text: str) -> str:
    """``text`` on one line: runs of white space (newlines included) as one space, control characters shown."""
    text = " ".join(text.split())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def sentence(exc: BaseException) -> str:
    """An exception as one sentence ending with a full stop."""
    if isinstance(exc, OSError) and exc.strerror:
        strerror = f"{exc.strerror[0].lower()}{exc.strerror[1:]}"
        text = f"{exc.filename}: {strerror}" if exc.filename is not None else f"could not write the results ({strerror})"
    elif isinstance(exc, RecursionError):
        text = "the input nests too deeply to be read"
    elif isinstance(exc, MemoryError):
        text = "the input is too large to fit in memory"
    else:
        text = str(exc) or type(exc).__name__
    text = one_line(text)
    return text if text.endswith((".", "?", "!")) else text + "."


def internal_error(exc: BaseException) -> str:
    """The one line for an unexpected exception (a bug): what it was, and how to see more."""
    return (f"unexpected {type(exc).__name__} ({one_line(str(exc))[:200].rstrip('.')}); this is a bug in "
            "ics_abm: please report it, with the command; ICS_ABM_TRACEBACK=1 shows where it happened.")


def check_out_option(out: object, option: str = "--out") -> None:
    """Refuse an empty output folder (``--out ''`` would write into the current folder)."""
    if out is not None and not str(out).strip():
        raise ValueError(f"{option} must name a folder, got an empty string")


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``Error: message`` on standard error; return the exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def bad_input_is_an_error() -> Iterator[None]:
    """Turn the errors of bad input into ``Error: <sentence>`` and exit code 2."""
    try:
        yield
    # ScenarioError, ResultsError and SweepError are ValueErrors; TypeError is a value of the wrong type
    # given through the API; the others are input too large or too deep for what reads it.
    except (ValueError, TypeError, OSError, OverflowError, RecursionError, MemoryError) as exc:
        raise fail(sentence(exc)) from None


@contextlib.contextmanager
def progress(unit: str, total: int, show: bool | None) -> Iterator[Callable[..., None] | None]:
    """A progress bar (:func:`ics_abm.output.progress.progress_bar`) as a command's progress callback.

    Yields ``update(done, total, ...)`` (further arguments, such as the fact that validate-model
    reports, are ignored), or ``None`` when no bar is shown, so that the library does no
    reporting at all then.
    """
    from ics_abm.output.progress import progress_bar

    with progress_bar(unit, total, show=show) as bar:
        yield (lambda done, total, *_: bar.update(done, total)) if bar.shown else None


def number(value: float | None, spec: str = ".2f") -> str:
    """``value`` formatted with ``spec``, or ``"undefined"`` for a missing or NaN value."""
    return "undefined" if value is None or math.isnan(value) else format(value, spec)
