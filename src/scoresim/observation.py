"""Reporting is a process: which participants return monitoring data, and what they write.

SCORE's monitoring asked participating firms for their indicators before and after the
programme. This observation model turns the firms' true window means (from the simulated
panel) into what the monitoring system receives:

* *who reports*: a surviving participant returns its data with probability
  ``invlogit(logit(response_rate) + response_results * z)``, ``z`` the standard score of its true
  results across the participants (the mean over indicators of the standardised improvement),
  so firms that did badly are more often silent; a firm that exited never reports;
* *measurement error*: each reported level (before and after) carries an independent error,
  lognormal with log-sd ``measurement_sd`` for relative indicators, additive with sd
  ``measurement_sd_points`` for practice assessments;
* *optimism*: the after-level is reported better than it is, by ``optimism`` log-points
  (``optimism_points`` for practice), in the indicator's good direction;
* *savings*: a participant states its cost savings as an amount (USD over the first
  ``savings_months`` from its first workshop), not as two cost levels, so the error is in
  proportion to the amount: lognormal with log-sd ``measurement_sd``, and optimism makes a saving
  larger and a loss smaller, by ``optimism`` log-points. The draws come from the
  ``reporting_savings`` stream, so adding them left the other reports unchanged.

The draws come from the ``reporting`` stream of each replicate's seed, one fixed-shape array per
replicate, so the same run gives the same reports. With ``response_rate`` 1 and no error or
optimism, reports are the true changes.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .numerics import quiet
from .params import ReportingParams
from .rng import generator


def draws(replicate_seeds: list[int], n_indicators: int, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniforms (R, K) for who reports and standard normals (R, 2, I, K) for the errors of the
    before- and after-levels, from each replicate's ``reporting`` stream."""
    u = np.empty((len(replicate_seeds), n_firms))
    z = np.empty((len(replicate_seeds), 2, n_indicators, n_firms))
    for r, seed in enumerate(replicate_seeds):
        g = generator(seed, "reporting")
        u[r] = g.random(n_firms)
        z[r] = g.standard_normal((2, n_indicators, n_firms))
    return u, z


def savings_draws(replicate_seeds: list[int], n_firms: int) -> np.ndarray:
    """Standard normals (R, K) for the errors of the savings participants state, from each
    replicate's ``reporting_savings`` stream."""
    return np.stack([generator(seed, "reporting_savings").standard_normal(n_firms) for seed in replicate_seeds]) \
        if replicate_seeds else np.empty((0, n_firms))


def reported_savings(true: np.ndarray, z: np.ndarray, rp: ReportingParams) -> np.ndarray:
    """The savings amounts (R, K) participants state: the true amounts ``true`` (USD; negative
    for a rise in cost) with a lognormal error of log-sd ``measurement_sd`` and optimism of
    ``optimism`` log-points in the good direction (a saving larger, a loss smaller)."""
    return true * np.exp(rp.measurement_sd * z + np.sign(true) * rp.optimism)


def results_score(change: np.ndarray, direction: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """(R, K) standard score of each firm's true results: the mean over indicators of its
    standardised improvement ``direction * change`` (change (R, I, K)), across valid firms."""
    x = direction[None, :, None] * change
    x = np.where(valid[:, None, :], x, np.nan)
    with quiet():
        z = (x - np.nanmean(x, axis=2, keepdims=True)) / np.nanstd(x, axis=2, keepdims=True)
        s = np.nanmean(np.where(np.isfinite(z), z, np.nan), axis=1)
        s = (s - np.nanmean(np.where(valid, s, np.nan), axis=1, keepdims=True)) / \
            np.nanstd(np.where(valid, s, np.nan), axis=1, keepdims=True)
    return np.nan_to_num(s)


def responds(score: np.ndarray, valid: np.ndarray, u: np.ndarray, rp: ReportingParams) -> np.ndarray:
    """(R, K) bool: valid participants (surviving, windows in the period) that return data."""
    if rp.response_rate >= 1.0:
        return valid.copy()
    if rp.response_rate <= 0.0:
        return np.zeros_like(valid)
    logit = np.log(rp.response_rate / (1.0 - rp.response_rate)) + rp.response_results * score
    return valid & (u < expit(logit))   # expit: no overflow at rates near 0 or 1


def reported_levels(before: np.ndarray, after: np.ndarray, direction: np.ndarray, points: np.ndarray,
                    z: np.ndarray, rp: ReportingParams) -> tuple[np.ndarray, np.ndarray]:
    """The before- and after-levels (R, I, K) firms write down: true levels with measurement
    error and, after, optimism in the good ``direction`` (I,); ``points`` (I,) marks practice
    indicators (additive error), the others are relative (lognormal error)."""
    d, pts = direction[None, :, None], points[None, :, None]
    rel_b = before * np.exp(rp.measurement_sd * z[:, 0])
    rel_a = after * np.exp(rp.measurement_sd * z[:, 1] + d * rp.optimism)
    pts_b = before + rp.measurement_sd_points * z[:, 0]
    pts_a = after + rp.measurement_sd_points * z[:, 1] + d * rp.optimism_points
    return np.where(pts, pts_b, rel_b), np.where(pts, pts_a, rel_a)


__all__ = ["draws", "savings_draws", "reported_savings", "results_score", "responds", "reported_levels"]
