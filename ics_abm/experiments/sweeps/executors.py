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
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ics_abm.limits import MAX_WORKERS, whole_number

__all__ = ["InlineExecutor", "Engine", "check_engine", "open_engine", "CONNECT_TIMEOUT"]

#: How long to try to reach a Dask scheduler before giving up.
CONNECT_TIMEOUT = "20s"
#: How long to wait for a scheduler's port to answer before trying to connect to it properly, s.
PROBE_TIMEOUT = 5.0
#: A Dask scheduler address: ``protocol://host:port`` (or ``host:port``, meaning tcp).
_ADDRESS = re.compile(r"^(?:(?P<protocol>tcp|tls|ucx|ws|wss)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
                      r":(?P<port>\d{1,5})/?$")
_EXAMPLE = "e.g. tcp://10.0.0.5:8786"


def check_engine(workers: object, scheduler: object) -> int:
    """Check ``workers`` and ``scheduler`` before anything is set up; return ``workers``.

    Raises
    ------
    TypeError
        If ``workers`` is not a whole number or ``scheduler`` not a string.
    ValueError
        If ``workers`` is out of range (1 to :data:`ics_abm.limits.MAX_WORKERS`) or ``scheduler``
        is not an address, or its port does not answer (one sentence).
    """
    workers = whole_number(workers, "--workers", 1, MAX_WORKERS)
    if scheduler is None:
        return workers
    if not isinstance(scheduler, str):
        raise TypeError(f"--scheduler must be an address ({_EXAMPLE}), got {type(scheduler).__name__}")
    match = _ADDRESS.match(scheduler.strip())
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise ValueError(f"--scheduler must be the address of a Dask scheduler, protocol://host:port ({_EXAMPLE}), "
                         f"got {scheduler!r:.80}")
    host = match["host"].strip("[]")
    try:
        socket.create_connection((host, int(match["port"])), timeout=PROBE_TIMEOUT).close()
    except OSError as exc:
        reason = (getattr(exc, "strerror", None) or type(exc).__name__).rstrip(".")
        raise ValueError(f"--scheduler {scheduler}: could not connect ({reason[0].lower()}{reason[1:]}); expected the "
                         "address of a running Dask scheduler") from None
    return workers


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
        If ``workers`` is out of range, or the Dask scheduler cannot be reached.
    """
    if executor is not None:
        yield Engine(executor, f"the given {type(executor).__name__}", max(4, 2 * workers))
        return
    if scheduler is not None:
        from distributed import Client

        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"--scheduler {scheduler}: could not connect ({type(exc).__name__}); expected the "
                             "address of a running Dask scheduler") from None
        try:
            yield Engine(client.get_executor(pure=False), f"Dask at {scheduler}", 2 * _dask_threads(client) + 2)
        finally:
            client.close()
        return
    workers = whole_number(workers, "--workers", 1, MAX_WORKERS)
    if workers == 1:
        yield Engine(InlineExecutor(), "in this process", 1)
        return
    engine = Engine(_process_pool(workers), f"{workers} worker processes", 2 * workers,
                    restart=lambda: _process_pool(workers))
    try:
        yield engine
    finally:
        engine.executor.shutdown(wait=True, cancel_futures=True)
