"""Sensitivity indices of a finished sweep, with SALib's estimator for the sweep's method.

Input: the results Dataset of a sweep (``results.nc``: X, Y, ok, ... see
:mod:`scoresim.experiments.store`). Output: an indices Dataset with dims ``output``,
``factor`` (the parameters, or the groups when the spec groups them), ``factor2`` (sobol second
order), ``sample_size`` (convergence) and ``level`` (factorial).

* Indices are computed on the replicate mean of each point (the mean over the replicates that
  gave a finite value), so seed noise is averaged down before the estimator sees it;
  ``noise_share`` and ``noise_share_of_mean`` say how much of it is left.
* Points where every replicate failed are excluded together with the estimator unit they
  belong to (a Saltelli block, a Morris trajectory, a Latin hypercube point). FAST and the
  factorial ANOVA need every point; too many failures are refused with :class:`InputError`.
* Bootstraps are seeded from the sweep's ``sample_seed``, so the same results give the same
  indices, bit for bit.

Index values are shares of output variance (dimensionless, 0-1) except Morris ``mu``,
``mu_star`` and ``sigma``, which are in output units (output change over a factor's whole
range, on the [0, 1] quantile scale of its distribution).
"""

from __future__ import annotations

import copy
import csv
import json
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import xarray as xr

from .. import textable
from ..config import InputError
from .sampling import factorial
from .spec import SCORE_MODEL, Experiment, ExperimentSpec, n_points

BOOTSTRAP_OFFSET = 0xA11A       # added to the sweep's sample seed to seed SALib's bootstraps
CONVERGENCE_DIVISORS = (8, 4, 2, 1)
RBD_HARMONICS = 10              # SALib's default M of RBD-FAST, lowered for very small samples
MIN_UNITS = {"sobol": 2, "morris": 2, "latin": 10}          # fewer kept units: refuse
MIN_CONVERGENCE = {"sobol": 4, "morris": 2, "latin": 10}    # smallest sample size shown
UNIT = {"sobol": "base samples", "morris": "trajectories", "latin": "points"}
MAIN_INDEX = {"sobol": "ST", "fast": "ST", "morris": "mu_star", "latin": "S1", "factorial": "S1"}
BY_N = {"sobol": ("S1", "ST"), "morris": ("mu_star",), "latin": ("S1",)}
PROVENANCE_SKIP = ("experiment", "problem", "method", "sample_seed")

WHY = {
    "sobol": "the Saltelli estimator uses the rows A, B and AB_i of a base sample together, so a "
             "base sample with a failed point is dropped whole",
    "morris": "elementary effects are differences between consecutive points of a trajectory, so a "
              "trajectory with a failed point is dropped whole",
    "latin": "RBD-FAST orders the points along each parameter; failed points are dropped",
    "fast": "fast cannot drop points: each parameter's search curve must be complete for its "
            "Fourier spectrum",
    "factorial": "factorial cannot drop points: the ANOVA of the grid needs every grid point",
}

ESTIMATOR = {
    "sobol": "SALib.analyze.sobol: Saltelli et al. (2010) first and total order, Saltelli (2002) "
             "second order; bootstrap over base samples",
    "morris": "SALib.analyze.morris: elementary effects (Morris 1991, Campolongo et al. 2007); "
              "bootstrap over trajectories",
    "fast": "SALib.analyze.fast: extended FAST (Saltelli et al. 1999); bootstrap over curve segments",
    "latin": "SALib.analyze.rbd_fast: RBD-FAST (Tarantola et al. 2006, Plischke 2010) with bias "
             "correction; bootstrap over points",
    "factorial": "exact ANOVA of the full grid (balanced design, population variances)",
}

