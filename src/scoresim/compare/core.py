"""Compare scenarios: each one's estimands per replicate, whether they can be paired, and
the differences against the first (the baseline) with their intervals.

Two scenarios are *paired* when they share the population: the same ``population``,
``buyers`` and ``time`` sections and the same run seed, so their firms, workers and buyers
are the same and replicate ``r`` of each draws the same random numbers (common random
numbers). A paired difference is taken replicate by replicate; its interval is narrow
because the noise both scenarios share cancels. Otherwise the scenarios are compared
*unpaired*: the difference between any replicate of one and any replicate of the other.

Statistics over replicates: the median and the 5th and 95th percentiles (a 90% interval).
The interval of a value covers the spread across replicates (stochastic uncertainty, and
parameter uncertainty when the runs drew calibrated parameters from a posterior); that of a
difference covers the spread of the difference between one replicate of the scenario and one
of the baseline: the same replicate (paired) or any two (unpaired).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..config import InputError, load_scenario, read_toml
from ..params import Scenario
from ..reporting import ESTIMANDS, INDICATORS

POPULATION_SECTIONS = ("population", "buyers", "time")
QUANTILES = (0.05, 0.5, 0.95)
ESTIMAND_LABELS = {"reported": "reported change", "did": "difference-in-differences", "causal": "causal effect"}
ESTIMAND_MEANING = {
    "reported": "what participants would report: after completion against before enrolment, programme world",
    "did": "what an evaluator comparing participants with non-participants would find (difference-in-differences)",
    "causal": "what the programme caused: participants against the same firms without the programme (same seeds)",
}


@dataclass
class Entry:
    """One scenario of a comparison: where it came from, its resolved config, the seed and
    replicates it ran with, and its estimands per replicate (variables named as in
    :data:`ESTIMANDS`, dims (replicate, indicator))."""

    label: str
    origin: str
    kind: str                      # "config" or "run"
    config: dict[str, Any]
    seed: int
    replicates: int
    posterior: str = ""            # SHA-256 of the posterior the replicates drew from ('' none)
    values: xr.Dataset | None = None
    scenario: Scenario | None = field(default=None, repr=False)


# ------------------------------------------------------------------------------------ inputs

def load_entry(path: str, seed: int | None = None, replicates: int | None = None) -> Entry:
    """A scenario to compare: a config TOML (run later, with ``seed`` and ``replicates`` or
    the config's own) or a finished run (a run directory or its dataset.nc). Bad input raises
    :class:`InputError` naming the path."""
    p = Path(path)
    if p.is_dir() or p.suffix == ".nc":
        return _run_entry(p)
    if not p.exists():
        raise InputError(f"{p}: no such file or directory; expected a scenario config (.toml) or a finished "
                         "run (its directory or dataset.nc)")
    if _is_plan(p):
        raise InputError(f"{p}: a planner config (it has budget, capacity or strategy sections); compare "
                         "scenario configs or run directories, or compare strategies with: scoresim scaleup")
    scenario = load_scenario(p)
    return Entry(scenario.name, str(p), "config", scenario.model_dump(mode="json"),
                 scenario.run.seed if seed is None else seed,
                 scenario.run.replicates if replicates is None else replicates, scenario=scenario)


def _is_plan(path: Path) -> bool:
    from ..scaleup.commands import is_plan

    return is_plan(read_toml(path))


def _run_entry(p: Path) -> Entry:
    from ..io import read_provenance

    dataset = p / "dataset.nc" if p.is_dir() else p
    if not dataset.is_file():
        raise InputError(f"{p}: not a finished run (no dataset.nc); expected a run directory written by "
                         "scoresim run, or a scenario config (.toml)")
    scenario, seed, replicates = read_provenance(dataset)
    values, posterior = _read_estimands(dataset)
    label = scenario.name
    return Entry(label, str(p), "run", scenario.model_dump(mode="json"), seed, values.sizes["replicate"],
                 posterior, values, scenario)


def _read_estimands(dataset: Path) -> tuple[xr.Dataset, str]:
    """The estimand variables (replicate, indicator) of a run's dataset, loaded."""
    try:
        with xr.open_dataset(dataset, engine="h5netcdf") as ds:
            names = [v for v in ESTIMANDS.values() if v in ds]
            if not names or "indicator" not in ds.dims:
                raise InputError(f"{dataset}: not a scoresim run: none of the estimand variables "
                                 f"({', '.join(ESTIMANDS.values())}) by indicator")
            values = ds[names].load()
            digest = str(ds.attrs.get("posterior_sha256", ""))
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 (any reader failure: not a readable result)
        raise InputError(f"{dataset}: not a readable netCDF file ({type(err).__name__})") from None
    bad = [v for v in names if set(values[v].dims) != {"replicate", "indicator"}]
    if bad:
        raise InputError(f"{dataset}: variable(s) {', '.join(bad)} should have dimensions (replicate, indicator)")
    return values, digest


def unique_labels(entries: list[Entry]) -> None:
    """Give every entry a distinct label: its scenario name, or the file or directory name where
    names repeat, numbered as a last resort."""
    names = [e.label for e in entries]
    for e in entries:
        if names.count(e.label) > 1:
            e.label = Path(e.origin).stem if Path(e.origin).suffix else Path(e.origin).name
    seen: dict[str, int] = {}
    for e in entries:
        n = seen.get(e.label, 0) + 1
        seen[e.label] = n
        if n > 1:
            e.label = f"{e.label}-{n}"


# ------------------------------------------------------------------------------------ pairing

def pairing(entries: list[Entry]) -> tuple[bool, str]:
    """Whether every scenario shares the baseline's population and seed (paired), and why or
    why not, in words."""
    base = entries[0]
    reasons = []
    for e in entries[1:]:
        diff = [f"{s}.{k}" for s in POPULATION_SECTIONS for k in _differing(base.config.get(s), e.config.get(s))]
        if diff:
            shown = ", ".join(diff[:3]) + (f" and {len(diff) - 3} more" if len(diff) > 3 else "")
            reasons.append(f"{e.label} has another population than {base.label} ({shown})")
        elif e.seed != base.seed:
            reasons.append(f"{e.label} runs on seed {e.seed}, {base.label} on seed {base.seed}"
                           + (" (give --seed to run every config on one seed)" if "config" in (e.kind, base.kind)
                              else ""))
        elif e.posterior != base.posterior:
            reasons.append(f"{e.label} and {base.label} drew calibrated parameters from different posteriors")
    if reasons:
        return False, "unpaired: " + "; ".join(reasons)
    return True, ("paired: every scenario has the same population, buyers, time and seed as the baseline, "
                  "so replicate r of each shares its firms and random numbers")


def _differing(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two nested dicts."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(dict.fromkeys([*a, *b])):
            out += _differing(a.get(k), b.get(k), f"{prefix}{k}.")
        return out
    return [] if a == b else [prefix.rstrip(".") or "(whole section)"]


# ------------------------------------------------------------------------------------ running

def run_entries(entries: list[Entry], progress=None) -> None:
    """Run every config entry as an ensemble like ``scoresim run`` (``values`` filled):
    replicate r of every scenario draws the same posterior draw and, when the scenarios share
    the population settings, the same population; ``progress(1)`` after each replicate."""
    from ..calibration.posterior import load_posterior, resolve
    from ..config import written_paths
    from ..ensemble import run_ensemble

    for e in entries:
        if e.values is None:
            path = resolve(e.scenario.run.posterior, e.origin)
            posterior = None if path is None else load_posterior(path, e.scenario)
            root, _ = run_ensemble(e.scenario, e.seed, e.replicates, posterior, written_paths(e.origin),
                                   e.scenario.run.populations, panels=0, progress=progress)
            e.posterior = posterior.digest if posterior is not None else ""
            e.values = estimands_of(root)


def estimands_of(ds: xr.Dataset) -> xr.Dataset:
    """The estimand variables (replicate, indicator) of a run's dataset."""
    return ds[[v for v in ESTIMANDS.values() if v in ds]].load()


# ------------------------------------------------------------------------------------ statistics

def compare(entries: list[Entry], paired: bool) -> xr.Dataset:
    """Values and differences against the first entry, per (scenario, estimand, indicator).

    Variables: ``value`` (scenario, replicate, estimand, indicator), per replicate; ``value_q``
    and ``difference_q`` (scenario, estimand, indicator, quantile) at :data:`QUANTILES`
    (the baseline's differences are NaN). Estimands missing from any scenario are left out.
    """
    names = [k for k, v in ESTIMANDS.items() if all(e.values is not None and v in e.values for e in entries)]
    if not names:
        raise InputError("no estimand is present in every scenario: " + ", ".join(
            f"{e.label} has {', '.join(k for k, v in ESTIMANDS.items() if e.values is not None and v in e.values)}"
            for e in entries))
    indicators = [str(i) for i in entries[0].values["indicator"].values]
    for e in entries[1:]:
        if [str(i) for i in e.values["indicator"].values] != indicators:
            raise InputError(f"{e.origin}: its indicators differ from {entries[0].origin}'s; compare runs of the "
                             "same scoresim version")
    R = max(e.values.sizes["replicate"] for e in entries)
    value = np.full((len(entries), R, len(names), len(indicators)), np.nan)
    for s, e in enumerate(entries):
        for j, k in enumerate(names):
            v = e.values[ESTIMANDS[k]].transpose("replicate", "indicator").values
            value[s, : v.shape[0], j] = v
    value_q = _quantiles(value, axis=1)
    diff_q = np.full_like(value_q, np.nan)
    for s in range(1, len(entries)):
        diff_q[s] = _difference_quantiles(value[s], value[0], paired)
    dims = ("scenario", "estimand", "indicator", "quantile")
    kinds = [INDICATORS[i].kind if i in INDICATORS else "relative" for i in indicators]
    return xr.Dataset(
        {"value": (("scenario", "replicate", "estimand", "indicator"), value,
                   {"long_name": "estimand per replicate", "units": "relative change, or practice level (0-1 scale) "
                                                                   "for indicators of kind 'points'"}),
         "value_q": (dims, value_q, {"long_name": "quantiles of the estimand over replicates",
                                     "units": "as value"}),
         "difference_q": (dims, diff_q, {"long_name": "quantiles of the difference scenario less baseline "
                                                      "(paired: same replicate; unpaired: any two replicates)",
                                         "units": "difference of relative changes (1 = 100 percentage points), "
                                                  "or of practice levels (0-1 scale)"})},
        coords={"scenario": [e.label for e in entries], "replicate": np.arange(R), "estimand": names,
                "indicator": indicators, "quantile": list(QUANTILES),
                "indicator_kind": ("indicator", kinds, {"long_name": "relative change or practice points"}),
                "origin": ("scenario", [e.origin for e in entries], {"long_name": "config file or run directory"}),
                "seed": ("scenario", [e.seed for e in entries], {"long_name": "run seed"}),
                "replicates": ("scenario", [e.values.sizes["replicate"] for e in entries],
                               {"long_name": "replicates run", "units": "runs"})},
        attrs={"paired": int(paired), "baseline": entries[0].label,
               "configs": json.dumps({e.label: e.config for e in entries})})


def _quantiles(x: np.ndarray, axis: int) -> np.ndarray:
    """Quantiles :data:`QUANTILES` along ``axis`` (moved last), NaN-aware, NaN where empty."""
    x = np.moveaxis(x, axis, -1)
    out = np.full(x.shape[:-1] + (len(QUANTILES),), np.nan)
    ok = np.isfinite(x).any(axis=-1)
    if ok.any():
        out[ok] = np.nanquantile(x[ok], QUANTILES, axis=-1).T
    return out


def _difference_quantiles(a: np.ndarray, b: np.ndarray, paired: bool) -> np.ndarray:
    """Quantiles of a - b, (replicate, estimand, indicator) each: replicate by replicate
    (paired) or over every pair of replicates (unpaired)."""
    if paired:
        n = min(np.isfinite(a).any(axis=(1, 2)).sum(), np.isfinite(b).any(axis=(1, 2)).sum())
        d = a[:n] - b[:n]
    else:
        d = (a[:, None] - b[None, :]).reshape(-1, *a.shape[1:])
    return _quantiles(d, axis=0)


# ------------------------------------------------------------------------------------ tidy rows

UNITS = {"relative": ("relative change (fraction)", "difference of relative changes (fraction; 0.01 = 1 percentage "
                                                    "point)"),
         "points": ("practice level change (0-1 scale)", "difference of practice level changes (0-1 scale)")}


def tidy(result: xr.Dataset) -> list[dict[str, Any]]:
    """compare.csv's rows: scenario, indicator, estimand, statistic (value or difference from
    the baseline), median, p5, p95, units, paired, baseline."""
    rows = []
    paired = bool(result.attrs.get("paired"))
    for s in result["scenario"].values:
        for i, ind in enumerate(result["indicator"].values):
            kind = str(result["indicator_kind"].values[i])
            for k in result["estimand"].values:
                for stat, var, unit in (("value", "value_q", UNITS[kind][0]),
                                        ("difference", "difference_q", UNITS[kind][1])):
                    q = result[var].sel(scenario=s, estimand=k, indicator=ind).values
                    if stat == "difference" and s == result.attrs["baseline"]:
                        continue
                    rows.append({"scenario": str(s), "indicator": str(ind), "estimand": str(k), "statistic": stat,
                                 "median": _plain(q[1]), "p5": _plain(q[0]), "p95": _plain(q[2]),
                                 "units": unit, "paired": paired, "baseline": result.attrs["baseline"]})
    return rows


def _plain(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
