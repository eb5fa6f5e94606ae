"""Terminal tables and number formatting shared by every command that prints a table (run,
analysis, calibration, scale-up, compare, params): rows of text cells laid out within
:data:`WIDTH` columns, and one way of writing each kind of number.

Tables. :func:`render` takes :class:`Column` definitions and rows of cells (strings; use the
formatters below for numbers) and returns text no wider than ``width``. When the natural
layout is too wide it first wraps the columns marked ``wrap`` at spaces (never inside a
word), then splits the table into parts that each repeat the ``key`` columns, and only when a
part is still too wide shortens a long word of its wrap columns with an ellipsis. Headers wrap onto as many lines as they need. Notes below the
table are wrapped to the same width.

Numbers. One convention for every table, so that no reader mistakes one kind of number for
another:

- a relative change: a signed percentage, ``+20.4%`` (:func:`change`, ``kind="relative"``);
- a share of firms or runs: a percentage, ``79%`` (:func:`percent`);
- a practice level, or a change in it: a number on the 0-1 practice scale (0 no good practice,
  1 all of it) followed by ``(0-1 scale)``, ``+0.271 (0-1 scale)`` (:func:`change`,
  ``kind="points"``); never ``%``, ``pt`` or ``pp``, so nobody reads it as percentage points;
- a difference between two relative changes (scenario B less scenario A): percentage points,
  ``-6.3 pp`` (:func:`difference`); ``pp`` is used for nothing else;
- a value with its interval: ``-13.3% [-13.9%, -11.8%]`` (:func:`with_interval`); a unit
  suffix such as ``(0-1 scale)`` or ``pp`` is written once, after the interval;
- counts and money: ``1,234`` (:func:`count`), ``2.50M`` (:func:`compact`); other numbers to
  three significant digits (:func:`number`);
- a missing value: ``n/a``, from every formatter (NaN, infinity, None).

``kind`` is the indicator kind of :mod:`scoresim.reporting` (``"relative"`` or ``"points"``).

Phase I. :func:`is_phase1` says whether a resolved scenario is one of SCORE Phase I's
programme (its enrolment lies within Phase I's years), the only case where the Phase I
figures belong in a table as a yardstick; :func:`optional_columns` drops such a column
otherwise.

Example, a summary table with one column per estimand and the Phase I figures only for a Phase I
scenario (``config``: the resolved scenario as a dict)::

    cols = [Column("indicator", "left", key=True), Column("reported"), Column("causal [90% interval]"),
            Column("Phase I figure", "left", wrap=True)]
    rows = [[r["indicator"], change(r["reported"], r["kind"]),
             with_interval(r["effect"], r["effect_lo"], r["effect_hi"], r["kind"]), r["phase1"]] for r in summary]
    cols, rows = optional_columns(cols, rows, {"Phase I figure": is_phase1(config)})
    print(render(cols, rows, notes=["Medians over 10 replicates; the interval covers ..."]))

Nothing here imports the rest of scoresim.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

WIDTH = 100          # every terminal table fits this many columns
GAP = 2              # spaces between columns
NA = "n/a"
ELLIPSIS = "…"
SCALE = "(0-1 scale)"
LONG_DEFAULT = 16    # longer defaults (lists) of `scoresim params` go on the line beneath
PHASE1_ENROLMENT = ("2009-01", "2013-09")   # first and last month of SCORE Phase I enrolment


# --------------------------------------------------------------------------------------- numbers

def finite(x: object) -> bool:
    """Whether ``x`` is a real, finite number (bools are not numbers here)."""
    if isinstance(x, bool) or x is None:
        return False
    try:
        return math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def signed_percent(x: object, digits: int = 1) -> str:
    """A relative change (fraction) as a signed percentage: 0.204 -> '+20.4%'."""
    return f"{100 * float(x):+.{digits}f}%" if finite(x) else NA  # type: ignore[arg-type]


def percent(x: object, digits: int = 0) -> str:
    """A share (fraction in [0, 1]) as a percentage: 0.79 -> '79%'."""
    return f"{100 * float(x):.{digits}f}%" if finite(x) else NA  # type: ignore[arg-type]


def level(x: object, digits: int = 3, signed: bool = True) -> str:
    """A practice level or a change in it, bare: '+0.271' (add :data:`SCALE` once per cell)."""
    if not finite(x):
        return NA
    return f"{float(x):+.{digits}f}" if signed else f"{float(x):.{digits}f}"  # type: ignore[arg-type]


def change(x: object, kind: str, digits: int | None = None) -> str:
    """A change of an indicator: '+20.4%' (relative) or '+0.271 (0-1 scale)' (points)."""
    if kind == "points":
        text = level(x, 3 if digits is None else digits)
        return text if text == NA else f"{text} {SCALE}"
    return signed_percent(x, 1 if digits is None else digits)


def difference(x: object, kind: str, digits: int | None = None) -> str:
    """A difference between two changes: '-6.3 pp' (percentage points of two relative changes)
    or '+0.050 (0-1 scale)' (practice levels)."""
    if kind == "points":
        return change(x, kind, digits)
    return f"{100 * float(x):+.{1 if digits is None else digits}f} pp" if finite(x) else NA  # type: ignore[arg-type]


def with_interval(mid: object, lo: object, hi: object, kind: str = "relative", diff: bool = False) -> str:
    """'value [low, high]' in the notation of ``kind``; a unit suffix is written once, at the end:
    '-13.3% [-13.9%, -11.8%]', '+0.271 [+0.270, +0.272] (0-1 scale)', '-6.3 [-7.0, -5.5] pp'."""
    if kind == "points":
        bare = [level(v) for v in (mid, lo, hi)]
        suffix = f" {SCALE}"
    elif diff:
        bare = [f"{100 * float(v):+.1f}" if finite(v) else NA for v in (mid, lo, hi)]  # type: ignore[arg-type]
        suffix = " pp"
    else:
        return f"{signed_percent(mid)} [{signed_percent(lo)}, {signed_percent(hi)}]" if finite(mid) else NA
    if bare[0] == NA:
        return NA
    return f"{bare[0]} [{bare[1]}, {bare[2]}]{suffix}"


def number(x: object, sig: int = 3) -> str:
    """A number to ``sig`` significant digits ('0.0123', '1.23e+06'); whole numbers of up to
    15 digits in full with thousands separators."""
    if not finite(x):
        return NA
    v = float(x)  # type: ignore[arg-type]
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:.{sig}g}"


def count(x: object) -> str:
    """A count with thousands separators: 54000 -> '54,000'."""
    return f"{float(x):,.0f}" if finite(x) else NA  # type: ignore[arg-type]


def compact(x: object) -> str:
    """A large amount in a few characters: 2.5M, 12k, 1.23B, 450, 3.14."""
    if not finite(x):
        return NA
    v = float(x)  # type: ignore[arg-type]
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.2f}B"
    if a >= 1e6:
        return f"{v / 1e6:.2f}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}" if a < 10 else f"{v:.1f}"


# --------------------------------------------------------------------------------------- tables

@dataclass(frozen=True)
class Column:
    """A table column.

    title : header text (wraps at spaces onto several lines when the column is narrow).
    align : 'left' or 'right' (numbers).
    wrap : the cells are prose that may wrap at spaces onto several lines when the table is
        too wide (and be shortened with an ellipsis as a last resort).
    key : the column identifies the row; repeated in every part of a split table.
    """

    title: str
    align: str = "right"
    wrap: bool = False
    key: bool = False


def render(columns: Sequence[Column], rows: Iterable[Sequence[object]], width: int = WIDTH,
           notes: Iterable[str] = (), title: str = "", rule: bool = True,
           details: Sequence[str] | None = None) -> str:
    """The table as text no wider than ``width`` (see the module docstring for how it fits).
    ``details``: one text per row, printed under it, indented and wrapped (for prose that
    would make a column too wide: a meaning, a source)."""
    cells = [[NA if c is None else str(c) for c in row] for row in rows]
    if details is not None and len(details) != len(cells):
        raise ValueError(f"{len(details)} details for {len(cells)} rows")
    for row in cells:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
    widths = _fit(columns, cells, width)
    parts = _parts(columns, widths, width)
    for part in parts:
        _narrow(part, columns, widths, width)
    out = textwrap.wrap(title, width) if title else []
    for n, part in enumerate(parts):
        if n:
            out.append("")
        out += _block([columns[i] for i in part], [widths[i] for i in part], [[r[i] for i in part] for r in cells],
                      rule, details if n == len(parts) - 1 else None, width)
    for note in notes:
        out += wrap(note, width)
    return "\n".join(out)


def wrap(text: str, width: int = WIDTH, indent: str = "") -> list[str]:
    """A paragraph wrapped at spaces to ``width`` columns (only a word longer than a whole line,
    such as a long web address, is cut)."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False) or [""]


