"""Figures of a comparison: each scenario's estimands, and the differences from the baseline,
per indicator, with 90% intervals. One panel per estimand; relative indicators on a
percentage axis, adoption (a practice level on the 0-1 scale) on its own axis beneath. A
scenario keeps its colour in every panel and both figures."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .core import ESTIMAND_LABELS

DPI = 110


def _color(s: int) -> str:
    return f"C{s % 10}"


def _layout(result: xr.Dataset) -> tuple[Figure, list, list[str], list[str]]:
    relative = [str(i) for i, k in zip(result["indicator"].values, result["indicator_kind"].values) if k != "points"]
    points = [str(i) for i, k in zip(result["indicator"].values, result["indicator_kind"].values) if k == "points"]
    n = result.sizes["estimand"]
    scen = result.sizes["scenario"]
    height = 0.32 * len(relative) * max(scen, 2) + (0.9 if points else 0) + 1.6
    fig = Figure(figsize=(3.6 * n + 1.4, height), layout="constrained")
    FigureCanvasAgg(fig)
    ratios = [max(len(relative), 1) * max(scen, 2), max(len(points), 1) * max(scen, 2) + 1.5] if points else [1]
    axes = fig.subplots(len(ratios), n, squeeze=False, sharex="row", gridspec_kw={"height_ratios": ratios})
    return fig, axes, relative, points


def _panel(ax, result: xr.Dataset, var: str, estimand: str, names: list[str], scenarios: list[int], scale: float):
    y = np.arange(len(names))
    k = len(scenarios)
    for j, s in enumerate(scenarios):
        q = result[var].isel(scenario=s).sel(estimand=estimand, indicator=names).values * scale
        off = (j - (k - 1) / 2) * (0.7 / max(k, 1))
        mid, lo, hi = q[:, 1], q[:, 0], q[:, 2]
        ok = np.isfinite(mid)
        ax.errorbar(mid[ok], (y + off)[ok], xerr=[np.maximum(mid - lo, 0)[ok], np.maximum(hi - mid, 0)[ok]],
                    fmt="o", markersize=4, capsize=2, color=_color(s), label=str(result["scenario"].values[s]))
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.tick_params(axis="x", labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.grid(axis="x", color="0.9")


def _figure(result: xr.Dataset, var: str, scenarios: list[int], title: str, rel_label: str, pts_label: str):
    fig, axes, relative, points = _layout(result)
    scale_rel = 100.0
    for c, k in enumerate(result["estimand"].values):
        k = str(k)
        ax = axes[0, c]
        _panel(ax, result, var, k, relative, scenarios, scale_rel)
        ax.set_title(ESTIMAND_LABELS.get(k, k), fontsize=9)
        ax.set_xlabel(rel_label, fontsize=8)
        if c:
            ax.tick_params(axis="y", labelleft=False)
        if points:
            axp = axes[1, c]
            _panel(axp, result, var, k, points, scenarios, 1.0)
            axp.set_xlabel(pts_label, fontsize=8)
            if c:
                axp.tick_params(axis="y", labelleft=False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4), fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


def values(result: xr.Dataset) -> Figure:
    """Each scenario's estimands per indicator: median and 90% interval over replicates."""
    return _figure(result, "value_q", list(range(result.sizes["scenario"])),
                   "Each scenario's results for participating firms (median, 90% interval over replicates)",
                   "change, % (relative)", "practice level change (0-1 scale)")


def differences(result: xr.Dataset) -> Figure:
    """Each scenario less the baseline per indicator and estimand, median and 90% interval."""
    paired = "paired replicates" if result.attrs.get("paired") else "unpaired: any two replicates"
    return _figure(result, "difference_q", list(range(1, result.sizes["scenario"])),
                   f"Difference from the baseline, {result.attrs['baseline']} (median, 90% interval; {paired})",
                   "difference, percentage points", "difference in practice level (0-1 scale)")


def save_figures(result: xr.Dataset, out) -> list[str]:
    """Write differences.png and values.png into ``out``; return their names."""
    written = []
    for name, fig in (("differences.png", differences(result)), ("values.png", values(result))):
        fig.savefig(f"{out}/{name}", dpi=DPI)
        written.append(name)
    return written
