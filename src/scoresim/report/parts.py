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

MAX_ROWS = 60    # a CSV table up to this long is shown whole; a longer one is summarised
PARAMETER_COLUMNS = ("parameter", "value", "unit", "range", "source", "meaning")

# Figure captions by file stem (a numbered file, indices_2.png, takes its stem's caption) and
# the order figures appear in: the main result first, then what explains it.
CAPTIONS = {
    "effects": "What participants would report against what the programme caused, per indicator: the reported "
               "change (before against after, programme world) beside the causal effect (programme against "
               "counterfactual world, same seeds) with its 90% interval over replicates.",
    "trajectories": "Participating firms' indicators month by month in the programme world (blue) and in the "
                    "counterfactual world without the programme (grey): worker-weighted mean, median and 5-95% "
                    "band over replicates.",
    "practices": "Participants' management practice levels by SCORE area (0-1 scale), programme world (solid) "
                 "against the counterfactual (dotted), mean over replicates.",
    "indices": "Sensitivity indices of each output, the most influential parameters on top, with the half-width "
               "of the bootstrap confidence interval.",
    "morris": "Morris screening of each output: mean absolute elementary effect mu* against its spread sigma; "
              "above the lines sigma/mu* = 0.5 and 1 a parameter acts non-linearly or interacts. The most "
              "influential parameters are labelled where a label fits.",
    "second_order": "Second-order Sobol' indices: the share of output variance due to the interaction of each pair "
                    "of parameters.",
    "convergence": "How the main index of the most influential parameters settles as the sample grows; a "
                   "parameter keeps its colour in every panel.",
    "predictive": "Posterior predictive against each target: the printed figure or range (dark band) with its "
                  "tolerance (light band), and the simulated median with its 90% interval over posterior draws.",
    "posterior_marginals": "Posterior of each calibrated parameter over its prior range (dashed: a uniform prior's "
                           "density; vertical line: posterior median).",
    "posterior_pairs": "Posterior draws of every pair of calibrated parameters: correlations show what the targets "
                       "leave unresolved.",
    "outcomes": "What each strategy achieves over the horizon (median and 90% interval over replicates; axes "
                "include zero): firms reached, accidents and absence days averted, value added, spending, net "
                "present value.",
    "cost_per_outcome": "Cost per outcome by strategy: per firm reached and per accident averted, benefit-cost "
                        "ratio and payback (median, 90% interval).",
    "reach": "Reach over time: cumulative firms reached, and modules started each month against the capacity of "
             "the active trainers (dashed).",
    "frontier": "Cost-outcome frontier of the allocation search: the best verified allocation at each budget level "
                "(line), the other candidates and each strategy alone, with 90% intervals.",
    "differences": "Difference of each scenario from the baseline per indicator and estimand: median and 90% "
                   "interval (paired: replicate by replicate on common seeds; unpaired: any two replicates).",
    "values": "Each scenario's results per indicator and estimand: median and 90% interval over replicates; "
              "relative indicators in %, adoption on the 0-1 practice scale.",
}
ORDER = ("effects", "trajectories", "practices", "differences", "values", "outcomes", "cost_per_outcome", "reach",
         "frontier", "predictive", "posterior_marginals", "posterior_pairs", "indices", "morris", "second_order",
         "convergence")


def _stem(path: Path) -> tuple[str, int | None]:
    """'indices_2.png' -> ('indices', 2); 'reach.png' -> ('reach', None)."""
    base, _, tail = path.stem.rpartition("_")
    if base and tail.isdigit():
        return base, int(tail)
    return path.stem, None


def caption(path: Path, parts: int = 1) -> str:
    """The caption of a figure file: what it shows, in words (a humanised name for a figure this
    version does not know)."""
    stem, n = _stem(path)
    text = CAPTIONS.get(stem)
    if text is None:
        words = stem.replace("_", " ").replace("-", " ").strip()
        text = words[:1].upper() + words[1:] + "."
    return text + (f" (Part {n} of {parts}.)" if n is not None and parts > 1 else "")


def ordered(paths: Iterable[Path]) -> list[Path]:
    """Figures in reading order: the main result first (:data:`ORDER`), unknown ones last by name."""
    rank = {s: i for i, s in enumerate(ORDER)}
    return sorted(paths, key=lambda p: (rank.get(_stem(p)[0], len(ORDER)), _stem(p)[0], _stem(p)[1] or 0))


def figures_body(paths: Iterable[Path]) -> str:
    """Every PNG in ``paths`` embedded with its caption, in reading order."""
    paths = ordered(paths)
    counts: dict[str, int] = {}
    for p in paths:
        counts[_stem(p)[0]] = counts.get(_stem(p)[0], 0) + 1
    return "".join(h.figure(read_png(p), caption(p, counts[_stem(p)[0]])) for p in paths)


def csv_body(path: Path, title: str = "", limit: int = MAX_ROWS, columns: tuple[str, ...] = ()) -> str:
    """A CSV file: the whole table when it has at most ``limit`` rows, else a summary of each
    column; the full file is embedded for download either way. ``columns``: show only these
    (those the file has), so a wide file fits the page."""
    header, rows, total = read_csv(path, 10**9)
    if columns:
        keep = [j for j, c in enumerate(header) if c in columns]
        header, rows = [header[j] for j in keep], [[r[j] if j < len(r) else "" for j in keep] for r in rows]
    width = len(header)
    rows = [(r + [""] * width)[:width] if len(r) != width else r for r in rows]
    link = h.download(read_text(path).encode("utf-8"), path.name, f"Download {path.name} ({total:,} rows)")
    if total <= limit:
        note = f"From {path.name}; numbers rounded to 4 significant digits."
        return h.table(header, rows, caption=title, note=note) + link
    return (h.table(("column", "values", "smallest", "median", "largest", "examples"), column_summary(header, rows),
                    caption=title or f"{path.name}: {total:,} rows, summarised by column",
                    note=f"{path.name} has {total:,} rows of {width} columns; each column is summarised here and "
                         "the full table is in the file (download link below).")
            + link)


def column_summary(header: list[str], rows: list[list[str]]) -> list[list[object]]:
    """Per column: how many values, and the smallest, median and largest (numbers) or the
    distinct values (text)."""
    import statistics

    out: list[list[object]] = []
    for j, name in enumerate(header):
        values = [r[j] for r in rows if r[j] != ""]
        numbers = []
        for v in values:
            try:
                numbers.append(float(v))
            except ValueError:
                break
        if values and len(numbers) == len(values):
            finite = [x for x in numbers if x == x]
            out.append([name, len(values), min(finite) if finite else "", statistics.median(finite) if finite else "",
                        max(finite) if finite else "", ""])
        else:
            distinct = list(dict.fromkeys(values))
            shown = ", ".join(distinct[:6]) + (f" and {len(distinct) - 6} more" if len(distinct) > 6 else "")
            out.append([name, f"{len(values):,} ({len(distinct):,} distinct)", "", "", "", shown])
    return out


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
    """The parameter list of a config as an HTML table (see :func:`parameter_rows`): parameter,
    value, unit and range on a line, its meaning and source beneath."""
    rows, note = parameter_rows(config, origin, model)
    return h.detail_table(PARAMETER_COLUMNS[:4], ((r[:4], detail_text(r[5], r[4])) for r in rows), caption=title,
                          note=note or f"{len(rows)} parameters, every one as the run used it (resolved config).")


def detail_text(meaning: object, source: object) -> str:
    """'meaning; source: ...' (either may be empty)."""
    return "; ".join(x for x in (str(meaning or ""), f"source: {source}" if source else "") if x)


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
