"""Known answers for the self-reported statistics and the causal effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from scoresim.params import AREAS, ReportingParams
from scoresim.reporting import INDICATORS, report_dataset, window_means

TRUTHFUL = dict(response_rate=1.0, measurement_sd=0.0, measurement_sd_points=0.0, optimism=0.0, optimism_points=0.0)


def reports(ds: xr.Dataset, rp: ReportingParams) -> xr.Dataset:
    return report_dataset(ds, rp)


def test_window_means_known_answer_and_out_of_range():
    x = np.arange(10, dtype=float)[:, None].repeat(3, axis=1)   # (T=10, K=3)
    out = window_means(x, np.array([0, 4, 8]), 3)
    np.testing.assert_allclose(out[:2], [1.0, 5.0])
    assert np.isnan(out[2])                                        # 8..10 leaves the period


def _toy(before: float, after: float, cf_after: float, T: int = 24) -> xr.Dataset:
    """One participant enrolled at month 8, done at month 11; every variable steps from
    ``before`` to ``after`` at month 12 in the programme world; the counterfactual is flat
    at ``before`` then ``cf_after``."""
    prog = np.where(np.arange(T) >= 12, after, before)
    cf = np.where(np.arange(T) >= 12, cf_after, before)
    panel = np.stack([prog, cf])[None, :, :, None]                 # (R=1, W=2, T, K=1)
    dims = ("replicate", "world", "time", "firm")
    data = {ind.variable: (dims, panel) for ind in INDICATORS.values() if ind.variable != "practice_taken"}
    data["practice"] = (dims + ("area",), np.repeat(panel[..., None], 5, axis=-1))
    return xr.Dataset(data, coords={
        "replicate": [0], "world": ["programme", "counterfactual"],
        "time": pd.date_range("2010-01-01", periods=T, freq="MS"), "firm": [0], "area": list(AREAS),
        "participant": ("firm", [True]), "enrol_month": ("firm", [8]),
        "completion_month": ("firm", [11]), "module_taken": (("firm", "area"), [[True] * 5]),
    })


def test_reported_change_and_effect_known_answers():
    rp = ReportingParams(window_months=6, lag_months=0, threshold=0.02, adoption_threshold=0.1, **TRUTHFUL)
    ds = _toy(before=0.5, after=0.4, cf_after=0.45)
    agg = reports(ds, rp)
    # before: months 2..7 = 0.5 (enrol 8 - 6); after: months 12..17 = 0.4
    d = agg.sel(indicator="defects")
    np.testing.assert_allclose(d["mean_reported_change"], -0.2)
    np.testing.assert_allclose(d["effect"], 0.4 / 0.45 - 1)
    assert float(d["share_reporting_improvement"].item()) == 1.0        # lower is better
    p = agg.sel(indicator="productivity")
    assert float(p["share_reporting_improvement"].item()) == 0.0        # higher is better: a fall
    a = agg.sel(indicator="adoption")
    np.testing.assert_allclose(a["mean_reported_change"], -0.1)   # points, not relative
    np.testing.assert_allclose(agg.sel(indicator="accidents")["effect"], 0.4 / 0.45 - 1)
    assert int(agg["n_reporting"].item()) == 1


def test_no_change_reports_nothing_and_has_zero_effect():
    rp = ReportingParams(**TRUTHFUL)
    ds = _toy(before=0.3, after=0.3, cf_after=0.3)
    agg = reports(ds, rp)
    np.testing.assert_allclose(agg["effect"], 0.0, atol=1e-12)
    np.testing.assert_allclose(agg["mean_reported_change"], 0.0, atol=1e-12)
    assert np.all(agg["share_reporting_improvement"] == 0.0)


def test_change_within_threshold_is_not_an_improvement():
    rp = ReportingParams(threshold=0.05, **TRUTHFUL)
    ds = _toy(before=1.0, after=0.97, cf_after=1.0)               # -3%: below the 5% threshold
    agg = reports(ds, rp)
    assert float(agg["share_reporting_improvement"].sel(indicator="defects").item()) == 0.0
