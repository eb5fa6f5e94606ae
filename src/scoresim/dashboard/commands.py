"""``scoresim dashboard [CONFIG ...]``: serve the interactive page on this machine.

The page is a Solara app (:mod:`.app`) run by Solara's own server, which replaces this process, with
Solara's telemetry and version check off and its front-end files served from the
solara-assets package: the page loads nothing from elsewhere.
Configs given on the command line are checked first (a bad one is an error, exit 2, before
anything starts) and offered on the page before the shipped ones in ./configs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..config import InputError

# Solara's telemetry and version check off; its front-end files come from the solara-assets
# package (installed with the dashboard extra), which its asset proxy serves from this machine.
OFFLINE = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_CHECK_VERSION": "False"}


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``dashboard`` subcommand to an argparse subparsers object; returns its parser."""
    db = sub.add_parser("dashboard", help="serve an interactive page: pick and edit a scenario, run it, see its "
                        "trajectories and estimands, compare with a baseline, download the results")
    db.add_argument("configs", nargs="*", metavar="CONFIG", help="scenario configs to offer (besides configs/*.toml)")
    db.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    db.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 picks a free one)")
    db.add_argument("--no-browser", action="store_true", help="do not open a browser")
    db.set_defaults(handler=cmd_dashboard)
    return db


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number in [0, 65535], got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a whole number in [0, 65535], got {text!r}")
    return value


def cmd_dashboard(args: argparse.Namespace, command: str) -> int:
    """Check the configs, then serve the page until interrupted; returns the server's status."""
    from .logic import CONFIGS_ENV, load

    try:
        import solara  # noqa: F401
    except ImportError:
        raise InputError("scoresim dashboard needs the dashboard extra (Solara): pip install \"scoresim[dashboard]\" "
                         "(from a clone: pip install \".[dashboard]\")") from None
    for path in args.configs:
        load(path)
    env = {**os.environ, **OFFLINE,
           CONFIGS_ENV: os.pathsep.join(str(Path(p).resolve()) for p in args.configs)}
    argv = [sys.executable, "-m", "solara", "run", "scoresim.dashboard.app:Page", "--host", args.host,
            "--port", str(args.port), "--production", "--no-check-version", "--log-level", "warning",
            "--no-open" if args.no_browser else "--open"]
    print(f"scoresim dashboard: serving http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    os.execve(sys.executable, argv, env)      # Solara's server takes over this process (and its signals)
    return 0  # pragma: no cover
