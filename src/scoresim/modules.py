"""The SCORE modules: delivery (who, when, at what cost), kept apart from their effects.

The schedule is drawn once, before the first step, from the ``delivery`` stream: which firms
take part, when their cohort's workshop is, which modules each firm takes in which order, and
where it drops out. What a module *does* (move practices) lives in ``processes/adoption.py``.

Timing of one module, from its workshop month ``s``: the 2-day classroom workshop in month
``s``; ``visits_per_module`` consulting visits spread over months ``s+1 .. s+visit_months``;
the next module's workshop ``gap_months`` after the last visit month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import AREAS, Scenario, month_index
from .selection import draw_cohorts, log_weights
from .state import Buyers, Firms, N_AREAS


@dataclass
class Schedule:
    """Delivery plan. Participant arrays have shape (P,) or (P, 5)."""

    firm: np.ndarray          # (P,) firm index of each participant
    start: np.ndarray         # (P, 5) workshop month of each area's module, -1 if not taken
    sponsored: np.ndarray     # (P,) bool: a sponsoring buyer pays its share
    visits_in_month: np.ndarray  # (visit_months,) visits made in each month after the workshop
    firm_share: np.ndarray | None = None     # (P,) share of a module's cost the firm pays (None: the programme's)
    sponsor_share: np.ndarray | None = None  # (P,) share a sponsoring buyer pays (None: the programme's)

    @property
    def n(self) -> int:
        return len(self.firm)

    @property
    def taken(self) -> np.ndarray:
        """(P, 5) bool: module of the area is delivered."""
        return self.start >= 0

    @property
    def enrol(self) -> np.ndarray:
        """(P,) first workshop month."""
        return np.where(self.taken, self.start, np.iinfo(np.int64).max).min(axis=1) if self.n else np.zeros(0, int)

    def completion(self, visit_months: int) -> np.ndarray:
        """(P,) month of the last consulting visit month of the last module."""
        return (self.start.max(axis=1) + visit_months) if self.n else np.zeros(0, int)


def empty_schedule(visit_months: int = 1) -> Schedule:
    return Schedule(np.zeros(0, np.int64), np.zeros((0, N_AREAS), np.int64), np.zeros(0, bool),
                    np.zeros(visit_months, np.int64))


def eligible(p: Scenario, firms: Firms) -> np.ndarray:
    """(F,) bool: firms the programme may enrol."""
    prog, pop = p.programme, p.population
    ok = (firms.size >= prog.eligible_min_workers) & (firms.size <= prog.eligible_max_workers)
    if prog.eligible_sectors:
        idx = [list(pop.sectors).index(s) for s in prog.eligible_sectors]
        ok &= np.isin(firms.sector, idx)
    if prog.eligible_countries:
        idx = [list(pop.countries).index(c) for c in prog.eligible_countries]
        ok &= np.isin(firms.country, idx)
    return ok


def sponsored_firms(firms: Firms, buyers: Buyers) -> np.ndarray:
    """(F,) bool: firms supplying at least one sponsoring buyer."""
    hit = buyers.sponsor[buyers.link_buyer]
    return np.bincount(buyers.link_firm[hit], minlength=firms.n) > 0


def spread_visits(visits: int, months: int) -> np.ndarray:
    """Visits per month when ``visits`` are spread evenly over ``months`` months."""
    edges = np.floor(np.arange(months + 1) * visits / months).astype(np.int64)
    return np.diff(edges)


def build_schedule(p: Scenario, firms: Firms, buyers: Buyers, rng: np.random.Generator,
                   perf: np.ndarray | None = None) -> Schedule:
    """Draw the delivery plan: participants, cohorts, module sequences and dropouts between
    modules. Participants are drawn cohort by cohort with the enrolment weights of
    :mod:`scoresim.selection` (``perf``: the (T, F) exogenous performance the dip is read from)."""
    prog = p.programme
    visits = spread_visits(prog.visits_per_module, prog.visit_months)
    # Draw every random number up front, whatever is enabled, so the stream is consumed the same way.
    order_keys = rng.random(firms.n)
    n_extra = (rng.random((firms.n, N_AREAS - 1)) < (prog.modules_per_firm - 1.0) / (N_AREAS - 1)).sum(axis=1)
    area_keys = rng.random((firms.n, N_AREAS))
    stay = rng.random((firms.n, N_AREAS))
    if not prog.enabled or not prog.modules or prog.participants == 0:
        return empty_schedule(prog.visit_months)
    sponsored = sponsored_firms(firms, buyers)
    is_eligible = eligible(p, firms)
    candidates = np.flatnonzero(is_eligible)
    n = min(prog.participants, len(candidates))
    if n == 0:
        return empty_schedule(prog.visit_months)
    months = cohort_months(np.arange(n), prog.cohort_size, month_index(p.time.start, prog.enrol_start),
                           month_index(p.time.start, prog.enrol_end))[:: prog.cohort_size]
    weights = lambda t: log_weights(firms.commitment, perf, t, is_eligible, p.selection)  # noqa: E731
    in_key_order = draw_cohorts(-np.log1p(-order_keys), candidates, months, prog.cohort_size, n, weights,
                                sponsored if prog.targeting == "sponsored_first" else None)
    rank = np.argsort(in_key_order, kind="stable")  # participants in firm order, and
    chosen = in_key_order[rank]                     # each one's place in the draw (cohorts)
    enrol = months[rank // prog.cohort_size]
    start = module_starts(p, enrol, n_extra[chosen], area_keys[chosen], stay[chosen])
    served = (start >= 0).any(axis=1)  # a workshop inside the simulated period
    return Schedule(firm=chosen[served], start=start[served], sponsored=sponsored[chosen][served],
                    visits_in_month=visits)


def cohort_months(rank: np.ndarray, cohort_size: int, first: int, last: int) -> np.ndarray:
    """Workshop month of each participant: cohorts of ``cohort_size`` spread over [first, last]."""
    cohort = rank // cohort_size
    n_cohorts = int(cohort.max()) + 1 if len(cohort) else 0
    if n_cohorts <= 1:
        return np.full(len(rank), first, np.int64)
    return first + np.rint(cohort * (last - first) / (n_cohorts - 1)).astype(np.int64)


def module_starts(p: Scenario, enrol: np.ndarray, n_extra: np.ndarray, area_keys: np.ndarray,
                  stay: np.ndarray) -> np.ndarray:
    """(P, 5) workshop month per area, -1 for modules not taken (Module 1 first when offered)."""
    prog = p.programme
    offered = np.array([a in prog.modules for a in AREAS])
    keys = np.where(offered, area_keys, np.inf)
    if prog.module1_first and offered[0]:
        keys[:, 0] = -1.0
    order = np.argsort(keys, axis=1)                       # (P, 5) areas in the order taken
    n_mod = np.minimum(1 + n_extra, offered.sum())         # modules each firm plans
    position = np.arange(N_AREAS)[None, :]
    kept = np.cumprod((stay >= prog.dropout) | (position == 0), axis=1).astype(bool)
    planned = (position < n_mod[:, None]) & kept
    period = 1 + prog.visit_months + prog.gap_months
    when = enrol[:, None] + position * period
    start = np.full(order.shape, -1, np.int64)
    rows = np.repeat(np.arange(len(enrol)), N_AREAS).reshape(order.shape)
    start[rows[planned], order[planned]] = when[planned]
    start[start >= p.time.months] = -1                     # beyond the horizon: not delivered
    return start
