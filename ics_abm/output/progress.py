"""The one progress bar of the package: work done, time left (rich, on standard error).

Used by every command that takes a while (``ics-abm run``, ``compare``, ``validate-model``) and by
:func:`ics_abm.sweep`. It lives here, not in the command line, so that library code can draw it
without importing the CLI; rich is imported only when a bar is actually shown.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["ProgressBar", "progress_bar"]


class ProgressBar:
    """Counts work done; draws it if a bar is shown (else every call does nothing).

    The bar appears with the first report of progress, not before: a command that fails first
    (bad input found once the bar exists) prints its one-line error and nothing else.
    """

    def __init__(self, bar=None, task=None):
        self._bar, self._task, self._started = bar, task, False

    @property
    def shown(self) -> bool:
        """Whether a bar is drawn."""
        return self._bar is not None

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._bar.start()

    def stop(self) -> None:
        """Stop drawing (if the bar was ever drawn)."""
        if self._started:
            self._bar.stop()

    def update(self, done: int, total: int | None = None) -> None:
        """Record that ``done`` units of ``total`` (default: unchanged) are done."""
        if self._bar is not None:
            self._start()
            self._bar.update(self._task, completed=done, total=total)

    def advance(self, units: int) -> None:
        """Record ``units`` more units done."""
        if self._bar is not None:
            self._start()
            self._bar.advance(self._task, units)


def _columns(unit: str, rate: bool) -> tuple:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    if not rate:
        return TextColumn(unit), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()

    class RateColumn(ProgressColumn):
        """Units per second over the recent past (rich's own estimate)."""

        def render(self, task) -> Text:
            speed = task.speed
            return Text(f"-- {unit}/s" if speed is None else f"{speed:,.1f} {unit}/s")

    return (TextColumn(unit), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
            TextColumn("left"), TimeRemainingColumn())


@contextlib.contextmanager
def progress_bar(unit: str, total: int, *, show: bool | None = None, done: int = 0,
                 rate: bool = False) -> Iterator[ProgressBar]:
    """A progress bar over ``total`` ``unit`` (``"runs"``, ``"months"``) on standard error.

    Parameters
    ----------
    unit : str
        What is counted, shown before the bar.
    total : int
        Units in all.
    show : bool, optional
        Draw the bar (default: only if standard error is a terminal).
    done : int
        Units already done when the bar starts (a resumed sweep).
    rate : bool
        Also show the rate (units per second) and the time elapsed.

    Yields
    ------
    ProgressBar
        To report progress to; it draws nothing when the bar is not shown.
    """
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        yield ProgressBar()
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(*_columns(unit, rate), console=Console(stderr=True, highlight=False))
    progress = ProgressBar(bar, bar.add_task(unit, total=total, completed=done))
    try:
        yield progress
    finally:
        progress.stop()
