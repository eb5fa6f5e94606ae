"""Calibration targets: printed figures, the model statistic each is compared with, the causal
evidence from trials, and what the calibration fits (parameters with priors, settings).

Two kinds of evidence, each for its own estimand: ``[[targets]]`` are monitoring figures
(what participants reported), compared with statistics of what the model's participants would
report; ``[[evidence]]`` are causal effects measured in trials of comparable programmes,
compared with the model's causal effects. A targets file that mixes them up is refused.

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
from ..summaries import needs_counterfactual


class _Strict(BaseModel):
    model_config = STRICT


class Target(_Strict):
    """A printed figure and the model statistic that estimates it."""

    id: str = Field(min_length=1)
    printed: str = Field(description="the figure as printed")
    value: float | Pair = Field(description="printed value, or [low, high]")
    statistic: str = Field(description="named summary of a run (scoresim.summaries)")
    reading: str = Field(description="how the printed wording is read")
    tolerance: float = Field(gt=0, description="sd of the reading error: how far the figure may lie from the "
                                               "model statistic it is read as, in the statistic's units")
    weight: float = Field(1.0, ge=0, le=100, description="weight in the likelihood (the reading error's "
                                                         "variance is divided by it); 0: shown, not fitted")
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


class FitSettings(_Strict):
    """Settings of the fit: the default run and the ``--quick`` one."""

    simulations: int = Field(2000, ge=20, le=1_000_000, description="prior draws simulated once each "
                                                                   "(the reference table the emulator learns from)")
    quick_simulations: int = Field(400, ge=20, le=1_000_000, description="--quick: the same, fewer")
    folds: int = Field(5, ge=2, le=20, description="cross-validation folds of the emulator")
    posterior_draws: int = Field(1000, ge=10, le=100_000, description="equally weighted draws kept in posterior.nc")
    predictive_draws: int = Field(60, ge=5, le=10_000, description="posterior draws simulated for the fit table")
    particles: int = Field(4000, ge=100, le=1_000_000, description="particles of the posterior's sequential "
                                                                  "Monte Carlo sampler")
    sbc_datasets: int = Field(100, ge=0, le=1_000_000, description="held-out simulations fitted to check the "
                              "method (simulation-based calibration); 0: none")
    sbc_particles: int = Field(1000, ge=100, le=1_000_000, description="sampler particles for each dataset of "
                               "the built-in simulation-based calibration (fewer particles than the fit's make "
                               "the intervals a little narrow: benchmarks/sbc.py uses the fit's)")
    likelihood_power: float = Field(0.8, gt=0, le=1, description="power of the emulated likelihood (a "
                                    "coarsened posterior, 1: none): below 1 widens the posterior for the emulator's "
                                    "own error, so that simulation-based calibration reaches its nominal coverage")
    reachable: float = Field(0.001, gt=0, lt=0.5, description="a target whose printed value has a prior "
                             "predictive probability (two-sided tail or interval) below this is out of the "
                             "model's reach: shown, not fitted")


class TargetsFile(_Strict):
    """A complete calibration problem."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(description="scenario config the figures were gathered in, relative to this file")
    seed: int = Field(1, ge=0, le=SEED_MAX)
    targets: list[Target] = Field(min_length=1, description="monitoring figures: self-reported statistics")
    evidence: list[Target] = Field(default_factory=list, description="causal effects from trials: causal "
                                   "statistics, value = central estimate, tolerance = its sd")
    not_expressible: list[NotExpressible] = Field(default_factory=list)
    parameters: list[ParameterSpec] = Field(min_length=1, description="calibrated parameters with priors")
    fit: FitSettings = Field(default_factory=FitSettings)
    kind: Literal["targets"] = "targets"

    @model_validator(mode="after")
    def _check(self) -> "TargetsFile":
        problems = []
        ids = [t.id for t in self.targets + self.evidence] + [t.id for t in self.not_expressible]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append(f"target ids repeat: {dup}")
        paths = [p.path for p in self.parameters]
        if len(set(paths)) != len(paths):
            problems.append("parameters repeat")
        if not any(t.weight > 0 for t in self.targets + self.evidence):
            problems.append("at least one target needs a weight above 0")
        for i, t in enumerate(self.evidence):
            if not isinstance(t.value, float | int):
                problems.append(f"evidence[{i}] ({t.id}): value must be one number (the central estimate)")
        for p in self.parameters:
            if p.group or p.values:
                problems.append(f"parameter {p.path}: 'group' and 'values' are for experiments, not priors")
        rules(problems)
        return self

    @property
    def fitted(self) -> list[Target]:
        """Every fitted item: monitoring targets, then trial evidence."""
        return [t for t in self.targets + self.evidence if t.weight > 0]

    @property
    def items(self) -> list[Target]:
        """Monitoring targets and trial evidence, in this order."""
        return self.targets + self.evidence


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
        if needs_counterfactual([t.statistic]):
            raise InputError(f"{path}: field 'targets[{i}].statistic': {t.statistic!r} is a causal effect; a monitoring "
                             "target is compared with what participants would report (put trial evidence on causal "
                             "effects under [[evidence]])")
    for i, t in enumerate(spec.evidence):
        check_summary(t.statistic, f"{path}: field 'evidence[{i}].statistic'")
        if not needs_counterfactual([t.statistic]):
            raise InputError(f"{path}: field 'evidence[{i}].statistic': {t.statistic!r} is not a causal effect; "
                             "trial evidence is compared with the model's causal effects (effect.*, module_effect.*)")
    check_parameters(spec.parameters, scenario, origin)
    return Calibration(spec, origin, scenario, path.read_text(encoding="utf-8"))
