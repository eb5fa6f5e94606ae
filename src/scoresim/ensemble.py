"""Ensembles whose spread is the uncertainty of the results: replicates that each draw their own
parameter values (from the posterior of the calibrated parameters), their own population (firms,
workers, buyers, their history of shocks and the delivery plan) and their own random events.

:func:`run_ensemble` runs the replicates one at a time and keeps, for each, the summary of what
matters across replicates (:func:`aggregate`: the three estimands, the composition of
participants, every named summary, and the trajectories of participants and non-participants),
so its memory does not grow with the replicates; it also keeps the full firm panel of the first
``panels`` replicates. The summary dataset is what ``scoresim run`` writes as ``dataset.nc``;
the first replicate's panel is ``panel.nc``.

What the spread covers is recorded in the summary's ``uncertainty`` attribute and printed with
every interval: parameters (when a posterior is used), populations (when each replicate has its
own) and the stochastic events of the month. With ``populations="shared"`` the replicates share
one population, its shocks and delivery plan (the layout of :func:`scoresim.simulate.run`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np
import xarray as xr

from .coords import label
from .estimands import ESTIMANDS
from .params import Scenario
from .reporting import missing_reason

if TYPE_CHECKING:
    from .calibration.posterior import Posterior

POPULATION_KEY = 0x909
TRAJECTORIES = ("accident_rate", "absence_rate", "defect_rate", "productivity", "energy_per_unit", "engagement")
INDEXED = ("defect_rate", "productivity", "energy_per_unit")
"""Trajectories shown as an index (each firm's first 12 months = 100), since their levels differ
by sector and the groups differ in their sector mix."""
GROUPS = ("participants", "non_participants")


def population_seed(seed: int, r: int) -> int:
    """The seed of replicate ``r``'s own population in an ensemble seeded ``seed``."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(POPULATION_KEY, r))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def describe(posterior: "Posterior | None", populations: str) -> str:
    """What the spread over the replicates of such an ensemble covers, in words."""
    parts = []
    if posterior is not None:
        parts.append(f"parameters (a draw of the calibrated parameters' posterior per replicate, {posterior.n} draws)")
    if populations == "fresh":
        parts.append("populations (each replicate its own firms, history of shocks and delivery plan)")
    parts.append("the stochastic events of the months")
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    if posterior is None:
        text += "; parameters fixed at their defaults"
    if populations != "fresh":
        text += "; one population shared by every replicate"
    return text


def run_ensemble(scenario: Scenario, seed: int, replicates: int, posterior: "Posterior | None" = None,
                 keep: Iterable[str] = (), populations: str = "fresh", panels: int = 1,
                 progress: Callable[[int], None] | None = None) -> tuple[xr.Dataset, list[xr.Dataset]]:
    """Run ``replicates`` replicates; return the summary dataset (replicate, ...) and the full
    datasets of the first ``panels`` replicates. Replicate ``r`` takes posterior draw
    ``r mod draws`` for every calibrated parameter not in ``keep`` (those the config sets)."""
    from .simulate import run

    if populations not in ("fresh", "shared"):
        raise ValueError(f"populations must be 'fresh' or 'shared', got {populations!r}")
    parts, kept = [], []
    for r in range(replicates):
        scen = replicate_scenario(scenario, posterior, r, set(keep))
        pop_seed, number = (population_seed(seed, r), 0) if populations == "fresh" else (seed, r)
        ds = run(scen, seed=pop_seed, replicates=1, first=number)
        part = aggregate(ds).assign_coords(replicate=[r], population_seed=("replicate", [pop_seed]))
        if posterior is not None:
            part = part.assign_coords(posterior_draw=("replicate", [r % posterior.n]))
            part["posterior_value"] = (("replicate", "calibrated_parameter"),
                                       [[float(scen_value(scen, k)) for k in posterior.names]],
                                       {"units": "parameter units",
                                        "long_name": "calibrated parameter values of the replicate"})
        parts.append(part)
        if r < panels:
            kept.append(ds)
        if progress:
            progress(1)
    root = xr.concat(parts, "replicate", combine_attrs="drop_conflicts")
    if posterior is not None:
        root = root.assign_coords(calibrated_parameter=list(posterior.names))
        root.attrs.update(posterior=posterior.origin, posterior_sha256=posterior.digest, posterior_draws=posterior.n)
    root.attrs.update({"seed": seed, "replicates": replicates, "populations": populations,
                       "uncertainty": describe(posterior, populations), "scenario": scenario.name,
                       "report_window_months": scenario.reporting.window_months,
                       "report_lag_months": scenario.reporting.lag_months,
                       "missing": parts[0].attrs.get("missing", "{}")})
    return label(root), kept


def scen_value(scenario: Scenario, path: str) -> float:
    """The value of the parameter at dotted ``path``."""
    node = scenario
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return float(node)


def replicate_scenario(scenario: Scenario, posterior: "Posterior | None", r: int, keep: set[str]) -> Scenario:
    """``scenario`` with replicate ``r``'s posterior draw (parameters in ``keep`` untouched)."""
    if posterior is None:
        return scenario
    from .calibration.posterior import scenario_for

    return scenario_for(scenario, posterior, r, keep)


# --------------------------------------------------------------------------- one replicate's summary

def aggregate(ds: xr.Dataset) -> xr.Dataset:
    """What an ensemble keeps of a reported run dataset (any number of replicates sharing its
    population): the estimands, the composition of participants, every named summary, and the
    worker-weighted trajectories of participants and non-participants in business."""
    from .summaries import SUMMARIES, summarise

    keepers = [v for v in (*ESTIMANDS.values(), "share_reporting_improvement", "n_reporting",
                           "report_status_count") if v in ds]
    out = ds[keepers].copy()
    values = summarise(ds, list(SUMMARIES))
    out["summary_value"] = (("replicate", "summary"), np.stack([values[k] for k in SUMMARIES], axis=1),
                      {"units": "see summary_units", "long_name": "named summaries of the run (docs/experiments.md)"})
    out = out.assign_coords(summary=list(SUMMARIES),
                            summary_units=("summary", [SUMMARIES[k].units for k in SUMMARIES]))
    for var in TRAJECTORIES:
        out[f"trajectory_{var}"] = trajectory(ds, var)
    out["trajectory_practice"] = practice_trajectory(ds)
    out.attrs = {"missing": json.dumps({str(n): missing_reason(ds, str(n)) for n in ds["indicator"].values})}
    return out


def _weights(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(firm,) worker weights and the (group, firm) membership of participants and the others."""
    part = ds["participant"].values.astype(bool)
    return ds["workers"].values.astype(float), np.stack([part, ~part]).astype(float)


def trajectory(ds: xr.Dataset, var: str) -> xr.DataArray:
    """(replicate, world, time, group) worker-weighted mean of ``var`` over the firms of each
    group in business; for :data:`INDEXED` variables, of each firm's value relative to its
    mean over the first 12 months in the programme world (x 100)."""
    x = ds[var].values.astype(float)                                      # (R, W, T, K)
    if var in INDEXED:
        pw = list(ds["world"].values).index("programme") if "programme" in ds["world"].values else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            base = np.nanmean(x[:, pw, :12], axis=1)                      # (R, K)
            x = 100.0 * x / np.where(base > 0, base, np.nan)[:, None, None, :]
    w, member = _weights(ds)
    ok = np.isfinite(x)
    wx = np.where(ok, x, 0.0) * w
    num = np.einsum("rwtk,gk->rwtg", wx, member)
    den = np.einsum("rwtk,gk->rwtg", ok * w, member)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    units = "index (first 12 months = 100)" if var in INDEXED else ds[var].attrs.get("units", "")
    return xr.DataArray(mean, dims=("replicate", "world", "time", "group"),
                        coords={"replicate": ds["replicate"].values, "world": ds["world"].values,
                                "time": ds["time"].values, "group": list(GROUPS)},
                        attrs={"units": units, "long_name": ds[var].attrs.get("long_name", var)
                               + (", index" if var in INDEXED else "") + ", mean of firms in business"})


def practice_trajectory(ds: xr.Dataset) -> xr.DataArray:
    """(replicate, world, time, group, area) mean practice level of the firms of each group in
    business (unweighted)."""
    x = ds["practice"].values.astype(float)                               # (R, W, T, K, A)
    _, member = _weights(ds)
    ok = np.isfinite(x)
    num = np.einsum("rwtka,gk->rwtga", np.where(ok, x, 0.0), member)
    den = np.einsum("rwtka,gk->rwtga", ok.astype(float), member)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return xr.DataArray(mean, dims=("replicate", "world", "time", "group", "area"),
                        coords={"replicate": ds["replicate"].values, "world": ds["world"].values,
                                "time": ds["time"].values, "group": list(GROUPS), "area": ds["area"].values},
                        attrs={"units": "practice level (0-1)", "long_name": "mean practice level of firms in business"})


__all__ = ["run_ensemble", "aggregate", "population_seed", "describe", "trajectory", "practice_trajectory",
           "TRAJECTORIES", "INDEXED", "GROUPS"]
