"""What a calibration found: the posterior predictive fit per target and trial, the three
estimands under the posterior, and what the evidence constrains (per parameter and per module
effect)."""

from __future__ import annotations

import csv
import functools
import json
import math
from pathlib import Path

import numpy as np
import xarray as xr

from ..experiments.models import ScenarioFunction
from ..indicators import INDICATORS
from .priors import stream_seed
from .targets import Calibration

CONSTRAINED = 0.5   # posterior sd / prior sd (in prior quantiles) below this: constrained
WEAK = 0.8          # below this: weakly constrained; above: left near the prior
ESTIMAND_STATS = (("reported", "reported_change"), ("did", "did"), ("causal", "effect"))


def _predict_one(model: ScenarioFunction, names: list[str], item: tuple[dict[str, float], int]) -> list[float]:
    values, seed = item
    try:
        out = model.summaries(values, seed, names, 1)
        return [float(out[n][0]) for n in names]
    except Exception:  # noqa: BLE001 - shown as NaN in the fit table
        return [math.nan] * len(names)


def predictive(cal: Calibration, posterior: xr.Dataset, executor) -> xr.Dataset:
    """Statistics (draw, statistic) of the first ``predictive_draws`` posterior draws, each run
    once (one realisation of the programme, as Phase I was) with its own seed and population:
    their spread combines parameter, population and stochastic uncertainty."""
    from .run import statistics

    spec = cal.spec
    k = min(spec.fit.predictive_draws, posterior.sizes["draw"])
    names = [str(p) for p in posterior["parameter"].values]
    stats = statistics(cal)
    stats += [t.statistic for t in spec.targets if t.statistic not in stats]
    items = [({n: float(v) for n, v in zip(names, posterior["value"].values[d])},
              stream_seed(spec.seed, 0xBED, d)) for d in range(k)]
    rows = list(executor.imap(functools.partial(_predict_one, ScenarioFunction(cal.scenario), stats), items))
    return xr.Dataset({"value": (("draw", "statistic"), np.array(rows, float),
                                 {"long_name": "simulated statistic at a posterior draw"})},
                      coords={"draw": np.arange(k), "statistic": stats})


def _q(x: np.ndarray) -> tuple[float, float, float]:
    x = x[np.isfinite(x)]
    return tuple(float(v) for v in np.quantile(x, [0.05, 0.5, 0.95])) if len(x) else (math.nan,) * 3


def fit_table(cal: Calibration, pred: xr.Dataset, result) -> list[dict[str, object]]:
    """Per monitoring target and trial result: printed value, simulated median and 90%
    interval, inside the tolerance or not, and whether it was fitted, out of reach or shown."""
    rows = []
    for kind, items in (("monitoring", cal.spec.targets), ("trial", cal.spec.evidence)):
        for t in items:
            lo, med, hi = _q(pred["value"].sel(statistic=t.statistic).values)
            status = ("not fitted" if t.weight == 0 else "out of reach" if t.id in result.excluded else "fitted")
            rows.append({"target": t.id, "evidence": kind, "statistic": t.statistic, "printed": t.printed,
                         "low": t.bounds[0], "high": t.bounds[1], "tolerance": t.tolerance, "weight": t.weight,
                         "median": med, "q05": lo, "q95": hi, "inside": bool(t.fits(med)) if math.isfinite(med) else False,
                         "status": status, "prior_predictive_p": result.reach.get(t.id, math.nan),
                         "influence_sd": result.influence.get(t.id, {}).get("largest_shift_sd", math.nan)})
    return rows


def estimands(pred: xr.Dataset) -> list[dict[str, object]]:
    """Per indicator and estimand (reported, difference in differences, causal): median and 90%
    interval over the posterior predictive draws."""
    rows = []
    for ind in INDICATORS:
        for est, prefix in ESTIMAND_STATS:
            name = f"{prefix}.{ind}"
            if name in pred["statistic"].values:
                lo, med, hi = _q(pred["value"].sel(statistic=name).values)
                rows.append({"indicator": ind, "estimand": est, "median": med, "q05": lo, "q95": hi,
                             "units": "practice points" if INDICATORS[ind].kind == "points" else "relative change"})
    return rows


