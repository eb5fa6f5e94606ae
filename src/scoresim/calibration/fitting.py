"""The fit: from the reference table to the posterior.

1. The emulator (:mod:`.emulator`) learns each statistic's predictive distribution from the
   simulations, with cross-validation.
2. Reachability: a fitted item whose printed value the prior predictive gives a probability
   below ``fit.reachable`` (no parameter values within the priors come near it) is out of the
   model's reach. It is shown in the fit table, explained, and left out of the likelihood, so
   that it cannot drag the other parameters to the edges of their priors.
3. The posterior: sequential Monte Carlo (:mod:`.sampler`) on prior x emulated
   likelihood (:mod:`.likelihood`); ``posterior_draws`` equally weighted draws are kept.
4. What rests on what: the same posterior with the trial evidence alone, and without each
   fitted item in turn, gives how much of each module effect's certainty comes from the
   priors, the trials and the monitoring figures, and how far each item moves the parameters.
5. Simulation-based calibration (:mod:`.sbc`) on held-out simulations of the same table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from . import emulator as emu
from .likelihood import Observations, log_likelihood, prior_predictive_p
from .priors import stream_seed, to_quantiles, to_values
from .sampler import Weighted, sample
from .targets import Calibration

METHOD = "emulator + sequential Monte Carlo"
SOURCES = ("prior", "trials", "monitoring")
MAX_MISSING = 0.05   # statistics missing in more simulations than this are not emulated


@dataclass
class FitResult:
    posterior: xr.Dataset
    emulator: emu.Emulator
    per_fold: list
    fold: np.ndarray
    u: np.ndarray
    stats: np.ndarray
    columns: list[str]
    observations: Observations
    reach: dict[str, float]
    excluded: list[str]
    influence: dict[str, dict[str, float]]
    sbc: dict = field(default_factory=dict)
    power: float = 1.0


def least_simulations(parameters: int) -> int:
    """The fewest simulations a fit of ``parameters`` parameters needs: twice the features of
    a linear emulator, and 20."""
    return max(20, 2 * (parameters + 1))


def emulated(names: list[str], Y: np.ndarray, required: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The statistics to emulate (those of the fitted items, and every other one missing in
    few simulations), their values (n, S) with the few gaps filled by the column mean, and the
    simulations kept (every fitted item's statistic finite)."""
    keep_rows = np.all(np.isfinite(Y[:, [names.index(s) for s in required]]), axis=1)
    cols = [k for k, s in enumerate(names)
            if s in required or np.mean(~np.isfinite(Y[keep_rows, k])) <= MAX_MISSING]
    y = Y[np.ix_(keep_rows, cols)]
    finite = np.isfinite(y)
    fill = np.where(finite, y, 0.0).sum(axis=0) / np.maximum(finite.sum(axis=0), 1)   # mean of the finite values
    y = np.where(finite, y, fill)
    return [names[k] for k in cols], y, keep_rows


def posterior_of(model: emu.Emulator, obs: Observations, d: int, rng: np.random.Generator, n: int,
                 rounds: int = 4, power: float = 1.0) -> Weighted:
    """The weighted posterior sample of prior quantiles under ``model`` and ``obs``, the
    likelihood raised to ``power`` (a coarsened posterior when below 1)."""
    cols = np.unique(obs.column)
    local = Observations(obs.ids, np.searchsorted(cols, obs.column), obs.sd, obs.point, obs.value, obs.lo, obs.hi,
                         obs.bounds)
    corr = model.corr[np.ix_(cols, cols)]

    def log_lik(u):
        mean, sd = model.predict(u, cols)
        return power * log_likelihood(mean, sd, corr, local, model.df)
    if not len(obs.ids):
        return Weighted(rng.random((n, d)), np.full(n, 1.0 / n))
    return sample(log_lik, d, rng, n)


