"""A calibration's results directory: simulate the reference table, fit the emulator and the
posterior, then write the posterior, the fit table, the identifiability report and figures.

Layout of ``results/calibration/<name>-<time>/``::

    targets.toml        the targets file as written
    calibration.json    resolved targets, scenario and settings; provenance
    manifest.json       status (running | complete), mode, simulations, sessions, diagnostics
    simulations/        the reference table: a sweep store of prior draws (journal, resumable)
    posterior.nc        equally weighted posterior draws, module effects, diagnostics
    fit_table.csv/.txt  per target and trial: printed value, simulated median and 90% interval
    identifiability.csv what the evidence constrains, per parameter and per module effect
    estimands.csv       reported, difference in differences and causal effect per indicator
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
from ..config import InputError
from ..outputs import new_directory, new_files
from ..resultfiles import field, read_object, read_text
from .targets import Calibration, TargetsFile

FORMAT = "scoresim-calibration/2"
SIMULATIONS = "simulations"


@dataclass(frozen=True)
class Settings:
    """The settings of one calibration run (default or ``--quick``)."""

    mode: str
    simulations: int
    max_minutes: float | None   # a time limit the user asked for; None: stop on counts alone

    @classmethod
    def of(cls, spec: TargetsFile, quick: bool, time_limit: float | None = None) -> "Settings":
        """The settings of ``spec`` (``quick``: its --quick ones); ``time_limit`` (minutes)."""
        f = spec.fit
        s = cls("quick", f.quick_simulations, None) if quick else cls("default", f.simulations, None)
        return s.with_time_limit(time_limit)

    def with_time_limit(self, minutes: float | None) -> "Settings":
        """These settings with the time limit ``minutes`` (None: unchanged)."""
        return self if minutes is None else Settings(self.mode, self.simulations, float(minutes))

    def describe(self) -> str:
        limit = (f", or as many as finish in {self.max_minutes:g} minutes (a time limit: the result then depends "
                 "on the machine's speed)" if self.max_minutes is not None else "")
        return f"{self.simulations:,} simulations of prior draws{limit}"


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
    if (path / SIMULATIONS).exists():
        from ..experiments.store import SweepStore

        SweepStore(path / SIMULATIONS)    # every file of the reference table checked
    return _stored(path, data), settings, manifest


def _settings(raw, origin: Path) -> Settings:
    if not isinstance(raw, dict) or set(raw) != {"mode", "simulations", "max_minutes"}:
        raise InputError(f"{origin}: field 'settings' is missing or malformed (expected mode, simulations, "
                         "max_minutes)")
    field(raw, "mode", str, origin)
    n = field(raw, "simulations", int, origin)
    if n < 1:
        raise InputError(f"{origin}: field 'settings.simulations': expected a whole number >= 1, got {n}")
    limit = raw["max_minutes"]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0):
        raise InputError(f"{origin}: field 'settings.max_minutes': expected null or minutes > 0, got {limit!r:.40}")
    return Settings(**raw)


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


# --------------------------------------------------------------------------- the reference table

def statistics(cal: Calibration) -> list[str]:
    """Every statistic the reference table records: those of the targets and the trial evidence,
    then the three estimands of every indicator and every module's effect on it."""
    from ..indicators import INDICATORS
    from ..params import AREAS

    names = [t.statistic for t in cal.spec.items]
    for ind in INDICATORS:
        names += [f"reported_change.{ind}", f"share_improving.{ind}", f"did.{ind}", f"effect.{ind}"]
        names += [f"module_effect.{a}.{ind}" for a in AREAS]
    return list(dict.fromkeys(names))


def reference_store(cal: Calibration, out: Path, settings: Settings, command: str):
    """The reference table's sweep store in ``out/simulations`` (created on first use): a Latin
    hypercube of ``settings.simulations`` points over the prior quantiles, one replicate each
    with its own seed (its own population)."""
    from scipy.stats import qmc

    from ..experiments.spec import Experiment, ExperimentSpec
    from ..experiments.store import SweepStore
    from .priors import stream_seed, to_values

    path = out / SIMULATIONS
    if path.exists():
        return SweepStore(path)
    spec = cal.spec
    exp = ExperimentSpec(name=f"{spec.name}-simulations", base=str(cal.origin), seed=spec.seed, replicates=1,
                         seeds="independent", outputs=statistics(cal), method={"name": "latin",
                                                                               "samples": settings.simulations},
                         parameters=[p.model_dump() for p in spec.parameters])
    u = qmc.LatinHypercube(d=len(spec.parameters), seed=stream_seed(spec.seed, 0x1A7)).random(settings.simulations)
    from ..experiments.sampling import run_seeds

    return SweepStore.create(path, Experiment(exp, cal.origin, cal.scenario), to_values(spec.parameters, u),
                             run_seeds(exp, settings.simulations), None, command)


