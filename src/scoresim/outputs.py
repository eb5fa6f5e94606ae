"""Where results go: every output directory a command creates.

A results directory is planned before any work (:func:`output_directory`) and created whole
(:func:`new_directory`): its files are written into a temporary directory beside it, which is
renamed into place when everything is written and removed otherwise. Results are never
overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .config import InputError


def output_directory(requested: str | None, parent: Path, stem: str) -> Path:
    """The directory a command will create: ``requested`` (which must not exist) or a fresh
    ``parent/<stem>-<time>``; :class:`InputError` if it cannot be created."""
    out = Path(requested) if requested else fresh_directory(parent / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}")
    if out.exists():
        raise InputError(f"{out}: already exists; results are never overwritten, choose another --out")
    existing = next((p for p in out.parents if p.exists()), Path("."))
    if not existing.is_dir():
        raise InputError(f"{out}: cannot create the directory: {existing} is not a directory")
    return out


def fresh_directory(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... if taken: a default run directory never collides."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


@contextmanager
def new_directory(final: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside ``final``; move it to ``final`` when the block ends
    without error (removed otherwise). Refuses an existing ``final``."""
    final = Path(final)
    if final.exists():
        raise InputError(f"{final}: already exists; results are never overwritten, choose another --out")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    try:
        yield tmp
        if final.exists():
            raise InputError(f"{final}: appeared while running; results are never overwritten")
        tmp.chmod(0o755)
        os.rename(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["output_directory", "fresh_directory", "new_directory"]
