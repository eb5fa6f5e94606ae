"""``scoresim sweep`` and ``scoresim analyze``: parse results, call the engine, print, write.

Bad input (spec, results directory, arguments, an unreachable scheduler) raises
:class:`~scoresim.config.InputError` before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from ..config import InputError
from ..cli import fresh_directory, output_directory

LOG_SECONDS = 15.0   # progress lines when stderr is not a terminal
TOP_PRINTED = 10   # factors per output printed by scoresim analyze (table.txt has them all)


def cmd_sweep(args: argparse.Namespace, command: str) -> int:
    from .engine import create_sweep, run_sweep
    from .spec import load_experiment, n_points
    from .store import SweepStore

    if args.resume and (args.spec or args.out or args.dry_run or args.posterior):
        raise InputError("scoresim sweep: --resume RESULTS_DIR takes no SPEC, --out, --dry-run or --posterior "
                         "(they are stored in the results directory)")
    if args.retry_failed and not args.resume:
        raise InputError("scoresim sweep: --retry-failed goes with --resume RESULTS_DIR")
    if args.resume:
        store = SweepStore(args.resume)
        experiment = store.experiment
    elif args.spec:
        experiment = load_experiment(args.spec)
        if args.posterior:
            experiment = experiment.with_posterior(args.posterior)
    else:
        raise InputError("scoresim sweep: give an experiment SPEC or --resume RESULTS_DIR")
    spec = experiment.spec
    points = n_points(spec)
    print(f"experiment {spec.name}: {spec.method.name}, {len(spec.parameters)} parameters, "
          f"{points:,} points x {spec.replicates} replicate(s) = {points * spec.replicates:,} runs, "
          f"{len(spec.outputs)} outputs"
          + (f"; calibrated parameters from {experiment.posterior.n} posterior draws" if experiment.posterior else ""))
    if args.dry_run:
        return 0
    if args.resume:
        if store.complete and (not args.retry_failed or store.done(failed_too=False).all()):
            print(f"{store.path}: complete, all {store.n_runs:,} runs recorded; nothing to do")
            return 0
        _check_code_version(store)
    out = None if args.resume else output_directory(args.out, Path("results"), Path(args.spec).stem)
    executor = executor_from_args(args)
    with executor:
        if not args.resume:
            store = create_sweep(experiment, out, Path(args.spec).read_text(encoding="utf-8"), command)
        print(f"results: {store.path}; executor: {executor.name}"
              + (f", dashboard {executor.dashboard}" if getattr(executor, "dashboard", "") else ""))
        started = time.perf_counter()
        done_before = int(store.done(failed_too=not args.retry_failed).sum())
        with _Progress(store.n_runs, done_before) as bar:
            try:
                outcome = run_sweep(store, executor, bar.update, command, retry_failed=args.retry_failed)
            except KeyboardInterrupt:
                bar.close()
                print(f"\ninterrupted: {int(store.done().sum()):,} of {store.n_runs:,} runs recorded; "
                      f"finish with: scoresim sweep --resume {store.path}", file=sys.stderr)
                return 130
    _report_sweep(store, outcome, time.perf_counter() - started)
    return 0


def _check_code_version(store) -> None:
    """Warn when a sweep is resumed with other code than it started with: its runs would mix."""
    from .. import io

    then, now = store.manifest.get("git_commit", "unknown"), io.git_commit()
    v_then, v_now = store.manifest.get("versions", {}).get("scoresim"), io.versions()["scoresim"]
    if then != now or v_then != v_now:
        print(f"warning: {store.path} was started with scoresim {v_then} at commit {then}; this is "
              f"scoresim {v_now} at commit {now}. Runs of both will be mixed in one result.", file=sys.stderr)


def executor_from_args(args: argparse.Namespace):
    """The executor chosen by --serial, --workers, --scheduler or --dask-local."""
    from .executors import make_executor

    try:
        return make_executor(args.serial, args.workers, args.scheduler, args.dask_local)
    except (OSError, TimeoutError) as err:
        raise InputError(f"--scheduler {args.scheduler}: cannot connect to a Dask scheduler there "
                         f"({type(err).__name__}: {err})") from None
    except ValueError as err:
        raise InputError(f"--scheduler {args.scheduler}: not a scheduler address ({err}); "
                         "for example tcp://10.0.0.5:8786") from None


def _report_sweep(store, outcome, seconds: float) -> None:
    ok = int(outcome.results["ok"].sum())
    failed = store.n_runs - ok
    print(f"{outcome.ran:,} runs in {seconds:.1f} s ({outcome.already:,} were already recorded); "
          f"{ok:,} of {store.n_runs:,} ok, {failed:,} failed")
    for msg, n in sorted(outcome.errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {n:,} x {msg}")
    if failed:
        print(f"  failed runs and their samples: {store.journal} (lines with \"ok\": false)")
    print(f"wrote {store.path}/results.nc; next: scoresim analyze {store.path}")


class _Progress:
    """A tqdm bar (runs done, failed, time left) on a terminal; otherwise (logs, batch jobs) a
    line every :data:`LOG_SECONDS` seconds and one at the end if any was printed."""

    def __init__(self, total: int, initial: int):
        from tqdm import tqdm

        self.total, self.done, self.failed = total, initial, 0
        self.tty = sys.stderr.isatty()
        self.bar = tqdm(total=total, initial=initial, unit="run", desc="sweep", file=sys.stderr,
                        dynamic_ncols=True, disable=not self.tty)
        self._start = self._last = time.perf_counter()
        self._initial, self._logged = initial, False

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.bar.close()

    def update(self, n: int, failed: int) -> None:
        self.done += n
        self.failed += failed
        self.bar.update(n)
        self.bar.set_postfix(failed=self.failed, refresh=False)
        now = time.perf_counter()
        if not self.tty and (now - self._last >= LOG_SECONDS or (self._logged and self.done == self.total)):
            rate = (self.done - self._initial) / max(now - self._start, 1e-9)
            left = (self.total - self.done) / rate if rate > 0 else float("nan")
            print(f"sweep: {self.done:,}/{self.total:,} runs done, {self.failed:,} failed, "
                  f"about {left:.0f} s left", file=sys.stderr, flush=True)
            self._last, self._logged = now, True


def cmd_analyze(args: argparse.Namespace, command: str) -> int:
    from .. import io
    from . import analysis, figures
    from .store import load_results

    results = load_results(args.results)
    source = Path(args.results)
    home = source if source.is_dir() else source.parent
    out = output_directory(args.out, home, "analysis") if args.out else fresh_directory(home / "analysis")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        indices = analysis.analyze(results, resamples=args.resamples, origin=str(args.results))
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {message}", file=sys.stderr)
    indices.attrs.update(analysis_command=command, analysis_git_commit=io.git_commit(),
                         analysis_versions=json.dumps(io.versions()))
    table = analysis.ranked_table(indices)
    with io.new_run_directory(out) as tmp:
        io.write_dataset(indices, tmp / "indices.nc")
        analysis.to_csv(indices, tmp / "indices.csv")
        (tmp / "table.txt").write_text(table + "\n")
        written = [] if args.no_figures else figures.save_figures(indices, tmp)
    print(analysis.ranked_table(indices, top=TOP_PRINTED))
    print(f"wrote {out}/indices.nc, indices.csv, table.txt" + (f" and {', '.join(written)}" if written else ""))
    return 0