def optional_columns(columns: Sequence[Column], rows: Sequence[Sequence[object]],
                     keep: Mapping[str, bool]) -> tuple[list[Column], list[list[object]]]:
    """Drop the columns whose title maps to False in ``keep`` (and their cells)."""
    idx = [i for i, c in enumerate(columns) if keep.get(c.title, True)]
    return [columns[i] for i in idx], [[row[i] for i in idx] for row in rows]


def parameter_table(rows: Sequence[Mapping[str, object]], width: int = WIDTH) -> str:
    """The parameter list of ``scoresim params``: rows of ``describe_parameters`` (path,
    default, unit, range, source, doc), one line each with the allowed range and meaning
    and the source wrapped beneath."""
    columns = [Column("parameter (--set path)", "left", key=True), Column("default", "left", wrap=True),
               Column("unit", "left", wrap=True)]
    long = [len(str(r["default"])) > LONG_DEFAULT for r in rows]     # a long list: beneath, in full
    body = [[r["path"], "(below)" if far else r["default"], r["unit"]] for r, far in zip(rows, long)]
    details = ["; ".join(x for x in (f"default: {r['default']}" if far else "", str(r.get("doc") or ""),
                                     f"allowed: {r['range']}" if r.get("range") else "",
                                     f"source: {r['source']}" if r.get("source") else "") if x)
               for r, far in zip(rows, long)]
    return render(columns, body, width, details=details,
                  notes=["Every parameter with its default and unit; below each, what it means, the values "
                         "allowed and its source. Set one with --set path=value or in a config file."])


