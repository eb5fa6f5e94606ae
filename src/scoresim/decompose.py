"""Why what participants report differs from what the programme caused: the gap between the
reported change and the causal effect, decomposed into its sources.

The sources are groups of the mechanisms of :mod:`scoresim.mechanisms`:

* drift of the world without the programme;
* shocks and regression to the mean (business cycle, scripted, firm and buyer shocks);
* selection into the programme (on commitment and after a dip);
* survivorship and non-response (firms that exit, participants that do not report);
* reporting bias (measurement error and optimism).

The scenario is run with every subset of the groups switched on (the others off), on the same
seeds, and each group's contribution is its Shapley value: its marginal effect on the gap,
averaged over the orders in which the groups can be switched on. The contributions add up to
the gap with every group on, less the gap with none of them (``remainder``: what the other
mechanisms, held on throughout, and the metrics leave, such as the mean of per-firm relative
changes against the geometric mean of the causal effect). Simulations that differ only in the
reporting process are run once and reported several times.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np
import xarray as xr

from .indicators import INDICATORS
from .mechanisms import DESCRIPTIONS, off_values
from .params import Scenario
from .reporting import report_dataset

GROUPS: dict[str, tuple[str, ...]] = {
    "drift": ("drift",),
    "shocks and regression to the mean": ("shocks",),
    "selection": ("selection",),
    "survivorship and non-response": ("exit", "nonresponse"),
    "reporting bias": ("reporting_bias",),
}
"""Source of the gap -> the mechanisms it switches."""

REPORTING_ONLY = {"nonresponse", "reporting_bias"}
"""Mechanisms of the observation model alone: they need no new simulation."""


def _scenario(base: Scenario, on: frozenset[str]) -> Scenario:
    from .config import set_values

    off = [m for g, ms in GROUPS.items() if g not in on for m in ms]
    values = off_values(off)
    return set_values(base, values, origin="decomposition", label="") if values else base


def gaps(base: Scenario, seed: int, replicates: int,
         progress: Callable[[int], None] | None = None) -> dict[frozenset[str], xr.Dataset]:
    """Per subset of :data:`GROUPS` switched on: the run's estimands (replicate, indicator)."""
    from .simulate import simulate

    names = list(GROUPS)
    simulated: dict[frozenset[str], xr.Dataset] = {}
    out = {}
    for k in range(len(names) + 1):
        for subset in itertools.combinations(names, k):
            on = frozenset(subset)
            scen = _scenario(base, on)
            sim_key = frozenset(g for g in on if not set(GROUPS[g]) <= REPORTING_ONLY)
            if sim_key not in simulated:
                simulated[sim_key] = simulate(scen, seed, replicates)
            ds = simulated[sim_key]
            rep = report_dataset(ds, scen.reporting)
            out[on] = rep[["mean_reported_change", "did_estimate", "effect"]]
            if progress:
                progress(1)
    return out


def shapley(values: dict[frozenset[str], np.ndarray], players: list[str]) -> dict[str, np.ndarray]:
    """Shapley values of ``players`` for the set function ``values`` (subset -> array)."""
    n = len(players)
    out = {}
    for p in players:
        others = [q for q in players if q != p]
        total = 0.0
        for k in range(n):
            weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for subset in itertools.combinations(others, k):
                s = frozenset(subset)
                total = total + weight * (values[s | {p}] - values[s])
        out[p] = total
    return out


