"""Sampling the posterior: sequential Monte Carlo with likelihood tempering on the emulated
likelihood.

Particles start as draws from the prior. Each stage raises the power of the likelihood from
beta to the largest beta' whose reweighting keeps an effective sample size of half the
particles (at most 1), resamples the particles by weight, and moves each with Metropolis steps
(a Gaussian random walk scaled to the particles' covariance, 2.38^2 / d, its scale adapted to
the acceptance rate) that leave the tempered posterior unchanged, until the particles have
moved on average ``MOVE_SD`` of their spread. At beta = 1 the particles are draws from the
posterior. The sampler works in the unbounded coordinates ``z = logit(u)`` of the prior
quantiles; the prior is independent standard logistic there.

The effective sample size reported is that of the last reweighting, ``1 / sum(w^2)`` of its
normalised weights (at least half the particles by construction), and the number of distinct
particles after the last moves says how far the resampling's duplicates were spread again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import logsumexp

from .priors import expit, log_prior_z

TARGET_ESS = 0.5      # each stage keeps this share of the particles effective
MAX_STAGES = 60
MIN_STEPS, MAX_STEPS = 3, 30
MOVE_SD = 1.0         # Metropolis steps until particles moved this many sds (summed jumps, on average)


@dataclass(frozen=True)
class Weighted:
    """A weighted sample of prior quantiles (n, d) with normalised weights (n,)."""

    u: np.ndarray
    w: np.ndarray
    ess_last: float = float("nan")     # effective sample size of the last reweighting
    stages: int = 0
    acceptance: float = float("nan")

    @property
    def ess(self) -> float:
        return self.ess_last if np.isfinite(self.ess_last) else float(1.0 / np.sum(self.w ** 2))

    @property
    def distinct(self) -> int:
        return int(len(np.unique(self.u, axis=0)))

    def resample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` equally weighted draws (systematic resampling, shuffled)."""
        return self.u[rng.permutation(_systematic(self.w, n, rng))]

    def quantiles(self, q) -> np.ndarray:
        """Weighted quantiles (len(q), d) of each coordinate."""
        out = np.empty((len(q), self.u.shape[1]))
        for j in range(self.u.shape[1]):
            order = np.argsort(self.u[:, j])
            c = np.cumsum(self.w[order])
            out[:, j] = self.u[order, j][np.minimum(np.searchsorted(c, np.asarray(q) * c[-1]), len(c) - 1)]
        return out


def _systematic(w: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    c = np.cumsum(w)
    return np.minimum(np.searchsorted(c, (rng.random() + np.arange(n)) / n * c[-1]), len(w) - 1)


def _next_beta(beta: float, loglik: np.ndarray) -> tuple[float, np.ndarray]:
    """The largest beta' <= 1 whose incremental weights keep TARGET_ESS; and the log weights."""
    n = len(loglik)

    def ess(b):
        lw = (b - beta) * loglik
        w = np.exp(lw - logsumexp(lw))
        return 1.0 / np.sum(w ** 2)
    if ess(1.0) >= TARGET_ESS * n:
        b = 1.0
    else:
        lo, hi = beta, 1.0
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if ess(mid) >= TARGET_ESS * n else (lo, mid)
        b = max(lo, beta + 1e-9)
    return b, (b - beta) * loglik


def sample(log_lik: Callable[[np.ndarray], np.ndarray], d: int, rng: np.random.Generator, n: int = 2000,
           rounds: int | None = None) -> Weighted:
    """Posterior draws of the prior quantiles (d of them) given ``log_lik(u)`` (n,) (``rounds``
    is ignored; kept for callers of the earlier importance sampler)."""
    z = rng.logistic(size=(n, d))
    ll = np.nan_to_num(log_lik(expit(z)), nan=-np.inf)
    beta, scale, ess_last, stages, accepted = 0.0, 1.0, float(n), 0, []
    while beta < 1.0 and stages < MAX_STAGES:
        stages += 1
        new_beta, lw = _next_beta(beta, np.where(np.isfinite(ll), ll, -1e300))
        w = np.exp(lw - logsumexp(lw))
        ess_last = float(1.0 / np.sum(w ** 2))
        idx = _systematic(w, n, rng)
        z, ll, beta = z[idx], ll[idx], new_beta
        z, ll, scale, acc = _move(z, ll, beta, log_lik, scale, rng)
        accepted.append(acc)
    return Weighted(expit(z), np.full(n, 1.0 / n), ess_last, stages, float(np.mean(accepted)) if accepted else 1.0)


def _move(z, ll, beta, log_lik, scale, rng):
    """Metropolis random-walk steps leaving prior x likelihood^beta unchanged."""
    n, d = z.shape
    cov = np.cov(z, rowvar=False) + 1e-9 * np.eye(d)
    chol = np.linalg.cholesky(cov)
    lp = log_prior_z(z)
    moved = np.zeros(n)
    total_acc, steps = 0.0, 0
    sd = np.sqrt(np.diag(cov))
    while steps < MAX_STEPS and (steps < MIN_STEPS or np.mean(moved) < MOVE_SD):
        step = scale * 2.38 / np.sqrt(d) * rng.standard_normal((n, d)) @ chol.T
        z1 = z + step
        lp1, ll1 = log_prior_z(z1), np.nan_to_num(log_lik(expit(z1)), nan=-np.inf)
        log_a = lp1 + beta * ll1 - lp - beta * ll
        ok = np.log(rng.random(n)) < np.where(np.isfinite(log_a), log_a, -np.inf)
        z[ok], ll[ok], lp[ok] = z1[ok], ll1[ok], lp1[ok]
        moved += np.where(ok, np.sqrt(np.mean((step / sd) ** 2, axis=1)), 0.0)
        rate = float(np.mean(ok))
        total_acc += rate
        steps += 1
        scale *= np.exp(rate - 0.234)     # aim at the optimal random-walk acceptance
    return z, ll, float(np.clip(scale, 0.05, 5.0)), total_acc / max(steps, 1)


__all__ = ["Weighted", "sample"]
