"""The outcomes participants report on, and means of a panel over each firm's report windows.

Shared by the observation model, the estimands and the summaries (it sits below them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr


@dataclass(frozen=True)
class Indicator:
    """An outcome participants report on."""

    variable: str      # firm output it is computed from ("practice_taken" for adoption)
    direction: int     # +1 when higher is better, -1 when lower is better
    kind: str          # "relative" change or practice "points"
    phase1: str        # the Phase I figure as printed, "" when none
    phase1_change: tuple[float, float] | None = None  # printed mean change (range)
    phase1_share: tuple[float, float] | None = None   # printed share of firms reporting improvement


INDICATORS: dict[str, Indicator] = {
    "adoption": Indicator("practice_taken", +1, "points", "75-80% adopted good practices",
                          phase1_share=(0.75, 0.80)),
    "relations": Indicator("engagement", +1, "relative", "70% improved workplace relations",
                           phase1_share=(0.70, 0.70)),
    "defects": Indicator("defect_rate", -1, "relative", "80% lower defects, -10% average",
                         phase1_change=(-0.10, -0.10), phase1_share=(0.80, 0.80)),
    "accidents": Indicator("accidents", -1, "relative", "16% fewer accidents",
                           phase1_change=(-0.16, -0.16)),
    "absenteeism": Indicator("absence_rate", -1, "relative", "absenteeism -3.6%",
                             phase1_change=(-0.036, -0.036)),
    "productivity": Indicator("productivity", +1, "relative", "+15 to 50%",
                              phase1_change=(0.15, 0.50)),
    "energy": Indicator("energy_per_unit", -1, "relative", "-2% kWh per unit",
                        phase1_change=(-0.02, -0.02)),
    "unit_cost": Indicator("unit_cost", -1, "relative", ">50% reported cost savings",
                           phase1_share=(0.50, 1.0)),
}
POOLED = {"accidents"}
"""Rare events: changes and effects are ratios of counts summed over firms, since a mean of
per-firm ratios of small counts is biased upward."""


def cumulative(x: np.ndarray) -> np.ndarray:
    """Cumulative sums over time of ``x`` (..., T, K), NaN counted as 0, with a leading 0: the
    sum over months [a, b) is ``c[..., b, :] - c[..., a, :]``."""
    c = np.cumsum(np.nan_to_num(x), axis=-2)
    return np.concatenate([np.zeros(x.shape[:-2] + (1, x.shape[-1])), c], axis=-2)


def window_means(x: np.ndarray, first: np.ndarray, length: int) -> np.ndarray:
    """Means of ``x`` (..., T, K) over months [first_k, first_k + length) per firm k; ``first``
    is (K,) or has the leading axes of ``x`` too ((R, K) for x (R, T, K)). NaN where the window
    leaves the simulated period; months with NaN (a firm that had exited) count as 0."""
    T = x.shape[-2]
    cs = cumulative(x)
    first = np.broadcast_to(first, x.shape[:-2] + (x.shape[-1],))
    ok = (first >= 0) & (first + length <= T)
    a = np.clip(first, 0, T)[..., None, :]
    b = np.clip(first + length, 0, T)[..., None, :]
    out = (np.take_along_axis(cs, b, axis=-2) - np.take_along_axis(cs, a, axis=-2))[..., 0, :] / length
    return np.where(ok, out, np.nan)


def window_means_at(cs: np.ndarray, first: np.ndarray, length: int) -> np.ndarray:
    """Means over months [first, first + length) of every firm of a cumulative panel ``cs``
    (R, T + 1, C) (:func:`cumulative`), for each window ``first`` (R, P): (R, P, C). Windows
    must lie inside the period."""
    r = np.arange(cs.shape[0])[:, None]
    return (cs[r, first + length] - cs[r, first]) / length


def indicator_panel(ds: xr.Dataset, name: str) -> np.ndarray:
    """(replicate, world, time, firm) values of an indicator's variable."""
    var = INDICATORS[name].variable
    if var == "practice_taken":
        taken = ds["module_taken"].values.astype(float)             # (firm, area)
        n = np.maximum(taken.sum(axis=1), 1.0)
        return (ds["practice"].values * taken).sum(axis=-1) / n
    return ds[var].values.astype(float)


__all__ = ["Indicator", "INDICATORS", "POOLED", "cumulative", "window_means", "window_means_at",
           "indicator_panel"]
