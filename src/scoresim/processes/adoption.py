"""Process 2, practice adoption and decay, and the enterprise improvement team.

A workshop closes ``classroom_rate`` of the gap between a practice and the level the module
teaches, each consulting visit ``visit_rate`` of it, both scaled by management commitment and
by absorptive capacity (cooperation practice, which Module 1 builds). Practices above their
baseline decay each month, more slowly while the improvement team is active; the baseline
itself drifts up (:mod:`scoresim.processes.drift`). A team that breaks down sets cooperation
practice back (:func:`breakdown`), possibly below where it started, from where it recovers.
"""

from __future__ import annotations

import numpy as np

from ..params import AdoptionParams


def adoption_speed(commitment: np.ndarray, cooperation: np.ndarray, a: AdoptionParams) -> np.ndarray:
    """Multiplier of the adoption rates: 1 at commitment 0.5 and no cooperation practice."""
    return 2.0 * commitment * (1.0 + a.absorptive_cooperation * cooperation)


def adopt(practice: np.ndarray, workshop: np.ndarray, visits: np.ndarray, speed: np.ndarray,
          a: AdoptionParams) -> np.ndarray:
    """New practice levels (P, 5) of participants after this month's workshops and visits."""
    r_class = np.clip(a.classroom_rate * speed, 0.0, 1.0)[:, None]
    r_visit = np.clip(a.visit_rate * speed, 0.0, 1.0)[:, None]
    closed = 1.0 - (1.0 - r_class) ** workshop * (1.0 - r_visit) ** visits
    return practice + closed * np.maximum(a.target - practice, 0.0)


def decay(practice: np.ndarray, baseline: np.ndarray, team: np.ndarray, a: AdoptionParams,
          rise: np.ndarray | float = 0.0) -> np.ndarray:
    """Practice levels (W, F, 5) after a month: moved up with the baseline's ``rise`` this month
    (secular drift), then relaxed toward the baseline (F, 5): a practice above it decays, one
    below it (after a setback) recovers, at the same rate."""
    rate = a.decay * np.where(team, a.team_decay_factor, 1.0)[..., None]
    if np.any(rise):
        practice = practice + rise
    return practice - rate * (practice - baseline)


def update_team(team: np.ndarray, hazard: np.ndarray, coop_workshop: np.ndarray,
                commitment: np.ndarray, trained_managers_lost: np.ndarray, setup_draw: np.ndarray,
                resilience: np.ndarray, a: AdoptionParams) -> tuple[np.ndarray, np.ndarray]:
    """Team state (W, F) and its cumulative lapse hazard after a month.

    A Module 1 workshop (``coop_workshop``, (W, F) bool) sets up a team where the firm's
    ``setup_draw`` is below ``team_setup``. An active team accumulates the monthly lapse hazard
    ``team_lapse * 2 * (1 - commitment) + manager_quit_lapse * trained managers lost`` and lapses
    when the sum passes the firm's Exp(1) ``resilience``: the exact lapse-time representation of
    that hazard process, with the firm's randomness drawn once with the population.
    """
    rate = a.team_lapse * 2.0 * (1.0 - commitment) + a.manager_quit_lapse * trained_managers_lost
    hazard = np.where(team, hazard + rate, 0.0)
    kept = team & (hazard < resilience)
    new = coop_workshop & ~kept & (setup_draw < a.team_setup)
    return kept | new, np.where(new, 0.0, hazard)


def breakdown(practice: np.ndarray, disillusion: np.ndarray, lapsed: np.ndarray, area: int,
              setback: float, fall: float) -> tuple[np.ndarray, np.ndarray]:
    """Where an improvement team broke down this month (``lapsed``, (W, F) bool): the practice
    of ``area`` falls by ``setback`` (not below 0) and the disillusion of staff (the fall of
    their engagement target) rises by ``fall``. Returns new practice and disillusion."""
    if not lapsed.any() or (setback == 0.0 and fall == 0.0):
        return practice, disillusion
    practice = practice.copy()
    practice[..., area] = np.where(lapsed, np.maximum(practice[..., area] - setback, 0.0), practice[..., area])
    return practice, disillusion + fall * lapsed


__all__ = ["adoption_speed", "adopt", "decay", "update_team", "breakdown"]