def decompose(base: Scenario, seed: int | None = None, replicates: int = 4,
              progress: Callable[[int], None] | None = None) -> xr.Dataset:
    """The gap between reported change and causal effect (and between the evaluator's
    difference in differences and the causal effect), per indicator, and each source's
    contribution to it (means over replicates)."""
    seed = int(base.run.seed if seed is None else seed)
    runs = gaps(base, seed, replicates, progress)
    names = list(GROUPS)
    data = {}
    for est, var in (("reported", "mean_reported_change"), ("did", "did_estimate")):
        values = {s: (ds[var] - ds["effect"]).values for s, ds in runs.items()}    # (replicate, indicator)
        parts = shapley(values, names)                                            # per replicate: linear
        per_rep = np.stack([parts[g] for g in names], axis=1)                     # (replicate, source, indicator)
        with np.errstate(invalid="ignore"):
            se = per_rep.std(axis=0, ddof=1) / np.sqrt(replicates) if replicates > 1 else np.full(per_rep.shape[1:], np.nan)
        data[f"gap_{est}"] = (("indicator",), values[frozenset(names)].mean(0), {
            "units": "1 or practice points", "long_name": f"{est} less causal, every source on"})
        data[f"contribution_{est}"] = (("source", "indicator"), per_rep.mean(0), {
            "units": "1 or practice points", "long_name": f"Shapley contribution of each source to the {est} gap"})
        data[f"contribution_{est}_se"] = (("source", "indicator"), se, {
            "units": "1 or practice points",
            "long_name": "Monte Carlo standard error of the contribution (over replicates, same seeds)"})
        data[f"remainder_{est}"] = (("indicator",), values[frozenset()].mean(0), {
            "units": "1 or practice points", "long_name": f"{est} less causal with every source off"})
    full = runs[frozenset(names)]
    for est, var in (("reported", "mean_reported_change"), ("did", "did_estimate"), ("causal", "effect")):
        data[est] = (("indicator",), full[var].mean("replicate").values, {
            "units": "1 or practice points", "long_name": f"{est}, every source on (mean over replicates)"})
    return xr.Dataset(data, coords={"source": names, "indicator": list(full["indicator"].values)},
                      attrs={"seed": seed, "replicates": replicates, "scenario": base.name,
                             "sources": "; ".join(f"{g}: " + ", ".join(DESCRIPTIONS[m] for m in ms)
                                                  for g, ms in GROUPS.items())})