_SHARE = "1"
_OUT = "output units"
META = {  # name: (units, long_name)
    "S1": (_SHARE, "first-order index: share of output variance due to the factor alone"),
    "ST": (_SHARE, "total-order index: share of output variance that involves the factor"),
    "S2": (_SHARE, ("second-order index: share of output variance due to the interaction of factor and "
                    "factor2 alone")),
    "mu": (_OUT, ("mean elementary effect: output change over the factor's whole range (on the [0, 1] "
                  "quantile scale of its distribution)")),
    "mu_star": (_OUT, ("mean absolute elementary effect (importance): output change over the factor's whole "
                       "range, signs ignored")),
    "sigma": (_OUT, ("standard deviation of the elementary effects (non-linearity and interactions; NaN for "
                     "groups of several parameters)")),
    "level_mean": (_OUT, "mean of the replicate means over the grid points with the factor at this level"),
    "noise_share": (_SHARE, ("share of single-run output variance that is seed noise (independent seeds: "
                             "within-point variance; common seeds: seed-by-point interaction)")),
    "noise_share_of_mean": (_SHARE, ("share of the variance of the replicate means (what the indices are "
                                     "computed on) still due to seed noise")),
    "output_mean": (_OUT, "mean of the replicate means over the points used"),
    "output_sd": (_OUT, "standard deviation of the replicate means over the points used"),
    "n_points_used": ("1", "points whose replicate means entered the indices"),
    "n_points_excluded": ("1", "points left out: failed, or in a dropped block or trajectory"),
    "n_runs_failed": ("1", "runs that failed or gave a non-finite value of the output"),
}


@dataclass(frozen=True)
class Design:
    """What the estimator needs to know about the sample: the method, its factors and how the
    rows are grouped into units (Saltelli blocks, trajectories, points)."""

    spec: ExperimentSpec
    problem: dict
    factors: list[str]
    block: int          # rows per unit; the whole design for fast and factorial
    n_units: int
    seed: int

    @property
    def method(self) -> str:
        return self.spec.method.name


# ---------------------------------------------------------------------------------------- public
def analyze(results: xr.Dataset, resamples: int = 1000, conf_level: float = 0.95,
            origin: str = "results") -> xr.Dataset:
    """Sensitivity indices of every output of a sweep (see the module docstring).

    ``resamples`` bootstrap resamples give intervals at ``conf_level``: each ``*_conf`` is the
    half-width of the interval, in the units of its index. ``origin`` names the results in
    messages. Raises :class:`InputError` when the results do not fit their spec or too many
    runs failed; warns (``RuntimeWarning``, also listed in the ``warnings`` attribute) when
    runs or points were excluded.
    """
    if resamples < 2 or not 0 < conf_level < 1:
        raise InputError(f"{origin}: need resamples >= 2 and 0 < conf_level < 1 "
                         f"(got {resamples}, {conf_level})")
    design = _design(results, origin)
    Y, good = _runs(results)
    means = _point_means(Y, good)
    X = results["X"].values.astype(float)
    notes: list[str] = []
    per_output = []
    for o, name in enumerate(str(n) for n in results["output"].values):
        label = f"{origin}: output {name!r}"
        keep = _keep(design, ~np.isfinite(means[:, o]), good[:, :, o], label, notes)
        est = _estimate_or_nan(design, X[keep], means[keep, o], resamples, conf_level, label, notes)
        conv = _convergence(design, X, means[:, o]) if design.method in BY_N else {}
        per_output.append((keep, est, conv))
    for text in notes:
        warnings.warn(text, RuntimeWarning, stacklevel=2)
    ds = _assemble(design, results, per_output, means, Y, good)
    ds.attrs.update(_attrs(design, results, resamples, conf_level, notes))
    return ds


