"""Planner metrics: monthly results to yearly and cumulative figures, costs per outcome,
benefit-cost ratio, net present value and payback, each with a 90% interval over replicates.

Costs are what every payer spends (programme, firms' fees, sponsoring buyers): the cost to
society of the training. Benefits are the gain in value added of every firm of the population
(revenue less materials, rework, energy and purchased services; so what participants take
from other firms nets out), plus employers' accident costs saved, less what adopting costs the
firms beside the fees (managers' time, travel, investments; workers' time is lost output,
inside value added) and the change in hiring costs. Value added, not profit, because it is
the firms' contribution to national income whoever it goes to: workers (wages, rent sharing)
or owners and lenders (profit, capital costs); profit plus wages would leave capital costs out
and count the severance paid in layoffs, a transfer. Jobs are persons engaged, programme less
counterfactual world, every firm.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from .plan import SERIES
from .simulate import JOB_STOCKS, OUTCOMES

STOCKS = ("trainers_active", "trainer_posts", "queue", *JOB_STOCKS)   # end-of-year values, not sums
SPEND = ("spend_overhead", "spend_tot", "spend_modules", "spend_firms", "spend_sponsors")
DERIVED: dict[str, tuple[str, str]] = {
    "spend_programme": ("USD", "programme spending (fixed costs, trainers, modules)"),
    "spend_total": ("USD", "spending of every payer"),
    "benefit_usd": ("USD", "benefits: value-added gain of every firm plus employers' accident costs saved, less "
                           "firms' adoption costs, extra hiring costs and the value added displaced from other "
                           "producers of the economy"),
    "job_years": ("person-years", "persons engaged, programme less counterfactual, every firm, summed over months"),
    "cost_per_firm_usd": ("USD/firm", "spending of every payer per firm reached"),
    "programme_cost_per_firm_usd": ("USD/firm", "programme spending per firm reached"),
    "cost_per_accident_averted_usd": ("USD/accident", "spending of every payer per accident averted"),
    "cost_recovery": ("1", "share of spending paid by firms and sponsoring buyers"),
    "benefit_cost_ratio": ("1", "discounted benefits / discounted spending"),
    "net_benefit_usd": ("USD", "net present value: discounted benefits less discounted spending"),
    "payback_months": ("months", "months until cumulative benefits pass cumulative spending (NaN: not within the horizon)"),
    "budget_committed_share": ("1", "share of the budget released that the programme committed (1: the budget binds)"),
    "capacity_used_share": ("1", "share of the trainers' capacity used (1: trainers bind)"),
}
RATIOS = ("cost_per_firm_usd", "programme_cost_per_firm_usd", "cost_per_accident_averted_usd", "cost_recovery",
          "benefit_cost_ratio", "net_benefit_usd", "payback_months", "budget_committed_share", "capacity_used_share")


def assemble(results: list[list[dict[str, np.ndarray]]], names: list[str], labels: list[str],
             start: str) -> xr.Dataset:
    """Monthly dataset (strategy, replicate, time) from ``results[replicate][strategy]``."""
    T = len(results[0][0]["firms_reached"])
    time = pd.date_range(start + "-01", periods=T, freq="MS")
    data = {}
    for k, (units, long) in {**SERIES, **OUTCOMES}.items():
        arr = np.array([[res[s][k] for res in results] for s in range(len(names))])
        data[k] = (("strategy", "replicate", "time"), arr, {"units": units, "long_name": long})
    wage = np.array([[res[s]["wage_usd"][0] for res in results] for s in range(len(names))])
    data["wage_usd"] = (("strategy", "replicate"), wage, {"units": "USD/worker/month", "long_name": "mean wage"})
    return xr.Dataset(data, coords={"strategy": names, "replicate": np.arange(len(results)), "time": time,
                                    "strategy_label": ("strategy", labels)})


FLOWS = tuple(k for k in (*SERIES, *OUTCOMES) if k not in STOCKS)   # summed over months


def benefit(x, displacement: float):
    """Benefits (USD) of a Dataset or a dict of monthly arrays: the value-added gain of every firm
    plus employers' accident costs saved, less firms' adoption costs, the change in hiring
    costs, and the ``displacement`` share of the value added the population's extra sales take
    from other producers of the economy (the one definition of the table, the figures and the
    allocation search)."""
    return (x["value_added_gain_usd"] + x["accident_cost_savings_usd"] - x["adoption_cost_usd"]
            - x["hiring_cost_change_usd"] - displacement * x["displaced_va_usd"])


def spending(x):
    """Spending of every payer (USD) of a Dataset or a dict of monthly arrays."""
    return sum(x[k] for k in SPEND)


def yearly(ds: xr.Dataset) -> xr.Dataset:
    """Per calendar year: flows summed, stocks at the year's last month, plus derived totals."""
    year = ds["time"].dt.year
    flows = ds[list(FLOWS)].groupby(year).sum("time")
    stocks = ds[list(STOCKS)].groupby(year).last("time")
    out = xr.merge([flows, stocks])
    for k in out.data_vars:
        out[k].attrs = dict(ds[k].attrs, units=ds[k].attrs["units"].replace("/month", "/year"))
    return _add_totals(out, ds["jobs"].groupby(year).sum("time"), _displacement(ds))


