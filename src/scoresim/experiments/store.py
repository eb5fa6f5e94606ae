"""A sweep's results directory: survives interruption, resumes, never overwritten.

Layout of ``results/<experiment>-<time>/``::

    spec.toml        the experiment spec as written (when it came from a file)
    experiment.json  the resolved spec and base scenario, provenance of the sweep
    samples.nc       the sample matrix X (point, parameter) and run seeds (point, replicate)
    manifest.json    sizes, status (running | complete), counts, sessions (executor, command)
    runs.jsonl       journal: one line per finished run, appended as runs finish
    results.nc       when complete: X, Y (point, replicate, output), ok, error, seed, seconds

The directory is created atomically with everything but the journal. Each finished batch of
runs is appended to the journal and flushed to the operating system before the next is asked
for, so a process killed at any moment loses at most the runs in flight; a torn last line is
cut off on resume. Only one process may write a store at a time (an advisory lock).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import xarray as xr

from .. import io
from ..outputs import directory_lock, new_directory
from ..resultfiles import field, read_object, read_text
from ..config import InputError
from .sampling import problem, sample_seed
from .spec import SCORE_MODEL, Experiment

FORMAT = "scoresim-sweep/1"
FILES = ("experiment.json", "samples.nc", "manifest.json")


@dataclass(frozen=True)
class RunResult:
    """One finished run: outputs (in the experiment's output order) or its error."""

    run: int
    ok: bool
    y: tuple[float, ...] | None
    error: str
    seconds: float
    params: dict[str, float] | None = None   # kept for failed runs, to reproduce them

    def to_line(self) -> str:
        rec = {"run": self.run, "ok": self.ok, "y": list(self.y) if self.y is not None else None,
               "error": self.error or None, "seconds": round(self.seconds, 6)}
        if self.params is not None:
            rec["params"] = self.params
        return json.dumps(rec, allow_nan=True) + "\n"


class SweepStore:
    """Read and write one results directory."""

    def __init__(self, path: str | Path):
        """Open the results directory ``path``, checking every file it is made of: each must be
        what a sweep writes, and they must agree with each other (see :func:`check_results`
        for ``results.nc``). :class:`InputError` names the first damaged file."""
        self.path = Path(path)
        if not self.path.is_dir():
            what = "not a directory" if self.path.exists() else "no such directory"
            raise InputError(f"{self.path}: {what}; expected a sweep results directory (from scoresim sweep)")
        for name in FILES:
            if not (self.path / name).is_file():
                raise InputError(f"{self.path}: not a sweep results directory ({name} missing)")
        self.manifest = _read_manifest(self.path / "manifest.json")
        origin = str(self.path / "experiment.json")
        self.experiment = Experiment.from_json(read_text(self.path / "experiment.json"), origin)
        spec = self.experiment.spec
        if spec.model == SCORE_MODEL and self.experiment.base is None:
            raise InputError(f"{origin}: field 'base': missing; a sweep of the scoresim model stores its resolved base "
                             "scenario (the file is damaged)")
        self.points, self.replicates = self.manifest["points"], self.manifest["replicates"]
        self.n_runs = self.points * self.replicates
        _agree(self.path / "manifest.json", self.manifest, spec)
        self.X, self.seeds = _read_samples(self.path / "samples.nc", spec, self.points, self.replicates)
        self.journal = self.path / "runs.jsonl"

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(cls, path: str | Path, experiment: Experiment, X: np.ndarray, seeds: np.ndarray,
               spec_text: str | None, command: str) -> "SweepStore":
        """Create the directory atomically (refusing an existing one) and open it."""
        spec = experiment.spec
        with new_directory(path) as tmp:
            if spec_text is not None:
                (tmp / "spec.toml").write_text(spec_text)
            (tmp / "experiment.json").write_text(json.dumps(json.loads(experiment.to_json()), indent=2))
            samples = xr.Dataset(
                {"X": (("point", "parameter"), X, {"units": "parameter units",
                                                   "long_name": "sampled parameter values"}),
                 "seed": (("point", "replicate"), seeds, {"long_name": "seed of each run"})},
                coords={"point": np.arange(len(X)), "replicate": np.arange(seeds.shape[1]),
                        "parameter": [p.path for p in spec.parameters]},
                attrs={"problem": json.dumps(problem(spec)), "sample_seed": sample_seed(spec)})
            io.write_dataset(samples, tmp / "samples.nc")
            io.write_json(tmp / "manifest.json", {
                "format": FORMAT, "experiment": spec.name, "method": spec.method.name,
                "model": spec.model, "points": int(len(X)), "replicates": int(seeds.shape[1]),
                "runs": int(seeds.size), "parameters": [p.path for p in spec.parameters],
                "outputs": list(spec.outputs), "seed": spec.seed, "status": "running",
                "created_utc": io.utc_now(), "git_commit": io.git_commit(), "versions": io.versions(),
                "command": command, "sessions": [],
            })
        return cls(path)

    # ------------------------------------------------------------------ journal
    def lock(self):
        """Hold the store's write lock, or raise :class:`InputError` if another process has it."""
        return directory_lock(self.path, "sweep")

    def records(self, repair: bool = False) -> Iterator[dict]:
        """The journal's records in order, read line by line (memory does not grow with the
        journal). A torn last line (a process killed while writing it) is skipped, and cut off
        the file when ``repair``; any other bad line is an error."""
        if not self.journal.exists():
            return
        with open(self.journal, "rb") as fh:
            good_end = _complete_length(fh)
            if repair and good_end < fh.seek(0, os.SEEK_END):
                with open(self.journal, "r+b") as out:
                    out.truncate(good_end)
            fh.seek(0)
            n, read = 0, 0
            for line in fh:
                read += len(line)
                if read > good_end:
                    break
                n += 1
                yield self._parse(line, n)

    def _parse(self, line: bytes, n: int) -> dict:
        try:
            rec = json.loads(line)
            run = int(rec["run"])
            if not 0 <= run < self.n_runs or (rec["ok"] and len(rec["y"]) != len(self.outputs)):
                raise ValueError("run index or outputs out of range")
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f"{self.journal}: line {n} is not a run record ({err}); the file was "
                             "changed by hand or by another program") from None
        return rec

    def done(self, repair: bool = False, failed_too: bool = True) -> np.ndarray:
        """(runs,) bool: which runs the journal holds (``failed_too=False``: which it holds as
        finished without error, in their latest record)."""
        out = np.zeros(self.n_runs, bool)
        for rec in self.records(repair):
            out[rec["run"]] = failed_too or bool(rec["ok"])
        return out

    @contextmanager
    def appender(self) -> Iterator["Journal"]:
        with open(self.journal, "a", encoding="utf-8") as fh:
            yield Journal(fh)

    # ------------------------------------------------------------------ manifest
    @property
    def outputs(self) -> list[str]:
        return list(self.experiment.spec.outputs)

    @property
    def complete(self) -> bool:
        """The manifest says complete and results.nc is there (see :meth:`results` for whether
        it is intact)."""
        return self.manifest.get("status") == "complete" and (self.path / "results.nc").is_file()

    def results(self) -> xr.Dataset:
        """``results.nc``, checked against this store (:func:`check_results`)."""
        file = self.path / "results.nc"
        return check_results(io.read_netcdf(file, str(file)), file, self)

    def add_session(self, executor: str, command: str, runs: int) -> None:
        self.manifest["sessions"].append({"started_utc": io.utc_now(), "executor": executor,
                                          "command": command, "runs_to_do": runs})
        io.write_json(self.path / "manifest.json", self.manifest)

    # ------------------------------------------------------------------ results
    def finalize(self, rewrite: bool = False) -> xr.Dataset:
        """Build ``results.nc`` from the journal (every run must be recorded) and mark the
        sweep complete (``rewrite``: replace an existing results.nc, after retried runs).
        Returns the results Dataset."""
        ds = self.results_dataset()
        if rewrite or not (self.path / "results.nc").exists():
            io.write_dataset(ds, self.path / "results.nc", replace=True)
        ok = int(ds["ok"].sum())
        self.manifest.update(status="complete", completed_utc=io.utc_now(), runs_ok=ok, runs_failed=self.n_runs - ok)
        io.write_json(self.path / "manifest.json", self.manifest)
        return ds

    def results_dataset(self) -> xr.Dataset:
        """Every recorded run as one Dataset (see the module docstring); the journal must be
        complete. Runs are placed by index, so the order they finished in does not matter."""
        P, R, O = self.points, self.replicates, len(self.outputs)
        Y = np.full((P * R, O), np.nan)
        ok = np.zeros(P * R, bool)
        seen = np.zeros(P * R, bool)
        error = np.full(P * R, "", dtype=object)
        seconds = np.full(P * R, np.nan)
        for rec in self.records():
            i = rec["run"]     # a run recorded twice (retried after failing): the latest record
            seen[i] = True
            Y[i] = np.nan
            ok[i] = rec["ok"]
            if rec["ok"]:
                Y[i] = [np.nan if v is None else v for v in rec["y"]]
            error[i] = rec.get("error") or ""
            seconds[i] = rec["seconds"]
        if not seen.all():
            raise InputError(f"{self.path}: {int((~seen).sum())} of {P * R} runs are not recorded yet; "
                             f"finish them with: scoresim sweep --resume {self.path}")
        spec = self.experiment.spec
        dims = ("point", "replicate")
        ds = xr.Dataset(
            {
                "X": (("point", "parameter"), self.X, {"units": "parameter units",
                                                       "long_name": "sampled parameter values"}),
                "Y": (dims + ("output",), Y.reshape(P, R, O), {"long_name": "output of each run (NaN: failed)"}),
                "ok": (dims, ok.reshape(P, R), {"long_name": "run finished without error"}),
                "error": (dims, error.reshape(P, R).astype(str), {"long_name": "error of a failed run"}),
                "seed": (dims, self.seeds, {"long_name": "seed of each run"}),
                "seconds": (dims, seconds.reshape(P, R), {"units": "s", "long_name": "run time"}),
            },
            coords={"point": np.arange(P), "replicate": np.arange(R),
                    "parameter": [p.path for p in spec.parameters], "output": self.outputs,
                    "group": ("parameter", [p.group or "" for p in spec.parameters])},
            attrs={"title": f"scoresim sweep: {spec.name}", "experiment": self.experiment.to_json(),
                   "problem": json.dumps(problem(spec)), "method": spec.method.name,
                   "sample_seed": sample_seed(spec), "git_commit": self.manifest.get("git_commit", ""),
                   "versions": json.dumps(self.manifest.get("versions", {})),
                   "created_utc": self.manifest.get("created_utc", ""),
                   "command": self.manifest.get("command", "")},
        )
        return ds


