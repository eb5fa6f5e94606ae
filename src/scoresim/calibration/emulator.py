"""An emulator of the model's statistics: their mean, spread and correlation as functions of
the calibrated parameters, learned from a reference table of simulations.

Each simulation of the table runs one replicate, with a fresh population, at parameters drawn
from the prior, so the table holds every source of variation of a Phase I-like run. For every
statistic the emulator fits

* the mean: ridge regression on a cubic polynomial (main effects to the third degree, all
  pairwise products) of the prior quantiles ``x = 2u - 1``, the penalty chosen by generalised
  cross-validation;
* the spread around it: ridge regression of the log squared *out-of-fold* residuals (each
  simulation's residual from a mean fitted without its fold) on a quadratic polynomial, scaled
  so the standardised out-of-fold residuals have unit variance (against a spread itself predicted
  out of fold). Out-of-fold residuals hold the
  model's own noise and the emulator's error, so the predictive spread covers both;
* one correlation matrix of the standardised out-of-fold residuals, shrunk a little toward the
  identity;
* the uncertainty of the mean's own coefficients: a prediction at ``u`` has the variance of a
  new observation in a (ridge) regression, the spread times ``1 + h(u)``, ``h`` the leverage of
  ``u`` (small inside the simulated cloud, larger towards the edges of the prior). The
  out-of-fold residuals are divided by ``sqrt(1 + h)`` before the spread is fitted to them, so
  the spread is the model's noise and the polynomial's misfit, counted once.

* the tails: the degrees of freedom of a multivariate t (covariance R) that fits the
  standardised residual vectors best (infinite: Normal).

So a simulation at parameters ``u`` is predicted as a multivariate t (or Normal) with mean
mean(u) and covariance D(u) R D(u), D the spreads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAMBDAS = np.logspace(-6, 3, 28)   # ridge penalties tried, relative to the mean eigenvalue
LOG_CHI2_MEAN = -1.2703628454614782   # E[log chi-square(1)]: log r^2 is biased low by this
SHRINK = 0.05                      # correlation shrinkage toward the identity
MIN_SD = 1e-9


def features(u: np.ndarray, degree: int = 3) -> np.ndarray:
    """Polynomial features (n, F) of prior quantiles ``u`` (n, d): 1, x (degree 1); x^2 (2);
    x^3 and every x_i x_j (3)."""
    x = 2.0 * np.asarray(u, float) - 1.0
    n, d = x.shape
    cols = [np.ones((n, 1)), x]
    if degree >= 2:
        cols.append(x ** 2 - 1.0 / 3.0)
    if degree >= 3:
        cols.append(x ** 3 - 0.6 * x)
        i, j = np.triu_indices(d, 1)
        cols.append(x[:, i] * x[:, j])
    return np.concatenate(cols, axis=1)


@dataclass
class Ridge:
    """Ridge regression of several outputs on features, one penalty per output."""

    coef: np.ndarray      # (F, S)
    lam: np.ndarray       # (S,)
    basis: np.ndarray | None = None    # (k, F - 1): right singular vectors of the centred features
    shrink: np.ndarray | None = None   # (k, S): s^2 / (s^2 + lam)^2, the coefficients' variance per unit
    xm: np.ndarray | None = None       # (F - 1,): the features' means
    n: int = 0

    @classmethod
    def fit(cls, phi: np.ndarray, y: np.ndarray, lambdas: np.ndarray = LAMBDAS) -> "Ridge":
        """Fit on (n, F) features and (n, S) outputs; the intercept column is not penalised
        (outputs are centred first), the penalty per output minimises the GCV score."""
        mean = y.mean(axis=0)
        yc = y - mean
        U, s, Vt = np.linalg.svd(phi[:, 1:] - phi[:, 1:].mean(axis=0), full_matrices=False)
        uty = U.T @ yc                                        # (k, S)
        scale = np.mean(s ** 2)
        n = len(y)
        best = np.full(y.shape[1], np.inf)
        lam = np.zeros(y.shape[1])
        resid_out = np.sum(yc ** 2, axis=0) - np.sum(uty ** 2, axis=0)
        for l in lambdas * scale:
            f = s ** 2 / (s ** 2 + l)                         # shrinkage factors
            rss = np.sum(((1 - f)[:, None] * uty) ** 2, axis=0) + resid_out
            dof = np.sum(f)
            gcv = rss / n / max(1.0 - dof / n, 1e-3) ** 2
            better = gcv < best
            best[better], lam[better] = gcv[better], l
        coef = np.empty((phi.shape[1], y.shape[1]))
        xm = phi[:, 1:].mean(axis=0)
        for k in range(y.shape[1]):
            b = Vt.T @ ((s / (s ** 2 + lam[k]))[:, None] * uty[:, k:k + 1])[:, 0]
            coef[1:, k] = b
            coef[0, k] = mean[k] - xm @ b
        shrink = (s ** 2)[:, None] / (s[:, None] ** 2 + lam[None, :]) ** 2
        return cls(coef, lam, Vt, shrink, xm, n)

    def predict(self, phi: np.ndarray) -> np.ndarray:
        return phi @ self.coef

    def leverage(self, phi: np.ndarray, cols=slice(None)) -> np.ndarray:
        """(n, S) variance of the fitted mean at features ``phi`` per unit of noise variance
        (the ridge analogue of the leverage x'(X'X)^-1 x, with the intercept's 1/n)."""
        if self.basis is None:
            return np.zeros((len(phi), self.coef[:, cols].shape[1]))
        z = (phi[:, 1:] - self.xm) @ self.basis.T
        return (z ** 2) @ self.shrink[:, cols] + 1.0 / self.n


