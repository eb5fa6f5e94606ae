"""The compiled workforce kernels reproduce the numpy reference bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from scoresim.model import ScoreModel
from scoresim.params import WorkforceParams
from scoresim.processes import workforce
from scoresim.processes.workforce_kernels import reduceat_sum
from scoresim.recorder import FIRM_OUTPUTS
from scoresim.state import Workers

from conftest import small

STATE = ("skill", "engagement", "tenure", "injured", "absent", "trained")
OUTCOME = ("absent_days", "skill", "engagement", "accidents", "quits", "trained_managers_lost")


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Same dtype, shape and bytes (so -0.0 differs from 0.0)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 700), min_size=1, max_size=12), scale=st.sampled_from([1e-3, 1.0, 1e4]),
       seed=st.integers(0, 2**32 - 1))
def test_reduceat_sum_is_numpy_reduceat(sizes, scale, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(sum(sizes)) * scale * rng.lognormal(0, 2, sum(sizes))).astype(np.float32)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    expected = np.add.reduceat(x, starts)
    got = np.array([reduceat_sum(x, a, a + n) for a, n in zip(starts, sizes)], np.float32)
    assert same_bits(got, expected)


params = st.fixed_dictionaries({
    "engagement_speed": st.floats(0.0, 1.0), "hazard_skill": st.floats(0.0, 5.0),
    "hazard_new_hire": st.floats(0.0, 5.0), "days_lost_mean": st.floats(0.0, 365.0),
    "working_days": st.floats(1.0, 31.0), "absence_engagement": st.floats(0.0, 1.9),
    "quit_engagement": st.floats(0.0, 1.9), "hire_skill": st.floats(0.0, 1.0),
    "hire_engagement": st.floats(0.0, 1.0),
})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(2, 400), min_size=1, max_size=10), worlds=st.integers(1, 2),
       common=st.booleans(), values=params, months=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_kernels_equal_numpy_reference(sizes, worlds, common, values, months, seed):
    """Workers, firm sums and counts over a few months, from random states, drivers and
    parameters (hazards and quit chances up to 1, so accidents, injuries carried over and quits
    are frequent)."""
    rng = np.random.default_rng(seed)
    w = WorkforceParams(**values)
    sizes = np.array(sizes, np.int64)
    managers = np.array([rng.integers(1, n) for n in sizes], np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    bounds = np.stack([starts, starts + managers], axis=1).ravel()
    a = _workers(rng, sizes, worlds)
    b = copy.deepcopy(a)
    for _ in range(months):
        drivers = (rng.random((5, worlds, len(sizes))) ** rng.uniform(0.5, 4.0, (5, 1, 1))).astype(np.float32)
        shape = (int(sizes.sum()),) if common else (worlds, int(sizes.sum()))
        u_acc, u_quit = (rng.random(shape, np.float32) for _ in range(2))
        z = rng.standard_normal(len(sizes) if common else (worlds, len(sizes)))
        args = (drivers, z, u_acc, u_quit, sizes, bounds, w, float(rng.uniform(0.2, 5.0)))
        ref = workforce.workforce_step_numpy(a, *args)
        got = workforce.workforce_step(b, *args)
        for k in OUTCOME:
            assert same_bits(getattr(got, k), getattr(ref, k)), k
        for k in STATE:
            assert same_bits(getattr(b, k), getattr(a, k)), k


def _workers(rng: np.random.Generator, sizes: np.ndarray, worlds: int) -> Workers:
    n = int(sizes.sum())
    firm = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    rank = np.arange(n) - np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    f32 = lambda x: x.astype(np.float32)  # noqa: E731
    injured = np.where(rng.random((worlds, n)) < 0.5, 0.0, rng.exponential(10.0, (worlds, n)))
    return Workers(firm=firm, manager=rank < 3, woman=rng.random(n) < 0.5, skill=f32(rng.random((worlds, n))),
                   engagement=f32(rng.random((worlds, n))), tenure=f32(rng.exponential(30.0, (worlds, n))),
                   injured=f32(injured), absent=np.zeros((worlds, n), np.float32),
                   trained=rng.random((worlds, n)) < 0.3)


@pytest.mark.parametrize("crn", [True, False])
def test_model_with_kernels_equals_model_with_numpy_reference(crn, monkeypatch):
    scenario = small(run__common_random_numbers=crn)
    fast = ScoreModel(scenario, seed=8).run()
    monkeypatch.setattr(workforce, "workforce_step", workforce.workforce_step_numpy)
    ref = ScoreModel(scenario, seed=8).run()
    for k in FIRM_OUTPUTS:
        assert same_bits(fast.recorder.panel[k], ref.recorder.panel[k]), k
    for k in STATE:
        assert same_bits(getattr(fast.workers, k), getattr(ref.workers, k)), k


def test_slots_that_do_not_tile_the_workers_are_refused():
    rng = np.random.default_rng(0)
    sizes = np.array([5, 6])
    wk = _workers(rng, sizes, 1)
    drivers = np.zeros((5, 1, 2), np.float32)
    u = np.zeros(11, np.float32)
    for bounds in (np.array([0, 0, 5, 6]), np.array([0, 5, 5, 11]), np.array([0, 2, 4, 6])):
        with pytest.raises(ValueError, match="contiguously"):
            workforce.workforce_step(wk, drivers, np.zeros(2), u, u, sizes, bounds, WorkforceParams(), 1.0)
