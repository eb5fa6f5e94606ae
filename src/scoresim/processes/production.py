"""Process 5, production and costs: capacity from workers present, skill and practices; defects
from quality practice, skill and engagement; energy from cleaner-production practice; output
to what the firm can sell with the hours its workforce and overtime allow; costs of wages,
materials, rework and scrap, energy, purchased services, capital, accidents and hiring and
layoffs; revenue from buyers' orders and sales outside the buyers.

Practice effects are relative to the population's mean baseline practice, so a firm at that
level produces at its sector's baseline rates. Quantities "per slot" are per worker slot of
the firm's representative workforce (``size - managers`` production slots); the firm's
production workforce is ``employment`` times the slots (:mod:`scoresim.processes.jobs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import ProductionParams, WorkforceParams
from ..state import CLEANER, COOP, QUALITY, WORKFORCE, Firms


@dataclass
class Production:
    """Firm results of the month, arrays (W, F); money in USD, output in units."""

    output: np.ndarray
    good_output: np.ndarray
    defect_rate: np.ndarray
    energy_kwh: np.ndarray
    productivity: np.ndarray      # good units per paid production-worker day
    unit_cost: np.ndarray         # operating cost per good unit at month-0 prices (training fees excluded)
    operating_cost: np.ndarray
    revenue: np.ndarray
    value_added: np.ndarray       # revenue less materials, rework, energy and purchased services
    profit: np.ndarray
    fill_rate: np.ndarray
    hours: np.ndarray             # hours worked per slot at regular hours (exposure to hazards)
    paid: np.ndarray              # paid production hours per slot (regular and overtime)
    overtime: np.ndarray          # overtime hours per slot
    needed: np.ndarray            # hours demand needs per slot at regular hours (inf without demand limits)
    capacity: np.ndarray          # good units per slot-month at regular hours
    marginal_cost: np.ndarray     # USD per good unit at month-0 prices: materials, energy, services, labour
    outside_sold: np.ndarray      # good units sold outside the buyers


@dataclass
class Demand:
    """What the firm can sell this month (W, F), good units: buyers' orders and the quantity
    outside the buyers at baseline marginal cost (its reference ``outside``), the firm's
    marginal cost at baseline (USD per good unit, month-0 prices), the price elasticity of
    outside demand and the spot price (share of the buyer price)."""

    orders: np.ndarray
    outside: np.ndarray | float
    mc_base: np.ndarray
    elasticity: float
    spot: float
    limited: bool                 # output follows demand (False: at capacity, all of it sold)


@dataclass
class Labour:
    """The month's workforce and its prices (W, F) unless scalar: employment per slot, the
    firm's wage (USD/production worker/month, rent sharing included), the country's price
    multiplier, overtime allowed (share of regular hours), workers' days lost to SCORE
    (classroom, visits, team, implementation) and costs outside production (hiring and
    layoffs, capital, USD)."""

    employment: np.ndarray | float = 1.0
    wage: np.ndarray | float = 0.0
    price: np.ndarray | float = 1.0
    overtime_max: float = 0.0
    days_lost: np.ndarray | float = 0.0
    other_cost: np.ndarray | float = 0.0


def efficiency(practice: np.ndarray, skill_mean: np.ndarray, gain: np.ndarray, tfp: np.ndarray,
               practice_mean: float, pp: ProductionParams) -> np.ndarray:
    """Output per present worker-day relative to the sector baseline (W, F)."""
    theta = np.array([pp.cooperation_effect, pp.quality_effect, pp.cleaner_effect,
                      pp.workforce_effect, 0.0])
    lift = (1.0 + practice @ theta) / (1.0 + practice_mean * theta.sum())
    return tfp * (1.0 + pp.skill_effect * (skill_mean - 0.5)) * lift * (1.0 + gain)


def defect_rate(quality: np.ndarray, skill_mean: np.ndarray, engagement_mean: np.ndarray,
                gain: np.ndarray, base: np.ndarray, z: np.ndarray, practice_mean: float,
                pp: ProductionParams) -> np.ndarray:
    """First-pass defect rate (share of units) with lognormal month-to-month noise ``z``."""
    d = (base * np.exp(-pp.defect_quality * (quality - practice_mean))
         * np.maximum(1.0 + pp.defect_skill * (0.5 - skill_mean), 0.05)
         * np.maximum(1.0 + pp.defect_engagement * (0.5 - engagement_mean), 0.05)
         * (1.0 - gain) * np.exp(pp.defect_noise * z - 0.5 * pp.defect_noise**2))
    return np.clip(d, 0.0, 0.95)


def marginal_cost(firms: Firms, defect: np.ndarray, kwh_per_unit: np.ndarray, capacity: np.ndarray,
                  real_wage: np.ndarray | float, pp: ProductionParams) -> np.ndarray:
    """USD per good unit at month-0 prices of materials and rework, energy, services and the
    labour of regular hours (``capacity``: good units per slot-month; ``real_wage``: the wage
    over the price multiplier)."""
    good_share = 1.0 - defect * (1.0 - pp.rework_share)
    inputs = firms.material * (1.0 + defect * pp.rework_share * pp.rework_cost) + kwh_per_unit * pp.energy_price_usd_kwh
    return inputs / good_share + firms.services + real_wage / np.maximum(capacity, 1e-9)


def outside_quantity(reference: np.ndarray | float, mc: np.ndarray, mc_base: np.ndarray,
                     elasticity: float) -> np.ndarray | float:
    """Good units a firm sells outside its buyers: its ``reference`` quantity times
    ``(mc_base / mc) ** elasticity`` (constant-elasticity demand, price at a constant markup over
    marginal cost); elasticity 0: the reference quantity."""
    if elasticity == 0.0:
        return reference
    return reference * (mc_base / np.maximum(mc, 1e-12)) ** elasticity


def outside_price(price: np.ndarray, mc: np.ndarray, mc_base: np.ndarray, elasticity: float) -> np.ndarray:
    """Price of sales outside the buyers: ``price`` (the spot price of the baseline) moved with
    marginal cost, ``price * mc / mc_base`` (constant markup); elasticity 0: ``price``."""
    if elasticity == 0.0:
        return price
    return price * mc / mc_base


def produce(firms: Firms, practice: np.ndarray, absent_days: np.ndarray, skill_sum: np.ndarray,
            engagement_sum: np.ndarray, accidents: np.ndarray, gains: tuple, demand: Demand,
            fees: np.ndarray, z_defect: np.ndarray, practice_mean: float, pp: ProductionParams,
            w: WorkforceParams, shock: np.ndarray | float = 1.0, labour: Labour | None = None) -> Production:
    """Output, quality, energy, costs and revenue of every firm this month.

    ``shock`` multiplies efficiency (exogenous shocks, trend and implementation dips). With
    demand limits the firm needs ``needed = (orders + outside) / capacity`` hours per slot and
    works ``min(needed, employment * (1 + overtime_max))`` of them: regular hours up to its
    employment, overtime beyond (paid at the overtime premium); it pays its employment's
    regular hours whether worked or not. Orders are served first; the rest sells outside the
    buyers, on a demand curve of constant elasticity. Without demand limits the workforce
    works its regular hours and all output sells (orders at the price, the rest at the spot
    price)."""
    lab = labour or Labour()
    gain_p, gain_d, gain_e = gains
    n_prod = firms.size - firms.managers
    paid_days = n_prod * w.working_days
    skill = skill_sum / n_prod
    engagement = engagement_sum / firms.size
    present = paid_days - absent_days
    if np.any(lab.days_lost):   # workers' days in SCORE activities, spread over the workforce
        present = present - lab.days_lost / np.maximum(lab.employment, 1e-9)
    q = present * firms.units_per_day * efficiency(practice, skill, gain_p, firms.tfp, practice_mean, pp) * shock
    d = defect_rate(practice[..., QUALITY], skill, engagement, gain_d, firms.defect_base,
                    z_defect, practice_mean, pp)
    good = q * (1.0 - d * (1.0 - pp.rework_share))
    per_slot = good / n_prod
    kwh_per_unit = (firms.energy_base * (1.0 - pp.energy_cleaner * practice[..., CLEANER])
                    / (1.0 - pp.energy_cleaner * practice_mean) * (1.0 - gain_e))
    employed = lab.employment
    mc = marginal_cost(firms, d, kwh_per_unit, per_slot, lab.wage / lab.price, pp)
    orders = demand.orders
    if demand.limited:
        want = outside_quantity(demand.outside, mc, demand.mc_base, demand.elasticity)
        needed = (orders + want) / np.maximum(good, 1e-9)
        hours = np.minimum(needed, employed * (1.0 + lab.overtime_max))
    else:
        needed = np.full_like(q, np.inf)
        hours = employed * np.ones_like(q)
    overtime = np.maximum(hours - employed, 0.0)
    q, good = q * hours, good * hours
    paid = employed + overtime
    kwh = q * kwh_per_unit
    wages = lab.wage * (n_prod * (employed + overtime * firms.overtime_premium) + firms.managers * pp.manager_wage_ratio)
    materials = q * firms.material * (1.0 + d * pp.rework_share * pp.rework_cost) * lab.price
    energy = kwh * pp.energy_price_usd_kwh * lab.price
    services = good * firms.services * lab.price
    cost = wages + materials + energy + accidents * pp.accident_cost_usd
    cost = cost + services + lab.other_cost
    sold = np.minimum(good, orders)
    price = firms.price * lab.price
    if demand.limited and demand.elasticity > 0.0:
        revenue = price * sold + outside_price(price * demand.spot, mc, demand.mc_base, demand.elasticity) * (good - sold)
    else:
        revenue = price * (sold + demand.spot * (good - sold))
    return Production(
        output=q, good_output=good, defect_rate=d, energy_kwh=kwh,
        productivity=good / (paid_days * paid), unit_cost=cost / lab.price / np.maximum(good, 1e-9),
        operating_cost=cost, revenue=revenue, value_added=revenue - materials - energy - services,
        profit=revenue - cost - fees, fill_rate=np.minimum(good / np.maximum(orders, 1e-9), 1.0), hours=hours,
        paid=paid, overtime=overtime, needed=needed, capacity=per_slot, marginal_cost=mc, outside_sold=good - sold,
    )


__all__ = ["Production", "Demand", "Labour", "produce", "efficiency", "defect_rate", "marginal_cost",
           "outside_quantity", "outside_price", "COOP", "WORKFORCE"]
