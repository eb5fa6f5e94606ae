"""The tables of docs/calibration.md, in Markdown, from a calibration's results directory.

Every number of the page's results sections comes from here (and from benchmarks/sbc.py for
the simulation-based calibration), so that a new calibration (after a change of the model)
regenerates the page's figures:

    scoresim calibrate configs/targets/phase1.toml --out results/calibration/phase1-new
    python benchmarks/sbc.py results/calibration/phase1-new
    python benchmarks/calibration_tables.py results/calibration/phase1-new > tables.md
    python benchmarks/calibration_tables.py results/calibration/phase1-new --page docs/calibration.md
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import xarray as xr

REASONS = {
    "defects_share": (
        "The share of participants reporting lower defects is held down by the spread of reported changes: "
        "with the average fall near the printed 10% (defects_change, inside) and the quality trial's effect "
        "on takers, only firms whose reported fall beats the 2% threshold through the measurement error of "
        "reported levels (`reporting.measurement_sd`, prior from de Mel, McKenzie & Woodruff 2009) and the "
        "month-to-month noise of defect rates count. Reaching 80% would take a larger average fall (against "
        "defects_change and the trial) or reports less noisy than the evidence on self-reports allows. The "
        "figure is within reach (its prior predictive probability is in the fit table), so it stays fitted: "
        "the posterior weighs it against the others."),
    "accidents_change": (
        "The OSH trials cap the OSH module's causal effect on its takers (osh_accidents), and only some "
        "participants take the OSH module, so most of the reported fall must come from drift, the dip firms "
        "enrol in and reporting; the trials and the monitoring figure pull apart and the posterior sits "
        "between them."),
    "absenteeism_change": (
        "The trials of worker voice and soft-skills training "
        "(cooperation_absence, workforce_absence) give absence effects on takers that, with reporting "
        "optimism, make the reported change larger than printed; the posterior sits between the trials and "
        "the monitoring figure."),
    "classroom_participants": (
        "Not fitted: set by the delivery inputs (modules per firm, 2 managers and 2 workers a module). The "
        "model trains fewer than the brochure's 2,400 because some participants stop mid-module "
        "(`programme.dropout`) and some exit."),
}
"""Why a target lies outside its tolerance, by target id (the numbers come from the tables)."""

MONEY = {"savings_3m_usd_p95", "payback_months_median"}
"""Money statistics shown, not fitted: computed after a run from the firms' panels, they are read
from the Phase I run's money table (docs/model.md, Money and jobs), where their current reading is
explained, not from the reference table of a calibration."""
MONEY_CELL = "the Phase I run's money table (model.md, Money and jobs)"

INDICATORS = ("adoption", "relations", "defects", "accidents", "absenteeism", "productivity", "energy", "unit_cost")


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _f(x, kind: str = "rel") -> str:
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    if kind == "pts":
        return f"{x:+.2f}"
    if kind == "share":
        return f"{100 * x:.0f}%"
    if kind == "num":
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
    return f"{100 * x:+.1f}%"


def _kind(stat: str) -> str:
    if stat.startswith("share_improving"):
        return "share"
    if stat.endswith(".adoption"):
        return "pts"
    if stat.split(".")[0] in ("classroom_participants", "savings_3m_usd_p95", "payback_months_median"):
        return "num"
    return "rel"


def main(path: Path) -> None:
    post = xr.open_dataset(path / "posterior.nc", engine="h5netcdf")
    manifest = json.loads((path / "manifest.json").read_text())
    a = post.attrs
    print("## Run\n")
    print(f"- method: {a['method']}; {int(a['simulations']):,} simulations (stopped early: "
          f"{bool(manifest.get('stopped_early'))}); likelihood power {float(a.get('likelihood_power', 1)):g}")
    print(f"- emulator: polynomial degree {a.get('emulator_degree')}, residual tails t({a.get('emulator_df')})")
    print(f"- posterior: {post.sizes['draw']:,} equally weighted draws; effective sample size "
          f"{float(a['effective_sample_size']):,.0f} of {int(a['particles']):,} particles "
          f"({int(a['distinct_particles']):,} distinct)")
    sbc = json.loads(a["sbc"]) if a.get("sbc") else {}
    if sbc:
        print(f"- built-in simulation-based calibration: {sbc['covered']:,} of {sbc['pairs']:,} pairs covered "
              f"({sbc['coverage']:.1%}), {sbc['datasets']} held-out simulations")
    print(f"- targets out of reach: {json.loads(a['targets_out_of_reach']) or 'none'}\n")

    print("## Fit\n")
    print("| target | evidence | printed | simulated median [90%] | fit | status | prior predictive p | "
          "largest shift when left out (sd) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in _csv(path / "fit_table.csv"):
        k = _kind(r["statistic"])
        lo, hi = float(r["low"]), float(r["high"])
        printed = _f(lo, k) if lo == hi else f"{_f(lo, k)} to {_f(hi, k)}"
        sim = f"{_f(r['median'], k)} [{_f(r['q05'], k)}, {_f(r['q95'], k)}]"
        fit = "inside" if r["inside"] == "True" else "**outside**"
        if r["statistic"] in MONEY:
            sim, fit = MONEY_CELL, "shown there"
        p = float(r["prior_predictive_p"]) if r["prior_predictive_p"] not in ("", "nan") else math.nan
        infl = float(r["influence_sd"]) if r["influence_sd"] not in ("", "nan") else math.nan
        print(f"| {r['target']} | {r['evidence']} | {printed} | {sim} | {fit} | {r['status']} | "
              f"{'' if not math.isfinite(p) else f'{p:.3f}'} | {'' if not math.isfinite(infl) else f'{infl:.2f}'} |")

    outside = [r for r in _csv(path / "fit_table.csv") if r["inside"] != "True" and r["statistic"] not in MONEY]
    if outside:
        print("\n## Targets outside their tolerance\n")
        for r in outside:
            k = _kind(r["statistic"])
            lo, hi = float(r["low"]), float(r["high"])
            printed = _f(lo, k) if lo == hi else f"{_f(lo, k)} to {_f(hi, k)}"
            within = float(r["q05"]) <= hi and float(r["q95"]) >= lo
            where = ("The printed figure lies inside the 90% predictive interval; the median misses it by more "
                     "than a tolerance. " if within else "The printed figure lies outside the 90% predictive "
                     "interval. ")
            print(f"- **{r['target']}** (printed {printed}, simulated {_f(r['median'], k)} [{_f(r['q05'], k)}, "
                  f"{_f(r['q95'], k)}]): {where}{REASONS.get(r['target'], 'Not explained yet.')}")

    print("\n## Three estimands\n")
    print("| indicator | reported [90%] | evaluator (DiD) [90%] | causal [90%] |")
    print("|---|---|---|---|")
    rows = {(r["indicator"], r["estimand"]): r for r in _csv(path / "estimands.csv")}
    for ind in INDICATORS:
        cells = []
        for est in ("reported", "did", "causal"):
            r = rows.get((ind, est))
            k = "pts" if ind == "adoption" else "rel"
            cells.append("n/a" if r is None else f"{_f(r['median'], k)} [{_f(r['q05'], k)}, {_f(r['q95'], k)}]")
        print(f"| {ind} | " + " | ".join(cells) + " |")

    print("\n## Trial evidence against the causal effects\n")
    print("| trial result | indicator | trial (central, sd) | module effect on takers [90%] | "
          "programme's causal effect on all participants [90%] | fit |")
    print("|---|---|---|---|---|---|")
    for r in _csv(path / "fit_table.csv"):
        if r["evidence"] != "trial":
            continue
        ind = r["statistic"].split(".")[-1]
        c = rows.get((ind, "causal"))
        k = "pts" if ind == "adoption" else "rel"
        overall = "n/a" if c is None else f"{_f(c['median'], k)} [{_f(c['q05'], k)}, {_f(c['q95'], k)}]"
        fit = "inside" if r["inside"] == "True" else "**outside**"
        fit += "" if r["status"] == "fitted" else f" ({r['status']})"
        print(f"| {r['target']} | {ind} | {_f(r['low'])}, sd {100 * float(r['tolerance']):.1f} points | "
              f"{_f(r['median'])} [{_f(r['q05'])}, {_f(r['q95'])}] | {overall} | {fit} |")

    print("\n## Identifiability: parameters\n")
    print("| parameter | prior | posterior median [90%] | sd ratio | verdict |")
    print("|---|---|---|---|---|")
    ident = _csv(path / "identifiability.csv")
    for r in ident:
        if r["kind"] == "parameter":
            print(f"| `{r['name']}` | {r['prior']} | {float(r['median']):.3g} [{float(r['q05']):.3g}, "
                  f"{float(r['q95']):.3g}] | {float(r['sd_ratio']):.2f} | {r['verdict']} |")
    print("\n## Identifiability: module effects\n")
    print("| module effect (causal, on takers) | posterior median [90%] | priors | trials | monitoring | verdict |")
    print("|---|---|---|---|---|---|")
    for r in ident:
        if r["kind"] == "module effect":
            print(f"| {r['name'].removeprefix('module_effect.')} | {_f(r['median'])} [{_f(r['q05'])}, {_f(r['q95'])}] | "
                  f"{_f(r['share_prior'], 'share')} | {_f(r['share_trials'], 'share')} | "
                  f"{_f(r['share_monitoring'], 'share')} | {r['verdict']} |")
    effects = [r for r in ident if r["kind"] == "module effect"]
    if effects:
        prior = sum(float(r["share_prior"]) for r in effects) / len(effects)
        mostly = sum(1 for r in effects if float(r["share_prior"]) >= 0.5)
        print(f"\nOver these {len(effects)} module effects, the priors supply on average {prior:.0%} of the "
              f"posterior precision; {mostly} rest mostly (half or more) on the priors.")
    runs = sorted(path.glob("sbc*/sbc.json"), key=lambda f: json.loads(f.read_text()).get("likelihood_power", 1.0),
                  reverse=True)
    if runs:
        print("\n## Simulation-based calibration (benchmarks/sbc.py)\n")
        print("| run | likelihood power | particles | datasets | (parameter, dataset) pairs | covered | coverage |")
        print("|---|---|---|---|---|---|---|")
        fulls = [json.loads(f.read_text()) for f in runs]
        for f, full in zip(runs, fulls):
            print(f"| `{f.parent.name}` (seed {full.get('seed', 20130930)}"
                  + (f", leaving out seed {full['exclude_seed']}'s datasets" if full.get("exclude_seed") else "")
                  + f") | {full.get('likelihood_power', 1.0):g} | {full.get('particles', 1000):,} | {full['datasets']} | "
                  f"{full['pairs']:,} | {full['covered']:,} | {full['coverage']:.1%} |")
        print("\nCoverage of the 90% interval per parameter, and its mean width in prior quantiles:\n")
        print("| parameter | " + " | ".join(f"`{f.parent.name}`" for f in runs) + " |")
        print("|---|" + "---|" * len(runs))
        for j, n in enumerate(fulls[0]["parameters"]):
            print(f"| `{n}` | " + " | ".join(f"{full['coverage_per_parameter'][j]:.1%} "
                                             f"({full['width_per_parameter'][j]:.2f})" for full in fulls) + " |")


def page(path: Path, doc: Path) -> None:
    """Write the tables between the BEGIN/END markers of ``doc`` (docs/calibration.md)."""
    import contextlib
    import io
    import re

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(path)
    begin, end = "<!-- BEGIN CALIBRATION TABLES (generated by benchmarks/calibration_tables.py) -->", \
        "<!-- END CALIBRATION TABLES -->"
    text = doc.read_text()
    if begin not in text or end not in text:
        raise SystemExit(f"{doc}: markers missing")
    tables = re.sub(r"^## ", "### ", buf.getvalue().strip(), flags=re.M)   # sections of the page's section
    doc.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: f"{begin}\n{tables}\n{end}", text,
                          flags=re.S))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--page":
        page(Path(sys.argv[1]), Path(sys.argv[3]))
    else:
        main(Path(sys.argv[1]))
