"""A calibration's results directory: run or resume ABC-SMC, then write the posterior, the fit
table, the identifiability summary and figures.

Layout of ``results/calibration/<name>-<time>/``::

    targets.toml       the targets file as written
    calibration.json   resolved targets, scenario and settings; provenance
    manifest.json      status (running | complete), mode, generations, epsilons, sessions
    history.db         pyabc's SQLite history (every generation; resumable)
    posterior.nc       posterior draws (draw, parameter) and the final weighted population
    fit_table.csv/.txt target, printed value, simulated median and 90% interval, inside or not
    identifiability.csv which parameters the targets constrain
    posterior_marginals.png, posterior_pairs.png, predictive.png
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from .. import io
from ..outputs import new_directory, new_files
from ..resultfiles import field, read_object, read_text
from ..config import InputError
from .abc import abc_name, make_abc, observed, run_abc, to_values
from .targets import Calibration, TargetsFile

FORMAT = "scoresim-calibration/1"
LOW_ESS = 0.1   # effective sample size below this share of the population: warn


@dataclass(frozen=True)
class Settings:
    """The settings of one calibration run (default or ``--quick``)."""

    mode: str
    population: int
    generations: int
    max_minutes: float | None   # a time limit the user asked for; None: stop on counts alone
    replicates: int

    @classmethod
    def of(cls, spec: TargetsFile, quick: bool, time_limit: float | None = None) -> "Settings":
        """The settings of ``spec`` (``quick``: its --quick ones); ``time_limit`` (minutes)
        replaces the file's time limit."""
        a = spec.abc
        if quick:
            s = cls("quick", a.quick_population, a.quick_generations, a.quick_max_minutes, a.quick_replicates)
        else:
            s = cls("default", a.population, a.generations, a.max_minutes, a.replicates)
        return s.with_time_limit(time_limit)

    def with_time_limit(self, minutes: float | None) -> "Settings":
        """These settings with the time limit ``minutes`` (None: unchanged)."""
        if minutes is None:
            return self
        return Settings(self.mode, self.population, self.generations, float(minutes), self.replicates)

    def describe(self) -> str:
        """The stopping rules in words."""
        limit = (f", and no generation started after {self.max_minutes:g} minutes (a time limit: the number of "
                 "generations then depends on the machine's speed)" if self.max_minutes is not None else "")
        return f"up to {self.generations} generations{limit}"


def create(cal: Calibration, out: Path, settings: Settings, command: str) -> Path:
    """Create the results directory atomically (never over an existing one)."""
    with new_directory(out) as tmp:
        (tmp / "targets.toml").write_text(cal.text)
        (tmp / "calibration.json").write_text(json.dumps({
            "targets": cal.spec.model_dump(mode="json"), "origin": cal.origin,
            "scenario": cal.scenario.model_dump(mode="json"), "settings": settings.__dict__}, indent=2))
        io.write_json(tmp / "manifest.json", {
            "format": FORMAT, "name": cal.spec.name, "status": "running", "mode": settings.mode,
            "created_utc": io.utc_now(), "git_commit": io.git_commit(), "versions": io.versions(),
            "command": command, "sessions": []})
    return out


def open_directory(path: Path) -> tuple[Calibration, Settings, dict]:
    """The calibration stored in a results directory (for --resume), every file it is made of
    checked: :class:`InputError` names the first damaged one."""
    path = Path(path)
    if not path.is_dir():
        what = "not a directory" if path.exists() else "no such directory"
        raise InputError(f"{path}: {what}; expected a calibration results directory (from scoresim calibrate)")
    for name in ("targets.toml", "calibration.json", "manifest.json"):
        if not (path / name).is_file():
            raise InputError(f"{path}: not a calibration results directory ({name} missing)")
    manifest = read_object(path / "manifest.json")
    if manifest.get("format") != FORMAT:
        raise InputError(f"{path / 'manifest.json'}: field 'format': expected {FORMAT!r}, "
                         f"got {manifest.get('format')!r:.60}")
    if manifest.get("status") not in ("running", "complete"):
        raise InputError(f"{path / 'manifest.json'}: field 'status': expected 'running' or 'complete', "
                         f"got {manifest.get('status')!r:.60}")
    field(manifest, "sessions", list, path / "manifest.json")
    data = read_object(path / "calibration.json")
    settings = _settings(data.get("settings"), path / "calibration.json")
    history = path / "history.db"
    if history.exists():
        check_history(history)
    return _stored(path, data), settings, manifest


