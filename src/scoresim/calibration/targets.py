"""Calibration targets: printed figures, the model statistic each is compared with, and what
the calibration fits (parameters with priors, ABC settings).

A targets file (``configs/targets/*.toml``) is validated like every config: unknown keys,
unknown statistics and parameter paths, and bad priors are rejected with the file, the field
and what is allowed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..config import InputError, read_toml, validate, validate_model
from ..experiments.spec import ParameterSpec, check_parameters, check_summary, referenced_toml
from ..params import SEED_MAX, STRICT, Pair, Scenario, rules


class _Strict(BaseModel):
    model_config = STRICT


class Target(_Strict):
    """A printed figure and the model statistic that estimates it."""

    id: str = Field(min_length=1)
    printed: str = Field(description="the figure as printed")
    value: float | Pair = Field(description="printed value, or [low, high]")
    statistic: str = Field(description="named summary of a run (scoresim.summaries)")
    reading: str = Field(description="how the printed wording is read")
    tolerance: float = Field(gt=0, description="distance from the value or range that still fits, "
                                               "in the statistic's units")
    weight: float = Field(1.0, ge=0, le=100, description="weight in the ABC distance; 0: shown, not fitted")
    source: str = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _range(cls, v):
        if isinstance(v, tuple) and not v[0] <= v[1]:
            raise ValueError(f"a range must be [low, high] with low <= high, got {list(v)}")
        return v

    @property
    def bounds(self) -> tuple[float, float]:
        """The printed value as a (low, high) range."""
        return (self.value, self.value) if isinstance(self.value, float | int) else self.value

    def miss(self, simulated: float) -> float:
        """Distance of ``simulated`` outside the printed range, in tolerances (0 inside)."""
        lo, hi = self.bounds
        if not math.isfinite(simulated):
            return math.inf
        return max(lo - simulated, simulated - hi, 0.0) / self.tolerance

    def fits(self, simulated: float) -> bool:
        """True when ``simulated`` lies within the tolerance of the printed value or range."""
        return self.miss(simulated) <= 1.0


class NotExpressible(_Strict):
    """A printed figure the model cannot express, with the reason."""

    id: str
    printed: str
    reason: str


class AbcSettings(_Strict):
    """ABC-SMC settings: the default run and the ``--quick`` one."""

    population: int = Field(200, ge=10, le=100_000, description="particles per generation")
    generations: int = Field(8, ge=1, le=100, description="most generations")
    min_epsilon: float = Field(0.5, ge=0, description="stop when the acceptance threshold (in "
                                                      "tolerances) falls to this")
    max_minutes: float | None = Field(None, gt=0, le=100_000, description="a time limit: no generation starts "
                                      "after this many minutes (none by default: the stopping rules are counts, "
                                      "so results do not depend on the machine's speed)")
    replicates: int = Field(2, ge=1, le=100, description="model replicates averaged per particle")
    quick_population: int = Field(60, ge=10, le=100_000)
    quick_generations: int = Field(4, ge=1, le=100)
    quick_max_minutes: float | None = Field(None, gt=0, le=100_000, description="--quick: a time limit")
    quick_replicates: int = Field(1, ge=1, le=100)
    predictive_draws: int = Field(60, ge=5, le=10_000, description="posterior draws run for the fit table")
    posterior_draws: int = Field(300, ge=10, le=100_000, description="draws kept in posterior.nc")


class TargetsFile(_Strict):
    """A complete calibration problem."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(description="scenario config the figures were gathered in, relative to this file")
    seed: int = Field(1, ge=0, le=SEED_MAX)
    targets: list[Target] = Field(min_length=1)
    not_expressible: list[NotExpressible] = Field(default_factory=list)
    parameters: list[ParameterSpec] = Field(min_length=1, description="calibrated parameters with priors")
    abc: AbcSettings = Field(default_factory=AbcSettings)
    kind: Literal["targets"] = "targets"

    @model_validator(mode="after")
    def _check(self) -> "TargetsFile":
        problems = []
        ids = [t.id for t in self.targets] + [t.id for t in self.not_expressible]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append(f"target ids repeat: {dup}")
        paths = [p.path for p in self.parameters]
        if len(set(paths)) != len(paths):
            problems.append("parameters repeat")
        if not any(t.weight > 0 for t in self.targets):
            problems.append("at least one target needs a weight above 0")
        for p in self.parameters:
            if p.group or p.values:
                problems.append(f"parameter {p.path}: 'group' and 'values' are for experiments, not priors")
        rules(problems)
        return self

    @property
    def fitted(self) -> list[Target]:
        return [t for t in self.targets if t.weight > 0]


class Calibration:
    """A validated targets file with its scenario resolved."""

    def __init__(self, spec: TargetsFile, origin: str, scenario: Scenario, text: str):
        self.spec, self.origin, self.scenario, self.text = spec, origin, scenario, text


def load_targets(path: str | Path) -> Calibration:
    """Read and validate a targets file; resolve its scenario, statistics and parameters."""
    path = Path(path)
    origin = str(path)
    spec = validate_model(TargetsFile, read_toml(path, "targets"), origin, label="")
    scen_path = (path.parent / spec.scenario) if not Path(spec.scenario).is_absolute() else Path(spec.scenario)
    data = referenced_toml(path, "scenario", spec.scenario, scen_path)
    scenario = validate(data, origin=f"{scen_path} (the scenario of {path})")
    for i, t in enumerate(spec.targets):
        check_summary(t.statistic, f"{path}: field 'targets[{i}].statistic'")
    check_parameters(spec.parameters, scenario, origin)
    return Calibration(spec, origin, scenario, path.read_text(encoding="utf-8"))
