"""Approximate Bayesian computation (ABC-SMC) with pyabc, run through the project's executors.

pyabc proposes parameters, keeps a resumable SQLite history and adapts the acceptance
threshold; the model, the distance and the scheduling are ours:

* :class:`TargetModel`: one particle = ``replicates`` SCORE replicates with the proposed
  parameters, reduced to the mean of each target's statistic (replicates keep seed noise from
  passing for fit); particles live in logit-quantile coordinates (:func:`to_values`);
* :class:`TargetDistance`: root mean square, over fitted targets, of each statistic's distance
  outside its printed value or range, in tolerances (0 inside), weighted;
* :class:`ExecutorSampler`: pyabc's mapping sampler on a scoresim executor (serial, local
  processes or Dask). Each task's random state is seeded from the calibration seed, the
  generation and the task's index, so a calibration is reproducible whatever the executor.
"""

from __future__ import annotations

import functools
import math
import random
from datetime import timedelta
from typing import Mapping

import numpy as np

from ..params import SEED_MAX, Scenario
from ..experiments.models import ScenarioFunction
from ..experiments.spec import ParameterSpec
from .targets import Calibration, Target

NAME_SEP = "__"   # pyabc parameter names: dots of config paths replaced


def abc_name(path: str) -> str:
    return path.replace(".", NAME_SEP)


def prior_dist(p: ParameterSpec):
    """The prior of a parameter as a frozen scipy distribution, in parameter units."""
    from scipy import stats

    lo, hi = p.bounds
    if p.dist == "unif":
        return stats.uniform(lo, hi - lo)
    if p.dist == "logunif":
        return stats.loguniform(lo, hi)
    if p.dist == "triang":
        return stats.triang((p.peak - lo) / (hi - lo), loc=lo, scale=hi - lo)
    return stats.truncnorm((lo - p.mean) / p.sd, (hi - p.mean) / p.sd, loc=p.mean, scale=p.sd)


def to_values(params: list[ParameterSpec], z: Mapping[str, float] | np.ndarray) -> dict[str, float] | np.ndarray:
    """Parameter values from ABC coordinates. ABC-SMC works on z = logit(F(value)), F the prior's
    CDF: each prior becomes the standard logistic distribution, smooth and unbounded, which
    pyabc's Gaussian kernels fit well (box-shaped uniform priors in many dimensions make its
    importance weights degenerate at the box's faces and corners). Accepts a mapping by pyabc
    name or an array (..., parameters)."""
    if isinstance(z, np.ndarray):
        u = 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
        return np.stack([prior_dist(p).ppf(u[..., j]) for j, p in enumerate(params)], axis=-1)
    return {p.path: float(prior_dist(p).ppf(1.0 / (1.0 + math.exp(-min(max(float(z[abc_name(p.path)]), -700), 700)))))
            for p in params}


class TargetModel(ScenarioFunction):
    """pyabc model: ABC coordinates (pyabc names) -> mean target statistics over replicates."""

    def __init__(self, base: Scenario, targets: list[Target], replicates: int,
                 params: list[ParameterSpec] | None = None):
        super().__init__(base)
        self.stats = {t.id: t.statistic for t in targets}
        self.replicates = replicates
        self.params = list(params or [])

    def simulate(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        """Mean target statistics of ``replicates`` replicates with parameters set by config path
        (self-report targets: the programme world alone, half the work)."""
        stats = self.summaries(values, seed, list(dict.fromkeys(self.stats.values())), self.replicates)
        with np.errstate(all="ignore"):
            return {tid: float(np.nanmean(stats[s])) if np.isfinite(stats[s]).any() else math.nan
                    for tid, s in self.stats.items()}

    def __call__(self, par: Mapping[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**62)) & SEED_MAX   # the task's seeded global state
        try:
            return self.simulate(to_values(self.params, par), seed)
        except Exception:  # noqa: BLE001 - an invalid particle is rejected, not fatal
            return {tid: math.nan for tid in self.stats}


class TargetDistance:
    """Weighted root mean square of the targets' misses, in tolerances (0: every fitted
    statistic inside its printed range)."""

    def __init__(self, targets: list[Target]):
        self.targets = [t for t in targets if t.weight > 0]
        self.total = sum(t.weight for t in self.targets)

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float] | None = None) -> float:
        s = sum(t.weight * t.miss(float(x[t.id])) ** 2 for t in self.targets)
        return math.sqrt(s / self.total) if math.isfinite(s) else math.inf


def stream_seed(seed: int, *key: int) -> int:
    """A 32-bit seed derived from the calibration seed and a key (non-negative integers)."""
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])


def task_seed(seed: int, t: int, i: int) -> int:
    """Seed of the ``i``-th sampling task of generation ``t`` (-1 or more)."""
    return stream_seed(seed, 0xABC, t + 1, i)   # t = -1: the prior sample that sets the first threshold


def _sample_one(pickled: bytes, seed: int):
    """Propose and simulate until one particle is accepted, from a seeded random state."""
    import cloudpickle

    simulate_one, factory = cloudpickle.loads(pickled)
    np.random.seed(seed)
    random.seed(seed)
    sample = factory()
    n = 0
    while True:
        particle = simulate_one()
        n += 1
        sample.append(particle)
        if particle.accepted:
            return sample, n


def make_sampler(executor, seed: int):
    """A pyabc sampler that runs its tasks on ``executor`` with seeded random states."""
    import cloudpickle
    from pyabc.sampler import Sampler

    class ExecutorSampler(Sampler):
        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            pickled = cloudpickle.dumps((simulate_one, self.sample_factory))
            seeds = [task_seed(seed, int(t), i) for i in range(n)]
            results = list(executor.imap(functools.partial(_sample_one, pickled), seeds))
            self.nr_evaluations_ = sum(k for _, k in results)
            sample = self._create_empty_sample()
            for part, _ in results:
                sample += part
            return sample

    return ExecutorSampler()


def make_abc(cal: Calibration, executor, population: int, replicates: int):
    """The pyabc ABCSMC object for a calibration (new or to be loaded)."""
    import pyabc

    spec = cal.spec
    prior = pyabc.Distribution(**{abc_name(p.path): pyabc.RV("logistic", 0.0, 1.0) for p in spec.parameters})
    model = TargetModel(cal.scenario, spec.targets, replicates, spec.parameters)
    np.random.seed(stream_seed(spec.seed, 0xAB0))   # pyabc's draws in this process
    return pyabc.ABCSMC(model, prior, TargetDistance(spec.targets), population_size=population,
                        sampler=make_sampler(executor, spec.seed))


def observed(cal: Calibration) -> dict[str, float]:
    """The printed values (midpoints of ranges), stored in the history for the record."""
    return {t.id: float(sum(t.bounds) / 2) for t in cal.spec.targets}


def run_abc(abc, generations: int, min_epsilon: float, max_minutes: float | None = None):
    """Run up to ``generations`` more generations, stopping early at ``min_epsilon`` (and,
    only when the user sets one, at the time limit ``max_minutes``); returns pyabc's History."""
    limit = timedelta(minutes=max_minutes) if max_minutes is not None else None
    return abc.run(minimum_epsilon=min_epsilon, max_nr_populations=generations, max_walltime=limit)
