"""Process 1, programme delivery: workshops, classroom participants, consulting visits, fees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..modules import Schedule
from ..params import ProgrammeParams
from ..state import Firms


@dataclass
class Delivery:
    """What the programme delivers to participants this month, arrays (P, 5) or (P,)."""

    workshop: np.ndarray      # (P, 5) bool: the module's workshop is this month
    visits: np.ndarray        # (P, 5) consulting visits this month
    fee_firm: np.ndarray      # (P,) USD paid by the firm
    fee_sponsor: np.ndarray   # (P,) USD paid by a sponsoring buyer
    fee_programme: np.ndarray  # (P,) USD paid by the programme


def deliver(t: int, sched: Schedule, prog: ProgrammeParams, active: np.ndarray | None = None) -> Delivery:
    """Workshops and visits of month ``t`` and the module fees booked, split by payer (USD); a
    schedule may carry its own per-participant shares (the scale-up planner's). Participants
    not ``active`` ((P,) bool: dropped out or exited) receive nothing."""
    taken = sched.taken if active is None else sched.taken & active[:, None]
    workshop = taken & (sched.start == t)
    offset = t - sched.start - 1
    months = len(sched.visits_in_month)
    in_visits = taken & (offset >= 0) & (offset < months)
    visits = np.where(in_visits, sched.visits_in_month[np.clip(offset, 0, months - 1)], 0)
    cost = workshop.sum(axis=1) * prog.cost_per_module_usd
    firm_share = prog.firm_share if sched.firm_share is None else sched.firm_share
    sponsor_share = prog.sponsor_share if sched.sponsor_share is None else sched.sponsor_share
    fee_firm = cost * firm_share
    fee_sponsor = cost * sponsor_share * sched.sponsored
    return Delivery(workshop, visits, fee_firm, fee_sponsor, cost - fee_firm - fee_sponsor)


def classroom_slots(t: int, sched: Schedule, workshop: np.ndarray, firms: Firms,
                    prog: ProgrammeParams) -> np.ndarray:
    """Worker slots attending this month's workshops: the firm's first managers, then
    ``classroom_workers`` production workers per module, different ones for each module."""
    rows = np.flatnonzero(workshop.any(axis=1))
    if len(rows) == 0:
        return np.zeros(0, np.int64)
    f = sched.firm[rows]
    module_no = ((sched.start[rows] >= 0) & (sched.start[rows] < t)).sum(axis=1)
    n_man = np.minimum(prog.classroom_managers, firms.managers[f])
    n_wrk = firms.size[f] - firms.managers[f]
    slots = []
    for i in range(prog.classroom_managers):
        slots.append((firms.start[f] + i)[i < n_man])
    for i in range(prog.classroom_workers):
        k = (module_no * prog.classroom_workers + i) % n_wrk
        slots.append((firms.start[f] + firms.managers[f] + k)[i < n_wrk])
    return np.unique(np.concatenate(slots))