def simulate(store, executor, settings: Settings, command: str, started: float, log=print) -> int:
    """Run the simulations the table lacks (until the time limit, if any); return how many the
    table holds."""
    from ..cmdargs import RunProgress
    from ..experiments.engine import run_sweep

    deadline = None if settings.max_minutes is None else started + 60.0 * settings.max_minutes
    stop = (lambda: time.perf_counter() > deadline) if deadline is not None else None
    done = int(store.done().sum())
    with RunProgress(store.n_runs, done, "simulations") as bar:
        run_sweep(store, executor, bar.update, command, stop=stop)
    return int(store.done().sum())


def table(store) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The recorded simulations: parameter values (n, d), statistics (n, S), their names and
    the seeds (n,), in run order (runs not recorded yet are left out)."""
    P, O = store.points, len(store.outputs)
    Y = np.full((P, O), np.nan)
    seen = np.zeros(P, bool)
    for rec in store.records():
        i = rec["run"]
        seen[i] = True
        if rec["ok"]:
            Y[i] = [np.nan if v is None else v for v in rec["y"]]
    return store.X[seen], Y[seen], store.outputs, store.seeds[seen, 0]


# --------------------------------------------------------------------------- the calibration

def calibrate(cal: Calibration, out: Path, settings: Settings, executor, command: str,
              resume: bool = False, log=print) -> dict:
    """Simulate (or finish simulating) the reference table into ``out``, fit, and write the
    results; returns the manifest."""
    from . import fitting

    manifest = read_object(out / "manifest.json")
    started = time.perf_counter()
    store = reference_store(cal, out, settings, command)
    before = int(store.done().sum())
    manifest["sessions"].append({"started_utc": io.utc_now(), "executor": executor.name, "command": command,
                                 "simulations_before": before})
    io.write_json(out / "manifest.json", manifest)
    n = simulate(store, executor, settings, command, started, log)
    seconds = time.perf_counter() - started
    stopped = n < store.n_runs
    log(f"simulations: {n:,} of {store.n_runs:,} in the reference table ({n - before:,} run now in {seconds:.0f} s)"
        + (f"; STOPPED EARLY at the time limit of {settings.max_minutes:g} minutes: the posterior rests on "
           f"{n:,} simulations, not {store.n_runs:,}; finish with: scoresim calibrate --resume {out}"
           if stopped else ""))
    X, Y, names, seeds = table(store)
    least = fitting.least_simulations(len(cal.spec.parameters))
    if len(X) < least:
        raise InputError(f"{out}: stopped after {len(X)} simulations, too few to fit {len(cal.spec.parameters)} "
                         f"parameters (at least {least}); nothing was fitted: finish the simulations with: "
                         f"scoresim calibrate --resume {out}")
    result = fitting.fit(cal, X, Y, names, log=log)
    posterior, summary = write_outputs(cal, out, result, settings, executor, stopped, store.n_runs)
    manifest.update(status="complete", completed_utc=io.utc_now(), simulations=int(n),
                    simulations_planned=int(store.n_runs), stopped_early=bool(stopped),
                    effective_sample_size=float(posterior.attrs["effective_sample_size"]),
                    method=posterior.attrs["method"], seconds=round(time.perf_counter() - started, 1))
    io.write_json(out / "manifest.json", manifest)
    for line in summary:   # printed once every result is on disk
        log(line)
    return manifest


def write_outputs(cal: Calibration, out: Path, result, settings: Settings, executor, stopped: bool,
                  planned: int) -> tuple[xr.Dataset, list[str]]:
    """Write the posterior, the tables and the figures, all together (a failure leaves none of
    them); return the posterior and the summary lines to print."""
    from . import figures, report

    posterior = result.posterior
    posterior.attrs.update(io.provenance(cal.scenario), targets=cal.spec.name, mode=settings.mode,
                           simulations_planned=int(planned), stopped_early=int(stopped))
    pred = report.predictive(cal, posterior, executor)
    table_rows = report.fit_table(cal, pred, result)
    ident = report.identifiability(cal, posterior)
    estimands = report.estimands(pred)
    with new_files(out) as tmp:
        io.write_dataset(posterior, tmp / "posterior.nc")
        report.write_tables(tmp, table_rows, ident, estimands)
        figures.save(cal, posterior, pred, tmp)
    summary = report.summary_lines(cal, posterior, result, stopped, planned)
    summary += [report.format_fit_table(table_rows, int(pred.sizes["draw"])), report.format_estimands(estimands),
                report.format_identifiability(ident)]
    return posterior, summary


__all__ = ["Settings", "create", "open_directory", "calibrate", "statistics", "reference_store", "table"]
