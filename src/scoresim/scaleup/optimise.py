"""Budget allocation search: the split of the budget across strategies, the modules funded per
firm and the target sectors that maximise an objective, under the budget and capacity limits
the delivery plan enforces, at each budget level of a cost-outcome frontier.

The search (scipy's differential evolution) evaluates candidates on a sample of firms
(``optimise.sample_fraction``) with budget and capacity scaled alike and common seeds, so
candidates are compared on the same random numbers. The best allocation of each level is then
run on the full population over every replicate (seeds and posterior draws), which gives each
frontier point its 90% interval and measures the sample's error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.optimize import differential_evolution

from .metrics import objective_value
from .params import PlanConfig
from .plan import Allocation
from .simulate import allocation_record, replicate_seed, run_replicate

SEARCH_SEED_OFFSET = 10_000   # search seeds are replicate seeds 10000, 10001, ... of the run seed


@dataclass
class Space:
    """The decision vector: a weight per strategy in [0, 1] (normalised), the modules funded
    per firm (1-5), and, when a strategy targets sectors, the index of its target sector."""

    strategies: list[str]
    sectors: list[str]
    targets_sectors: list[bool]

    @classmethod
    def of(cls, cfg: PlanConfig) -> "Space":
        targets = [s.target == "sectors" for s in cfg.strategies.values()]
        return cls(list(cfg.strategies), list(cfg.population.sectors) if any(targets) else [], targets)

    @property
    def bounds(self) -> list[tuple[float, float]]:
        b = [(0.0, 1.0)] * len(self.strategies) + [(1.0, 5.0)]
        return b + ([(0.0, float(len(self.sectors) - 1))] if self.sectors else [])

    @property
    def integrality(self) -> np.ndarray:
        return np.array([False] * len(self.strategies) + [True] * (1 + bool(self.sectors)))

    def initial(self, cfg: PlanConfig, popsize: int, seed: int) -> np.ndarray:
        """The first population: each strategy alone with its own settings, an equal split,
        and Latin hypercube points for the rest (``popsize`` x dimensions rows, at least 5)."""
        from scipy.stats import qmc

        k, dims = len(self.strategies), len(self.bounds)
        rows = []
        for i, (name, s) in enumerate(cfg.strategies.items()):
            row = [1.0 if j == i else 0.0 for j in range(k)] + [float(s.modules_funded)]
            if self.sectors:
                row.append(float(self.sectors.index(s.target_sectors[0])) if s.target_sectors else 0.0)
            rows.append(row)
        rows.append([1.0] * k + [float(round(np.mean([s.modules_funded for s in cfg.strategies.values()])))]
                    + ([0.0] if self.sectors else []))
        n = max(popsize * dims, len(rows) + 1, 5)
        lo, hi = np.array(self.bounds).T
        rest = qmc.scale(qmc.LatinHypercube(d=dims, seed=seed % (2**32)).random(n - len(rows)), lo, hi)
        pop = np.vstack([np.array(rows), rest])
        pop[:, self.integrality] = np.round(pop[:, self.integrality])
        return pop

    def allocation(self, x: np.ndarray, level: float) -> Allocation:
        k = len(self.strategies)
        w = np.clip(np.asarray(x[:k], float), 0.0, 1.0)
        w = np.full(k, 1.0 / k) if w.sum() < 1e-9 else w / w.sum()
        sectors = None
        if self.sectors and any(w[i] > 0 and self.targets_sectors[i] for i in range(k)):
            sectors = [self.sectors[int(round(x[k + 1]))]]
        return Allocation({n: round(float(v), 4) for n, v in zip(self.strategies, w)},
                          int(round(x[k])), sectors, level)


def _evaluate(item: tuple) -> float:
    """Mean objective of one allocation over the search seeds, scaled to the full population."""
    cfg_json, record, seeds, draw, scale, objective, rate, displacement = item
    values = [objective_value(run_replicate(cfg_json, [record], s, draw, scale)[0], objective, rate, displacement)
              for s in seeds]
    return float(np.mean(values)) / scale


@dataclass
class SearchResult:
    """The best allocation of one budget level and every candidate evaluated."""

    level: float
    best: Allocation
    estimate: float                      # the sample's estimate of the objective (full-population units)
    evaluations: list[tuple[Allocation, float]] = field(default_factory=list)

    def top(self, k: int) -> list[tuple[Allocation, float]]:
        """The ``k`` distinct allocations with the highest estimates, best first."""
        best: dict[str, tuple[Allocation, float]] = {}
        for a, v in self.evaluations:
            key = a.describe()
            if key not in best or v > best[key][1]:
                best[key] = (a, v)
        return sorted(best.values(), key=lambda av: -av[1])[:k]


def search(cfg: PlanConfig, objective: str, seed: int, imap: Callable, level: float,
           draw: dict[str, float] | None = None) -> SearchResult:
    """Differential evolution over :class:`Space` at one budget level; ``imap(fn, items)``
    evaluates candidates (any executor's ``imap``)."""
    opt = cfg.optimise
    space = Space.of(cfg)
    cfg_json = cfg.model_dump_json()
    seeds = [replicate_seed(seed, SEARCH_SEED_OFFSET + j) for j in range(opt.seeds)]
    seen: list[tuple[Allocation, float]] = []

    def mapper(_func, population) -> list[float]:
        allocs = [space.allocation(np.asarray(x), level) for x in population]
        items = [(cfg_json, allocation_record(a), seeds, draw, opt.sample_fraction, objective,
                  cfg.economics.discount_rate, cfg.economics.displacement) for a in allocs]
        values = list(imap(_evaluate, items))
        seen.extend(zip(allocs, values))
        return [-v for v in values]

    res = differential_evolution(lambda x: 0.0, space.bounds, integrality=space.integrality,
                                 init=space.initial(cfg, opt.popsize, seed), maxiter=opt.maxiter, seed=seed % (2**32),
                                 polish=False, updating="deferred", workers=mapper, tol=0.0)
    best = space.allocation(res.x, level)
    estimate = max((v for a, v in seen if a == best), default=-float(res.fun))
    return SearchResult(level, best, estimate, seen)


__all__ = ["Space", "SearchResult", "search", "SEARCH_SEED_OFFSET"]
