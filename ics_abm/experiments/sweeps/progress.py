"""A progress bar for sweeps: runs done, rate and time left (rich, on standard error)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["ProgressBar", "progress_bar"]


class ProgressBar:
    """Counts runs done; draws a bar if one was asked for."""

    def __init__(self, bar=None, task=None):
        self._bar, self._task = bar, task

    def advance(self, runs: int) -> None:
        """Record ``runs`` more runs done."""
        if self._bar is not None:
            self._bar.advance(self._task, runs)


@contextlib.contextmanager
def progress_bar(total: int, done: int, enabled: bool | None) -> Iterator[ProgressBar]:
    """A progress bar over ``total`` runs of which ``done`` are already done.

    Parameters
    ----------
    total, done : int
        Runs in the sweep, and runs already done before this invocation.
    enabled : bool or None
        Draw it (``None``: only if standard error is a terminal).
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield ProgressBar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Runs per second over the recent past (rich's own estimate)."""

        def render(self, task) -> Text:
            speed = task.speed
            return Text("-- runs/s" if speed is None else f"{speed:,.1f} runs/s")

    columns = (TextColumn("runs"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
               TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True, highlight=False)) as bar:
        task = bar.add_task("sweep", total=total, completed=done)
        yield ProgressBar(bar, task)
