"""``scoresim calibrate``: validate the targets, simulate the reference table (or finish it),
fit the emulator and the posterior, write the results.

Bad input (targets file, results directory, arguments) raises
:class:`~scoresim.config.InputError` before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import cmdargs
from ..cmdargs import executor_from_args
from ..config import InputError
from ..outputs import directory_lock, failure_reason, is_write_failure, output_directory
from ..textable import wrap


def add_parser(sub) -> None:
    """Add the ``calibrate`` subcommand."""
    cal = sub.add_parser("calibrate", help="fit the calibrated parameters to reported outcomes and trial evidence")
    cal.add_argument("targets", nargs="?", metavar="TARGETS", help="targets TOML (or use --resume)")
    cal.add_argument("--quick", action="store_true", help="a coarse fit in a few minutes (fewer simulations)")
    cal.add_argument("--dry-run", action="store_true", help="check the targets file, print the settings, run nothing")
    cal.add_argument("--resume", metavar="RESULTS_DIR", help="continue an interrupted calibration")
    cal.add_argument("--out", metavar="DIR", help="results directory to create (must not exist); "
                     "default results/calibration/<targets>-<time>")
    cal.add_argument("--time-limit", type=cmdargs.minutes, metavar="MINUTES",
                     help="start no simulation after this many minutes and fit on those finished, saying so (by "
                          "default a calibration runs its set number of simulations, so its result does not "
                          "depend on the machine's speed)")
    cmdargs.add_executor_options(cal)
    cmdargs.add_memory_option(cal)
    cal.set_defaults(handler=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace, command: str) -> int:
    from . import run
    from .targets import load_targets

    if args.resume and (args.targets or args.out or args.quick or args.dry_run):
        raise InputError("scoresim calibrate: --resume RESULTS_DIR takes no TARGETS, --out, --quick or --dry-run "
                         "(they are stored in the results directory)")
    if args.resume:
        out = Path(args.resume)
        cal, settings, manifest = run.open_directory(out)
        settings = settings.with_time_limit(args.time_limit)
    elif args.targets:
        cal = load_targets(args.targets)
        settings = run.Settings.of(cal.spec, args.quick, args.time_limit)
        out = output_directory(args.out, Path("results") / "calibration", f"{Path(args.targets).stem}"
                               + ("-quick" if args.quick else ""))
    else:
        raise InputError("scoresim calibrate: give a TARGETS file or --resume RESULTS_DIR")
    if args.dry_run:
        print(_describe(cal, settings))
        return 0
    _check_memory(cal, settings, args)
    executor = executor_from_args(args)
    with executor:
        if not args.resume:
            run.create(cal, out, settings, command)
        with directory_lock(out, "calibration"):   # one writer at a time, as for sweeps
            if args.resume:
                manifest = run.open_directory(out)[2]   # as it is now that no one else writes it
                if manifest.get("status") == "complete":
                    damage = run.outputs_damage(out)
                    if damage is None:
                        print(f"{out}: complete ({manifest.get('simulations')} simulations); nothing to do")
                        return 0
                    print(f"{damage}\nrewriting the results from the simulations (simulations/)", file=sys.stderr)
            print("\n".join(wrap(_describe(cal, settings))))
            print(f"results: {out}; executor: {executor.name}")
            try:
                run.calibrate(cal, out, settings, executor, command, resume=bool(args.resume), log=print)
            except KeyboardInterrupt:
                print(f"\ninterrupted; finish with: scoresim calibrate --resume {out}", file=sys.stderr)
                return 130
            except Exception as err:
                if not is_write_failure(err):
                    raise
                raise InputError(f"{out}: the calibration could not write its results ({failure_reason(err)}); its "
                                 f"simulations are kept (simulations/): free some space and finish with: "
                                 f"scoresim calibrate --resume {out}") from None
    print(f"wrote {out}/posterior.nc, fit_table.csv, identifiability.csv, estimands.csv and figures")
    return 0


def _describe(cal, settings) -> str:
    spec = cal.spec
    return (f"calibration {spec.name} ({settings.mode}): {len(spec.targets)} monitoring targets and "
            f"{len(spec.evidence)} trial results ({len(spec.fitted)} fitted), {len(spec.parameters)} "
            f"parameters; {settings.describe()}, then an emulator and sequential Monte Carlo")


def _check_memory(cal, settings, args: argparse.Namespace) -> None:
    """Refuse a calibration whose particles, times the particles run at once on this machine,
    would not fit in memory."""
    from ..checks import check_run
    from ..summaries import needs_counterfactual

    worlds = 2 if needs_counterfactual([t.statistic for t in cal.spec.items]) else 1
    check_run(cal.scenario, 1, cal.origin, args.memory_limit, worlds,
              cmdargs.local_processes(args))
