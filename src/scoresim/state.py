"""Struct-of-arrays state of firms, workers and buyers.

Static attributes have the entity axis only. Dynamic state has a leading world axis ``W``
(world 0 is the programme world, world 1 the counterfactual when both are simulated), so one
vectorised operation advances every world at once.

Workers are stored contiguously by firm: firm ``f`` owns worker slots
``start[f] : start[f] + size[f]``, its managers first. A worker who quits is replaced by a
new hire in the same slot, so slots, and the workforce, are conserved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_AREAS = 5
COOP, QUALITY, CLEANER, WORKFORCE, OSH = range(N_AREAS)


@dataclass
class Firms:
    """Static firm attributes, shape (F,) unless stated."""

    country: np.ndarray          # int index into the country table
    sector: np.ndarray           # int index into the sector table
    size: np.ndarray             # workers incl. managers
    managers: np.ndarray         # managers
    start: np.ndarray            # first worker slot
    wage: np.ndarray             # USD/worker/month
    price: np.ndarray            # USD/unit
    material: np.ndarray         # USD/unit
    units_per_day: np.ndarray    # units/worker-day at baseline
    defect_base: np.ndarray      # share of units
    energy_base: np.ndarray      # kWh/unit
    services: np.ndarray         # USD/good unit: purchased services, variable with output
    capital_share: np.ndarray    # capital costs a month, share of the firm's baseline sales
    separation_weeks: np.ndarray  # weeks of wage per layoff (country)
    overtime_premium: np.ndarray  # overtime hourly wage over the ordinary (country)
    hazard_base: np.ndarray      # accidents/worker/month at baseline OSH practice
    tfp: np.ndarray              # efficiency multiplier
    commitment: np.ndarray       # management commitment [0, 1]
    practice0: np.ndarray        # (F, 5) baseline practice levels
    team_setup_draw: np.ndarray  # (F,) uniform: a Module 1 workshop sets up a team if below team_setup
    team_resilience: np.ndarray  # (F,) Exp(1): the team lapses when its cumulative lapse hazard passes it
    reserves: np.ndarray         # (F,) months of revenue the firm can lose before it exits (exit.reserve_months x Exp(1))

    @property
    def n(self) -> int:
        return len(self.size)


@dataclass
class Workers:
    """Workers: static slot attributes (N,) and dynamic state (W, N)."""

    firm: np.ndarray             # (N,) int32 firm of the slot
    manager: np.ndarray          # (N,) bool
    woman: np.ndarray            # (N,) bool
    skill: np.ndarray            # (W, N) float32 [0, 1]
    engagement: np.ndarray       # (W, N) float32 [0, 1]
    tenure: np.ndarray           # (W, N) float32 months
    injured: np.ndarray          # (W, N) float32 days lost still to come
    absent: np.ndarray           # (W, N) float32 expected days absent last month (sick + injured)
    trained: np.ndarray          # (W, N) bool classroom participant

    @property
    def n(self) -> int:
        return len(self.firm)


@dataclass
class Buyers:
    """Buyers (B,) and their supplier links (E,)."""

    international: np.ndarray    # (B,) bool
    sponsor: np.ndarray          # (B,) bool sponsors SCORE for its suppliers
    sector: np.ndarray           # (B,) int sector it buys from
    demand: np.ndarray           # (B,) units/month at baseline
    requirement: np.ndarray      # (B,) compliance required [0, 1]
    audit_rate: np.ndarray       # (B,) audits/supplier/month
    link_firm: np.ndarray        # (E,) supplier of the link
    link_buyer: np.ndarray       # (E,) buyer of the link
    base_share: np.ndarray       # (E,) the link's share of the buyer's baseline demand (supplier output)

    @property
    def n(self) -> int:
        return len(self.international)


@dataclass
class FirmState:
    """Dynamic firm state, (W, F) unless stated."""

    practice: np.ndarray         # (W, F, 5) practice levels [0, 1]
    team: np.ndarray             # bool: enterprise improvement team active
    team_hazard: np.ndarray      # cumulative lapse hazard of the active team since set-up
    gain_productivity: np.ndarray  # cumulative relative gain from suggestions
    gain_defects: np.ndarray
    gain_energy: np.ndarray
    accident_rate: np.ndarray    # accidents per 100 workers per year, from last month's accidents
    share: np.ndarray            # (W, E) order share of each link
    alive: np.ndarray            # bool: the firm has not exited
    exit_month: np.ndarray       # int: month of exit (-1: none)
    hours: np.ndarray            # last month's hours worked per hour at capacity (utilisation), exposure to hazards
    paid: np.ndarray             # last month's paid production hours per hour at capacity
    disruption: np.ndarray       # relative efficiency lost to reorganisation (implementation dip)
    disillusion: np.ndarray      # fall of the engagement target after an improvement team broke down
    defect_z: np.ndarray         # AR(1) state of the defect-rate noise (standard normal)
    loss_stock: np.ndarray       # losses not yet earned back (USD)
    mean_revenue: np.ndarray     # exponentially weighted mean monthly revenue (USD)
    productivity_recent: np.ndarray  # exponentially weighted recent productivity (units/worker-day)
    employment: np.ndarray       # production workforce per slot (full-time equivalents; 1 at the start)
    need: np.ndarray             # hours per slot the firm expects its orders to need (exponential average)
    va_mean: np.ndarray          # value added per person engaged relative to baseline, averaged (rent sharing)
    osh_done: np.ndarray         # bool: the OSH module has started (upkeep of its equipment)