def fit(cal: Calibration, X: np.ndarray, Y: np.ndarray, names: list[str], log=print,
        sbc_datasets: int | None = None) -> FitResult:
    """Fit the emulator and the posterior to the reference table (X (n, d) parameter values,
    Y (n, S) statistics named ``names``)."""
    spec, params = cal.spec, cal.spec.parameters
    items = spec.fitted
    columns, y, rows = emulated(names, Y, [t.statistic for t in items])
    u = to_quantiles(params, X[rows])
    if len(u) < least_simulations(len(params)):
        raise ValueError(f"only {len(u)} simulations can be used; a calibration of {len(params)} parameters needs "
                         f"at least {least_simulations(len(params))}")
    fold = emu.fold_of(len(u), spec.fit.folds, spec.seed)
    model, per_fold, diag = emu.fit(u, y, fold, [columns.index(t.statistic) for t in items])
    log(f"emulator: {len(u):,} simulations, polynomial degree {diag['degree']}, residual tails t({diag['df']:g}); "
        "out-of-fold R^2 of the fitted "
        f"statistics {np.min(diag['r2_out_of_fold'][[columns.index(t.statistic) for t in items]]):.2f} to "
        f"{np.max(diag['r2_out_of_fold'][[columns.index(t.statistic) for t in items]]):.2f}")
    obs_all = Observations.of(items, columns)
    p = prior_predictive_p(y, obs_all)
    reachable = p >= spec.fit.reachable
    obs = obs_all.subset(reachable)
    excluded = [i for i, ok in zip(obs_all.ids, reachable) if not ok]
    for i in excluded:
        log(f"out of the model's reach: {i} (prior predictive probability {p[obs_all.ids.index(i)]:.1e}); "
            "shown, not fitted")
    rng = np.random.default_rng(stream_seed(spec.seed, 0x5A3))
    n, power = spec.fit.particles, spec.fit.likelihood_power
    post = posterior_of(model, obs, len(params), rng, n, power=power)
    log(f"posterior: sequential Monte Carlo, {post.stages} stages, effective sample size {post.ess:,.0f} of {n:,} "
        f"particles at the last reweighting, {post.distinct:,} distinct after the last moves")
    draws = post.resample(spec.fit.posterior_draws, rng)
    trials = obs.subset(np.array([i in {t.id for t in spec.evidence} for i in obs.ids], bool))
    only_trials = posterior_of(model, trials, len(params), rng, n, power=power)
    influence = _influence(model, obs, post, len(params), rng, n, power)
    result = FitResult(xr.Dataset(), model, per_fold, fold, u, y, columns, obs_all,
                       dict(zip(obs_all.ids, p.tolist())), excluded, influence, power=power)
    from . import sbc

    k = spec.fit.sbc_datasets if sbc_datasets is None else sbc_datasets
    if k:
        result.sbc = sbc.run(result, obs, k, stream_seed(spec.seed, 0x5BC), spec.fit.reachable,
                             particles=spec.fit.sbc_particles)
        log(f"simulation-based calibration on {result.sbc['datasets']} held-out simulations: the 90% intervals "
            f"cover the truth in {result.sbc['coverage']:.1%} of {result.sbc['pairs']:,} (parameter, dataset) pairs")
    result.posterior = posterior_dataset(cal, result, post, draws, only_trials, diag)
    return result


