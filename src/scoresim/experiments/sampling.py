"""Sample points of an experiment (with SALib) and the seed of every run.

Runs are numbered ``run = point * replicates + replicate``. Every seed derives from the
experiment seed and an index through ``numpy.random.SeedSequence``, never from scheduling, so
any executor with any number of workers gives the same runs:

* ``seeds = "common"``: replicate ``r`` has the same seed at every point (common random numbers
  across points: differences between points are not seed noise);
* ``seeds = "independent"``: each run has its own seed, from its run index.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..params import SEED_MAX
from .spec import ExperimentSpec

SAMPLE_STREAM = 0x5A11B   # spawn key of the SALib sampler's seed
RUN_STREAM = 0x5EED       # spawn key of the run seeds


def problem(spec: ExperimentSpec) -> dict:
    """The SALib problem dict: names, bounds in SALib's form, distributions, groups."""
    out = {
        "num_vars": len(spec.parameters),
        "names": [p.path for p in spec.parameters],
        "bounds": [p.salib_bounds() for p in spec.parameters],
        "dists": [p.dist for p in spec.parameters],
    }
    if spec.groups:
        out["groups"] = spec.groups
    return out


def sample_seed(spec: ExperimentSpec) -> int:
    """Seed handed to SALib's sampler (and to the analysis' bootstrap)."""
    return int(np.random.SeedSequence(spec.seed, spawn_key=(SAMPLE_STREAM,)).generate_state(1)[0])


def sample(spec: ExperimentSpec) -> np.ndarray:
    """(points, parameters) sample in the method's order, in parameter units; whole-number
    parameters are not rounded here (the model function rounds)."""
    from SALib.sample import fast_sampler, latin, morris, sobol

    m, prob, seed = spec.method, problem(spec), sample_seed(spec)
    if m.name == "sobol":
        return sobol.sample(prob, m.samples, calc_second_order=m.second_order, seed=seed)
    if m.name == "morris":
        return morris.sample(prob, m.samples, num_levels=m.levels, seed=seed)
    if m.name == "fast":
        return fast_sampler.sample(prob, m.samples, M=m.harmonics, seed=seed)
    if m.name == "latin":
        return latin.sample(prob, m.samples, seed=seed)
    return factorial(spec)


def factorial(spec: ExperimentSpec) -> np.ndarray:
    """Full grid over each parameter's ``values`` (or ``levels`` evenly spaced over its
    bounds); the last parameter varies fastest."""
    axes = [np.asarray(p.values, float) if p.values else np.linspace(*p.bounds, spec.method.levels)
            for p in spec.parameters]
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(axes))


def run_seeds(spec: ExperimentSpec, points: int) -> np.ndarray:
    """(points, replicates) seeds in [0, SEED_MAX]."""
    r = spec.replicates
    if spec.seeds == "common":
        per_rep = _seeds(spec.seed, np.arange(r))
        return np.broadcast_to(per_rep, (points, r)).copy()
    return _seeds(spec.seed, np.arange(points * r)).reshape(points, r)


def _seeds(seed: int, indices: np.ndarray) -> np.ndarray:
    out = np.empty(len(indices), np.int64)
    for k, i in enumerate(indices):
        state = np.random.SeedSequence(seed, spawn_key=(RUN_STREAM, int(i))).generate_state(2, np.uint32)
        out[k] = ((int(state[0]) << 32) | int(state[1])) & SEED_MAX
    return out
