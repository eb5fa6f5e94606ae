"""What participating firms would report, beside the causal effect of the programme.

SCORE's Phase I figures are self-reported before/after changes with no comparison group. For
each participant and indicator this module computes, in every replicate:

* the *reported change*: the indicator's mean over the ``window_months`` after completion
  (after ``lag_months``) against its mean over the ``window_months`` before the first
  workshop, in the programme world, relative ((after - before) / before) or, for adoption,
  in practice points; firms whose baseline is zero cannot report a relative change (NaN);
* whether the firm *reports an improvement*: a change beyond ``threshold`` (for adoption,
  ``adoption_threshold`` points) in the good direction;
* the *causal effect*: the programme world against the counterfactual over the same
  after-window, per firm relative to the counterfactual.

Aggregates per replicate: the mean reported change over firms that can report, the share of
participants reporting improvement, and the causal effect averaged over participants. For
accidents, a rare event, both the mean change and the effect are pooled ratios of accident
counts summed over participants: a mean of per-firm ratios of small counts is biased upward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from .params import ReportingParams


@dataclass(frozen=True)
class Indicator:
    """An outcome participants report on."""

    variable: str      # firm output it is computed from ("practice_taken" for adoption)
    direction: int     # +1 when higher is better, -1 when lower is better
    kind: str          # "relative" change or practice "points"
    phase1: str        # the Phase I figure as printed, "" when none
    phase1_change: tuple[float, float] | None = None  # printed mean change (range)
    phase1_share: tuple[float, float] | None = None   # printed share of firms reporting improvement


INDICATORS: dict[str, Indicator] = {
    "adoption": Indicator("practice_taken", +1, "points", "75-80% adopted good practices",
                          phase1_share=(0.75, 0.80)),
    "relations": Indicator("engagement", +1, "relative", "70% improved workplace relations",
                           phase1_share=(0.70, 0.70)),
    "defects": Indicator("defect_rate", -1, "relative", "80% lower defects, -10% average",
                         phase1_change=(-0.10, -0.10), phase1_share=(0.80, 0.80)),
    "accidents": Indicator("accidents", -1, "relative", "16% fewer accidents",
                           phase1_change=(-0.16, -0.16)),
    "absenteeism": Indicator("absence_rate", -1, "relative", "absenteeism -3.6%",
                             phase1_change=(-0.036, -0.036)),
    "productivity": Indicator("productivity", +1, "relative", "+15 to 50%",
                              phase1_change=(0.15, 0.50)),
    "energy": Indicator("energy_per_unit", -1, "relative", "-2% kWh per unit",
                        phase1_change=(-0.02, -0.02)),
    "unit_cost": Indicator("unit_cost", -1, "relative", ">50% reported cost savings",
                           phase1_share=(0.50, 1.0)),
}
POOLED = {"accidents"}


def window_means(x: np.ndarray, first: np.ndarray, length: int) -> np.ndarray:
    """Means of ``x`` (..., T, K) over months [first_k, first_k + length) per firm k; NaN where
    the window leaves the simulated period."""
    T = x.shape[-2]
    cs = np.concatenate([np.zeros(x.shape[:-2] + (1, x.shape[-1])), np.cumsum(x, axis=-2)], axis=-2)
    ok = (first >= 0) & (first + length <= T)
    a = np.clip(first, 0, T)
    b = np.clip(first + length, 0, T)
    k = np.arange(x.shape[-1])
    out = (cs[..., b, k] - cs[..., a, k]) / length
    return np.where(ok, out, np.nan)


def indicator_panel(ds: xr.Dataset, name: str) -> np.ndarray:
    """(replicate, world, time, firm) values of an indicator's variable."""
    var = INDICATORS[name].variable
    if var == "practice_taken":
        taken = ds["module_taken"].values.astype(float)             # (firm, area)
        n = np.maximum(taken.sum(axis=1), 1.0)
        return (ds["practice"].values * taken).sum(axis=-1) / n
    return ds[var].values.astype(float)