def _influence(model, obs: Observations, post: Weighted, d: int, rng, n: int,
               power: float = 1.0) -> dict[str, dict[str, float]]:
    """Per fitted item: the largest shift of a parameter's posterior median (in quantile units,
    over the full posterior's sd) when the item is left out, and which parameter."""
    med = post.quantiles([0.5])[0]
    sd = np.sqrt(post.w @ (post.u - post.w @ post.u) ** 2)
    out = {}
    for k, item in enumerate(obs.ids):
        keep = np.ones(len(obs.ids), bool)
        keep[k] = False
        other = posterior_of(model, obs.subset(keep), d, rng, max(n // 4, 500), power=power)
        shift = np.abs(other.quantiles([0.5])[0] - med) / np.maximum(sd, 1e-9)
        j = int(np.argmax(shift))
        out[item] = {"largest_shift_sd": float(shift[j]), "parameter": j}
    return out


def _variance(model: emu.Emulator, cols: list[int], u: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    mean = model.predict(u)[0][:, cols]
    w = np.full(len(u), 1.0 / len(u)) if w is None else w
    m = w @ mean
    return w @ (mean - m) ** 2


def posterior_dataset(cal: Calibration, res: FitResult, post: Weighted, draws_u: np.ndarray, only_trials: Weighted,
                      diag: dict) -> xr.Dataset:
    """The posterior file: equally weighted draws in parameter units, the emulated causal and
    reported statistics at each draw, what each module effect rests on, and diagnostics."""
    params = cal.spec.parameters
    names = [p.path for p in params]
    values = to_values(params, draws_u)
    derived = [c for c in res.columns if c.split(".")[0] in ("effect", "module_effect", "did", "reported_change")]
    dcols = [res.columns.index(c) for c in derived]
    mean_draws = res.emulator.predict(draws_u)[0][:, dcols]
    v0 = _variance(res.emulator, dcols, res.u)
    v1 = _variance(res.emulator, dcols, only_trials.u, only_trials.w)
    v2 = _variance(res.emulator, dcols, post.u, post.w)
    shares = information_shares(v0, v1, v2)
    usd = np.sqrt(post.w @ (post.u - post.w @ post.u) ** 2)
    r2 = dict(zip(res.columns, diag["r2_out_of_fold"].tolist()))
    item_stats = {t.id: t.statistic for t in cal.spec.items}
    return xr.Dataset(
        {
            "value": (("draw", "parameter"), values, {"long_name": "posterior draw (equally weighted)",
                                                      "units": "parameter units"}),
            "median": (("parameter",), np.median(values, axis=0), {"long_name": "posterior median",
                                                                    "units": "parameter units"}),
            "prior_low": (("parameter",), [p.bounds[0] for p in params], {"units": "parameter units"}),
            "prior_high": (("parameter",), [p.bounds[1] for p in params], {"units": "parameter units"}),
            "quantile_sd_ratio": (("parameter",), usd * np.sqrt(12.0), {
                "long_name": "posterior sd over prior sd, in prior quantiles (1: the prior; small: constrained)",
                "units": "1"}),
            "derived": (("draw", "quantity"), mean_draws, {
                "long_name": "emulated expected statistic at the draw (parameter uncertainty only)",
                "units": "1 (relative) or practice points"}),
            "information_share": (("quantity", "source"), shares, {
                "long_name": "share of the quantity's posterior precision from each source of evidence: the "
                             "priors (assumptions), the trials and the Phase I monitoring figures",
                "units": "1"}),
        },
        coords={"draw": np.arange(len(values)), "parameter": names, "quantity": derived, "source": list(SOURCES)},
        attrs={"title": f"scoresim posterior: {cal.spec.name}", "kind": "scoresim-posterior",
               "method": METHOD, "effective_sample_size": post.ess, "particles": len(post.w),
               "distinct_particles": post.distinct, "smc_stages": post.stages, "emulator_degree": int(diag["degree"]),
               "emulator_df": float(diag["df"]), "likelihood_power": float(res.power),
               "draws_equally_weighted": 1, "simulations": int(len(res.u)),
               "parameters": json.dumps([p.model_dump(mode="json") for p in params]),
               "prior_dists": json.dumps([p.dist for p in params]),
               "targets_fitted": json.dumps([i for i in res.observations.ids if i not in res.excluded]),
               "targets_out_of_reach": json.dumps(res.excluded),
               "prior_predictive_probability": json.dumps(res.reach),
               "item_statistics": json.dumps(item_stats),
               "emulator_r2": json.dumps({k: round(v, 4) for k, v in r2.items() if k in item_stats.values()}),
               "influence": json.dumps(res.influence),
               "sbc": json.dumps(res.sbc),
               "sbc_coverage": float(res.sbc.get("coverage", np.nan)),
               "defaults_rule": "posterior medians of the calibrated parameters (median)"},
    )


def information_shares(v0: np.ndarray, v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    """(Q, 3) shares of each quantity's posterior precision 1/v2 that the prior (1/v0), the
    trials (1/v1 - 1/v0) and the monitoring figures (1/v2 - 1/v1) contribute (Gaussian
    reading; a source that widened the posterior counts 0, and shares are renormalised)."""
    p0, p1, p2 = (1.0 / np.maximum(v, 1e-30) for v in (v0, v1, v2))
    parts = np.stack([p0, np.maximum(p1 - p0, 0), np.maximum(p2 - np.maximum(p1, p0), 0)], axis=-1)
    return parts / parts.sum(axis=-1, keepdims=True)


__all__ = ["FitResult", "fit", "posterior_of", "information_shares", "METHOD", "SOURCES"]
