"""Experiment specs: which model, which parameters vary over what, which method, which outputs.

A spec is a TOML file (see ``experiments/*.toml`` and docs/experiments.md). It is validated like
a scenario config: unknown keys, bad bounds and unknown parameter paths are rejected with a
message naming the file, the field and what is allowed (the nearest valid name included).
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..config import InputError, nearest, read_toml, set_values, validate, validate_model
from ..params import SEED_MAX, STRICT, Pair, Scenario, numeric_parameters, rules

METHODS = ("sobol", "morris", "fast", "latin", "factorial")
DISTS = ("unif", "logunif", "triang", "truncnorm")
SCORE_MODEL = "scoresim"
MAX_RUNS = 10_000_000


class _Strict(BaseModel):
    model_config = STRICT


class MethodSpec(_Strict):
    """The sampling design and the estimator that goes with it."""

    name: Literal["sobol", "morris", "fast", "latin", "factorial"] = Field(
        description="sobol (Saltelli sampling; S1, ST, S2), morris (elementary effects), fast "
                    "(extended FAST; S1, ST), latin (Latin hypercube; RBD-FAST S1), factorial (full grid)")
    samples: int = Field(64, ge=1, le=1_000_000,
                         description="sobol: base samples N (a power of 2); morris: trajectories; "
                                     "fast: points per search curve (> 4 harmonics^2); latin: points; "
                                     "factorial: unused")
    levels: int = Field(4, ge=2, le=1000, description="morris: grid levels (even); factorial: levels "
                                                      "per parameter when no 'values' are listed")
    second_order: bool = Field(True, description="sobol: also estimate second-order indices S2")
    harmonics: int = Field(4, ge=1, le=50, description="fast: interference parameter M")

    @model_validator(mode="after")
    def _check(self) -> "MethodSpec":
        problems = []
        if self.name == "sobol" and self.samples & (self.samples - 1):
            problems.append(f"sobol needs a power of 2 for 'samples' (got {self.samples}); "
                            f"for example {1 << max(self.samples.bit_length() - 1, 0)} or "
                            f"{1 << self.samples.bit_length()}")
        if self.name == "morris" and self.levels % 2:
            problems.append(f"morris needs an even number of 'levels' (got {self.levels})")
        if self.name == "fast" and self.samples <= 4 * self.harmonics ** 2:
            problems.append(f"fast needs 'samples' > 4 * harmonics^2 = {4 * self.harmonics ** 2} "
                            f"(got {self.samples})")
        rules(problems)
        return self


class ParameterSpec(_Strict):
    """A varied parameter: its path (or name, for other models), bounds and distribution."""

    path: str = Field(min_length=1, description="config path such as 'adoption.visit_rate'")
    bounds: Pair = Field(description="[low, high], inside the parameter's valid range")
    dist: Literal["unif", "logunif", "triang", "truncnorm"] = Field(
        "unif", description="unif, logunif (low > 0), triang (with 'peak'), truncnorm (with 'mean', 'sd')")
    peak: float | None = Field(None, description="triang: most likely value, inside the bounds")
    mean: float | None = Field(None, description="truncnorm: mean before truncation")
    sd: float | None = Field(None, gt=0, description="truncnorm: standard deviation before truncation")
    group: str | None = Field(None, min_length=1, description="SALib group (sobol and morris only)")
    values: list[float] | None = Field(None, min_length=2, description="factorial: the levels to run")

    @model_validator(mode="after")
    def _check(self) -> "ParameterSpec":
        problems = []
        lo, hi = self.bounds
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            problems.append(f"bounds must be two finite numbers [low, high] with low < high, got {[lo, hi]}")
        if self.dist == "logunif" and lo <= 0:
            problems.append(f"dist 'logunif' needs bounds above 0, got {[lo, hi]}")
        if self.dist == "triang" and (self.peak is None or not lo <= self.peak < hi):
            problems.append(f"dist 'triang' needs 'peak' in [low, high) of the bounds {[lo, hi]}, got {self.peak}")
        if self.dist == "triang" and hi < 0:
            problems.append(f"dist 'triang' needs a high bound >= 0 (SALib's triangular scaling), got {hi}")
        if self.dist == "truncnorm" and (self.mean is None or self.sd is None):
            problems.append("dist 'truncnorm' needs 'mean' and 'sd'")
        extra = {"peak": self.peak, "mean": self.mean, "sd": self.sd}
        stray = [k for k, v in extra.items() if v is not None and k not in _DIST_FIELDS[self.dist]]
        if stray:
            problems.append(f"{', '.join(stray)} not used by dist '{self.dist}'")
        if self.values is not None and any(not lo <= v <= hi for v in self.values):
            problems.append(f"values must lie inside the bounds {[lo, hi]}")
        rules(problems)
        return self

    def salib_bounds(self) -> list[float]:
        """Bounds in SALib's form for the distribution."""
        lo, hi = self.bounds
        if self.dist == "triang":
            return [lo, hi, (self.peak - lo) / (hi - lo)]
        if self.dist == "truncnorm":
            return [lo, hi, self.mean, self.sd]
        return [lo, hi]


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


