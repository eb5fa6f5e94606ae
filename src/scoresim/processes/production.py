"""Process 5, production and costs: output from workers present, skill and practices; defects
from quality practice, skill and engagement; energy from cleaner-production practice; costs of
wages, materials, rework and scrap, accidents, energy and training fees; revenue from orders.

Practice effects are relative to the population's mean baseline practice, so a firm at that
level produces at its sector's baseline rates.
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
    unit_cost: np.ndarray         # operating cost per good unit (training fees excluded)
    operating_cost: np.ndarray
    revenue: np.ndarray
    profit: np.ndarray
    fill_rate: np.ndarray
    hours: np.ndarray             # utilisation: output per output at capacity (demand-limited)
    paid: np.ndarray              # paid production hours per hour at capacity (>= hours)


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


def produce(firms: Firms, practice: np.ndarray, absent_days: np.ndarray, skill_sum: np.ndarray,
            engagement_sum: np.ndarray, accidents: np.ndarray, gains: tuple, orders: np.ndarray,
            fees: np.ndarray, z_defect: np.ndarray, practice_mean: float, pp: ProductionParams,
            w: WorkforceParams, spot_price: float, shock: np.ndarray | float = 1.0,
            demand: np.ndarray | float = np.inf, paid_before: np.ndarray | float = 1.0,
            hours_adjustment: float = 1.0, wage_multiplier: float = 1.0) -> Production:
    """Output, quality, energy, costs and revenue of every firm this month.

    ``shock`` multiplies efficiency (exogenous shocks, trend and implementation dips). Firms
    produce what they can sell: good output is capacity times the utilisation
    ``min(1, demand / capacity)`` (``demand``: good units/month of orders plus what can be sold
    outside the buyers; inf: output never waits for orders). Paid production hours (per hour at
    capacity) follow the hours needed: at once when more are needed, closing
    ``hours_adjustment`` of the gap a month when fewer are (``paid_before``: last month's); the
    rest is paid idle time, so measured productivity falls in a downturn and recovers."""
    gain_p, gain_d, gain_e = gains
    n_prod = firms.size - firms.managers
    paid_days = n_prod * w.working_days
    skill = skill_sum / n_prod
    engagement = engagement_sum / firms.size
    present = paid_days - absent_days
    q = present * firms.units_per_day * efficiency(practice, skill, gain_p, firms.tfp, practice_mean, pp) * shock
    d = defect_rate(practice[..., QUALITY], skill, engagement, gain_d, firms.defect_base,
                    z_defect, practice_mean, pp)
    good = q * (1.0 - d * (1.0 - pp.rework_share))
    hours = np.minimum(demand / np.maximum(good, 1e-9), 1.0) if np.any(np.isfinite(demand)) else np.ones_like(q)
    q, good = q * hours, good * hours
    paid = np.maximum(hours, paid_before + hours_adjustment * (hours - paid_before))
    kwh_per_unit = (firms.energy_base * (1.0 - pp.energy_cleaner * practice[..., CLEANER])
                    / (1.0 - pp.energy_cleaner * practice_mean) * (1.0 - gain_e))
    kwh = q * kwh_per_unit
    wages = firms.wage * wage_multiplier * (n_prod * paid + firms.managers * pp.manager_wage_ratio)
    cost = (wages + q * firms.material * (1.0 + d * pp.rework_share * pp.rework_cost)
            + kwh * pp.energy_price_usd_kwh + accidents * pp.accident_cost_usd)
    sold = np.minimum(good, orders)
    revenue = firms.price * (sold + spot_price * (good - sold))
    return Production(
        output=q, good_output=good, defect_rate=d, energy_kwh=kwh,
        productivity=good / (paid_days * paid), unit_cost=cost / np.maximum(good, 1e-9),
        operating_cost=cost, revenue=revenue, profit=revenue - cost - fees,
        fill_rate=np.minimum(good / np.maximum(orders, 1e-9), 1.0), hours=hours, paid=paid,
    )


__all__ = ["Production", "produce", "efficiency", "defect_rate", "COOP", "WORKFORCE"]
