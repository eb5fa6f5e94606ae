"""Money and jobs of a run: the savings participants report, what the programme caused to their
profit and value added, and the jobs it created and destroyed.

Each is a function of a run's dataset with its reports (:func:`scoresim.simulate.run`) and
returns one value per replicate, or per replicate and firm:

* **reported savings** (monitoring): what a participant that returns monitoring data would
  report as its cost savings a month: the fall in its *reported* operating cost per good unit
  (at constant prices) from before enrolment to after completion, with the measurement error
  and optimism of :mod:`scoresim.observation`, times its good output after completion, at the
  prices of the after-window. "Savings within three months" are three such months. The same
  before/after saving without the reporting process (the true window means) is shown beside
  it; neither is a causal effect: both include what drift, shocks and regression to the mean
  did to the firm's costs;
* **cost recovered in one month**: the share of reporting participants whose reported monthly
  savings reach the full module cost per participant (every payer), and the median number of
  months of reported savings that pay it;
* **causal change in profit and value added**: participants' mean over their after-window in
  the programme world less the same firms and months without the programme (USD a month, at
  current prices), over the participants the causal effects count;
* **jobs**: persons engaged at the end of the run (or in any month) in the programme world less
  the counterfactual, over every firm (exits destroy jobs; orders won from rivals count against
  them): net, created (firms with more jobs) and destroyed (firms with fewer), and job-years.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .indicators import window_means
from .numerics import quiet

SAVINGS_MONTHS = 3
"""The brochure's "savings within three months of participation"."""
FEES = ("fee_programme", "fee_firms", "fee_sponsors")


def _after(ds: xr.Dataset, var: str, world: str) -> np.ndarray:
    """(R, K) mean of ``var`` over each participant's after-window in ``world`` (NaN outside)."""
    window, lag = int(ds.attrs["report_window_months"]), int(ds.attrs["report_lag_months"])
    part = ds["participant"].values.astype(bool)
    first = np.where(part, ds["completion_month"].values + 1 + lag, -1)
    return window_means(ds[var].sel(world=world).values.astype(float), first, window)


def monthly_savings(ds: xr.Dataset, reported: bool = True) -> np.ndarray:
    """(R, K) USD a month at the after-window's prices: a participant's savings as it would
    report them (``reported``; NaN when it does not report) or as its true window means give
    them (NaN outside the firms that could report)."""
    i = list(ds["indicator"].values).index("unit_cost")
    if reported:
        before, after = ds["reported_before"].values[:, i], ds["reported_after"].values[:, i]
    else:
        before, after = ds["window_before"].values[:, i], ds["window_after"].values[:, i]
        status = ds["report_status"].values
        from .reporting import STATUS
        ok = (status == STATUS.index("reported")) | (status == STATUS.index("silent"))
        before, after = np.where(ok, before, np.nan), np.where(ok, after, np.nan)
    good = _after(ds, "good_output", "programme")
    price = _after(ds, "price_level", "programme") if "price_level" in ds else 1.0
    return (before - after) * good * price


def module_cost_per_participant(ds: xr.Dataset) -> np.ndarray:
    """(R,) USD: module fees of every payer over the run per enrolled firm."""
    p = ds.sel(world="programme")
    cost = sum(p[k].sum("time").values for k in FEES)
    n = float(ds["participant"].sum())
    return cost / n if n else np.full(ds.sizes["replicate"], np.nan)


def _quantile(x: np.ndarray, q: float) -> np.ndarray:
    """(R,) quantile over firms of ``x`` (R, K), ignoring NaN."""
    with quiet():
        return np.nanquantile(x, q, axis=1) if x.shape[1] else np.full(x.shape[0], np.nan)


def savings_quantile(ds: xr.Dataset, q: float, reported: bool = True) -> np.ndarray:
    """(R,) USD: quantile ``q`` over participants of three months' savings."""
    return _quantile(monthly_savings(ds, reported) * SAVINGS_MONTHS, q)


