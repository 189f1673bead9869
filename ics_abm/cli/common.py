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

__all__ = ["EXIT_BAD_INPUT", "bad_input_is_an_error", "fail", "number", "progress", "sentence"]

#: Exit code for bad input (the same as command-line usage errors).
EXIT_BAD_INPUT = 2


def sentence(exc: BaseException) -> str:
    """An exception as one sentence ending with a full stop."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else "output"
        text = f"{where}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())  # one line
    return text if text.endswith((".", "?", "!")) else text + "."


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``Error: message`` on standard error; return the exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def bad_input_is_an_error() -> Iterator[None]:
    """Turn the errors of bad input into ``Error: <sentence>`` and exit code 2."""
    try:
        yield
    except (ValueError, OSError) as exc:  # ScenarioError, ResultsError and SweepError are ValueErrors
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
