"""Posterior draws of calibrated parameters, used by runs, sweeps and the scale-up planner
(``--posterior FILE``).

A posterior file is the ``posterior.nc`` a calibration writes (``scoresim/data/posterior_phase1.nc``
holds the committed one): ``value`` (draw, parameter), equally weighted draws in a random order, with
parameters named by config path. An ensemble over it gives replicate ``r`` the draw
``r mod draws``, so every result combines parameter and stochastic uncertainty.

Beside the draws the file holds what a reader needs to judge them (:func:`posterior_info`:
method, effective sample size, simulation-based calibration coverage, targets fitted and out of
reach, the reference table's size) and, for the planner's module advice, each module effect's
posterior and how much of it rests on the priors, the trials and the Phase I monitoring figures
(:func:`module_evidence`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import InputError
from ..params import Scenario, numeric_parameters


@dataclass(frozen=True)
class Posterior:
    """Draws (draws, parameters) of the parameters named by config path."""

    names: tuple[str, ...]
    values: np.ndarray
    origin: str
    digest: str

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    def draw(self, r: int) -> dict[str, float]:
        """The parameter values of replicate ``r`` (draw ``r mod n``)."""
        return {k: float(v) for k, v in zip(self.names, self.values[r % self.n])}

    def without(self, names: set[str]) -> "Posterior":
        """The draws of the parameters not in ``names`` (those a config sets keep their values)."""
        keep = [j for j, k in enumerate(self.names) if k not in names]
        return Posterior(tuple(self.names[j] for j in keep), self.values[:, keep], self.origin, self.digest)

    def to_record(self) -> dict:
        return {"names": list(self.names), "values": self.values.tolist(), "origin": self.origin,
                "digest": self.digest}

    @classmethod
    def from_record(cls, rec: dict) -> "Posterior":
        return cls(tuple(rec["names"]), np.asarray(rec["values"], float), rec["origin"], rec["digest"])


def load_posterior(path: str | Path, scenario: Scenario | None = None) -> Posterior:
    """Read and check a posterior file; with ``scenario``, check every parameter exists there
    and every draw lies in its valid range."""
    from ..io import read_netcdf

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--posterior {path}: no such file")
    ds = read_netcdf(path, f"--posterior {path}")
    if "value" not in ds or ds["value"].dims != ("draw", "parameter") or ds.sizes["draw"] < 1:
        raise InputError(f"--posterior {path}: not a scoresim posterior: needs a variable 'value' "
                         "(draw, parameter) with at least one draw, as calibrate writes in posterior.nc")
    names = tuple(str(p) for p in ds["parameter"].values)
    values = ds["value"].values.astype(float)
    if not np.isfinite(values).all():
        raise InputError(f"--posterior {path}: variable 'value' holds non-finite numbers")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    post = Posterior(names, values, str(path), digest)
    if scenario is not None:
        check(post, scenario)
    return post


def check(post: Posterior, scenario: Scenario) -> None:
    """Every posterior parameter is a numeric parameter of ``scenario`` and every draw is valid."""
    numeric = numeric_parameters(scenario)
    for j, name in enumerate(post.names):
        if name not in numeric:
            raise InputError(f"--posterior {post.origin}: parameter {name!r} is not a numeric parameter "
                             "of the scenario")
        q = numeric[name]
        v = post.values[:, j]
        if (v < q.lo).any() or (v > q.hi).any():
            raise InputError(f"--posterior {post.origin}: draws of {name} leave its valid range "
                             f"[{q.lo:g}, {q.hi:g}]")


COMMITTED = "posterior_phase1.nc"
"""The committed posterior of the Phase I calibration, shipped with the package (scoresim/data)."""


def committed_path() -> Path:
    """The file of the committed posterior."""
    from importlib.resources import files

    return Path(str(files("scoresim") / "data" / COMMITTED))


def resolve(spec: str, config: str | Path | None = None) -> Path | None:
    """The posterior file a ``run.posterior`` setting names: None for 'none', the committed one
    for 'calibrated', else a path relative to the config file's directory."""
    if spec == "none":
        return None
    if spec == "calibrated":
        return committed_path()
    path = Path(spec)
    if not path.is_absolute() and config is not None:
        path = Path(config).parent / path
    return path


