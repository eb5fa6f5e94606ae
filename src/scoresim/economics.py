"""Firm economics from data: the unit quantities that make firms reproduce the sourced value
added per worker and cost shares of their country and sector, and the path of wages and
prices month by month.

The data (``scoresim/data/countries.csv``, ``sectors.csv``) give, per country, value added per
person engaged and the employer cost of a production worker (2010-2012, and wages by year),
and per sector the shares of sales of materials, energy, purchased services and capital costs
and value added per worker relative to the country's mean. The model produces physical units,
so a sector's unit quantities are derived from them (:func:`unit_values`): for a firm of
average efficiency at baseline,

* output per present production-worker day such that sales per person engaged are value added
  per worker over the value-added share ``v = 1 - materials - energy - services``;
* material per unit produced such that materials and rework are ``materials_share`` of sales;
* energy per unit such that energy is ``energy_share`` of sales;
* purchased services a fixed cost per good unit, ``services_share`` of the baseline revenue of
  a unit (variable with output);
* capital costs (depreciation, interest, rent) fixed each month at ``capital_share`` of the
  firm's baseline sales (set in the model from its baseline output).

Wages and prices over time (:func:`paths`): with ``drift.wage_series`` a country with a wage
series follows it (nominal USD at each year's exchange rate, mid-year values interpolated
log-linearly, extended at ``drift.wages`` beyond its years), scaled to the 2010-2012 level of
``wage_usd_month``; value added per worker, and so every price the firm meets, is indexed to
the same path at a constant labour share: prices move with the wage path over the trend of
physical productivity (``drift.productivity``). Without a series, wages grow at ``drift.wages``
and prices stay put. Module fees and investments are in USD and do not move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import CountryParams, Scenario
from .processes import production, suggestions

REFERENCE = (2010.5, 2011.5, 2012.5)
"""Mid-years whose mean wage is the level of ``wage_usd_month`` (2010-2012)."""


def calendar_years(start: str, months: int) -> np.ndarray:
    """(months,) the middle of each simulated month in calendar years (2008-01 -> 2008.04)."""
    y, m = (int(x) for x in start.split("-"))
    return y + (m - 1 + 0.5 + np.arange(months)) / 12.0


def wage_level(country: CountryParams, years: np.ndarray, growth: float) -> np.ndarray:
    """The country's wage series at ``years`` (USD/month): each year's value at mid-year,
    log-linear between them, growing at ``growth`` (log-points a year) beyond them."""
    keys = sorted(country.wage_by_year, key=int)
    x = np.array([int(k) + 0.5 for k in keys])
    y = np.log([country.wage_by_year[k] for k in keys])
    years = np.asarray(years, float)
    out = np.interp(years, x, y)
    out = np.where(years > x[-1], y[-1] + growth * (years - x[-1]), out)
    out = np.where(years < x[0], y[0] - growth * (x[0] - years), out)
    return np.exp(out)


def wage_index(country: CountryParams, years: np.ndarray, growth: float) -> np.ndarray:
    """The wage series at ``years`` relative to its 2010-2012 mean."""
    return wage_level(country, years, growth) / wage_level(country, np.array(REFERENCE), growth).mean()


@dataclass
class Paths:
    """Per country, month by month: wage and price multipliers relative to month 0 (T, C), and
    each country's level at month 0 relative to its 2010-2012 values (C,)."""

    wage: np.ndarray
    price: np.ndarray
    start: np.ndarray


def paths(p: Scenario) -> Paths:
    """Wage and price paths of every country over the simulated months (see module docstring)."""
    T, d = p.time.months, p.drift
    t = np.arange(T)
    years = calendar_years(p.time.start, T)
    wage, price, start = [], [], []
    for c in p.population.countries.values():
        if d.wage_series and c.wage_by_year:
            idx = wage_index(c, years, d.wages)
            wage.append(idx / idx[0])
            price.append(idx / idx[0] * np.exp(-d.productivity * t / 12.0))
            start.append(idx[0])
        else:
            wage.append(np.exp(d.wages * t / 12.0))
            price.append(np.ones(T))
            start.append(1.0)
    return Paths(np.stack(wage, axis=1), np.stack(price, axis=1), np.array(start))


@dataclass
class Baseline:
    """What a firm of average efficiency produces and uses at baseline, for the derivations."""

    good_per_worker_year: float   # units per person engaged and year, per unit of units_per_worker_day
    defect: float                 # first-pass defect rate relative to the sector's base rate
    energy_gain: float            # relative energy saved by suggestions at baseline
    revenue_factor: float         # revenue per good unit over the buyer price (outside sales at spot_price)


def mean_firm(p: Scenario) -> Baseline:
    """The baseline of a firm of mean size, skill, engagement and practice and of efficiency 1."""
    pop, w, pp, sp, m = p.population, p.workforce, p.production, p.suggestions, p.market
    pm, skill, eng = pop.practice_mean, pop.skill_mean, pop.engagement_mean
    n_prod = np.array([pop.workers_mean * (1.0 - pop.manager_share)])
    rate = suggestions.implemented_rate(np.array([pm]), np.array([False]), np.array([eng]), n_prod, sp)
    gain_p = float(suggestions.steady_gain(rate, sp.gain_productivity, sp)[0])
    gain_d = float(suggestions.steady_gain(rate, sp.gain_defects, sp)[0])
    gain_e = float(suggestions.steady_gain(rate, sp.gain_energy, sp)[0])
    practice = np.full((1, 5), pm)
    eff = float(production.efficiency(practice, np.array([skill]), np.array([gain_p]), np.ones(1), pm, pp)[0])
    absence = w.absence_base * (1.0 - w.absence_workforce * pm) * (1.0 + w.absence_engagement * (0.5 - eng))
    defect = float(production.defect_rate(np.array([pm]), np.array([skill]), np.array([eng]), np.array([gain_d]),
                                          np.ones(1), np.zeros(1), pm, pp)[0] * np.exp(0.5 * pp.defect_noise ** 2))
    outside = m.outside_demand if m.produce_to_demand else 0.0
    return Baseline(12.0 * w.working_days * (1.0 - absence) * (1.0 - pop.manager_share) * eff,
                    defect, gain_e, 1.0 - outside + outside * m.spot_price)