def ranked_table(indices: xr.Dataset, top: int | None = None) -> str:
    """Readable fixed-width text: per output, the factors ranked by the method's main index
    (ST for sobol and fast, mu_star for morris, S1 for latin and factorial), with ``± half-width``
    of the confidence interval, and the share of seed noise. ``top``: list only the first
    ``top`` factors of each output."""
    method = str(indices.attrs.get("method", ""))
    main = MAIN_INDEX.get(method, "S1")
    cols = list(dict.fromkeys(c for c in (main, "S1", "ST", "mu", "sigma") if c in indices))
    lines = textable.wrap(str(indices.attrs.get("title", "sensitivity indices")))
    lines += textable.wrap(f"method: {method}; ranked by {main}; ± is the half-width of the "
                           f"{100 * float(indices.attrs.get('conf_level', 0.95)):g}% bootstrap interval"
                           + (" (none for factorial: exact ANOVA)" if method == "factorial" else ""))
    for name in indices["output"].values:
        lines += [""] + _output_block(indices.sel(output=name), str(name), cols, main, top)
    notes = json.loads(indices.attrs.get("warnings", "[]"))
    if notes:
        lines += ["", "warnings:"] + [x for n in notes for x in textable.wrap(n, indent="  ")]
    return "\n".join(lines) + "\n"


def to_csv(indices: xr.Dataset, path: str | Path) -> Path:
    """Write the indices in long format: columns output, factor, factor2 (empty unless S2),
    index, value, conf (empty when the index has no interval). Returns the path."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["output", "factor", "factor2", "index", "value", "conf"])
        writer.writerows(_csv_rows(indices))
    return path


# ---------------------------------------------------------------------------------------- design
def _design(results: xr.Dataset, origin: str) -> Design:
    """The sample design of ``results``, checked against its spec."""
    missing = [k for k in ("experiment", "problem", "sample_seed") if k not in results.attrs]
    missing += [k for k in ("X", "Y", "ok") if k not in results]
    if missing:
        raise InputError(f"{origin}: not a scoresim sweep result: {', '.join(missing)} missing")
    spec = Experiment.from_json(str(results.attrs["experiment"]), origin).spec
    problem = json.loads(str(results.attrs["problem"]))
    factors = list(dict.fromkeys(spec.groups)) if spec.groups else [p.path for p in spec.parameters]
    P, k, m = results.sizes["point"], len(factors), spec.method
    block = {"sobol": (2 * k + 2) if m.second_order else (k + 2), "morris": k + 1, "latin": 1}.get(m.name, P)
    if P != n_points(spec) or results.sizes["parameter"] != len(spec.parameters):
        raise InputError(f"{origin}: {P} points x {results.sizes['parameter']} parameters do not fit the "
                         f"{m.name} design of the spec ({n_points(spec)} x {len(spec.parameters)})")
    if m.name == "factorial" and not np.allclose(results["X"].values, factorial(spec)):
        raise InputError(f"{origin}: X is not the full grid of the spec, in its order")
    seed = (int(results.attrs["sample_seed"]) + BOOTSTRAP_OFFSET) % 2 ** 32 or 1
    return Design(spec, problem, factors, block, P // block, seed)


def _runs(results: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Y (point, replicate, output) and whether each value is usable (run ok and finite)."""
    Y = results["Y"].values.astype(float)
    good = results["ok"].values.astype(bool)[:, :, None] & np.isfinite(Y)
    return Y, good