def payback_months(ds: xr.Dataset) -> np.ndarray:
    """(R, K) months of reported savings that pay the module cost per participant (inf
    without savings; NaN when the firm does not report)."""
    s = monthly_savings(ds)
    cost = module_cost_per_participant(ds)[:, None]
    with quiet():
        months = np.where(s > 0, cost / np.where(s > 0, s, 1.0), np.inf)
    return np.where(np.isnan(s), np.nan, months)


def recovered_within(ds: xr.Dataset, months: float = 1.0) -> np.ndarray:
    """(R,) share of reporting participants whose reported savings pay the module cost per
    participant within ``months``."""
    m = payback_months(ds)
    with quiet():
        return np.nansum(m <= months, axis=1) / np.sum(np.isfinite(m) | np.isinf(m), axis=1)


def causal_change(ds: xr.Dataset, var: str) -> np.ndarray:
    """(R, K) USD a month: participants' after-window mean of ``var`` (profit, value_added) in the
    programme world less the counterfactual, for the participants the causal effects count."""
    if "counterfactual" not in ds["world"].values:
        return np.full((ds.sizes["replicate"], ds.sizes["firm"]), np.nan)
    i = list(ds["indicator"].values).index("productivity")
    valid = np.isfinite(ds["firm_effect"].values[:, i])
    return np.where(valid, _after(ds, var, "programme") - _after(ds, var, "counterfactual"), np.nan)


def mean_over_firms(x: np.ndarray) -> np.ndarray:
    with quiet():
        return np.nanmean(x, axis=1) if x.shape[1] else np.full(x.shape[0], np.nan)


def _employment(ds: xr.Dataset) -> tuple[np.ndarray, bool]:
    """(R, W, T, units) persons engaged by firm, or by group when the run recorded groups."""
    if "group_employment" in ds:
        return ds["group_employment"].values.astype(float), True
    return ds["employment"].values.astype(float), False


def jobs(ds: xr.Dataset, month: int = -1) -> dict[str, np.ndarray]:
    """(R,) persons engaged at the end of ``month`` (default: the last), programme world less
    counterfactual, over every firm: ``net``, ``created`` (sum over firms with more jobs),
    ``destroyed`` (sum over firms with fewer, positive), and ``job_years`` (the net difference
    summed over every month, in years). With group recording, created and destroyed are per
    country x sector x participant group."""
    R = ds.sizes["replicate"]
    if "counterfactual" not in ds["world"].values or "programme" not in ds["world"].values:
        return {k: np.full(R, np.nan) for k in ("net", "created", "destroyed", "job_years")}
    emp, _ = _employment(ds)
    worlds = list(ds["world"].values)
    diff = emp[:, worlds.index("programme")] - emp[:, worlds.index("counterfactual")]   # (R, T, units)
    last = diff[:, month]
    return {"net": last.sum(-1), "created": np.clip(last, 0, None).sum(-1),
            "destroyed": np.clip(-last, 0, None).sum(-1), "job_years": diff.sum(axis=(1, 2)) / 12.0}