def cumulative(ds: xr.Dataset, rate: float) -> xr.Dataset:
    """Through the end of each year: flows summed from the start, stocks at the year's end,
    and the ratios (costs per outcome, benefit-cost ratio, NPV, payback) over that period."""
    year = ds["time"].dt.year
    monthly = _add_totals(ds[list(FLOWS)], ds["jobs"], _displacement(ds))
    flows = monthly.cumsum("time").groupby(year).last("time")
    stocks = ds[list(STOCKS)].groupby(year).last("time")
    out = xr.merge([flows, stocks])
    for k in out.data_vars:
        src = monthly[k] if k in monthly else ds[k]
        out[k].attrs = dict(src.attrs, units=src.attrs.get("units", "").replace("/month", ""))
    years = out["year"].values
    disc = (1.0 + rate) ** (-np.arange(ds.sizes["time"]) / 12.0)
    pv_b = (monthly["benefit_usd"] * disc).cumsum("time").groupby(year).last("time")
    pv_c = (monthly["spend_total"] * disc).cumsum("time").groupby(year).last("time")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cost_per_firm_usd"] = _ratio(out["spend_total"], out["firms_reached"])
        out["programme_cost_per_firm_usd"] = _ratio(out["spend_programme"], out["firms_reached"])
        out["cost_per_accident_averted_usd"] = _ratio(out["spend_total"], out["accidents_averted"])
        out["cost_recovery"] = _ratio(out["spend_firms"] + out["spend_sponsors"], out["spend_total"])
        out["benefit_cost_ratio"] = _ratio(pv_b, pv_c)
        out["budget_committed_share"] = _ratio(out["committed"], out["budget_released"])
        out["capacity_used_share"] = _ratio(out["modules_delivered"], out["capacity_modules"])
    out["net_benefit_usd"] = pv_b - pv_c
    out["payback_months"] = _payback(monthly, year, years)
    for k in RATIOS:
        out[k].attrs = {"units": DERIVED[k][0], "long_name": DERIVED[k][1]}
    return out


def _ratio(a: xr.DataArray, b: xr.DataArray) -> xr.DataArray:
    """a / b where b > 0, NaN elsewhere (no firm reached, no accident averted)."""
    return xr.where(b > 0, a / b.where(b > 0, 1.0), np.nan)


def _displacement(ds: xr.Dataset) -> float:
    return float(ds.attrs.get("displacement", 0.0))


def _add_totals(ds: xr.Dataset, jobs: xr.DataArray, displacement: float) -> xr.Dataset:
    """Programme and total spending, benefits and job-years (``jobs``: net jobs summed over the
    months of each period)."""
    ds = ds.copy()
    ds["spend_programme"] = ds["spend_overhead"] + ds["spend_tot"] + ds["spend_modules"]
    ds["spend_total"] = spending(ds)
    ds["benefit_usd"] = benefit(ds, displacement)
    ds["job_years"] = jobs / 12.0
    for k in ("spend_programme", "spend_total", "benefit_usd", "job_years"):
        ds[k].attrs = {"units": DERIVED[k][0], "long_name": DERIVED[k][1]}
    return ds


def _payback(monthly: xr.Dataset, year: xr.DataArray, years: np.ndarray) -> xr.DataArray:
    """Months from the start until cumulative benefits first reach cumulative spending (after
    spending has begun), within the period through each year; NaN if not reached."""
    net = (monthly["benefit_usd"] - monthly["spend_total"]).cumsum("time")
    spent = monthly["spend_total"].cumsum("time") > 0
    ok = (net >= 0) & spent
    month = xr.DataArray(np.arange(monthly.sizes["time"]) + 1.0, dims="time")
    first = month.where(ok).min("time")                       # first month it pays back
    end = xr.DataArray([(year.values <= y).sum() for y in years], dims="year", coords={"year": years})
    return first.where(first <= end)


def interval(da: xr.DataArray) -> xr.Dataset:
    """Median and 90% interval (5th, 95th percentiles) over replicates."""
    with warnings.catch_warnings():   # all-NaN: a ratio without denominator in every replicate
        warnings.simplefilter("ignore", RuntimeWarning)
        q = da.quantile([0.05, 0.5, 0.95], dim="replicate", skipna=True)
    return xr.Dataset({"p5": q.sel(quantile=0.05, drop=True), "median": q.sel(quantile=0.5, drop=True),
                       "p95": q.sel(quantile=0.95, drop=True)})


def table(per_year: xr.Dataset, through: xr.Dataset, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Long table: strategy, period, metric, units, median, p5, p95. Flows per year (period
    '2027') and through each year ('2027-2029'); ratios through each year only."""
    rows = []
    y0 = int(per_year["year"].values[0])
    for strat in per_year["strategy"].values:
        for kind, ds in (("year", per_year), ("through", through)):
            for k in ds.data_vars:
                if kind == "year" and k in RATIOS:
                    continue
                st = interval(ds[k].sel(strategy=strat))
                for y in ds["year"].values:
                    period = f"{y}" if kind == "year" else f"{y0}-{y}"
                    rows.append({"strategy": str(strat), "period": period, "metric": k,
                                 "units": ds[k].attrs.get("units", ""),
                                 "median": float(st["median"].sel(year=y)), "p5": float(st["p5"].sel(year=y)),
                                 "p95": float(st["p95"].sel(year=y))})
    return pd.DataFrame(rows)




def objective_value(series: dict[str, np.ndarray], name: str, rate: float, displacement: float) -> float:
    """A cumulative objective of one run's monthly series (see ``params.OBJECTIVES``)."""
    if name != "net_benefit_usd":
        return float(np.sum(series[name]))
    disc = (1.0 + rate) ** (-np.arange(len(series["firms_reached"])) / 12.0)
    return float(np.sum((benefit(series, displacement) - spending(series)) * disc))


__all__ = ["assemble", "yearly", "cumulative", "interval", "table", "objective_value", "DERIVED", "RATIOS",
           "STOCKS"]
