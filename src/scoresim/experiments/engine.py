"""The sweep engine: sample an experiment, run what is missing on an executor, store results.

It knows models only as ``fn(params, seed) -> outputs`` (:mod:`.models`) and execution only
through an :class:`~.executors.Executor`; the SCORE model is one such function among others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import xarray as xr

from .executors import Executor, Task
from .models import model_function
from .sampling import run_seeds, sample
from .spec import Experiment
from .store import RunResult, SweepStore

MAX_DISTINCT_ERRORS = 100   # error messages counted for the closing summary (all are in the journal)
Progress = Callable[[int, int], None]   # (runs finished, of which failed)


def create_sweep(experiment: Experiment, out: str | Path, spec_text: str | None = None,
                 command: str = "") -> SweepStore:
    """Draw the samples and seeds and create the results directory ``out`` (must not exist)."""
    X = sample(experiment.spec)
    return SweepStore.create(out, experiment, X, run_seeds(experiment.spec, len(X)), spec_text, command)


@dataclass
class BatchSizer:
    """Batches of about ``target_seconds`` of work (at least one run), and enough batches to
    keep every worker busy; sizes adapt to the run times seen so far."""

    workers: int
    target_seconds: float = 1.0
    max_size: int = 1000
    _runs: int = 0
    _seconds: float = 0.0

    def observe(self, results: list[RunResult]) -> None:
        self._runs += len(results)
        self._seconds += sum(r.seconds for r in results)

    def size(self, remaining: int) -> int:
        if not self._runs:
            return 1
        per_run = max(self._seconds / self._runs, 1e-7)
        spread = max(1, remaining // (4 * self.workers))
        return int(max(1, min(self.max_size, self.target_seconds / per_run, spread)))


@dataclass
class SweepOutcome:
    """What a call to :func:`run_sweep` did."""

    results: xr.Dataset
    ran: int = 0
    failed: int = 0
    already: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def run_sweep(store: SweepStore, executor: Executor, progress: Progress | None = None,
              command: str = "", retry_failed: bool = False, rebuild: bool = False,
              stop: Callable[[], bool] | None = None) -> SweepOutcome:
    """Run every run the store does not hold yet (and, with ``retry_failed``, every run that
    failed), append each finished batch to its journal, then write ``results.nc`` (anew with
    ``rebuild``: a damaged one is replaced). Safe to call again on an interrupted store. With
    ``stop``, no batch starts once ``stop()`` is true; the runs in flight finish and the store
    stays incomplete (``outcome.results`` empty) for a later call to finish."""
    with store.lock():
        todo = np.flatnonzero(~store.done(repair=True, failed_too=not retry_failed))
        outcome = SweepOutcome(results=xr.Dataset(), already=store.n_runs - len(todo))
        if len(todo):
            store.add_session(executor.name, command, len(todo))
            payload = (model_function(store.experiment), store.outputs)
            sizer = BatchSizer(executor.workers)
            with store.appender() as journal:
                for results in executor.map(payload, _batches(store, todo, sizer, stop)):
                    journal.write(results)
                    sizer.observe(results)
                    failed = [r for r in results if not r.ok]
                    outcome.ran += len(results)
                    outcome.failed += len(failed)
                    for r in failed:
                        if r.error in outcome.errors or len(outcome.errors) < MAX_DISTINCT_ERRORS:
                            outcome.errors[r.error] = outcome.errors.get(r.error, 0) + 1
                    if progress:
                        progress(len(results), len(failed))
        if outcome.already + outcome.ran < store.n_runs:
            return outcome      # stopped early: the store stays incomplete
        outcome.results = store.finalize(rewrite=rebuild or (retry_failed and outcome.ran > 0))
        return outcome


def _batches(store: SweepStore, todo: np.ndarray, sizer: BatchSizer,
             stop: Callable[[], bool] | None = None) -> Iterator[list[Task]]:
    names = [p.path for p in store.experiment.spec.parameters]
    R, i = store.replicates, 0
    while i < len(todo) and not (stop and stop()):
        n = sizer.size(len(todo) - i)
        batch = []
        for run in todo[i:i + n]:
            point, rep = divmod(int(run), R)
            params = {**store.experiment.fixed(rep), **{k: float(v) for k, v in zip(names, store.X[point])}}
            batch.append((int(run), params, int(store.seeds[point, rep])))
        i += n
        yield batch
