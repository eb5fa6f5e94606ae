"""The mechanisms that make what participants report differ from what the programme caused,
each with the parameter values that switch it off.

With every mechanism off the model is the one calibrated to Phase I before these mechanisms
existed: a world without the programme that does not move, participants drawn uniformly,
no failure or exit, full and truthful reporting, a fixed workforce, and buyers' orders
allocated among the population whatever its capacity. (That model's firm economics, its
prices, wages and unit costs, are inputs, not mechanisms: tests/data/static_economics.toml
restores them.) The decomposition of the gap between the
reported change and the causal effect (:mod:`scoresim.decompose`) switches groups of them off
on the same seeds.
"""

from __future__ import annotations

from typing import Any, Iterable

from .params import Scenario

MECHANISMS: dict[str, dict[str, Any]] = {
    "drift": {"drift.practice": 0.0, "drift.productivity": 0.0, "drift.wages": 0.0, "drift.demand": 0.0,
              "drift.wage_series": False},
    "shocks": {"shocks.cycle_sd": 0.0, "shocks.firm_sd": 0.0, "shocks.buyer_sd": 0.0, "shocks.scripted": [],
               "production.defect_persistence": 0.0},
    "demand_limits": {"market.produce_to_demand": False},
    "selection": {"selection.strength": 0.0},
    "failure": {"failure.disruption": 0.0, "failure.dropout_hazard": 0.0, "failure.breakdown_engagement": 0.0,
                "failure.breakdown_setback": 0.0},
    "exit": {"exit.enabled": False},
    "nonresponse": {"reporting.response_rate": 1.0, "reporting.response_results": 0.0},
    "reporting_bias": {"reporting.measurement_sd": 0.0, "reporting.measurement_sd_points": 0.0,
                       "reporting.optimism": 0.0, "reporting.optimism_points": 0.0},
    "employment": {"jobs.adjustment": 0.0, "jobs.hiring_cost_months": 0.0},
    "overtime": {"production.overtime_max": 0.0},
    "capacity_allocation": {"market.capacity_aware": False},
    "open_market": {"market.elsewhere_share": 0.0},
    "price_response": {"market.demand_elasticity": 0.0},
    "rent_sharing": {"jobs.rent_sharing": 0.0},
    "adoption_costs": {f"adoption_costs.{k}": 0.0 for k in (
        "classroom_days", "visit_manager_days", "visit_worker_days", "team_days", "implementation_days",
        "travel_usd_per_day", "osh_usd_per_worker", "osh_upkeep_usd_per_worker_year", "cleaner_usd_per_worker",
        "quality_usd_per_worker")},
    "steady_start": {"population.engagement_start": "mean"},
}
"""Mechanism name -> the parameter values (by dotted path) that switch it off."""

DESCRIPTIONS: dict[str, str] = {
    "drift": "secular drift of practices, productivity, wages and demand",
    "shocks": "business cycle, scripted, firm and buyer shocks (and persistent defect noise)",
    "demand_limits": "output limited by demand, paid hours following it",
    "selection": "enrolment selected on commitment and on a recent dip",
    "failure": "implementation dips, mid-module dropout, teams that break down",
    "exit": "exit after sustained losses",
    "nonresponse": "participants that do not return monitoring data",
    "reporting_bias": "measurement error and optimism in what participants report",
    "employment": "employment following orders through costly hires and layoffs",
    "overtime": "overtime beyond regular hours, at a premium",
    "capacity_allocation": "buyers' orders within suppliers' capacity, scored against each supplier's baseline",
    "open_market": "buyers that also buy outside the population",
    "price_response": "demand outside the buyers that answers marginal cost",
    "rent_sharing": "wages that share the firm's productivity",
    "adoption_costs": "managers' and workers' time and investments of adopting firms",
    "steady_start": "workers' engagement starts at their firm's steady state, not drifting toward it",
}


def off_values(names: Iterable[str]) -> dict[str, Any]:
    """The parameter values that switch the named mechanisms off."""
    out: dict[str, Any] = {}
    for name in names:
        if name not in MECHANISMS:
            raise KeyError(f"unknown mechanism {name!r}; known: {', '.join(MECHANISMS)}")
        out.update(MECHANISMS[name])
    return out


def switch_off(scenario: Scenario, names: Iterable[str] = tuple(MECHANISMS)) -> Scenario:
    """``scenario`` with the named mechanisms (default: all) switched off."""
    from .config import set_values

    values = off_values(names)
    return set_values(scenario, values, origin="mechanisms switched off", label="") if values else scenario


PLACEBO: dict[str, Any] = {
    "adoption.classroom_rate": 0.0, "adoption.visit_rate": 0.0, "adoption.team_setup": 0.0,
    "workforce.classroom_skill": 0.0, "workforce.classroom_engagement": 0.0,
    "failure.disruption": 0.0, "programme.firm_share": 0.0,
    **{k: 0.0 for k in MECHANISMS["adoption_costs"]},
}
"""A programme that changes nothing: the same firms enrol, are selected and report, but no
practice, skill, engagement, team, disruption, fee or adoption cost follows."""


def placebo(scenario: Scenario) -> Scenario:
    """``scenario`` with the programme changing nothing (:data:`PLACEBO`): what participants would
    report, and any target, from drift, shocks, selection, exit and reporting alone. Some of its
    paths are calibrated parameters: an ensemble with posterior draws must keep them
    (``run_ensemble(..., keep=... | set(PLACEBO))``), or the draws undo the placebo."""
    from .config import set_values

    return set_values(scenario, PLACEBO, origin="placebo: a programme that changes nothing", label="")


__all__ = ["MECHANISMS", "DESCRIPTIONS", "PLACEBO", "off_values", "switch_off", "placebo"]
