"""The ``scoresim`` command: parse the arguments and dispatch to the command modules.

Each subcommand lives in its own module (``runs``, ``experiments``, ``calibration``,
``scaleup``, ``report``, ``compare`` and ``dashboard``, each with a ``commands.py``); what they share is in
:mod:`scoresim.cmdargs` and :mod:`scoresim.outputs`. Nothing imports this module.

Bad input of any kind ends with a one-line-per-problem message on stderr naming the file, the
field and what is allowed, exit status 2, and nothing written.
"""

from __future__ import annotations

import sys

from . import __version__
from .calibration import commands as calibration
from .cmdargs import EXIT_INPUT, Parser, safe_streams
from .compare import commands as compare
from .config import InputError
from .dashboard import commands as dashboard
from .experiments import commands as experiments
from .report import commands as report
from .runs import commands as runs
from .runs import decomposition
from .scaleup import commands as scaleup


def build_parser() -> Parser:
    parser = Parser(prog="scoresim", description="Agent-based simulation of the ILO SCORE programme.")
    parser.add_argument("--version", action="version", version=f"scoresim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    runs.add_parsers(sub)
    decomposition.add_parser(sub)
    experiments.add_sweep_parser(sub)
    calibration.add_parser(sub)
    scaleup.add_parser(sub)
    report.add_parser(sub)
    compare.add_parser(sub)
    dashboard.add_parser(sub)
    experiments.add_analyze_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input).

    Standard output and error are guarded while a command runs: a reader that stops reading
    (``| head``) or a closed terminal loses the printed text, never the results, and the
    exit status stays that of the command."""
    command = " ".join(["scoresim"] + (argv if argv is not None else sys.argv[1:]))
    with safe_streams():
        args = build_parser().parse_args(argv)
        try:
            return args.handler(args, command)
        except InputError as err:
            print(f"scoresim: error: {err}", file=sys.stderr)
            return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
