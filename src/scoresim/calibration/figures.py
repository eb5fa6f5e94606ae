"""Figures of a calibration: posterior marginals, pairs, and the posterior predictive against
each target. Functions take the data and return a matplotlib Figure (Agg canvas)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .targets import Calibration

DPI = 110
COLS = 4


def _figure(w: float, h: float) -> Figure:
    fig = Figure(figsize=(w, h))
    FigureCanvasAgg(fig)
    return fig


def _short(path: str) -> str:
    return path.split(".", 1)[-1]


def marginals(posterior: xr.Dataset) -> Figure:
    """Histogram of each parameter's posterior draws over its prior range."""
    from ..experiments.spec import ParameterSpec
    from .priors import prior_dist

    names = [str(p) for p in posterior["parameter"].values]
    params = [ParameterSpec(**p) for p in json.loads(posterior.attrs.get("parameters", "[]"))]
    rows = math.ceil(len(names) / COLS)
    fig = _figure(3.2 * COLS, 2.4 * rows)
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, COLS, i + 1)
        lo, hi = float(posterior["prior_low"][i]), float(posterior["prior_high"][i])
        ax.hist(posterior["value"].values[:, i], bins=25, range=(lo, hi), density=True, color="tab:blue", alpha=0.8,
                label="posterior")
        if i < len(params):
            grid = np.linspace(lo, hi, 200)
            ax.plot(grid, prior_dist(params[i]).pdf(grid), color="0.4", linestyle="--", linewidth=1, label="prior")
        ax.axvline(np.median(posterior["value"].values[:, i]), color="k", linewidth=1)
        ax.set_xlim(lo, hi)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=6)
    fig.suptitle("posterior marginals (line: median; dashed: the prior's density)", fontsize=9)
    fig.tight_layout()
    return fig


def pairs(posterior: xr.Dataset) -> Figure:
    """Scatter of every pair of parameters' posterior draws (lower triangle), histograms on the
    diagonal: correlations show what the targets leave unresolved."""
    v = posterior["value"].values
    names = [str(p) for p in posterior["parameter"].values]
    k = len(names)
    fig = _figure(1.6 * k + 1, 1.6 * k + 1)
    for i in range(k):
        for j in range(i + 1):
            ax = fig.add_subplot(k, k, i * k + j + 1)
            if i == j:
                ax.hist(v[:, i], bins=20, color="tab:blue")
            else:
                ax.scatter(v[:, j], v[:, i], s=2, alpha=0.5, color="tab:blue")
                ax.set_ylim(float(posterior["prior_low"][i]), float(posterior["prior_high"][i]))
            ax.set_xlim(float(posterior["prior_low"][j]), float(posterior["prior_high"][j]))
            ax.tick_params(labelsize=5)
            if i == k - 1:
                ax.set_xlabel(_short(names[j]), fontsize=6)
            if j == 0:
                ax.set_ylabel(_short(names[i]), fontsize=6)
    fig.suptitle("posterior pairs", fontsize=9)
    fig.tight_layout()
    return fig


def predictive(cal: Calibration, pred: xr.Dataset) -> Figure:
    """Per monitoring target and trial: printed value or range (band: with tolerance), simulated
    median and 90% interval of the posterior predictive."""
    items = [(t, "") for t in cal.spec.targets] + [(t, " (trial)") for t in cal.spec.evidence]
    rows = math.ceil(len(items) / COLS)
    fig = _figure(3.2 * COLS, 2.0 * rows)
    for i, (t, kind) in enumerate(items):
        ax = fig.add_subplot(rows, COLS, i + 1)
        lo, hi = t.bounds
        ax.axvspan(lo - t.tolerance, hi + t.tolerance, color="tab:green", alpha=0.15, label="printed ± tolerance")
        if hi > lo:
            ax.axvspan(lo, hi, color="tab:green", alpha=0.5)
        else:
            ax.axvline(lo, color="tab:green")
        x = pred["value"].sel(statistic=t.statistic).values
        x = x[np.isfinite(x)]
        if len(x):
            q05, med, q95 = np.quantile(x, [0.05, 0.5, 0.95])
            ax.errorbar([med], [0], xerr=[[med - q05], [q95 - med]], fmt="o", color="k", capsize=3,
                        label="simulated median, 90%")
            left, right = min(lo - 2 * t.tolerance, q05), max(hi + 2 * t.tolerance, q95)
            pad = 0.05 * (right - left)
            ax.set_xlim(left - pad, right + pad)
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_title(f"{t.id}{kind}" + ("" if t.weight > 0 else " (not fitted)"), fontsize=8)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=6, loc="upper left")
    fig.suptitle(f"posterior predictive against the {cal.spec.name} targets and trial evidence", fontsize=9)
    fig.tight_layout()
    return fig


def save(cal: Calibration, posterior: xr.Dataset, pred: xr.Dataset, out: Path) -> list[str]:
    """Write the three figures as PNG files in ``out``; return their names."""
    written = []
    for name, fig in (("posterior_marginals.png", marginals(posterior)), ("posterior_pairs.png", pairs(posterior)),
                      ("predictive.png", predictive(cal, pred))):
        fig.savefig(out / name, dpi=DPI)
        written.append(name)
    return written
