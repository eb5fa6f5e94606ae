"""``scoresim report RESULTS_DIR``: write one self-contained HTML report of a results directory.

Bad input (no such directory, not a scoresim result, damaged files, an --out that exists or
cannot be written) raises :class:`~scoresim.config.InputError` before anything is written; the
page is written to a temporary file beside --out and moved into place whole.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..outputs import check_new_place, write_file

DEFAULT_NAME = "report.html"


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to an argparse subparsers object; returns its parser."""
    rep = sub.add_parser("report", help="write a self-contained HTML report (tables, figures, assumptions, "
                                        "provenance) of a results directory")
    rep.add_argument("results", metavar="RESULTS_DIR",
                     help="directory written by scoresim run, sweep, analyze, calibrate or scaleup")
    rep.add_argument("--out", metavar="FILE", help=f"HTML file to create (must not exist); "
                                                   f"default RESULTS_DIR/{DEFAULT_NAME}")
    rep.add_argument("--title", metavar="TEXT", help="title of the page (default: from the result)")
    rep.set_defaults(handler=cmd_report)
    return rep


def cmd_report(args: argparse.Namespace, command: str) -> int:
    """Build the report of ``args.results`` and write it to ``args.out``; returns 0."""
    from . import render
    from .inputs import detect

    results = Path(args.results)
    detect(results)                       # a missing or foreign directory is named before --out
    out = Path(args.out) if args.out else results / DEFAULT_NAME
    check_out(out)
    rendered = render(results, args.title, command)
    write_new(out, rendered.html)
    print(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KB, {rendered.figures} figures)")
    return 0


def check_out(out: Path) -> None:
    """A new file can be created at ``out``: else :class:`InputError`."""
    check_new_place(out, "report", "--out")


def write_new(out: Path, text: str) -> None:
    """Write ``text`` to the new file ``out`` atomically; nothing is left behind on failure and
    an existing file is never replaced."""
    write_file(out, text)
