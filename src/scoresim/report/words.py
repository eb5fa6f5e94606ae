"""The summary in words that opens every report: what was run, the main results with their
intervals, and what they rest on. Each function reads what the result directory holds (already
loaded by :mod:`.kinds`) and returns plain sentences; missing pieces are left out rather than
guessed."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from .. import textable as t
from .inputs import read_text

HEADLINE = ("adoption", "accidents", "defects", "productivity", "absenteeism")


def _n(x: Any) -> str:
    return t.number(x) if t.finite(x) else str(x)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    try:
        return list(csv.DictReader(io.StringIO(read_text(path), newline="")))
    except csv.Error:
        return []


def _f(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


# --------------------------------------------------------------------------- run

def run(name: str, config: dict, attrs: dict, sizes: dict, rows: list[dict]) -> list:
    """A scenario run: the scenario, the headline indicators (reported change and causal effect
    with its interval) and what the results rest on."""
    prog = config.get("programme") if isinstance(config.get("programme"), dict) else {}
    reps = attrs.get("replicates")
    what = (f"This report is on a run of the scenario {name}" + (f" ({config['description']})"
                                                                  if config.get("description") else "")
            + f": {_n(sizes.get('firm'))} firms recorded over {_n(sizes.get('time'))} months, "
            f"{_n(prog.get('participants'))} participants asked for, {_n(reps)} replicate(s) on seed "
            f"{attrs.get('seed')}.")
    out: list = [what]
    found = {str(r.get("indicator")): r for r in rows if isinstance(r, dict)}
    parts = []
    for ind in HEADLINE:
        r = found.get(ind)
        if not r:
            continue
        if {"reported", "causal", "causal_lo", "causal_hi", "kind"} <= set(r):       # three estimands
            rep, eff, lo, hi, did = r["reported"], r["causal"], r["causal_lo"], r["causal_hi"], r.get("did")
        elif {"reported_change", "effect", "effect_lo", "effect_hi", "kind"} <= set(r):
            rep, eff, lo, hi, did = r["reported_change"], r["effect"], r["effect_lo"], r["effect_hi"], None
        else:
            continue
        k = str(r["kind"])
        unit = f" {t.SCALE}" if k == "points" else ""
        evaluator = (f"; an evaluator would find {_bare(did, k)}{unit}" if t.finite(did) else "")
        parts.append(f"{ind}: participants would report {_bare(rep, k)}{unit}{evaluator}; the programme "
                     f"caused {_bare(eff, k)} [{_bare(lo, k)}, {_bare(hi, k)}]{unit}.")
    if parts:
        spread = ("parameter (posterior draws) and stochastic uncertainty" if attrs.get("posterior")
                  else "stochastic uncertainty across replicates only")
        out.append("Main results, medians over replicates; the 90% interval of the causal effect covers "
                   f"{spread} (every indicator is under Results by indicator):")
        out.append(parts)
    out.append("What they rest on: the reported change is what participants would report before and after, "
               "as SCORE's monitoring did; an evaluator's difference in differences compares them with "
               "non-participants; the causal effect compares them with the same firms, workers and random numbers "
               "without the programme, a counterfactual no real evaluation observes. Every "
               "parameter is listed with its source under Assumptions; the behavioural ones are calibrated "
               "to the Phase I reports (docs/calibration.md).")
    return out


def _bare(x: Any, kind: str) -> str:
    return t.level(x) if kind == "points" else t.signed_percent(x)


# --------------------------------------------------------------------------- sweep and analysis

def sweep(name: str, manifest: dict, spec: dict, analyses: list[Path]) -> list[str]:
    """A sweep: the design and, when analysed, the most influential parameters."""
    params = [p.get("path") for p in spec.get("parameters") or [] if isinstance(p, dict)]
    shown = ", ".join(str(p) for p in params[:4]) + (f" and {len(params) - 4} more" if len(params) > 4 else "")
    out = [f"This report is on the sweep {name}: a {manifest.get('method')} design over {len(params)} "
           f"parameter(s) ({shown}), {_n(manifest.get('points'))} points x {_n(manifest.get('replicates'))} "
           f"replicate(s) = {_n(manifest.get('runs'))} runs, of which {_n(manifest.get('runs_failed') or 0)} "
           f"failed; outputs: {', '.join(str(o) for o in spec.get('outputs') or [])}."]
    for a in analyses:
        out += analysis_results(a)
    out.append("What they rest on: the base scenario and the parameter bounds listed under Assumptions; every "
               "run's seed derives from the experiment seed.")
    return out


def analysis_results(path: Path) -> list[str]:
    """The top parameter of each output (up to six outputs) from an analysis' indices.csv."""
    rows = _rows(path / "indices.csv")
    if not rows:
        return []
    names = {r["index"] for r in rows}
    index = next((i for i in ("ST", "mu_star", "S1") if i in names), None)
    if index is None:
        return []
    best: dict[str, dict] = {}
    for r in rows:
        if r["index"] == index and not r.get("factor2") and t.finite(_f(r["value"])):
            cur = best.get(r["output"])
            if cur is None or _f(r["value"]) > _f(cur["value"]):
                best[r["output"]] = r
    if not best:
        return []
    items = [f"{o}: {r['factor']} ({index} {t.number(_f(r['value']))}"
             + (f" ± {t.number(_f(r['conf']))}" if t.finite(_f(r.get("conf"))) else "") + ")"
             for o, r in list(best.items())[:6]]
    more = f"; {len(best) - 6} more outputs in the table" if len(best) > 6 else ""
    return [f"The most influential parameter of each output ({index}; ± the half-width of the 95% bootstrap "
            "interval): " + "; ".join(items) + more + "."]