SETTINGS_FIELDS = {"mode": str, "population": int, "generations": int, "replicates": int}


def _settings(raw, origin: Path) -> Settings:
    if not isinstance(raw, dict) or set(raw) != {*SETTINGS_FIELDS, "max_minutes"}:
        raise InputError(f"{origin}: field 'settings' is missing or malformed (expected mode, population, "
                         "generations, max_minutes, replicates)")
    for name, kind in SETTINGS_FIELDS.items():
        value = field(raw, name, kind, origin)
        if kind is int and value < 1:
            raise InputError(f"{origin}: field 'settings.{name}': expected a whole number >= 1, got {value}")
    limit = raw["max_minutes"]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0):
        raise InputError(f"{origin}: field 'settings.max_minutes': expected null or minutes > 0, got {limit!r:.40}")
    return Settings(**raw)


def check_history(path: Path) -> None:
    """``path`` is a pyabc history (an SQLite database with its tables), else :class:`InputError`."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True) as db:
            db.execute("SELECT count(*) FROM populations").fetchone()
    except sqlite3.Error as err:
        raise InputError(f"{path}: not a readable pyabc history ({err}); damaged? Start the calibration again "
                         "(the other files of the directory describe it)") from None


def outputs_damage(path: Path) -> str | None:
    """What is wrong with the final outputs of a complete calibration, or None."""
    for name in ("posterior.nc", "fit_table.csv", "identifiability.csv"):
        if not (path / name).is_file():
            return f"{path / name}: missing"
    try:
        post = io.read_netcdf(path / "posterior.nc")
    except InputError as err:
        return str(err)
    if "value" not in post or post["value"].dims != ("draw", "parameter"):
        return f"{path / 'posterior.nc'}: not a posterior (needs 'value' (draw, parameter))"
    return None


def _stored(path: Path, data: dict) -> Calibration:
    from ..config import validate, validate_model

    origin = str(path / "calibration.json")
    if not isinstance(data.get("targets"), dict) or not isinstance(data.get("scenario"), dict):
        raise InputError(f"{origin}: fields 'targets' and 'scenario' must hold the resolved calibration")
    spec = validate_model(TargetsFile, data["targets"], origin)
    scenario = validate(data["scenario"], origin=f"{origin} (scenario)")
    return Calibration(spec, str(data.get("origin", origin)), scenario, read_text(path / "targets.toml"))


def calibrate(cal: Calibration, out: Path, settings: Settings, executor, command: str,
              resume: bool = False, log=print) -> dict:
    """Run (or resume) ABC-SMC into ``out`` and write the results; returns the manifest."""
    manifest = read_object(out / "manifest.json")
    db = f"sqlite:///{(out / 'history.db').resolve()}"
    abc = make_abc(cal, executor, settings.population, settings.replicates)
    started = time.perf_counter()
    if resume and (out / "history.db").exists():
        abc.load(db, 1)
        done = abc.history.max_t + 1
    else:
        abc.new(db, observed(cal))
        done = 0
    manifest["sessions"].append({"started_utc": io.utc_now(), "executor": executor.name, "command": command,
                                 "generations_before": done})
    io.write_json(out / "manifest.json", manifest)
    left = settings.generations - done
    if left > 0:
        history = run_abc(abc, left, cal.spec.abc.min_epsilon, settings.max_minutes)
    else:
        history = abc.history
    log(f"ABC-SMC: {history.max_t + 1} generation(s), {history.total_nr_simulations:,} particles simulated "
        f"in {time.perf_counter() - started:.0f} s")
    posterior, summary = write_outputs(cal, out, history, settings, executor)
    pops = history.get_all_populations()
    manifest.update(status="complete", completed_utc=io.utc_now(), generations=int(history.max_t + 1),
                    effective_sample_size=float(posterior.attrs["effective_sample_size"]),
                    simulations=int(history.total_nr_simulations),
                    epsilons=[float(e) for e in pops["epsilon"].values if np.isfinite(e)])
    io.write_json(out / "manifest.json", manifest)
    for line in summary:   # printed once every result is on disk
        log(line)
    return manifest


def write_outputs(cal: Calibration, out: Path, history, settings: Settings, executor) -> tuple[xr.Dataset, list[str]]:
    """Write the posterior, the fit and identifiability tables and the figures, all together
    (a failure leaves none of them); return the posterior and the summary lines to print."""
    from . import figures, report

    posterior = posterior_dataset(cal, history)
    posterior.attrs.update(io.provenance(cal.scenario), targets=cal.spec.name, mode=settings.mode,
                           generations=int(history.max_t + 1),
                           simulations=int(history.total_nr_simulations))
    pred = report.predictive(cal, posterior, executor)
    table = report.fit_table(cal, pred)
    ident = report.identifiability(cal, posterior)
    with new_files(out) as tmp:
        io.write_dataset(posterior, tmp / "posterior.nc")
        report.write_tables(tmp, table, ident)
        figures.save(cal, posterior, pred, tmp)
    ess, n = posterior.attrs["effective_sample_size"], posterior.sizes["particle"]
    summary = [f"final population: {n} particles, effective sample size {ess:.0f} (importance weights); "
               f"{posterior.sizes['draw']} draws resampled by weight"]
    if ess < LOW_ESS * n:
        summary.append(f"warning: the effective sample size is below {LOW_ESS:.0%} of the population: the posterior "
                       "rests on few particles, so its intervals and sd ratios understate the uncertainty; run longer "
                       "(more particles or generations) before relying on them")
    summary += [report.format_fit_table(table, cal, int(pred.sizes["draw"])), report.format_identifiability(ident)]
    return posterior, summary


def posterior_dataset(cal: Calibration, history) -> xr.Dataset:
    """The final weighted population, and ``posterior_draws`` draws resampled by weight."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    params = cal.spec.parameters
    names = [p.path for p in params]
    pop = to_values(params, np.column_stack([df[abc_name(n)].to_numpy(float) for n in names]))
    w = np.asarray(w, float) / np.sum(w)
    ess = float(1.0 / np.sum(w ** 2))
    rng = np.random.default_rng(np.random.SeedSequence(cal.spec.seed, spawn_key=(0xD0A,)))
    n = cal.spec.abc.posterior_draws
    idx = rng.choice(len(pop), size=n, replace=True, p=w)
    return xr.Dataset(
        {
            "value": (("draw", "parameter"), pop[idx], {"long_name": "posterior draw (resampled by weight)",
                                                        "units": "parameter units"}),
            "population_value": (("particle", "parameter"), pop,
                                 {"long_name": "final ABC-SMC population", "units": "parameter units"}),
            "population_weight": (("particle",), w, {"long_name": "importance weight", "units": "1"}),
            "prior_low": (("parameter",), [p.bounds[0] for p in params], {"units": "parameter units"}),
            "prior_high": (("parameter",), [p.bounds[1] for p in params], {"units": "parameter units"}),
        },
        coords={"draw": np.arange(n), "particle": np.arange(len(pop)), "parameter": names},
        attrs={"title": f"scoresim posterior: {cal.spec.name}", "kind": "scoresim-posterior",
               "effective_sample_size": ess,
               "prior_dists": json.dumps([p.dist for p in params])},
    )


__all__ = ["Settings", "create", "open_directory", "calibrate", "posterior_dataset"]