def identifiability(cal: Calibration, posterior: xr.Dataset) -> list[dict[str, object]]:
    """Per parameter: prior, posterior median and 90% interval, the posterior/prior sd ratio in
    prior quantiles and a verdict; per module effect: its posterior and the shares of its
    certainty resting on the priors, the trials and the monitoring figures."""
    rows = []
    for i, p in enumerate(cal.spec.parameters):
        v = posterior["value"].values[:, i]
        ratio = float(posterior["quantile_sd_ratio"].values[i])
        q05, med, q95 = np.quantile(v, [0.05, 0.5, 0.95])
        rows.append({"kind": "parameter", "name": p.path, "prior": _prior_text(p), "median": float(med),
                     "q05": float(q05), "q95": float(q95), "sd_ratio": ratio, "verdict": _verdict(ratio),
                     "share_prior": math.nan, "share_trials": math.nan, "share_monitoring": math.nan})
    shares = posterior["information_share"]
    for q in posterior["quantity"].values:
        q = str(q)
        if not q.startswith("module_effect.") or q.split(".")[2] not in MAIN_INDICATORS.get(q.split(".")[1], ()):
            continue
        v = posterior["derived"].sel(quantity=q).values
        q05, med, q95 = np.quantile(v, [0.05, 0.5, 0.95])
        s = shares.sel(quantity=q).values
        rows.append({"kind": "module effect", "name": q, "prior": "", "median": float(med), "q05": float(q05),
                     "q95": float(q95), "sd_ratio": math.nan, "verdict": rests_on(s),
                     "share_prior": float(s[0]), "share_trials": float(s[1]), "share_monitoring": float(s[2])})
    return rows


MAIN_INDICATORS = {"cooperation": ("relations", "absenteeism", "productivity"), "quality": ("defects", "productivity"),
                   "cleaner_production": ("energy", "productivity"), "workforce": ("absenteeism", "productivity"),
                   "osh": ("accidents",)}
"""The indicators each module is meant to move (the module effects the identifiability report shows)."""


def rests_on(shares: np.ndarray) -> str:
    """A module effect's verdict from its precision shares (prior, trials, monitoring)."""
    names = ("the priors", "the trials", "the monitoring figures")
    k = int(np.argmax(shares))
    return f"rests mostly on {names[k]}" if shares[k] >= 0.5 else "rests on " + " and ".join(
        names[j] for j in np.argsort(shares)[::-1][:2])


def _verdict(ratio: float) -> str:
    return "constrained" if ratio < CONSTRAINED else "weakly constrained" if ratio < WEAK else "near the prior"


def _prior_text(p) -> str:
    lo, hi = p.bounds
    extra = (f", peak {p.peak:g}" if p.dist == "triang" else
             f", mean {p.mean:g}, sd {p.sd:g}" if p.dist == "truncnorm" else "")
    return f"{p.dist} [{lo:g}, {hi:g}{extra}]"


def write_tables(out: Path, table: list[dict], ident: list[dict], est: list[dict]) -> None:
    for name, rows in (("fit_table.csv", table), ("identifiability.csv", ident), ("estimands.csv", est)):
        with open(out / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    (out / "fit_table.txt").write_text(format_fit_table(table) + "\n\n" + format_estimands(est) + "\n\n"
                                       + format_identifiability(ident) + "\n")


def _fmt(v: float) -> str:
    if not isinstance(v, float | int) or not math.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:+.3f}" if abs(v) < 1 else f"{v:.2f}"


def format_fit_table(table: list[dict], draws: int | None = None) -> str:
    head = f"{'target':<24} {'printed':>15} {'simulated median [90%]':>30}  {'fit':<8}status"
    lines = [head, "-" * 96]
    for r in table:
        printed = _fmt(r["low"]) if r["low"] == r["high"] else f"[{_fmt(r['low'])}, {_fmt(r['high'])}]"
        sim = f"{_fmt(r['median'])} [{_fmt(r['q05'])}, {_fmt(r['q95'])}]"
        fit = "inside" if r["inside"] else "OUTSIDE"
        label = r["target"] + (" (trial)" if r["evidence"] == "trial" else "")
        lines.append(f"{label:<24} {printed:>15} {sim:>30}  {fit:<8}{r['status']}")
    lines += _wrap("Simulated: posterior predictive over " + (f"{draws} " if draws else "") + "posterior draws, each "
                   "run once with its own population and seed (parameter, population and stochastic uncertainty); "
                   "'inside': the median lies within the tolerance of the printed value or range. Monitoring "
                   "targets are what reporting participants report; trials are causal effects.")
    return "\n".join(lines)