def _complete_length(fh) -> int:
    """Bytes up to and including the journal's last newline (what a torn write leaves intact)."""
    end = fh.seek(0, os.SEEK_END)
    pos, block = end, 1 << 16
    while pos > 0:
        start = max(0, pos - block)
        fh.seek(start)
        chunk = fh.read(pos - start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


class Journal:
    """Appends run records and hands them to the operating system at once."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, results: Iterable[RunResult]) -> None:
        self._fh.write("".join(r.to_line() for r in results))
        self._fh.flush()
        os.fsync(self._fh.fileno())


def load_results(path: str | Path) -> xr.Dataset:
    """The results Dataset of a sweep directory (every file of it checked) or of a
    ``results.nc`` on its own, loaded in memory."""
    path = Path(path)
    if path.is_dir():
        store = SweepStore(path)
        if not store.complete:
            n = int(store.done().sum())
            raise InputError(f"{path}: the sweep is not complete ({n:,} of {store.n_runs:,} runs recorded); "
                             f"finish it with: scoresim sweep --resume {path}")
        try:
            return store.results()
        except InputError as err:
            raise InputError(f"{err}\nrebuild it from the journal with: scoresim sweep --resume {path}") from None
    if not path.is_file():
        raise InputError(f"{path}: no such results directory or file")
    return check_results(io.read_netcdf(path, str(path)), path)


# --------------------------------------------------------------------------- checks

MANIFEST_FIELDS = {"points": int, "replicates": int, "runs": int, "parameters": list, "outputs": list,
                   "status": str, "sessions": list}


def _read_manifest(path: Path) -> dict:
    manifest = read_object(path)
    if manifest.get("format") != FORMAT:
        raise InputError(f"{path}: field 'format': expected {FORMAT!r}, got {manifest.get('format')!r:.60}")
    for name, kind in MANIFEST_FIELDS.items():
        field(manifest, name, kind, path)
    for name in ("points", "replicates"):
        if manifest[name] < 1:
            raise InputError(f"{path}: field '{name}': expected a whole number >= 1, got {manifest[name]!r}")
    if manifest["runs"] != manifest["points"] * manifest["replicates"]:
        raise InputError(f"{path}: field 'runs': {manifest['runs']} is not points x replicates "
                         f"({manifest['points']} x {manifest['replicates']})")
    if manifest["status"] not in ("running", "complete"):
        raise InputError(f"{path}: field 'status': expected 'running' or 'complete', got {manifest['status']!r:.60}")
    return manifest


def _agree(path: Path, manifest: dict, spec) -> None:
    """The manifest describes the experiment it sits beside."""
    expected = {"parameters": [p.path for p in spec.parameters], "outputs": list(spec.outputs),
                "replicates": spec.replicates}
    for name, value in expected.items():
        if manifest[name] != value:
            raise InputError(f"{path}: field '{name}' ({manifest[name]!r:.80}) does not match experiment.json "
                             f"({value!r:.80}); the directory is damaged")


def _read_samples(path: Path, spec, points: int, replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """The sample matrix X (point, parameter) and the run seeds (point, replicate)."""
    samples = io.read_netcdf(path, str(path))
    names = [p.path for p in spec.parameters]
    expect = {"X": (("point", "parameter"), (points, len(names))),
              "seed": (("point", "replicate"), (points, replicates))}
    for var, (dims, shape) in expect.items():
        if var not in samples or samples[var].dims != dims or samples[var].shape != shape:
            got = f"{samples[var].dims} {samples[var].shape}" if var in samples else "missing"
            raise InputError(f"{path}: not this sweep's samples: variable '{var}' must be {dims} of shape {shape}, "
                             f"got {got}")
    if "parameter" not in samples.coords or [str(x) for x in samples["parameter"].values] != names:
        raise InputError(f"{path}: not this sweep's samples: its parameters differ from experiment.json")
    X, seeds = samples["X"].values, samples["seed"].values
    if not np.issubdtype(seeds.dtype, np.integer) or not np.isfinite(X.astype(float)).all():
        raise InputError(f"{path}: not this sweep's samples: seeds must be whole numbers and X finite")
    return X.astype(float), seeds


def check_results(ds: xr.Dataset, path: Path, store: SweepStore | None = None) -> xr.Dataset:
    """``ds`` if it is a sweep's results (X, Y, ok with consistent shapes, the experiment
    record; with ``store``: the same sweep as the store's files), else :class:`InputError`."""
    missing = [k for k in ("X", "Y", "ok") if k not in ds] + [k for k in ("experiment", "problem") if k not in ds.attrs]
    if missing:
        raise InputError(f"{path}: not a scoresim sweep result: {', '.join(missing)} missing")
    if ds["X"].dims != ("point", "parameter") or ds["Y"].dims != ("point", "replicate", "output") \
            or ds["ok"].dims != ("point", "replicate"):
        raise InputError(f"{path}: not a scoresim sweep result: X must be (point, parameter), Y (point, replicate, "
                         "output) and ok (point, replicate)")
    P, R, O = ds.sizes["point"], ds.sizes["replicate"], ds.sizes["output"]
    try:
        spec = json.loads(str(ds.attrs["experiment"]))["spec"]
        json.loads(str(ds.attrs["problem"]))
    except (ValueError, KeyError, TypeError, RecursionError):
        raise InputError(f"{path}: not a scoresim sweep result: attributes 'experiment' and 'problem' must be the "
                         "experiment record (JSON)") from None
    if store is not None:
        expected = json.loads(store.experiment.to_json())["spec"]
        same = (spec == expected and (P, R, O) == (store.points, store.replicates, len(store.outputs))
                and [str(x) for x in ds["output"].values] == store.outputs
                and np.allclose(ds["X"].values, store.X, equal_nan=True))
        if not same:
            raise InputError(f"{path}: not the results of this sweep (its experiment, design or outputs differ "
                             "from experiment.json and samples.nc): the file is damaged or was replaced")
    return ds
