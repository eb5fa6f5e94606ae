"""Run every strategy of a planner config over replicates and collect the results.

Replicate ``r`` has its own seed (population, uptake draws, random numbers) and, with a
posterior, takes draw ``r mod draws`` of the calibrated parameters; its strategies share the
counterfactual. Replicates run on any executor of :mod:`scoresim.experiments.executors` and
come back in order, so the result does not depend on the executor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
import xarray as xr

from . import metrics
from .params import PlanConfig
from .plan import Allocation
from .simulate import allocation_record, replicate_seed, run_replicate

if TYPE_CHECKING:
    from ..calibration.posterior import Posterior
    from ..experiments.executors import Executor


def strategy_allocations(cfg: PlanConfig) -> list[Allocation]:
    """One allocation per strategy of the config: all the budget to it."""
    return [Allocation({name: 1.0}) for name in cfg.strategies]


def _task(item: tuple) -> list[dict[str, np.ndarray]]:
    return run_replicate(*item)


def simulate(cfg: PlanConfig, allocations: list[Allocation], names: list[str], labels: list[str],
             replicates: int, seed: int, executor: "Executor", posterior: "Posterior | None" = None,
             progress: Callable[[int], None] | None = None, scale: float = 1.0) -> xr.Dataset:
    """Monthly results (strategy, replicate, time) of ``allocations`` over ``replicates``."""
    cfg_json = cfg.model_dump_json()
    records = [allocation_record(a) for a in allocations]
    items = [(cfg_json, records, replicate_seed(seed, r), posterior.draw(r) if posterior else None, scale)
             for r in range(replicates)]
    results = []
    for res in executor.imap(_task, items):
        results.append(res)
        if progress:
            progress(1)
    ds = metrics.assemble(results, names, labels, cfg.time.start)
    ds["allocation"] = ("strategy", [a.describe() for a in allocations])
    ds.attrs.update({"seed": seed, "replicates": replicates, "sample_fraction": scale,
                     "replicate_seeds": ",".join(str(i[2]) for i in items),
                     "discount_rate": cfg.economics.discount_rate, "displacement": cfg.economics.displacement})
    if posterior is not None:
        ds.attrs.update(posterior=posterior.origin, posterior_sha256=posterior.digest, posterior_draws=posterior.n)
        ds = ds.assign_coords(posterior_draw=("replicate", np.arange(replicates) % posterior.n))
    return ds


def with_periods(ds: xr.Dataset) -> xr.Dataset:
    """The monthly dataset plus ``<metric>_per_year`` and ``<metric>_through`` (through the end
    of each year) variables over a ``year`` dimension."""
    per_year = metrics.yearly(ds)
    through = metrics.cumulative(ds, float(ds.attrs["discount_rate"]))
    out = ds.copy()
    for k, v in per_year.data_vars.items():
        out[f"{k}_per_year"] = v
    for k, v in through.data_vars.items():
        out[f"{k}_through"] = v
    return out


def periods(ds: xr.Dataset) -> tuple[xr.Dataset, xr.Dataset]:
    """(per year, through each year) datasets of a dataset written by :func:`with_periods`."""
    def pick(suffix: str) -> xr.Dataset:
        names = [k for k in ds.data_vars if k.endswith(suffix) and "year" in ds[k].dims]
        return ds[names].rename({k: k[: -len(suffix)] for k in names})
    return pick("_per_year"), pick("_through")


__all__ = ["simulate", "with_periods", "periods", "strategy_allocations"]
