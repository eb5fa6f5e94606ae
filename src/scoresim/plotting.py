"""Figures of a run: functions ``(dataset, ax=None) -> Figure``; nothing here computes results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .figtext import axis_label  # noqa: E402

from .ensemble import TRAJECTORIES  # noqa: E402
COLORS = {"programme": "tab:blue", "counterfactual": "tab:gray"}


def series(ds: xr.Dataset, var: str) -> xr.DataArray:
    """(replicate, world, time, group) trajectory of ``var`` for participants and
    non-participants in business: an ensemble summary's, or computed from a run dataset."""
    if f"trajectory_{var}" in ds:
        return ds[f"trajectory_{var}"]
    from .ensemble import trajectory as compute

    return compute(ds, var)


LINES = (("programme", "participants", "participants", "tab:blue", "-"),
         ("counterfactual", "participants", "participants without the programme", "tab:gray", "-"),
         ("programme", "non_participants", "non-participants", "tab:orange", "--"))
"""The trajectories drawn: (world, group, label, colour, style)."""


def trajectory(ds: xr.Dataset, var: str, ax=None):
    """Mean of ``var`` over time for participants in each world and for non-participants:
    median and 5-95% band over replicates."""
    fig, ax = _fig_ax(ax)
    data = series(ds, var)
    t = data["time"].values
    for world, group, label, color, style in LINES:
        if world not in data["world"].values:
            continue
        s = data.sel(world=world, group=group)
        if not np.isfinite(s.values).any():
            continue
        ax.plot(t, s.median("replicate"), style, color=color, label=label, linewidth=1.2)
        if data.sizes["replicate"] > 1:
            ax.fill_between(t, s.quantile(0.05, "replicate"), s.quantile(0.95, "replicate"),
                            color=color, alpha=0.2, linewidth=0)
    _dates(ax)
    ax.set_title(data.attrs.get("long_name", var).replace(", mean of firms in business", ""), fontsize=9)
    units = data.attrs.get("units", "")
    ax.set_ylabel(units if units.startswith("index") else axis_label(var, units, UNITS_IN_WORDS), fontsize=8)
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
    fig.suptitle("Firms in business (worker-weighted mean; band: 5-95% over replicates; productivity, defects and "
                 "energy as an index of each firm's first year)", fontsize=10)
    return fig


def practices(ds: xr.Dataset, ax=None):
    """Participants' mean practice level per area over time in each world (median over replicates)."""
    fig, ax = _fig_ax(ax)
    if "trajectory_practice" in ds:
        data = ds["trajectory_practice"]
    else:
        from .ensemble import practice_trajectory

        data = practice_trajectory(ds)
    x = data.sel(group="participants").median("replicate")
    styles = {"programme": "-", "counterfactual": ":"}
    for i, area in enumerate(data["area"].values):
        for world in data["world"].values:
            ax.plot(data["time"].values, x.sel(area=area, world=world), styles.get(str(world), "-"),
                    color=f"C{i}", label=f"{area} ({world})" if world == data["world"].values[0] else None)
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
