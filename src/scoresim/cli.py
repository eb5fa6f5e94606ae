"""The ``scoresim`` command: parse, load, call the public API, write. No model logic here.

Bad input of any kind ends with a one-line-per-problem message on stderr naming the file, the
field and what is allowed, exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from . import __version__
from .config import InputError, apply_overrides, load_scenario
from .params import REPLICATES_MAX, SEED_MAX, Scenario, describe_parameters

EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        _exit(f"{self.prog}: error: {message}")


def _exit(message: str):
    print(message, file=sys.stderr)
    raise SystemExit(EXIT_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scoresim", description="Agent-based simulation of the ILO SCORE programme.")
    parser.add_argument("--version", action="version", version=f"scoresim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario ensemble and write a results directory")
    run.add_argument("config", nargs="?", help="scenario TOML file (or use --from)")
    run.add_argument("--from", dest="from_file", metavar="DATASET",
                     help="reproduce the run stored in a dataset.nc")
    run.add_argument("--seed", type=_seed, help="seed (default: the config's run.seed)")
    run.add_argument("--replicates", type=_pos_int, help="replicates (default: the config's run.replicates)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a parameter, for example --set programme.participants=100")
    run.add_argument("--out", metavar="DIR", help="run directory to create (must not exist); "
                     "default results/<scenario>-<time>")
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    run.add_argument("--posterior", metavar="FILE", help="posterior draws of the calibrated parameters "
                     "(posterior.nc): replicate r runs with draw r mod draws")
    val = sub.add_parser("validate", help="check a scenario config and print it resolved")
    val.add_argument("config")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    par = sub.add_parser("params", help="list every parameter with unit, default, range and source")
    par.add_argument("--markdown", action="store_true", help="print a Markdown table")
    par.add_argument("--planner", action="store_true", help="the scale-up planner's parameters (budget, costs, "
                     "capacity, uptake, strategies, economics, optimise) instead of the model's")
    _add_sweep(sub)
    _add_calibrate(sub)
    from .scaleup.commands import add_parser as add_scaleup

    add_scaleup(sub)
    from .report.commands import add_parser as add_report

    add_report(sub)
    from .compare.commands import add_parser as add_compare

    add_compare(sub)
    from .dashboard.commands import add_parser as add_dashboard

    add_dashboard(sub)
    ana = sub.add_parser("analyze", help="sensitivity indices (SALib) of a finished sweep, with tables and figures")
    ana.add_argument("results", metavar="RESULTS_DIR", help="directory written by scoresim sweep")
    ana.add_argument("--out", metavar="DIR", help="directory to create (must not exist); default RESULTS_DIR/analysis")
    ana.add_argument("--resamples", type=_resamples, default=1000, help="bootstrap resamples for the intervals")
    ana.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    return parser


def _add_executor_options(parser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_pos_workers, metavar="N",
                       help="local worker processes (default: all cores)")
    where.add_argument("--serial", action="store_true", help="run in this process, one run at a time")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, "
                       "for example tcp://10.0.0.5:8786")
    where.add_argument("--dask-local", type=_pos_workers, metavar="N",
                       help="start a local Dask cluster of N worker processes")


def _add_calibrate(sub) -> None:
    cal = sub.add_parser("calibrate", help="fit the calibrated parameters to reported outcomes (ABC-SMC)")
    cal.add_argument("targets", nargs="?", metavar="TARGETS", help="targets TOML (or use --resume)")
    cal.add_argument("--quick", action="store_true", help="a coarse fit in a few minutes")
    cal.add_argument("--resume", metavar="RESULTS_DIR", help="continue an interrupted calibration")
    cal.add_argument("--out", metavar="DIR", help="results directory to create (must not exist); "
                     "default results/calibration/<targets>-<time>")
    _add_executor_options(cal)


def _add_sweep(sub) -> None:
    sw = sub.add_parser("sweep", help="run an experiment spec into a resumable results directory")
    sw.add_argument("spec", nargs="?", metavar="SPEC", help="experiment spec TOML (or use --resume)")
    sw.add_argument("--resume", metavar="RESULTS_DIR", help="finish an interrupted sweep: run only missing runs")
    sw.add_argument("--out", metavar="DIR", help="results directory to create (must not exist); "
                    "default results/<spec>-<time>")
    sw.add_argument("--dry-run", action="store_true", help="validate the spec, print the design size, run nothing")
    sw.add_argument("--retry-failed", action="store_true", help="with --resume: run failed runs again too")
    sw.add_argument("--posterior", metavar="FILE", help="posterior draws of the calibrated parameters: "
                    "replicate r of every point takes draw r mod draws")
    _add_executor_options(sw)


def _pos_int(text: str) -> int:
    value = _nonneg_int(text)
    if not 1 <= value <= REPLICATES_MAX:
        raise argparse.ArgumentTypeError(f"must be a whole number in [1, {REPLICATES_MAX}], got {text!r}")
    return value


def _pos_workers(text: str) -> int:
    value = _nonneg_int(text)
    if not 1 <= value <= 4096:
        raise argparse.ArgumentTypeError(f"must be a whole number in [1, 4096], got {text!r}")
    return value


def _resamples(text: str) -> int:
    value = _nonneg_int(text)
    if not 10 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"must be a whole number in [10, 100000], got {text!r}")
    return value


def _seed(text: str) -> int:
    value = _nonneg_int(text)
    if value > SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be a whole number in [0, {SEED_MAX}], got {text!r}")
    return value


def _nonneg_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "params":
            return cmd_params(args.markdown, args.planner)
        if args.command == "validate":
            scenario = _load_any(args.config, args.overrides)
            print(json.dumps(scenario.model_dump(mode="json"), indent=2))
            print(f"{args.config}: valid", file=sys.stderr)
            return 0
        if args.command == "sweep":
            from .experiments.commands import cmd_sweep
            return cmd_sweep(args, _command(argv))
        if args.command == "calibrate":
            from .calibration.commands import cmd_calibrate
            return cmd_calibrate(args, _command(argv))
        if args.command == "report":
            from .report.commands import cmd_report
            return cmd_report(args, _command(argv))
        if args.command == "scaleup":
            from .scaleup.commands import cmd_scaleup
            return cmd_scaleup(args, _command(argv))
        if args.command == "compare":
            from .compare.commands import cmd_compare
            return cmd_compare(args, _command(argv))
        if args.command == "dashboard":
            from .dashboard.commands import cmd_dashboard
            return cmd_dashboard(args, _command(argv))
        if args.command == "analyze":
            from .experiments.commands import cmd_analyze
            return cmd_analyze(args, _command(argv))
        return cmd_run(args, argv)
    except InputError as err:
        print(f"scoresim: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:   # output piped into a program that stopped reading (head, less)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command(argv: list[str] | None) -> str:
    return " ".join(["scoresim"] + (argv if argv is not None else sys.argv[1:]))


def cmd_params(markdown: bool, planner: bool = False) -> int:
    if planner:
        from .scaleup.params import PLANNER_SECTIONS, PlanConfig

        rows = [r for r in describe_parameters(PlanConfig) if r["path"].split(".")[0] in PLANNER_SECTIONS]
    else:
        rows = describe_parameters()
    if markdown:
        print("| parameter | unit | default | range | source | meaning |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            r = {k: str(v).replace("|", "\\|") for k, v in r.items()}  # a '|' would split the cell
            print(f"| `{r['path']}` | {r['unit']} | {r['default']} | {r['range']} | {r['source']} | {r['doc']} |")
        return 0
    from .textable import parameter_table

    print(parameter_table(rows))
    return 0


def cmd_run(args: argparse.Namespace, argv: list[str] | None) -> int:
    import numpy as np

    from . import io, plotting, reporting, simulate  # heavy imports only when running

    if args.from_file and args.config:
        raise InputError("give either CONFIG or --from DATASET, not both")
    if args.from_file:
        scenario, seed, replicates = io.read_provenance(args.from_file)
        if args.overrides:
            scenario = apply_overrides(scenario, args.overrides, origin=args.from_file)
        seed = args.seed if args.seed is not None else seed
        replicates = args.replicates or replicates
        stem = Path(args.from_file).parent.name + "-rerun"
    elif args.config:
        _refuse_plan(args.config)
        scenario = load_scenario(args.config, args.overrides)
        seed = scenario.run.seed if args.seed is None else args.seed
        replicates = args.replicates or scenario.run.replicates
        stem = Path(args.config).stem
    else:
        raise InputError("scoresim run: give a CONFIG file or --from DATASET")
    out = output_directory(args.out, Path("results"), stem)
    posterior = _posterior(args, scenario)
    started = time.perf_counter()
    ds = _run_with_progress(simulate, scenario, seed, replicates, posterior)
    ds.attrs.update(io.provenance(scenario, ["scoresim"] + (argv if argv is not None else sys.argv[1:])))
    rows = reporting.summary_table(ds)
    print(f"scenario {scenario.name}: {ds.sizes['firm']} firms recorded, "
          f"{int(ds['participant'].sum())} participants, {replicates} replicate(s), seed {seed}")
    print(reporting.format_table(rows, replicates, int(np.median(ds["n_reporting"].values)),
                                 int(ds["participant"].sum()), posterior.n if posterior else 0,
                                 phase1=scenario.name == "phase1"))
    with io.new_run_directory(out) as tmp:
        io.write_dataset(ds, tmp / "dataset.nc")
        (tmp / "summary.json").write_text(json.dumps(rows, indent=2))
        (tmp / "config.json").write_text(json.dumps(json.loads(ds.attrs["config"]), indent=2))
        figures = [] if args.no_figures else plotting.save_figures(ds, tmp)
    print(f"wrote {out}/dataset.nc" + (f" and {', '.join(figures)}" if figures else "")
          + f" in {time.perf_counter() - started:.1f} s")
    return 0


def _planner_file(path: str) -> bool:
    """Whether the TOML file at ``path`` is a planner config (unreadable files: no, and the
    loader reports them)."""
    from .config import read_toml
    from .scaleup.commands import is_plan

    try:
        return is_plan(read_toml(Path(path)))
    except InputError:
        return False


def _load_any(path: str, overrides: list[str]):
    """A scenario or, for a file with planner sections, a planner config."""
    if _planner_file(path):
        from .scaleup.commands import load_plan

        return load_plan(path, overrides)
    return load_scenario(path, overrides)


def _refuse_plan(path: str) -> None:
    if _planner_file(path):
        raise InputError(f"{path}: a planner config (it has budget, capacity or strategy sections); "
                         f"run it with: scoresim scaleup {path}")


def output_directory(requested: str | None, parent: Path, stem: str) -> Path:
    """The directory a command will create: ``requested`` (which must not exist) or a fresh
    ``parent/<stem>-<time>``; :class:`InputError` if it cannot be created."""
    out = Path(requested) if requested else fresh_directory(parent / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}")
    if out.exists():
        raise InputError(f"{out}: already exists; results are never overwritten, choose another --out")
    existing = next((p for p in out.parents if p.exists()), Path("."))
    if not existing.is_dir():
        raise InputError(f"{out}: cannot create the directory: {existing} is not a directory")
    return out


def fresh_directory(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... if taken: a default run directory never collides."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _posterior(args: argparse.Namespace, scenario: Scenario):
    """The posterior of --posterior FILE, or the one a --from dataset ran with, or None."""
    from .calibration.posterior import Posterior, check, load_posterior

    if args.posterior:
        return load_posterior(args.posterior, scenario)
    import numpy as np

    if args.from_file:
        import xarray as xr

        with xr.open_dataset(args.from_file, engine="h5netcdf") as ds:
            if "posterior_value" not in ds:
                return None
            n = int(ds.attrs.get("posterior_draws", 0))
            draw, rows = ds["posterior_draw"].values, ds["posterior_value"].values.astype(float)
            values = np.full((n, rows.shape[1]), np.nan)
            values[draw] = rows
            post = Posterior(tuple(str(p) for p in ds["calibrated_parameter"].values), values,
                             str(ds.attrs.get("posterior", "")), str(ds.attrs.get("posterior_sha256", "")))
        wanted = np.arange(args.replicates or len(draw)) % max(n, 1)
        if n < 1 or np.isnan(values[wanted]).any():
            raise InputError(f"{args.from_file}: holds the posterior draws of its own replicates only; for more "
                             f"replicates give the posterior again with --posterior {post.origin or 'FILE'}")
        check(Posterior(post.names, values[np.unique(wanted)], post.origin, post.digest), scenario)
        return post
    return None


def _run_with_progress(simulate, scenario: Scenario, seed: int, replicates: int, posterior=None):
    from tqdm import tqdm

    with tqdm(total=replicates, desc="replicates", unit="run", disable=None, file=sys.stderr,
              leave=False) as bar:
        try:
            return simulate.run(scenario, seed=seed, replicates=replicates, progress=bar.update,
                                posterior=posterior)
        except ValueError as err:
            if posterior is None:
                raise
            raise InputError(f"--posterior {posterior.origin}: {err}") from None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
