"""Process 4, worker suggestions: proposed at a rate set by cooperation practice, the
improvement team and engagement; those implemented each give a small lasting gain."""

from __future__ import annotations

import numpy as np

from ..params import SuggestionParams


def implemented_rate(cooperation: np.ndarray, team: np.ndarray, engagement_mean: np.ndarray,
                     workers: np.ndarray, s: SuggestionParams) -> np.ndarray:
    """Expected implemented suggestions per firm and month (W, F)."""
    rate = s.rate * cooperation * np.where(team, s.team_multiplier, 1.0) * 2.0 * engagement_mean
    return rate * workers * s.implemented


def poisson_inverse(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson counts by inversion of the CDF at uniforms ``u`` (monotone in ``mean``, so two
    worlds sharing ``u`` get coupled counts). Means above 50 use the normal approximation."""
    mean = np.asarray(mean, dtype=float)
    u = np.broadcast_to(u, mean.shape)
    small = np.minimum(mean, 50.0)
    term = np.exp(-small)
    cdf = term.copy()
    count = np.zeros(mean.shape)
    k_max = int(np.ceil(small.max() + 8 * np.sqrt(small.max()) + 10)) if mean.size else 0
    for k in range(1, k_max):
        below = u > cdf
        if not below.any():
            break
        count += below
        term = term * small / k
        cdf = cdf + term
    big = mean > 50.0
    if big.any():
        from scipy.special import ndtri
        approx = np.rint(mean + np.sqrt(mean) * ndtri(np.clip(u, 1e-12, 1 - 1e-12)))
        count = np.where(big, np.maximum(approx, 0.0), count)
    return count


def accumulate(gain: np.ndarray, implemented: np.ndarray, per_suggestion: float,
               s: SuggestionParams) -> np.ndarray:
    """Relative gain after a month of erosion and ``implemented`` new suggestions, capped."""
    return np.minimum(gain * (1.0 - s.erosion) + implemented * per_suggestion, s.gain_cap)


def steady_gain(rate: np.ndarray, per_suggestion: float, s: SuggestionParams) -> np.ndarray:
    """Gain at which erosion balances ``rate`` implemented suggestions a month."""
    if s.erosion <= 0:
        return np.zeros_like(rate)
    return np.minimum(rate * per_suggestion / s.erosion, s.gain_cap)
