"""Build the initial population of firms, workers and buyers as arrays.

All draws come from the ``population`` and ``buyers`` streams, so both worlds start from the
same population and a seed fixes it.
"""

from __future__ import annotations

import numpy as np

from . import economics
from .params import Scenario
from .state import Buyers, Firms, FirmState, Workers, N_AREAS


def _beta(rng: np.random.Generator, mean: float | np.ndarray, conc: float, size) -> np.ndarray:
    """Beta draws with a given mean (a number, or one per draw) and concentration a+b
    (degenerate means handled)."""
    mean = np.clip(mean, 1e-6, 1 - 1e-6)
    return rng.beta(mean * conc, (1 - mean) * conc, size)


def start_engagement(p: Scenario, firms: Firms) -> np.ndarray:
    """(F,) each firm's steady-state engagement at its baseline practices and accident rate, no
    team (the fixed point of the engagement target of :func:`scoresim.processes.workforce.firm_drivers`)."""
    from .state import COOP, WORKFORCE

    w = p.workforce
    target = (w.engagement_base + w.engagement_cooperation * firms.practice0[:, COOP]
              + w.engagement_workforce * firms.practice0[:, WORKFORCE]
              - w.engagement_accidents * firms.hazard_base * 1200.0)
    return np.clip(target, 0.0, 1.0)


def _beta_quantile(u: np.ndarray, mean: float, conc: float) -> np.ndarray:
    """Beta values with a given mean and concentration at quantiles ``u``: the same firm keeps
    its rank whatever the parameters, so runs that differ only in them stay paired."""
    from scipy.stats import beta

    mean = min(max(mean, 1e-6), 1 - 1e-6)
    return beta.ppf(u, mean * conc, (1 - mean) * conc)


def firm_sizes(rng: np.random.Generator, n: int, mean: float, sigma: float,
               lo: int, hi: int) -> np.ndarray:
    """Lognormal firm sizes (workers incl. managers), clipped to [lo, hi], rescaled to ``mean``."""
    raw = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n)
    raw = np.clip(raw, lo, hi)
    raw = np.clip(raw * mean / raw.mean(), lo, hi)
    return np.maximum(np.rint(raw), lo).astype(np.int64)


