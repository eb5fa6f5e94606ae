"""Ensembles: replicates that draw their own parameters and populations, and what they keep."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from scoresim.calibration.posterior import Posterior
from scoresim.ensemble import aggregate, describe, population_seed, run_ensemble
from scoresim.simulate import run

from conftest import small

POST = Posterior(("workforce.osh_hazard", "adoption.visit_rate"), np.array([[1.0, 0.2], [5.0, 0.5]]), "test", "abc")


def test_shared_population_without_posterior_is_the_simulation_itself():
    """With one population and fixed parameters an ensemble's estimands are those of
    :func:`scoresim.simulate.run` replicate by replicate (same seeds, same numbering)."""
    s = small()
    root, panels = run_ensemble(s, 4, 3, None, populations="shared")
    ds = run(s, seed=4, replicates=3)
    for var in ("mean_reported_change", "did_estimate", "effect", "share_reporting_improvement"):
        # equal up to the summation order of a pooled ratio over one replicate or several
        np.testing.assert_allclose(root[var].values, ds[var].values, rtol=1e-12, atol=1e-15, err_msg=var)
    xr.testing.assert_equal(panels[0]["accidents"], ds["accidents"].isel(replicate=[0]))
    assert set(root["population_seed"].values) == {4}
    assert root.attrs["uncertainty"] == describe(None, "shared")
    assert "parameters fixed" in root.attrs["uncertainty"] and "shared" in root.attrs["uncertainty"]


def test_fresh_populations_and_posterior_draws_per_replicate():
    s = small()
    root, panels = run_ensemble(s, 4, 3, POST, keep={"adoption.visit_rate"})
    seeds = root["population_seed"].values
    assert len(set(seeds)) == 3 and seeds[1] == population_seed(4, 1)
    np.testing.assert_array_equal(root["posterior_draw"].values, [0, 1, 0])
    vals = root["posterior_value"].sel(calibrated_parameter="workforce.osh_hazard").values
    np.testing.assert_array_equal(vals, [1.0, 5.0, 1.0])
    kept = root["posterior_value"].sel(calibrated_parameter="adoption.visit_rate").values
    np.testing.assert_array_equal(kept, [s.adoption.visit_rate] * 3)   # the config sets it: not drawn
    assert "parameters (a draw" in root.attrs["uncertainty"] and "populations" in root.attrs["uncertainty"]
    assert len(panels) == 1 and panels[0].sizes["replicate"] == 1
    # the same call gives the same ensemble
    again, _ = run_ensemble(s, 4, 3, POST, keep={"adoption.visit_rate"})
    xr.testing.assert_identical(root, again)


def test_aggregate_trajectories_are_worker_weighted_means_of_firms_in_business():
    ds = run(small(), seed=2, replicates=1)
    agg = aggregate(ds)
    part = ds["participant"].values.astype(bool)
    x = ds["accident_rate"].sel(world="programme").values[0]                # (time, firm)
    w = ds["workers"].values.astype(float)
    members = part & np.isfinite(x[-1])
    expected = (x[-1, members] * w[members]).sum() / w[members].sum()
    got = agg["trajectory_accident_rate"].sel(world="programme", group="participants").values[0, -1]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    # indexed trajectories start near 100 in every group and world
    first = agg["trajectory_productivity"].isel(time=slice(0, 12)).mean("time").values
    np.testing.assert_allclose(first, 100.0, rtol=0.05)
    assert set(agg["summary"].values) >= {"effect.accidents", "jobs_effect", "reporting_share"}


@pytest.mark.parametrize("populations", ["fresh", "shared"])
def test_intervals_say_what_they_cover(populations):
    text = describe(POST, populations)
    assert "parameters" in text and "stochastic events" in text
    assert ("populations (each replicate its own" in text) == (populations == "fresh")
    with pytest.raises(ValueError, match="fresh"):
        run_ensemble(small(), 1, 1, None, populations="some")


def test_every_variable_and_coordinate_has_units_or_a_long_name():
    root, panels = run_ensemble(small(), 1, 2, POST)
    for ds in (root, panels[0]):
        for name in list(ds.data_vars) + list(ds.coords):
            attrs = ds[name].attrs
            assert attrs.get("units") or attrs.get("long_name"), name
