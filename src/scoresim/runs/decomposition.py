"""``scoresim decompose CONFIG``: why what participants report differs from what the programme
caused, source by source (:mod:`scoresim.decompose`). Parse, load, call the public API, write.

Bad input raises :class:`~scoresim.config.InputError` before anything is written.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from .. import cmdargs
from ..checks import check_participants, check_run
from ..config import load_scenario
from ..outputs import new_directory, output_directory
from .commands import refuse_plan

RUNS = 32
"""Subsets of the five sources: one report each (16 simulations)."""


def add_parser(sub) -> None:
    """Add the ``decompose`` subcommand."""
    dec = sub.add_parser("decompose", help="decompose the gap between reported changes and causal effects "
                                           "into its sources (drift, shocks, selection, survivorship and "
                                           "non-response, reporting bias)")
    dec.add_argument("config", help="scenario TOML file")
    dec.add_argument("--seed", type=cmdargs.seed, help="seed (default: the config's run.seed)")
    dec.add_argument("--replicates", type=cmdargs.replicates, default=4,
                     help="replicates per subset of sources (default 4; 16 simulations each)")
    dec.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a parameter, for example --set selection.strength=2")
    dec.add_argument("--out", metavar="DIR", help="directory to create (must not exist); "
                     "default results/<scenario>-decomposition-<time>")
    dec.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    cmdargs.add_memory_option(dec)
    dec.set_defaults(handler=cmd_decompose)


def cmd_decompose(args: argparse.Namespace, command: str) -> int:
    from .. import decompose, io

    refuse_plan(args.config)
    scenario = load_scenario(args.config, args.overrides)
    seed = scenario.run.seed if args.seed is None else args.seed
    out = output_directory(args.out, Path("results"), f"{Path(args.config).stem}-decomposition")
    check_run(scenario, args.replicates, args.config, args.memory_limit)
    check_participants(scenario, seed, args.config)
    started = time.perf_counter()
    with cmdargs.progress_bar(RUNS, "subsets of sources", "subset") as bar:
        dec = decompose.decompose(scenario, seed, args.replicates, progress=bar.update)
    dec.attrs.update(io.provenance(scenario, [command]))
    table = decompose.table(dec)
    with new_directory(out) as tmp:   # results on disk before anything is printed
        io.write_dataset(dec, tmp / "decomposition.nc")
        decompose.frame(dec).to_csv(tmp / "decomposition.csv", index=False)
        (tmp / "table.txt").write_text(table + "\n")
        (tmp / "config.json").write_text(json.dumps(json.loads(dec.attrs["config"]), indent=2))
        figures = [] if args.no_figures else decompose.save_figures(dec, tmp)
    print(table)
    print(f"wrote {out}/decomposition.nc, decomposition.csv, table.txt"
          + (f", {', '.join(figures)}" if figures else "") + f" in {time.perf_counter() - started:.0f} s")
    return 0


__all__ = ["add_parser", "cmd_decompose"]
