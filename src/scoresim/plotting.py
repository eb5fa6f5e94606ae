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


def participants_mean(ds: xr.Dataset, var: str) -> xr.DataArray:
    """Worker-weighted mean of ``var`` over participants (replicate, world, time)."""
    part = ds["participant"].values.astype(bool)
    x = ds[var].isel(firm=np.flatnonzero(part))
    w = ds["workers"].isel(firm=np.flatnonzero(part)).astype(float)
    return (x * w).sum("firm") / w.sum()


def trajectory(ds: xr.Dataset, var: str, ax=None):
    """Participants' mean of ``var`` over time in each world: median and 5-95% band over replicates."""
    fig, ax = _fig_ax(ax)
    series = participants_mean(ds, var)
    t = ds["time"].values
    for world in ds["world"].values:
        s = series.sel(world=world)
        ax.plot(t, s.median("replicate"), color=COLORS.get(str(world)), label=str(world))
        if ds.sizes["replicate"] > 1:
            ax.fill_between(t, s.quantile(0.05, "replicate"), s.quantile(0.95, "replicate"),
                            color=COLORS.get(str(world)), alpha=0.25, linewidth=0)
    _dates(ax)
    ax.set_title(ds[var].attrs.get("long_name", var), fontsize=9)
    ax.set_ylabel(axis_label(var, ds[var].attrs.get("units", "")), fontsize=8)
    ax.tick_params(labelsize=7)
    return fig


def trajectories(ds: xr.Dataset, variables: tuple[str, ...] = TRAJECTORIES):
    """A grid of :func:`trajectory` panels, treated vs counterfactual."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), constrained_layout=True)
    for ax, var in zip(axes.ravel(), variables):
        trajectory(ds, var, ax=ax)
    axes.ravel()[0].legend(fontsize=8)
    fig.suptitle("Participating firms (worker-weighted mean; band: 5-95% over replicates)", fontsize=10)
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


def effects(ds: xr.Dataset, ax=None):
    """Reported change vs causal effect per relative indicator, with the 90% interval."""
    fig, ax = _fig_ax(ax)
    names = [str(n) for n in ds["indicator"].values if str(n) != "adoption"]
    y = np.arange(len(names))
    rep = ds["mean_reported_change"].sel(indicator=names)
    eff = ds["effect"].sel(indicator=names)
    ax.barh(y + 0.2, 100 * rep.median("replicate"), height=0.4, color="tab:orange", label="reported change")
    med = 100 * eff.median("replicate")
    err = np.abs(100 * eff.quantile([0.05, 0.95], "replicate").values - med.values)
    ax.barh(y - 0.2, med, height=0.4, xerr=err, color="tab:blue", label="causal effect (90% interval)")
    ax.set_yticks(y, names)
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_xlabel("change, % (relative to before, or to the counterfactual)")
    ax.legend(fontsize=8)
    ax.set_title("What participants would report vs what the programme caused")
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


def _fig_ax(ax):
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
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
