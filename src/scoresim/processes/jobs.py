"""Process 5a, jobs: each firm's production workforce moves toward the hours its orders need,
through hires and layoffs that cost money, and wages share a little of the firm's productivity.

Employment is counted in full-time equivalents at firm level. A firm's worker slots are its
representative workforce: every slot stands for ``employment`` workers (employment per slot,
1 at the start), so individual states (skill, engagement, tenure, accidents, quits) are drawn
per slot and firm totals scale with employment. Managers are fixed.

Each month, before production, with ``E`` the production workforce, ``need`` the hours per slot
the firm expects its orders to need (an exponential average of what they needed, in slot
units) and ``Q`` this month's quits (all staff; every quit leaves a vacancy):

* desired change ``dE = adjustment * (need * slots - E)`` (at least 1 worker stays);
* hires ``max(Q + dE, 0)``: quits are replaced and the workforce grows by ``dE``, or shrinks by
  leaving quits unreplaced; layoffs ``max(-(Q + dE), 0)`` when attrition is not enough;
* separations = quits + layoffs, so hires - separations = ``dE`` exactly;
* costs: ``hiring_cost_months`` of wage per hire, ``separation_weeks`` of wage per layoff.

Rent sharing: the firm's wage is its country's times ``(va / va_base) ** rent_sharing``, ``va``
the exponential average over ``rent_months`` of its value added per person engaged deflated by
the common trend of prices and productivity, ``va_base`` its value at baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import JobsParams

WEEKS_PER_MONTH = 52.0 / 12.0


@dataclass
class Flows:
    """The month's job flows (W, F), workers: hires, separations (quits and layoffs), layoffs."""

    hires: np.ndarray
    separations: np.ndarray
    layoffs: np.ndarray


def adjust(employment: np.ndarray, need: np.ndarray, quits: np.ndarray, slots: np.ndarray, alive: np.ndarray,
           j: JobsParams) -> tuple[np.ndarray, Flows]:
    """New employment per slot (W, F) and the flows that make it. ``quits``: this month's quits
    of the firm's staff (workers); firms not ``alive`` neither hire nor lay off."""
    workforce = employment * slots
    change = j.adjustment * (need * slots - workforce) if j.adjustment else np.zeros_like(workforce)
    change = np.maximum(change, 1.0 - workforce) * alive      # keep at least one production worker
    net = quits + change
    hires = np.maximum(net, 0.0)
    layoffs = np.maximum(-net, 0.0)
    new = employment + change / slots if j.adjustment else employment
    return new, Flows(hires, quits + layoffs, layoffs)


def cost(flows: Flows, wage: np.ndarray, separation_weeks: np.ndarray, j: JobsParams) -> np.ndarray | float:
    """USD (W, F): hiring costs of every hire and severance and notice of every layoff."""
    if j.hiring_cost_months == 0.0 and not flows.layoffs.any():
        return 0.0
    return wage * (j.hiring_cost_months * flows.hires + separation_weeks / WEEKS_PER_MONTH * flows.layoffs)


def expect(need: np.ndarray, needed: np.ndarray, j: JobsParams) -> np.ndarray:
    """The hours per slot the firm expects to need: an exponential average over
    ``demand_months`` of what demand needed (capped where it was unlimited)."""
    needed = np.where(np.isfinite(needed), needed, need)
    return need + (needed - need) / j.demand_months


def rent_factor(va_mean: np.ndarray, j: JobsParams) -> np.ndarray | float:
    """The firm's wage relative to its country's: ``va_mean ** rent_sharing`` (1 when off)."""
    if j.rent_sharing == 0.0:
        return 1.0
    return np.maximum(va_mean, 1e-3) ** j.rent_sharing


def va_average(va_mean: np.ndarray, va_relative: np.ndarray, alive: np.ndarray, j: JobsParams) -> np.ndarray:
    """Exponential average of value added per person engaged relative to baseline."""
    return np.where(alive, va_mean + (va_relative - va_mean) / j.rent_months, va_mean)


__all__ = ["Flows", "adjust", "cost", "expect", "rent_factor", "va_average", "WEEKS_PER_MONTH"]
