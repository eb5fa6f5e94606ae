"""Priors of calibrated parameters, and the coordinates the fit works in.

Each calibrated parameter has an independent prior (uniform, log-uniform, triangular or
truncated normal, :class:`~scoresim.experiments.spec.ParameterSpec`). The fit works on prior
quantiles ``u = F(value)`` in [0, 1] (the emulator's inputs: every prior becomes uniform) and on
``z = logit(u)`` (the sampler's: unbounded, standard logistic under the prior).
"""

from __future__ import annotations

import numpy as np

from ..experiments.spec import ParameterSpec


def prior_dist(p: ParameterSpec):
    """The prior of a parameter as a frozen scipy distribution, in parameter units."""
    from scipy import stats

    lo, hi = p.bounds
    if p.dist == "unif":
        return stats.uniform(lo, hi - lo)
    if p.dist == "logunif":
        return stats.loguniform(lo, hi)
    if p.dist == "triang":
        return stats.triang((p.peak - lo) / (hi - lo), loc=lo, scale=hi - lo)
    return stats.truncnorm((lo - p.mean) / p.sd, (hi - p.mean) / p.sd, loc=p.mean, scale=p.sd)


def to_values(params: list[ParameterSpec], u: np.ndarray) -> np.ndarray:
    """Parameter values (..., parameters) from prior quantiles ``u`` (..., parameters)."""
    u = np.clip(u, 1e-12, 1 - 1e-12)
    return np.stack([prior_dist(p).ppf(u[..., j]) for j, p in enumerate(params)], axis=-1)


def to_quantiles(params: list[ParameterSpec], values: np.ndarray) -> np.ndarray:
    """Prior quantiles (..., parameters) of parameter ``values`` (..., parameters)."""
    return np.stack([prior_dist(p).cdf(values[..., j]) for j, p in enumerate(params)], axis=-1)


def logit(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 1e-12, 1 - 1e-12)
    return np.log(u) - np.log1p(-u)


def expit(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def log_prior_z(z: np.ndarray) -> np.ndarray:
    """Log density (...,) of ``z`` (..., parameters) under the prior: independent standard
    logistic coordinates."""
    return -np.sum(np.abs(z) + 2.0 * np.log1p(np.exp(-np.abs(z))), axis=-1)


def prior_sd(p: ParameterSpec) -> float:
    return float(prior_dist(p).std())


def stream_seed(seed: int, *key: int) -> int:
    """A 32-bit seed derived from the calibration seed and a key (non-negative integers)."""
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])


def prior_draws(params: list[ParameterSpec], n: int, seed: int) -> np.ndarray:
    """``n`` independent draws (n, parameters) of prior quantiles, from a stream of ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x9A1,)))
    return rng.random((n, len(params)))


__all__ = ["prior_dist", "to_values", "to_quantiles", "logit", "expit", "log_prior_z", "prior_sd", "stream_seed",
           "prior_draws"]
