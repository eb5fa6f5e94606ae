"""Figures of sensitivity indices (:func:`scoresim.experiments.analysis.analyze`): functions
``(indices, output=None, ax=None) -> Figure`` for one output, grids of them, and
:func:`save_figures`. Nothing here computes results.

Figures are drawn with Matplotlib's object-oriented API on the Agg canvas (no pyplot, so no
global figure list to close and no display needed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import figtext

MAIN_INDEX = {"sobol": "ST", "fast": "ST", "morris": "mu_star", "latin": "S1", "factorial": "S1"}
PER_FILE = 12          # panels (outputs) per figure file
COLS = 3               # panels per row
TOP = 5                # factors labelled (Morris) or traced (convergence)
TOP_BARS = 20          # factors drawn as bars per output (the most important); all are in the tables
DPI = 110
COLORS = {"ST": "tab:blue", "S1": "tab:orange", "mu_star": "tab:blue"}

Panel = Callable[..., Figure]


# ---------------------------------------------------------------------------------------- panels
def bars(indices: xr.Dataset, output: str | None = None, ax: Axes | None = None) -> Figure:
    """Horizontal bars of the method's indices for one output, most important factor on top,
    with the half-width of the confidence interval as error bars: ST and S1 (sobol, fast,
    factorial: shares of variance), mu_star (morris: output units) or S1 (latin)."""
    fig, ax = _fig_ax(ax, _bar_size(indices))
    ix, names = _one(indices, output), _bar_names(indices)
    order = _order(indices, ix)[:TOP_BARS]
    y = np.arange(len(order))[::-1]
    height = 0.8 / len(names)
    for j, name in enumerate(names):
        values = ix[name].values[order]
        err = _conf(ix, name, order)
        ax.barh(y + (len(names) - 1 - 2 * j) * height / 2, values, height=height, xerr=err,
                color=COLORS.get(name, f"C{j}"), label=name, error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.set_yticks(y, [str(f) for f in ix["factor"].values[order]], fontsize=7)
    ax.axvline(0, color="k", linewidth=0.6)
    ax.set_xlabel(_xlabel(indices, ix), fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    more = indices.sizes["factor"] - len(order)
    ax.set_title(_title(ix) + (f"\n(top {len(order)} of {indices.sizes['factor']} factors)" if more else ""),
                 fontsize=9)
    if len(names) > 1 or _has_conf(ix, names):
        ax.legend(fontsize=7, title=_legend_title(indices), title_fontsize=6, loc="lower right")
    return fig


def morris_scatter(indices: xr.Dataset, output: str | None = None, ax: Axes | None = None) -> Figure:
    """Morris mu* against sigma (output units) for one output, with the top factors labelled
    and the lines sigma/mu* = 0.5 and 1: factors above them act non-linearly or interact."""
    standalone = ax is None
    fig, ax = _fig_ax(ax, (4.5, 4))
    ix = _one(indices, output)
    mu, sigma = ix["mu_star"].values, ix["sigma"].values
    ax.scatter(mu, sigma, s=14, color="tab:blue", zorder=3)
    top = max(np.nanmax(np.r_[mu, sigma, 0.0]), 1e-12) * 1.1
    for ratio, style in ((1.0, "-"), (0.5, "--")):
        ax.plot([0, top], [0, ratio * top], style, color="gray", linewidth=0.8, label=f"sigma/mu* = {ratio:g}")
    labels = _short_names([str(f) for f in ix["factor"].values])
    order = _order(indices, ix)[:TOP]
    figtext.defer(ax, mu[order], sigma[order], [labels[i] for i in order], fontsize=6)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"mu* ({_units(ix)})", fontsize=8)
    ax.set_ylabel(f"sigma ({_units(ix)})", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, loc="upper left")
    ax.set_title(_title(ix), fontsize=9)
    if standalone:
        figtext.finalise(fig)
    return fig


def s2_heatmap(indices: xr.Dataset, output: str | None = None, ax: Axes | None = None) -> Figure:
    """Second-order Sobol indices S2 (share of variance) of one output as a heat map of the
    factor pairs (upper triangle)."""
    k = indices.sizes["factor"]
    fig, ax = _fig_ax(ax, _s2_size(k))
    ix = _one(indices, output)
    s2 = np.ma.masked_invalid(ix["S2"].values)
    vmax = max(float(np.abs(s2).max()) if s2.count() else 0.0, 0.01)
    im = ax.imshow(s2, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    labels = [str(f) for f in ix["factor"].values]
    ax.set_xticks(range(k), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(k), labels, fontsize=7)
    if k <= 12:
        for i, j in zip(*np.nonzero(~s2.mask)):
            ax.text(j, i, f"{s2[i, j]:.2f}", ha="center", va="center", fontsize=6,
                    color="white" if abs(s2[i, j]) > 0.6 * vmax else "black")
    bar = ax.figure.colorbar(im, ax=ax, shrink=0.8)
    bar.set_label("S2 (share of variance)", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    ax.set_title(_title(ix), fontsize=9)
    return fig


def convergence(indices: xr.Dataset, output: str | None = None, ax: Axes | None = None,
                colors: dict[str, str] | None = None) -> Figure:
    """The main index of the top factors of one output against the sample size (base samples,
    trajectories or points): ST solid and S1 dashed (sobol), mu_star (morris), S1 (latin).
    ``colors`` maps factor names to colours, so that a colour means the same factor in every
    panel of a grid (default: :func:`factor_colors` of this output)."""
    fig, ax = _fig_ax(ax, (4.5, 3.5))
    ix = _one(indices, output)
    colors = colors or factor_colors(indices, [str(ix["output"].values)])
    n = indices["sample_size"].values
    lines = [(f"{name}_by_n", style) for name, style in (("ST", "-"), ("mu_star", "-"), ("S1", "--"))
             if f"{name}_by_n" in ix]
    for i in _order(indices, ix)[:TOP]:
        factor = str(ix["factor"].values[i])
        for j, (name, style) in enumerate(lines):
            ax.plot(n, ix[name].values[:, i], style if len(lines) > 1 else "-", marker="o", markersize=3,
                    color=colors.get(factor, "0.5"), label=factor if j == 0 else None)
    if len(n) > 1:
        ax.set_xscale("log", base=2)
        ax.set_xticks(n, [str(v) for v in n])
        ax.minorticks_off()
    ax.set_xlabel(str(indices["sample_size"].attrs.get("long_name", "sample size")), fontsize=8)
    ax.set_ylabel(_xlabel(indices, ix) + (" (solid ST, dashed S1)" if "ST_by_n" in ix else ""), fontsize=7)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6)
    ax.set_title(_title(ix), fontsize=9)
    return fig


def factor_colors(indices: xr.Dataset, outputs: list[str]) -> dict[str, str]:
    """One colour per factor among the top :data:`TOP` of any of ``outputs`` (in order of first
    appearance), the same in every panel: tab10, or tab20 for up to 20 factors."""
    names: list[str] = []
    for o in outputs:
        ix = _one(indices, o)
        names += [str(ix["factor"].values[i]) for i in _order(indices, ix)[:TOP]]
    names = list(dict.fromkeys(names))
    palette = [f"C{i}" for i in range(10)] if len(names) <= 10 else [
        matplotlib.colors.to_hex(matplotlib.colormaps["tab20"](i)) for i in range(20)]
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


# ---------------------------------------------------------------------------------------- grids and files
def grid(indices: xr.Dataset, panel: Panel, outputs: list[str] | None = None) -> Figure:
    """One ``panel`` per output in a grid of up to :data:`COLS` columns."""
    outputs = [str(o) for o in indices["output"].values] if outputs is None else outputs
    w, h = _panel_size(indices, panel)
    cols = min(COLS, len(outputs))
    rows = math.ceil(len(outputs) / cols)
    fig = _new_figure((w * cols, h * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    extra = {"colors": factor_colors(indices, outputs)} if panel is convergence else {}
    for ax, name in zip(axes, outputs):
        panel(indices, name, ax=ax, **extra)
    for ax in axes[len(outputs):]:
        ax.set_visible(False)
    fig.suptitle(str(indices.attrs.get("title", "sensitivity indices")), fontsize=10)
    figtext.finalise(fig)
    return fig


def save_figures(indices: xr.Dataset, directory: str | Path) -> list[str]:
    """Write the figures the method allows as PNG files in ``directory``, :data:`PER_FILE`
    outputs per file (``indices.png``, or ``indices_1.png``, ``indices_2.png``... when there
    are more): indices (bars), morris (mu*-sigma), second_order (S2), convergence. Returns the
    file names."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    outputs = [str(o) for o in indices["output"].values]
    chunks = [outputs[i:i + PER_FILE] for i in range(0, len(outputs), PER_FILE)]
    written = []
    for stem, panel in _panels(indices).items():
        for c, chunk in enumerate(chunks, start=1):
            name = f"{stem}.png" if len(chunks) == 1 else f"{stem}_{c}.png"
            grid(indices, panel, chunk).savefig(directory / name, dpi=DPI)
            written.append(name)
    return written