def is_phase1(config: Mapping) -> bool:
    """Whether a resolved scenario (``Scenario.model_dump()`` or its JSON) runs SCORE Phase I's
    programme: its enrolment window lies inside Phase I's (:data:`PHASE1_ENROLMENT`). Only then
    are the Phase I figures a yardstick for its results."""
    programme = config.get("programme") if isinstance(config, Mapping) else None
    if not isinstance(programme, Mapping):
        return False
    start, end = str(programme.get("enrol_start", "")), str(programme.get("enrol_end", ""))
    first, last = PHASE1_ENROLMENT
    return bool(start and end) and first <= start <= end <= last


# --------------------------------------------------------------------------------------- layout

def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _natural(col: Column, cells: list[str]) -> int:
    """A column's width with its title on one line."""
    return max([len(c) for c in cells] + [len(col.title), 1])


def _compact(col: Column, cells: list[str]) -> int:
    """A column's width with its title wrapped at spaces."""
    return max([len(c) for c in cells] + [_longest_word(col.title), 1])


def _minimum(col: Column, cells: list[str]) -> int:
    """The narrowest a column may become: its longest word (wrap columns) or longest cell."""
    if col.wrap:
        return max([_longest_word(c) for c in cells] + [_longest_word(col.title), 4])
    return _compact(col, cells)