@dataclass
class UnitValues:
    """Per country and sector (C, S): the sector's unit quantities in that country."""

    units_per_day: np.ndarray     # good-equivalent units per present production-worker day at baseline
    material: np.ndarray          # USD per unit produced (2010-2012 prices)
    energy_kwh: np.ndarray        # kWh per unit at baseline practice
    services: np.ndarray          # USD per good unit
    va_per_worker: np.ndarray     # target value added per person engaged, USD/year at month 0


def unit_values(p: Scenario) -> UnitValues:
    """The unit quantities of every country and sector (:mod:`scoresim.economics`); a sector that
    gives them keeps its own values in every country."""
    pop, pp = p.population, p.production
    base = mean_firm(p)
    start = paths(p).start
    C, S = len(pop.countries), len(pop.sectors)
    out = {k: np.zeros((C, S)) for k in ("units_per_day", "material", "energy_kwh", "services", "va_per_worker")}
    for i, c in enumerate(pop.countries.values()):
        for j, s in enumerate(pop.sectors.values()):
            d = s.defect_rate * base.defect
            good = 1.0 - d * (1.0 - pp.rework_share)
            rho = s.price_usd_per_unit * base.revenue_factor          # revenue per good unit
            v = 1.0 - s.materials_share - s.energy_share - s.services_share
            va = c.va_per_worker_usd_year * pop.va_scale * start[i] * s.va_multiplier
            units = va / v / rho / (base.good_per_worker_year * good)
            out["units_per_day"][i, j] = units if s.units_per_worker_day is None else s.units_per_worker_day
            out["material"][i, j] = (s.materials_share * rho * good / (1.0 + d * pp.rework_share * pp.rework_cost)
                                     if s.material_usd_per_unit is None else s.material_usd_per_unit)
            kwh = (s.energy_share * rho * good / (1.0 - base.energy_gain) / pp.energy_price_usd_kwh
                   if pp.energy_price_usd_kwh > 0 else 0.0)
            out["energy_kwh"][i, j] = kwh if s.energy_kwh_per_unit is None else s.energy_kwh_per_unit
            out["services"][i, j] = s.services_share * rho
            out["va_per_worker"][i, j] = va
    return UnitValues(**out)


def wages(p: Scenario) -> np.ndarray:
    """(C,) employer cost of a production worker at month 0 (USD/month)."""
    pop = p.population
    start = paths(p).start
    return np.array([c.wage_usd_month for c in pop.countries.values()]) * pop.va_scale * pop.wage_scale * start


def baseline(p: Scenario, firms_per_cell: int = 60, seed: int = 1, months: int = 12) -> list[dict[str, object]]:
    """Measured baseline economics of every country and sector of a scenario: ``firms_per_cell``
    firms each, the first ``months`` without the programme (shocks as configured). Per cell:
    pre-tax margin (profit over revenue), value added and sales per person engaged a year in
    the USD of 2010-2012 (deflated by the country's wage path), and the labour share of value
    added (wages over value added)."""
    from .config import set_values
    from .model import ScoreModel

    cells = len(p.population.countries) * len(p.population.sectors)
    scen = set_values(p, {"population.n_firms": firms_per_cell * cells, "time.months": months,
                          "programme.enabled": False,
                          "buyers.n_buyers": max(p.buyers.n_buyers, 4 * len(p.population.sectors))},
                      origin="baseline economics", label="")
    m = ScoreModel(scen, seed=seed, worlds=("counterfactual",))
    keys = ("profit", "revenue", "value_added", "employment", "operating_cost")
    sums = {k: np.zeros(m.firms.n) for k in keys}
    wages = np.zeros(m.firms.n)
    for _ in range(months):
        m.step()
        for k in keys:
            sums[k] += np.nan_to_num(m.last[k][0])
        staff = np.nan_to_num(m.last["employment"][0])
        wages += np.where(staff > 0, m.wage[0] * (staff - m.firms.managers
                                                  + m.firms.managers * scen.production.manager_wage_ratio), 0.0)
    start = paths(scen).start
    out = []
    for c, country in enumerate(scen.population.countries):
        for s, sector in enumerate(scen.population.sectors):
            cell = (m.firms.country == c) & (m.firms.sector == s)
            years = sums["employment"][cell].sum() / months
            va = sums["value_added"][cell].sum()
            out.append({"country": country, "sector": sector,
                        "margin": sums["profit"][cell].sum() / sums["revenue"][cell].sum(),
                        "va_per_worker": va / years * 12 / months / start[c],
                        "sales_per_worker": sums["revenue"][cell].sum() / years * 12 / months / start[c],
                        "labour_share": wages[cell].sum() / va})
    return out


__all__ = ["baseline", "calendar_years", "wage_level", "wage_index", "paths", "Paths", "mean_firm", "unit_values",
           "UnitValues", "wages", "REFERENCE"]
