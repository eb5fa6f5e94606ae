"""Figures of a scale-up: reach against the capacity limit, outcomes by strategy, cost per
outcome, and the cost-outcome frontier of an allocation search. Each function takes the
results and returns a matplotlib Figure; :func:`save_figures` writes the PNGs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .. import figtext
from .metrics import interval


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _eng(axis) -> None:
    """Tick labels with k, M, G rather than an offset exponent."""
    from matplotlib.ticker import EngFormatter

    axis.set_major_formatter(EngFormatter(sep=""))


def _labels(ds: xr.Dataset) -> list[str]:
    return [str(x) for x in ds["strategy_label"].values]


def reach(ds: xr.Dataset):
    """Cumulative firms reached (median and 90% band) and modules started per month against the
    capacity the active trainers give, by strategy."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    time = ds["time"].values
    for i, (s, label) in enumerate(zip(ds["strategy"].values, _labels(ds))):
        color = f"C{i}"
        cum = interval(ds["firms_reached"].sel(strategy=s).cumsum("time"))
        ax1.plot(time, cum["median"], color=color, label=label)
        ax1.fill_between(time, cum["p5"], cum["p95"], color=color, alpha=0.2)
        mods = interval(ds["modules_delivered"].sel(strategy=s))
        cap = interval(ds["capacity_modules"].sel(strategy=s))
        ax2.plot(time, mods["median"], color=color, label=f"{label}: modules started")
        ax2.plot(time, cap["median"], color=color, ls="--", lw=1, label=f"{label}: capacity")
    ax1.set_ylabel("firms reached (cumulative)")
    ax1.legend(fontsize=8)
    ax1.set_title("Reach over time (median, 90% interval over replicates)")
    ax2.set_ylabel("firm-modules per month")
    ax2.set_title("Modules started against the trainers' capacity (dashed)")
    ax2.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


OUTCOME_PANELS = (("firms_reached", "firms reached"), ("accidents_averted", "accidents averted"),
                  ("jobs", "jobs at the end, net (persons)"), ("benefit_usd", "benefits (USD)"),
                  ("spend_total", "spending, all payers (USD)"), ("net_benefit_usd", "net present value (USD)"))
COST_PANELS = (("cost_per_firm_usd", "cost per firm reached (USD)"),
               ("cost_per_accident_averted_usd", "cost per accident averted (USD)"),
               ("benefit_cost_ratio", "benefit-cost ratio"), ("payback_months", "payback (months)"))


def _points(through: xr.Dataset, panels, title: str):
    """One panel per metric: the median and 90% interval of each strategy over the whole horizon."""
    plt = _plt()
    n = len(panels)
    cols = 3 if n > 4 else 2
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    labels = _labels(through)
    last = through.isel(year=-1)
    for ax, (k, name) in zip(axes.ravel(), panels):
        st = interval(last[k])
        y = np.arange(len(labels))
        med, lo, hi = st["median"].values, st["p5"].values, st["p95"].values
        ax.errorbar(med, y, xerr=[np.maximum(med - lo, 0), np.maximum(hi - med, 0)], fmt="o", capsize=3)
        _from_zero(ax, lo, hi)
        ax.set_yticks(y, labels, fontsize=8)
        ax.set_title(name, fontsize=9)
        _eng(ax.xaxis)
        ax.invert_yaxis()
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _from_zero(ax, lo: np.ndarray, hi: np.ndarray) -> None:
    """An axis that includes zero, with a line there, so that strategies compare by length."""
    finite = np.r_[lo[np.isfinite(lo)], hi[np.isfinite(hi)], 0.0]
    left, right = float(finite.min()), float(finite.max())
    pad = 0.05 * ((right - left) or 1.0)
    ax.set_xlim(left - pad if left < 0 else 0.0, right + pad if right > 0 else 0.0 + pad)
    ax.axvline(0, color="0.3", linewidth=0.8)


def outcomes(through: xr.Dataset):
    """What each strategy achieves over the horizon (median, 90% interval)."""
    return _points(through, OUTCOME_PANELS, "Outcomes by strategy over the horizon (median, 90% interval)")


def cost_per_outcome(through: xr.Dataset):
    """Cost per firm, per accident averted, benefit-cost ratio and payback by strategy."""
    return _points(through, COST_PANELS, "Cost per outcome by strategy (median, 90% interval)")


def frontier(points: pd.DataFrame, objective: str):
    """Cost-outcome frontier: the best verified allocation of each budget level (line), the other
    verified candidates and each strategy alone, with medians and 90% intervals of spending and
    of the objective over replicates; frontier points and strategies are labelled where a label
    fits without overlapping another."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    labelled = []
    styles = (("frontier", "o-", "C0", "frontier: best verified allocation"), ("candidate", "o", "C7", "other candidates"),
              ("strategy", "s", "C1", "one strategy alone"))
    for kind, marker, color, label in styles:
        if kind == "frontier":
            sub = points[points["frontier"]].sort_values("spend_median")
        elif kind == "candidate":
            sub = points[(points["kind"] == "candidate") & ~points["frontier"]]
        else:
            sub = points[(points["kind"] == "strategy") & ~points["frontier"]]
        if sub.empty:
            continue
        x, y = sub["spend_median"].values, sub["objective_median"].values
        ax.errorbar(x, y, xerr=[x - sub["spend_p5"].values, sub["spend_p95"].values - x],
                    yerr=[y - sub["objective_p5"].values, sub["objective_p95"].values - y],
                    fmt=marker, color=color, capsize=3, label=label, alpha=1.0 if kind == "frontier" else 0.7)
        if kind != "candidate":           # the other candidates are named in frontier.csv
            labelled.append(sub)
    ax.set_xlabel("spending, all payers (USD)")
    ax.set_ylabel(objective.replace("_", " "))
    _eng(ax.xaxis)
    _eng(ax.yaxis)
    ax.set_title("Cost-outcome frontier (median, 90% interval over replicates)")
    ax.legend(fontsize=8, loc="best")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(points["objective_p5"].values))))
    fig.tight_layout()
    for sub in labelled:                  # frontier points first: they matter most
        figtext.defer(ax, sub["spend_median"].values, sub["objective_median"].values, list(sub["name"]))
    figtext.finalise(fig)
    return fig


def save_figures(ds: xr.Dataset, through: xr.Dataset, out: Path) -> list[str]:
    """Write reach.png, outcomes.png and cost_per_outcome.png; return the file names."""
    plt = _plt()
    written = []
    for name, fig in (("reach.png", reach(ds)), ("outcomes.png", outcomes(through)),
                      ("cost_per_outcome.png", cost_per_outcome(through))):
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(name)
    return written


__all__ = ["reach", "outcomes", "cost_per_outcome", "frontier", "save_figures"]
