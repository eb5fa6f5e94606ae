"""``scoresim run``, ``scoresim validate`` and ``scoresim params``: parse, load, call the public
API, write. No model logic here.

Bad input raises :class:`~scoresim.config.InputError` before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from .. import cmdargs
from ..checks import check_participants, check_run
from ..config import InputError, apply_overrides, load_scenario, written_paths
from ..outputs import new_directory, output_directory
from ..params import Scenario, describe_parameters


def add_parsers(sub) -> None:
    """Add the ``run``, ``validate`` and ``params`` subcommands."""
    run = sub.add_parser("run", help="run a scenario ensemble and write a results directory")
    run.add_argument("config", nargs="?", help="scenario TOML file (or use --from)")
    run.add_argument("--from", dest="from_file", metavar="DATASET",
                     help="reproduce the run stored in a dataset.nc")
    run.add_argument("--seed", type=cmdargs.seed, help="seed (default: the config's run.seed)")
    run.add_argument("--replicates", type=cmdargs.replicates,
                     help="replicates (default: the config's run.replicates)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a parameter, for example --set programme.participants=100")
    run.add_argument("--out", metavar="DIR", help="run directory to create (must not exist); "
                     "default results/<scenario>-<time>")
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    cmdargs.add_posterior_options(run)
    run.add_argument("--shared-population", action="store_true", help="every replicate runs the same population, "
                     "history of shocks and delivery plan: intervals then cover the months' random events only")
    cmdargs.add_memory_option(run)
    run.set_defaults(handler=cmd_run)
    val = sub.add_parser("validate", help="check a scenario config (as scoresim run would: values, eligible "
                         "firms, memory) and print it resolved")
    val.add_argument("config")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    cmdargs.add_memory_option(val)
    val.set_defaults(handler=cmd_validate)
    par = sub.add_parser("params", help="list every parameter with unit, default, range and source")
    par.add_argument("--markdown", action="store_true", help="print a Markdown table")
    par.add_argument("--planner", action="store_true", help="the scale-up planner's parameters (budget, costs, "
                     "capacity, uptake, strategies, economics, optimise) instead of the model's")
    par.set_defaults(handler=cmd_params)


def cmd_validate(args: argparse.Namespace, command: str) -> int:
    scenario = load_any(args.config, args.overrides)
    if not _planner_file(args.config):   # what scoresim run would check before running it
        check_run(scenario, scenario.run.replicates, args.config, args.memory_limit)
        check_participants(scenario, scenario.run.seed, args.config)
    print(json.dumps(scenario.model_dump(mode="json"), indent=2))
    print(f"{args.config}: valid", file=sys.stderr)
    return 0


def cmd_params(args: argparse.Namespace, command: str) -> int:
    if args.planner:
        from ..scaleup.params import PLANNER_SECTIONS, PlanConfig

        rows = [r for r in describe_parameters(PlanConfig) if r["path"].split(".")[0] in PLANNER_SECTIONS]
    else:
        rows = describe_parameters()
    if args.markdown:
        print("| parameter | unit | default | range | source | meaning |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            r = {k: str(v).replace("|", "\\|") for k, v in r.items()}  # a '|' would split the cell
            print(f"| `{r['path']}` | {r['unit']} | {r['default']} | {r['range']} | {r['source']} | {r['doc']} |")
        return 0
    from ..textable import parameter_table

    print(parameter_table(rows))
    return 0


def cmd_run(args: argparse.Namespace, command: str) -> int:
    from .. import ensemble, io, money, reporting  # heavy imports only when running
    from ..runfiles import write_run

    if args.from_file and args.config:
        raise InputError("give either CONFIG or --from DATASET, not both")
    keep: set[str] = set()
    if args.from_file:
        origin = args.from_file
        scenario, seed, replicates = io.read_provenance(args.from_file)
        if args.overrides:
            scenario = apply_overrides(scenario, args.overrides, origin=args.from_file)
        seed = args.seed if args.seed is not None else seed
        replicates = args.replicates or replicates
        stem = Path(args.from_file).parent.name + "-rerun"
    elif args.config:
        origin = args.config
        refuse_plan(args.config)
        scenario = load_scenario(args.config, args.overrides)
        keep = written_paths(args.config, args.overrides)
        seed = scenario.run.seed if args.seed is None else args.seed
        replicates = args.replicates or scenario.run.replicates
        stem = Path(args.config).stem
    else:
        raise InputError("scoresim run: give a CONFIG file or --from DATASET")
    scenario = _ensemble_settings(args, scenario, origin)
    out = output_directory(args.out, Path("results"), stem)
    posterior = _posterior(args, scenario, origin)
    check_run(scenario, replicates, origin, args.memory_limit)   # before anything is allocated
    check_participants(scenario, seed, origin)
    started = time.perf_counter()
    with cmdargs.progress_bar(replicates, "replicates") as bar:
        try:
            root, panels = ensemble.run_ensemble(scenario, seed, replicates, posterior, keep,
                                                 scenario.run.populations, progress=bar.update)
        except ValueError as err:
            if posterior is None:
                raise
            raise InputError(f"posterior {posterior.origin}: {err}") from None
    root.attrs.update(io.provenance(scenario, [command]))
    panels[0].attrs.update(io.provenance(scenario, [command]))
    rows = reporting.summary_table(root)
    money_rows = money.rows(root)
    with new_directory(out) as tmp:   # results on disk before anything is printed
        figures = write_run(root, tmp, figures=not args.no_figures, panel=panels[0])
        (tmp / "money.json").write_text(json.dumps(money_rows, indent=2))
    participants = int(np.median(root["report_status_count"].sum("status").values
                                 - root["report_status_count"].sel(status="not_participant").values))
    print(f"scenario {scenario.name}: {scenario.population.n_firms} firms, {participants} participants, "
          f"{replicates} replicate(s), seed {seed}")
    print(reporting.format_table(rows, replicates, int(np.median(root["n_reporting"].values)), participants,
                                 uncertainty=root.attrs["uncertainty"], phase1=scenario.name == "phase1"))
    print()
    print(money.format_rows(money_rows, root.attrs["uncertainty"], phase1=scenario.name == "phase1"))
    print(f"wrote {out}/dataset.nc, panel.nc" + (f" and {', '.join(figures)}" if figures else "")
          + f" in {time.perf_counter() - started:.1f} s")
    return 0


def _ensemble_settings(args: argparse.Namespace, scenario: Scenario, origin: str) -> Scenario:
    """The scenario with the ensemble options of the command line (--posterior, --point,
    --shared-population) written into its run section, so the stored config says how it ran."""
    from ..config import set_values

    values: dict[str, str] = {}
    if args.point and args.posterior:
        raise InputError("give either --posterior FILE or --point, not both")
    if args.point:
        values["run.posterior"] = "none"
    elif args.posterior:
        values["run.posterior"] = str(Path(args.posterior).resolve())   # recorded; read from --posterior as given
    if args.shared_population:
        values["run.populations"] = "shared"
    return set_values(scenario, values, origin=origin, label="") if values else scenario


def _planner_file(path: str) -> bool:
    """Whether the TOML file at ``path`` is a planner config (unreadable files: no, and the
    loader reports them)."""
    from ..config import read_toml
    from ..scaleup.commands import is_plan

    try:
        return is_plan(read_toml(Path(path)))
    except InputError:
        return False


def load_any(path: str, overrides: list[str]):
    """A scenario or, for a file with planner sections, a planner config."""
    if _planner_file(path):
        from ..scaleup.commands import load_plan

        return load_plan(path, overrides)
    return load_scenario(path, overrides)


def refuse_plan(path: str) -> None:
    if _planner_file(path):
        raise InputError(f"{path}: a planner config (it has budget, capacity or strategy sections); "
                         f"run it with: scoresim scaleup {path}")


def _posterior(args: argparse.Namespace, scenario: Scenario, origin: str):
    """The posterior the ensemble draws from: the one a --from dataset ran with, or the one the
    scenario's run.posterior names (set by --posterior or --point), or None."""
    from ..calibration.posterior import Posterior, check, load_posterior, resolve

    if args.from_file and not args.posterior and not args.point:
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
    if args.posterior:
        return load_posterior(args.posterior, scenario)
    path = resolve(scenario.run.posterior, None if args.from_file else origin)
    return None if path is None else load_posterior(path, scenario)


__all__ = ["add_parsers", "cmd_run", "cmd_validate", "cmd_params", "load_any", "refuse_plan"]
