"""Text on figures that must not collide: point labels placed where they overlap no other
label, point or legend, and axis labels in words.

Point labels are placed after the figure's layout is final: a figure function registers them
with :func:`defer`, and :func:`finalise` (called before saving, or at the end of a figure
function that made its own figure) draws the figure once, fixes the layout, and places each
label at the first free spot of a ring of candidate offsets around its point, nearest first,
with a leader line when it had to go further out. A label that finds no free spot is left
out and counted, so a crowded plot loses labels rather than gaining overlaps. Nothing here
computes results.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

RINGS = (5, 10, 18, 28, 42)          # offsets tried, in points from the point
DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
_PENDING = "_scoresim_pending_labels"

UNITS_IN_WORDS = {
    "defect_rate": "share of units defective",
    "absence_rate": "share of worker-days absent",
    "engagement": "engagement score (0-1 scale)",
    "skill": "skill score (0-1 scale)",
    "team_active": "share of firms with an active team",
    "practice": "practice level (0-1 scale)",
}


def axis_label(name: str, units: str, words: dict[str, str] | None = None) -> str:
    """An axis label with units in words: a variable's own words where it has them (a share or
    a score, whose unit is '1'), else its unit in ``words`` (unit -> words), else the unit as
    declared ('share (0-1)' for '1')."""
    if name in UNITS_IN_WORDS:
        return UNITS_IN_WORDS[name]
    if words and units in words and units != "1":
        return words[units]
    return "share (0-1)" if units in ("1", "") else units


def defer(ax: Axes, x: Sequence[float], y: Sequence[float], labels: Sequence[str], fontsize: float = 7,
          color: str = "0.15") -> None:
    """Register labels for the points (x, y) of ``ax`` (data coordinates), most important
    first; :func:`finalise` places them."""
    pending = getattr(ax.figure, _PENDING, [])
    pending.append((ax, list(x), list(y), list(labels), fontsize, color))
    setattr(ax.figure, _PENDING, pending)


def finalise(fig: Figure) -> int:
    """Fix the layout of ``fig`` and place its deferred labels; returns how many found no free
    spot (left out). Safe to call more than once."""
    pending = getattr(fig, _PENDING, [])
    if not pending:
        return 0
    fig.canvas.draw()                       # runs the layout engine once
    fig.set_layout_engine("none")           # keep the axes where they are now
    renderer = fig.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in _texts(fig)]
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            taken.append(legend.get_window_extent(renderer))
    skipped = 0
    for ax, x, y, labels, fontsize, color in pending:
        skipped += _place(ax, x, y, labels, fontsize, color, taken, renderer)
    setattr(fig, _PENDING, [])
    return skipped


def _texts(fig: Figure) -> list:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _place(ax: Axes, x: list, y: list, labels: list, fontsize: float, color: str, taken: list[Bbox],
           renderer) -> int:
    inside = ax.get_window_extent(renderer)
    scale = ax.figure.dpi / 72.0
    pts = ax.transData.transform(np.column_stack([x, y]).astype(float))
    marks = [Bbox.from_bounds(px - 3 * scale, py - 3 * scale, 6 * scale, 6 * scale) for px, py in pts
             if np.isfinite(px) and np.isfinite(py)]
    skipped = 0
    for (px, py), xi, yi, label in zip(pts, x, y, labels):
        if not (np.isfinite(px) and np.isfinite(py)):
            continue
        if not _place_one(ax, (xi, yi), label, fontsize, color, taken + marks, inside, renderer, taken):
            skipped += 1
    return skipped


def _place_one(ax: Axes, xy, label: str, fontsize: float, color: str, blocked: list[Bbox], inside: Bbox,
               renderer, taken: list[Bbox]) -> bool:
    for r in RINGS:
        for dx, dy in DIRECTIONS:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            far = r >= RINGS[2]
            ann = ax.annotate(label, xy, xytext=(dx * r, dy * r), textcoords="offset points", fontsize=fontsize,
                              ha=ha, va=va, color=color, annotation_clip=False,
                              arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.6,
                                          "shrinkA": 0, "shrinkB": 3} if far else None)
            box = ann.get_window_extent(renderer).padded(1.5)
            fits = (box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0 and box.y1 <= inside.y1)
            if fits and not any(box.overlaps(b) for b in blocked):
                taken.append(box)
                return True
            ann.remove()
    return False
