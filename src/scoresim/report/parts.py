"""Report parts shared by every kind of result: figures, tables read from files, the parameter
list of a config and the provenance block."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..config import InputError, validate_model
from ..params import Scenario, describe_parameters
from . import html as h
from .inputs import read_csv, read_png, read_text, sha256

MAX_ROWS = 200   # rows of a CSV table shown; the rest are counted in a note
PARAMETER_COLUMNS = ("parameter", "value", "unit", "range", "source", "meaning")


def caption(path: Path) -> str:
    """A figure caption from its file name: 'posterior_marginals.png' -> 'Posterior marginals'."""
    words = path.stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) + f" ({path.name})"


def figures_body(paths: Iterable[Path]) -> str:
    """Every PNG in ``paths`` embedded with its caption."""
    return "".join(h.figure(read_png(p), caption(p)) for p in paths)


def csv_body(path: Path, title: str = "", limit: int = MAX_ROWS) -> str:
    """A CSV file as an HTML table: its first ``limit`` rows, with a note when cut."""
    header, rows, total = read_csv(path, limit)
    note = f"From {path.name}; numbers rounded to 4 significant digits."
    if total > len(rows):
        note += f" Showing the first {len(rows):,} of {total:,} rows; the full table is in {path.name}."
    width = len(header)
    rows = [(r + [""] * width)[:width] if len(r) != width else r for r in rows]
    return h.table(header, rows, caption=title, note=note)


def text_body(path: Path) -> str:
    """A plain-text file (a printed table) kept as laid out."""
    return h.preformatted(read_text(path))


def records_body(rows: list[dict], title: str = "", note: str = "") -> str:
    """Rows of a JSON table (list of objects) as an HTML table; columns in first-seen order."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return h.table(columns, ([r.get(c) for c in columns] for r in rows), caption=title, note=note)


# --------------------------------------------------------------------------- parameters

def parameter_rows(config: dict, origin: str,
                   model: type[BaseModel] | None = Scenario) -> tuple[list[list[str]], str]:
    """Every parameter of a resolved config as (path, value, unit, range, source, meaning), and a
    note. The config is validated against ``model`` for units, ranges and sources; a config this
    version of scoresim does not accept (or any config when ``model`` is None) is listed as
    stored, with a note saying so."""
    try:
        if model is None:
            raise InputError("no parameter definitions available")
        instance = validate_model(model, config, origin)
    except InputError as err:
        first = str(err).splitlines()[0]
        note = (f"Listed as stored, without units or sources: the config could not be matched to this "
                f"version of scoresim's parameter definitions ({first}).")
        return [[path, h.fmt(value), "", "", "", ""] for path, value in flatten(config)], note
    rows = describe_parameters(type(instance), instance=instance)
    return [[r["path"], r["default"], r["unit"], r["range"], r["source"], r["doc"]] for r in rows], ""


def parameters_table(config: dict, origin: str, model: type[BaseModel] | None = Scenario, title: str = "") -> str:
    """The parameter list of a config as an HTML table (see :func:`parameter_rows`)."""
    rows, note = parameter_rows(config, origin, model)
    return h.table(PARAMETER_COLUMNS, rows, caption=title,
                   note=note or f"{len(rows)} parameters, every one as the run used it (resolved config).")


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaf values of nested objects as (dotted path, value); lists of objects are indexed."""
    if isinstance(data, dict) and data:
        return [leaf for k, v in data.items() for leaf in flatten(v, f"{prefix}{k}.")]
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return [leaf for i, v in enumerate(data) for leaf in flatten(v, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), data)]


# --------------------------------------------------------------------------- provenance

def provenance_body(facts: list[tuple[str, Any]], versions: Any, directory: Path,
                    sessions: Any = None) -> str:
    """Command, commit, times, seeds (``facts``), library versions, sessions and the files of the
    result with their sizes and SHA-256 digests."""
    out = h.key_values(facts)
    if isinstance(versions, dict) and versions:
        out += h.heading("Library versions") + h.table(("library", "version"), sorted(versions.items()))
    if isinstance(sessions, list) and sessions and all(isinstance(s, dict) for s in sessions):
        out += h.heading("Sessions") + records_body(sessions, note="One row per time the command ran "
                                                                   "(a resumed result has several).")
    return out + h.heading("Files") + files_table(directory)


def files_table(directory: Path) -> str:
    """The files of a results directory with sizes and SHA-256 digests (hidden files and HTML
    reports left out: they are not part of the result)."""
    rows = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".") and not f.endswith(".html")):
            p = Path(root) / name
            digest = sha256(p)                      # names an unreadable file (InputError)
            rows.append([p.relative_to(directory).as_posix(), f"{p.stat().st_size:,}", digest])
    return h.table(("file", "bytes", "SHA-256"), rows,
                   note="Digests identify the exact files this report was made from.")


def posterior_facts(origin: Any, digest: Any, draws: Any = None) -> list[tuple[str, Any]]:
    """Provenance lines of a posterior used by a result (nothing when none was)."""
    if not origin and not digest:
        return []
    label = "posterior SHA-256" + (" (first 16 hex digits)" if len(str(digest or "")) == 16 else "")
    return [("posterior file", origin), (label, digest), ("posterior draws", draws)]