def analysis(name: str, attrs: dict, path: Path) -> list[str]:
    """An analysis on its own."""
    out = [f"This report is on a sensitivity analysis of the sweep {name} ({attrs.get('title', '')}), "
           f"estimator {attrs.get('estimator', 'SALib')}, {attrs.get('resamples')} bootstrap resamples."]
    out += analysis_results(path)
    out.append("What they rest on: the sweep's design and bounds (Assumptions); an index smaller than the "
               "output's seed-noise share cannot be told from zero.")
    return out


# --------------------------------------------------------------------------- calibration

def _g(x: Any) -> str:
    return t.number(_f(x), 3)


def calibration(name: str, manifest: dict, path: Path) -> list:
    """A calibration: the fit per target and which parameters the targets constrain."""
    fit = _rows(path / "fit_table.csv")
    ident = _rows(path / "identifiability.csv")
    fitted = [r for r in fit if r.get("status", "fitted" if r.get("fitted") == "True" else "") == "fitted"]
    inside = [r for r in fitted if r.get("inside") == "True"]
    outside = [r["target"] for r in fitted if r.get("inside") != "True"]
    params = [r for r in ident if r.get("kind", "parameter") == "parameter"]
    out: list = [f"This report is on the calibration {name} ({manifest.get('mode')}): "
                 f"{manifest.get('method', 'emulator + sequential Monte Carlo')} on {_n(manifest.get('simulations'))} "
                 f"simulations (effective sample size {_n(manifest.get('effective_sample_size'))}), {len(params)} "
                 f"calibrated parameter(s), {len(fit)} target(s) and trial result(s) of which {len(fitted)} fitted."]
    if fitted:
        out.append(f"Fit: {len(inside)} of {len(fitted)} fitted targets have a simulated median within their "
                   "tolerance of the printed figure" + (f"; outside: {', '.join(outside)}" if outside else "")
                   + ". Printed figure against the simulated median [90% interval over posterior draws]:")
        out.append([f"{r['target']}: printed {r.get('printed')}, simulated {_g(r['median'])} [{_g(r['q05'])}, "
                    f"{_g(r['q95'])}]" + ("" if r.get("inside") == "True" else " (outside the tolerance)")
                    for r in fitted[:8]] + ([f"and {len(fitted) - 8} more in the table"] if len(fitted) > 8 else []))
    groups: dict[str, list[str]] = {}
    for r in params:
        groups.setdefault(r.get("verdict", ""), []).append(r.get("name", r.get("parameter", "")))
    if groups:
        out.append("Identifiability: " + "; ".join(f"{v}: {', '.join(ps)}" for v, ps in groups.items()) + ".")
    out.append("What they rest on: the monitoring targets are Phase I's printed before/after figures, reported by "
               "the firms themselves without a comparison group, read as in the targets file, and fitted by what the "
               "model's participants would report; the trial results are causal effects of comparable programmes, "
               "fitted by the model's causal effects of each module (Assumptions lists targets and priors).")
    return out