def _fit(columns: Sequence[Column], cells: list[list[str]], width: int) -> list[int]:
    """Column widths: titles on one line when the table fits; else titles wrapped (the widest
    gain first); then wrap columns narrowed (widest first) down to their longest word. What
    still does not fit is split into parts (:func:`_parts`), and only a part too wide on its
    own narrows its wrap columns further (:func:`_narrow`)."""
    col_cells = [[r[i] for r in cells] for i in range(len(columns))]
    widths = [_natural(c, cc) for c, cc in zip(columns, col_cells)]
    titled = [_compact(c, cc) for c, cc in zip(columns, col_cells)]
    floor = [_minimum(c, cc) for c, cc in zip(columns, col_cells)]
    total = lambda: sum(widths) + GAP * (len(widths) - 1)  # noqa: E731
    while total() > width and any(w > f for w, f in zip(widths, titled)):
        i = max(range(len(widths)), key=lambda j: widths[j] - titled[j])
        widths[i] = titled[i]
    while total() > width:
        give = [i for i, c in enumerate(columns) if c.wrap and widths[i] > floor[i]]
        if not give:
            break
        i = max(give, key=lambda j: widths[j])
        widths[i] -= 1
    return widths


def _parts(columns: Sequence[Column], widths: list[int], width: int) -> list[list[int]]:
    """Column indices of each part: all in one part when they fit; else the key columns and as
    many others as fit, repeated."""
    n = len(columns)
    if sum(widths) + GAP * (n - 1) <= width:
        return [list(range(n))]
    keys = [i for i, c in enumerate(columns) if c.key] or [0]
    rest = [i for i in range(n) if i not in keys]
    base = sum(widths[i] + GAP for i in keys)
    parts, current, used = [], [], base
    for i in rest:
        if current and used + widths[i] > width:
            parts.append(keys + current)
            current, used = [], base
        current.append(i)
        used += widths[i] + GAP
    parts.append(keys + current)
    return parts


def _narrow(part: list[int], columns: Sequence[Column], widths: list[int], width: int) -> None:
    """Narrow the wrap columns of a part that is still too wide (their cells are then wrapped
    and, for a word longer than the column, shortened)."""
    over = sum(widths[i] for i in part) + GAP * (len(part) - 1) - width
    wraps = sorted((i for i in part if columns[i].wrap), key=lambda i: -widths[i])
    for i in wraps:
        if over <= 0:
            break
        cut = min(over, widths[i] - 4)
        widths[i] -= cut
        over -= cut


def _lines(text: str, w: int, wrap_ok: bool) -> list[str]:
    if len(text) <= w:
        return [text]
    if not wrap_ok:
        return [text]          # fixed columns are never cut: their width is the longest cell
    lines = textwrap.wrap(text, w, break_long_words=False, break_on_hyphens=False) or [""]
    return [ln if len(ln) <= w else ln[: w - 1] + ELLIPSIS for ln in lines]


def _block(columns: list[Column], widths: list[int], rows: list[list[str]], rule: bool,
           details: Sequence[str] | None = None, width: int = WIDTH) -> list[str]:
    heads = [textwrap.wrap(c.title, w, break_long_words=False) or [""] for c, w in zip(columns, widths)]
    out = _join(columns, widths, heads, header=True)
    if rule:
        out.append("-" * (sum(widths) + GAP * (len(widths) - 1)))
    for k, row in enumerate(rows):
        out += _join(columns, widths, [_lines(t, w, c.wrap) for t, c, w in zip(row, columns, widths)])
        if details is not None and details[k]:
            out += wrap(details[k], width, indent="    ")
    return out


def _join(columns: list[Column], widths: list[int], cell_lines: list[list[str]], header: bool = False) -> list[str]:
    height = max(len(x) for x in cell_lines)
    out = []
    for k in range(height):
        parts = []
        for c, w, lines in zip(columns, widths, cell_lines):
            # headers sit on their last line(s), aligned like the column
            pad = height - len(lines) if header else 0
            text = lines[k - pad] if 0 <= k - pad < len(lines) else ""
            parts.append(text.ljust(w) if c.align == "left" else text.rjust(w))
        out.append((" " * GAP).join(parts).rstrip())
    return out


__all__ = ["WIDTH", "NA", "SCALE", "Column", "render", "wrap", "optional_columns", "parameter_table", "is_phase1", "finite",
           "signed_percent", "percent", "level", "change", "difference", "with_interval", "number", "count",
           "compact"]