_DIST_FIELDS = {"unif": (), "logunif": (), "triang": ("peak",), "truncnorm": ("mean", "sd")}


class ExperimentSpec(_Strict):
    """A complete experiment: model, parameters, method, outputs, seeds."""

    name: str = Field(min_length=1, description="short experiment name")
    description: str = ""
    model: str = Field(SCORE_MODEL, description="'scoresim', or 'package.module:function' taking "
                       "(params: dict, seed: int) and returning a dict of named numbers")
    base: str | None = Field(None, description="scoresim: scenario config, relative to the spec file")
    seed: int = Field(1, ge=0, le=SEED_MAX, description="experiment seed: samples and run seeds derive from it")
    replicates: int = Field(1, ge=1, le=10_000, description="runs (seeds) per sample point")
    seeds: Literal["common", "independent"] = Field(
        "common", description="common: replicate r has the same seed at every point (common random "
                              "numbers across points); independent: a seed per run")
    outputs: list[str] = Field(min_length=1, description="named scalar summaries of a run")
    constants: dict[str, Any] = Field(default_factory=dict,
                                      description="fixed values: config paths (scoresim) or keyword arguments")
    method: MethodSpec
    parameters: list[ParameterSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "ExperimentSpec":
        problems = []
        names = [p.path for p in self.parameters]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            problems.append(f"parameters repeat: {dup}")
        if len(set(self.outputs)) != len(self.outputs):
            problems.append("outputs must not repeat")
        if any(p.group for p in self.parameters):
            if self.method.name not in ("sobol", "morris"):
                problems.append(f"groups work with sobol and morris only, not {self.method.name}")
            if not all(p.group for p in self.parameters):
                problems.append("when groups are used, every parameter needs a 'group'")
            if len({p.group for p in self.parameters}) < 2:
                problems.append("groups: at least two groups are needed")
        if self.method.name != "factorial" and any(p.values for p in self.parameters):
            problems.append(f"'values' lists the levels of a factorial design; method {self.method.name} "
                             "samples the bounds")
        clash = sorted(set(self.constants) & set(names))
        if clash:
            problems.append(f"constants also listed as varied parameters: {clash}")
        if self.method.name in ("sobol", "morris", "fast") and len(self.parameters) < 2:
            problems.append(f"{self.method.name} needs at least two parameters")
        if self.model == SCORE_MODEL and not self.base:
            problems.append("field 'base': the scoresim model needs a scenario config file (a path relative to this "
                            "file's folder)")
        if self.model != SCORE_MODEL and self.base:
            problems.append(f"field 'base': for the scoresim model only (model is {self.model!r})")
        rules(problems)
        return self

    @field_validator("constants")
    @classmethod
    def _flatten(cls, v: dict[str, Any]) -> dict[str, Any]:
        """Dotted paths, whether written quoted ("a.b" = 1) or as TOML's nested tables (a.b = 1)."""
        return _flat(v)

    @property
    def groups(self) -> list[str] | None:
        return [p.group for p in self.parameters] if self.parameters[0].group else None


class Experiment:
    """A validated spec with everything resolved: the base scenario (scoresim model), where it
    came from and the spec text, so that a results directory is self-contained."""

    def __init__(self, spec: ExperimentSpec, origin: str, base: Scenario | None, posterior=None):
        self.spec, self.origin, self.base, self.posterior = spec, origin, base, posterior

    def to_json(self) -> str:
        return json.dumps({"spec": self.spec.model_dump(mode="json"), "origin": self.origin,
                           "base": self.base.model_dump(mode="json") if self.base else None,
                           "posterior": self.posterior.to_record() if self.posterior else None})

    @classmethod
    def from_json(cls, text: str, origin: str) -> "Experiment":
        from ..calibration.posterior import Posterior

        try:
            data = json.loads(text)
            spec = validate_model(ExperimentSpec, data["spec"], origin)
            base = validate(data["base"], origin=f"{origin} (base)") if data["base"] is not None else None
            post = Posterior.from_record(data["posterior"]) if data.get("posterior") else None
        except (KeyError, TypeError, ValueError, RecursionError, json.JSONDecodeError) as err:
            raise InputError(f"{origin}: not a scoresim experiment record ({type(err).__name__}: {err})") from None
        return cls(spec, str(data.get("origin", origin)), base, post)

    def with_posterior(self, path: str) -> "Experiment":
        """This experiment with every run's calibrated parameters from posterior draws:
        replicate r takes draw r mod draws (varied parameters keep their sampled values)."""
        from ..calibration.posterior import load_posterior

        if self.spec.model != SCORE_MODEL:
            raise InputError(f"--posterior {path}: posteriors apply to the scoresim model, not {self.spec.model!r}")
        return Experiment(self.spec, self.origin, self.base, load_posterior(path, self.base))

    def fixed(self, replicate: int) -> dict[str, float]:
        """Parameters set per replicate (posterior draws), beside the sampled ones."""
        if self.posterior is None:
            return {}
        varied = {p.path for p in self.spec.parameters}
        return {k: v for k, v in self.posterior.draw(replicate).items() if k not in varied}


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment spec; resolve the base scenario and the outputs."""
    path = Path(path)
    origin = str(path)
    spec = validate_model(ExperimentSpec, read_toml(path, "experiment spec"), origin, label="")
    base = None
    if spec.model == SCORE_MODEL:
        base = _score_base(spec, path)
        _check_score_parameters(spec, base, origin)
        _check_score_outputs(spec, origin)
    else:
        _import_model(spec.model, origin)
    _check_size(spec, origin)
    return Experiment(spec, origin, base)


def _score_base(spec: ExperimentSpec, path: Path) -> Scenario:
    """The base scenario, with the spec's constants applied as lines at the end of its file."""
    base_path = (path.parent / spec.base).resolve() if not Path(spec.base).is_absolute() else Path(spec.base)
    data = referenced_toml(path, "base", spec.base, base_path)
    return validate_model(Scenario, data, f"{base_path} (the base of {path})", values=spec.constants,
                          label=f"{path}: constants.")


def referenced_toml(path: Path, field: str, written: str, target: Path, kind: str = "config") -> dict:
    """The TOML file ``target`` that field ``field`` of the file ``path`` names (as
    ``written``); every problem names both files and the field."""
    if not str(written).strip():
        raise InputError(f"{path}: field '{field}': an empty path; give the {kind} file, relative to this "
                         "file's folder")
    if not target.is_file():
        what = "a directory, not a" if target.is_dir() else "no such"
        raise InputError(f"{path}: field '{field}': {what} {kind} file {written!r} (looked for {target}; paths are "
                         "relative to this file's folder)")
    try:
        return read_toml(target, kind)
    except InputError as err:
        raise InputError(f"{path}: field '{field}' names {target}, which cannot be used:\n{err}") from None


def _check_score_parameters(spec: ExperimentSpec, base: Scenario, origin: str) -> None:
    for i, p in enumerate(spec.parameters):
        if p.path.startswith("run."):
            raise InputError(f"{origin}: field 'parameters[{i}].path': {p.path!r} cannot vary: the engine sets "
                             "every run's seed and runs one replicate per run (use 'seed' and 'replicates' of the spec)")
    check_parameters(spec.parameters, base, origin)


def check_parameters(parameters: list[ParameterSpec], base: Scenario, origin: str) -> None:
    """Each parameter is a numeric parameter of ``base`` and its bounds lie in its valid range."""
    numeric = numeric_parameters(base)
    for i, p in enumerate(parameters):
        field = f"parameters[{i}].path"
        if p.path not in numeric:
            kind = "not numeric (only int and float parameters can vary)" if _is_parameter(base, p.path) \
                else "unknown parameter"
            raise InputError(f"{origin}: field '{field}': {kind} {p.path!r}{nearest(p.path, list(numeric))} "
                             f"(`scoresim params` lists every parameter)")
        q = numeric[p.path]
        lo, hi = p.bounds
        if lo < q.lo or hi > q.hi or (q.lo_open and lo <= q.lo):
            left = "(" if q.lo_open else "["
            raise InputError(f"{origin}: field 'parameters[{i}].bounds': {[lo, hi]} leaves the valid range "
                             f"of {p.path}: {left}{q.lo:g}, {q.hi:g}] {q.unit}")
        if q.integer and math.floor(hi) - math.ceil(lo) < 1:
            raise InputError(f"{origin}: field 'parameters[{i}].bounds': {p.path} is a whole number; "
                             f"bounds {[lo, hi]} hold fewer than two whole numbers")


def _is_parameter(base: Scenario, path: str) -> bool:
    from ..params import parameter_fields
    return any(p == path for p, _, _ in parameter_fields(base))


def _check_score_outputs(spec: ExperimentSpec, origin: str) -> None:
    for i, name in enumerate(spec.outputs):
        check_summary(name, f"{origin}: field 'outputs[{i}]'")


def check_summary(name: str, where: str) -> None:
    """``name`` is a summary of the SCORE model's catalogue, or :class:`InputError` at ``where``."""
    from ..summaries import SUMMARIES

    if name not in SUMMARIES:
        raise InputError(f"{where}: unknown summary {name!r}{nearest(name, list(SUMMARIES), cutoff=0.5)} "
                         "(docs/experiments.md lists them all)")


def _import_model(target: str, origin: str) -> Callable[..., Any]:
    if ":" not in target:
        raise InputError(f"{origin}: field 'model': {target!r} is neither 'scoresim' nor "
                         "'package.module:function'")
    module, _, name = target.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise InputError(f"{origin}: field 'model': cannot import {target!r} ({type(err).__name__}: {err})") from None
    if not callable(fn):
        raise InputError(f"{origin}: field 'model': {target!r} is not callable")
    return fn


def n_points(spec: ExperimentSpec) -> int:
    """Sample points the method's design needs."""
    m, d = spec.method, len(spec.parameters)
    k = len(set(spec.groups)) if spec.groups else d
    if m.name == "sobol":
        return m.samples * (2 * k + 2 if m.second_order else k + 2)
    if m.name == "morris":
        return m.samples * (k + 1)
    if m.name == "fast":
        return m.samples * d
    if m.name == "latin":
        return m.samples
    return math.prod(len(p.values) if p.values else m.levels for p in spec.parameters)


def _check_size(spec: ExperimentSpec, origin: str) -> None:
    runs = n_points(spec) * spec.replicates
    if runs > MAX_RUNS:
        raise InputError(f"{origin}: the design needs {runs:,} runs ({n_points(spec):,} points x "
                         f"{spec.replicates} replicates); at most {MAX_RUNS:,} are allowed: lower "
                         "'method.samples', 'method.levels' or 'replicates'")