# --------------------------------------------------------------------------- scale-up

SCALEUP_HEADLINE = (("firms_reached", "reaches {} firms"), ("accidents_averted", "averts {} accidents"),
                    ("spend_total", "spends USD {}"), ("benefit_usd", "benefits of USD {}"),
                    ("benefit_cost_ratio", "a benefit-cost ratio of {}"), ("payback_months", "pays back in {} months"),
                    ("jobs", "changes jobs by {} persons"))


def scaleup(name: str, manifest: dict, horizon: dict[str, dict[str, dict]], labels: dict[str, str]) -> list:
    """A scale-up plan: per strategy over the horizon, reach, accidents averted, spending."""
    strategies = manifest.get("strategies") or list(horizon)
    out: list = [f"This report is on the scale-up plan {name}: {len(strategies)} strategies "
           f"({', '.join(labels.get(s, s) for s in strategies)}), {_n(manifest.get('replicates'))} replicate(s) "
           f"on seed {manifest.get('seed')}" + (f", optimising {manifest['objective']}"
                                                 if manifest.get("objective") else "") + "."]
    parts = []
    for s in strategies:
        got = horizon.get(s, {})
        bits = [text.format(f"{t.compact(got[m]['median'])} [{t.compact(got[m]['p5'])}, {t.compact(got[m]['p95'])}]")
                for m, text in SCALEUP_HEADLINE if m in got]
        if bits:
            parts.append(f"{labels.get(s, s)} " + ", ".join(bits))
    if parts:
        out.append("Over the whole horizon (median [90% interval] over replicates):")
        out.append([p + "." for p in parts])
    out.append("What they rest on: the budget, costs, trainer capacity and uptake assumptions listed with their "
               "sources under Assumptions; outcomes are the programme world less its counterfactual, every firm; "
               "benefits are value added net of displacement and firms' adoption costs, from sourced firm "
               "economics but effect sizes calibrated to self-reports (docs/scaleup.md, Caveats).")
    return out


# --------------------------------------------------------------------------- compare

def compare(manifest: dict, rows: list[dict[str, str]]) -> list[str]:
    """A comparison: the scenarios, pairing, and the largest differences from the baseline."""
    scen = manifest.get("scenarios") or []
    base = manifest.get("baseline")
    out = [f"This report compares {len(scen)} scenarios with the baseline {base}: "
           + "; ".join(f"{s.get('label')} ({s.get('kind')} {s.get('origin')}, {s.get('replicates')} replicate(s), "
                       f"seed {s.get('seed')})" for s in scen) + ". "
           + str(manifest.get("pairing", "")).capitalize() + "."]
    diffs = [r for r in rows if r.get("statistic") == "difference" and t.finite(_f(r.get("median")))]
    estimand = next((e for e in ("causal", "did", "reported") if any(r["estimand"] == e for r in diffs)), None)
    for s in dict.fromkeys(r["scenario"] for r in diffs):
        mine = sorted((r for r in diffs if r["scenario"] == s and r["estimand"] == estimand),
                      key=lambda r: -abs(_f(r["median"])))[:3]
        if mine:
            out.append(f"Largest differences of {s} from {base} in the {estimand} estimand (median [90% interval]): "
                       + "; ".join(f"{r['indicator']} {_difference(r)}" for r in mine) + ".")
    out.append("What they rest on: each scenario's resolved config (Assumptions); intervals cover the spread "
               "of the difference between replicates (stochastic uncertainty), paired replicate by replicate where "
               "the scenarios share their population and seed.")
    return out


def _difference(r: dict[str, str]) -> str:
    kind = "points" if "practice" in r.get("units", "") else "relative"
    if kind == "points":
        return f"{t.level(_f(r['median']))} [{t.level(_f(r['p5']))}, {t.level(_f(r['p95']))}] {t.SCALE}"
    return t.with_interval(_f(r["median"]), _f(r["p5"]), _f(r["p95"]), diff=True)
