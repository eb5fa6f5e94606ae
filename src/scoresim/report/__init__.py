"""One self-contained HTML page on a results directory (run, sweep, analysis, calibration or
scale-up plan): tables, figures embedded as data URIs, every assumption and the provenance, with
nothing loaded from elsewhere, so the file can be mailed, archived and opened offline.

Public API: :func:`build_report`. The ``scoresim report`` command is in :mod:`.commands`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import html
from .inputs import detect
from .kinds import build


@dataclass(frozen=True)
class Rendered:
    """A built report: its HTML, the number of figures in it and the kind of result."""

    html: str
    figures: int
    kind: str


def render(path: str | Path, title: str | None = None, command: str = "") -> Rendered:
    """Build the report on the results directory ``path`` (see :func:`build_report`)."""
    from .. import __version__

    path = Path(path)
    kind = detect(path)
    content = build(kind, path)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    subtitle = f"Report on {content.described}, directory '{path.resolve().name}'; generated {generated}."
    footer = f"Generated {generated} by scoresim {__version__}" + (f" with: {command}" if command else ".")
    text = html.page(title or content.title, subtitle, content.sections, footer)
    return Rendered(text, sum(s.body.count("<img ") for s in content.sections), kind)


def build_report(path: str | Path, title: str | None = None, command: str = "") -> str:
    """The HTML text of the report on the results directory ``path``; ``title`` replaces the
    default title and ``command`` is named in the footer. Bad input (not a results directory,
    damaged or missing files) raises :class:`~scoresim.config.InputError`."""
    return render(path, title, command).html


__all__ = ["Rendered", "build_report", "render"]
