"""Figures of a run: functions ``(dataset, ax=None) -> Figure``; nothing here computes results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .figtext import axis_label  # noqa: E402

TRAJECTORIES = ("accident_rate", "absence_rate", "defect_rate", "productivity", "energy_per_unit",
                "engagement")
COLORS = {"programme": "tab:blue", "counterfactual": "tab:gray"}


def group_mean(ds: xr.Dataset, var: str, participants: bool = True) -> xr.DataArray:
    """Worker-weighted mean of ``var`` over participants (or non-participants) still in
    business (replicate, world, time)."""
    part = ds["participant"].values.astype(bool)
    idx = np.flatnonzero(part if participants else ~part)
    x = ds[var].isel(firm=idx)
    w = ds["workers"].isel(firm=idx).astype(float) * np.isfinite(x)
    return (x.fillna(0) * w).sum("firm") / w.sum("firm")


participants_mean = group_mean


LINES = (("programme", True, "participants", "tab:blue", "-"),
         ("counterfactual", True, "participants without the programme", "tab:gray", "-"),
         ("programme", False, "non-participants", "tab:orange", "--"))
"""The trajectories drawn: (world, participants, label, colour, style)."""


def trajectory(ds: xr.Dataset, var: str, ax=None):
    """Mean of ``var`` over time for participants in each world and for non-participants:
    median and 5-95% band over replicates."""
    fig, ax = _fig_ax(ax)
    t = ds["time"].values
    has_others = (~ds["participant"].values.astype(bool)).any()
    for world, participants, label, color, style in LINES:
        if world not in ds["world"].values or (not participants and not has_others):
            continue
        s = group_mean(ds, var, participants).sel(world=world)
        ax.plot(t, s.median("replicate"), style, color=color, label=label, linewidth=1.2)
        if ds.sizes["replicate"] > 1:
            ax.fill_between(t, s.quantile(0.05, "replicate"), s.quantile(0.95, "replicate"),
                            color=color, alpha=0.2, linewidth=0)
    _dates(ax)
    ax.set_title(ds[var].attrs.get("long_name", var), fontsize=9)
    ax.set_ylabel(axis_label(var, ds[var].attrs.get("units", ""), UNITS_IN_WORDS), fontsize=8)
    ax.tick_params(labelsize=7)
    return fig


UNITS_IN_WORDS = {"1": "share", "units/worker-day": "units per worker-day", "kWh/unit": "kWh per unit",
                  "accidents/100 workers/year": "accidents per 100 workers a year"}


def trajectories(ds: xr.Dataset, variables: tuple[str, ...] = TRAJECTORIES):
    """A grid of :func:`trajectory` panels, treated vs counterfactual."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), constrained_layout=True)
    for ax, var in zip(axes.ravel(), variables):
        trajectory(ds, var, ax=ax)
    axes.ravel()[0].legend(fontsize=8)
    fig.suptitle("Firms in business (worker-weighted mean; band: 5-95% over replicates)", fontsize=10)
    return fig


def practices(ds: xr.Dataset, ax=None):
    """Participants' mean practice level per area over time in each world."""
    fig, ax = _fig_ax(ax)
    part = np.flatnonzero(ds["participant"].values.astype(bool))
    x = ds["practice"].isel(firm=part).mean(("firm", "replicate"))
    styles = {"programme": "-", "counterfactual": ":"}
    for i, area in enumerate(ds["area"].values):
        for world in ds["world"].values:
            ax.plot(ds["time"].values, x.sel(area=area, world=world), styles.get(str(world), "-"),
                    color=f"C{i}", label=f"{area} ({world})" if world == ds["world"].values[0] else None)
    _dates(ax)
    ax.set_ylabel("practice level (0-1 scale)")
    ax.set_title("Participants' management practices (dotted: counterfactual)")
    ax.legend(fontsize=7)
    return fig


ESTIMAND_STYLE = (("reported", "mean_reported_change", "reported by participants", "tab:orange"),
                  ("did", "did_estimate", "evaluator (difference in differences)", "tab:green"),
                  ("causal", "effect", "causal effect", "tab:blue"))


def effects(ds: xr.Dataset, ax=None):
    """The three estimands per relative indicator: medians with 90% ranges over replicates."""
    fig, ax = _fig_ax(ax, (7.5, 5))
    names = [str(n) for n in ds["indicator"].values if str(n) != "adoption"]
    y = np.arange(len(names))
    shown = [e for e in ESTIMAND_STYLE if e[1] in ds and np.isfinite(ds[e[1]].values).any()]
    height = 0.8 / max(len(shown), 1)
    for k, (_, var, label, color) in enumerate(shown):
        v = 100 * ds[var].sel(indicator=names)
        med = v.median("replicate").values
        lo, hi = v.quantile([0.05, 0.95], "replicate").values
        offset = (len(shown) - 1) / 2 - k
        ax.barh(y + offset * height, med, height=height, color=color, label=label,
                xerr=np.abs(np.stack([lo, hi]) - med), error_kw={"linewidth": 0.8})
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_xlabel("change, % (medians; whiskers: 90% range over replicates)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("What participants report, what an evaluator finds, what the programme caused", fontsize=10)
    return fig


def _dates(ax) -> None:
    """At most about six short date labels on a monthly time axis: years, or every few months
    for a run of under three years."""
    lo, hi = ax.get_xlim()
    years = (hi - lo) / 365.25
    if years >= 3:
        locator = mdates.YearLocator(base=max(1, int(np.ceil(years / 6))))
    else:
        locator = mdates.MonthLocator(interval=max(1, int(np.ceil(years * 12 / 6))))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _fig_ax(ax, size: tuple[float, float] = (7, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=size, constrained_layout=True)
        return fig, ax
    return ax.figure, ax


def save_figures(ds: xr.Dataset, directory) -> list[str]:
    """Write the standard figures of a run as PNG files; returns their names."""
    out = []
    figs = {"trajectories.png": trajectories(ds), "practices.png": practices(ds)}
    if "counterfactual" in ds["world"].values:
        figs["effects.png"] = effects(ds)
    for name, fig in figs.items():
        fig.savefig(f"{directory}/{name}", dpi=110)
        plt.close(fig)
        out.append(name)
    return out
