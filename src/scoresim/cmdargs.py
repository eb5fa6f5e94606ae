"""What the subcommands share on the command line: the parser that exits 2 on a usage error,
argument types, the executor options and progress display.

Command modules (``runs/commands.py``, ``experiments/commands.py``, ...) import from here;
nothing here imports a command module or ``cli.py``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from contextlib import contextmanager
from typing import Iterator

from .config import InputError
from .params import REPLICATES_MAX, SEED_MAX

EXIT_INPUT = 2
LOG_SECONDS = 15.0   # progress lines when stderr is not a terminal


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors end with exit status 2 and no traceback."""

    def error(self, message: str) -> None:  # argparse's own usage errors
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


# --------------------------------------------------------------------------- standard streams

class SafeStream:
    """Standard output or error that a closed reader (``| head``, a closed terminal) cannot
    break: once writing fails with a broken pipe, later text is dropped and the file
    descriptor points to /dev/null, so the command still finishes and writes its results,
    and Python's own flush at exit cannot fail either."""

    def __init__(self, stream):
        self.broken = stream is None   # started with the descriptor closed: Python gives None
        self._stream = open(os.devnull, "w") if stream is None else stream

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except OSError as err:
                self._break(err)
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except OSError as err:
                self._break(err)

    def isatty(self) -> bool:
        return not self.broken and self._stream.isatty()

    def _break(self, err: OSError) -> None:
        if err.errno not in (errno.EPIPE, errno.EBADF, errno.EIO, errno.ECONNRESET):
            raise err
        self.broken = True
        try:
            fd = self._stream.fileno()
            os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
        except (OSError, AttributeError, ValueError):   # no file descriptor (captured in tests)
            pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def safe_streams() -> Iterator[tuple[SafeStream, SafeStream]]:
    """Standard output and error as :class:`SafeStream` for the duration of a command."""
    saved = sys.stdout, sys.stderr
    out, err = SafeStream(sys.stdout), SafeStream(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        out.flush()
        err.flush()
        sys.stdout, sys.stderr = saved


# --------------------------------------------------------------------------- argument types

def whole(text: str) -> int:
    """A whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def _whole_in(text: str, lo: int, hi: int) -> int:
    value = whole(text)
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"must be a whole number in [{lo}, {hi}], got {text!r}")
    return value


def replicates(text: str) -> int:
    """A replicate count in [1, REPLICATES_MAX]."""
    return _whole_in(text, 1, REPLICATES_MAX)


def workers(text: str) -> int:
    """A number of worker processes in [1, 4096]."""
    return _whole_in(text, 1, 4096)


def resamples(text: str) -> int:
    """A number of bootstrap resamples in [10, 100000]."""
    return _whole_in(text, 10, 100_000)


def minutes(text: str) -> float:
    """A positive number of minutes."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of minutes, got {text!r}") from None
    if not 0 < value <= 1e6:
        raise argparse.ArgumentTypeError(f"must be a number of minutes in (0, 1000000], got {text!r}")
    return value


def gigabytes(text: str) -> float:
    """A positive amount of memory in GB."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of GB, got {text!r}") from None
    if not 0 < value <= 1e6:
        raise argparse.ArgumentTypeError(f"must be a number of GB in (0, 1000000], got {text!r}")
    return value


def add_memory_option(parser: argparse.ArgumentParser) -> None:
    """--memory-limit GB: the memory a run may need (default: 80% of this machine's)."""
    parser.add_argument("--memory-limit", type=gigabytes, metavar="GB",
                        help="refuse runs estimated to need more memory than this (default: 80%% of this "
                             "machine's memory)")


def add_posterior_options(parser: argparse.ArgumentParser) -> None:
    """--posterior FILE and --point: where an ensemble's calibrated parameters come from."""
    parser.add_argument("--posterior", metavar="FILE", help="posterior draws of the calibrated parameters "
                        "(posterior.nc): replicate r runs with draw r mod draws (default: the config's "
                        "run.posterior, the committed Phase I posterior unless it says otherwise)")
    parser.add_argument("--point", action="store_true", help="fix the calibrated parameters at their defaults "
                        "(posterior medians) instead of drawing them: intervals then leave parameters out")


def seed(text: str) -> int:
    """A seed in [0, SEED_MAX]."""
    return _whole_in(text, 0, SEED_MAX)


# --------------------------------------------------------------------------- executors

def add_executor_options(parser: argparse.ArgumentParser) -> None:
    """--workers N | --serial | --scheduler ADDRESS | --dask-local N."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=workers, metavar="N",
                       help="local worker processes (default: all cores)")
    where.add_argument("--serial", action="store_true", help="run in this process, one run at a time")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, "
                       "for example tcp://10.0.0.5:8786")
    where.add_argument("--dask-local", type=workers, metavar="N",
                       help="start a local Dask cluster of N worker processes")


def local_processes(args: argparse.Namespace) -> int:
    """How many runs the chosen executor holds in memory on this machine at once (a remote
    Dask cluster: one per worker, counted on its machines, so 1 here)."""
    if args.serial or args.scheduler:
        return 1
    return args.workers or args.dask_local or os.cpu_count() or 1


def executor_from_args(args: argparse.Namespace):
    """The executor chosen by --serial, --workers, --scheduler or --dask-local."""
    from .experiments.executors import make_executor

    try:
        return make_executor(args.serial, args.workers, args.scheduler, args.dask_local)
    except (OSError, TimeoutError) as err:
        raise InputError(f"--scheduler {args.scheduler}: cannot connect to a Dask scheduler there "
                         f"({type(err).__name__}: {err})") from None
    except ValueError as err:
        raise InputError(f"--scheduler {args.scheduler}: not a scheduler address ({err}); "
                         "for example tcp://10.0.0.5:8786") from None


# --------------------------------------------------------------------------- progress

def progress_bar(total: int, what: str, unit: str = "run"):
    """A tqdm bar on standard error that shows only on a terminal and vanishes when done."""
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit=unit, disable=None, file=sys.stderr, leave=False)


class RunProgress:
    """A tqdm bar (runs done, failed, time left) on a terminal; otherwise (logs, batch jobs) a
    line every :data:`LOG_SECONDS` seconds and one at the end if any was printed."""

    def __init__(self, total: int, initial: int, what: str = "sweep"):
        from tqdm import tqdm

        self.total, self.done, self.failed, self.what = total, initial, 0, what
        self.tty = sys.stderr.isatty()
        self.bar = tqdm(total=total, initial=initial, unit="run", desc=what, file=sys.stderr,
                        dynamic_ncols=True, disable=not self.tty)
        self._start = self._last = time.perf_counter()
        self._initial, self._logged = initial, False

    def __enter__(self) -> "RunProgress":
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
            print(f"{self.what}: {self.done:,}/{self.total:,} runs done, {self.failed:,} failed, "
                  f"about {left:.0f} s left", file=sys.stderr, flush=True)
            self._last, self._logged = now, True


__all__ = ["EXIT_INPUT", "Parser", "SafeStream", "safe_streams", "whole", "replicates", "workers", "resamples",
           "minutes", "gigabytes", "seed", "add_memory_option",
           "add_executor_options", "local_processes", "executor_from_args", "progress_bar", "RunProgress"]
