"""``scoresim compare A B [C ...]``: load the scenarios (configs or finished runs), run the
configs, print the comparison and write a results directory. No comparison logic here.

Every input is checked before anything runs; bad input raises
:class:`~scoresim.config.InputError` and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

FORMAT = "scoresim-compare/1"


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``compare`` subcommand to an argparse subparsers object; returns its parser."""
    from .. import cmdargs

    cp = sub.add_parser("compare", help="compare two or more scenarios (configs or finished runs): each one's "
                        "estimands and the differences from the first, with intervals")
    cp.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                    help="a scenario config (.toml) or a finished run (its directory or dataset.nc); the first "
                         "is the baseline")
    cp.add_argument("--seed", type=cmdargs.seed, help="run every config on this seed (default: each config's run.seed)")
    cp.add_argument("--replicates", type=cmdargs.replicates, help="replicates of every config (default: each config's "
                                                         "run.replicates)")
    cp.add_argument("--out", metavar="DIR", help="results directory to create (must not exist); default "
                                                 "results/compare-<first>-<second>-<time>")
    cp.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    cp.set_defaults(handler=cmd_compare)
    return cp


def cmd_compare(args: argparse.Namespace, command: str) -> int:
    """Compare ``args.scenarios``; print the table, write the directory; returns 0."""
    from .. import io
    from ..config import InputError
    from ..outputs import new_directory, output_directory
    from . import core, figures
    from ..textable import wrap
    from .table import format_table

    if len(args.scenarios) < 2:
        raise InputError("scoresim compare: give at least two scenarios (configs or run directories); the first "
                         "is the baseline")
    entries = [core.load_entry(p, args.seed, args.replicates) for p in args.scenarios]
    core.unique_labels(entries)
    paired, why = core.pairing(entries)
    stem = "compare-" + "-".join(e.label for e in entries[:2]) + ("-etc" if len(entries) > 2 else "")
    out = output_directory(args.out, Path("results"), stem)
    started = time.perf_counter()
    todo = sum(e.replicates for e in entries if e.values is None)
    print("\n".join(wrap(f"comparing {len(entries)} scenarios, baseline first: " + "; ".join(
        f"{e.label} ({e.kind} {e.origin}, seed {e.seed}, {e.replicates} replicate(s))" for e in entries))))
    with _progress(todo) as bar:
        core.run_entries(entries, bar.update)
    result = core.compare(entries, paired)
    text = format_table(result, why)
    result.attrs.update(io.provenance(entries[0].scenario, command.split()) if entries[0].scenario else {})
    result.attrs.update({"pairing": why, "command": command})
    rows = core.tidy(result)
    manifest = {"format": FORMAT, "kind": "compare", "status": "complete", "command": command,
                "git_commit": result.attrs.get("git_commit", io.git_commit()), "versions": io.versions(),
                "created_utc": io.utc_now(), "baseline": entries[0].label, "paired": paired, "pairing": why,
                "scenarios": [{"label": e.label, "origin": e.origin, "kind": e.kind, "seed": e.seed,
                               "replicates": int(e.values.sizes["replicate"]), "posterior_sha256": e.posterior}
                              for e in entries]}
    with new_directory(out) as tmp:           # results on disk before anything is printed
        io.write_dataset(result, tmp / "compare.nc")
        _write_csv(rows, tmp / "compare.csv")
        (tmp / "compare.txt").write_text(text + "\n", encoding="utf-8")
        (tmp / "configs.json").write_text(json.dumps({e.label: e.config for e in entries}, indent=2))
        if not args.no_figures:
            figures.save_figures(result, tmp)
        io.write_json(tmp / "manifest.json", manifest)
    print(text)
    print("\n".join(wrap(f"wrote {out} in {time.perf_counter() - started:.1f} s; next: scoresim report {out}")))
    return 0


def _progress(total: int):
    from .. import cmdargs

    return cmdargs.progress_bar(total, "replicates")


def _write_csv(rows: list[dict], path: Path) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)


__all__ = ["add_parser", "cmd_compare", "FORMAT"]
