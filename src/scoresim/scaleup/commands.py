"""``scoresim scaleup``: load a planner config, run every strategy (or search allocations),
print the comparison and write a results directory. No planning logic here."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .. import cmdargs, io
from .. import textable as t
from ..cmdargs import executor_from_args
from ..config import InputError, apply_overrides, read_toml, validate_model
from ..outputs import new_directory, output_directory
from ..params import describe_parameters
from .params import OBJECTIVES, PLANNER_SECTIONS, PlanConfig

FORMAT = "scoresim-scaleup/1"
COMPARED = ("firms_reached", "workers_reached", "modules_delivered", "trainers_active", "spend_programme",
            "spend_firms", "spend_sponsors", "spend_total", "accidents_averted", "absence_days_averted",
            "defect_savings_usd", "energy_savings_usd", "accident_cost_savings_usd", "value_added_gain_usd",
            "adoption_cost_usd", "benefit_usd", "profit_gain_usd", "jobs_created", "jobs_destroyed", "jobs",
            "job_years", "quits_averted", "cost_per_firm_usd", "programme_cost_per_firm_usd",
            "cost_per_accident_averted_usd", "cost_recovery", "benefit_cost_ratio", "net_benefit_usd",
            "payback_months", "budget_committed_share", "capacity_used_share")


def add_parser(sub) -> None:
    sc = sub.add_parser("scaleup", help="plan a national scale-up: reach, outcomes and costs of rollout "
                        "strategies under budget and trainer capacity; --optimise searches the allocation")
    sc.add_argument("config", metavar="CONFIG", help="planner config TOML (for example configs/scaleup_national.toml)")
    cmdargs.add_posterior_options(sc)
    sc.add_argument("--replicates", type=cmdargs.replicates, help="replicates (default: the config's run.replicates)")
    sc.add_argument("--seed", type=cmdargs.seed, help="seed (default: the config's run.seed)")
    sc.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                    help="override a parameter, for example --set budget.usd_per_year=2e6")
    sc.add_argument("--optimise", "--optimize", dest="optimise", metavar="OBJECTIVE", choices=OBJECTIVES,
                    help="search the budget allocation that maximises OBJECTIVE, one of: " + ", ".join(OBJECTIVES))
    sc.add_argument("--out", metavar="DIR", help="results directory to create (must not exist); "
                    "default results/<config>-<time>")
    sc.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    cmdargs.add_executor_options(sc)
    cmdargs.add_memory_option(sc)
    sc.set_defaults(handler=cmd_scaleup)


def is_plan(data: dict) -> bool:
    """Whether a parsed TOML config is a planner config (it has a planner section)."""
    return any(k in data for k in PLANNER_SECTIONS)


def load_plan(path: str | Path, overrides: list[str] | None = None) -> PlanConfig:
    """The validated planner config at ``path`` with ``--set`` overrides applied."""
    path = Path(path)
    cfg = validate_model(PlanConfig, read_toml(path, "planner config"), origin=str(path))
    return apply_overrides(cfg, overrides, origin=str(path)) if overrides else cfg


def cmd_scaleup(args: argparse.Namespace, command: str) -> int:
    cfg = load_plan(args.config, args.overrides)
    seed = cfg.run.seed if args.seed is None else args.seed
    replicates = args.replicates or cfg.run.replicates
    posterior = _posterior(args, cfg)
    stem = Path(args.config).stem + ("-optimise" if args.optimise else "")
    out = output_directory(args.out, Path("results"), stem)
    _check_memory(cfg, replicates, args)
    for year, amount in enumerate(cfg.budget.released(cfg.years)):
        if 0 < amount <= cfg.costs.overhead_usd_per_year:
            print(f"warning: the budget of year {year + 1} (USD {amount:,.0f}) does not cover the programme's fixed "
                  f"cost (USD {cfg.costs.overhead_usd_per_year:,.0f} a year): it delivers little or nothing",
                  file=sys.stderr)
    started = time.perf_counter()
    with executor_from_args(args) as executor:
        if args.optimise:
            ds, extra = _optimise(cfg, args.optimise, seed, replicates, posterior, executor)
        else:
            ds, extra = _strategies(cfg, seed, replicates, posterior, executor), {}
    _write(cfg, ds, extra, out, command, seed, replicates, posterior, args.no_figures, args.optimise)
    print(comparison(ds, posterior is not None))   # printed once the results are on disk
    if args.optimise:
        print(extra["text"])
    print("\n".join(t.wrap(f"wrote {out} in {time.perf_counter() - started:.1f} s; next: scoresim report {out}")))
    return 0


def _check_memory(cfg: PlanConfig, replicates: int, args: argparse.Namespace) -> None:
    """Refuse a plan whose replicates, as many at once as this machine runs, would not fit in
    memory."""
    from ..checks import check_memory, describe, memory_limit, plan_memory

    scen = cfg.scenario()
    at_once = min(replicates, cmdargs.local_processes(args))
    check_memory(at_once * plan_memory(scen), memory_limit(args.memory_limit), args.config,
                 f"planning {describe(scen, replicates)} ({at_once} replicate(s) at once),",
                 "lower population.n_firms, population.workers_mean or time.months, or run fewer replicates at "
                 "once (--workers N)")


def _posterior(args: argparse.Namespace, cfg: PlanConfig):
    """The posterior the replicates draw from: --posterior FILE, else the config's run.posterior
    (None with --point); parameters the config sets keep their values."""
    from ..calibration.posterior import load_posterior, resolve
    from ..config import written_paths

    if args.point and args.posterior:
        raise InputError("give either --posterior FILE or --point, not both")
    path = None if args.point else Path(args.posterior) if args.posterior else resolve(cfg.run.posterior, args.config)
    if path is None:
        return None
    return load_posterior(path, cfg.scenario()).without(written_paths(args.config, args.overrides))


def _progress(total: int, what: str):
    return cmdargs.progress_bar(total, what, unit="replicate")


def _strategies(cfg: PlanConfig, seed: int, replicates: int, posterior, executor) -> xr.Dataset:
    from .run import simulate, strategy_allocations, with_periods

    names = list(cfg.strategies)
    labels = [s.label or n for n, s in cfg.strategies.items()]
    print("\n".join(t.wrap(f"{cfg.name}: {cfg.population.n_firms:,} firms, {len(names)} strategies, {replicates} "
                           f"replicate(s), seed {seed}, {cfg.time.months} months, executor {executor.name}")))
    with _progress(replicates, "replicates") as bar:
        ds = simulate(cfg, strategy_allocations(cfg), names, labels, replicates, seed, executor, posterior,
                      bar.update)
    return with_periods(ds)


def comparison(ds: xr.Dataset, with_posterior: bool = False) -> str:
    """The printed comparison (within 100 columns): each strategy's totals over the horizon,
    median [90% interval], then a few metrics per year."""
    from .metrics import interval
    from .run import periods

    _, through = periods(ds)
    last = through.isel(year=-1)
    labels = [str(x) for x in ds["strategy_label"].values]
    cols = [t.Column("over the horizon", "left", wrap=True, key=True)] + [t.Column(x) for x in labels]
    rows = []
    for k in COMPARED:
        st = interval(last[k])
        rows.append([_with_units(k, last[k])] + [f"{_num(m)} [{_num(lo)}, {_num(hi)}]" for m, lo, hi in
                                                 zip(st["median"].values, st["p5"].values, st["p95"].values)])
    n = ds.sizes["replicate"]
    source = "posterior draws and seeds" if with_posterior else "seeds (parameters fixed at their defaults)"
    note = (f"median [90% interval] over {n} replicate(s): {source}. Outcomes are the programme world less "
            "its counterfactual, every firm. Benefits: value-added gain plus accident costs saved, less firms' "
            "adoption costs, extra hiring costs and the value added displaced from other producers; the "
            "benefit-cost ratio and net present value discount them against the spending of every payer; jobs "
            "at the end of the horizon (docs/scaleup.md).")
    return "\n".join([t.render(cols, rows), "", per_year(ds, labels), *t.wrap(note)])


PER_YEAR = ("firms_reached", "trainers_active", "spend_total", "accidents_averted", "benefit_usd", "jobs")


def per_year(ds: xr.Dataset, labels: list[str]) -> str:
    """Medians per year of a few metrics, by strategy (table.csv has every metric with intervals)."""
    from .run import periods

    per_year, _ = periods(ds)
    years = [str(y) for y in per_year["year"].values]
    cols = [t.Column("per year (median)", "left", key=True)] + [t.Column(y) for y in years]
    rows = []
    for k in PER_YEAR:
        rows.append([_with_units(k, per_year[k])] + [""] * len(years))
        med = per_year[k].median("replicate").transpose("strategy", "year")
        rows += [[f"  {label}"] + [_num(v) for v in row] for label, row in zip(labels, med.values)]
    return t.render(cols, rows)


def _with_units(name: str, da: xr.DataArray) -> str:
    """'name (units)', or the name alone for dimensionless metrics."""
    units = da.attrs.get("units", "")
    return f"{name} ({units})" if units not in ("", "1") else name


_num = t.compact


def _optimise(cfg: PlanConfig, objective: str, seed: int, replicates: int, posterior, executor):
    from . import frontier
    from .figures import frontier as frontier_figure
    from .optimise import search
    from .run import simulate, with_periods

    opt = cfg.optimise
    draw = posterior.draw(0) if posterior else None
    print("\n".join(t.wrap(f"{cfg.name}: searching the allocation that maximises {objective} at budget levels "
                           f"{', '.join(f'{v:.0%}' for v in opt.budget_levels)} on a {opt.sample_fraction:.0%} "
                           f"sample of firms ({opt.seeds} seed(s), differential evolution: population "
                           f"{opt.popsize} x dimensions, {opt.maxiter} generations), executor {executor.name}")))
    results = []
    for level in opt.budget_levels:
        t0 = time.perf_counter()
        res = search(cfg, objective, seed, executor.imap, level, draw)
        results.append(res)
        print("\n".join(t.wrap(f"budget {level:.0%}: {len(res.evaluations)} candidates in "
                               f"{time.perf_counter() - t0:.0f} s; best: {res.best.describe()}; sample estimate "
                               f"{_num(res.estimate)}", indent="  ")))
    cands = frontier.candidates(cfg, results)
    print("\n".join(t.wrap(f"verifying on the full population: {len(cands)} allocations x {replicates} "
                           "replicate(s)")))
    with _progress(replicates, "replicates") as bar:
        ds = simulate(cfg, [c.allocation for c in cands], [c.name for c in cands], [c.label for c in cands],
                      replicates, seed, executor, posterior, bar.update)
    ds = with_periods(ds)
    points = frontier.points(ds, cands, objective)
    chosen = frontier.best(points, cands)
    text = frontier.text(points, chosen, objective, _num)
    search_rows = [{"level": r.level, "allocation": a.describe(), **{f"weight_{k}": v for k, v in a.weights.items()},
                    "modules_funded": a.modules_funded, "target_sectors": "+".join(a.target_sectors or []),
                    "estimate": v} for r in results for a, v in r.evaluations]
    return ds, {"points": points, "text": text, "search": pd.DataFrame(search_rows),
                "allocation": frontier.allocation_table(chosen), "figure": frontier_figure}


def _write(cfg: PlanConfig, ds: xr.Dataset, extra: dict, out: Path, command: str, seed: int, replicates: int,
           posterior, no_figures: bool, objective: str | None) -> None:
    from . import figures, metrics
    from .run import periods

    prov = io.provenance(cfg, command.split())
    ds.attrs.update(prov)
    per_year, through = periods(ds)
    tab = metrics.table(per_year, through)
    manifest = {"format": FORMAT, "kind": "scaleup", "mode": "optimise" if objective else "strategies",
                "status": "complete", "name": cfg.name, "command": command, "git_commit": prov["git_commit"],
                "versions": json.loads(prov["versions"]), "created_utc": prov["created_utc"], "seed": seed,
                "replicates": replicates, "strategies": [str(s) for s in ds["strategy"].values],
                "objective": objective}
    if posterior is not None:
        manifest["posterior"] = {"file": posterior.origin, "sha256": posterior.digest, "draws": posterior.n}
    with new_directory(out) as tmp:
        io.write_dataset(ds, tmp / "scaleup.nc")
        tab.to_csv(tmp / "table.csv", index=False)
        (tmp / "table.txt").write_text(comparison(ds, posterior is not None) + "\n")
        (tmp / "config.json").write_text(json.dumps(cfg.model_dump(mode="json"), indent=2))
        rows = [{"path": r["path"], "value": r["default"], "unit": r["unit"], "range": r["range"],
                 "source": r["source"], "doc": r["doc"]} for r in describe_parameters(type(cfg), instance=cfg)]
        (tmp / "assumptions.json").write_text(json.dumps(rows, indent=2))
        if objective:
            extra["points"].to_csv(tmp / "frontier.csv", index=False)
            extra["allocation"].to_csv(tmp / "allocation.csv", index=False)
            extra["search"].to_csv(tmp / "search.csv", index=False)
            (tmp / "optimise.txt").write_text(extra["text"] + "\n")
        if not no_figures:
            figures.save_figures(ds, through, tmp)
            if objective:
                fig = extra["figure"](extra["points"], objective)
                fig.savefig(tmp / "frontier.png", dpi=110)
                import matplotlib.pyplot as plt
                plt.close(fig)
        io.write_json(tmp / "manifest.json", manifest)


__all__ = ["add_parser", "cmd_scaleup", "load_plan", "is_plan", "comparison", "FORMAT"]