@dataclass
class Emulator:
    """Predictive distribution of the statistics (S,) of one simulation at prior quantiles u."""

    mean: Ridge
    logvar: Ridge
    var_scale: np.ndarray   # (S,)
    corr: np.ndarray        # (S, S)
    center: np.ndarray      # (S,) output standardisation
    scale: np.ndarray       # (S,)
    degree: int = 3
    df: float = np.inf      # degrees of freedom of the residuals' multivariate t (inf: Normal)

    def predict(self, u: np.ndarray, cols: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd (n, S) of the statistics (those in ``cols``, default all) of a simulation
        at ``u`` (n, d)."""
        u = np.atleast_2d(u)
        c = slice(None) if cols is None else np.asarray(cols)
        phi = features(u, self.degree)
        m = phi @ self.mean.coef[:, c]
        lv = features(u, 2 if self.logvar.coef.shape[0] > u.shape[1] + 1 else 1) @ self.logvar.coef[:, c]
        sd = np.sqrt(np.exp(np.clip(lv, -30, 30)) * self.var_scale[c] * (1.0 + self.mean.leverage(phi, c)))
        return m * self.scale[c] + self.center[c], np.maximum(sd, MIN_SD) * self.scale[c]


def fold_of(n: int, folds: int, seed: int) -> np.ndarray:
    """(n,) fold of each simulation, a seeded random balanced assignment."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xF01D,)))
    return rng.permutation(np.arange(n) % folds)


def out_of_fold(u: np.ndarray, y: np.ndarray, fold: np.ndarray, degree: int = 3
                ) -> tuple[np.ndarray, list[Ridge], np.ndarray]:
    """Out-of-fold predictions of the mean (n, S) (standardised outputs), the mean model of
    each fold (fitted without it), and each prediction's leverage (n, S) under its model."""
    phi = features(u, degree)
    pred = np.empty_like(y)
    lev = np.empty_like(y)
    models = []
    for k in range(int(fold.max()) + 1):
        test = fold == k
        model = Ridge.fit(phi[~test], y[~test])
        pred[test] = model.predict(phi[test])
        lev[test] = model.leverage(phi[test])
        models.append(model)
    return pred, models, lev


DFS = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0, np.inf)


def tail_df(z: np.ndarray, corr: np.ndarray) -> float:
    """Degrees of freedom of a multivariate t with covariance ``corr`` that fits the standardised
    residual vectors ``z`` (n, S) best (maximum likelihood over :data:`DFS`): residuals with
    heavier tails than Normal get a t, so that an outlying statistic weighs less."""
    from scipy.special import gammaln

    p = z.shape[1]
    d2 = np.einsum("ni,ij,nj->n", z, np.linalg.inv(corr), z)
    best, out = -np.inf, np.inf
    for nu in DFS:
        if np.isinf(nu):
            ll = -0.5 * np.sum(d2) - 0.5 * p * len(z) * np.log(2.0)     # (both drop -p/2 log(pi) |R|)
        else:
            c = (nu - 2) / nu       # scale matrix corr * c has covariance corr
            ll = len(z) * (gammaln((nu + p) / 2) - gammaln(nu / 2) - 0.5 * p * np.log(nu) - 0.5 * p * np.log(c)) \
                - 0.5 * (nu + p) * np.sum(np.log1p(d2 / (c * nu)))
        if ll > best:
            best, out = ll, nu
    return float(out)


