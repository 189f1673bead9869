"""Where a sweep's tasks run: anything with the :class:`concurrent.futures.Executor` interface.

* ``workers=1``: :class:`InlineExecutor`, in this process (no start-up cost, easy to debug);
* ``workers=N``: a :class:`~concurrent.futures.ProcessPoolExecutor` of N processes started with
  the ``spawn`` method: a forked child would inherit numba's thread pool and Dask's or tornado's
  threads in whatever state they were, which is unsafe; a spawned one starts clean;
* ``scheduler="tcp://host:8786"``: a Dask distributed cluster, through
  :meth:`distributed.Client.get_executor`. The cluster's workers write the results, so the
  results folder must be on a filesystem they share with this machine.

Any other Executor (e.g. ``client.get_executor()`` of a ``dask_jobqueue`` cluster) can be passed
to :func:`ics_abm.sweep` as it is.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["InlineExecutor", "Engine", "open_engine", "CONNECT_TIMEOUT"]

#: How long to try to reach a Dask scheduler before giving up.
CONNECT_TIMEOUT = "20s"


class InlineExecutor(cf.Executor):
    """An Executor that runs each call at once, in the calling thread."""

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001  (the future carries it to the caller)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            future.set_exception(exc)
        return future


@dataclass
class Engine:
    """An executor and how to replace it if it breaks.

    Attributes
    ----------
    executor : concurrent.futures.Executor
    describe : str
        For messages: ``"in this process"``, ``"2 worker processes"``, ``"Dask at tcp://..."``.
    slots : int
        Tasks worth keeping in flight (workers times two, so none waits for the next task).
    restart : callable or None
        Makes a fresh executor after the old one broke (a process pool whose worker was killed);
        ``None`` when the executor heals itself (Dask reschedules the tasks of a lost worker) or
        is not ours to replace.
    """

    executor: cf.Executor
    describe: str
    slots: int
    restart: Callable[[], cf.Executor] | None = None


def _process_pool(workers: int) -> cf.Executor:
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _dask_threads(client) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001  (only a hint for how many tasks to keep in flight)
        return 1


@contextlib.contextmanager
def open_engine(workers: int = 1, scheduler: str | None = None,
                executor: cf.Executor | None = None) -> Iterator[Engine]:
    """The executor for a sweep, shut down (if this function made it) on exit.

    Parameters
    ----------
    workers : int
        Local worker processes (1: in this process). Ignored with ``scheduler`` or ``executor``.
    scheduler : str, optional
        Address of a Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    executor : concurrent.futures.Executor, optional
        Use this executor as it is (it is not shut down).

    Yields
    ------
    Engine

    Raises
    ------
    ValueError
        If ``workers`` < 1.
    OSError
        If the Dask scheduler cannot be reached.
    """
    if executor is not None:
        yield Engine(executor, f"the given {type(executor).__name__}", max(4, 2 * workers))
        return
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        try:
            yield Engine(client.get_executor(pure=False), f"Dask at {scheduler}", 2 * _dask_threads(client) + 2)
        finally:
            client.close()
        return
    if workers < 1:
        raise ValueError(f"--workers must be a whole number >= 1, got {workers}")
    if workers == 1:
        yield Engine(InlineExecutor(), "in this process", 1)
        return
    engine = Engine(_process_pool(workers), f"{workers} worker processes", 2 * workers,
                    restart=lambda: _process_pool(workers))
    try:
        yield engine
    finally:
        engine.executor.shutdown(wait=True, cancel_futures=True)