def format_estimands(rows: list[dict]) -> str:
    head = f"{'indicator':<14} {'reported [90%]':>27} {'evaluator (DiD) [90%]':>27} {'causal [90%]':>27}"
    lines = [head, "-" * len(head)]
    by = {(r["indicator"], r["estimand"]): r for r in rows}
    for ind in INDICATORS:
        cells = []
        for est, _ in ESTIMAND_STATS:
            r = by.get((ind, est))
            cells.append("n/a" if r is None else f"{_pct(r['median'], ind)} [{_pct(r['q05'], ind)}, "
                                                   f"{_pct(r['q95'], ind)}]")
        lines.append(f"{ind:<14} " + " ".join(f"{c:>27}" for c in cells))
    lines += _wrap("Under the posterior: medians and 90% intervals over the posterior predictive draws (parameter, "
                   "population and stochastic uncertainty). Adoption in practice points, the others relative changes.")
    return "\n".join(lines)


def _pct(v: float, ind: str) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v:+.2f}" if INDICATORS[ind].kind == "points" else f"{100 * v:+.1f}%"


def format_identifiability(ident: list[dict]) -> str:
    head = f"{'parameter':<36} {'posterior median [90%]':>28} {'sd ratio':>8}  verdict"
    lines = [head, "-" * 96]
    for r in ident:
        if r["kind"] != "parameter":
            continue
        post = f"{r['median']:.3g} [{r['q05']:.3g}, {r['q95']:.3g}]"
        lines.append(f"{r['name']:<36} {post:>28} {r['sd_ratio']:>8.2f}  {r['verdict']}")
    lines += _wrap(f"sd ratio: posterior sd over prior sd in prior quantiles; below {CONSTRAINED} the evidence "
                   f"constrains the parameter, above {WEAK} it is left near its prior.")
    lines += ["", f"{'module effect (causal)':<36} {'posterior median [90%]':>28} {'prior/trials/monitoring':>24}",
              "-" * 96]
    for r in ident:
        if r["kind"] == "module effect":
            post = f"{_fmt(r['median'])} [{_fmt(r['q05'])}, {_fmt(r['q95'])}]"
            shares = f"{r['share_prior']:.0%} / {r['share_trials']:.0%} / {r['share_monitoring']:.0%}"
            lines.append(f"{r['name'].removeprefix('module_effect.'):<36} {post:>28} {shares:>24}")
    lines += _wrap("Module effect: the emulated causal effect of a module on its takers (parameter uncertainty). "
                   "Shares of its posterior precision from the priors (assumptions), the trial evidence and the "
                   "Phase I monitoring figures.")
    return "\n".join(lines)


def summary_lines(cal: Calibration, posterior: xr.Dataset, result, stopped: bool, planned: int) -> list[str]:
    """The closing lines: method, effective sample size, simulations, SBC, targets out of reach."""
    ess = float(posterior.attrs["effective_sample_size"])
    lines = [f"posterior: {posterior.sizes['draw']:,} equally weighted draws from sequential Monte Carlo on the emulated "
             f"likelihood (effective sample size {ess:,.0f} of {int(posterior.attrs['particles']):,} particles), "
             f"emulator learnt from {int(posterior.attrs['simulations']):,} simulations"]
    if stopped:
        lines.append(f"warning: stopped early: {int(posterior.attrs['simulations']):,} of {planned:,} planned simulations; "
                     "the emulator and so the posterior are coarser than planned (finish with --resume)")
    sbc = result.sbc
    if sbc:
        lines.append(f"simulation-based calibration: 90% intervals cover the truth in {sbc['coverage']:.1%} of "
                     f"{sbc['pairs']:,} (parameter, dataset) pairs ({sbc['datasets']} held-out simulations)")
    moved = np.mean([r < WEAK for r in posterior["quantile_sd_ratio"].values])
    if moved == 0:
        lines.append("warning: the evidence leaves every parameter near its prior: this posterior is close to the prior")
    for i in result.excluded:
        lines.append(f"out of the model's reach (shown, not fitted): {i}")
    return lines


def _wrap(text: str, width: int = 96) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width)


__all__ = ["predictive", "fit_table", "estimands", "identifiability", "write_tables", "format_fit_table",
           "format_estimands", "format_identifiability", "summary_lines", "rests_on", "MAIN_INDICATORS"]