def _panels(indices: xr.Dataset) -> dict[str, Panel]:
    """File stem -> panel function, for the figures this method's indices allow."""
    out: dict[str, Panel] = {"indices": bars}
    if "sigma" in indices and "mu_star" in indices:
        out["morris"] = morris_scatter
    if "S2" in indices:
        out["second_order"] = s2_heatmap
    if "sample_size" in indices.dims:
        out["convergence"] = convergence
    return out


# ---------------------------------------------------------------------------------------- helpers
def _new_figure(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _fig_ax(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig = _new_figure(size)
        return fig, fig.add_subplot()
    return ax.figure, ax


def _panel_size(indices: xr.Dataset, panel: Panel) -> tuple[float, float]:
    k = indices.sizes["factor"]
    if panel is bars:
        return _bar_size(indices)
    if panel is s2_heatmap:
        return _s2_size(k)
    return 4.5, 3.8


def _s2_size(k: int) -> tuple[float, float]:
    return min(2.5 + 0.45 * k, 12), min(2 + 0.4 * k, 11)


def _bar_size(indices: xr.Dataset) -> tuple[float, float]:
    """Width leaves room for long factor names; height grows with the number of factors."""
    longest = max(len(str(f)) for f in indices["factor"].values)
    return 3.2 + 0.06 * longest, 1.3 + 0.22 * min(indices.sizes["factor"], TOP_BARS)


def _bar_names(indices: xr.Dataset) -> list[str]:
    """Indices drawn as bars: ST and S1 when both exist, else the method's main index."""
    if "ST" in indices and "S1" in indices:
        return ["ST", "S1"]
    return [MAIN_INDEX.get(str(indices.attrs.get("method", "")), "S1")]


def _short_names(names: list[str]) -> list[str]:
    """The last part of each dotted parameter path, or the whole path where that is ambiguous."""
    last = [n.rsplit(".", 1)[-1] for n in names]
    return [s if last.count(s) == 1 else n for s, n in zip(last, names)]


def _one(indices: xr.Dataset, output: str | None) -> xr.Dataset:
    return indices.sel(output=str(indices["output"].values[0]) if output is None else output)


def _order(indices: xr.Dataset, ix: xr.Dataset) -> np.ndarray:
    """Factor positions, most important first (NaN last)."""
    main = ix[MAIN_INDEX.get(str(indices.attrs.get("method", "")), "S1")].values
    return np.argsort(np.where(np.isnan(main), -np.inf, main), kind="stable")[::-1]


def _conf(ix: xr.Dataset, name: str, order: np.ndarray) -> np.ndarray | None:
    conf = f"{name}_conf"
    if conf not in ix or np.isnan(ix[conf].values).all():
        return None
    return np.nan_to_num(ix[conf].values[order])


def _has_conf(ix: xr.Dataset, names: list[str]) -> bool:
    return any(f"{n}_conf" in ix and not np.isnan(ix[f"{n}_conf"].values).all() for n in names)


def _legend_title(indices: xr.Dataset) -> str:
    if str(indices.attrs.get("method")) == "factorial":
        return "exact (grid)"
    return f"{100 * float(indices.attrs.get('conf_level', 0.95)):g}% interval"


def _units(ix: xr.Dataset) -> str:
    units = str(ix["output_units"].values) if "output_units" in ix.coords else ""
    return units or "output units"


def _xlabel(indices: xr.Dataset, ix: xr.Dataset | None = None) -> str:
    if str(indices.attrs.get("method")) == "morris":
        return f"mu* ({_units(ix)})" if ix is not None else "mu* (output units)"
    return "share of output variance"


def _title(ix: xr.Dataset) -> str:
    units = str(ix["output_units"].values) if "output_units" in ix.coords else ""
    return f"{ix['output'].values}" + (f" [{units}]" if units else "")
