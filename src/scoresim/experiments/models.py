"""The functions an experiment runs: ``fn(params, seed) -> {output name: number}``.

The engine knows nothing else of a model. :class:`ScoreFunction` wraps the SCORE model (one
replicate of the base scenario with the sampled parameters set, reduced to named summaries);
:class:`ImportedFunction` wraps any importable ``package.module:function`` with the same
signature. Both pickle small (configuration as JSON, functions by name), so they travel to
worker processes and Dask workers.
"""

from __future__ import annotations

import importlib
import math
from typing import Any, Callable, Mapping

from ..params import Scenario, numeric_parameters
from .spec import SCORE_MODEL, Experiment

ModelFunction = Callable[[Mapping[str, float], int], Mapping[str, float]]


class ScenarioFunction:
    """Runs of a base scenario with parameters set by config path; pickles small (the scenario
    as JSON, rebuilt once per process). Whole-number parameters take the value rounded to the
    nearest integer."""

    def __init__(self, base: Scenario):
        self.base_json = base.model_dump_json()
        self.integer = sorted(p for p, q in numeric_parameters(base).items() if q.integer)
        self._base: Scenario | None = base

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_base"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _base=None)

    def scenario(self, params: Mapping[str, float]) -> Scenario:
        """The base scenario with ``params`` set (validated: a bad combination raises)."""
        from ..config import scenario_from_json, set_values

        if self._base is None:
            self._base = scenario_from_json(self.base_json, origin="base scenario")
        values = {k: (int(math.floor(v + 0.5)) if k in self.integer else float(v)) for k, v in params.items()}
        return set_values(self._base, values, origin="sampled parameters", label="sample ")

    def summaries(self, params: Mapping[str, float], seed: int, names: list[str],
                  replicates: int = 1) -> dict[str, Any]:
        """The named summaries, (replicates,) each, of a run with ``params``; only the
        programme world is simulated when no summary compares with the counterfactual."""
        from ..checks import check_participants
        from ..model import WORLDS
        from ..simulate import run
        from ..summaries import needs_counterfactual, summarise

        worlds = WORLDS if needs_counterfactual(names) else ("programme",)
        scenario = self.scenario(params)
        check_participants(scenario, int(seed), "sampled parameters")   # no silent cap on participants
        ds = run(scenario, seed=int(seed), replicates=replicates, worlds=worlds)
        return summarise(ds, names)


class ScoreFunction(ScenarioFunction):
    """One SCORE replicate with the sampled parameters, reduced to the experiment's outputs."""

    def __init__(self, base: Scenario, outputs: list[str]):
        super().__init__(base)
        self.outputs = list(outputs)

    def __call__(self, params: Mapping[str, float], seed: int) -> dict[str, float]:
        return {k: float(v[0]) for k, v in self.summaries(params, seed, self.outputs).items()}


class ImportedFunction:
    """``package.module:function`` called with the sampled parameters merged into ``constants``."""

    def __init__(self, target: str, constants: Mapping[str, Any] | None = None):
        self.target = target
        self.constants = dict(constants or {})
        self._fn: Callable[..., Mapping[str, float]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_fn"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _fn=None)

    def __call__(self, params: Mapping[str, float], seed: int) -> Mapping[str, float]:
        if self._fn is None:
            module, _, name = self.target.partition(":")
            self._fn = getattr(importlib.import_module(module), name)
        return self._fn({**self.constants, **params}, int(seed))


def model_function(experiment: Experiment) -> ModelFunction:
    """The function the engine calls for every run of ``experiment``."""
    spec = experiment.spec
    if spec.model == SCORE_MODEL:
        return ScoreFunction(experiment.base, spec.outputs)
    return ImportedFunction(spec.model, spec.constants)