def _windows(ds: xr.Dataset, rp: ReportingParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(firm,) first month of each participant's before- and after-window (-1: none), and
    whether both windows lie inside the simulated period."""
    part = ds["participant"].values.astype(bool)
    before = np.where(part, ds["enrol_month"].values - rp.window_months, -1)
    after = np.where(part, ds["completion_month"].values + 1 + rp.lag_months, -1)
    valid = part & (before >= 0) & (after + rp.window_months <= ds.sizes["time"])
    return before, after, valid


def firm_reports(ds: xr.Dataset, rp: ReportingParams) -> xr.Dataset:
    """Per participant (replicate, indicator, firm): window means, reported change,
    improvement and causal effect (NaN for firms without both windows)."""
    worlds = list(ds["world"].values)
    pw = worlds.index("programme") if "programme" in worlds else None
    cw = worlds.index("counterfactual") if "counterfactual" in worlds else None
    before_first, after_first, _ = _windows(ds, rp)
    names = list(INDICATORS)
    shape = (ds.sizes["replicate"], len(names), ds.sizes["firm"])
    before, after, cf = (np.full(shape, np.nan) for _ in range(3))
    for i, name in enumerate(names):
        if pw is None:
            break
        x = indicator_panel(ds, name)
        before[:, i] = window_means(x[:, pw], before_first, rp.window_months)
        after[:, i] = window_means(x[:, pw], after_first, rp.window_months)
        if cw is not None:
            cf[:, i] = window_means(x[:, cw], after_first, rp.window_months)
    points = np.array([INDICATORS[n].kind == "points" for n in names])[None, :, None]
    direction = np.array([INDICATORS[n].direction for n in names])[None, :, None]
    threshold = np.where(points, rp.adoption_threshold, rp.threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(points, after - before, np.where(before > 0, after / before - 1, np.nan))
        effect = np.where(points, after - cf, np.where(cf > 0, after / cf - 1, np.nan))
    improved = np.nan_to_num(direction * change, nan=-np.inf) > threshold
    dims = ("replicate", "indicator", "firm")
    rel = "1 (relative) or practice points (adoption)"
    return xr.Dataset(
        {
            "window_before": (dims, before, {"units": "indicator units", "long_name":
                                             "mean over the months before the first workshop (programme world)"}),
            "window_after": (dims, after, {"units": "indicator units", "long_name":
                                           "mean over the months after completion (programme world)"}),
            "window_after_counterfactual": (dims, cf, {"units": "indicator units", "long_name":
                                                       "mean over the same months, counterfactual world"}),
            "reported_change": (dims, change, {"units": rel,
                                               "long_name": "change a participant would report, after vs before"}),
            "reports_improvement": (dims, improved, {"units": "1", "long_name":
                                                     "participant reports an improvement beyond the threshold"}),
            "firm_effect": (dims, effect, {"units": rel,
                                           "long_name": "causal effect: programme vs counterfactual world"}),
        },
        coords={"indicator": names},
    )


def aggregate_reports(ds: xr.Dataset, reports: xr.Dataset, rp: ReportingParams) -> xr.Dataset:
    """Per replicate and indicator: mean reported change, share reporting improvement, effect.
    Pooled indicators (accidents) use ratios of sums of the window means instead."""
    _, _, valid = _windows(ds, rp)
    get = lambda k: reports[k].values[..., valid]  # noqa: E731  (replicate, indicator, reporting firm)
    names = list(reports["indicator"].values)
    with np.errstate(invalid="ignore", divide="ignore"), _quiet():
        mean_change = np.nanmean(get("reported_change"), axis=-1)
        share = get("reports_improvement").mean(axis=-1) if valid.any() else np.full(mean_change.shape, np.nan)
        eff = np.nanmean(get("firm_effect"), axis=-1)
        for name in POOLED & set(names):
            i = names.index(name)
            after = get("window_after")[:, i].sum(axis=-1)
            mean_change[:, i] = after / get("window_before")[:, i].sum(axis=-1) - 1
            eff[:, i] = after / get("window_after_counterfactual")[:, i].sum(axis=-1) - 1
    dims = ("replicate", "indicator")
    return xr.Dataset(
        {
            "mean_reported_change": (dims, mean_change, {"units": "1 or practice points",
                                                         "long_name": "mean change participants would report"}),
            "share_reporting_improvement": (dims, share, {"units": "1", "long_name":
                                                          "share of participants reporting improvement"}),
            "effect": (dims, eff, {"units": "1 or practice points",
                                   "long_name": "causal effect on participants (programme vs counterfactual)"}),
            "n_reporting": ((), int(valid.sum()), {"units": "firms", "long_name":
                                                   "participants with both windows inside the simulated period"}),
        },
        coords={"indicator": names},
    )


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings inside a block."""

    def __enter__(self):
        import warnings
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


def summary_table(ds: xr.Dataset) -> list[dict[str, object]]:
    """Rows per indicator: reported change, share improving, effect with 90% interval, Phase I.
    Medians and quantiles over replicates; NaN where no participant could report."""
    with _quiet():
        return [_summary_row(ds, str(name)) for name in ds["indicator"].values]


def _summary_row(ds: xr.Dataset, name: str) -> dict[str, object]:
    sel = dict(indicator=name)
    eff = ds["effect"].sel(sel).values
    lo, mid, hi = np.nanquantile(eff, [0.05, 0.5, 0.95]) if np.isfinite(eff).any() else [np.nan] * 3
    return {
        "indicator": name,
        "kind": INDICATORS[name].kind,
        "reported_change": float(np.nanmedian(ds["mean_reported_change"].sel(sel).values)),
        "share_improving": float(np.nanmedian(ds["share_reporting_improvement"].sel(sel).values)),
        "effect": float(mid), "effect_lo": float(lo), "effect_hi": float(hi),
        "phase1": INDICATORS[name].phase1,
    }


def format_table(rows: list[dict[str, object]], n_replicates: int, n_firms: int, posterior_draws: int = 0) -> str:
    """The summary table as text."""
    def pct(v: float, kind: str) -> str:
        if not np.isfinite(v):
            return "n/a"
        return f"{v:+.3f} pt" if kind == "points" else f"{100 * v:+.1f}%"
    head = (f"{'indicator':<13} {'reported change':>16} {'share improving':>16} "
            f"{'causal effect [90% interval]':>32}   Phase I figure")
    lines = [head, "-" * len(head)]
    for r in rows:
        k = str(r["kind"])
        eff = f"{pct(r['effect'], k)} [{pct(r['effect_lo'], k)}, {pct(r['effect_hi'], k)}]"
        share = "n/a" if not np.isfinite(r["share_improving"]) else f"{100 * r['share_improving']:.0f}%"
        lines.append(f"{r['indicator']:<13} {pct(r['reported_change'], k):>16} {share:>16} {eff:>32}   {r['phase1']}")
    lines.append(f"Medians over {n_replicates} replicate(s); {n_firms} participants with both report windows "
                 "in the simulated period. Reported change: after completion vs before enrolment, "
                 "programme world; causal effect: programme vs counterfactual (same seeds). The interval "
                 + ("covers stochastic uncertainty across replicates only." if not posterior_draws else
                    f"combines parameter uncertainty ({min(posterior_draws, n_replicates)} posterior draws, one "
                    "per replicate) and stochastic uncertainty."))
    return "\n".join(lines)


# The estimands of a run, by name: the dataset variable holding each per replicate and
# indicator. Commands that show estimands (compare, dashboard) take them from here and skip
# one whose variable a dataset lacks.
ESTIMANDS: dict[str, str] = {"reported": "mean_reported_change", "did": "did_estimate", "causal": "effect"}
