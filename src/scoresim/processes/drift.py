"""Secular drift of the world without the programme (both worlds alike): every firm's baseline
practice rises (diffusion, other consultants, buyers' pressure), and efficiency, wages and
demand grow at constant rates. Pure functions of the month."""

from __future__ import annotations

import numpy as np

from ..params import DriftParams


def practice_floor(practice0: np.ndarray, t: int, d: DriftParams) -> np.ndarray:
    """(F, 5) baseline practice in month ``t``: the initial level raised by ``practice`` a year,
    at most 1. Practices relax toward it (:func:`scoresim.processes.adoption.decay`)."""
    if d.practice == 0.0:
        return practice0
    return np.minimum(practice0 + d.practice * t / 12.0, 1.0)


def log_trend(rate_per_year: float, t: int) -> float:
    """Log multiplier of month ``t`` of a trend growing at ``rate_per_year`` log-points a year."""
    return rate_per_year * t / 12.0


__all__ = ["practice_floor", "log_trend"]
