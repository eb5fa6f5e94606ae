"""``scoresim calibrate``: validate the targets, run or resume ABC-SMC, write the results.

Bad input (targets file, results directory, arguments) raises
:class:`~scoresim.config.InputError` before anything is written.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..cli import output_directory
from ..config import InputError
from ..textable import wrap


def cmd_calibrate(args: argparse.Namespace, command: str) -> int:
    from ..experiments.commands import executor_from_args
    from . import run
    from .targets import load_targets

    if args.resume and (args.targets or args.out or args.quick):
        raise InputError("scoresim calibrate: --resume RESULTS_DIR takes no TARGETS, --out or --quick "
                         "(they are stored in the results directory)")
    if args.resume:
        out = Path(args.resume)
        cal, settings, manifest = run.open_directory(out)
        if manifest.get("status") == "complete":
            print(f"{out}: complete ({manifest.get('generations')} generations); nothing to do")
            return 0
    elif args.targets:
        cal = load_targets(args.targets)
        settings = run.Settings.of(cal.spec, args.quick)
        out = output_directory(args.out, Path("results") / "calibration", f"{Path(args.targets).stem}"
                               + ("-quick" if args.quick else ""))
    else:
        raise InputError("scoresim calibrate: give a TARGETS file or --resume RESULTS_DIR")
    spec = cal.spec
    print("\n".join(wrap(f"calibration {spec.name} ({settings.mode}): {len(spec.fitted)} fitted targets, "
                         f"{len(spec.parameters)} parameters; ABC-SMC with {settings.population} particles, up "
                         f"to {settings.generations} generations or {settings.max_minutes:g} minutes, "
                         f"{settings.replicates} replicate(s) per particle")))
    executor = executor_from_args(args)
    _quiet_pyabc()
    with executor:
        if not args.resume:
            run.create(cal, out, settings, command)
        print(f"results: {out}; executor: {executor.name}")
        try:
            run.calibrate(cal, out, settings, executor, command, resume=bool(args.resume), log=print)
        except KeyboardInterrupt:
            print(f"\ninterrupted; finish with: scoresim calibrate --resume {out}", file=sys.stderr)
            return 130
    print(f"wrote {out}/posterior.nc, fit_table.csv, identifiability.csv and figures")
    return 0


def _quiet_pyabc() -> None:
    """pyabc logs each generation (threshold, acceptance, timing) at INFO on the 'ABC' logger;
    keep those lines, silence its sub-loggers' detail."""
    for name in ("ABC", "ABC.History", "ABC.Population", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon",
                 "ABC.Acceptor", "ABC.Adaptation", "ABC.Predictor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("ABC").setLevel(logging.INFO)
    logging.getLogger("ABC.History").setLevel(logging.WARNING)