def figure(dec: xr.Dataset, estimand: str = "reported"):
    """Stacked bars of each source's contribution to the gap, per relative indicator, in
    percentage points, signed so that positive flatters the programme (a larger gain or a
    larger fall of a bad outcome than it caused), with the total gap marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in dec["indicator"].values if INDICATORS[str(n)].kind == "relative"]
    good = np.array([INDICATORS[str(n)].direction for n in names], float)    # flattering is positive
    contrib = 100 * good * dec[f"contribution_{estimand}"].sel(indicator=names).values     # (source, indicator)
    rest = 100 * good * dec[f"remainder_{estimand}"].sel(indicator=names).values
    total = 100 * good * dec[f"gap_{estimand}"].sel(indicator=names).values
    colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#bbbbbb"]
    labels = list(dec["source"].values) + ["remainder (other mechanisms, metrics)" if estimand == "reported"
                                           else "remainder (spillovers to non-participants, other mechanisms)"]
    parts = np.vstack([contrib, rest[None]])
    fig, ax = plt.subplots(figsize=(8, 5.2), layout="constrained")
    y = np.arange(len(names))
    pos, neg = np.zeros(len(names)), np.zeros(len(names))
    for k, row in enumerate(parts):
        left = np.where(row >= 0, pos, neg)
        ax.barh(y, row, left=left, color=colors[k], label=labels[k], height=0.6)
        pos, neg = pos + np.maximum(row, 0), neg + np.minimum(row, 0)
    ax.scatter(total, y, marker="D", color="k", zorder=3, s=18,
               label="total: " + ("reported" if estimand == "reported" else "evaluator's estimate") + " less causal")
    ax.set_yticks(y, [str(n) for n in names])
    ax.invert_yaxis()
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_xlabel("percentage points by which the figure flatters the programme (negative: understates it)")
    what = "reported change" if estimand == "reported" else "difference in differences"
    ax.set_title(f"Why the {what} differs from the causal effect ({dec.attrs.get('scenario', '')}, "
                 f"{dec.attrs.get('replicates')} replicates)", fontsize=10)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=7, frameon=False)
    return fig


SHORT = {"drift": "drift", "shocks and regression to the mean": "shocks", "selection": "select",
         "survivorship and non-response": "surv+nr", "reporting bias": "bias"}


def table(dec: xr.Dataset, estimand: str = "reported") -> str:
    """The decomposition as text within 100 columns: per indicator the estimand and the causal
    effect, the gap, and each source's share of it, in points signed so that positive flatters."""
    names = list(dec["indicator"].values)
    head = f"{'indicator':<14}{estimand:>9}{'causal':>9}{'gap':>8}" + "".join(
        f"{SHORT[g]:>9}" for g in dec["source"].values) + f"{'rest':>8}"
    lines = [head, "-" * len(head)]
    for n in names:
        ind = INDICATORS[str(n)]
        k = ind.direction * 100.0
        v = lambda var: float(dec[var].sel(indicator=n)) if "source" not in dec[var].dims else None  # noqa: E731
        label = f"{n} (0-1)" if ind.kind == "points" else str(n)
        unit = (lambda x: f"{x:+.2f}") if ind.kind == "points" else (lambda x: f"{100 * x:+.1f}%")
        parts = [k * float(dec[f"contribution_{estimand}"].sel(indicator=n, source=g)) for g in dec["source"].values]
        lines.append(f"{label:<14}{unit(v(estimand)):>9}{unit(v('causal')):>9}{k * v(f'gap_{estimand}'):>+8.1f}"
                     + "".join(f"{x:>+9.1f}" for x in parts) + f"{k * v(f'remainder_{estimand}'):>+8.1f}")
    se = 100 * float(np.nanmax(dec[f"contribution_{estimand}_se"].values)) if f"contribution_{estimand}_se" in dec \
        else float("nan")
    lines += ["", *_wrap(
        f"Means over {dec.attrs.get('replicates')} replicates per subset of sources, seed {dec.attrs.get('seed')}; "
        f"the largest Monte Carlo standard error of a source's share is {se:.1f} points (it covers the "
        "replicates' noise only, not the parameters). "
        f"gap: {estimand} less causal, in percentage points (adoption: hundredths of the 0-1 practice scale), "
        "signed so that a positive gap flatters the programme; each source's column is "
        "its Shapley share of the gap (its marginal effect averaged over the orders of switching the sources "
        "on); rest: the gap with all five off (the mechanisms held on, and the difference between the mean of "
        "firms' relative changes and the geometric mean of the causal effect). shocks: shocks and regression "
        "to the mean; select: selection; surv+nr: survivorship and non-response; bias: reporting bias.")]
    return "\n".join(lines)


def _wrap(text: str) -> list[str]:
    import textwrap
    return textwrap.wrap(text, 100)


def frame(dec: xr.Dataset):
    """The decomposition as a tidy table: estimand, indicator, source, value, units."""
    import pandas as pd

    rows = []
    for est in ("reported", "did"):
        for n in dec["indicator"].values:
            units = "practice points" if INDICATORS[str(n)].kind == "points" else "relative change"
            rows.append({"estimand": est, "indicator": str(n), "source": "total gap",
                         "value": float(dec[f"gap_{est}"].sel(indicator=n)), "units": units})
            for g in dec["source"].values:
                rows.append({"estimand": est, "indicator": str(n), "source": str(g), "units": units,
                             "value": float(dec[f"contribution_{est}"].sel(indicator=n, source=g))})
            rows.append({"estimand": est, "indicator": str(n), "source": "remainder", "units": units,
                         "value": float(dec[f"remainder_{est}"].sel(indicator=n))})
    return pd.DataFrame(rows)


def save_figures(dec: xr.Dataset, directory) -> list[str]:
    """Write the decomposition figures of the reported change and of the difference in
    differences; returns their names."""
    import matplotlib.pyplot as plt

    out = []
    for est, name in (("reported", "gap_reported.png"), ("did", "gap_did.png")):
        fig = figure(dec, est)
        fig.savefig(f"{directory}/{name}", dpi=110)
        plt.close(fig)
        out.append(name)
    return out


__all__ = ["GROUPS", "decompose", "gaps", "shapley", "figure", "table", "frame", "save_figures"]
