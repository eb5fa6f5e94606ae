"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

For sweeps, every executor takes batches of tasks ``(run index, params, seed)`` and yields
their results as batches finish, in any order; for other engines (calibration), ``imap`` runs
any picklable function over items, in order. Only a few tasks are in flight at once, so memory
stays flat however many runs there are. Results depend on the tasks only, never on the
executor, the number of workers or the order of completion.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator, Mapping

from .store import RunResult

Task = tuple[int, dict[str, float], int]
Payload = tuple[Callable[[Mapping[str, float], int], Mapping[str, float]], list[str]]
IN_FLIGHT_PER_WORKER = 2
CONNECT_TIMEOUT = "20s"   # to reach an existing Dask scheduler


def run_batch(payload: Payload, batch: list[Task]) -> list[RunResult]:
    """Run each task; a task that raises becomes a failed result with its error and sample."""
    fn, outputs = payload
    results = []
    for run, params, seed in batch:
        start = time.perf_counter()
        try:
            out = fn(params, seed)
            y = tuple(float(out[name]) for name in outputs)
            results.append(RunResult(run, True, y, "", time.perf_counter() - start))
        except Exception as err:  # noqa: BLE001 - any model error is recorded, the sweep goes on
            where = traceback.extract_tb(err.__traceback__)[-1]
            msg = f"{type(err).__name__}: {err} ({os.path.basename(where.filename)}:{where.lineno})"
            if isinstance(err, KeyError) and err.args and err.args[0] in outputs:
                msg = f"the model returned no output {err.args[0]!r}"
            results.append(RunResult(run, False, None, msg, time.perf_counter() - start, dict(params)))
    return results


class Executor:
    """Base: a context manager with ``map`` (batches of runs, any order), ``imap`` (any
    picklable function over items, in order), ``name`` and ``workers``."""

    name = "serial"
    workers = 1

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Release workers."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Start ``fn(*args)`` and return its future."""
        fut: Future = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(err)
        return fut

    @property
    def in_flight(self) -> int:
        """Tasks kept submitted at once: enough to keep every worker busy, few enough that
        memory does not grow with the number of tasks."""
        return IN_FLIGHT_PER_WORKER * self.workers

    def map(self, payload: Payload, batches: Iterable[list[Task]]) -> Iterator[list[RunResult]]:
        """Yield the results of each batch of runs as it finishes (any order)."""
        yield from _bounded(lambda b: self.submit(run_batch, payload, b), batches, self.in_flight)

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for each item, in the items' order."""
        queue: deque[Future] = deque()
        for item in items:
            queue.append(self.submit(fn, item))
            if len(queue) >= self.in_flight:
                yield queue.popleft().result()
        while queue:
            yield queue.popleft().result()


class SerialExecutor(Executor):
    """Runs everything in this process, one task after the other."""


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the process that started the pool is gone (killed, even with
    SIGKILL), instead of lingering with nothing to do."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pragma: no cover - the pid now belongs to someone else
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="scoresim-parent-watch").start()


class ProcessExecutor(Executor):
    """Local worker processes (``forkserver`` start method)."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.name = f"processes({self.workers})"
        self._pool: ProcessPoolExecutor | None = None
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")   # one core per worker: no oversubscription

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=_watch_parent, initargs=(os.getpid(),))
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _bounded(submit: Callable[[list[Task]], Future], batches: Iterable[list[Task]],
             limit: int) -> Iterator[list[RunResult]]:
    """Keep at most ``limit`` batches submitted; yield results as they complete."""
    it = iter(batches)
    pending: set[Future] = set()
    while True:
        while len(pending) < limit:
            batch = next(it, None)
            if batch is None:
                break
            pending.add(submit(batch))
        if not pending:
            return
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            yield fut.result()


class DaskExecutor(Executor):
    """A Dask distributed cluster: an existing scheduler (``address``) or a local cluster of
    ``local_workers`` single-threaded worker processes. Workers need scoresim installed."""

    def __init__(self, address: str | None = None, local_workers: int | None = None):
        from distributed import Client, LocalCluster

        self._cluster = None
        if address:
            self.client = Client(address, timeout=CONNECT_TIMEOUT)
            self.name = f"dask({address})"
        else:
            n = max(1, local_workers or os.cpu_count() or 1)
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = Client(self._cluster)
            self.name = f"dask-local({n})"
        self.workers = max(1, sum(self.client.nthreads().values()))

    @property
    def dashboard(self) -> str:
        return str(getattr(self.client, "dashboard_link", "") or "")

    @property
    def in_flight(self) -> int:   # workers may join an existing cluster after we connected
        return IN_FLIGHT_PER_WORKER * max(self.workers, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.client.submit(fn, *args, pure=False)

    def map(self, payload: Payload, batches: Iterable[list[Task]]) -> Iterator[list[RunResult]]:
        from distributed import as_completed

        [shared] = self.client.scatter([payload], broadcast=True, hash=False)
        it = iter(batches)
        ac = as_completed()
        for _ in range(self.in_flight):
            batch = next(it, None)
            if batch is None:
                break
            ac.add(self.submit(run_batch, shared, batch))
        pending = ac.count()
        for fut in ac:
            yield fut.result()
            fut.release()
            pending -= 1
            while pending < self.in_flight:   # workers that join later get work too
                batch = next(it, None)
                if batch is None:
                    break
                ac.add(self.submit(run_batch, shared, batch))
                pending += 1

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(serial: bool = False, workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None) -> Executor:
    """The executor the command line asks for (default: local processes on all cores)."""
    if scheduler or dask_local:
        return DaskExecutor(scheduler, dask_local)
    if serial or workers == 1:
        return SerialExecutor()
    return ProcessExecutor(workers)
