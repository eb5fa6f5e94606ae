"""netCDF read and write with provenance; files written atomically, never overwritten."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import xarray as xr

from .config import InputError, scenario_from_json
from .outputs import write_file
from .resultfiles import read_netcdf  # noqa: F401 (part of this module's interface)
from .params import REPLICATES_MAX, SEED_MAX, Scenario

LIBRARIES = ("scoresim", "numpy", "scipy", "xarray", "mesa", "pydantic", "h5netcdf", "matplotlib", "SALib",
             "dask", "distributed")


def git_commit() -> str:
    """Commit of the scoresim source tree (or of the working directory), '+dirty' if modified."""
    for where in (Path(__file__).resolve().parent, Path.cwd()):
        try:
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                                  text=True, timeout=5)
            if head.returncode != 0:
                continue
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            return head.stdout.strip() + ("+dirty" if dirty else "")
        except (OSError, subprocess.SubprocessError):
            continue
    return "unknown"


def versions() -> dict[str, str]:
    """Versions of Python and the libraries a result depends on."""
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out


def provenance(scenario: Scenario, command: list[str] | None = None) -> dict[str, str]:
    """Attributes that make a result reproducible: resolved config, versions, commit, time."""
    return {
        "config": scenario.model_dump_json(),
        "scenario": scenario.name,
        "scoresim_version": versions()["scoresim"],
        "git_commit": git_commit(),
        "versions": json.dumps(versions()),
        "created_utc": utc_now(),
        "command": " ".join(command if command is not None else sys.argv),
    }


def read_provenance(path: str | Path) -> tuple[Scenario, int, int]:
    """Scenario, seed and replicates stored in a result file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such result file")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            attrs = dict(ds.attrs)
    except Exception as err:  # any reader failure means: not a scoresim result file
        raise InputError(f"{path}: not a readable netCDF file ({type(err).__name__})") from None
    missing = [k for k in ("config", "seed", "replicates") if k not in attrs]
    if missing:
        raise InputError(f"{path}: not a scoresim result: attribute(s) {', '.join(missing)} missing")
    scenario = scenario_from_json(str(attrs["config"]), origin=f"{path} (attribute 'config')")
    return (scenario, _whole_attr(path, attrs, "seed", 0, SEED_MAX),
            _whole_attr(path, attrs, "replicates", 1, REPLICATES_MAX))


def _whole_attr(path: Path, attrs: dict, name: str, lo: int, hi: int) -> int:
    """A whole-number attribute of a result file in [lo, hi], or :class:`InputError`."""
    raw = attrs[name]
    try:
        value = int(raw)
        ok = bool(value == raw) if not isinstance(raw, str) else raw.strip() == str(value)
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or not lo <= value <= hi:
        raise InputError(f"{path}: not a scoresim result: attribute '{name}' must be a whole number "
                         f"in [{lo}, {hi}], got {raw!r}")
    return value


def utc_now() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json(path: str | Path, data: dict) -> None:
    """Write ``data`` as indented JSON, atomically (a reader never sees half a file); an
    existing file is replaced."""
    write_file(path, json.dumps(data, indent=2), replace=True)


def write_dataset(ds: xr.Dataset, path: str | Path, replace: bool = False) -> None:
    """Write ``ds`` to netCDF (h5netcdf) with compression, atomically, never overwriting (unless
    ``replace``).

    The file is built in memory and then written as plain bytes (:func:`write_file`): the
    device is checked for room first, and a write that fails (disk full) fails cleanly. HDF5
    writing straight to a file that cannot grow fails inside the library and leaves it in a
    state that crashes the process (a segmentation fault when the file is closed)."""
    path = Path(path)
    if not replace and os.path.lexists(path):
        raise InputError(f"{path}: already exists; results are never overwritten")
    encoding = {k: {"compression": "gzip", "compression_opts": 4, "shuffle": True}   # shuffle: 10% smaller
                for k, v in ds.data_vars.items() if v.ndim >= 2}
    import dask

    with dask.config.set(scheduler="synchronous"):   # else, beside a Dask client, xarray asks the
        image = ds.to_netcdf(engine="h5netcdf", encoding=encoding)   # cluster for a lock on memory
    write_file(path, image, replace=replace)