def _spread(u: np.ndarray, resid: np.ndarray, fold: np.ndarray | None = None
            ) -> tuple[Ridge, np.ndarray, np.ndarray]:
    """Log-variance model, its scale and the residual correlation, from residuals (n, S). With
    ``fold``, the scale makes the residuals unit variance against the spread predicted *out of
    fold* (a spread model fitted without the residual's fold), so that it holds for
    simulations the spread model has not seen, not only for those it was fitted to."""
    phi2 = features(u, 2 if len(u) >= 4 * features(u[:1], 2).shape[1] else 1)
    logr2 = np.log(resid ** 2 + 1e-12) - LOG_CHI2_MEAN
    logvar = Ridge.fit(phi2, logr2, LAMBDAS * 10)
    var = np.exp(np.clip(logvar.predict(phi2), -30, 30))
    held = np.empty_like(var)
    if fold is None or len(np.unique(fold)) < 2:
        held = var
    else:
        for k in np.unique(fold):
            test = fold == k
            held[test] = np.exp(np.clip(Ridge.fit(phi2[~test], logr2[~test], LAMBDAS * 10).predict(phi2[test]), -30, 30))
    scale = np.mean(resid ** 2 / held, axis=0)
    z = resid / np.sqrt(var * scale)
    corr = np.corrcoef(z, rowvar=False) if z.shape[1] > 1 else np.ones((1, 1))
    corr = (1 - SHRINK) * np.nan_to_num(corr) + SHRINK * np.eye(z.shape[1])
    return logvar, scale, corr


def fit(u: np.ndarray, y: np.ndarray, fold: np.ndarray, judged: list[int] | None = None,
        tails: list[int] | None = None) -> tuple[Emulator, list[Emulator], dict]:
    """The emulator fitted on every simulation, one fitted without each fold (for simulation-
    based calibration), and diagnostics: the polynomial degree (1, 2 or 3, whichever predicts
    the ``judged`` statistics best out of fold; a degree is tried only when the simulations
    outnumber its features twice) and the out-of-fold R^2 per statistic."""
    center, scale = y.mean(axis=0), y.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    ys = (y - center) / scale
    judged = list(range(y.shape[1])) if judged is None else judged
    best = None
    for degree in (1, 2, 3):
        if degree > 1 and features(u[:1], degree).shape[1] * 2 > len(u):
            break
        pred, fold_means, lev = out_of_fold(u, ys, fold, degree)
        score = float(np.mean(1.0 - np.mean((ys - pred)[:, judged] ** 2, axis=0)))
        if best is None or score > best[0]:
            best = (score, degree, pred, fold_means, lev)
    _, degree, pred, fold_means, lev = best
    raw = ys - pred
    resid = raw / np.sqrt(1.0 + lev)          # the noise and misfit, without the coefficients' error
    logvar, var_scale, corr = _spread(u, resid, fold)
    tails = judged if tails is None else tails
    df = tail_df(_standardised(u, resid, logvar, var_scale)[:, tails], corr[np.ix_(tails, tails)])
    full = Emulator(Ridge.fit(features(u, degree), ys), logvar, var_scale, corr, center, scale, degree, df)
    per_fold = []
    for k, mean in enumerate(fold_means):
        train = fold != k
        lv, vs, c = _spread(u[train], resid[train], fold[train])
        dk = tail_df(_standardised(u[train], resid[train], lv, vs)[:, tails], c[np.ix_(tails, tails)])
        per_fold.append(Emulator(mean, lv, vs, c, center, scale, degree, dk))
    r2 = 1.0 - np.mean(raw ** 2, axis=0) / np.maximum(np.var(ys, axis=0), 1e-12)
    return full, per_fold, {"r2_out_of_fold": r2, "degree": degree, "df": df}


def _standardised(u: np.ndarray, resid: np.ndarray, logvar: Ridge, var_scale: np.ndarray) -> np.ndarray:
    phi = features(u, 2 if logvar.coef.shape[0] > u.shape[1] + 1 else 1)
    return resid / np.sqrt(np.exp(np.clip(phi @ logvar.coef, -30, 30)) * var_scale)


__all__ = ["Emulator", "Ridge", "features", "fold_of", "fit", "out_of_fold"]
