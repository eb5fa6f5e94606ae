"""Implementation that does not go to plan: the temporary dip while a firm reorganises, and
participants who stop in the middle of a module. (Teams that break down are in
:func:`scoresim.processes.adoption.breakdown`.)"""

from __future__ import annotations

import numpy as np

from ..params import FailureParams


def fade(level: np.ndarray, months: float) -> np.ndarray:
    """A level that fades with e-folding time ``months`` after one month."""
    return level * np.exp(-1.0 / months)


def disruption(level: np.ndarray, workshops: np.ndarray, f: FailureParams) -> np.ndarray:
    """Relative efficiency lost to reorganisation this month (W, F): last month's loss faded,
    plus ``disruption`` for each module workshop this month (``workshops``, (W, F) counts)."""
    return fade(level, f.disruption_months) + f.disruption * workshops


def dropout_chance(commitment: np.ndarray, early_result: np.ndarray, f: FailureParams) -> np.ndarray:
    """(P,) chance a participant in a module stops this month: the monthly hazard
    ``dropout_hazard * 2 (1 - commitment) * exp(-dropout_results * early_result)``, with
    ``early_result`` the relative change of its productivity since enrolment (0 if unknown)."""
    r = np.nan_to_num(early_result, nan=0.0)
    hazard = f.dropout_hazard * 2.0 * (1.0 - commitment) * np.exp(-f.dropout_results * np.clip(r, -1.0, 1.0))
    return -np.expm1(-hazard)


__all__ = ["fade", "disruption", "dropout_chance"]