def _pick(rng: np.random.Generator, table: dict, n: int) -> np.ndarray:
    w = np.array([v.weight for v in table.values()], dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def build_firms(p: Scenario, rng: np.random.Generator) -> Firms:
    """Draw the static attributes of ``p.population.n_firms`` firms."""
    pop = p.population
    n = pop.n_firms
    countries = list(pop.countries.values())
    sectors = list(pop.sectors.values())
    country = _pick(rng, pop.countries, n)
    sector = _pick(rng, pop.sectors, n)
    size = firm_sizes(rng, n, pop.workers_mean, pop.workers_sigma, pop.workers_min, pop.workers_max)
    managers = np.clip(np.rint(size * pop.manager_share), 1, size - 1).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    col = lambda attr, table, idx: np.array([getattr(v, attr) for v in table])[idx]  # noqa: E731
    hazard = (col("accidents_per_100_year", sectors, sector) / 1200.0
              * col("hazard_multiplier", countries, country))
    price_noise = np.exp(rng.normal(0.0, 0.05, n))
    units = economics.unit_values(p)
    cell = (country, sector)
    return Firms(
        country=country, sector=sector, size=size, managers=managers, start=start,
        wage=economics.wages(p)[country],
        price=col("price_usd_per_unit", sectors, sector) * price_noise,
        material=units.material[cell],
        units_per_day=units.units_per_day[cell],
        defect_base=col("defect_rate", sectors, sector),
        energy_base=units.energy_kwh[cell],
        services=units.services[cell],
        capital_share=col("capital_share", sectors, sector),
        separation_weeks=col("separation_weeks", countries, country),
        overtime_premium=col("overtime_premium", countries, country),
        hazard_base=hazard,
        tfp=rng.lognormal(-pop.tfp_sigma**2 / 2, pop.tfp_sigma, n),
        commitment=_beta_quantile(rng.random(n), pop.commitment_mean, pop.commitment_concentration),
        practice0=_beta(rng, pop.practice_mean, pop.practice_concentration, (n, N_AREAS)),
        team_setup_draw=rng.random(n),
        team_resilience=rng.exponential(1.0, n),
        reserves=np.zeros(n),
    )


def build_workers(p: Scenario, firms: Firms, rng: np.random.Generator, n_worlds: int) -> Workers:
    """Draw workers slot by slot, managers first within each firm."""
    pop = p.population
    n = int(firms.size.sum())
    firm = np.repeat(np.arange(firms.n, dtype=np.int32), firms.size)
    rank = np.arange(n) - np.repeat(firms.start, firms.size)
    manager = rank < np.repeat(firms.managers, firms.size)
    woman = rng.random(n) < pop.women_share
    skill = _beta(rng, pop.skill_mean, 6.0, n).astype(np.float32)
    engagement = _beta(rng, start_engagement(p, firms)[firm] if pop.engagement_start == "steady_state"
                       else pop.engagement_mean, 6.0, n).astype(np.float32)
    tenure = rng.exponential(max(pop.tenure_mean_months, 1e-9), n).astype(np.float32)
    stack = lambda a: np.repeat(a[None, :], n_worlds, axis=0)  # noqa: E731
    return Workers(
        firm=firm, manager=manager, woman=woman,
        skill=stack(skill), engagement=stack(engagement), tenure=stack(tenure),
        injured=np.zeros((n_worlds, n), np.float32), absent=np.zeros((n_worlds, n), np.float32),
        trained=np.zeros((n_worlds, n), bool),
    )


def _sector_counts(weights: np.ndarray, n: int) -> np.ndarray:
    """Buyers per sector: proportional to weight, at least one each while n allows."""
    share = weights / weights.sum() * n
    counts = np.floor(share).astype(int)
    if n >= len(weights):
        counts = np.maximum(counts, 1)
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    order = np.argsort(-(share - np.floor(share)))
    i = 0
    while counts.sum() < n:
        counts[order[i % len(order)]] += 1
        i += 1
    return counts


def build_buyers(p: Scenario, firms: Firms, capacity: np.ndarray, rng: np.random.Generator) -> Buyers:
    """Buyers by sector and their links to suppliers of that sector. A buyer's baseline demand
    is ``demand_ratio`` times the ``capacity`` (good units/month, (F,)) its suppliers devote to
    it, each supplier splitting its capacity evenly over its buyers."""
    b = p.buyers
    weights = np.array([v.weight for v in p.population.sectors.values()], dtype=float)
    sector = np.repeat(np.arange(len(weights)), _sector_counts(weights, b.n_buyers))
    international = rng.random(b.n_buyers) < b.international_share
    sponsor = international & (rng.random(b.n_buyers) < b.sponsor_share)
    link_f, link_b = [], []
    for s in range(len(weights)):
        bs = np.flatnonzero(sector == s)
        fs = np.flatnonzero(firms.sector == s)
        if len(bs) == 0 or len(fs) == 0:
            continue
        k = min(b.links_per_firm, len(bs))
        keys = rng.random((len(fs), len(bs)))
        chosen = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < len(bs) else np.tile(np.arange(len(bs)), (len(fs), 1))
        link_f.append(np.repeat(fs, k))
        link_b.append(bs[chosen.ravel()])
    link_firm = np.concatenate(link_f) if link_f else np.zeros(0, np.int64)
    link_buyer = np.concatenate(link_b) if link_b else np.zeros(0, np.int64)
    degree = np.bincount(link_firm, minlength=firms.n)
    per_link = capacity[link_firm] / np.maximum(degree[link_firm], 1)
    demand = np.bincount(link_buyer, weights=per_link, minlength=b.n_buyers)
    base_share = per_link / np.maximum(demand[link_buyer], 1e-12)
    return Buyers(
        international=international, sponsor=sponsor, sector=sector,
        demand=demand * p.market.demand_ratio,
        requirement=np.where(international, b.requirement_international, b.requirement_national),
        audit_rate=np.where(international, b.audits_per_year_international,
                            b.audits_per_year_national) / 12.0,
        link_firm=link_firm, link_buyer=link_buyer, base_share=base_share,
    )


def initial_firm_state(firms: Firms, n_worlds: int) -> FirmState:
    """Dynamic firm state at the start: baseline practices, no team, no gains, no links yet."""
    W, F = n_worlds, firms.n
    zeros = lambda: np.zeros((W, F))  # noqa: E731
    return FirmState(
        practice=np.repeat(firms.practice0[None], W, axis=0),
        team=np.zeros((W, F), bool),
        team_hazard=zeros(),
        gain_productivity=zeros(), gain_defects=zeros(), gain_energy=zeros(),
        accident_rate=np.repeat((firms.hazard_base * 1200)[None], W, axis=0),
        share=np.zeros((W, 0)),
        alive=np.ones((W, F), bool), exit_month=np.full((W, F), -1, np.int64),
        hours=np.ones((W, F)), paid=np.ones((W, F)), disruption=zeros(), disillusion=zeros(), defect_z=zeros(),
        loss_stock=zeros(), mean_revenue=zeros(), productivity_recent=np.full((W, F), np.nan),
        employment=np.ones((W, F)), need=np.ones((W, F)), va_mean=np.ones((W, F)), osh_done=np.zeros((W, F), bool),
    )
