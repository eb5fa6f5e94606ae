"""Exogenous shock histories: the business cycle of each country x sector market, scripted
demand shocks, and persistent shocks to each firm's efficiency and each buyer's demand.

Every shock is exogenous to the programme, so its whole path is drawn before the first step,
from streams seeded by the run seed (``shock_firm``, ``shock_buyer``, ``shock_cycle``), and is
shared by both worlds and by every replicate of a run, like the population. That is what lets
enrolment select on recent performance (a firm enrols after a dip in its own shocks, see
:mod:`scoresim.selection`) while the participants stay the same in every replicate.

Each process is an AR(1) in logs, ``x[t] = rho * x[t-1] + sd * sqrt(1 - rho^2) * e[t]``,
started from its stationary distribution (sd ``sd``), so its sd is ``sd`` in every month and
its autocorrelation at lag k is ``rho^k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import Scenario, month_index
from ..state import Buyers, Firms

INTERNATIONAL, NATIONAL, OUTSIDE = range(3)
"""Kinds of demand a scripted shock can hit: orders of international buyers, orders of national
buyers, and demand outside the buyers."""


@dataclass
class History:
    """Exogenous log shocks of a run, months first.

    efficiency : (T, F) float32, each firm's log efficiency shock (mean-zero AR(1)).
    buyer : (T, B) float32, each buyer's log demand shock.
    cycle : (T, C, S) float32, each country x sector market's log demand (business cycle).
    scripted : (T, 3, C, S) float32, log multipliers of scripted shocks by kind of demand
        (:data:`INTERNATIONAL`, :data:`NATIONAL`, :data:`OUTSIDE`).
    """

    efficiency: np.ndarray
    buyer: np.ndarray
    cycle: np.ndarray
    scripted: np.ndarray


def ar1_paths(rng: np.random.Generator, months: int, shape: tuple[int, ...], rho: float,
              sd: float) -> np.ndarray:
    """(months, *shape) float32 stationary AR(1) paths with persistence ``rho`` and sd ``sd``.

    The innovations are drawn whatever ``sd`` is, so switching a shock off does not shift the
    stream for anything else."""
    e = rng.standard_normal((months,) + shape)
    out = np.empty((months,) + shape, np.float32)
    x = sd * e[0]
    out[0] = x
    scale = sd * np.sqrt(max(1.0 - rho * rho, 0.0))
    for t in range(1, months):
        x = rho * x + scale * e[t]
        out[t] = x
    return out


def scripted_multipliers(p: Scenario) -> np.ndarray:
    """(T, 3, C, S) float32 log demand multipliers of the scenario's scripted shocks."""
    T, C, S = p.time.months, len(p.population.countries), len(p.population.sectors)
    out = np.zeros((T, 3, C, S), np.float32)
    countries, sectors = list(p.population.countries), list(p.population.sectors)
    kinds = {"all": [INTERNATIONAL, NATIONAL, OUTSIDE], "international": [INTERNATIONAL],
             "national": [NATIONAL, OUTSIDE]}
    for shock in p.shocks.scripted:
        a = max(month_index(p.time.start, shock.start), 0)
        b = min(month_index(p.time.start, shock.end) + 1, T)
        if a >= b:
            continue
        ci = [countries.index(c) for c in shock.countries] or list(range(C))
        si = [sectors.index(s) for s in shock.sectors] or list(range(S))
        for k in kinds[shock.buyers]:
            for c in ci:
                out[a:b, k, c, si] += np.float32(np.log1p(shock.change))
    return out


def build_history(p: Scenario, firms: Firms, buyers: Buyers, seed: int) -> History:
    """Draw the shock histories of a run from the streams of ``seed``."""
    from ..rng import generator

    sp, T = p.shocks, p.time.months
    C, S = len(p.population.countries), len(p.population.sectors)
    return History(
        efficiency=ar1_paths(generator(seed, "shock_firm"), T, (firms.n,), sp.firm_persistence, sp.firm_sd),
        buyer=ar1_paths(generator(seed, "shock_buyer"), T, (buyers.n,), sp.buyer_persistence, sp.buyer_sd),
        cycle=ar1_paths(generator(seed, "shock_cycle"), T, (C, S), sp.cycle_persistence, sp.cycle_sd),
        scripted=scripted_multipliers(p),
    )


def link_kind(buyers: Buyers) -> np.ndarray:
    """(E,) kind of demand of each supplier link: international or national buyer."""
    return np.where(buyers.international[buyers.link_buyer], INTERNATIONAL, NATIONAL)


def demand_logs(h: History, t: int, firms: Firms, buyers: Buyers, kind: np.ndarray,
                trend: float) -> tuple[np.ndarray, np.ndarray]:
    """Log demand multipliers of month ``t``: per supplier link (E,) and for demand outside the
    buyers (F,): the market's cycle, scripted shocks, the buyer's own shock and the trend."""
    cell = h.cycle[t, firms.country, firms.sector]                      # (F,)
    lf = buyers.link_firm
    link = (cell[lf] + h.scripted[t, kind, firms.country[lf], firms.sector[lf]]
            + h.buyer[t, buyers.link_buyer] + trend)
    outside = cell + h.scripted[t, OUTSIDE, firms.country, firms.sector] + trend
    return link.astype(float), outside.astype(float)


def performance(h: History, firms: Firms, buyers: Buyers) -> np.ndarray:
    """(T, F) the part of each firm's performance that shocks move, in log points: its
    efficiency shock plus the mean log demand shock over its buyers and outside demand (what a
    manager sees as a good or a bad spell; the programme cannot move it)."""
    kind = link_kind(buyers)
    T = h.efficiency.shape[0]
    out = np.empty((T, firms.n))
    degree = np.bincount(buyers.link_firm, minlength=firms.n) + 1.0
    for t in range(T):
        link, outside = demand_logs(h, t, firms, buyers, kind, 0.0)
        out[t] = h.efficiency[t] + (np.bincount(buyers.link_firm, link, minlength=firms.n) + outside) / degree
    return out


__all__ = ["History", "ar1_paths", "build_history", "demand_logs", "link_kind", "performance",
           "scripted_multipliers", "INTERNATIONAL", "NATIONAL", "OUTSIDE"]