def scenario_for(scenario: Scenario, post: Posterior, r: int, keep: set[str] = frozenset()) -> Scenario:
    """``scenario`` with replicate ``r``'s posterior draw set (parameters in ``keep`` untouched)."""
    from ..config import set_values

    integer = {p for p, q in numeric_parameters(scenario).items() if q.integer}
    values = {k: (int(round(v)) if k in integer else v) for k, v in post.draw(r).items() if k not in keep}
    return set_values(scenario, values, origin=f"posterior {post.origin}", label="posterior ")


INFO_ATTRS = ("method", "effective_sample_size", "particles", "distinct_particles", "simulations",
              "simulations_planned", "stopped_early", "sbc_coverage", "targets", "targets_fitted",
              "targets_out_of_reach", "git_commit", "created_utc", "defaults_rule")


def posterior_info(path: str | Path) -> dict:
    """What a posterior file says about itself: method, effective sample size, SBC coverage,
    targets fitted and out of reach, simulations, provenance, and the posterior medians (the
    defaults of the calibrated parameters). Keys absent from older files are left out."""
    import json

    from ..io import read_netcdf

    ds = read_netcdf(Path(path), f"--posterior {path}")
    out = {k: ds.attrs[k] for k in INFO_ATTRS if k in ds.attrs}
    for k in ("targets_fitted", "targets_out_of_reach"):
        if isinstance(out.get(k), str):
            out[k] = json.loads(out[k])
    names = [str(p) for p in ds["parameter"].values]
    med = ds["median"].values if "median" in ds else np.median(ds["value"].values, axis=0)
    out["medians"] = dict(zip(names, (float(v) for v in med)))
    out["draws"] = int(ds.sizes["draw"])
    return out


def module_evidence(path: str | Path) -> dict[str, dict[str, float]]:
    """Per module effect (``module_effect.<module>.<indicator>``): the posterior median and 90%
    interval of the module's causal effect on its takers (emulated, parameter uncertainty) and
    the shares of its posterior precision from the priors (assumptions), the trials and the
    monitoring figures (``prior``, ``trials``, ``monitoring``, summing to 1). A planner quoting
    module advice says how much it rests on priors with ``prior``. Empty for a posterior file
    without module effects."""
    from ..io import read_netcdf

    ds = read_netcdf(Path(path), f"--posterior {path}")
    if "information_share" not in ds or "derived" not in ds:
        return {}
    out = {}
    for q in ds["quantity"].values:
        q = str(q)
        if not q.startswith("module_effect."):
            continue
        v = ds["derived"].sel(quantity=q).values
        lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
        share = ds["information_share"].sel(quantity=q)
        out[q] = {"median": float(med), "q05": float(lo), "q95": float(hi),
                  **{str(src): float(share.sel(source=src)) for src in ds["source"].values}}
    return out


BOUNDS_RULE = ("calibrated parameters: the posterior's 1st to 99th percentile, widened to half to one and a half "
               "times the posterior median where that is wider (so a screening sees more than the posterior's "
               "width), clipped to the prior; other parameters: half to one and a half times the default")


def sensitivity_bounds(path: str | Path, names: list[str] | None = None) -> dict[str, tuple[float, float]]:
    """Bounds for a sensitivity analysis of the calibrated parameters of a posterior file, by
    :data:`BOUNDS_RULE`: they always contain the posterior median (the default), rounded to
    three significant digits outward."""
    from ..io import read_netcdf

    ds = read_netcdf(Path(path), f"--posterior {path}")
    out = {}
    for j, name in enumerate(str(p) for p in ds["parameter"].values):
        if names is not None and name not in names:
            continue
        v = ds["value"].values[:, j]
        med = float(np.median(v))
        lo, hi = np.quantile(v, [0.01, 0.99])
        lo, hi = min(lo, 0.5 * med) if med > 0 else lo, max(hi, 1.5 * med) if med > 0 else hi
        lo, hi = max(lo, float(ds["prior_low"].values[j])), min(hi, float(ds["prior_high"].values[j]))
        out[name] = (_round(lo, "down"), _round(hi, "up"))
    return out


def _round(x: float, way: str) -> float:
    if x == 0:
        return 0.0
    import math

    e = math.floor(math.log10(abs(x))) - 2
    f = math.floor if way == "down" else math.ceil
    return float(round(f(round(x / 10 ** e, 9)) * 10 ** e, 12))