def _point_means(Y: np.ndarray, good: np.ndarray) -> np.ndarray:
    """(point, output) mean over the usable replicates; NaN where there is none."""
    n = good.sum(axis=1)
    total = np.where(good, Y, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


# ---------------------------------------------------------------------------------------- failures
def _keep(design: Design, failed: np.ndarray, good: np.ndarray, label: str, notes: list[str]) -> np.ndarray:
    """(point,) rows the estimator uses: failed points and their units left out. Refuses
    (:class:`InputError`) when the method cannot do without them; warns otherwise."""
    method, n, nf, P = design.method, design.n_units, int(failed.sum()), len(failed)
    if nf and method in ("fast", "factorial"):
        raise InputError(f"{label}: {nf} of {P} points failed (no replicate gave a finite value); "
                         f"{WHY[method]}. Narrow the bounds away from the failing region, or use "
                         "sobol or latin, which can drop failed points")
    unit_failed = failed.reshape(n, design.block).any(axis=1)
    kept = n - int(unit_failed.sum())
    if method in MIN_UNITS:
        need = max(MIN_UNITS[method], math.ceil(n / 2)) if nf else MIN_UNITS[method]
        if kept < need:
            raise InputError(_refusal(method, label, nf, P, n, kept, need))
    _note_failures(design, unit_failed, failed, good, label, notes)
    return np.repeat(~unit_failed, design.block)


def _refusal(method: str, label: str, nf: int, P: int, n: int, kept: int, need: int) -> str:
    unit = UNIT[method]
    if not nf:
        return f"{label}: {method} needs at least {need} {unit}; the design has {n}"
    return (f"{label}: {nf} of {P} points failed (no replicate gave a finite value); {method} needs "
            f"at least half of its {n} {unit} complete (and at least {MIN_UNITS[method]}); {kept} of "
            f"{n} remain: {WHY[method]}")


def _note_failures(design: Design, unit_failed: np.ndarray, failed: np.ndarray, good: np.ndarray,
                   label: str, notes: list[str]) -> None:
    """Note (for a warning) the excluded points and the points averaged over fewer replicates."""
    P, R = good.shape
    bad_runs = int((~good).sum())
    if not bad_runs:
        return
    parts = [f"{label}: {bad_runs} of {P * R} runs failed or gave no finite value"]
    if failed.any():
        dropped = int(unit_failed.sum())
        parts.append(f"{int(failed.sum())} points with no finite value excluded"
                     + (f" with their {UNIT[design.method]} ({dropped} of {design.n_units} dropped, "
                        f"{dropped * design.block} points unused)" if design.block > 1 else ""))
    partial = int(((good.sum(axis=1) > 0) & (good.sum(axis=1) < R)).sum())
    if partial:
        parts.append(f"{partial} points averaged over fewer than {R} replicates")
    notes.append("; ".join(parts))


# ---------------------------------------------------------------------------------------- estimators
def _estimate_or_nan(design: Design, X: np.ndarray, y: np.ndarray, resamples: int, conf_level: float,
                     label: str, notes: list[str]) -> dict[str, np.ndarray]:
    """The method's indices, or NaN (with a warning) when the output does not vary (Morris'
    effects are then simply zero)."""
    if design.method == "morris" or np.ptp(y) > 0:
        return _estimate(design, X, y, resamples, conf_level)
    notes.append(f"{label}: the output is the same at every point; its indices are undefined (NaN)")
    k = len(design.factors)
    out = {name: np.full(k, np.nan) for name in ("S1", "S1_conf", "ST", "ST_conf")}
    if design.method == "latin":
        out = {"S1": out["S1"], "S1_conf": out["S1_conf"]}
    if design.method == "sobol" and design.spec.method.second_order:
        out.update(S2=np.full((k, k), np.nan), S2_conf=np.full((k, k), np.nan))
    if design.method == "factorial":
        out["level_mean"] = _factorial(design, y)["level_mean"]
    return out


def _estimate(design: Design, X: np.ndarray, y: np.ndarray, resamples: int,
              conf_level: float) -> dict[str, np.ndarray]:
    """SALib's indices for the rows given (complete units only): name -> (factor,) or
    (factor, factor2) array."""
    m, problem = design.spec.method, copy.deepcopy(design.problem)
    args = {"num_resamples": resamples, "conf_level": conf_level, "seed": design.seed}
    if m.name == "sobol":
        from SALib.analyze import sobol
        res = sobol.analyze(problem, y, calc_second_order=m.second_order, **args)
        keys = ("S1", "S1_conf", "ST", "ST_conf") + (("S2", "S2_conf") if m.second_order else ())
    elif m.name == "morris":
        from SALib.analyze import morris
        res = morris.analyze(problem, X, y, num_levels=m.levels, **args)
        keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    elif m.name == "fast":
        res = _fast(problem, y, m.harmonics, args)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    elif m.name == "latin":
        from SALib.analyze import rbd_fast
        res = rbd_fast.analyze(problem, X, y, M=rbd_harmonics(len(y)), **args)
        keys = ("S1", "S1_conf")
    else:
        return _factorial(design, y)
    return {k: np.ma.filled(np.ma.asarray(res[k], dtype=float), np.nan) for k in keys}


def rbd_harmonics(points: int) -> int:
    """RBD-FAST's harmonics M: SALib's 10, fewer when the bootstrap's half samples would not
    exceed 2 M (its bias correction divides by 1 - 2 M / points)."""
    return max(1, min(RBD_HARMONICS, (points // 2 - 1) // 2))


def _fast(problem: dict, y: np.ndarray, harmonics: int, args: dict) -> dict:
    """SALib's extended FAST, which seeds NumPy's global generator: its state is restored after.
    SALib's note that FAST intervals are indicative only is kept in the attributes instead."""
    from SALib.analyze import fast

    with _global_rng_kept(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FAST confidence intervals", category=UserWarning)
        return fast.analyze(problem, y, M=harmonics, **args)


@contextmanager
def _global_rng_kept() -> Iterator[None]:
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def _factorial(design: Design, y: np.ndarray) -> dict[str, np.ndarray]:
    """Exact ANOVA of the full grid: S1_i = Var_level(E[Y | x_i]) / Var(Y), ST_i =
    E[Var(Y | x_~i)] / Var(Y) (population variances), and the mean per level (output units)."""
    shape = [len(p.values) if p.values else design.spec.method.levels for p in design.spec.parameters]
    cube = y.reshape(shape)
    total = cube.var()
    d, width = len(shape), max(shape)
    s1, st, level_mean = np.empty(d), np.empty(d), np.full((d, width), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(d):
            cond = cube.mean(axis=tuple(j for j in range(d) if j != i))
            level_mean[i, :len(cond)] = cond
            s1[i], st[i] = cond.var() / total, cube.var(axis=i).mean() / total
    nan = np.full(d, np.nan)
    return {"S1": s1, "S1_conf": nan, "ST": st, "ST_conf": nan.copy(), "level_mean": level_mean}


# ---------------------------------------------------------------------------------------- convergence
def convergence_sizes(design: Design) -> list[int]:
    """Sample sizes of the convergence check: N/8, N/4, N/2 and N units, from the smallest
    the method allows; N always."""
    n, lo = design.n_units, MIN_CONVERGENCE[design.method]
    return sorted({n // d for d in CONVERGENCE_DIVISORS if n // d >= lo} | {n})


def _convergence(design: Design, X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """(sample_size, factor) index estimates from the first n units (their complete ones);
    NaN where too few are complete or the output does not vary."""
    names = BY_N[design.method]
    sizes = convergence_sizes(design)
    out = {k: np.full((len(sizes), len(design.factors)), np.nan) for k in names}
    for s, n in enumerate(sizes):
        rows = n * design.block
        ok = np.isfinite(y[:rows]).reshape(n, design.block).all(axis=1)
        keep = np.repeat(ok, design.block)
        if ok.sum() < MIN_UNITS[design.method] or np.ptp(y[:rows][keep]) == 0:
            continue
        est = _estimate(design, X[:rows][keep], y[:rows][keep], 2, 0.95)
        for k in names:
            out[k][s] = est[k]
    return out


# ---------------------------------------------------------------------------------------- seed noise
def noise_shares(Y: np.ndarray, good: np.ndarray, common: bool = False) -> tuple[float, float]:
    """Seed noise of one output from its (point, replicate) runs, as shares of variance
    (dimensionless): of single runs, and of the replicate means the indices are computed on.
    NaN with fewer than 2 replicates.

    Independent seeds: the within-point variance (ddof=1) over the variance of all runs; in the
    means, within-point variance / replicates over the variance of the point means.

    Common seeds (replicate r has the same seed at every point): a seed's effect shared by all
    points shifts every point mean alike and cancels from the indices, so it is not noise for
    them. The noise is the seed-by-point interaction of a two-way decomposition over the points
    with every replicate finite: residual variance over the variance of single runs with the
    shared seed shifts removed; in the means, residual variance / replicates over the variance
    of the point means."""
    if common:
        return _interaction_shares(Y[good.all(axis=1)])
    n = good.sum(axis=1)
    two = n >= 2
    if not two.any():
        return math.nan, math.nan
    y = np.where(good, Y, np.nan)
    within = np.nanvar(y[two], axis=1, ddof=1)
    single = _var(Y[good])
    means = np.nanmean(y[n > 0], axis=1)
    return _ratio(within.mean(), single), _ratio((within / n[two]).mean(), _var(means))


def _interaction_shares(y: np.ndarray) -> tuple[float, float]:
    """Noise shares of a complete (points, replicates) table under common seeds."""
    P, R = y.shape
    if P < 2 or R < 2:
        return math.nan, math.nan
    shift = y.mean(axis=0, keepdims=True) - y.mean()          # each seed's shared effect
    resid = y - y.mean(axis=1, keepdims=True) - shift
    noise = float((resid ** 2).sum() / ((P - 1) * (R - 1)))
    return _ratio(noise, _var((y - shift).ravel())), _ratio(noise / R, _var(y.mean(axis=1)))


def _var(x: np.ndarray) -> float:
    return float(np.var(x, ddof=1)) if len(x) > 1 else math.nan


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else math.nan


# ---------------------------------------------------------------------------------------- assembly
def _assemble(design: Design, results: xr.Dataset, per_output: list, means: np.ndarray,
              Y: np.ndarray, good: np.ndarray) -> xr.Dataset:
    outputs = results["output"].values.astype(str)
    f1, f2 = ("output", "factor"), ("output", "factor", "factor2")
    data: dict[str, tuple] = {}
    for name in per_output[0][1]:
        stacked = np.stack([est[name] for _, est, _ in per_output])
        dims = {"level_mean": ("output", "factor", "level")}.get(name, f2 if stacked.ndim == 3 else f1)
        data[name] = (dims, stacked, _meta(name))
    for name in per_output[0][2]:
        stacked = np.stack([conv[name] for _, _, conv in per_output], axis=1)
        data[f"{name}_by_n"] = (("sample_size", "output", "factor"), stacked, _meta(f"{name}_by_n"))
    data.update(_summaries(per_output, means, Y, good, design.spec.seeds == "common"))
    coords = _coords(design, outputs, "level_mean" in data)
    return xr.Dataset(data, coords=coords)


def _summaries(per_output: list, means: np.ndarray, Y: np.ndarray, good: np.ndarray,
               common: bool) -> dict[str, tuple]:
    """Per-output counts, mean and spread of the point means, and seed noise (``common``: the
    sweep used common seeds across points)."""
    P = means.shape[0]
    used = np.array([keep.sum() for keep, _, _ in per_output])
    cols: dict[str, list[float]] = {k: [] for k in ("noise_share", "noise_share_of_mean",
                                                    "output_mean", "output_sd")}
    for o, (keep, _, _) in enumerate(per_output):
        share, share_mean = noise_shares(Y[:, :, o], good[:, :, o], common)
        m = means[keep, o]
        cols["noise_share"].append(share)
        cols["noise_share_of_mean"].append(share_mean)
        cols["output_mean"].append(float(m.mean()) if len(m) else math.nan)
        cols["output_sd"].append(_var(m) ** 0.5)
    out = {k: (("output",), np.array(v, float), _meta(k)) for k, v in cols.items()}
    out["n_points_used"] = (("output",), used.astype(np.int64), _meta("n_points_used"))
    out["n_points_excluded"] = (("output",), (P - used).astype(np.int64), _meta("n_points_excluded"))
    out["n_runs_failed"] = (("output",), (~good).sum(axis=(0, 1)).astype(np.int64), _meta("n_runs_failed"))
    return out


def _meta(name: str) -> dict[str, str]:
    """units and long_name of a variable."""
    if name.endswith("_by_n"):
        base = name[: -len("_by_n")]
        units, long = META[base]
        return {"units": units, "long_name": f"{base} estimated from the first sample_size units of "
                                             f"the design (convergence check)"}
    if name.endswith("_conf"):
        base = name[: -len("_conf")]
        return {"units": META[base][0], "long_name": f"half-width of the bootstrap confidence interval "
                                                     f"of {base} (at conf_level)"}
    units, long = META[name]
    return {"units": units, "long_name": long}


def _coords(design: Design, outputs: np.ndarray, levels: bool) -> dict:
    coords: dict = {
        "output": ("output", outputs, {"long_name": "model output"}),
        "output_units": ("output", _output_units(design.spec, outputs), {"long_name": "units of the output"}),
        "factor": ("factor", design.factors, {"long_name": "group of parameters" if design.spec.groups
                                              else "parameter"}),
    }
    if design.method == "sobol" and design.spec.method.second_order:
        coords["factor2"] = ("factor2", design.factors, {"long_name": "second factor of an interaction"})
    if design.method in BY_N:
        coords["sample_size"] = ("sample_size", np.array(convergence_sizes(design), np.int64),
                                 {"units": "1", "long_name": f"{UNIT[design.method]} used"})
    if levels:
        values = _level_values(design.spec)
        coords["level"] = ("level", np.arange(values.shape[1]), {"long_name": "level number"})
        coords["level_value"] = (("factor", "level"), values,
                                 {"units": "parameter units", "long_name": "value of the factor at the level"})
    return coords


def _level_values(spec: ExperimentSpec) -> np.ndarray:
    axes = [np.asarray(p.values, float) if p.values else np.linspace(*p.bounds, spec.method.levels)
            for p in spec.parameters]
    out = np.full((len(axes), max(len(a) for a in axes)), np.nan)
    for i, a in enumerate(axes):
        out[i, :len(a)] = a
    return out


def _output_units(spec: ExperimentSpec, outputs: np.ndarray) -> list[str]:
    """Units of the SCORE summaries; empty for other models."""
    if spec.model != SCORE_MODEL:
        return [""] * len(outputs)
    from ..summaries import SUMMARIES
    return [SUMMARIES[o].units if o in SUMMARIES else "" for o in outputs]


def _attrs(design: Design, results: xr.Dataset, resamples: int, conf_level: float,
           notes: list[str]) -> dict:
    method = design.method
    conf = {"factorial": "none: the ANOVA of the full grid is exact for the grid; S1_conf and ST_conf are NaN",
            "fast": "bootstrap half-widths; SALib notes that FAST bootstrap intervals are indicative only "
                    "(SALib issue 649)"}.get(method, "bootstrap half-widths at conf_level")
    conv = (f"*_by_n: indices from the first sample_size {UNIT[method]}" if method in BY_N
            else f"none: {method} cannot be subsampled (the {'search curves' if method == 'fast' else 'grid'} "
                 "must be complete)")
    attrs = {
        "title": f"scoresim sensitivity indices: {design.spec.name} ({method})",
        "method": method, "experiment": str(results.attrs["experiment"]),
        "problem": json.dumps(design.problem), "sample_seed": int(results.attrs["sample_seed"]),
        "factors": "groups" if design.spec.groups else "parameters",
        "replicates": int(results.sizes["replicate"]), "resamples": int(resamples),
        "conf_level": float(conf_level), "bootstrap_seed": int(design.seed),
        "estimator": ESTIMATOR[method], "confidence": conf, "convergence": conv,
        "indices_on": "replicate mean of each point (mean over the replicates with a finite value)",
        "warnings": json.dumps(notes), "analysis_versions": json.dumps(_versions()),
    }
    if design.spec.groups:
        members = {g: [p.path for p in design.spec.parameters if p.group == g] for g in design.factors}
        attrs["groups"] = json.dumps(members)
    if method == "latin":
        attrs["rbd_fast_harmonics"] = rbd_harmonics(design.n_units)
        attrs["convergence"] += " (RBD-FAST harmonics M lowered below 10 for fewer than 42 points)"
    for key, value in results.attrs.items():
        if key not in PROVENANCE_SKIP:
            attrs[f"sweep_{key}"] = value
    return attrs


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("scoresim", "SALib", "numpy", "xarray"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out


# ---------------------------------------------------------------------------------------- text
def _output_block(ix: xr.Dataset, name: str, cols: list[str], main: str, top: int | None) -> list[str]:
    """The ranked table of one output (within 100 columns)."""
    units = str(ix["output_units"].values) if "output_units" in ix.coords else ""
    head = (f"output {name}" + (f" [{units}]" if units else "")
            + f": mean {float(ix['output_mean']):.4g}, sd {float(ix['output_sd']):.4g} over points; "
            f"{int(ix['n_points_used'])} points used, {int(ix['n_points_excluded'])} excluded")
    share, share_mean = float(ix["noise_share"]), float(ix["noise_share_of_mean"])
    noise = ("seed noise: not estimated (one replicate per point)" if math.isnan(share) else
             f"seed noise: {100 * share:.1f}% of single-run variance, {100 * share_mean:.1f}% of the "
             "variance of replicate means")
    factors = [str(f) for f in ix["factor"].values]
    order = sorted(range(len(factors)), key=lambda i: _rank_key(float(ix[main].values[i])))
    columns = [textable.Column("rank", key=True), textable.Column("factor", "left", key=True)]
    columns += [textable.Column(c) for c in cols]
    rows = [[str(r), factors[i]] + [_cell(ix, c, i) for c in cols] for r, i in enumerate(order[:top], start=1)]
    table = ["  " + line for line in textable.render(columns, rows, width=textable.WIDTH - 2, rule=False).splitlines()]
    if top is not None and len(order) > top:
        table.append(f"  ... {len(order) - top} more factors in table.txt and indices.csv")
    return textable.wrap(head) + textable.wrap(noise, indent="  ") + table


def _rank_key(value: float) -> tuple[bool, float]:
    return (math.isnan(value), -value if not math.isnan(value) else 0.0)


def _cell(ix: xr.Dataset, col: str, i: int) -> str:
    value = float(ix[col].values[i])
    fmt = ".3f" if META[col][0] == _SHARE else ".4g"
    text = "nan" if math.isnan(value) else format(value, fmt)
    conf_name = f"{col}_conf"
    if conf_name in ix:
        conf = float(ix[conf_name].values[i])
        if not math.isnan(conf):
            text += f" ± {format(conf, fmt)}"
    return text


def _csv_rows(indices: xr.Dataset) -> Iterator[list[str]]:
    names = [n for n in ("S1", "ST", "S2", "mu", "mu_star", "sigma") if n in indices]
    for o in indices["output"].values:
        for name in names:
            da = indices[name].sel(output=o)
            conf = indices[f"{name}_conf"].sel(output=o) if f"{name}_conf" in indices else None
            for f, factor in enumerate(indices["factor"].values):
                if name != "S2":
                    yield [str(o), str(factor), "", name, _num(da.values[f]),
                           _num(conf.values[f]) if conf is not None else ""]
                    continue
                for g in range(f + 1, indices.sizes["factor2"]):
                    yield [str(o), str(factor), str(indices["factor2"].values[g]), name,
                           _num(da.values[f, g]), _num(conf.values[f, g]) if conf is not None else ""]


def _num(value: float) -> str:
    return "" if not np.isfinite(value) else repr(float(value))
