"""What a calibration found: posterior predictive fit per target, and which parameters the
targets constrain."""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path

import numpy as np
import xarray as xr

from .. import textable as t
from .abc import TargetModel, stream_seed
from .targets import Calibration

CONSTRAINED = 0.5   # posterior sd / prior sd below this: the targets constrain the parameter
WEAK = 0.8          # below this: weakly constrained; above: left near the prior


def _predict_one(model: TargetModel, item: tuple[dict[str, float], int]) -> dict[str, float]:
    values, seed = item
    try:
        return model.simulate(values, seed)
    except Exception:  # noqa: BLE001 - shown as NaN in the fit table
        return {tid: math.nan for tid in model.stats}


def predictive(cal: Calibration, posterior: xr.Dataset, executor, replicates: int = 1) -> xr.Dataset:
    """Target statistics (draw, target) of the first ``predictive_draws`` posterior draws, each
    run once (``replicates`` 1: one realisation of the programme, as Phase I was) with its own
    seed: their spread combines parameter and stochastic uncertainty."""
    spec = cal.spec
    k = min(spec.abc.predictive_draws, posterior.sizes["draw"])
    names = [str(p) for p in posterior["parameter"].values]
    items = [({n: float(v) for n, v in zip(names, posterior["value"].values[d])},
              stream_seed(spec.seed, 0xBED, d)) for d in range(k)]
    model = TargetModel(cal.scenario, spec.targets, replicates)
    rows = list(executor.imap(functools.partial(_predict_one, model), items))
    ids = [t.id for t in spec.targets]
    data = np.array([[r[i] for i in ids] for r in rows], float)
    return xr.Dataset({"statistic": (("draw", "target"), data, {"long_name": "simulated target statistic"})},
                      coords={"draw": np.arange(k), "target": ids})


def fit_table(cal: Calibration, pred: xr.Dataset) -> list[dict[str, object]]:
    """Per target: printed value, simulated median and 90% interval, inside the tolerance or not."""
    rows = []
    for t in cal.spec.targets:
        x = pred["statistic"].sel(target=t.id).values
        x = x[np.isfinite(x)]
        lo, med, hi = np.quantile(x, [0.05, 0.5, 0.95]) if len(x) else (math.nan,) * 3
        rows.append({"target": t.id, "statistic": t.statistic, "printed": t.printed,
                     "low": t.bounds[0], "high": t.bounds[1], "tolerance": t.tolerance, "weight": t.weight,
                     "median": float(med), "q05": float(lo), "q95": float(hi),
                     "inside": bool(t.fits(float(med))) if len(x) else False,
                     "fitted": t.weight > 0})
    return rows


def identifiability(cal: Calibration, posterior: xr.Dataset) -> list[dict[str, object]]:
    """Per parameter: prior range, posterior median and 90% interval, and the ratio of posterior
    to prior standard deviation (small: constrained by the targets)."""
    rows = []
    for i, p in enumerate(cal.spec.parameters):
        v = posterior["value"].values[:, i]
        prior_sd = _prior_sd(p)
        ratio = float(np.std(v) / prior_sd) if prior_sd > 0 else math.nan
        verdict = ("constrained" if ratio < CONSTRAINED else "weakly constrained" if ratio < WEAK
                   else "near the prior")
        q05, med, q95 = np.quantile(v, [0.05, 0.5, 0.95])
        rows.append({"parameter": p.path, "prior_low": p.bounds[0], "prior_high": p.bounds[1],
                     "median": float(med), "q05": float(q05), "q95": float(q95),
                     "sd_ratio": ratio, "verdict": verdict})
    return rows


def _prior_sd(p) -> float:
    from .abc import prior_dist

    return float(prior_dist(p).std())


def write_tables(out: Path, table: list[dict], ident: list[dict]) -> None:
    for name, rows in (("fit_table.csv", table), ("identifiability.csv", ident)):
        with open(out / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    (out / "fit_table.txt").write_text(format_fit_table(table) + "\n\n" + format_identifiability(ident) + "\n")


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:+.3f}" if abs(v) < 1 else f"{v:.2f}"


def format_fit_table(table: list[dict], cal: Calibration | None = None, draws: int | None = None) -> str:
    """The fit per target as printed (within 100 columns)."""
    cols = [t.Column("target", "left", key=True), t.Column("printed"), t.Column("simulated median [90%]"),
            t.Column("fit", "left", wrap=True)]
    rows = []
    for r in table:
        printed = _fmt(r["low"]) if r["low"] == r["high"] else f"[{_fmt(r['low'])}, {_fmt(r['high'])}]"
        sim = f"{_fmt(r['median'])} [{_fmt(r['q05'])}, {_fmt(r['q95'])}]"
        verdict = ("inside" if r["inside"] else "OUTSIDE") + ("" if r["fitted"] else " (not fitted)")
        rows.append([r["target"], printed, sim, verdict])
    note = ("Simulated: posterior predictive over " + (f"{draws} " if draws else "") + "posterior draws, one seed "
            "each (parameter and stochastic uncertainty); 'inside': the median lies within the target's "
            "tolerance of the printed value or range.")
    return t.render(cols, rows, notes=[note])


def format_identifiability(ident: list[dict]) -> str:
    """Which parameters the targets constrain, as printed (within 100 columns)."""
    cols = [t.Column("parameter", "left", key=True), t.Column("prior"), t.Column("posterior median [90%]"),
            t.Column("sd ratio"), t.Column("verdict", "left", wrap=True)]
    rows = [[r["parameter"], f"[{r['prior_low']:g}, {r['prior_high']:g}]",
             f"{r['median']:.3g} [{r['q05']:.3g}, {r['q95']:.3g}]", f"{r['sd_ratio']:.2f}", r["verdict"]]
            for r in ident]
    return t.render(cols, rows, notes=[f"sd ratio: posterior sd / prior sd; below {CONSTRAINED} the targets "
                                       f"constrain the parameter, above {WEAK} they leave it near its prior."])
