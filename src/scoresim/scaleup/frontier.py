"""The cost-outcome frontier of an allocation search: the best candidates of each budget level
and every strategy alone, run on the full population over every replicate; the frontier point
of a level is its candidate with the best median objective there (at the full budget, the
strategies alone compete too). The sample's estimates stand beside the full results, so the
error of the search's shortcut is measured."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from .metrics import interval
from .optimise import SearchResult
from .params import PlanConfig
from .plan import Allocation


@dataclass
class Candidate:
    """An allocation to verify: its name, label, budget level and the sample's estimate."""

    name: str
    label: str
    allocation: Allocation
    level: float
    estimate: float = np.nan
    searched: bool = True


def candidates(cfg: PlanConfig, results: list[SearchResult]) -> list[Candidate]:
    """The top ``optimise.verify_top`` candidates of each level, then each strategy alone."""
    out = []
    for r in results:
        for i, (a, v) in enumerate(r.top(cfg.optimise.verify_top)):
            out.append(Candidate(f"{r.level:.0%}-{i + 1}", f"{r.level:.0%} budget, candidate {i + 1}", a, r.level, v))
    for name, s in cfg.strategies.items():
        out.append(Candidate(name, s.label or name, Allocation({name: 1.0}), 1.0, searched=False))
    return out


def points(ds: xr.Dataset, cands: list[Candidate], objective: str) -> pd.DataFrame:
    """Each verified allocation: spending and objective (median, 90% interval over replicates),
    the sample's estimate and its relative error, and whether it is a frontier point."""
    last = ds[[f"{objective}_through", "spend_total_through"]].isel(year=-1)
    rows = []
    for i, c in enumerate(cands):
        o = interval(last[f"{objective}_through"].isel(strategy=i))
        s = interval(last["spend_total_through"].isel(strategy=i))
        med = float(o["median"])
        rows.append({"name": c.name, "kind": "candidate" if c.searched else "strategy", "level": c.level,
                     "allocation": c.allocation.describe(), "objective_median": med,
                     "objective_p5": float(o["p5"]), "objective_p95": float(o["p95"]),
                     "spend_median": float(s["median"]), "spend_p5": float(s["p5"]), "spend_p95": float(s["p95"]),
                     "sample_estimate": c.estimate,
                     "sample_error": (c.estimate - med) / abs(med) if np.isfinite(c.estimate) and med != 0 else np.nan})
    df = pd.DataFrame(rows)
    df["frontier"] = False
    searched_levels = sorted(set(df.loc[df["kind"] == "candidate", "level"]))
    for level in searched_levels:
        pool = df[(df["level"] == level) & ((df["kind"] == "candidate") | (level == 1.0))]
        df.loc[pool["objective_median"].idxmax(), "frontier"] = True
    return df


def best(df: pd.DataFrame, cands: list[Candidate]) -> Candidate:
    """The frontier point of the highest budget level."""
    row = df[df["frontier"]].sort_values("level").iloc[-1]
    return next(c for c in cands if c.name == row["name"])


def allocation_table(c: Candidate) -> pd.DataFrame:
    a = c.allocation
    rows = [{"item": "name", "value": c.name}] + [{"item": f"weight.{k}", "value": v} for k, v in a.weights.items()]
    rows += [{"item": "modules_funded", "value": a.modules_funded if a.modules_funded else "each strategy's own"},
             {"item": "target_sectors", "value": "+".join(a.target_sectors or [])},
             {"item": "budget_level", "value": a.budget_level}]
    return pd.DataFrame(rows)


def text(df: pd.DataFrame, chosen: Candidate, objective: str, num) -> str:
    """What ``--optimise`` prints (within 100 columns): every verified allocation, then the best."""
    import textwrap

    from .. import textable

    lines = textable.wrap(f"Allocations for {objective}, run on the full population (median [90% interval]); "
                          "* marks the frontier point of a budget level:")
    for _, r in df.iterrows():
        rel = f" ({r['sample_error']:+.0%})" if np.isfinite(r["sample_error"]) else ""
        est = f"; sample estimate {num(r['sample_estimate'])}{rel}" if np.isfinite(r["sample_estimate"]) else ""
        mark = "*" if r["frontier"] else " "
        item = (f"{mark}{r['name']:<14} {num(r['objective_median'])} [{num(r['objective_p5'])}, "
                f"{num(r['objective_p95'])}], spending {num(r['spend_median'])}: {r['allocation']}{est}")
        lines += textwrap.wrap(item, textable.WIDTH, initial_indent=" ", subsequent_indent=" " * 17,
                               break_on_hyphens=False)
    row = df[df["name"] == chosen.name].iloc[0]
    alone = df[df["kind"] == "strategy"].sort_values("objective_median").iloc[-1]
    lines += textable.wrap(f"Best allocation at the {chosen.level:.0%} budget: {chosen.allocation.describe()} "
                           f"({chosen.name}): {objective} {num(row['objective_median'])}; the best strategy alone "
                           f"({alone['name']}) gives {num(alone['objective_median'])}.")
    errors = df["sample_error"].dropna().abs()
    if len(errors):
        lines += textable.wrap(f"The search's sample misjudged the verified allocations by {errors.median():.0%} "
                               f"(median) and at most {errors.max():.0%}; raise optimise.sample_fraction or "
                               "optimise.seeds to narrow it.")
    return "\n".join(lines)


__all__ = ["Candidate", "candidates", "points", "best", "allocation_table", "text"]
