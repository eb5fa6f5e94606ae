"""Named, seeded random streams and common random numbers across worlds.

Each stochastic process draws from its own stream, keyed by ``(seed, crc32(name), world key)``
through :class:`numpy.random.SeedSequence`, so adding a stream never shifts another. Every
process draws arrays of a fixed shape each month (one number per worker, firm or link slot,
whatever the state), so a slot gets the same number in the same month in every world that
shares the stream.

With common random numbers (the default) all worlds share one stream per process, and a
draw has the slot shape; without them each world has its own stream (world key = world
index) and a draw has a leading world axis. World 0 draws the same numbers either way.
"""

from __future__ import annotations

import zlib

import numpy as np

# population, buyers, delivery, mid-module dropout, the planner's uptake and the exogenous shock histories
# (shock_*) are drawn once per run seed with :func:`generator`; the others are the monthly process streams of
# :class:`Streams`, seeded per replicate, except reporting and reporting_savings, which the observation model draws per
# replicate after the run.
STREAMS: tuple[str, ...] = (
    "population", "buyers", "delivery", "absence", "accident", "turnover",
    "suggestions", "defects", "market", "audit", "uptake",
    "shock_firm", "shock_buyer", "shock_cycle", "dropout", "reporting", "reporting_savings",
)


def stream_key(name: str) -> int:
    """Stable integer key of a stream name."""
    if name not in STREAMS:
        raise KeyError(f"unknown random stream {name!r}; known: {', '.join(STREAMS)}")
    return zlib.crc32(name.encode())


def generator(seed: int, name: str, world: int = 0) -> np.random.Generator:
    """The generator of stream ``name`` for ``world`` (world 0 is also the shared stream)."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(stream_key(name), world))
    return np.random.Generator(np.random.PCG64(ss))


class Streams:
    """All process streams of one run.

    Parameters
    ----------
    seed : the run's seed.
    n_worlds : number of stacked worlds (1 or 2).
    common : share draws across worlds (common random numbers).
    """

    def __init__(self, seed: int, n_worlds: int, common: bool = True) -> None:
        self.seed = int(seed)
        self.n_worlds = n_worlds
        self.common = common
        self._gens = {
            name: [generator(self.seed, name, w) for w in range(1 if common else n_worlds)]
            for name in STREAMS
        }

    def uniform(self, name: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        """Uniform [0, 1) draws of ``shape``; a leading world axis when draws are not common."""
        gens = self._gens[name]
        if self.common:
            return gens[0].random(shape, dtype=dtype)
        return np.stack([g.random(shape, dtype=dtype) for g in gens])

    def normal(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Standard normal draws of ``shape``; a leading world axis when draws are not common."""
        gens = self._gens[name]
        if self.common:
            return gens[0].standard_normal(shape)
        return np.stack([g.standard_normal(shape) for g in gens])
