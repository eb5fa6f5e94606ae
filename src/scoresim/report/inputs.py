"""Reading a results directory for a report: which kind of result it is, and its files read
with every failure turned into an :class:`~scoresim.config.InputError` that names the file and
says what was expected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from ..config import InputError
from ..resultfiles import read_json, read_object, read_records, read_text  # noqa: F401 (the readers of report kinds)

FORMATS = {"scoresim-sweep/1": "sweep", "scoresim-calibration/2": "calibration", "scoresim-scaleup/1": "scaleup",
           "scoresim-compare/1": "compare"}
KINDS = ("run", "sweep", "analysis", "calibration", "scaleup", "compare")
EXPECTED = ("a scoresim results directory: a run (dataset.nc and summary.json, from scoresim run), "
            "a sweep, calibration, scale-up or comparison (manifest.json), or an analysis (indices.nc, from "
            "scoresim analyze)")
PNG_START = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"


def detect(path: Path) -> str:
    """The kind of result in directory ``path``: one of :data:`KINDS`."""
    if not path.exists():
        raise InputError(f"{path}: no such directory; expected {EXPECTED}")
    if not path.is_dir():
        raise InputError(f"{path}: not a directory; expected {EXPECTED}")
    if (path / "manifest.json").is_file():
        manifest = read_object(path / "manifest.json")
        kind = FORMATS.get(str(manifest.get("format")))
        if kind is None:
            raise InputError(f"{path / 'manifest.json'}: field 'format': expected one of "
                             f"{', '.join(repr(f) for f in FORMATS)}, got {manifest.get('format')!r}")
        return kind
    if (path / "dataset.nc").is_file() and (path / "summary.json").is_file():
        return "run"
    if (path / "indices.nc").is_file():
        return "analysis"
    raise InputError(f"{path}: not a recognised results directory; expected {EXPECTED}")


def require(path: Path, *names: str, what: str) -> None:
    """Every file in ``names`` exists in ``path``, or :class:`InputError` naming the first missing."""
    for name in names:
        if not (path / name).is_file():
            raise InputError(f"{path}: not a complete {what} directory ({name} missing)")


def read_csv(path: Path, limit: int) -> tuple[list[str], list[list[str]], int]:
    """Header, the first ``limit`` rows and the number of rows of a CSV file."""
    text = read_text(path)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        rows, total = [], 0
        for row in reader:
            total += 1
            if total <= limit:
                rows.append(row)
    except csv.Error as err:
        raise InputError(f"{path}: not a readable CSV table ({err})") from None
    if not header:
        raise InputError(f"{path}: empty; expected a CSV table with a header row")
    return header, rows, total


def read_png(path: Path) -> bytes:
    """A complete PNG image (signature at the start, end chunk at the end)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or type(err).__name__})") from None
    if not data.startswith(PNG_START) or not data.rstrip(b"\0").endswith(PNG_END):
        raise InputError(f"{path}: not a complete PNG image (damaged or truncated); expected a figure "
                         "as written by scoresim")
    return data


def netcdf_header(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Global attributes (as plain Python values) and dimension sizes of a netCDF file."""
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            attrs = {k: _plain(v) for k, v in ds.attrs.items()}
            sizes = {str(k): int(v) for k, v in ds.sizes.items()}
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except Exception as err:  # noqa: BLE001 (any reader failure means: not a readable netCDF file)
        raise InputError(f"{path}: not a readable netCDF file ({type(err).__name__})") from None
    return attrs, sizes


def _plain(value: Any) -> Any:
    """A numpy scalar or array attribute as a Python value."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def json_attr(attrs: dict[str, Any], name: str, origin: Path) -> Any:
    """An attribute that holds JSON text, decoded (None when absent)."""
    if name not in attrs:
        return None
    try:
        return json.loads(str(attrs[name]))
    except json.JSONDecodeError as err:
        raise InputError(f"{origin}: attribute '{name}' is not valid JSON ({err})") from None


def sha256(path: Path) -> str:
    """SHA-256 of a file's content, read in blocks."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or type(err).__name__})") from None
    return digest.hexdigest()


def figures(path: Path) -> list[Path]:
    """The PNG figures of a directory, by name (the report puts them in reading order)."""
    return sorted(p for p in path.glob("*.png") if p.is_file())
