"""Reading the files of a results directory: each reader turns every failure (missing,
unreadable, not UTF-8, not JSON, the wrong shape) into an :class:`~scoresim.config.InputError`
that names the file and says what was expected. The readers of each kind of results
directory (a sweep's store, a calibration, a run's report) are built on these."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config import InputError


def read_text(path: Path) -> str:
    """A UTF-8 text file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a directory, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file (damaged?)") from None
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or type(err).__name__})") from None


def read_json(path: Path) -> Any:
    """A JSON file's content."""
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON ({err}); damaged or truncated?") from None
    except RecursionError:
        raise InputError(f"{path}: not a scoresim file (JSON nested too deeply)") from None


def read_object(path: Path) -> dict:
    """A JSON file holding an object."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object, got {type(data).__name__}; damaged?")
    return data


def read_records(path: Path) -> list[dict]:
    """A JSON file holding a list of objects (rows of a table)."""
    data = read_json(path)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(f"{path}: expected a JSON list of objects (one per table row)")
    return data


def read_netcdf(path: str | Path, label: str | None = None):
    """The netCDF file at ``path`` loaded in memory, or :class:`InputError` naming it as
    ``label`` (for example '--posterior post.nc'; default: the path)."""
    import xarray as xr

    label = label or str(path)
    if not Path(path).is_file():
        raise InputError(f"{label}: no such file")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.load()
    except Exception as err:  # noqa: BLE001 - any reader failure means: not a readable netCDF file
        raise InputError(f"{label}: not a readable netCDF file ({type(err).__name__}); damaged or truncated?") from None


def field(data: dict, name: str, kind: type | tuple[type, ...], origin: Path, what: str = "") -> Any:
    """``data[name]`` when it is of type ``kind`` (a bool is not a number), else
    :class:`InputError` naming ``origin`` and the field."""
    value = data.get(name)
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _types(kind))
    if not ok:
        expected = what or " or ".join(t.__name__ for t in _types(kind))
        raise InputError(f"{origin}: field '{name}': expected {expected}, got {value!r:.60}")
    return value


def _types(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


__all__ = ["read_text", "read_json", "read_object", "read_records", "read_netcdf", "field"]
