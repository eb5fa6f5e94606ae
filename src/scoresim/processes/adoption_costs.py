"""What adopting SCORE costs a participating firm beside the fees: the time of its managers and
workers and its investments (process 1, with delivery).

Per participant and month, from what is delivered:

* classroom workshops: each module's ``classroom_managers`` and ``classroom_workers`` (at most
  the firm has) spend ``classroom_days`` away, with travel and meals per person-day;
* consulting visits: ``visit_manager_days`` and ``visit_worker_days`` per module, and
  ``implementation_days`` per production worker per module (5S days, re-layout, training
  co-workers), spread over the module's visits (at the workshop when it has none);
* investments when a module starts, per staff member: OSH equipment, cleaner-production
  changes, quality tools.

Improvement-team meetings (``team_days`` a month while a team is active, half managers) and
the upkeep of OSH equipment (after the OSH module) are firm-level and monthly (:func:`monthly`).
Workers' days are lost production time: the firm's capacity falls by them, which costs output
only when it has no slack. Managers' days are valued at their wage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import AdoptionCostParams, ProgrammeParams
from ..state import CLEANER, OSH, QUALITY
from .delivery import Delivery


@dataclass
class Time:
    """Days and payments of the month (P,) or (W, F): production workers' days, managers' days,
    travel and investments (USD)."""

    worker_days: np.ndarray
    manager_days: np.ndarray
    cash: np.ndarray


def delivered(d: Delivery, managers: np.ndarray, production_workers: np.ndarray, staff: np.ndarray,
              prog: ProgrammeParams, a: AdoptionCostParams) -> Time:
    """Participants' (P,) time and payments for this month's workshops and visits; ``managers``,
    ``production_workers`` and ``staff`` per participant (workers)."""
    workshops = d.workshop.sum(axis=1).astype(float)
    n_man = np.minimum(prog.classroom_managers, managers)
    n_wrk = np.minimum(prog.classroom_workers, production_workers)
    away = workshops * a.classroom_days
    worker = away * n_wrk
    manager = away * n_man
    per_module_workers = a.visit_worker_days + a.implementation_days * production_workers
    if prog.visits_per_module > 0:
        share = d.visits.sum(axis=1) / prog.visits_per_module
    else:
        share = workshops
    worker = worker + share * per_module_workers
    manager = manager + share * a.visit_manager_days
    invest = staff * (a.osh_usd_per_worker * d.workshop[:, OSH] + a.cleaner_usd_per_worker * d.workshop[:, CLEANER]
                      + a.quality_usd_per_worker * d.workshop[:, QUALITY])
    return Time(worker, manager, away * (n_man + n_wrk) * a.travel_usd_per_day + invest)


def monthly(team: np.ndarray, osh_done: np.ndarray, staff: np.ndarray, a: AdoptionCostParams) -> Time:
    """Firm-level (W, F) time of improvement-team meetings and the upkeep of OSH equipment."""
    half = 0.5 * a.team_days * team
    return Time(half, half, osh_done * staff * a.osh_upkeep_usd_per_worker_year / 12.0)


def any_cost(a: AdoptionCostParams) -> bool:
    """Whether adopting costs the firm anything beside the fees."""
    return any(v > 0 for v in a.model_dump().values())


__all__ = ["Time", "delivered", "monthly", "any_cost"]