def jobs_by_role(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """(R,) net jobs at the end of the run among participants and among the other firms."""
    R = ds.sizes["replicate"]
    if "counterfactual" not in ds["world"].values or "programme" not in ds["world"].values:
        return {"participants": np.full(R, np.nan), "others": np.full(R, np.nan)}
    emp, grouped = _employment(ds)
    worlds = list(ds["world"].values)
    diff = emp[:, worlds.index("programme"), -1] - emp[:, worlds.index("counterfactual"), -1]
    part = ds["group_participant"].values if grouped else ds["participant"].values
    part = part.astype(bool)
    return {"participants": diff[:, part].sum(-1), "others": diff[:, ~part].sum(-1)}


def exits(ds: xr.Dataset, world: str) -> np.ndarray:
    """(R,) firms that exit during the run in ``world`` (NaN when it was not simulated)."""
    if world not in ds["world"].values:
        return np.full(ds.sizes["replicate"], np.nan)
    return (ds["exit_month"].sel(world=world).values >= 0).sum(axis=1).astype(float)


ROWS = (
    # summary name, label, units, Phase I figure it is read against
    ("savings_3m_usd_p95", "reported savings in 3 months, 95th percentile", "USD/firm", "up to USD 15,000"),
    ("savings_3m_usd_median", "reported savings in 3 months, median", "USD/firm", ""),
    ("savings_3m_usd_p95_true", "the same, true before/after values, 95th percentile", "USD/firm", ""),
    ("cost_recovered_1m_share", "share reporting savings that pay the module cost in a month", "share",
     "training costs recovered in one month"),
    ("profit_effect_usd", "causal change in participants' profit", "USD/firm/month", ""),
    ("value_added_effect_usd", "causal change in participants' value added", "USD/firm/month", ""),
    ("jobs_created", "jobs created by the end of the run (firms with more)", "persons", ""),
    ("jobs_destroyed", "jobs destroyed by the end of the run (firms with fewer)", "persons", ""),
    ("jobs_effect", "net jobs at the end of the run, all firms", "persons", ""),
    ("jobs_net_participants", "of which at participants", "persons", ""),
    ("jobs_net_others", "of which at other firms", "persons", ""),
    ("job_years", "net job-years over the run", "person-years", ""),
    ("exits.programme", "firms exiting, programme world", "firms", ""),
    ("exits.counterfactual", "firms exiting, counterfactual world", "firms", ""),
)
"""The money and jobs table of a run: named summaries (:mod:`scoresim.summaries`)."""


def rows(root: xr.Dataset) -> list[dict[str, object]]:
    """The money and jobs of an ensemble (its ``summary_value`` per replicate) as table rows: name,
    what it is, units, median and 90% range over replicates, and the Phase I figure it is read
    against ('' when none)."""
    names = [str(x) for x in root["summary"].values]
    out = []
    for name, label, units, phase1 in ROWS:
        v = (root["summary_value"].values[:, names.index(name)].astype(float) if name in names
             else np.array([np.nan]))
        v = v[np.isfinite(v)]
        med, lo, hi = (np.quantile(v, [0.5, 0.05, 0.95]) if len(v) else (np.nan,) * 3)
        out.append({"name": name, "label": label, "units": units, "median": float(med), "p5": float(lo),
                    "p95": float(hi), "phase1": phase1})
    return out


def format_rows(rows_: list[dict[str, object]], uncertainty: str = "", phase1: bool = False) -> str:
    """The money and jobs rows as a table within 100 columns; ``uncertainty``: what the ranges
    cover; ``phase1``: show the Phase I figures they are read against."""
    from . import textable as t

    def cell(r: dict) -> str:
        if r["units"] == "share":
            return f"{t.percent(r['median'])} [{t.percent(r['p5'])}, {t.percent(r['p95'])}]"
        return f"{t.count(r['median'])} [{t.count(r['p5'])}, {t.count(r['p95'])}]"

    cols = [t.Column("money and jobs", "left", wrap=True, key=True), t.Column("units", "left"),
            t.Column("median [90% range]"), t.Column("Phase I figure", "left", wrap=True)]
    table = [[r["label"], r["units"], cell(r), r["phase1"]] for r in rows_]
    cols, table = t.optional_columns(cols, table, {"Phase I figure": phase1})
    note = ("Savings are what reporting participants would report (the fall in their reported cost per good unit "
            "from before enrolment to after completion, times good output, at current prices), not effects; the "
            "causal changes compare the same firms with and without the programme; jobs compare the two worlds "
            "over every firm (orders won from other firms and exits count)."
            + (f" The 90% range covers {uncertainty}." if uncertainty else ""))
    return t.render(cols, table, notes=[note])


__all__ = ["SAVINGS_MONTHS", "monthly_savings", "module_cost_per_participant", "savings_quantile", "payback_months",
           "recovered_within", "causal_change", "jobs", "jobs_by_role", "exits", "rows", "format_rows",
           "mean_over_firms", "ROWS"]
