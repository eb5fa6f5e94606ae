"""Scalar summaries of a run (what experiments compare) and the sampling of experiment specs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import small
from scoresim.experiments.sampling import run_seeds, sample
from scoresim.experiments.spec import ExperimentSpec, n_points
from scoresim.params import SEED_MAX
from scoresim.simulate import run
from scoresim.summaries import SUMMARIES, summarise


@pytest.fixture(scope="module")
def small_run():
    return run(small(), seed=3, replicates=2)


def test_every_summary_is_finite_and_in_range(small_run):
    values = summarise(small_run, list(SUMMARIES))
    assert set(values) == set(SUMMARIES)
    for name, v in values.items():
        assert v.shape == (2,), name
        if name == "payback_months_median":              # inf: the median participant states no saving
            assert (~np.isnan(v) & (v >= 0)).all(), name
        elif name != "cost_per_accident_averted_usd":    # NaN when no accident is averted
            assert np.isfinite(v).all(), name
        if name.startswith("share_improving."):
            assert ((v >= 0) & (v <= 1)).all(), name
    assert (values["participants"] == 30).all()


def test_cost_is_the_module_price_times_modules_delivered(small_run):
    v = summarise(small_run, ["cost_usd", "modules_per_participant", "participants", "cost_per_firm_usd"])
    np.testing.assert_allclose(v["cost_usd"], 2500.0 * v["modules_per_participant"] * v["participants"])
    np.testing.assert_allclose(v["cost_per_firm_usd"], v["cost_usd"] / v["participants"])


def test_averted_accidents_match_the_panels(small_run):
    ds = small_run
    part = ds["participant"].values
    acc = ds["accidents"].values[:, :, :, part]                     # (replicate, world, time, firm)
    enrol = ds["enrol_month"].values[part]
    mask = np.arange(ds.sizes["time"])[:, None] >= enrol
    worlds = list(ds["world"].values)
    expected = ((acc[:, worlds.index("counterfactual")] - acc[:, worlds.index("programme")]) * mask).sum(axis=(1, 2))
    np.testing.assert_allclose(summarise(ds, ["accidents_averted"])["accidents_averted"], expected)


def test_no_participants_no_cost_and_nothing_averted():
    ds = run(small(programme__participants=0), seed=3, replicates=1)
    v = summarise(ds, ["cost_usd", "accidents_averted", "participants", "cost_per_firm_usd"])
    assert v["cost_usd"][0] == 0 and v["participants"][0] == 0
    assert np.isnan(v["cost_per_firm_usd"][0])


BOUNDED = st.tuples(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=40, deadline=None)
@given(bounds=st.lists(BOUNDED, min_size=2, max_size=4),
       method=st.sampled_from(["sobol", "morris", "fast", "latin", "factorial"]),
       seed=st.integers(0, SEED_MAX), replicates=st.integers(1, 3))
def test_samples_stay_inside_bounds_and_seeds_in_range(bounds, method, seed, replicates):
    samples = {"sobol": 8, "morris": 3, "fast": 65, "latin": 7, "factorial": 1}[method]
    spec = ExperimentSpec.model_validate({
        "name": "p", "model": "scoresim.testfunctions:ishigami", "seed": seed, "replicates": replicates,
        "outputs": ["y"], "method": {"name": method, "samples": samples, "levels": 4},
        "parameters": [{"path": f"x{i}", "bounds": list(b)} for i, b in enumerate(bounds)]})
    X = sample(spec)
    assert X.shape == (n_points(spec), len(bounds))
    lo, hi = np.array(bounds).T
    span = hi - lo
    assert ((X >= lo - 1e-9 * span) & (X <= hi + 1e-9 * span)).all()
    seeds = run_seeds(spec, len(X))
    assert seeds.shape == (len(X), replicates) and (seeds >= 0).all() and (seeds <= SEED_MAX).all()
    np.testing.assert_array_equal(X, sample(spec))


def test_truncnorm_and_triang_samples():
    spec = ExperimentSpec.model_validate({
        "name": "d", "model": "scoresim.testfunctions:ishigami", "outputs": ["y"],
        "method": {"name": "latin", "samples": 4000},
        "parameters": [{"path": "a", "bounds": [0, 1], "dist": "triang", "peak": 0.25},
                       {"path": "b", "bounds": [0, 10], "dist": "truncnorm", "mean": 2, "sd": 1},
                       {"path": "c", "bounds": [1, 100], "dist": "logunif"}]})
    X = sample(spec)
    assert abs(X[:, 0].mean() - (0 + 1 + 0.25) / 3) < 0.01          # triangular mean
    assert 1.9 < X[:, 1].mean() < 2.2 and X[:, 1].min() >= 0
    assert abs(np.median(np.log(X[:, 2])) - math.log(10)) < 0.1    # log-uniform median: sqrt(1 * 100)
