"""The observation model: how a printed figure or a trial's estimate relates to the model's
statistic, and the likelihood of the evidence under the emulator.

* A monitoring figure printed as one number is the statistic plus a reading error, Normal with
  sd ``tolerance / sqrt(weight)`` (rounding, and the gap between what was counted and what the
  statistic counts).
* A figure printed as a range ``[low, high]`` ("75 to 80%", "more than 50%") says only that the
  statistic plus its reading error lay in the range: the observation is the cell, below / in /
  above the range, that holds it.
* A trial's estimate is the model's causal statistic plus an error with sd ``tolerance``: the
  trial's own uncertainty and its transport to SCORE.

With the emulator's prediction of the statistics (a multivariate t, or Normal), the point
observations are jointly t; each range is scored by its probability given the point
observations (the conditional t), ranges taken as conditionally independent of each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, log_ndtr

from .targets import Target


@dataclass(frozen=True)
class Observations:
    """The fitted items and what was observed: per item the statistic's column in the
    emulator, its reading-error sd, and either a point value or a cell [lo, hi]."""

    ids: tuple[str, ...]
    column: np.ndarray      # (m,) emulator output index
    sd: np.ndarray          # (m,)
    point: np.ndarray       # (m,) bool
    value: np.ndarray       # (m,) observed value of point items (nan for ranges)
    lo: np.ndarray          # (m,) cell of range items (-inf/inf open), nan for points
    hi: np.ndarray
    bounds: tuple[tuple[float, float], ...]   # the printed ranges (for synthetic data)

    @classmethod
    def of(cls, items: list[Target], columns: list[str]) -> "Observations":
        """The printed figures and trial estimates of ``items`` (fitted ones)."""
        point = np.array([t.bounds[0] == t.bounds[1] for t in items], bool)
        lo = np.array([np.nan if p else t.bounds[0] for t, p in zip(items, point)])
        hi = np.array([np.nan if p else t.bounds[1] for t, p in zip(items, point)])
        return cls(tuple(t.id for t in items), np.array([columns.index(t.statistic) for t in items]),
                   np.array([t.tolerance / np.sqrt(t.weight) for t in items]), point,
                   np.array([t.bounds[0] if p else np.nan for t, p in zip(items, point)]), lo, hi,
                   tuple(t.bounds for t in items))

    def subset(self, keep: np.ndarray) -> "Observations":
        keep = np.asarray(keep, bool)
        return Observations(tuple(i for i, k in zip(self.ids, keep) if k), self.column[keep], self.sd[keep],
                            self.point[keep], self.value[keep], self.lo[keep], self.hi[keep],
                            tuple(b for b, k in zip(self.bounds, keep) if k))

    def synthetic(self, stats: np.ndarray, rng: np.random.Generator) -> "Observations":
        """What would have been printed had the world been a simulation with statistics
        ``stats`` (S,): points with reading error, ranges as the cell of the printed range that
        the statistic plus its reading error falls in."""
        x = stats[self.column] + self.sd * rng.standard_normal(len(self.sd))
        lo_b = np.array([b[0] for b in self.bounds])
        hi_b = np.array([b[1] for b in self.bounds])
        lo = np.where(x < lo_b, -np.inf, np.where(x > hi_b, hi_b, lo_b))
        hi = np.where(x < lo_b, lo_b, np.where(x > hi_b, np.inf, hi_b))
        return Observations(self.ids, self.column, self.sd, self.point, np.where(self.point, x, np.nan),
                            np.where(self.point, np.nan, lo), np.where(self.point, np.nan, hi), self.bounds)


def log_likelihood(mean: np.ndarray, sd: np.ndarray, corr: np.ndarray, obs: Observations,
                   df: float = np.inf) -> np.ndarray:
    """(n,) log likelihood of ``obs`` given the emulator's predictions: mean and sd (n, S) of
    the statistics, their correlation (S, S), and the degrees of freedom of their multivariate
    t (inf: Normal). The printed figures are jointly t (or Normal) with covariance
    D R D + reading errors; each range is scored by the probability of its cell given the
    points (the conditional t has ``df + points`` degrees of freedom)."""
    c = obs.column
    m, s = mean[:, c], sd[:, c]
    R = corr[np.ix_(c, c)]
    P, I = obs.point, ~obs.point
    p = int(P.sum())
    n = len(mean)
    out = np.zeros(n)
    t = np.isfinite(df)
    cov = s[:, :, None] * R[None] * s[:, None, :] + np.diag(obs.sd ** 2)[None]
    if t:
        cov = cov * (df - 2.0) / df                               # the t's scale matrix
    d2 = np.zeros(n)
    if P.any():
        Spp = cov[:, P][:, :, P]
        L = np.linalg.cholesky(Spp)
        r = (obs.value[P] - m[:, P])[..., None]
        a = np.linalg.solve(L, r)[..., 0]                         # L^-1 r
        d2 = np.sum(a ** 2, axis=1)
        logdet = np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        if t:
            out += (gammaln((df + p) / 2) - gammaln(df / 2) - 0.5 * p * np.log(df * np.pi) - logdet
                    - 0.5 * (df + p) * np.log1p(d2 / df))
        else:
            out += -0.5 * d2 - logdet - 0.5 * p * np.log(2 * np.pi)
    if I.any():
        mu_i, var_i = m[:, I], np.diagonal(cov, axis1=1, axis2=2)[:, I]
        if P.any():
            Sip = cov[:, I][:, :, P]                              # (n, i, p)
            B = np.linalg.solve(L, np.swapaxes(Sip, 1, 2))        # L^-1 S_pi  (n, p, i)
            mu_i = mu_i + np.einsum("npi,np->ni", B, a)
            var_i = var_i - np.sum(B ** 2, axis=1)
        if t:
            var_i = var_i * ((df + d2) / (df + p))[:, None]
        sdc = np.sqrt(np.maximum(var_i, 1e-18))
        out += _log_cell(obs.lo[I], obs.hi[I], mu_i, sdc, df + p if t else np.inf).sum(axis=1)
    return out


def _log_cell(lo: np.ndarray, hi: np.ndarray, mu: np.ndarray, sd: np.ndarray, df: float = np.inf) -> np.ndarray:
    """log P(lo <= X <= hi), X = mu + sd * T, T standard Normal (df inf) or Student t, stably in
    both tails."""
    a, b = (lo - mu) / sd, (hi - mu) / sd
    if np.isfinite(df):
        from scipy.special import stdtr

        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            upper = a > 0
            diff = np.where(upper, stdtr(df, -a) - stdtr(df, -b), stdtr(df, b) - stdtr(df, a))
            out = np.log(np.maximum(diff, 1e-300))
        return np.where(np.isfinite(out), out, -1e6)
    with np.errstate(invalid="ignore", over="ignore"):
        upper = a > 0                                   # both in the upper tail: use symmetry
        la, lb = np.where(upper, log_ndtr(-b), log_ndtr(a)), np.where(upper, log_ndtr(-a), log_ndtr(b))
        diff = lb + np.log1p(-np.exp(np.minimum(la - lb, 0.0)))
    return np.where(np.isfinite(diff), diff, -1e6)


def prior_predictive_p(stats: np.ndarray, obs: Observations) -> np.ndarray:
    """(m,) how probable each observation is under the prior predictive (the reference table's
    statistics (n, S) plus reading error): for a point, twice the smaller tail probability; for
    a range, the probability of its cell."""
    from scipy.special import ndtr

    out = np.empty(len(obs.ids))
    for k, (col, sd) in enumerate(zip(obs.column, obs.sd)):
        x = stats[:, col]
        x = x[np.isfinite(x)]
        if obs.point[k]:
            cdf = float(np.mean(ndtr((obs.value[k] - x) / sd)))
            out[k] = 2 * min(cdf, 1 - cdf)
        else:
            out[k] = float(np.mean(ndtr((obs.hi[k] - x) / sd) - ndtr((obs.lo[k] - x) / sd)))
    return out


__all__ = ["Observations", "log_likelihood", "prior_predictive_p"]
