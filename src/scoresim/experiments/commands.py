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

from .. import cmdargs
from ..cmdargs import RunProgress, executor_from_args
from ..config import InputError
from ..outputs import (check_new_place, failure_reason, fresh_directory, is_write_failure, new_directory,
                       output_directory)

TOP_PRINTED = 10   # factors per output printed by scoresim analyze (table.txt has them all)


def add_sweep_parser(sub) -> None:
    """Add the ``sweep`` subcommand."""
    sw = sub.add_parser("sweep", help="run an experiment spec into a resumable results directory")
    sw.add_argument("spec", nargs="?", metavar="SPEC", help="experiment spec TOML (or use --resume)")
    sw.add_argument("--resume", metavar="RESULTS_DIR", help="finish an interrupted sweep: run only missing runs")
    sw.add_argument("--out", metavar="DIR", help="results directory to create (must not exist); "
                    "default results/<spec>-<time>")
    sw.add_argument("--dry-run", action="store_true", help="validate the spec, print the design size, run nothing")
    sw.add_argument("--retry-failed", action="store_true", help="with --resume: run failed runs again too")
    sw.add_argument("--posterior", metavar="FILE", help="posterior draws of the calibrated parameters: "
                    "replicate r of every point takes draw r mod draws")
    cmdargs.add_executor_options(sw)
    cmdargs.add_memory_option(sw)
    sw.set_defaults(handler=cmd_sweep)


def add_analyze_parser(sub) -> None:
    """Add the ``analyze`` subcommand."""
    ana = sub.add_parser("analyze", help="sensitivity indices (SALib) of a finished sweep, with tables and figures")
    ana.add_argument("results", metavar="RESULTS_DIR", help="directory written by scoresim sweep")
    ana.add_argument("--out", metavar="DIR", help="directory to create (must not exist); default RESULTS_DIR/analysis")
    ana.add_argument("--resamples", type=cmdargs.resamples, default=1000,
                     help="bootstrap resamples for the intervals")
    ana.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    ana.set_defaults(handler=cmd_analyze)


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
    _check_memory(experiment, args)
    rebuild = False
    if args.resume:
        if store.complete:
            rebuild = _damaged_results(store)
            if not rebuild and (not args.retry_failed or store.done(failed_too=False).all()):
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
        with RunProgress(store.n_runs, done_before) as bar:
            try:
                outcome = run_sweep(store, executor, bar.update, command, retry_failed=args.retry_failed,
                                    rebuild=rebuild)
            except KeyboardInterrupt:
                bar.close()
                print(f"\ninterrupted: {int(store.done().sum()):,} of {store.n_runs:,} runs recorded; "
                      f"finish with: scoresim sweep --resume {store.path}", file=sys.stderr)
                return 130
            except Exception as err:
                if not is_write_failure(err):
                    raise
                bar.close()
                kept = int(store.done().sum())
                raise InputError(f"{store.path}: the sweep could not write its results ({failure_reason(err)}); "
                                 f"the journal keeps {kept:,} of {store.n_runs:,} runs: free some space and finish "
                                 f"with: scoresim sweep --resume {store.path}") from None
    _report_sweep(store, outcome, time.perf_counter() - started)
    return 0


def _damaged_results(store) -> bool:
    """Whether a complete sweep's results.nc is damaged (it is then rebuilt from the journal)."""
    try:
        store.results()
    except InputError as err:
        print(f"{err}\nrebuilding it from the journal ({store.journal.name})", file=sys.stderr)
        return True
    return False


def _check_memory(experiment, args: argparse.Namespace) -> None:
    """Refuse a sweep whose largest run, times the runs held at once on this machine, would
    not fit in memory."""
    from ..checks import check_run, largest
    from ..summaries import needs_counterfactual

    if experiment.base is None:
        return
    spec = experiment.spec
    biggest = largest(experiment.base, {p.path: p.bounds[1] for p in spec.parameters})
    worlds = 2 if needs_counterfactual(list(spec.outputs)) else 1
    check_run(biggest, 1, experiment.origin, args.memory_limit, worlds, cmdargs.local_processes(args))


def _check_code_version(store) -> None:
    """Warn when a sweep is resumed with other code than it started with: its runs would mix."""
    from .. import io

    then, now = store.manifest.get("git_commit", "unknown"), io.git_commit()
    v_then, v_now = store.manifest.get("versions", {}).get("scoresim"), io.versions()["scoresim"]
    if then != now or v_then != v_now:
        print(f"warning: {store.path} was started with scoresim {v_then} at commit {then}; this is "
              f"scoresim {v_now} at commit {now}. Runs of both will be mixed in one result.", file=sys.stderr)


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


def cmd_analyze(args: argparse.Namespace, command: str) -> int:
    from .. import io
    from . import analysis, figures
    from .store import load_results

    results = load_results(args.results)
    source = Path(args.results)
    home = source if source.is_dir() else source.parent
    out = Path(args.out) if args.out else fresh_directory(home / "analysis")
    check_new_place(out, "directory", "--out" if args.out else "")   # before the work
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        indices = analysis.analyze(results, resamples=args.resamples, origin=str(args.results))
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {message}", file=sys.stderr)
    indices.attrs.update(analysis_command=command, analysis_git_commit=io.git_commit(),
                         analysis_versions=json.dumps(io.versions()))
    table = analysis.ranked_table(indices)
    with new_directory(out) as tmp:
        io.write_dataset(indices, tmp / "indices.nc")
        analysis.to_csv(indices, tmp / "indices.csv")
        (tmp / "table.txt").write_text(table + "\n")
        written = [] if args.no_figures else figures.save_figures(indices, tmp)
    print(analysis.ranked_table(indices, top=TOP_PRINTED))
    print(f"wrote {out}/indices.nc, indices.csv, table.txt" + (f" and {', '.join(written)}" if written else ""))
    return 0
